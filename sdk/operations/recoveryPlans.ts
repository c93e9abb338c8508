import type { JobWaitOptions, PlanOperationRequest, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import type { Clock } from "../clock.js";
import { InvalidStateError, ValidationError } from "../errors.js";
import { logger } from "../logger.js";
import {
  hyperVRecoveryPointSchema,
  planFailbackInputSchema,
  planFailoverInputSchema,
  planTestFailoverInputSchema,
  type PlanFailbackInput,
  type PlanFailoverInput,
  type PlanRunHandle,
  type PlanRunResult,
  type PlanTestFailoverInput,
} from "../model/planRun.js";
import { reprotectInputSchema, type ReprotectInput, type ReprotectSettings } from "../model/protectedVm.js";
import { PlanRuns, SCENARIOS, type PlanRunOptions } from "./planRuns.js";
import { failoverRegion, failoverSite, type RegionFailoverOptions, type RegionFailoverReport, type SiteFailoverReport } from "./regionFailover.js";
import type { HyperVOperations } from "./hyperV.js";
import type { ProtectedVmOperations } from "./protectedVms.js";
import { z } from "zod";
import { isHyperVPlan, recoveryPlanInputSchema, type RecoveryPlan, type RecoveryPlanInput } from "../model/recoveryPlan.js";
import { validate } from "../model/validate.js";
import { asrNameSchema, vaultRefSchema, type VaultRef } from "../model/vault.js";
import { regionSchema } from "../model/names.js";

/** Options of a plan run: how to wait, and whether to wait at all. */
export interface PlanRunStartOptions extends PlanRunOptions {
  /** Start the operation and return at once: the result is the job as it stands (`InProgress`), with the handle to wait on later. */
  noWait?: boolean;
}

/**
 * Recovery plans: VMs that fail over together, in ordered boot groups, with actions between them.
 * Define them (create, update, get, list, delete) and run them as the service does: test
 * failover and cleanup, failover (planned or unplanned), commit, cancel; for Azure-to-Azure plans
 * failback is a failover of the plan once its VMs were reprotected. Plans of a Hyper-V site
 * (recovery fabric `Microsoft Azure`) run with the HyperVReplicaAzure inputs, fail back on-premises
 * with {@link RecoveryPlanOperations.failback} after their failover is committed, and reprotect
 * item by item. Each run returns a result read from the plan's job (steps, per-VM recovery
 * points, data loss, recovery time) and a handle another process can wait on.
 */
export class RecoveryPlanOperations {
  private readonly runs: PlanRuns;

  /** @internal */
  constructor(
    private readonly asr: SiteRecoveryGateway,
    clock: Clock,
    private readonly protectedVms: ProtectedVmOperations,
    private readonly hyperV: HyperVOperations,
  ) {
    this.runs = new PlanRuns(asr, clock);
  }

  /**
   * Creates a recovery plan, or replaces the groups of an existing one (the fabrics cannot change).
   * @throws ValidationError (`ValidationFailed`): more than 100 VMs or 7 boot groups, a VM in two groups, bad actions; Azure's 400s (a VM not protected from the primary fabric).
   * @throws ResourceNotFoundError (update of a missing plan); OperationFailedError; DrError `Aborted`.
   */
  async createOrUpdate(vault: VaultRef, name: string, input: RecoveryPlanInput, options: JobWaitOptions & { update?: boolean } = {}): Promise<RecoveryPlan> {
    const ref = validate(vaultRefSchema, vault, "vault");
    validate(asrNameSchema, name, "name");
    const parsed = validate(recoveryPlanInputSchema, input, "");
    logger.info(`${options.update === true ? "update" : "create"} recovery plan ${name} (${parsed.groups.length} boot groups)`);
    return this.asr.putRecoveryPlan(ref, name, parsed, options.update === true ? "update" : "create", options);
  }

  /** Reads a plan. @throws ResourceNotFoundError; ValidationError. */
  async get(vault: VaultRef, name: string): Promise<RecoveryPlan> {
    validate(asrNameSchema, name, "name");
    return this.asr.getRecoveryPlan(validate(vaultRefSchema, vault, "vault"), name);
  }

  /** Lists the vault's plans. @throws ValidationError. */
  list(vault: VaultRef): AsyncIterable<RecoveryPlan> {
    return this.asr.listRecoveryPlans(validate(vaultRefSchema, vault, "vault"));
  }

  /** Deletes a plan (the VMs stay protected). @throws ValidationError; OperationFailedError. */
  async delete(vault: VaultRef, name: string, options: JobWaitOptions = {}): Promise<void> {
    validate(asrNameSchema, name, "name");
    await this.asr.deleteRecoveryPlan(validate(vaultRefSchema, vault, "vault"), name, options);
  }

  /**
   * Test failover of the plan into an isolated network: groups in order, VMs of a group in
   * parallel; production and replication go on. The result is `WaitingForCleanup` until
   * {@link cleanupTest}. Runs again while under way follow the same job. A Hyper-V plan takes
   * `LatestProcessed` or `LatestApplicationConsistent` (no crash-consistent points).
   * @throws ValidationError (`ValidationFailed`: the input; `recoveryPoint` LatestCrashConsistent on a Hyper-V plan); ResourceNotFoundError (no such plan);
   * InvalidStateError (not allowed now: e.g. a test failover waits for cleanup); DrTimeoutError; DrError `Aborted`.
   */
  async testFailover(vault: VaultRef, name: string, input: PlanTestFailoverInput, options: PlanRunStartOptions = {}): Promise<PlanRunResult> {
    const parsed = validate(planTestFailoverInputSchema, input, "");
    const plan = await this.get(vault, name);
    if (isHyperVPlan(plan)) validate(hyperVRecoveryPointSchema, parsed.recoveryPoint, "recoveryPoint");
    return this.run(
      vault,
      plan,
      {
        operation: "testFailover",
        provider: providerOf(plan),
        direction: PlanRuns.direction(plan),
        networkId: parsed.networkId,
        recoveryPointType: parsed.recoveryPoint,
      },
      "TestFailover",
      options,
    );
  }

  /**
   * Cleans up the plan's test failover: the test VMs are deleted and the test failover's job completes.
   * @throws ValidationError; InvalidStateError (no test failover waits for cleanup); DrTimeoutError; DrError `Aborted`.
   */
  async cleanupTest(vault: VaultRef, name: string, comments?: string, options: PlanRunStartOptions = {}): Promise<PlanRunResult> {
    if (comments !== undefined) validate(z.string().max(1024, "must be at most 1,024 characters"), comments, "comments");
    const plan = await this.get(vault, name);
    return this.run(vault, plan, { operation: "testFailoverCleanup", comments }, "TestFailoverCleanup", options);
  }

  /**
   * Fails the plan over to the other region (or back: failback, once its VMs were reprotected).
   * `planned` shuts the source VMs down first and syncs (no data loss; refused when the source
   * region is down); `unplanned` recovers each VM from the recovery point type chosen and reports
   * the data loss. VMs already failed over (a run again after a partial failure) are left out.
   * A Hyper-V plan fails over to Azure (planned: its VMs shut down on-premises, their last changes
   * synced; unplanned: `Latest` is what the last delta cycle sent, no crash-consistent type); once
   * committed it fails back with {@link RecoveryPlanOperations.failback}, not with this.
   * @throws ValidationError (`ValidationFailed`: the input; `recoveryPoint` LatestCrashConsistent on a Hyper-V plan); ResourceNotFoundError (no such plan);
   * InvalidStateError (not allowed now, e.g. not protected, test failover pending cleanup, a Hyper-V plan running in Azure); DrTimeoutError; DrError `Aborted`.
   */
  async failover(vault: VaultRef, name: string, input: PlanFailoverInput, options: PlanRunStartOptions = {}): Promise<PlanRunResult> {
    const parsed = validate(planFailoverInputSchema, input, "");
    const plan = await this.get(vault, name);
    const planned = parsed.kind === "planned";
    if (isHyperVPlan(plan)) {
      if (parsed.recoveryPoint !== undefined) validate(hyperVRecoveryPointSchema, parsed.recoveryPoint, "recoveryPoint");
      if (plan.allowedOperations.includes("Failback"))
        throw new InvalidStateError(
          `recovery plan ${name}: its VMs run in Azure (failover committed); fail them back on-premises with recoveryPlans.failback.`,
          { resourceId: plan.id, azureCode: "InvalidFailoverDirection" },
        );
    }
    return this.run(
      vault,
      plan,
      {
        operation: "failover",
        provider: providerOf(plan),
        direction: PlanRuns.direction(plan),
        shutDownSource: planned,
        recoveryPointType: planned ? undefined : (parsed.recoveryPoint ?? "Latest"),
      },
      planned ? "PlannedFailover" : "UnplannedFailover",
      options,
    );
  }

  /**
   * Fails a Hyper-V plan back on-premises once its failover to Azure is committed: a planned
   * failover from Azure (`RecoveryToPrimary`) to each VM's original VM. `dataSync: "ForDownTime"`
   * synchronizes while the VMs still run in Azure, then shuts them down and sends what changed
   * meanwhile; `"ForSynchronization"` shuts them down and downloads the disks in full.
   * `createVmIfNotFound` creates a VM deleted on-premises (otherwise the failback fails at its
   * prerequisites and the VMs keep running in Azure). Groups start on-premises in order. Then
   * {@link RecoveryPlanOperations.commit} (the Azure VMs are deleted) and {@link RecoveryPlanOperations.reprotect}.
   * A failback already done is reported, never run twice.
   * @throws ValidationError (`ValidationFailed`: the input; an Azure-to-Azure plan, which fails back with `failover` once reprotected);
   * ResourceNotFoundError (no such plan); InvalidStateError (not allowed now: the failover is not committed, or the plan is not failed over);
   * DrTimeoutError; DrError `Aborted`.
   */
  async failback(vault: VaultRef, name: string, input: PlanFailbackInput = {}, options: PlanRunStartOptions = {}): Promise<PlanRunResult> {
    const parsed = validate(planFailbackInputSchema, input, "");
    const plan = await this.get(vault, name);
    if (!isHyperVPlan(plan))
      throw new ValidationError(
        "name",
        `recovery plan ${name} holds Azure-to-Azure VMs: it fails back with failover() once its VMs are reprotected; failback() is for Hyper-V plans`,
      );
    return this.run(
      vault,
      plan,
      { operation: "failback", dataSyncOption: parsed.dataSync, createVmIfNotFound: parsed.createVmIfNotFound },
      "Failback",
      options,
    );
  }

  /**
   * Commits the plan's failover: final for every VM of the plan (recovery points are deleted).
   * @throws ValidationError; InvalidStateError (nothing to commit); DrTimeoutError; DrError `Aborted`.
   */
  async commit(vault: VaultRef, name: string, options: PlanRunStartOptions = {}): Promise<PlanRunResult> {
    return this.run(vault, await this.get(vault, name), { operation: "commit" }, "Commit", options);
  }

  /**
   * Cancels the plan's uncommitted failover: the failed-over VMs are deleted, the sources run again.
   * @throws ValidationError; InvalidStateError (nothing to cancel); DrTimeoutError; DrError `Aborted`.
   */
  async cancel(vault: VaultRef, name: string, options: PlanRunStartOptions = {}): Promise<PlanRunResult> {
    return this.run(vault, await this.get(vault, name), { operation: "cancel" }, "CancelFailover", options);
  }

  /**
   * Follows a plan operation started earlier, possibly by another process, from its serialized
   * handle; it never starts the operation again.
   * @throws ValidationError (malformed handle); ResourceNotFoundError (the job is gone); DrTimeoutError; DrError `Aborted`.
   */
  async wait(handle: PlanRunHandle, options: PlanRunOptions = {}): Promise<PlanRunResult> {
    return this.runs.wait(handle, options);
  }

  /** Reads a plan operation as it stands now, from its handle. @throws ValidationError; ResourceNotFoundError. */
  async status(handle: PlanRunHandle): Promise<PlanRunResult> {
    return this.runs.read(handle);
  }

  /**
   * Reprotects the plan's VMs after a committed failover, group by group in the plan's order, the
   * VMs of a group in parallel (Azure deprecated plan-level reprotect). `settings` maps a
   * protected VM id to its target settings; others take the defaults. VMs already reprotected are
   * left as they are. Returns the plan, whose VMs then replicate in the reverse direction.
   * A Hyper-V plan's VMs, after their failback is committed, replicate to Azure again
   * (`HyperVReplicaAzure` reverse replication, item by item); they take no `settings`.
   * @throws ValidationError (`ValidationFailed`: a VM of `settings` not in the plan, or its settings invalid, checked for every VM before any is reprotected; `settings` on a Hyper-V plan); ResourceNotFoundError (no such plan);
   * InvalidStateError (the plan was never failed over, a VM not committed, the region to replicate to is down); OperationFailedError; DrError `Aborted`.
   */
  async reprotect(vault: VaultRef, name: string, settings: Readonly<Record<string, ReprotectInput>> = {}, options: JobWaitOptions = {}): Promise<RecoveryPlan> {
    const plan = await this.get(vault, name);
    if (isHyperVPlan(plan) && Object.keys(settings).length > 0)
      throw new ValidationError("settings", `recovery plan ${name} holds Hyper-V VMs: their reverse replication to Azure takes no target settings`);
    const validSettings = new Map<string, ReprotectSettings>();
    for (const [id, input] of Object.entries(settings)) {
      if (!plan.groups.some((g) => g.protectedVmIds.some((vm) => vm.toLowerCase() === id.toLowerCase())))
        throw new ValidationError(`settings.${id}`, `is not a protected VM of recovery plan ${name}`);
      validSettings.set(id.toLowerCase(), validate(reprotectInputSchema, input, `settings.${id}`));
    }
    await this.requireFailedOver(plan);
    for (const group of plan.groups.filter((g) => g.type === "Boot")) {
      await Promise.all(
        group.protectedVmIds.map(async (id) => {
          if (isHyperVPlan(plan)) return this.reprotectHyperVVm(name, id, options);
          const vm = await this.protectedVms.get(id);
          if (!vm.allowedOperations.includes("ReverseReplicate") && vm.phase !== "failedOver" && vm.phase !== "failingOver") {
            logger.info(`recovery plan ${name}: ${vm.name} is ${vm.phase}; not reprotected again`);
            return;
          }
          await this.protectedVms.reprotectRead(vm, validSettings.get(id.toLowerCase()) ?? {}, options);
        }),
      );
    }
    return this.get(vault, name);
  }

  /**
   * The region-outage runbook: fails over (unplanned) every plan of the vault whose VMs run in
   * `region` now, in parallel, and reports per plan which VMs were recovered (with their data
   * loss) and which were lost and why; plans that cannot fail over are reported `skipped`.
   * Manual actions follow `options.onManualAction` (without it, a plan stops at its first one).
   * @throws ValidationError; DrError `Aborted`; errors other than a plan's invalid state.
   */
  async failoverRegion(vault: VaultRef, region: string, options: RegionFailoverOptions = {}): Promise<RegionFailoverReport> {
    const ref = validate(vaultRefSchema, vault, "vault");
    const name = validate(regionSchema, region, "region");
    const recoveryPoint = options.recoveryPoint ?? "Latest";
    return failoverRegion(this.asr, ref, name, (plan, runOptions) => this.failover(ref, plan.name, { kind: "unplanned", recoveryPoint }, runOptions), options);
  }

  /**
   * The on-premises site-outage runbook (Hyper-V to Azure): fails over to Azure (unplanned, from the
   * latest data Azure received, or the given point type) every recovery plan of the vault whose VMs
   * replicate from the site, in parallel, and reports per plan which VMs were recovered (with their
   * data loss) and which were lost and why; plans that cannot fail over (already failed over) are
   * reported `skipped`. Manual actions follow `options.onManualAction`.
   * @throws ValidationError (bad names; `siteName` is not a Hyper-V site of the vault; a point type Hyper-V plans do not take); ResourceNotFoundError (no such vault or site); DrError `Aborted`; errors other than a plan's invalid state.
   */
  async failoverSite(vault: VaultRef, siteName: string, options: RegionFailoverOptions = {}): Promise<SiteFailoverReport> {
    const ref = validate(vaultRefSchema, vault, "vault");
    const site = await this.hyperV.findSite(ref, siteName);
    if (site === undefined) throw new ValidationError("siteName", `'${siteName}' is not a Hyper-V site of vault ${ref.name}`);
    const recoveryPoint = options.recoveryPoint ?? "Latest";
    return failoverSite(this.asr, ref, site, (plan, runOptions) => this.failover(ref, plan.name, { kind: "unplanned", recoveryPoint }, runOptions), options);
  }

  /**
   * Refuses the reprotect of a plan that was never failed over: none of its VMs waits for reprotect
   * (or is failed over, which the VM's own reprotect refuses with its reason) and the plan's last
   * run is not a committed failover, after which its VMs may be reprotected already (left as they are).
   */
  private async requireFailedOver(plan: RecoveryPlan): Promise<void> {
    const committed = plan.currentScenario !== undefined && SCENARIOS.commit.includes(plan.currentScenario.name) && plan.currentScenario.status === "Succeeded";
    if (committed) return;
    const ids = plan.groups.flatMap((g) => g.protectedVmIds);
    const waiting = await Promise.all(
      ids.map(async (id) => {
        if (isHyperVPlan(plan)) return !["protected", "reprotecting", "enabling", "initialReplication"].includes((await this.hyperV.get(id)).phase);
        const vm = await this.protectedVms.get(id);
        return vm.allowedOperations.includes("ReverseReplicate") || vm.phase === "failedOver" || vm.phase === "failingOver" || vm.phase === "committed";
      }),
    );
    if (ids.length > 0 && !waiting.some(Boolean))
      throw new InvalidStateError(
        `recovery plan ${plan.name}: nothing to reprotect: its VMs were not failed over${plan.currentScenario === undefined ? "" : ` (its last run is ${plan.currentScenario.name} ${plan.currentScenario.status})`}; reprotect follows a committed failover.`,
        { resourceId: plan.id, azureCode: "OperationNotAllowed" },
      );
  }

  /**
   * Reverse replication of one Hyper-V VM of a plan after its committed failback, waited for. A VM
   * replicating already is left as it is; one that cannot be reprotected now is an InvalidStateError.
   */
  private async reprotectHyperVVm(plan: string, id: string, options: JobWaitOptions): Promise<void> {
    const vm = await this.hyperV.get(id);
    if (vm.phase === "protected" || vm.phase === "reprotecting") {
      logger.info(`recovery plan ${plan}: ${vm.vmName} replicates to Azure already; not reprotected again`);
      return;
    }
    logger.info(`recovery plan ${plan}: reverse replication of ${vm.vmName} to Azure`);
    await this.hyperV.reprotect(id, {}, options);
  }

  private async run(
    vault: VaultRef,
    plan: RecoveryPlan,
    request: PlanOperationRequest,
    required: string,
    options: PlanRunStartOptions,
  ): Promise<PlanRunResult> {
    const handle = await this.runs.start(vault, plan, request, required, options.abortSignal);
    if (options.noWait === true) return this.runs.read(handle);
    return this.runs.wait(handle, options);
  }
}

/** The job scenarios of a plan's committed failover. */

/** The replication provider of a plan's VMs, which decides the provider inputs its runs send. */
function providerOf(plan: RecoveryPlan): "A2A" | "HyperVReplicaAzure" {
  return isHyperVPlan(plan) ? "HyperVReplicaAzure" : "A2A";
}
