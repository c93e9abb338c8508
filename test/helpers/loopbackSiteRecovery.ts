// Layer-3 helpers (ARCHITECTURE.md "Tests"): the official Recovery Services and Site Recovery
// clients, constructed the way a user points them at a local emulator, and the whole
// Azure-to-Azure setup (vault, two regional fabrics, containers, policy, container mapping,
// network mapping, a VM to protect) built through those clients.
import type { ComputeManagementClient, VirtualMachine } from "@azure/arm-compute";
import { RecoveryServicesClient, type Vault } from "@azure/arm-recoveryservices";
import {
  SiteRecoveryManagementClient,
  type A2APolicyCreationInput,
  type EnableProtectionInput,
  type Fabric,
  type NetworkMapping,
  type Policy,
  type ProtectionContainer,
  type ProtectionContainerMapping,
} from "@azure/arm-recoveryservices-siterecovery";
import { bearerTokenAuthenticationPolicyName, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { ExecutionContext } from "ava";
import type { EmulatorOptions } from "../../emulator/index.js";
import { nicId, SUB } from "./fixtures.js";
import { fakeTokenCredential, loopbackCompute, type LoopbackEmulator } from "./loopbackCompute.js";

/** See ARCHITECTURE.md: core-lro ignores `Retry-After: 0`, so every poller is told not to wait. */
export const LRO = { updateIntervalInMs: 0 } as const;
/** ARM's token scope; the Recovery Services clients' default scope would follow the endpoint. */
export const ARM_SCOPE = "https://management.azure.com/.default";

export const ASR_RG = "rg-asr";
export const VAULT = "vault-dr";
export const PRIMARY_REGION = "westeurope";
export const RECOVERY_REGION = "northeurope";
export const PRIMARY_FABRIC = "fabric-westeurope";
export const RECOVERY_FABRIC = "fabric-northeurope";
export const PRIMARY_CONTAINER = "container-westeurope";
export const RECOVERY_CONTAINER = "container-northeurope";
export const POLICY = "policy-a2a";
export const CONTAINER_MAPPING = "mapping-westeurope-northeurope";
export const NETWORK_MAPPING = "netmap-westeurope-northeurope";
/** The replication network Site Recovery discovers under every Azure fabric. */
export const AZURE_NETWORK = "azureNetwork";
export const VM_RG = "rg-workload";
export const RECOVERY_RG = "rg-workload-asr";

/** An emulator on loopback with the official Compute, Recovery Services and Site Recovery clients. */
export interface LoopbackSiteRecovery extends LoopbackEmulator {
  subscriptionId: string;
  compute: ComputeManagementClient;
  vaults: RecoveryServicesClient;
  asr: SiteRecoveryManagementClient;
}

/**
 * Starts an emulator on loopback and builds the three official clients against it: the emulator's
 * `http://127.0.0.1:PORT` as endpoint, `allowInsecureConnection`, ARM's token scope, a fake
 * credential, no bearer policy (it refuses plain http) and fast retries.
 */
export async function loopbackSiteRecovery(t: ExecutionContext, options: EmulatorOptions = {}, subscriptionId: string = SUB): Promise<LoopbackSiteRecovery> {
  const { client: compute, ...loopback } = await loopbackCompute(t, options, subscriptionId);
  const common = {
    endpoint: loopback.url,
    allowInsecureConnection: true,
    credentialScopes: [ARM_SCOPE],
    retryOptions: { maxRetries: 3, retryDelayInMs: 20, maxRetryDelayInMs: 50 },
  };
  const vaults = new RecoveryServicesClient(fakeTokenCredential, subscriptionId, common);
  vaults.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  const asr = new SiteRecoveryManagementClient(fakeTokenCredential, subscriptionId, common);
  asr.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  return { ...loopback, subscriptionId, compute, vaults, asr };
}

// ---------------------------------------------------------------- ids

/** The `id` of a resource the service returned; throws when the service left it out. */
export function idOf(resource: { id?: string | undefined; name?: string | undefined }): string {
  if (resource.id === undefined) throw new Error(`resource '${String(resource.name)}' has no id`);
  return resource.id;
}

export function resourceGroupId(resourceGroup: string, subscriptionId: string = SUB): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** ARM id of a storage account (the emulator does not model Microsoft.Storage; ids are checked for shape). */
export function storageAccountId(name: string, resourceGroup: string = VM_RG, subscriptionId: string = SUB): string {
  return `${resourceGroupId(resourceGroup, subscriptionId)}/providers/Microsoft.Storage/storageAccounts/${name}`;
}

/** ARM id of a virtual network (not modelled by the emulator either). */
export function virtualNetworkId(name: string, resourceGroup: string = VM_RG, subscriptionId: string = SUB): string {
  return `${resourceGroupId(resourceGroup, subscriptionId)}/providers/Microsoft.Network/virtualNetworks/${name}`;
}

/** The cache storage account of the source region used by the enable inputs. */
export const CACHE_ACCOUNT = "cachewesteurope01";

// ---------------------------------------------------------------- virtual machines

/** What a protectable VM looks like. */
export interface VmShape {
  location?: string;
  osDiskSizeGB?: number;
  dataDiskSizesGB?: readonly number[];
  resourceGroup?: string;
}

/** Creates a Linux VM with managed disks through the official compute client and returns it as served. */
export async function createProtectableVm(compute: ComputeManagementClient, name: string, shape: VmShape = {}): Promise<VirtualMachine> {
  const resourceGroup = shape.resourceGroup ?? VM_RG;
  const model: VirtualMachine = {
    location: shape.location ?? PRIMARY_REGION,
    hardwareProfile: { vmSize: "Standard_D2s_v5" },
    storageProfile: {
      imageReference: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
      osDisk: {
        createOption: "FromImage",
        name: `${name}-os`,
        managedDisk: { storageAccountType: "Premium_LRS" },
        ...(shape.osDiskSizeGB === undefined ? {} : { diskSizeGB: shape.osDiskSizeGB }),
      },
      dataDisks: (shape.dataDiskSizesGB ?? []).map((size, lun) => ({
        lun,
        createOption: "Empty",
        name: `${name}-data${lun}`,
        diskSizeGB: size,
        managedDisk: { storageAccountType: "Premium_LRS" },
      })),
    },
    osProfile: { computerName: name, adminUsername: "azureuser", adminPassword: "Correct-Horse-42!" },
    networkProfile: { networkInterfaces: [{ id: nicId(resourceGroup, `${name}-nic`), primary: true }] },
  };
  return compute.virtualMachines.createOrUpdate(resourceGroup, name, model, LRO);
}

/** The managed disk ids of a VM as served (OS disk first). */
export function diskIdsOf(vm: VirtualMachine): string[] {
  const storage = vm.storageProfile;
  const ids = [storage?.osDisk?.managedDisk?.id, ...(storage?.dataDisks ?? []).map((d) => d.managedDisk?.id)];
  return ids.filter((id): id is string => typeof id === "string");
}

// ---------------------------------------------------------------- the A2A setup

/** What {@link buildA2aSetup} created, as the official clients returned it. */
export interface A2aSetup {
  vault: Vault;
  primaryFabric: Fabric;
  recoveryFabric: Fabric;
  primaryContainer: ProtectionContainer;
  recoveryContainer: ProtectionContainer;
  policy: Policy;
  containerMapping: ProtectionContainerMapping;
  networkMapping: NetworkMapping;
  vm: VirtualMachine;
}

/** Options of {@link buildA2aSetup}. */
export interface A2aSetupOptions {
  /** Overrides of the A2A policy input (default: 1 day retention, app-consistent every 4 hours, multi-VM sync on). */
  policy?: Partial<A2APolicyCreationInput>;
  vmName?: string;
  vm?: VmShape;
}

/** The default A2A policy input of the setup. */
export function a2aPolicyInput(overrides: Partial<A2APolicyCreationInput> = {}): A2APolicyCreationInput {
  return {
    instanceType: "A2A",
    recoveryPointHistory: 1440,
    crashConsistentFrequencyInMinutes: 5,
    appConsistentFrequencyInMinutes: 240,
    multiVmSyncStatus: "Enable",
    ...overrides,
  };
}

/** Creates the vault with the official Recovery Services client. */
export async function createVault(env: LoopbackSiteRecovery, name: string = VAULT, resourceGroup: string = ASR_RG): Promise<Vault> {
  return env.vaults.vaults.beginCreateOrUpdateAndWait(resourceGroup, name, { location: PRIMARY_REGION, sku: { name: "Standard" }, properties: {} }, LRO);
}

/** Creates an Azure (A2A) fabric for `location`. */
export async function createAzureFabric(env: LoopbackSiteRecovery, name: string, location: string): Promise<Fabric> {
  return env.asr.replicationFabrics.beginCreateAndWait(VAULT, ASR_RG, name, { properties: { customDetails: { instanceType: "Azure", location } } }, LRO);
}

/** Creates an A2A protection container in `fabric`. */
export async function createA2aContainer(env: LoopbackSiteRecovery, fabric: string, name: string): Promise<ProtectionContainer> {
  return env.asr.replicationProtectionContainers.beginCreateAndWait(
    VAULT,
    ASR_RG,
    fabric,
    name,
    { properties: { providerSpecificInput: [{ instanceType: "A2A" }] } },
    LRO,
  );
}

/**
 * Builds the whole Azure-to-Azure setup through the official clients: the vault; one Azure
 * fabric per region (westeurope, northeurope) with one A2A container each; an A2A policy; the
 * container mapping westeurope -> northeurope under that policy; a network mapping of the
 * workload's virtual network; and a VM in westeurope, created through the compute client.
 */
export async function buildA2aSetup(env: LoopbackSiteRecovery, options: A2aSetupOptions = {}): Promise<A2aSetup> {
  const vault = await createVault(env);
  const primaryFabric = await createAzureFabric(env, PRIMARY_FABRIC, PRIMARY_REGION);
  const recoveryFabric = await createAzureFabric(env, RECOVERY_FABRIC, RECOVERY_REGION);
  const primaryContainer = await createA2aContainer(env, PRIMARY_FABRIC, PRIMARY_CONTAINER);
  const recoveryContainer = await createA2aContainer(env, RECOVERY_FABRIC, RECOVERY_CONTAINER);
  const policy = await env.asr.replicationPolicies.beginCreateAndWait(
    VAULT,
    ASR_RG,
    POLICY,
    { properties: { providerSpecificInput: a2aPolicyInput(options.policy) } },
    LRO,
  );
  const containerMapping = await env.asr.replicationProtectionContainerMappings.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    CONTAINER_MAPPING,
    {
      properties: {
        targetProtectionContainerId: idOf(recoveryContainer),
        policyId: idOf(policy),
        providerSpecificInput: { instanceType: "A2A", agentAutoUpdateStatus: "Disabled" },
      },
    },
    LRO,
  );
  const networkMapping = await env.asr.replicationNetworkMappings.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    AZURE_NETWORK,
    NETWORK_MAPPING,
    {
      properties: {
        recoveryFabricName: RECOVERY_FABRIC,
        recoveryNetworkId: virtualNetworkId("vnet-northeurope", RECOVERY_RG, env.subscriptionId),
        fabricSpecificDetails: { instanceType: "AzureToAzure", primaryNetworkId: virtualNetworkId("vnet-westeurope", VM_RG, env.subscriptionId) },
      },
    },
    LRO,
  );
  const vm = await createProtectableVm(env.compute, options.vmName ?? "vm-app-0", options.vm);
  return { vault, primaryFabric, recoveryFabric, primaryContainer, recoveryContainer, policy, containerMapping, networkMapping, vm };
}

/** Options of {@link enableInput}. */
export interface EnableOptions {
  multiVmGroupName?: string;
  /** Replaces the cache storage account id of every disk. */
  cacheAccountId?: string;
  /** Leaves `vmManagedDisks` out. */
  withoutDisks?: boolean;
}

/** The A2A enable-protection input for `vm` under the setup's mapping, every managed disk replicated. */
export function enableInput(setup: A2aSetup, vm: VirtualMachine, options: EnableOptions = {}, subscriptionId: string = SUB): EnableProtectionInput {
  const recoveryResourceGroupId = resourceGroupId(RECOVERY_RG, subscriptionId);
  const cache = options.cacheAccountId ?? storageAccountId(CACHE_ACCOUNT, VM_RG, subscriptionId);
  return {
    properties: {
      policyId: idOf(setup.policy),
      providerSpecificDetails: {
        instanceType: "A2A",
        fabricObjectId: idOf(vm),
        recoveryContainerId: idOf(setup.recoveryContainer),
        recoveryResourceGroupId,
        ...(options.withoutDisks === true
          ? {}
          : { vmManagedDisks: diskIdsOf(vm).map((diskId) => ({ diskId, primaryStagingAzureStorageAccountId: cache, recoveryResourceGroupId })) }),
        ...(options.multiVmGroupName === undefined ? {} : { multiVmGroupName: options.multiVmGroupName }),
      },
    },
  };
}

// ---------------------------------------------------------------- wire

/** Records every raw response an operation reports through `onResponse` (initial request, polls, final GET). */
export function responseRecorder(): { responses: PipelineResponse[]; onResponse: (raw: PipelineResponse) => void } {
  const responses: PipelineResponse[] = [];
  return { responses, onResponse: (raw) => void responses.push(raw) };
}

/** The job name in a Site Recovery `Location` header (`.../operationresults/{job}?...`), as Azure PowerShell derives it. */
export function jobNameFromLocation(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  return /\/operationresults\/([^/?]+)/i.exec(location)?.[1];
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
