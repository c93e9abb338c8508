import type { JsonObject } from "../arm/types.js";

/** Power states Compute reports as `PowerState/<state>`. */
export type PowerState = "starting" | "running" | "stopping" | "stopped" | "deallocating" | "deallocated" | "unknown";

/** Provisioning states of a VM. */
export type VmProvisioningState = "Creating" | "Updating" | "Deleting" | "Succeeded" | "Failed";

/** A VM's planned-maintenance record (present while the VM belongs to a maintenance wave). */
export interface VmMaintenance extends JsonObject {
  waveId: string;
  preMaintenanceWindowStartTime: number;
  preMaintenanceWindowEndTime: number;
  maintenanceWindowStartTime: number;
  maintenanceWindowEndTime: number;
  /** Pending: windows announced; InProgress: being maintained; Completed / Aborted: done, windows gone. */
  phase: "Pending" | "InProgress" | "Completed" | "Aborted";
  lastOperationResultCode: "None" | "RetryLater" | "MaintenanceAborted" | "MaintenanceCompleted";
  lastOperationMessage: string;
  /** After a `RetryLater` result: the owner may start it again from this time (still inside the self-service window). */
  retryAt?: number;
}

/** A failure injected into the next owner-started maintenance of one VM (consumed when it starts). */
export interface VmMaintenanceFault extends JsonObject {
  /** `abort`: fails, MaintenanceAborted; `retryLater`: refused for now, RetryLater; `slowBoot`: completes, but the VM takes `bootMs` to come back. */
  effect: "abort" | "retryLater" | "slowBoot";
  message: string;
  /** `retryLater`: how long until the owner may start it again. */
  retryAfterMs: number;
  /** `slowBoot`: how long the VM stays `starting` after its maintenance completed. */
  bootMs: number;
}

/** What happened to a VM in planned maintenance, in the order it happened. */
export type MaintenanceEventType =
  "announced" | "selfServiceStarted" | "platformStarted" | "completed" | "aborted" | "retryLater" | "booted" | "paused" | "resumed" | "updatedWithoutPause";

/** One entry of a VM's maintenance event log. */
export interface VmMaintenanceEvent extends JsonObject {
  /** Emulated time. */
  at: number;
  /** Global order of events that happen at the same time. */
  seq: number;
  type: MaintenanceEventType;
  waveId: string;
  message: string;
}

/** Service-side data of a VM, never served as is. */
export interface VmInternal extends JsonObject {
  powerState: PowerState;
  /** The action under way (`create`, `start`, ...) and its operation, or null. */
  activeAction: string | null;
  activeOperationId: string | null;
  platformUpdateDomain: number;
  platformFaultDomain: number;
  /** Incremented each time the VM moves to another host (redeploy, maintenance). */
  hostGeneration: number;
  /** Emulated time of the last provisioning state change. */
  provisioningTime: number;
  lastError: { code: string; message: string } | null;
  maintenance: VmMaintenance | null;
  /** The failure the next owner-started maintenance will meet (absent in states saved before it existed). */
  maintenanceFault?: VmMaintenanceFault | null;
  /** Planned-maintenance events of this VM, oldest first, the last {@link MAINTENANCE_LOG_LIMIT} kept. */
  maintenanceLog?: VmMaintenanceEvent[];
}

/** How many maintenance events a VM keeps. */
export const MAINTENANCE_LOG_LIMIT = 500;

/** Display strings Compute uses for each power state. */
export const POWER_STATE_DISPLAY: Readonly<Record<PowerState, string>> = {
  starting: "VM starting",
  running: "VM running",
  stopping: "VM stopping",
  stopped: "VM stopped",
  deallocating: "VM deallocating",
  deallocated: "VM deallocated",
  unknown: "VM status unknown",
};
