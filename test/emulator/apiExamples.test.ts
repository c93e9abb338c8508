// Layer 3 (ARCHITECTURE.md "Tests"): replays the official Azure REST API examples of
// Microsoft.Compute 2025-11-01 (test/fixtures/api-examples, see its README.md for the method
// and path of each file) against the emulator over loopback HTTP with plain fetch, so the exact
// wire is checked: status codes the example documents, the JSON shape of the bodies, and the
// long-running-operation headers, followed to completion.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { rawVmBody } from "../helpers/fixtures.js";
import { startLoopbackEmulator } from "../helpers/loopbackCompute.js";
import { EXAMPLES_ROOT, isObject, loadExample as loadCorpusExample, stringParameter, type Example, type Json } from "../helpers/exampleCorpus.js";
import { correlatedWire, missingKeys, shapeMismatches, type WireResponse } from "../helpers/exampleReplay.js";

const API_VERSION = "2025-11-01";
const COMPUTE_EXAMPLES = path.join(EXAMPLES_ROOT, "compute", API_VERSION);
/** A valid subscription GUID used in place of the examples' `{subscription-id}`. */
const EXAMPLE_SUB = "6d9b7a10-3c2e-4f8a-9b1d-2e5f7c8a9b0c";
/** Polls allowed before a long-running operation counts as stuck (each poll stands for 10 s of emulated time). */
const MAX_POLLS = 500;
/** The correlation id every request of this file sends; the emulator must echo it. */
const CORRELATION_ID = "0a5d1c4e-6b7f-4e21-9c3d-8f2a1b0c9d7e";

/** Reads one example of this corpus folder. */
function loadExample(file: string): Example {
  return loadCorpusExample(COMPUTE_EXAMPLES, file);
}

/** Replaces the examples' subscription placeholders with a real GUID. */
function withSubscription(text: string): string {
  return text.replace(/\{subscription-?id\}/gi, EXAMPLE_SUB);
}

// ---------------------------------------------------------------- wire helpers

const wire = correlatedWire(CORRELATION_ID);

/** A test's view of one loopback emulator, addressed the way the examples are. */
class Replay {
  constructor(
    private readonly t: ExecutionContext,
    readonly base: string,
  ) {}

  url(resourcePath: string, query: Record<string, string> = {}): string {
    const url = new URL(resourcePath, this.base);
    url.searchParams.set("api-version", API_VERSION);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url.toString();
  }

  async putAvailabilitySet(resourceGroup: string, name: string, body: Record<string, unknown>): Promise<void> {
    const response = await wire(this.url(computePath(resourceGroup, "availabilitySets", name)), "PUT", body);
    if (response.status !== 200) throw new Error(`setup: PUT availability set ${name} answered ${response.status}: ${JSON.stringify(response.json)}`);
  }

  /** Creates a VM and follows its Azure-AsyncOperation link until the create succeeds. */
  async putVm(resourceGroup: string, name: string, body: Record<string, unknown>): Promise<void> {
    const response = await wire(this.url(computePath(resourceGroup, "virtualMachines", name)), "PUT", body);
    if (response.status !== 201 && response.status !== 200)
      throw new Error(`setup: PUT VM ${name} answered ${response.status}: ${JSON.stringify(response.json)}`);
    const status = response.headers.get("azure-asyncoperation");
    if (status === null) throw new Error(`setup: PUT VM ${name} gave no Azure-AsyncOperation link`);
    for (let i = 0; i < MAX_POLLS; i++) {
      const poll = await wire(status, "GET");
      const state = isObject(poll.json) ? poll.json.status : undefined;
      if (state === "Succeeded") return;
      if (state !== "InProgress") throw new Error(`setup: creating VM ${name} ended ${String(state)}: ${JSON.stringify(poll.json)}`);
    }
    throw new Error(`setup: creating VM ${name} did not finish in ${MAX_POLLS} polls`);
  }

  /** Runs a VM action to completion (setup only). */
  async vmAction(resourceGroup: string, name: string, action: string): Promise<void> {
    const response = await wire(this.url(`${computePath(resourceGroup, "virtualMachines", name)}/${action}`), "POST");
    if (response.status !== 202) throw new Error(`setup: ${action} answered ${response.status}`);
    const final = await this.followLocation(response.headers.get("location") ?? "");
    if (final.status !== 200) throw new Error(`setup: ${action} ended with ${final.status}`);
  }

  /** Polls a `Location` link while it answers 202; returns the first other answer. */
  async followLocation(location: string): Promise<WireResponse> {
    for (let i = 0; i < MAX_POLLS; i++) {
      const poll = await wire(location, "GET");
      if (poll.status !== 202) return poll;
      this.t.truthy(poll.headers.get("location"), "a running operation's 202 repeats the Location link");
      this.t.regex(poll.headers.get("retry-after") ?? "", /^\d+$/, "a running operation's 202 carries Retry-After in integer seconds");
    }
    throw new Error(`the operation behind ${location} did not finish in ${MAX_POLLS} polls`);
  }

  async instanceView(resourceGroup: string, name: string): Promise<Record<string, unknown>> {
    const response = await wire(this.url(`${computePath(resourceGroup, "virtualMachines", name)}/instanceView`), "GET");
    if (response.status !== 200 || !isObject(response.json)) throw new Error(`instanceView of ${name} answered ${response.status}`);
    return response.json;
  }

  async powerState(resourceGroup: string, name: string): Promise<string | undefined> {
    const view = await this.instanceView(resourceGroup, name);
    const statuses = Array.isArray(view.statuses) ? view.statuses : [];
    const power = statuses.find((s): s is { [key: string]: Json } => isObject(s) && typeof s.code === "string" && s.code.startsWith("PowerState/"));
    return power === undefined ? undefined : String(power.code);
  }
}

function computePath(resourceGroup: string, collection: "availabilitySets" | "virtualMachines", name: string): string {
  return `/subscriptions/${EXAMPLE_SUB}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/${collection}/${name}`;
}

// ---------------------------------------------------------------- the cases

/** How each operation id is addressed (README.md of the corpus). */
const OPERATIONS: Record<string, { method: "GET" | "PUT" | "POST"; collection: "availabilitySets" | "virtualMachines"; suffix: string }> = {
  AvailabilitySets_CreateOrUpdate: { method: "PUT", collection: "availabilitySets", suffix: "" },
  AvailabilitySets_Get: { method: "GET", collection: "availabilitySets", suffix: "" },
  VirtualMachines_Get: { method: "GET", collection: "virtualMachines", suffix: "" },
  VirtualMachines_InstanceView: { method: "GET", collection: "virtualMachines", suffix: "/instanceView" },
  VirtualMachines_PerformMaintenance: { method: "POST", collection: "virtualMachines", suffix: "/performMaintenance" },
  VirtualMachines_Redeploy: { method: "POST", collection: "virtualMachines", suffix: "/redeploy" },
  VirtualMachines_PowerOff: { method: "POST", collection: "virtualMachines", suffix: "/powerOff" },
  VirtualMachines_Start: { method: "POST", collection: "virtualMachines", suffix: "/start" },
  VirtualMachines_Deallocate: { method: "POST", collection: "virtualMachines", suffix: "/deallocate" },
};

/** Parameters that are path segments, the api-version or the body; every other one is a query parameter. */
const NON_QUERY_PARAMETERS = new Set(["subscriptionId", "resourceGroupName", "availabilitySetName", "vmName", "api-version", "parameters"]);

const AVAILABILITY_SET_KEYS = ["id", "name", "type", "location", "sku.name", "properties.platformFaultDomainCount", "properties.platformUpdateDomainCount"];
const VM_KEYS = [
  "id",
  "name",
  "type",
  "location",
  "properties.vmId",
  "properties.hardwareProfile.vmSize",
  "properties.storageProfile",
  "properties.provisioningState",
];
const INSTANCE_VIEW_KEYS = ["statuses[].code", "statuses[].level", "statuses[].displayStatus", "disks"];

interface CaseContext {
  t: ExecutionContext;
  replay: Replay;
  example: Example;
  resourceGroup: string;
  name: string;
}

interface ExampleCase {
  file: string;
  operationId: string;
  /** Keys a 200 body must have (dotted paths, `[]` for every element of an array). */
  requiredKeys?: readonly string[];
  /** Creates what the example's path refers to. */
  setup?: (ctx: CaseContext) => Promise<void>;
  /** Checks the emulator's state once the request (and its operation) completed. */
  after?: (ctx: CaseContext, body: Json | undefined) => Promise<void>;
}

/** A VM with managed disks for the action examples, optionally with extra properties. */
function actionVmBody(resourceGroup: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return rawVmBody(resourceGroup, name, extra);
}

/** The example VM's writable profiles, as the create request that produced it would have sent them. */
function vmCreateBodyFrom(example: Example): Record<string, unknown> {
  const body = example.responses["200"]?.body;
  if (!isObject(body) || !isObject(body.properties)) throw new Error(`${example.file}: the 200 body has no properties`);
  const source = JSON.parse(withSubscription(JSON.stringify(body))) as Record<string, unknown>;
  const properties = source.properties as Record<string, unknown>;
  const writable: Record<string, unknown> = {};
  for (const key of [
    "availabilitySet",
    "hardwareProfile",
    "storageProfile",
    "osProfile",
    "securityProfile",
    "networkProfile",
    "diagnosticsProfile",
    "userData",
    "extensionsTimeBudget",
  ]) {
    if (properties[key] !== undefined) writable[key] = properties[key];
  }
  if (isObject(writable.osProfile)) writable.osProfile = { ...writable.osProfile, adminPassword: "Correct-Horse-42!" };
  return { location: source.location, tags: source.tags, properties: writable };
}

const CASES: readonly ExampleCase[] = [
  {
    file: "AvailabilitySet_Create.json",
    operationId: "AvailabilitySets_CreateOrUpdate",
    requiredKeys: AVAILABILITY_SET_KEYS,
    after: async ({ t, replay, resourceGroup, name }, body) => {
      t.true(isObject(body) && isObject(body.sku) && body.sku.name === "Classic", "an availability set without sku is Classic");
      const read = await wire(replay.url(computePath(resourceGroup, "availabilitySets", name)), "GET");
      t.is(read.status, 200);
      t.deepEqual(read.json, body, "a GET serves what the PUT answered");
    },
  },
  {
    file: "AvailabilitySet_Get_MaximumSet_Gen.json",
    operationId: "AvailabilitySets_Get",
    requiredKeys: AVAILABILITY_SET_KEYS,
    setup: async ({ replay, example, resourceGroup, name }) => {
      const body = example.responses["200"]?.body;
      if (!isObject(body) || !isObject(body.properties)) throw new Error("example body has no properties");
      await replay.putAvailabilitySet(resourceGroup, name, {
        location: body.location,
        tags: body.tags,
        sku: { name: isObject(body.sku) ? body.sku.name : undefined },
        properties: {
          platformFaultDomainCount: body.properties.platformFaultDomainCount,
          platformUpdateDomainCount: body.properties.platformUpdateDomainCount,
        },
      });
    },
  },
  {
    file: "VirtualMachine_Get.json",
    operationId: "VirtualMachines_Get",
    requiredKeys: VM_KEYS,
    setup: async ({ replay, example, resourceGroup, name }) => {
      const create = vmCreateBodyFrom(example);
      const properties = create.properties as Record<string, unknown>;
      const setId = isObject(properties.availabilitySet) ? String(properties.availabilitySet.id) : "";
      const setName = setId.split("/").pop() ?? "";
      await replay.putAvailabilitySet(resourceGroup, setName, {
        location: create.location,
        sku: { name: "Aligned" },
        properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 5 },
      });
      await replay.putVm(resourceGroup, name, create);
    },
    after: async ({ t }, body) => {
      const properties = isObject(body) && isObject(body.properties) ? body.properties : {};
      t.is(properties.provisioningState, "Succeeded");
      t.is(properties.userData, "RXhhbXBsZSBVc2VyRGF0YQ==", "$expand=userData returns the user data");
      t.false(isObject(properties.osProfile) && "adminPassword" in properties.osProfile, "the admin password is never served");
    },
  },
  {
    file: "VirtualMachine_Get_InstanceViewAutoPlacedOnDedicatedHostGroup.json",
    operationId: "VirtualMachines_InstanceView",
    requiredKeys: INSTANCE_VIEW_KEYS,
    setup: async ({ replay, resourceGroup, name }) => {
      const body = actionVmBody(resourceGroup, name);
      const properties = body.properties as { storageProfile: { osDisk: { name: string } } };
      properties.storageProfile.osDisk.name = "myOsDisk";
      await replay.putVm(resourceGroup, name, { ...body, location: "westus" });
    },
    after: async ({ t }, body) => {
      const view = isObject(body) ? body : {};
      const codes = Array.isArray(view.statuses) ? view.statuses.map((s) => (isObject(s) ? s.code : undefined)) : [];
      t.deepEqual(codes, ["ProvisioningState/succeeded", "PowerState/running"], "the example's two statuses, in order");
      const disks = Array.isArray(view.disks) ? view.disks : [];
      t.deepEqual(
        disks.map((d) => (isObject(d) ? d.name : undefined)),
        ["myOsDisk"],
      );
    },
  },
  {
    file: "VirtualMachine_Start_MinimumSet_Gen.json",
    operationId: "VirtualMachines_Start",
    setup: async ({ replay, resourceGroup, name }) => {
      await replay.putVm(resourceGroup, name, actionVmBody(resourceGroup, name));
      await replay.vmAction(resourceGroup, name, "powerOff");
    },
    after: async ({ t, replay, resourceGroup, name }) => {
      t.is(await replay.powerState(resourceGroup, name), "PowerState/running");
    },
  },
  {
    file: "VirtualMachine_PowerOff_MaximumSet_Gen.json",
    operationId: "VirtualMachines_PowerOff",
    setup: async ({ replay, resourceGroup, name }) => replay.putVm(resourceGroup, name, actionVmBody(resourceGroup, name)),
    after: async ({ t, replay, resourceGroup, name }) => {
      t.is(await replay.powerState(resourceGroup, name), "PowerState/stopped");
    },
  },
  {
    file: "VirtualMachine_Deallocate_MaximumSet_Gen.json",
    operationId: "VirtualMachines_Deallocate",
    // hibernate=true is only valid for a VM created with hibernation enabled.
    setup: async ({ replay, resourceGroup, name }) =>
      replay.putVm(resourceGroup, name, actionVmBody(resourceGroup, name, { additionalCapabilities: { hibernationEnabled: true } })),
    after: async ({ t, replay, resourceGroup, name }) => {
      t.is(await replay.powerState(resourceGroup, name), "PowerState/deallocated");
    },
  },
  {
    file: "VirtualMachine_Redeploy_MaximumSet_Gen.json",
    operationId: "VirtualMachines_Redeploy",
    setup: async ({ replay, resourceGroup, name }) => replay.putVm(resourceGroup, name, actionVmBody(resourceGroup, name)),
    after: async ({ t, replay, resourceGroup, name }) => {
      t.is(await replay.powerState(resourceGroup, name), "PowerState/running");
    },
  },
  {
    file: "VirtualMachine_PerformMaintenance_MaximumSet_Gen.json",
    operationId: "VirtualMachines_PerformMaintenance",
    setup: async ({ replay, resourceGroup, name }) => {
      await replay.putVm(resourceGroup, name, actionVmBody(resourceGroup, name));
      const wave = await wire(new URL("/_emulator/maintenance/waves", replay.base).toString(), "POST", {
        virtualMachineIds: [computePath(resourceGroup, "virtualMachines", name)],
      });
      if (wave.status !== 201) throw new Error(`setup: scheduling the maintenance wave answered ${wave.status}: ${JSON.stringify(wave.json)}`);
    },
    after: async ({ t, replay, resourceGroup, name }) => {
      const view = await replay.instanceView(resourceGroup, name);
      const status = isObject(view.maintenanceRedeployStatus) ? view.maintenanceRedeployStatus : {};
      t.is(status.lastOperationResultCode, "MaintenanceCompleted");
      t.is(await replay.powerState(resourceGroup, name), "PowerState/running");
    },
  },
];

// ---------------------------------------------------------------- the replay

async function replayExample(t: ExecutionContext, exampleCase: ExampleCase): Promise<void> {
  const example = loadExample(exampleCase.file);
  t.is(example.operationId, exampleCase.operationId, "the file is the operation this case replays");
  t.is(example.parameters["api-version"], API_VERSION);
  const operation = OPERATIONS[example.operationId ?? ""];
  if (operation === undefined) throw new Error(`no route known for ${example.operationId}`);

  const { url } = await startLoopbackEmulator(t);
  const replay = new Replay(t, url);
  const resourceGroup = stringParameter(example, "resourceGroupName");
  const name = stringParameter(example, operation.collection === "availabilitySets" ? "availabilitySetName" : "vmName");
  const ctx: CaseContext = { t, replay, example, resourceGroup, name };
  await exampleCase.setup?.(ctx);

  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(example.parameters)) {
    if (!NON_QUERY_PARAMETERS.has(key)) query[key] = String(value);
  }
  const requestBody = example.parameters.parameters;
  const resourcePath = computePath(resourceGroup, operation.collection, name);
  const response = await wire(replay.url(`${resourcePath}${operation.suffix}`, query), operation.method, requestBody);

  const documented = Object.keys(example.responses);
  t.true(
    documented.includes(String(response.status)),
    `answered ${response.status}, the example documents ${documented.join(", ")}: ${JSON.stringify(response.json)}`,
  );
  t.regex(response.headers.get("x-ms-request-id") ?? "", /^[0-9a-f-]{36}$/i, "x-ms-request-id is a GUID");
  t.is(response.headers.get("x-ms-correlation-request-id"), CORRELATION_ID);

  let finalBody: Json | undefined = response.json;
  if (response.status === 202) {
    t.is(response.json, undefined, "a 202 has no body");
    const location = response.headers.get("location") ?? "";
    t.true(URL.canParse(location), `the 202 Location header is an absolute URL: '${location}'`);
    if (!URL.canParse(location)) return;
    t.is(new URL(location).origin, url, "the Location link is on the host the client called");
    const final = await replay.followLocation(location);
    const terminal = documented.filter((code) => code !== "202");
    t.true(
      terminal.includes(String(final.status)),
      `the operation ended with ${final.status}, the example documents ${terminal.join(", ")}: ${JSON.stringify(final.json)}`,
    );
    finalBody = final.json;
  }

  const exampleBody = example.responses[String(response.status)]?.body;
  if (response.status === 200 && exampleBody !== undefined && (!isObject(exampleBody) || Object.keys(exampleBody).length > 0)) {
    t.regex(response.headers.get("content-type") ?? "", /^application\/json/);
    t.deepEqual(shapeMismatches(exampleBody, response.json), [], "every modelled field has the example's JSON type");
    t.deepEqual(
      (exampleCase.requiredKeys ?? []).flatMap((key) => missingKeys(response.json, key)),
      [],
      "the required keys are present",
    );
    if (isObject(exampleBody) && isObject(response.json)) {
      if (typeof exampleBody.type === "string") t.is(response.json.type, exampleBody.type);
      if (typeof exampleBody.id === "string") {
        t.is(String(response.json.id).toLowerCase(), resourcePath.toLowerCase(), "the id is the requested resource's");
        t.is(response.json.name, name);
      }
    }
  }
  await exampleCase.after?.(ctx, finalBody);
}

test("the compute example corpus is present and every example in it is replayed", (t) => {
  if (!existsSync(COMPUTE_EXAMPLES)) {
    t.fail(`The Azure REST API example corpus is missing: expected the folder ${COMPUTE_EXAMPLES} (test/fixtures/api-examples).`);
    return;
  }
  const files = readdirSync(COMPUTE_EXAMPLES)
    .filter((f) => f.endsWith(".json"))
    .sort();
  t.deepEqual(files, CASES.map((c) => c.file).sort(), "a new example in the corpus needs a case here");
});

for (const exampleCase of CASES) {
  test(`replays ${exampleCase.file} (${exampleCase.operationId}) with a documented status, the example's shape and a completed operation`, async (t) => {
    await replayExample(t, exampleCase);
  });
}
