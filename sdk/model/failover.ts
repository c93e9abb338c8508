import { z } from "zod";
import { virtualNetworkIdSchema } from "./armIdSchemas.js";
import type { ProtectedVm, RecoveryPoint } from "./protectedVm.js";

/**
 * Which recovery point a failover uses: `Latest` processes the pending data first (lowest data
 * loss; needs the source region), `LatestProcessed` the newest point already processed (fastest),
 * `LatestApplicationConsistent` / `LatestCrashConsistent` the newest of that type, or a given point.
 */
export const recoveryPointChoiceSchema = z.union(
  [z.enum(["Latest", "LatestProcessed", "LatestApplicationConsistent", "LatestCrashConsistent"]), z.strictObject({ id: z.string().min(1) })],
  "must be 'Latest', 'LatestProcessed', 'LatestApplicationConsistent', 'LatestCrashConsistent' or { id }",
);

/** A recovery point choice. */
export type RecoveryPointChoice = z.input<typeof recoveryPointChoiceSchema>;

/** Input of {@link FailoverOperations.failover}. */
export const failoverInputSchema = z.strictObject({
  /** `planned`: shut the source VM down first and sync, no data loss (needs the source region); `unplanned`: from a recovery point. */
  kind: z.enum(["planned", "unplanned"], "must be 'planned' or 'unplanned'"),
  /** For an unplanned failover. @default "Latest" */
  recoveryPoint: recoveryPointChoiceSchema.optional(),
});

/** What a caller passes to fail over. */
export type FailoverInput = z.input<typeof failoverInputSchema>;

/** Input of {@link FailoverOperations.test}. */
export const testFailoverInputSchema = z.strictObject({
  /** The isolated virtual network the test VM joins (never the production one). */
  networkId: virtualNetworkIdSchema,
  /** @default "LatestProcessed" */
  recoveryPoint: recoveryPointChoiceSchema.optional(),
});

/** What a caller passes to run a test failover. */
export type TestFailoverInput = z.input<typeof testFailoverInputSchema>;

/** What a failover (or a change of recovery point) did. */
export interface FailoverResult {
  protectedVm: ProtectedVm;
  /** The point the VM was recovered from; undefined when the latest data was synced (no loss). */
  recoveryPoint: RecoveryPoint | undefined;
  /** When the failover started (the backend's clock). */
  startedAt: Date;
  /** Seconds of writes lost: from the recovery point to the start of the failover (0 when synced). */
  dataLossSeconds: number;
}
