import { z } from "zod";
import {
  InvalidStateError,
  isResourceNotFoundError,
  protectHyperVVmSchema,
  type DrClient,
  type HyperVPhase,
  type HyperVProtectedVm,
  type HyperVSite,
  type ProtectHyperVVmInput,
} from "../../sdk/index.js";
import { changedKeys, checkProps } from "./checkProps.js";
import { partialCreate } from "./protectedVmCore.js";
import type { Props, ResourceCore } from "./types.js";

const siteSchema = z.object({
  siteId: z.string(),
  siteName: z.string(),
  containerId: z.string(),
  mappingId: z.string(),
  policyId: z.string(),
});
const identity = z.strictObject({
  /** The outputs of a HyperVSite (its `site`), or what `dr.hyperV.prepareSite` returned. */
  site: siteSchema,
  /** Wait until the initial replication is done and the VM is protected. @default true */
  waitForProtection: z.boolean().default(true),
});
/**
 * Fixed when replication is enabled (or, for the target VM's name, size, network and availability
 * set, changeable in Azure but not through the SDK yet): a change disables protection and enables
 * it again, which copies the disks again.
 */
const REPLACING = [
  "site",
  "vmName",
  "targetResourceGroupId",
  "targetVmName",
  "targetVmSize",
  "targetNetworkId",
  "targetSubnetName",
  "targetAvailabilitySetId",
  "targetZone",
  "targetStorageAccountId",
  "logStorageAccountId",
  "diskType",
  "disks",
];
/** Azure chooses these when they are not given: left out of the program, what Azure chose stays. */
const CHOSEN_BY_AZURE = ["targetVmName", "targetVmSize"];
/** The phases in which disabling protection leaves the VM running on-premises, as before: replace and delete are allowed only then. */
const DISABLE_SAFE_PHASES: readonly HyperVPhase[] = ["enabling", "initialReplication", "protected", "failbackCommitted"];
/** The outputs that say where protection stands. */
const STATUS_OUTPUTS = ["protectedVmId", "phase", "protectionState", "activeLocation", "replicationHealth"];

function protectionOutputs(vm: HyperVProtectedVm): Props {
  return {
    protectedVmId: vm.id,
    phase: vm.phase,
    protectionState: vm.protectionState,
    activeLocation: vm.activeLocation,
    replicationHealth: vm.replicationHealth,
    targetVmName: vm.targetVmName,
    targetVmSize: vm.targetVmSize,
  };
}

function siteOf(inputs: Props): HyperVSite {
  return { ...siteSchema.parse(inputs.site), created: [] };
}

function protectInput(inputs: Props): ProtectHyperVVmInput {
  const { site: _site, waitForProtection: _wait, ...settings } = inputs;
  return protectHyperVVmSchema.parse(settings);
}

/**
 * Refuses to disable protection (for a replacement or a delete) unless the VM runs on-premises and
 * no failover or failback is under way: otherwise the VM would lose its way back silently.
 * @throws InvalidStateError naming the phase.
 */
function refuseUnlessOnPremises(id: string, phase: string, action: string): void {
  if (DISABLE_SAFE_PHASES.includes(phase as HyperVPhase)) return;
  throw new InvalidStateError(
    `${action} Hyper-V protected VM ${id} would disable its protection while it is ${phase}: fail it back, commit, and let it be protected on-premises again first`,
    { resourceId: id },
  );
}

async function findItem(dr: DrClient, id: string): Promise<HyperVProtectedVm | undefined> {
  try {
    return await dr.hyperV.get(id);
  } catch (error) {
    if (isResourceNotFoundError(error)) return undefined;
    throw error;
  }
}

/**
 * An on-premises Hyper-V VM replicated to Azure: create enables replication (and waits for
 * protection unless told not to); read shows where it stands (a failover outside Pulumi shows in
 * `phase` and `activeLocation`); a change of VM, site or target setting replaces it (disable, then
 * enable: the disks are copied again), refused unless the VM runs on-premises; delete disables
 * replication (refused while failed over) and leaves the on-premises VM.
 *
 * Errors: `diff` throws InvalidStateError (`InvalidState`) for a replacement while the VM is not
 * on-premises. `create` throws InvalidStateError (`InvalidState`, Azure code
 * `ProtectionAlreadyEnabled`) for a VM already protected, ValidationError (`ValidationFailed`,
 * naming the field: e.g. `vmName` when the site's hosts have no such VM), ResourceNotFoundError,
 * OperationFailedError, DrTimeoutError (`Timeout`, as a partial create with the item's id). `delete`
 * throws InvalidStateError (`InvalidState`) while the VM is failed over or failing over or back.
 */
export const hyperVProtectedVmCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, protectHyperVVmSchema, olds),
  diff(_id, olds, news) {
    const compared = { ...news, ...Object.fromEntries(CHOSEN_BY_AZURE.filter((k) => news[k] === undefined).map((k) => [k, olds[k] ?? null])) };
    const changed = changedKeys(olds, compared, [...REPLACING, "waitForProtection"]);
    const replaces = changed.filter((k) => REPLACING.includes(k));
    if (replaces.length > 0 && olds.phase !== undefined)
      refuseUnlessOnPremises(String(olds.protectedVmId), String(olds.phase), `replacing (changed: ${replaces.join(", ")})`);
    // The same VM cannot be protected twice: disable first unless another VM (or site) is protected.
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && !replaces.includes("vmName") && !replaces.includes("site") };
  },
  async create(dr, inputs) {
    const site = siteOf(inputs);
    const input = protectInput(inputs);
    const vms = await dr.hyperV.listVms(site);
    const vm = vms.find((v) => v.name === input.vmName) ?? vms.find((v) => v.name.toLowerCase() === input.vmName.toLowerCase());
    if (vm?.protectedVmId !== undefined)
      throw new InvalidStateError(
        `${vm.name} is already protected (${vm.protectedVmId}): one HyperVProtectedVm per VM (dynamic resources cannot be imported)`,
        { resourceId: vm.protectedVmId, azureCode: "ProtectionAlreadyEnabled" },
      );
    const item = await dr.hyperV.protect(site, input);
    try {
      const protectedVm = inputs.waitForProtection === false ? item : await dr.hyperV.waitForProtection(item.id);
      return { id: protectedVm.id, outs: { ...inputs, ...protectionOutputs(protectedVm) } };
    } catch (error) {
      throw partialCreate(error, item.id, { ...inputs, ...protectionOutputs(item) });
    }
  },
  async read(dr, id, props) {
    const vm = await findItem(dr, id);
    if (vm === undefined) return {};
    const outs = { ...props, ...protectionOutputs(vm) };
    const inputs = Object.fromEntries(Object.entries(outs).filter(([key]) => !STATUS_OUTPUTS.includes(key)));
    return { id: vm.id, props: outs, inputs };
  },
  // Only `waitForProtection` changes in place: the outputs are read again.
  async update(dr, id, _olds, news) {
    const vm = await findItem(dr, id);
    return { outs: { ...news, ...(vm === undefined ? {} : protectionOutputs(vm)) } };
  },
  async delete(dr, id, _props) {
    const vm = await findItem(dr, id);
    if (vm === undefined || vm.phase === "disabling") return;
    refuseUnlessOnPremises(vm.id, vm.phase, "deleting");
    await dr.hyperV.disable(vm.id);
  },
};
