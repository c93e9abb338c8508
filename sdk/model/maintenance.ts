/** Result codes Compute reports for the last maintenance operation of a VM. */
export type MaintenanceResultCode = "None" | "RetryLater" | "MaintenanceAborted" | "MaintenanceCompleted";

/** A time window. */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/**
 * Where a VM stands in planned maintenance, derived from its instance view:
 * - `none`: no maintenance is announced for it;
 * - `selfServiceOpen`: the owner may start it now;
 * - `selfServiceNotYetOpen`: announced, the self-service window opens later;
 * - `inProgress`: inside the self-service window but not startable: the owner's maintenance is under way;
 * - `retryLater`: inside the self-service window, but Azure answered the owner's last attempt with `RetryLater`: not startable for now;
 * - `awaitingPlatform`: the self-service window is over; Azure will do it when the scheduled window opens;
 * - `platformMaintenance`: the scheduled window is open; Azure maintains the VMs (a set one update domain at a time);
 * - `completed` / `aborted`: the last maintenance ended that way; its windows are gone.
 */
export type MaintenancePhase =
  "none" | "selfServiceOpen" | "selfServiceNotYetOpen" | "inProgress" | "retryLater" | "awaitingPlatform" | "platformMaintenance" | "completed" | "aborted";

/** A VM's planned-maintenance status. */
export interface MaintenanceStatus {
  phase: MaintenancePhase;
  /** Whether the owner may start the maintenance now (Azure's `isCustomerInitiatedMaintenanceAllowed`). */
  selfServiceAllowed: boolean;
  /** The pre-emptive window in which the owner may start it. */
  selfServiceWindow: TimeWindow | undefined;
  /** The window in which Azure does it. */
  scheduledWindow: TimeWindow | undefined;
  lastResultCode: MaintenanceResultCode;
  lastMessage: string | undefined;
}
