import { ArmError } from "../arm/armError.js";
import { jsonBody, type RequestContext } from "../arm/requestContext.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { ComputeService } from "../compute/registerCompute.js";
import type { StorageAccounts } from "../storage/storageAccounts.js";
import { ResourceStore, type ResourceLookup } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, ID_PATTERNS, nameOf } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { PLAN_TYPE } from "./recoveryPlans.js";
import { addAsrRoute, findOfType, instanceOf, propertiesOf } from "./asrResources.js";
import type { ContainerMappings } from "./containerMappings.js";
import type { Containers } from "./containers.js";
import type { HyperVFailback } from "./hyperVFailback.js";
import { isHyperV, type ItemInternal, type ProtectedItems } from "./protectedItems.js";
import { copyDurationMs } from "./replicationModel.js";

/** How fast a failed-over VM's disks change while it runs unprotected (what reprotect must send on top of the seed), MB/s. */
export const FAILED_OVER_CHURN_MBPS = 1;
const GIB = 1024 * 1024 * 1024;

/**
 * Reprotect of an Azure-to-Azure item with managed disks, through the protection container's
 * switch-protection call (what Azure PowerShell does; DOMAIN.md §6): after a committed failover,
 * the VM running in the recovery region starts replicating back. The item moves to the container
 * of the region the VM runs in (same lifecycle id, new ARM id). If the original VM still exists it
 * is used as a seed and deleted, so only the differences are sent; otherwise a full copy runs.
 * `reProtect` on an item is refused for A2A (managed disks need this call) and is a Hyper-V item's
 * reverse replication ({@link HyperVFailback.reprotect}).
 */
export class SwitchProtection {
  /**
   * The recovery plans by the names of the items they hold, so that moving one item does not walk
   * every plan member. By name, not id: a reprotect changes an item's id (its container), never its
   * name, so the members it rewrites in place stay filed.
   */
  private readonly plansByItem: ResourceLookup;

  constructor(
    private readonly asr: AsrContext,
    private readonly containers: Containers,
    private readonly mappings: ContainerMappings,
    private readonly items: ProtectedItems,
    private readonly compute: ComputeService,
    private readonly storage: StorageAccounts,
    private readonly failback: HyperVFailback,
  ) {
    this.plansByItem = asr.services.resources.lookup(PLAN_TYPE, planMemberNames);
    asr.jobs.register("asr.item.switchProtection", {
      complete: (op, at) => this.switched(String(op.data.itemId), String(op.data.newItemId), op.data.plan as JsonObject, at),
    });
  }

  register(router: Router): void {
    addAsrRoute(
      router,
      "POST",
      "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/switchprotection",
      "ReplicationProtectionContainers_SwitchProtection",
      (ctx) => this.switchProtection(ctx),
    );
    addAsrRoute(
      router,
      "POST",
      "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectedItems/{replicatedProtectedItemName}/reProtect",
      "ReplicationProtectedItems_Reprotect",
      (ctx) => {
        const item = this.items.require(ctx);
        if (isHyperV(item.internal as ItemInternal)) return this.failback.reprotect(ctx, item);
        throw new ArmError(
          400,
          "VMDisksMissing",
          "Managed disk details not provided: reprotect Azure-to-Azure VMs with managed disks through the protection container's switchprotection call (A2ASwitchProtectionInput.vmManagedDisks).",
        );
      },
    );
  }

  private switchProtection(ctx: RequestContext): EmulatorResponse {
    const container = this.containers.require(ctx);
    const properties = propertiesOf(jsonBody(ctx));
    const itemName = String(properties.replicationProtectedItemName ?? "");
    const item = findOfType(this.asr.services, `${container.id}/replicationProtectedItems/${itemName}`, ASR_TYPES.protectedItem);
    if (item === undefined)
      throw new ArmError(
        404,
        "ResourceNotFound",
        `Container '${String(container.body.name)}' has no replicated item '${itemName}'.`,
        "properties.replicationProtectedItemName",
      );
    if (isHyperV(item.internal as ItemInternal))
      throw new ArmError(
        400,
        "OperationNotSupported",
        `Replicated item '${itemName}' replicates a Hyper-V VM: it is reprotected with its own 'reProtect' call (HyperVReplicaAzureReprotectInput).`,
      );
    if (!this.items.allowedOperations(item).includes("ReverseReplicate")) {
      const state = this.items.view(item).properties as JsonObject;
      throw new ArmError(
        409,
        "OperationNotAllowed",
        `Operation 'ReverseReplicate' is not allowed on replicated item '${itemName}' in state '${String(state.protectionState)}' (${String(state.protectionStateDescription)}); reprotect follows a committed failover. Allowed operations: [${(state.allowedOperations as JsonValue[]).join(", ")}].`,
      );
    }
    const internal = item.internal as ItemInternal;
    const input = instanceOf(properties.providerSpecificDetails, "properties.providerSpecificDetails", ["A2A"]);
    const field = "properties.providerSpecificDetails";
    // The VM now runs in the old target region; it replicates back to the old source region.
    const newSource = internal.targetLocation;
    const newTarget = internal.sourceLocation;
    if (this.asr.services.isRegionDown(newTarget)) {
      throw new ArmError(
        409,
        "RegionUnavailable",
        `Region '${newTarget}' is unavailable: reprotect needs it reachable to create the replica there. Retry when it is back.`,
      );
    }
    const runningVmId = this.failedOverVmId(item);
    const runningVm = this.compute.virtualMachines.get(runningVmId);
    if (runningVm === undefined) {
      throw new ArmError(
        409,
        "VmNotFoundForReprotect",
        `The failed-over VM '${runningVmId}' no longer exists (deleted, moved or migrated); it cannot be reprotected.`,
      );
    }
    const recoveryContainerId = String(input.recoveryContainerId ?? "");
    const newContainer = this.containers.get(internal.recoveryContainerId);
    const mapping = newContainer === undefined ? undefined : this.mappings.findFor(newContainer.id, recoveryContainerId);
    if (newContainer === undefined || mapping === undefined) {
      throw new ArmError(
        400,
        "ContainerMappingNotFound",
        `'recoveryContainerId' must be mapped from '${nameOf(internal.recoveryContainerId)}' (the reverse container mapping), not '${recoveryContainerId}'.`,
        `${field}.recoveryContainerId`,
      );
    }
    const recoveryResourceGroupId = String(input.recoveryResourceGroupId ?? "");
    if (!ID_PATTERNS.resourceGroup.test(recoveryResourceGroupId))
      throw new ArmError(400, "InvalidParameter", "'recoveryResourceGroupId' must be a resource group id.", `${field}.recoveryResourceGroupId`);
    const setId = input.recoveryAvailabilitySetId;
    if (typeof setId === "string") {
      const set = this.compute.availabilitySets.get(setId);
      if (set !== undefined && set.body.location !== newTarget) {
        throw new ArmError(
          400,
          "InvalidParameter",
          `Availability set '${String(set.body.name)}' is in '${String(set.body.location)}', not in '${newTarget}'.`,
          `${field}.recoveryAvailabilitySetId`,
        );
      }
    }
    const disks = this.disks(runningVm, input.vmManagedDisks, recoveryResourceGroupId, newSource, `${field}.vmManagedDisks`);
    const originalVm = this.compute.virtualMachines.get(internal.vmId);
    const totalBytes = disks.reduce((sum, d) => sum + Number(d.diskCapacityInBytes), 0);
    const sinceFailover = Math.max(0, this.asr.services.now() - (internal.failover?.startedAt ?? this.asr.services.now()));
    const deltaBytes = originalVm === undefined ? totalBytes : Math.min(totalBytes, (sinceFailover / 1000) * FAILED_OVER_CHURN_MBPS * 1024 * 1024);
    const newItemId = `${newContainer.id}/replicationProtectedItems/${itemName}`;
    const plan: JsonObject = {
      newSource,
      newTarget,
      runningVmId,
      originalVmId: internal.vmId,
      seeded: originalVm !== undefined,
      copyMs: copyDurationMs(deltaBytes, this.asr.services.settings.replicationBandwidthMBps),
      disks,
      recoveryContainerId: String((mapping.body.properties as JsonObject).targetProtectionContainerId),
      policyId: String((mapping.body.properties as JsonObject).policyId),
      recoveryResourceGroupId,
      recoveryAvailabilitySetId: typeof setId === "string" ? setId : null,
      recoveryVmName: String(((item.body.properties as JsonObject).providerSpecificDetails as JsonObject).recoveryAzureVMName),
    };
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.item.switchProtection",
      scenarioName: "SwitchProtection",
      friendlyName: "Reprotect",
      targetObjectId: itemName,
      targetObjectName: String((item.body.properties as JsonObject).friendlyName),
      targetInstanceType: "ProtectionEntity",
      // As the service's example shows, the operation's result is the protection container it was called on.
      resultResourceId: container.id,
      tasks: [
        { name: "PrerequisitesCheck", friendlyName: "Prerequisites check for reprotect", durationMs: 30_000 },
        ...(originalVm === undefined
          ? []
          : [{ name: "PrepareSeed", friendlyName: "Power off the original VM, copy its disks as the seed, delete it", durationMs: 120_000 }]),
        { name: "SwitchProtection", friendlyName: "Switch protection direction", durationMs: 60_000 },
      ],
      data: { itemId: item.id, newItemId, plan },
    });
    Object.assign(internal, { phase: "Reprotecting", scenario: "SwitchProtection", jobId: job.id, scenarioStart: this.asr.services.now() });
    return this.asr.jobs.accepted(ctx, job);
  }

  /** The VM the item failed over to (where it runs now). */
  private failedOverVmId(item: StoredResource): string {
    const internal = item.internal as ItemInternal;
    if (internal.failover !== null) return internal.failover.failedOverVmId;
    const details = (item.body.properties as JsonObject).providerSpecificDetails as JsonObject;
    return `${String(details.recoveryAzureResourceGroupId)}/providers/Microsoft.Compute/virtualMachines/${String(details.recoveryAzureVMName)}`;
  }

  private disks(vm: StoredResource, requested: JsonValue | undefined, recoveryResourceGroupId: string, sourceLocation: string, field: string): JsonObject[] {
    if (!Array.isArray(requested) || requested.length === 0)
      throw new ArmError(400, "VMDisksMissing", "Managed disk details not provided: 'vmManagedDisks' must list the disks of the failed-over VM.", field);
    const storage = (vm.body.properties as JsonObject).storageProfile as JsonObject;
    const vmDisks = [storage.osDisk as JsonObject, ...((storage.dataDisks ?? []) as JsonObject[])].filter((d) => d !== undefined);
    const byId = new Map(vmDisks.map((d) => [String((d.managedDisk as JsonObject).id).toLowerCase(), d]));
    return requested.map((entry, index) => {
      const disk = (entry ?? {}) as JsonObject;
      const vmDisk = byId.get(String(disk.diskId ?? "").toLowerCase());
      if (vmDisk === undefined)
        throw new ArmError(
          400,
          "InvalidParameter",
          `Disk '${String(disk.diskId)}' is not a disk of the failed-over VM '${String(vm.body.name)}'.`,
          `${field}[${index}].diskId`,
        );
      const cache = String(disk.primaryStagingAzureStorageAccountId ?? "");
      if (!ID_PATTERNS.storageAccount.test(cache)) {
        throw new ArmError(
          400,
          "InvalidParameter",
          `'${field}[${index}].primaryStagingAzureStorageAccountId' must be a cache storage account id in '${sourceLocation}'.`,
          `${field}[${index}].primaryStagingAzureStorageAccountId`,
        );
      }
      const account = this.storage.get(cache);
      if (account !== undefined && account.body.location !== sourceLocation) {
        throw new ArmError(
          400,
          "CacheStorageAccountLocationMismatch",
          `Cache storage account '${nameOf(cache)}' is in '${String(account.body.location)}'; it must be in '${sourceLocation}', the region the VM now runs in.`,
          `${field}[${index}].primaryStagingAzureStorageAccountId`,
        );
      }
      const type = String((vmDisk.managedDisk as JsonObject).storageAccountType ?? "Premium_LRS");
      return {
        diskId: String((vmDisk.managedDisk as JsonObject).id),
        diskName: String(vmDisk.name),
        diskCapacityInBytes: Number(vmDisk.diskSizeGB ?? 30) * GIB,
        diskType: type,
        primaryStagingAzureStorageAccountId: cache,
        recoveryResourceGroupId: typeof disk.recoveryResourceGroupId === "string" ? disk.recoveryResourceGroupId : recoveryResourceGroupId,
        recoveryReplicaDiskAccountType: typeof disk.recoveryReplicaDiskAccountType === "string" ? disk.recoveryReplicaDiskAccountType : type,
        recoveryTargetDiskAccountType: typeof disk.recoveryTargetDiskAccountType === "string" ? disk.recoveryTargetDiskAccountType : type,
      };
    });
  }

  /** The switch: the item moves to the container of the region the VM runs in and replicates back. */
  private switched(itemId: string, newItemId: string, plan: JsonObject, at: number): void {
    const item = findOfType(this.asr.services, itemId, ASR_TYPES.protectedItem);
    if (item === undefined) return;
    const internal = item.internal as ItemInternal;
    if (plan.seeded === true) this.compute.virtualMachines.dematerialize(String(plan.originalVmId));
    const newContainerId = newItemId.slice(0, newItemId.toLowerCase().indexOf("/replicationprotecteditems/"));
    const newContainer = this.containers.get(newContainerId) as StoredResource;
    const target = this.containers.get(String(plan.recoveryContainerId)) as StoredResource;
    const fabricOf = (c: StoredResource): StoredResource =>
      this.asr.services.resources.get(c.id.slice(0, c.id.toLowerCase().indexOf("/replicationprotectioncontainers/"))) as StoredResource;
    const properties = JSON.parse(JSON.stringify(item.body.properties)) as JsonObject;
    const details = properties.providerSpecificDetails as JsonObject;
    Object.assign(properties, {
      primaryFabricFriendlyName: String(fabricOf(newContainer).body.name),
      recoveryFabricFriendlyName: String(fabricOf(target).body.name),
      recoveryFabricId: fabricOf(target).id,
      primaryProtectionContainerFriendlyName: String(newContainer.body.name),
      recoveryProtectionContainerFriendlyName: String(target.body.name),
      policyId: String(plan.policyId),
      recoveryContainerId: target.id,
    });
    Object.assign(details, {
      fabricObjectId: String(plan.runningVmId),
      primaryFabricLocation: String(plan.newSource),
      recoveryFabricLocation: String(plan.newTarget),
      recoveryAzureResourceGroupId: String(plan.recoveryResourceGroupId),
      recoveryAzureVMName: String(plan.recoveryVmName),
      recoveryAvailabilitySet: plan.recoveryAvailabilitySetId ?? null,
    });
    const moved: ItemInternal = {
      ...internal,
      phase: "InitialReplication",
      vmId: String(plan.runningVmId),
      sourceLocation: String(plan.newSource),
      targetLocation: String(plan.newTarget),
      policyId: String(plan.policyId),
      recoveryContainerId: target.id,
      disks: plan.disks as ItemInternal["disks"],
      scenario: "None",
      initialReplicationStart: at,
      initialReplicationEnd: at + Number(plan.copyMs),
      outages: [],
      fault: null,
      failover: null,
      testFailover: null,
    };
    this.asr.services.resources.delete(item.id);
    this.asr.services.resources.put(ResourceStore.record(newItemId, ASR_TYPES.protectedItem, { ...item.body, id: newItemId, properties }, moved));
    // Recovery plans keep referring to the item after it moved.
    const movedKey = item.id.toLowerCase();
    for (const recoveryPlan of this.plansByItem.find(nameOf(item.id))) {
      for (const group of (recoveryPlan.body.properties as JsonObject).groups as JsonObject[]) {
        for (const member of group.replicationProtectedItems as JsonObject[]) {
          if (String(member.id).toLowerCase() === movedKey) Object.assign(member, { id: newItemId, virtualMachineId: String(details.fabricObjectId) });
        }
      }
    }
    this.asr.services.scheduler.schedule(moved.initialReplicationEnd as number, "asr.item.initialReplicationDone", {
      itemId: newItemId,
      lifecycleId: moved.lifecycleId,
    });
  }
}

/** The names of the protected items a recovery plan holds, in all its groups. */
function planMemberNames(plan: StoredResource): string[] {
  const groups = (plan.body.properties as JsonObject | undefined)?.groups;
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((group) => {
    const members = (group as JsonObject | null)?.replicationProtectedItems;
    if (!Array.isArray(members)) return [];
    return members.map((member) => nameOf(String((member as JsonObject | null)?.id ?? ""))).filter((name) => name !== "");
  });
}
