import { ArmError } from "../arm/armError.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, checkAsrName, vaultIdOf } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, configurationTasks, findOfType, listUnder, propertiesOf, requireOfType } from "./asrResources.js";
import { MICROSOFT_AZURE } from "./hyperVReplication.js";
import { isHyperV, type ItemInternal, type ProtectedItems } from "./protectedItems.js";
import { isPast } from "./planExecution.js";

/** Whether a fabric is a Hyper-V site (its plans hold Hyper-V to Azure items). */
function isHyperVSite(fabric: StoredResource): boolean {
  return ((fabric.body.properties as JsonObject).customDetails as JsonObject | undefined)?.instanceType === "HyperVSite";
}

/** A recovery plan holds at most 100 protected items. */
export const MAX_PLAN_ITEMS = 100;
/** At most 7 boot groups sequence the recovery (**inferred**: the documented group limit counts boot groups). */
export const MAX_BOOT_GROUPS = 7;
const GROUP_TYPES = ["Shutdown", "Failover", "Boot"];
const OPERATIONS = [
  "ReverseReplicate",
  "Commit",
  "PlannedFailover",
  "UnplannedFailover",
  "DisableProtection",
  "TestFailover",
  "TestFailoverCleanup",
  "Failback",
  "FinalizeFailback",
  "CancelFailover",
  "ChangePit",
  "RepairReplication",
  "SwitchProtection",
  "CompleteMigration",
];
const DIRECTIONS = ["PrimaryToRecovery", "RecoveryToPrimary"];
/** What a plan itself can do (item-only operations such as ChangePit or ReverseReplicate are not plan operations). */
const PLAN_OPERATIONS = ["TestFailover", "TestFailoverCleanup", "UnplannedFailover", "Commit", "CancelFailover", "Failback"];
/** Where the plan keeps the completion time of each kind of failover. */
const LAST_TIME_KEYS: Readonly<Record<string, string>> = {
  TestFailover: "lastTestFailoverTime",
  PlannedFailover: "lastPlannedFailoverTime",
  UnplannedFailover: "lastUnplannedFailoverTime",
};
/** The provider of a plan whose items are Azure VMs replicating to another region. */
export const A2A_PROVIDER = "A2A";
/** The provider of a plan whose items are a Hyper-V site's VMs replicating to Azure. */
export const HYPER_V_PROVIDER = "HyperVReplicaAzure";
/** The replication provider of a recovery plan's items (one per plan). */
export type PlanProvider = typeof A2A_PROVIDER | typeof HYPER_V_PROVIDER;
/** The resource type of recovery plans. */
export const PLAN_TYPE = "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans";

/**
 * Recovery plans: replicated items ordered in groups (a Shutdown group, a Failover group, ordered
 * Boot groups) with actions before and after each group (manual, script, automation runbook) for
 * given failover types and directions. Create, update (groups replaced whole), get, list, delete;
 * Azure's limits (100 items, an item in one group only, boot groups). `allowedOperations` follows
 * what every item of the plan allows.
 */
export class RecoveryPlans {
  constructor(
    private readonly asr: AsrContext,
    private readonly items: ProtectedItems,
  ) {
    asr.jobs.registerStore("asr.plan.put");
    asr.jobs.register("asr.plan.delete", { complete: (op) => this.asr.services.resources.delete(String(op.data.planId)) });
    const previous = asr.jobs.viewOf;
    asr.jobs.viewOf = (resource) => (resource.type === PLAN_TYPE.toLowerCase() ? this.view(resource) : previous(resource));
  }

  register(router: Router): void {
    const path = "/replicationRecoveryPlans/{recoveryPlanName}";
    addAsrRoute(router, "PUT", path, "ReplicationRecoveryPlans_Create", (ctx) => this.put(ctx, "create"));
    addAsrRoute(router, "PATCH", path, "ReplicationRecoveryPlans_Update", (ctx) => this.put(ctx, "update"));
    addAsrRoute(router, "GET", path, "ReplicationRecoveryPlans_Get", (ctx) => jsonResponse(200, this.view(this.require(ctx))));
    addAsrRoute(router, "DELETE", path, "ReplicationRecoveryPlans_Delete", (ctx) => this.delete(ctx));
    addAsrRoute(router, "GET", "/replicationRecoveryPlans", "ReplicationRecoveryPlans_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return listUnder(this.asr.services, ctx, `${vaultIdOf(ctx)}/replicationRecoveryPlans`, PLAN_TYPE, (p) => this.view(p));
    });
  }

  /** The plan the request names; 404 when it does not exist. */
  require(ctx: RequestContext): StoredResource {
    this.asr.vaults.requireVault(ctx);
    return requireOfType(this.asr.services, `${vaultIdOf(ctx)}/replicationRecoveryPlans/${param(ctx, "recoveryPlanName")}`, PLAN_TYPE, ctx);
  }

  /** The replication provider of the plan's items: `HyperVReplicaAzure` for a Hyper-V site's plan, else `A2A`. */
  providerOf(plan: StoredResource): PlanProvider {
    const providers = (plan.body.properties as JsonObject).replicationProviders;
    return Array.isArray(providers) && providers[0] === HYPER_V_PROVIDER ? HYPER_V_PROVIDER : A2A_PROVIDER;
  }

  /** Records that a job of the plan's failover operations started (the plan's current scenario). */
  recordRun(plan: StoredResource, jobId: string, failoverType: string, at: number): void {
    Object.assign(plan.internal, { jobId, failoverType, runStart: at });
  }

  /** Records when a test, planned or unplanned failover of the plan completed. */
  recordCompletion(planId: string, failoverType: string, at: number): void {
    const plan = findOfType(this.asr.services, planId, PLAN_TYPE);
    const key = LAST_TIME_KEYS[failoverType];
    if (plan !== undefined && key !== undefined) plan.internal[key] = at;
  }

  /**
   * The plan as served. It allows a plan operation when every item allows it or is already past
   * it (a plan run again after a partial failure), and at least one item allows it; its current
   * scenario is the job of its last operation, with that job's state.
   */
  view(plan: StoredResource): JsonObject {
    const properties = JSON.parse(JSON.stringify(plan.body.properties)) as JsonObject;
    const items = (properties.groups as JsonObject[])
      .flatMap((g) => (g.replicationProtectedItems as JsonObject[]).map((i) => String(i.id)))
      .map((id) => findOfType(this.asr.services, id, ASR_TYPES.protectedItem));
    const allowedByItem = items.map((item) => (item === undefined ? [] : (this.items.allowedOperations(item) as string[])));
    // A Hyper-V plan also reverse-replicates its items after their failback (its `reProtect`).
    const planOperations = this.providerOf(plan) === HYPER_V_PROVIDER ? [...PLAN_OPERATIONS, "ReverseReplicate"] : PLAN_OPERATIONS;
    const candidates = [...new Set(allowedByItem.flat())].filter((op) => planOperations.includes(op));
    const allowed = candidates.filter((op) =>
      items.every((item, i) => (allowedByItem[i] ?? []).includes(op) || (item !== undefined && isPast(item.internal as ItemInternal, op))),
    );
    // A Hyper-V plan fails back with a planned failover from Azure: it allows PlannedFailover then (inferred).
    if (allowed.includes("Failback") && !allowed.includes("PlannedFailover")) allowed.push("PlannedFailover");
    // A planned failover (and a Hyper-V failback) needs every source: its region (A2A) or its on-premises site (Hyper-V) up.
    const reachable = items.every((item) => item === undefined || this.items.sourceReachable(item.internal as ItemInternal));
    if (!reachable) for (const op of ["PlannedFailover", "Failback"]) if (allowed.includes(op)) allowed.splice(allowed.indexOf(op), 1);
    if (allowed.includes("UnplannedFailover") && !allowed.includes("PlannedFailover") && reachable)
      allowed.splice(allowed.indexOf("UnplannedFailover") + 1, 0, "PlannedFailover");
    properties.allowedOperations = items.length === 0 ? [] : allowed;
    const run = plan.internal as { jobId?: string };
    const job = run.jobId === undefined ? undefined : this.asr.jobs.get(run.jobId);
    if (job !== undefined) {
      const jobView = this.asr.jobs.view(job).properties as JsonObject;
      properties.currentScenario = { scenarioName: String(jobView.scenarioName), jobId: job.id, startTime: String(jobView.startTime) };
      properties.currentScenarioStatus = String(jobView.state);
      properties.currentScenarioStatusDescription = String(jobView.stateDescription);
    }
    for (const key of Object.values(LAST_TIME_KEYS)) {
      const at = plan.internal[key];
      if (typeof at === "number") properties[key] = new Date(at).toISOString();
    }
    return { ...plan.body, properties };
  }

  private put(ctx: RequestContext, mode: "create" | "update"): EmulatorResponse {
    this.asr.vaults.requireVault(ctx);
    const name = param(ctx, "recoveryPlanName");
    checkAsrName(name, "recovery plan");
    const id = `${vaultIdOf(ctx)}/replicationRecoveryPlans/${name}`;
    const existing = findOfType(this.asr.services, id, PLAN_TYPE);
    if (mode === "update") requireOfType(this.asr.services, id, PLAN_TYPE, ctx);
    const input = propertiesOf(jsonBody(ctx));
    const current = (existing?.body.properties ?? {}) as JsonObject;
    const primaryFabricId = String(mode === "update" ? current.primaryFabricId : (input.primaryFabricId ?? ""));
    const recoveryFabricId = String(mode === "update" ? current.recoveryFabricId : (input.recoveryFabricId ?? ""));
    const primary = findOfType(this.asr.services, primaryFabricId, ASR_TYPES.fabric);
    if (primary === undefined)
      throw new ArmError(
        400,
        "InvalidParameter",
        `'properties.primaryFabricId' must be a fabric of this vault, not '${primaryFabricId}'.`,
        "properties.primaryFabricId",
      );
    const provider = isHyperVSite(primary) ? HYPER_V_PROVIDER : A2A_PROVIDER;
    if (provider === HYPER_V_PROVIDER && recoveryFabricId !== MICROSOFT_AZURE)
      throw new ArmError(
        400,
        "InvalidParameter",
        `'properties.recoveryFabricId' must be '${MICROSOFT_AZURE}': the VMs of Hyper-V site '${String(primary.body.name)}' recover to Azure, not to '${recoveryFabricId}'.`,
        "properties.recoveryFabricId",
      );
    const recovery = provider === HYPER_V_PROVIDER ? undefined : findOfType(this.asr.services, recoveryFabricId, ASR_TYPES.fabric);
    if (provider === A2A_PROVIDER && (recovery === undefined || recovery.id.toLowerCase() === primary.id.toLowerCase())) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `'properties.recoveryFabricId' must be another Azure fabric of this vault, not '${recoveryFabricId}' (only a Hyper-V site's plan recovers to '${MICROSOFT_AZURE}').`,
        "properties.recoveryFabricId",
      );
    }
    const groups = this.groups(input.groups, primary, provider);
    const body: JsonObject = {
      id: existing?.id ?? id,
      name: existing === undefined ? name : String(existing.body.name),
      type: PLAN_TYPE,
      properties: {
        friendlyName: name,
        primaryFabricId: primary.id,
        primaryFabricFriendlyName: String(primary.body.name),
        recoveryFabricId: recovery?.id ?? MICROSOFT_AZURE,
        recoveryFabricFriendlyName: recovery === undefined ? MICROSOFT_AZURE : String(recovery.body.name),
        failoverDeploymentModel: String(input.failoverDeploymentModel ?? current.failoverDeploymentModel ?? "ResourceManager"),
        replicationProviders: [provider],
        allowedOperations: [],
        currentScenarioStatus: "None",
        currentScenarioStatusDescription: "None",
        groups,
        providerSpecificDetails: [],
      },
    };
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.plan.put",
      scenarioName: mode === "create" ? "CreateRecoveryPlan" : "UpdateRecoveryPlan",
      friendlyName: mode === "create" ? "Create a recovery plan" : "Update a recovery plan",
      targetObjectId: name,
      targetObjectName: name,
      targetInstanceType: "RecoveryPlan",
      resultResourceId: id,
      tasks: configurationTasks(mode === "create" ? "Create the recovery plan" : "Update the recovery plan"),
      data: { record: ResourceStore.record(String(body.id), PLAN_TYPE, body, existing?.internal ?? {}) as unknown as JsonObject },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  /**
   * Checks the groups (types, items, actions, limits) and adds the Shutdown and Failover groups the
   * service always has. Every item must be protected from the plan's primary fabric by the plan's
   * provider: a plan does not mix Azure-to-Azure and Hyper-V to Azure items (400 `ReplicationProviderMismatch`, inferred).
   */
  private groups(value: JsonValue | undefined, primary: StoredResource, provider: PlanProvider): JsonObject[] {
    const primaryFabricId = primary.id;
    if (!Array.isArray(value) || value.length === 0)
      throw new ArmError(400, "InvalidParameter", "'properties.groups' is required: at least one Boot group.", "properties.groups");
    const seen = new Set<string>();
    const groups = value.map((raw, g) => {
      const field = `properties.groups[${g}]`;
      const group = (raw ?? {}) as JsonObject;
      if (!GROUP_TYPES.includes(String(group.groupType)))
        throw new ArmError(400, "InvalidParameter", `'${field}.groupType' must be Shutdown, Failover or Boot.`, `${field}.groupType`);
      const items = Array.isArray(group.replicationProtectedItems) ? (group.replicationProtectedItems as JsonObject[]) : [];
      const checkedItems = items.map((entry, i) => {
        const itemId = String(entry.id ?? "");
        const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
        if (item === undefined)
          throw new ArmError(400, "InvalidParameter", `'${itemId}' is not a replicated item of this vault.`, `${field}.replicationProtectedItems[${i}].id`);
        const itemProvider = isHyperV(item.internal as ItemInternal) ? HYPER_V_PROVIDER : A2A_PROVIDER;
        if (itemProvider !== provider)
          throw new ArmError(
            400,
            "ReplicationProviderMismatch",
            `Replicated item '${String(item.body.name)}' replicates with ${itemProvider}, but recovery plan items of ${provider === HYPER_V_PROVIDER ? `Hyper-V site '${String(primary.body.name)}'` : `Azure fabric '${String(primary.body.name)}'`} replicate with ${provider}: a plan does not mix replication providers.`,
            `${field}.replicationProtectedItems[${i}].id`,
          );
        if (!item.id.toLowerCase().startsWith(`${primaryFabricId.toLowerCase()}/`)) {
          throw new ArmError(
            400,
            "InvalidParameter",
            `Replicated item '${String(item.body.name)}' is not protected from the plan's primary fabric '${String(primary.body.name)}'.`,
            `${field}.replicationProtectedItems[${i}].id`,
          );
        }
        if (seen.has(item.id.toLowerCase()))
          throw new ArmError(
            400,
            "ItemInMultipleGroups",
            `Replicated item '${String(item.body.name)}' is in more than one group of the plan.`,
            `${field}.replicationProtectedItems[${i}].id`,
          );
        seen.add(item.id.toLowerCase());
        const details = (item.body.properties as JsonObject).providerSpecificDetails as JsonObject;
        // A2A: the source VM's ARM id; Hyper-V: the VM's Hyper-V id (as the service's examples show).
        return { id: item.id, virtualMachineId: String(provider === HYPER_V_PROVIDER ? details.vmId : details.fabricObjectId) };
      });
      return {
        groupType: String(group.groupType),
        replicationProtectedItems: checkedItems,
        startGroupActions: this.actions(group.startGroupActions, `${field}.startGroupActions`),
        endGroupActions: this.actions(group.endGroupActions, `${field}.endGroupActions`),
      };
    });
    if (seen.size > MAX_PLAN_ITEMS)
      throw new ArmError(
        400,
        "RecoveryPlanTooLarge",
        `A recovery plan holds at most ${MAX_PLAN_ITEMS} protected items, not ${seen.size}.`,
        "properties.groups",
      );
    const boots = groups.filter((g) => g.groupType === "Boot");
    if (boots.length > MAX_BOOT_GROUPS)
      throw new ArmError(400, "TooManyGroups", `A recovery plan has at most ${MAX_BOOT_GROUPS} boot groups, not ${boots.length}.`, "properties.groups");
    if (groups.some((g) => g.groupType !== "Boot" && g.replicationProtectedItems.length > 0)) {
      throw new ArmError(
        400,
        "InvalidParameter",
        "Protected items belong to Boot groups; the Shutdown and Failover groups hold only actions.",
        "properties.groups",
      );
    }
    const only = (type: string): JsonObject =>
      groups.find((g) => g.groupType === type) ?? { groupType: type, replicationProtectedItems: [], startGroupActions: [], endGroupActions: [] };
    return [only("Shutdown"), only("Failover"), ...boots];
  }

  private actions(value: JsonValue | undefined, field: string): JsonObject[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new ArmError(400, "InvalidParameter", `'${field}' must be a list.`, field);
    return value.map((raw, a) => {
      const action = (raw ?? {}) as JsonObject;
      const at = `${field}[${a}]`;
      if (typeof action.actionName !== "string" || action.actionName === "")
        throw new ArmError(400, "InvalidParameter", `'${at}.actionName' is required.`, `${at}.actionName`);
      const types = action.failoverTypes;
      if (!Array.isArray(types) || types.length === 0 || !types.every((t) => OPERATIONS.includes(String(t))))
        throw new ArmError(
          400,
          "InvalidParameter",
          `'${at}.failoverTypes' must list failover types such as TestFailover, PlannedFailover, UnplannedFailover.`,
          `${at}.failoverTypes`,
        );
      const directions = action.failoverDirections;
      if (!Array.isArray(directions) || directions.length === 0 || !directions.every((d) => DIRECTIONS.includes(String(d))))
        throw new ArmError(
          400,
          "InvalidParameter",
          `'${at}.failoverDirections' must list PrimaryToRecovery and/or RecoveryToPrimary.`,
          `${at}.failoverDirections`,
        );
      const details = (action.customDetails ?? {}) as JsonObject;
      const kind = String(details.instanceType);
      if (kind === "ScriptActionDetails" && (typeof details.path !== "string" || !["Primary", "Recovery"].includes(String(details.fabricLocation)))) {
        throw new ArmError(400, "InvalidParameter", `A script action needs 'path' and 'fabricLocation' (Primary or Recovery).`, `${at}.customDetails`);
      }
      if (kind === "AutomationRunbookActionDetails" && !["Primary", "Recovery"].includes(String(details.fabricLocation))) {
        throw new ArmError(400, "InvalidParameter", `A runbook action needs 'fabricLocation' (Primary or Recovery).`, `${at}.customDetails.fabricLocation`);
      }
      if (!["ManualActionDetails", "ScriptActionDetails", "AutomationRunbookActionDetails"].includes(kind)) {
        throw new ArmError(
          400,
          "InvalidParameter",
          `'${at}.customDetails.instanceType' must be ManualActionDetails, ScriptActionDetails or AutomationRunbookActionDetails.`,
          `${at}.customDetails.instanceType`,
        );
      }
      return { actionName: action.actionName, failoverTypes: types, failoverDirections: directions, customDetails: details };
    });
  }

  private delete(ctx: RequestContext): EmulatorResponse {
    this.asr.vaults.requireVault(ctx);
    const id = `${vaultIdOf(ctx)}/replicationRecoveryPlans/${param(ctx, "recoveryPlanName")}`;
    const plan = findOfType(this.asr.services, id, PLAN_TYPE);
    if (plan === undefined) return emptyResponse(204);
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.plan.delete",
      scenarioName: "DeleteRecoveryPlan",
      friendlyName: "Delete a recovery plan",
      targetObjectId: String(plan.body.name),
      targetObjectName: String(plan.body.name),
      targetInstanceType: "RecoveryPlan",
      tasks: configurationTasks("Delete the recovery plan"),
      data: { planId: id },
    });
    return this.asr.jobs.accepted(ctx, job);
  }
}
