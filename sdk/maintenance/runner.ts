import type { ComputeGateway } from "../azure/computeGateway.js";
import { throwIfAborted, type Clock } from "../clock.js";
import { ResourceNotFoundError, ValidationError, isDrError, isInvalidStateError, isOperationFailedError } from "../errors.js";
import { logger } from "../logger.js";
import { sameResourceId } from "../model/armId.js";
import type { MaintenanceExclusionReason, MaintenancePlan, MaintenancePlanStep, PlannedVm } from "../model/maintenancePlan.js";
import {
  maintenanceRunSettingsSchema,
  type MaintenanceRunEvent,
  type MaintenanceRunOptions,
  type MaintenanceRunReport,
  type MaintenanceRunStep,
  type MaintenanceRunVm,
} from "../model/maintenanceRun.js";
import { validate } from "../model/validate.js";
import type { PowerState, VirtualMachineStatus } from "../model/virtualMachine.js";
import { decide, fitsWindow, tooLateDetail, type MaintenanceDecision } from "./eligibility.js";
import { gapBetween } from "./pacing.js";
import { checkPlan } from "./planCheck.js";

type RunSettings = ReturnType<typeof maintenanceRunSettingsSchema.parse>;

/** A VM of the step being run, with what was read of it and what to do. */
interface Turn {
  vm: PlannedVm;
  entry: MaintenanceRunVm;
  status: VirtualMachineStatus;
  decision: MaintenanceDecision;
}

/** Why a VM stops the run. */
interface Failure {
  code: string;
  message: string;
}

const STABLE_POWER_STATES: readonly PowerState[] = ["running", "stopped", "deallocated"];
const MINUTE_MS = 60_000;

/**
 * Runs a maintenance plan (DOMAIN.md §2) step by step: before each step it reads each VM's status
 * from Azure, so a run started again after a stop or a crash skips what is done and follows a
 * maintenance under way instead of starting it a second time; it waits the plan's gap, checks that
 * no other update domain of the set is in maintenance, starts the step's VMs with
 * `performMaintenance`, waits until each is back, then calls the health check. `RetryLater` leaves
 * the VM for later and goes on; an abort (`MaintenanceAborted`, the VM dropped from the wave), a VM
 * not back in time or a failed health check stops the run with a report.
 * @throws ValidationError (`ValidationFailed`) for a bad plan or options; ResourceNotFoundError when a VM of the plan does not exist (both before anything starts).
 */
export async function runMaintenancePlan(
  compute: ComputeGateway,
  clock: Clock,
  planInput: unknown,
  options: MaintenanceRunOptions = {},
): Promise<MaintenanceRunReport> {
  const plan = checkPlan(planInput);
  const { healthCheck, onEvent, abortSignal, ...numbers } = options;
  for (const [field, value] of [
    ["healthCheck", healthCheck],
    ["onEvent", onEvent],
  ] as const) {
    if (value !== undefined && typeof value !== "function") throw new ValidationError(`options.${field}`, "must be a function");
  }
  if (abortSignal !== undefined && !(abortSignal instanceof AbortSignal)) throw new ValidationError("options.abortSignal", "must be an AbortSignal");
  const settings = validate(maintenanceRunSettingsSchema, numbers, "options");
  return new MaintenanceRun(compute, clock, plan, settings, options).execute();
}

class MaintenanceRun {
  private readonly vms: MaintenanceRunVm[];
  private readonly steps: MaintenanceRunStep[];
  private failure: MaintenanceRunReport["failure"];

  constructor(
    private readonly compute: ComputeGateway,
    private readonly clock: Clock,
    private readonly plan: MaintenancePlan,
    private readonly settings: RunSettings,
    private readonly options: MaintenanceRunOptions,
  ) {
    this.vms = plan.steps.flatMap((step) =>
      step.vms.map((vm) => ({
        vm,
        step: step.index,
        outcome: "notRun" as const,
        startedByThisRun: false,
        reason: undefined,
        detail: undefined,
        startedAt: undefined,
        endedAt: undefined,
        lastResultCode: undefined,
      })),
    );
    this.steps = plan.steps.map((step) => ({ index: step.index, state: "notRun", startedAt: undefined, endedAt: undefined, healthCheck: undefined }));
  }

  async execute(): Promise<MaintenanceRunReport> {
    const startedAt = this.clock.now();
    await this.checkVmsExist();
    let outcome: MaintenanceRunReport["outcome"] = "completed";
    let previous: PlannedVm[] | undefined;
    let current: MaintenanceRunStep | undefined;
    try {
      for (const [i, step] of this.plan.steps.entries()) {
        current = this.steps[i] as MaintenanceRunStep;
        throwIfAborted(this.options.abortSignal);
        const active = await this.runStep(step, current, previous);
        if (active !== undefined) previous = active;
        if (this.failure !== undefined) break;
      }
      if (this.failure !== undefined) outcome = "failed";
    } catch (error) {
      if (!isDrError(error)) throw error;
      const stopped = this.isStop(error);
      if (current !== undefined && current.state === "notRun") {
        current.state = stopped ? "stopped" : "failed";
        current.endedAt = this.clock.now();
      }
      if (stopped) outcome = "stopped";
      else {
        outcome = "failed";
        this.failure = { step: current?.index ?? 0, vm: undefined, code: error.code, message: error.message };
      }
    }
    const endedAt = this.clock.now();
    this.emit({ type: "run-ended", outcome, at: endedAt });
    logger.info(`maintenance run ${outcome}`);
    return {
      outcome,
      startedAt,
      endedAt,
      steps: this.steps,
      vms: this.vms,
      failure: this.failure,
      excluded: this.plan.excluded,
      nextSteps: this.nextSteps(outcome),
    };
  }

  /** Lists the resource groups of the plan's VMs before anything starts, so that a plan naming a missing VM changes nothing. */
  private async checkVmsExist(): Promise<void> {
    const planned = this.plan.steps.flatMap((step) => step.vms);
    const existing = new Set<string>();
    for (const group of new Set(planned.map((vm) => vm.resourceGroup.toLowerCase())))
      for await (const vm of this.compute.listVirtualMachines(group)) existing.add(vm.id.toLowerCase());
    const missing = planned.find((vm) => !existing.has(vm.id.toLowerCase()));
    if (missing !== undefined) throw new ResourceNotFoundError(`Virtual machine ${missing.id} of the plan was not found.`, { resourceId: missing.id });
  }

  /** Runs one step; returns its VMs that were maintained or followed (for the next gap), or undefined when it had nothing to do. */
  private async runStep(step: MaintenancePlanStep, report: MaintenanceRunStep, previous: PlannedVm[] | undefined): Promise<PlannedVm[] | undefined> {
    let turns = await this.turns(step);
    let active = turns.filter((turn) => turn.decision.kind !== "leave");
    // The gap paces starts: following a maintenance already under way needs none.
    if (active.some((turn) => turn.decision.kind === "start")) {
      const gap = gapBetween(
        previous,
        active.map((turn) => turn.vm),
        this.plan.settings,
      );
      if (gap.ms > 0 && gap.kind !== "none") {
        this.emit({ type: "waiting", step: step.index, ms: gap.ms, gapKind: gap.kind, at: this.clock.now() });
        await this.sleep(gap.ms);
        turns = await this.turns(step);
        active = turns.filter((turn) => turn.decision.kind !== "leave");
      }
    }
    for (const turn of turns) if (turn.decision.kind === "leave") this.leave(turn, turn.decision.reason, turn.decision.detail);
    if (active.length === 0) {
      report.state = "skipped";
      this.emit({ type: "step-ended", step: step.index, state: "skipped", at: this.clock.now() });
      return undefined;
    }
    report.startedAt = this.clock.now();
    this.emit({ type: "step-started", step: step.index, vms: active.map((turn) => turn.vm.name), at: report.startedAt });
    const conflict = await this.otherDomainInMaintenance(active);
    if (conflict !== undefined) {
      for (const turn of active) this.leave(turn, "oneDomainRule", conflict.message);
      return this.stop(step, report, undefined, conflict);
    }
    const results = await Promise.allSettled(active.map((turn) => this.maintain(step, turn)));
    const aborted = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (aborted !== undefined) {
      report.state = "stopped";
      report.endedAt = this.clock.now();
      throw aborted.reason;
    }
    const maintained = active.map((turn) => turn.vm);
    const failedAt = results.findIndex((r) => r.status === "fulfilled" && r.value !== undefined);
    const failed = results[failedAt];
    if (failed?.status === "fulfilled" && failed.value !== undefined) return this.stop(step, report, active[failedAt]?.vm.name, failed.value);
    const completed = active.filter((turn) => turn.entry.outcome === "completed").map((turn) => turn.vm);
    if (this.options.healthCheck !== undefined && completed.length > 0) {
      const passed = await this.healthCheck(step, completed);
      report.healthCheck = passed.ok ? "passed" : "failed";
      this.emit({ type: "health-check", step: step.index, passed: passed.ok, at: this.clock.now() });
      if (!passed.ok) return this.stop(step, report, undefined, { code: "HealthCheckFailed", message: passed.message });
    }
    report.state = "done";
    report.endedAt = this.clock.now();
    this.emit({ type: "step-ended", step: step.index, state: "done", at: report.endedAt });
    return maintained;
  }

  private stop(step: MaintenancePlanStep, report: MaintenanceRunStep, vm: string | undefined, failure: Failure): PlannedVm[] | undefined {
    report.state = "failed";
    report.endedAt = this.clock.now();
    this.failure = { step: step.index, vm, code: failure.code, message: failure.message };
    logger.info(`maintenance run stopped at step ${step.index}: ${failure.code}: ${failure.message}`);
    this.emit({ type: "step-ended", step: step.index, state: "failed", at: report.endedAt });
    return undefined;
  }

  /** Reads the step's VMs and decides, for now, what to do with each. */
  private async turns(step: MaintenancePlanStep): Promise<Turn[]> {
    const now = this.clock.now();
    return Promise.all(
      step.vms.map(async (vm) => {
        const status = await this.read(vm);
        let decision = decide(status.maintenance);
        const window = status.maintenance.selfServiceWindow;
        if (decision.kind === "start" && !fitsWindow(window, now, this.plan.settings.expectedDurationMs)) {
          decision = { kind: "leave", reason: "windowClosesBeforeTurn", detail: tooLateDetail(window, now, this.plan.settings.expectedDurationMs) };
        }
        return { vm, entry: this.entryOf(vm), status, decision };
      }),
    );
  }

  /** Another VM of a set of the step, in another update domain, in maintenance right now (Azure's or an owner's). */
  private async otherDomainInMaintenance(active: Turn[]): Promise<Failure | undefined> {
    const starting = active.filter((turn) => turn.decision.kind === "start" && turn.vm.availabilitySetId !== undefined);
    const groups = [...new Set(starting.map((turn) => turn.vm.resourceGroup.toLowerCase()))];
    for (const group of groups) {
      for await (const { vm, status } of this.compute.listVirtualMachinesWithStatus(group)) {
        if (vm.availabilitySetId === undefined || active.some((turn) => sameResourceId(turn.vm.id, vm.id))) continue;
        if (status.maintenance.phase !== "inProgress" && status.maintenance.phase !== "platformMaintenance") continue;
        const clash = starting.find(
          (turn) =>
            sameResourceId(turn.vm.availabilitySetId ?? "", vm.availabilitySetId ?? "") && (turn.status.updateDomain ?? 0) !== (status.updateDomain ?? 0),
        );
        if (clash !== undefined) {
          return {
            code: "OneDomainRule",
            message: `VM ${vm.name} of availability set ${clash.vm.availabilitySetName ?? ""} is in maintenance in update domain ${status.updateDomain ?? 0} (${status.maintenance.phase}); starting ${clash.vm.name} (update domain ${clash.status.updateDomain ?? 0}) would take two update domains down at once`,
          };
        }
      }
    }
    return undefined;
  }

  /**
   * Starts (or follows) one VM's maintenance to its end, and waits until the VM is back. Resolves
   * with what stops the run, if anything does; rejects only when the run is stopped.
   */
  private async maintain(step: MaintenancePlanStep, turn: Turn): Promise<Failure | undefined> {
    try {
      return await this.maintainOrThrow(step, turn);
    } catch (error) {
      if (!isDrError(error) || this.isStop(error)) throw error;
      return this.end(step, turn.entry, "failed", error.message, undefined, error.code);
    }
  }

  private async maintainOrThrow(step: MaintenancePlanStep, turn: Turn): Promise<Failure | undefined> {
    const { vm, entry } = turn;
    let following = turn.decision.kind === "await";
    entry.startedAt = this.clock.now();
    if (!following) {
      entry.startedByThisRun = true;
      this.emit({ type: "vm-started", step: step.index, vm: vm.name, at: entry.startedAt });
      logger.info(`performMaintenance VM ${vm.resourceGroup}/${vm.name}`);
      try {
        await this.compute.runVmAction(vm.resourceGroup, vm.name, "performMaintenance", this.waitOptions());
      } catch (error) {
        if (this.isStop(error)) return this.interrupted(entry, error);
        if (isInvalidStateError(error)) {
          entry.startedByThisRun = false;
          const status = await this.read(vm);
          const decision = decide(status.maintenance);
          // Azure refused, so the VM is untouched. If someone else started it meanwhile, theirs is followed (never a second
          // start); a refusal its status explains leaves it; one it does not explain stops the run.
          if (decision.kind === "start") return this.end(step, entry, "failed", error.message, status.maintenance.lastResultCode, error.code);
          if (decision.kind === "leave") {
            this.leave({ ...turn, status }, decision.reason, decision.detail);
            return undefined;
          }
          following = true;
        } else if (!isOperationFailedError(error)) {
          return this.end(step, entry, "failed", isDrError(error) ? error.message : String(error), undefined, isDrError(error) ? error.code : "Failed");
        }
      }
    }
    if (following) {
      this.emit({ type: "vm-awaiting", step: step.index, vm: vm.name, at: this.clock.now() });
      try {
        const ended = await this.awaitMaintenance(vm);
        if (!ended)
          return this.end(
            step,
            entry,
            "failed",
            `its maintenance under way did not end within ${minutes(this.settings.awaitTimeoutMs)}`,
            undefined,
            "AwaitTimeout",
          );
      } catch (error) {
        return this.interrupted(entry, error);
      }
    }
    const status = await this.read(vm);
    const code = status.maintenance.lastResultCode;
    if (status.maintenance.phase === "aborted" || code === "MaintenanceAborted") {
      return this.end(
        step,
        entry,
        "aborted",
        `Azure aborted its maintenance${suffix(status.maintenance.lastMessage)}; it was left as it was and dropped from this wave`,
        code,
        "MaintenanceAborted",
      );
    }
    if (status.maintenance.phase === "retryLater" || code === "RetryLater") {
      return this.end(step, entry, "retryLater", `Azure answered RetryLater${suffix(status.maintenance.lastMessage)}; it was left untouched, for later`, code);
    }
    if (status.maintenance.phase !== "completed") {
      return this.end(step, entry, "failed", `its maintenance ended in an unexpected state: ${status.maintenance.phase}, last result ${code}`, code, "Failed");
    }
    try {
      const back = await this.waitUntilBack(vm, following ? "running" : turn.status.powerState);
      if (!back.ok) {
        return this.end(
          step,
          entry,
          "failed",
          `not back within ${minutes(this.settings.readyTimeoutMs)} after its maintenance (${back.state})`,
          code,
          "NotBack",
        );
      }
    } catch (error) {
      return this.interrupted(entry, error);
    }
    return this.end(step, entry, "completed", following ? "maintained (its maintenance was under way; followed to its end)" : "maintained", code);
  }

  /** Polls until the VM leaves `inProgress`; false when it did not within the await timeout. Rejects when the run is stopped. */
  private async awaitMaintenance(vm: PlannedVm): Promise<boolean> {
    const deadline = this.clock.now().getTime() + this.settings.awaitTimeoutMs;
    for (;;) {
      if ((await this.read(vm)).maintenance.phase !== "inProgress") return true;
      const now = this.clock.now().getTime();
      if (now >= deadline) return false;
      await this.sleep(Math.min(this.settings.pollIntervalMs, deadline - now));
    }
  }

  /** Polls until the VM is back: provisioning succeeded, and running again when it ran before (any settled power state otherwise). */
  private async waitUntilBack(vm: PlannedVm, before: PowerState): Promise<{ ok: true } | { ok: false; state: string }> {
    const deadline = this.clock.now().getTime() + this.settings.readyTimeoutMs;
    for (;;) {
      const status = await this.read(vm);
      const powered = before === "running" || before === "starting" ? status.powerState === "running" : STABLE_POWER_STATES.includes(status.powerState);
      if (powered && status.provisioningState === "Succeeded") return { ok: true };
      const now = this.clock.now().getTime();
      if (now >= deadline) return { ok: false, state: `power state ${status.powerState}, provisioning ${status.provisioningState}` };
      await this.sleep(Math.min(this.settings.pollIntervalMs, deadline - now));
    }
  }

  private async healthCheck(step: MaintenancePlanStep, vms: PlannedVm[]): Promise<{ ok: boolean; message: string }> {
    const check = this.options.healthCheck as NonNullable<MaintenanceRunOptions["healthCheck"]>;
    try {
      const ok = (await check({ step: step.index, vms, at: this.clock.now() })) === true;
      return { ok, message: ok ? "" : `the health check failed after step ${step.index} (${vms.map((vm) => vm.name).join(", ")})` };
    } catch (error) {
      return { ok: false, message: `the health check failed after step ${step.index}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private leave(turn: Turn, reason: MaintenanceExclusionReason, detail: string): void {
    turn.entry.outcome = reason === "alreadyDone" ? "alreadyDone" : "skipped";
    turn.entry.reason = reason === "alreadyDone" ? undefined : reason;
    turn.entry.detail = detail;
    turn.entry.lastResultCode = turn.status.maintenance.lastResultCode;
    this.emit({ type: "vm-ended", step: turn.entry.step, vm: turn.vm.name, outcome: turn.entry.outcome, detail, at: this.clock.now() });
  }

  /** Records how a VM's turn ended; returns the failure it means for the run when `failureCode` is given. */
  private end(
    step: MaintenancePlanStep,
    entry: MaintenanceRunVm,
    outcome: MaintenanceRunVm["outcome"],
    detail: string,
    code: MaintenanceRunVm["lastResultCode"],
    failureCode?: string,
  ): Failure | undefined {
    entry.outcome = outcome;
    entry.detail = detail;
    entry.endedAt = this.clock.now();
    entry.lastResultCode = code;
    this.emit({ type: "vm-ended", step: step.index, vm: entry.vm.name, outcome, detail, at: entry.endedAt });
    return failureCode === undefined ? undefined : { code: failureCode, message: `${entry.vm.name}: ${detail}` };
  }

  /** Whether an error means the caller stopped the run (an abort can surface as a failed request when it cuts one short). */
  private isStop(error: unknown): boolean {
    return (isDrError(error) && error.code === "Aborted") || this.options.abortSignal?.aborted === true;
  }

  private interrupted(entry: MaintenanceRunVm, error: unknown): never {
    if (this.isStop(error)) {
      entry.outcome = "interrupted";
      entry.detail = "its maintenance was under way when the run was stopped; it goes on in Azure";
    }
    throw error;
  }

  private entryOf(vm: PlannedVm): MaintenanceRunVm {
    return this.vms.find((entry) => sameResourceId(entry.vm.id, vm.id)) as MaintenanceRunVm;
  }

  private read(vm: PlannedVm): Promise<VirtualMachineStatus> {
    return this.compute.getVirtualMachineStatus(vm.resourceGroup, vm.name);
  }

  private sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.waitOptions());
  }

  private waitOptions(): { abortSignal?: AbortSignal } {
    return this.options.abortSignal === undefined ? {} : { abortSignal: this.options.abortSignal };
  }

  private emit(event: MaintenanceRunEvent): void {
    this.options.onEvent?.(event);
  }

  private nextSteps(outcome: MaintenanceRunReport["outcome"]): string[] {
    const names = (outcome: MaintenanceRunVm["outcome"]): string[] => this.vms.filter((entry) => entry.outcome === outcome).map((entry) => entry.vm.name);
    const again = "run it again: VMs already done are skipped, and a maintenance under way is followed, never started twice";
    const steps: string[] = [];
    if (outcome === "stopped") {
      const interrupted = names("interrupted");
      steps.push(`Stopped: ${interrupted.length === 0 ? "" : `the maintenance of ${interrupted.join(", ")} goes on in Azure; `}${again}.`);
    } else if (this.failure !== undefined) {
      const { code, vm, step } = this.failure;
      if (code === "MaintenanceAborted")
        steps.push(
          `Azure aborted the maintenance of ${vm ?? "a VM"}: it was left as it was and dropped from this wave (it gets a new schedule later). Check it, then ${again}.`,
        );
      else if (code === "NotBack")
        steps.push(`${vm ?? "A VM"} did not come back in time after its maintenance: look at it (boot diagnostics, serial console), then ${again}.`);
      else if (code === "HealthCheckFailed") steps.push(`The health check failed after step ${step}: fix the application, then ${again}.`);
      else if (code === "OneDomainRule") steps.push(`Another update domain of the set is in maintenance: wait until it is over, then ${again}.`);
      else steps.push(`Step ${step} failed (${code}): ${again}.`);
    }
    const retry = names("retryLater");
    if (retry.length > 0)
      steps.push(`Azure asked to retry later for ${retry.join(", ")}: plan and run again later, or Azure maintains them in the scheduled window.`);
    const skipped = this.vms.filter((entry) => entry.outcome === "skipped");
    if (skipped.length > 0) steps.push(`Skipped at their turn: ${skipped.map((entry) => `${entry.vm.name} (${entry.reason ?? ""})`).join(", ")}.`);
    return steps;
  }
}

function suffix(message: string | undefined): string {
  return message === undefined || message === "" ? "" : ` (${message})`;
}

function minutes(ms: number): string {
  return ms % MINUTE_MS === 0 ? `${ms / MINUTE_MS} min` : `${Math.round(ms / 1000)} s`;
}
