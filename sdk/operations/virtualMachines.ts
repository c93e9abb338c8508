import type { ComputeGateway, VmAction, WaitOptions } from "../azure/computeGateway.js";
import { ValidationError } from "../errors.js";
import { logger } from "../logger.js";
import { parseResourceId } from "../model/armId.js";
import { availabilitySetNameSchema, resourceGroupNameSchema, virtualMachineNameSchema } from "../model/names.js";
import { validate } from "../model/validate.js";
import { virtualMachineInputSchema, type VirtualMachine, type VirtualMachineInput, type VirtualMachineStatus } from "../model/virtualMachine.js";
import { checkTarget } from "./target.js";

/** Options of waiting VM calls. */
export type VmOperationOptions = WaitOptions;

/** Virtual machines: create, read, list, delete and the power actions (each waits for Azure to finish). */
export class VirtualMachineOperations {
  /** @internal */
  constructor(private readonly compute: ComputeGateway) {}

  /**
   * Creates a VM and waits until it is provisioned. A VM joins an availability set only here, and
   * only one of its own resource group.
   * @throws ValidationError (`ValidationFailed`): bad name or input, an availability set id of the wrong type or another resource group, or Azure's 400 (e.g. managed disks in a `Classic` set).
   * @throws InvalidStateError (`InvalidState`): the VM exists and the change is not allowed (`PropertyChangeNotAllowed`).
   * @throws OperationFailedError (`OperationFailed`): provisioning failed.
   * @throws DrError `Aborted` when `abortSignal` fires (the creation goes on in Azure).
   */
  async create(resourceGroup: string, name: string, input: VirtualMachineInput, options: VmOperationOptions = {}): Promise<VirtualMachine> {
    checkTarget(resourceGroup, name, virtualMachineNameSchema);
    const parsed = validate(virtualMachineInputSchema, input, "");
    if (parsed.availabilitySetId !== undefined) {
      const set = parseResourceId(parsed.availabilitySetId, {
        field: "availabilitySetId",
        expectedType: "Microsoft.Compute/availabilitySets",
        nameSchema: availabilitySetNameSchema,
      });
      if (set.resourceGroup.toLowerCase() !== resourceGroup.toLowerCase()) {
        throw new ValidationError(
          "availabilitySetId",
          `must be in the VM's resource group '${resourceGroup}', not '${set.resourceGroup}' (a VM joins only an availability set of its own resource group)`,
        );
      }
    }
    logger.info(`create VM ${resourceGroup}/${name} (${parsed.size}) in ${parsed.location}`);
    return this.compute.createVirtualMachine(resourceGroup, name, parsed, options);
  }

  /**
   * Reads a VM.
   * @throws ResourceNotFoundError (`ResourceNotFound`); ValidationError (`ValidationFailed`).
   */
  async get(resourceGroup: string, name: string): Promise<VirtualMachine> {
    checkTarget(resourceGroup, name, virtualMachineNameSchema);
    return this.compute.getVirtualMachine(resourceGroup, name);
  }

  /**
   * Reads a VM's live status: power state, update/fault domain and planned-maintenance status.
   * @throws ResourceNotFoundError (`ResourceNotFound`); ValidationError (`ValidationFailed`).
   */
  async getStatus(resourceGroup: string, name: string): Promise<VirtualMachineStatus> {
    checkTarget(resourceGroup, name, virtualMachineNameSchema);
    return this.compute.getVirtualMachineStatus(resourceGroup, name);
  }

  /**
   * Lists the VMs of a resource group, or of the subscription when none is given.
   * @throws ValidationError (`ValidationFailed`) for a bad resource group name.
   */
  list(resourceGroup?: string): AsyncIterable<VirtualMachine> {
    if (resourceGroup !== undefined) validate(resourceGroupNameSchema, resourceGroup, "resourceGroup");
    return this.compute.listVirtualMachines(resourceGroup);
  }

  /**
   * Deletes a VM and waits until it is gone; deleting one that does not exist succeeds.
   * @throws InvalidStateError (`InvalidState`) when another operation is under way; OperationFailedError (`OperationFailed`).
   */
  async delete(resourceGroup: string, name: string, options: VmOperationOptions = {}): Promise<void> {
    checkTarget(resourceGroup, name, virtualMachineNameSchema);
    logger.info(`delete VM ${resourceGroup}/${name}`);
    await this.compute.deleteVirtualMachine(resourceGroup, name, options);
  }

  /** Starts a VM. @throws ResourceNotFoundError, InvalidStateError, OperationFailedError, DrError `Aborted`. */
  start(resourceGroup: string, name: string, options: VmOperationOptions = {}): Promise<void> {
    return this.act(resourceGroup, name, "start", options);
  }

  /** Powers a VM off (still allocated, still billed). @throws ResourceNotFoundError, InvalidStateError, OperationFailedError, DrError `Aborted`. */
  powerOff(resourceGroup: string, name: string, options: VmOperationOptions & { skipShutdown?: boolean } = {}): Promise<void> {
    return this.act(resourceGroup, name, "powerOff", options);
  }

  /** Restarts a running VM. @throws InvalidStateError when it is stopped or deallocated; ResourceNotFoundError, OperationFailedError. */
  restart(resourceGroup: string, name: string, options: VmOperationOptions = {}): Promise<void> {
    return this.act(resourceGroup, name, "restart", options);
  }

  /** Deallocates a VM (releases compute, no longer billed). @throws ResourceNotFoundError, InvalidStateError, OperationFailedError. */
  deallocate(resourceGroup: string, name: string, options: VmOperationOptions = {}): Promise<void> {
    return this.act(resourceGroup, name, "deallocate", options);
  }

  /** Moves a VM to another host and powers it on. @throws ResourceNotFoundError, InvalidStateError, OperationFailedError. */
  redeploy(resourceGroup: string, name: string, options: VmOperationOptions = {}): Promise<void> {
    return this.act(resourceGroup, name, "redeploy", options);
  }

  private async act(resourceGroup: string, name: string, action: VmAction, options: VmOperationOptions & { skipShutdown?: boolean }): Promise<void> {
    checkTarget(resourceGroup, name, virtualMachineNameSchema);
    logger.info(`${action} VM ${resourceGroup}/${name}`);
    await this.compute.runVmAction(resourceGroup, name, action, options);
  }
}
