import { z } from "zod";
import type { MaintenanceResultCode } from "./maintenance.js";
import type { MaintenanceExclusion, MaintenanceExclusionReason, PlannedVm } from "./maintenancePlan.js";

const HOUR_MS = 3600_000;

/** The numeric options of {@link MaintenanceOperations.run}, checked before anything is read or started. */
export const maintenanceRunSettingsSchema = z.strictObject({
  /** How long a VM may take to be back (running, provisioning succeeded) once its maintenance ended. @default 30 minutes */
  readyTimeoutMs: z
    .int()
    .min(0)
    .max(24 * HOUR_MS)
    .default(HOUR_MS / 2),
  /** How long to follow a maintenance already under way (started by an earlier run) before giving up. @default 2 hours */
  awaitTimeoutMs: z
    .int()
    .min(0)
    .max(7 * 24 * HOUR_MS)
    .default(2 * HOUR_MS),
  /** How often a VM's status is read while waiting for it (on the backend's clock). @default 1 minute */
  pollIntervalMs: z.int().min(1_000).max(HOUR_MS).default(60_000),
});

/** What the health check is told: the step that just ended and its VMs that were maintained. */
export interface MaintenanceHealthCheckRequest {
  step: number;
  vms: PlannedVm[];
  /** The backend's time. */
  at: Date;
}

/** Options of {@link MaintenanceOperations.run}. */
export interface MaintenanceRunOptions extends z.input<typeof maintenanceRunSettingsSchema> {
  /**
   * Called after each step whose VMs were maintained, before the next gap: resolve true when the
   * application is healthy. False (or a throw) stops the run there with a `HealthCheckFailed` report.
   */
  healthCheck?: (request: MaintenanceHealthCheckRequest) => Promise<boolean> | boolean;
  /** Progress, as it happens. */
  onEvent?: (event: MaintenanceRunEvent) => void;
  /** Stops the run between polls: the report says `stopped`; a maintenance under way goes on in Azure, and a run started again follows it. */
  abortSignal?: AbortSignal;
}

/**
 * What happened to a VM of the plan:
 * - `completed`: maintained (by this run, or started by an earlier run and followed to its end);
 * - `alreadyDone`: it was done before this run;
 * - `retryLater`: Azure answered `RetryLater`: untouched, left for later (the run goes on);
 * - `aborted`: Azure aborted its maintenance (MaintenanceAborted): untouched, dropped from the wave; the run stops;
 * - `failed`: something else went wrong (it did not come back in time, Azure refused with an error...); the run stops;
 * - `skipped`: not started at its turn (see `reason`);
 * - `interrupted`: under way when the run was stopped; it goes on in Azure;
 * - `notRun`: the run stopped before its turn.
 */
export type MaintenanceVmOutcome = "completed" | "alreadyDone" | "retryLater" | "aborted" | "failed" | "skipped" | "interrupted" | "notRun";

/** One VM's result in a run. */
export interface MaintenanceRunVm {
  vm: PlannedVm;
  step: number;
  outcome: MaintenanceVmOutcome;
  /** Whether this run sent its `performMaintenance` (never twice: a maintenance under way is followed, not restarted). */
  startedByThisRun: boolean;
  /** For `skipped`: why, in the planner's terms. */
  reason: MaintenanceExclusionReason | undefined;
  /** What happened, in words. */
  detail: string | undefined;
  startedAt: Date | undefined;
  endedAt: Date | undefined;
  /** Azure's `lastOperationResultCode` at the end. */
  lastResultCode: MaintenanceResultCode | undefined;
}

/** A step of a run. */
export interface MaintenanceRunStep {
  index: number;
  /** `done`: its VMs were handled; `skipped`: nothing to do at its turn; `failed`: the run stopped on it; `stopped`: the run was stopped during it; `notRun`. */
  state: "done" | "skipped" | "failed" | "stopped" | "notRun";
  startedAt: Date | undefined;
  endedAt: Date | undefined;
  /** The health check after it: `passed`, `failed`, or undefined when none ran. */
  healthCheck: "passed" | "failed" | undefined;
}

/** The report of a run. */
export interface MaintenanceRunReport {
  /** `completed`: every step ran (VMs may still be skipped or told to retry later); `failed`: stopped at the first failure; `stopped`: stopped by the caller. */
  outcome: "completed" | "failed" | "stopped";
  startedAt: Date;
  endedAt: Date;
  steps: MaintenanceRunStep[];
  /** Every VM of the plan's steps, in plan order. */
  vms: MaintenanceRunVm[];
  /**
   * What stopped the run. `code`: `MaintenanceAborted` (Azure aborted a VM's maintenance), `NotBack`
   * (a VM was not back in time), `HealthCheckFailed`, `OneDomainRule` (another update domain of the
   * set was in maintenance), `AwaitTimeout` (a maintenance under way did not end in time), or the
   * code of the SDK error that stopped it (e.g. `ServiceUnavailable`).
   */
  failure: { step: number; vm: string | undefined; code: string; message: string } | undefined;
  /** The VMs the plan left out, as it said. */
  excluded: MaintenanceExclusion[];
  /** What to do next, in words. */
  nextSteps: string[];
}

/** A progress event of a run. `at` is the backend's time. */
export type MaintenanceRunEvent =
  | { type: "step-started"; step: number; vms: string[]; at: Date }
  | { type: "waiting"; step: number; ms: number; gapKind: "betweenVms" | "betweenUpdateDomains"; at: Date }
  | { type: "vm-started"; step: number; vm: string; at: Date }
  | { type: "vm-awaiting"; step: number; vm: string; at: Date }
  | { type: "vm-ended"; step: number; vm: string; outcome: MaintenanceVmOutcome; detail: string | undefined; at: Date }
  | { type: "health-check"; step: number; passed: boolean; at: Date }
  | { type: "step-ended"; step: number; state: MaintenanceRunStep["state"]; at: Date }
  | { type: "run-ended"; outcome: MaintenanceRunReport["outcome"]; at: Date };
