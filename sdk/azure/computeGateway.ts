import type { ComputeManagementClient, VirtualMachine as AzureVirtualMachine } from "@azure/arm-compute";
import type { Backend } from "../backends/backend.js";
import type { AvailabilitySet } from "../model/availabilitySet.js";
import type { VirtualMachine, VirtualMachineStatus } from "../model/virtualMachine.js";
import type { z } from "zod";
import type { availabilitySetInputSchema } from "../model/availabilitySet.js";
import type { virtualMachineInputSchema } from "../model/virtualMachine.js";
import { createComputeClient } from "./clients.js";
import { toAvailabilitySet, toVirtualMachine, toVirtualMachineStatus } from "./computeMappers.js";
import { callAzure } from "./errors.js";
import { runSubmittedOperation, type PacedStartOptions, type SubmittedPoller } from "./operationPolling.js";
import { mapItems } from "./paging.js";

/** A VM power action the gateway can run. */
export type VmAction = "start" | "powerOff" | "restart" | "deallocate" | "redeploy" | "performMaintenance";

/** Options every waiting call takes. */
export interface WaitOptions {
  abortSignal?: AbortSignal;
}

/**
 * Compute through the official `ComputeManagementClient`: builds Azure's request models from
 * validated SDK inputs, waits for long-running operations with the backend's poll interval, and
 * maps results and errors back to the SDK's types.
 */
export class ComputeGateway {
  private clientInstance: ComputeManagementClient | undefined;

  constructor(private readonly backend: Backend) {}

  private get client(): ComputeManagementClient {
    this.clientInstance ??= createComputeClient(this.backend);
    return this.clientInstance;
  }

  /** Runs a long-running operation to its end, waiting between polls on the backend's clock. */
  private wait<T>(start: (options: PacedStartOptions) => SubmittedPoller<T>, options: WaitOptions): Promise<T> {
    return runSubmittedOperation(this.backend, start, options.abortSignal);
  }

  async createOrUpdateAvailabilitySet(resourceGroup: string, name: string, input: z.output<typeof availabilitySetInputSchema>): Promise<AvailabilitySet> {
    return callAzure({ operation: `create availability set ${name}` }, async () =>
      toAvailabilitySet(
        await this.client.availabilitySets.createOrUpdate(resourceGroup, name, {
          location: input.location,
          platformFaultDomainCount: input.faultDomainCount,
          platformUpdateDomainCount: input.updateDomainCount,
          sku: { name: input.sku },
          ...(input.tags === undefined ? {} : { tags: input.tags }),
        }),
      ),
    );
  }

  async getAvailabilitySet(resourceGroup: string, name: string): Promise<AvailabilitySet> {
    return callAzure({ operation: `get availability set ${name}` }, async () => toAvailabilitySet(await this.client.availabilitySets.get(resourceGroup, name)));
  }

  async updateAvailabilitySetTags(resourceGroup: string, name: string, tags: Record<string, string>): Promise<AvailabilitySet> {
    return callAzure({ operation: `update tags of availability set ${name}` }, async () =>
      toAvailabilitySet(await this.client.availabilitySets.update(resourceGroup, name, { tags })),
    );
  }

  async deleteAvailabilitySet(resourceGroup: string, name: string): Promise<void> {
    await callAzure({ operation: `delete availability set ${name}` }, () => this.client.availabilitySets.delete(resourceGroup, name));
  }

  listAvailabilitySets(resourceGroup: string | undefined): AsyncIterable<AvailabilitySet> {
    const items = resourceGroup === undefined ? this.client.availabilitySets.listBySubscription() : this.client.availabilitySets.list(resourceGroup);
    return mapItems(items, toAvailabilitySet, "list availability sets");
  }

  async createVirtualMachine(
    resourceGroup: string,
    name: string,
    input: z.output<typeof virtualMachineInputSchema>,
    options: WaitOptions,
  ): Promise<VirtualMachine> {
    return callAzure({ operation: `create VM ${name}` }, async () => {
      return toVirtualMachine(
        await this.wait((o) => this.client.virtualMachines.createOrUpdate(resourceGroup, name, virtualMachineModel(name, input), o), options),
      );
    });
  }

  async getVirtualMachine(resourceGroup: string, name: string): Promise<VirtualMachine> {
    return callAzure({ operation: `get VM ${name}` }, async () => toVirtualMachine(await this.client.virtualMachines.get(resourceGroup, name)));
  }

  async getVirtualMachineStatus(resourceGroup: string, name: string): Promise<VirtualMachineStatus> {
    return callAzure({ operation: `get status of VM ${name}` }, async () => {
      const vm = await this.client.virtualMachines.get(resourceGroup, name, { expand: "instanceView" });
      return toVirtualMachineStatus(vm.id ?? "", vm.instanceView, this.backend.clock.now());
    });
  }

  /** VMs with their live status, in one paged call per page (`$expand=instanceView`). */
  listVirtualMachinesWithStatus(resourceGroup: string | undefined): AsyncIterable<{ vm: VirtualMachine; status: VirtualMachineStatus }> {
    const items =
      resourceGroup === undefined
        ? this.client.virtualMachines.listAll({ expand: "instanceView" })
        : this.client.virtualMachines.list(resourceGroup, { expand: "instanceView" });
    return mapItems(
      items,
      (vm) => ({ vm: toVirtualMachine(vm), status: toVirtualMachineStatus(vm.id ?? "", vm.instanceView, this.backend.clock.now()) }),
      "list VMs",
    );
  }

  listVirtualMachines(resourceGroup: string | undefined): AsyncIterable<VirtualMachine> {
    const items = resourceGroup === undefined ? this.client.virtualMachines.listAll() : this.client.virtualMachines.list(resourceGroup);
    return mapItems(items, toVirtualMachine, "list VMs");
  }

  async deleteVirtualMachine(resourceGroup: string, name: string, options: WaitOptions): Promise<void> {
    await callAzure({ operation: `delete VM ${name}` }, () => this.wait((o) => this.client.virtualMachines.delete(resourceGroup, name, o), options));
  }

  async runVmAction(resourceGroup: string, name: string, action: VmAction, options: WaitOptions & { skipShutdown?: boolean }): Promise<void> {
    const vms = this.client.virtualMachines;
    await callAzure({ operation: `${action} VM ${name}` }, () => {
      switch (action) {
        case "start":
          return this.wait((o) => vms.start(resourceGroup, name, o), options);
        case "powerOff":
          return this.wait(
            (o) => vms.powerOff(resourceGroup, name, { ...o, ...(options.skipShutdown === undefined ? {} : { skipShutdown: options.skipShutdown }) }),
            options,
          );
        case "restart":
          return this.wait((o) => vms.restart(resourceGroup, name, o), options);
        case "deallocate":
          return this.wait((o) => vms.deallocate(resourceGroup, name, o), options);
        case "redeploy":
          return this.wait((o) => vms.redeploy(resourceGroup, name, o), options);
        case "performMaintenance":
          return this.wait((o) => vms.performMaintenance(resourceGroup, name, o), options);
      }
    });
  }
}

/** Compute's VM model for a validated SDK input. Secrets go only into the request, never into logs. */
function virtualMachineModel(name: string, input: z.output<typeof virtualMachineInputSchema>): AzureVirtualMachine {
  const { osDisk } = input;
  const dataDisks = input.dataDisks.map((d) => ({ lun: d.lun, createOption: "Empty", diskSizeGB: d.sizeGB, managedDisk: { storageAccountType: d.type } }));
  const storageProfile: NonNullable<AzureVirtualMachine["storageProfile"]> =
    input.image !== undefined
      ? {
          imageReference: input.image,
          osDisk: {
            createOption: "FromImage",
            name: osDisk.name ?? `${name}-osdisk`,
            managedDisk: { storageAccountType: osDisk.type },
            ...(osDisk.sizeGB === undefined ? {} : { diskSizeGB: osDisk.sizeGB }),
          },
          dataDisks,
        }
      : {
          osDisk: {
            createOption: "Attach",
            ...(osDisk.name === undefined ? {} : { name: osDisk.name }),
            ...(osDisk.osType === undefined ? {} : { osType: osDisk.osType }),
            managedDisk: { id: osDisk.attachManagedDiskId as string },
          },
          dataDisks,
        };
  const model: AzureVirtualMachine = {
    location: input.location,
    hardwareProfile: { vmSize: input.size },
    storageProfile,
    networkProfile: { networkInterfaces: input.networkInterfaceIds.map((id, index) => ({ id, primary: index === 0 })) },
  };
  if (input.tags !== undefined) model.tags = input.tags;
  if (input.zone !== undefined) model.zones = [input.zone];
  if (input.availabilitySetId !== undefined) model.availabilitySet = { id: input.availabilitySetId };
  if (input.image !== undefined && input.adminUsername !== undefined) {
    model.osProfile = {
      computerName: input.computerName ?? name.slice(0, 15),
      adminUsername: input.adminUsername,
      ...(input.adminPassword === undefined ? {} : { adminPassword: input.adminPassword }),
      ...(input.sshPublicKey === undefined
        ? {}
        : {
            linuxConfiguration: {
              disablePasswordAuthentication: input.adminPassword === undefined,
              ssh: { publicKeys: [{ path: `/home/${input.adminUsername}/.ssh/authorized_keys`, keyData: input.sshPublicKey }] },
            },
          }),
    };
  }
  return model;
}
