import type { JsonObject } from "../arm/types.js";
import type { VmMaintenance } from "./vmModel.js";

/** Whether the owner may start maintenance now: the VM is pending, inside its self-service window, and not told to retry later. */
export function isSelfServiceOpen(maintenance: VmMaintenance | null, now: number): boolean {
  return (
    maintenance !== null &&
    maintenance.phase === "Pending" &&
    now >= maintenance.preMaintenanceWindowStartTime &&
    now < maintenance.preMaintenanceWindowEndTime &&
    (maintenance.retryAt === undefined || now >= maintenance.retryAt)
  );
}

/**
 * `maintenanceRedeployStatus` of the instance view: the windows while maintenance is pending or
 * under way; only the last result once it is done or aborted; nothing for a VM never in a wave.
 */
export function maintenanceRedeployStatusOf(maintenance: VmMaintenance | null, now: number): JsonObject | undefined {
  if (maintenance === null) return undefined;
  const status: JsonObject = { isCustomerInitiatedMaintenanceAllowed: isSelfServiceOpen(maintenance, now) };
  if (maintenance.phase === "Pending" || maintenance.phase === "InProgress") {
    status.preMaintenanceWindowStartTime = new Date(maintenance.preMaintenanceWindowStartTime).toISOString();
    status.preMaintenanceWindowEndTime = new Date(maintenance.preMaintenanceWindowEndTime).toISOString();
    status.maintenanceWindowStartTime = new Date(maintenance.maintenanceWindowStartTime).toISOString();
    status.maintenanceWindowEndTime = new Date(maintenance.maintenanceWindowEndTime).toISOString();
  }
  status.lastOperationResultCode = maintenance.lastOperationResultCode;
  if (maintenance.lastOperationMessage !== "") status.lastOperationMessage = maintenance.lastOperationMessage;
  return status;
}
