import { z } from "zod";
import { resourceGroupIdSchema, storageAccountIdSchema, virtualNetworkIdSchema } from "./armIdSchemas.js";
import { asrNameSchema } from "./vault.js";

const diskType = z.enum(["Standard_LRS", "StandardSSD_LRS", "Premium_LRS"], "must be 'Standard_LRS', 'StandardSSD_LRS' or 'Premium_LRS'");

/** Input of {@link HyperVOperations.prepareSite}. */
export const prepareHyperVSiteSchema = z.strictObject({
  /** The Hyper-V site (a fabric of the vault): where the Site Recovery provider of each host registers. */
  siteName: asrNameSchema,
  /** An existing HyperVReplicaAzure policy of the vault (see `dr.replicationPolicies`). */
  policyName: asrNameSchema,
  /** The site's protection container. @default `{siteName}-container` */
  containerName: asrNameSchema.optional(),
});

/** What a caller passes to prepare a Hyper-V site. */
export type PrepareHyperVSiteInput = z.input<typeof prepareHyperVSiteSchema>;

/** A Hyper-V site prepared for replication to Azure: the site, its container and the container's mapping to Azure under a policy. */
export interface HyperVSite {
  siteId: string;
  siteName: string;
  containerId: string;
  /** The container's mapping to "Microsoft Azure". */
  mappingId: string;
  policyId: string;
  /** Which pieces this call created (the others existed and were reused). */
  created: string[];
}

/** A Hyper-V host of a site: a registered Site Recovery provider. */
export interface HyperVHost {
  id: string;
  name: string;
  /** `Connected` or `NotConnected`. */
  connectionStatus: string;
  /** How many of the site's protected VMs run on it. */
  protectedVmCount: number;
  lastHeartbeat: Date | undefined;
}

/** A VM the site's hosts discovered (a protectable item). */
export interface HyperVVm {
  /** ARM id of the protectable item: what protection is enabled from. */
  id: string;
  name: string;
  /** The VM's id on Hyper-V. */
  hyperVVmId: string;
  /** The host's provider id. */
  hostId: string;
  /** `Protected` or `Unprotected`. */
  protectionStatus: string;
  /** The replicated item protecting it, when protected. */
  protectedVmId: string | undefined;
  osType: string;
  generation: string;
  /** Its disks, the OS disk first. */
  disks: { id: string; name: string; sizeGB: number; isOsDisk: boolean }[];
}

/** Input of {@link HyperVOperations.protect}: the VM, and how it is built in Azure on failover. */
export const protectHyperVVmSchema = z
  .strictObject({
    /** The VM's name on its host (as {@link HyperVOperations.listVms} shows it). */
    vmName: z.string().min(1).max(256),
    /** Resource group in the vault's region where the VM is created on failover. */
    targetResourceGroupId: resourceGroupIdSchema,
    /** Name of the VM in Azure. @default the on-premises name */
    targetVmName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}[A-Za-z0-9_]?$/, "must be a valid Azure VM name (1-64 letters, digits, '.', '_', '-')")
      .optional(),
    /** Azure VM size. @default chosen from the VM's CPU count */
    targetVmSize: z.string().min(1).optional(),
    /** Virtual network the failed-over VM joins. */
    targetNetworkId: virtualNetworkIdSchema.optional(),
    /** Subnet of `targetNetworkId`. */
    targetSubnetName: z.string().min(1).max(80).optional(),
    targetAvailabilitySetId: z
      .string()
      .regex(/\/providers\/Microsoft\.Compute\/availabilitySets\/[^/]+$/i, "must be the ARM id of a Microsoft.Compute/availabilitySets")
      .optional(),
    targetZone: z.enum(["1", "2", "3"], "must be '1', '2' or '3'").optional(),
    /** Replicate to managed disks (default) or, when given, to this storage account's page blobs. */
    targetStorageAccountId: storageAccountIdSchema.optional(),
    /** The storage account (in the vault's region) where replicated changes land before they are applied. Required with managed disks. */
    logStorageAccountId: storageAccountIdSchema.optional(),
    /** Managed disk type of the replicas. @default "Standard_LRS" */
    diskType: diskType.default("Standard_LRS"),
    /** Names of the disks to replicate (the OS disk must be one). @default all */
    disks: z.array(z.string().min(1)).min(1, "must name at least the OS disk").optional(),
  })
  .superRefine((input, ctx) => {
    if (input.targetStorageAccountId === undefined && input.logStorageAccountId === undefined)
      ctx.addIssue({ code: "custom", path: ["logStorageAccountId"], message: "is required when replicating to managed disks" });
    if (input.targetSubnetName !== undefined && input.targetNetworkId === undefined)
      ctx.addIssue({ code: "custom", path: ["targetSubnetName"], message: "needs targetNetworkId" });
    if (input.targetAvailabilitySetId !== undefined && input.targetZone !== undefined)
      ctx.addIssue({ code: "custom", path: ["targetZone"], message: "cannot be combined with targetAvailabilitySetId" });
  });

/** What a caller passes to protect a Hyper-V VM. */
export type ProtectHyperVVmInput = z.input<typeof protectHyperVVmSchema>;

/** Input of {@link HyperVOperations.failover}. */
export const hyperVFailoverSchema = z.strictObject({
  /** `planned`: the on-premises VM is shut down and its last changes sent first, no data loss; `unplanned`: from what Azure already has. */
  kind: z.enum(["planned", "unplanned"], "must be 'planned' or 'unplanned'"),
  /** For `unplanned`: a recovery point's id. @default the latest data Azure received */
  recoveryPointId: z.string().min(1).optional(),
  /** For `unplanned`: shut the on-premises VM down and sync first when it is reachable. @default false */
  shutDownSource: z.boolean().default(false),
});

/** What a caller passes to fail a Hyper-V VM over to Azure. */
export type HyperVFailoverInput = z.input<typeof hyperVFailoverSchema>;

/** Input of {@link HyperVOperations.testFailover}. */
export const hyperVTestFailoverSchema = z.strictObject({
  /** The isolated virtual network the test VM joins (never the production one). */
  networkId: virtualNetworkIdSchema,
  /** @default the latest data Azure received */
  recoveryPointId: z.string().min(1).optional(),
});

/** What a caller passes to run a test failover of a Hyper-V VM. */
export type HyperVTestFailoverInput = z.input<typeof hyperVTestFailoverSchema>;

/** Input of {@link HyperVOperations.reprotect}. */
export const hyperVReprotectSchema = z.strictObject({
  /** Log storage account for the new replication. @default the one replication used before */
  logStorageAccountId: storageAccountIdSchema.optional(),
});

/** What a caller passes to reprotect a Hyper-V VM. */
export type HyperVReprotectInput = z.input<typeof hyperVReprotectSchema>;

/** Input of {@link HyperVOperations.failback}. */
export const hyperVFailbackSchema = z.strictObject({
  /**
   * `ForDownTime` (default): synchronize while the Azure VM runs, then shut it down and send the
   * last changes (short downtime); `ForSynchronization`: shut it down first and download the disks.
   */
  dataSync: z.enum(["ForDownTime", "ForSynchronization"], "must be 'ForDownTime' or 'ForSynchronization'").default("ForDownTime"),
  /** Create the VM on-premises when it no longer exists (a full copy). @default false */
  createVmIfNotFound: z.boolean().default(false),
  /** Fail back to another host of the site (its provider id, see {@link HyperVOperations.listHosts}); implies creating the VM there. */
  alternateHostId: z
    .string()
    .regex(/\/replicationRecoveryServicesProviders\/[^/]+$/i, "must be the id of a host of the site (a recovery services provider)")
    .optional(),
});

/** What a caller passes to fail a Hyper-V VM back on-premises. */
export type HyperVFailbackInput = z.input<typeof hyperVFailbackSchema>;

/**
 * Where a Hyper-V VM stands in the cycle: `enabling`, `initialReplication` (including finalize
 * protection), `protected`, `failingOver`, `failedOver` (in Azure, commit pending), `committed` (in
 * Azure; can fail back), `failingBack`, `failedBack` (on-premises again, commit pending),
 * `failbackCommitted` (on-premises; reprotect restarts replication), `reprotecting`, `disabling`,
 * or `other` for a state this SDK version does not name (see `protectionState`).
 */
export type HyperVPhase =
  | "enabling"
  | "initialReplication"
  | "protected"
  | "failingOver"
  | "failedOver"
  | "committed"
  | "failingBack"
  | "failedBack"
  | "failbackCommitted"
  | "reprotecting"
  | "disabling"
  | "other";

/** A Hyper-V VM replicated to Azure. */
export interface HyperVProtectedVm {
  /** ARM id of the replicated item. */
  id: string;
  name: string;
  /** The VM's name on-premises. */
  vmName: string;
  /** The protectable item it was enabled from (changes when failback creates a new VM). */
  protectableItemId: string;
  phase: HyperVPhase;
  /** Azure's `protectionState`, its description and the replication's own description, as given. */
  protectionState: string;
  protectionStateDescription: string;
  replicationDescription: string;
  /** `Primary` (on-premises) or `Recovery` (Azure). */
  activeLocation: string;
  /** `Normal`, `Warning` or `Critical`. */
  replicationHealth: string;
  healthErrors: { code: string; message: string; level: string; recommendedAction: string | undefined }[];
  /** Replication stopped until a resynchronization runs (pending changes reached half the disk, or a non-recoverable error was fixed). */
  resyncRequired: boolean;
  /** Initial replication progress (0-100) while it runs. */
  initialReplicationPercent: number | undefined;
  /** Resynchronization progress (0-100) while it runs. */
  resyncPercent: number | undefined;
  /** When the last delta cycle reached Azure. */
  lastReplicatedTime: Date | undefined;
  /** Seconds of writes not in Azure yet. */
  rpoSeconds: number | undefined;
  lastRecoveryPointTime: Date | undefined;
  allowedOperations: string[];
  targetVmName: string;
  targetVmSize: string;
  targetResourceGroupId: string;
  targetNetworkId: string | undefined;
  policyId: string | undefined;
  /** The job under way, if any. */
  currentJobId: string | undefined;
  failoverRecoveryPointId: string | undefined;
  lastFailoverTime: Date | undefined;
  /** Replicated disks. */
  disks: { name: string; sizeGB: number }[];
}

/** What a Hyper-V failover did. */
export interface HyperVFailoverResult {
  protectedVm: HyperVProtectedVm;
  /** The moment the VM was recovered to. */
  recoveryPointTime: Date | undefined;
  startedAt: Date;
  /** Seconds of writes lost: from the recovery point to the start of the failover (0 for a planned failover). */
  dataLossSeconds: number;
  /** The failover job's name. */
  jobName: string | undefined;
}

/** Input of {@link HyperVOperations.removeSite}. */
export const removeHyperVSiteSchema = z.strictObject({
  /** The Hyper-V site (a fabric of the vault). */
  siteName: asrNameSchema,
  /** The site's protection container whose mappings and itself are removed. @default `{siteName}-container` */
  containerName: asrNameSchema.optional(),
});

/** Input of {@link HyperVOperations.removeSite}. */
export type RemoveHyperVSiteInput = z.input<typeof removeHyperVSiteSchema>;

/** What {@link HyperVOperations.removeSite} removed, in order (ARM ids); empty when the site did not exist. */
export interface HyperVSiteRemoval {
  removed: string[];
}
