import type { ComputeGateway, WaitOptions } from "../azure/computeGateway.js";
import type { Clock } from "../clock.js";
import { InvalidStateError } from "../errors.js";
import { logger } from "../logger.js";
import { discoverMaintenance } from "../maintenance/discovery.js";
import { refusalDetail } from "../maintenance/eligibility.js";
import { planMaintenance } from "../maintenance/planner.js";
import { runMaintenancePlan } from "../maintenance/runner.js";
import { parseResourceId } from "../model/armId.js";
import type { MaintenanceStatus } from "../model/maintenance.js";
import { maintenanceScopeSchema, type MaintenanceInventory, type MaintenanceScope } from "../model/maintenanceInventory.js";
import { maintenancePlanInputSchema, type MaintenancePlan, type MaintenancePlanDocument, type MaintenancePlanInput } from "../model/maintenancePlan.js";
import type { MaintenanceRunOptions, MaintenanceRunReport } from "../model/maintenanceRun.js";
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

/**
 * Planned maintenance: status of each VM's windows, the owner-started (pre-emptive) redeploy of one
 * VM, and waves of them: discovery grouped by availability set and update domain, a plan that
 * never takes two update domains of a set down at once, and a run that follows it safely.
 */
export class MaintenanceOperations {
  /** @internal */
  constructor(
    private readonly compute: ComputeGateway,
    private readonly clock: Clock,
  ) {}

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
   * The planned-maintenance status of every VM of the subscription, a resource group or an
   * availability set: both windows, whether the owner may start it now, the last result; grouped
   * by availability set and update domain, single-instance VMs apart (Azure gives no guarantee of
   * which VMs are maintained together with them).
   * @throws ValidationError (`ValidationFailed`): a bad scope; ResourceNotFoundError (`ResourceNotFound`): the availability set does not exist.
   */
  async discover(scope: MaintenanceScope = {}): Promise<MaintenanceInventory> {
    const parsed = validate(maintenanceScopeSchema, scope, "scope");
    return discoverMaintenance(this.compute, this.clock, {
      resourceGroups: parsed.resourceGroup === undefined ? undefined : [parsed.resourceGroup],
      availabilitySetId: parsed.availabilitySetId,
    });
  }

  /**
   * Plans owner-started maintenance of VMs or availability sets from their status now: in the
   * order and at the pace given, one update domain of a set at a time, only VMs whose self-service
   * window is open now and holds their whole turn; every VM left out is listed with its reason.
   * Reads the resource groups involved; changes nothing.
   * @throws ValidationError (`ValidationFailed`): bad input, a selector naming none of the VMs; ResourceNotFoundError (`ResourceNotFound`): a VM or set named does not exist.
   */
  async plan(input: MaintenancePlanInput): Promise<MaintenancePlan> {
    const parsed = validate(maintenancePlanInputSchema, input, "");
    const groups = new Set<string>();
    for (const id of [...(parsed.virtualMachineIds ?? []), ...(parsed.availabilitySetIds ?? [])]) groups.add(parseResourceId(id).resourceGroup.toLowerCase());
    if (parsed.resourceGroup !== undefined) groups.add(parsed.resourceGroup.toLowerCase());
    const inventory = await discoverMaintenance(this.compute, this.clock, { resourceGroups: [...groups], availabilitySetId: undefined });
    return planMaintenance(inventory, input);
  }

  /**
   * Runs a plan: step by step, each VM's `performMaintenance`, waiting until it is back, the health
   * check between steps, the plan's gaps; stops at the first failure with a report. `RetryLater`
   * leaves a VM for later and goes on; `MaintenanceAborted` stops (Azure dropped the VM from the
   * wave). What is done comes from Azure (each VM's status), so running the same plan again after a
   * stop or a crash skips what is done and follows a maintenance under way, never starting a VM twice.
   * @throws ValidationError (`ValidationFailed`): a bad plan (e.g. two update domains of a set in one step) or options; ResourceNotFoundError (`ResourceNotFound`): a VM of the plan does not exist. Nothing is started then.
   */
  run(plan: MaintenancePlanDocument, options: MaintenanceRunOptions = {}): Promise<MaintenanceRunReport> {
    return runMaintenancePlan(this.compute, this.clock, plan, options);
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
  return `VM ${name}: ${refusalDetail(status)}.`;
}
