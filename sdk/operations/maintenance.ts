import type { ComputeGateway, WaitOptions } from "../azure/computeGateway.js";
import { InvalidStateError } from "../errors.js";
import { logger } from "../logger.js";
import type { MaintenanceStatus } from "../model/maintenance.js";
import { resourceGroupNameSchema, virtualMachineNameSchema } from "../model/names.js";
import { validate } from "../model/validate.js";
import type { VirtualMachine } from "../model/virtualMachine.js";
import { checkTarget } from "./target.js";

/** A VM and where it stands in planned maintenance. */
export interface VmMaintenanceEntry {
  vm: VirtualMachine;
  updateDomain: number | undefined;
  faultDomain: number | undefined;
  maintenance: MaintenanceStatus;
}

/** Planned maintenance: status of each VM's windows, and the owner-started (pre-emptive) redeploy of one VM. */
export class MaintenanceOperations {
  /** @internal */
  constructor(private readonly compute: ComputeGateway) {}

  /**
   * A VM's planned-maintenance status: phase, windows and last result.
   * @throws ResourceNotFoundError (`ResourceNotFound`); ValidationError (`ValidationFailed`).
   */
  async getStatus(resourceGroup: string, name: string): Promise<MaintenanceStatus> {
    checkTarget(resourceGroup, name, virtualMachineNameSchema);
    return (await this.compute.getVirtualMachineStatus(resourceGroup, name)).maintenance;
  }

  /**
   * Every VM of a resource group (or the subscription) with its maintenance status, update and
   * fault domain, in one paged request per page.
   * @throws ValidationError (`ValidationFailed`) for a bad resource group name.
   */
  async *list(resourceGroup?: string): AsyncIterable<VmMaintenanceEntry> {
    if (resourceGroup !== undefined) validate(resourceGroupNameSchema, resourceGroup, "resourceGroup");
    for await (const { vm, status } of this.compute.listVirtualMachinesWithStatus(resourceGroup)) {
      yield { vm, updateDomain: status.updateDomain, faultDomain: status.faultDomain, maintenance: status.maintenance };
    }
  }

  /**
   * Starts the maintenance of one VM inside its self-service window (a pre-emptive redeploy to an
   * updated host; the temporary disk is lost and dynamic IPs may change) and waits for the result.
   * It reads the VM's status first and refuses, without sending the action, when the window is not
   * open; Azure allows it once per VM.
   * @returns the VM's maintenance status afterwards (`completed`).
   * @throws InvalidStateError (`InvalidState`): no maintenance is pending, the window is not open, or it was already done.
   * @throws OperationFailedError (`OperationFailed`): Azure aborted it (the VM is left as it was, `lastResultCode` `MaintenanceAborted`).
   * @throws ResourceNotFoundError (`ResourceNotFound`); ValidationError (`ValidationFailed`); DrError `Aborted`.
   */
  async perform(resourceGroup: string, name: string, options: WaitOptions = {}): Promise<MaintenanceStatus> {
    checkTarget(resourceGroup, name, virtualMachineNameSchema);
    const before = await this.compute.getVirtualMachineStatus(resourceGroup, name);
    if (!before.maintenance.selfServiceAllowed) {
      throw new InvalidStateError(describeRefusal(name, before.maintenance), { resourceId: before.id, azureCode: "OperationNotAllowed" });
    }
    logger.info(`performMaintenance VM ${resourceGroup}/${name}`);
    await this.compute.runVmAction(resourceGroup, name, "performMaintenance", options);
    return (await this.compute.getVirtualMachineStatus(resourceGroup, name)).maintenance;
  }
}

function describeRefusal(name: string, status: MaintenanceStatus): string {
  const window = status.selfServiceWindow;
  switch (status.phase) {
    case "selfServiceNotYetOpen":
      return `VM ${name}: the self-service maintenance window opens at ${window?.start.toISOString() ?? "a later time"}.`;
    case "awaitingPlatform":
      return `VM ${name}: the self-service window ended at ${window?.end.toISOString() ?? "an earlier time"}; Azure will maintain it in the scheduled window.`;
    case "inProgress":
      return `VM ${name}: its maintenance is already in progress.`;
    case "platformMaintenance":
      return `VM ${name}: the scheduled window is open; Azure is maintaining it.`;
    case "completed":
      return `VM ${name}: its maintenance was already completed (it can be started once per VM).`;
    case "aborted":
      return `VM ${name}: its maintenance was aborted and it was dropped from this maintenance iteration.`;
    default:
      return `VM ${name}: no planned maintenance is pending for it.`;
  }
}
