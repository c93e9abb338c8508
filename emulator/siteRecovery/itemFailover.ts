import { ArmError } from "../arm/armError.js";
import { optionalJsonBody, type RequestContext } from "../arm/requestContext.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { ComputeService } from "../compute/registerCompute.js";
import type { StoredResource } from "../store/state.js";
import type { AsrContext } from "./asrContext.js";
import { ID_PATTERNS } from "./asrApi.js";
import type { AsrTaskPlan } from "./asrJobs.js";
import { addAsrRoute, propertiesOf } from "./asrResources.js";
import type { HyperVFailback } from "./hyperVFailback.js";
import { isHyperV, pointName, type FailoverState, type ItemInternal, type ProtectedItems, type TestFailoverState } from "./protectedItems.js";
import { recoveryPointsAt } from "./replicationModel.js";

const ITEM_PATH =
  "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectedItems/{replicatedProtectedItemName}";
const PREREQUISITES = { name: "PrerequisitesCheck", friendlyName: "Prerequisite check", durationMs: 30_000 };
const CREATE_VM = { name: "CreateVm", friendlyName: "Create the virtual machine in the target region", durationMs: 120_000 };
const START_VM = { name: "StartVm", friendlyName: "Start the virtual machine", durationMs: 60_000 };
/** The shutdown of a VM whose site is unreachable: it cannot be done, and the failover goes on (its duration, the provider's timeout, inferred). */
export const SHUTDOWN_UNREACHABLE = {
  name: "ShutdownVm",
  friendlyName: "Shut down the virtual machine on-premises: failed, the site is unreachable; the failover continues from the last data Azure received",
  durationMs: 60_000,
};

/**
 * Failover of one replicated item (DOMAIN.md §5), Azure-to-Azure and Hyper-V to Azure: test
 * failover into an isolated network (the job waits, Suspended, until cleanup), failover with the
 * source shut down first (no data loss: A2A's `sourceSiteOperations: Required`, Hyper-V's planned
 * failover) or from a chosen recovery point, change of recovery point, cancel, and commit; a
 * Hyper-V item's planned failover back from Azure is its failback ({@link HyperVFailback}).
 * Every action checks the item's `allowedOperations` first and refuses with 409 naming the state.
 */
export class ItemFailover {
  constructor(
    private readonly asr: AsrContext,
    private readonly items: ProtectedItems,
    private readonly compute: ComputeService,
    /** Failback of Hyper-V items (also run by their recovery plans). */
    readonly failback: HyperVFailback,
  ) {
    asr.jobs.register("asr.item.testFailover", {
      complete: (op, at) => this.completeTestFailover(String(op.data.itemId), at),
      failed: (op) => this.abandonTestFailover(String(op.data.itemId)),
      // Resuming a test failover's job is how the service used to complete a test: it cleans up.
      resumed: (job, at) => this.completeCleanup(String((job.internal as JsonObject & { data: JsonObject }).data.itemId), at),
    });
    asr.jobs.register("asr.item.testFailoverCleanup", { complete: (op, at) => this.completeCleanup(String(op.data.itemId), at) });
    asr.jobs.register("asr.item.failover", {
      complete: (op, at) => this.completeFailover(String(op.data.itemId), at),
      failed: (op, at) => this.rollBack(String(op.data.itemId), at),
    });
    asr.jobs.register("asr.item.changeRecoveryPoint", { complete: (op) => this.recreate(String(op.data.itemId), op.data.point as JsonObject) });
    asr.jobs.register("asr.item.cancelFailover", {
      complete: (op, at) => this.rollBack(String(op.data.itemId), at),
      failed: (op) => this.withItem(String(op.data.itemId), (i) => (i.scenario = "None")),
    });
    asr.jobs.register("asr.item.commit", { complete: (op, at) => this.completeCommit(String(op.data.itemId), at) });
  }

  register(router: Router): void {
    addAsrRoute(router, "POST", `${ITEM_PATH}/testFailover`, "ReplicationProtectedItems_TestFailover", (ctx) => this.testFailover(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/testFailoverCleanup`, "ReplicationProtectedItems_TestFailoverCleanup", (ctx) => this.cleanup(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/unplannedFailover`, "ReplicationProtectedItems_UnplannedFailover", (ctx) => this.failover(ctx, false));
    addAsrRoute(router, "POST", `${ITEM_PATH}/plannedFailover`, "ReplicationProtectedItems_PlannedFailover", (ctx) => this.plannedFailover(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/applyRecoveryPoint`, "ReplicationProtectedItems_ApplyRecoveryPoint", (ctx) => this.changeRecoveryPoint(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/failoverCancel`, "ReplicationProtectedItems_FailoverCancel", (ctx) => this.cancel(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/failoverCommit`, "ReplicationProtectedItems_FailoverCommit", (ctx) => this.commit(ctx));
  }

  /** 409 OperationNotAllowed unless `operation` is in the item's allowed operations now; returns the item. */
  private allowed(ctx: RequestContext, operation: string): { item: StoredResource; internal: ItemInternal } {
    const item = this.items.require(ctx);
    this.requireAllowed(item, operation);
    return { item, internal: item.internal as ItemInternal };
  }

  /** Whether the item allows `operation` now. */
  allows(item: StoredResource, operation: string): boolean {
    return this.items.allowedOperations(item).includes(operation);
  }

  /** 409 OperationNotAllowed, naming the item's state and allowed operations, unless it allows `operation` now. */
  requireAllowed(item: StoredResource, operation: string): void {
    this.items.requireAllowed(item, operation);
  }

  private withItem(itemId: string, change: (internal: ItemInternal) => void): void {
    const item = this.asr.services.resources.get(itemId);
    if (item !== undefined) change(item.internal as ItemInternal);
  }

  /** The recovery point an input names (an id of one of the item's points), or the newest one (`Latest` when the source can sync). */
  private pointFor(item: StoredResource, input: JsonObject, field: string, latestIfSourceUp: boolean): RecoveryPointChoice {
    const requested = input.recoveryPointId;
    if (requested === undefined || requested === null || requested === "")
      return this.pointOfType(item, latestIfSourceUp ? "Latest" : "LatestProcessed", field);
    const point = this.items.recoveryPoints(item).find((p) => String(p.id).toLowerCase() === String(requested).toLowerCase());
    if (point === undefined)
      throw new ArmError(
        400,
        "RecoveryPointNotFound",
        `'${String(requested)}' is not a recovery point of '${String(item.body.name)}' (it may have been pruned).`,
        field,
      );
    return { id: String(point.id), time: Date.parse(String((point.properties as JsonObject).recoveryPointTime)) };
  }

  /**
   * The point a recovery point type means for this item now: `Latest` syncs what is pending (now,
   * when the source region is up; otherwise the newest point), `LatestProcessed` the newest point,
   * `LatestApplicationConsistent` / `LatestCrashConsistent` the newest of that type.
   */
  pointOfType(item: StoredResource, type: string, field: string): RecoveryPointChoice {
    const internal = item.internal as ItemInternal;
    const now = this.asr.services.now();
    if (type === "Latest") {
      // A2A: the source's agent sends what is pending; Hyper-V: what the last delta cycle sent is the latest Azure has.
      const latest = isHyperV(internal)
        ? this.items.hyperV.lastReceived(internal, now)
        : this.asr.services.isRegionDown(internal.sourceLocation)
          ? undefined
          : now;
      if (latest !== undefined) return { id: `${item.id}/recoveryPoints/${pointName(internal.lifecycleId, latest, "Latest")}`, time: latest };
    }
    const inputs = this.items.pointInputs(internal, now);
    const wanted = type === "LatestApplicationConsistent" ? "ApplicationConsistent" : type === "LatestCrashConsistent" ? "CrashConsistent" : undefined;
    const point = (inputs === undefined ? [] : recoveryPointsAt(inputs)).find((p) => wanted === undefined || p.type === wanted);
    if (point === undefined)
      throw new ArmError(
        400,
        "NoRecoveryPoint",
        `Replicated item '${String(item.body.name)}' has no ${wanted ?? ""} recovery point yet.`.replace("  ", " "),
        field,
      );
    return { id: `${item.id}/recoveryPoints/${pointName(internal.lifecycleId, point.time, point.type)}`, time: point.time };
  }

  /** The point a failover that shuts the source down first recovers to: its start (everything is synced, nothing lost). */
  syncedPoint(item: StoredResource, now: number): RecoveryPointChoice {
    return { id: `${item.id}/recoveryPoints/${pointName((item.internal as ItemInternal).lifecycleId, now, "Latest")}`, time: now };
  }

  /** The provider input of an action (absent: none), whose `instanceType` must be the item's provider's. */
  private providerInput(internal: ItemInternal, properties: JsonObject): JsonObject {
    const provider = properties.providerSpecificDetails;
    const expected = isHyperV(internal) ? "HyperVReplicaAzure" : "A2A";
    if (provider === undefined || provider === null) return {};
    if (typeof provider !== "object" || Array.isArray(provider) || provider.instanceType !== expected) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `'properties.providerSpecificDetails.instanceType' must be '${expected}' for ${expected === "A2A" ? "an Azure-to-Azure" : "a Hyper-V to Azure"} item.`,
        "properties.providerSpecificDetails.instanceType",
      );
    }
    return provider;
  }

  private checkDirection(properties: JsonObject, internal: ItemInternal): void {
    const direction = properties.failoverDirection ?? "PrimaryToRecovery";
    const expected = internal.activeLocation === "Primary" ? "PrimaryToRecovery" : "RecoveryToPrimary";
    if (direction !== expected)
      throw new ArmError(
        400,
        "InvalidFailoverDirection",
        `The item runs in its ${internal.activeLocation.toLowerCase()} region: the failover direction is '${expected}', not '${String(direction)}'.`,
        "properties.failoverDirection",
      );
  }

  private recoveryVmId(item: StoredResource, suffix = ""): string {
    const target = this.items.recoveryTarget(item);
    return `${target.resourceGroupId}/providers/Microsoft.Compute/virtualMachines/${target.vmName}${suffix}`;
  }

  private materialize(item: StoredResource, vmId: string, networkId: string | undefined): void {
    const internal = item.internal as ItemInternal;
    if (this.compute.virtualMachines.get(vmId) !== undefined)
      throw new ArmError(409, "TargetVmAlreadyExists", `A virtual machine '${vmId}' already exists in the target region.`);
    const target = this.items.recoveryTarget(item);
    this.compute.virtualMachines.materialize({
      id: vmId,
      location: internal.targetLocation,
      template: { ...target.template, hardwareProfile: { vmSize: target.vmSize } },
      ...(target.availabilitySetId === undefined ? {} : { availabilitySetId: target.availabilitySetId }),
      ...(target.zone === undefined ? {} : { zone: target.zone }),
      ...(networkId === undefined ? {} : { networkId }),
      tags: { "azure-dr:replicated-item": String(item.body.name) },
    });
  }

  /** 400 unless a test failover's network is the id of a virtual network. */
  checkTestNetwork(networkId: string, field: string): void {
    if (!ID_PATTERNS.virtualNetwork.test(networkId)) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `A test failover needs '${field}': the isolated virtual network the test VMs join (networkType 'VmNetworkAsInput').`,
        field,
      );
    }
  }

  /** 409 when the region the item would fail over to is down. */
  checkTargetRegion(item: StoredResource): void {
    const target = (item.internal as ItemInternal).targetLocation;
    if (this.asr.services.isRegionDown(target))
      throw new ArmError(
        409,
        "TargetRegionUnavailable",
        `The region '${target}' that replicated item '${String(item.body.name)}' fails over to is unavailable.`,
      );
  }

  private testFailover(ctx: RequestContext): EmulatorResponse {
    const { item, internal } = this.allowed(ctx, "TestFailover");
    const properties = propertiesOf(optionalJsonBody(ctx));
    this.checkDirection(properties, internal);
    const networkId = String(properties.networkId ?? "");
    this.checkTestNetwork(networkId, "properties.networkId");
    this.checkTargetRegion(item);
    const point = this.pointFor(item, this.providerInput(internal, properties), "properties.providerSpecificDetails.recoveryPointId", false);
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.testFailover",
      scenarioName: "TestFailover",
      friendlyName: "Test failover",
      tasks: [PREREQUISITES, CREATE_VM, START_VM],
      suspendOnSuccess: true,
    });
    this.beginTestFailover(item, networkId, point, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  /** Marks the item as test-failing-over from `point` into `networkId`, under job `jobId`. */
  beginTestFailover(item: StoredResource, networkId: string, point: RecoveryPointChoice, jobId: string): void {
    const internal = item.internal as ItemInternal;
    internal.testFailover = {
      state: "InProgress",
      jobId,
      testVmId: this.recoveryVmId(item, "-test"),
      recoveryPointTime: point.time,
      recoveryPointId: point.id,
      networkId,
    };
    Object.assign(internal, { scenario: "TestFailover", jobId, scenarioStart: this.asr.services.now() });
  }

  /** The test VM is up: the item waits for cleanup. */
  completeTestFailover(itemId: string, at: number): void {
    const item = this.asr.services.resources.get(itemId);
    const internal = item?.internal as ItemInternal | undefined;
    if (item === undefined || internal === undefined || internal.testFailover === null) return;
    this.consumeFailoverFault(internal);
    this.materialize(item, internal.testFailover.testVmId, internal.testFailover.networkId === "" ? undefined : internal.testFailover.networkId);
    internal.testFailover.state = "WaitingForCompletion";
    internal.lastSuccessfulTestFailoverTime = at;
  }

  /** A test failover that did not happen (failed or cancelled): the item is as before. */
  abandonTestFailover(itemId: string): void {
    this.withItem(itemId, (internal) => {
      if (internal.testFailover !== null) this.compute.virtualMachines.dematerialize(internal.testFailover.testVmId);
      Object.assign(internal, { testFailover: null, scenario: "None" });
    });
  }

  private cleanup(ctx: RequestContext): EmulatorResponse {
    const { item } = this.allowed(ctx, "TestFailoverCleanup");
    checkComments(propertiesOf(optionalJsonBody(ctx)).comments);
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.testFailoverCleanup",
      scenarioName: "TestFailoverCleanup",
      friendlyName: "Test failover cleanup",
      tasks: [{ name: "DeleteTestVm", friendlyName: "Delete the test virtual machine", durationMs: 60_000 }],
    });
    this.beginCleanup(item, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  /** Marks the item's test failover as being cleaned up under job `jobId`. */
  beginCleanup(item: StoredResource, jobId: string): void {
    const internal = item.internal as ItemInternal;
    (internal.testFailover as TestFailoverState).state = "CleanupInProgress";
    Object.assign(internal, { scenario: "TestFailoverCleanup", jobId, scenarioStart: this.asr.services.now() });
  }

  /** The test VM is gone and the test failover's job completes. */
  completeCleanup(itemId: string, at: number): void {
    this.withItem(itemId, (internal) => {
      const test = internal.testFailover;
      if (test === null) return;
      this.compute.virtualMachines.dematerialize(test.testVmId);
      this.asr.jobs.completeSuspended(test.jobId, at);
      internal.testFailover = null;
      internal.scenario = "None";
    });
  }

  /**
   * A planned failover: for a Hyper-V item, to Azure (the VM shut down on-premises first and its
   * last changes synced: no data loss), or back from Azure (its failback). Azure-to-Azure items
   * fail over with `unplannedFailover` (`sourceSiteOperations: Required` is their planned one).
   */
  private plannedFailover(ctx: RequestContext): EmulatorResponse {
    const item = this.items.require(ctx);
    if (!isHyperV(item.internal as ItemInternal)) {
      throw new ArmError(
        400,
        "OperationNotSupported",
        "Azure-to-Azure items fail over with 'unplannedFailover'; pass sourceSiteOperations 'Required' to shut the source VM down first (no data loss).",
      );
    }
    const properties = propertiesOf(optionalJsonBody(ctx));
    const provider = properties.providerSpecificDetails;
    const isFailbackInput =
      provider !== null && typeof provider === "object" && !Array.isArray(provider) && provider.instanceType === "HyperVReplicaAzureFailback";
    if (isFailbackInput || properties.failoverDirection === "RecoveryToPrimary") return this.asr.jobs.accepted(ctx, this.failback.start(ctx, item, properties));
    return this.failover(ctx, true);
  }

  /** A failover (`planned`: a Hyper-V item's planned failover to Azure; else `unplannedFailover`). */
  private failover(ctx: RequestContext, planned: boolean): EmulatorResponse {
    const { item, internal } = this.allowed(ctx, planned ? "PlannedFailover" : "UnplannedFailover");
    const properties = propertiesOf(optionalJsonBody(ctx));
    this.checkDirection(properties, internal);
    const details = (item.body.properties as JsonObject).providerSpecificDetails as JsonObject;
    if (details.multiVmGroupCreateOption === "UserSpecified") {
      throw new ArmError(
        409,
        "MultiVmGroupFailoverNotAllowed",
        `Replicated item '${String(item.body.name)}' is in multi-VM group '${String(details.multiVmGroupName)}'; its VMs fail over together, through a recovery plan.`,
      );
    }
    const shutDown = planned || sourceShutDown(properties.sourceSiteOperations);
    this.checkFailover(item, shutDown, planned);
    const input = this.providerInput(internal, properties);
    if (shutDown && input.recoveryPointId !== undefined && input.recoveryPointId !== null) {
      throw new ArmError(
        400,
        "InvalidParameter",
        "A failover that shuts the source down first syncs the latest data; it takes no recovery point.",
        "properties.providerSpecificDetails.recoveryPointId",
      );
    }
    const now = this.asr.services.now();
    // The source cannot be shut down when its site is unreachable: the shutdown fails and the failover goes on.
    const syncs = shutDown && this.canShutDownSource(item);
    const point = syncs ? this.syncedPoint(item, now) : this.pointFor(item, input, "properties.providerSpecificDetails.recoveryPointId", true);
    const job = this.asr.jobs.start(ctx, {
      ...this.items.itemJobSpec(item, {
        kind: "asr.item.failover",
        scenarioName: planned ? "PlannedFailover" : "UnplannedFailover",
        friendlyName: planned ? "Planned failover" : shutDown ? "Failover (source shut down first)" : "Failover",
        tasks: [PREREQUISITES, ...(syncs ? this.items.shutdownTasks(item, now) : shutDown ? [SHUTDOWN_UNREACHABLE] : []), CREATE_VM, START_VM],
      }),
      customDetails: failoverJobDetails("Failover", [item], new Map([[item.id, point]])),
    });
    this.beginFailover(item, syncs, point, job.id, planned ? "Planned" : undefined);
    return this.asr.jobs.accepted(ctx, job);
  }

  /** The tasks of a failover of `item` that shuts its source down first (Hyper-V: the shutdown, then the changes not replicated yet). */
  shutdownTasks(item: StoredResource, now: number): AsrTaskPlan[] {
    return this.items.shutdownTasks(item, now);
  }

  /**
   * 409 when a failover cannot happen now: the source must be shut down but its region is down
   * (`SourceRegionUnavailable`), a Hyper-V item's planned failover while its on-premises site is
   * down (`SourceSiteUnavailable`: the VM cannot be shut down; an unplanned failover works), or the
   * target region is down.
   */
  checkFailover(item: StoredResource, shutDown: boolean, planned = false): void {
    const internal = item.internal as ItemInternal;
    if (shutDown && this.asr.services.isRegionDown(internal.sourceLocation)) {
      throw new ArmError(
        409,
        "SourceRegionUnavailable",
        `The source region '${internal.sourceLocation}' is unavailable: the source VM cannot be shut down first. Fail over with sourceSiteOperations 'NotRequired' from a recovery point.`,
      );
    }
    if (planned && isHyperV(internal) && !this.items.sourceReachable(internal)) {
      throw new ArmError(
        409,
        "SourceSiteUnavailable",
        `The on-premises site of replicated item '${String(item.body.name)}' is unreachable (its Site Recovery providers are not connected): the virtual machine cannot be shut down for a planned failover. Use an unplanned failover, from the last data Azure received.`,
      );
    }
    this.checkTargetRegion(item);
  }

  /**
   * Whether a failover that asks to shut the source down first can do it: not for a Hyper-V item
   * whose site is down (an unplanned failover with `sourceSiteOperations: Required` then fails to
   * shut it down and goes on from the last data Azure received, as Azure's "shut down machines
   * before failover" does when the shutdown fails).
   */
  canShutDownSource(item: StoredResource): boolean {
    const internal = item.internal as ItemInternal;
    return !isHyperV(internal) || this.items.sourceReachable(internal);
  }

  /**
   * Marks the item as failing over (from `point`, or syncing first when `shutDown`) under job
   * `jobId`; `type` is how it shows (Hyper-V: its planned failover is `Planned`, any unplanned one `Unplanned`).
   */
  beginFailover(item: StoredResource, shutDown: boolean, point: RecoveryPointChoice, jobId: string, type?: FailoverState["type"]): void {
    const internal = item.internal as ItemInternal;
    const now = this.asr.services.now();
    const failover: FailoverState = {
      type: type ?? (shutDown && !isHyperV(internal) ? "Planned" : "Unplanned"),
      fromLocation: internal.activeLocation,
      jobId,
      startedAt: now,
      recoveryPointTime: point.time,
      recoveryPointId: point.id,
      failedOverVmId: this.recoveryVmId(item),
      sourceShutDown: shutDown,
    };
    Object.assign(internal, {
      phase: "FailoverInProgress",
      failover,
      scenario: type === "Planned" ? "PlannedFailover" : "UnplannedFailover",
      jobId,
      scenarioStart: now,
    });
    internal.outages.push({ from: now, to: null });
  }

  /** Shuts the source VM down (the first step of a failover that syncs before it goes). */
  shutDownSource(itemId: string): void {
    this.withItem(itemId, (internal) => {
      if (internal.failover?.sourceShutDown === true) this.items.setSourcePower(internal, false);
    });
  }

  /**
   * The failed-over VM is up in the other region: the item waits for commit. An injected failover
   * fault (control surface) fails it here, once, with its code (a test failover likewise).
   */
  completeFailover(itemId: string, at: number): void {
    const item = this.asr.services.resources.get(itemId);
    const internal = item?.internal as ItemInternal | undefined;
    if (item === undefined || internal === undefined || internal.failover === null) return;
    this.consumeFailoverFault(internal);
    this.shutDownSource(itemId);
    this.materialize(item, internal.failover.failedOverVmId, this.items.recoveryTarget(item).networkId);
    Object.assign(internal, {
      phase: "FailoverCommitPending",
      activeLocation: internal.failover.fromLocation === "Primary" ? "Recovery" : "Primary",
      scenario: "None",
      lastSuccessfulFailoverTime: at,
    });
  }

  /** Fails, once, with the fault the control surface injected, if any. */
  private consumeFailoverFault(internal: ItemInternal): void {
    const fault = internal.failoverFault;
    if (fault === undefined || fault === null) return;
    internal.failoverFault = null;
    throw new ArmError(400, fault.code, fault.message);
  }

  /** Makes the next failover or test failover of the item fail when its VM would come up (a fault of the control surface). */
  injectFailoverFault(item: StoredResource, code: string, message: string): void {
    (item.internal as ItemInternal).failoverFault = { code, message };
  }

  /** Undoes a failover (failed or cancelled): the failed-over VM goes, the source runs again, replication resumes. */
  rollBack(itemId: string, at: number): void {
    this.withItem(itemId, (internal) => {
      const failover = internal.failover;
      if (failover === null) return;
      this.compute.virtualMachines.dematerialize(failover.failedOverVmId);
      if (failover.sourceShutDown) this.items.setSourcePower(internal, true);
      const open = internal.outages.find((o) => o.to === null);
      if (open !== undefined && internal.fault === null) open.to = at;
      Object.assign(internal, { phase: "Protected", activeLocation: failover.fromLocation, failover: null, scenario: "None" });
    });
  }

  private changeRecoveryPoint(ctx: RequestContext): EmulatorResponse {
    const { item, internal } = this.allowed(ctx, "ChangePit");
    const properties = propertiesOf(optionalJsonBody(ctx));
    this.providerInput(internal, properties);
    if (properties.providerSpecificDetails === undefined)
      throw new ArmError(
        400,
        "InvalidParameter",
        `'properties.providerSpecificDetails' is required ({ instanceType: '${isHyperV(internal) ? "HyperVReplicaAzure" : "A2A"}' }).`,
        "properties.providerSpecificDetails",
      );
    if (properties.recoveryPointId === undefined || properties.recoveryPointId === null)
      throw new ArmError(400, "InvalidParameter", "'properties.recoveryPointId' is required.", "properties.recoveryPointId");
    const point = this.pointFor(item, properties, "properties.recoveryPointId", false);
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.changeRecoveryPoint",
      scenarioName: "ChangePit",
      friendlyName: "Change recovery point",
      tasks: [{ name: "RecreateVm", friendlyName: "Recreate the virtual machine from the recovery point", durationMs: 120_000 }],
      data: { point: { id: point.id, time: point.time } },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  private recreate(itemId: string, point: JsonObject): void {
    const item = this.asr.services.resources.get(itemId);
    const internal = item?.internal as ItemInternal | undefined;
    if (item === undefined || internal === undefined || internal.failover === null) return;
    this.compute.virtualMachines.dematerialize(internal.failover.failedOverVmId);
    this.materialize(item, internal.failover.failedOverVmId, this.items.recoveryTarget(item).networkId);
    Object.assign(internal.failover, { recoveryPointId: String(point.id), recoveryPointTime: Number(point.time) });
  }

  private cancel(ctx: RequestContext): EmulatorResponse {
    const { item } = this.allowed(ctx, "CancelFailover");
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.cancelFailover",
      scenarioName: "CancelFailover",
      friendlyName: "Cancel failover",
      tasks: [{ name: "DeleteFailedOverVm", friendlyName: "Delete the failed-over virtual machine and restart protection", durationMs: 120_000 }],
    });
    this.beginCancel(item, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  /** Marks the item's failover as being cancelled under job `jobId`: nothing else is allowed meanwhile. */
  beginCancel(item: StoredResource, jobId: string): void {
    Object.assign(item.internal, { scenario: "CancelFailover", jobId, scenarioStart: this.asr.services.now() });
  }

  private commit(ctx: RequestContext): EmulatorResponse {
    const { item } = this.allowed(ctx, "Commit");
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.commit",
      scenarioName: "FailoverCommit",
      friendlyName: "Commit",
      tasks: [{ name: "Commit", friendlyName: "Commit the failover (recovery points are deleted)", durationMs: 60_000 }],
    });
    this.beginCommit(item, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  /** Marks the item's failover as being committed under job `jobId`. */
  beginCommit(item: StoredResource, jobId: string): void {
    Object.assign(item.internal, { phase: "CommitInProgress", scenario: "FailoverCommit", jobId, scenarioStart: this.asr.services.now() });
  }

  /** The failover is final (a Hyper-V failback's commit also deletes the VM it left in Azure). */
  completeCommit(itemId: string, at: number): void {
    this.withItem(itemId, (internal) => {
      Object.assign(internal, { phase: "FailoverCommitted", scenario: "None" });
      if (isHyperV(internal)) this.failback.committed(internal, at);
    });
  }
}

/** A recovery point chosen for a failover. */
export interface RecoveryPointChoice {
  id: string;
  time: number;
}

/** A failover job's `customDetails`: `FailoverJobDetails` (`TestFailoverJobDetails` for a test failover) naming each item and the recovery point it is recovered from. */
export function failoverJobDetails(operation: string, items: readonly StoredResource[], points: ReadonlyMap<string, RecoveryPointChoice>): JsonObject {
  return {
    instanceType: operation === "TestFailover" ? "TestFailoverJobDetails" : "FailoverJobDetails",
    affectedObjectDetails: {},
    protectedItemDetails: items.map((item) => {
      const point = points.get(item.id);
      return {
        name: String(item.body.name),
        friendlyName: String((item.body.properties as JsonObject).friendlyName),
        ...(point === undefined ? {} : { recoveryPointId: point.id, recoveryPointTime: new Date(point.time).toISOString() }),
      };
    }),
  };
}

/** Whether `sourceSiteOperations` asks to shut the source down first; 400 for another value. */
export function sourceShutDown(value: JsonValue | undefined): boolean {
  const operations = value ?? "NotRequired";
  if (operations !== "Required" && operations !== "NotRequired")
    throw new ArmError(400, "InvalidParameter", "'sourceSiteOperations' must be 'Required' or 'NotRequired'.", "properties.sourceSiteOperations");
  return operations === "Required";
}

/** 400 unless `comments` is absent or a string of at most 1,024 characters. */
export function checkComments(comments: JsonValue | undefined): void {
  if (comments !== undefined && (typeof comments !== "string" || comments.length > 1024))
    throw new ArmError(400, "InvalidParameter", "'properties.comments' must be a string of at most 1,024 characters.", "properties.comments");
}
