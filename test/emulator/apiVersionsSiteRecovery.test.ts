// Site Recovery and its vaults at other api-versions than our SDK's: the official clients set to
// 2022-10-01 (what the Python SDK sends) build and run a protection; vaults answer in their
// version's shape; and every task of every job the emulator creates names a task type the spec defines.
import { RecoveryServicesClient } from "@azure/arm-recoveryservices";
import { SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import { bearerTokenAuthenticationPolicyName, type PipelineResponse } from "@azure/core-rest-pipeline";
import test from "ava";
import { TASK_DETAILS_INSTANCE_TYPES } from "../../emulator/siteRecovery/asrJobs.js";
import type { Emulator } from "../../emulator/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { SUB } from "../helpers/fixtures.js";
import { fakeTokenCredential } from "../helpers/loopbackCompute.js";
import {
  ARM_SCOPE,
  buildA2aSetup,
  enableProtection,
  LRO,
  loopbackSiteRecovery,
  vaultPath,
  type LoopbackSiteRecovery,
} from "../helpers/loopbackSiteRecovery.js";
import { VAULT, shopPlan } from "../helpers/siteRecoveryFixtures.js";

const HOUR = 3_600_000;
const TEST_VNET = `/subscriptions/${SUB}/resourceGroups/app-rg-dr/providers/Microsoft.Network/virtualNetworks/drill-isolated`;

/** The loopback environment with the Recovery Services and Site Recovery clients set to send `apiVersion`. */
function atApiVersion(env: LoopbackSiteRecovery, apiVersion: string): LoopbackSiteRecovery {
  const common = {
    endpoint: env.url,
    allowInsecureConnection: true,
    credentialScopes: [ARM_SCOPE],
    retryOptions: { maxRetries: 3, retryDelayInMs: 20, maxRetryDelayInMs: 50 },
    apiVersion,
  };
  const vaults = new RecoveryServicesClient(fakeTokenCredential, env.subscriptionId, common);
  vaults.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  const asr = new SiteRecoveryManagementClient(fakeTokenCredential, env.subscriptionId, common);
  asr.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  return { ...env, vaults, asr };
}

async function get(emulator: Emulator, path: string, apiVersion: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await emulator.handle({ method: "GET", url: `https://management.azure.com${path}?api-version=${apiVersion}`, headers: {} });
  return { status: response.status, json: JSON.parse(response.body ?? "{}") as Record<string, unknown> };
}

test("the official Site Recovery and Recovery Services clients sending 2022-10-01 build an A2A setup and protect a vm", async (t) => {
  const env = atApiVersion(await loopbackSiteRecovery(t), "2022-10-01");
  const setup = await buildA2aSetup(env);
  t.is(setup.vault.properties?.provisioningState, "Succeeded");
  const links: string[] = [];
  const onResponse = (raw: PipelineResponse): void => {
    const link = raw.headers.get("azure-asyncoperation") ?? raw.headers.get("location");
    if (link !== undefined) links.push(link);
  };
  const item = await enableProtection(env, setup, "item-py", setup.vm, {}, { ...LRO, onResponse });
  t.is(item.properties?.providerSpecificDetails?.instanceType, "A2A");
  t.true(links.length > 0 && links.every((l) => new URL(l).searchParams.get("api-version") === "2022-10-01"), "the job links carry the caller's version");
  env.emulator.control.advanceClock(HOUR);
  const names = setup.names;
  const protectedItem = await env.asr.replicationProtectedItems.get(names.vault, names.resourceGroup, names.primaryFabric, names.primaryContainer, "item-py");
  t.is(protectedItem.properties?.protectionState, "Protected");
  const asrRequests = env.requests.all.filter((r) => r.path.includes("/Microsoft.RecoveryServices/"));
  t.true(asrRequests.length > 10);
  t.true(
    asrRequests.every((r) => new URLSearchParams(r.query).get("api-version") === "2022-10-01"),
    "every Recovery Services request carried 2022-10-01",
  );
});

test("a vault answers in its version's shape: publicNetworkAccess from 2022-09-10, private endpoint states from 2020-02-02", async (t) => {
  const env = await loopbackSiteRecovery(t);
  await atApiVersion(env, "2022-10-01").vaults.vaults.beginCreateOrUpdateAndWait(
    "rg-v",
    "vault-v",
    { location: "westeurope", sku: { name: "Standard" }, properties: {} },
    LRO,
  );
  const path = vaultPath(SUB, { resourceGroup: "rg-v", vault: "vault-v" });
  const properties = async (version: string): Promise<Record<string, unknown>> =>
    (await get(env.emulator, path, version)).json.properties as Record<string, unknown>;
  t.is((await properties("2022-10-01")).publicNetworkAccess, "Enabled");
  const older = await properties("2022-08-01");
  t.false("publicNetworkAccess" in older);
  t.is(older.privateEndpointStateForSiteRecovery, "None");
  t.is(older.provisioningState, "Succeeded");
  const oldest = await properties("2016-06-01");
  t.false("privateEndpointStateForSiteRecovery" in oldest);
  t.false("privateEndpointStateForBackup" in oldest);
  const old = atApiVersion(env, "2022-08-01");
  const listed = [];
  for await (const vault of old.vaults.vaults.listByResourceGroup("rg-v")) listed.push(vault);
  t.deepEqual(
    listed.map((v) => [v.name, v.properties?.publicNetworkAccess]),
    [["vault-v", undefined]],
    "lists are shaped too",
  );
});

test("every task of every job the emulator creates carries a customDetails instanceType the Site Recovery spec defines", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const ids = await shopPlan(dr, true);
  const resume = (): boolean => true;
  await dr.recoveryPlans.testFailover(VAULT, "shop", { networkId: TEST_VNET }, { onManualAction: resume });
  await dr.recoveryPlans.cleanupTest(VAULT, "shop", "rehearsal passed");
  await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" }, { onManualAction: resume });
  t.is(ids.length, 4);

  const vault = `/subscriptions/${SUB}/resourceGroups/${VAULT.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${VAULT.name}`;
  const jobs: Record<string, unknown>[] = [];
  let next: string | undefined = `https://management.azure.com${vault}/replicationJobs?api-version=2023-06-01`;
  while (next !== undefined) {
    const response = await backend.emulator.handle({ method: "GET", url: next, headers: {} });
    const page = JSON.parse(response.body ?? "{}") as { value: Record<string, unknown>[]; nextLink?: string };
    jobs.push(...page.value);
    next = page.nextLink;
  }
  const allowed: readonly string[] = TASK_DETAILS_INSTANCE_TYPES;
  const seen = new Set<string>();
  let tasks = 0;
  for (const job of jobs) {
    const properties = job.properties as { tasks: { customDetails?: { instanceType?: string; jobTask?: { jobId?: string } } }[] };
    for (const task of properties.tasks) {
      tasks++;
      const type = task.customDetails?.instanceType ?? "(none)";
      seen.add(type);
      t.true(allowed.includes(type), `job ${String(job.name)}: task customDetails.instanceType '${type}'`);
      if (type === "JobTaskDetails") t.is(task.customDetails?.jobTask?.jobId, String(job.name), "a job task names its job");
    }
  }
  t.true(jobs.length >= 10, `${jobs.length} jobs`);
  t.true(tasks > jobs.length, `${tasks} tasks`);
  t.deepEqual([...seen].sort(), ["JobTaskDetails", "ManualActionTaskDetails"], "the plan's manual action is a ManualActionTaskDetails");
});
