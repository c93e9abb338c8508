import { HyperVGateway, type ItemJobResult } from "../azure/hyperVGateway.js";
import { isHyperVItem, toHyperVProtectedVm } from "../azure/hyperVMappers.js";
import type { JobWaitOptions, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import type { Clock } from "../clock.js";
import { InvalidStateError, ValidationError } from "../errors.js";
import { logger } from "../logger.js";
import {
  hyperVFailbackSchema,
  hyperVFailoverSchema,
  hyperVReprotectSchema,
  hyperVTestFailoverSchema,
  prepareHyperVSiteSchema,
  protectHyperVVmSchema,
  removeHyperVSiteSchema,
  type HyperVFailbackInput,
  type HyperVFailoverInput,
  type HyperVFailoverResult,
  type HyperVHost,
  type HyperVPhase,
  type HyperVReprotectInput,
  type HyperVTestFailoverInput,
  type HyperVProtectedVm,
  type HyperVSite,
  type HyperVSiteRemoval,
  type HyperVVm,
  type PrepareHyperVSiteInput,
  type ProtectHyperVVmInput,
  type RemoveHyperVSiteInput,
} from "../model/hyperV.js";
import type { RecoveryPoint } from "../model/protectedVm.js";
import { parseReplicatedItemId, replicatedItemNameFor, type ReplicatedItemRef } from "../model/replicatedItemId.js";
import { validate } from "../model/validate.js";
import { asrNameSchema, vaultRefSchema, type VaultRef } from "../model/vault.js";
import { waitUntilProtected, type ProtectionWaitOptions } from "./protectionWait.js";
import { z } from "zod";

/** Names azure-dr gives what it creates for a Hyper-V site. */
export const hyperVSiteNames = {
  container: (site: string): string => `${site}-container`.slice(0, 50),
  mapping: (container: string, policy: string): string => `${container}-azure-${policy}`.slice(0, 50).replace(/-+$/, ""),
};

/** A progress event of {@link HyperVOperations.waitForProtection}. */
export interface HyperVProtectionProgress {
  protectedVm: HyperVProtectedVm;
  /** Initial replication progress, 0-100 (100 once protected). */
  percent: number;
}

/** Options of {@link HyperVOperations.waitForProtection}. */
export interface HyperVWaitOptions {
  abortSignal?: AbortSignal;
  onProgress?: (progress: HyperVProtectionProgress) => void;
  /** Give up (DrTimeoutError) after this much of the backend's time. @default 24 hours */
  timeoutInMs?: number;
}

/**
 * Hyper-V to Azure (DOMAIN.md §4-5): on-premises Hyper-V VMs replicated to Azure. Prepare a site
 * (its container mapped to Azure under a HyperVReplicaAzure policy), see its hosts and VMs (the
 * Site Recovery provider on each host registers them), protect a VM and wait for its initial
 * replication, fail it over to Azure (planned: no data loss; unplanned), commit, fail it back
 * on-premises, commit, and reprotect it. Every step reads the VM's state first and refuses, without
 * sending it, what Azure's `allowedOperations` do not allow at that moment.
 */
export class HyperVOperations {
  private readonly hyperV: HyperVGateway;
  /** Listings of a site's VMs under way, by container id. */
  private readonly vmListings = new Map<string, Promise<HyperVVm[]>>();

  /** @internal */
  constructor(
    private readonly siteRecovery: SiteRecoveryGateway,
    private readonly clock: Clock,
  ) {
    this.hyperV = new HyperVGateway(siteRecovery);
  }

  /**
   * Prepares a Hyper-V site for replication to Azure: the site (a fabric), its protection
   * container, and the container's mapping to Azure under a HyperVReplicaAzure policy. Idempotent:
   * what exists is reused. Then install the Site Recovery provider on each host, which registers
   * it with the site (on the emulator: its control surface's `registerHyperVHosts`).
   * @throws ValidationError (`ValidationFailed`): bad names; the policy is not a HyperVReplicaAzure one; a fabric of that name is not a Hyper-V site.
   * @throws ResourceNotFoundError: the vault or the policy does not exist; OperationFailedError: a job failed; DrError `Aborted`.
   */
  async prepareSite(vault: VaultRef, input: PrepareHyperVSiteInput, options: JobWaitOptions = {}): Promise<HyperVSite> {
    const ref = validate(vaultRefSchema, vault, "vault");
    const parsed = validate(prepareHyperVSiteSchema, input, "");
    const policy = await this.siteRecovery.getPolicy(ref, parsed.policyName);
    if (policy.kind !== "HyperVReplicaAzure")
      throw new ValidationError("policyName", `'${parsed.policyName}' is an ${policy.kind} policy; a Hyper-V site needs a HyperVReplicaAzure policy`);
    const created: string[] = [];
    const existing = await this.findSite(ref, parsed.siteName);
    const siteId = existing ?? (await this.hyperV.createSite(ref, parsed.siteName, options));
    if (existing === undefined) created.push(siteId);
    const containerName = parsed.containerName ?? hyperVSiteNames.container(parsed.siteName);
    let containerId = await this.siteRecovery.findContainer(ref, parsed.siteName, containerName);
    if (containerId === undefined) {
      containerId = await this.hyperV.createContainer(ref, parsed.siteName, containerName, options);
      created.push(containerId);
    }
    const mappings = await this.siteRecovery.listMappings(ref, parsed.siteName, containerName);
    let mappingId = mappings.find((m) => m.targetContainerId === "Microsoft Azure" && m.policyId.toLowerCase() === policy.id.toLowerCase())?.id;
    if (mappingId === undefined) {
      mappingId = await this.hyperV.createAzureMapping(
        ref,
        parsed.siteName,
        containerName,
        hyperVSiteNames.mapping(containerName, parsed.policyName),
        policy.id,
        options,
      );
      created.push(mappingId);
    }
    logger.info(
      `Hyper-V site ${parsed.siteName} of vault ${ref.name} replicates to Azure under policy ${parsed.policyName} (${created.length} piece(s) created)`,
    );
    return { siteId, siteName: parsed.siteName, containerId, mappingId, policyId: policy.id, created };
  }

  /**
   * The id of a Hyper-V site of the vault, or undefined when the vault has no fabric of that name.
   * @throws ValidationError (`ValidationFailed`, field `siteName`): bad names, or a fabric of that name that is not a Hyper-V site; ResourceNotFoundError (no such vault).
   */
  async findSite(vault: VaultRef, siteName: string): Promise<string | undefined> {
    const ref = validate(vaultRefSchema, vault, "vault");
    validate(asrNameSchema, siteName, "siteName");
    const fabric = await this.hyperV.findFabric(ref, siteName);
    if (fabric !== undefined && fabric.kind !== "HyperVSite")
      throw new ValidationError("siteName", `fabric '${siteName}' is a ${fabric.kind} fabric, not a Hyper-V site`);
    return fabric?.id;
  }

  /**
   * The hosts registered with a site.
   * @throws ValidationError; ResourceNotFoundError (no such site).
   */
  async listHosts(vault: VaultRef, siteName: string): Promise<HyperVHost[]> {
    const ref = validate(vaultRefSchema, vault, "vault");
    validate(asrNameSchema, siteName, "siteName");
    const hosts: HyperVHost[] = [];
    for await (const host of this.hyperV.listHosts(ref, siteName)) hosts.push(host);
    return hosts;
  }

  /**
   * The VMs the site's hosts discovered, protected or not.
   * @throws ValidationError (`site` is not what {@link prepareSite} returned); ResourceNotFoundError.
   */
  async listVms(site: HyperVSite): Promise<HyperVVm[]> {
    const { container, vault } = containerOf(site);
    // Calls that overlap share one listing: protecting a thousand VMs at once reads the site's VMs
    // once, not a thousand times (a listing started after one ends reads afresh).
    const key = site.containerId.toLowerCase();
    const inFlight = this.vmListings.get(key);
    if (inFlight !== undefined) return [...(await inFlight)];
    const listing = (async (): Promise<HyperVVm[]> => {
      const vms: HyperVVm[] = [];
      for await (const vm of this.hyperV.listVms(vault, container.fabric, container.container)) vms.push(vm);
      return vms;
    })();
    this.vmListings.set(key, listing);
    try {
      return [...(await listing)];
    } finally {
      this.vmListings.delete(key);
    }
  }

  /**
   * Enables replication of an on-premises VM to Azure and waits for the enable job; initial
   * replication then runs (see {@link waitForProtection}): a snapshot, the disks copied one by one,
   * the changes logged meanwhile, then finalize protection. A retry for the same VM returns its item.
   * @throws ValidationError (`ValidationFailed`): bad input; no VM of that name on the site's hosts; a disk that is not the VM's, or the OS disk left out; Azure's 400s (e.g. `StorageAccountLocationMismatch`).
   * @throws InvalidStateError (`InvalidState`): the VM is already protected under another item (`ProtectionAlreadyEnabled`).
   * @throws OperationFailedError: the enable job failed; DrError `Aborted`.
   */
  async protect(site: HyperVSite, input: ProtectHyperVVmInput, options: JobWaitOptions = {}): Promise<HyperVProtectedVm> {
    const parsed = validate(protectHyperVVmSchema, input, "");
    const { container } = containerOf(site);
    const vms = await this.listVms(site);
    const vm = vms.find((v) => v.name === parsed.vmName) ?? vms.find((v) => v.name.toLowerCase() === parsed.vmName.toLowerCase());
    if (vm === undefined)
      throw new ValidationError(
        "vmName",
        `no VM '${parsed.vmName}' on the hosts of site ${container.fabric} (known: ${
          vms
            .map((v) => v.name)
            .slice(0, 10)
            .join(", ") || "none; register the hosts first"
        })`,
      );
    const item: ReplicatedItemRef = { ...container, item: replicatedItemNameFor(vm.name) };
    if (vm.protectedVmId !== undefined && parseReplicatedItemId(vm.protectedVmId).item.toLowerCase() !== item.item.toLowerCase())
      throw new InvalidStateError(`${vm.name} is already protected (replicated item ${vm.protectedVmId}).`, {
        resourceId: vm.protectedVmId,
        azureCode: "ProtectionAlreadyEnabled",
      });
    const diskIds = (parsed.disks ?? vm.disks.map((d) => d.name)).map((name, index) => {
      const disk = vm.disks.find((d) => d.name.toLowerCase() === name.toLowerCase());
      if (disk === undefined)
        throw new ValidationError(`disks[${index}]`, `'${name}' is not a disk of ${vm.name} (its disks: ${vm.disks.map((d) => d.name).join(", ")})`);
      return disk;
    });
    const osDisk = vm.disks.find((d) => d.isOsDisk);
    if (osDisk !== undefined && !diskIds.includes(osDisk))
      throw new ValidationError("disks", `must include the OS disk '${osDisk.name}': a VM cannot boot in Azure without it`);
    logger.info(`enable replication of Hyper-V VM ${vm.name} to Azure (item ${item.item}, ${diskIds.length} disk(s))`);
    return this.hyperV.enable(item, site.policyId, { vm, disks: diskIds, settings: parsed }, options);
  }

  /**
   * Reads a Hyper-V protected VM.
   * @throws ValidationError: not a replicated item id, or the item is an Azure-to-Azure one (see `dr.protectedVms`); ResourceNotFoundError.
   */
  async get(protectedVmId: string): Promise<HyperVProtectedVm> {
    const item = await this.hyperV.getItem(parseReplicatedItemId(protectedVmId));
    if (!isHyperVItem(item))
      throw new ValidationError(
        "protectedVmId",
        `is a ${item.properties?.providerSpecificDetails?.instanceType ?? "non-Hyper-V"} item, not a Hyper-V one; use dr.protectedVms`,
      );
    return toHyperVProtectedVm(item);
  }

  /** Lists the vault's Hyper-V protected VMs. @throws ValidationError. */
  list(vault: VaultRef): AsyncIterable<HyperVProtectedVm> {
    return this.hyperV.list(validate(vaultRefSchema, vault, "vault"));
  }

  /**
   * Waits until initial replication and finalize protection are done, estimating the finish from
   * the copy's progress instead of polling (on the backend's clock).
   * @throws InvalidStateError when the item is being disabled; DrTimeoutError (`Timeout`); DrError `Aborted`; ResourceNotFoundError; ValidationError.
   */
  async waitForProtection(protectedVmId: string, options: HyperVWaitOptions = {}): Promise<HyperVProtectedVm> {
    const { onProgress, ...rest } = options;
    const waitOptions: ProtectionWaitOptions<HyperVProtectedVm> = {
      ...rest,
      ...(onProgress === undefined ? {} : { onProgress: (protectedVm, percent) => onProgress({ protectedVm, percent }) }),
    };
    return waitUntilProtected(
      this.clock,
      () => this.get(protectedVmId),
      (vm) => ({
        id: vm.id,
        name: vm.name,
        stage: vm.phase === "protected" ? "protected" : vm.phase === "initialReplication" ? "copying" : vm.phase === "disabling" ? "stopped" : "other",
        percent: vm.initialReplicationPercent ?? 0,
        reason: "replication is being disabled",
      }),
      waitOptions,
    );
  }

  /** Recovery points of a Hyper-V protected VM, newest first. @throws ResourceNotFoundError; ValidationError. */
  async recoveryPoints(protectedVmId: string): Promise<RecoveryPoint[]> {
    const points: RecoveryPoint[] = [];
    for await (const point of this.siteRecovery.listRecoveryPoints(parseReplicatedItemId(protectedVmId))) points.push(point);
    return points.sort((a, b) => b.time.getTime() - a.time.getTime());
  }

  /**
   * Fails the VM over to Azure. `planned` shuts the on-premises VM down and sends its last changes
   * first (no data loss); `unplanned` recovers from the latest data Azure received or a chosen
   * point, leaving the source alone unless `shutDownSource`. The VM is then `failedOver` until
   * {@link commit} (or {@link changeRecoveryPoint} first).
   * @throws InvalidStateError: not allowed now (not protected, already failed over); ValidationError (a `recoveryPointId` with `planned`); OperationFailedError; DrError `Aborted`.
   */
  async failover(protectedVmId: string, input: HyperVFailoverInput, options: JobWaitOptions = {}): Promise<HyperVFailoverResult> {
    const parsed = validate(hyperVFailoverSchema, input, "");
    if (parsed.kind === "planned" && parsed.recoveryPointId !== undefined)
      throw new ValidationError("recoveryPointId", "a planned failover sends the latest changes; it takes no recovery point");
    if (parsed.kind === "planned" && input.shutDownSource !== undefined)
      throw new ValidationError("shutDownSource", "a planned failover always shuts the source down; the option is for 'unplanned'");
    const ref = await this.expect(protectedVmId, parsed.kind === "planned" ? "PlannedFailover" : "UnplannedFailover");
    const startedAt = this.clock.now();
    logger.info(`${parsed.kind} failover of Hyper-V VM ${ref.item} to Azure`);
    const result =
      parsed.kind === "planned"
        ? await this.hyperV.plannedFailover(ref, { instanceType: "HyperVReplicaAzure" }, options)
        : await this.hyperV.unplannedFailover(ref, parsed.shutDownSource, parsed.recoveryPointId, options);
    return this.failoverResult(ref, result, startedAt);
  }

  /**
   * Recreates the failed-over VM in Azure from another recovery point, before committing.
   * @throws InvalidStateError unless failed over and not committed; ValidationError; OperationFailedError.
   */
  async changeRecoveryPoint(protectedVmId: string, recoveryPointId: string, options: JobWaitOptions = {}): Promise<HyperVFailoverResult> {
    validate(z.string().min(1), recoveryPointId, "recoveryPointId");
    const ref = await this.expect(protectedVmId, "ChangePit");
    const before = await this.get(protectedVmId);
    return this.failoverResult(ref, await this.hyperV.applyRecoveryPoint(ref, recoveryPointId, options), before.lastFailoverTime ?? this.clock.now());
  }

  /**
   * Test failover: a copy of the VM comes up in Azure in an isolated network; replication goes on.
   * Clean it up with {@link cleanupTest}.
   * @throws InvalidStateError: not protected or a test already waits for cleanup; ValidationError; OperationFailedError.
   */
  async testFailover(protectedVmId: string, input: HyperVTestFailoverInput, options: JobWaitOptions = {}): Promise<HyperVProtectedVm> {
    const parsed = validate(hyperVTestFailoverSchema, input, "");
    const ref = await this.expect(protectedVmId, "TestFailover");
    return (await this.hyperV.testFailover(ref, parsed.networkId, parsed.recoveryPointId, options)).protectedVm;
  }

  /** Cleans up a test failover. @throws InvalidStateError when no test waits for cleanup; ValidationError; OperationFailedError. */
  async cleanupTest(protectedVmId: string, comments?: string, options: JobWaitOptions = {}): Promise<HyperVProtectedVm> {
    if (comments !== undefined) validate(z.string().max(1024, "must be at most 1,024 characters"), comments, "comments");
    const ref = await this.expect(protectedVmId, "TestFailoverCleanup");
    return (await this.hyperV.testFailoverCleanup(ref, comments, options)).protectedVm;
  }

  /**
   * Commits a failover to Azure (recovery points are deleted; the VM can then fail back) or a failback (the Azure VM is deleted; reprotect follows).
   * @throws InvalidStateError unless a failover or failback waits for its commit; OperationFailedError.
   */
  async commit(protectedVmId: string, options: JobWaitOptions = {}): Promise<HyperVProtectedVm> {
    const ref = await this.expect(protectedVmId, "Commit");
    logger.info(`commit of Hyper-V VM ${ref.item}`);
    return (await this.hyperV.commit(ref, options)).protectedVm;
  }

  /**
   * Fails the VM back on-premises after a committed failover (a planned failover from Azure): to
   * the original VM, or a new one when it is gone and `createVmIfNotFound`, or on another host.
   * Only the blocks the Azure VM changed are sent back to an existing VM. Then {@link commit}.
   * @throws InvalidStateError: the failover is not committed; ValidationError; OperationFailedError (e.g. `OnPremisesVmNotFound`: the VM is gone and creation was not asked); DrError `Aborted`.
   */
  async failback(protectedVmId: string, input: HyperVFailbackInput = {}, options: JobWaitOptions = {}): Promise<HyperVFailoverResult> {
    const parsed = validate(hyperVFailbackSchema, input, "");
    if (parsed.alternateHostId !== undefined && input.createVmIfNotFound === false)
      throw new ValidationError("createVmIfNotFound", "failing back to another host creates the VM there; it cannot be false with alternateHostId");
    const ref = await this.expect(protectedVmId, "Failback");
    const startedAt = this.clock.now();
    logger.info(`failback of Hyper-V VM ${ref.item} (${parsed.dataSync}${parsed.alternateHostId === undefined ? "" : ", to another host"})`);
    const result = await this.hyperV.plannedFailover(
      ref,
      {
        instanceType: "HyperVReplicaAzureFailback",
        dataSyncOption: parsed.dataSync,
        recoveryVmCreationOption: parsed.createVmIfNotFound || parsed.alternateHostId !== undefined ? "CreateVmIfNotFound" : "NoAction",
        ...(parsed.alternateHostId === undefined ? {} : { providerIdForAlternateRecovery: parsed.alternateHostId }),
      },
      options,
    );
    return this.failoverResult(ref, result, startedAt);
  }

  /**
   * Restarts replication to Azure after a committed failback: only what the VM changed since is
   * sent, then the VM is protected again.
   * @throws InvalidStateError unless the failback is committed; ValidationError; OperationFailedError.
   */
  async reprotect(protectedVmId: string, input: HyperVReprotectInput = {}, options: JobWaitOptions = {}): Promise<HyperVProtectedVm> {
    const parsed = validate(hyperVReprotectSchema, input, "");
    const ref = await this.expect(protectedVmId, "ReverseReplicate");
    logger.info(`reprotect Hyper-V VM ${ref.item} (replication to Azure again)`);
    return (await this.hyperV.reprotect(ref, parsed.logStorageAccountId, options)).protectedVm;
  }

  /**
   * Resynchronizes by hand (Azure's "repair replication"): checksums of fixed-size blocks are
   * compared and only the differing blocks are sent. Needed when pending changes reached half the
   * disk or a non-recoverable error was fixed; otherwise Azure runs it outside office hours.
   * @throws InvalidStateError when no resync is needed; ValidationError; OperationFailedError; DrError `Aborted`.
   */
  async resynchronize(protectedVmId: string, options: JobWaitOptions = {}): Promise<HyperVProtectedVm> {
    const ref = await this.expect(protectedVmId, "RepairReplication");
    logger.info(`resynchronize Hyper-V VM ${ref.item}`);
    return (await this.hyperV.repairReplication(ref, options)).protectedVm;
  }

  /**
   * Disables replication: the item and its replicas in Azure are removed; the on-premises VM is untouched.
   * @throws ValidationError; OperationFailedError; InvalidStateError when already being disabled.
   */
  async disable(protectedVmId: string, options: JobWaitOptions = {}): Promise<void> {
    const ref = await this.expect(protectedVmId, "DisableProtection");
    await this.siteRecovery.disableProtection(ref, options);
  }

  /** Reads the item (a Hyper-V one) and checks that `operation` is allowed now. */
  private async expect(protectedVmId: string, operation: string): Promise<ReplicatedItemRef> {
    const ref = parseReplicatedItemId(protectedVmId);
    const vm = await this.get(protectedVmId);
    if (!vm.allowedOperations.includes(operation))
      throw new InvalidStateError(
        `${vm.name}: '${operation}' is not allowed while the VM is ${describe(vm.phase)} (${vm.protectionStateDescription || vm.protectionState}); allowed now: [${vm.allowedOperations.join(", ")}].`,
        { resourceId: vm.id, azureCode: "OperationNotAllowed" },
      );
    return ref;
  }

  /** The failover's recovery point (from its job) and the data lost. */
  private async failoverResult(ref: ReplicatedItemRef, result: ItemJobResult, startedAt: Date): Promise<HyperVFailoverResult> {
    const job =
      result.jobName === undefined ? undefined : await this.siteRecovery.getJob({ resourceGroup: ref.resourceGroup, name: ref.vault }, result.jobName);
    let recoveryPointTime = job?.items[0]?.recoveryPointTime;
    const pointId = result.protectedVm.failoverRecoveryPointId;
    // A change of recovery point's job names no point: read it from the item's points.
    if (recoveryPointTime === undefined && pointId !== undefined)
      recoveryPointTime = (await this.recoveryPoints(result.protectedVm.id)).find((p) => p.id.toLowerCase() === pointId.toLowerCase())?.time;
    return {
      protectedVm: result.protectedVm,
      recoveryPointTime,
      startedAt,
      dataLossSeconds: recoveryPointTime === undefined ? 0 : Math.max(0, Math.round((startedAt.getTime() - recoveryPointTime.getTime()) / 1000)),
      jobName: result.jobName,
    };
  }

  /**
   * Tears a Hyper-V site down, in the order Azure's docs give: the container's mappings to Azure
   * (policies disassociated), the container, each host (its Site Recovery provider unregistered:
   * its VMs are no longer protectable), then the site. Each step waits for its job; what is
   * already gone is skipped, so a retry after a failure finishes the work. Nothing to do (an empty
   * result) when the site does not exist. Refused, before anything is removed, while VMs of the
   * site are protected: disable their protection first ({@link disable}).
   * @throws ValidationError (`ValidationFailed`): bad vault or input; `siteName` names a fabric that is not a Hyper-V site; Azure refused a step with a 400 (e.g. `FabricHasProtectionContainers` when the site holds other containers, `ProviderHasProtectedItems` when a VM got protected meanwhile).
   * @throws InvalidStateError (`InvalidState`): VMs of the site are protected (named).
   * @throws OperationFailedError: a removal job failed; DrError `Aborted`.
   */
  async removeSite(vault: VaultRef, input: RemoveHyperVSiteInput, options: JobWaitOptions = {}): Promise<HyperVSiteRemoval> {
    const ref = validate(vaultRefSchema, vault, "vault");
    const parsed = validate(removeHyperVSiteSchema, input, "");
    const site = parsed.siteName;
    const siteId = await this.findSite(ref, site);
    if (siteId === undefined) return { removed: [] };
    const prefix = `${siteId.toLowerCase()}/replicationprotectioncontainers/`;
    const protectedVms: string[] = [];
    for await (const vm of this.hyperV.list(ref)) if (vm.id.toLowerCase().startsWith(prefix)) protectedVms.push(vm.vmName);
    if (protectedVms.length > 0)
      throw new InvalidStateError(
        `Hyper-V site ${site} of vault ${ref.name} is used by ${protectedVms.length} protected VM(s): ${protectedVms.slice(0, 5).join(", ")}${
          protectedVms.length > 5 ? ", ..." : ""
        }; disable their protection first`,
        { resourceId: siteId },
      );
    const removed: string[] = [];
    const containerName = parsed.containerName ?? hyperVSiteNames.container(site);
    const containerId = await this.siteRecovery.findContainer(ref, site, containerName);
    if (containerId !== undefined) {
      for (const mapping of await this.siteRecovery.listMappings(ref, site, containerName)) {
        await this.hyperV.removeMapping(ref, site, containerName, mapping.name, options);
        removed.push(mapping.id);
      }
      await this.hyperV.removeContainer(ref, site, containerName, options);
      removed.push(containerId);
    }
    for (const host of await this.listHosts(ref, site)) {
      await this.hyperV.unregisterHost(ref, site, host.id.slice(host.id.lastIndexOf("/") + 1), host.name, options);
      removed.push(host.id);
    }
    await this.hyperV.removeSite(ref, site, options);
    removed.push(siteId);
    logger.info(`Hyper-V site ${site} of vault ${ref.name} removed (${removed.length} piece(s))`);
    return { removed };
  }
}

/** The item reference of a new item in a site's container, and the vault. */
function containerOf(site: HyperVSite): { container: Omit<ReplicatedItemRef, "item">; vault: VaultRef } {
  if (typeof site !== "object" || site === null) throw new ValidationError("site", "must be the site dr.hyperV.prepareSite returned");
  const { item: _item, ...container } = parseReplicatedItemId(`${String(site.containerId)}/replicationProtectedItems/x`, "site.containerId");
  return { container, vault: { resourceGroup: container.resourceGroup, name: container.vault } };
}

function describe(phase: HyperVPhase): string {
  return phase.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}
