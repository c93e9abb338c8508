// Layer 3 (ARCHITECTURE.md "Tests"): the official @azure/arm-compute client, used directly (not
// through sdk/), against the emulator over real loopback HTTP. It checks the emulator's ARM
// fidelity as the real client sees it: LROs, paging, errors, headers, retries and faults.
import { restorePoller, type ComputeManagementClient, type VirtualMachine, type VirtualMachineInstanceView } from "@azure/arm-compute";
import { isRestError, type PipelineResponse } from "@azure/core-rest-pipeline";
import test, { type ExecutionContext } from "ava";
import { computeId, rawVmBody, SUB } from "../helpers/fixtures.js";
import { loopbackCompute, startLoopbackEmulator, vmModel } from "../helpers/loopbackCompute.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** See ARCHITECTURE.md: core-lro ignores `Retry-After: 0`, so pollers must be told not to wait. */
const LRO = { updateIntervalInMs: 0 } as const;
const COMPUTE_API_VERSION = "2026-03-01";
const RG = "rg-official";

// ---------------------------------------------------------------- helpers

function createVm(client: ComputeManagementClient, resourceGroup: string, name: string, extra: Partial<VirtualMachine> = {}): Promise<VirtualMachine> {
  return client.virtualMachines.createOrUpdate(resourceGroup, name, vmModel(resourceGroup, name, extra), LRO);
}

function powerStateOf(view: VirtualMachineInstanceView | undefined): string | undefined {
  return view?.statuses?.find((s) => s.code?.startsWith("PowerState/") === true)?.code;
}

function provisioningStatusOf(view: VirtualMachineInstanceView | undefined): { code?: string; level?: string } | undefined {
  return view?.statuses?.find((s) => s.code?.startsWith("ProvisioningState/") === true);
}

async function powerState(client: ComputeManagementClient, resourceGroup: string, name: string): Promise<string | undefined> {
  return powerStateOf(await client.virtualMachines.instanceView(resourceGroup, name));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function vmPath(resourceGroup: string, name: string, suffix = ""): string {
  return `${computeId(resourceGroup, "virtualMachines", name)}${suffix}`;
}

function setPath(resourceGroup: string, name: string): string {
  return computeId(resourceGroup, "availabilitySets", name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

interface WireResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** A plain HTTP call to the loopback server (no Azure pipeline in between). */
async function wire(
  base: string,
  method: string,
  pathAndQuery: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<WireResponse> {
  const response = await fetch(new URL(pathAndQuery, base), {
    method,
    headers: { "content-type": "application/json", ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  let json: unknown = undefined;
  if (text !== "") {
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The `{error:{code,message}}` envelope of a response; fails the test when it is not one. */
function armError(t: ExecutionContext, json: unknown): { code: string; message: string } {
  if (!isObject(json) || !isObject(json.error)) {
    t.fail(`expected an ARM error envelope, got ${JSON.stringify(json)}`);
    return { code: "", message: "" };
  }
  const { code, message } = json.error;
  t.is(typeof code, "string", "error.code is a string");
  t.is(typeof message, "string", "error.message is a string");
  t.true(String(message).length > 0, "error.message is not empty");
  return { code: String(code), message: String(message) };
}

function restErrorOf(t: ExecutionContext, error: unknown): { statusCode: number | undefined; code: string | undefined; message: string } {
  if (!isRestError(error)) {
    t.fail(`expected a RestError, got ${String(error)}`);
    return { statusCode: undefined, code: undefined, message: "" };
  }
  return { statusCode: error.statusCode, code: error.code, message: error.message };
}

/** Records every raw response an operation reports through `onResponse`. */
function responseRecorder(): { responses: PipelineResponse[]; onResponse: (raw: PipelineResponse) => void } {
  const responses: PipelineResponse[] = [];
  return { responses, onResponse: (raw) => void responses.push(raw) };
}

// ---------------------------------------------------------------- availability sets

test("availability sets are created, read, listed by group and subscription, tagged and deleted", async (t) => {
  const { client } = await loopbackCompute(t);
  const created = await client.availabilitySets.createOrUpdate(RG, "as-web", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
    tags: { env: "test" },
  });
  t.is(created.id, setPath(RG, "as-web"));
  t.is(created.name, "as-web");
  t.is(created.type, "Microsoft.Compute/availabilitySets");
  t.is(created.location, "westeurope");
  t.is(created.sku?.name, "Aligned");
  t.is(created.platformFaultDomainCount, 2);
  t.is(created.platformUpdateDomainCount, 5);
  t.deepEqual(created.tags, { env: "test" });

  const read = await client.availabilitySets.get(RG, "as-web");
  t.deepEqual(read, created);

  await client.availabilitySets.createOrUpdate("rg-other", "as-db", {
    location: "northeurope",
    platformFaultDomainCount: 3,
    platformUpdateDomainCount: 2,
    sku: { name: "Aligned" },
  });
  t.deepEqual(
    (await collect(client.availabilitySets.list(RG))).map((s) => s.name),
    ["as-web"],
  );
  t.deepEqual((await collect(client.availabilitySets.listBySubscription())).map((s) => s.name).sort(), ["as-db", "as-web"]);

  const updated = await client.availabilitySets.update(RG, "as-web", { tags: { env: "prod", owner: "dr" } });
  t.deepEqual(updated.tags, { env: "prod", owner: "dr" });
  t.is(updated.platformFaultDomainCount, 2);
  t.deepEqual((await client.availabilitySets.get(RG, "as-web")).tags, { env: "prod", owner: "dr" });

  await client.availabilitySets.delete(RG, "as-web");
  const missing = await t.throwsAsync(client.availabilitySets.get(RG, "as-web"));
  t.is(restErrorOf(t, missing).statusCode, 404);
  await t.notThrowsAsync(client.availabilitySets.delete(RG, "as-web"), "deleting a deleted set is a no-op (204)");
  t.deepEqual(
    (await collect(client.availabilitySets.listBySubscription())).map((s) => s.name),
    ["as-db"],
  );
});

test("an availability set update that changes the fault domain count is refused with 409 PropertyChangeNotAllowed", async (t) => {
  const { client } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-fixed", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  const error = await t.throwsAsync(client.availabilitySets.update(RG, "as-fixed", { platformFaultDomainCount: 3 }));
  const rest = restErrorOf(t, error);
  t.is(rest.statusCode, 409);
  t.is(rest.code, "PropertyChangeNotAllowed");
  t.is((await client.availabilitySets.get(RG, "as-fixed")).platformFaultDomainCount, 2);
});

// ---------------------------------------------------------------- virtual machines

test("createOrUpdate runs the create lro to a provisioned, running vm readable with get, expand, instanceView and lists", async (t) => {
  const { client, url } = await loopbackCompute(t);
  const set = await client.availabilitySets.createOrUpdate(RG, "as-app", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  const recorder = responseRecorder();
  const vm = await client.virtualMachines.createOrUpdate(RG, "vm-app-0", vmModel(RG, "vm-app-0", { availabilitySet: { id: setPath(RG, "as-app") } }), {
    ...LRO,
    onResponse: recorder.onResponse,
  });

  t.is(vm.id, vmPath(RG, "vm-app-0"));
  t.is(vm.name, "vm-app-0");
  t.is(vm.type, "Microsoft.Compute/virtualMachines");
  t.is(vm.provisioningState, "Succeeded");
  t.regex(vm.vmId ?? "", GUID);
  t.is(vm.hardwareProfile?.vmSize, "Standard_D2s_v5");
  t.is(vm.availabilitySet?.id?.toLowerCase(), set.id?.toLowerCase());
  t.is(vm.osProfile?.adminPassword, undefined, "secrets are never served back");

  const put = recorder.responses.find((r) => r.request.method === "PUT");
  t.truthy(put, "onResponse saw the initial PUT");
  if (put !== undefined) {
    t.true([200, 201].includes(put.status), `PUT answered ${put.status}`);
    const asyncOperation = put.headers.get("azure-asyncoperation");
    t.truthy(asyncOperation, "the PUT carries Azure-AsyncOperation");
    t.is(new URL(asyncOperation ?? "http://invalid").origin, url, "the status link is on the host the client called");
  }

  const read = await client.virtualMachines.get(RG, "vm-app-0");
  t.is(read.vmId, vm.vmId);
  t.is(read.instanceView, undefined, "no instance view without $expand");

  const expanded = await client.virtualMachines.get(RG, "vm-app-0", { expand: "instanceView" });
  t.is(powerStateOf(expanded.instanceView), "PowerState/running");
  t.is(provisioningStatusOf(expanded.instanceView)?.code, "ProvisioningState/succeeded");

  const view = await client.virtualMachines.instanceView(RG, "vm-app-0");
  t.is(powerStateOf(view), "PowerState/running");
  t.deepEqual(
    view.disks?.map((d) => d.name),
    ["vm-app-0-os"],
  );
  t.is(typeof view.platformUpdateDomain, "number");
  t.is(typeof view.platformFaultDomain, "number");

  await createVm(client, "rg-elsewhere", "vm-other");
  t.deepEqual(
    (await collect(client.virtualMachines.list(RG))).map((v) => v.name),
    ["vm-app-0"],
  );
  t.deepEqual((await collect(client.virtualMachines.listAll())).map((v) => v.name).sort(), ["vm-app-0", "vm-other"]);
  t.deepEqual((await collect(client.virtualMachines.listByLocation("westeurope"))).map((v) => v.name).sort(), ["vm-app-0", "vm-other"]);
  t.deepEqual(await collect(client.virtualMachines.listByLocation("northeurope")), []);
  t.deepEqual(
    (await client.availabilitySets.get(RG, "as-app")).virtualMachines?.map((m) => m.id?.toLowerCase()),
    [vmPath(RG, "vm-app-0").toLowerCase()],
  );
});

test("powerOff runs to completion and leaves the vm stopped", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-off");
  await client.virtualMachines.powerOff(RG, "vm-off", LRO);
  t.is(await powerState(client, RG, "vm-off"), "PowerState/stopped");
  t.is((await client.virtualMachines.get(RG, "vm-off")).provisioningState, "Succeeded");
});

test("start runs to completion and brings a stopped vm back to running", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-start");
  await client.virtualMachines.powerOff(RG, "vm-start", { ...LRO, skipShutdown: true });
  t.is(await powerState(client, RG, "vm-start"), "PowerState/stopped");
  await client.virtualMachines.start(RG, "vm-start", LRO);
  t.is(await powerState(client, RG, "vm-start"), "PowerState/running");
});

test("restart runs to completion and leaves the vm running", async (t) => {
  const { client, requests } = await loopbackCompute(t);
  await createVm(client, RG, "vm-restart");
  await client.virtualMachines.restart(RG, "vm-restart", LRO);
  t.is(await powerState(client, RG, "vm-restart"), "PowerState/running");
  t.is(requests.count("POST", vmPath(RG, "vm-restart", "/restart")), 1);
});

test("restart of a deallocated vm is refused with 409 OperationNotAllowed", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-norestart");
  await client.virtualMachines.deallocate(RG, "vm-norestart", LRO);
  const error = await t.throwsAsync(client.virtualMachines.restart(RG, "vm-norestart", LRO));
  const rest = restErrorOf(t, error);
  t.is(rest.statusCode, 409);
  t.is(rest.code, "OperationNotAllowed");
  t.is(await powerState(client, RG, "vm-norestart"), "PowerState/deallocated");
});

test("deallocate runs to completion and leaves the vm deallocated", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-dealloc");
  await client.virtualMachines.deallocate(RG, "vm-dealloc", LRO);
  t.is(await powerState(client, RG, "vm-dealloc"), "PowerState/deallocated");
});

test("redeploy runs to completion and leaves the vm running", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-redeploy");
  await client.virtualMachines.redeploy(RG, "vm-redeploy", LRO);
  t.is(await powerState(client, RG, "vm-redeploy"), "PowerState/running");
  t.is((await client.virtualMachines.get(RG, "vm-redeploy")).provisioningState, "Succeeded");
});

test("performMaintenance in an open self-service window runs to completion and reports MaintenanceCompleted", async (t) => {
  const { client, emulator } = await loopbackCompute(t);
  const vm = await createVm(client, RG, "vm-maint");
  emulator.control.scheduleMaintenanceWave({ virtualMachineIds: [vm.id ?? ""] });
  const before = await client.virtualMachines.instanceView(RG, "vm-maint");
  t.is(before.maintenanceRedeployStatus?.isCustomerInitiatedMaintenanceAllowed, true);
  t.true(before.maintenanceRedeployStatus?.preMaintenanceWindowStartTime instanceof Date, "windows are deserialized as dates");

  await client.virtualMachines.performMaintenance(RG, "vm-maint", LRO);

  const after = await client.virtualMachines.instanceView(RG, "vm-maint");
  t.is(powerStateOf(after), "PowerState/running");
  t.is(after.maintenanceRedeployStatus?.lastOperationResultCode, "MaintenanceCompleted");
  t.is(after.maintenanceRedeployStatus?.isCustomerInitiatedMaintenanceAllowed, false);
});

test("performMaintenance without a scheduled wave is refused with 409 OperationNotAllowed", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-nomaint");
  const rest = restErrorOf(t, await t.throwsAsync(client.virtualMachines.performMaintenance(RG, "vm-nomaint", LRO)));
  t.is(rest.statusCode, 409);
  t.is(rest.code, "OperationNotAllowed");
});

test("delete runs to completion: the vm is gone and leaves its availability set", async (t) => {
  const { client } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-del", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  await createVm(client, RG, "vm-del", { availabilitySet: { id: setPath(RG, "as-del") } });
  await client.virtualMachines.delete(RG, "vm-del", LRO);
  const rest = restErrorOf(t, await t.throwsAsync(client.virtualMachines.get(RG, "vm-del")));
  t.is(rest.statusCode, 404);
  t.deepEqual(await collect(client.virtualMachines.list(RG)), []);
  t.deepEqual((await client.availabilitySets.get(RG, "as-del")).virtualMachines, []);
  await t.notThrowsAsync(client.availabilitySets.delete(RG, "as-del"), "an emptied set can be deleted");
});

test("every vm action answers 202 with absolute azure-asyncoperation and location links on the called host and an integer retry-after", async (t) => {
  const { client, emulator, url } = await loopbackCompute(t);
  const vm = await createVm(client, RG, "vm-links");
  emulator.control.scheduleMaintenanceWave({ virtualMachineIds: [vm.id ?? ""] });
  const vms = client.virtualMachines;
  const actions: [string, (onResponse: (raw: PipelineResponse) => void) => Promise<void>][] = [
    ["powerOff", (onResponse) => vms.powerOff(RG, "vm-links", { ...LRO, onResponse })],
    ["start", (onResponse) => vms.start(RG, "vm-links", { ...LRO, onResponse })],
    ["restart", (onResponse) => vms.restart(RG, "vm-links", { ...LRO, onResponse })],
    ["redeploy", (onResponse) => vms.redeploy(RG, "vm-links", { ...LRO, onResponse })],
    ["performMaintenance", (onResponse) => vms.performMaintenance(RG, "vm-links", { ...LRO, onResponse })],
    ["deallocate", (onResponse) => vms.deallocate(RG, "vm-links", { ...LRO, onResponse })],
    ["delete", (onResponse) => vms.delete(RG, "vm-links", { ...LRO, onResponse })],
  ];
  for (const [name, run] of actions) {
    const recorder = responseRecorder();
    await run(recorder.onResponse);
    const initial = recorder.responses.find((r) => r.request.method === "POST" || r.request.method === "DELETE");
    if (initial === undefined) {
      t.fail(`${name}: onResponse did not see the initial request`);
      continue;
    }
    t.is(initial.status, 202, `${name} answers 202`);
    t.is(initial.bodyAsText ?? "", "", `${name}: a 202 has no body`);
    for (const header of ["azure-asyncoperation", "location"]) {
      const link = initial.headers.get(header) ?? "";
      t.is(URL.canParse(link) ? new URL(link).origin : "", url, `${name}: ${header} is absolute and on the called host`);
      t.true(link.includes(`api-version=${COMPUTE_API_VERSION}`), `${name}: ${header} carries the request's api-version`);
    }
    t.regex(initial.headers.get("retry-after") ?? "", /^\d+$/, `${name}: Retry-After is integer seconds`);
  }
});

test("createOrUpdate of an existing vm runs the update lro and keeps its identity", async (t) => {
  const { client } = await loopbackCompute(t);
  const created = await createVm(client, RG, "vm-reput");
  const recorder = responseRecorder();
  const updated = await client.virtualMachines.createOrUpdate(RG, "vm-reput", vmModel(RG, "vm-reput", { tags: { tier: "db" } }), {
    ...LRO,
    onResponse: recorder.onResponse,
  });
  t.is(recorder.responses.find((r) => r.request.method === "PUT")?.status, 200, "a PUT on an existing vm answers 200");
  t.is(updated.vmId, created.vmId);
  t.truthy(created.storageProfile?.osDisk?.managedDisk?.id);
  t.is(
    updated.storageProfile?.osDisk?.managedDisk?.id,
    created.storageProfile?.osDisk?.managedDisk?.id,
    "a re-sent PUT (a resumed deployment) keeps the os disk",
  );
  t.is(updated.storageProfile?.osDisk?.name, created.storageProfile?.osDisk?.name);
  t.deepEqual(updated.tags, { tier: "db" });
  t.is(updated.provisioningState, "Succeeded");
  t.is(await powerState(client, RG, "vm-reput"), "PowerState/running");
});

test("a redeploy poller serialized after submission resumes with restorePoller and completes", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-resume");
  const poller = client.virtualMachines.redeploy(RG, "vm-resume", LRO);
  await poller.submitted();
  const state = await poller.serialize();
  const resumed = restorePoller(client, state, client.virtualMachines.redeploy, LRO);
  await resumed.pollUntilDone();
  t.is(resumed.operationState?.status, "succeeded");
  await poller;
  t.is(await powerState(client, RG, "vm-resume"), "PowerState/running");
});

test("update patches a vm through its lro and keeps it running", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-patch");
  const updated = await client.virtualMachines.update(RG, "vm-patch", { tags: { tier: "web" } }, LRO);
  t.deepEqual(updated.tags, { tier: "web" });
  t.is(updated.provisioningState, "Succeeded");
  t.deepEqual((await client.virtualMachines.get(RG, "vm-patch")).tags, { tier: "web" });
  t.is(await powerState(client, RG, "vm-patch"), "PowerState/running");
});

test("resource group and resource names match case-insensitively and keep the creator's casing", async (t) => {
  const { client } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate("RG-Mixed", "AS-Mixed", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  const set = await client.availabilitySets.get("rg-mixed", "as-mixed");
  t.is(set.name, "AS-Mixed");
  t.is(set.id, setPath("RG-Mixed", "AS-Mixed"));
  t.deepEqual(
    (await collect(client.availabilitySets.list("RG-MIXED"))).map((s) => s.name),
    ["AS-Mixed"],
  );

  await createVm(client, "RG-Mixed", "VM-Mixed");
  await client.virtualMachines.powerOff("rg-mixed", "vm-mixed", LRO);
  t.is(await powerState(client, "RG-MIXED", "Vm-Mixed"), "PowerState/stopped");
  t.is((await client.virtualMachines.get("rg-mixed", "vm-mixed")).name, "VM-Mixed");
});

test("a plain get does not serve userData; only expand userData does", async (t) => {
  const { client } = await loopbackCompute(t);
  await createVm(client, RG, "vm-userdata", { userData: "RXhhbXBsZSBVc2VyRGF0YQ==" });
  t.is((await client.virtualMachines.get(RG, "vm-userdata", { expand: "userData" })).userData, "RXhhbXBsZSBVc2VyRGF0YQ==");
  t.is((await client.virtualMachines.get(RG, "vm-userdata")).userData, undefined, "no userData without $expand=userData");
  t.is((await collect(client.virtualMachines.list(RG)))[0]?.userData, undefined, "lists do not carry userData");
});

// ---------------------------------------------------------------- paging

test("the client follows absolute nextLinks and returns every vm and availability set across pages", async (t) => {
  const { client, requests, url } = await loopbackCompute(t, { pageSize: 3 });
  for (let i = 0; i < 7; i++) await createVm(client, RG, `vm-page-${i}`);
  await createVm(client, "rg-paging-2", "vm-page-x");
  for (let i = 0; i < 4; i++) {
    await client.availabilitySets.createOrUpdate(RG, `as-page-${i}`, {
      location: "westeurope",
      platformFaultDomainCount: 2,
      platformUpdateDomainCount: 5,
      sku: { name: "Aligned" },
    });
  }
  requests.clear();

  const pages: string[][] = [];
  for await (const page of client.virtualMachines.list(RG).byPage()) pages.push(page.map((vm) => vm.name ?? ""));
  t.deepEqual(
    pages.map((p) => p.length),
    [3, 3, 1],
  );
  t.deepEqual(pages.flat().sort(), ["vm-page-0", "vm-page-1", "vm-page-2", "vm-page-3", "vm-page-4", "vm-page-5", "vm-page-6"]);
  const listPath = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines`;
  t.is(requests.count("GET", listPath), 3, "one request per page");
  const followUps = requests.all.filter((r) => r.path.toLowerCase() === listPath.toLowerCase()).slice(1);
  for (const request of followUps) {
    const query = new URLSearchParams(request.query);
    t.truthy(query.get("$skiptoken"), "follow-up pages carry the skip token of the nextLink");
    t.deepEqual(query.getAll("api-version"), [COMPUTE_API_VERSION], "the nextLink carries exactly one api-version");
  }

  const all = await collect(client.virtualMachines.listAll());
  t.is(all.length, 8);
  t.is(new Set(all.map((vm) => vm.id)).size, 8, "no vm is returned twice");

  const sets = await collect(client.availabilitySets.listBySubscription());
  t.deepEqual(sets.map((s) => s.name).sort(), ["as-page-0", "as-page-1", "as-page-2", "as-page-3"]);

  const raw = await wire(url, "GET", `${listPath}?api-version=${COMPUTE_API_VERSION}`);
  t.true(
    isObject(raw.json) && typeof raw.json.nextLink === "string" && new URL(raw.json.nextLink).origin === url,
    "nextLink is an absolute URL on the called host",
  );
});

test("a listing follows the vms created and deleted since the last one, page after page, and the state restored", async (t) => {
  const { client, emulator } = await loopbackCompute(t, { pageSize: 2 });
  const names = async (resourceGroup: string): Promise<string[]> => (await collect(client.virtualMachines.list(resourceGroup))).map((vm) => vm.name ?? "");
  for (const name of ["vm-a", "vm-b", "vm-c"]) await createVm(client, RG, name);
  await createVm(client, "rg-listing-2", "vm-elsewhere");
  t.deepEqual(await names(RG), ["vm-a", "vm-b", "vm-c"]);
  const snapshot = emulator.control.snapshot();

  await createVm(client, RG, "vm-d");
  t.deepEqual(await names(RG), ["vm-a", "vm-b", "vm-c", "vm-d"], "a vm created after a listing is in the next one, in creation order");
  await client.virtualMachines.delete(RG, "vm-b", LRO);
  t.deepEqual(await names(RG), ["vm-a", "vm-c", "vm-d"], "a deleted vm is gone from the next listing");
  await createVm(client, RG, "vm-a", { tags: { updated: "yes" } });
  const listed = await collect(client.virtualMachines.list(RG));
  t.deepEqual(
    listed.map((vm) => [vm.name, vm.tags?.updated]),
    [
      ["vm-a", "yes"],
      ["vm-c", undefined],
      ["vm-d", undefined],
    ],
    "an updated vm keeps its place and is listed as it is now",
  );
  t.deepEqual(await names("rg-listing-2"), ["vm-elsewhere"], "another resource group's listing is its own");

  emulator.control.restore(snapshot);
  t.deepEqual(await names(RG), ["vm-a", "vm-b", "vm-c"], "after a restore, the listing is the restored state's");
});

// ---------------------------------------------------------------- errors and headers

test("a missing vm or availability set is a RestError 404 ResourceNotFound", async (t) => {
  const { client } = await loopbackCompute(t);
  const vm = restErrorOf(t, await t.throwsAsync(client.virtualMachines.get(RG, "vm-missing")));
  t.is(vm.statusCode, 404);
  t.is(vm.code, "ResourceNotFound");
  t.true(vm.message.includes("vm-missing"), vm.message);
  const set = restErrorOf(t, await t.throwsAsync(client.availabilitySets.get(RG, "as-missing")));
  t.is(set.statusCode, 404);
  t.is(set.code, "ResourceNotFound");
  const action = restErrorOf(t, await t.throwsAsync(client.virtualMachines.start(RG, "vm-missing", LRO)));
  t.is(action.statusCode, 404);
  t.is(action.code, "ResourceNotFound");
});

test("responses carry a new guid x-ms-request-id, echo the caller's x-ms-correlation-request-id and send date and json content-type", async (t) => {
  const { client } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-headers", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  const correlation = "7f1d6f3a-1c2b-4d5e-8f90-0a1b2c3d4e5f";
  const first = responseRecorder();
  const second = responseRecorder();
  await client.availabilitySets.get(RG, "as-headers", {
    onResponse: first.onResponse,
    requestOptions: { headers: { "x-ms-correlation-request-id": correlation } },
  });
  await client.availabilitySets.get(RG, "as-headers", { onResponse: second.onResponse });
  const [a, b] = [first.responses[0], second.responses[0]];
  if (a === undefined || b === undefined) {
    t.fail("onResponse was not called");
    return;
  }
  t.regex(a.headers.get("x-ms-request-id") ?? "", GUID);
  t.regex(b.headers.get("x-ms-request-id") ?? "", GUID);
  t.not(a.headers.get("x-ms-request-id"), b.headers.get("x-ms-request-id"), "each response has its own request id");
  t.is(a.headers.get("x-ms-correlation-request-id"), correlation);
  t.regex(b.headers.get("x-ms-correlation-request-id") ?? "", GUID, "a correlation id is generated when the caller sends none");
  t.false(Number.isNaN(Date.parse(a.headers.get("date") ?? "")), "Date is an HTTP date");
  t.regex(a.headers.get("content-type") ?? "", /^application\/json/);
});

test("api-version errors: missing is MissingApiVersionParameter, unknown is NoRegisteredProviderFound, malformed is InvalidApiVersionParameter", async (t) => {
  const { client, url } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-api", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  const path = setPath(RG, "as-api");

  const missing = await wire(url, "GET", path);
  t.is(missing.status, 400);
  t.is(armError(t, missing.json).code, "MissingApiVersionParameter");

  const unknown = await wire(url, "GET", `${path}?api-version=2099-01-01`);
  t.is(unknown.status, 400);
  const unknownError = armError(t, unknown.json);
  t.is(unknownError.code, "NoRegisteredProviderFound");
  t.true(unknownError.message.includes(COMPUTE_API_VERSION), "the message lists the supported versions");

  const malformed = await wire(url, "GET", `${path}?api-version=abc`);
  t.is(malformed.status, 400);
  t.is(armError(t, malformed.json).code, "InvalidApiVersionParameter");

  for (const version of [COMPUTE_API_VERSION, "2025-11-01"]) {
    t.is((await wire(url, "GET", `${path}?api-version=${version}`)).status, 200, `api-version ${version} is served`);
  }
});

test("a malformed json body is 400 InvalidRequestContent and the server keeps answering", async (t) => {
  const { url } = await startLoopbackEmulator(t);
  const path = `${setPath(RG, "as-bad")}?api-version=${COMPUTE_API_VERSION}`;
  const bad = await wire(url, "PUT", path, { body: '{"location": "westeurope", "properties": {' });
  t.is(bad.status, 400);
  t.is(armError(t, bad.json).code, "InvalidRequestContent");
  t.regex(bad.headers.get("x-ms-request-id") ?? "", GUID, "errors carry x-ms-request-id too");
  t.is((await wire(url, "GET", path)).status, 404, "nothing was created");
  t.is((await wire(url, "PUT", path, { body: JSON.stringify({ location: "westeurope" }) })).status, 200, "the server still serves a good request");
});

test("an unknown path is 404 with an arm error envelope", async (t) => {
  const { url } = await startLoopbackEmulator(t);
  const response = await wire(
    url,
    "GET",
    `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/notAThing/x?api-version=${COMPUTE_API_VERSION}`,
  );
  t.is(response.status, 404);
  const error = armError(t, response.json);
  t.true(error.code.length > 0);
  t.regex(response.headers.get("x-ms-request-id") ?? "", GUID);
  t.is((await wire(url, "GET", "/nothing/here")).status, 404);
});

test("a body over 4 MiB is refused with 413 and the server answers the next request", async (t) => {
  const { url } = await startLoopbackEmulator(t);
  const path = `${setPath(RG, "as-big")}?api-version=${COMPUTE_API_VERSION}`;
  const body = JSON.stringify({ location: "westeurope", tags: { big: "x".repeat(4 * 1024 * 1024 + 16) } });
  const big = await wire(url, "PUT", path, { body });
  t.is(big.status, 413);
  t.is(armError(t, big.json).code, "RequestEntityTooLarge");
  const next = await wire(url, "PUT", path, { body: JSON.stringify({ location: "westeurope" }) });
  t.is(next.status, 200);
});

test("responses carry the x-ms-ratelimit-remaining-subscription header of their operation type", async (t) => {
  const { url } = await startLoopbackEmulator(t);
  const path = `${setPath(RG, "as-ratelimit")}?api-version=${COMPUTE_API_VERSION}`;
  const write = await wire(url, "PUT", path, { body: JSON.stringify({ location: "westeurope" }) });
  const read = await wire(url, "GET", path);
  const remove = await wire(url, "DELETE", path);
  t.regex(write.headers.get("x-ms-ratelimit-remaining-subscription-writes") ?? "", /^\d+$/);
  t.regex(read.headers.get("x-ms-ratelimit-remaining-subscription-reads") ?? "", /^\d+$/);
  t.regex(remove.headers.get("x-ms-ratelimit-remaining-subscription-deletes") ?? "", /^\d+$/);
});

// ---------------------------------------------------------------- faults and client retries

test("a 429 with retry-after is retried by the client once and the call succeeds", async (t) => {
  const { client, emulator, requests } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-429", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  emulator.control.addFault({
    match: { operationId: "AvailabilitySets_Get" },
    effect: { type: "error", status: 429, code: "TooManyRequests", retryAfterSeconds: 1 },
    times: 1,
  });
  const set = await client.availabilitySets.get(RG, "as-429");
  t.is(set.name, "as-429");
  t.is(requests.count("GET", setPath(RG, "as-429")), 2);
});

test("a 500 is retried by the client and the call succeeds", async (t) => {
  const { client, emulator, requests } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-500", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  emulator.control.addFault({
    match: { method: "GET", path: "/subscriptions/*/resourceGroups/*/providers/Microsoft.Compute/availabilitySets/as-500" },
    effect: { type: "error", status: 500, code: "InternalServerError" },
    times: 1,
  });
  const set = await client.availabilitySets.get(RG, "as-500");
  t.is(set.name, "as-500");
  t.is(requests.count("GET", setPath(RG, "as-500")), 2);
});

test("a 503 without retry-after is retried exponentially and the call succeeds", async (t) => {
  const { client, emulator, requests } = await loopbackCompute(t);
  await createVm(client, RG, "vm-503");
  emulator.control.addFault({
    match: { operationId: "VirtualMachines_InstanceView" },
    effect: { type: "error", status: 503, code: "ServiceUnavailable" },
    times: 1,
  });
  t.is(await powerState(client, RG, "vm-503"), "PowerState/running");
  t.is(requests.count("GET", vmPath(RG, "vm-503", "/instanceView")), 2);
});

test("a 429 without retry-after is not retried and surfaces as RestError 429", async (t) => {
  const { client, emulator, requests } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-429b", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  emulator.control.addFault({ match: { operationId: "AvailabilitySets_Get" }, effect: { type: "error", status: 429, code: "TooManyRequests" }, times: 1 });
  const rest = restErrorOf(t, await t.throwsAsync(client.availabilitySets.get(RG, "as-429b")));
  t.is(rest.statusCode, 429);
  t.is(rest.code, "TooManyRequests");
  t.is(requests.count("GET", setPath(RG, "as-429b")), 1);
});

test("a dropped connection is retried by the client as a transport error and the call succeeds", async (t) => {
  const { client, emulator, requests } = await loopbackCompute(t);
  await client.availabilitySets.createOrUpdate(RG, "as-drop", {
    location: "westeurope",
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: "Aligned" },
  });
  emulator.control.addFault({ match: { operationId: "AvailabilitySets_Get" }, effect: { type: "drop" }, times: 1 });
  const set = await client.availabilitySets.get(RG, "as-drop");
  t.is(set.name, "as-drop");
  t.is(requests.count("GET", setPath(RG, "as-drop")), 2);
});

test("an injected operation failure on start rejects the poller with the code and leaves provisioning failed", async (t) => {
  const { client, emulator } = await loopbackCompute(t);
  await createVm(client, RG, "vm-fail");
  await client.virtualMachines.powerOff(RG, "vm-fail", LRO);
  emulator.control.addFault({
    match: { operationId: "VirtualMachines_Start" },
    effect: { type: "operationFailure", code: "AllocationFailed", message: "Allocation failed. Please try again later." },
  });
  const error = await t.throwsAsync(client.virtualMachines.start(RG, "vm-fail", LRO));
  t.true(error?.message.includes("AllocationFailed") === true, error?.message);
  const view = await client.virtualMachines.instanceView(RG, "vm-fail");
  const provisioning = provisioningStatusOf(view);
  t.is(provisioning?.code, "ProvisioningState/failed/AllocationFailed");
  t.is(provisioning?.level, "Error");
  t.is(powerStateOf(view), "PowerState/stopped", "a failed start leaves the vm as it was");
  t.is((await client.virtualMachines.get(RG, "vm-fail")).provisioningState, "Failed");
});

// ---------------------------------------------------------------- control surface over HTTP

test("the control clock is read and advanced over http, and advancing it completes due operations", async (t) => {
  const { url } = await startLoopbackEmulator(t);
  const clock = await wire(url, "GET", "/_emulator/clock");
  t.is(clock.status, 200);
  if (!isObject(clock.json)) return t.fail("clock body is not an object");
  t.is(clock.json.mode, "virtual");
  t.is(clock.json.scale, 1);
  const start = Date.parse(String(clock.json.now));
  t.false(Number.isNaN(start));

  const path = `${vmPath(RG, "vm-clock")}?api-version=${COMPUTE_API_VERSION}`;
  const created = await wire(url, "PUT", path, { body: JSON.stringify(rawVmBody(RG, "vm-clock")) });
  t.true([200, 201].includes(created.status));
  const creating = await wire(url, "GET", path);
  t.true(isObject(creating.json) && isObject(creating.json.properties) && creating.json.properties.provisioningState === "Creating");

  const advanced = await wire(url, "POST", "/_emulator/clock/advance", { body: JSON.stringify({ ms: 3_600_000 }) });
  t.is(advanced.status, 200);
  t.true(isObject(advanced.json) && Date.parse(String(advanced.json.now)) === start + 3_600_000);
  const after = await wire(url, "GET", "/_emulator/clock");
  t.true(isObject(after.json) && Date.parse(String(after.json.now)) === start + 3_600_000);

  const done = await wire(url, "GET", path);
  t.true(
    isObject(done.json) && isObject(done.json.properties) && done.json.properties.provisioningState === "Succeeded",
    "the create completed when time passed",
  );

  const negative = await wire(url, "POST", "/_emulator/clock/advance", { body: JSON.stringify({ ms: -1 }) });
  t.is(negative.status, 400);
  t.is(armError(t, negative.json).code, "InvalidClockAdvance");
});

test("fault rules are added, listed, fired and removed over http", async (t) => {
  const { url } = await startLoopbackEmulator(t);
  const path = `${setPath(RG, "as-faults")}?api-version=${COMPUTE_API_VERSION}`;
  const added = await wire(url, "POST", "/_emulator/faults", {
    body: JSON.stringify({ match: { operationId: "AvailabilitySets_Get" }, effect: { type: "error", status: 503, code: "ServerBusy" }, times: 1 }),
  });
  t.is(added.status, 201);
  if (!isObject(added.json) || typeof added.json.id !== "string") return t.fail("the added rule has no id");
  const id = added.json.id;

  const listed = await wire(url, "GET", "/_emulator/faults");
  t.true(isObject(listed.json) && Array.isArray(listed.json.value) && listed.json.value.some((r) => isObject(r) && r.id === id));

  const hit = await wire(url, "GET", path);
  t.is(hit.status, 503);
  t.is(armError(t, hit.json).code, "ServerBusy");
  t.is((await wire(url, "GET", path)).status, 404, "times: 1 fires once");

  const afterFire = await wire(url, "GET", "/_emulator/faults");
  const rule = isObject(afterFire.json) && Array.isArray(afterFire.json.value) ? afterFire.json.value.find((r) => isObject(r) && r.id === id) : undefined;
  t.true(isObject(rule) && rule.fired === 1 && rule.seen === 2, `counters: ${JSON.stringify(rule)}`);

  t.is((await wire(url, "DELETE", `/_emulator/faults/${id}`)).status, 204);
  const again = await wire(url, "DELETE", `/_emulator/faults/${id}`);
  t.is(again.status, 404);
  t.is(armError(t, again.json).code, "FaultRuleNotFound");

  await wire(url, "POST", "/_emulator/faults", { body: JSON.stringify({ match: { method: "GET" }, effect: { type: "latency", ms: 0 } }) });
  const cleared = await wire(url, "DELETE", "/_emulator/faults");
  t.is(cleared.status, 200);
  t.deepEqual(cleared.json, { removed: 1 });

  const invalid = await wire(url, "POST", "/_emulator/faults", { body: JSON.stringify({ match: {}, effect: { type: "explode" } }) });
  t.is(invalid.status, 400);
  t.is(armError(t, invalid.json).code, "InvalidFaultRule");
});

test("a snapshot taken over http restores the state when put back, and reset forgets everything", async (t) => {
  const { client, url } = await loopbackCompute(t);
  const body = { location: "westeurope", platformFaultDomainCount: 2, platformUpdateDomainCount: 5, sku: { name: "Aligned" } };
  await client.availabilitySets.createOrUpdate(RG, "as-kept", body);
  const snapshot = await wire(url, "GET", "/_emulator/snapshot");
  t.is(snapshot.status, 200);
  t.true(isObject(snapshot.json) && typeof snapshot.json.formatVersion === "number");

  await client.availabilitySets.createOrUpdate(RG, "as-later", body);
  t.is((await collect(client.availabilitySets.list(RG))).length, 2);

  const restored = await wire(url, "PUT", "/_emulator/snapshot", { body: snapshot.text });
  t.is(restored.status, 204);
  t.deepEqual(
    (await collect(client.availabilitySets.list(RG))).map((s) => s.name),
    ["as-kept"],
  );

  const bad = await wire(url, "PUT", "/_emulator/snapshot", { body: JSON.stringify({ formatVersion: 999 }) });
  t.is(bad.status, 400);
  t.is(armError(t, bad.json).code, "InvalidSnapshot");

  const reset = await wire(url, "POST", "/_emulator/reset");
  t.is(reset.status, 204);
  t.deepEqual(await collect(client.availabilitySets.listBySubscription()), []);
});
