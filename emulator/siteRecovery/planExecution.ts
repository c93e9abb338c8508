import { ArmError } from "../arm/armError.js";
import { optionalJsonBody, type RequestContext } from "../arm/requestContext.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import type { AsrTaskPlan } from "./asrJobs.js";
import { addAsrRoute, findOfType, propertiesOf } from "./asrResources.js";
import { checkComments, failoverJobDetails, sourceShutDown, type ItemFailover, type RecoveryPointChoice } from "./itemFailover.js";
import { isHyperV, type ItemInternal } from "./protectedItems.js";
import type { HyperVFailback, PreparedFailback } from "./hyperVFailback.js";
import { HYPER_V_PROVIDER, type PlanProvider, type RecoveryPlans } from "./recoveryPlans.js";

/** The plan operations that run as a stepped job (`Failback`: a Hyper-V plan's planned failover from Azure; `ReverseReplicate`: its reprotect). */
type PlanOperation = "TestFailover" | "TestFailoverCleanup" | "UnplannedFailover" | "Commit" | "CancelFailover" | "Failback" | "ReverseReplicate";

/** What a task of a plan job does when it ends. */
interface PlanStep extends JsonObject {
  effect: "none" | "shutdown" | "boot" | "cleanup" | "commit" | "cancel" | "failbackTask" | "reprotect";
  /** For `boot`: the index of the boot group whose VMs come up. */
  group: number;
  /** For `failbackTask`: the task of each item's failback it runs (see {@link HyperVFailback.prepare}). */
  task: string;
}

/** What a plan job carries. */
interface PlanJobData extends JsonObject {
  planId: string;
  operation: PlanOperation;
  steps: PlanStep[];
  /** The items the job works on, per boot group (items already past the operation are left out). */
  groups: string[][];
  /** `TestFailover`, `PlannedFailover`, `UnplannedFailover`, `Commit`... */
  failoverType: string;
}

/** Emulated durations of the plan's steps (inferred; Azure does not publish them). */
const DURATION = {
  prerequisites: 30_000,
  shutdown: 90_000,
  prepare: 120_000,
  boot: 60_000,
  script: 60_000,
  runbook: 120_000,
  cleanup: 60_000,
  commit: 60_000,
  cancel: 120_000,
  enableReverse: 60_000,
};
const RECOVERY_POINT_TYPES: Readonly<Record<PlanProvider, readonly string[]>> = {
  A2A: ["Latest", "LatestProcessed", "LatestApplicationConsistent", "LatestCrashConsistent"],
  // RecoveryPlanHyperVReplicaAzureFailoverInput's HyperVReplicaAzureRpRecoveryPointType.
  HyperVReplicaAzure: ["Latest", "LatestApplicationConsistent", "LatestProcessed"],
};
const PROVIDER_INPUT = "properties.providerSpecificDetails[0]";
const JOB_KIND = "asr.plan.run";

/**
 * Runs recovery plans as the service does (DOMAIN.md §5): one job with a task per step; the
 * Shutdown group (source VMs shut down when asked), the Failover group (disks prepared from the
 * recovery points), then each Boot group in order, its VMs in parallel; the actions around each
 * group for the operation's failover type and direction, a manual action suspending the job
 * until it is resumed. Test failover (the job then waits, Suspended, for cleanup), cleanup,
 * failover (planned: source shut down first; unplanned: from a recovery point type), commit and
 * cancel. Items already past the operation (a plan run again after a partial failure) are left out.
 */
export class PlanExecution {
  constructor(
    private readonly asr: AsrContext,
    private readonly failover: ItemFailover,
    private readonly plans: RecoveryPlans,
  ) {
    asr.jobs.registerStepped(JOB_KIND, {
      taskDone: (job, index, at) => this.stepDone(job, index, at),
      failed: (job, _index, at) => this.undoUnfinished(job, at),
      cancelled: (job, _index, at) => this.undoUnfinished(job, at),
      completed: (job, at) => this.plans.recordCompletion(planData(job).planId, planData(job).failoverType, at),
      resumed: (job, at) => {
        // Resuming a plan's suspended test failover completes the test: it cleans up.
        const data = planData(job);
        if (data.operation === "TestFailover") for (const id of data.groups.flat()) this.failover.completeCleanup(id, at);
      },
    });
  }

  register(router: Router): void {
    const path = "/replicationRecoveryPlans/{recoveryPlanName}";
    addAsrRoute(router, "POST", `${path}/testFailover`, "ReplicationRecoveryPlans_TestFailover", (ctx) => this.testFailover(ctx));
    addAsrRoute(router, "POST", `${path}/testFailoverCleanup`, "ReplicationRecoveryPlans_TestFailoverCleanup", (ctx) => this.cleanup(ctx));
    addAsrRoute(router, "POST", `${path}/unplannedFailover`, "ReplicationRecoveryPlans_UnplannedFailover", (ctx) => this.failoverPlan(ctx, false));
    addAsrRoute(router, "POST", `${path}/plannedFailover`, "ReplicationRecoveryPlans_PlannedFailover", (ctx) => this.failoverPlan(ctx, true));
    addAsrRoute(router, "POST", `${path}/failoverCommit`, "ReplicationRecoveryPlans_FailoverCommit", (ctx) => this.simple(ctx, "Commit"));
    addAsrRoute(router, "POST", `${path}/failoverCancel`, "ReplicationRecoveryPlans_FailoverCancel", (ctx) => this.simple(ctx, "CancelFailover"));
    addAsrRoute(router, "POST", `${path}/reProtect`, "ReplicationRecoveryPlans_Reprotect", (ctx) => {
      const plan = this.plans.require(ctx);
      if (this.plans.providerOf(plan) === HYPER_V_PROVIDER) return this.reprotectPlan(ctx, plan);
      throw new ArmError(
        400,
        "OperationNotSupported",
        "Reprotect of a recovery plan is not supported for Azure-to-Azure virtual machines with managed disks: reprotect each item with its protection container's 'switchprotection' operation.",
      );
    });
  }

  // ------------------------------------------------------------------------------ operations

  private testFailover(ctx: RequestContext): EmulatorResponse {
    const plan = this.plans.require(ctx);
    const properties = propertiesOf(optionalJsonBody(ctx));
    const direction = this.direction(properties);
    const networkId = String(properties.networkId ?? "");
    this.failover.checkTestNetwork(networkId, "properties.networkId");
    const type = recoveryPointType(this.providerInput(plan, properties), this.plans.providerOf(plan), "LatestProcessed");
    const groups = this.itemsFor(plan, "TestFailover", direction);
    const points = new Map<string, RecoveryPointChoice>();
    for (const item of groups.flat()) {
      this.failover.checkTargetRegion(item);
      points.set(item.id, this.failover.pointOfType(item, type === "Latest" ? "LatestProcessed" : type, `${PROVIDER_INPUT}.recoveryPointType`));
    }
    const job = this.start(ctx, plan, "TestFailover", "Test failover", direction, groups, false, points);
    for (const item of groups.flat()) this.failover.beginTestFailover(item, networkId, points.get(item.id) as RecoveryPointChoice, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  private cleanup(ctx: RequestContext): EmulatorResponse {
    const plan = this.plans.require(ctx);
    checkComments(propertiesOf(optionalJsonBody(ctx)).comments);
    const groups = this.itemsFor(plan, "TestFailoverCleanup", undefined);
    const job = this.start(ctx, plan, "TestFailoverCleanup", "Test failover cleanup", undefined, groups, false, new Map());
    for (const item of groups.flat()) this.failover.beginCleanup(item, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  /**
   * A failover of the plan (`planned`: its planned failover). Azure-to-Azure: the sources shut down
   * first when planned or `sourceSiteOperations: Required`, else from a recovery point type.
   * Hyper-V: the planned failover to Azure shuts the VMs down and syncs their last changes (no data
   * loss); from Azure (`RecoveryToPrimary`) it is the plan's failback.
   */
  private failoverPlan(ctx: RequestContext, planned: boolean): EmulatorResponse {
    const plan = this.plans.require(ctx);
    const properties = propertiesOf(optionalJsonBody(ctx));
    const direction = this.direction(properties);
    const provider = this.plans.providerOf(plan);
    if (planned && provider === HYPER_V_PROVIDER && direction === "RecoveryToPrimary") return this.failbackPlan(ctx, plan, properties);
    if (planned && provider === HYPER_V_PROVIDER) this.checkNotInAzure(plan);
    const input = this.providerInput(plan, properties);
    const shutDown = planned || sourceShutDown(properties.sourceSiteOperations);
    const type = shutDown ? "Latest" : recoveryPointType(input, provider, "Latest");
    const groups = this.itemsFor(plan, planned ? "PlannedFailover" : "UnplannedFailover", direction);
    this.checkMultiVmGroups(plan, groups.flat());
    const points = new Map<string, RecoveryPointChoice>();
    const now = this.asr.services.now();
    const syncs = new Map<string, boolean>();
    for (const item of groups.flat()) {
      this.failover.checkFailover(item, shutDown, planned);
      // Shut down first: everything is synced, the point is now (as an item's own failover); a VM
      // whose site is unreachable cannot be shut down and fails over from the last data Azure received.
      syncs.set(item.id, shutDown && this.failover.canShutDownSource(item));
      points.set(
        item.id,
        syncs.get(item.id) === true ? this.failover.syncedPoint(item, now) : this.failover.pointOfType(item, type, `${PROVIDER_INPUT}.recoveryPointType`),
      );
    }
    const name = planned ? "Planned failover" : shutDown ? "Failover (source VMs shut down first)" : "Failover";
    const job = this.start(ctx, plan, "UnplannedFailover", name, direction, groups, shutDown, points, planned ? "PlannedFailover" : "UnplannedFailover");
    for (const item of groups.flat())
      this.failover.beginFailover(item, syncs.get(item.id) === true, points.get(item.id) as RecoveryPointChoice, job.id, planned ? "Planned" : undefined);
    return this.asr.jobs.accepted(ctx, job);
  }

  /**
   * The failback of a Hyper-V plan (planned failover `RecoveryToPrimary`,
   * `RecoveryPlanHyperVReplicaAzureFailbackInput`): each item's failback (hyperVFailback.ts) checked
   * and planned first, then run by the plan: prerequisites, the sync while the Azure VMs run
   * (`ForDownTime`), the Shutdown group shuts the Azure VMs down, the Failover group sends the last
   * changes (or downloads the disks in full: `ForSynchronization`), the Boot groups start the VMs
   * on-premises in order.
   */
  private failbackPlan(ctx: RequestContext, plan: StoredResource, properties: JsonObject): EmulatorResponse {
    const input = this.providerInput(plan, properties, "HyperVReplicaAzureFailback") ?? {};
    // The plan's input carries only the data sync and VM creation options (no alternate host).
    const options: JsonObject = {};
    for (const key of ["dataSyncOption", "recoveryVmCreationOption"]) if (input[key] !== undefined) options[key] = input[key] as JsonValue;
    const groups = this.itemsFor(plan, "Failback", "RecoveryToPrimary");
    const prepared = new Map<string, PreparedFailback>();
    for (const item of groups.flat()) prepared.set(item.id, this.failback.prepare(item, options, PROVIDER_INPUT));
    const job = this.start(
      ctx,
      plan,
      "Failback",
      "Failback (planned failover from Azure)",
      "RecoveryToPrimary",
      groups,
      false,
      new Map(),
      "PlannedFailover",
      prepared,
    );
    for (const item of groups.flat()) this.failback.begin(item, prepared.get(item.id) as PreparedFailback, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  /** 400 InvalidFailoverDirection when an item of the Hyper-V plan runs in Azure, committed: the plan fails back, it does not fail over again. */
  private checkNotInAzure(plan: StoredResource): void {
    const inAzure = this.bootGroups(plan)
      .flat()
      .map((id) => findOfType(this.asr.services, id, ASR_TYPES.protectedItem))
      .find((item) => item !== undefined && this.failover.allows(item, "Failback"));
    if (inAzure !== undefined)
      throw new ArmError(
        400,
        "InvalidFailoverDirection",
        `Replicated item '${String(inAzure.body.name)}' runs in Azure (its failover is committed): recovery plan '${String(plan.body.name)}' fails back with failoverDirection 'RecoveryToPrimary' and a HyperVReplicaAzureFailback input.`,
        "properties.failoverDirection",
      );
  }

  /**
   * Reverse replication of a Hyper-V plan's VMs after their committed failback (the plan's
   * `reProtect`, no input): each item's reverse replication checked and planned as its own
   * (hyperVFailback.ts), then one job for all: prerequisites, reverse replication enabled, the
   * changed blocks sent (as long as the longest item's); the items are then protected again.
   */
  private reprotectPlan(ctx: RequestContext, plan: StoredResource): EmulatorResponse {
    const groups = this.itemsFor(plan, "ReverseReplicate", undefined);
    const sends = groups.flat().map((item) => this.failback.prepareReprotect(item, {}).tasks.find((t) => t.name === "SendChanges")?.durationMs ?? 0);
    const job = this.start(
      ctx,
      plan,
      "ReverseReplicate",
      "Reverse replicate",
      undefined,
      groups,
      false,
      new Map(),
      "ReverseReplication",
      new Map(),
      Math.max(0, ...sends),
    );
    for (const item of groups.flat()) this.failback.beginReprotect(item, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  private get failback(): HyperVFailback {
    return this.failover.failback;
  }

  private simple(ctx: RequestContext, operation: "Commit" | "CancelFailover"): EmulatorResponse {
    const plan = this.plans.require(ctx);
    const groups = this.itemsFor(plan, operation, undefined);
    const job = this.start(ctx, plan, operation, operation === "Commit" ? "Commit" : "Cancel failover", undefined, groups, false, new Map());
    for (const item of groups.flat()) {
      if (operation === "Commit") this.failover.beginCommit(item, job.id);
      else this.failover.beginCancel(item, job.id);
    }
    return this.asr.jobs.accepted(ctx, job);
  }

  // ------------------------------------------------------------------------------ checks

  /**
   * The plan's provider input (`providerSpecificDetails[0]`; undefined when there is none): its
   * `instanceType` must be the plan's provider's (`A2A`, or `HyperVReplicaAzure` for a Hyper-V
   * site's plan; `expected` for a Hyper-V failback), else 400 naming the field.
   */
  private providerInput(plan: StoredResource, properties: JsonObject, expected: string = this.plans.providerOf(plan)): JsonObject | undefined {
    const details = properties.providerSpecificDetails;
    if (details !== undefined && details !== null && !Array.isArray(details))
      throw new ArmError(400, "InvalidParameter", "'properties.providerSpecificDetails' must be a list.", "properties.providerSpecificDetails");
    const first = Array.isArray(details) ? details[0] : undefined;
    if (first === undefined || first === null) return undefined;
    if (typeof first !== "object" || Array.isArray(first) || first.instanceType !== expected) {
      const kind = this.plans.providerOf(plan) === HYPER_V_PROVIDER ? "a Hyper-V to Azure plan" : "an Azure-to-Azure plan";
      const given = typeof first === "object" && !Array.isArray(first) ? String(first.instanceType) : JSON.stringify(first);
      throw new ArmError(
        400,
        "InvalidParameter",
        `'${PROVIDER_INPUT}.instanceType' must be '${expected}' for ${kind}${expected === "HyperVReplicaAzureFailback" ? "'s failback" : ""} ('${String(plan.body.name)}'), not '${given}'.`,
        `${PROVIDER_INPUT}.instanceType`,
      );
    }
    return first;
  }

  /** The failover direction asked, checked against where the plan's VMs run. */
  private direction(properties: JsonObject): string {
    const direction = properties.failoverDirection;
    if (direction !== "PrimaryToRecovery" && direction !== "RecoveryToPrimary")
      throw new ArmError(
        400,
        "InvalidParameter",
        "'properties.failoverDirection' must be 'PrimaryToRecovery' or 'RecoveryToPrimary'.",
        "properties.failoverDirection",
      );
    return direction;
  }

  /**
   * The plan's items the operation applies to, per boot group: each item must allow it or be past
   * it already (then it is left out); at least one must allow it. 409 OperationNotAllowed naming
   * the first item that does neither, with its state and allowed operations.
   */
  private itemsFor(plan: StoredResource, operation: string, direction: string | undefined): StoredResource[][] {
    const itemOperation = operation === "PlannedFailover" ? "UnplannedFailover" : operation;
    const groups = this.bootGroups(plan).map((ids) =>
      ids.flatMap((id) => {
        const item = findOfType(this.asr.services, id, ASR_TYPES.protectedItem);
        if (item === undefined) return [];
        if (isPast(item.internal as ItemInternal, itemOperation)) return [];
        this.failover.requireAllowed(item, itemOperation);
        if (direction !== undefined) {
          const expected = (item.internal as ItemInternal).activeLocation === "Primary" ? "PrimaryToRecovery" : "RecoveryToPrimary";
          if (expected !== direction)
            throw new ArmError(
              400,
              "InvalidFailoverDirection",
              `Replicated item '${String(item.body.name)}' runs in its ${(item.internal as ItemInternal).activeLocation.toLowerCase()} region: the plan's failover direction is '${expected}', not '${direction}'.`,
              "properties.failoverDirection",
            );
        }
        return [item];
      }),
    );
    if (groups.every((g) => g.length === 0)) {
      const allowed = (this.plans.view(plan).properties as JsonObject).allowedOperations as JsonValue[];
      throw new ArmError(
        409,
        "OperationNotAllowed",
        `Operation '${operation}' is not allowed on recovery plan '${String(plan.body.name)}': no protected item of the plan needs it. Allowed operations: [${allowed.join(", ")}].`,
      );
    }
    return groups;
  }

  /** 409 when the plan fails over some VMs of a multi-VM consistency group without the others. */
  private checkMultiVmGroups(plan: StoredResource, chosen: StoredResource[]): void {
    const chosenIds = new Set(chosen.map((i) => i.id.toLowerCase()));
    for (const item of chosen) {
      const details = (item.body.properties as JsonObject).providerSpecificDetails as JsonObject;
      if (details.multiVmGroupCreateOption !== "UserSpecified") continue;
      const missing = this.asr.services.resources
        .ofType(ASR_TYPES.protectedItem)
        .filter((other) => ((other.body.properties as JsonObject).providerSpecificDetails as JsonObject).multiVmGroupId === details.multiVmGroupId)
        .filter((other) => !chosenIds.has(other.id.toLowerCase()) && (other.internal as ItemInternal).phase === "Protected");
      if (missing.length > 0)
        throw new ArmError(
          409,
          "MultiVmGroupFailoverNotAllowed",
          `Recovery plan '${String(plan.body.name)}' holds '${String(item.body.name)}' of multi-VM group '${String(details.multiVmGroupName)}' but not ${missing.map((m) => `'${String(m.body.name)}'`).join(", ")}: the VMs of a group fail over together.`,
        );
    }
  }

  private bootGroups(plan: StoredResource): string[][] {
    return ((plan.body.properties as JsonObject).groups as JsonObject[])
      .filter((g) => g.groupType === "Boot")
      .map((g) => (g.replicationProtectedItems as JsonObject[]).map((i) => String(i.id)));
  }

  // ------------------------------------------------------------------------------ the job

  private start(
    ctx: RequestContext,
    plan: StoredResource,
    operation: PlanOperation,
    friendlyName: string,
    direction: string | undefined,
    groups: StoredResource[][],
    shutDown: boolean,
    points: Map<string, RecoveryPointChoice>,
    failoverType: string = operation,
    failbacks: ReadonlyMap<string, PreparedFailback> = new Map(),
    sendChangesMs = 0,
  ): StoredResource {
    const { tasks, steps } = this.stepsFor(plan, operation, failoverType, direction, groups, shutDown, failbacks, sendChangesMs);
    const data: PlanJobData = { planId: plan.id, operation, steps, groups: groups.map((g) => g.map((i) => i.id)), failoverType };
    const job = this.asr.jobs.startStepped(ctx, {
      kind: JOB_KIND,
      scenarioName: operation === "Commit" ? "CommitFailover" : failoverType,
      friendlyName,
      targetObjectId: String(plan.body.name),
      targetObjectName: String(plan.body.name),
      targetInstanceType: "RecoveryPlan",
      resultResourceId: plan.id,
      tasks,
      data,
      suspendOnSuccess: operation === "TestFailover",
      customDetails: failoverJobDetails(operation, groups.flat(), points),
    });
    this.plans.recordRun(plan, job.id, failoverType, this.asr.services.now());
    return job;
  }

  /**
   * The job's tasks and what each does: prerequisites, then the groups in order with their actions.
   * A Hyper-V planned failover syncs the changes not replicated yet after the shutdown; a failback
   * runs its items' failback tasks (`failbacks`) phase by phase, each as long as the longest item's.
   */
  private stepsFor(
    plan: StoredResource,
    operation: PlanOperation,
    failoverType: string,
    direction: string | undefined,
    groups: StoredResource[][],
    shutDown: boolean,
    failbacks: ReadonlyMap<string, PreparedFailback>,
    sendChangesMs: number,
  ): { tasks: AsrTaskPlan[]; steps: PlanStep[] } {
    const tasks: AsrTaskPlan[] = [];
    const steps: PlanStep[] = [];
    const add = (task: AsrTaskPlan, effect: PlanStep["effect"] = "none", group = -1, itemTask = ""): void => {
      tasks.push(task);
      steps.push({ effect, group, task: itemTask });
    };
    const failback = operation === "Failback";
    /** The longest of the items' failback tasks named `name` (of `ids`, else of every item). */
    const longest = (names: readonly string[], ids?: readonly string[]): number =>
      Math.max(
        0,
        ...[...failbacks.entries()]
          .filter(([id]) => ids === undefined || ids.includes(id))
          .flatMap(([, p]) => p.tasks.filter((t) => names.includes(t.name)).map((t) => t.durationMs)),
      );
    const forDownTime = [...failbacks.values()].some((p) => p.dataSyncOption === "ForDownTime");
    if (failback)
      add(
        { name: "PrerequisitesCheck", friendlyName: "Prerequisites check for the failback of the recovery plan", durationMs: DURATION.prerequisites },
        "failbackTask",
        -1,
        "PrerequisitesCheck",
      );
    else add({ name: "PrerequisitesCheck", friendlyName: "Prerequisites check for the recovery plan", durationMs: DURATION.prerequisites });
    if (failback && forDownTime)
      add({
        name: "SyncWhileRunning",
        friendlyName: "Synchronize the disks while the virtual machines run in Azure (the differing blocks; the whole disks of VMs created on-premises)",
        durationMs: longest(["SyncWhileRunning", "CopyDisks"]),
      });
    if (operation === "TestFailoverCleanup")
      add({ name: "CleanupTestVms", friendlyName: "Delete the test virtual machines", durationMs: DURATION.cleanup }, "cleanup");
    if (operation === "Commit") add({ name: "Commit", friendlyName: "Commit the failover of the virtual machines", durationMs: DURATION.commit }, "commit");
    if (operation === "CancelFailover")
      add({ name: "CancelFailover", friendlyName: "Delete the failed-over virtual machines and restart protection", durationMs: DURATION.cancel }, "cancel");
    if (operation === "ReverseReplicate") {
      add({ name: "EnableReverseReplication", friendlyName: "Replicate to Azure again, the replicas there as the seeds", durationMs: DURATION.enableReverse });
      add(
        { name: "SendChanges", friendlyName: "Send what the virtual machines changed since the failback (the differing blocks)", durationMs: sendChangesMs },
        "reprotect",
      );
    }
    if (operation !== "TestFailover" && operation !== "UnplannedFailover" && !failback) return { tasks, steps };
    // Hyper-V VMs that can be shut down (their site is up) sync what their last cycle did not send.
    const hyperVItems = groups.flat().filter((item) => isHyperV(item.internal as ItemInternal) && this.failover.canShutDownSource(item));
    const now = this.asr.services.now();
    let boot = 0;
    for (const group of (plan.body.properties as JsonObject).groups as JsonObject[]) {
      const label = group.groupType === "Boot" ? `Group ${boot + 1}` : `${String(group.groupType)} group`;
      const actions = (key: string): void => {
        for (const action of group[key] as JsonObject[]) {
          if (!(action.failoverTypes as JsonValue[]).includes(failoverType) || !(action.failoverDirections as JsonValue[]).includes(direction ?? "")) continue;
          add(actionTask(action, label, key === "startGroupActions" ? "start" : "end"));
        }
      };
      actions("startGroupActions");
      if (group.groupType === "Shutdown" && failback)
        add(
          { name: "ShutdownAzureVms", friendlyName: "Shut down the virtual machines in Azure", durationMs: longest(["ShutdownAzureVm"]) },
          "failbackTask",
          -1,
          "ShutdownAzureVm",
        );
      if (group.groupType === "Shutdown" && shutDown) {
        add(
          { name: "ShutdownSourceVms", friendlyName: "Shut down the source virtual machines and sync the latest data", durationMs: DURATION.shutdown },
          "shutdown",
        );
        if (hyperVItems.length > 0) {
          // Hyper-V: what the last delta cycle did not send is synced once the VMs are off (the longest item's sync).
          const syncs = hyperVItems.map((item) => this.failover.shutdownTasks(item, now).find((t) => t.name === "SyncLatestChanges")?.durationMs ?? 0);
          add({ name: "SyncLatestChanges", friendlyName: "Synchronize the changes not replicated yet", durationMs: Math.max(0, ...syncs) });
        }
      }
      if (group.groupType === "Failover" && failback)
        add(
          forDownTime
            ? { name: "SyncFinalChanges", friendlyName: "Send what the Azure virtual machines changed meanwhile", durationMs: longest(["SyncFinalChanges"]) }
            : { name: "DownloadDisks", friendlyName: "Download the disks in full", durationMs: longest(["DownloadDisks"]) },
        );
      else if (group.groupType === "Failover")
        add({ name: "PrepareVms", friendlyName: "Prepare the virtual machines' disks from the recovery points", durationMs: DURATION.prepare });
      if (group.groupType === "Boot") {
        const ids = (groups[boot] ?? []).map((item) => item.id);
        if (ids.length > 0)
          add(
            failback
              ? {
                  name: `StartGroup${boot + 1}`,
                  friendlyName: `${label}: start ${ids.length} virtual machine(s) on-premises`,
                  durationMs: longest(["StartOnPremisesVm"], ids),
                }
              : { name: `StartGroup${boot + 1}`, friendlyName: `${label}: start ${ids.length} virtual machine(s)`, durationMs: DURATION.boot },
            "boot",
            boot,
          );
        boot++;
      }
      actions("endGroupActions");
    }
    return { tasks, steps };
  }

  private stepDone(job: StoredResource, index: number, at: number): void {
    const data = planData(job);
    const step = data.steps[index];
    if (step === undefined) return;
    const all = data.groups.flat();
    switch (step.effect) {
      case "failbackTask":
        for (const id of all) this.failback.runTask(id, job.id, step.task, at);
        return;
      case "reprotect":
        for (const id of all) this.failback.completeReprotect(id, job.id, at);
        return;
      case "shutdown":
        for (const id of all) this.failover.shutDownSource(id);
        return;
      case "cleanup":
        for (const id of all) this.failover.completeCleanup(id, at);
        return;
      case "commit":
        for (const id of all) this.failover.completeCommit(id, at);
        return;
      case "cancel":
        for (const id of all) this.failover.rollBack(id, at);
        return;
      case "boot":
        this.boot(job.id, data, data.groups[step.group] ?? [], at);
        return;
      default:
        return;
    }
  }

  /** The VMs of a boot group come up together; one that fails fails the group (the others stay up). */
  private boot(jobId: string, data: PlanJobData, ids: string[], at: number): void {
    const failures: string[] = [];
    for (const id of ids) {
      try {
        if (data.operation === "TestFailover") this.failover.completeTestFailover(id, at);
        else if (data.operation === "Failback") {
          this.failback.runTask(id, jobId, "StartOnPremisesVm", at);
          this.failback.completeFailback(id, jobId, at);
        } else this.failover.completeFailover(id, at);
      } catch (error) {
        if (!(error instanceof ArmError)) throw error;
        failures.push(`${id.slice(id.lastIndexOf("/") + 1)}: ${error.code}: ${error.message}`);
        this.undoItem(data.operation, id, at, jobId);
      }
    }
    if (failures.length > 0)
      throw new ArmError(400, "RecoveryPlanGroupFailed", `The failover of ${failures.length} virtual machine(s) failed: ${failures.join("; ")}`);
  }

  /** After a failure or a cancellation: items not done yet go back to where they were; items done stay done. */
  private undoUnfinished(job: StoredResource, at: number): void {
    const data = planData(job);
    for (const id of data.groups.flat()) this.undoItem(data.operation, id, at, job.id);
  }

  private undoItem(operation: PlanOperation, id: string, at: number, jobId: string): void {
    const item = findOfType(this.asr.services, id, ASR_TYPES.protectedItem);
    if (item === undefined) return;
    if (operation === "Failback") this.failback.abandonFailback(id, jobId);
    if (operation === "ReverseReplicate") this.failback.abandonReprotect(id, jobId);
    const internal = item.internal as ItemInternal;
    if (operation === "TestFailover" && internal.testFailover?.state === "InProgress") this.failover.abandonTestFailover(id);
    if (operation === "TestFailoverCleanup" && internal.testFailover?.state === "CleanupInProgress") {
      internal.testFailover.state = "WaitingForCompletion";
      internal.scenario = "None";
    }
    if (operation === "UnplannedFailover" && internal.phase === "FailoverInProgress") this.failover.rollBack(id, at);
    if (operation === "Commit" && internal.phase === "CommitInProgress") Object.assign(internal, { phase: "FailoverCommitPending", scenario: "None" });
    if (operation === "CancelFailover" && internal.scenario === "CancelFailover") internal.scenario = "None";
  }
}

/** Whether an item is already past what `operation` does (left out of a plan run again). */
export function isPast(internal: ItemInternal, operation: string): boolean {
  switch (operation) {
    case "UnplannedFailover":
      return internal.phase === "FailoverCommitPending" || internal.phase === "FailoverCommitted";
    case "Commit":
      return internal.phase === "FailoverCommitted";
    case "ReverseReplicate":
      // A Hyper-V item replicating to Azure again after its failback.
      return internal.phase === "Protected" || internal.phase === "Reprotecting";
    case "Failback":
      // A Hyper-V item failed back already (its failback waits for commit, or was committed).
      return internal.failover?.fromLocation === "Recovery" && ["FailoverCommitPending", "CommitInProgress", "FailoverCommitted"].includes(internal.phase);
    case "TestFailoverCleanup":
      return internal.testFailover === null;
    default:
      return false;
  }
}

function planData(job: StoredResource): PlanJobData {
  return (job.internal as JsonObject & { data: PlanJobData }).data;
}

/** The recovery point type of a plan's provider input (`fallback` when it names none); 400 for one the provider does not know. */
function recoveryPointType(input: JsonObject | undefined, provider: PlanProvider, fallback: string): string {
  const type = input?.recoveryPointType ?? fallback;
  const allowed = RECOVERY_POINT_TYPES[provider];
  if (!allowed.includes(String(type)))
    throw new ArmError(
      400,
      "InvalidParameter",
      `'${PROVIDER_INPUT}.recoveryPointType' must be one of ${allowed.join(", ")}${provider === HYPER_V_PROVIDER ? " for Hyper-V to Azure" : ""}, not '${String(type)}'.`,
      `${PROVIDER_INPUT}.recoveryPointType`,
    );
  return String(type);
}

function actionTask(action: JsonObject, label: string, when: "start" | "end"): AsrTaskPlan {
  const details = action.customDetails as JsonObject;
  const name = String(action.actionName);
  if (details.instanceType === "ManualActionDetails")
    return { name: `Manual:${name}`, friendlyName: `${label} (${when}): manual action '${name}'`, durationMs: 0, waitsForUser: true };
  if (details.instanceType === "ScriptActionDetails")
    return { name: `Script:${name}`, friendlyName: `${label} (${when}): script '${name}'`, durationMs: DURATION.script };
  return { name: `Runbook:${name}`, friendlyName: `${label} (${when}): runbook '${name}'`, durationMs: DURATION.runbook };
}
