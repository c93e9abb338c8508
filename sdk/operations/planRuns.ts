import type { PlanOperationRequest, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import type { Clock } from "../clock.js";
import { DrTimeoutError, InvalidStateError } from "../errors.js";
import { logger } from "../logger.js";
import { jobPercent, type Job, type JobProgress } from "../model/job.js";
import { planRunHandleSchema, type ManualActionRequest, type PlanRunHandle, type PlanRunItem, type PlanRunResult, type PlanRunStep } from "../model/planRun.js";
import { isHyperVPlan, type RecoveryPlan } from "../model/recoveryPlan.js";
import { parseReplicatedItemId } from "../model/replicatedItemId.js";
import { validate } from "../model/validate.js";
import type { VaultRef } from "../model/vault.js";

/**
 * How a finished plan failover ran: `planned` when it is Hyper-V's `PlannedFailover` or its job
 * shut the source VMs down first (an Azure-to-Azure plan's planned failover is an
 * `UnplannedFailover` with `sourceSiteOperations: Required`, whose Shutdown group runs the
 * `ShutdownSourceVms` step), else `unplanned`. The step's name is the emulator's (inferred, see
 * emulator/FIDELITY.md): Azure records no failover kind on an Azure-to-Azure plan's job otherwise.
 */
function failoverKind(job: Job): "planned" | "unplanned" {
  return job.scenario === "PlannedFailover" || job.tasks.some((t) => t.name === "ShutdownSourceVms" && t.state === "Succeeded") ? "planned" : "unplanned";
}

/** Site Recovery asks clients to wait 30 seconds between polls. */
const POLL_MS = 30_000;

/** How the runner waits for a plan's job. */
export interface PlanRunOptions {
  /** Called on every reading of the job (its tasks say which group and action run). */
  onProgress?: (progress: JobProgress) => void;
  /**
   * Called when the job stops at a manual action: resolve `true` to resume the plan, `false` to
   * stop waiting (the result is then `WaitingForUser`; resume later with `jobs.resume` and `wait`).
   * Without it the runner stops waiting at the first manual action.
   */
  onManualAction?: (request: ManualActionRequest) => boolean | Promise<boolean>;
  /** Stops the wait (never the job): DrError `Aborted`. */
  abortSignal?: AbortSignal;
  /** Give up (DrTimeoutError) after this much of the backend's time. @default 24 hours */
  timeoutInMs?: number;
}

/** The job scenarios each plan operation runs as. */
export const SCENARIOS: Readonly<Record<PlanOperationRequest["operation"], readonly string[]>> = {
  testFailover: ["TestFailover"],
  testFailoverCleanup: ["TestFailoverCleanup"],
  failover: ["UnplannedFailover", "PlannedFailover"],
  // A Hyper-V plan's failback is a planned failover from Azure.
  failback: ["PlannedFailover"],
  commit: ["CommitFailover", "FailoverCommit"],
  cancel: ["CancelFailover"],
};

/**
 * Runs a recovery plan's operations and follows their job to the end: resumes manual actions
 * when the caller says so, and builds the result (steps, per-VM recovery points, data loss and
 * recovery time). Idempotent: when the plan already runs the same operation, it follows that job;
 * when the operation already happened, it reports it; it never starts it twice.
 */
export class PlanRuns {
  /** @internal */
  constructor(
    private readonly asr: SiteRecoveryGateway,
    private readonly clock: Clock,
  ) {}

  /** The direction the plan's VMs fail over in now: back to the primary once they were reprotected from the recovery region. */
  static direction(plan: RecoveryPlan): "PrimaryToRecovery" | "RecoveryToPrimary" {
    const first = plan.groups.flatMap((g) => g.protectedVmIds)[0] ?? "";
    return first.toLowerCase().startsWith(`${plan.primaryFabricId.toLowerCase()}/`) || first === "" ? "PrimaryToRecovery" : "RecoveryToPrimary";
  }

  /**
   * Starts `request` on the plan, or finds it already under way or done.
   * @throws InvalidStateError naming the plan's allowed operations when it allows neither (a failover
   * of the other kind, planned or unplanned, done already included).
   */
  async start(
    vault: VaultRef,
    plan: RecoveryPlan,
    request: PlanOperationRequest,
    requiredOperation: string,
    abortSignal?: AbortSignal,
  ): Promise<PlanRunHandle> {
    const scenarios = SCENARIOS[request.operation];
    const scenario = requiredOperation;
    const current =
      plan.currentScenario !== undefined && scenarios.includes(plan.currentScenario.name)
        ? await this.asr.getJob(vault, plan.currentScenario.jobName)
        : undefined;
    // Under way: running, or stopped at a manual action (a test failover waiting for cleanup is done, not under way).
    if (current !== undefined && (current.state === "InProgress" || current.tasks.some((t) => t.state === "Suspended"))) {
      logger.info(`recovery plan ${plan.name}: ${scenario} already under way (job ${current.name}); following it`);
      return this.handle(vault, plan.name, request.operation, current.name, current.startTime ?? this.clock.now());
    }
    if (!plan.allowedOperations.includes(requiredOperation)) {
      // The plan's current scenario is its last operation: when it is this one and it succeeded, report it.
      const done = current;
      // A failover of another kind (planned after unplanned, or the reverse) is not the one asked for: refused below, never reported as done.
      const sameKind = request.operation !== "failover" || done === undefined || failoverKind(done) === (request.shutDownSource ? "planned" : "unplanned");
      if (done?.state === "Succeeded" && (await this.sameDirection(plan, request))) {
        if (sameKind) {
          logger.info(`recovery plan ${plan.name}: ${scenario} already done (job ${done.name}); reporting it`);
          return this.handle(vault, plan.name, request.operation, done.name, done.startTime ?? this.clock.now());
        }
        throw new InvalidStateError(
          `recovery plan ${plan.name} is already failed over by ${failoverKind(done) === "planned" ? "a planned" : "an unplanned"} failover (job ${done.name}): ${request.operation === "failover" && request.shutDownSource ? "a planned" : "an unplanned"} failover is not allowed now; commit or cancel it first; allowed now: [${plan.allowedOperations.join(", ")}].`,
          { resourceId: plan.id, azureCode: "OperationNotAllowed" },
        );
      }
      throw new InvalidStateError(
        `recovery plan ${plan.name}: '${requiredOperation}' is not allowed now${plan.currentScenario === undefined ? "" : ` (${plan.currentScenario.name} is ${plan.currentScenario.status})`}; allowed now: [${plan.allowedOperations.join(", ")}].`,
        { resourceId: plan.id, azureCode: "OperationNotAllowed" },
      );
    }
    const startedAt = this.clock.now();
    const jobName = await this.asr.startPlanOperation(vault, plan.name, request, abortSignal);
    logger.info(`recovery plan ${plan.name}: ${scenario} started (job ${jobName})`);
    return this.handle(vault, plan.name, request.operation, jobName, startedAt);
  }

  /**
   * Follows a started operation to its end (or to a manual action the caller does not resume).
   * @throws DrTimeoutError; DrError `Aborted`; ValidationError for a malformed handle.
   */
  async wait(handleInput: PlanRunHandle, options: PlanRunOptions = {}): Promise<PlanRunResult> {
    const handle = validate(planRunHandleSchema, handleInput, "handle");
    const deadline = this.clock.now().getTime() + (options.timeoutInMs ?? 24 * 3600_000);
    for (;;) {
      const job = await this.asr.getJob(handle.vault, handle.jobName);
      options.onProgress?.({ job, percent: jobPercent(job) });
      const waiting = job.tasks.find((t) => t.state === "Suspended");
      if (job.state === "Suspended" && waiting !== undefined) {
        const resume = options.onManualAction === undefined ? false : await options.onManualAction({ handle, job, step: toStep(waiting) });
        if (!resume) return this.result(handle, job);
        logger.info(`recovery plan ${handle.plan}: resuming after ${waiting.friendlyName}`);
        await this.asr.resumeJob(handle.vault, handle.jobName, undefined, {});
        continue;
      }
      if (job.state !== "InProgress" && job.state !== "NotStarted") return this.result(handle, job);
      const now = this.clock.now().getTime();
      if (now >= deadline) throw new DrTimeoutError(`recovery plan ${handle.plan}: job ${handle.jobName} still ${job.state} at the deadline`);
      await this.clock.sleep(Math.min(POLL_MS, deadline - now), options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal });
    }
  }

  /** The operation as it stands now, read once. @throws ValidationError for a malformed handle; ResourceNotFoundError when the job is gone. */
  async read(handleInput: PlanRunHandle): Promise<PlanRunResult> {
    const handle = validate(planRunHandleSchema, handleInput, "handle");
    return this.result(handle, await this.asr.getJob(handle.vault, handle.jobName));
  }

  /**
   * Whether the plan's VMs ran the way `request` goes at the end of its last run: a Hyper-V plan's
   * failover to Azure and its failback are both planned failovers (scenario `PlannedFailover`), told
   * apart by where its VMs now run (Azure after the failover, on-premises after the failback).
   */
  private async sameDirection(plan: RecoveryPlan, request: PlanOperationRequest): Promise<boolean> {
    if (!isHyperVPlan(plan) || (request.operation !== "failover" && request.operation !== "failback")) return true;
    const first = plan.groups.flatMap((g) => g.protectedVmIds)[0];
    if (first === undefined) return true;
    const vm = await this.asr.getProtectedItem(parseReplicatedItemId(first));
    return vm.activeLocation === (request.operation === "failback" ? "Primary" : "Recovery");
  }

  private handle(vault: VaultRef, plan: string, operation: PlanRunHandle["operation"], jobName: string, startedAt: Date): PlanRunHandle {
    return { kind: "azure-dr/plan-run", vault, plan, operation, jobName, startedAt: startedAt.toISOString() };
  }

  /**
   * When a group's start step failed, some of its VMs may be up all the same (they come up in
   * parallel): reads them and returns those that are, with the time the step ended.
   */
  private async upInFailedGroup(job: Job, plan: RecoveryPlan): Promise<Map<string, Date>> {
    const up = new Map<string, Date>();
    const failed = job.tasks.find((t) => t.state === "Failed" && /^StartGroup\d+$/.test(t.name));
    if (failed?.endTime === undefined) return up;
    const group = plan.groups.filter((g) => g.type === "Boot")[Number(failed.name.slice("StartGroup".length)) - 1];
    for (const id of group?.protectedVmIds ?? []) {
      const vm = await this.asr.getProtectedItem(parseReplicatedItemId(id));
      const isUp = job.scenario === "TestFailover" ? vm.testFailoverState !== "None" : vm.phase === "failedOver" || vm.phase === "committed";
      if (isUp) up.set(vm.name.toLowerCase(), failed.endTime);
    }
    return up;
  }

  private async result(handle: PlanRunHandle, job: Job): Promise<PlanRunResult> {
    const plan = await this.asr.getRecoveryPlan(handle.vault, handle.plan);
    const startedAt = new Date(handle.startedAt);
    const steps = job.tasks.map(toStep);
    const bootEnds = new Map<number, Date | undefined>();
    for (const task of job.tasks) {
      const group = /^StartGroup(\d+)$/.exec(task.name)?.[1];
      if (group !== undefined) bootEnds.set(Number(group), task.state === "Succeeded" ? task.endTime : undefined);
    }
    const groupOf = new Map<string, number>();
    plan.groups
      .filter((g) => g.type === "Boot")
      .forEach((g, index) => {
        for (const id of g.protectedVmIds) groupOf.set(id.slice(id.lastIndexOf("/") + 1).toLowerCase(), index + 1);
      });
    const upInFailedGroup = await this.upInFailedGroup(job, plan);
    const items: PlanRunItem[] = job.items.map((item) => {
      const group = groupOf.get(item.name.toLowerCase()) ?? 0;
      const point = item.recoveryPointTime;
      return {
        name: item.name,
        friendlyName: item.friendlyName,
        group,
        recoveryPointTime: point,
        dataLossSeconds: point === undefined ? undefined : Math.max(0, Math.round((startedAt.getTime() - point.getTime()) / 1000)),
        upAt: bootEnds.get(group) ?? upInFailedGroup.get(item.name.toLowerCase()),
      };
    });
    const ups = [...bootEnds.values()];
    const lastUp = ups.length === 0 || ups.some((u) => u === undefined) ? undefined : Math.max(...ups.map((u) => (u as Date).getTime()));
    const losses = items.flatMap((i) => (i.dataLossSeconds === undefined ? [] : [i.dataLossSeconds]));
    const error = job.errors[0];
    return {
      handle,
      state: stateOf(job),
      job,
      plan,
      steps,
      items,
      startedAt,
      endedAt: job.endTime,
      recoveryTimeSeconds: lastUp === undefined ? undefined : Math.round((lastUp - startedAt.getTime()) / 1000),
      dataLossSeconds: losses.length === 0 ? undefined : Math.max(...losses),
      error: error === undefined ? undefined : { code: error.code, message: error.message },
    };
  }
}

function stateOf(job: Job): PlanRunResult["state"] {
  if (job.state === "Failed") return "Failed";
  if (job.state === "Cancelled") return "Cancelled";
  if (job.state === "Suspended") return job.tasks.some((t) => t.state === "Suspended") ? "WaitingForUser" : "WaitingForCleanup";
  return job.state === "Succeeded" ? "Succeeded" : "InProgress";
}

function toStep(task: Job["tasks"][number]): PlanRunStep {
  return { name: task.name, friendlyName: task.friendlyName, state: task.state, startTime: task.startTime, endTime: task.endTime };
}
