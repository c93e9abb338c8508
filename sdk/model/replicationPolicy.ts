import { z } from "zod";

/** Longest retention of Azure-to-Azure recovery points (managed disks): 15 days. */
export const MAX_A2A_RETENTION_MINUTES = 15 * 24 * 60;

/** Azure-to-Azure policy input: retention, app-consistent frequency (crash-consistent is fixed at 5 minutes). */
const a2aPolicySchema = z
  .strictObject({
    kind: z.literal("A2A"),
    /** How long recovery points are kept, in minutes: 0 to 15 days. @default 1440 (1 day) */
    recoveryPointRetentionMinutes: z
      .int()
      .min(0, "must be 0 to 21600 (15 days)")
      .max(MAX_A2A_RETENTION_MINUTES, "must be 0 to 21600 (15 days)")
      .default(24 * 60),
    /** App-consistent snapshot frequency in minutes; 0 turns them off, otherwise at least 60. @default 0 */
    appConsistentFrequencyMinutes: z.int().min(0).default(0),
    /** Multi-VM consistency across the VMs of a replication group. @default true */
    multiVmSync: z.boolean().default(true),
  })
  .superRefine((input, ctx) => {
    if (input.appConsistentFrequencyMinutes !== 0 && input.appConsistentFrequencyMinutes < 60) {
      ctx.addIssue({ code: "custom", path: ["appConsistentFrequencyMinutes"], message: "must be 0 (off) or at least 60 minutes" });
    }
    if (input.appConsistentFrequencyMinutes > input.recoveryPointRetentionMinutes) {
      ctx.addIssue({ code: "custom", path: ["appConsistentFrequencyMinutes"], message: "must not exceed recoveryPointRetentionMinutes" });
    }
  });

/** Hyper-V-to-Azure policy input. */
const hyperVPolicySchema = z
  .strictObject({
    kind: z.literal("HyperVReplicaAzure"),
    /** Copy frequency: 30 s, 5 min or 15 min. @default 300 */
    copyFrequencySeconds: z.union([z.literal(30), z.literal(300), z.literal(900)], "must be 30, 300 or 900").default(300),
    /** Recovery point retention in hours (0-360). @default 24 */
    recoveryPointRetentionHours: z.int().min(0).max(360).default(24),
    /** App-consistent snapshot frequency in hours (0 = off, at most 12). @default 0 */
    appConsistentFrequencyHours: z.int().min(0).max(12).default(0),
    /** When initial replication starts, "HH:MM" (immediately when absent). */
    initialReplicationStartTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM")
      .optional(),
    /** Encrypt data at rest in Azure. @default false */
    encryption: z.boolean().default(false),
  })
  .superRefine((input, ctx) => {
    if (input.appConsistentFrequencyHours > input.recoveryPointRetentionHours) {
      ctx.addIssue({ code: "custom", path: ["appConsistentFrequencyHours"], message: "must not exceed recoveryPointRetentionHours" });
    }
  });

/** Input of {@link ReplicationPolicyOperations.createOrUpdate}. */
export const replicationPolicyInputSchema = z.discriminatedUnion("kind", [a2aPolicySchema, hyperVPolicySchema], "kind must be 'A2A' or 'HyperVReplicaAzure'");

/** What a caller passes to create a replication policy. */
export type ReplicationPolicyInput = z.input<typeof replicationPolicyInputSchema>;

/** A replication policy: how often recovery points are taken and how long they are kept. */
export type ReplicationPolicy = {
  id: string;
  name: string;
} & (
  | { kind: "A2A"; recoveryPointRetentionMinutes: number; appConsistentFrequencyMinutes: number; crashConsistentFrequencyMinutes: number; multiVmSync: boolean }
  | {
      kind: "HyperVReplicaAzure";
      copyFrequencySeconds: number;
      recoveryPointRetentionHours: number;
      appConsistentFrequencyHours: number;
      initialReplicationStartTime: string | undefined;
      encryption: boolean;
    }
);
