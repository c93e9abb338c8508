// Every published api-version of the modelled Compute types is served, in its own shape; an
// unpublished one is refused as ARM refuses it. Raw requests through the emulator's handler, and
// the official @azure/arm-compute client sending an older version (as the Python SDK's 2022-08-01).
import { isRestError, type PipelinePolicy } from "@azure/core-rest-pipeline";
import test from "ava";
import { createEmulator, type Emulator } from "../../emulator/index.js";
import {
  COMPUTE_PUBLISHED_API_VERSIONS,
  RECOVERY_SERVICES_VAULT_PUBLISHED_API_VERSIONS,
  SITE_RECOVERY_PUBLISHED_API_VERSIONS,
} from "../../emulator/arm/publishedApiVersions.js";
import { errorCode, rgUrl, send } from "../helpers/emulatorRequests.js";
import { rawVmBody, SUB } from "../helpers/fixtures.js";
import { loopbackCompute, vmModel } from "../helpers/loopbackCompute.js";

const LRO = { updateIntervalInMs: 0 } as const;
const RG = "rg-versions";
const SET_BODY = { location: "westeurope", sku: { name: "Aligned" }, properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 5 } };
const VAULT_URL = `https://management.azure.com/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/vault-v`;

const at = (url: string, apiVersion: string): string => `${url}?api-version=${apiVersion}`;
const errorMessage = (response: { json: Record<string, unknown> }): string => String((response.json.error as { message?: string } | undefined)?.message);

async function withSetAndVm(): Promise<{ emulator: Emulator; setUrl: string; vmUrl: string }> {
  const emulator = createEmulator();
  const setUrl = `${rgUrl(RG)}/availabilitySets/as-v`;
  const vmUrl = `${rgUrl(RG)}/virtualMachines/vm-v`;
  if ((await send(emulator, "PUT", setUrl, SET_BODY)).status !== 200) throw new Error("availability set not created");
  const vm = await send(emulator, "PUT", vmUrl, rawVmBody(RG, "vm-v", { userData: "aGVsbG8=" }));
  if (vm.status !== 201) throw new Error(`vm not created: ${JSON.stringify(vm.json)}`);
  return { emulator, setUrl, vmUrl };
}

/** A pipeline policy that makes the official client send `apiVersion` instead of its own, as an older SDK would. */
function sendApiVersion(apiVersion: string): PipelinePolicy {
  return {
    name: "sendOlderApiVersion",
    sendRequest(request, next) {
      const url = new URL(request.url);
      if (url.searchParams.has("api-version")) url.searchParams.set("api-version", apiVersion);
      request.url = url.toString();
      return next(request);
    },
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function olderComputeClient(t: Parameters<typeof loopbackCompute>[0], apiVersion: string): Promise<Awaited<ReturnType<typeof loopbackCompute>>> {
  const loopback = await loopbackCompute(t);
  loopback.client.pipeline.addPolicy(sendApiVersion(apiVersion), { afterPhase: "Serialize" });
  return loopback;
}

// ---------------------------------------------------------------- accepted and refused versions

test("every published Compute api-version is served, for availability sets, vms, their instance view and sizes", async (t) => {
  const { emulator, setUrl, vmUrl } = await withSetAndVm();
  for (const version of COMPUTE_PUBLISHED_API_VERSIONS) {
    for (const url of [setUrl, vmUrl, `${vmUrl}/instanceView`, `${setUrl}/vmSizes`, `${vmUrl}/vmSizes`, `${rgUrl(RG)}/virtualMachines`]) {
      const response = await send(emulator, "GET", at(url, version));
      t.is(response.status, 200, `${version} ${url}: ${JSON.stringify(response.json)}`);
    }
  }
});

test("an unpublished api-version is 400 NoRegisteredProviderFound naming the type and every published version, oldest first; a malformed one is InvalidApiVersionParameter", async (t) => {
  const { emulator, setUrl, vmUrl } = await withSetAndVm();
  for (const version of ["2022-08-02", "2026-03-01-preview", "2099-01-01", "2016-04-30"]) {
    const response = await send(emulator, "GET", at(vmUrl, version));
    t.is(response.status, 400, version);
    t.is(errorCode(response), "NoRegisteredProviderFound", version);
    t.true(errorMessage(response).includes(`API version '${version}' for type 'virtualMachines'`), errorMessage(response));
    t.true(errorMessage(response).includes(`'${[...COMPUTE_PUBLISHED_API_VERSIONS].reverse().join(", ")}'`), "every published version, oldest first");
  }
  const set = await send(emulator, "GET", at(setUrl, "2022-08-15"));
  t.is(errorCode(set), "NoRegisteredProviderFound");
  t.regex(errorMessage(set), /for type 'availabilitySets'/);
  const malformed = await send(emulator, "GET", at(setUrl, "2022-8-1"));
  t.is(malformed.status, 400);
  t.is(errorCode(malformed), "InvalidApiVersionParameter");
  t.regex(errorMessage(malformed), /^The api-version '2022-8-1' is invalid\. The supported versions are '2015-06-15,2016-03-30,/);
});

test("every published vault and Site Recovery api-version is served; others are refused", async (t) => {
  const emulator = createEmulator();
  t.is((await send(emulator, "PUT", at(VAULT_URL, "2016-06-01"), { location: "northeurope" })).status, 201);
  for (const version of RECOVERY_SERVICES_VAULT_PUBLISHED_API_VERSIONS) t.is((await send(emulator, "GET", at(VAULT_URL, version))).status, 200, version);
  for (const version of SITE_RECOVERY_PUBLISHED_API_VERSIONS) {
    t.is((await send(emulator, "GET", at(`${VAULT_URL}/replicationFabrics`, version))).status, 200, version);
    t.is((await send(emulator, "GET", at(`${VAULT_URL}/replicationJobs`, version))).status, 200, version);
  }
  const vault = await send(emulator, "GET", at(VAULT_URL, "2022-10-02"));
  t.is(errorCode(vault), "NoRegisteredProviderFound");
  t.regex(errorMessage(vault), /for type 'vaults'. The supported api-versions are '2016-06-01, 2020-02-02, /);
  const fabrics = await send(emulator, "GET", at(`${VAULT_URL}/replicationFabrics`, "2016-06-01"));
  t.is(errorCode(fabrics), "NoRegisteredProviderFound", "a vault version is not a Site Recovery version");
  t.regex(errorMessage(fabrics), /for type 'vaults\/replicationFabrics'. The supported api-versions are '2016-08-10, 2018-01-10, /);
});

// ---------------------------------------------------------------- shapes per version

test("a vm answers in its version's shape: timeCreated from 2021-11-01, userData from 2021-03-01, etag from 2023-07-01", async (t) => {
  const { emulator, vmUrl } = await withSetAndVm();
  const get = async (version: string, expand = ""): Promise<Record<string, unknown>> =>
    (await send(emulator, "GET", `${at(vmUrl, version)}${expand === "" ? "" : `&$expand=${expand}`}`)).json;
  const properties = (vm: Record<string, unknown>): Record<string, unknown> => vm.properties as Record<string, unknown>;

  const newest = await get("2026-03-01", "userData");
  t.is(typeof properties(newest).timeCreated, "string");
  t.is(properties(newest).userData, "aGVsbG8=");
  t.is(newest.etag, '"1"');

  const python = await get("2022-08-01", "userData");
  t.is(properties(python).timeCreated, properties(newest).timeCreated, "2022-08-01 has timeCreated");
  t.is(properties(python).userData, "aGVsbG8=");
  t.false("etag" in python, "no etag before 2023-07-01");

  const before = await get("2021-07-01", "userData");
  t.false("timeCreated" in properties(before), "no timeCreated before 2021-11-01");
  t.is(properties(before).userData, "aGVsbG8=");
  t.is(properties(before).vmId, properties(newest).vmId, "everything else is served alike");
  t.deepEqual(properties(before).hardwareProfile, properties(newest).hardwareProfile);

  const older = await get("2020-12-01", "userData");
  t.false("userData" in properties(older), "no userData before 2021-03-01, even when expanded");

  const listed = (await send(emulator, "GET", at(`${rgUrl(RG)}/virtualMachines`, "2021-07-01"))).json.value as Record<string, unknown>[];
  t.is(listed.length, 1);
  t.false("timeCreated" in properties(listed[0] as Record<string, unknown>), "list items are shaped too");
});

test("an availability set has no sku before 2016-04-30-preview", async (t) => {
  const { emulator, setUrl } = await withSetAndVm();
  const old = (await send(emulator, "GET", at(setUrl, "2016-03-30"))).json;
  t.false("sku" in old);
  t.is((old.properties as Record<string, unknown>).platformFaultDomainCount, 2);
  t.deepEqual((await send(emulator, "GET", at(setUrl, "2016-04-30-preview"))).json.sku, { name: "Aligned" });
  const created = await send(emulator, "PUT", at(`${rgUrl(RG)}/availabilitySets/as-2015`, "2015-06-15"), {
    location: "westeurope",
    properties: { platformFaultDomainCount: 2 },
  });
  t.is(created.status, 200);
  t.false("sku" in created.json, "the PUT's answer is shaped too");
});

test("a request carrying a property newer than its api-version is refused like Compute's deserializer does, and creates nothing", async (t) => {
  const emulator = createEmulator();
  const vmUrl = `${rgUrl(RG)}/virtualMachines/vm-old`;
  const refused = await send(emulator, "PUT", at(vmUrl, "2020-12-01"), rawVmBody(RG, "vm-old", { userData: "aGVsbG8=" }));
  t.is(refused.status, 400);
  t.is(errorCode(refused), "InvalidRequestContent");
  t.regex(errorMessage(refused), /Could not find member 'userData' on object of type 'VirtualMachineProperties'\. Path 'properties\.userData'/);
  t.is((await send(emulator, "GET", at(vmUrl, "2020-12-01"))).status, 404, "nothing was created");

  const set = await send(emulator, "PUT", at(`${rgUrl(RG)}/availabilitySets/as-old`, "2016-03-30"), SET_BODY);
  t.is(errorCode(set), "InvalidRequestContent", "sku is unknown in 2016-03-30");
  t.is((await send(emulator, "PUT", at(vmUrl, "2021-03-01"), rawVmBody(RG, "vm-old", { userData: "aGVsbG8=" }))).status, 201, "2021-03-01 knows userData");
});

// ---------------------------------------------------------------- the official client at an older version

test("the official compute client sending 2022-08-01 creates, reads and lists in that version's shape", async (t) => {
  const { client, requests } = await olderComputeClient(t, "2022-08-01");
  await client.availabilitySets.createOrUpdate(RG, "as-py", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  const created = await client.virtualMachines.createOrUpdate(RG, "vm-py", vmModel(RG, "vm-py", { userData: "aGVsbG8=" }), LRO);
  t.is(created.provisioningState, "Succeeded");
  t.truthy(created.timeCreated, "2022-08-01 knows timeCreated");
  t.is(created.etag, undefined, "2022-08-01 predates the vm etag");
  const read = await client.virtualMachines.get(RG, "vm-py", { expand: "userData" });
  t.is(read.userData, "aGVsbG8=");
  t.is(read.etag, undefined);
  t.deepEqual(
    (await collect(client.virtualMachines.list(RG))).map((vm) => [vm.name, vm.etag]),
    [["vm-py", undefined]],
  );
  t.true(requests.all.length > 0);
  t.true(
    requests.all.every((r) => new URLSearchParams(r.query).get("api-version") === "2022-08-01"),
    "every request, polls included, carried 2022-08-01",
  );
});

test("the official compute client sending 2020-12-01 gets no timeCreated, and is refused userData", async (t) => {
  const { client } = await olderComputeClient(t, "2020-12-01");
  const created = await client.virtualMachines.createOrUpdate(RG, "vm-2021", vmModel(RG, "vm-2021"), LRO);
  t.is(created.provisioningState, "Succeeded");
  t.is(created.timeCreated, undefined, "the LRO's final answer is shaped too");
  t.is((await client.virtualMachines.get(RG, "vm-2021")).timeCreated, undefined);
  const error = await t.throwsAsync(client.virtualMachines.createOrUpdate(RG, "vm-2021b", vmModel(RG, "vm-2021b", { userData: "aGk=" }), LRO));
  t.true(isRestError(error) && error.statusCode === 400 && error.code === "InvalidRequestContent", String(error));
});

// ---------------------------------------------------------------- vmSizes

test("vmSizes of an availability set and of a vm list the size catalogue through the official client", async (t) => {
  const { client } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-sizes", { location: "westeurope", platformFaultDomainCount: 2, sku: { name: "Aligned" } });
  await client.virtualMachines.createOrUpdate(RG, "vm-sizes", vmModel(RG, "vm-sizes"), LRO);
  const forSet = await collect(client.availabilitySets.listAvailableSizes(RG, "as-sizes"));
  const forVm = await collect(client.virtualMachines.listAvailableSizes(RG, "vm-sizes"));
  t.true(forSet.length >= 10);
  t.deepEqual(forVm, forSet);
  for (const size of forSet) {
    t.regex(size.name ?? "", /^Standard_[A-Za-z0-9_]+$/);
    t.is(size.osDiskSizeInMB, 1_047_552, size.name);
    for (const field of ["numberOfCores", "memoryInMB", "maxDataDiskCount", "resourceDiskSizeInMB"] as const)
      t.true(Number.isInteger(size[field]), `${size.name} ${field}`);
  }
  t.deepEqual(
    forSet.find((s) => s.name === "Standard_A1_v2"),
    { name: "Standard_A1_v2", numberOfCores: 1, osDiskSizeInMB: 1_047_552, resourceDiskSizeInMB: 10_240, memoryInMB: 2048, maxDataDiskCount: 2 },
    "the official example's values",
  );
  t.truthy(
    forVm.find((s) => s.name === "Standard_D2s_v5"),
    "the vm's own size is listed",
  );
});

test("vmSizes of a missing availability set or vm is 404 ResourceNotFound", async (t) => {
  const { client } = await loopbackCompute(t);
  for (const call of [collect(client.availabilitySets.listAvailableSizes(RG, "as-none")), collect(client.virtualMachines.listAvailableSizes(RG, "vm-none"))]) {
    const error = await t.throwsAsync(call);
    t.true(isRestError(error) && error.statusCode === 404 && error.code === "ResourceNotFound", String(error));
  }
});
