import { z } from "zod";
import {
  asrNameSchema,
  isResourceNotFoundError,
  replicationPolicyInputSchema,
  vaultRefSchema,
  type ReplicationPolicyInput,
  type VaultRef,
} from "../../sdk/index.js";
import { adoptSchema, alreadyExists, existing, requireAdoptable } from "./adoption.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";
import { childName, parseVaultChildId } from "./vaultChildId.js";

const identity = z.strictObject({ vault: vaultRefSchema, name: asrNameSchema, adopt: adoptSchema });
const IMMUTABLE = ["vault", "name", "kind"];
const SETTINGS = [
  "recoveryPointRetentionMinutes",
  "appConsistentFrequencyMinutes",
  "multiVmSync",
  "copyFrequencySeconds",
  "recoveryPointRetentionHours",
  "appConsistentFrequencyHours",
  "initialReplicationStartTime",
  "encryption",
];

function settingsOf(inputs: Props): ReplicationPolicyInput {
  const { vault: _vault, name: _name, adopt: _adopt, ...settings } = inputs;
  return replicationPolicyInputSchema.parse(settings);
}

/**
 * A replication policy in a vault (A2A or Hyper-V to Azure): created (or, with `adopt: true`, an
 * existing one of the same kind taken over, its settings set as the program says), read (also from
 * its ARM id alone, as `ReplicationPolicy.get` does), changed in place, deleted.
 */
export const replicationPolicyCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, replicationPolicyInputSchema, olds),
  diff(_id, olds, news) {
    const changed = changedKeys(olds, news, [...IMMUTABLE, ...SETTINGS]);
    const replaces = changed.filter((k) => IMMUTABLE.includes(k));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && !replaces.includes("name") && !replaces.includes("vault") };
  },
  async create(dr, inputs) {
    const vault = inputs.vault as unknown as VaultRef;
    const name = String(inputs.name);
    const what = `replication policy ${name} in vault ${vault.name}`;
    const found = await existing(() => dr.replicationPolicies.get(vault, name));
    if (found !== undefined) {
      if (inputs.adopt !== true) throw alreadyExists(what);
      requireAdoptable(what, { kind: found.kind }, inputs, ["kind"]);
    }
    const policy = await dr.replicationPolicies.createOrUpdate(vault, name, settingsOf(inputs));
    return { id: policy.id, outs: { ...inputs, policyId: policy.id } };
  },
  async read(dr, id, props) {
    const parsed = props.vault === undefined || props.name === undefined ? parseVaultChildId(id, "replicationPolicies") : undefined;
    const vault = parsed?.vault ?? (props.vault as unknown as VaultRef);
    const name = parsed === undefined ? String(props.name) : childName(parsed);
    try {
      const policy = await dr.replicationPolicies.get(vault, name);
      const { id, name: _name, ...settings } = policy;
      const outs: Props = { ...props, vault: { ...vault }, name: policy.name, ...(settings as unknown as Props), policyId: id };
      const { policyId: _policyId, crashConsistentFrequencyMinutes: _crash, ...inputs } = outs;
      return { id, props: outs, inputs };
    } catch (error) {
      if (isResourceNotFoundError(error)) return {};
      throw error;
    }
  },
  async update(dr, _id, _olds, news) {
    const policy = await dr.replicationPolicies.createOrUpdate(news.vault as unknown as VaultRef, String(news.name), settingsOf(news));
    return { outs: { ...news, policyId: policy.id } };
  },
  async delete(dr, _id, props) {
    try {
      await dr.replicationPolicies.delete(props.vault as unknown as VaultRef, String(props.name));
    } catch (error) {
      if (!isResourceNotFoundError(error)) throw error;
    }
  },
};
