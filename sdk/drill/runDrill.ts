import type { DrClient } from "../client.js";
import { isDrError } from "../errors.js";
import { logger } from "../logger.js";
import type { PlanRunResult } from "../model/planRun.js";
import { isHyperVPlan, type RecoveryPlan } from "../model/recoveryPlan.js";
import type { VaultRef } from "../model/vault.js";
import type { DrillEvent, DrillPlanReport, DrillReport, DrillScenario, DrillStepReport, ReadinessCheck } from "./drillReport.js";

/** Options of {@link runDrill}. */
export interface DrillOptions {
  vault: VaultRef;
  /** The plans to drill. @default every plan of the vault */
  plans?: string[];
  /** The isolated virtual network test failovers use. */
  testNetworkId: string;
  /**
   * After the rehearsal, the full cycle: Azure-to-Azure plans planned failover, commit, reprotect,
   * failback (a planned failover back), commit, reprotect back; Hyper-V plans planned failover to
   * Azure, commit, failback on-premises (`ForDownTime`), commit, reprotect (replicating to Azure
   * again, waited for). @default false
   */
  full?: boolean;
  /** Largest RPO a VM may show for the plan to be ready, in seconds. @default 900 (15 minutes) */
  maxRpoSeconds?: number;
  /** The application's VM names: the readiness check says whether the plans cover each. @default the vault's protected VMs */
  applicationVms?: string[];
  /** Called while the test VMs are up; resolve false to fail the drill of that plan (the cleanup still runs). */
  userChecks?: (plan: string, rehearsal: PlanRunResult) => Promise<boolean>;
  /** Called when a plan stops at a manual action; resolve true to go on. @default always go on */
  onManualAction?: (plan: string, action: string) => Promise<boolean> | boolean;
  onEvent?: (event: DrillEvent) => void;
  /** Stops the drill between polls; plans under way are reported `stopped` with what to run next. */
  abortSignal?: AbortSignal;
  /** Which backend runs it, for the report. */
  backend: DrillReport["backend"];
}

/**
 * A disaster-recovery drill (DOMAIN.md §5): for each recovery plan (Azure to Azure or Hyper-V to Azure), in parallel, readiness checks
 * (every VM protected, healthy, with fresh recovery points; the plans cover the application; a test
 * failover is allowed), a test failover into the isolated network, the user's checks, the cleanup;
 * with `full`, the whole cycle there and back. The report gives each step's job, tasks and times,
 * and per plan its scenario and the recovery point (data-loss window) and recovery time reached.
 */
export async function runDrill(dr: DrClient, options: DrillOptions): Promise<DrillReport> {
  const realStart = Date.now();
  const startedAt = dr.clock.now();
  const plans: RecoveryPlan[] = [];
  for await (const plan of dr.recoveryPlans.list(options.vault))
    if (options.plans === undefined || options.plans.some((p) => p.toLowerCase() === plan.name.toLowerCase())) plans.push(plan);
  const missing = (options.plans ?? []).filter((p) => !plans.some((plan) => plan.name.toLowerCase() === p.toLowerCase()));
  const planVms = await Promise.all(plans.map((plan) => vmsOf(dr, plan)));
  const covered = new Set(planVms.flatMap((vms) => vms.map((vm) => vm.name.toLowerCase())));
  const application = options.applicationVms ?? (await vaultVmNames(dr, options.vault));
  const uncovered = application.filter((name) => !covered.has(name.toLowerCase()));
  const reports = await Promise.all(plans.map((plan, i) => drillPlan(dr, plan, planVms[i] ?? [], options, uncovered)));
  for (const name of missing)
    reports.push({
      plan: name,
      scenario: undefined,
      outcome: "not-ready",
      readiness: [{ check: "plan-exists", passed: false, detail: `no recovery plan '${name}' in vault ${options.vault.name}` }],
      steps: [],
      rpoSeconds: undefined,
      rtoSeconds: undefined,
    });
  const stopped = reports.some((r) => r.outcome === "stopped");
  return {
    formatVersion: 1,
    backend: options.backend,
    vault: { resourceGroup: options.vault.resourceGroup, name: options.vault.name },
    full: options.full === true,
    outcome: stopped ? "stopped" : reports.length > 0 && reports.every((r) => r.outcome === "passed") ? "passed" : "failed",
    startedAt,
    endedAt: dr.clock.now(),
    realDurationMs: Date.now() - realStart,
    plans: reports,
    nextSteps: nextSteps(reports, options.vault),
  };
}

async function vaultVmNames(dr: DrClient, vault: VaultRef): Promise<string[]> {
  const names: string[] = [];
  for await (const vm of dr.protectedVms.list(vault)) names.push(vm.name);
  for await (const vm of dr.hyperV.list(vault)) names.push(vm.vmName);
  return names;
}

/** The replication scenario of a plan: Azure to Azure, or Hyper-V to Azure. */
function scenarioOf(plan: RecoveryPlan): DrillScenario {
  return isHyperVPlan(plan) ? "HyperVReplicaAzure" : "A2A";
}

/** What readiness needs of a protected VM, whatever its scenario. */
interface PlanVm {
  /** The VM's name: the Azure-to-Azure item's, or the Hyper-V VM's on-premises name. */
  name: string;
  phase: string;
  replicationHealth: string;
  healthErrors: { code: string }[];
  /** Seconds of writes not in Azure yet (Hyper-V: since the last delta cycle reached Azure). */
  rpoSeconds: number | undefined;
}

/** The plan's protected VMs as they are now. */
async function vmsOf(dr: DrClient, plan: RecoveryPlan): Promise<PlanVm[]> {
  const ids = plan.groups.flatMap((g) => g.protectedVmIds);
  if (scenarioOf(plan) === "A2A") return Promise.all(ids.map((id) => dr.protectedVms.get(id)));
  return Promise.all(
    ids.map(async (id) => {
      const vm = await dr.hyperV.get(id);
      return { ...vm, name: vm.vmName };
    }),
  );
}

/** Waits until each VM of the plan replicates again (after a reprotect). */
async function waitForProtection(dr: DrClient, plan: RecoveryPlan): Promise<void> {
  const ids = plan.groups.flatMap((g) => g.protectedVmIds);
  if (scenarioOf(plan) === "A2A") await Promise.all(ids.map((id) => dr.protectedVms.waitForProtection(id)));
  else await Promise.all(ids.map((id) => dr.hyperV.waitForProtection(id)));
}

/** The readiness checks of a plan. */
function readiness(plan: RecoveryPlan, vms: PlanVm[], options: DrillOptions, uncovered: string[]): ReadinessCheck[] {
  const maxRpo = options.maxRpoSeconds ?? 900;
  const notProtected = vms.filter((vm) => vm.phase !== "protected");
  const unhealthy = vms.filter((vm) => vm.replicationHealth !== "Normal");
  const stale = vms.filter((vm) => vm.rpoSeconds === undefined || vm.rpoSeconds > maxRpo);
  const list = (names: string[]): string => names.join(", ");
  return [
    {
      check: "protected",
      passed: notProtected.length === 0 && vms.length > 0,
      detail:
        vms.length === 0
          ? "the plan has no VM"
          : notProtected.length === 0
            ? `${vms.length} VM(s) protected`
            : list(notProtected.map((vm) => `${vm.name}: ${vm.phase}`)),
    },
    {
      check: "healthy",
      passed: unhealthy.length === 0,
      detail:
        unhealthy.length === 0
          ? "replication health Normal"
          : list(unhealthy.map((vm) => `${vm.name}: ${vm.replicationHealth} ${vm.healthErrors[0]?.code ?? ""}`.trim())),
    },
    {
      check: "fresh-recovery-points",
      passed: stale.length === 0,
      detail:
        stale.length === 0
          ? `RPO ≤ ${maxRpo} s (worst ${Math.max(0, ...vms.map((vm) => vm.rpoSeconds ?? 0))} s)`
          : list(stale.map((vm) => `${vm.name}: RPO ${vm.rpoSeconds ?? "unknown"} s > ${maxRpo} s`)),
    },
    {
      check: "plan-covers-application",
      passed: uncovered.length === 0,
      detail: uncovered.length === 0 ? "every VM of the application is in a drilled plan" : `not in any drilled plan: ${list(uncovered)}`,
    },
    {
      check: "plan-allows-test-failover",
      passed: plan.allowedOperations.includes("TestFailover"),
      detail: `allowed now: [${plan.allowedOperations.join(", ")}]${plan.currentScenario === undefined ? "" : `; ${plan.currentScenario.name} ${plan.currentScenario.status}`}`,
    },
  ];
}

async function drillPlan(dr: DrClient, plan: RecoveryPlan, vms: PlanVm[], options: DrillOptions, uncovered: string[]): Promise<DrillPlanReport> {
  const checks = readiness(plan, vms, options, uncovered);
  options.onEvent?.({ type: "readiness", plan: plan.name, checks });
  const scenario = scenarioOf(plan);
  const report: DrillPlanReport = {
    plan: plan.name,
    scenario,
    outcome: "passed",
    readiness: checks,
    steps: [],
    rpoSeconds: undefined,
    rtoSeconds: undefined,
  };
  if (checks.some((c) => !c.passed)) return { ...report, outcome: "not-ready" };
  const vault = options.vault;
  const runOptions = (step: string): Parameters<DrClient["recoveryPlans"]["failover"]>[3] => ({
    onProgress: ({ job }) => options.onEvent?.({ type: "step-progress", plan: plan.name, step, job, at: dr.clock.now() }),
    onManualAction: async ({ step: task }) => {
      options.onEvent?.({ type: "manual-action", plan: plan.name, step, action: task.friendlyName, at: dr.clock.now() });
      return options.onManualAction === undefined ? true : options.onManualAction(plan.name, task.friendlyName);
    },
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
  });
  const step = async (name: string, run: () => Promise<PlanRunResult | undefined>): Promise<DrillStepReport> => {
    const startedAt = dr.clock.now();
    options.onEvent?.({ type: "step-started", plan: plan.name, step: name, at: startedAt });
    let stepReport: DrillStepReport;
    try {
      const result = await run();
      stepReport = stepOf(name, startedAt, dr.clock.now(), result, undefined);
    } catch (error) {
      const stoppedByUser = options.abortSignal?.aborted === true;
      if (!isDrError(error) && !(error instanceof UserChecksFailed) && !stoppedByUser) throw error;
      const code = isDrError(error) ? (error.azureCode ?? error.code) : error instanceof UserChecksFailed ? error.code : "Aborted";
      stepReport = stepOf(name, startedAt, dr.clock.now(), undefined, { code, message: (error as Error).message }, stoppedByUser ? "Stopped" : "Failed");
    }
    report.steps.push(stepReport);
    options.onEvent?.({ type: "step-ended", plan: plan.name, step: stepReport });
    return stepReport;
  };
  const ok = (s: DrillStepReport): boolean => s.state === "Succeeded";

  const rehearsal = await step("test failover", () =>
    dr.recoveryPlans.testFailover(vault, plan.name, { networkId: options.testNetworkId }, runOptions("test failover")),
  );
  report.rpoSeconds = rehearsal.dataLossSeconds;
  report.rtoSeconds = rehearsal.recoveryTimeSeconds;
  let passed = ok(rehearsal);
  if (passed && options.userChecks !== undefined) {
    const checks = await step("user checks", async () => {
      const result = await dr.recoveryPlans.status(handleOf(rehearsal, vault, plan.name));
      if (!(await (options.userChecks as NonNullable<DrillOptions["userChecks"]>)(plan.name, result))) throw new UserChecksFailed();
      return undefined;
    });
    passed = ok(checks);
  }
  if (options.abortSignal?.aborted !== true && (await dr.recoveryPlans.get(vault, plan.name)).allowedOperations.includes("TestFailoverCleanup")) {
    passed = ok(await step("cleanup", () => dr.recoveryPlans.cleanupTest(vault, plan.name, "azure-dr drill", runOptions("cleanup")))) && passed;
  }
  if (passed && options.full === true && options.abortSignal?.aborted !== true) {
    const failover: [string, () => Promise<PlanRunResult | undefined>][] = [
      ["failover", () => dr.recoveryPlans.failover(vault, plan.name, { kind: "planned" }, runOptions("failover"))],
      ["commit", () => dr.recoveryPlans.commit(vault, plan.name, runOptions("commit"))],
    ];
    const failbackCommit: [string, () => Promise<PlanRunResult | undefined>] = [
      "failback commit",
      () => dr.recoveryPlans.commit(vault, plan.name, runOptions("failback commit")),
    ];
    // Azure to Azure: reprotect to replicate back, then a planned failover back. Hyper-V: the
    // failback is its own operation (synchronized while the Azure VMs run), reprotect comes last.
    const cycle: [string, () => Promise<PlanRunResult | undefined>][] =
      scenario === "A2A"
        ? [
            ...failover,
            ["reprotect", () => reprotectAndWait(dr, vault, plan.name)],
            ["failback", () => dr.recoveryPlans.failover(vault, plan.name, { kind: "planned" }, runOptions("failback"))],
            failbackCommit,
            ["reprotect back", () => reprotectAndWait(dr, vault, plan.name)],
          ]
        : [
            ...failover,
            ["failback", () => dr.recoveryPlans.failback(vault, plan.name, { dataSync: "ForDownTime" }, runOptions("failback"))],
            failbackCommit,
            ["reprotect", () => reprotectAndWait(dr, vault, plan.name)],
          ];
    for (const [name, run] of cycle) {
      const done = await step(name, run);
      if (!ok(done)) {
        passed = false;
        break;
      }
    }
  }
  const stopped = report.steps.some((s) => s.state === "Stopped");
  return { ...report, outcome: stopped ? "stopped" : passed ? "passed" : "failed" };
}

class UserChecksFailed extends Error {
  readonly code = "UserChecksFailed";
  constructor() {
    super("the user's checks failed while the test VMs were up");
  }
}

async function reprotectAndWait(dr: DrClient, vault: VaultRef, plan: string): Promise<undefined> {
  await waitForProtection(dr, await dr.recoveryPlans.reprotect(vault, plan));
  return undefined;
}

function handleOf(step: DrillStepReport, vault: VaultRef, plan: string): Parameters<DrClient["recoveryPlans"]["status"]>[0] {
  return { kind: "azure-dr/plan-run", vault, plan, operation: "testFailover", jobName: step.jobName ?? "", startedAt: step.startedAt.toISOString() };
}

function stepOf(
  name: string,
  startedAt: Date,
  endedAt: Date,
  result: PlanRunResult | undefined,
  error: { code: string; message: string } | undefined,
  failedState: "Failed" | "Stopped" = "Failed",
): DrillStepReport {
  const jobFailed = result !== undefined && (result.state === "Failed" || result.state === "Cancelled" || result.state === "WaitingForUser");
  const state = error !== undefined ? failedState : jobFailed ? (result.state === "Cancelled" ? "Cancelled" : "Failed") : "Succeeded";
  return {
    name,
    state,
    startedAt,
    endedAt,
    durationSeconds: Math.round((endedAt.getTime() - startedAt.getTime()) / 1000),
    jobName: result?.handle.jobName,
    tasks: result?.steps ?? [],
    items: result?.items ?? [],
    recoveryTimeSeconds: result?.recoveryTimeSeconds,
    dataLossSeconds: result?.dataLossSeconds,
    error:
      error ??
      result?.error ??
      (result?.state === "WaitingForUser" ? { code: "ManualActionNotResumed", message: "a manual action was not resumed" } : undefined),
  };
}

/** What to run after a stop or a failure: clean up what a plan left, or resume it. */
function nextSteps(reports: DrillPlanReport[], vault: VaultRef): string[] {
  const out: string[] = [];
  for (const report of reports) {
    const last = report.steps.at(-1);
    const where = `--vault ${vault.resourceGroup}/${vault.name} --plan ${report.plan}`;
    if (report.outcome === "failed" && last?.state === "Succeeded") {
      const failed = report.steps.find((s) => s.state !== "Succeeded");
      out.push(
        `fix what failed in plan ${report.plan} (${failed?.name ?? "a step"}: ${failed?.error?.code ?? "failed"}), then run the drill again; the plan is clean`,
      );
    }
    if (last === undefined || last.state === "Succeeded") continue;
    if (last.name === "test failover" || last.name === "user checks" || last.name === "cleanup")
      out.push(`azure-dr cleanup ${where}   # delete the test VMs of plan ${report.plan}`);
    else out.push(`azure-dr status ${where}   # see where plan ${report.plan} stands (${last.name} ${last.state.toLowerCase()}), then run its next step`);
    if (last.jobName !== undefined) logger.info(`plan ${report.plan}: ${last.name} job ${last.jobName}`);
  }
  return out;
}
