import { z } from "zod";
import {
  asrNameSchema,
  isResourceNotFoundError,
  recoveryPlanInputSchema,
  vaultRefSchema,
  type RecoveryPlan,
  type RecoveryPlanInput,
  type VaultRef,
} from "../../sdk/index.js";
import { adoptSchema, alreadyExists, existing, requireAdoptable } from "./adoption.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";
import { childName, parseVaultChildId } from "./vaultChildId.js";

const identity = z.strictObject({ vault: vaultRefSchema, name: asrNameSchema, adopt: adoptSchema });
const IMMUTABLE = ["vault", "name", "primaryFabricId", "recoveryFabricId"];
const GROUPS = ["groups", "shutdown", "failover"];

function planInput(inputs: Props): RecoveryPlanInput {
  const { vault: _vault, name: _name, adopt: _adopt, ...rest } = inputs;
  return recoveryPlanInputSchema.parse(rest);
}

/** The plan's groups as inputs: the Boot groups, and the Shutdown and Failover groups' actions. */
function inputsOf(plan: RecoveryPlan): Props {
  const only = (type: string): { before: unknown[]; after: unknown[] } | undefined => plan.groups.find((g) => g.type === type);
  const actions = (type: string): Props | undefined => {
    const group = only(type);
    return group === undefined || (group.before.length === 0 && group.after.length === 0)
      ? undefined
      : ({ before: group.before, after: group.after } as unknown as Props);
  };
  const shutdown = actions("Shutdown");
  const failover = actions("Failover");
  return {
    primaryFabricId: plan.primaryFabricId,
    recoveryFabricId: plan.recoveryFabricId,
    groups: plan.groups
      .filter((g) => g.type === "Boot")
      .map((g) => ({ protectedVmIds: g.protectedVmIds, before: g.before, after: g.after })) as unknown as Props[string],
    ...(shutdown === undefined ? {} : { shutdown }),
    ...(failover === undefined ? {} : { failover }),
  };
}

function outputsOf(plan: RecoveryPlan): Props {
  return {
    planId: plan.id,
    allowedOperations: plan.allowedOperations,
    currentScenario:
      plan.currentScenario === undefined
        ? null
        : { name: plan.currentScenario.name, status: plan.currentScenario.status, jobName: plan.currentScenario.jobName },
  };
}

/**
 * A recovery plan: created (or, with `adopt: true`, an existing one between the same fabrics taken
 * over, its groups set as the program says), read (its groups follow items moved by reprotect;
 * also from its ARM id alone, as `RecoveryPlan.get` does), groups changed in place, deleted.
 */
export const recoveryPlanCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, recoveryPlanInputSchema, olds),
  diff(_id, olds, news) {
    const changed = changedKeys(olds, news, [...IMMUTABLE, ...GROUPS]);
    const replaces = changed.filter((k) => IMMUTABLE.includes(k));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && !replaces.includes("name") && !replaces.includes("vault") };
  },
  async create(dr, inputs) {
    const vault = inputs.vault as unknown as VaultRef;
    const name = String(inputs.name);
    const what = `recovery plan ${name} in vault ${vault.name}`;
    const found = await existing(() => dr.recoveryPlans.get(vault, name));
    if (found !== undefined) {
      if (inputs.adopt !== true) throw alreadyExists(what);
      requireAdoptable(what, inputsOf(found), inputs, ["primaryFabricId", "recoveryFabricId"]);
    }
    const plan = await dr.recoveryPlans.createOrUpdate(vault, name, planInput(inputs), found === undefined ? {} : { update: true });
    return { id: plan.id, outs: { ...inputs, ...outputsOf(plan) } };
  },
  async read(dr, id, props) {
    const parsed = props.vault === undefined || props.name === undefined ? parseVaultChildId(id, "replicationRecoveryPlans") : undefined;
    const vault = parsed?.vault ?? (props.vault as unknown as VaultRef);
    const name = parsed === undefined ? String(props.name) : childName(parsed);
    try {
      const plan = await dr.recoveryPlans.get(vault, name);
      const inputs: Props = { vault: { ...vault }, name, ...inputsOf(plan), ...(props.adopt === undefined ? {} : { adopt: props.adopt }) };
      return { id: plan.id, props: { ...inputs, ...outputsOf(plan) }, inputs };
    } catch (error) {
      if (isResourceNotFoundError(error)) return {};
      throw error;
    }
  },
  async update(dr, _id, _olds, news) {
    const plan = await dr.recoveryPlans.createOrUpdate(news.vault as unknown as VaultRef, String(news.name), planInput(news), { update: true });
    return { outs: { ...news, ...outputsOf(plan) } };
  },
  async delete(dr, _id, props) {
    try {
      await dr.recoveryPlans.delete(props.vault as unknown as VaultRef, String(props.name));
    } catch (error) {
      if (!isResourceNotFoundError(error)) throw error;
    }
  },
};
