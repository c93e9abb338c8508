import { ArmError } from "../arm/armError.js";
import { optionalJsonBody, type RequestContext } from "../arm/requestContext.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { ComputeService } from "../compute/registerCompute.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, ID_PATTERNS } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import type { AsrTaskPlan } from "./asrJobs.js";
import { findOfType, instanceOf, propertiesOf } from "./asrResources.js";
import type { FailbackRun } from "./hyperVReplication.js";
import { HyperVSites, type HyperVVm } from "./hyperVSites.js";
import { isHyperV, type FailoverState, type HyperVItemInternal, type ItemInternal, type ProtectedItems } from "./protectedItems.js";
import { copyDurationMs, differingBlocks } from "./replicationModel.js";

const FAILBACK_KIND = "asr.hyperV.failback";
const REPROTECT_KIND = "asr.hyperV.reprotect";
const MB = 1024 * 1024;
const GIB = 1024 * MB;
const PREREQUISITES: AsrTaskPlan = { name: "PrerequisitesCheck", friendlyName: "Prerequisites check for failback", durationMs: 30_000 };
const SHUTDOWN_AZURE_VM: AsrTaskPlan = { name: "ShutdownAzureVm", friendlyName: "Shut down the virtual machine in Azure", durationMs: 60_000 };

/**
 * Failback of Hyper-V to Azure items (DOMAIN.md §5): once a failover to Azure is committed, a
 * planned failover from Azure back on-premises (`HyperVReplicaAzureFailbackProviderInput`), to the
 * original VM or to another host of the site (`providerIdForAlternateRecovery`), creating the VM
 * when it is not there and `recoveryVmCreationOption` allows it. `ForDownTime` synchronizes while
 * the Azure VM runs (only the blocks that differ, or the whole disks for a new VM), then shuts it
 * down and sends what changed meanwhile; `ForSynchronization` shuts it down and downloads the disks
 * in full. Then commit (the Azure VM is deleted), and reverse replication (`reProtect`,
 * `HyperVReplicaAzureReprotectInput`) protects the VM to Azure again, sending what it wrote since.
 */
export class HyperVFailback {
  constructor(
    private readonly asr: AsrContext,
    private readonly items: ProtectedItems,
    private readonly sites: HyperVSites,
    private readonly compute: ComputeService,
  ) {
    asr.jobs.registerStepped(FAILBACK_KIND, {
      taskDone: (job, index, at) => this.step(job, index, at),
      failed: (job) => this.abandonOf(job),
      cancelled: (job) => this.abandonOf(job),
      completed: (job, at) => {
        const found = this.itemOf(job);
        if (found !== undefined) this.failedBack(found, at);
      },
    });
    asr.jobs.register(REPROTECT_KIND, { complete: (op, at) => this.reprotected(String(op.data.itemId), at, op.data.settings as JsonObject) });
  }

  // ------------------------------------------------------------------------------ failback

  /** Starts the failback of `item` (a planned failover from Azure); returns its job. */
  start(ctx: RequestContext, item: StoredResource, properties: JsonObject): StoredResource {
    this.requireFailback(item);
    this.checkDirection(properties.failoverDirection);
    const field = "properties.providerSpecificDetails";
    const input = instanceOf(properties.providerSpecificDetails ?? { instanceType: "HyperVReplicaAzureFailback" }, field, ["HyperVReplicaAzureFailback"]);
    const prepared = this.prepare(item, input, field);
    const job = this.asr.jobs.startSteppedBy(
      this.asr.jobs.origin(ctx),
      this.items.itemJobSpec(item, {
        kind: FAILBACK_KIND,
        scenarioName: "PlannedFailover",
        friendlyName: "Failback (planned failover from Azure)",
        tasks: prepared.tasks,
      }),
    );
    this.begin(item, prepared, job.id);
    return job;
  }

  /** 409 OperationNotAllowed unless the item allows a failback now. */
  requireFailback(item: StoredResource): void {
    this.items.requireAllowed(item, "Failback", ": fail back after the failover to Azure is committed");
  }

  /** 400 InvalidFailoverDirection unless `direction` is absent or `RecoveryToPrimary` (a failback runs from Azure). */
  checkDirection(direction: JsonValue | undefined): void {
    if ((direction ?? "RecoveryToPrimary") !== "RecoveryToPrimary")
      throw new ArmError(
        400,
        "InvalidFailoverDirection",
        `A failback runs from Azure to on-premises: 'RecoveryToPrimary', not '${String(direction)}'.`,
        "properties.failoverDirection",
      );
  }

  /**
   * Checks a failback of `item` (`HyperVReplicaAzureFailback` input `input`, at `field`) and plans
   * it: where the VM goes, whether it is created, and the tasks of the failback with their
   * durations. Nothing changes until {@link HyperVFailback.begin}. An item's own failback runs these
   * tasks as its job; a recovery plan's failback runs them group by group (planExecution.ts).
   */
  prepare(item: StoredResource, input: JsonObject, field: string): PreparedFailback {
    const internal = item.internal as HyperVItemInternal;
    this.requireFailback(item);
    const dataSyncOption = choice(input.dataSyncOption, ["ForDownTime", "ForSynchronization"] as const, `${field}.dataSyncOption`, "ForDownTime");
    const recoveryVmCreationOption = choice(
      input.recoveryVmCreationOption,
      ["CreateVmIfNotFound", "NoAction"] as const,
      `${field}.recoveryVmCreationOption`,
      "NoAction",
    );
    if (this.items.hyperV.siteDown(internal))
      throw new ArmError(
        409,
        "TargetSiteUnavailable",
        `The on-premises site of replicated item '${String(item.body.name)}' is unreachable (its Site Recovery providers are not connected): it cannot fail back until the site is back.`,
      );
    const failover = internal.failover as FailoverState;
    if (this.compute.virtualMachines.get(failover.failedOverVmId) === undefined)
      throw new ArmError(
        409,
        "VmNotFoundForFailback",
        `The virtual machine '${failover.failedOverVmId}' in Azure no longer exists: there is nothing to fail back.`,
      );
    const siteId = this.items.hyperV.siteIdOf(internal);
    const alternateId = input.providerIdForAlternateRecovery;
    let providerId = this.items.hyperV.workloadOf(internal).providerId;
    if (alternateId !== undefined && alternateId !== null && alternateId !== "") {
      const provider = this.sites.provider(String(alternateId));
      if (provider === undefined || !provider.id.toLowerCase().startsWith(`${siteId.toLowerCase()}/`))
        throw new ArmError(
          400,
          "InvalidParameter",
          `'providerIdForAlternateRecovery' must be a host (Recovery Services provider) of the item's Hyper-V site, not '${String(alternateId)}'.`,
          `${field}.providerIdForAlternateRecovery`,
        );
      providerId = provider.id;
    }
    const alternate = providerId.toLowerCase() !== this.items.hyperV.workloadOf(internal).providerId.toLowerCase();
    const createVm = alternate || this.sites.getVm(internal.hyperV.vmRecordId) === undefined;
    const tasks = this.failbackTasks(internal, dataSyncOption, createVm, this.asr.services.now());
    return { tasks, dataSyncOption, recoveryVmCreationOption, providerId, alternate, createVm };
  }

  /** Marks `item` as failing back as `prepared` says, under job `jobId` (its own, or its recovery plan's). */
  begin(item: StoredResource, prepared: PreparedFailback, jobId: string): void {
    const internal = item.internal as HyperVItemInternal;
    const failover = internal.failover as FailoverState;
    const now = this.asr.services.now();
    const run: FailbackRun = {
      jobId,
      tasks: prepared.tasks.map((t) => t.name),
      dataSyncOption: prepared.dataSyncOption,
      recoveryVmCreationOption: prepared.recoveryVmCreationOption,
      providerId: prepared.providerId,
      alternate: prepared.alternate,
      createVm: prepared.createVm,
      targetVmRecordId: prepared.createVm ? null : internal.hyperV.vmRecordId,
      previousFailover: failover,
    };
    internal.hyperV.failback = run;
    Object.assign(internal, {
      phase: "FailoverInProgress",
      failover: { ...failover, type: "Planned", fromLocation: "Recovery", jobId, startedAt: now, sourceShutDown: true },
      scenario: "PlannedFailover",
      jobId,
      scenarioStart: now,
    });
  }

  /**
   * The failback's tasks: what is sent is the blocks that differ between the VM in Azure and the
   * one on-premises (what the Azure VM wrote since the failover, and what the source wrote that
   * never reached Azure), or the whole disks for a new VM or `ForSynchronization`.
   */
  private failbackTasks(internal: HyperVItemInternal, option: FailbackRun["dataSyncOption"], createVm: boolean, now: number): AsrTaskPlan[] {
    const workload = this.items.hyperV.workloadOf(internal);
    const failover = internal.failover as FailoverState;
    const total = internal.disks.reduce((sum, d) => sum + d.diskCapacityInBytes, 0);
    const bandwidth = this.asr.services.settings.replicationBandwidthMBps;
    const start: AsrTaskPlan = createVm
      ? { name: "StartOnPremisesVm", friendlyName: "Create the virtual machine on the Hyper-V host and start it", durationMs: 120_000 }
      : { name: "StartOnPremisesVm", friendlyName: "Start the virtual machine on-premises", durationMs: 60_000 };
    if (option === "ForSynchronization") {
      return [
        PREREQUISITES,
        SHUTDOWN_AZURE_VM,
        { name: "DownloadDisks", friendlyName: `Download the disks in full (${gb(total)} GB)`, durationMs: copyDurationMs(total, bandwidth) },
        start,
      ];
    }
    const azureWrites = this.sites.written(workload, internal.lastSuccessfulFailoverTime ?? failover.startedAt, now);
    const lostOnPremises = failover.sourceShutDown ? 0 : this.sites.written(workload, failover.recoveryPointTime, now);
    const differing = differingBlocks(azureWrites + lostOnPremises, total, workload.hotSetFraction);
    const firstSync: AsrTaskPlan = createVm
      ? { name: "CopyDisks", friendlyName: `Copy the disks in full while the Azure VM runs (${gb(total)} GB)`, durationMs: copyDurationMs(total, bandwidth) }
      : {
          name: "SyncWhileRunning",
          friendlyName: `Synchronize while the Azure VM runs: compare block checksums, send the ${differing.blocks} differing blocks of ${differing.totalBlocks} (${Math.round(differing.bytes / MB)} MB)`,
          durationMs: copyDurationMs(differing.bytes, bandwidth),
        };
    const firstEnd = now + PREREQUISITES.durationMs + firstSync.durationMs;
    const meanwhile = differingBlocks(this.sites.written(workload, now, firstEnd + SHUTDOWN_AZURE_VM.durationMs), total, workload.hotSetFraction);
    return [
      PREREQUISITES,
      firstSync,
      SHUTDOWN_AZURE_VM,
      {
        name: "SyncFinalChanges",
        friendlyName: `Send what the Azure VM changed meanwhile: ${meanwhile.blocks} blocks (${Math.round(meanwhile.bytes / MB)} MB)`,
        durationMs: copyDurationMs(meanwhile.bytes, bandwidth, 1000),
      },
      start,
    ];
  }

  private step(job: StoredResource, index: number, at: number): void {
    const found = this.itemOf(job);
    if (found !== undefined) this.applyTask(found, found.run.tasks[index], at);
  }

  /**
   * What the failback's task `task` does for the item failing back under job `jobId` (see
   * {@link HyperVFailback.prepare}'s tasks): the prerequisites (400 when the VM cannot be found or
   * created, or its host is gone; the original VM is turned off), the Azure VM's shutdown, the VM
   * started on-premises (created first when it must be). Tasks that only move data do nothing.
   */
  runTask(itemId: string, jobId: string, task: string, at: number): void {
    const found = this.itemRun(itemId, jobId);
    if (found !== undefined) this.applyTask(found, task, at);
  }

  private applyTask(found: FoundRun, task: string | undefined, at: number): void {
    const { internal, run } = found;
    switch (task) {
      case "PrerequisitesCheck": {
        const original = this.sites.getVm(internal.hyperV.vmRecordId);
        if (run.createVm && run.recoveryVmCreationOption !== "CreateVmIfNotFound") {
          throw new ArmError(
            400,
            run.alternate ? "AlternateLocationNeedsVmCreation" : "OnPremisesVmNotFound",
            run.alternate
              ? "Failback to another host creates the virtual machine there: set recoveryVmCreationOption 'CreateVmIfNotFound'."
              : `The on-premises virtual machine '${internal.hyperV.vmTemplate.name}' was not found; set recoveryVmCreationOption 'CreateVmIfNotFound' to create it.`,
          );
        }
        if (!run.createVm && original === undefined)
          throw new ArmError(400, "OnPremisesVmNotFound", `The on-premises virtual machine '${internal.hyperV.vmTemplate.name}' was not found.`);
        if (this.sites.provider(run.providerId) === undefined)
          throw new ArmError(400, "HostNotFound", `The Hyper-V host '${run.providerId}' is no longer registered.`);
        // The source may still run after an unplanned failover: it is turned off, its changes are overwritten.
        if (original !== undefined) this.sites.setPowerState(original.id, "Off");
        return;
      }
      case "ShutdownAzureVm":
        this.compute.virtualMachines.setPowerState((internal.failover as FailoverState).failedOverVmId, "stopped");
        return;
      case "StartOnPremisesVm": {
        const vm = run.createVm
          ? this.sites.createVm(this.items.hyperV.workloadOf(internal), run.providerId, at)
          : this.sites.getVm(internal.hyperV.vmRecordId);
        if (vm === undefined)
          throw new ArmError(400, "OnPremisesVmNotFound", `The on-premises virtual machine '${internal.hyperV.vmTemplate.name}' was not found.`);
        this.sites.setPowerState(vm.id, "Running");
        run.targetVmRecordId = vm.id;
        return;
      }
      default:
        return;
    }
  }

  /** The VM runs on-premises again: the failback (under job `jobId`) waits for commit. */
  completeFailback(itemId: string, jobId: string, at: number): void {
    const found = this.itemRun(itemId, jobId);
    if (found !== undefined) this.failedBack(found, at);
  }

  private failedBack(found: FoundRun, at: number): void {
    const { item, internal, run } = found;
    const vm = this.sites.getVm(run.targetVmRecordId ?? "");
    if (vm !== undefined && vm.id.toLowerCase() !== internal.hyperV.vmRecordId.toLowerCase()) {
      // The item now protects the VM the failback created.
      const created = vm.internal as HyperVVm;
      internal.hyperV.vmRecordId = vm.id;
      internal.vmId = vm.id;
      const properties = item.body.properties as JsonObject;
      properties.protectableItemId = HyperVSites.protectableItemId(internal.hyperV.containerId, created);
      properties.recoveryServicesProviderId = created.providerId;
      (properties.providerSpecificDetails as JsonObject).vmId = created.vmId;
      // Filed again under the VM it protects now (the store's lookups by VM).
      this.asr.services.resources.put(item);
    }
    Object.assign(internal, { phase: "FailoverCommitPending", activeLocation: "Primary", scenario: "None", lastSuccessfulFailoverTime: at });
    internal.hyperV.failedBackAt = at;
  }

  /** A failback (under job `jobId`) that failed or was cancelled before the VM ran on-premises: the item is back where it was (failed over, committed), its VM running in Azure. */
  abandonFailback(itemId: string, jobId: string): void {
    const found = this.itemRun(itemId, jobId);
    if (found !== undefined && found.internal.phase === "FailoverInProgress") this.abandon(found);
  }

  private abandonOf(job: StoredResource): void {
    const found = this.itemOf(job);
    if (found !== undefined) this.abandon(found);
  }

  private abandon(found: FoundRun): void {
    const { internal, run } = found;
    const failover = run.previousFailover as FailoverState;
    this.compute.virtualMachines.setPowerState(failover.failedOverVmId, "running");
    const created = run.createVm && run.targetVmRecordId !== null ? this.sites.getVm(run.targetVmRecordId) : undefined;
    if (created !== undefined) this.sites.removeVm(created);
    Object.assign(internal, { phase: "FailoverCommitted", activeLocation: "Recovery", failover, scenario: "None" });
    internal.hyperV.failback = null;
  }

  /** A failback's commit: the VM in Azure it left behind is deleted (inferred). */
  committed(internal: HyperVItemInternal, _at: number): void {
    if (internal.failover?.fromLocation === "Recovery") this.compute.virtualMachines.dematerialize(internal.failover.failedOverVmId);
  }

  private itemOf(job: StoredResource): FoundRun | undefined {
    return this.itemRun(String((job.internal as { data: JsonObject }).data.itemId), job.id);
  }

  /** The item `itemId` and its failback, when it fails back under job `jobId`. */
  private itemRun(itemId: string, jobId: string): FoundRun | undefined {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    const internal = item?.internal as ItemInternal | undefined;
    if (item === undefined || internal === undefined || !isHyperV(internal)) return undefined;
    const run = internal.hyperV.failback;
    return run === null || run.jobId !== jobId ? undefined : { item, internal, run };
  }

  // ------------------------------------------------------------------------------ reprotect

  /**
   * Reverse replication after a committed failback (`reProtect` with `HyperVReplicaAzureReprotectInput`):
   * the VM on-premises replicates to Azure again; the replica in Azure is the seed, so only the blocks
   * the VM changed since the failback are sent. The item is then protected (delta replication, new recovery points).
   */
  reprotect(ctx: RequestContext, item: StoredResource): EmulatorResponse {
    const prepared = this.prepareReprotect(item, propertiesOf(optionalJsonBody(ctx)));
    const job = this.items.startItemJob(ctx, item, {
      kind: REPROTECT_KIND,
      scenarioName: "ReverseReplicate",
      friendlyName: "Reverse replicate",
      tasks: prepared.tasks,
      data: { settings: prepared.settings },
    });
    this.beginReprotect(item, job.id);
    return this.asr.jobs.accepted(ctx, job);
  }

  /**
   * Checks a reverse replication of `item` (`properties` of a `reProtect` input; a recovery plan's
   * reprotect passes none) and plans it: the settings it takes and its tasks (prerequisites, reverse
   * replication enabled, the changed blocks sent). Nothing changes until {@link HyperVFailback.beginReprotect}.
   */
  prepareReprotect(item: StoredResource, properties: JsonObject): PreparedReprotect {
    const internal = item.internal as HyperVItemInternal;
    this.items.requireAllowed(item, "ReverseReplicate", ": reverse replication follows a committed failback");
    const direction = properties.failoverDirection ?? "PrimaryToRecovery";
    if (direction !== "PrimaryToRecovery")
      throw new ArmError(
        400,
        "InvalidFailoverDirection",
        `The VM runs on-premises again: it replicates 'PrimaryToRecovery', not '${String(direction)}'.`,
        "properties.failoverDirection",
      );
    const field = "properties.providerSpecificDetails";
    const input = instanceOf(properties.providerSpecificDetails ?? { instanceType: "HyperVReplicaAzure" }, field, ["HyperVReplicaAzure"]);
    if (this.items.hyperV.siteDown(internal))
      throw new ArmError(
        409,
        "SiteUnavailable",
        `The on-premises site of replicated item '${String(item.body.name)}' is unreachable (its Site Recovery providers are not connected): it cannot replicate to Azure again until the site is back.`,
      );
    const vmRecord = this.sites.getVm(internal.hyperV.vmRecordId);
    if (vmRecord === undefined)
      throw new ArmError(
        409,
        "VmNotFoundForReprotect",
        `The on-premises virtual machine '${internal.hyperV.vmTemplate.name}' no longer exists; it cannot be reprotected.`,
      );
    const vm = vmRecord.internal as HyperVVm;
    const mismatch = (key: string, given: unknown, ok: boolean): void => {
      if (given !== undefined && given !== null && !ok)
        throw new ArmError(400, "InvalidParameter", `'${key}' '${String(given)}' does not match the virtual machine '${vm.name}'.`, `${field}.${key}`);
    };
    mismatch("hvHostVmId", input.hvHostVmId, String(input.hvHostVmId).toLowerCase() === vm.vmId.toLowerCase());
    mismatch("vmName", input.vmName, String(input.vmName).toLowerCase() === vm.name.toLowerCase());
    mismatch(
      "vHDId",
      input.vHDId,
      vm.disks.some((d) => d.id.toLowerCase() === String(input.vHDId).toLowerCase()),
    );
    mismatch("osType", input.osType, input.osType === vm.osType);
    const settings: JsonObject = {};
    for (const key of ["storageAccountId", "logStorageAccountId"] as const) {
      const value = input[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== "string" || !ID_PATTERNS.storageAccount.test(value))
        throw new ArmError(400, "InvalidParameter", `'${key}' must be a storage account id.`, `${field}.${key}`);
      settings[key === "storageAccountId" ? "recoveryAzureStorageAccount" : "recoveryAzureLogStorageAccountId"] = value;
    }
    const now = this.asr.services.now();
    const total = internal.disks.reduce((sum, d) => sum + d.diskCapacityInBytes, 0);
    const changed = differingBlocks(this.sites.written(vm, internal.hyperV.failedBackAt ?? now, now), total, vm.hotSetFraction);
    return {
      settings,
      tasks: [
        { name: "PrerequisitesCheck", friendlyName: "Prerequisites check for reverse replication", durationMs: 30_000 },
        { name: "EnableReverseReplication", friendlyName: "Replicate to Azure again, the replica there as the seed", durationMs: 60_000 },
        {
          name: "SendChanges",
          friendlyName: `Send what the VM changed since the failback: the ${changed.blocks} differing blocks (${Math.round(changed.bytes / MB)} MB)`,
          durationMs: copyDurationMs(changed.bytes, this.asr.services.settings.replicationBandwidthMBps, 1000),
        },
      ],
    };
  }

  /** Marks `item` as replicating to Azure again under job `jobId` (its own, or its recovery plan's). */
  beginReprotect(item: StoredResource, jobId: string): void {
    Object.assign(item.internal, { phase: "Reprotecting", scenario: "ReverseReplicate", jobId, scenarioStart: this.asr.services.now() });
  }

  /** The reverse replication of `itemId` under job `jobId` is done: protected again, with `settings` (see {@link HyperVFailback.prepareReprotect}). */
  completeReprotect(itemId: string, jobId: string, at: number, settings: JsonObject = {}): void {
    const internal = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem)?.internal as ItemInternal | undefined;
    if (internal?.phase === "Reprotecting" && internal.jobId === jobId) this.reprotected(itemId, at, settings);
  }

  /** A reverse replication under job `jobId` that failed or was cancelled: the item is back to its committed failback. */
  abandonReprotect(itemId: string, jobId: string): void {
    const internal = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem)?.internal as ItemInternal | undefined;
    if (internal?.phase === "Reprotecting" && internal.jobId === jobId) Object.assign(internal, { phase: "FailoverCommitted", scenario: "None" });
  }

  /** Protected again: delta replication and recovery points start over from now. */
  private reprotected(itemId: string, at: number, settings: JsonObject): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    const internal = item?.internal as ItemInternal | undefined;
    if (item === undefined || internal === undefined || !isHyperV(internal)) return;
    Object.assign((item.body.properties as JsonObject).providerSpecificDetails as JsonObject, settings);
    Object.assign(internal, {
      phase: "Protected",
      activeLocation: "Primary",
      scenario: "None",
      initialReplicationEnd: at,
      outages: [],
      fault: null,
      failover: null,
      testFailover: null,
    });
    internal.hyperV.failback = null;
  }
}

/** A reverse replication checked and planned by {@link HyperVFailback.prepareReprotect}, not started yet. */
export interface PreparedReprotect {
  /** What it sets on the item's details when it completes (storage accounts of the input). */
  settings: JsonObject;
  /** Its tasks, in order, with their durations (PrerequisitesCheck, EnableReverseReplication, SendChanges). */
  tasks: AsrTaskPlan[];
}

/** A failback checked and planned by {@link HyperVFailback.prepare}, not started yet. */
export interface PreparedFailback {
  /** Its tasks, in order, with their durations (by name: PrerequisitesCheck, SyncWhileRunning or CopyDisks, ShutdownAzureVm, SyncFinalChanges or DownloadDisks, StartOnPremisesVm). */
  tasks: AsrTaskPlan[];
  dataSyncOption: FailbackRun["dataSyncOption"];
  recoveryVmCreationOption: FailbackRun["recoveryVmCreationOption"];
  providerId: string;
  alternate: boolean;
  createVm: boolean;
}

interface FoundRun {
  item: StoredResource;
  internal: HyperVItemInternal;
  run: FailbackRun;
}

function choice<T extends string>(value: unknown, allowed: readonly T[], field: string, fallback: T): T {
  if (value === undefined || value === null || value === "") return fallback;
  if (!allowed.includes(value as T))
    throw new ArmError(
      400,
      "InvalidParameter",
      `'${field.slice(field.lastIndexOf(".") + 1)}' must be one of ${allowed.join(", ")}, not '${String(value)}'.`,
      field,
    );
  return value as T;
}

function gb(bytes: number): number {
  return Math.round((bytes / GIB) * 100) / 100;
}
