import { z } from "zod";
import {
  isResourceNotFoundError,
  parseReplicatedItemId,
  protectVmInputSchema,
  vaultRefSchema,
  type DrClient,
  type ProtectedVm,
  type ProtectVmInput,
  type ReplicationInfrastructure,
  type VaultRef,
} from "../../sdk/index.js";
import { PROTECTED_VM_OUTPUTS } from "../protectedVmOutputs.js";
import { adoptSchema, requireAdoptable } from "./adoption.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";
import { childName, parseVaultChildId } from "./vaultChildId.js";

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
  adopt: adoptSchema,
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

/** A value Site Recovery or the program may leave out. */
type MaybeString = string | undefined;

/**
 * What of an existing protection a program must match to adopt it (what only a replacement could
 * change), as far as Site Recovery shows it: the program's value, and the item's when it is known.
 */
function adoptionView(vm: ProtectedVm, inputs: Props): { actual: Props; wanted: Props; fixed: string[] } {
  const infrastructure = inputs.infrastructure as unknown as ReplicationInfrastructure;
  const pairs: [string, string | undefined, MaybeString][] = [
    ["recoveryResourceGroupId", vm.recoveryResourceGroupId, inputs.recoveryResourceGroupId as MaybeString],
    ["infrastructure.targetRegion", vm.targetRegion, infrastructure.targetRegion],
    ["infrastructure.targetContainerId", vm.recoveryContainerId, infrastructure.targetContainerId],
    ["infrastructure.policyId", vm.policyId, infrastructure.policyId],
    ["multiVmGroupName", vm.multiVmGroupName, inputs.multiVmGroupName as MaybeString],
  ];
  const known = pairs.filter(([, actual]) => actual !== undefined);
  return {
    actual: Object.fromEntries(known.map(([key, actual]) => [key, actual ?? null])),
    wanted: Object.fromEntries(known.filter(([, , wanted]) => wanted !== undefined).map(([key, , wanted]) => [key, wanted ?? null])),
    fixed: known.map(([key]) => key),
  };
}

/** The inputs of a protection Site Recovery shows, for a read from its ARM id alone. */
async function inputsFromItem(dr: DrClient, vault: VaultRef, vm: ProtectedVm): Promise<Props> {
  const policyName = vm.policyId === undefined ? undefined : childName(parseVaultChildId(vm.policyId, "replicationPolicies"));
  const infrastructure =
    policyName === undefined
      ? undefined
      : await dr.replicationInfrastructure.find(vault, { sourceRegion: vm.sourceRegion, targetRegion: vm.targetRegion, policyName });
  const { created: _created, ...outputs } = infrastructure ?? { created: [] };
  return {
    vault: { ...vault },
    ...(infrastructure === undefined ? {} : { infrastructure: outputs as unknown as Props[string] }),
    virtualMachineId: vm.virtualMachineId,
    ...(vm.recoveryResourceGroupId === undefined ? {} : { recoveryResourceGroupId: vm.recoveryResourceGroupId }),
    ...(vm.multiVmGroupName === undefined ? {} : { multiVmGroupName: vm.multiVmGroupName }),
    waitForProtection: true,
  };
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
  const { vault: _vault, infrastructure: _infrastructure, waitForProtection: _wait, adopt: _adopt, ...settings } = inputs;
  return protectVmInputSchema.parse(settings);
}

/**
 * A VM replicated to another region: create enables replication (and waits for protection unless
 * told not to; with `adopt: true`, takes over the VM's existing replication when its recovery
 * group, target region, container, policy and consistency group are as the program says), read follows the item (also after reprotect moves it; also from its ARM id alone, as
 * `ProtectedVm.get` does) and shows where it stands,
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
    for await (const existing of dr.protectedVms.list(vault)) {
      if (existing.virtualMachineId.toLowerCase() !== vmId) continue;
      if (inputs.adopt !== true)
        throw new Error(
          `${String(inputs.virtualMachineId)} is already replicated (${existing.id}): one ProtectedVm per VM; set adopt: true to bring this protection under Pulumi as it is`,
        );
      const { actual, wanted, fixed } = adoptionView(existing, inputs);
      requireAdoptable(`the protection of ${String(inputs.virtualMachineId)} (${existing.id})`, actual, wanted, fixed);
      const settling = existing.phase === "enabling" || existing.phase === "initialReplication";
      const vm = settling && inputs.waitForProtection !== false ? await dr.protectedVms.waitForProtection(existing.id) : existing;
      return { id: vm.id, outs: { ...inputs, ...protectionOutputs(vm) } };
    }
    const item = await dr.protectedVms.protect(vault, inputs.infrastructure as unknown as ReplicationInfrastructure, protectInput(inputs));
    try {
      const vm = inputs.waitForProtection === false ? item : await dr.protectedVms.waitForProtection(item.id);
      return { id: vm.id, outs: { ...inputs, ...protectionOutputs(vm) } };
    } catch (error) {
      throw partialCreate(error, item.id, { ...inputs, ...protectionOutputs(item) });
    }
  },
  async read(dr, id, props) {
    const fromIdAlone = props.vault === undefined;
    const item = fromIdAlone ? parseReplicatedItemId(id, "id") : undefined;
    const vault = item === undefined ? (props.vault as unknown as VaultRef) : { resourceGroup: item.resourceGroup, name: item.vault };
    const vm = await findProtectedVm(dr, vault, id, typeof props.lifecycleId === "string" ? props.lifecycleId : undefined);
    if (vm === undefined) return {};
    const outs = { ...(fromIdAlone ? await inputsFromItem(dr, vault, vm) : {}), ...props, ...protectionOutputs(vm) };
    const inputs = Object.fromEntries(Object.entries(outs).filter(([key]) => !PROTECTED_VM_OUTPUTS.includes(key)));
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
