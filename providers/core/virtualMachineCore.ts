import { z } from "zod";
import {
  isResourceNotFoundError,
  parseResourceId,
  resourceGroupNameSchema,
  virtualMachineInputSchema,
  virtualMachineNameSchema,
  type VirtualMachine,
} from "../../sdk/index.js";
import { refuseExisting } from "./availabilitySetCore.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";

const identity = z.strictObject({ resourceGroup: resourceGroupNameSchema, name: virtualMachineNameSchema });
const INPUTS = [
  "resourceGroup",
  "name",
  "location",
  "size",
  "availabilitySetId",
  "zone",
  "image",
  "osDisk",
  "dataDisks",
  "networkInterfaceIds",
  "computerName",
  "adminUsername",
  "adminPassword",
  "sshPublicKey",
  "tags",
];

function outputsOf(vm: VirtualMachine): Props {
  return { virtualMachineId: vm.id, vmId: vm.vmId ?? null, provisioningState: vm.provisioningState };
}

/**
 * A VM, for stacks that do not declare their VMs with another provider (and for the offline
 * example): created, read, replaced on any change, deleted. The admin password is never kept in
 * the outputs.
 */
export const virtualMachineCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, virtualMachineInputSchema, olds),
  diff(_id, olds, news) {
    const replaces = changedKeys(
      olds,
      news,
      INPUTS.filter((k) => k !== "adminPassword"),
    );
    return {
      changes: replaces.length > 0,
      replaces,
      deleteBeforeReplace: replaces.length > 0 && !replaces.includes("name") && !replaces.includes("resourceGroup"),
    };
  },
  async create(dr, inputs) {
    const { resourceGroup, name, ...settings } = inputs;
    await refuseExisting(() => dr.virtualMachines.get(String(resourceGroup), String(name)), `virtual machine ${String(resourceGroup)}/${String(name)}`);
    const vm = await dr.virtualMachines.create(String(resourceGroup), String(name), virtualMachineInputSchema.parse(settings));
    const { adminPassword: _secret, ...kept } = inputs;
    return { id: vm.id, outs: { ...kept, ...outputsOf(vm) } };
  },
  async read(dr, id, props) {
    const fromIdAlone = props.resourceGroup === undefined || props.name === undefined;
    const { resourceGroup, name } = fromIdAlone
      ? parseResourceId(id, { expectedType: "Microsoft.Compute/virtualMachines" })
      : { resourceGroup: String(props.resourceGroup), name: String(props.name) };
    try {
      const vm = await dr.virtualMachines.get(resourceGroup, name);
      // Older releases kept the password among the outputs: it is dropped at the first refresh.
      const { adminPassword: _secret, ...kept } = props;
      const known: Props = fromIdAlone ? { resourceGroup: vm.resourceGroup, name: vm.name, location: vm.location, size: vm.size, tags: vm.tags } : {};
      const outs = { ...known, ...kept, ...outputsOf(vm) };
      const { virtualMachineId: _a, vmId: _b, provisioningState: _c, ...inputs } = outs;
      return { id: vm.id, props: outs, inputs };
    } catch (error) {
      if (isResourceNotFoundError(error)) return {};
      throw error;
    }
  },
  update: async (_dr, _id, olds, news) => {
    const { adminPassword: _secret, ...kept } = news;
    return { outs: { ...kept, virtualMachineId: olds.virtualMachineId ?? null } };
  },
  async delete(dr, _id, props) {
    try {
      await dr.virtualMachines.delete(String(props.resourceGroup), String(props.name));
    } catch (error) {
      if (!isResourceNotFoundError(error)) throw error;
    }
  },
};
