import type { Job } from "../model/job.js";
import type { PlanRunItem, PlanRunStep } from "../model/planRun.js";

/** One readiness check of a plan before the drill touches it. */
export interface ReadinessCheck {
  /** `protected`, `healthy`, `fresh-recovery-points`, `plan-covers-application`, `plan-allows-test-failover`. */
  check: string;
  passed: boolean;
  /** What was found, e.g. `web: RPO 2400 s > 900 s`. */
  detail: string;
}

/** One operation the drill ran on a plan (test failover, cleanup, failover, commit, reprotect...). */
export interface DrillStepReport {
  /**
   * `test failover`, `user checks`, `cleanup`, then with `full`: Azure to Azure `failover`, `commit`,
   * `reprotect`, `failback`, `failback commit`, `reprotect back`; Hyper-V to Azure `failover`,
   * `commit`, `failback`, `failback commit`, `reprotect`.
   */
  name: string;
  state: "Succeeded" | "Failed" | "Cancelled" | "Stopped";
  /** The backend's clock (virtual on the emulator). */
  startedAt: Date;
  endedAt: Date;
  durationSeconds: number;
  /** The Site Recovery job, for plan operations. */
  jobName: string | undefined;
  /** The job's tasks: groups, actions, with their times (the timeline). */
  tasks: PlanRunStep[];
  /** Each VM: its group, recovery point, data loss and when it was up. */
  items: PlanRunItem[];
  /** Seconds until the last boot group was up, for failovers and test failovers. */
  recoveryTimeSeconds: number | undefined;
  /** The largest data loss among the VMs, for failovers and test failovers. */
  dataLossSeconds: number | undefined;
  error: { code: string; message: string } | undefined;
}

/** The replication scenario of a plan's VMs: Azure to Azure, or Hyper-V to Azure. */
export type DrillScenario = "A2A" | "HyperVReplicaAzure";

/** What happened to one recovery plan. */
export interface DrillPlanReport {
  plan: string;
  /** Its VMs' replication scenario; undefined for a plan the drill was asked for that does not exist. */
  scenario: DrillScenario | undefined;
  outcome: "passed" | "failed" | "not-ready" | "stopped";
  readiness: ReadinessCheck[];
  steps: DrillStepReport[];
  /**
   * Recovery point reached: the data-loss window of the rehearsal, whose VMs come up from their
   * newest recovery points as in an unplanned failover, in seconds. (A planned failover of `--full`
   * loses nothing: its own figure is in its step.)
   */
  rpoSeconds: number | undefined;
  /** Recovery time reached: until the rehearsal's last boot group was up, in seconds (the failover's is in its step). */
  rtoSeconds: number | undefined;
}

/** The report of a drill: written as `drill-report.json`, rendered as text and HTML. */
export interface DrillReport {
  formatVersion: 1;
  backend: "azure" | "fake" | "emulator";
  vault: { resourceGroup: string; name: string };
  /** Test failover only, or the full cycle (see {@link DrillStepReport.name}). */
  full: boolean;
  outcome: "passed" | "failed" | "stopped";
  /** The backend's clock. */
  startedAt: Date;
  endedAt: Date;
  /** Wall-clock time the drill took, in milliseconds. */
  realDurationMs: number;
  plans: DrillPlanReport[];
  /** What to run to clean up or resume after a stop or a failure. */
  nextSteps: string[];
}

/** Progress of a drill, as it happens. */
export type DrillEvent =
  | { type: "readiness"; plan: string; checks: ReadinessCheck[] }
  | { type: "step-started"; plan: string; step: string; at: Date }
  | { type: "step-progress"; plan: string; step: string; job: Job; at: Date }
  | { type: "step-ended"; plan: string; step: DrillStepReport }
  | { type: "manual-action"; plan: string; step: string; action: string; at: Date };
