import { z } from "zod";

const failoverTypes = z.array(z.enum(["TestFailover", "PlannedFailover", "UnplannedFailover", "Failback", "ReverseReplicate", "Commit"])).min(1);
const directions = z.array(z.enum(["PrimaryToRecovery", "RecoveryToPrimary"])).min(1);
const common = {
  name: z.string().min(1).max(100),
  /** Failover types the action runs for. @default TestFailover, PlannedFailover, UnplannedFailover */
  failoverTypes: failoverTypes.default(["TestFailover", "PlannedFailover", "UnplannedFailover"]),
  /** Directions the action runs for. @default both */
  directions: directions.default(["PrimaryToRecovery", "RecoveryToPrimary"]),
};

/** An action before or after a group: a manual step (suspends the plan until resumed), a script, or an automation runbook. */
export const recoveryPlanActionSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("manual"), ...common, description: z.string().max(1000).optional() }),
    z.strictObject({
      kind: z.literal("script"),
      ...common,
      path: z.string().min(1),
      fabricLocation: z.enum(["Primary", "Recovery"]),
      timeout: z.string().optional(),
    }),
    z.strictObject({
      kind: z.literal("runbook"),
      ...common,
      runbookId: z.string().min(1),
      fabricLocation: z.enum(["Primary", "Recovery"]),
      timeout: z.string().optional(),
    }),
  ],
  "kind must be 'manual', 'script' or 'runbook'",
);

const protectedVmId = z.string().regex(/\/replicationProtectedItems\/[^/]+$/i, "must be the id of a protected VM (a replicated item)");
const actions = z.array(recoveryPlanActionSchema).max(20).default([]);

/** Input of {@link RecoveryPlanOperations.createOrUpdate}. */
export const recoveryPlanInputSchema = z
  .strictObject({
    /** The source fabric (e.g. `infrastructure.sourceFabricId`). */
    primaryFabricId: z.string().min(1),
    /** The target fabric (e.g. `infrastructure.targetFabricId`). */
    recoveryFabricId: z.string().min(1),
    /** Boot groups, recovered in this order; the VMs of a group in parallel (1 to 7 groups). */
    groups: z
      .array(z.strictObject({ protectedVmIds: z.array(protectedVmId).default([]), before: actions, after: actions }))
      .min(1, "needs at least one group")
      .max(7, "at most 7 boot groups"),
    /** Actions around the shutdown of the source VMs. */
    shutdown: z.strictObject({ before: actions, after: actions }).optional(),
    /** Actions around the failover of all VMs. */
    failover: z.strictObject({ before: actions, after: actions }).optional(),
  })
  .superRefine((input, ctx) => {
    const ids = input.groups.flatMap((g) => g.protectedVmIds.map((id) => id.toLowerCase()));
    if (ids.length > 100) ctx.addIssue({ code: "custom", path: ["groups"], message: `a recovery plan holds at most 100 protected VMs, not ${ids.length}` });
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", path: ["groups"], message: "a VM can be in one group of a plan only" });
  });

/** What a caller passes to create a recovery plan. */
export type RecoveryPlanInput = z.input<typeof recoveryPlanInputSchema>;
/** An action of a plan. */
export type RecoveryPlanAction = z.output<typeof recoveryPlanActionSchema>;

/** A recovery plan: VMs that fail over together, in ordered groups, with actions between them. */
export interface RecoveryPlan {
  id: string;
  name: string;
  primaryFabricId: string;
  recoveryFabricId: string;
  groups: { type: "Shutdown" | "Failover" | "Boot"; protectedVmIds: string[]; before: RecoveryPlanAction[]; after: RecoveryPlanAction[] }[];
  /** What every VM of the plan allows now (e.g. `TestFailover`, `PlannedFailover`, `UnplannedFailover`, `Commit`). */
  allowedOperations: string[];
  /** The plan's last operation: its scenario (`TestFailover`, `PlannedFailover`, `UnplannedFailover`, `CommitFailover`...), job and status (`InProgress`, `Suspended`, `Succeeded`, `Failed`, `Cancelled`). */
  currentScenario: { name: string; jobName: string; status: string; startTime: Date | undefined } | undefined;
}

/** The recovery fabric of a Hyper-V site's plans: Azure itself (their VMs replicate to the vault's region). */
export const MICROSOFT_AZURE = "Microsoft Azure";

/**
 * Whether the plan holds Hyper-V to Azure VMs (replication provider `HyperVReplicaAzure`): its
 * recovery fabric is {@link MICROSOFT_AZURE}. Such a plan fails over with the HyperVReplicaAzure
 * inputs and fails back with `recoveryPlans.failback`; an Azure-to-Azure plan recovers to another
 * Azure fabric. Throws nothing.
 */
export function isHyperVPlan(plan: Pick<RecoveryPlan, "recoveryFabricId">): boolean {
  return plan.recoveryFabricId === MICROSOFT_AZURE;
}
