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
}

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
