import { createHash, randomUUID } from "node:crypto";
import { ArmError } from "../arm/armError.js";
import { jsonBody, optionalJsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { ComputeService } from "../compute/registerCompute.js";
import type { StorageAccounts } from "../storage/storageAccounts.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, checkAsrName, nameOf, vaultIdOf, vaultIdOfResource } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, findOfType, instanceOf, propertiesOf, requireOfType } from "./asrResources.js";
import type { AsrTaskPlan } from "./asrJobs.js";
import type { ContainerMappings } from "./containerMappings.js";
import type { Containers } from "./containers.js";
import { Fabrics } from "./fabrics.js";
import type { Policies } from "./policies.js";
import { ReplicationHealth, type HealthSubject, type ReplicationFault } from "./replicationHealth.js";
import { copyDurationMs, initialReplicationPercent, recoveryPointsAt, rpoSecondsAt, type ReplicationOutage } from "./replicationModel.js";

/** Largest multi-VM consistency group. */
export const MAX_MULTI_VM_GROUP = 16;
const ITEM_PATH =
  "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectedItems/{replicatedProtectedItemName}";
const GIB = 1024 * 1024 * 1024;
const RESOURCE_GROUP_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i;
const ENABLE_TASKS = [
  { name: "PrerequisitesCheck", friendlyName: "Prerequisites check for enabling protection", durationMs: 30_000 },
  { name: "IdentifyTarget", friendlyName: "Identifying the replication target", durationMs: 30_000 },
  { name: "EnableProtection", friendlyName: "Enable replication", durationMs: 60_000 },
  { name: "StartInitialReplication", friendlyName: "Starting initial replication", durationMs: 30_000 },
  { name: "UpdateProviderStates", friendlyName: "Updating the provider states", durationMs: 30_000 },
];

/** A replicated managed disk as the item keeps it. */
interface ProtectedDisk extends JsonObject {
  diskId: string;
  diskName: string;
  diskCapacityInBytes: number;
  diskType: string;
  primaryStagingAzureStorageAccountId: string;
  recoveryResourceGroupId: string;
  recoveryReplicaDiskAccountType: string;
  recoveryTargetDiskAccountType: string;
}

/** Where an item stands in its lifecycle. */
export type ItemPhase =
  "Enabling" | "InitialReplication" | "Protected" | "Disabling" | "FailoverInProgress" | "FailoverCommitPending" | "CommitInProgress" | "FailoverCommitted";

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
  disks: ProtectedDisk[];
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
}

/**
 * Replication protected items for Azure-to-Azure VMs with managed disks (DOMAIN.md §4): enable
 * protection as a job; initial replication whose length follows the disks' size and the
 * configured bandwidth, with a progress percentage; then delta replication with recovery points
 * per the policy and an RPO. Update, disable (`/remove`) and purge (DELETE).
 */
export class ProtectedItems {
  /** Failures, retries and resync of delta replication. */
  readonly health: ReplicationHealth;

  constructor(
    private readonly asr: AsrContext,
    private readonly containers: Containers,
    private readonly mappings: ContainerMappings,
    private readonly policies: Policies,
    private readonly compute: ComputeService,
    private readonly storage: StorageAccounts,
  ) {
    asr.jobs.register("asr.item.enable", {
      complete: (op, at) => this.startInitialReplication(String(op.data.itemId), at),
      failed: (op) => this.asr.services.resources.delete(String(op.data.itemId)),
      cancelled: (op) => this.asr.services.resources.delete(String(op.data.itemId)),
    });
    asr.jobs.register("asr.item.update", { complete: (op) => this.applyUpdate(String(op.data.itemId), op.data.changes as JsonObject) });
    asr.jobs.register("asr.item.remove", {
      complete: (op) => this.asr.services.resources.delete(String(op.data.itemId)),
      cancelled: (op) => this.restorePhase(String(op.data.itemId), op.data.previous as JsonObject),
    });
    asr.services.scheduler.on("asr.item.initialReplicationDone", (data, at) => this.protect(String(data.itemId), String(data.lifecycleId), at));
    this.health = new ReplicationHealth(asr.services, (id) => findOfType(asr.services, id, ASR_TYPES.protectedItem));
    this.health.onAutoResync((item, at) => this.health.startResync(item, at));
    asr.jobs.register("asr.item.repair", { complete: () => undefined });
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
      (ctx) =>
        jsonResponse(200, { value: this.asr.services.resources.list(this.containers.require(ctx).id, ASR_TYPES.protectedItem).map((i) => this.view(i)) }),
    );
    addAsrRoute(router, "GET", "/replicationProtectedItems", "ReplicationProtectedItems_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return jsonResponse(200, { value: this.asr.services.resources.list(vaultIdOf(ctx), ASR_TYPES.protectedItem).map((i) => this.view(i)) });
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
    const input = instanceOf(properties.providerSpecificDetails, "properties.providerSpecificDetails", ["A2A"]);
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
    const already = this.asr.services.resources
      .list(vaultIdOf(ctx), ASR_TYPES.protectedItem)
      .find((i) => (i.internal as ItemInternal).vmId.toLowerCase() === vm.id.toLowerCase());
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
    if (!RESOURCE_GROUP_ID.test(recoveryResourceGroupId)) {
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
    const internal: ItemInternal = {
      phase: "Enabling",
      lifecycleId,
      vmId: vm.id,
      sourceLocation,
      targetLocation,
      policyId: mappingPolicy,
      recoveryContainerId: target.id,
      disks,
      jobId: job.id,
      scenario: "EnableDr",
      scenarioStart: now,
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

  private checkPlacement(input: JsonObject, targetLocation: string): void {
    const setId = input.recoveryAvailabilitySetId;
    if (setId !== undefined && setId !== null) {
      if (input.recoveryAvailabilityZone !== undefined && input.recoveryAvailabilityZone !== null) {
        throw new ArmError(
          400,
          "InvalidParameter",
          "A replicated VM goes into an availability set or an availability zone, not both.",
          "properties.providerSpecificDetails.recoveryAvailabilityZone",
        );
      }
      const set = this.compute.availabilitySets.get(String(setId));
      if (set !== undefined && set.body.location !== targetLocation) {
        throw new ArmError(
          400,
          "InvalidParameter",
          `Availability set '${String(set.body.name)}' is in '${String(set.body.location)}', not in the target region '${targetLocation}'.`,
          "properties.providerSpecificDetails.recoveryAvailabilitySetId",
        );
      }
    }
    const zone = input.recoveryAvailabilityZone;
    if (zone !== undefined && zone !== null && !["1", "2", "3"].includes(String(zone))) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `'recoveryAvailabilityZone' must be '1', '2' or '3', not '${String(zone)}'.`,
        "properties.providerSpecificDetails.recoveryAvailabilityZone",
      );
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

  private policyDetails(internal: ItemInternal): JsonObject {
    const policy = this.policies.get(internal.policyId);
    return ((policy?.body.properties as JsonObject | undefined)?.providerSpecificDetails ?? {
      recoveryPointHistory: 1440,
      appConsistentFrequencyInMinutes: 0,
      crashConsistentFrequencyInMinutes: 5,
    }) as JsonObject;
  }

  pointInputs(internal: ItemInternal, now: number): Parameters<typeof recoveryPointsAt>[0] | undefined {
    if (!POINT_PHASES.has(internal.phase)) return undefined;
    const policy = this.policyDetails(internal);
    return {
      now,
      since: internal.initialReplicationEnd ?? now,
      // Replication also stops while the region it replicates from is down.
      outages: [...internal.outages, ...this.asr.services.regionOutages(internal.sourceLocation)],
      retentionMinutes: Number(policy.recoveryPointHistory),
      appConsistentFrequencyMinutes: Number(policy.appConsistentFrequencyInMinutes),
      crashConsistentFrequencyMinutes: Number(policy.crashConsistentFrequencyInMinutes),
    };
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
          providerSpecificDetails: { instanceType: "A2A", recoveryPointSyncType: "PerVmRecoveryPoint", disks: internal.disks.map((d) => d.diskId) },
        },
      };
    });
  }

  /** The item as served at the current emulated time. */
  view(item: StoredResource): JsonObject {
    const internal = item.internal as ItemInternal;
    const now = this.asr.services.now();
    const properties = JSON.parse(JSON.stringify(item.body.properties)) as JsonObject;
    const details = properties.providerSpecificDetails as JsonObject;
    const state = STATES[internal.phase];
    const vaultId = vaultIdOfResource(item.id) ?? "";
    const policy = this.policies.get(internal.policyId);
    const health = this.health.view(internal as unknown as HealthSubject, now);
    const test = internal.testFailover;
    const description =
      test !== null ? TEST_FAILOVER_DESCRIPTION[test.state] : health.resyncPercent !== null ? "Resynchronization in progress" : state.description;
    const allowed =
      test !== null
        ? test.state === "WaitingForCompletion"
          ? ["TestFailoverCleanup"]
          : []
        : internal.scenario === "CancelFailover"
          ? []
          : [...state.allowedOperations, ...health.allowedExtra];
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
          ? { scenarioName: "None", jobId: `${vaultId}/replicationJobs/None`, startTime: "0001-01-01T00:00:00Z" }
          : { scenarioName: internal.scenario, jobId: internal.jobId, startTime: new Date(internal.scenarioStart).toISOString() },
    });
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
    return { ...item.body, properties };
  }

  /** Puts an item back as it was before a cancelled job. */
  private restorePhase(itemId: string, previous: JsonObject): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    if (item !== undefined) Object.assign(item.internal, previous);
  }

  /** Starts a job about an existing item; its final GET serves the item (unless `removes`). */
  startItemJob(
    ctx: RequestContext,
    item: StoredResource,
    spec: { kind: string; scenarioName: string; friendlyName: string; tasks: AsrTaskPlan[]; data?: JsonObject; removes?: boolean; suspendOnSuccess?: boolean },
  ): StoredResource {
    return this.asr.jobs.start(ctx, {
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
    });
  }

  /** Resynchronizes an item that needs it (by hand): a job that lasts as long as sending the differing blocks. */
  private repair(ctx: RequestContext): EmulatorResponse {
    const item = this.require(ctx);
    const now = this.asr.services.now();
    const duration = this.health.startResync(item, now);
    const job = this.startItemJob(ctx, item, {
      kind: "asr.item.repair",
      scenarioName: "RepairReplication",
      friendlyName: "Resynchronize",
      tasks: [{ name: "Resync", friendlyName: "Resynchronize the disks (differing blocks only)", durationMs: duration }],
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  /** The item with this id, or the item protecting the VM with this id. */
  findByTargetId(id: string): StoredResource | undefined {
    const direct = findOfType(this.asr.services, id, ASR_TYPES.protectedItem);
    if (direct !== undefined) return direct;
    return this.asr.services.resources.ofType(ASR_TYPES.protectedItem).find((r) => (r.internal as ItemInternal).vmId.toLowerCase() === id.toLowerCase());
  }

  private update(ctx: RequestContext): EmulatorResponse {
    const item = this.require(ctx);
    const internal = item.internal as ItemInternal;
    const properties = propertiesOf(jsonBody(ctx));
    const changes: JsonObject = {};
    if (typeof properties.recoveryAzureVMName === "string") changes.recoveryAzureVMName = properties.recoveryAzureVMName;
    if (typeof properties.recoveryAzureVMSize === "string") changes.recoveryAzureVMSize = properties.recoveryAzureVMSize;
    if (typeof properties.selectedRecoveryAzureNetworkId === "string") changes.selectedRecoveryAzureNetworkId = properties.selectedRecoveryAzureNetworkId;
    if (typeof properties.recoveryAvailabilitySetId === "string") {
      this.checkPlacement({ recoveryAvailabilitySetId: properties.recoveryAvailabilitySetId }, internal.targetLocation);
      changes.recoveryAvailabilitySet = properties.recoveryAvailabilitySetId;
    }
    const provider = properties.providerSpecificDetails;
    if (provider !== undefined && provider !== null) {
      const a2a = instanceOf(provider, "properties.providerSpecificDetails", ["A2A"]);
      if (typeof a2a.recoveryResourceGroupId === "string") {
        if (!RESOURCE_GROUP_ID.test(a2a.recoveryResourceGroupId))
          throw new ArmError(
            400,
            "InvalidParameter",
            "'recoveryResourceGroupId' must be a resource group id.",
            "properties.providerSpecificDetails.recoveryResourceGroupId",
          );
        changes.recoveryAzureResourceGroupId = a2a.recoveryResourceGroupId;
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
const STATES: Readonly<Record<ItemPhase, { protectionState: string; description: string; allowedOperations: JsonValue[] }>> = {
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
};

function instanceOfDisk(
  entry: JsonValue,
  field: string,
): { diskId: string; cache: string; recoveryResourceGroupId: string | undefined; replicaType: string | undefined; targetType: string | undefined } {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw new ArmError(400, "InvalidParameter", `'${field}' must be an object.`, field);
  const diskId = String(entry.diskId ?? "");
  const cache = String(entry.primaryStagingAzureStorageAccountId ?? "");
  if (diskId === "") throw new ArmError(400, "InvalidParameter", `'${field}.diskId' is required.`, `${field}.diskId`);
  if (!/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i.test(cache)) {
    throw new ArmError(
      400,
      "InvalidParameter",
      `'${field}.primaryStagingAzureStorageAccountId' must be the id of the cache storage account (Microsoft.Storage/storageAccounts) in the source region.`,
      `${field}.primaryStagingAzureStorageAccountId`,
    );
  }
  const rg = entry.recoveryResourceGroupId;
  if (rg !== undefined && !(typeof rg === "string" && RESOURCE_GROUP_ID.test(rg)))
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
  const hex = createHash("sha1").update(`${lifecycleId}:${time}:${type}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
