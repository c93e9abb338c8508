import { ArmError } from "../arm/armError.js";
import type { RequestContext } from "../arm/requestContext.js";
import { jsonResponse } from "../arm/responses.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { ComputeService } from "../compute/registerCompute.js";
import type { StorageAccounts } from "../storage/storageAccounts.js";
import { ResourceStore, resourceKey, type ResourceLookup } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, guidOf, ID_PATTERNS, nameOf, vaultIdOf } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { serviceOrigin, type AsrTaskPlan } from "./asrJobs.js";
import { findOfType } from "./asrResources.js";
import type { ContainerMappings } from "./containerMappings.js";
import { HyperVSites, type HyperVVm } from "./hyperVSites.js";
import type { Policies } from "./policies.js";
import {
  ENABLE_TASKS,
  enablingItem,
  HYPER_V_PLACEMENT,
  isHyperV,
  type FailoverState,
  type HyperVItemInternal,
  type ItemInternal,
  type ProtectedItems,
  type RecoveryTarget,
  type ReplicatedDisk,
  type StateRow,
} from "./protectedItems.js";
import type { ReplicationHealth, WriteProfile } from "./replicationHealth.js";
import { copyDurationMs, lastCycleAt, recoveryPointsAt, type RecoveryPointInputs } from "./replicationModel.js";

const MINUTE = 60_000;
const GIB = 1024 * 1024 * 1024;
const MB = 1024 * 1024;
/** The health error code of an item whose site's providers are not connected (inferred: Azure's code is not documented). */
export const PROVIDER_NOT_CONNECTED = "ProviderNotConnected";
/** The recovery side of every Hyper-V to Azure item: Azure itself. */
export const MICROSOFT_AZURE = "Microsoft Azure";
/** Hyper-V to Azure crash-consistent points: one an hour (the service's example lists them an hour apart; inferred). */
const CRASH_CONSISTENT_EVERY_MINUTES = 60;
const SNAPSHOT_MS = 30_000;
const FINALIZE_TASKS: readonly AsrTaskPlan[] = [
  { name: "MergeChangeLog", friendlyName: "Remove the snapshot and merge the change log", durationMs: 30_000 },
  { name: "ConfigurePostReplication", friendlyName: "Configure network and post-replication settings", durationMs: 30_000 },
];
const INITIAL_REPLICATION_KIND = "asr.hyperV.initialReplication";
const FINALIZE_KIND = "asr.hyperV.finalize";
const DISK_TYPES = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS"];
/** Azure sizes a Hyper-V VM is given when the input names none, by its virtual processors (inferred: Azure picks one that fits its cores and memory). */
const SIZES_BY_CPU: readonly [number, string][] = [
  [2, "Standard_D2s_v5"],
  [4, "Standard_D4s_v5"],
  [8, "Standard_D8s_v5"],
  [16, "Standard_D16s_v5"],
  [32, "Standard_D32s_v5"],
  [48, "Standard_D48s_v5"],
  [Infinity, "Standard_D64s_v5"],
];

/** Initial replication of a Hyper-V item as it runs: a snapshot, the disks one by one, then the changes logged meanwhile. */
export interface InitialReplicationRun extends JsonObject {
  jobId: string;
  /** The tasks of its job, by name, in order. */
  tasks: string[];
  /** Until when it waits for the policy's start time. */
  waitUntil: number;
  /** When the snapshot was taken: the change log starts then. */
  snapshotAt: number | null;
  /** When each disk's copy starts (set when the snapshot is taken). */
  diskStarts: number[];
  copyEnd: number | null;
  /** The changes logged during the copy, sent after it (set when the copy ends). */
  logBytes: number | null;
  logEnd: number | null;
  finalizing: boolean;
  finalizedAt: number | null;
  /** Since when it is paused because the site is unreachable (null or absent: it runs). */
  heldAt?: number | null;
  /** How long the copy was paused after the snapshot (the disks' copy times above do not include it). */
  pausedMs?: number;
}

/** A failback (planned failover from Azure to on-premises) under way or waiting for commit. */
export interface FailbackRun extends JsonObject {
  jobId: string;
  /** The tasks of its job, by name, in order. */
  tasks: string[];
  dataSyncOption: "ForDownTime" | "ForSynchronization";
  recoveryVmCreationOption: "CreateVmIfNotFound" | "NoAction";
  /** The host the VM runs on after the failback. */
  providerId: string;
  /** Whether it goes to another host than the VM's (`providerIdForAlternateRecovery`). */
  alternate: boolean;
  /** Whether it creates the VM (another host, or the original VM is gone). */
  createVm: boolean;
  /** The VM it fails back to, once known: the original one, or the one it created. */
  targetVmRecordId: string | null;
  /** The failover to Azure it undoes (restored if the failback fails or is cancelled). */
  previousFailover: FailoverState;
}

/** The on-premises side of a Hyper-V to Azure item. */
export interface HyperVItemState extends JsonObject {
  /** The on-premises VM (its record under the site). */
  vmRecordId: string;
  /** The protection container the item is in (where its VM is discovered). */
  containerId: string;
  initialReplication: InitialReplicationRun | null;
  /** The job the service runs about the item by itself (initial replication, finalize protection), while it runs. */
  serviceJobId: string | null;
  failback: FailbackRun | null;
  /** When the VM ran on-premises again after the last failback: reprotect sends what it wrote since. */
  failedBackAt: number | null;
  /** The VM as it was when protection was enabled: what a failback recreates when it is gone. */
  vmTemplate: HyperVVm;
}

/**
 * Hyper-V to Azure replicated items (DOMAIN.md §4): enable protection from a protectable item of a
 * Hyper-V site's container (`HyperVReplicaAzureEnableProtectionInput`: target resource group,
 * storage account or managed disks, network, availability set or zone, disks to include, log
 * storage); initial replication as a job the service runs (a snapshot, each disk copied in turn
 * at the replication bandwidth, then the changes logged meanwhile), then "Finalize protection";
 * delta replication at the policy's copy frequency; recovery points per the policy (crash-consistent
 * hourly, app-consistent at its frequency). Failures, retries and resync are {@link ReplicationHealth}'s.
 */
export class HyperVReplication {
  /** The items by the on-premises VM record they protect, so that enabling one does not walk every item of the vault. */
  private readonly byVmRecord: ResourceLookup;

  constructor(
    private readonly asr: AsrContext,
    private readonly items: ProtectedItems,
    private readonly sites: HyperVSites,
    private readonly policies: Policies,
    private readonly mappings: ContainerMappings,
    private readonly compute: ComputeService,
    private readonly storage: StorageAccounts,
  ) {
    this.byVmRecord = asr.services.resources.lookup(ASR_TYPES.protectedItem, (item) => {
      const vmRecordId = (item.internal as ItemInternal).hyperV?.vmRecordId;
      return vmRecordId === undefined ? [] : [vmRecordId];
    });
    asr.jobs.registerStepped(INITIAL_REPLICATION_KIND, { taskDone: (job, index, at) => this.initialReplicationStep(job, index, at) });
    asr.jobs.register(FINALIZE_KIND, { complete: (op, at) => this.finalized(String(op.data.itemId), at) });
  }

  // ------------------------------------------------------------------------------ enable

  /** Enables protection of a Hyper-V VM (`HyperVReplicaAzureEnableProtectionInput`) as item `name` of `container`. */
  enable(ctx: RequestContext, container: StoredResource, name: string, properties: JsonObject, input: JsonObject): EmulatorResponse {
    const field = "properties.providerSpecificDetails";
    const fabric = this.asr.services.resources.get(container.id.slice(0, container.id.toLowerCase().indexOf("/replicationprotectioncontainers/")));
    if (((fabric?.body.properties as JsonObject | undefined)?.customDetails as JsonObject | undefined)?.instanceType !== "HyperVSite")
      throw new ArmError(400, "InvalidParameter", "Hyper-V to Azure replication needs a protection container of a Hyper-V site.", `${field}.instanceType`);
    const protectableItemId = String(properties.protectableItemId ?? "");
    const vmRecord = this.sites.vmOfProtectableItem(container, protectableItemId);
    if (vmRecord === undefined) {
      throw new ArmError(
        400,
        "ProtectableItemNotFound",
        `'properties.protectableItemId' must be a protectable item of container '${String(container.body.name)}' (a VM its hosts discovered), not '${protectableItemId}'.`,
        "properties.protectableItemId",
      );
    }
    const vm = vmRecord.internal as HyperVVm;
    if (this.asr.services.isHyperVSiteDown(vm.fabricId))
      throw new ArmError(
        409,
        "SourceSiteUnavailable",
        `The Hyper-V site '${String(fabric?.body.name)}' is unreachable (its Site Recovery providers are not connected): protection cannot be enabled for '${vm.name}'.`,
      );
    const id = `${container.id}/replicationProtectedItems/${name}`;
    const existing = findOfType(this.asr.services, id, ASR_TYPES.protectedItem);
    if (existing !== undefined) {
      if ((existing.internal as ItemInternal).hyperV?.vmRecordId.toLowerCase() !== vmRecord.id.toLowerCase())
        throw new ArmError(409, "ReplicatedItemNameTaken", `Replicated item '${name}' already protects another VM.`);
      return jsonResponse(200, this.items.view(existing));
    }
    const vaultPrefix = `${resourceKey(vaultIdOf(ctx))}/`;
    const already = this.byVmRecord.find(vmRecord.id).find((i) => resourceKey(i.id).startsWith(vaultPrefix));
    if (already !== undefined)
      throw new ArmError(
        409,
        "ProtectionAlreadyEnabled",
        `Replication is already enabled for virtual machine '${vm.name}' (replicated item '${String(already.body.name)}').`,
        "properties.protectableItemId",
      );
    const mapping = this.asr.services.resources
      .list(container.id, ASR_TYPES.containerMapping)
      .find((m) => (m.body.properties as JsonObject).targetProtectionContainerId === MICROSOFT_AZURE);
    if (mapping === undefined)
      throw new ArmError(
        400,
        "ContainerMappingNotFound",
        `Container '${String(container.body.name)}' is not mapped to '${MICROSOFT_AZURE}' under a HyperVReplicaAzure policy. Create the container mapping first.`,
        "properties.policyId",
      );
    const policyId = String((mapping.body.properties as JsonObject).policyId);
    if (String(properties.policyId ?? policyId).toLowerCase() !== policyId.toLowerCase())
      throw new ArmError(400, "InvalidParameter", `'policyId' must be the policy of the container mapping ('${nameOf(policyId)}').`, "properties.policyId");
    const vaultId = vaultIdOf(ctx);
    const targetLocation = String(this.asr.services.resources.get(vaultId)?.body.location ?? "");
    const target = this.targetSettings(ctx, input, vm, targetLocation, field);
    const disks = this.selectDisks(input, vm, targetLocation, field);
    const now = this.asr.services.now();
    const lifecycleId = guidOf(id.toLowerCase(), now);
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.item.enable",
      scenarioName: "EnableDr",
      friendlyName: "Enable protection",
      targetObjectId: vm.vmId,
      targetObjectName: vm.name,
      targetInstanceType: "ProtectionEntity",
      resultResourceId: id,
      tasks: ENABLE_TASKS,
      data: { itemId: id },
    });
    const internal: HyperVItemInternal = {
      ...enablingItem({
        lifecycleId,
        vmId: vmRecord.id,
        sourceLocation: "",
        targetLocation,
        policyId,
        recoveryContainerId: azureContainerId(vaultId),
        disks: disks.map((d) => d.disk),
        jobId: job.id,
        scenarioStart: now,
      }),
      provider: "HyperVReplicaAzure",
      hyperV: {
        vmRecordId: vmRecord.id,
        containerId: container.id,
        initialReplication: null,
        serviceJobId: null,
        failback: null,
        failedBackAt: null,
        vmTemplate: JSON.parse(JSON.stringify(vm)) as HyperVVm,
      },
    };
    const policy = this.policies.get(policyId);
    const body: JsonObject = {
      id,
      name,
      type: ASR_TYPES.protectedItem,
      properties: {
        friendlyName: vm.name,
        protectedItemType: "HyperVVirtualMachine",
        protectableItemId: HyperVSites.protectableItemId(container.id, vm),
        recoveryServicesProviderId: vm.providerId,
        primaryFabricFriendlyName: String(fabric?.body.name),
        primaryFabricProvider: "HyperVSite",
        recoveryFabricFriendlyName: MICROSOFT_AZURE,
        recoveryFabricId: MICROSOFT_AZURE,
        primaryProtectionContainerFriendlyName: String((container.body.properties as JsonObject).friendlyName),
        recoveryProtectionContainerFriendlyName: MICROSOFT_AZURE,
        policyId,
        policyFriendlyName: policy === undefined ? "" : String(policy.body.name),
        recoveryContainerId: internal.recoveryContainerId,
        providerSpecificDetails: {
          instanceType: "HyperVReplicaAzure",
          azureVmDiskDetails: disks.map((d, index) => ({
            vhdType: index === 0 && d.disk.diskId === vm.disks[0]?.id ? "OperatingSystem" : "DataDisk",
            vhdId: d.disk.diskId,
            diskId: d.disk.diskId,
            vhdName: d.disk.diskName,
            maxSizeMB: String(Math.round(d.disk.diskCapacityInBytes / MB)),
            targetDiskLocation: target.useManagedDisks ? target.resourceGroupId : (target.storageAccountId ?? ""),
            targetDiskName: `${target.vmName}-${d.disk.diskName}`,
            lunId: String(index - 1),
          })),
          recoveryAzureVmName: target.vmName,
          recoveryAzureVMSize: target.vmSize,
          recoveryAzureStorageAccount: target.storageAccountId ?? null,
          recoveryAzureLogStorageAccountId: target.logStorageAccountId ?? null,
          vmId: vm.vmId,
          vmNics: [],
          selectedRecoveryAzureNetworkId: target.networkId ?? null,
          encryption: "Disabled",
          oSDetails: HyperVSites.osDetails(vm),
          sourceVmRamSizeInMB: vm.memoryMB,
          sourceVmCpuCount: vm.cpuCount,
          enableRdpOnTargetOption: target.enableRdp,
          recoveryAzureResourceGroupId: target.resourceGroupId,
          recoveryAvailabilitySetId: target.availabilitySetId ?? null,
          targetAvailabilityZone: target.zone ?? null,
          useManagedDisks: String(target.useManagedDisks),
          licenseType: target.licenseType,
          sqlServerLicenseType: target.sqlServerLicenseType,
          protectedManagedDisks: target.useManagedDisks
            ? disks.map((d) => ({
                diskId: d.disk.diskId,
                seedManagedDiskId: `${target.resourceGroupId}/providers/Microsoft.Compute/disks/${target.vmName}-${d.disk.diskName}-seed`,
                replicaDiskType: d.disk.diskType,
                diskEncryptionSetId: null,
              }))
            : [],
          targetVmTags: tagsOf(input.targetVmTags),
          seedManagedDiskTags: tagsOf(input.seedManagedDiskTags),
          targetManagedDiskTags: tagsOf(input.targetManagedDiskTags),
          targetNicTags: tagsOf(input.targetNicTags),
          ...(target.subnetId === undefined ? {} : { selectedSourceNicId: null }),
        },
      },
    };
    this.asr.services.resources.put(ResourceStore.record(id, ASR_TYPES.protectedItem, body, internal));
    return this.asr.jobs.accepted(ctx, job);
  }

  /** The Azure settings of an enable input, checked, with the service's defaults (inferred where the input may leave them out). */
  private targetSettings(ctx: RequestContext, input: JsonObject, vm: HyperVVm, targetLocation: string, field: string): TargetSettings {
    if (input.targetAzureV1ResourceGroupId !== undefined && input.targetAzureV1ResourceGroupId !== null)
      throw new ArmError(
        400,
        "InvalidParameter",
        "Classic (V1) deployments are not supported: use 'targetAzureV2ResourceGroupId'.",
        `${field}.targetAzureV1ResourceGroupId`,
      );
    const vaultGroup = `/subscriptions/${ctx.params.subscriptionId ?? ""}/resourceGroups/${ctx.params.resourceGroupName ?? ""}`;
    const resourceGroupId = optionalString(input.targetAzureV2ResourceGroupId, `${field}.targetAzureV2ResourceGroupId`) ?? vaultGroup;
    if (!ID_PATTERNS.resourceGroup.test(resourceGroupId))
      throw new ArmError(
        400,
        "InvalidParameter",
        `'targetAzureV2ResourceGroupId' must be a resource group id, not '${resourceGroupId}'.`,
        `${field}.targetAzureV2ResourceGroupId`,
      );
    const vmName = optionalString(input.targetAzureVmName, `${field}.targetAzureVmName`) ?? vm.name;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}[A-Za-z0-9_]?$/.test(vmName))
      throw new ArmError(400, "InvalidParameter", `'targetAzureVmName' '${vmName}' is not a valid Azure VM name.`, `${field}.targetAzureVmName`);
    for (const [key, expected] of [
      ["vmName", vm.name],
      ["hvHostVmId", vm.vmId],
    ] as const) {
      const given = optionalString(input[key], `${field}.${key}`);
      if (given !== undefined && given.toLowerCase() !== expected.toLowerCase())
        throw new ArmError(400, "InvalidParameter", `'${key}' is '${given}', but the protectable item is '${expected}'.`, `${field}.${key}`);
    }
    const osType = optionalString(input.osType, `${field}.osType`);
    if (osType !== undefined && !["Windows", "Linux"].includes(osType))
      throw new ArmError(400, "InvalidParameter", `'osType' must be 'Windows' or 'Linux', not '${osType}'.`, `${field}.osType`);
    const networkId = optionalString(input.targetAzureNetworkId, `${field}.targetAzureNetworkId`);
    if (networkId !== undefined && !ID_PATTERNS.virtualNetwork.test(networkId))
      throw new ArmError(400, "InvalidParameter", `'targetAzureNetworkId' must be a virtual network id, not '${networkId}'.`, `${field}.targetAzureNetworkId`);
    const subnetId = optionalString(input.targetAzureSubnetId, `${field}.targetAzureSubnetId`);
    if (
      subnetId !== undefined &&
      (!ID_PATTERNS.subnet.test(subnetId) || networkId === undefined || !subnetId.toLowerCase().startsWith(`${networkId.toLowerCase()}/subnets/`))
    )
      throw new ArmError(400, "InvalidParameter", "'targetAzureSubnetId' must be a subnet of 'targetAzureNetworkId'.", `${field}.targetAzureSubnetId`);
    this.items.checkPlacement(input, targetLocation, HYPER_V_PLACEMENT);
    const storageAccountId = optionalString(input.targetStorageAccountId, `${field}.targetStorageAccountId`);
    const useManagedDisks = booleanString(input.useManagedDisks, `${field}.useManagedDisks`) ?? storageAccountId === undefined;
    if (!useManagedDisks && storageAccountId === undefined)
      throw new ArmError(
        400,
        "InvalidParameter",
        "Replicating to a storage account ('useManagedDisks' 'false') needs 'targetStorageAccountId'.",
        `${field}.targetStorageAccountId`,
      );
    if (storageAccountId !== undefined) this.checkStorageAccount(storageAccountId, targetLocation, `${field}.targetStorageAccountId`);
    const logStorageAccountId = optionalString(input.logStorageAccountId, `${field}.logStorageAccountId`);
    if (logStorageAccountId !== undefined) this.checkStorageAccount(logStorageAccountId, targetLocation, `${field}.logStorageAccountId`);
    return {
      resourceGroupId,
      vmName,
      vmSize: optionalString(input.targetVmSize, `${field}.targetVmSize`) ?? (SIZES_BY_CPU.find(([cpus]) => vm.cpuCount <= cpus) as [number, string])[1],
      ...(networkId === undefined ? {} : { networkId }),
      ...(subnetId === undefined ? {} : { subnetId }),
      ...(typeof input.targetAvailabilitySetId === "string" ? { availabilitySetId: input.targetAvailabilitySetId } : {}),
      ...(typeof input.targetAvailabilityZone === "string" ? { zone: input.targetAvailabilityZone } : {}),
      useManagedDisks,
      ...(storageAccountId === undefined ? {} : { storageAccountId }),
      ...(logStorageAccountId === undefined ? {} : { logStorageAccountId }),
      enableRdp: optionalString(input.enableRdpOnTargetOption, `${field}.enableRdpOnTargetOption`) ?? "Never",
      licenseType: oneOf(input.licenseType, ["NotSpecified", "NoLicenseType", "WindowsServer"], `${field}.licenseType`, "NotSpecified"),
      sqlServerLicenseType: oneOf(
        input.sqlServerLicenseType,
        ["NotSpecified", "NoLicenseType", "PAYG", "AHUB"],
        `${field}.sqlServerLicenseType`,
        "NotSpecified",
      ),
    };
  }

  /** 400 unless `id` is a storage account id, in the target region when the emulator knows the account. */
  private checkStorageAccount(id: string, targetLocation: string, field: string): void {
    if (!ID_PATTERNS.storageAccount.test(id))
      throw new ArmError(400, "InvalidParameter", `'${nameOf(field)}' must be a storage account id, not '${id}'.`, field);
    const account = this.storage.get(id);
    if (account !== undefined && String(account.body.location) !== targetLocation)
      throw new ArmError(
        400,
        "StorageAccountLocationMismatch",
        `Storage account '${nameOf(id)}' is in '${String(account.body.location)}'; Hyper-V VMs replicate to the vault's region '${targetLocation}'.`,
        field,
      );
  }

  /** The VM's disks to replicate: `disksToIncludeForManagedDisks`, else `disksToInclude` (vhd ids), else all; the OS disk always. */
  private selectDisks(input: JsonObject, vm: HyperVVm, targetLocation: string, field: string): { disk: ReplicatedDisk }[] {
    const defaultType = oneOf(input.diskType, DISK_TYPES, `${field}.diskType`, "Standard_LRS");
    const managed = input.disksToIncludeForManagedDisks;
    const plain = input.disksToInclude;
    let requested: { vhdId: string; diskType: string; logStorageAccountId: string | undefined; at: string }[];
    if (Array.isArray(managed) && managed.length > 0) {
      requested = managed.map((entry, index) => {
        const at = `${field}.disksToIncludeForManagedDisks[${index}]`;
        if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw new ArmError(400, "InvalidParameter", `'${at}' must be an object.`, at);
        const log = optionalString(entry.logStorageAccountId, `${at}.logStorageAccountId`);
        if (log !== undefined) this.checkStorageAccount(log, targetLocation, `${at}.logStorageAccountId`);
        return {
          vhdId: String(entry.diskId ?? ""),
          diskType: oneOf(entry.diskType, DISK_TYPES, `${at}.diskType`, defaultType),
          logStorageAccountId: log,
          at: `${at}.diskId`,
        };
      });
    } else if (Array.isArray(plain) && plain.length > 0) {
      requested = plain.map((vhdId, index) => ({
        vhdId: String(vhdId),
        diskType: defaultType,
        logStorageAccountId: undefined,
        at: `${field}.disksToInclude[${index}]`,
      }));
    } else {
      requested = vm.disks.map((d) => ({ vhdId: d.id, diskType: defaultType, logStorageAccountId: undefined, at: `${field}.disksToInclude` }));
    }
    const selected = requested.map((r) => {
      const vhd = vm.disks.find((d) => d.id.toLowerCase() === r.vhdId.toLowerCase());
      if (vhd === undefined) throw new ArmError(400, "InvalidParameter", `Disk '${r.vhdId}' is not a disk of virtual machine '${vm.name}'.`, r.at);
      const disk: ReplicatedDisk = { diskId: vhd.id, diskName: vhd.name, diskCapacityInBytes: vhd.sizeBytes, diskType: r.diskType };
      if (r.logStorageAccountId !== undefined) disk.logStorageAccountId = r.logStorageAccountId;
      return { disk };
    });
    if (new Set(selected.map((s) => s.disk.diskId.toLowerCase())).size !== selected.length)
      throw new ArmError(400, "InvalidParameter", "A disk is listed twice.", `${field}.disksToInclude`);
    const osDisk = vm.disks[0]?.id.toLowerCase();
    if (!selected.some((s) => s.disk.diskId.toLowerCase() === osDisk))
      throw new ArmError(400, "OsDiskNotSelected", "The OS disk must be replicated.", `${field}.disksToInclude`);
    // The OS disk first, then the others in the VM's order.
    const order = (s: { disk: ReplicatedDisk }): number => vm.disks.findIndex((d) => d.id.toLowerCase() === s.disk.diskId.toLowerCase());
    return selected.sort((a, b) => order(a) - order(b));
  }

  // ------------------------------------------------------------------------------ initial replication

  /**
   * Starts initial replication (the enable job is done): a job the service runs, waiting for the
   * policy's start time if it sets one, then a snapshot, each disk copied in turn (its size at the
   * replication bandwidth), then the changes the VM logged meanwhile; "Finalize protection" follows.
   */
  startInitialReplication(item: StoredResource, at: number): void {
    const internal = item.internal as HyperVItemInternal;
    const bandwidth = this.asr.services.settings.replicationBandwidthMBps;
    const startTime = this.items.policyDetails(internal).onlineReplicationStartTime;
    const waitMs = typeof startTime === "string" ? untilTimeOfDay(startTime, at) : 0;
    const tasks: AsrTaskPlan[] = [
      ...(waitMs > 0
        ? [{ name: "WaitForStartTime", friendlyName: `Wait for the initial replication start time (${startTime as string} UTC)`, durationMs: waitMs }]
        : []),
      { name: "TakeSnapshot", friendlyName: "Take a snapshot of the virtual machine", durationMs: SNAPSHOT_MS },
      ...internal.disks.map((d, index) => ({
        name: `CopyDisk${index + 1}`,
        friendlyName: `Copy disk '${d.diskName}' (${gib(d.diskCapacityInBytes)} GB)`,
        durationMs: copyDurationMs(d.diskCapacityInBytes, bandwidth),
      })),
      { name: "SendChangeLog", friendlyName: "Send the changes logged during the copy", durationMs: 0 },
    ];
    const job = this.asr.jobs.startSteppedBy(
      serviceOrigin(item.id, at),
      this.items.itemJobSpec(item, { kind: INITIAL_REPLICATION_KIND, scenarioName: "InitialReplication", friendlyName: "Initial replication", tasks }),
    );
    internal.hyperV.initialReplication = {
      jobId: job.id,
      tasks: tasks.map((t) => t.name),
      waitUntil: at + waitMs,
      snapshotAt: null,
      diskStarts: [],
      copyEnd: null,
      logBytes: null,
      logEnd: null,
      finalizing: false,
      finalizedAt: null,
    };
    Object.assign(internal, { phase: "InitialReplication", initialReplicationStart: at, scenario: "InitialReplication", jobId: job.id, scenarioStart: at });
    internal.hyperV.serviceJobId = job.id;
    if (this.siteDown(internal)) this.pauseInitialReplication(internal, at);
  }

  private initialReplicationStep(job: StoredResource, index: number, at: number): void {
    const item = findOfType(this.asr.services, String((job.internal as { data: JsonObject }).data.itemId), ASR_TYPES.protectedItem);
    const internal = item?.internal as ItemInternal | undefined;
    if (item === undefined || internal === undefined || !isHyperV(internal)) return;
    const run = internal.hyperV.initialReplication;
    if (run === null || run.jobId !== job.id) return;
    const task = run.tasks[index] ?? "";
    const bandwidth = this.asr.services.settings.replicationBandwidthMBps;
    if (task === "TakeSnapshot") {
      run.snapshotAt = at;
      let start = at;
      run.diskStarts = internal.disks.map((d) => {
        const begins = start;
        start += copyDurationMs(d.diskCapacityInBytes, bandwidth);
        return begins;
      });
      run.copyEnd = start;
    } else if (task === `CopyDisk${internal.disks.length}`) {
      const vm = this.vmOf(internal);
      run.logBytes = vm === undefined ? 0 : this.sites.written(vm, run.snapshotAt ?? at, at);
      const durationMs = copyDurationMs(run.logBytes, bandwidth, 1000);
      run.logEnd = at + durationMs;
      this.asr.jobs.replanTask(job, index + 1, { durationMs, friendlyName: `Send the ${mb(run.logBytes)} MB of changes logged during the copy` });
    } else if (task === "SendChangeLog") {
      run.finalizing = true;
      const finalize = this.items.startItemJob(serviceOrigin(item.id, at), item, {
        kind: FINALIZE_KIND,
        scenarioName: "FinalizeProtection",
        friendlyName: "Finalize protection",
        tasks: FINALIZE_TASKS,
      });
      internal.hyperV.serviceJobId = finalize.id;
      if (internal.phase === "InitialReplication") Object.assign(internal, { scenario: "FinalizeProtection", jobId: finalize.id, scenarioStart: at });
    }
  }

  /** Protection is finalized: the VM is protected and delta replication starts at the copy frequency. */
  private finalized(itemId: string, at: number): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    const internal = item?.internal as ItemInternal | undefined;
    if (internal === undefined || !isHyperV(internal) || internal.hyperV.initialReplication === null) return;
    internal.hyperV.initialReplication.finalizedAt = at;
    internal.hyperV.serviceJobId = null;
    internal.initialReplicationEnd = at;
    if (internal.phase === "InitialReplication") Object.assign(internal, { phase: "Protected", scenario: "None" });
    if (item !== undefined && internal.phase === "Protected" && this.siteDown(internal)) this.disconnect(item, at);
  }

  /** After a cancelled disable: protection finalized meanwhile makes the item protected. */
  restored(internal: HyperVItemInternal): void {
    if (internal.phase === "InitialReplication" && internal.hyperV.initialReplication?.finalizedAt != null)
      Object.assign(internal, { phase: "Protected", scenario: "None" });
  }

  /** The item is gone (disabled or purged): the service's own job about it stops. */
  removed(internal: HyperVItemInternal, at: number): void {
    const job = internal.hyperV.serviceJobId === null ? undefined : this.asr.jobs.get(internal.hyperV.serviceJobId);
    if (job !== undefined) this.asr.jobs.cancelAt(job, at);
  }

  // ------------------------------------------------------------------------------ site outage

  /** The Hyper-V site (fabric id) the item's VM is protected from. */
  siteIdOf(internal: HyperVItemInternal): string {
    const containerId = internal.hyperV.containerId;
    return containerId.slice(0, containerId.toLowerCase().indexOf("/replicationprotectioncontainers/"));
  }

  /** Whether the item's on-premises site is down now. */
  siteDown(internal: HyperVItemInternal): boolean {
    return this.asr.services.isHyperVSiteDown(this.siteIdOf(internal));
  }

  /** The outages of the item's site, past and current: its VM's changes were not replicated meanwhile. */
  siteOutages(internal: HyperVItemInternal): { from: number; to: number | null }[] {
    return [...this.asr.services.hyperVSiteOutages(this.siteIdOf(internal))];
  }

  /**
   * The site `fabricId` was lost at `at`: the delta replication of each of its protected items fails
   * with a recoverable error (the providers are not connected) that lasts until the site is back, so
   * the health rules apply: retries with back-off, the pending changes growing at the VM's write
   * rate, Critical and a resync when they reach half the disks.
   */
  siteLost(fabricId: string, at: number): void {
    for (const item of this.itemsOfSite(fabricId)) {
      const internal = item.internal as HyperVItemInternal;
      if (internal.phase === "Protected" && internal.activeLocation === "Primary" && internal.fault === null) this.disconnect(item, at);
      this.pauseInitialReplication(internal, at);
    }
  }

  /** The site `fabricId` is back at `at`: its providers reconnect and its items' replication is retried at once (resuming, or waiting for a resync). */
  siteBack(fabricId: string, at: number): void {
    for (const item of this.itemsOfSite(fabricId)) {
      this.resumeInitialReplication(item.internal as HyperVItemInternal, at);
      const fault = (item.internal as ItemInternal).fault;
      if (fault !== null && fault.siteOutage?.toLowerCase() === fabricId.toLowerCase()) this.items.health.resumeNow(item, at);
    }
  }

  /** Initial replication stops where it is while the site is unreachable (its job's running task is held). */
  private pauseInitialReplication(internal: HyperVItemInternal, at: number): void {
    const run = internal.hyperV.initialReplication;
    if (internal.phase !== "InitialReplication" || run === null || run.finalizing || (run.heldAt ?? null) !== null) return;
    const job = this.asr.jobs.get(run.jobId);
    if (job === undefined) return;
    this.asr.jobs.hold(job, at);
    run.heldAt = at;
  }

  /** The site is back: initial replication goes on where it stopped (its job's held task runs for the time it had left). */
  private resumeInitialReplication(internal: HyperVItemInternal, at: number): void {
    const run = internal.hyperV.initialReplication;
    const heldAt = run?.heldAt ?? null;
    if (run === null || heldAt === null) return;
    if (run.snapshotAt !== null && heldAt >= run.snapshotAt) run.pausedMs = (run.pausedMs ?? 0) + (at - heldAt);
    else run.waitUntil += at - heldAt;
    run.heldAt = null;
    const job = this.asr.jobs.get(run.jobId);
    if (job !== undefined) this.asr.jobs.release(job, at);
  }

  /** Starts the failure of an item whose site is unreachable. */
  private disconnect(item: StoredResource, at: number): void {
    const internal = item.internal as HyperVItemInternal;
    const site = this.asr.services.resources.get(this.siteIdOf(internal));
    const siteName = String((site?.body.properties as JsonObject | undefined)?.friendlyName ?? site?.body.name ?? "");
    const host = this.workloadOf(internal).hostName;
    const fault = this.items.health.inject(item, {
      target: item.id,
      recoverable: true,
      code: PROVIDER_NOT_CONNECTED,
      message: `The Site Recovery Provider on Hyper-V host '${host}' (site '${siteName}') is not connected to the service since ${new Date(this.outageStart(internal) ?? at).toISOString()}: changes of the virtual machine cannot be replicated.`,
    });
    Object.assign(fault, {
      siteOutage: this.siteIdOf(internal),
      possibleCauses: "The on-premises site or the Hyper-V host is down, or it has lost its connection to Azure.",
      recommendedAction:
        "Bring the host back and make sure its provider can reach Site Recovery; replication resumes by itself. If the site is lost, fail over to Azure (unplanned failover).",
    });
  }

  private outageStart(internal: HyperVItemInternal): number | undefined {
    return this.siteOutages(internal).find((o) => o.to === null)?.from;
  }

  private itemsOfSite(fabricId: string): StoredResource[] {
    return this.asr.services.resources.ofType(ASR_TYPES.protectedItem).filter((item) => {
      const internal = item.internal as ItemInternal;
      return isHyperV(internal) && this.siteIdOf(internal).toLowerCase() === fabricId.toLowerCase();
    });
  }

  // ------------------------------------------------------------------------------ replication state

  /** The on-premises VM of the item, if it still exists. */
  vmOf(internal: HyperVItemInternal): HyperVVm | undefined {
    return this.sites.getVm(internal.hyperV.vmRecordId)?.internal as HyperVVm | undefined;
  }

  /** How the item's workload writes: its VM's write history, or as it was at enable when the VM is gone (also what the failed-over VM writes in Azure). */
  workloadOf(internal: HyperVItemInternal): HyperVVm {
    return this.vmOf(internal) ?? internal.hyperV.vmTemplate;
  }

  /** How the item's VM writes (for the pending changes of a failure): its write rate and hot set. */
  writeProfile(internal: ItemInternal): WriteProfile {
    const vm = isHyperV(internal) ? this.vmOf(internal) : undefined;
    return vm === undefined ? {} : { churnBytesPerSecond: vm.churn.at(-1)?.bytesPerSecond ?? 0, hotSetFraction: vm.hotSetFraction };
  }

  /** Recovery points of a Hyper-V item: hourly crash-consistent, app-consistent at the policy's frequency, kept for its retention; none after a failback. */
  pointSettings(
    internal: HyperVItemInternal,
    policy: JsonObject,
  ): Pick<RecoveryPointInputs, "retentionMinutes" | "appConsistentFrequencyMinutes" | "crashConsistentFrequencyMinutes" | "thin"> | undefined {
    if (internal.failover?.fromLocation === "Recovery") return undefined;
    return {
      retentionMinutes: Number(policy.recoveryPointHistoryDurationInHours ?? 24) * 60,
      appConsistentFrequencyMinutes: Number(policy.applicationConsistentSnapshotFrequencyInHours ?? 0) * 60,
      crashConsistentFrequencyMinutes: CRASH_CONSISTENT_EVERY_MINUTES,
      thin: false,
    };
  }

  /** The copy frequency of the item's policy, in ms. */
  private copyFrequencyMs(internal: ItemInternal): number {
    return Number(this.items.policyDetails(internal).replicationInterval ?? 300) * 1000;
  }

  /** When the last delta replication cycle sent the VM's changes (what Azure has received), if any. */
  lastReceived(internal: HyperVItemInternal, now: number): number | undefined {
    if (
      internal.initialReplicationEnd === null ||
      !["Protected", "Disabling", "FailoverInProgress", "FailoverCommitPending", "CommitInProgress"].includes(internal.phase)
    )
      return undefined;
    if (internal.failover?.fromLocation === "Recovery") return undefined;
    return lastCycleAt(now, internal.initialReplicationEnd, this.copyFrequencyMs(internal), this.items.replicationOutages(internal));
  }

  /** The tasks of a failover that shuts the VM down first: the shutdown, then the changes not replicated yet. */
  shutdownTasks(item: StoredResource, now: number): AsrTaskPlan[] {
    const internal = item.internal as HyperVItemInternal;
    const vm = this.vmOf(internal);
    const pending = vm === undefined ? 0 : this.sites.written(vm, this.lastReceived(internal, now) ?? now, now);
    return [
      { name: "ShutdownVm", friendlyName: "Shut down the virtual machine on-premises", durationMs: 60_000 },
      {
        name: "SyncLatestChanges",
        friendlyName: `Synchronize the ${mb(pending)} MB of changes not replicated yet`,
        durationMs: copyDurationMs(pending, this.asr.services.settings.replicationBandwidthMBps, 1000),
      },
    ];
  }

  /** Where the item's VM comes up in Azure. */
  recoveryTarget(item: StoredResource): RecoveryTarget {
    const internal = item.internal as HyperVItemInternal;
    const details = (item.body.properties as JsonObject).providerSpecificDetails as JsonObject;
    const osDisk = internal.disks[0];
    const vmSize = String(details.recoveryAzureVMSize);
    return {
      resourceGroupId: String(details.recoveryAzureResourceGroupId),
      vmName: String(details.recoveryAzureVmName),
      vmSize,
      template: {
        hardwareProfile: { vmSize },
        storageProfile: {
          osDisk: { osType: String((details.oSDetails as JsonObject | undefined)?.osType ?? "Windows"), diskSizeGB: gib(osDisk?.diskCapacityInBytes ?? 0) },
        },
      },
      ...(typeof details.recoveryAvailabilitySetId === "string" ? { availabilitySetId: details.recoveryAvailabilitySetId } : {}),
      ...(typeof details.targetAvailabilityZone === "string" ? { zone: details.targetAvailabilityZone } : {}),
      ...(typeof details.selectedRecoveryAzureNetworkId === "string" && details.selectedRecoveryAzureNetworkId !== ""
        ? { networkId: details.selectedRecoveryAzureNetworkId }
        : {}),
    };
  }

  /** How a Hyper-V item's state shows (the steady-state and after-failover values are the service's examples'; the others are inferred). */
  stateRow(internal: HyperVItemInternal): StateRow {
    const failback = internal.failover?.fromLocation === "Recovery";
    const planned = internal.failover?.type === "Planned";
    switch (internal.phase) {
      case "Enabling":
        return { protectionState: "UnprotectedStatesBegin", description: "Enabling protection", allowedOperations: ["DisableProtection"] };
      case "InitialReplication":
        return {
          protectionState: "UnprotectedStatesBegin",
          description: internal.hyperV.initialReplication?.finalizing === true ? "Finalizing protection" : "Initial replication in progress",
          allowedOperations: ["DisableProtection"],
        };
      case "Protected":
        return {
          protectionState: "Protected",
          description: "Protected",
          allowedOperations: ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"],
        };
      case "Disabling":
        return { protectionState: "UnprotectedStatesBegin", description: "Disabling protection", allowedOperations: [] };
      case "FailoverInProgress":
        return failback
          ? { protectionState: "PlannedFailoverInProgress", description: "Failback in progress", allowedOperations: [] }
          : planned
            ? { protectionState: "PlannedFailoverInProgress", description: "Planned failover in progress", allowedOperations: [] }
            : { protectionState: "UnplannedFailoverInProgress", description: "Failover in progress", allowedOperations: [] };
      case "FailoverCommitPending":
      case "CommitInProgress": {
        const committing = internal.phase === "CommitInProgress";
        const row = failback
          ? { protectionState: "PlannedFailoverCommitRequired", description: "Failback finished", allowedOperations: ["Commit", "DisableProtection"] }
          : planned
            ? {
                protectionState: "PlannedFailoverCommitRequired",
                description: "Planned failover finished",
                allowedOperations: ["CompleteMigration", "Commit", "DisableProtection", "ChangePit"],
              }
            : {
                protectionState: "UnplannedFailoverCommitPendingStatesBegin",
                description: "Failover completed",
                allowedOperations: ["CompleteMigration", "Commit", "DisableProtection", "ChangePit"],
              };
        return committing ? { ...row, description: "Committing the failover", allowedOperations: [] } : row;
      }
      case "FailoverCommitted":
        return failback
          ? { protectionState: "PlannedFailoverStatesBegin", description: "Failback committed", allowedOperations: ["ReverseReplicate", "DisableProtection"] }
          : planned
            ? {
                protectionState: "PlannedFailoverStatesBegin",
                description: "Planned failover committed",
                allowedOperations: ["CompleteMigration", "DisableProtection", "Failback"],
              }
            : {
                protectionState: "UnplannedFailoverCommitted",
                description: "Failover committed",
                allowedOperations: ["CompleteMigration", "DisableProtection", "Failback"],
              };
      case "Reprotecting":
        return { protectionState: "UnprotectedStatesBegin", description: "Reverse replication in progress", allowedOperations: [] };
    }
  }

  /** The Hyper-V details that change with time: initial replication or resync progress, the last delta cycle, the RPO. */
  viewDetails(item: StoredResource, details: JsonObject, health: ReturnType<ReplicationHealth["view"]>, now: number): void {
    const internal = item.internal as HyperVItemInternal;
    const state = this.stateRow(internal);
    const run = internal.hyperV.initialReplication;
    const progress =
      internal.phase === "InitialReplication" && run !== null
        ? this.initialReplicationProgress(internal, run, now)
        : health.resyncPercent !== null
          ? { type: "Resync", percent: health.resyncPercent, description: `Resynchronization in progress (${health.resyncPercent}%)` }
          : { type: run === null ? "None" : "InitialReplication", percent: run === null ? 0 : 100, description: state.description };
    const last = this.lastReceived(internal, now);
    const inputs = this.items.pointInputs(internal, now);
    const newest = inputs === undefined ? undefined : recoveryPointsAt(inputs)[0];
    Object.assign(details, {
      vmProtectionState: state.protectionState,
      vmProtectionStateDescription: progress.description,
      initialReplicationDetails: { initialReplicationType: progress.type, initialReplicationProgressPercentage: String(progress.percent) },
      lastReplicatedTime: last === undefined ? null : new Date(last).toISOString(),
      rpoInSeconds: last === undefined ? null : Math.floor((now - last) / 1000),
      lastRpoCalculatedTime: last === undefined ? null : new Date(now).toISOString(),
      lastRecoveryPointReceived: newest === undefined ? null : new Date(newest.time).toISOString(),
    });
  }

  /** Where initial replication stands: waiting, the snapshot, the disk being copied (and the changes logged so far), the log, finalizing. */
  private initialReplicationProgress(
    internal: HyperVItemInternal,
    run: InitialReplicationRun,
    now: number,
  ): { type: string; percent: number; description: string } {
    const type = "InitialReplication";
    if (run.finalizing)
      return {
        type,
        percent: 100,
        description: "Finalizing protection: the snapshot is removed, the change log merged, network and post-replication settings configured",
      };
    if (run.snapshotAt === null || run.copyEnd === null)
      return {
        type,
        percent: 0,
        description:
          (now < run.waitUntil ? "Waiting for the initial replication start time" : "Taking a snapshot of the virtual machine") +
          ((run.heldAt ?? null) === null ? "" : " (paused: the Hyper-V site is unreachable)"),
      };
    const paused = (run.heldAt ?? null) === null ? "" : " (paused: the Hyper-V site is unreachable)";
    // The copy's own clock: it stands still while paused (the VM's writes are still logged).
    const copiedAt = (run.heldAt ?? now) - (run.pausedMs ?? 0);
    if (copiedAt >= run.copyEnd)
      return { type, percent: 100, description: `Sending the ${mb(run.logBytes ?? 0)} MB of changes logged during the copy${paused}` };
    const total = internal.disks.reduce((sum, d) => sum + d.diskCapacityInBytes, 0);
    let copied = 0;
    let current = 0;
    internal.disks.forEach((disk, index) => {
      const start = run.diskStarts[index] ?? copiedAt;
      const end = run.diskStarts[index + 1] ?? run.copyEnd ?? copiedAt;
      if (copiedAt >= end) copied += disk.diskCapacityInBytes;
      else if (copiedAt >= start) {
        copied += disk.diskCapacityInBytes * ((copiedAt - start) / Math.max(1, end - start));
        current = index;
      }
    });
    const vm = this.vmOf(internal);
    const logged = vm === undefined ? 0 : this.sites.written(vm, run.snapshotAt, now);
    const disk = internal.disks[current];
    return {
      type,
      percent: Math.min(99, Math.floor((copied / Math.max(1, total)) * 100)),
      description: `Copying disk ${current + 1} of ${internal.disks.length} ('${disk?.diskName ?? ""}'); ${mb(logged)} MB of changes logged since the snapshot${paused}`,
    };
  }
}

/** The Azure settings of an enable input. */
interface TargetSettings {
  resourceGroupId: string;
  vmName: string;
  vmSize: string;
  networkId?: string;
  subnetId?: string;
  availabilitySetId?: string;
  zone?: string;
  useManagedDisks: boolean;
  storageAccountId?: string;
  logStorageAccountId?: string;
  enableRdp: string;
  licenseType: string;
  sqlServerLicenseType: string;
}

/** The id of the fabric that stands for Azure on the recovery side of a vault's Hyper-V items and VMM network mappings (never served itself). */
export function azureFabricId(vaultId: string): string {
  return `${vaultId}/replicationFabrics/${guidOf(vaultId.toLowerCase(), MICROSOFT_AZURE).replace(/-/g, "")}`;
}

/** The id the service gives the Azure side of a vault's Hyper-V items (`recoveryContainerId`): a container of {@link azureFabricId}. */
function azureContainerId(vaultId: string): string {
  return `${azureFabricId(vaultId)}/replicationProtectionContainers/${guidOf(vaultId.toLowerCase(), "container")}`;
}

/** Milliseconds from `at` to the next `HH:MM` (UTC); 0 when it is that minute. */
function untilTimeOfDay(hhmm: string, at: number): number {
  const [hours, minutes] = hhmm.split(":").map(Number);
  const next = new Date(at);
  next.setUTCHours(hours ?? 0, minutes ?? 0, 0, 0);
  if (next.getTime() < at) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - at < MINUTE ? 0 : next.getTime() - at;
}

function optionalString(value: JsonValue | undefined, field: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new ArmError(400, "InvalidParameter", `'${nameOf(field.replace(/\./g, "/"))}' must be a string.`, field);
  return value;
}

/** A `"true"`/`"false"` string (as the Hyper-V inputs carry booleans). */
function booleanString(value: JsonValue | undefined, field: string): boolean | undefined {
  const text = optionalString(value, field);
  if (text === undefined) return undefined;
  if (!/^(true|false)$/i.test(text))
    throw new ArmError(400, "InvalidParameter", `'${nameOf(field.replace(/\./g, "/"))}' must be 'true' or 'false', not '${text}'.`, field);
  return text.toLowerCase() === "true";
}

function oneOf(value: JsonValue | undefined, allowed: readonly string[], field: string, fallback: string): string {
  const text = optionalString(value, field) ?? fallback;
  if (!allowed.includes(text))
    throw new ArmError(400, "InvalidParameter", `'${nameOf(field.replace(/\./g, "/"))}' must be one of ${allowed.join(", ")}, not '${text}'.`, field);
  return text;
}

function tagsOf(value: JsonValue | undefined): JsonValue {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
}

function mb(bytes: number): number {
  return Math.round(bytes / MB);
}

function gib(bytes: number): number {
  return Math.round((bytes / GIB) * 100) / 100;
}
