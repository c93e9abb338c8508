import { ArmError } from "../arm/armError.js";
import { optionalJsonBody, type RequestContext } from "../arm/requestContext.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { ComputeService } from "../compute/registerCompute.js";
import type { StoredResource } from "../store/state.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, propertiesOf } from "./asrResources.js";
import { pointName, type FailoverState, type ItemInternal, type ProtectedItems } from "./protectedItems.js";
import { recoveryPointsAt } from "./replicationModel.js";

const ITEM_PATH =
  "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectedItems/{replicatedProtectedItemName}";
const VNET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i;
const PREREQUISITES = { name: "PrerequisitesCheck", friendlyName: "Prerequisite check", durationMs: 30_000 };
const CREATE_VM = { name: "CreateVm", friendlyName: "Create the virtual machine in the target region", durationMs: 120_000 };
const START_VM = { name: "StartVm", friendlyName: "Start the virtual machine", durationMs: 60_000 };

/**
 * Failover of one replicated item (DOMAIN.md §5, Azure-to-Azure): test failover into an isolated
 * network (the job waits, Suspended, until cleanup), failover with the source shut down first
 * (no data loss) or from a chosen recovery point, change of recovery point, cancel, and commit.
 * Every action checks the item's `allowedOperations` first and refuses with 409 naming the state.
 */
export class ItemFailover {
  constructor(
    private readonly asr: AsrContext,
    private readonly items: ProtectedItems,
    private readonly compute: ComputeService,
  ) {
    asr.jobs.register("asr.item.testFailover", {
      complete: (op, at) => this.testFailoverDone(String(op.data.itemId), at),
      failed: (op) => this.withItem(String(op.data.itemId), (i) => (i.testFailover = null)),
    });
    asr.jobs.register("asr.item.testFailoverCleanup", { complete: (op, at) => this.cleanupDone(String(op.data.itemId), at) });
    asr.jobs.register("asr.item.failover", {
      complete: (op, at) => this.failoverDone(String(op.data.itemId), at),
      failed: (op, at) => this.rollBack(String(op.data.itemId), at),
    });
    asr.jobs.register("asr.item.changeRecoveryPoint", { complete: (op) => this.recreate(String(op.data.itemId), op.data.point as JsonObject) });
    asr.jobs.register("asr.item.cancelFailover", { complete: (op, at) => this.rollBack(String(op.data.itemId), at) });
    asr.jobs.register("asr.item.commit", {
      complete: (op) => this.withItem(String(op.data.itemId), (i) => Object.assign(i, { phase: "FailoverCommitted", scenario: "None" })),
    });
  }

  register(router: Router): void {
    addAsrRoute(router, "POST", `${ITEM_PATH}/testFailover`, "ReplicationProtectedItems_TestFailover", (ctx) => this.testFailover(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/testFailoverCleanup`, "ReplicationProtectedItems_TestFailoverCleanup", (ctx) => this.cleanup(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/unplannedFailover`, "ReplicationProtectedItems_UnplannedFailover", (ctx) => this.failover(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/plannedFailover`, "ReplicationProtectedItems_PlannedFailover", () => {
      throw new ArmError(
        400,
        "OperationNotSupported",
        "Azure-to-Azure items fail over with 'unplannedFailover'; pass sourceSiteOperations 'Required' to shut the source VM down first (no data loss).",
      );
    });
    addAsrRoute(router, "POST", `${ITEM_PATH}/applyRecoveryPoint`, "ReplicationProtectedItems_ApplyRecoveryPoint", (ctx) => this.changeRecoveryPoint(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/failoverCancel`, "ReplicationProtectedItems_FailoverCancel", (ctx) => this.cancel(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/failoverCommit`, "ReplicationProtectedItems_FailoverCommit", (ctx) => this.commit(ctx));
  }

  /** 409 OperationNotAllowed unless `operation` is in the item's allowed operations now; returns the item. */
  private allowed(ctx: RequestContext, operation: string): { item: StoredResource; internal: ItemInternal } {
    const item = this.items.require(ctx);
    const properties = this.items.view(item).properties as JsonObject;
    const allowed = properties.allowedOperations as JsonValue[];
    if (!allowed.includes(operation)) {
      throw new ArmError(
        409,
        "OperationNotAllowed",
        `Operation '${operation}' is not allowed on replicated item '${String(item.body.name)}' in state '${String(properties.protectionState)}' (${String(properties.protectionStateDescription)}). Allowed operations: [${allowed.join(", ")}].`,
      );
    }
    return { item, internal: item.internal as ItemInternal };
  }

  private withItem(itemId: string, change: (internal: ItemInternal) => void): void {
    const item = this.asr.services.resources.get(itemId);
    if (item !== undefined) change(item.internal as ItemInternal);
  }

  /** The recovery point an input names (an id of one of the item's points), or the newest one. */
  private pointFor(item: StoredResource, input: JsonObject, field: string, latestIfSourceUp: boolean): { id: string; time: number } {
    const internal = item.internal as ItemInternal;
    const requested = input.recoveryPointId;
    const now = this.asr.services.now();
    if (requested === undefined || requested === null || requested === "") {
      if (latestIfSourceUp && !this.asr.services.isRegionDown(internal.sourceLocation)) {
        return { id: `${item.id}/recoveryPoints/${pointName(internal.lifecycleId, now, "Latest")}`, time: now };
      }
      const inputs = this.items.pointInputs(internal, now);
      const newest = inputs === undefined ? undefined : recoveryPointsAt(inputs)[0];
      if (newest === undefined) throw new ArmError(400, "NoRecoveryPoint", `Replicated item '${String(item.body.name)}' has no recovery point yet.`, field);
      return { id: `${item.id}/recoveryPoints/${pointName(internal.lifecycleId, newest.time, newest.type)}`, time: newest.time };
    }
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

  private a2aInput(properties: JsonObject): JsonObject {
    const provider = properties.providerSpecificDetails;
    if (provider === undefined || provider === null) return {};
    if (typeof provider !== "object" || Array.isArray(provider) || provider.instanceType !== "A2A") {
      throw new ArmError(
        400,
        "InvalidParameter",
        "'properties.providerSpecificDetails.instanceType' must be 'A2A' for an Azure-to-Azure item.",
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
    const details = (item.body.properties as JsonObject).providerSpecificDetails as JsonObject;
    return `${String(details.recoveryAzureResourceGroupId)}/providers/Microsoft.Compute/virtualMachines/${String(details.recoveryAzureVMName)}${suffix}`;
  }

  private materialize(item: StoredResource, vmId: string, networkId: string | undefined): void {
    const internal = item.internal as ItemInternal;
    const details = (item.body.properties as JsonObject).providerSpecificDetails as JsonObject;
    if (this.compute.virtualMachines.get(vmId) !== undefined)
      throw new ArmError(409, "TargetVmAlreadyExists", `A virtual machine '${vmId}' already exists in the target region.`);
    const source = this.compute.virtualMachines.get(internal.vmId);
    const template = (source?.body.properties ?? { hardwareProfile: { vmSize: details.recoveryAzureVMSize } }) as JsonObject;
    this.compute.virtualMachines.materialize({
      id: vmId,
      location: internal.targetLocation,
      template: { ...template, hardwareProfile: { vmSize: String(details.recoveryAzureVMSize) } },
      ...(typeof details.recoveryAvailabilitySet === "string" ? { availabilitySetId: details.recoveryAvailabilitySet } : {}),
      ...(typeof details.recoveryAvailabilityZone === "string" ? { zone: details.recoveryAvailabilityZone } : {}),
      ...(networkId === undefined ? {} : { networkId }),
      tags: { "azure-dr:replicated-item": String(item.body.name) },
    });
  }

  private testFailover(ctx: RequestContext): EmulatorResponse {
    const { item, internal } = this.allowed(ctx, "TestFailover");
    const properties = propertiesOf(optionalJsonBody(ctx));
    this.checkDirection(properties, internal);
    const networkId = String(properties.networkId ?? "");
    if (!VNET_ID.test(networkId)) {
      throw new ArmError(
        400,
        "InvalidParameter",
        "A test failover needs 'properties.networkId': the isolated virtual network the test VM joins (networkType 'VmNetworkAsInput').",
        "properties.networkId",
      );
    }
    const point = this.pointFor(item, this.a2aInput(properties), "properties.providerSpecificDetails.recoveryPointId", false);
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.testFailover",
      scenarioName: "TestFailover",
      friendlyName: "Test failover",
      tasks: [PREREQUISITES, CREATE_VM, START_VM],
      data: { networkId },
      suspendOnSuccess: true,
    });
    internal.testFailover = { state: "InProgress", jobId: job.id, testVmId: this.recoveryVmId(item, "-test"), recoveryPointTime: point.time };
    Object.assign(internal, { scenario: "TestFailover", jobId: job.id, scenarioStart: this.asr.services.now() });
    return this.asr.jobs.accepted(ctx, job);
  }

  private testFailoverDone(itemId: string, at: number): void {
    const item = this.asr.services.resources.get(itemId);
    const internal = item?.internal as ItemInternal | undefined;
    if (item === undefined || internal === undefined || internal.testFailover === null) return;
    const job = this.asr.jobs.get(internal.testFailover.jobId);
    const networkId = String(((job?.internal as JsonObject | undefined)?.data as JsonObject | undefined)?.networkId ?? "");
    this.materialize(item, internal.testFailover.testVmId, networkId === "" ? undefined : networkId);
    internal.testFailover.state = "WaitingForCompletion";
    internal.lastSuccessfulTestFailoverTime = at;
  }

  private cleanup(ctx: RequestContext): EmulatorResponse {
    const { item, internal } = this.allowed(ctx, "TestFailoverCleanup");
    const comments = propertiesOf(optionalJsonBody(ctx)).comments;
    if (comments !== undefined && (typeof comments !== "string" || comments.length > 1024))
      throw new ArmError(400, "InvalidParameter", "'properties.comments' must be a string of at most 1,024 characters.", "properties.comments");
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.testFailoverCleanup",
      scenarioName: "TestFailoverCleanup",
      friendlyName: "Test failover cleanup",
      tasks: [{ name: "DeleteTestVm", friendlyName: "Delete the test virtual machine", durationMs: 60_000 }],
    });
    (internal.testFailover as NonNullable<ItemInternal["testFailover"]>).state = "CleanupInProgress";
    Object.assign(internal, { scenario: "TestFailoverCleanup", jobId: job.id, scenarioStart: this.asr.services.now() });
    return this.asr.jobs.accepted(ctx, job);
  }

  private cleanupDone(itemId: string, at: number): void {
    this.withItem(itemId, (internal) => {
      const test = internal.testFailover;
      if (test === null) return;
      this.compute.virtualMachines.dematerialize(test.testVmId);
      this.asr.jobs.completeSuspended(test.jobId, at);
      internal.testFailover = null;
      internal.scenario = "None";
    });
  }

  private failover(ctx: RequestContext): EmulatorResponse {
    const { item, internal } = this.allowed(ctx, "UnplannedFailover");
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
    const operations = properties.sourceSiteOperations ?? "NotRequired";
    if (operations !== "Required" && operations !== "NotRequired")
      throw new ArmError(400, "InvalidParameter", "'sourceSiteOperations' must be 'Required' or 'NotRequired'.", "properties.sourceSiteOperations");
    const shutDown = operations === "Required";
    if (shutDown && this.asr.services.isRegionDown(internal.sourceLocation)) {
      throw new ArmError(
        409,
        "SourceRegionUnavailable",
        `The source region '${internal.sourceLocation}' is unavailable: the source VM cannot be shut down first. Fail over with sourceSiteOperations 'NotRequired' from a recovery point.`,
      );
    }
    const a2a = this.a2aInput(properties);
    if (shutDown && a2a.recoveryPointId !== undefined && a2a.recoveryPointId !== null) {
      throw new ArmError(
        400,
        "InvalidParameter",
        "A failover that shuts the source down first syncs the latest data; it takes no recovery point.",
        "properties.providerSpecificDetails.recoveryPointId",
      );
    }
    const point = this.pointFor(item, a2a, "properties.providerSpecificDetails.recoveryPointId", true);
    const now = this.asr.services.now();
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.failover",
      scenarioName: "UnplannedFailover",
      friendlyName: shutDown ? "Failover (source shut down first)" : "Failover",
      tasks: [
        PREREQUISITES,
        ...(shutDown ? [{ name: "ShutdownSource", friendlyName: "Shut down the source virtual machine and sync the latest data", durationMs: 90_000 }] : []),
        CREATE_VM,
        START_VM,
      ],
    });
    const failover: FailoverState = {
      type: shutDown ? "Planned" : "Unplanned",
      fromLocation: internal.activeLocation,
      jobId: job.id,
      startedAt: now,
      recoveryPointTime: point.time,
      recoveryPointId: point.id,
      failedOverVmId: this.recoveryVmId(item),
      sourceShutDown: shutDown,
    };
    Object.assign(internal, { phase: "FailoverInProgress", failover, scenario: "UnplannedFailover", jobId: job.id, scenarioStart: now });
    internal.outages.push({ from: now, to: null });
    return this.asr.jobs.accepted(ctx, job);
  }

  private failoverDone(itemId: string, at: number): void {
    const item = this.asr.services.resources.get(itemId);
    const internal = item?.internal as ItemInternal | undefined;
    if (item === undefined || internal === undefined || internal.failover === null) return;
    if (internal.failover.sourceShutDown) this.compute.virtualMachines.setPowerState(internal.vmId, "stopped");
    this.materialize(
      item,
      internal.failover.failedOverVmId,
      stringOr(((item.body.properties as JsonObject).providerSpecificDetails as JsonObject).selectedRecoveryAzureNetworkId),
    );
    Object.assign(internal, {
      phase: "FailoverCommitPending",
      activeLocation: internal.failover.fromLocation === "Primary" ? "Recovery" : "Primary",
      scenario: "None",
      lastSuccessfulFailoverTime: at,
    });
  }

  /** Undoes a failover (failed or cancelled): the failed-over VM goes, the source runs again, replication resumes. */
  private rollBack(itemId: string, at: number): void {
    this.withItem(itemId, (internal) => {
      const failover = internal.failover;
      if (failover === null) return;
      this.compute.virtualMachines.dematerialize(failover.failedOverVmId);
      if (failover.sourceShutDown) this.compute.virtualMachines.setPowerState(internal.vmId, "running");
      const open = internal.outages.find((o) => o.to === null);
      if (open !== undefined && internal.fault === null) open.to = at;
      Object.assign(internal, { phase: "Protected", activeLocation: failover.fromLocation, failover: null, scenario: "None" });
    });
  }

  private changeRecoveryPoint(ctx: RequestContext): EmulatorResponse {
    const { item } = this.allowed(ctx, "ChangePit");
    const properties = propertiesOf(optionalJsonBody(ctx));
    this.a2aInput(properties);
    if (properties.providerSpecificDetails === undefined)
      throw new ArmError(
        400,
        "InvalidParameter",
        "'properties.providerSpecificDetails' is required ({ instanceType: 'A2A' }).",
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
    this.materialize(
      item,
      internal.failover.failedOverVmId,
      stringOr(((item.body.properties as JsonObject).providerSpecificDetails as JsonObject).selectedRecoveryAzureNetworkId),
    );
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
    return this.asr.jobs.accepted(ctx, job);
  }

  private commit(ctx: RequestContext): EmulatorResponse {
    const { item, internal } = this.allowed(ctx, "Commit");
    const job = this.items.startItemJob(ctx, item, {
      kind: "asr.item.commit",
      scenarioName: "FailoverCommit",
      friendlyName: "Commit",
      tasks: [{ name: "Commit", friendlyName: "Commit the failover (recovery points are deleted)", durationMs: 60_000 }],
    });
    Object.assign(internal, { phase: "CommitInProgress", scenario: "FailoverCommit", jobId: job.id, scenarioStart: this.asr.services.now() });
    return this.asr.jobs.accepted(ctx, job);
  }
}

function stringOr(value: JsonValue | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
