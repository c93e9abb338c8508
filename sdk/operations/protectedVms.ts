import type { ComputeGateway } from "../azure/computeGateway.js";
import type { EnableProtectionSpec, JobWaitOptions, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import type { Clock } from "../clock.js";
import { InvalidStateError, ValidationError, isResourceNotFoundError } from "../errors.js";
import { logger } from "../logger.js";
import { parseResourceId } from "../model/armId.js";
import {
  protectVmInputSchema,
  reprotectInputSchema,
  type ProtectedVm,
  type ProtectVmInput,
  type RecoveryPoint,
  type ReprotectInput,
  type ReprotectSettings,
} from "../model/protectedVm.js";
import { parseReplicatedItemId, replicatedItemNameFor, type ReplicatedItemRef } from "../model/replicatedItemId.js";
import { waitUntilProtected } from "./protectionWait.js";
import type { ReplicationInfrastructure } from "../model/replicationInfrastructure.js";
import { validate } from "../model/validate.js";
import { vaultRefSchema, type VaultRef } from "../model/vault.js";

/** A progress event of {@link ProtectedVmOperations.waitForProtection}. */
export interface ProtectionProgress {
  protectedVm: ProtectedVm;
  /** Initial replication progress, 0-100 (100 once protected). */
  percent: number;
}

/** Options of {@link ProtectedVmOperations.waitForProtection}. */
export interface WaitForProtectionOptions {
  abortSignal?: AbortSignal;
  onProgress?: (progress: ProtectionProgress) => void;
  /** Give up (DrTimeoutError) after this much of the backend's time. @default 24 hours */
  timeoutInMs?: number;
}

/** VMs replicated to another region with Site Recovery (Azure-to-Azure): protect, watch, list, disable. */
export class ProtectedVmOperations {
  /** @internal */
  constructor(
    private readonly asr: SiteRecoveryGateway,
    private readonly compute: ComputeGateway,
    private readonly clock: Clock,
  ) {}

  /**
   * Enables replication of a VM (all its managed disks) along prepared infrastructure and waits
   * for the enable job; initial replication then runs (see {@link waitForProtection}). A retry with
   * the same VM reuses the item instead of creating a second one.
   * @throws ValidationError (`ValidationFailed`): bad input, a VM not in the infrastructure's source region, infrastructure of another vault; Azure's 400s (e.g. `VMDisksMissing`, `MultiVmGroupFull`).
   * @throws InvalidStateError (`InvalidState`): the VM is already protected under another item (`ProtectionAlreadyEnabled`).
   * @throws ResourceNotFoundError: the VM does not exist; OperationFailedError: the enable job failed; DrError `Aborted`.
   */
  async protect(vault: VaultRef, infrastructure: ReplicationInfrastructure, input: ProtectVmInput, options: JobWaitOptions = {}): Promise<ProtectedVm> {
    const ref = validate(vaultRefSchema, vault, "vault");
    const parsed = validate(protectVmInputSchema, input, "");
    const source = parseReplicatedItemId(`${infrastructure.sourceContainerId}/replicationProtectedItems/x`, "infrastructure.sourceContainerId");
    if (source.vault.toLowerCase() !== ref.name.toLowerCase() || source.resourceGroup.toLowerCase() !== ref.resourceGroup.toLowerCase()) {
      throw new ValidationError("infrastructure", `was prepared in vault '${source.vault}', not in '${ref.name}'`);
    }
    const vmRef = parseResourceId(parsed.virtualMachineId, { field: "virtualMachineId" });
    const vm = await this.compute.getVirtualMachine(vmRef.resourceGroup, vmRef.name);
    if (vm.location !== infrastructure.sourceRegion) {
      throw new ValidationError("virtualMachineId", `is in ${vm.location}, not in the infrastructure's source region ${infrastructure.sourceRegion}`);
    }
    const unmanaged = vm.disks.find((d) => d.managedDiskId === undefined);
    if (unmanaged !== undefined)
      throw new ValidationError("virtualMachineId", `has disk '${unmanaged.name}' in a storage account; only VMs with managed disks are supported`);
    const spec: EnableProtectionSpec = {
      ...parsed,
      virtualMachineId: vm.id,
      recoveryContainerId: infrastructure.targetContainerId,
      diskIds: vm.disks.map((disk) => disk.managedDiskId as string),
    };
    const item = { ...source, item: replicatedItemNameFor(vm.name) };
    logger.info(`enable replication of VM ${vm.name} from ${infrastructure.sourceRegion} to ${infrastructure.targetRegion} (item ${item.item})`);
    return this.asr.enableProtection(item, infrastructure.policyId, spec, options);
  }

  /** Reads a protected VM by its replicated item id. @throws ResourceNotFoundError; ValidationError. */
  async get(protectedVmId: string): Promise<ProtectedVm> {
    return this.asr.getProtectedItem(parseReplicatedItemId(protectedVmId));
  }

  /** Lists the vault's Azure-to-Azure protected VMs (Hyper-V ones: `dr.hyperV.list`). @throws ValidationError. */
  list(vault: VaultRef): AsyncIterable<ProtectedVm> {
    return this.asr.listProtectedItems(validate(vaultRefSchema, vault, "vault"));
  }

  /**
   * Waits until initial replication is done and the VM is protected, cheaply: it reads the
   * progress, estimates the finish from how fast it moves, and sleeps until then (on the
   * backend's clock) instead of polling every 30 seconds.
   * @throws InvalidStateError when the item is being disabled; DrTimeoutError (`Timeout`); DrError `Aborted`; ResourceNotFoundError.
   */
  async waitForProtection(protectedVmId: string, options: WaitForProtectionOptions = {}): Promise<ProtectedVm> {
    const ref = parseReplicatedItemId(protectedVmId);
    const { onProgress, ...rest } = options;
    return waitUntilProtected(
      this.clock,
      () => this.asr.getProtectedItem(ref),
      (item) => ({
        id: item.id,
        name: item.name,
        stage: item.phase === "protected" ? "protected" : item.phase === "initialReplication" ? "copying" : item.phase === "disabling" ? "stopped" : "other",
        percent: item.initialReplicationPercent ?? 0,
        reason: "replication is being disabled",
      }),
      { ...rest, ...(onProgress === undefined ? {} : { onProgress: (protectedVm, percent) => onProgress({ protectedVm, percent }) }) },
    );
  }

  /**
   * Recovery points of a protected VM, newest first.
   * @throws ResourceNotFoundError; ValidationError.
   */
  async recoveryPoints(protectedVmId: string): Promise<RecoveryPoint[]> {
    const points: RecoveryPoint[] = [];
    for await (const point of this.asr.listRecoveryPoints(parseReplicatedItemId(protectedVmId))) points.push(point);
    return points.sort((a, b) => b.time.getTime() - a.time.getTime());
  }

  /**
   * Disables replication (the item and its replica disks are removed; the source VM is untouched) and waits for the job.
   * @throws ValidationError; OperationFailedError; InvalidStateError when already being disabled.
   */
  async disable(protectedVmId: string, options: JobWaitOptions = {}): Promise<void> {
    const ref = parseReplicatedItemId(protectedVmId);
    logger.info(`disable replication of item ${ref.item}`);
    await this.asr.disableProtection(ref, options);
  }

  /**
   * Resynchronizes a protected VM by hand (Azure's "repair replication"), when its pending changes
   * reached half the disks' size or a non-recoverable error was fixed; waits for the resync job
   * (which lasts as long as sending the differing blocks takes).
   * @throws ValidationError (Azure's `OperationNotAllowed` when no resync is needed); OperationFailedError; DrError `Aborted`.
   */
  async resynchronize(protectedVmId: string, options: JobWaitOptions = {}): Promise<ProtectedVm> {
    const ref = parseReplicatedItemId(protectedVmId);
    logger.info(`resynchronize replicated item ${ref.item}`);
    return this.asr.repairReplication(ref, options);
  }

  /**
   * Reprotects a VM after a committed failover: it now runs in the recovery region and starts
   * replicating back, so that it can fail back. Target settings may be chosen (resource group,
   * cache storage account, availability set, disk type); the target network cannot change here
   * (change the network mapping instead). Defaults: the original VM's resource group and
   * availability set, a cache account `asrcache{region}` in the running VM's resource group. If the
   * original VM still exists it seeds the replica (and is deleted), so only the differences are
   * sent. For managed disks this is the protection container's switch-protection call; the item
   * moves to the other region's container: the returned VM has a new `id` and the same `lifecycleId`.
   * @throws InvalidStateError: the failover is not committed, no reverse container mapping exists, the failed-over VM is gone, or the region to replicate to is down.
   * @throws ValidationError (`ValidationFailed`): bad settings, or `targetNetworkId` (refused); OperationFailedError; DrError `Aborted`.
   */
  async reprotect(protectedVmId: string, input: ReprotectInput = {}, options: JobWaitOptions = {}): Promise<ProtectedVm> {
    const settings = validate(reprotectInputSchema, input, "");
    const item = await this.asr.getProtectedItem(parseReplicatedItemId(protectedVmId));
    return this.asr.getProtectedItem(await this.reprotectRead(item, settings, options));
  }

  /**
   * {@link ProtectedVmOperations.reprotect} of an item already read, with settings already
   * validated (a recovery plan validates all its VMs' settings, then reads each VM before deciding
   * to reprotect it): refuses an item that does not allow reprotect and returns where the item
   * replicates from now, without reading it again.
   * @throws the errors of {@link ProtectedVmOperations.reprotect} but the validation of the settings.
   * @internal
   */
  async reprotectRead(item: ProtectedVm, settings: ReprotectSettings, options: JobWaitOptions): Promise<ReplicatedItemRef> {
    const ref = parseReplicatedItemId(item.id);
    if (!item.allowedOperations.includes("ReverseReplicate")) {
      throw new InvalidStateError(
        `${item.name}: reprotect follows a committed failover; the VM is ${item.phase} (allowed now: [${item.allowedOperations.join(", ")}]).`,
        { resourceId: item.id, azureCode: "OperationNotAllowed" },
      );
    }
    const running = parseReplicatedItemId(`${item.recoveryContainerId ?? ""}/replicationProtectedItems/${ref.item}`, "recoveryContainerId");
    const currentContainerId = item.id.slice(0, item.id.toLowerCase().indexOf("/replicationprotecteditems/"));
    const reverse = (await this.asr.listMappings({ resourceGroup: ref.resourceGroup, name: ref.vault }, running.fabric, running.container)).find(
      (m) => m.targetContainerId.toLowerCase() === currentContainerId.toLowerCase(),
    );
    if (reverse === undefined) {
      throw new InvalidStateError(
        `${item.name}: no container mapping from ${running.container} back to ${ref.container}; prepare the infrastructure (it maps both directions) before reprotecting.`,
        { resourceId: item.id },
      );
    }
    const runningVmRef = parseResourceId(`${item.recoveryResourceGroupId ?? ""}/providers/Microsoft.Compute/virtualMachines/${item.recoveryVmName ?? ""}`, {
      field: "recoveryVmName",
    });
    const runningVm = await this.compute.getVirtualMachine(runningVmRef.resourceGroup, runningVmRef.name).catch((error: unknown) => {
      if (isResourceNotFoundError(error))
        throw new InvalidStateError(
          `${item.name}: the failed-over VM ${runningVmRef.name} no longer exists (deleted, moved or migrated); it cannot be reprotected.`,
          { resourceId: item.id },
        );
      throw error;
    });
    const original = parseResourceId(item.virtualMachineId, { field: "virtualMachineId" });
    const originalVm = await this.compute.getVirtualMachine(original.resourceGroup, original.name).catch((error: unknown) => {
      if (isResourceNotFoundError(error)) return undefined;
      throw error;
    });
    const recoveryResourceGroupId = settings.recoveryResourceGroupId ?? `/subscriptions/${original.subscriptionId}/resourceGroups/${original.resourceGroup}`;
    const recoveryAvailabilitySetId = settings.recoveryAvailabilitySetId ?? originalVm?.availabilitySetId;
    const cacheStorageAccountId =
      settings.cacheStorageAccountId ??
      `/subscriptions/${runningVmRef.subscriptionId}/resourceGroups/${runningVmRef.resourceGroup}/providers/Microsoft.Storage/storageAccounts/asrcache${runningVm.location}`.slice(
        0,
        300,
      );
    logger.info(
      `reprotect ${ref.item}: ${runningVm.location} -> ${item.sourceRegion}${originalVm === undefined ? " (full copy: the original VM is gone)" : " (seeded from the original VM)"}`,
    );
    await this.asr.switchProtection(
      ref,
      {
        recoveryContainerId: reverse.targetContainerId,
        policyId: reverse.policyId,
        recoveryResourceGroupId,
        cacheStorageAccountId,
        diskIds: runningVm.disks.map((d) => d.managedDiskId as string),
        ...(recoveryAvailabilitySetId === undefined ? {} : { recoveryAvailabilitySetId }),
        ...(settings.targetDiskType === undefined ? {} : { targetDiskType: settings.targetDiskType }),
      },
      options,
    );
    return running;
  }

  /** Removes the replicated item forcibly (DELETE), when a clean disable is not possible. @throws ValidationError; OperationFailedError. */
  async purge(protectedVmId: string, options: JobWaitOptions = {}): Promise<void> {
    await this.asr.purgeProtection(parseReplicatedItemId(protectedVmId), options);
  }
}
