import type {
  FabricCreationInput,
  HyperVReplicaAzureEnableProtectionInput,
  PlannedFailoverProviderSpecificFailoverInputUnion,
  ReplicationProtectedItem,
  ReplicationProviderSpecificContainerCreationInputUnion,
  ReplicationProviderSpecificContainerMappingInputUnion,
} from "@azure/arm-recoveryservices-siterecovery";
import type { z } from "zod";
import { isResourceNotFoundError } from "../errors.js";
import type { HyperVHost, HyperVProtectedVm, HyperVVm, protectHyperVVmSchema } from "../model/hyperV.js";
import type { ReplicatedItemRef } from "../model/replicatedItemId.js";
import type { VaultRef } from "../model/vault.js";
import { callAzure } from "./errors.js";
import { isHyperVItem, toHyperVHost, toHyperVProtectedVm, toHyperVVm } from "./hyperVMappers.js";
import { mapItems } from "./paging.js";
import type { AsrPoller, JobWaitOptions, SiteRecoveryGateway, StartOptions } from "./siteRecoveryGateway.js";

/** The recovery side of a Hyper-V to Azure container mapping, as Azure names it. */
export const MICROSOFT_AZURE = "Microsoft Azure";

// The official client types no Hyper-V site, container or mapping creation input (AZURE-API.md
// F.15); these are the shapes the service's own examples send.
const SITE_INPUT = { properties: { customDetails: { instanceType: "FabricSpecificCreationInput" } } } as unknown as FabricCreationInput;
const CONTAINER_INPUT = [
  { instanceType: "ReplicationProviderSpecificContainerCreationInput" },
] as unknown as ReplicationProviderSpecificContainerCreationInputUnion[];
const MAPPING_INPUT = { instanceType: "ReplicationProviderSpecificContainerMappingInput" } as unknown as ReplicationProviderSpecificContainerMappingInputUnion;

/** What enabling protection of a Hyper-V VM needs, in the SDK's terms (the gateway builds Azure's input). */
export interface HyperVEnableSpec {
  vm: HyperVVm;
  /** The VM's disks to replicate (the OS disk among them). */
  disks: HyperVVm["disks"];
  settings: z.output<typeof protectHyperVVmSchema>;
}

/** A Hyper-V item operation's result with the name of its job. */
export interface ItemJobResult {
  protectedVm: HyperVProtectedVm;
  jobName: string | undefined;
}

/**
 * Hyper-V to Azure through the official Site Recovery client: sites, their hosts and VMs,
 * protection, and the failover / failback cycle of Hyper-V items (the requests' provider inputs
 * are HyperVReplicaAzure ones; results map to {@link HyperVProtectedVm}).
 */
export class HyperVGateway {
  constructor(private readonly siteRecovery: SiteRecoveryGateway) {}

  private get asr(): SiteRecoveryGateway["asr"] {
    return this.siteRecovery.asr;
  }

  /** Maps what an item operation returned to a Hyper-V protected VM. */
  private static mapped(result: { item: ReplicationProtectedItem; jobName: string | undefined }): ItemJobResult {
    return { protectedVm: toHyperVProtectedVm(result.item), jobName: result.jobName };
  }

  /** Runs a job-backed operation on a Hyper-V item and maps the item it returns. */
  private async itemJob(
    ref: ReplicatedItemRef,
    operation: string,
    start: (options: StartOptions) => Promise<AsrPoller<ReplicationProtectedItem>>,
    options: JobWaitOptions,
  ): Promise<ItemJobResult> {
    return HyperVGateway.mapped(await this.siteRecovery.runItemJob(ref, operation, start, options));
  }

  // Sites -------------------------------------------------------------------------------------

  /** The fabric's id and its `customDetails.instanceType`, or undefined when it does not exist. */
  async findFabric(vault: VaultRef, name: string): Promise<{ id: string; kind: string } | undefined> {
    try {
      return await callAzure({ operation: `get fabric ${name}` }, async () => {
        const fabric = await this.asr.replicationFabrics.get(vault.name, vault.resourceGroup, name);
        return { id: fabric.id ?? "", kind: fabric.properties?.customDetails?.instanceType ?? "" };
      });
    } catch (error) {
      if (isResourceNotFoundError(error)) return undefined;
      throw error;
    }
  }

  async createSite(vault: VaultRef, name: string, options: JobWaitOptions): Promise<string> {
    const fabric = await this.siteRecovery.runJob(
      vault,
      `create Hyper-V site ${name}`,
      (o) => this.asr.replicationFabrics.beginCreate(vault.name, vault.resourceGroup, name, SITE_INPUT, o),
      options,
    );
    return fabric.id ?? "";
  }

  createContainer(vault: VaultRef, site: string, name: string, options: JobWaitOptions): Promise<string> {
    return this.siteRecovery.createContainer(vault, site, name, CONTAINER_INPUT, options);
  }

  createAzureMapping(vault: VaultRef, site: string, container: string, name: string, policyId: string, options: JobWaitOptions): Promise<string> {
    return this.siteRecovery.createMapping(
      vault,
      { fabric: site, container, name },
      { targetProtectionContainerId: MICROSOFT_AZURE, policyId, providerSpecificInput: MAPPING_INPUT },
      options,
    );
  }

  listHosts(vault: VaultRef, site: string): AsyncIterable<HyperVHost> {
    return mapItems(
      this.asr.replicationRecoveryServicesProviders.listByReplicationFabrics(vault.name, vault.resourceGroup, site),
      toHyperVHost,
      `list hosts of site ${site}`,
    );
  }

  listVms(vault: VaultRef, site: string, container: string): AsyncIterable<HyperVVm> {
    return mapItems(
      this.asr.replicationProtectableItems.listByReplicationProtectionContainers(vault.name, vault.resourceGroup, site, container),
      toHyperVVm,
      `list the VMs of site ${site}`,
    );
  }

  // Protected VMs -----------------------------------------------------------------------------

  /** Enables protection of a discovered VM: builds Azure's `HyperVReplicaAzureEnableProtectionInput` from the SDK's settings. */
  async enable(ref: ReplicatedItemRef, policyId: string, spec: HyperVEnableSpec, options: JobWaitOptions): Promise<HyperVProtectedVm> {
    const { vm, disks, settings } = spec;
    const storageAccountId = settings.targetStorageAccountId;
    const input: HyperVReplicaAzureEnableProtectionInput = {
      instanceType: "HyperVReplicaAzure",
      hvHostVmId: vm.hyperVVmId,
      vmName: vm.name,
      ...(vm.osType === "" ? {} : { osType: vm.osType }),
      targetAzureV2ResourceGroupId: settings.targetResourceGroupId,
      targetAzureVmName: settings.targetVmName ?? vm.name,
      ...(settings.targetVmSize === undefined ? {} : { targetVmSize: settings.targetVmSize }),
      ...(settings.targetNetworkId === undefined ? {} : { targetAzureNetworkId: settings.targetNetworkId }),
      ...(settings.targetSubnetName === undefined ? {} : { targetAzureSubnetId: `${settings.targetNetworkId ?? ""}/subnets/${settings.targetSubnetName}` }),
      ...(settings.targetAvailabilitySetId === undefined ? {} : { targetAvailabilitySetId: settings.targetAvailabilitySetId }),
      ...(settings.targetZone === undefined ? {} : { targetAvailabilityZone: settings.targetZone }),
      useManagedDisks: String(storageAccountId === undefined),
      ...(storageAccountId === undefined
        ? { diskType: settings.diskType, disksToIncludeForManagedDisks: disks.map((d) => ({ diskId: d.id, diskType: settings.diskType })) }
        : { targetStorageAccountId: storageAccountId, disksToInclude: disks.map((d) => d.id) }),
      ...(settings.logStorageAccountId === undefined ? {} : { logStorageAccountId: settings.logStorageAccountId }),
    };
    const result = await this.siteRecovery.enableItem(ref, { policyId, protectableItemId: vm.id, providerSpecificDetails: input }, options);
    return toHyperVProtectedVm(result.item);
  }

  /** The replicated item, whatever its provider (callers check {@link isHyperVItem}). */
  getItem(ref: ReplicatedItemRef): Promise<ReplicationProtectedItem> {
    return this.siteRecovery.getItem(ref);
  }

  async *list(vault: VaultRef): AsyncIterable<HyperVProtectedVm> {
    for await (const item of this.siteRecovery.listItems(vault)) if (isHyperVItem(item)) yield toHyperVProtectedVm(item);
  }

  /** A planned failover to Azure (`HyperVReplicaAzure`) or a failback on-premises (`HyperVReplicaAzureFailback`, RecoveryToPrimary). */
  plannedFailover(ref: ReplicatedItemRef, details: PlannedFailoverProviderSpecificFailoverInputUnion, options: JobWaitOptions): Promise<ItemJobResult> {
    const failback = details.instanceType === "HyperVReplicaAzureFailback";
    return this.itemJob(
      ref,
      `${failback ? "failback" : "planned failover"} of ${ref.item}`,
      (o) =>
        this.asr.replicationProtectedItems.beginPlannedFailover(
          ref.vault,
          ref.resourceGroup,
          ref.fabric,
          ref.container,
          ref.item,
          { properties: { failoverDirection: failback ? "RecoveryToPrimary" : "PrimaryToRecovery", providerSpecificDetails: details } },
          o,
        ),
      options,
    );
  }

  async unplannedFailover(
    ref: ReplicatedItemRef,
    shutDownSource: boolean,
    recoveryPointId: string | undefined,
    options: JobWaitOptions,
  ): Promise<ItemJobResult> {
    const details = { instanceType: "HyperVReplicaAzure" as const, ...(recoveryPointId === undefined ? {} : { recoveryPointId }) };
    return HyperVGateway.mapped(await this.siteRecovery.unplannedFailoverItem(ref, "PrimaryToRecovery", shutDownSource, details, options));
  }

  async applyRecoveryPoint(ref: ReplicatedItemRef, recoveryPointId: string, options: JobWaitOptions): Promise<ItemJobResult> {
    return HyperVGateway.mapped(await this.siteRecovery.applyRecoveryPointItem(ref, recoveryPointId, { instanceType: "HyperVReplicaAzure" }, options));
  }

  async testFailover(ref: ReplicatedItemRef, networkId: string, recoveryPointId: string | undefined, options: JobWaitOptions): Promise<ItemJobResult> {
    const details = { instanceType: "HyperVReplicaAzure" as const, ...(recoveryPointId === undefined ? {} : { recoveryPointId }) };
    return HyperVGateway.mapped(await this.siteRecovery.testFailoverItem(ref, "PrimaryToRecovery", networkId, details, options));
  }

  async testFailoverCleanup(ref: ReplicatedItemRef, comments: string | undefined, options: JobWaitOptions): Promise<ItemJobResult> {
    return HyperVGateway.mapped(await this.siteRecovery.testFailoverCleanupItem(ref, comments, options));
  }

  async commit(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<ItemJobResult> {
    return HyperVGateway.mapped(await this.siteRecovery.commitItem(ref, options));
  }

  reprotect(ref: ReplicatedItemRef, logStorageAccountId: string | undefined, options: JobWaitOptions): Promise<ItemJobResult> {
    return this.itemJob(
      ref,
      `reprotect ${ref.item}`,
      (o) =>
        this.asr.replicationProtectedItems.beginReprotect(
          ref.vault,
          ref.resourceGroup,
          ref.fabric,
          ref.container,
          ref.item,
          {
            properties: {
              failoverDirection: "PrimaryToRecovery",
              providerSpecificDetails: { instanceType: "HyperVReplicaAzure", ...(logStorageAccountId === undefined ? {} : { logStorageAccountId }) },
            },
          },
          o,
        ),
      options,
    );
  }

  async repairReplication(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<ItemJobResult> {
    return HyperVGateway.mapped(await this.siteRecovery.repairItem(ref, options));
  }

  // Tearing a site down -----------------------------------------------------------------------
  // Each removal waits for its job; one already gone (404, or the service's 204) is done.

  /** Removes a container mapping with the unmapping input of the service's example (`ReplicationProtectionContainerMappings_Delete`). */
  async removeMapping(vault: VaultRef, site: string, container: string, mapping: string, options: JobWaitOptions): Promise<void> {
    await this.removeIfPresent(vault, `remove container mapping ${mapping}`, options, (o) =>
      this.asr.replicationProtectionContainerMappings.beginDelete(
        vault.name,
        vault.resourceGroup,
        site,
        container,
        mapping,
        { properties: { providerSpecificInput: {} } },
        o,
      ),
    );
  }

  async removeContainer(vault: VaultRef, site: string, container: string, options: JobWaitOptions): Promise<void> {
    await this.removeIfPresent(vault, `remove protection container ${container}`, options, (o) =>
      this.asr.replicationProtectionContainers.beginDelete(vault.name, vault.resourceGroup, site, container, o),
    );
  }

  /** Unregisters a host: its Recovery Services provider (`providerName`, the last segment of its id) is removed with the VMs it discovered. */
  async unregisterHost(vault: VaultRef, site: string, providerName: string, hostName: string, options: JobWaitOptions): Promise<void> {
    await this.removeIfPresent(vault, `unregister Hyper-V host ${hostName}`, options, (o) =>
      this.asr.replicationRecoveryServicesProviders.beginDelete(vault.name, vault.resourceGroup, site, providerName, o),
    );
  }

  /** Removes the site (a fabric) itself: Azure refuses while hosts are registered or it holds containers. */
  async removeSite(vault: VaultRef, site: string, options: JobWaitOptions): Promise<void> {
    await this.removeIfPresent(vault, `remove Hyper-V site ${site}`, options, (o) =>
      this.asr.replicationFabrics.beginDelete(vault.name, vault.resourceGroup, site, o),
    );
  }

  private async removeIfPresent(
    vault: VaultRef,
    operation: string,
    options: JobWaitOptions,
    start: (o: StartOptions) => Promise<AsrPoller<void>>,
  ): Promise<void> {
    try {
      await this.siteRecovery.runJob(vault, operation, start, options);
    } catch (error) {
      if (!isResourceNotFoundError(error)) throw error;
    }
  }
}
