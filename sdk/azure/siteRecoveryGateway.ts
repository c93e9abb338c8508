import type { RecoveryServicesClient } from "@azure/arm-recoveryservices";
import type {
  A2AEnableProtectionInput,
  A2APolicyCreationInput,
  A2ASwitchProtectionInput,
  RecoveryPlanAction as AzureRecoveryPlanAction,
  RecoveryPlanGroup,
  RecoveryPlanProviderSpecificFailoverInputUnion,
  AzureFabricCreationInput,
  AzureToAzureCreateNetworkMappingInput,
  HyperVReplicaAzurePolicyInput,
  SiteRecoveryManagementClient,
  ApplyRecoveryPointProviderSpecificInputUnion,
  EnableProtectionInputProperties,
  ReplicationProviderSpecificContainerCreationInputUnion,
  ReplicationProviderSpecificContainerMappingInputUnion,
  ReplicationProtectedItem,
  TestFailoverProviderSpecificInputUnion,
  UnplannedFailoverProviderSpecificInputUnion,
} from "@azure/arm-recoveryservices-siterecovery";
import type { FullOperationResponse } from "@azure/core-client";
import type { Backend } from "../backends/backend.js";
import { jobPercent, type Job, type JobProgress } from "../model/job.js";
import type { ProtectedVm, RecoveryPoint, protectVmInputSchema } from "../model/protectedVm.js";
import type { ReplicatedItemRef } from "../model/replicatedItemId.js";
import type { ReplicationPolicy, replicationPolicyInputSchema } from "../model/replicationPolicy.js";
import type { Vault, VaultRef } from "../model/vault.js";
import type { z } from "zod";
import { createRecoveryServicesClient, createSiteRecoveryClient } from "./clients.js";
import { callAzure } from "./errors.js";
import { PollPacer, pollToEnd, runOperation, type MethodPoller } from "./operationPolling.js";
import { toJob, toProtectedVm, toRecoveryPlan, toRecoveryPoint, toReplicationPolicy, toVault } from "./siteRecoveryMappers.js";
import type { RecoveryPlan, RecoveryPlanAction, recoveryPlanInputSchema } from "../model/recoveryPlan.js";
import { isResourceNotFoundError } from "../errors.js";
import { mapItems } from "./paging.js";
import { isHyperVItem } from "./hyperVMappers.js";

/** Options of calls that wait for a Site Recovery job. */
export interface JobWaitOptions {
  abortSignal?: AbortSignal;
  /** Called with the job each time the wait learns something (one extra GET per poll, only when given). */
  onProgress?: (progress: JobProgress) => void;
}

/** A fabric of the vault. */
export interface FabricSummary {
  id: string;
  name: string;
  /** Region of an Azure fabric. */
  location: string | undefined;
}

/** A container mapping of a container. */
export interface MappingSummary {
  id: string;
  name: string;
  targetContainerId: string;
  policyId: string;
}

/** What enabling protection needs, in the SDK's terms (the gateway builds Azure's A2A input). */
export type EnableProtectionSpec = z.output<typeof protectVmInputSchema> & {
  recoveryContainerId: string;
  /** Managed disk ids of the VM, all replicated. */
  diskIds: string[];
};

/** The poller of a job-backed operation, as the official client returns it. */
export interface AsrPoller<T> extends MethodPoller<T> {
  onProgress(callback: (state: unknown) => void): () => void;
}

/** A replicated item as an operation returned it (whatever its provider) and the operation's job. */
export interface ItemJobResult {
  item: ReplicationProtectedItem;
  jobName: string | undefined;
}

/** What a job-backed operation's start receives from {@link SiteRecoveryGateway.runJob}. */
export interface StartOptions {
  abortSignal?: AbortSignal;
  onResponse: (response: FullOperationResponse) => void;
}

const JOB_IN_LOCATION = /\/operationresults\/([^/?]+)/i;

/**
 * An operation of a recovery plan, as the gateway sends it. `provider` is the plan's replication
 * provider: `A2A` inputs, or `HyperVReplicaAzure` ones for a Hyper-V site's plan (whose planned
 * failover is Azure's `plannedFailover`, and whose `failback` is a planned failover from Azure).
 */
export type PlanOperationRequest =
  | {
      operation: "testFailover";
      provider: "A2A" | "HyperVReplicaAzure";
      direction: "PrimaryToRecovery" | "RecoveryToPrimary";
      networkId: string;
      recoveryPointType: string | undefined;
    }
  | { operation: "testFailoverCleanup"; comments: string | undefined }
  | {
      operation: "failover";
      provider: "A2A" | "HyperVReplicaAzure";
      direction: "PrimaryToRecovery" | "RecoveryToPrimary";
      shutDownSource: boolean;
      recoveryPointType: string | undefined;
    }
  | { operation: "failback"; dataSyncOption: "ForDownTime" | "ForSynchronization"; createVmIfNotFound: boolean }
  | { operation: "commit" }
  | { operation: "cancel" };

/**
 * Site Recovery and vaults through the official clients: builds their polymorphic request models,
 * waits for jobs (reporting their progress when asked), and maps results and errors to the SDK's types.
 */
export class SiteRecoveryGateway {
  private asrClient: SiteRecoveryManagementClient | undefined;
  private vaultClient: RecoveryServicesClient | undefined;

  constructor(private readonly backend: Backend) {}

  /** @internal The official Site Recovery client (shared with the Hyper-V gateway). */
  get asr(): SiteRecoveryManagementClient {
    this.asrClient ??= createSiteRecoveryClient(this.backend);
    return this.asrClient;
  }

  private get vaults(): RecoveryServicesClient {
    this.vaultClient ??= createRecoveryServicesClient(this.backend);
    return this.vaultClient;
  }

  /** @internal Runs a job-backed operation to its end; the job's name comes from the 202's `Location`. */
  async runJob<T>(vault: VaultRef, operation: string, start: (options: StartOptions) => Promise<AsrPoller<T>>, options: JobWaitOptions = {}): Promise<T> {
    return callAzure({ operation }, async () => {
      let jobName: string | undefined;
      const pacer = new PollPacer(this.backend.pollIntervalHeader);
      const poller = await start({
        ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
        onResponse: (response) => {
          jobName ??= JOB_IN_LOCATION.exec(response.headers.get("location") ?? "")?.[1];
          pacer.onResponse(response);
        },
      });
      const reports: Promise<void>[] = [];
      const report = (): void => {
        if (options.onProgress === undefined || jobName === undefined) return;
        const onProgress = options.onProgress;
        reports.push(
          this.getJob(vault, jobName).then(
            (job) => onProgress({ job, percent: jobPercent(job) }),
            () => undefined,
          ),
        );
      };
      const unsubscribe = poller.onProgress(report);
      try {
        report();
        const result = await pollToEnd(poller, () => poller.isDone(), pacer, this.backend.clock, options.abortSignal);
        report();
        return result;
      } finally {
        unsubscribe();
        await Promise.all(reports);
      }
    });
  }

  // Vaults ------------------------------------------------------------------------------------

  async createOrUpdateVault(resourceGroup: string, name: string, location: string, tags: Record<string, string> | undefined): Promise<Vault> {
    return callAzure({ operation: `create vault ${name}` }, async () =>
      toVault(
        await runOperation(
          this.backend,
          (o) =>
            this.vaults.vaults.beginCreateOrUpdate(
              resourceGroup,
              name,
              { location, sku: { name: "Standard" }, properties: { publicNetworkAccess: "Enabled" }, ...(tags === undefined ? {} : { tags }) },
              o,
            ),
          undefined,
        ),
      ),
    );
  }

  async getVault(vault: VaultRef): Promise<Vault> {
    return callAzure({ operation: `get vault ${vault.name}` }, async () => toVault(await this.vaults.vaults.get(vault.resourceGroup, vault.name)));
  }

  listVaults(resourceGroup: string | undefined): AsyncIterable<Vault> {
    return mapItems(
      resourceGroup === undefined ? this.vaults.vaults.listBySubscriptionId() : this.vaults.vaults.listByResourceGroup(resourceGroup),
      toVault,
      "list vaults",
    );
  }

  async deleteVault(vault: VaultRef): Promise<void> {
    await callAzure({ operation: `delete vault ${vault.name}` }, () =>
      runOperation(this.backend, (o) => this.vaults.vaults.beginDelete(vault.resourceGroup, vault.name, o), undefined),
    );
  }

  // Policies ----------------------------------------------------------------------------------

  async createOrUpdatePolicy(
    vault: VaultRef,
    name: string,
    input: z.output<typeof replicationPolicyInputSchema>,
    options: JobWaitOptions,
  ): Promise<ReplicationPolicy> {
    const providerSpecificInput: A2APolicyCreationInput | HyperVReplicaAzurePolicyInput =
      input.kind === "A2A"
        ? {
            instanceType: "A2A",
            recoveryPointHistory: input.recoveryPointRetentionMinutes,
            appConsistentFrequencyInMinutes: input.appConsistentFrequencyMinutes,
            crashConsistentFrequencyInMinutes: 5,
            multiVmSyncStatus: input.multiVmSync ? "Enable" : "Disable",
          }
        : {
            instanceType: "HyperVReplicaAzure",
            replicationInterval: input.copyFrequencySeconds,
            recoveryPointHistoryDuration: input.recoveryPointRetentionHours,
            applicationConsistentSnapshotFrequencyInHours: input.appConsistentFrequencyHours,
            ...(input.initialReplicationStartTime === undefined ? {} : { onlineReplicationStartTime: input.initialReplicationStartTime }),
          };
    const policy = await this.runJob(
      vault,
      `create replication policy ${name}`,
      (o) => this.asr.replicationPolicies.beginCreate(vault.name, vault.resourceGroup, name, { properties: { providerSpecificInput } }, o),
      options,
    );
    return toReplicationPolicy(policy);
  }

  async getPolicy(vault: VaultRef, name: string): Promise<ReplicationPolicy> {
    return callAzure({ operation: `get replication policy ${name}` }, async () =>
      toReplicationPolicy(await this.asr.replicationPolicies.get(vault.name, vault.resourceGroup, name)),
    );
  }

  listPolicies(vault: VaultRef): AsyncIterable<ReplicationPolicy> {
    return mapItems(this.asr.replicationPolicies.list(vault.name, vault.resourceGroup), toReplicationPolicy, "list replication policies");
  }

  async deletePolicy(vault: VaultRef, name: string, options: JobWaitOptions): Promise<void> {
    await this.runJob(
      vault,
      `delete replication policy ${name}`,
      (o) => this.asr.replicationPolicies.beginDelete(vault.name, vault.resourceGroup, name, o),
      options,
    );
  }

  // Infrastructure ----------------------------------------------------------------------------

  async listFabrics(vault: VaultRef): Promise<FabricSummary[]> {
    const out: FabricSummary[] = [];
    for await (const fabric of mapItems(this.asr.replicationFabrics.list(vault.name, vault.resourceGroup), (f) => f, "list fabrics")) {
      const details = fabric.properties?.customDetails as { instanceType?: string; location?: string } | undefined;
      out.push({ id: fabric.id ?? "", name: fabric.name ?? "", location: details?.instanceType === "Azure" ? details.location : undefined });
    }
    return out;
  }

  async createAzureFabric(vault: VaultRef, name: string, location: string, options: JobWaitOptions): Promise<FabricSummary> {
    const customDetails: AzureFabricCreationInput = { instanceType: "Azure", location };
    const fabric = await this.runJob(
      vault,
      `create fabric ${name}`,
      (o) => this.asr.replicationFabrics.beginCreate(vault.name, vault.resourceGroup, name, { properties: { customDetails } }, o),
      options,
    );
    return { id: fabric.id ?? "", name: fabric.name ?? "", location };
  }

  /** The container's id, or undefined when it does not exist. */
  async findContainer(vault: VaultRef, fabric: string, name: string): Promise<string | undefined> {
    try {
      return await callAzure(
        { operation: `get protection container ${name}` },
        async () => (await this.asr.replicationProtectionContainers.get(vault.name, vault.resourceGroup, fabric, name)).id ?? "",
      );
    } catch (error) {
      if (isResourceNotFoundError(error)) return undefined;
      throw error;
    }
  }

  /** Creates a protection container of a fabric with the provider's input (`[{ instanceType: "A2A" }]` on an Azure fabric). */
  async createContainer(
    vault: VaultRef,
    fabric: string,
    name: string,
    providerSpecificInput: ReplicationProviderSpecificContainerCreationInputUnion[],
    options: JobWaitOptions,
  ): Promise<string> {
    const container = await this.runJob(
      vault,
      `create protection container ${name}`,
      (o) => this.asr.replicationProtectionContainers.beginCreate(vault.name, vault.resourceGroup, fabric, name, { properties: { providerSpecificInput } }, o),
      options,
    );
    return container.id ?? "";
  }

  async listMappings(vault: VaultRef, fabric: string, container: string): Promise<MappingSummary[]> {
    const out: MappingSummary[] = [];
    for await (const m of mapItems(
      this.asr.replicationProtectionContainerMappings.listByReplicationProtectionContainers(vault.name, vault.resourceGroup, fabric, container),
      (x) => x,
      "list container mappings",
    )) {
      out.push({
        id: m.id ?? "",
        name: m.name ?? "",
        targetContainerId: m.properties?.targetProtectionContainerId ?? "",
        policyId: m.properties?.policyId ?? "",
      });
    }
    return out;
  }

  /** Creates a container mapping with the provider's input (A2A: `{ instanceType: "A2A", agentAutoUpdateStatus }`). */
  async createMapping(
    vault: VaultRef,
    path: { fabric: string; container: string; name: string },
    properties: { targetProtectionContainerId: string; policyId: string; providerSpecificInput: ReplicationProviderSpecificContainerMappingInputUnion },
    options: JobWaitOptions,
  ): Promise<string> {
    const mapping = await this.runJob(
      vault,
      `create container mapping ${path.name}`,
      (o) =>
        this.asr.replicationProtectionContainerMappings.beginCreate(vault.name, vault.resourceGroup, path.fabric, path.container, path.name, { properties }, o),
      options,
    );
    return mapping.id ?? "";
  }

  /**
   * Removes a piece of the replication infrastructure by its ARM id (network mapping, container
   * mapping, protection container or fabric), waiting for the job; a piece already gone is fine.
   */
  async removeInfrastructurePiece(vault: VaultRef, id: string, options: JobWaitOptions): Promise<void> {
    const part = (name: string): string => new RegExp(`/${name}/([^/]+)`, "i").exec(id)?.[1] ?? "";
    const fabric = part("replicationFabrics");
    const container = part("replicationProtectionContainers");
    const rg = vault.resourceGroup;
    const lro = /\/replicationNetworkMappings\//i.test(id)
      ? (o: StartOptions) =>
          this.asr.replicationNetworkMappings.beginDelete(vault.name, rg, fabric, part("replicationNetworks"), part("replicationNetworkMappings"), o)
      : /\/replicationProtectionContainerMappings\//i.test(id)
        ? (o: StartOptions) =>
            this.asr.replicationProtectionContainerMappings.beginDelete(
              vault.name,
              rg,
              fabric,
              container,
              part("replicationProtectionContainerMappings"),
              { properties: { providerSpecificInput: { instanceType: "A2A" } } },
              o,
            )
        : /\/replicationProtectionContainers\//i.test(id)
          ? (o: StartOptions) => this.asr.replicationProtectionContainers.beginDelete(vault.name, rg, fabric, container, o)
          : (o: StartOptions) => this.asr.replicationFabrics.beginDelete(vault.name, rg, fabric, o);
    try {
      await this.runJob(vault, `remove ${id.slice(id.lastIndexOf("/") + 1)}`, lro, options);
    } catch (error) {
      if (!isResourceNotFoundError(error)) throw error;
    }
  }

  /** Network mappings of the vault, as (id, primary network, recovery network). */
  async listNetworkMappings(vault: VaultRef): Promise<{ id: string; primaryNetworkId: string; recoveryNetworkId: string }[]> {
    const out: { id: string; primaryNetworkId: string; recoveryNetworkId: string }[] = [];
    for await (const m of mapItems(this.asr.replicationNetworkMappings.list(vault.name, vault.resourceGroup), (x) => x, "list network mappings")) {
      out.push({ id: m.id ?? "", primaryNetworkId: m.properties?.primaryNetworkId ?? "", recoveryNetworkId: m.properties?.recoveryNetworkId ?? "" });
    }
    return out;
  }

  async createNetworkMapping(
    vault: VaultRef,
    fabric: string,
    name: string,
    recoveryFabric: string,
    primaryNetworkId: string,
    recoveryNetworkId: string,
    options: JobWaitOptions,
  ): Promise<string> {
    const fabricSpecificDetails: AzureToAzureCreateNetworkMappingInput = { instanceType: "AzureToAzure", primaryNetworkId };
    const mapping = await this.runJob(
      vault,
      `create network mapping ${name}`,
      (o) =>
        this.asr.replicationNetworkMappings.beginCreate(
          vault.name,
          vault.resourceGroup,
          fabric,
          "azureNetwork",
          name,
          { properties: { recoveryFabricName: recoveryFabric, recoveryNetworkId, fabricSpecificDetails } },
          o,
        ),
      options,
    );
    return mapping.id ?? "";
  }

  // Protected items ---------------------------------------------------------------------------

  async enableProtection(ref: ReplicatedItemRef, policyId: string, spec: EnableProtectionSpec, options: JobWaitOptions): Promise<ProtectedVm> {
    const details: A2AEnableProtectionInput = {
      instanceType: "A2A",
      fabricObjectId: spec.virtualMachineId,
      recoveryContainerId: spec.recoveryContainerId,
      recoveryResourceGroupId: spec.recoveryResourceGroupId,
      vmManagedDisks: spec.diskIds.map((diskId) => ({
        diskId,
        primaryStagingAzureStorageAccountId: spec.cacheStorageAccountId,
        recoveryResourceGroupId: spec.recoveryResourceGroupId,
        ...(spec.targetDiskType === undefined
          ? {}
          : { recoveryReplicaDiskAccountType: spec.targetDiskType, recoveryTargetDiskAccountType: spec.targetDiskType }),
      })),
      ...(spec.recoveryAvailabilitySetId === undefined ? {} : { recoveryAvailabilitySetId: spec.recoveryAvailabilitySetId }),
      ...(spec.recoveryZone === undefined ? {} : { recoveryAvailabilityZone: spec.recoveryZone }),
      ...(spec.recoveryNetworkId === undefined ? {} : { recoveryAzureNetworkId: spec.recoveryNetworkId }),
      ...(spec.recoverySubnetName === undefined ? {} : { recoverySubnetName: spec.recoverySubnetName }),
      ...(spec.multiVmGroupName === undefined ? {} : { multiVmGroupName: spec.multiVmGroupName }),
    };
    return toProtectedVm((await this.enableItem(ref, { policyId, providerSpecificDetails: details }, options)).item);
  }

  /** @internal Enables protection (creates the replicated item) of any provider, waiting for the enable job. */
  enableItem(ref: ReplicatedItemRef, properties: EnableProtectionInputProperties, options: JobWaitOptions): Promise<ItemJobResult> {
    return this.runItemJob(
      ref,
      `enable replication of ${ref.item}`,
      (o) => this.asr.replicationProtectedItems.beginCreate(ref.vault, ref.resourceGroup, ref.fabric, ref.container, ref.item, { properties }, o),
      options,
    );
  }

  /** @internal The replicated item as Azure returns it, whatever its provider. */
  async getItem(ref: ReplicatedItemRef): Promise<ReplicationProtectedItem> {
    return callAzure({ operation: `get replicated item ${ref.item}` }, () =>
      this.asr.replicationProtectedItems.get(ref.vault, ref.resourceGroup, ref.fabric, ref.container, ref.item),
    );
  }

  /** @internal The vault's replicated items as Azure returns them, whatever their provider. */
  listItems(vault: VaultRef): AsyncIterable<ReplicationProtectedItem> {
    return mapItems(this.asr.replicationProtectedItems.list(vault.name, vault.resourceGroup), (i) => i, "list replicated items");
  }

  async getProtectedItem(ref: ReplicatedItemRef): Promise<ProtectedVm> {
    return toProtectedVm(await this.getItem(ref));
  }

  /** The vault's Azure-to-Azure items (Hyper-V ones are listed by the Hyper-V gateway). */
  async *listProtectedItems(vault: VaultRef): AsyncIterable<ProtectedVm> {
    for await (const item of this.listItems(vault)) if (!isHyperVItem(item)) yield toProtectedVm(item);
  }

  async disableProtection(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<void> {
    await this.runJob(
      { resourceGroup: ref.resourceGroup, name: ref.vault },
      `disable replication of ${ref.item}`,
      (o) =>
        this.asr.replicationProtectedItems.beginDelete(
          ref.vault,
          ref.resourceGroup,
          ref.fabric,
          ref.container,
          ref.item,
          { properties: { disableProtectionReason: "NotSpecified" } },
          o,
        ),
      options,
    );
  }

  /**
   * @internal Runs an operation on a replicated item to its end: the item as Azure returns it
   * (whatever its provider; callers map it) and the name of the operation's job.
   */
  async runItemJob(
    ref: ReplicatedItemRef,
    operation: string,
    start: (options: StartOptions) => Promise<AsrPoller<ReplicationProtectedItem>>,
    options: JobWaitOptions,
  ): Promise<ItemJobResult> {
    let jobName: string | undefined;
    const item = await this.runJob(
      vaultOf(ref),
      operation,
      (o) =>
        start({
          ...o,
          onResponse: (response: FullOperationResponse) => {
            jobName ??= JOB_IN_LOCATION.exec(response.headers.get("location") ?? "")?.[1];
            o.onResponse(response);
          },
        }),
      options,
    );
    return { item, jobName };
  }

  /** @internal Resynchronization ("repair replication") of an item of any provider. */
  repairItem(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<ItemJobResult> {
    return this.runItemJob(
      ref,
      `resynchronize ${ref.item}`,
      (o) => this.asr.replicationProtectedItems.beginRepairReplication(ref.vault, ref.resourceGroup, ref.fabric, ref.container, ref.item, o),
      options,
    );
  }

  /** @internal Test failover of an item; `details` is the provider's input (its `instanceType` and recovery point). */
  testFailoverItem(
    ref: ReplicatedItemRef,
    direction: "PrimaryToRecovery" | "RecoveryToPrimary",
    networkId: string,
    details: TestFailoverProviderSpecificInputUnion,
    options: JobWaitOptions,
  ): Promise<ItemJobResult> {
    return this.runItemJob(
      ref,
      `test failover of ${ref.item}`,
      (o) =>
        this.asr.replicationProtectedItems.beginTestFailover(
          ref.vault,
          ref.resourceGroup,
          ref.fabric,
          ref.container,
          ref.item,
          { properties: { failoverDirection: direction, networkType: "VmNetworkAsInput", networkId, providerSpecificDetails: details } },
          o,
        ),
      options,
    );
  }

  /** @internal Cleanup of an item's test failover. */
  testFailoverCleanupItem(ref: ReplicatedItemRef, comments: string | undefined, options: JobWaitOptions): Promise<ItemJobResult> {
    return this.runItemJob(
      ref,
      `test failover cleanup of ${ref.item}`,
      (o) =>
        this.asr.replicationProtectedItems.beginTestFailoverCleanup(
          ref.vault,
          ref.resourceGroup,
          ref.fabric,
          ref.container,
          ref.item,
          { properties: comments === undefined ? {} : { comments } },
          o,
        ),
      options,
    );
  }

  /** @internal Unplanned failover of an item; `details` is the provider's input. */
  unplannedFailoverItem(
    ref: ReplicatedItemRef,
    direction: "PrimaryToRecovery" | "RecoveryToPrimary",
    shutDownSource: boolean,
    details: UnplannedFailoverProviderSpecificInputUnion,
    options: JobWaitOptions,
  ): Promise<ItemJobResult> {
    return this.runItemJob(
      ref,
      `failover of ${ref.item}`,
      (o) =>
        this.asr.replicationProtectedItems.beginUnplannedFailover(
          ref.vault,
          ref.resourceGroup,
          ref.fabric,
          ref.container,
          ref.item,
          { properties: { failoverDirection: direction, sourceSiteOperations: shutDownSource ? "Required" : "NotRequired", providerSpecificDetails: details } },
          o,
        ),
      options,
    );
  }

  /** @internal Change of the recovery point of an item failed over; `details` is the provider's input. */
  applyRecoveryPointItem(
    ref: ReplicatedItemRef,
    recoveryPointId: string,
    details: ApplyRecoveryPointProviderSpecificInputUnion,
    options: JobWaitOptions,
  ): Promise<ItemJobResult> {
    return this.runItemJob(
      ref,
      `change recovery point of ${ref.item}`,
      (o) =>
        this.asr.replicationProtectedItems.beginApplyRecoveryPoint(
          ref.vault,
          ref.resourceGroup,
          ref.fabric,
          ref.container,
          ref.item,
          { properties: { recoveryPointId, providerSpecificDetails: details } },
          o,
        ),
      options,
    );
  }

  /** @internal Commit of an item's failover (or failback). */
  commitItem(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<ItemJobResult> {
    return this.runItemJob(
      ref,
      `commit failover of ${ref.item}`,
      (o) => this.asr.replicationProtectedItems.beginFailoverCommit(ref.vault, ref.resourceGroup, ref.fabric, ref.container, ref.item, o),
      options,
    );
  }

  async repairReplication(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<ProtectedVm> {
    return toProtectedVm((await this.repairItem(ref, options)).item);
  }

  async testFailover(
    ref: ReplicatedItemRef,
    direction: "PrimaryToRecovery" | "RecoveryToPrimary",
    networkId: string,
    recoveryPointId: string | undefined,
    options: JobWaitOptions,
  ): Promise<ProtectedVm> {
    const details = { instanceType: "A2A" as const, ...(recoveryPointId === undefined ? {} : { recoveryPointId }) };
    return toProtectedVm((await this.testFailoverItem(ref, direction, networkId, details, options)).item);
  }

  async testFailoverCleanup(ref: ReplicatedItemRef, comments: string | undefined, options: JobWaitOptions): Promise<ProtectedVm> {
    return toProtectedVm((await this.testFailoverCleanupItem(ref, comments, options)).item);
  }

  async unplannedFailover(
    ref: ReplicatedItemRef,
    direction: "PrimaryToRecovery" | "RecoveryToPrimary",
    shutDownSource: boolean,
    recoveryPointId: string | undefined,
    options: JobWaitOptions,
  ): Promise<ProtectedVm> {
    const details = { instanceType: "A2A" as const, ...(recoveryPointId === undefined ? {} : { recoveryPointId }) };
    return toProtectedVm((await this.unplannedFailoverItem(ref, direction, shutDownSource, details, options)).item);
  }

  async applyRecoveryPoint(ref: ReplicatedItemRef, recoveryPointId: string, options: JobWaitOptions): Promise<ProtectedVm> {
    return toProtectedVm((await this.applyRecoveryPointItem(ref, recoveryPointId, { instanceType: "A2A" }, options)).item);
  }

  async failoverCancel(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<ProtectedVm> {
    return toProtectedVm(
      await this.runJob(
        vaultOf(ref),
        `cancel failover of ${ref.item}`,
        (o) => this.asr.replicationProtectedItems.beginFailoverCancel(ref.vault, ref.resourceGroup, ref.fabric, ref.container, ref.item, o),
        options,
      ),
    );
  }

  async failoverCommit(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<ProtectedVm> {
    return toProtectedVm((await this.commitItem(ref, options)).item);
  }

  /** Reprotect (A2A, managed disks): the container's switch-protection call; the item moves to `newContainer`. */
  async switchProtection(
    ref: ReplicatedItemRef,
    spec: {
      recoveryContainerId: string;
      policyId: string;
      recoveryResourceGroupId: string;
      cacheStorageAccountId: string;
      diskIds: string[];
      recoveryAvailabilitySetId?: string;
      targetDiskType?: string;
    },
    options: JobWaitOptions,
  ): Promise<void> {
    const details: A2ASwitchProtectionInput = {
      instanceType: "A2A",
      recoveryContainerId: spec.recoveryContainerId,
      policyId: spec.policyId,
      recoveryResourceGroupId: spec.recoveryResourceGroupId,
      vmManagedDisks: spec.diskIds.map((diskId) => ({
        diskId,
        primaryStagingAzureStorageAccountId: spec.cacheStorageAccountId,
        recoveryResourceGroupId: spec.recoveryResourceGroupId,
        ...(spec.targetDiskType === undefined
          ? {}
          : { recoveryReplicaDiskAccountType: spec.targetDiskType, recoveryTargetDiskAccountType: spec.targetDiskType }),
      })),
      ...(spec.recoveryAvailabilitySetId === undefined ? {} : { recoveryAvailabilitySetId: spec.recoveryAvailabilitySetId }),
    };
    await this.runJob(
      vaultOf(ref),
      `reprotect ${ref.item}`,
      (o) =>
        this.asr.replicationProtectionContainers.beginSwitchProtection(
          ref.vault,
          ref.resourceGroup,
          ref.fabric,
          ref.container,
          { properties: { replicationProtectedItemName: ref.item, providerSpecificDetails: details } },
          o,
        ),
      options,
    );
  }

  async purgeProtection(ref: ReplicatedItemRef, options: JobWaitOptions): Promise<void> {
    await this.runJob(
      { resourceGroup: ref.resourceGroup, name: ref.vault },
      `purge replicated item ${ref.item}`,
      (o) => this.asr.replicationProtectedItems.beginPurge(ref.vault, ref.resourceGroup, ref.fabric, ref.container, ref.item, o),
      options,
    );
  }

  listRecoveryPoints(ref: ReplicatedItemRef): AsyncIterable<RecoveryPoint> {
    return mapItems(
      this.asr.recoveryPoints.listByReplicationProtectedItems(ref.vault, ref.resourceGroup, ref.fabric, ref.container, ref.item),
      toRecoveryPoint,
      `list recovery points of ${ref.item}`,
    );
  }

  // Recovery plans ----------------------------------------------------------------------------

  async putRecoveryPlan(
    vault: VaultRef,
    name: string,
    input: z.output<typeof recoveryPlanInputSchema>,
    mode: "create" | "update",
    options: JobWaitOptions,
  ): Promise<RecoveryPlan> {
    const action = (a: RecoveryPlanAction): AzureRecoveryPlanAction => ({
      actionName: a.name,
      failoverTypes: a.failoverTypes,
      failoverDirections: a.directions,
      customDetails:
        a.kind === "manual"
          ? { instanceType: "ManualActionDetails", ...(a.description === undefined ? {} : { description: a.description }) }
          : a.kind === "script"
            ? {
                instanceType: "ScriptActionDetails",
                path: a.path,
                fabricLocation: a.fabricLocation,
                ...(a.timeout === undefined ? {} : { timeout: a.timeout }),
              }
            : {
                instanceType: "AutomationRunbookActionDetails",
                runbookId: a.runbookId,
                fabricLocation: a.fabricLocation,
                ...(a.timeout === undefined ? {} : { timeout: a.timeout }),
              },
    });
    const group = (
      groupType: "Shutdown" | "Failover" | "Boot",
      ids: string[],
      before: RecoveryPlanAction[],
      after: RecoveryPlanAction[],
    ): RecoveryPlanGroup => ({
      groupType,
      replicationProtectedItems: ids.map((id) => ({ id })),
      startGroupActions: before.map(action),
      endGroupActions: after.map(action),
    });
    const groups: RecoveryPlanGroup[] = [
      group("Shutdown", [], input.shutdown?.before ?? [], input.shutdown?.after ?? []),
      group("Failover", [], input.failover?.before ?? [], input.failover?.after ?? []),
      ...input.groups.map((g) => group("Boot", g.protectedVmIds, g.before, g.after)),
    ];
    const plan = await this.runJob(
      vault,
      `${mode} recovery plan ${name}`,
      (o) =>
        mode === "create"
          ? this.asr.replicationRecoveryPlans.beginCreate(
              vault.name,
              vault.resourceGroup,
              name,
              {
                properties: {
                  primaryFabricId: input.primaryFabricId,
                  recoveryFabricId: input.recoveryFabricId,
                  failoverDeploymentModel: "ResourceManager",
                  groups,
                },
              },
              o,
            )
          : this.asr.replicationRecoveryPlans.beginUpdate(vault.name, vault.resourceGroup, name, { properties: { groups } }, o),
      options,
    );
    return toRecoveryPlan(plan);
  }

  async getRecoveryPlan(vault: VaultRef, name: string): Promise<RecoveryPlan> {
    return callAzure({ operation: `get recovery plan ${name}` }, async () =>
      toRecoveryPlan(await this.asr.replicationRecoveryPlans.get(vault.name, vault.resourceGroup, name)),
    );
  }

  listRecoveryPlans(vault: VaultRef): AsyncIterable<RecoveryPlan> {
    return mapItems(this.asr.replicationRecoveryPlans.list(vault.name, vault.resourceGroup), toRecoveryPlan, "list recovery plans");
  }

  async deleteRecoveryPlan(vault: VaultRef, name: string, options: JobWaitOptions): Promise<void> {
    await this.runJob(
      vault,
      `delete recovery plan ${name}`,
      (o) => this.asr.replicationRecoveryPlans.beginDelete(vault.name, vault.resourceGroup, name, o),
      options,
    );
  }

  // Jobs --------------------------------------------------------------------------------------

  /**
   * Starts an operation of a recovery plan and returns the name of its job without waiting: a
   * plan's job can stop at manual actions, so callers follow the job rather than the LRO.
   */
  async startPlanOperation(vault: VaultRef, plan: string, request: PlanOperationRequest, abortSignal: AbortSignal | undefined): Promise<string> {
    return callAzure({ operation: `${request.operation} of recovery plan ${plan}` }, async () => {
      let jobName: string | undefined;
      const options = {
        ...(abortSignal === undefined ? {} : { abortSignal }),
        onResponse: (response: FullOperationResponse) => {
          jobName ??= JOB_IN_LOCATION.exec(response.headers.get("location") ?? "")?.[1];
        },
      };
      const plans = this.asr.replicationRecoveryPlans;
      // A2A: the input only when a point type is chosen; Hyper-V: always the provider's input, as the examples send it.
      const inputs = (provider: "A2A" | "HyperVReplicaAzure", recoveryPointType: string | undefined): RecoveryPlanProviderSpecificFailoverInputUnion[] =>
        provider === "HyperVReplicaAzure"
          ? [{ instanceType: "HyperVReplicaAzure", ...(recoveryPointType === undefined ? {} : { recoveryPointType }) }]
          : recoveryPointType === undefined
            ? []
            : [{ instanceType: "A2A", recoveryPointType } as RecoveryPlanProviderSpecificFailoverInputUnion];
      const rg = vault.resourceGroup;
      try {
        switch (request.operation) {
          case "testFailover":
            await plans.beginTestFailover(
              vault.name,
              rg,
              plan,
              {
                properties: {
                  failoverDirection: request.direction,
                  networkType: "VmNetworkAsInput",
                  networkId: request.networkId,
                  providerSpecificDetails: inputs(request.provider, request.recoveryPointType),
                },
              },
              options,
            );
            break;
          case "testFailoverCleanup":
            await plans.beginTestFailoverCleanup(
              vault.name,
              rg,
              plan,
              { properties: request.comments === undefined ? {} : { comments: request.comments } },
              options,
            );
            break;
          case "failover":
            if (request.provider === "HyperVReplicaAzure" && request.shutDownSource) {
              // Hyper-V's planned failover: the VMs shut down on-premises and their last changes sync first.
              await plans.beginPlannedFailover(
                vault.name,
                rg,
                plan,
                { properties: { failoverDirection: request.direction, providerSpecificDetails: inputs(request.provider, undefined) } },
                options,
              );
              break;
            }
            await plans.beginUnplannedFailover(
              vault.name,
              rg,
              plan,
              {
                properties: {
                  failoverDirection: request.direction,
                  sourceSiteOperations: request.shutDownSource ? "Required" : "NotRequired",
                  providerSpecificDetails: inputs(request.provider, request.recoveryPointType),
                },
              },
              options,
            );
            break;
          case "failback":
            await plans.beginPlannedFailover(
              vault.name,
              rg,
              plan,
              {
                properties: {
                  failoverDirection: "RecoveryToPrimary",
                  providerSpecificDetails: [
                    {
                      instanceType: "HyperVReplicaAzureFailback",
                      dataSyncOption: request.dataSyncOption,
                      recoveryVmCreationOption: request.createVmIfNotFound ? "CreateVmIfNotFound" : "NoAction",
                    },
                  ],
                },
              },
              options,
            );
            break;
          case "commit":
            await plans.beginFailoverCommit(vault.name, rg, plan, options);
            break;
          case "cancel":
            await plans.beginFailoverCancel(vault.name, rg, plan, options);
            break;
        }
      } catch (error) {
        // The official client polls once after the 202: a job that fails that early (e.g. at its
        // prerequisites) is still the operation's job, and the caller reads how it ended.
        if (jobName === undefined) throw error;
      }
      if (jobName === undefined) throw new Error(`the service named no job for the ${request.operation} of recovery plan ${plan}`);
      return jobName;
    });
  }

  async getJob(vault: VaultRef, name: string): Promise<Job> {
    return callAzure({ operation: `get job ${name}` }, async () => toJob(await this.asr.replicationJobs.get(vault.name, vault.resourceGroup, name)));
  }

  listJobs(vault: VaultRef): AsyncIterable<Job> {
    return mapItems(this.asr.replicationJobs.list(vault.name, vault.resourceGroup), toJob, "list jobs");
  }

  async cancelJob(vault: VaultRef, name: string, options: JobWaitOptions): Promise<Job> {
    return toJob(
      await this.runJob(vault, `cancel job ${name}`, (o) => this.asr.replicationJobs.beginCancel(vault.name, vault.resourceGroup, name, o), options),
    );
  }

  async restartJob(vault: VaultRef, name: string, options: JobWaitOptions): Promise<Job> {
    return toJob(
      await this.runJob(vault, `restart job ${name}`, (o) => this.asr.replicationJobs.beginRestart(vault.name, vault.resourceGroup, name, o), options),
    );
  }

  async resumeJob(vault: VaultRef, name: string, comments: string | undefined, options: JobWaitOptions): Promise<Job> {
    return toJob(
      await this.runJob(
        vault,
        `resume job ${name}`,
        (o) => this.asr.replicationJobs.beginResume(vault.name, vault.resourceGroup, name, { properties: comments === undefined ? {} : { comments } }, o),
        options,
      ),
    );
  }
}

/** The vault of a replicated item. */
function vaultOf(ref: ReplicatedItemRef): VaultRef {
  return { resourceGroup: ref.resourceGroup, name: ref.vault };
}

/** Share of a job's tasks that are done. */
