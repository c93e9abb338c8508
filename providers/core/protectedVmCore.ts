import { z } from "zod";
import {
  isResourceNotFoundError,
  protectVmInputSchema,
  vaultRefSchema,
  type DrClient,
  type ProtectedVm,
  type ProtectVmInput,
  type ReplicationInfrastructure,
  type VaultRef,
} from "../../sdk/index.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";

const infrastructureSchema = z.object({
  sourceRegion: z.string(),
  targetRegion: z.string(),
  sourceFabricId: z.string(),
  targetFabricId: z.string(),
  sourceContainerId: z.string(),
  targetContainerId: z.string(),
  forwardMappingId: z.string(),
  reverseMappingId: z.string(),
  policyId: z.string(),
  networkMappingIds: z.array(z.string()).default([]),
});
const identity = z.strictObject({
  vault: vaultRefSchema,
  /** The outputs of a ReplicationInfrastructure (or of `replicationInfrastructure.prepare`). */
  infrastructure: infrastructureSchema,
  /** Wait until the initial replication is done and the VM is protected. @default true */
  waitForProtection: z.boolean().default(true),
});
/** The SDK cannot change these on a replicated item: a change disables protection and enables it again. */
const REPLACING = [
  "vault",
  "infrastructure",
  "virtualMachineId",
  "recoveryResourceGroupId",
  "cacheStorageAccountId",
  "recoveryAvailabilitySetId",
  "recoveryZone",
  "recoveryNetworkId",
  "recoverySubnetName",
  "multiVmGroupName",
  "targetDiskType",
];

/** The outputs that say where protection stands (what a refresh shows when a VM was failed over outside Pulumi). */
export function protectionOutputs(vm: ProtectedVm): Props {
  return {
    protectedVmId: vm.id,
    lifecycleId: vm.lifecycleId,
    phase: vm.phase,
    protectionState: vm.protectionState,
    activeLocation: vm.activeLocation,
    replicationHealth: vm.replicationHealth,
    sourceRegion: vm.sourceRegion,
    targetRegion: vm.targetRegion,
    recoveryVmName: vm.recoveryVmName ?? null,
  };
}

/**
 * The protected VM with this id, or, when the id is gone (reprotect moves an item to the other
 * container), the vault's item with the same lifecycle id; undefined when protection is gone.
 */
export async function findProtectedVm(dr: DrClient, vault: VaultRef, id: string, lifecycleId: string | undefined): Promise<ProtectedVm | undefined> {
  try {
    return await dr.protectedVms.get(id);
  } catch (error) {
    if (!isResourceNotFoundError(error)) throw error;
  }
  if (lifecycleId === undefined) return undefined;
  for await (const vm of dr.protectedVms.list(vault)) if (vm.lifecycleId === lifecycleId) return vm;
  return undefined;
}

/**
 * The error of a create that failed after replication was enabled, marked as a partial create
 * (`id`, `properties`, `reasons`), so that the engine keeps the item in state.
 */
export function partialCreate(error: unknown, id: string, properties: Props): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  return Object.assign(failure, { id, properties, reasons: [failure.message] });
}

function protectInput(inputs: Props): ProtectVmInput {
  const { vault: _vault, infrastructure: _infrastructure, waitForProtection: _wait, ...settings } = inputs;
  return protectVmInputSchema.parse(settings);
}

/**
 * A VM replicated to another region: create enables replication (and waits for protection unless
 * told not to), read follows the item (also after reprotect moves it) and shows where it stands,
 * a change of source VM or recovery settings replaces it (refused while the VM is failed over, since
 * that would drop its protection silently), delete disables replication.
 */
export const protectedVmCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, protectVmInputSchema, olds),
  diff(_id, olds, news) {
    const changed = changedKeys(olds, news, [...REPLACING, "waitForProtection"]);
    const replaces = changed.filter((k) => REPLACING.includes(k));
    if (replaces.length > 0 && olds.phase !== undefined && !["protected", "initialReplication", "enabling"].includes(String(olds.phase))) {
      throw new Error(
        `replacing protected VM ${String(olds.protectedVmId)} (changed: ${replaces.join(", ")}) would disable its protection while it is ${String(olds.phase)}: fail back and let it be protected in its original direction first`,
      );
    }
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && !replaces.includes("virtualMachineId") };
  },
  async create(dr, inputs) {
    const vault = inputs.vault as unknown as VaultRef;
    const vmId = String(inputs.virtualMachineId).toLowerCase();
    for await (const existing of dr.protectedVms.list(vault))
      if (existing.virtualMachineId.toLowerCase() === vmId)
        throw new Error(
          `${String(inputs.virtualMachineId)} is already replicated (${existing.id}): one ProtectedVm per VM (dynamic resources cannot be imported)`,
        );
    const item = await dr.protectedVms.protect(vault, inputs.infrastructure as unknown as ReplicationInfrastructure, protectInput(inputs));
    try {
      const vm = inputs.waitForProtection === false ? item : await dr.protectedVms.waitForProtection(item.id);
      return { id: vm.id, outs: { ...inputs, ...protectionOutputs(vm) } };
    } catch (error) {
      throw partialCreate(error, item.id, { ...inputs, ...protectionOutputs(item) });
    }
  },
  async read(dr, id, props) {
    const vm = await findProtectedVm(dr, props.vault as unknown as VaultRef, id, typeof props.lifecycleId === "string" ? props.lifecycleId : undefined);
    if (vm === undefined) return {};
    const outs = { ...props, ...protectionOutputs(vm) };
    const {
      protectedVmId: _a,
      lifecycleId: _b,
      phase: _c,
      protectionState: _d,
      activeLocation: _e,
      replicationHealth: _f,
      sourceRegion: _g,
      targetRegion: _h,
      recoveryVmName: _i,
      ...inputs
    } = outs;
    return { id: vm.id, props: outs, inputs };
  },
  async update(dr, id, olds, news) {
    const vm = await findProtectedVm(dr, news.vault as unknown as VaultRef, id, typeof olds.lifecycleId === "string" ? olds.lifecycleId : undefined);
    return { outs: { ...news, ...(vm === undefined ? {} : protectionOutputs(vm)) } };
  },
  async delete(dr, id, props) {
    const vm = await findProtectedVm(dr, props.vault as unknown as VaultRef, id, typeof props.lifecycleId === "string" ? props.lifecycleId : undefined);
    if (vm === undefined || vm.phase === "disabling") return;
    await dr.protectedVms.disable(vm.id);
  },
};
