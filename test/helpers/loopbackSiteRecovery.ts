// Layer-3 helpers (ARCHITECTURE.md "Tests"): the official Recovery Services and Site Recovery
// clients, constructed the way a user points them at a local emulator, and the whole
// Azure-to-Azure setup (vault, two regional fabrics, containers, policy, container mapping,
// network mapping, a VM to protect) built through those clients, under this file's names or an
// official example's; the checks every Site Recovery test makes of a refused call, of an
// operation's 202 and its job, and of an example's request replayed with plain fetch.
import type { ComputeManagementClient, VirtualMachine } from "@azure/arm-compute";
import { RecoveryServicesClient, type Vault } from "@azure/arm-recoveryservices";
import {
  SiteRecoveryManagementClient,
  type A2APolicyCreationInput,
  type CreateProtectionContainerMappingInputProperties,
  type A2AReplicationDetails,
  type EnableProtectionInput,
  type Fabric,
  type FabricCreationInput,
  type HyperVReplicaAzurePolicyInput,
  type HyperVReplicaAzureReplicationDetails,
  type NetworkMapping,
  type PolicyProviderSpecificInputUnion,
  type Policy,
  type ProtectionContainer,
  type ProtectionContainerMapping,
  type ReplicationProtectedItem,
  type ReplicationProviderSpecificContainerCreationInputUnion,
  type ReplicationProviderSpecificContainerMappingInputUnion,
  type ReplicationProviderSpecificSettingsUnion,
} from "@azure/arm-recoveryservices-siterecovery";
import { bearerTokenAuthenticationPolicyName, isRestError, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { ExecutionContext } from "ava";
import type { EmulatorOptions } from "../../emulator/index.js";
import { isObject, stringParameter, type Example, type Json } from "./exampleCorpus.js";
import { wire } from "./exampleReplay.js";
import { nicId, SUB } from "./fixtures.js";
import { fakeTokenCredential, loopbackCompute, type LoopbackEmulator } from "./loopbackCompute.js";

/** See ARCHITECTURE.md: core-lro ignores `Retry-After: 0`, so every poller is told not to wait. */
export const LRO = { updateIntervalInMs: 0 } as const;
/** ARM's token scope; the Recovery Services clients' default scope would follow the endpoint. */
export const ARM_SCOPE = "https://management.azure.com/.default";
/** The api-version the official Site Recovery client (5.1.0) sends; the links of its operations carry it back. */
export const ASR_API_VERSION = "2023-06-01";

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

/** The names the Azure-to-Azure setup is created under: this file's constants by default, or an official example's. */
export interface A2aNames {
  /** The vault's resource group. */
  resourceGroup: string;
  vault: string;
  primaryFabric: string;
  recoveryFabric: string;
  primaryContainer: string;
  recoveryContainer: string;
  policy: string;
  containerMapping: string;
  networkMapping: string;
}

/** The default {@link A2aNames}: {@link VAULT} in {@link ASR_RG}, {@link PRIMARY_FABRIC}, and so on. */
export const A2A_NAMES: Readonly<A2aNames> = {
  resourceGroup: ASR_RG,
  vault: VAULT,
  primaryFabric: PRIMARY_FABRIC,
  recoveryFabric: RECOVERY_FABRIC,
  primaryContainer: PRIMARY_CONTAINER,
  recoveryContainer: RECOVERY_CONTAINER,
  policy: POLICY,
  containerMapping: CONTAINER_MAPPING,
  networkMapping: NETWORK_MAPPING,
};

/** Which vault: its resource group and name. */
export type VaultRef = Pick<A2aNames, "resourceGroup" | "vault">;

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

/** ARM id of a resource group. */
export function resourceGroupId(resourceGroup: string, subscriptionId: string = SUB): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** ARM id (and request path) of a Recovery Services vault: by default {@link VAULT} in {@link ASR_RG}. */
export function vaultPath(subscriptionId: string = SUB, at: VaultRef = A2A_NAMES): string {
  return `${resourceGroupId(at.resourceGroup, subscriptionId)}/providers/Microsoft.RecoveryServices/vaults/${at.vault}`;
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

/** The `PowerState/...` code of a VM's instance view, read with the official compute client. */
export async function powerState(env: { compute: ComputeManagementClient }, resourceGroup: string, name: string): Promise<string | undefined> {
  const view = await env.compute.virtualMachines.instanceView(resourceGroup, name);
  return view.statuses?.find((s) => s.code?.startsWith("PowerState/") === true)?.code;
}

// ---------------------------------------------------------------- the A2A setup

/** What {@link buildA2aReplication} created, as the official clients returned it, and the names it used. */
export interface A2aReplication {
  names: A2aNames;
  vault: Vault;
  primaryFabric: Fabric;
  recoveryFabric: Fabric;
  primaryContainer: ProtectionContainer;
  recoveryContainer: ProtectionContainer;
  policy: Policy;
  containerMapping: ProtectionContainerMapping;
}

/** What {@link buildA2aSetup} created: the replication, the network mapping and the VM to protect. */
export interface A2aSetup extends A2aReplication {
  networkMapping: NetworkMapping;
  vm: VirtualMachine;
}

/** Options of {@link buildA2aReplication}. */
export interface A2aReplicationOptions {
  /** Overrides of the A2A policy input (default: 1 day retention, app-consistent every 4 hours, multi-VM sync on). */
  policy?: Partial<A2APolicyCreationInput>;
  /** Names other than {@link A2A_NAMES}, e.g. an official example's. */
  names?: Partial<A2aNames>;
}

/** Options of {@link buildA2aSetup}. */
export interface A2aSetupOptions extends A2aReplicationOptions {
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

/** Creates an Azure (A2A) fabric for `location` in the vault `at` (by default {@link VAULT}). */
export async function createAzureFabric(env: LoopbackSiteRecovery, name: string, location: string, at: VaultRef = A2A_NAMES): Promise<Fabric> {
  return env.asr.replicationFabrics.beginCreateAndWait(
    at.vault,
    at.resourceGroup,
    name,
    { properties: { customDetails: { instanceType: "Azure", location } } },
    LRO,
  );
}

/** Creates an A2A protection container in `fabric` of the vault `at` (by default {@link VAULT}). */
export async function createA2aContainer(env: LoopbackSiteRecovery, fabric: string, name: string, at: VaultRef = A2A_NAMES): Promise<ProtectionContainer> {
  return env.asr.replicationProtectionContainers.beginCreateAndWait(
    at.vault,
    at.resourceGroup,
    fabric,
    name,
    { properties: { providerSpecificInput: [{ instanceType: "A2A" }] } },
    LRO,
  );
}

/** Creates a replication policy in the vault `at` with the official client. */
export function createPolicy(env: LoopbackSiteRecovery, at: VaultRef, name: string, providerSpecificInput: PolicyProviderSpecificInputUnion): Promise<Policy> {
  return env.asr.replicationPolicies.beginCreateAndWait(at.vault, at.resourceGroup, name, { properties: { providerSpecificInput } }, LRO);
}

/** Creates the container mapping `[fabric, container, mapping]` in the vault `at` with the official client. */
export function createContainerMapping(
  env: LoopbackSiteRecovery,
  at: VaultRef,
  [fabric, container, mapping]: [string, string, string],
  properties: CreateProtectionContainerMappingInputProperties,
): Promise<ProtectionContainerMapping> {
  return env.asr.replicationProtectionContainerMappings.beginCreateAndWait(at.vault, at.resourceGroup, fabric, container, mapping, { properties }, LRO);
}

/**
 * Builds the replication of an Azure-to-Azure pair through the official clients: the vault; one
 * Azure fabric per region (westeurope, northeurope) with one A2A container each; an A2A policy; and
 * the container mapping westeurope -> northeurope under that policy. Everything is named after
 * {@link A2A_NAMES} unless `options.names` says otherwise.
 */
export async function buildA2aReplication(env: LoopbackSiteRecovery, options: A2aReplicationOptions = {}): Promise<A2aReplication> {
  const names: A2aNames = { ...A2A_NAMES, ...options.names };
  const vault = await createVault(env, names.vault, names.resourceGroup);
  const primaryFabric = await createAzureFabric(env, names.primaryFabric, PRIMARY_REGION, names);
  const recoveryFabric = await createAzureFabric(env, names.recoveryFabric, RECOVERY_REGION, names);
  const primaryContainer = await createA2aContainer(env, names.primaryFabric, names.primaryContainer, names);
  const recoveryContainer = await createA2aContainer(env, names.recoveryFabric, names.recoveryContainer, names);
  const policy = await createPolicy(env, names, names.policy, a2aPolicyInput(options.policy));
  const containerMapping = await createContainerMapping(env, names, [names.primaryFabric, names.primaryContainer, names.containerMapping], {
    targetProtectionContainerId: idOf(recoveryContainer),
    policyId: idOf(policy),
    providerSpecificInput: { instanceType: "A2A", agentAutoUpdateStatus: "Disabled" },
  });
  return { names, vault, primaryFabric, recoveryFabric, primaryContainer, recoveryContainer, policy, containerMapping };
}

/**
 * Builds the whole Azure-to-Azure setup through the official clients: {@link buildA2aReplication},
 * then a network mapping of the workload's virtual network and a VM in westeurope, created through
 * the compute client.
 */
export async function buildA2aSetup(env: LoopbackSiteRecovery, options: A2aSetupOptions = {}): Promise<A2aSetup> {
  const replication = await buildA2aReplication(env, options);
  const { names } = replication;
  const networkMapping = await env.asr.replicationNetworkMappings.beginCreateAndWait(
    names.vault,
    names.resourceGroup,
    names.primaryFabric,
    AZURE_NETWORK,
    names.networkMapping,
    {
      properties: {
        recoveryFabricName: names.recoveryFabric,
        recoveryNetworkId: virtualNetworkId("vnet-northeurope", RECOVERY_RG, env.subscriptionId),
        fabricSpecificDetails: { instanceType: "AzureToAzure", primaryNetworkId: virtualNetworkId("vnet-westeurope", VM_RG, env.subscriptionId) },
      },
    },
    LRO,
  );
  const vm = await createProtectableVm(env.compute, options.vmName ?? "vm-app-0", options.vm);
  return { ...replication, networkMapping, vm };
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
export function enableInput(setup: A2aReplication, vm: VirtualMachine, options: EnableOptions = {}, subscriptionId: string = SUB): EnableProtectionInput {
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

/**
 * Enables replication of `vm` as item `itemName` in the setup's primary container, with
 * {@link enableInput}, and waits for the enable job.
 */
export function enableProtection(
  env: LoopbackSiteRecovery,
  setup: A2aReplication,
  itemName: string,
  vm: VirtualMachine,
  options: EnableOptions = {},
  operationOptions: LroOptions = LRO,
): Promise<ReplicationProtectedItem> {
  const { names } = setup;
  return env.asr.replicationProtectedItems.beginCreateAndWait(
    names.vault,
    names.resourceGroup,
    names.primaryFabric,
    names.primaryContainer,
    itemName,
    enableInput(setup, vm, options, env.subscriptionId),
    operationOptions,
  );
}

// ---------------------------------------------------------------- items and refusals

/** Asserts that `promise` rejects with a RestError of this status (and code, when given); returns its message. */
export async function refused(t: ExecutionContext, promise: Promise<unknown>, statusCode: number, code?: string): Promise<string> {
  const error = await t.throwsAsync(promise);
  if (!isRestError(error)) {
    t.fail(`expected a RestError, got ${String(error)}`);
    return "";
  }
  t.is(error.statusCode, statusCode, error.message);
  if (code !== undefined) t.is(error.code, code, error.message);
  return error.message;
}

/** Whether an item's replication details are A2A ones. */
export function isA2aItem(details: ReplicationProviderSpecificSettingsUnion | undefined): details is A2AReplicationDetails {
  return details?.instanceType === "A2A";
}

/** The A2A replication details of an item; fails the test (and returns bare details) for any other provider. */
export function a2aOf(t: ExecutionContext, item: ReplicationProtectedItem): A2AReplicationDetails {
  return providerDetailsOf(t, item, "A2A", isA2aItem);
}

/** An item's replication details of one provider (`instanceType`); fails the test (and returns bare details) for any other provider. */
export function providerDetailsOf<T extends ReplicationProviderSpecificSettingsUnion>(
  t: ExecutionContext,
  item: ReplicationProtectedItem,
  instanceType: T["instanceType"],
  isProvider: (details: ReplicationProviderSpecificSettingsUnion | undefined) => details is T,
): T {
  const details = item.properties?.providerSpecificDetails;
  if (!isProvider(details)) {
    t.fail(`expected ${instanceType} replication details, got ${JSON.stringify(details)}`);
    return { instanceType } as T;
  }
  return details;
}

// ---------------------------------------------------------------- wire

/** The options a long-running call is given: {@link LRO}, and an `onResponse` when its responses are recorded. */
export type LroOptions = typeof LRO & { onResponse?: (raw: PipelineResponse) => void };

/** Records every raw response an operation reports through `onResponse` (initial request, polls, final GET). */
export function responseRecorder(): { responses: PipelineResponse[]; onResponse: (raw: PipelineResponse) => void } {
  const responses: PipelineResponse[] = [];
  return { responses, onResponse: (raw) => void responses.push(raw) };
}

/** What {@link responseRecorder} returns. */
export type Recorder = ReturnType<typeof responseRecorder>;

/** {@link LRO}, reporting the raw responses to `recorder` when there is one. */
export function withRecorder(recorder?: Recorder): LroOptions {
  return recorder === undefined ? LRO : { ...LRO, onResponse: recorder.onResponse };
}

/** The job name in a Site Recovery `Location` header (`.../operationresults/{job}?...`), as Azure PowerShell derives it. */
export function jobNameFromLocation(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  return /\/operationresults\/([^/?]+)/i.exec(location)?.[1];
}

/** The job the first response a recorder saw names (Location: `.../operationresults/{job}`); `""` when it names none. */
export function jobOf(recorder: Recorder): string {
  return jobNameFromLocation(recorder.responses[0]?.headers.get("location") ?? undefined) ?? "";
}

/**
 * Checks the initial response (the first of `responses`) of a Site Recovery operation: 202 with
 * `Azure-AsyncOperation` (`{vault}/replicationOperationStatus/{job}`) and `Location`
 * (`{vault}/operationresults/{job}`) on the host the client called, at {@link ASR_API_VERSION},
 * naming the same job, and `Retry-After` in integer seconds. Returns the job name.
 */
export function acceptedJob(
  t: ExecutionContext,
  env: Pick<LoopbackSiteRecovery, "url" | "subscriptionId">,
  responses: readonly PipelineResponse[],
  what: string,
  at: VaultRef = A2A_NAMES,
): string {
  const response = responses[0];
  if (response === undefined) {
    t.fail(`${what}: onResponse saw no response`);
    return "";
  }
  t.is(response.status, 202, `${what} answers 202 Accepted`);
  t.regex(response.headers.get("x-ms-request-id") ?? "", /^[0-9a-f-]{36}$/i, `${what} carries x-ms-request-id`);
  const vault = vaultPath(env.subscriptionId, at).toLowerCase();
  const link = (header: string, segment: string): string | undefined => {
    const value = response.headers.get(header) ?? "";
    if (!URL.canParse(value)) {
      t.fail(`${what}: ${header} is not an absolute URL: '${value}'`);
      return undefined;
    }
    const url = new URL(value);
    t.is(url.origin, env.url, `${what}: ${header} is on the host the client called`);
    t.is(url.searchParams.get("api-version"), ASR_API_VERSION, `${what}: ${header} carries the api-version`);
    const prefix = `${vault}/${segment}/`;
    t.true(url.pathname.toLowerCase().startsWith(prefix), `${what}: ${header} is ${prefix}{job}: ${url.pathname}`);
    return url.pathname.slice(prefix.length);
  };
  const fromStatus = link("azure-asyncoperation", "replicationoperationstatus");
  const fromLocation = link("location", "operationresults");
  t.is(fromLocation, jobNameFromLocation(response.headers.get("location") ?? undefined));
  t.is(fromStatus, fromLocation, `${what}: both links name the same job`);
  t.regex(response.headers.get("retry-after") ?? "", /^\d+$/, `${what}: Retry-After in integer seconds`);
  return fromLocation ?? "";
}

/** What {@link replayAccepted} saw: the job both links name, the Azure-AsyncOperation link, and the operation's result. */
export interface AcceptedReplay {
  job: string;
  statusLink: string;
  /** What the Location link served; `undefined` (after a failed assertion) when it is not an object. */
  result: Record<string, unknown> | undefined;
}

/**
 * Sends an example's request with fetch (`url` at the example's api-version) and checks the documented
 * 202: no body, `Retry-After`, and `Azure-AsyncOperation` and `Location` absolute, on `host`, at the
 * example's api-version and naming one job. Follows Azure-AsyncOperation to Succeeded (at most 100
 * polls) and reads the Location link, which must serve the result.
 */
export async function replayAccepted(t: ExecutionContext, host: string, example: Example, method: string, url: string, body: unknown): Promise<AcceptedReplay> {
  const apiVersion = stringParameter(example, "api-version");
  const response = await wire(url, method, body);
  t.true(
    String(response.status) in example.responses,
    `answered ${response.status}, the example documents ${Object.keys(example.responses).join(", ")}: ${JSON.stringify(response.json)}`,
  );
  t.is(response.status, 202);
  t.is(response.json, undefined, "a 202 has no body");
  const statusLink = response.headers.get("azure-asyncoperation") ?? "";
  const location = response.headers.get("location") ?? "";
  t.regex(response.headers.get("retry-after") ?? "", /^\d+$/);
  for (const link of [statusLink, location]) {
    t.true(URL.canParse(link), `an absolute link: '${link}'`);
    if (URL.canParse(link)) {
      t.is(new URL(link).origin, host);
      t.is(new URL(link).searchParams.get("api-version"), apiVersion);
    }
  }
  const job = /\/replicationOperationStatus\/([^/?]+)/i.exec(statusLink)?.[1] ?? "";
  t.is(jobNameFromLocation(location), job, "both links name one job");
  let status: Json | undefined;
  for (let poll = 0; poll < 100; poll++) {
    status = (await wire(statusLink, "GET")).json;
    if (!isObject(status) || status.status !== "InProgress") break;
  }
  t.like(status, { name: job, status: "Succeeded" });
  const result = await wire(location, "GET");
  t.is(result.status, 200, "the Location link serves the result");
  if (!isObject(result.json)) {
    t.fail(`the result is not an object: ${JSON.stringify(result.json)}`);
    return { job, statusLink, result: undefined };
  }
  return { job, statusLink, result: result.json };
}

/** Every item of a paged list. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

// ---------------------------------------------------------------- the Hyper-V to Azure setup

/** The names the Hyper-V to Azure setup is created under. */
export interface HyperVNames {
  /** The vault's resource group. */
  resourceGroup: string;
  vault: string;
  /** The Hyper-V site (a fabric). */
  site: string;
  /** The site's protection container. */
  container: string;
  policy: string;
  containerMapping: string;
}

/** The default {@link HyperVNames}: a site `site-onprem` with container `cloud-onprem` in {@link VAULT}. */
export const HYPER_V_NAMES: Readonly<HyperVNames> = {
  resourceGroup: ASR_RG,
  vault: VAULT,
  site: "site-onprem",
  container: "cloud-onprem",
  policy: "policy-hyperv",
  containerMapping: "mapping-onprem-azure",
};

/** The recovery side of a Hyper-V to Azure container mapping. */
export const MICROSOFT_AZURE = "Microsoft Azure";

/** The SDK types no Hyper-V site creation input (AZURE-API.md F.15): the example's `FabricSpecificCreationInput`, cast. */
export const HYPER_V_SITE_INPUT = { properties: { customDetails: { instanceType: "FabricSpecificCreationInput" } } } as unknown as FabricCreationInput;
/** A Hyper-V site's container input, as the example sends it (not in the SDK's union either). */
export const HYPER_V_CONTAINER_INPUT = [
  { instanceType: "ReplicationProviderSpecificContainerCreationInput" },
] as unknown as ReplicationProviderSpecificContainerCreationInputUnion[];
/** A Hyper-V to Azure container mapping's provider input, as the example sends it. */
export const HYPER_V_MAPPING_INPUT = {
  instanceType: "ReplicationProviderSpecificContainerMappingInput",
} as unknown as ReplicationProviderSpecificContainerMappingInputUnion;

/** What {@link buildHyperVReplication} created, as the official clients returned it, and the names it used. */
export interface HyperVReplication {
  names: HyperVNames;
  vault: Vault;
  site: Fabric;
  container: ProtectionContainer;
  policy: Policy;
  containerMapping: ProtectionContainerMapping;
}

/** Options of {@link buildHyperVReplication}. */
export interface HyperVReplicationOptions {
  /** Overrides of the HyperVReplicaAzure policy input (default: 5-minute copy frequency, 24 h of points, app-consistent every 4 hours). */
  policy?: Partial<HyperVReplicaAzurePolicyInput>;
  names?: Partial<HyperVNames>;
}

/** The default HyperVReplicaAzure policy input of the setup. */
export function hyperVPolicyInput(overrides: Partial<HyperVReplicaAzurePolicyInput> = {}): HyperVReplicaAzurePolicyInput {
  return {
    instanceType: "HyperVReplicaAzure",
    recoveryPointHistoryDuration: 24,
    applicationConsistentSnapshotFrequencyInHours: 4,
    replicationInterval: 300,
    ...overrides,
  };
}

/**
 * Builds the Hyper-V to Azure replication through the official clients: the vault (West Europe:
 * Hyper-V VMs replicate to the vault's region), a Hyper-V site, its protection container, a
 * HyperVReplicaAzure policy and the container's mapping to 'Microsoft Azure' under it. Hosts and
 * VMs are then registered through the control surface ({@link registerHyperVVms}).
 */
export async function buildHyperVReplication(env: LoopbackSiteRecovery, options: HyperVReplicationOptions = {}): Promise<HyperVReplication> {
  const names: HyperVNames = { ...HYPER_V_NAMES, ...options.names };
  const vault = await createVault(env, names.vault, names.resourceGroup);
  const site = await env.asr.replicationFabrics.beginCreateAndWait(names.vault, names.resourceGroup, names.site, HYPER_V_SITE_INPUT, LRO);
  const container = await env.asr.replicationProtectionContainers.beginCreateAndWait(
    names.vault,
    names.resourceGroup,
    names.site,
    names.container,
    { properties: { providerSpecificInput: HYPER_V_CONTAINER_INPUT } },
    LRO,
  );
  const policy = await createPolicy(env, names, names.policy, hyperVPolicyInput(options.policy));
  const containerMapping = await createContainerMapping(env, names, [names.site, names.container, names.containerMapping], {
    targetProtectionContainerId: MICROSOFT_AZURE,
    policyId: idOf(policy),
    providerSpecificInput: HYPER_V_MAPPING_INPUT,
  });
  return { names, vault, site, container, policy, containerMapping };
}

/** An on-premises VM as the control surface registers it. */
export interface HyperVVmShape {
  name: string;
  /** Disk sizes in GB, the OS disk first. @default [40] */
  disksGB?: readonly number[];
  churnMBps?: number;
  hotSetPercent?: number;
  cpuCount?: number;
  osType?: "Windows" | "Linux";
}

/**
 * Registers one host of the setup's site with `vms` through the control surface (what the Site
 * Recovery provider on a Hyper-V host does) and returns each VM's protectable item id in the
 * setup's container, by name.
 */
export function registerHyperVVms(env: LoopbackSiteRecovery, setup: HyperVReplication, host: string, vms: readonly HyperVVmShape[]): Record<string, string> {
  const registered = env.emulator.control.registerHyperVHosts({
    fabricId: idOf(setup.site),
    hosts: [
      {
        name: host,
        vms: vms.map((vm) => ({
          name: vm.name,
          disks: (vm.disksGB ?? [40]).map((sizeGB, index) => ({ name: `${vm.name}-disk${index}.vhdx`, sizeGB })),
          ...(vm.churnMBps === undefined ? {} : { churnMBps: vm.churnMBps }),
          ...(vm.hotSetPercent === undefined ? {} : { hotSetPercent: vm.hotSetPercent }),
          ...(vm.cpuCount === undefined ? {} : { cpuCount: vm.cpuCount }),
          ...(vm.osType === undefined ? {} : { osType: vm.osType }),
        })),
      },
    ],
  });
  return Object.fromEntries((registered.hosts[0]?.vms ?? []).map((vm) => [vm.name, `${idOf(setup.container)}/replicationProtectableItems/${vm.id}`]));
}

/** Whether an item's replication details are Hyper-V to Azure ones. */
export function isHyperVItem(details: ReplicationProviderSpecificSettingsUnion | undefined): details is HyperVReplicaAzureReplicationDetails {
  return details?.instanceType === "HyperVReplicaAzure";
}

/** The Hyper-V replication details of an item; fails the test (and returns bare details) for any other provider. */
export function hyperVOf(t: ExecutionContext, item: ReplicationProtectedItem): HyperVReplicaAzureReplicationDetails {
  return providerDetailsOf(t, item, "HyperVReplicaAzure", isHyperVItem);
}
