import { z } from "zod";
import { resourceGroupIdSchema, storageAccountIdSchema } from "./armIdSchemas.js";

/** Input of {@link ProtectedVmOperations.protect}: where the replica goes, and how. */
export const protectVmInputSchema = z
  .strictObject({
    /** ARM id of the VM to replicate (its managed disks are all replicated). */
    virtualMachineId: z
      .string()
      .regex(
        /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i,
        "must be the ARM id of a Microsoft.Compute/virtualMachines",
      ),
    /** Resource group in the target region where the VM is created on failover. */
    recoveryResourceGroupId: resourceGroupIdSchema,
    /** A storage account in the source region that caches changes before they are sent. */
    cacheStorageAccountId: storageAccountIdSchema,
    /** Availability set in the target region (mutually exclusive with `recoveryZone`). */
    recoveryAvailabilitySetId: z
      .string()
      .regex(/\/providers\/Microsoft\.Compute\/availabilitySets\/[^/]+$/i, "must be the ARM id of a Microsoft.Compute/availabilitySets")
      .optional(),
    recoveryZone: z.enum(["1", "2", "3"], "must be '1', '2' or '3'").optional(),
    /** Target virtual network (by default, the network mapping's). */
    recoveryNetworkId: z
      .string()
      .regex(/\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i, "must be the ARM id of a Microsoft.Network/virtualNetworks")
      .optional(),
    recoverySubnetName: z.string().min(1).max(80).optional(),
    /** Multi-VM consistency group (at most 16 VMs). */
    multiVmGroupName: z.string().min(1).max(64).optional(),
    /** Disk type of the replica and failed-over disks (by default, each source disk's type). */
    targetDiskType: z.enum(["Standard_LRS", "StandardSSD_LRS", "Premium_LRS", "StandardSSD_ZRS", "Premium_ZRS"]).optional(),
  })
  .refine((input) => input.recoveryAvailabilitySetId === undefined || input.recoveryZone === undefined, {
    path: ["recoveryZone"],
    message: "cannot be combined with recoveryAvailabilitySetId",
  });

/** What a caller passes to protect a VM. */
export type ProtectVmInput = z.input<typeof protectVmInputSchema>;

/**
 * Where a protected VM stands: `enabling` (the enable job runs), `initialReplication` (copying the
 * disks), `protected`, `disabling`, `failingOver`, `failedOver` (commit pending), `committed`
 * (running in the target region, unprotected until reprotect), or `other` for any state this SDK
 * version does not name yet (see `protectionState` for Azure's own value).
 */
export type ProtectionPhase =
  "enabling" | "initialReplication" | "protected" | "disabling" | "failingOver" | "failedOver" | "committed" | "reprotecting" | "other";

/** A VM replicated by Site Recovery. */
export interface ProtectedVm {
  /** ARM id of the replicated item (changes after reprotect; `lifecycleId` does not). */
  id: string;
  name: string;
  lifecycleId: string;
  /** ARM id of the source VM. */
  virtualMachineId: string;
  phase: ProtectionPhase;
  /** Azure's `protectionState` and its description, as given. */
  protectionState: string;
  protectionStateDescription: string;
  /** `Normal`, `Warning` or `Critical`. */
  replicationHealth: string;
  /** Why health is not Normal. */
  healthErrors: { code: string; message: string; level: string; recommendedAction: string | undefined }[];
  /** Pending changes reached half the disks' size: a resync (repair) is needed before replication resumes. */
  resyncRequired: boolean;
  /** Progress of the initial replication (0-100), while it runs. */
  initialReplicationPercent: number | undefined;
  /** Seconds of data at risk, once protected. */
  rpoSeconds: number | undefined;
  activeLocation: string;
  allowedOperations: string[];
  sourceRegion: string;
  targetRegion: string;
  recoveryResourceGroupId: string | undefined;
  /** Name of the VM created on failover (in the recovery resource group). */
  recoveryVmName: string | undefined;
  /** The container replication goes to (its region is the target). */
  recoveryContainerId: string | undefined;
  policyId: string | undefined;
  /** The job under way (`enabling`, `disabling`, ...), if any. */
  currentJobId: string | undefined;
  /** Azure's `testFailoverState` (`None` when no test failover is under way). */
  testFailoverState: string;
  /** The recovery point the last failover used, until it is committed. */
  failoverRecoveryPointId: string | undefined;
  lastFailoverTime: Date | undefined;
  lastTestFailoverTime: Date | undefined;
  /** The multi-VM consistency group it belongs to, if the user named one. */
  multiVmGroupName: string | undefined;
}

/** A recovery point a failover can use. */
export interface RecoveryPoint {
  id: string;
  name: string;
  time: Date;
  type: "CrashConsistent" | "ApplicationConsistent" | string;
}

/** Input of {@link ProtectedVmOperations.reprotect}: the target settings the owner may choose (DOMAIN.md §6). */
export const reprotectInputSchema = z.strictObject({
  /** Resource group for the replica in the region replicated to. @default the original VM's resource group */
  recoveryResourceGroupId: resourceGroupIdSchema.optional(),
  /** Cache storage account in the region the VM now runs in. @default `{VM resource group}/.../storageAccounts/asrcache{region}` */
  cacheStorageAccountId: storageAccountIdSchema.optional(),
  /** Availability set in the region replicated to. @default the original VM's availability set, when it still exists */
  recoveryAvailabilitySetId: z
    .string()
    .regex(/\/providers\/Microsoft\.Compute\/availabilitySets\/[^/]+$/i, "must be the ARM id of a Microsoft.Compute/availabilitySets")
    .optional(),
  /** Replica and target disk type. @default each disk's own type */
  targetDiskType: z.enum(["Standard_LRS", "StandardSSD_LRS", "Premium_LRS", "StandardSSD_ZRS", "Premium_ZRS"]).optional(),
  /** Refused: the target network cannot change during reprotect (change the network mapping instead). */
  targetNetworkId: z
    .string()
    .optional()
    .refine((id) => id === undefined, "cannot change during reprotect: the target network follows the network mapping; change the network mapping instead"),
});

/** What a caller passes to reprotect. */
export type ReprotectInput = z.input<typeof reprotectInputSchema>;

/** Reprotect settings once validated. */
export type ReprotectSettings = z.output<typeof reprotectInputSchema>;
