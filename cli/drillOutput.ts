import type { DrillEvent, DrillReport, DrillScenario, DrillStepReport } from "../sdk/index.js";

/** How reports name a plan's scenario: `Azure to Azure`, `Hyper-V to Azure`; `-` when unknown (a plan that does not exist). */
export function scenarioLabel(scenario: DrillScenario | undefined): string {
  if (scenario === undefined) return "-";
  return scenario === "A2A" ? "Azure to Azure" : "Hyper-V to Azure";
}

/** `1h 02m 05s`, `3m 10s`, `42s`; `-` when unknown. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "-";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m ${String(rest).padStart(2, "0")}s`;
  if (m > 0) return `${m}m ${String(rest).padStart(2, "0")}s`;
  return `${rest}s`;
}

/**
 * Live progress of a drill, one line per thing that happened: readiness, each step started and
 * ended, each group or action of a plan's job as it starts and ends, manual actions. Every line
 * starts with the real time elapsed and the backend's (virtual) time elapsed.
 */
export class DrillProgress {
  private readonly realStart = Date.now();
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly virtualStart: Date,
    private readonly write: (line: string) => void,
  ) {}

  /** Prints what an event says, if anything new. */
  on(event: DrillEvent): void {
    switch (event.type) {
      case "readiness":
        for (const check of event.checks) this.line(undefined, `${event.plan}: ${check.passed ? "ok  " : "FAIL"} ${check.check}: ${check.detail}`);
        return;
      case "step-started":
        this.line(event.at, `${event.plan}: ${event.step} ...`);
        return;
      case "step-progress":
        for (const task of event.job.tasks) {
          const key = `${event.plan}/${event.job.name}/${task.name}`;
          if (this.seen.get(key) === task.state || task.state === "NotStarted") continue;
          this.seen.set(key, task.state);
          this.line(event.at, `${event.plan}: ${event.step} › ${task.friendlyName}: ${task.state}`);
        }
        return;
      case "manual-action":
        this.line(event.at, `${event.plan}: ${event.step} › waits at ${event.action}`);
        return;
      case "step-ended":
        this.line(
          event.step.endedAt,
          `${event.plan}: ${event.step.name} ${stepOutcome(event.step)} in ${duration(event.step.durationSeconds)}${failure(event.step)}`,
        );
        return;
    }
  }

  /** Prints a line of the drill's own (a manual action's approval), timed like the events'. */
  note(at: Date | undefined, text: string): void {
    this.line(at, text);
  }

  private line(at: Date | undefined, text: string): void {
    const real = ((Date.now() - this.realStart) / 1000).toFixed(1).padStart(6);
    const virtual = at === undefined ? "" : ` | +${clock((at.getTime() - this.virtualStart.getTime()) / 1000)}`;
    this.write(`[${real}s${virtual}] ${text}\n`);
  }
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, "0")).join(":");
}

function stepOutcome(step: DrillStepReport): string {
  return step.state === "Succeeded" ? "done" : step.state.toLowerCase();
}

function failure(step: DrillStepReport): string {
  return step.error === undefined ? "" : ` (${step.error.code}: ${step.error.message})`;
}

/** The end-of-drill summary: a table per plan (RPO, RTO, scenario, each step's duration), failures with their codes, next steps. */
export function summary(report: DrillReport): string {
  const out: string[] = [];
  const title = `Drill of vault ${report.vault.resourceGroup}/${report.vault.name} on ${report.backend} (${report.full ? "full cycle" : "rehearsal"}): ${report.outcome.toUpperCase()}`;
  out.push(
    "",
    title,
    `  virtual time ${duration((report.endedAt.getTime() - report.startedAt.getTime()) / 1000)}, real time ${(report.realDurationMs / 1000).toFixed(1)}s`,
    "",
  );
  const stepNames = [...new Set(report.plans.flatMap((p) => p.steps.map((s) => s.name)))];
  const header = ["plan", "outcome", "RPO reached", "RTO reached", "scenario", ...stepNames];
  const rows = report.plans.map((plan) => [
    plan.plan,
    plan.outcome,
    duration(plan.rpoSeconds),
    duration(plan.rtoSeconds),
    scenarioLabel(plan.scenario),
    ...stepNames.map((name) => {
      const step = plan.steps.find((s) => s.name === name);
      return step === undefined ? "" : `${duration(step.durationSeconds)} ${step.state === "Succeeded" ? "ok" : step.state.toLowerCase()}`;
    }),
  ]);
  out.push(...table([header, ...rows]), "");
  for (const plan of report.plans) {
    for (const check of plan.readiness.filter((c) => !c.passed)) out.push(`  ${plan.plan}: not ready: ${check.check}: ${check.detail}`);
    for (const step of plan.steps.filter((s) => s.error !== undefined))
      out.push(`  ${plan.plan}: ${step.name} ${step.state.toLowerCase()}: ${step.error?.code ?? ""}: ${step.error?.message ?? ""}`);
  }
  if (report.nextSteps.length > 0) out.push("", "Next steps:", ...report.nextSteps.map((s) => `  ${s}`));
  return `${out.join("\n")}\n`;
}

function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((row, i) => {
    const line = `  ${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join("  ")}`.trimEnd();
    return i === 0 ? `${line}\n  ${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
  });
}
