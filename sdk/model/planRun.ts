import { z } from "zod";
import { virtualNetworkIdSchema } from "./armIdSchemas.js";
import type { Job } from "./job.js";
import type { RecoveryPlan } from "./recoveryPlan.js";
import { asrNameSchema, vaultRefSchema } from "./vault.js";

/** Input of a recovery plan's test failover. */
export const planTestFailoverInputSchema = z.strictObject({
  /** The isolated virtual network the test VMs join (never the production one). */
  networkId: virtualNetworkIdSchema,
  /** Which point each VM is recovered from. @default "LatestProcessed" */
  recoveryPoint: z
    .enum(
      ["LatestProcessed", "LatestApplicationConsistent", "LatestCrashConsistent"],
      "must be 'LatestProcessed', 'LatestApplicationConsistent' or 'LatestCrashConsistent'",
    )
    .default("LatestProcessed"),
});

/** What a caller passes to test-fail-over a plan. */
export type PlanTestFailoverInput = z.input<typeof planTestFailoverInputSchema>;

/** Input of a recovery plan's failover (or failback, when the plan's VMs run in their recovery region). */
export const planFailoverInputSchema = z
  .strictObject({
    /** `planned`: shut the source VMs down first and sync, no data loss (needs the source region); `unplanned`: from a recovery point type. */
    kind: z.enum(["planned", "unplanned"], "must be 'planned' or 'unplanned'"),
    /** For an unplanned failover. @default "Latest" (processes the pending data first when the source region is up) */
    recoveryPoint: z
      .enum(
        ["Latest", "LatestProcessed", "LatestApplicationConsistent", "LatestCrashConsistent"],
        "must be 'Latest', 'LatestProcessed', 'LatestApplicationConsistent' or 'LatestCrashConsistent'",
      )
      .optional(),
  })
  .refine((input) => input.kind === "unplanned" || input.recoveryPoint === undefined, {
    path: ["recoveryPoint"],
    message: "a planned failover syncs the latest data; it takes no recoveryPoint",
  });

/** What a caller passes to fail a plan over. */
export type PlanFailoverInput = z.input<typeof planFailoverInputSchema>;

/**
 * The recovery point types a Hyper-V plan's VMs recover from (Azure's HyperVReplicaAzureRpRecoveryPointType):
 * `Latest` is what the last delta cycle sent; there is no crash-consistent type.
 */
export const hyperVRecoveryPointSchema = z.enum(
  ["Latest", "LatestProcessed", "LatestApplicationConsistent"],
  "must be 'Latest', 'LatestProcessed' or 'LatestApplicationConsistent' for a Hyper-V plan (no crash-consistent type)",
);

/** Input of a Hyper-V recovery plan's failback (a planned failover from Azure back on-premises, once the failover is committed). */
export const planFailbackInputSchema = z.strictObject({
  /**
   * `ForDownTime`: synchronize while the VMs still run in Azure (only the blocks that differ), then
   * shut them down and send what changed meanwhile (short downtime). `ForSynchronization`: shut them
   * down first and download the disks in full (longer downtime, no comparison). @default "ForDownTime"
   */
  dataSync: z.enum(["ForDownTime", "ForSynchronization"], "must be 'ForDownTime' or 'ForSynchronization'").default("ForDownTime"),
  /** Create an on-premises VM that no longer exists (on its host) instead of failing the failback. @default false */
  createVmIfNotFound: z.boolean("must be a boolean").default(false),
});

/** What a caller passes to fail a Hyper-V plan back. */
export type PlanFailbackInput = z.input<typeof planFailbackInputSchema>;

/** The plan operations the SDK runs. */
export type PlanOperationName = "testFailover" | "testFailoverCleanup" | "failover" | "failback" | "commit" | "cancel";

/**
 * A plan operation that was started: plain data, so it can be written down and awaited later, by
 * another process (see `recoveryPlans.wait`). Waiting on it never starts the operation again.
 */
export const planRunHandleSchema = z.strictObject({
  kind: z.literal("azure-dr/plan-run"),
  vault: vaultRefSchema,
  plan: asrNameSchema,
  operation: z.enum(["testFailover", "testFailoverCleanup", "failover", "failback", "commit", "cancel"]),
  jobName: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "must be a job name (a GUID)"),
  /** When the operation was started (the backend's clock), ISO 8601. */
  startedAt: z.iso.datetime(),
});

/** A started plan operation; see {@link planRunHandleSchema}. */
export type PlanRunHandle = z.output<typeof planRunHandleSchema>;

/** A step of a plan's job: prerequisites, an action, the shutdown, the preparation, a group's start. */
export interface PlanRunStep {
  name: string;
  friendlyName: string;
  /** `NotStarted`, `InProgress`, `Succeeded`, `Failed`, `Cancelled`, `Suspended` (a manual action waiting) or `Skipped`. */
  state: string;
  startTime: Date | undefined;
  endTime: Date | undefined;
}

/** What happened to one VM of the plan. */
export interface PlanRunItem {
  /** The replicated item's name. */
  name: string;
  friendlyName: string;
  /** The boot group (1-based) the VM is in. */
  group: number;
  /** The point it was recovered from; undefined for operations that recover nothing (cleanup, commit, cancel). */
  recoveryPointTime: Date | undefined;
  /** Seconds of writes lost: from the recovery point to the start of the operation (0 when synced first). */
  dataLossSeconds: number | undefined;
  /** When its group's VMs were up (end of the group's start step). */
  upAt: Date | undefined;
}

/** The outcome of a plan operation, as read from its job. */
export interface PlanRunResult {
  handle: PlanRunHandle;
  /**
   * `Succeeded`; `WaitingForCleanup` (a test failover, until cleaned up); `WaitingForUser` (stopped at
   * a manual action nobody resumed); `Failed`; `Cancelled`; `InProgress` (read without waiting).
   */
  state: "Succeeded" | "WaitingForCleanup" | "WaitingForUser" | "Failed" | "Cancelled" | "InProgress";
  job: Job;
  plan: RecoveryPlan;
  steps: PlanRunStep[];
  items: PlanRunItem[];
  startedAt: Date;
  endedAt: Date | undefined;
  /** Seconds from the start until the last boot group was up (failovers and test failovers). */
  recoveryTimeSeconds: number | undefined;
  /** The largest data loss among the plan's VMs, in seconds. */
  dataLossSeconds: number | undefined;
  /** The job's first error, for a failed run. */
  error: { code: string; message: string } | undefined;
}

/** What the plan runner asks when the job stops at a manual action. */
export interface ManualActionRequest {
  handle: PlanRunHandle;
  job: Job;
  /** The step that waits: its friendly name says the group and the action. */
  step: PlanRunStep;
}
