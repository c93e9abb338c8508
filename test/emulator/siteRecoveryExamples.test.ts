// Layer 3 (ARCHITECTURE.md "Tests"): replays the official Azure REST API examples of Site Recovery
// (test/fixtures/api-examples/siterecovery, see its README.md for the method and path of each
// file) against the emulator over loopback HTTP with plain fetch, so the exact wire is checked: the
// prerequisites are created under the example's own names, the documented request is sent at the
// example's api-version, the long-running operation is followed through its Azure-AsyncOperation
// link, and the final resource is compared with the example's 200 body (same keys, same JSON types
// for what the emulator models, and the same values where the emulator models them).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { startLoopbackEmulator } from "../helpers/loopbackCompute.js";
import {
  EXAMPLES_ROOT,
  isObject,
  loadExample as loadCorpusExample,
  objectParameter,
  SITE_RECOVERY_CONTAINER_KEYS,
  stringParameter,
  type Example,
  type Json,
} from "../helpers/exampleCorpus.js";
import { correlatedWire, missingKeys, shapeMismatches, valueAt, valueMismatches, type WireResponse } from "../helpers/exampleReplay.js";

const SITE_RECOVERY_EXAMPLES = path.join(EXAMPLES_ROOT, "siterecovery");
/** What @azure/arm-recoveryservices 6.0.0 sends for the vault itself. */
const VAULT_API_VERSION = "2024-04-01";
/** Polls allowed before an operation counts as stuck (each poll stands for 30 s of emulated time). */
const MAX_POLLS = 100;
const CORRELATION_ID = "3f1c9a7e-2b4d-4e8f-9a6c-5d7e8f9a0b1c";

/** Reads one example of this corpus folder. */
function loadExample(file: string): Example {
  return loadCorpusExample(SITE_RECOVERY_EXAMPLES, file);
}

function okBody(example: Example): Record<string, unknown> {
  const body = example.responses["200"]?.body;
  if (!isObject(body)) throw new Error(`${example.file}: the 200 response has no body.`);
  return body;
}

// ---------------------------------------------------------------- wire

const wire = correlatedWire(CORRELATION_ID);

/** The example's path parameters (the subscription ids of the corpus are GUIDs already). */
interface Names {
  subscriptionId: string;
  resourceGroupName: string;
  resourceName: string;
}

/** One loopback emulator, addressed the way the examples are. */
class Replay {
  constructor(
    private readonly t: ExecutionContext,
    readonly base: string,
    readonly names: Names,
  ) {}

  /** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}` as the client sends it. */
  get vaultPath(): string {
    const { subscriptionId, resourceGroupName, resourceName } = this.names;
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/${resourceName}`;
  }

  url(resourcePath: string, apiVersion: string): string {
    const url = new URL(resourcePath, this.base);
    url.searchParams.set("api-version", apiVersion);
    return url.toString();
  }

  async createVault(): Promise<void> {
    const response = await wire(this.url(this.vaultPath, VAULT_API_VERSION), "PUT", { location: "westeurope", sku: { name: "Standard" }, properties: {} });
    if (response.status !== 201 && response.status !== 200) throw new Error(`setup: PUT vault answered ${response.status}: ${JSON.stringify(response.json)}`);
  }

  /** Setup: a PUT under the vault, followed to success. Returns the job it ran. */
  async put(vaultRelative: string, apiVersion: string, body: unknown): Promise<string> {
    const response = await wire(this.url(`${this.vaultPath}${vaultRelative}`, apiVersion), "PUT", body);
    if (response.status !== 202) throw new Error(`setup: PUT ${vaultRelative} answered ${response.status}: ${JSON.stringify(response.json)}`);
    const status = response.headers.get("azure-asyncoperation") ?? "";
    const final = await this.followStatus(status);
    if (!isObject(final) || final.status !== "Succeeded") throw new Error(`setup: PUT ${vaultRelative} ended with ${JSON.stringify(final)}`);
    return status.slice(status.lastIndexOf("/") + 1).split("?")[0] ?? "";
  }

  /** Polls an Azure-AsyncOperation link until it leaves InProgress; returns the last status body. */
  async followStatus(statusUrl: string): Promise<Json | undefined> {
    for (let i = 0; i < MAX_POLLS; i++) {
      const poll = await wire(statusUrl, "GET");
      if (poll.status !== 200) throw new Error(`polling ${statusUrl} answered ${poll.status}`);
      if (!isObject(poll.json) || poll.json.status !== "InProgress") return poll.json;
      this.t.regex(poll.headers.get("retry-after") ?? "", /^\d+$/, "a running operation's status carries Retry-After in integer seconds");
    }
    throw new Error(`the operation behind ${statusUrl} did not finish in ${MAX_POLLS} polls`);
  }
}

// ---------------------------------------------------------------- the cases

/** Creates a Hyper-V site the way ReplicationFabrics_Create does. */
const HYPER_V_SITE = { properties: { customDetails: { instanceType: "FabricSpecificCreationInput" } } };
/** A HyperVReplicaAzure policy the way ReplicationPolicies_Create does. */
const HYPER_V_POLICY = { properties: { providerSpecificInput: { instanceType: "HyperVReplicaAzure" } } };
/** A Hyper-V protection container the way ReplicationProtectionContainers_Create does. */
const HYPER_V_CONTAINER = { properties: { providerSpecificInput: [{ instanceType: "ReplicationProviderSpecificContainerCreationInput" }] } };

const FABRIC_KEYS = [
  "id",
  "name",
  "type",
  "properties.friendlyName",
  "properties.encryptionDetails.kekState",
  "properties.rolloverEncryptionDetails.kekState",
  "properties.internalIdentifier",
  "properties.bcdrState",
  "properties.customDetails.instanceType",
  "properties.healthErrorDetails",
  "properties.health",
];
const FABRIC_VALUES = [
  "id",
  "name",
  "type",
  "properties.friendlyName",
  "properties.encryptionDetails",
  "properties.rolloverEncryptionDetails",
  "properties.bcdrState",
  "properties.customDetails",
  "properties.healthErrorDetails",
  "properties.health",
];
const POLICY_KEYS = ["id", "name", "type", "properties.friendlyName", "properties.providerSpecificDetails.instanceType"];
const POLICY_VALUES = ["id", "name", "type", "properties.friendlyName", "properties.providerSpecificDetails.instanceType"];
// friendlyName is left out: the example's container (named after the VMM cloud id) shows the site's name, the emulator its own name.
const CONTAINER_VALUES = [
  "id",
  "name",
  "type",
  "properties.fabricFriendlyName",
  "properties.fabricType",
  "properties.pairingStatus",
  "properties.protectedItemCount",
  "properties.role",
];
const MAPPING_KEYS = [
  "id",
  "name",
  "type",
  "properties.targetProtectionContainerId",
  "properties.targetProtectionContainerFriendlyName",
  "properties.health",
  "properties.healthErrorDetails",
  "properties.policyId",
  "properties.state",
  "properties.sourceProtectionContainerFriendlyName",
  "properties.sourceFabricFriendlyName",
  "properties.targetFabricFriendlyName",
  "properties.policyFriendlyName",
];
// sourceProtectionContainerFriendlyName is left out for the same reason as the container's friendlyName.
const MAPPING_VALUES = [
  "id",
  "name",
  "type",
  "properties.targetProtectionContainerId",
  "properties.targetProtectionContainerFriendlyName",
  "properties.health",
  "properties.healthErrorDetails",
  "properties.policyId",
  "properties.state",
  "properties.sourceFabricFriendlyName",
  "properties.targetFabricFriendlyName",
  "properties.policyFriendlyName",
];
const JOB_KEYS = [
  "id",
  "name",
  "properties.activityId",
  "properties.allowedActions",
  "properties.customDetails.instanceType",
  "properties.endTime",
  "properties.errors",
  "properties.friendlyName",
  "properties.scenarioName",
  "properties.startTime",
  "properties.state",
  "properties.stateDescription",
  "properties.targetInstanceType",
  "properties.targetObjectId",
  "properties.targetObjectName",
  "properties.tasks[].name",
  "properties.tasks[].allowedActions",
  "properties.tasks[].customDetails.instanceType",
  "properties.tasks[].endTime",
  "properties.tasks[].errors",
  "properties.tasks[].friendlyName",
  "properties.tasks[].startTime",
  "properties.tasks[].state",
  "properties.tasks[].stateDescription",
  "properties.tasks[].taskId",
  "properties.tasks[].taskType",
];
const JOB_VALUES = [
  "properties.allowedActions",
  "properties.customDetails.instanceType",
  "properties.errors",
  "properties.state",
  "properties.stateDescription",
];

interface CaseContext {
  t: ExecutionContext;
  replay: Replay;
  example: Example;
}

interface ExampleCase {
  /** `{api-version}/{file}` under the siterecovery folder. */
  file: string;
  /** How the request is addressed (README.md of the corpus): the path under the vault, from the example's parameters (and what setup made). */
  method: "GET" | "PUT";
  path: (example: Example, made: Record<string, string>) => string;
  /** The example parameter holding the request body, for a PUT. */
  bodyParameter?: string;
  /** Creates what the request refers to; returns names it made (e.g. a job name). */
  setup?: (ctx: CaseContext) => Promise<Record<string, string>>;
  /** Keys the final resource must have (dotted paths, `[]` for every element of an array). */
  requiredKeys: readonly string[];
  /** Keys whose value must equal the example's. */
  sameValues: readonly string[];
  /** Further checks of the final resource. */
  after?: (ctx: CaseContext, body: Record<string, unknown>, made: Record<string, string>) => Promise<void> | void;
}

const fabricPath = (example: Example): string => `/replicationFabrics/${stringParameter(example, "fabricName")}`;
const containerPath = (example: Example): string =>
  `${fabricPath(example)}/replicationProtectionContainers/${stringParameter(example, "protectionContainerName")}`;

const CASES: readonly ExampleCase[] = [
  {
    file: "2023-06-01/ReplicationFabrics_Create.json",
    method: "PUT",
    path: fabricPath,
    bodyParameter: "input",
    requiredKeys: FABRIC_KEYS,
    sameValues: FABRIC_VALUES,
  },
  {
    file: "2025-08-01/ReplicationFabrics_Get.json",
    method: "GET",
    path: fabricPath,
    setup: async ({ replay, example }) => {
      await replay.put(fabricPath(example), "2023-06-01", HYPER_V_SITE);
      return {};
    },
    requiredKeys: FABRIC_KEYS,
    sameValues: FABRIC_VALUES,
  },
  {
    file: "2025-08-01/ReplicationPolicies_Create.json",
    method: "PUT",
    path: (example) => `/replicationPolicies/${stringParameter(example, "policyName")}`,
    bodyParameter: "input",
    requiredKeys: POLICY_KEYS,
    sameValues: POLICY_VALUES,
    after: ({ t }, body) => {
      // The example sends no settings; the service applies its defaults (5-minute copy frequency, 1 day of points).
      t.like(valueAt(body, "properties.providerSpecificDetails"), { replicationInterval: 300, recoveryPointHistoryDurationInHours: 24 });
    },
  },
  {
    file: "2023-06-01/ReplicationPolicies_Get.json",
    method: "GET",
    path: (example) => `/replicationPolicies/${stringParameter(example, "policyName")}`,
    setup: async ({ replay, example }) => {
      await replay.put(`/replicationPolicies/${stringParameter(example, "policyName")}`, "2023-06-01", HYPER_V_POLICY);
      return {};
    },
    requiredKeys: POLICY_KEYS,
    sameValues: POLICY_VALUES,
  },
  {
    file: "2025-08-01/ReplicationProtectionContainers_Create.json",
    method: "PUT",
    path: containerPath,
    bodyParameter: "creationInput",
    setup: async ({ replay, example }) => {
      await replay.put(fabricPath(example), "2023-06-01", HYPER_V_SITE);
      return {};
    },
    requiredKeys: SITE_RECOVERY_CONTAINER_KEYS,
    sameValues: CONTAINER_VALUES,
  },
  {
    file: "2023-06-01/ReplicationProtectionContainerMappings_Create.json",
    method: "PUT",
    path: (example) => `${containerPath(example)}/replicationProtectionContainerMappings/${stringParameter(example, "mappingName")}`,
    bodyParameter: "creationInput",
    setup: async ({ replay, example }) => {
      const policyId = valueAt(objectParameter(example, "creationInput"), "properties.policyId");
      if (typeof policyId !== "string") throw new Error(`${example.file}: the mapping input names no policy`);
      await replay.put(fabricPath(example), "2023-06-01", HYPER_V_SITE);
      await replay.put(containerPath(example), "2023-06-01", HYPER_V_CONTAINER);
      await replay.put(`/replicationPolicies/${policyId.slice(policyId.lastIndexOf("/") + 1)}`, "2023-06-01", HYPER_V_POLICY);
      return {};
    },
    requiredKeys: MAPPING_KEYS,
    sameValues: MAPPING_VALUES,
    after: async ({ t, replay, example }) => {
      const container = await wire(replay.url(`${replay.vaultPath}${containerPath(example)}`, stringParameter(example, "api-version")), "GET");
      t.is(valueAt(container.json, "properties.pairingStatus"), "Paired", "the mapped container shows as paired");
    },
  },
  {
    file: "2025-08-01/ReplicationJobs_Get.json",
    method: "GET",
    // The example's job cannot be made under its name (job names are the service's); the job of a fabric creation is read instead.
    path: (_example, made) => `/replicationJobs/${made.jobName ?? ""}`,
    setup: async ({ replay }) => ({ jobName: await replay.put("/replicationFabrics/cloud1", "2023-06-01", HYPER_V_SITE) }),
    requiredKeys: JOB_KEYS,
    sameValues: JOB_VALUES,
    after: ({ t, replay }, body, made) => {
      t.is(body.name, made.jobName);
      t.is(String(body.id).toLowerCase(), `${replay.vaultPath}/replicationJobs/${made.jobName ?? ""}`.toLowerCase());
      t.is(valueAt(body, "properties.scenarioName"), "CreateFabric");
      t.is(valueAt(body, "properties.targetObjectName"), "cloud1");
      const tasks = valueAt(body, "properties.tasks");
      t.true(Array.isArray(tasks) && tasks.every((task) => isObject(task) && task.state === "Succeeded"), "every task succeeded");
    },
  },
];

/** Examples replayed by another test file, because they need a protected item (or a Hyper-V site) brought into a given state first. */
const REPLAYED_ELSEWHERE: Readonly<Record<string, string>> = {
  "2025-08-01/ReplicationProtectionContainers_SwitchProtection.json": "officialSiteRecoveryFailover.test.ts",
  "2023-06-01/ReplicationJobs_Resume.json": "officialSiteRecoveryFailover.test.ts",
  "2023-06-01/ReplicationProtectedItems_ApplyRecoveryPoint.json": "officialSiteRecoveryFailover.test.ts",
  "2023-06-01/ReplicationProtectedItems_TestFailover.json": "officialSiteRecoveryFailover.test.ts",
  "2023-06-01/ReplicationProtectedItems_TestFailoverCleanup.json": "officialSiteRecoveryFailover.test.ts",
  "2025-08-01/ReplicationProtectedItems_FailoverCancel.json": "officialSiteRecoveryFailover.test.ts",
  "2025-08-01/ReplicationProtectedItems_FailoverCommit.json": "officialSiteRecoveryFailover.test.ts",
  "2025-08-01/ReplicationProtectedItems_UnplannedFailover.json": "officialSiteRecoveryFailover.test.ts",
  "2023-06-01/ReplicationRecoveryPlans_FailoverCommit.json": "officialRecoveryPlanRuns.test.ts",
  "2023-06-01/ReplicationRecoveryPlans_Get.json": "officialRecoveryPlanRuns.test.ts",
  "2023-06-01/ReplicationRecoveryPlans_PlannedFailover.json": "officialRecoveryPlanRuns.test.ts",
  "2023-06-01/ReplicationRecoveryPlans_Reprotect.json": "officialRecoveryPlanRuns.test.ts",
  "2023-06-01/ReplicationRecoveryPlans_TestFailover.json": "officialRecoveryPlanRuns.test.ts",
  "2025-08-01/ReplicationRecoveryPlans_Create.json": "officialRecoveryPlanRuns.test.ts",
  "2025-08-01/ReplicationRecoveryPlans_TestFailoverCleanup.json": "officialRecoveryPlanRuns.test.ts",
  "2025-08-01/ReplicationRecoveryPlans_UnplannedFailover.json": "officialRecoveryPlanRuns.test.ts",
  "2023-06-01/ReplicationNetworkMappings_Create.json": "officialHyperV.test.ts",
  "2023-06-01/ReplicationProtectedItems_Get.json": "officialHyperV.test.ts",
  "2023-06-01/ReplicationProtectedItems_RepairReplication.json": "officialHyperV.test.ts",
  "2025-08-01/RecoveryPoints_ListByReplicationProtectedItems.json": "officialHyperV.test.ts",
  "2025-08-01/ReplicationProtectedItems_Create.json": "officialHyperV.test.ts",
  "2025-08-01/ReplicationProtectedItems_Delete.json": "officialHyperV.test.ts",
  "2025-08-01/ReplicationProtectedItems_Purge.json": "officialHyperV.test.ts",
  "2025-08-01/ReplicationProtectedItems_PlannedFailover.json": "officialHyperV.test.ts",
  "2025-08-01/ReplicationProtectedItems_Reprotect.json": "officialHyperV.test.ts",
};

/** Site Recovery examples of the corpus the emulator does not serve yet, each with what is missing. */
const NOT_YET_COVERED: Readonly<Record<string, string>> = {};

// ---------------------------------------------------------------- the replay

/** Checks a 202's LRO headers: Azure-AsyncOperation and Location on the emulator's host, naming one job, and Retry-After. */
function checkAccepted(t: ExecutionContext, replay: Replay, response: WireResponse, apiVersion: string): string {
  t.is(response.json, undefined, "a 202 has no body");
  const statusLink = response.headers.get("azure-asyncoperation") ?? "";
  const location = response.headers.get("location") ?? "";
  t.true(URL.canParse(statusLink), `Azure-AsyncOperation is an absolute URL: '${statusLink}'`);
  t.true(URL.canParse(location), `Location is an absolute URL: '${location}'`);
  t.regex(response.headers.get("retry-after") ?? "", /^\d+$/, "Retry-After in integer seconds");
  if (!URL.canParse(statusLink) || !URL.canParse(location)) return "";
  const status = new URL(statusLink);
  const result = new URL(location);
  t.is(status.origin, replay.base, "the status link is on the host the client called");
  t.is(result.origin, replay.base, "the Location link is on the host the client called");
  t.is(status.searchParams.get("api-version"), apiVersion, "the status link carries the request's api-version");
  const vault = replay.vaultPath.toLowerCase();
  const job = /\/replicationOperationStatus\/([^/]+)$/i.exec(status.pathname)?.[1] ?? "";
  t.is(
    status.pathname.toLowerCase(),
    `${vault}/replicationoperationstatus/${job}`.toLowerCase(),
    "Azure-AsyncOperation is {vault}/replicationOperationStatus/{job}",
  );
  t.is(result.pathname.toLowerCase(), `${vault}/operationresults/${job}`.toLowerCase(), "Location is {vault}/operationresults/{job}, the same job");
  return job;
}

async function replayExample(t: ExecutionContext, exampleCase: ExampleCase): Promise<void> {
  const example = loadExample(exampleCase.file);
  const apiVersion = stringParameter(example, "api-version");
  t.is(path.dirname(exampleCase.file), apiVersion, "the file sits in its api-version's folder");
  const { url } = await startLoopbackEmulator(t);
  const names: Names = {
    subscriptionId: stringParameter(example, "subscriptionId"),
    resourceGroupName: stringParameter(example, "resourceGroupName"),
    resourceName: stringParameter(example, "resourceName"),
  };
  const replay = new Replay(t, url, names);
  const ctx: CaseContext = { t, replay, example };
  await replay.createVault();
  const made = (await exampleCase.setup?.(ctx)) ?? {};

  const resourceUrl = replay.url(`${replay.vaultPath}${exampleCase.path(example, made)}`, apiVersion);
  const requestBody = exampleCase.bodyParameter === undefined ? undefined : objectParameter(example, exampleCase.bodyParameter);
  const response = await wire(resourceUrl, exampleCase.method, requestBody);
  const documented = Object.keys(example.responses);
  t.true(
    documented.includes(String(response.status)),
    `answered ${response.status}, the example documents ${documented.join(", ")}: ${JSON.stringify(response.json)}`,
  );
  t.regex(response.headers.get("x-ms-request-id") ?? "", /^[0-9a-f-]{36}$/i, "x-ms-request-id is a GUID");
  t.is(response.headers.get("x-ms-correlation-request-id"), CORRELATION_ID);

  let final: Json | undefined = response.json;
  if (response.status === 202) {
    const job = checkAccepted(t, replay, response, apiVersion);
    const status = await replay.followStatus(response.headers.get("azure-asyncoperation") ?? "");
    t.like(status, { name: job, status: "Succeeded" }, "the operation status ends Succeeded");
    t.true(isObject(status) && typeof status.startTime === "string" && typeof status.endTime === "string", "the status has start and end times");
    // What the SDKs do for a PUT: the final GET is the resource itself.
    const read = await wire(resourceUrl, "GET");
    t.is(read.status, 200, `the final GET answered ${read.status}`);
    final = read.json;
    const result = await wire(response.headers.get("location") ?? "", "GET");
    t.is(result.status, 200, "the Location link serves the result");
    t.deepEqual(result.json, final, "the Location link serves the created resource");
  }

  const expected = okBody(example);
  if (!isObject(final)) {
    t.fail(`the final resource is not an object: ${JSON.stringify(final)}`);
    return;
  }
  t.deepEqual(shapeMismatches(expected, final), [], "every modelled key has the example's JSON type");
  t.deepEqual(
    exampleCase.requiredKeys.flatMap((key) => missingKeys(final, key)),
    [],
    "the example's keys are present",
  );
  t.deepEqual(valueMismatches(expected, final, exampleCase.sameValues), [], "the modelled values are the example's");
  await exampleCase.after?.(ctx, final, made);
}

test("the site recovery example corpus is present and each example is replayed or listed as not yet served", (t) => {
  if (!existsSync(SITE_RECOVERY_EXAMPLES)) {
    t.fail(`The Azure REST API example corpus is missing: expected the folder ${SITE_RECOVERY_EXAMPLES} (test/fixtures/api-examples).`);
    return;
  }
  const files = readdirSync(SITE_RECOVERY_EXAMPLES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((folder) =>
      readdirSync(path.join(SITE_RECOVERY_EXAMPLES, folder.name))
        .filter((file) => file.endsWith(".json"))
        .map((file) => `${folder.name}/${file}`),
    )
    .sort();
  const replayed = [...CASES.map((c) => c.file), ...Object.keys(REPLAYED_ELSEWHERE)];
  t.deepEqual(
    replayed.filter((file) => file in NOT_YET_COVERED),
    [],
    "an example is either replayed or not yet served",
  );
  t.deepEqual(files, [...replayed, ...Object.keys(NOT_YET_COVERED)].sort(), "a new example in the corpus needs a case here");
});

for (const exampleCase of CASES) {
  test(`replays ${exampleCase.file} with a documented status, a completed operation and the example's shape`, async (t) => {
    await replayExample(t, exampleCase);
  });
}
