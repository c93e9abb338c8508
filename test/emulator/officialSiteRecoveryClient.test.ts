// Layer 3 (ARCHITECTURE.md "Tests"): the official @azure/arm-recoveryservices (vaults) and
// @azure/arm-recoveryservices-siterecovery clients, used directly (not through sdk/), against the
// emulator over real loopback HTTP. It checks Site Recovery as those clients see it: every
// operation of the Azure-to-Azure setup, the jobs behind them and their LRO protocol, Azure's
// limits, and the replication behaviour (initial replication, protection, recovery points).
import type {
  A2APolicyDetails,
  AzureFabricSpecificDetails,
  FabricSpecificDetailsUnion,
  HyperVReplicaAzurePolicyDetails,
  Job,
  PolicyProviderSpecificDetailsUnion,
  PolicyProviderSpecificInputUnion,
  RecoveryPoint,
  ReplicationProtectedItem,
  ReplicationProviderSpecificContainerCreationInputUnion,
} from "@azure/arm-recoveryservices-siterecovery";
import type { PipelineResponse } from "@azure/core-rest-pipeline";
import test, { type ExecutionContext } from "ava";
import {
  a2aOf,
  a2aPolicyInput,
  acceptedJob,
  ASR_API_VERSION,
  ASR_RG,
  AZURE_NETWORK,
  buildA2aSetup,
  collect,
  CONTAINER_MAPPING,
  createA2aContainer,
  createAzureFabric,
  createProtectableVm,
  createVault,
  enableInput,
  enableProtection,
  idOf,
  loopbackSiteRecovery,
  LRO,
  NETWORK_MAPPING,
  POLICY,
  PRIMARY_CONTAINER,
  PRIMARY_FABRIC,
  PRIMARY_REGION,
  RECOVERY_CONTAINER,
  RECOVERY_FABRIC,
  RECOVERY_REGION,
  RECOVERY_RG,
  refused,
  resourceGroupId,
  responseRecorder,
  storageAccountId,
  VAULT,
  vaultPath,
  virtualNetworkId,
  VM_RG,
  withRecorder,
  type A2aSetup,
  type EnableOptions,
  type LoopbackSiteRecovery,
  type LroOptions,
} from "../helpers/loopbackSiteRecovery.js";

const ITEM = "item-app-0";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const GIB = 1024 * 1024 * 1024;

// ---------------------------------------------------------------- helpers

function isAzureFabric(details: FabricSpecificDetailsUnion | undefined): details is AzureFabricSpecificDetails {
  return details?.instanceType === "Azure";
}

function isA2aPolicy(details: PolicyProviderSpecificDetailsUnion | undefined): details is A2APolicyDetails {
  return details?.instanceType === "A2A";
}

function isHyperVPolicy(details: PolicyProviderSpecificDetailsUnion | undefined): details is HyperVReplicaAzurePolicyDetails {
  return details?.instanceType === "HyperVReplicaAzure";
}

/** Enables replication of `vm` (by default the setup's) as item `name` under the setup's mapping and waits for the enable job. */
function enable(
  env: LoopbackSiteRecovery,
  setup: A2aSetup,
  name: string,
  vm = setup.vm,
  options: EnableOptions = {},
  operationOptions: LroOptions = LRO,
): Promise<ReplicationProtectedItem> {
  return enableProtection(env, setup, name, vm, options, operationOptions);
}

function getItem(env: LoopbackSiteRecovery, name: string = ITEM): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, name);
}

function advanceTo(env: LoopbackSiteRecovery, at: number): void {
  const now = env.emulator.control.now().getTime();
  if (at > now) env.emulator.control.advanceClock(at - now);
}

function endTimeOf(t: ExecutionContext, job: Job): number {
  const end = job.properties?.endTime;
  if (!(end instanceof Date)) {
    t.fail(`job ${String(job.name)} has no end time`);
    return 0;
  }
  return end.getTime();
}

function timeOf(point: RecoveryPoint): number {
  return point.properties?.recoveryPointTime?.getTime() ?? Number.NaN;
}

function gaps(times: readonly number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((time, index) => time - (sorted[index] as number));
}

// ---------------------------------------------------------------- vaults

test("a vault is created, read, listed by resource group and deleted once it holds no fabric", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const vault = await createVault(env);
  t.is(vault.name, VAULT);
  t.is(vault.type, "Microsoft.RecoveryServices/vaults");
  t.is(vault.location, PRIMARY_REGION);
  t.is(vault.sku?.name, "Standard");
  t.is(vault.properties?.provisioningState, "Succeeded");
  t.is(vault.id?.toLowerCase(), vaultPath(env.subscriptionId).toLowerCase());

  t.deepEqual(await env.vaults.vaults.get(ASR_RG, VAULT), vault);
  await createVault(env, "vault-other", "rg-other");
  t.deepEqual(
    (await collect(env.vaults.vaults.listByResourceGroup(ASR_RG))).map((v) => v.name),
    [VAULT],
  );

  await createAzureFabric(env, PRIMARY_FABRIC, PRIMARY_REGION);
  await refused(t, env.vaults.vaults.beginDeleteAndWait(ASR_RG, VAULT, LRO), 400, "ServiceResourceNotEmpty");
  t.is((await env.vaults.vaults.get(ASR_RG, VAULT)).name, VAULT, "a refused delete leaves the vault");

  await env.asr.replicationFabrics.beginDeleteAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, LRO);
  await env.vaults.vaults.beginDeleteAndWait(ASR_RG, VAULT, LRO);
  await refused(t, env.vaults.vaults.get(ASR_RG, VAULT), 404);
  t.deepEqual(await collect(env.vaults.vaults.listByResourceGroup(ASR_RG)), []);
});

// ---------------------------------------------------------------- fabrics

test("azure fabrics are created per region, read, listed, removed with post /remove and purged", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  const primary = await createAzureFabric(env, PRIMARY_FABRIC, PRIMARY_REGION);
  t.is(primary.name, PRIMARY_FABRIC);
  t.is(primary.type, "Microsoft.RecoveryServices/vaults/replicationFabrics");
  t.is(primary.id?.toLowerCase(), `${vaultPath(env.subscriptionId)}/replicationFabrics/${PRIMARY_FABRIC}`.toLowerCase());
  const custom = primary.properties?.customDetails;
  t.true(isAzureFabric(custom), "an A2A fabric has Azure details");
  if (isAzureFabric(custom)) t.is(custom.location, PRIMARY_REGION);
  t.is(primary.properties?.health, "Normal");
  await createAzureFabric(env, RECOVERY_FABRIC, RECOVERY_REGION);

  t.deepEqual(await env.asr.replicationFabrics.get(VAULT, ASR_RG, PRIMARY_FABRIC), primary);
  t.deepEqual((await collect(env.asr.replicationFabrics.list(VAULT, ASR_RG))).map((f) => f.name).sort(), [RECOVERY_FABRIC, PRIMARY_FABRIC].sort());

  const again = await createAzureFabric(env, PRIMARY_FABRIC, PRIMARY_REGION);
  t.is(again.properties?.internalIdentifier, primary.properties?.internalIdentifier, "creating the same fabric again is idempotent");
  await refused(t, createAzureFabric(env, "fabric-westeurope-2", PRIMARY_REGION), 409);
  t.is((await collect(env.asr.replicationFabrics.list(VAULT, ASR_RG))).length, 2, "a refused fabric is not created");

  const removePath = `${vaultPath(env.subscriptionId)}/replicationFabrics/${RECOVERY_FABRIC}/remove`;
  await env.asr.replicationFabrics.beginDeleteAndWait(VAULT, ASR_RG, RECOVERY_FABRIC, LRO);
  t.is(env.requests.count("POST", removePath), 1, "beginDelete is POST /remove");
  await refused(t, env.asr.replicationFabrics.get(VAULT, ASR_RG, RECOVERY_FABRIC), 404);

  await createA2aContainer(env, PRIMARY_FABRIC, PRIMARY_CONTAINER);
  await refused(t, env.asr.replicationFabrics.beginDeleteAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, LRO), 400, "FabricHasProtectionContainers");
  await env.asr.replicationFabrics.beginPurgeAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, LRO);
  t.is(env.requests.count("DELETE", `${vaultPath(env.subscriptionId)}/replicationFabrics/${PRIMARY_FABRIC}`), 1, "beginPurge is DELETE");
  await refused(t, env.asr.replicationFabrics.get(VAULT, ASR_RG, PRIMARY_FABRIC), 404);
  t.deepEqual(await collect(env.asr.replicationProtectionContainers.list(VAULT, ASR_RG)), [], "purging a fabric removes its containers");
  t.deepEqual(await collect(env.asr.replicationFabrics.list(VAULT, ASR_RG)), []);
});

// ---------------------------------------------------------------- containers

test("protection containers are created in a fabric, read, listed per fabric and per vault, and removed", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  await createAzureFabric(env, PRIMARY_FABRIC, PRIMARY_REGION);
  await createAzureFabric(env, RECOVERY_FABRIC, RECOVERY_REGION);
  const container = await createA2aContainer(env, PRIMARY_FABRIC, PRIMARY_CONTAINER);
  t.is(container.name, PRIMARY_CONTAINER);
  t.is(container.type, "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers");
  t.is(container.properties?.fabricFriendlyName, PRIMARY_FABRIC);
  t.is(container.properties?.fabricType, "Azure");
  t.is(container.properties?.pairingStatus, "NotPaired");
  t.is(container.properties?.protectedItemCount, 0);
  await createA2aContainer(env, RECOVERY_FABRIC, RECOVERY_CONTAINER);

  t.deepEqual(await env.asr.replicationProtectionContainers.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER), container);
  t.deepEqual(
    (await collect(env.asr.replicationProtectionContainers.listByReplicationFabrics(VAULT, ASR_RG, PRIMARY_FABRIC))).map((c) => c.name),
    [PRIMARY_CONTAINER],
  );
  t.deepEqual(
    (await collect(env.asr.replicationProtectionContainers.list(VAULT, ASR_RG))).map((c) => c.name).sort(),
    [RECOVERY_CONTAINER, PRIMARY_CONTAINER].sort(),
  );

  const hyperV = [{ instanceType: "ReplicationProviderSpecificContainerCreationInput" }] as unknown as ReplicationProviderSpecificContainerCreationInputUnion[];
  await refused(
    t,
    env.asr.replicationProtectionContainers.beginCreateAndWait(
      VAULT,
      ASR_RG,
      PRIMARY_FABRIC,
      "container-hyperv",
      { properties: { providerSpecificInput: hyperV } },
      LRO,
    ),
    400,
  );

  await env.asr.replicationProtectionContainers.beginDeleteAndWait(VAULT, ASR_RG, RECOVERY_FABRIC, RECOVERY_CONTAINER, LRO);
  t.is(
    env.requests.count(
      "POST",
      `${vaultPath(env.subscriptionId)}/replicationFabrics/${RECOVERY_FABRIC}/replicationProtectionContainers/${RECOVERY_CONTAINER}/remove`,
    ),
    1,
  );
  await refused(t, env.asr.replicationProtectionContainers.get(VAULT, ASR_RG, RECOVERY_FABRIC, RECOVERY_CONTAINER), 404);
  t.deepEqual(
    (await collect(env.asr.replicationProtectionContainers.list(VAULT, ASR_RG))).map((c) => c.name),
    [PRIMARY_CONTAINER],
  );
});

// ---------------------------------------------------------------- policies

test("a2a policies are created, read, listed, updated and deleted", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  const policy = await env.asr.replicationPolicies.beginCreateAndWait(VAULT, ASR_RG, POLICY, { properties: { providerSpecificInput: a2aPolicyInput() } }, LRO);
  t.is(policy.name, POLICY);
  t.is(policy.type, "Microsoft.RecoveryServices/vaults/replicationPolicies");
  t.is(policy.properties?.friendlyName, POLICY);
  const details = policy.properties?.providerSpecificDetails;
  t.true(isA2aPolicy(details));
  if (isA2aPolicy(details)) {
    t.is(details.recoveryPointHistory, 1440);
    t.is(details.crashConsistentFrequencyInMinutes, 5);
    t.is(details.appConsistentFrequencyInMinutes, 240);
    t.is(details.multiVmSyncStatus, "Enabled");
  }
  t.deepEqual(await env.asr.replicationPolicies.get(VAULT, ASR_RG, POLICY), policy);
  await env.asr.replicationPolicies.beginCreateAndWait(VAULT, ASR_RG, "policy-other", { properties: { providerSpecificInput: a2aPolicyInput() } }, LRO);
  t.deepEqual((await collect(env.asr.replicationPolicies.list(VAULT, ASR_RG))).map((p) => p.name).sort(), ["policy-other", POLICY].sort());

  const updated = await env.asr.replicationPolicies.beginUpdateAndWait(
    VAULT,
    ASR_RG,
    POLICY,
    {
      properties: {
        replicationProviderSettings: a2aPolicyInput({ recoveryPointHistory: 2880, appConsistentFrequencyInMinutes: 60, multiVmSyncStatus: "Disable" }),
      },
    },
    LRO,
  );
  const after = updated.properties?.providerSpecificDetails;
  t.true(isA2aPolicy(after));
  if (isA2aPolicy(after)) {
    t.is(after.recoveryPointHistory, 2880);
    t.is(after.appConsistentFrequencyInMinutes, 60);
    t.is(after.multiVmSyncStatus, "Disabled");
  }
  t.deepEqual(await env.asr.replicationPolicies.get(VAULT, ASR_RG, POLICY), updated);

  await env.asr.replicationPolicies.beginDeleteAndWait(VAULT, ASR_RG, POLICY, LRO);
  t.is(env.requests.count("DELETE", `${vaultPath(env.subscriptionId)}/replicationPolicies/${POLICY}`), 1, "a policy's beginDelete is DELETE");
  await refused(t, env.asr.replicationPolicies.get(VAULT, ASR_RG, POLICY), 404);
  t.deepEqual(
    (await collect(env.asr.replicationPolicies.list(VAULT, ASR_RG))).map((p) => p.name),
    ["policy-other"],
  );
});

test("a2a policy limits: app-consistent 0 or at least 60 minutes and within the retention, crash-consistent 5, retention up to 15 days", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  const create = (name: string, input: PolicyProviderSpecificInputUnion): Promise<unknown> =>
    env.asr.replicationPolicies.beginCreateAndWait(VAULT, ASR_RG, name, { properties: { providerSpecificInput: input } }, LRO);

  await refused(t, create("p-app-30", a2aPolicyInput({ appConsistentFrequencyInMinutes: 30 })), 400, "InvalidPolicyInput");
  await refused(t, create("p-app-over", a2aPolicyInput({ recoveryPointHistory: 120, appConsistentFrequencyInMinutes: 180 })), 400, "InvalidPolicyInput");
  await refused(t, create("p-crash-10", a2aPolicyInput({ crashConsistentFrequencyInMinutes: 10 })), 400, "InvalidPolicyInput");
  await refused(t, create("p-history-long", a2aPolicyInput({ recoveryPointHistory: 21_601 })), 400, "InvalidPolicyInput");
  t.deepEqual(await collect(env.asr.replicationPolicies.list(VAULT, ASR_RG)), [], "refused policies are not created");

  await t.notThrowsAsync(create("p-app-0", a2aPolicyInput({ appConsistentFrequencyInMinutes: 0 })));
  await t.notThrowsAsync(create("p-app-60", a2aPolicyInput({ appConsistentFrequencyInMinutes: 60 })));
  await t.notThrowsAsync(create("p-app-720", a2aPolicyInput({ appConsistentFrequencyInMinutes: 720 })));
  await t.notThrowsAsync(create("p-history-max", a2aPolicyInput({ recoveryPointHistory: 21_600 })));
  t.is((await collect(env.asr.replicationPolicies.list(VAULT, ASR_RG))).length, 4);
});

test("an a2a policy without multiVmSyncStatus is refused by the client's serializer and, sent raw, by the emulator", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  const policyPath = `${vaultPath(env.subscriptionId)}/replicationPolicies/p-no-sync`;
  const withoutSync = { instanceType: "A2A", recoveryPointHistory: 1440, crashConsistentFrequencyInMinutes: 5, appConsistentFrequencyInMinutes: 0 };
  const error = await t.throwsAsync(
    env.asr.replicationPolicies.beginCreateAndWait(
      VAULT,
      ASR_RG,
      "p-no-sync",
      { properties: { providerSpecificInput: withoutSync as unknown as PolicyProviderSpecificInputUnion } },
      LRO,
    ),
  );
  t.regex(error?.message ?? "", /multiVmSyncStatus/);
  t.is(env.requests.count("PUT", policyPath), 0, "the client refuses before sending");

  const raw = await fetch(`${env.url}${policyPath}?api-version=${ASR_API_VERSION}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ properties: { providerSpecificInput: withoutSync } }),
  });
  t.is(raw.status, 400);
  const body: unknown = await raw.json();
  t.like(body, { error: { code: "InvalidPolicyInput" } });
});

test("hyper-v replica azure policies accept only 30, 300 and 900 second replication intervals", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  for (const interval of [30, 300, 900]) {
    const policy = await env.asr.replicationPolicies.beginCreateAndWait(
      VAULT,
      ASR_RG,
      `p-hv-${interval}`,
      { properties: { providerSpecificInput: { instanceType: "HyperVReplicaAzure", replicationInterval: interval, recoveryPointHistoryDuration: 24 } } },
      LRO,
    );
    const details = policy.properties?.providerSpecificDetails;
    t.true(isHyperVPolicy(details));
    if (isHyperVPolicy(details)) {
      t.is(details.replicationInterval, interval);
      t.is(details.recoveryPointHistoryDurationInHours, 24);
    }
  }
  for (const interval of [60, 600]) {
    await refused(
      t,
      env.asr.replicationPolicies.beginCreateAndWait(
        VAULT,
        ASR_RG,
        `p-hv-${interval}`,
        { properties: { providerSpecificInput: { instanceType: "HyperVReplicaAzure", replicationInterval: interval } } },
        LRO,
      ),
      400,
      "InvalidPolicyInput",
    );
  }
  t.is((await collect(env.asr.replicationPolicies.list(VAULT, ASR_RG))).length, 3);
});

// ---------------------------------------------------------------- container mappings

test("container mappings pair the regions' containers, are read, listed, updated, removed and purged, and hold their policy", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  const mapping = setup.containerMapping;
  t.is(mapping.name, CONTAINER_MAPPING);
  t.is(mapping.type, "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings");
  t.is(mapping.properties?.state, "Paired");
  t.is(mapping.properties?.targetProtectionContainerId?.toLowerCase(), setup.recoveryContainer.id?.toLowerCase());
  t.is(mapping.properties?.policyId?.toLowerCase(), setup.policy.id?.toLowerCase());
  t.is(mapping.properties?.policyFriendlyName, POLICY);
  t.is(mapping.properties?.sourceFabricFriendlyName, PRIMARY_FABRIC);
  t.is(mapping.properties?.targetFabricFriendlyName, RECOVERY_FABRIC);
  t.is(mapping.properties?.providerSpecificDetails?.instanceType, "A2A");
  for (const [fabric, container] of [
    [PRIMARY_FABRIC, PRIMARY_CONTAINER],
    [RECOVERY_FABRIC, RECOVERY_CONTAINER],
  ] as const) {
    t.is((await env.asr.replicationProtectionContainers.get(VAULT, ASR_RG, fabric, container)).properties?.pairingStatus, "Paired", `${container} is paired`);
  }

  t.deepEqual(await env.asr.replicationProtectionContainerMappings.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, CONTAINER_MAPPING), mapping);
  t.deepEqual(
    (await collect(env.asr.replicationProtectionContainerMappings.listByReplicationProtectionContainers(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER))).map(
      (m) => m.name,
    ),
    [CONTAINER_MAPPING],
  );
  t.deepEqual(
    (await collect(env.asr.replicationProtectionContainerMappings.list(VAULT, ASR_RG))).map((m) => m.name),
    [CONTAINER_MAPPING],
  );

  const updated = await env.asr.replicationProtectionContainerMappings.beginUpdateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    CONTAINER_MAPPING,
    { properties: { providerSpecificInput: { instanceType: "A2A", agentAutoUpdateStatus: "Enabled" } } },
    LRO,
  );
  t.like(updated.properties?.providerSpecificDetails, { instanceType: "A2A", agentAutoUpdateStatus: "Enabled" });

  await refused(t, env.asr.replicationPolicies.beginDeleteAndWait(VAULT, ASR_RG, POLICY, LRO), 400, "PolicyInUse");
  await refused(t, env.asr.replicationProtectionContainers.beginDeleteAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, LRO), 400);
  await refused(
    t,
    env.asr.replicationProtectionContainerMappings.beginCreateAndWait(
      VAULT,
      ASR_RG,
      PRIMARY_FABRIC,
      PRIMARY_CONTAINER,
      "mapping-duplicate",
      {
        properties: {
          targetProtectionContainerId: idOf(setup.recoveryContainer),
          policyId: idOf(setup.policy),
          providerSpecificInput: { instanceType: "A2A" },
        },
      },
      LRO,
    ),
    409,
  );

  const mappingPath = `${vaultPath(env.subscriptionId)}/replicationFabrics/${PRIMARY_FABRIC}/replicationProtectionContainers/${PRIMARY_CONTAINER}/replicationProtectionContainerMappings/${CONTAINER_MAPPING}`;
  await env.asr.replicationProtectionContainerMappings.beginDeleteAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    CONTAINER_MAPPING,
    { properties: { providerSpecificInput: { instanceType: "A2A" } } },
    LRO,
  );
  t.is(env.requests.count("POST", `${mappingPath}/remove`), 1, "beginDelete is POST /remove");
  await refused(t, env.asr.replicationProtectionContainerMappings.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, CONTAINER_MAPPING), 404);

  await env.asr.replicationProtectionContainerMappings.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    CONTAINER_MAPPING,
    {
      properties: { targetProtectionContainerId: idOf(setup.recoveryContainer), policyId: idOf(setup.policy), providerSpecificInput: { instanceType: "A2A" } },
    },
    LRO,
  );
  await env.asr.replicationProtectionContainerMappings.beginPurgeAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, CONTAINER_MAPPING, LRO);
  t.is(env.requests.count("DELETE", mappingPath), 1, "beginPurge is DELETE");
  t.deepEqual(await collect(env.asr.replicationProtectionContainerMappings.list(VAULT, ASR_RG)), []);

  await env.asr.replicationPolicies.beginDeleteAndWait(VAULT, ASR_RG, POLICY, LRO);
  await refused(t, env.asr.replicationPolicies.get(VAULT, ASR_RG, POLICY), 404);
});

// ---------------------------------------------------------------- networks

test("replication networks list the azureNetwork of each azure fabric, and network mappings are created, read, listed, updated and deleted", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  const networks = await collect(env.asr.replicationNetworks.listByReplicationFabrics(VAULT, ASR_RG, PRIMARY_FABRIC));
  t.deepEqual(
    networks.map((n) => n.name),
    [AZURE_NETWORK],
  );
  t.is(networks[0]?.type, "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks");
  t.is(networks[0]?.properties?.fabricType, "Azure");
  t.deepEqual(await env.asr.replicationNetworks.get(VAULT, ASR_RG, PRIMARY_FABRIC, AZURE_NETWORK), networks[0]);
  t.is((await collect(env.asr.replicationNetworks.list(VAULT, ASR_RG))).length, 2, "one per Azure fabric");

  const mapping = setup.networkMapping;
  t.is(mapping.name, NETWORK_MAPPING);
  t.is(mapping.type, "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks/replicationNetworkMappings");
  t.is(mapping.properties?.state, "Paired");
  t.is(mapping.properties?.primaryNetworkId, virtualNetworkId("vnet-westeurope", VM_RG, env.subscriptionId));
  t.is(mapping.properties?.recoveryNetworkId, virtualNetworkId("vnet-northeurope", RECOVERY_RG, env.subscriptionId));
  t.is(mapping.properties?.recoveryFabricFriendlyName, RECOVERY_FABRIC);
  t.like(mapping.properties?.fabricSpecificSettings, {
    instanceType: "AzureToAzure",
    primaryFabricLocation: PRIMARY_REGION,
    recoveryFabricLocation: RECOVERY_REGION,
  });

  t.deepEqual(await env.asr.replicationNetworkMappings.get(VAULT, ASR_RG, PRIMARY_FABRIC, AZURE_NETWORK, NETWORK_MAPPING), mapping);
  t.deepEqual(
    (await collect(env.asr.replicationNetworkMappings.listByReplicationNetworks(VAULT, ASR_RG, PRIMARY_FABRIC, AZURE_NETWORK))).map((m) => m.name),
    [NETWORK_MAPPING],
  );
  t.deepEqual(
    (await collect(env.asr.replicationNetworkMappings.list(VAULT, ASR_RG))).map((m) => m.name),
    [NETWORK_MAPPING],
  );

  const newTarget = virtualNetworkId("vnet-northeurope-2", RECOVERY_RG, env.subscriptionId);
  const updated = await env.asr.replicationNetworkMappings.beginUpdateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    AZURE_NETWORK,
    NETWORK_MAPPING,
    {
      properties: {
        recoveryFabricName: RECOVERY_FABRIC,
        recoveryNetworkId: newTarget,
        fabricSpecificDetails: { instanceType: "AzureToAzure", primaryNetworkId: mapping.properties?.primaryNetworkId ?? "" },
      },
    },
    LRO,
  );
  t.is(updated.properties?.recoveryNetworkId, newTarget);
  t.is(updated.properties?.recoveryNetworkFriendlyName, "vnet-northeurope-2");
  t.deepEqual(await env.asr.replicationNetworkMappings.get(VAULT, ASR_RG, PRIMARY_FABRIC, AZURE_NETWORK, NETWORK_MAPPING), updated);

  await env.asr.replicationNetworkMappings.beginDeleteAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, AZURE_NETWORK, NETWORK_MAPPING, LRO);
  t.is(
    env.requests.count(
      "DELETE",
      `${vaultPath(env.subscriptionId)}/replicationFabrics/${PRIMARY_FABRIC}/replicationNetworks/${AZURE_NETWORK}/replicationNetworkMappings/${NETWORK_MAPPING}`,
    ),
    1,
    "a network mapping's beginDelete is DELETE",
  );
  await refused(t, env.asr.replicationNetworkMappings.get(VAULT, ASR_RG, PRIMARY_FABRIC, AZURE_NETWORK, NETWORK_MAPPING), 404);
  t.deepEqual(await collect(env.asr.replicationNetworkMappings.list(VAULT, ASR_RG)), []);
});

// ---------------------------------------------------------------- jobs and the lro protocol

test("every operation answers 202 with azure-asyncoperation, location and retry-after naming a job the client can read", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  const seen: { what: string; scenario: string; responses: PipelineResponse[] }[] = [];
  const recorded = (what: string, scenario: string): LroOptions => {
    const recorder = responseRecorder();
    seen.push({ what, scenario, responses: recorder.responses });
    return withRecorder(recorder);
  };
  const fabric = await env.asr.replicationFabrics.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    { properties: { customDetails: { instanceType: "Azure", location: PRIMARY_REGION } } },
    recorded("fabric create", "CreateFabric"),
  );
  t.is(fabric.name, PRIMARY_FABRIC, "the fabric create poller completes with the fabric");
  const container = await env.asr.replicationProtectionContainers.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    { properties: { providerSpecificInput: [{ instanceType: "A2A" }] } },
    recorded("container create", "CreateProtectionContainer"),
  );
  t.is(container.name, PRIMARY_CONTAINER);
  const policy = await env.asr.replicationPolicies.beginCreateAndWait(
    VAULT,
    ASR_RG,
    POLICY,
    { properties: { providerSpecificInput: a2aPolicyInput() } },
    recorded("policy create", "AddProtectionProfile"),
  );
  t.is(policy.name, POLICY);
  const updated = await env.asr.replicationPolicies.beginUpdateAndWait(
    VAULT,
    ASR_RG,
    POLICY,
    { properties: { replicationProviderSettings: a2aPolicyInput({ appConsistentFrequencyInMinutes: 60 }) } },
    recorded("policy update", "UpdateProtectionProfile"),
  );
  t.is(updated.name, POLICY, "a PATCH's final GET (the Location link) serves the policy");
  await env.asr.replicationPolicies.beginDeleteAndWait(VAULT, ASR_RG, POLICY, recorded("policy delete", "RemoveProtectionProfile"));
  await env.asr.replicationProtectionContainers.beginDeleteAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    recorded("container remove", "RemoveProtectionContainer"),
  );
  await env.asr.replicationFabrics.beginDeleteAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, recorded("fabric remove", "RemoveFabric"));

  const jobs = new Set<string>();
  for (const { what, scenario, responses } of seen) {
    const name = acceptedJob(t, env, responses, what);
    jobs.add(name);
    const job = await env.asr.replicationJobs.get(VAULT, ASR_RG, name);
    t.is(job.name, name, `${what}: the Location's operationresults segment names a job`);
    t.is(job.type, "Microsoft.RecoveryServices/vaults/replicationJobs");
    t.is(job.properties?.scenarioName, scenario);
    t.is(job.properties?.state, "Succeeded", `${what}: the job succeeded`);
    t.is(job.properties?.stateDescription, "Completed");
    t.deepEqual(job.properties?.allowedActions, []);
    t.deepEqual(job.properties?.errors, []);
    t.true(job.properties?.startTime instanceof Date && job.properties.endTime instanceof Date && job.properties.endTime >= job.properties.startTime);
    t.true((job.properties?.tasks ?? []).length > 0);
    t.true(
      (job.properties?.tasks ?? []).every((task) => task.state === "Succeeded"),
      `${what}: every task succeeded`,
    );
    const polls = responses.filter((r) => r.request.method === "GET" && /\/replicationOperationStatus\//i.test(r.request.url));
    t.true(polls.length > 0, `${what}: the poller followed Azure-AsyncOperation`);
  }
  t.is(jobs.size, seen.length, "every operation runs its own job");
});

test("jobs are listed newest first and read by name", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await buildA2aSetup(env);
  const jobs = await collect(env.asr.replicationJobs.list(VAULT, ASR_RG));
  t.deepEqual(
    jobs.map((j) => j.properties?.scenarioName),
    ["MapNetwork", "ConfigureProtection", "AddProtectionProfile", "CreateProtectionContainer", "CreateProtectionContainer", "CreateFabric", "CreateFabric"],
  );
  const starts = jobs.map((j) => j.properties?.startTime?.getTime() ?? 0);
  t.deepEqual(
    starts,
    [...starts].sort((a, b) => b - a),
  );
  for (const job of jobs) {
    t.deepEqual(await env.asr.replicationJobs.get(VAULT, ASR_RG, job.name ?? ""), job);
  }
  await refused(t, env.asr.replicationJobs.get(VAULT, ASR_RG, "00000000-0000-0000-0000-00000000dead"), 404);
});

test("a failed job surfaces as a failed operation, shows failed with its error, and is restarted", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  env.emulator.control.addFault({ match: { operationId: "ReplicationPolicies_Create" }, effect: { type: "operationFailure", code: "X" }, times: 1 });
  const recorder = responseRecorder();
  const error = await t.throwsAsync(
    env.asr.replicationPolicies.beginCreateAndWait(VAULT, ASR_RG, POLICY, { properties: { providerSpecificInput: a2aPolicyInput() } }, withRecorder(recorder)),
  );
  t.regex(error?.message ?? "", /failed/i);
  t.regex(error?.message ?? "", /\bX\b/, "the failure names the job's error code");
  const name = acceptedJob(t, env, recorder.responses, "policy create");

  const failed = await env.asr.replicationJobs.get(VAULT, ASR_RG, name);
  t.is(failed.properties?.state, "Failed");
  t.deepEqual(failed.properties?.allowedActions, ["Restart"]);
  t.is(failed.properties?.errors?.[0]?.serviceErrorDetails?.code, "X");
  t.true(
    (failed.properties?.tasks ?? []).some((task) => task.state === "Failed"),
    "a task shows the failure",
  );
  await refused(t, env.asr.replicationPolicies.get(VAULT, ASR_RG, POLICY), 404);

  const restarted = await env.asr.replicationJobs.beginRestartAndWait(VAULT, ASR_RG, name, LRO);
  t.is(restarted.name, name, "restart answers with the job");
  env.emulator.control.advanceClock(HOUR);
  const done = await env.asr.replicationJobs.get(VAULT, ASR_RG, name);
  t.is(done.properties?.state, "Succeeded", "the restarted job runs to success");
  t.deepEqual(done.properties?.errors, []);
  t.is((await env.asr.replicationPolicies.get(VAULT, ASR_RG, POLICY)).name, POLICY, "the restarted job created the policy");
  await refused(t, env.asr.replicationJobs.beginRestartAndWait(VAULT, ASR_RG, name, LRO), 400, "JobActionNotAllowed");
});

test("a running enable-replication job is cancelled: the job shows cancelled, its poller ends as canceled and no item is left", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  const recorder = responseRecorder();
  const poller = await env.asr.replicationProtectedItems.beginCreate(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    enableInput(setup, setup.vm, {}, env.subscriptionId),
    withRecorder(recorder),
  );
  t.false(poller.isDone(), "enabling replication takes several polls");
  const name = acceptedJob(t, env, recorder.responses, "enable replication");
  const running = await env.asr.replicationJobs.get(VAULT, ASR_RG, name);
  t.is(running.properties?.state, "InProgress");
  t.deepEqual(running.properties?.allowedActions, ["Cancel"]);
  t.is(running.properties?.scenarioName, "EnableDr");

  const cancelled = await env.asr.replicationJobs.beginCancelAndWait(VAULT, ASR_RG, name, LRO);
  t.is(cancelled.name, name);
  t.is(cancelled.properties?.state, "Cancelled");
  const read = await env.asr.replicationJobs.get(VAULT, ASR_RG, name);
  t.is(read.properties?.state, "Cancelled");
  t.deepEqual(read.properties?.allowedActions, []);
  t.true(read.properties?.endTime instanceof Date);
  await t.throwsAsync(poller.pollUntilDone(), { message: /cancel/i }, "the enable poller ends as canceled");
  await refused(t, env.asr.replicationJobs.beginCancelAndWait(VAULT, ASR_RG, name, LRO), 400, "JobActionNotAllowed");
  await refused(t, env.asr.replicationProtectedItems.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM), 404);
  const again = await env.asr.replicationProtectedItems.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    `${ITEM}-2`,
    enableInput(setup, setup.vm, {}, env.subscriptionId),
    LRO,
  );
  t.is(again.name, `${ITEM}-2`, "the VM can be protected again after the cancel");
});

test("a cancelled disable leaves the item as it was, and it can still be disabled", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  await env.asr.replicationProtectedItems.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    enableInput(setup, setup.vm, {}, env.subscriptionId),
    LRO,
  );
  const recorder = responseRecorder();
  await env.asr.replicationProtectedItems.beginDelete(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    { properties: { disableProtectionReason: "NotSpecified" } },
    withRecorder(recorder),
  );
  const name = acceptedJob(t, env, recorder.responses, "disable replication");
  await env.asr.replicationJobs.beginCancelAndWait(VAULT, ASR_RG, name, LRO);
  const item = await env.asr.replicationProtectedItems.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM);
  t.is(item.properties?.protectionStateDescription, "Initial replication in progress");
  t.deepEqual(item.properties?.allowedOperations, ["DisableProtection"]);
  await env.asr.replicationProtectedItems.beginDeleteAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    { properties: { disableProtectionReason: "NotSpecified" } },
    LRO,
  );
  await refused(t, env.asr.replicationProtectedItems.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM), 404);
});

test("resume is refused for a job that is not suspended", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await createVault(env);
  const recorder = responseRecorder();
  await env.asr.replicationFabrics.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    { properties: { customDetails: { instanceType: "Azure", location: PRIMARY_REGION } } },
    withRecorder(recorder),
  );
  const name = acceptedJob(t, env, recorder.responses, "fabric create");
  await refused(t, env.asr.replicationJobs.beginResumeAndWait(VAULT, ASR_RG, name, { properties: { comments: "resume" } }, LRO), 400, "JobActionNotAllowed");
  t.is((await env.asr.replicationJobs.get(VAULT, ASR_RG, name)).properties?.state, "Succeeded", "a refused resume leaves the job");
});

// ---------------------------------------------------------------- replication

test("enabling replication runs initial replication whose progress follows the clock, disk size and bandwidth, then protects the vm", async (t) => {
  const env = await loopbackSiteRecovery(t, { replicationBandwidthMBps: 64 });
  const setup = await buildA2aSetup(env, { vm: { osDiskSizeGB: 64 } });
  const recorder = responseRecorder();
  const enabled = await enable(env, setup, ITEM, setup.vm, {}, withRecorder(recorder));
  const jobName = acceptedJob(t, env, recorder.responses, "enable replication");
  const job = await env.asr.replicationJobs.get(VAULT, ASR_RG, jobName);
  t.is(job.properties?.scenarioName, "EnableDr");
  t.is(job.properties?.state, "Succeeded");
  const start = endTimeOf(t, job);
  // 64 GiB at 64 MB/s: 1,024 s of initial replication after the enable job.
  const end = start + 1_024_000;

  t.is(enabled.name, ITEM);
  t.is(enabled.type, "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems");
  t.is(enabled.properties?.protectionState, "UnprotectedStatesBegin");
  t.is(enabled.properties?.friendlyName, setup.vm.name);
  t.is(enabled.properties?.policyId?.toLowerCase(), setup.policy.id?.toLowerCase());
  t.is(enabled.properties?.recoveryContainerId?.toLowerCase(), setup.recoveryContainer.id?.toLowerCase());
  t.is(enabled.properties?.primaryFabricFriendlyName, PRIMARY_FABRIC);
  t.is(enabled.properties?.recoveryFabricFriendlyName, RECOVERY_FABRIC);
  t.deepEqual(enabled.properties?.allowedOperations, ["DisableProtection"]);
  const details = a2aOf(t, enabled);
  t.is(details.fabricObjectId?.toLowerCase(), setup.vm.id?.toLowerCase());
  t.is(details.primaryFabricLocation, PRIMARY_REGION);
  t.is(details.recoveryFabricLocation, RECOVERY_REGION);
  t.is(details.monitoringJobType, "InitialReplication");
  t.is(details.monitoringPercentageCompletion, 0);
  t.is(details.recoveryAzureResourceGroupId, resourceGroupId(RECOVERY_RG, env.subscriptionId));
  t.deepEqual(
    details.protectedManagedDisks?.map((d) => [d.diskId?.toLowerCase(), d.diskCapacityInBytes, d.primaryStagingAzureStorageAccountId]),
    [[setup.vm.storageProfile?.osDisk?.managedDisk?.id?.toLowerCase(), 64 * GIB, storageAccountId("cachewesteurope01", VM_RG, env.subscriptionId)]],
  );
  t.is(details.rpoInSeconds ?? null, null, "no RPO before the first recovery point");
  t.deepEqual(await collect(env.asr.recoveryPoints.listByReplicationProtectedItems(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM)), []);

  advanceTo(env, start + 512_000);
  const half = a2aOf(t, await getItem(env));
  t.is(half.monitoringJobType, "InitialReplication");
  t.is(half.monitoringPercentageCompletion, 50, "half the time, half the data");
  t.is(half.protectedManagedDisks?.[0]?.monitoringPercentageCompletion, 50);

  advanceTo(env, end - 1_000);
  const almost = await getItem(env);
  t.is(almost.properties?.protectionState, "UnprotectedStatesBegin", "one second before the copy ends it is still replicating");
  t.is(a2aOf(t, almost).monitoringPercentageCompletion, 99);

  advanceTo(env, end);
  const protectedItem = await getItem(env);
  t.is(protectedItem.properties?.protectionState, "Protected");
  t.is(protectedItem.properties?.activeLocation, "Primary");
  t.is(protectedItem.properties?.replicationHealth, "Normal");
  for (const operation of ["TestFailover", "UnplannedFailover", "DisableProtection"]) {
    t.true(protectedItem.properties?.allowedOperations?.includes(operation) === true, `allows ${operation}`);
  }
  const steady = a2aOf(t, protectedItem);
  t.not(steady.monitoringJobType, "InitialReplication");
  t.true(typeof steady.rpoInSeconds === "number" && steady.rpoInSeconds <= 300, `rpo ${String(steady.rpoInSeconds)} s`);
  const points = await collect(env.asr.recoveryPoints.listByReplicationProtectedItems(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM));
  t.true(points.length >= 1, "the first recovery point exists once protected");
  t.true(points.every((p) => timeOf(p) >= end));

  advanceTo(env, end + 3 * MINUTE);
  const later = a2aOf(t, await getItem(env));
  t.true(typeof later.rpoInSeconds === "number" && later.rpoInSeconds <= 300);
});

test("recovery points over a day match the policy: 5-minute crash points for two hours, hourly beyond, app points at its frequency, none past retention", async (t) => {
  const env = await loopbackSiteRecovery(t);
  // 1 day retention, app-consistent every 4 hours (the setup's default policy).
  const setup = await buildA2aSetup(env);
  await enable(env, setup, ITEM);
  env.emulator.control.advanceClock(HOUR);
  t.is((await getItem(env)).properties?.protectionState, "Protected");
  env.emulator.control.advanceClock(26 * HOUR + 7 * MINUTE);
  const now = env.emulator.control.now().getTime();

  const points = await collect(env.asr.recoveryPoints.listByReplicationProtectedItems(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM));
  t.true(points.length > 0);
  t.true(
    points.every(
      (p) => p.type === "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/recoveryPoints",
    ),
  );
  t.deepEqual([...new Set(points.map((p) => p.properties?.recoveryPointType))].sort(), ["ApplicationConsistent", "CrashConsistent"]);
  const times = points.map(timeOf);
  t.true(
    times.every((time) => time >= now - 24 * HOUR && time <= now),
    "no point is older than the retention",
  );
  t.true(now - Math.max(...times) <= 5 * MINUTE, "the latest point is at most 5 minutes old");

  const recent = times.filter((time) => now - time <= 2 * HOUR);
  t.true(recent.length >= 24, `${recent.length} points in the last two hours`);
  t.deepEqual([...new Set(gaps(recent))], [5 * MINUTE], "a point every 5 minutes for the last two hours");

  const older = points.filter((p) => now - timeOf(p) > 2 * HOUR);
  t.true(
    older.some((p) => p.properties?.recoveryPointType === "CrashConsistent"),
    "crash-consistent points older than two hours are kept",
  );
  t.deepEqual([...new Set(gaps(older.map(timeOf)))], [HOUR], "hourly points beyond the last two hours (1-day retention)");
  t.true(now - 24 * HOUR + HOUR > Math.min(...older.map(timeOf)), "hourly points reach back to the retention");

  const app = points.filter((p) => p.properties?.recoveryPointType === "ApplicationConsistent").map(timeOf);
  t.true(app.length >= 6, `${app.length} app-consistent points in a day at one per 4 hours`);
  t.deepEqual([...new Set(gaps(app))], [4 * HOUR], "an app-consistent point every 4 hours");
  t.true(Math.min(...app) < now - 20 * HOUR, "app-consistent points reach back to the retention");

  const sample = points[points.length - 1] as RecoveryPoint;
  const read = await env.asr.recoveryPoints.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM, sample.name ?? "");
  t.deepEqual(read, sample, "a recovery point is read by name");
  t.like(read.properties?.providerSpecificDetails, { instanceType: "A2A" });
  await refused(t, env.asr.recoveryPoints.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM, "00000000-0000-0000-0000-000000000000"), 404);
  const rpo = a2aOf(t, await getItem(env)).rpoInSeconds;
  t.true(typeof rpo === "number" && rpo <= 300, `rpo ${String(rpo)} s after a day of replication`);
});

test("protected items are listed, updated, disabled with post /remove and purged", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  const vmB = await createProtectableVm(env.compute, "vm-app-1", { dataDiskSizesGB: [16] });
  await enable(env, setup, ITEM);
  const second = await enable(env, setup, "item-app-1", vmB);
  t.is(a2aOf(t, second).protectedManagedDisks?.length, 2, "the OS and data disks are replicated");

  t.deepEqual(
    (await collect(env.asr.replicationProtectedItems.listByReplicationProtectionContainers(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER)))
      .map((i) => i.name)
      .sort(),
    [ITEM, "item-app-1"],
  );
  t.deepEqual((await collect(env.asr.replicationProtectedItems.list(VAULT, ASR_RG))).map((i) => i.name).sort(), [ITEM, "item-app-1"]);
  t.is((await env.asr.replicationProtectionContainers.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER)).properties?.protectedItemCount, 2);

  const otherRg = resourceGroupId("rg-workload-asr-2", env.subscriptionId);
  const updated = await env.asr.replicationProtectedItems.beginUpdateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    {
      properties: {
        recoveryAzureVMName: "vm-app-0-dr",
        recoveryAzureVMSize: "Standard_D4s_v5",
        providerSpecificDetails: { instanceType: "A2A", recoveryResourceGroupId: otherRg },
      },
    },
    LRO,
  );
  const updatedDetails = a2aOf(t, updated);
  t.is(updatedDetails.recoveryAzureVMName, "vm-app-0-dr");
  t.is(updatedDetails.recoveryAzureVMSize, "Standard_D4s_v5");
  t.is(updatedDetails.recoveryAzureResourceGroupId, otherRg);
  t.is(a2aOf(t, await getItem(env)).recoveryAzureVMName, "vm-app-0-dr");

  await refused(
    t,
    env.asr.replicationProtectionContainerMappings.beginDeleteAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, CONTAINER_MAPPING, {}, LRO),
    400,
  );

  const itemPath = `${vaultPath(env.subscriptionId)}/replicationFabrics/${PRIMARY_FABRIC}/replicationProtectionContainers/${PRIMARY_CONTAINER}/replicationProtectedItems`;
  await env.asr.replicationProtectedItems.beginDeleteAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    { properties: { disableProtectionReason: "NotSpecified" } },
    LRO,
  );
  t.is(env.requests.count("POST", `${itemPath}/${ITEM}/remove`), 1, "disable is POST /remove");
  await refused(t, getItem(env), 404);

  await env.asr.replicationProtectedItems.beginPurgeAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, "item-app-1", LRO);
  t.is(env.requests.count("DELETE", `${itemPath}/item-app-1`), 1, "purge is DELETE");
  t.deepEqual(await collect(env.asr.replicationProtectedItems.list(VAULT, ASR_RG)), []);
  t.is((await env.asr.replicationProtectionContainers.get(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER)).properties?.protectedItemCount, 0);

  const again = await enable(env, setup, ITEM);
  t.is(again.properties?.protectionState, "UnprotectedStatesBegin", "a disabled VM can be protected again");
});

test("a vm is protected once: another item name is refused with 409 ProtectionAlreadyEnabled and a retried put keeps one item", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  const first = await enable(env, setup, ITEM);
  await refused(t, enable(env, setup, "item-app-duplicate"), 409, "ProtectionAlreadyEnabled");

  const retried = await enable(env, setup, ITEM);
  t.is(retried.id, first.id);
  t.is(a2aOf(t, retried).lifecycleId, a2aOf(t, first).lifecycleId, "the retry answers with the same item");
  t.deepEqual(
    (await collect(env.asr.replicationProtectedItems.list(VAULT, ASR_RG))).map((i) => i.name),
    [ITEM],
  );
});

test("enable inputs are checked: vm region, managed disks and the cache storage account", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  const elsewhere = await createProtectableVm(env.compute, "vm-north", { location: RECOVERY_REGION });
  await refused(t, enable(env, setup, "item-north", elsewhere), 400, "VmLocationMismatch");
  await refused(t, enable(env, setup, ITEM, setup.vm, { withoutDisks: true }), 400, "VMDisksMissing");
  const notStorage = `${resourceGroupId(VM_RG, env.subscriptionId)}/providers/Microsoft.Compute/disks/not-a-cache`;
  const message = await refused(t, enable(env, setup, ITEM, setup.vm, { cacheAccountId: notStorage }), 400);
  t.regex(message, /primaryStagingAzureStorageAccountId/);
  t.deepEqual(await collect(env.asr.replicationProtectedItems.list(VAULT, ASR_RG)), [], "refused inputs create nothing");
});

test("a multi-vm group holds at most 16 vms: the 17th is refused with 400 MultiVmGroupFull", async (t) => {
  const env = await loopbackSiteRecovery(t);
  const setup = await buildA2aSetup(env);
  const group = "mvg-app";
  const vms = [];
  for (let i = 0; i < 17; i++) vms.push(await createProtectableVm(env.compute, `vm-grp-${i}`));
  const groupIds = new Set<string | undefined>();
  for (const [index, vm] of vms.slice(0, 16).entries()) {
    const item = await enable(env, setup, `item-grp-${index}`, vm, { multiVmGroupName: group });
    const details = a2aOf(t, item);
    t.is(details.multiVmGroupName, group);
    t.is(details.multiVmGroupCreateOption, "UserSpecified");
    groupIds.add(details.multiVmGroupId);
  }
  t.is(groupIds.size, 1, "the 16 VMs share one group id");
  await refused(t, enable(env, setup, "item-grp-16", vms[16], { multiVmGroupName: group }), 400, "MultiVmGroupFull");
  t.is((await collect(env.asr.replicationProtectedItems.list(VAULT, ASR_RG))).length, 16);
  await t.notThrowsAsync(enable(env, setup, "item-grp-16", vms[16], { multiVmGroupName: "mvg-other" }), "another group takes the VM");
});
