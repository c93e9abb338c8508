import { randomUUID } from "node:crypto";
import { ArmError } from "../arm/armError.js";
import { pageOf } from "../arm/paging.js";
import { jsonBody, optionalJsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { ComputeService } from "../compute/registerCompute.js";
import type { StorageAccounts } from "../storage/storageAccounts.js";
import { ResourceStore, resourceKey, type ResourceLookup } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, checkAsrName, guidOf, ID_PATTERNS, nameOf, vaultIdOf, vaultIdOfResource } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, findOfType, instanceOf, propertiesOf, requireOfType } from "./asrResources.js";
import { serviceOrigin, type AsrJobOrigin, type AsrJobSpec, type AsrTaskPlan } from "./asrJobs.js";
import type { ContainerMappings } from "./containerMappings.js";
import type { Containers } from "./containers.js";
import { Fabrics } from "./fabrics.js";
import { HyperVReplication, type HyperVItemState } from "./hyperVReplication.js";
import type { HyperVSites } from "./hyperVSites.js";
import type { Policies } from "./policies.js";
import { ReplicationHealth, type HealthEvent, type HealthSubject, type ReplicationFault } from "./replicationHealth.js";
import {
  copyDurationMs,
  initialReplicationPercent,
  recoveryPointsAt,
  rpoSecondsAt,
  type RecoveryPointInputs,
  type ReplicationOutage,
} from "./replicationModel.js";

/** The A2A enable input's placement fields. */
const A2A_PLACEMENT = { set: "recoveryAvailabilitySetId", zone: "recoveryAvailabilityZone" } as const;
/** The Hyper-V enable input's placement fields. */
export const HYPER_V_PLACEMENT = { set: "targetAvailabilitySetId", zone: "targetAvailabilityZone" } as const;

/** The start time the service shows when no scenario runs (SQL Server's smallest date, as in every example). */
const NO_SCENARIO_START = "1753-01-01T01:01:01Z";
/** Largest multi-VM consistency group. */
export const MAX_MULTI_VM_GROUP = 16;
const ITEM_PATH =
  "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectedItems/{replicatedProtectedItemName}";
const GIB = 1024 * 1024 * 1024;
/** The tasks of an enable-protection job (both providers). */
export const ENABLE_TASKS: readonly AsrTaskPlan[] = [
  { name: "PrerequisitesCheck", friendlyName: "Prerequisites check for enabling protection", durationMs: 30_000 },
  { name: "IdentifyTarget", friendlyName: "Identifying the replication target", durationMs: 30_000 },
  { name: "EnableProtection", friendlyName: "Enable replication", durationMs: 60_000 },
  { name: "StartInitialReplication", friendlyName: "Starting initial replication", durationMs: 30_000 },
  { name: "UpdateProviderStates", friendlyName: "Updating the provider states", durationMs: 30_000 },
];

/** A replicated disk as the item keeps it. */
export interface ReplicatedDisk extends JsonObject {
  diskId: string;
  diskName: string;
  diskCapacityInBytes: number;
  diskType: string;
}

/** A replicated managed disk of an Azure-to-Azure item. */
interface ProtectedDisk extends ReplicatedDisk {
  primaryStagingAzureStorageAccountId: string;
  recoveryResourceGroupId: string;
  recoveryReplicaDiskAccountType: string;
  recoveryTargetDiskAccountType: string;
}

/** What a job about an item is (see {@link ProtectedItems.startItemJob}). */
export interface ItemJobSpec {
  kind: string;
  scenarioName: string;
  friendlyName: string;
  tasks: readonly AsrTaskPlan[];
  data?: JsonObject;
  removes?: boolean;
  suspendOnSuccess?: boolean;
}

/** Where an item stands in its lifecycle. */
export type ItemPhase =
  | "Enabling"
  | "InitialReplication"
  | "Protected"
  | "Disabling"
  | "FailoverInProgress"
  | "FailoverCommitPending"
  | "CommitInProgress"
  | "FailoverCommitted"
  | "Reprotecting";

/** A test failover under way or waiting for cleanup. */
export interface TestFailoverState extends JsonObject {
  state: "InProgress" | "WaitingForCompletion" | "CleanupInProgress";
  jobId: string;
  testVmId: string;
  recoveryPointTime: number;
  recoveryPointId: string;
  /** The isolated network the test VM joins. */
  networkId: string;
}

/** A failover that happened (or is happening) and is not committed yet. */
export interface FailoverState extends JsonObject {
  type: "Planned" | "Unplanned";
  /** Where the VM ran before the failover (restored by a cancel). */
  fromLocation: "Primary" | "Recovery";
  jobId: string;
  startedAt: number;
  recoveryPointTime: number;
  recoveryPointId: string;
  failedOverVmId: string;
  sourceShutDown: boolean;
}

/** Service-side state of a replicated item. */
export interface ItemInternal extends JsonObject {
  phase: ItemPhase;
  lifecycleId: string;
  vmId: string;
  sourceLocation: string;
  targetLocation: string;
  policyId: string;
  recoveryContainerId: string;
  disks: ReplicatedDisk[];
  jobId: string;
  scenario: string;
  scenarioStart: number;
  initialReplicationStart: number | null;
  initialReplicationEnd: number | null;
  outages: (ReplicationOutage & JsonObject)[];
  fault: ReplicationFault | null;
  activeLocation: "Primary" | "Recovery";
  testFailover: TestFailoverState | null;
  failover: FailoverState | null;
  lastSuccessfulFailoverTime: number | null;
  lastSuccessfulTestFailoverTime: number | null;
  /** A failure the control surface injected into the item's next failover. */
  failoverFault?: { code: string; message: string } | null;
  /** The replication provider; absent for Azure-to-Azure items. */
  provider?: "HyperVReplicaAzure";
  /** Hyper-V to Azure: the on-premises side of the item. */
  hyperV?: HyperVItemState;
  /** Its replication health events, oldest first. */
  events?: HealthEvent[];
}

/** An item of the Hyper-V to Azure scenario. */
export type HyperVItemInternal = ItemInternal & { provider: "HyperVReplicaAzure"; hyperV: HyperVItemState };

/** Whether an item replicates a Hyper-V VM to Azure (else it is Azure-to-Azure). */
export function isHyperV(internal: ItemInternal): internal is HyperVItemInternal {
  return internal.provider === "HyperVReplicaAzure" && internal.hyperV !== undefined;
}

/** How an item's state shows: `protectionState`, its description, and what it allows. */
export interface StateRow {
  protectionState: string;
  description: string;
  allowedOperations: JsonValue[];
}

/** Where and how a failed-over (or test) VM is created in Azure. */
export interface RecoveryTarget {
  resourceGroupId: string;
  vmName: string;
  vmSize: string;
  availabilitySetId?: string;
  zone?: string;
  networkId?: string;
  /** The VM's properties to start from (disks, OS). */
  template: JsonObject;
}

/**
 * Replication protected items (DOMAIN.md §4): Azure-to-Azure VMs with managed disks, and Hyper-V
 * VMs replicating to Azure ({@link HyperVReplication}). Enable protection as a job; initial
 * replication whose length follows the disks' size and the configured bandwidth, with a progress
 * percentage; then delta replication with recovery points per the policy and an RPO; failures,
 * retries and resync ({@link ReplicationHealth}). Update, disable (`/remove`) and purge (DELETE).
 */
export class ProtectedItems {
  /** Failures, retries and resync of delta replication. */
  readonly health: ReplicationHealth;
  /** What Hyper-V to Azure items add. */
  readonly hyperV: HyperVReplication;
  /** The items by the id of the VM each replicates (`vmId`), so that enabling one VM does not walk every item. */
  private readonly byVm: ResourceLookup;

  constructor(
    private readonly asr: AsrContext,
    private readonly containers: Containers,
    private readonly mappings: ContainerMappings,
    private readonly policies: Policies,
    private readonly compute: ComputeService,
    private readonly storage: StorageAccounts,
    private readonly sites: HyperVSites,
  ) {
    this.byVm = asr.services.resources.lookup(ASR_TYPES.protectedItem, (item) => [(item.internal as ItemInternal).vmId]);
    asr.jobs.register("asr.item.enable", {
      complete: (op, at) => this.startInitialReplication(String(op.data.itemId), at),
      failed: (op) => this.asr.services.resources.delete(String(op.data.itemId)),
      cancelled: (op) => this.asr.services.resources.delete(String(op.data.itemId)),
    });
    asr.jobs.register("asr.item.update", { complete: (op) => this.applyUpdate(String(op.data.itemId), op.data.changes as JsonObject) });
    asr.jobs.register("asr.item.remove", {
      complete: (op, at) => this.removed(String(op.data.itemId), at),
      cancelled: (op) => this.restorePhase(String(op.data.itemId), op.data.previous as JsonObject),
    });
    asr.services.scheduler.on("asr.item.initialReplicationDone", (data, at) => this.protect(String(data.itemId), String(data.lifecycleId), at));
    this.health = new ReplicationHealth(
      asr.services,
      (id) => findOfType(asr.services, id, ASR_TYPES.protectedItem),
      (item) => this.hyperV.writeProfile(item.internal as ItemInternal),
    );
    // Outside office hours the service starts the resync itself, as the same job a manual one runs.
    this.health.onAutoResync((item, at) => this.resync(serviceOrigin(item.id, at), item));
    asr.jobs.register("asr.item.repair", { complete: () => undefined });
    this.hyperV = new HyperVReplication(asr, this, sites, policies, mappings, compute, storage);
    const previous = asr.jobs.viewOf;
    asr.jobs.viewOf = (resource) => (resource.type === ASR_TYPES.protectedItem.toLowerCase() ? this.view(resource) : previous(resource));
  }

  register(router: Router): void {
    addAsrRoute(router, "PUT", ITEM_PATH, "ReplicationProtectedItems_Create", (ctx) => this.enable(ctx));
    addAsrRoute(router, "GET", ITEM_PATH, "ReplicationProtectedItems_Get", (ctx) => jsonResponse(200, this.view(this.require(ctx))));
    addAsrRoute(router, "PATCH", ITEM_PATH, "ReplicationProtectedItems_Update", (ctx) => this.update(ctx));
    addAsrRoute(router, "POST", `${ITEM_PATH}/remove`, "ReplicationProtectedItems_Delete", (ctx) => this.remove(ctx, false));
    addAsrRoute(router, "DELETE", ITEM_PATH, "ReplicationProtectedItems_Purge", (ctx) => this.remove(ctx, true));
    addAsrRoute(
      router,
      "GET",
      "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectedItems",
      "ReplicationProtectedItems_ListByReplicationProtectionContainers",
      (ctx) => this.listPage(ctx, this.containers.require(ctx).id),
    );
    addAsrRoute(router, "GET", "/replicationProtectedItems", "ReplicationProtectedItems_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return this.listPage(ctx, vaultIdOf(ctx));
    });
    addAsrRoute(router, "POST", `${ITEM_PATH}/repairReplication`, "ReplicationProtectedItems_RepairReplication", (ctx) => this.repair(ctx));
    addAsrRoute(router, "GET", `${ITEM_PATH}/recoveryPoints`, "RecoveryPoints_ListByReplicationProtectedItems", (ctx) =>
      jsonResponse(200, { value: this.recoveryPoints(this.require(ctx)) }),
    );
    addAsrRoute(router, "GET", `${ITEM_PATH}/recoveryPoints/{recoveryPointName}`, "RecoveryPoints_Get", (ctx) => {
      const point = this.recoveryPoints(this.require(ctx)).find((p) => String(p.name).toLowerCase() === param(ctx, "recoveryPointName").toLowerCase());
      if (point === undefined)
        throw new ArmError(404, "ResourceNotFound", `Recovery point '${param(ctx, "recoveryPointName")}' does not exist (it may have been pruned).`);
      return jsonResponse(200, point);
    });
  }

  /** The item named in the path; 404 when it (or its container) does not exist. */
  require(ctx: RequestContext): StoredResource {
    const container = this.containers.require(ctx);
    return requireOfType(
      this.asr.services,
      `${container.id}/replicationProtectedItems/${param(ctx, "replicatedProtectedItemName")}`,
      ASR_TYPES.protectedItem,
      ctx,
    );
  }

  private enable(ctx: RequestContext): EmulatorResponse {
    const container = this.containers.require(ctx);
    const name = param(ctx, "replicatedProtectedItemName");
    checkAsrName(name, "replicated item");
    const id = `${container.id}/replicationProtectedItems/${name}`;
    const properties = propertiesOf(jsonBody(ctx));
    const input = instanceOf(properties.providerSpecificDetails, "properties.providerSpecificDetails", ["A2A", "HyperVReplicaAzure"]);
    if (input.instanceType === "HyperVReplicaAzure") return this.hyperV.enable(ctx, container, name, properties, input);
    const existing = findOfType(this.asr.services, id, ASR_TYPES.protectedItem);
    if (existing !== undefined) {
      if (String(input.fabricObjectId ?? "").toLowerCase() !== (existing.internal as ItemInternal).vmId.toLowerCase()) {
        throw new ArmError(409, "ReplicatedItemNameTaken", `Replicated item '${name}' already protects another VM.`);
      }
      return jsonResponse(200, this.view(existing));
    }
    const fabric = this.asr.services.resources.get(
      container.id.slice(0, container.id.toLowerCase().indexOf("/replicationprotectioncontainers/")),
    ) as StoredResource;
    const sourceLocation = Fabrics.locationOf(fabric);
    if (sourceLocation === undefined)
      throw new ArmError(
        400,
        "InvalidParameter",
        "Azure-to-Azure replication needs a container of an Azure fabric.",
        "properties.providerSpecificDetails.instanceType",
      );
    const vm = this.requireVm(String(input.fabricObjectId ?? ""), sourceLocation);
    const vaultPrefix = `${resourceKey(vaultIdOf(ctx))}/`;
    const already = this.byVm.find(vm.id).find((i) => resourceKey(i.id).startsWith(vaultPrefix));
    if (already !== undefined) {
      throw new ArmError(
        409,
        "ProtectionAlreadyEnabled",
        `Replication is already enabled for virtual machine '${String(vm.body.name)}' (replicated item '${String(already.body.name)}').`,
        "properties.providerSpecificDetails.fabricObjectId",
      );
    }
    const recoveryContainerId = String(input.recoveryContainerId ?? "");
    const target = this.containers.get(recoveryContainerId);
    const mapping = target === undefined ? undefined : this.mappings.findFor(container.id, target.id);
    if (target === undefined || mapping === undefined) {
      throw new ArmError(
        400,
        "ContainerMappingNotFound",
        `'recoveryContainerId' must be a protection container mapped from '${String(container.body.name)}', not '${recoveryContainerId}'. Create the container mapping first.`,
        "properties.providerSpecificDetails.recoveryContainerId",
      );
    }
    const mappingPolicy = String((mapping.body.properties as JsonObject).policyId);
    const policyId = String(properties.policyId ?? mappingPolicy);
    if (policyId.toLowerCase() !== mappingPolicy.toLowerCase()) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `'policyId' must be the policy of the container mapping ('${nameOf(mappingPolicy)}').`,
        "properties.policyId",
      );
    }
    const targetFabric = this.asr.services.resources.get(
      target.id.slice(0, target.id.toLowerCase().indexOf("/replicationprotectioncontainers/")),
    ) as StoredResource;
    const targetLocation = String(Fabrics.locationOf(targetFabric));
    const recoveryResourceGroupId = String(input.recoveryResourceGroupId ?? "");
    if (!ID_PATTERNS.resourceGroup.test(recoveryResourceGroupId)) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `'recoveryResourceGroupId' must be a resource group id (/subscriptions/{id}/resourceGroups/{name}), not '${recoveryResourceGroupId}'.`,
        "properties.providerSpecificDetails.recoveryResourceGroupId",
      );
    }
    this.checkPlacement(input, targetLocation);
    const disks = this.protectedDisks(vm, input, recoveryResourceGroupId);
    const group = this.multiVmGroup(vaultIdOf(ctx), input);
    const now = this.asr.services.now();
    const lifecycleId = randomUUID();
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.item.enable",
      scenarioName: "EnableDr",
      friendlyName: "Enable replication",
      targetObjectId: String((vm.body.properties as JsonObject).vmId),
      targetObjectName: String(vm.body.name),
      targetInstanceType: "ProtectionEntity",
      resultResourceId: id,
      tasks: ENABLE_TASKS,
      data: { itemId: id },
    });
    const internal = enablingItem({
      lifecycleId,
      vmId: vm.id,
      sourceLocation,
      targetLocation,
      policyId: mappingPolicy,
      recoveryContainerId: target.id,
      disks,
      jobId: job.id,
      scenarioStart: now,
    });
    const vmProperties = vm.body.properties as JsonObject;
    const osDisk = ((vmProperties.storageProfile as JsonObject).osDisk ?? {}) as JsonObject;
    const body: JsonObject = {
      id,
      name,
      type: ASR_TYPES.protectedItem,
      properties: {
        friendlyName: String(vm.body.name),
        protectedItemType: "",
        primaryFabricFriendlyName: String(fabric.body.name),
        primaryFabricProvider: "Azure",
        recoveryFabricFriendlyName: String(targetFabric.body.name),
        recoveryFabricId: targetFabric.id,
        primaryProtectionContainerFriendlyName: String(container.body.name),
        recoveryProtectionContainerFriendlyName: String(target.body.name),
        policyId: mappingPolicy,
        recoveryContainerId: target.id,
        providerSpecificDetails: {
          instanceType: "A2A",
          fabricObjectId: vm.id,
          initialPrimaryFabricLocation: sourceLocation,
          initialRecoveryFabricLocation: targetLocation,
          primaryFabricLocation: sourceLocation,
          recoveryFabricLocation: targetLocation,
          osType: String(osDisk.osType ?? "Linux"),
          recoveryAzureVMSize: String((vmProperties.hardwareProfile as JsonObject).vmSize),
          recoveryAzureVMName: String(vm.body.name),
          recoveryAzureResourceGroupId: recoveryResourceGroupId,
          recoveryAvailabilitySet: (input.recoveryAvailabilitySetId ?? null) as JsonValue,
          recoveryAvailabilityZone: (input.recoveryAvailabilityZone ?? null) as JsonValue,
          selectedRecoveryAzureNetworkId: (input.recoveryAzureNetworkId ?? null) as JsonValue,
          recoverySubnetName: (input.recoverySubnetName ?? null) as JsonValue,
          ...group,
          lifecycleId,
          agentVersion: "9.62.7172.1",
          isReplicationAgentUpdateRequired: false,
        },
      },
    };
    this.asr.services.resources.put(ResourceStore.record(id, ASR_TYPES.protectedItem, body, internal));
    return this.asr.jobs.accepted(ctx, job);
  }

  private requireVm(vmId: string, sourceLocation: string): StoredResource {
    const field = "properties.providerSpecificDetails.fabricObjectId";
    if (!/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i.test(vmId)) {
      throw new ArmError(400, "InvalidParameter", `'fabricObjectId' must be the ARM id of a Microsoft.Compute/virtualMachines, not '${vmId}'.`, field);
    }
    const vm = this.compute.virtualMachines.get(vmId);
    if (vm === undefined) throw new ArmError(404, "VirtualMachineNotFound", `Virtual machine '${vmId}' was not found.`, field);
    if (vm.body.location !== sourceLocation) {
      throw new ArmError(
        400,
        "VmLocationMismatch",
        `Virtual machine '${String(vm.body.name)}' is in '${String(vm.body.location)}', not in the fabric's region '${sourceLocation}'.`,
        field,
      );
    }
    if ((vm.body.properties as JsonObject).provisioningState !== "Succeeded") {
      throw new ArmError(
        400,
        "VmNotProvisioned",
        `Virtual machine '${String(vm.body.name)}' must be provisioned (provisioning state Succeeded) before replication is enabled (Site Recovery error 150019).`,
        field,
      );
    }
    return vm;
  }

  /**
   * 400 unless an availability set (in the target region) and a zone ('1'-'3') are not both given.
   * `fields` name the input's set and zone (A2A: recoveryAvailabilitySetId / recoveryAvailabilityZone, Hyper-V: targetAvailabilitySetId / targetAvailabilityZone).
   */
  checkPlacement(input: JsonObject, targetLocation: string, fields: { set: string; zone: string } = A2A_PLACEMENT): void {
    const setId = input[fields.set];
    const zone = input[fields.zone];
    const at = (field: string): string => `properties.providerSpecificDetails.${field}`;
    if (setId !== undefined && setId !== null) {
      if (zone !== undefined && zone !== null) {
        throw new ArmError(400, "InvalidParameter", "A replicated VM goes into an availability set or an availability zone, not both.", at(fields.zone));
      }
      const set = this.compute.availabilitySets.get(String(setId));
      if (set !== undefined && set.body.location !== targetLocation) {
        throw new ArmError(
          400,
          "InvalidParameter",
          `Availability set '${String(set.body.name)}' is in '${String(set.body.location)}', not in the target region '${targetLocation}'.`,
          at(fields.set),
        );
      }
    }
    if (zone !== undefined && zone !== null && !["1", "2", "3"].includes(String(zone))) {
      throw new ArmError(400, "InvalidParameter", `'${fields.zone}' must be '1', '2' or '3', not '${String(zone)}'.`, at(fields.zone));
    }
  }

  /** The VM's managed disks as replicated, from `vmManagedDisks` (every disk of the VM must be listed, the OS disk at least). */
  private protectedDisks(vm: StoredResource, input: JsonObject, recoveryResourceGroupId: string): ProtectedDisk[] {
    const field = "properties.providerSpecificDetails.vmManagedDisks";
    const storage = (vm.body.properties as JsonObject).storageProfile as JsonObject;
    const vmDisks = [storage.osDisk as JsonObject, ...((storage.dataDisks ?? []) as JsonObject[])].filter((d) => d !== undefined);
    if (vmDisks.some((d) => d.vhd !== undefined)) {
      throw new ArmError(
        400,
        "UnmanagedDisksNotSupported",
        "This emulator replicates VMs with managed disks only; use 'vmManagedDisks'.",
        "properties.providerSpecificDetails.vmDisks",
      );
    }
    const requested = input.vmManagedDisks;
    if (!Array.isArray(requested) || requested.length === 0) {
      throw new ArmError(
        400,
        "VMDisksMissing",
        "Managed disk details not provided: 'vmManagedDisks' must list the VM's disks with their cache storage account and recovery resource group.",
        field,
      );
    }
    const byId = new Map(vmDisks.map((d) => [String((d.managedDisk as JsonObject).id).toLowerCase(), d]));
    const disks = requested.map((entry, index) => {
      const disk = instanceOfDisk(entry, `${field}[${index}]`);
      const vmDisk = byId.get(disk.diskId.toLowerCase());
      if (vmDisk === undefined)
        throw new ArmError(
          400,
          "InvalidParameter",
          `Disk '${disk.diskId}' is not a disk of virtual machine '${String(vm.body.name)}'.`,
          `${field}[${index}].diskId`,
        );
      const cacheAccount = this.storage.get(disk.cache);
      if (cacheAccount !== undefined && cacheAccount.body.location !== vm.body.location) {
        throw new ArmError(
          400,
          "CacheStorageAccountLocationMismatch",
          `Cache storage account '${nameOf(disk.cache)}' is in '${String(cacheAccount.body.location)}'; it must be in the source region '${String(vm.body.location)}'.`,
          `${field}[${index}].primaryStagingAzureStorageAccountId`,
        );
      }
      const type = String((vmDisk.managedDisk as JsonObject).storageAccountType ?? "Premium_LRS");
      return {
        diskId: String((vmDisk.managedDisk as JsonObject).id),
        diskName: String(vmDisk.name),
        diskCapacityInBytes: Number(vmDisk.diskSizeGB ?? 30) * GIB,
        diskType: type,
        primaryStagingAzureStorageAccountId: disk.cache,
        recoveryResourceGroupId: disk.recoveryResourceGroupId ?? recoveryResourceGroupId,
        recoveryReplicaDiskAccountType: disk.replicaType ?? type,
        recoveryTargetDiskAccountType: disk.targetType ?? type,
      };
    });
    const osDiskId = String(((storage.osDisk as JsonObject).managedDisk as JsonObject).id).toLowerCase();
    if (!disks.some((d) => d.diskId.toLowerCase() === osDiskId)) throw new ArmError(400, "OsDiskNotSelected", "The OS disk must be replicated.", field);
    if (new Set(disks.map((d) => d.diskId.toLowerCase())).size !== disks.length) throw new ArmError(400, "InvalidParameter", "A disk is listed twice.", field);
    return disks;
  }

  private multiVmGroup(vaultId: string, input: JsonObject): JsonObject {
    const name = input.multiVmGroupName;
    if (name === undefined || name === null || name === "")
      return { multiVmGroupCreateOption: "AutoCreated", multiVmGroupId: randomUUID(), multiVmGroupName: null };
    const members = this.asr.services.resources
      .list(vaultId, ASR_TYPES.protectedItem)
      .filter((i) => ((i.body.properties as JsonObject).providerSpecificDetails as JsonObject).multiVmGroupName === name);
    if (members.length >= MAX_MULTI_VM_GROUP) {
      throw new ArmError(
        400,
        "MultiVmGroupFull",
        `Multi-VM group '${String(name)}' already holds ${MAX_MULTI_VM_GROUP} VMs, the maximum.`,
        "properties.providerSpecificDetails.multiVmGroupName",
      );
    }
    const groupId =
      members[0] === undefined ? randomUUID() : String(((members[0].body.properties as JsonObject).providerSpecificDetails as JsonObject).multiVmGroupId);
    return { multiVmGroupCreateOption: "UserSpecified", multiVmGroupId: groupId, multiVmGroupName: name };
  }

  private startInitialReplication(itemId: string, at: number): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    if (item === undefined) return;
    const internal = item.internal as ItemInternal;
    if (isHyperV(internal)) {
      this.hyperV.startInitialReplication(item, at);
      return;
    }
    const bytes = internal.disks.reduce((sum, d) => sum + d.diskCapacityInBytes, 0);
    internal.phase = "InitialReplication";
    internal.scenario = "None";
    internal.initialReplicationStart = at;
    internal.initialReplicationEnd = at + copyDurationMs(bytes, this.asr.services.settings.replicationBandwidthMBps);
    this.asr.services.scheduler.schedule(internal.initialReplicationEnd, "asr.item.initialReplicationDone", { itemId, lifecycleId: internal.lifecycleId });
  }

  private protect(itemId: string, lifecycleId: string, at: number): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    const internal = item?.internal as ItemInternal | undefined;
    if (internal === undefined || internal.lifecycleId !== lifecycleId || internal.phase !== "InitialReplication") return;
    internal.phase = "Protected";
    internal.initialReplicationEnd = at;
  }

  /** The provider details of the item's policy. */
  policyDetails(internal: ItemInternal): JsonObject {
    const policy = this.policies.get(internal.policyId);
    return ((policy?.body.properties as JsonObject | undefined)?.providerSpecificDetails ?? {
      recoveryPointHistory: 1440,
      appConsistentFrequencyInMinutes: 0,
      crashConsistentFrequencyInMinutes: 5,
    }) as JsonObject;
  }

  pointInputs(internal: ItemInternal, now: number): RecoveryPointInputs | undefined {
    if (!POINT_PHASES.has(internal.phase)) return undefined;
    const policy = this.policyDetails(internal);
    const settings = isHyperV(internal)
      ? this.hyperV.pointSettings(internal, policy)
      : {
          retentionMinutes: Number(policy.recoveryPointHistory),
          appConsistentFrequencyMinutes: Number(policy.appConsistentFrequencyInMinutes),
          crashConsistentFrequencyMinutes: Number(policy.crashConsistentFrequencyInMinutes),
        };
    if (settings === undefined) return undefined;
    return {
      now,
      since: internal.initialReplicationEnd ?? now,
      // Replication also stops while the region it replicates from is down.
      outages: this.replicationOutages(internal),
      ...settings,
    };
  }

  /**
   * When the item's replication did not send data: its failures and failovers, and the outages of
   * the region it replicates from (Azure-to-Azure) or of its on-premises site (Hyper-V).
   */
  replicationOutages(internal: ItemInternal): ReplicationOutage[] {
    return [...internal.outages, ...this.asr.services.regionOutages(internal.sourceLocation), ...(isHyperV(internal) ? this.hyperV.siteOutages(internal) : [])];
  }

  /** Whether the item's source can be reached now (to shut its VM down first): its region (Azure-to-Azure) or its site (Hyper-V) is up. */
  sourceReachable(internal: ItemInternal): boolean {
    return isHyperV(internal) ? !this.hyperV.siteDown(internal) : !this.asr.services.isRegionDown(internal.sourceLocation);
  }

  /** The item's recovery points as served, newest first. */
  recoveryPoints(item: StoredResource): JsonObject[] {
    const internal = item.internal as ItemInternal;
    const inputs = this.pointInputs(internal, this.asr.services.now());
    if (inputs === undefined) return [];
    return recoveryPointsAt(inputs).map((point) => {
      const name = pointName(internal.lifecycleId, point.time, point.type);
      return {
        id: `${item.id}/recoveryPoints/${name}`,
        name,
        type: ASR_TYPES.recoveryPoint,
        properties: {
          recoveryPointTime: new Date(point.time).toISOString(),
          recoveryPointType: point.type,
          ...(isHyperV(internal)
            ? {}
            : { providerSpecificDetails: { instanceType: "A2A", recoveryPointSyncType: "PerVmRecoveryPoint", disks: internal.disks.map((d) => d.diskId) } }),
        },
      };
    });
  }

  /** One page of the items under `scope` (a vault or a container); only the page's items are rendered. */
  private listPage(ctx: RequestContext, scope: string): EmulatorResponse {
    const items = this.asr.services.resources.list(scope, ASR_TYPES.protectedItem);
    return jsonResponse(
      200,
      pageOf(ctx, items, this.asr.services.settings.pageSize, (item) => this.view(item)),
    );
  }

  /**
   * The item as served at the current emulated time. It shares the stored values it does not
   * compute (copies only the two objects it fills in): serialize it or read it, never change it.
   */
  view(item: StoredResource): JsonObject {
    const internal = item.internal as ItemInternal;
    const now = this.asr.services.now();
    const stored = item.body.properties as JsonObject;
    const details: JsonObject = { ...(stored.providerSpecificDetails as JsonObject) };
    const properties: JsonObject = { ...stored, providerSpecificDetails: details };
    const state = this.stateRow(internal);
    const vaultId = vaultIdOfResource(item.id) ?? "";
    const policy = this.policies.get(internal.policyId);
    const health = this.health.view(internal as unknown as HealthSubject, now);
    const test = internal.testFailover;
    const description =
      test !== null ? TEST_FAILOVER_DESCRIPTION[test.state] : health.resyncPercent !== null ? "Resynchronization in progress" : state.description;
    const allowed = allowedOperationsOf(internal, state, health);
    Object.assign(properties, {
      protectionState: state.protectionState,
      protectionStateDescription: description,
      activeLocation: internal.activeLocation,
      testFailoverState: test === null ? "None" : TEST_FAILOVER_STATE[test.state],
      testFailoverStateDescription: test === null ? "None" : test.state === "WaitingForCompletion" ? "Waiting for user input" : test.state,
      allowedOperations: allowed,
      failoverRecoveryPointId: internal.failover?.recoveryPointId ?? test?.recoveryPointId ?? null,
      lastSuccessfulFailoverTime: internal.lastSuccessfulFailoverTime === null ? null : new Date(internal.lastSuccessfulFailoverTime).toISOString(),
      lastSuccessfulTestFailoverTime: internal.lastSuccessfulTestFailoverTime === null ? null : new Date(internal.lastSuccessfulTestFailoverTime).toISOString(),
      replicationHealth: health.replicationHealth,
      failoverHealth: "Normal",
      healthErrors: health.healthErrors,
      policyFriendlyName: policy === undefined ? "" : String(policy.body.name),
      currentScenario:
        internal.scenario === "None"
          ? { scenarioName: "None", jobId: `${vaultId}/replicationJobs/None`, startTime: NO_SCENARIO_START }
          : { scenarioName: internal.scenario, jobId: internal.jobId, startTime: new Date(internal.scenarioStart).toISOString() },
    });
    if (isHyperV(internal)) this.hyperV.viewDetails(item, details, health, now);
    else this.a2aDetails(internal, details, health, state, now);
    return { ...item.body, properties };
  }

  /** The operations the item allows now: its view's `allowedOperations`, without building the rest of the view. */
  allowedOperations(item: StoredResource): JsonValue[] {
    const internal = item.internal as ItemInternal;
    return allowedOperationsOf(internal, this.stateRow(internal), this.health.view(internal as unknown as HealthSubject, this.asr.services.now()));
  }

  /** How the item's state shows now. */
  stateRow(internal: ItemInternal): StateRow {
    return isHyperV(internal) ? this.hyperV.stateRow(internal) : STATES[internal.phase];
  }

  /** The A2A details that change with time: initial replication or resync progress, per-disk state, RPO. */
  private a2aDetails(internal: ItemInternal, details: JsonObject, health: ReturnType<ReplicationHealth["view"]>, state: StateRow, now: number): void {
    const initial = internal.phase === "InitialReplication" && internal.initialReplicationStart !== null && internal.initialReplicationEnd !== null;
    const percent = initial
      ? initialReplicationPercent(internal.initialReplicationStart as number, internal.initialReplicationEnd as number, now)
      : health.resyncPercent;
    const monitoringJobType = initial ? "InitialReplication" : health.resyncPercent !== null ? "Resync" : null;
    const inputs = this.pointInputs(internal, now);
    const rpo = inputs === undefined ? undefined : rpoSecondsAt(inputs);
    Object.assign(details, {
      protectedManagedDisks: internal.disks.map((d) => ({
        ...d,
        recoveryReplicaDiskId: `${d.recoveryResourceGroupId}/providers/Microsoft.Compute/disks/${d.diskName}-ASRReplica`,
        resyncRequired: health.resyncRequired,
        monitoringPercentageCompletion: percent,
        monitoringJobType,
        dataPendingInStagingStorageAccountInMB: 0,
        dataPendingAtSourceAgentInMB: Math.floor(health.pendingMB / internal.disks.length),
        diskState: "Protected",
        allowedDiskLevelOperation: [],
      })),
      monitoringPercentageCompletion: percent,
      monitoringJobType,
      vmProtectionState: state.protectionState,
      vmProtectionStateDescription: state.description,
      rpoInSeconds: rpo ?? null,
      lastRpoCalculatedTime: rpo === undefined ? null : new Date(now).toISOString(),
      lastHeartbeat: new Date(now).toISOString(),
    });
  }

  /** Puts an item back as it was before a cancelled job. */
  private restorePhase(itemId: string, previous: JsonObject): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    if (item === undefined) return;
    Object.assign(item.internal, previous);
    const internal = item.internal as ItemInternal;
    if (isHyperV(internal)) this.hyperV.restored(internal);
  }

  /** The disable (or purge) is done: the item goes, with the service's own jobs about it that still run. */
  private removed(itemId: string, at: number): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    if (item === undefined) return;
    const internal = item.internal as ItemInternal;
    if (isHyperV(internal)) this.hyperV.removed(internal, at);
    this.asr.services.resources.delete(itemId);
  }

  /** Starts a job about an existing item, for a request or for the service itself ({@link serviceOrigin}); its final GET serves the item (unless `removes`). */
  startItemJob(by: RequestContext | AsrJobOrigin, item: StoredResource, spec: ItemJobSpec): StoredResource {
    return this.asr.jobs.startBy("vaultId" in by ? by : this.asr.jobs.origin(by), this.itemJobSpec(item, spec));
  }

  /** The job spec of a job about an item (see {@link ProtectedItems.startItemJob}). */
  itemJobSpec(item: StoredResource, spec: ItemJobSpec): AsrJobSpec {
    return {
      kind: spec.kind,
      scenarioName: spec.scenarioName,
      friendlyName: spec.friendlyName,
      targetObjectId: String(item.body.name),
      targetObjectName: String((item.body.properties as JsonObject).friendlyName),
      targetInstanceType: "ProtectionEntity",
      ...(spec.removes === true ? {} : { resultResourceId: item.id }),
      tasks: spec.tasks,
      data: { itemId: item.id, ...(spec.data ?? {}) },
      ...(spec.suspendOnSuccess === true ? { suspendOnSuccess: true } : {}),
    };
  }

  /** Resynchronizes an item that needs it (by hand). */
  private repair(ctx: RequestContext): EmulatorResponse {
    const item = this.require(ctx);
    return this.asr.jobs.accepted(ctx, this.resync(this.asr.jobs.origin(ctx), item));
  }

  /**
   * A resync as a job (by hand, or started by the service outside office hours): block checksums of
   * source and replica are compared and only the differing blocks are sent; the job lasts as long
   * as sending them takes. 400 OperationNotAllowed when the item needs no resync.
   */
  private resync(origin: AsrJobOrigin, item: StoredResource): StoredResource {
    const plan = this.health.startResync(item, origin.at);
    const megabytes = (bytes: number): number => Math.round(bytes / (1024 * 1024));
    return this.startItemJob(origin, item, {
      kind: "asr.item.repair",
      scenarioName: "RepairReplication",
      friendlyName: "Resynchronize",
      tasks: [
        {
          name: "Resync",
          friendlyName: `Resynchronize: compare block checksums, send the ${plan.blocks} differing blocks of ${plan.totalBlocks} (${megabytes(plan.bytes)} MB; ${megabytes(plan.pendingBytes)} MB of changes were logged)`,
          durationMs: plan.durationMs,
        },
      ],
    });
  }

  /** The item with this id, or the item protecting the VM with this id (an Azure VM's id, or a Hyper-V VM's id or protectable item id). */
  findByTargetId(id: string): StoredResource | undefined {
    const direct = findOfType(this.asr.services, id, ASR_TYPES.protectedItem);
    if (direct !== undefined) return direct;
    const items = this.asr.services.resources.ofType(ASR_TYPES.protectedItem);
    const byVm = items.find((r) => (r.internal as ItemInternal).vmId.toLowerCase() === id.toLowerCase());
    if (byVm !== undefined) return byVm;
    const hyperVVm = this.sites.findVm(id);
    return hyperVVm === undefined ? undefined : items.find((r) => (r.internal as ItemInternal).hyperV?.vmRecordId.toLowerCase() === hyperVVm.id.toLowerCase());
  }

  /** The on-premises VM of the Hyper-V item `target` names (see {@link ProtectedItems.findByTargetId}), if it is one and the VM still exists. */
  hyperVVmOf(target: string): StoredResource | undefined {
    const internal = this.findByTargetId(target)?.internal as ItemInternal | undefined;
    return internal !== undefined && isHyperV(internal) ? this.sites.getVm(internal.hyperV.vmRecordId) : undefined;
  }

  /** 409 OperationNotAllowed, naming the item's state and allowed operations, unless it allows `operation` now. */
  requireAllowed(item: StoredResource, operation: string, why = ""): void {
    if (this.allowedOperations(item).includes(operation)) return;
    const properties = this.view(item).properties as JsonObject;
    const allowed = properties.allowedOperations as JsonValue[];
    throw new ArmError(
      409,
      "OperationNotAllowed",
      `Operation '${operation}' is not allowed on replicated item '${String(item.body.name)}' in state '${String(properties.protectionState)}' (${String(properties.protectionStateDescription)})${why}. Allowed operations: [${allowed.join(", ")}].`,
    );
  }

  /** Where the item's VM comes up in Azure when it fails over (or is tested). */
  recoveryTarget(item: StoredResource): RecoveryTarget {
    const internal = item.internal as ItemInternal;
    if (isHyperV(internal)) return this.hyperV.recoveryTarget(item);
    const details = (item.body.properties as JsonObject).providerSpecificDetails as JsonObject;
    const source = this.compute.virtualMachines.get(internal.vmId);
    return {
      resourceGroupId: String(details.recoveryAzureResourceGroupId),
      vmName: String(details.recoveryAzureVMName),
      vmSize: String(details.recoveryAzureVMSize),
      template: (source?.body.properties ?? {}) as JsonObject,
      ...(typeof details.recoveryAvailabilitySet === "string" ? { availabilitySetId: details.recoveryAvailabilitySet } : {}),
      ...(typeof details.recoveryAvailabilityZone === "string" ? { zone: details.recoveryAvailabilityZone } : {}),
      ...(typeof details.selectedRecoveryAzureNetworkId === "string" && details.selectedRecoveryAzureNetworkId !== ""
        ? { networkId: details.selectedRecoveryAzureNetworkId }
        : {}),
    };
  }

  /** The tasks of a failover that shuts the source VM down first and syncs its last changes. */
  shutdownTasks(item: StoredResource, now: number): AsrTaskPlan[] {
    return isHyperV(item.internal as ItemInternal)
      ? this.hyperV.shutdownTasks(item, now)
      : [{ name: "ShutdownSource", friendlyName: "Shut down the source virtual machine and sync the latest data", durationMs: 90_000 }];
  }

  /** Shuts the item's source VM down (before a failover that syncs first) or starts it again (a failover undone). */
  setSourcePower(internal: ItemInternal, running: boolean): void {
    if (isHyperV(internal)) this.sites.setPowerState(internal.hyperV.vmRecordId, running ? "Running" : "Off");
    else this.compute.virtualMachines.setPowerState(internal.vmId, running ? "running" : "stopped");
  }

  private update(ctx: RequestContext): EmulatorResponse {
    const item = this.require(ctx);
    const internal = item.internal as ItemInternal;
    const properties = propertiesOf(jsonBody(ctx));
    const changes: JsonObject = {};
    const hyperV = isHyperV(internal);
    // The same settings have other names in each provider's details (recoveryAzureVMName / recoveryAzureVmName...).
    if (typeof properties.recoveryAzureVMName === "string") changes[hyperV ? "recoveryAzureVmName" : "recoveryAzureVMName"] = properties.recoveryAzureVMName;
    if (typeof properties.recoveryAzureVMSize === "string") changes.recoveryAzureVMSize = properties.recoveryAzureVMSize;
    if (typeof properties.selectedRecoveryAzureNetworkId === "string") changes.selectedRecoveryAzureNetworkId = properties.selectedRecoveryAzureNetworkId;
    if (typeof properties.recoveryAvailabilitySetId === "string") {
      this.checkPlacement({ recoveryAvailabilitySetId: properties.recoveryAvailabilitySetId }, internal.targetLocation);
      changes[hyperV ? "recoveryAvailabilitySetId" : "recoveryAvailabilitySet"] = properties.recoveryAvailabilitySetId;
    }
    const provider = properties.providerSpecificDetails;
    if (provider !== undefined && provider !== null) {
      const input = instanceOf(provider, "properties.providerSpecificDetails", [hyperV ? "HyperVReplicaAzure" : "A2A"]);
      const resourceGroupId = hyperV ? input.recoveryAzureV2ResourceGroupId : input.recoveryResourceGroupId;
      if (typeof resourceGroupId === "string") {
        if (!ID_PATTERNS.resourceGroup.test(resourceGroupId))
          throw new ArmError(
            400,
            "InvalidParameter",
            "The recovery resource group must be a resource group id.",
            `properties.providerSpecificDetails.${hyperV ? "recoveryAzureV2ResourceGroupId" : "recoveryResourceGroupId"}`,
          );
        changes.recoveryAzureResourceGroupId = resourceGroupId;
      }
      if (hyperV && typeof input.targetAvailabilityZone === "string") {
        this.checkPlacement({ targetAvailabilityZone: input.targetAvailabilityZone }, internal.targetLocation, HYPER_V_PLACEMENT);
        changes.targetAvailabilityZone = input.targetAvailabilityZone;
      }
    }
    if (internal.phase === "Disabling") throw new ArmError(409, "OperationNotAllowed", `Replicated item '${String(item.body.name)}' is being disabled.`);
    const job = this.startItemJob(ctx, item, {
      kind: "asr.item.update",
      scenarioName: "UpdateVmProperties",
      friendlyName: "Update the virtual machine",
      tasks: [{ name: "UpdateVm", friendlyName: "Update the virtual machine properties", durationMs: 30_000 }],
      data: { changes },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  private applyUpdate(itemId: string, changes: JsonObject): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    if (item === undefined) return;
    Object.assign((item.body.properties as JsonObject).providerSpecificDetails as JsonObject, changes);
  }

  private remove(ctx: RequestContext, purge: boolean): EmulatorResponse {
    const container = this.containers.require(ctx);
    const id = `${container.id}/replicationProtectedItems/${param(ctx, "replicatedProtectedItemName")}`;
    const item = findOfType(this.asr.services, id, ASR_TYPES.protectedItem);
    if (!purge) {
      const input = propertiesOf(optionalJsonBody(ctx));
      const reason = input.disableProtectionReason;
      if (reason !== undefined && reason !== "NotSpecified" && reason !== "MigrationComplete") {
        throw new ArmError(
          400,
          "InvalidParameter",
          `'disableProtectionReason' must be 'NotSpecified' or 'MigrationComplete', not '${String(reason)}'.`,
          "properties.disableProtectionReason",
        );
      }
    }
    if (item === undefined) return emptyResponse(204);
    const internal = item.internal as ItemInternal;
    if (internal.phase === "Disabling") throw new ArmError(409, "OperationNotAllowed", `Replication of '${String(item.body.name)}' is already being disabled.`);
    const job = this.startItemJob(ctx, item, {
      kind: "asr.item.remove",
      scenarioName: purge ? "PurgeProtection" : "DisableDr",
      friendlyName: purge ? "Purge replicated item" : "Disable replication",
      removes: true,
      data: { previous: { phase: internal.phase, scenario: internal.scenario, jobId: internal.jobId, scenarioStart: internal.scenarioStart } },
      tasks: [
        { name: "DisableProtection", friendlyName: "Disable replication", durationMs: 60_000 },
        { name: "CleanupTarget", friendlyName: "Clean up the replica disks", durationMs: 30_000 },
      ],
    });
    Object.assign(internal, { phase: "Disabling", scenario: purge ? "PurgeProtection" : "DisableDr", jobId: job.id, scenarioStart: this.asr.services.now() });
    return this.asr.jobs.accepted(ctx, job);
  }
}

/** The state of an item whose enable job (`jobId`) has just started: nothing replicated, failed or failed over yet. */
export function enablingItem(
  fields: Pick<
    ItemInternal,
    "lifecycleId" | "vmId" | "sourceLocation" | "targetLocation" | "policyId" | "recoveryContainerId" | "disks" | "jobId" | "scenarioStart"
  >,
): ItemInternal {
  return {
    ...fields,
    phase: "Enabling",
    scenario: "EnableDr",
    initialReplicationStart: null,
    initialReplicationEnd: null,
    outages: [],
    fault: null,
    activeLocation: "Primary",
    testFailover: null,
    failover: null,
    lastSuccessfulFailoverTime: null,
    lastSuccessfulTestFailoverTime: null,
  };
}

/** What an item allows: nothing but the cleanup during a test failover, nothing while a failover is cancelled, else what its state and health allow. */
function allowedOperationsOf(internal: ItemInternal, state: StateRow, health: { allowedExtra: string[] }): JsonValue[] {
  const test = internal.testFailover;
  if (test !== null) return test.state === "WaitingForCompletion" ? ["TestFailoverCleanup"] : [];
  if (internal.scenario === "CancelFailover") return [];
  return [...state.allowedOperations, ...health.allowedExtra];
}

/** Phases in which the item has recovery points: protected, and failed over until the commit. */
const POINT_PHASES: ReadonlySet<ItemPhase> = new Set(["Protected", "Disabling", "FailoverInProgress", "FailoverCommitPending", "CommitInProgress"]);

/** How a test failover shows in `testFailoverState` and the item's description. */
const TEST_FAILOVER_STATE: Readonly<Record<TestFailoverState["state"], string>> = {
  InProgress: "TestFailoverInitiated",
  WaitingForCompletion: "WaitingForCompletion",
  CleanupInProgress: "TestFailoverCleanupInitiated",
};
const TEST_FAILOVER_DESCRIPTION: Readonly<Record<TestFailoverState["state"], string>> = {
  InProgress: "Test failover in progress",
  WaitingForCompletion: "Cleanup test failover pending",
  CleanupInProgress: "Cleaning up test failover",
};

/** How each phase shows in `protectionState` and what it allows. */
const STATES: Readonly<Record<ItemPhase, StateRow>> = {
  Enabling: { protectionState: "UnprotectedStatesBegin", description: "Enabling protection", allowedOperations: ["DisableProtection"] },
  InitialReplication: { protectionState: "UnprotectedStatesBegin", description: "Initial replication in progress", allowedOperations: ["DisableProtection"] },
  Protected: { protectionState: "Protected", description: "Protected", allowedOperations: ["TestFailover", "UnplannedFailover", "DisableProtection"] },
  Disabling: { protectionState: "UnprotectedStatesBegin", description: "Disabling protection", allowedOperations: [] },
  FailoverInProgress: { protectionState: "UnplannedFailoverInProgress", description: "Failover in progress", allowedOperations: [] },
  FailoverCommitPending: {
    protectionState: "UnplannedFailoverCommitPendingStatesBegin",
    description: "Failover completed; commit pending",
    allowedOperations: ["Commit", "ChangePit", "CancelFailover"],
  },
  CommitInProgress: { protectionState: "UnplannedFailoverCommitPendingStatesBegin", description: "Committing the failover", allowedOperations: [] },
  FailoverCommitted: {
    protectionState: "UnplannedFailoverCommitted",
    description: "Failover committed",
    allowedOperations: ["ReverseReplicate", "DisableProtection"],
  },
  Reprotecting: { protectionState: "UnprotectedStatesBegin", description: "Reprotect in progress", allowedOperations: [] },
};

function instanceOfDisk(
  entry: JsonValue,
  field: string,
): { diskId: string; cache: string; recoveryResourceGroupId: string | undefined; replicaType: string | undefined; targetType: string | undefined } {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw new ArmError(400, "InvalidParameter", `'${field}' must be an object.`, field);
  const diskId = String(entry.diskId ?? "");
  const cache = String(entry.primaryStagingAzureStorageAccountId ?? "");
  if (diskId === "") throw new ArmError(400, "InvalidParameter", `'${field}.diskId' is required.`, `${field}.diskId`);
  if (!ID_PATTERNS.storageAccount.test(cache)) {
    throw new ArmError(
      400,
      "InvalidParameter",
      `'${field}.primaryStagingAzureStorageAccountId' must be the id of the cache storage account (Microsoft.Storage/storageAccounts) in the source region.`,
      `${field}.primaryStagingAzureStorageAccountId`,
    );
  }
  const rg = entry.recoveryResourceGroupId;
  if (rg !== undefined && !(typeof rg === "string" && ID_PATTERNS.resourceGroup.test(rg)))
    throw new ArmError(400, "InvalidParameter", `'${field}.recoveryResourceGroupId' must be a resource group id.`, `${field}.recoveryResourceGroupId`);
  return {
    diskId,
    cache,
    recoveryResourceGroupId: typeof rg === "string" ? rg : undefined,
    replicaType: typeof entry.recoveryReplicaDiskAccountType === "string" ? entry.recoveryReplicaDiskAccountType : undefined,
    targetType: typeof entry.recoveryTargetDiskAccountType === "string" ? entry.recoveryTargetDiskAccountType : undefined,
  };
}

/** A stable recovery point name (a GUID derived from the item, time and type). */
export function pointName(lifecycleId: string, time: number, type: string): string {
  return guidOf(lifecycleId, time, type);
}
