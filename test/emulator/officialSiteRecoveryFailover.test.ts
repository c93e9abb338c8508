// Layer 3 (ARCHITECTURE.md "Tests"): failover of one replicated item with the official
// @azure/arm-recoveryservices-siterecovery client (5.1.0) and @azure/arm-compute, used directly
// (not through sdk/), against the emulator over real loopback HTTP: test failover and its
// cleanup, failover (shut down first or from a recovery point), change of recovery point, cancel,
// commit, the refusals of out-of-order calls, reprotect through switch protection and failback.
// The last part replays the official examples of these operations with plain fetch, adapted to an
// Azure-to-Azure item where the example was written for Hyper-V.
import type { VirtualMachine } from "@azure/arm-compute";
import type {
  A2AReplicationDetails,
  Job,
  ProtectionContainer,
  RecoveryPoint,
  ReplicationProtectedItem,
  ReplicationProviderSpecificSettingsUnion,
  SwitchProtectionInput,
  TestFailoverInput,
  UnplannedFailoverInput,
} from "@azure/arm-recoveryservices-siterecovery";
import { isRestError, type PipelineResponse } from "@azure/core-rest-pipeline";
import test, { type ExecutionContext } from "ava";
import path from "node:path";
import { EXAMPLES_ROOT, isObject, jsonType, loadExample, type Example, type Json } from "../helpers/exampleCorpus.js";
import {
  ASR_RG,
  buildA2aSetup,
  collect,
  createProtectableVm,
  diskIdsOf,
  enableInput,
  idOf,
  jobNameFromLocation,
  loopbackSiteRecovery,
  LRO,
  PRIMARY_CONTAINER,
  PRIMARY_FABRIC,
  PRIMARY_REGION,
  RECOVERY_CONTAINER,
  RECOVERY_FABRIC,
  RECOVERY_REGION,
  RECOVERY_RG,
  resourceGroupId,
  responseRecorder,
  storageAccountId,
  VAULT,
  virtualNetworkId,
  VM_RG,
  type A2aSetup,
  type LoopbackSiteRecovery,
} from "../helpers/loopbackSiteRecovery.js";

const ASR_API_VERSION = "2023-06-01";
const ITEM = "item-app-0";
const VM_NAME = "vm-app-0";
const HOUR = 3_600_000;
/** Fast copies: a 30 GiB disk replicates in 30 s of emulated time. */
const FAST_COPY = { replicationBandwidthMBps: 1024 } as const;
const REVERSE_MAPPING = "mapping-northeurope-westeurope";
/** A cache storage account in the region the VM runs in after failover (reprotect sends from there). */
const CACHE_NORTH = "cachenortheurope01";
const SITE_RECOVERY_EXAMPLES = path.join(EXAMPLES_ROOT, "siterecovery");

// ---------------------------------------------------------------- helpers

/** Where an item lives: the fabric and container of the region it replicates from. */
interface ItemPlace {
  fabric: string;
  container: string;
}
const AT_PRIMARY: ItemPlace = { fabric: PRIMARY_FABRIC, container: PRIMARY_CONTAINER };
const AT_RECOVERY: ItemPlace = { fabric: RECOVERY_FABRIC, container: RECOVERY_CONTAINER };

function vaultPath(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${ASR_RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`;
}

/** Asserts that `promise` rejects with a RestError of this status and code; returns its message. */
async function refused(t: ExecutionContext, promise: Promise<unknown>, statusCode: number, code: string): Promise<string> {
  const error = await t.throwsAsync(promise);
  if (!isRestError(error)) {
    t.fail(`expected a RestError, got ${String(error)}`);
    return "";
  }
  t.is(error.statusCode, statusCode, error.message);
  t.is(error.code, code, error.message);
  return error.message;
}

function isA2aItem(details: ReplicationProviderSpecificSettingsUnion | undefined): details is A2AReplicationDetails {
  return details?.instanceType === "A2A";
}

function a2aOf(t: ExecutionContext, item: ReplicationProtectedItem): A2AReplicationDetails {
  const details = item.properties?.providerSpecificDetails;
  if (!isA2aItem(details)) {
    t.fail(`expected A2A replication details, got ${JSON.stringify(details)}`);
    return { instanceType: "A2A" };
  }
  return details;
}

/**
 * Checks the initial response of a Site Recovery operation: 202 with `Azure-AsyncOperation`
 * (`{vault}/replicationOperationStatus/{job}`) and `Location` (`{vault}/operationresults/{job}`) on
 * the host the client called, naming the same job, and `Retry-After` in integer seconds. Returns the job name.
 */
function acceptedJob(t: ExecutionContext, env: LoopbackSiteRecovery, responses: readonly PipelineResponse[], what: string): string {
  const response = responses[0];
  if (response === undefined) {
    t.fail(`${what}: onResponse saw no response`);
    return "";
  }
  t.is(response.status, 202, `${what} answers 202 Accepted`);
  t.regex(response.headers.get("x-ms-request-id") ?? "", /^[0-9a-f-]{36}$/i, `${what} carries x-ms-request-id`);
  const vault = vaultPath(env.subscriptionId).toLowerCase();
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

function withRecorder(recorder?: ReturnType<typeof responseRecorder>): typeof LRO & { onResponse?: (raw: PipelineResponse) => void } {
  return recorder === undefined ? LRO : { ...LRO, onResponse: recorder.onResponse };
}

function getItem(env: LoopbackSiteRecovery, at: ItemPlace = AT_PRIMARY): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.get(VAULT, ASR_RG, at.fabric, at.container, ITEM);
}

function listPoints(env: LoopbackSiteRecovery, at: ItemPlace = AT_PRIMARY): Promise<RecoveryPoint[]> {
  return collect(env.asr.recoveryPoints.listByReplicationProtectedItems(VAULT, ASR_RG, at.fabric, at.container, ITEM));
}

function listJobs(env: LoopbackSiteRecovery): Promise<Job[]> {
  return collect(env.asr.replicationJobs.list(VAULT, ASR_RG));
}

function getJob(env: LoopbackSiteRecovery, name: string): Promise<Job> {
  return env.asr.replicationJobs.get(VAULT, ASR_RG, name);
}

function pointId(point: RecoveryPoint | undefined): string {
  if (point?.id === undefined) throw new Error("no such recovery point");
  return point.id;
}

async function powerState(env: LoopbackSiteRecovery, resourceGroup: string, name: string): Promise<string | undefined> {
  const view = await env.compute.virtualMachines.instanceView(resourceGroup, name);
  return view.statuses?.find((s) => s.code?.startsWith("PowerState/") === true)?.code;
}

/** An item replicating westeurope -> northeurope, protected for an hour (a dozen recovery points). */
interface ProtectedVm {
  env: LoopbackSiteRecovery;
  setup: A2aSetup;
}

async function protectedVm(t: ExecutionContext): Promise<ProtectedVm> {
  const env = await loopbackSiteRecovery(t, FAST_COPY);
  const setup = await buildA2aSetup(env, { vmName: VM_NAME });
  await env.asr.replicationProtectedItems.beginCreateAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    enableInput(setup, setup.vm, {}, env.subscriptionId),
    LRO,
  );
  env.emulator.control.advanceClock(HOUR);
  t.is((await getItem(env)).properties?.protectionState, "Protected", "setup: the item is protected");
  return { env, setup };
}

function testFailoverInput(env: LoopbackSiteRecovery, recoveryPointId?: string): TestFailoverInput {
  return {
    properties: {
      failoverDirection: "PrimaryToRecovery",
      networkType: "VmNetworkAsInput",
      networkId: virtualNetworkId("vnet-dr-test", RECOVERY_RG, env.subscriptionId),
      providerSpecificDetails: { instanceType: "A2A", ...(recoveryPointId === undefined ? {} : { recoveryPointId }) },
    },
  };
}

function testFailover(env: LoopbackSiteRecovery, recoveryPointId?: string, recorder?: ReturnType<typeof responseRecorder>): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginTestFailoverAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    testFailoverInput(env, recoveryPointId),
    withRecorder(recorder),
  );
}

function cleanup(env: LoopbackSiteRecovery, recorder?: ReturnType<typeof responseRecorder>): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginTestFailoverCleanupAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    { properties: { comments: "test failover verified" } },
    withRecorder(recorder),
  );
}

interface FailoverOptions {
  recoveryPointId?: string;
  failoverDirection?: string;
  at?: ItemPlace;
  recorder?: ReturnType<typeof responseRecorder>;
}

function failoverInput(sourceSiteOperations: "Required" | "NotRequired", options: FailoverOptions = {}): UnplannedFailoverInput {
  return {
    properties: {
      failoverDirection: options.failoverDirection ?? "PrimaryToRecovery",
      sourceSiteOperations,
      providerSpecificDetails: { instanceType: "A2A", ...(options.recoveryPointId === undefined ? {} : { recoveryPointId: options.recoveryPointId }) },
    },
  };
}

function failover(
  env: LoopbackSiteRecovery,
  sourceSiteOperations: "Required" | "NotRequired",
  options: FailoverOptions = {},
): Promise<ReplicationProtectedItem> {
  const at = options.at ?? AT_PRIMARY;
  return env.asr.replicationProtectedItems.beginUnplannedFailoverAndWait(
    VAULT,
    ASR_RG,
    at.fabric,
    at.container,
    ITEM,
    failoverInput(sourceSiteOperations, options),
    withRecorder(options.recorder),
  );
}

function applyPoint(env: LoopbackSiteRecovery, recoveryPointId: string, recorder?: ReturnType<typeof responseRecorder>): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginApplyRecoveryPointAndWait(
    VAULT,
    ASR_RG,
    PRIMARY_FABRIC,
    PRIMARY_CONTAINER,
    ITEM,
    { properties: { recoveryPointId, providerSpecificDetails: { instanceType: "A2A" } } },
    withRecorder(recorder),
  );
}

function cancelFailover(env: LoopbackSiteRecovery, recorder?: ReturnType<typeof responseRecorder>): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginFailoverCancelAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM, withRecorder(recorder));
}

function commit(env: LoopbackSiteRecovery, at: ItemPlace = AT_PRIMARY, recorder?: ReturnType<typeof responseRecorder>): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginFailoverCommitAndWait(VAULT, ASR_RG, at.fabric, at.container, ITEM, withRecorder(recorder));
}

/** The reverse container mapping (northeurope -> westeurope) reprotect needs, under the same policy. */
function createReverseMapping(env: LoopbackSiteRecovery, setup: A2aSetup): Promise<unknown> {
  return env.asr.replicationProtectionContainerMappings.beginCreateAndWait(
    VAULT,
    ASR_RG,
    RECOVERY_FABRIC,
    RECOVERY_CONTAINER,
    REVERSE_MAPPING,
    {
      properties: {
        targetProtectionContainerId: idOf(setup.primaryContainer),
        policyId: idOf(setup.policy),
        providerSpecificInput: { instanceType: "A2A", agentAutoUpdateStatus: "Disabled" },
      },
    },
    LRO,
  );
}

/** What Azure PowerShell sends to reprotect the failed-over VM back to westeurope (A2ASwitchProtectionInput). */
function switchInput(env: LoopbackSiteRecovery, setup: A2aSetup, failedOver: VirtualMachine): SwitchProtectionInput {
  const recoveryResourceGroupId = resourceGroupId(VM_RG, env.subscriptionId);
  const cache = storageAccountId(CACHE_NORTH, RECOVERY_RG, env.subscriptionId);
  return {
    properties: {
      replicationProtectedItemName: ITEM,
      providerSpecificDetails: {
        instanceType: "A2A",
        recoveryContainerId: idOf(setup.primaryContainer),
        policyId: idOf(setup.policy),
        recoveryResourceGroupId,
        vmManagedDisks: diskIdsOf(failedOver).map((diskId) => ({ diskId, primaryStagingAzureStorageAccountId: cache, recoveryResourceGroupId })),
      },
    },
  };
}

function switchProtection(
  env: LoopbackSiteRecovery,
  input: SwitchProtectionInput,
  recorder?: ReturnType<typeof responseRecorder>,
): Promise<ProtectionContainer> {
  return env.asr.replicationProtectionContainers.beginSwitchProtectionAndWait(VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, input, withRecorder(recorder));
}

/** Fails the protected VM over (source shut down first) and commits: the VM now runs in northeurope, unprotected. */
async function committedFailover(t: ExecutionContext): Promise<ProtectedVm & { failedOver: VirtualMachine }> {
  const world = await protectedVm(t);
  await failover(world.env, "Required");
  await commit(world.env);
  t.is((await getItem(world.env)).properties?.protectionState, "UnplannedFailoverCommitted", "setup: the failover is committed");
  return { ...world, failedOver: await world.env.compute.virtualMachines.get(RECOVERY_RG, VM_NAME) };
}

/** The item, its recovery points and the vault's jobs: what a refused call must leave as it was. */
async function snapshot(env: LoopbackSiteRecovery, at: ItemPlace = AT_PRIMARY): Promise<unknown> {
  return { item: await getItem(env, at), points: await listPoints(env, at), jobs: (await listJobs(env)).map((j) => [j.name, j.properties?.state]) };
}

/** Asserts a 409 OperationNotAllowed whose message lists the operations the item allows now, and that nothing changed. */
async function notAllowed(t: ExecutionContext, env: LoopbackSiteRecovery, call: () => Promise<unknown>, what: string): Promise<void> {
  const before = await snapshot(env);
  const allowed = (await getItem(env)).properties?.allowedOperations ?? [];
  const message = await refused(t, call(), 409, "OperationNotAllowed");
  t.true(message.includes(`Allowed operations: [${allowed.join(", ")}]`), `${what}: the message names the allowed operations: ${message}`);
  t.deepEqual(await snapshot(env), before, `${what}: a refused call changes nothing`);
}

// ---------------------------------------------------------------- test failover

test("test failover answers 202, runs a job that waits suspended and leaves the item waiting for cleanup as the example shows", async (t) => {
  const { env, setup } = await protectedVm(t);
  const points = await listPoints(env);
  t.true(points.length >= 2, `${points.length} recovery points after an hour`);
  const chosen = pointId(points[1]);
  await refused(t, testFailover(env, `${pointId(points[1]).slice(0, -36)}00000000-0000-0000-0000-000000000000`), 400, "RecoveryPointNotFound");
  const recorder = responseRecorder();
  await testFailover(env, chosen, recorder);
  const jobName = acceptedJob(t, env, recorder.responses, "test failover");
  t.is(
    env.requests.count(
      "POST",
      `${vaultPath(env.subscriptionId)}/replicationFabrics/${PRIMARY_FABRIC}/replicationProtectionContainers/${PRIMARY_CONTAINER}/replicationProtectedItems/${ITEM}/testFailover`,
    ),
    2,
    "the refused and the accepted test failover are POST {item}/testFailover",
  );

  const item = await getItem(env);
  const documented = loadExample(SITE_RECOVERY_EXAMPLES, "2023-06-01/ReplicationProtectedItems_TestFailover.json").responses["200"]?.body;
  const expected = isObject(documented) && isObject(documented.properties) ? documented.properties : {};
  for (const key of [
    "protectionState",
    "protectionStateDescription",
    "activeLocation",
    "testFailoverState",
    "testFailoverStateDescription",
    "allowedOperations",
  ]) {
    t.deepEqual((item.properties as Record<string, unknown> | undefined)?.[key], expected[key], `${key} is the example's`);
  }
  t.is(item.properties?.testFailoverState, "WaitingForCompletion");
  t.is(item.properties?.protectionStateDescription, "Cleanup test failover pending");
  t.deepEqual(item.properties?.allowedOperations, ["TestFailoverCleanup"]);
  t.is(item.properties?.currentScenario?.scenarioName, "TestFailover", "the item points at the waiting test failover");
  t.is(item.properties?.currentScenario?.jobId?.toLowerCase(), `${vaultPath(env.subscriptionId)}/replicationJobs/${jobName}`.toLowerCase());
  t.true(item.properties?.lastSuccessfulTestFailoverTime instanceof Date, "the test failover time is recorded");

  const job = await getJob(env, jobName);
  t.is(job.properties?.scenarioName, "TestFailover");
  t.is(job.properties?.state, "Suspended");
  t.is(job.properties?.stateDescription, "WaitingForStopTestFailover");
  t.deepEqual(job.properties?.allowedActions, ["Cancel", "Resume"]);
  t.is(job.properties?.targetObjectId, ITEM);
  t.is(job.properties?.targetInstanceType, "ProtectionEntity");
  t.true(job.properties?.tasks?.every((task) => task.state === "Succeeded") === true, "its tasks are done");

  const testVm = await env.compute.virtualMachines.get(RECOVERY_RG, `${VM_NAME}-test`);
  t.is(testVm.location, RECOVERY_REGION, "the test VM runs in the recovery region");
  t.is(testVm.provisioningState, "Succeeded");
  t.is(testVm.hardwareProfile?.vmSize, setup.vm.hardwareProfile?.vmSize);
  t.is(await powerState(env, RECOVERY_RG, `${VM_NAME}-test`), "PowerState/running");
  t.regex(
    testVm.networkProfile?.networkInterfaces?.[0]?.id ?? "",
    new RegExp(`/resourceGroups/${RECOVERY_RG}/providers/Microsoft\\.Network/networkInterfaces/`, "i"),
  );
  t.is(await powerState(env, VM_RG, VM_NAME), "PowerState/running", "the source VM is untouched");
  await refused(t, env.compute.virtualMachines.get(RECOVERY_RG, VM_NAME), 404, "ResourceNotFound");
  env.emulator.control.advanceClock(10 * 60_000);
  const newest = (await listPoints(env))[0]?.properties?.recoveryPointTime?.getTime() ?? 0;
  t.true(newest > (points[0]?.properties?.recoveryPointTime?.getTime() ?? Infinity), "replication goes on during a test failover");
});

test("a second test failover or a failover while a test failover waits for cleanup is refused with 409 operationnotallowed", async (t) => {
  const { env } = await protectedVm(t);
  await testFailover(env);
  await notAllowed(t, env, () => testFailover(env), "a second test failover");
  await notAllowed(t, env, () => failover(env, "NotRequired"), "a failover during a test failover");
  await notAllowed(t, env, () => commit(env), "a commit during a test failover");
});

test("test failover cleanup deletes the test vm, completes the suspended job and allows failover again", async (t) => {
  const { env } = await protectedVm(t);
  const recorder = responseRecorder();
  await testFailover(env, undefined, recorder);
  const testJob = jobNameFromLocation(recorder.responses[0]?.headers.get("location") ?? undefined) ?? "";
  const cleanupRecorder = responseRecorder();
  await cleanup(env, cleanupRecorder);
  const cleanupJob = acceptedJob(t, env, cleanupRecorder.responses, "test failover cleanup");

  const item = await getItem(env);
  t.is(item.properties?.protectionState, "Protected");
  t.is(item.properties?.testFailoverState, "None");
  t.is(item.properties?.currentScenario?.scenarioName, "None");
  for (const operation of ["TestFailover", "UnplannedFailover", "DisableProtection"]) {
    t.true(item.properties?.allowedOperations?.includes(operation) === true, `allows ${operation} again`);
  }
  await refused(t, env.compute.virtualMachines.get(RECOVERY_RG, `${VM_NAME}-test`), 404, "ResourceNotFound");
  const finished = await getJob(env, testJob);
  t.is(finished.properties?.state, "Succeeded", "the test failover job completes with its cleanup");
  t.deepEqual(finished.properties?.allowedActions, []);
  t.like((await getJob(env, cleanupJob)).properties, { scenarioName: "TestFailoverCleanup", state: "Succeeded" });
  await t.notThrowsAsync(testFailover(env), "another test failover can run");
});

// ---------------------------------------------------------------- failover

test("failover with source site operations required shuts the source vm down and runs the failed-over vm in the target region", async (t) => {
  const { env, setup } = await protectedVm(t);
  const pointsBefore = await listPoints(env);
  const recorder = responseRecorder();
  await failover(env, "Required", { recorder });
  const jobName = acceptedJob(t, env, recorder.responses, "failover");

  const item = await getItem(env);
  t.is(item.properties?.protectionState, "UnplannedFailoverCommitPendingStatesBegin");
  t.is(item.properties?.activeLocation, "Recovery");
  t.deepEqual(item.properties?.allowedOperations, ["Commit", "ChangePit", "CancelFailover"]);
  t.is(item.properties?.currentScenario?.scenarioName, "None");
  t.true(item.properties?.lastSuccessfulFailoverTime instanceof Date);
  t.true(
    item.properties?.failoverRecoveryPointId?.toLowerCase().startsWith(`${idOf(item)}/recoveryPoints/`.toLowerCase()) === true,
    `the failover recovery point is one of the item's: ${String(item.properties?.failoverRecoveryPointId)}`,
  );
  t.like((await getJob(env, jobName)).properties, { scenarioName: "UnplannedFailover", state: "Succeeded" });

  t.is(await powerState(env, VM_RG, VM_NAME), "PowerState/stopped", "the source VM was shut down first");
  const failedOver = await env.compute.virtualMachines.get(RECOVERY_RG, VM_NAME);
  t.is(failedOver.location, RECOVERY_REGION);
  t.is(failedOver.hardwareProfile?.vmSize, setup.vm.hardwareProfile?.vmSize);
  t.is(await powerState(env, RECOVERY_RG, VM_NAME), "PowerState/running");

  env.emulator.control.advanceClock(30 * 60_000);
  const pointsAfter = await listPoints(env);
  t.true(pointsAfter.length > 0, "recovery points stay listable until the commit");
  const before = new Set(pointsBefore.map((p) => p.id));
  t.true(
    pointsAfter.every((p) => before.has(p.id)),
    "no new recovery point is taken once failed over",
  );
});

test("failover with source site operations not required recovers from the given point and apply recovery point switches to another", async (t) => {
  const { env } = await protectedVm(t);
  const points = await listPoints(env);
  const older = pointId(points[3]);
  const newer = pointId(points[0]);
  await failover(env, "NotRequired", { recoveryPointId: older });
  const item = await getItem(env);
  t.is(item.properties?.failoverRecoveryPointId, older, "the failover used the given point");
  t.is(item.properties?.protectionState, "UnplannedFailoverCommitPendingStatesBegin");
  t.is(await powerState(env, VM_RG, VM_NAME), "PowerState/running", "the source VM is not touched");
  const first = await env.compute.virtualMachines.get(RECOVERY_RG, VM_NAME);
  t.true(
    (await listPoints(env)).some((p) => p.id === newer),
    "the other points are still listable",
  );

  const recorder = responseRecorder();
  await applyPoint(env, newer, recorder);
  const jobName = acceptedJob(t, env, recorder.responses, "apply recovery point");
  t.like((await getJob(env, jobName)).properties, { scenarioName: "ChangePit", state: "Succeeded" });
  const changed = await getItem(env);
  t.is(changed.properties?.failoverRecoveryPointId, newer);
  t.deepEqual(changed.properties?.allowedOperations, ["Commit", "ChangePit", "CancelFailover"]);
  const second = await env.compute.virtualMachines.get(RECOVERY_RG, VM_NAME);
  t.not(second.vmId, first.vmId, "the VM is recreated from the other point");
  t.is(await powerState(env, RECOVERY_RG, VM_NAME), "PowerState/running");

  await refused(t, applyPoint(env, `${idOf(item)}/recoveryPoints/00000000-0000-0000-0000-000000000000`), 400, "RecoveryPointNotFound");
});

test("failover cancel deletes the failed-over vm, restarts the source and protects the item again", async (t) => {
  const { env } = await protectedVm(t);
  await failover(env, "Required");
  const recorder = responseRecorder();
  await cancelFailover(env, recorder);
  const jobName = acceptedJob(t, env, recorder.responses, "failover cancel");
  t.like((await getJob(env, jobName)).properties, { scenarioName: "CancelFailover", state: "Succeeded" });

  const item = await getItem(env);
  t.is(item.properties?.protectionState, "Protected");
  t.is(item.properties?.activeLocation, "Primary");
  for (const operation of ["TestFailover", "UnplannedFailover", "DisableProtection"]) {
    t.true(item.properties?.allowedOperations?.includes(operation) === true, `allows ${operation} again`);
  }
  t.is(await powerState(env, VM_RG, VM_NAME), "PowerState/running", "the source VM runs again");
  await refused(t, env.compute.virtualMachines.get(RECOVERY_RG, VM_NAME), 404, "ResourceNotFound");

  const cancelledAt = env.emulator.control.now().getTime();
  env.emulator.control.advanceClock(HOUR);
  const points = await listPoints(env);
  t.true(
    points.some((p) => (p.properties?.recoveryPointTime?.getTime() ?? 0) > cancelledAt),
    "replication resumes: new recovery points after the cancel",
  );
});

test("failover commit stops replication: unplannedfailovercommitted, reverse replicate or disable allowed, no recovery points", async (t) => {
  const { env } = await protectedVm(t);
  await failover(env, "Required");
  const recorder = responseRecorder();
  await commit(env, AT_PRIMARY, recorder);
  const jobName = acceptedJob(t, env, recorder.responses, "failover commit");
  t.like((await getJob(env, jobName)).properties, { scenarioName: "FailoverCommit", state: "Succeeded" });
  const item = await getItem(env);
  t.is(item.properties?.protectionState, "UnplannedFailoverCommitted");
  t.is(item.properties?.activeLocation, "Recovery");
  t.deepEqual(item.properties?.allowedOperations, ["ReverseReplicate", "DisableProtection"]);
  t.deepEqual(await listPoints(env), [], "the recovery points are deleted");
  t.is(await powerState(env, RECOVERY_RG, VM_NAME), "PowerState/running", "the failed-over VM keeps running");
  env.emulator.control.advanceClock(HOUR);
  t.deepEqual(await listPoints(env), [], "no replication after the commit");
});

// ---------------------------------------------------------------- refusals

test("calls out of order are refused with 409 operationnotallowed naming the allowed operations and change nothing", async (t) => {
  const { env } = await protectedVm(t);
  const points = await listPoints(env);
  await notAllowed(t, env, () => commit(env), "commit before failover");
  await notAllowed(t, env, () => cleanup(env), "cleanup without a test failover");
  await notAllowed(t, env, () => applyPoint(env, pointId(points[0])), "apply recovery point while protected");
  await notAllowed(t, env, () => cancelFailover(env), "cancel without a failover");

  await failover(env, "Required");
  await notAllowed(t, env, () => failover(env, "Required"), "a second failover");
  await notAllowed(t, env, () => testFailover(env), "a test failover of a failed-over item");
  await commit(env);
  await notAllowed(t, env, () => cancelFailover(env), "cancel after commit");
  await notAllowed(t, env, () => failover(env, "NotRequired"), "a failover after commit");
});

test("planned failover of an azure-to-azure item is refused with 400 operationnotsupported", async (t) => {
  const { env } = await protectedVm(t);
  const before = await snapshot(env);
  const message = await refused(
    t,
    env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(
      VAULT,
      ASR_RG,
      PRIMARY_FABRIC,
      PRIMARY_CONTAINER,
      ITEM,
      { properties: { failoverDirection: "PrimaryToRecovery" } },
      LRO,
    ),
    400,
    "OperationNotSupported",
  );
  t.regex(message, /unplannedFailover/);
  t.deepEqual(await snapshot(env), before);
});

test("failover inputs are checked: a recovery point with a shutdown-first failover, an unknown point, a wrong direction", async (t) => {
  const { env } = await protectedVm(t);
  const points = await listPoints(env);
  const before = await snapshot(env);
  await refused(t, failover(env, "Required", { recoveryPointId: pointId(points[0]) }), 400, "InvalidParameter");
  const item = await getItem(env);
  await refused(
    t,
    failover(env, "NotRequired", { recoveryPointId: `${idOf(item)}/recoveryPoints/00000000-0000-0000-0000-000000000000` }),
    400,
    "RecoveryPointNotFound",
  );
  await refused(t, failover(env, "NotRequired", { failoverDirection: "RecoveryToPrimary" }), 400, "InvalidFailoverDirection");
  t.deepEqual(await snapshot(env), before);
});

test("with the source region down a shutdown-first failover is refused with 409 sourceregionunavailable and a failover from the newest point works", async (t) => {
  const { env } = await protectedVm(t);
  env.emulator.control.setRegionDown(PRIMARY_REGION, true);
  const newest = pointId((await listPoints(env))[0]);
  const before = await snapshot(env);
  const message = await refused(t, failover(env, "Required"), 409, "SourceRegionUnavailable");
  t.regex(message, /NotRequired/);
  t.deepEqual(await snapshot(env), before, "the refused failover changes nothing");

  await failover(env, "NotRequired");
  const item = await getItem(env);
  t.is(item.properties?.protectionState, "UnplannedFailoverCommitPendingStatesBegin");
  t.is(item.properties?.activeLocation, "Recovery");
  t.is(item.properties?.failoverRecoveryPointId, newest, "with the source down, the newest recovery point is used");
  const failedOver = await env.compute.virtualMachines.get(RECOVERY_RG, VM_NAME);
  t.is(failedOver.location, RECOVERY_REGION);
  t.is(await powerState(env, RECOVERY_RG, VM_NAME), "PowerState/running");
});

// ---------------------------------------------------------------- reprotect and failback

test("reprotect of a managed-disk item through the item's reprotect call (not switch protection) is refused with 400 vmdisksmissing", async (t) => {
  const { env } = await committedFailover(t);
  const before = await snapshot(env);
  const message = await refused(
    t,
    env.asr.replicationProtectedItems.beginReprotectAndWait(
      VAULT,
      ASR_RG,
      PRIMARY_FABRIC,
      PRIMARY_CONTAINER,
      ITEM,
      { properties: { failoverDirection: "RecoveryToPrimary", providerSpecificDetails: { instanceType: "A2A" } } },
      LRO,
    ),
    400,
    "VMDisksMissing",
  );
  t.regex(message, /switchprotection/i);
  t.deepEqual(await snapshot(env), before);
});

test("switch protection needs a committed failover and the reverse container mapping", async (t) => {
  const { env, setup } = await protectedVm(t);
  await failover(env, "Required");
  const failedOver = await env.compute.virtualMachines.get(RECOVERY_RG, VM_NAME);
  const before = await snapshot(env);
  const message = await refused(t, switchProtection(env, switchInput(env, setup, failedOver)), 409, "OperationNotAllowed");
  t.regex(message, /ReverseReplicate/);
  t.deepEqual(await snapshot(env), before);

  await commit(env);
  const committed = await snapshot(env);
  await refused(t, switchProtection(env, switchInput(env, setup, failedOver)), 400, "ContainerMappingNotFound");
  t.deepEqual(await snapshot(env), committed, "without the reverse mapping nothing changes");
});

test("switch protection moves the item to the recovery container, seeds from the original vm and replicates back until protected", async (t) => {
  const { env, setup, failedOver } = await committedFailover(t);
  const lifecycleId = a2aOf(t, await getItem(env)).lifecycleId;
  await createReverseMapping(env, setup);
  const recorder = responseRecorder();
  const result = await switchProtection(env, switchInput(env, setup, failedOver), recorder);
  const jobName = acceptedJob(t, env, recorder.responses, "switch protection");
  const job = await getJob(env, jobName);
  t.like(job.properties, { scenarioName: "SwitchProtection", state: "Succeeded" });
  t.true(job.properties?.tasks?.some((task) => task.name === "PrepareSeed") === true, "the original VM seeds the reverse replication");

  // The operation's result is a protection container, with the keys of the example's 200 body.
  const documented = loadExample(SITE_RECOVERY_EXAMPLES, "2025-08-01/ReplicationProtectionContainers_SwitchProtection.json").responses["200"]?.body;
  t.is(result.type, "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers");
  t.deepEqual(shapeMismatches(documented, JSON.parse(JSON.stringify(result)) as unknown), []);
  for (const key of Object.keys(isObject(documented) && isObject(documented.properties) ? documented.properties : {})) {
    t.not((result.properties as Record<string, unknown> | undefined)?.[key], undefined, `the result has properties.${key}`);
  }

  await refused(t, getItem(env), 404, "ResourceNotFound");
  const moved = await getItem(env, AT_RECOVERY);
  t.is(
    moved.id?.toLowerCase(),
    `${vaultPath(env.subscriptionId)}/replicationFabrics/${RECOVERY_FABRIC}/replicationProtectionContainers/${RECOVERY_CONTAINER}/replicationProtectedItems/${ITEM}`.toLowerCase(),
  );
  const details = a2aOf(t, moved);
  t.is(details.lifecycleId, lifecycleId, "the item keeps its lifecycle id");
  t.is(details.primaryFabricLocation, RECOVERY_REGION);
  t.is(details.recoveryFabricLocation, PRIMARY_REGION);
  t.is(details.fabricObjectId?.toLowerCase(), idOf(failedOver).toLowerCase(), "the failed-over VM is the one protected now");
  t.is(details.recoveryAzureResourceGroupId, resourceGroupId(VM_RG, env.subscriptionId));
  t.is(moved.properties?.primaryFabricFriendlyName, RECOVERY_FABRIC);
  t.is(moved.properties?.recoveryFabricFriendlyName, PRIMARY_FABRIC);
  t.is(moved.properties?.recoveryContainerId?.toLowerCase(), idOf(setup.primaryContainer).toLowerCase());
  t.is(moved.properties?.protectionState, "UnprotectedStatesBegin");
  t.is(details.monitoringJobType, "InitialReplication");
  t.deepEqual(
    details.protectedManagedDisks?.map((d) => [d.diskId?.toLowerCase(), d.primaryStagingAzureStorageAccountId]),
    diskIdsOf(failedOver).map((id) => [id.toLowerCase(), storageAccountId(CACHE_NORTH, RECOVERY_RG, env.subscriptionId)]),
  );
  await refused(t, env.compute.virtualMachines.get(VM_RG, VM_NAME), 404, "ResourceNotFound");
  t.is(await powerState(env, RECOVERY_RG, VM_NAME), "PowerState/running", "the VM keeps running while it is reprotected");

  const counts = async (fabric: string, container: string): Promise<number | undefined> =>
    (await env.asr.replicationProtectionContainers.get(VAULT, ASR_RG, fabric, container)).properties?.protectedItemCount;
  t.is(await counts(PRIMARY_FABRIC, PRIMARY_CONTAINER), 0);
  t.is(await counts(RECOVERY_FABRIC, RECOVERY_CONTAINER), 1);

  env.emulator.control.advanceClock(HOUR);
  const reprotected = await getItem(env, AT_RECOVERY);
  t.is(reprotected.properties?.protectionState, "Protected");
  t.is(reprotected.properties?.activeLocation, "Recovery");
  t.true(reprotected.properties?.allowedOperations?.includes("UnplannedFailover") === true);
  t.true((await listPoints(env, AT_RECOVERY)).length > 0, "recovery points in the reverse direction");
});

test("failback fails the reprotected item over recovery-to-primary and recreates the vm in its original resource group", async (t) => {
  const { env, setup, failedOver } = await committedFailover(t);
  await createReverseMapping(env, setup);
  await switchProtection(env, switchInput(env, setup, failedOver));
  env.emulator.control.advanceClock(HOUR);
  t.is((await getItem(env, AT_RECOVERY)).properties?.protectionState, "Protected");

  const before = await snapshot(env, AT_RECOVERY);
  await refused(t, failover(env, "Required", { at: AT_RECOVERY, failoverDirection: "PrimaryToRecovery" }), 400, "InvalidFailoverDirection");
  t.deepEqual(await snapshot(env, AT_RECOVERY), before);

  await failover(env, "Required", { at: AT_RECOVERY, failoverDirection: "RecoveryToPrimary" });
  const item = await getItem(env, AT_RECOVERY);
  t.is(item.properties?.protectionState, "UnplannedFailoverCommitPendingStatesBegin");
  t.is(item.properties?.activeLocation, "Primary");
  const back = await env.compute.virtualMachines.get(VM_RG, VM_NAME);
  t.is(back.location, PRIMARY_REGION, "the VM runs in westeurope again");
  t.is(back.id?.toLowerCase(), idOf(setup.vm).toLowerCase(), "under its original name and resource group");
  t.is(await powerState(env, VM_RG, VM_NAME), "PowerState/running");
  t.is(await powerState(env, RECOVERY_RG, VM_NAME), "PowerState/stopped", "the northeurope VM was shut down first");

  await commit(env, AT_RECOVERY);
  t.deepEqual((await getItem(env, AT_RECOVERY)).properties?.allowedOperations, ["ReverseReplicate", "DisableProtection"]);
});

// ---------------------------------------------------------------- example replays (plain fetch)

/** For every key of the example body the emulator's body also has, both values have the same JSON type (arrays: against the first element). */
function shapeMismatches(expected: unknown, actual: unknown, at = "$"): string[] {
  const expectedType = jsonType(expected);
  const actualType = jsonType(actual);
  if (expectedType !== actualType) return [`${at}: example has ${expectedType}, emulator has ${actualType}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const [template] = expected;
    return template === undefined ? [] : actual.flatMap((item, index) => shapeMismatches(template, item, `${at}[${index}]`));
  }
  if (isObject(expected) && isObject(actual)) {
    return Object.entries(expected).flatMap(([key, value]) => (key in actual ? shapeMismatches(value, actual[key], `${at}.${key}`) : []));
  }
  return [];
}

function valueAt(body: unknown, keyPath: string): unknown {
  let value: unknown = body;
  for (const key of keyPath.split(".")) value = isObject(value) ? value[key] : undefined;
  return value;
}

interface WireResponse {
  status: number;
  headers: Headers;
  json: Json | undefined;
}

async function wire(url: string, method: string, body?: unknown): Promise<WireResponse> {
  const response = await fetch(url, { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : (JSON.parse(text) as Json) };
}

function stringParameter(example: Example, name: string): string {
  const value = example.parameters[name];
  if (typeof value !== "string" || value === "") throw new Error(`${example.file}: parameter '${name}' is not a string.`);
  return value;
}

function objectParameter(example: Example, name: string): Record<string, unknown> {
  const value = example.parameters[name];
  if (!isObject(value)) throw new Error(`${example.file}: parameter '${name}' is not an object.`);
  return value;
}

/** The names an example addresses its item with. */
interface ExampleNames {
  subscriptionId: string;
  resourceGroupName: string;
  resourceName: string;
  fabricName: string;
  protectionContainerName: string;
  replicatedProtectedItemName: string;
}

/** An A2A world under an example's names: the item protects a VM of the example's subscription, westeurope -> northeurope. */
interface ExampleWorld {
  env: LoopbackSiteRecovery;
  names: ExampleNames;
  vaultPath: string;
  itemPath: string;
  primaryContainerId: string;
  recoveryContainerId: string;
  policyId: string;
  vm: VirtualMachine;
}

const EXAMPLE_RECOVERY_FABRIC = "fabric-northeurope";
const EXAMPLE_RECOVERY_CONTAINER = "container-northeurope";

/** Builds the Azure-to-Azure setup under the example's names with the official clients, protects a VM as the example's item and waits an hour. */
async function exampleWorld(t: ExecutionContext, names: ExampleNames): Promise<ExampleWorld> {
  const env = await loopbackSiteRecovery(t, FAST_COPY, names.subscriptionId);
  const { resourceName: vault, resourceGroupName: rg } = names;
  await env.vaults.vaults.beginCreateOrUpdateAndWait(rg, vault, { location: PRIMARY_REGION, sku: { name: "Standard" }, properties: {} }, LRO);
  const fabric = (name: string, location: string): Promise<unknown> =>
    env.asr.replicationFabrics.beginCreateAndWait(vault, rg, name, { properties: { customDetails: { instanceType: "Azure", location } } }, LRO);
  const container = (fabricName: string, name: string): Promise<ProtectionContainer> =>
    env.asr.replicationProtectionContainers.beginCreateAndWait(
      vault,
      rg,
      fabricName,
      name,
      { properties: { providerSpecificInput: [{ instanceType: "A2A" }] } },
      LRO,
    );
  await fabric(names.fabricName, PRIMARY_REGION);
  await fabric(EXAMPLE_RECOVERY_FABRIC, RECOVERY_REGION);
  const primary = await container(names.fabricName, names.protectionContainerName);
  const recovery = await container(EXAMPLE_RECOVERY_FABRIC, EXAMPLE_RECOVERY_CONTAINER);
  const policy = await env.asr.replicationPolicies.beginCreateAndWait(
    vault,
    rg,
    "protectionprofile1",
    {
      properties: {
        providerSpecificInput: {
          instanceType: "A2A",
          recoveryPointHistory: 1440,
          crashConsistentFrequencyInMinutes: 5,
          appConsistentFrequencyInMinutes: 240,
          multiVmSyncStatus: "Enable",
        },
      },
    },
    LRO,
  );
  await env.asr.replicationProtectionContainerMappings.beginCreateAndWait(
    vault,
    rg,
    names.fabricName,
    names.protectionContainerName,
    "mapping-forward",
    {
      properties: {
        targetProtectionContainerId: idOf(recovery),
        policyId: idOf(policy),
        providerSpecificInput: { instanceType: "A2A", agentAutoUpdateStatus: "Disabled" },
      },
    },
    LRO,
  );
  const vm = await createProtectableVm(env.compute, "vm1", { resourceGroup: VM_RG });
  const recoveryResourceGroupId = resourceGroupId(RECOVERY_RG, names.subscriptionId);
  const cache = storageAccountId("cachewesteurope01", VM_RG, names.subscriptionId);
  await env.asr.replicationProtectedItems.beginCreateAndWait(
    vault,
    rg,
    names.fabricName,
    names.protectionContainerName,
    names.replicatedProtectedItemName,
    {
      properties: {
        policyId: idOf(policy),
        providerSpecificDetails: {
          instanceType: "A2A",
          fabricObjectId: idOf(vm),
          recoveryContainerId: idOf(recovery),
          recoveryResourceGroupId,
          vmManagedDisks: diskIdsOf(vm).map((diskId) => ({ diskId, primaryStagingAzureStorageAccountId: cache, recoveryResourceGroupId })),
        },
      },
    },
    LRO,
  );
  env.emulator.control.advanceClock(HOUR);
  const vaultPathOf = `/subscriptions/${names.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${vault}`;
  return {
    env,
    names,
    vaultPath: vaultPathOf,
    itemPath: `${vaultPathOf}/replicationFabrics/${names.fabricName}/replicationProtectionContainers/${names.protectionContainerName}/replicationProtectedItems/${names.replicatedProtectedItemName}`,
    primaryContainerId: idOf(primary),
    recoveryContainerId: idOf(recovery),
    policyId: idOf(policy),
    vm,
  };
}

function itemNames(example: Example): ExampleNames {
  return {
    subscriptionId: stringParameter(example, "subscriptionId"),
    resourceGroupName: stringParameter(example, "resourceGroupName"),
    resourceName: stringParameter(example, "resourceName"),
    fabricName: stringParameter(example, "fabricName"),
    protectionContainerName: stringParameter(example, "protectionContainerName"),
    replicatedProtectedItemName: stringParameter(example, "replicatedProtectedItemName"),
  };
}

/** The official client's operations on the world's item, to bring it into the state the example starts from. */
function worldItems(world: ExampleWorld): {
  testFailover: () => Promise<unknown>;
  cleanup: () => Promise<unknown>;
  failover: () => Promise<unknown>;
  commit: () => Promise<unknown>;
  points: () => Promise<RecoveryPoint[]>;
} {
  const { env, names } = world;
  const args = [names.resourceName, names.resourceGroupName, names.fabricName, names.protectionContainerName, names.replicatedProtectedItemName] as const;
  return {
    testFailover: () =>
      env.asr.replicationProtectedItems.beginTestFailoverAndWait(
        ...args,
        {
          properties: {
            networkType: "VmNetworkAsInput",
            networkId: virtualNetworkId("vnet-test", RECOVERY_RG, names.subscriptionId),
            providerSpecificDetails: { instanceType: "A2A" },
          },
        },
        LRO,
      ),
    cleanup: () => env.asr.replicationProtectedItems.beginTestFailoverCleanupAndWait(...args, { properties: {} }, LRO),
    failover: () =>
      env.asr.replicationProtectedItems.beginUnplannedFailoverAndWait(
        ...args,
        { properties: { failoverDirection: "PrimaryToRecovery", sourceSiteOperations: "NotRequired", providerSpecificDetails: { instanceType: "A2A" } } },
        LRO,
      ),
    commit: () => env.asr.replicationProtectedItems.beginFailoverCommitAndWait(...args, LRO),
    points: () => collect(env.asr.recoveryPoints.listByReplicationProtectedItems(...args)),
  };
}

/** Replaces the example's Hyper-V provider input by the A2A one (`{ instanceType: "A2A" }` plus what A2A needs). */
function withA2aProvider(input: Record<string, unknown>, a2a: Record<string, unknown> = {}): Record<string, unknown> {
  const properties = isObject(input.properties) ? input.properties : {};
  return { ...input, properties: { ...properties, providerSpecificDetails: { instanceType: "A2A", ...a2a } } };
}

/**
 * Sends a request with fetch, checks the 202 and its links, follows Azure-AsyncOperation to
 * Succeeded and returns what the Location link serves (the operation's result).
 */
async function replayPost(t: ExecutionContext, world: ExampleWorld, example: Example, url: string, body: unknown): Promise<Record<string, unknown>> {
  const apiVersion = stringParameter(example, "api-version");
  const response = await wire(url, "POST", body);
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
      t.is(new URL(link).origin, world.env.url);
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
    return {};
  }
  return result.json;
}

/** Keys of a replicated item's 200 body the emulator models (the Hyper-V-only ones, e.g. recoveryServicesProviderId, are left out). */
const ITEM_KEYS = [
  "id",
  "name",
  "type",
  "properties.friendlyName",
  "properties.protectedItemType",
  "properties.primaryFabricFriendlyName",
  "properties.recoveryFabricFriendlyName",
  "properties.recoveryFabricId",
  "properties.primaryProtectionContainerFriendlyName",
  "properties.recoveryProtectionContainerFriendlyName",
  "properties.protectionState",
  "properties.protectionStateDescription",
  "properties.activeLocation",
  "properties.testFailoverState",
  "properties.testFailoverStateDescription",
  "properties.allowedOperations",
  "properties.replicationHealth",
  "properties.policyId",
  "properties.policyFriendlyName",
  "properties.currentScenario.scenarioName",
  "properties.currentScenario.jobId",
  "properties.currentScenario.startTime",
  "properties.providerSpecificDetails.instanceType",
  "properties.recoveryContainerId",
];

/** Compares an item result with the example's 200 body: JSON types of common keys, the modelled keys present, and values that do not depend on the provider. */
function compareItem(
  t: ExecutionContext,
  example: Example,
  actual: Record<string, unknown>,
  sameValues: readonly string[],
  notCompared: readonly string[] = [],
): void {
  const expected = example.responses["200"]?.body;
  const strip = (body: unknown): unknown => {
    const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    for (const key of notCompared) if (isObject(copy.properties)) delete copy.properties[key];
    return copy;
  };
  t.deepEqual(shapeMismatches(strip(expected), actual), [], "every modelled key has the example's JSON type");
  t.deepEqual(
    ITEM_KEYS.filter((key) => valueAt(expected, key) !== undefined && (valueAt(actual, key) === undefined || valueAt(actual, key) === null)),
    [],
    "the example's keys are present",
  );
  for (const key of sameValues) t.deepEqual(valueAt(actual, key), valueAt(expected, key), `${key} is the example's`);
}

test("replays ReplicationProtectedItems_TestFailover (hyper-v provider input replaced by a2a) with a 202, a suspended test failover and the example's item shape", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2023-06-01/ReplicationProtectedItems_TestFailover.json");
  const world = await exampleWorld(t, itemNames(example));
  // Adapted: providerSpecificDetails HyperVReplicaAzure -> A2A; the example's networkId (a VNet id) is kept.
  const body = withA2aProvider(objectParameter(example, "testfailoverInput"));
  const result = await replayPost(
    t,
    world,
    example,
    `${world.env.url}${world.itemPath}/testFailover?api-version=${stringParameter(example, "api-version")}`,
    body,
  );
  compareItem(
    t,
    example,
    result,
    [
      "name",
      "type",
      "properties.protectionState",
      "properties.protectionStateDescription",
      "properties.activeLocation",
      "properties.testFailoverState",
      "properties.testFailoverStateDescription",
      "properties.allowedOperations",
      "properties.replicationHealth",
      "properties.policyFriendlyName",
      "properties.currentScenario.scenarioName",
    ],
    // Not compared: after a test failover the emulator serves failoverRecoveryPointId null, the example the point used.
    ["failoverRecoveryPointId"],
  );
  t.is(String(result.id).toLowerCase(), world.itemPath.toLowerCase());
});

test("replays ReplicationProtectedItems_TestFailoverCleanup with a 202 and the example's item shape", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2023-06-01/ReplicationProtectedItems_TestFailoverCleanup.json");
  const world = await exampleWorld(t, itemNames(example));
  await worldItems(world).testFailover();
  // Not adapted: the cleanup input (comments) has no provider part.
  const result = await replayPost(
    t,
    world,
    example,
    `${world.env.url}${world.itemPath}/testFailoverCleanup?api-version=${stringParameter(example, "api-version")}`,
    objectParameter(example, "cleanupInput"),
  );
  // The example's item had failed over before (lastSuccessfulFailoverTime, failoverRecoveryPointId); this one never did.
  compareItem(
    t,
    example,
    result,
    ["properties.protectionState", "properties.protectionStateDescription", "properties.activeLocation", "properties.currentScenario.scenarioName"],
    ["lastSuccessfulFailoverTime", "failoverRecoveryPointId"],
  );
  t.is(valueAt(result, "properties.testFailoverState"), "None");
});

test("replays ReplicationProtectedItems_UnplannedFailover (hyper-v provider input replaced by a2a) with a 202 and the example's item shape", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2025-08-01/ReplicationProtectedItems_UnplannedFailover.json");
  const world = await exampleWorld(t, itemNames(example));
  await worldItems(world).testFailover();
  await worldItems(world).cleanup();
  // Adapted: providerSpecificDetails HyperVReplicaAzure -> A2A (sourceSiteOperations NotRequired and the direction are the example's).
  const body = withA2aProvider(objectParameter(example, "failoverInput"));
  const result = await replayPost(
    t,
    world,
    example,
    `${world.env.url}${world.itemPath}/unplannedFailover?api-version=${stringParameter(example, "api-version")}`,
    body,
  );
  compareItem(t, example, result, ["properties.protectionState", "properties.activeLocation", "properties.currentScenario.scenarioName"]);
  t.deepEqual(valueAt(result, "properties.allowedOperations"), ["Commit", "ChangePit", "CancelFailover"], "A2A allows commit, change of point and cancel");
});

test("replays ReplicationProtectedItems_ApplyRecoveryPoint (hyper-v provider input and recovery point replaced) with a 202 and the example's item shape", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2023-06-01/ReplicationProtectedItems_ApplyRecoveryPoint.json");
  const world = await exampleWorld(t, itemNames(example));
  const ops = worldItems(world);
  await ops.testFailover();
  await ops.cleanup();
  await ops.failover();
  const point = pointId((await ops.points())[2]);
  // Adapted: providerSpecificDetails HyperVReplicaAzure -> A2A; the example's recovery point (of its Hyper-V item) -> one of this item's.
  const body = withA2aProvider({ ...objectParameter(example, "applyRecoveryPointInput"), properties: { recoveryPointId: point } });
  const result = await replayPost(
    t,
    world,
    example,
    `${world.env.url}${world.itemPath}/applyRecoveryPoint?api-version=${stringParameter(example, "api-version")}`,
    body,
  );
  // replicationHealth is left out of the values: the example's item shows Critical, this one replicates normally.
  compareItem(t, example, result, ["properties.protectionState", "properties.activeLocation", "properties.currentScenario.scenarioName"]);
  t.is(valueAt(result, "properties.failoverRecoveryPointId"), point);
});

test("replays ReplicationProtectedItems_FailoverCommit with a 202 and the example's item shape", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2025-08-01/ReplicationProtectedItems_FailoverCommit.json");
  const world = await exampleWorld(t, itemNames(example));
  const ops = worldItems(world);
  await ops.testFailover();
  await ops.cleanup();
  await ops.failover();
  // Not adapted: commit has no body. The example is a Hyper-V planned failover (PlannedFailoverStatesBegin, Failback allowed); A2A shows its own state.
  const result = await replayPost(
    t,
    world,
    example,
    `${world.env.url}${world.itemPath}/failoverCommit?api-version=${stringParameter(example, "api-version")}`,
    undefined,
  );
  compareItem(t, example, result, ["properties.activeLocation", "properties.currentScenario.scenarioName"]);
  t.is(valueAt(result, "properties.protectionState"), "UnplannedFailoverCommitted");
  t.deepEqual(valueAt(result, "properties.allowedOperations"), ["ReverseReplicate", "DisableProtection"]);
});

test("replays ReplicationProtectedItems_FailoverCancel with a 202 and the example's item shape", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2025-08-01/ReplicationProtectedItems_FailoverCancel.json");
  const world = await exampleWorld(t, itemNames(example));
  const ops = worldItems(world);
  await ops.testFailover();
  await ops.cleanup();
  await ops.failover();
  // Not adapted: cancel has no body. The example's item is an InMageRcmFailback one; the values compared do not depend on the provider.
  const result = await replayPost(
    t,
    world,
    example,
    `${world.env.url}${world.itemPath}/failoverCancel?api-version=${stringParameter(example, "api-version")}`,
    undefined,
  );
  compareItem(
    t,
    example,
    result,
    [
      "properties.protectionState",
      "properties.protectionStateDescription",
      "properties.activeLocation",
      "properties.testFailoverState",
      "properties.testFailoverStateDescription",
      "properties.currentScenario.scenarioName",
    ],
    // Not compared: the emulator clears failoverRecoveryPointId when a failover is cancelled; the example keeps the cancelled failover's point.
    ["failoverRecoveryPointId"],
  );
});

test("replays ReplicationProtectionContainers_SwitchProtection (a2a input completed with the reverse container and disks) with a 202 and a container result", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2025-08-01/ReplicationProtectionContainers_SwitchProtection.json");
  const input = objectParameter(example, "switchInput");
  const itemName = valueAt(input, "properties.replicationProtectedItemName");
  if (typeof itemName !== "string") throw new Error("the example names no item");
  const world = await exampleWorld(t, {
    subscriptionId: stringParameter(example, "subscriptionId"),
    resourceGroupName: stringParameter(example, "resourceGroupName"),
    resourceName: stringParameter(example, "resourceName"),
    fabricName: stringParameter(example, "fabricName"),
    protectionContainerName: stringParameter(example, "protectionContainerName"),
    replicatedProtectedItemName: itemName,
  });
  const ops = worldItems(world);
  await ops.failover();
  await ops.commit();
  const { env, names } = world;
  await env.asr.replicationProtectionContainerMappings.beginCreateAndWait(
    names.resourceName,
    names.resourceGroupName,
    EXAMPLE_RECOVERY_FABRIC,
    EXAMPLE_RECOVERY_CONTAINER,
    "mapping-reverse",
    { properties: { targetProtectionContainerId: world.primaryContainerId, policyId: world.policyId, providerSpecificInput: { instanceType: "A2A" } } },
    LRO,
  );
  const failedOver = await env.compute.virtualMachines.get(RECOVERY_RG, "vm1");
  const recoveryResourceGroupId = resourceGroupId(VM_RG, names.subscriptionId);
  const cache = storageAccountId(CACHE_NORTH, RECOVERY_RG, names.subscriptionId);
  // Adapted: the example's A2A input carries only the instance type; a managed-disk VM needs the reverse
  // container, the resource group and the disks with a cache account where the VM now runs (as Azure PowerShell sends).
  const body = {
    ...input,
    properties: {
      ...(isObject(input.properties) ? input.properties : {}),
      providerSpecificDetails: {
        instanceType: "A2A",
        recoveryContainerId: world.primaryContainerId,
        recoveryResourceGroupId,
        vmManagedDisks: diskIdsOf(failedOver).map((diskId) => ({ diskId, primaryStagingAzureStorageAccountId: cache, recoveryResourceGroupId })),
      },
    },
  };
  const containerUrl = `${env.url}${world.vaultPath}/replicationFabrics/${names.fabricName}/replicationProtectionContainers/${names.protectionContainerName}`;
  const result = await replayPost(t, world, example, `${containerUrl}/switchprotection?api-version=${stringParameter(example, "api-version")}`, body);
  const expected = example.responses["200"]?.body;
  t.deepEqual(shapeMismatches(expected, result), [], "the container result has the example's JSON types");
  for (const key of [
    "id",
    "name",
    "type",
    "properties.fabricFriendlyName",
    "properties.fabricType",
    "properties.friendlyName",
    "properties.pairingStatus",
    "properties.protectedItemCount",
    "properties.role",
  ]) {
    t.not(valueAt(result, key), undefined, `the result has ${key}`);
  }
  // pairingStatus and protectedItemCount are not compared: the emulator serves the container as stored when it was created.
  for (const key of ["type", "properties.fabricType"]) t.deepEqual(valueAt(result, key), valueAt(expected, key), `${key} is the example's`);
  const moved = await wire(
    `${env.url}${world.vaultPath}/replicationFabrics/${EXAMPLE_RECOVERY_FABRIC}/replicationProtectionContainers/${EXAMPLE_RECOVERY_CONTAINER}/replicationProtectedItems/${itemName}?api-version=${ASR_API_VERSION}`,
    "GET",
  );
  t.is(moved.status, 200, "the item now lives under the recovery container");
});

test("replays ReplicationJobs_Resume on a suspended test failover job with a documented status and the example's job shape", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2023-06-01/ReplicationJobs_Resume.json");
  // The job is the test failover of the item of ReplicationProtectedItems_TestFailover (same subscription, resource group and vault).
  const itemExample = loadExample(SITE_RECOVERY_EXAMPLES, "2023-06-01/ReplicationProtectedItems_TestFailover.json");
  const names = itemNames(itemExample);
  t.deepEqual(
    [names.subscriptionId, names.resourceGroupName, names.resourceName],
    ["subscriptionId", "resourceGroupName", "resourceName"].map((name) => stringParameter(example, name)),
  );
  const world = await exampleWorld(t, names);
  const recorder = responseRecorder();
  await world.env.asr.replicationProtectedItems.beginTestFailoverAndWait(
    names.resourceName,
    names.resourceGroupName,
    names.fabricName,
    names.protectionContainerName,
    names.replicatedProtectedItemName,
    {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        networkType: "VmNetworkAsInput",
        networkId: String(valueAt(objectParameter(itemExample, "testfailoverInput"), "properties.networkId")),
        providerSpecificDetails: { instanceType: "A2A" },
      },
    },
    withRecorder(recorder),
  );
  // Adapted: the example's job name cannot be made (job names are the service's); the test failover's own job is resumed.
  const jobName = jobNameFromLocation(recorder.responses[0]?.headers.get("location") ?? undefined) ?? "";
  const apiVersion = stringParameter(example, "api-version");
  const response = await wire(
    `${world.env.url}${world.vaultPath}/replicationJobs/${jobName}/resume?api-version=${apiVersion}`,
    "POST",
    objectParameter(example, "resumeJobParams"),
  );
  t.true(String(response.status) in example.responses, `answered ${response.status}: ${JSON.stringify(response.json)}`);
  const location = response.headers.get("location") ?? "";
  t.true(URL.canParse(location), `Location is an absolute URL: '${location}'`);
  const read = await wire(location, "GET");
  t.is(read.status, 200);
  const expected = example.responses["200"]?.body;
  t.deepEqual(shapeMismatches(expected, read.json), [], "every modelled key has the example's JSON type");
  for (const key of [
    "properties.scenarioName",
    "properties.friendlyName",
    "properties.targetObjectId",
    "properties.targetObjectName",
    "properties.targetInstanceType",
    "properties.errors",
  ]) {
    t.deepEqual(valueAt(read.json, key), valueAt(expected, key), `${key} is the example's`);
  }
  t.is(valueAt(read.json, "name"), jobName);
  // Not compared: state, stateDescription and allowedActions (the emulator ends the job on resume, the example
  // still shows it Suspended) and customDetails (the emulator serves AsrJobDetails, the example TestFailoverJobDetails).
});
