import { z } from "zod";
import {
  InvalidStateError,
  reprotectInputSchema,
  vaultRefSchema,
  type DrClient,
  type ProtectedVm,
  type ReprotectInput,
  type VaultRef,
} from "../../sdk/index.js";
import { changedKeys, checkProps } from "./checkProps.js";
import { findProtectedVm } from "./protectedVmCore.js";
import type { Props, ResourceCore } from "./types.js";

const identity = z.strictObject({
  vault: vaultRefSchema,
  /** The protected VM to reprotect (a ProtectedVm's `protectedVmId`). */
  protectedVmId: z.string().regex(/\/replicationProtectedItems\/[^/]+$/i, "must be the id of a protected VM (a replicated item)"),
  /** Its lifecycle id, to follow it once reprotect moved it (a ProtectedVm's `lifecycleId`). */
  lifecycleId: z.string().min(1).optional(),
  /** Wait until it is protected in the reverse direction. @default true */
  waitForProtection: z.boolean().default(true),
});
/** The SDK's reprotect settings: a target network is refused there (it follows the network mapping, ReplicationInfrastructure's `network`). */
const settingsSchema = reprotectInputSchema;
const SETTINGS = ["recoveryResourceGroupId", "cacheStorageAccountId", "recoveryAvailabilitySetId", "targetDiskType"];

function reprotectInput(inputs: Props): ReprotectInput {
  const { vault: _v, protectedVmId: _p, lifecycleId: _l, waitForProtection: _w, ...settings } = inputs;
  return settingsSchema.parse(settings);
}

function outputsOf(vm: ProtectedVm): Props {
  return {
    reprotectedVmId: vm.id,
    direction: vm.activeLocation === "Recovery" ? "RecoveryToPrimary" : "PrimaryToRecovery",
    state: vm.phase,
    jobId: vm.currentJobId ?? null,
    lifecycleId: vm.lifecycleId,
  };
}

/** Reprotects when the failover was committed; a VM already replicating back is taken as done (idempotent). */
async function reprotect(dr: DrClient, inputs: Props, lifecycleId: string | undefined): Promise<ProtectedVm> {
  const vault = inputs.vault as unknown as VaultRef;
  const vm = await findProtectedVm(dr, vault, String(inputs.protectedVmId), lifecycleId);
  if (vm === undefined) throw new InvalidStateError(`protected VM ${String(inputs.protectedVmId)} is gone: there is nothing to reprotect`);
  const done = vm.activeLocation === "Recovery" && (vm.phase === "protected" || vm.phase === "initialReplication");
  const started = done ? vm : await dr.protectedVms.reprotect(vm.id, reprotectInput(inputs));
  return inputs.waitForProtection === false || started.phase === "protected" ? started : dr.protectedVms.waitForProtection(started.id);
}

/**
 * An action: creating it reprotects a protected VM after a committed failover, with the target
 * settings given (resource group, cache storage account, availability set, disk type; the target
 * network is refused), and waits until it replicates in the reverse direction unless told not to.
 * Its outputs say the direction, state and job. A change of settings reprotects again only when
 * the VM is again waiting for reprotect (after another failover), otherwise it is refused; delete
 * forgets it (a reprotect cannot be undone: fail back to return).
 */
export const reprotectCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, settingsSchema, olds),
  diff(_id, olds, news) {
    const changed = changedKeys(olds, news, ["vault", "protectedVmId", "waitForProtection", ...SETTINGS]);
    const replaces = changed.filter((k) => k === "vault" || (k === "protectedVmId" && news.protectedVmId !== olds.reprotectedVmId));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  },
  async create(dr, inputs) {
    const vm = await reprotect(dr, inputs, typeof inputs.lifecycleId === "string" ? inputs.lifecycleId : undefined);
    return { id: `${vm.lifecycleId}/reprotect`, outs: { ...inputs, ...outputsOf(vm) } };
  },
  async read(dr, _id, props) {
    const vm = await findProtectedVm(
      dr,
      props.vault as unknown as VaultRef,
      String(props.reprotectedVmId ?? props.protectedVmId),
      String(props.lifecycleId ?? ""),
    );
    if (vm === undefined) return {};
    const outs = { ...props, ...outputsOf(vm) };
    const { reprotectedVmId: _r, direction: _d, state: _s, jobId: _j, ...inputs } = outs;
    return { id: `${vm.lifecycleId}/reprotect`, props: outs, inputs };
  },
  async update(dr, _id, olds, news) {
    const vm = await findProtectedVm(dr, news.vault as unknown as VaultRef, String(olds.reprotectedVmId ?? news.protectedVmId), String(olds.lifecycleId ?? ""));
    if (vm === undefined) throw new InvalidStateError(`protected VM ${String(news.protectedVmId)} is gone`);
    const settingsChanged = changedKeys(olds, news, SETTINGS).length > 0;
    if (settingsChanged && !vm.allowedOperations.includes("ReverseReplicate"))
      throw new InvalidStateError(
        `${vm.name} is already reprotected (${vm.phase}, ${outputsOf(vm).direction as string}): target settings apply when it is reprotected; they take effect after its next committed failover`,
      );
    const current = settingsChanged ? await reprotect(dr, news, vm.lifecycleId) : vm;
    return { outs: { ...news, ...outputsOf(current) } };
  },
  delete: async () => undefined,
};
