// Layer 3 (ARCHITECTURE.md "Tests"): failover of one replicated item with the official
// @azure/arm-recoveryservices-siterecovery client (5.1.0) and @azure/arm-compute, used directly
// (not through sdk/), against the emulator over real loopback HTTP: test failover and its
// cleanup, failover (shut down first or from a recovery point), change of recovery point, cancel,
// commit, the refusals of out-of-order calls, reprotect through switch protection and failback.
// The last part replays the official examples of these operations with plain fetch, adapted to an
// Azure-to-Azure item where the example was written for Hyper-V.
import type { VirtualMachine } from "@azure/arm-compute";
import type {
  A2AVmManagedDiskInputDetails,
  Job,
  ProtectionContainer,
  RecoveryPoint,
  ReplicationProtectedItem,
  SwitchProtectionInput,
  TestFailoverInput,
  UnplannedFailoverInput,
} from "@azure/arm-recoveryservices-siterecovery";
import test, { type ExecutionContext } from "ava";
import path from "node:path";
import {
  EXAMPLES_ROOT,
  isObject,
  loadExample,
  objectParameter,
  SITE_RECOVERY_CONTAINER_KEYS,
  stringParameter,
  type Example,
} from "../helpers/exampleCorpus.js";
import { absentKeys, shapeMismatches, valueAt, wire, withoutKeys } from "../helpers/exampleReplay.js";
import {
  a2aOf,
  acceptedJob,
  ASR_API_VERSION,
  ASR_RG,
  buildA2aReplication,
  buildA2aSetup,
  collect,
  createProtectableVm,
  diskIdsOf,
  enableProtection,
  idOf,
  jobOf,
  loopbackSiteRecovery,
  LRO,
  powerState,
  PRIMARY_CONTAINER,
  PRIMARY_FABRIC,
  PRIMARY_REGION,
  RECOVERY_CONTAINER,
  RECOVERY_FABRIC,
  RECOVERY_REGION,
  RECOVERY_RG,
  refused,
  replayAccepted,
  resourceGroupId,
  responseRecorder,
  storageAccountId,
  VAULT,
  vaultPath,
  virtualNetworkId,
  VM_RG,
  withRecorder,
  type A2aSetup,
  type LoopbackSiteRecovery,
  type Recorder,
  type VaultRef,
} from "../helpers/loopbackSiteRecovery.js";

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
/** The path arguments of the official client's calls on the item where it was protected. */
const ITEM_ARGS = [VAULT, ASR_RG, PRIMARY_FABRIC, PRIMARY_CONTAINER, ITEM] as const;

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

/** An item replicating westeurope -> northeurope, protected for an hour (a dozen recovery points). */
interface ProtectedVm {
  env: LoopbackSiteRecovery;
  setup: A2aSetup;
}

async function protectedVm(t: ExecutionContext): Promise<ProtectedVm> {
  const env = await loopbackSiteRecovery(t, FAST_COPY);
  const setup = await buildA2aSetup(env, { vmName: VM_NAME });
  await enableProtection(env, setup, ITEM, setup.vm);
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

function testFailover(env: LoopbackSiteRecovery, recoveryPointId?: string, recorder?: Recorder): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginTestFailoverAndWait(...ITEM_ARGS, testFailoverInput(env, recoveryPointId), withRecorder(recorder));
}

function cleanup(env: LoopbackSiteRecovery, recorder?: Recorder): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginTestFailoverCleanupAndWait(
    ...ITEM_ARGS,
    { properties: { comments: "test failover verified" } },
    withRecorder(recorder),
  );
}

interface FailoverOptions {
  recoveryPointId?: string;
  failoverDirection?: string;
  at?: ItemPlace;
  recorder?: Recorder;
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

function applyPoint(env: LoopbackSiteRecovery, recoveryPointId: string, recorder?: Recorder): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginApplyRecoveryPointAndWait(
    ...ITEM_ARGS,
    { properties: { recoveryPointId, providerSpecificDetails: { instanceType: "A2A" } } },
    withRecorder(recorder),
  );
}

function cancelFailover(env: LoopbackSiteRecovery, recorder?: Recorder): Promise<ReplicationProtectedItem> {
  return env.asr.replicationProtectedItems.beginFailoverCancelAndWait(...ITEM_ARGS, withRecorder(recorder));
}

function commit(env: LoopbackSiteRecovery, at: ItemPlace = AT_PRIMARY, recorder?: Recorder): Promise<ReplicationProtectedItem> {
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
  return {
    properties: {
      replicationProtectedItemName: ITEM,
      providerSpecificDetails: {
        instanceType: "A2A",
        recoveryContainerId: idOf(setup.primaryContainer),
        policyId: idOf(setup.policy),
        ...reverseReplication(failedOver, env.subscriptionId),
      },
    },
  };
}

/** Where reprotect replicates the failed-over VM to: its original resource group, every disk cached in northeurope. */
function reverseReplication(
  failedOver: VirtualMachine,
  subscriptionId: string,
): { recoveryResourceGroupId: string; vmManagedDisks: A2AVmManagedDiskInputDetails[] } {
  const recoveryResourceGroupId = resourceGroupId(VM_RG, subscriptionId);
  const cache = storageAccountId(CACHE_NORTH, RECOVERY_RG, subscriptionId);
  return {
    recoveryResourceGroupId,
    vmManagedDisks: diskIdsOf(failedOver).map((diskId) => ({ diskId, primaryStagingAzureStorageAccountId: cache, recoveryResourceGroupId })),
  };
}

function switchProtection(env: LoopbackSiteRecovery, input: SwitchProtectionInput, recorder?: Recorder): Promise<ProtectionContainer> {
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
  const testJob = jobOf(recorder);
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
    env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...ITEM_ARGS, { properties: { failoverDirection: "PrimaryToRecovery" } }, LRO),
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
      ...ITEM_ARGS,
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

/** Builds the Azure-to-Azure setup under the example's names with the official clients, protects a VM as the example's item and waits an hour. */
async function exampleWorld(t: ExecutionContext, names: ExampleNames): Promise<ExampleWorld> {
  const env = await loopbackSiteRecovery(t, FAST_COPY, names.subscriptionId);
  const vault: VaultRef = { resourceGroup: names.resourceGroupName, vault: names.resourceName };
  const replication = await buildA2aReplication(env, {
    names: {
      ...vault,
      primaryFabric: names.fabricName,
      primaryContainer: names.protectionContainerName,
      policy: "protectionprofile1",
      containerMapping: "mapping-forward",
    },
  });
  const vm = await createProtectableVm(env.compute, "vm1");
  await enableProtection(env, replication, names.replicatedProtectedItemName, vm);
  env.emulator.control.advanceClock(HOUR);
  const vaultPathOf = vaultPath(names.subscriptionId, vault);
  return {
    env,
    names,
    vaultPath: vaultPathOf,
    itemPath: `${vaultPathOf}/replicationFabrics/${names.fabricName}/replicationProtectionContainers/${names.protectionContainerName}/replicationProtectedItems/${names.replicatedProtectedItemName}`,
    primaryContainerId: idOf(replication.primaryContainer),
    recoveryContainerId: idOf(replication.recoveryContainer),
    policyId: idOf(replication.policy),
    vm,
  };
}

/** The names of the example's path; the item's name is the example's unless given (an example that names it in its body). */
function itemNames(example: Example, replicatedProtectedItemName = stringParameter(example, "replicatedProtectedItemName")): ExampleNames {
  return {
    subscriptionId: stringParameter(example, "subscriptionId"),
    resourceGroupName: stringParameter(example, "resourceGroupName"),
    resourceName: stringParameter(example, "resourceName"),
    fabricName: stringParameter(example, "fabricName"),
    protectionContainerName: stringParameter(example, "protectionContainerName"),
    replicatedProtectedItemName,
  };
}

/** The official client's operations on the world's item, to bring it into the state the example starts from. */
interface WorldItems {
  testFailover: () => Promise<unknown>;
  cleanup: () => Promise<unknown>;
  failover: () => Promise<unknown>;
  commit: () => Promise<unknown>;
  points: () => Promise<RecoveryPoint[]>;
}

function worldItems(world: ExampleWorld): WorldItems {
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

/**
 * Loads an item example of the corpus, builds the world under its names ({@link exampleWorld}) and
 * runs `steps` on the item, in order, to bring it into the state the example starts from.
 */
async function exampleItemWorld(
  t: ExecutionContext,
  file: string,
  steps: readonly ("testFailover" | "cleanup" | "failover")[] = [],
): Promise<{ example: Example; world: ExampleWorld; ops: WorldItems }> {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, file);
  const world = await exampleWorld(t, itemNames(example));
  const ops = worldItems(world);
  for (const step of steps) await ops[step]();
  return { example, world, ops };
}

/** The steps that bring an example's item to a failover waiting for commit: a test failover, its cleanup, then the failover. */
const FAILED_OVER = ["testFailover", "cleanup", "failover"] as const;

/** Replaces the example's Hyper-V provider input by the A2A one (`{ instanceType: "A2A" }` plus what A2A needs). */
function withA2aProvider(input: Record<string, unknown>, a2a: Record<string, unknown> = {}): Record<string, unknown> {
  const properties = isObject(input.properties) ? input.properties : {};
  return { ...input, properties: { ...properties, providerSpecificDetails: { instanceType: "A2A", ...a2a } } };
}

/**
 * POSTs the example's request to `path` (under the emulator's host, at the example's api-version)
 * with fetch and returns the operation's result: see {@link replayAccepted}.
 */
async function replayPost(t: ExecutionContext, world: ExampleWorld, example: Example, path: string, body: unknown): Promise<Record<string, unknown>> {
  const url = `${world.env.url}${path}?api-version=${stringParameter(example, "api-version")}`;
  return (await replayAccepted(t, world.env.url, example, "POST", url, body)).result ?? {};
}

/** Keys of a replicated item's state: where it is in its protection and failover, and what it allows. */
const ITEM_STATE_KEYS = [
  "properties.protectionState",
  "properties.protectionStateDescription",
  "properties.activeLocation",
  "properties.testFailoverState",
  "properties.testFailoverStateDescription",
  "properties.allowedOperations",
  "properties.replicationHealth",
];

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
  ...ITEM_STATE_KEYS,
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
  const compared = withoutKeys(
    expected,
    notCompared.map((key) => `properties.${key}`),
  );
  t.deepEqual(shapeMismatches(compared, actual), [], "every modelled key has the example's JSON type");
  t.deepEqual(absentKeys(expected, actual, ITEM_KEYS), [], "the example's keys are present");
  for (const key of sameValues) t.deepEqual(valueAt(actual, key), valueAt(expected, key), `${key} is the example's`);
}

test("replays ReplicationProtectedItems_TestFailover (hyper-v provider input replaced by a2a) with a 202, a suspended test failover and the example's item shape", async (t) => {
  const { example, world } = await exampleItemWorld(t, "2023-06-01/ReplicationProtectedItems_TestFailover.json");
  // Adapted: providerSpecificDetails HyperVReplicaAzure -> A2A; the example's networkId (a VNet id) is kept.
  const body = withA2aProvider(objectParameter(example, "testfailoverInput"));
  const result = await replayPost(t, world, example, `${world.itemPath}/testFailover`, body);
  compareItem(
    t,
    example,
    result,
    ["name", "type", ...ITEM_STATE_KEYS, "properties.policyFriendlyName", "properties.currentScenario.scenarioName"],
    // Not compared: after a test failover the emulator serves failoverRecoveryPointId null, the example the point used.
    ["failoverRecoveryPointId"],
  );
  t.is(String(result.id).toLowerCase(), world.itemPath.toLowerCase());
});

test("replays ReplicationProtectedItems_TestFailoverCleanup with a 202 and the example's item shape", async (t) => {
  const { example, world } = await exampleItemWorld(t, "2023-06-01/ReplicationProtectedItems_TestFailoverCleanup.json", ["testFailover"]);
  // Not adapted: the cleanup input (comments) has no provider part.
  const result = await replayPost(t, world, example, `${world.itemPath}/testFailoverCleanup`, objectParameter(example, "cleanupInput"));
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
  const { example, world } = await exampleItemWorld(t, "2025-08-01/ReplicationProtectedItems_UnplannedFailover.json", ["testFailover", "cleanup"]);
  // Adapted: providerSpecificDetails HyperVReplicaAzure -> A2A (sourceSiteOperations NotRequired and the direction are the example's).
  const body = withA2aProvider(objectParameter(example, "failoverInput"));
  const result = await replayPost(t, world, example, `${world.itemPath}/unplannedFailover`, body);
  compareItem(t, example, result, ["properties.protectionState", "properties.activeLocation", "properties.currentScenario.scenarioName"]);
  t.deepEqual(valueAt(result, "properties.allowedOperations"), ["Commit", "ChangePit", "CancelFailover"], "A2A allows commit, change of point and cancel");
});

test("replays ReplicationProtectedItems_ApplyRecoveryPoint (hyper-v provider input and recovery point replaced) with a 202 and the example's item shape", async (t) => {
  const { example, world, ops } = await exampleItemWorld(t, "2023-06-01/ReplicationProtectedItems_ApplyRecoveryPoint.json", FAILED_OVER);
  const point = pointId((await ops.points())[2]);
  // Adapted: providerSpecificDetails HyperVReplicaAzure -> A2A; the example's recovery point (of its Hyper-V item) -> one of this item's.
  const body = withA2aProvider({ ...objectParameter(example, "applyRecoveryPointInput"), properties: { recoveryPointId: point } });
  const result = await replayPost(t, world, example, `${world.itemPath}/applyRecoveryPoint`, body);
  // replicationHealth is left out of the values: the example's item shows Critical, this one replicates normally.
  compareItem(t, example, result, ["properties.protectionState", "properties.activeLocation", "properties.currentScenario.scenarioName"]);
  t.is(valueAt(result, "properties.failoverRecoveryPointId"), point);
});

test("replays ReplicationProtectedItems_FailoverCommit with a 202 and the example's item shape", async (t) => {
  const { example, world } = await exampleItemWorld(t, "2025-08-01/ReplicationProtectedItems_FailoverCommit.json", FAILED_OVER);
  // Not adapted: commit has no body. The example is a Hyper-V planned failover (PlannedFailoverStatesBegin, Failback allowed); A2A shows its own state.
  const result = await replayPost(t, world, example, `${world.itemPath}/failoverCommit`, undefined);
  compareItem(t, example, result, ["properties.activeLocation", "properties.currentScenario.scenarioName"]);
  t.is(valueAt(result, "properties.protectionState"), "UnplannedFailoverCommitted");
  t.deepEqual(valueAt(result, "properties.allowedOperations"), ["ReverseReplicate", "DisableProtection"]);
});

test("replays ReplicationProtectedItems_FailoverCancel with a 202 and the example's item shape", async (t) => {
  const { example, world } = await exampleItemWorld(t, "2025-08-01/ReplicationProtectedItems_FailoverCancel.json", FAILED_OVER);
  // Not adapted: cancel has no body. The example's item is an InMageRcmFailback one; the values compared do not depend on the provider.
  const result = await replayPost(t, world, example, `${world.itemPath}/failoverCancel`, undefined);
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
  const world = await exampleWorld(t, itemNames(example, itemName));
  const ops = worldItems(world);
  await ops.failover();
  await ops.commit();
  const { env, names } = world;
  await env.asr.replicationProtectionContainerMappings.beginCreateAndWait(
    names.resourceName,
    names.resourceGroupName,
    RECOVERY_FABRIC,
    RECOVERY_CONTAINER,
    "mapping-reverse",
    { properties: { targetProtectionContainerId: world.primaryContainerId, policyId: world.policyId, providerSpecificInput: { instanceType: "A2A" } } },
    LRO,
  );
  const failedOver = await env.compute.virtualMachines.get(RECOVERY_RG, "vm1");
  // Adapted: the example's A2A input carries only the instance type; a managed-disk VM needs the reverse
  // container, the resource group and the disks with a cache account where the VM now runs (as Azure PowerShell sends).
  const body = withA2aProvider(input, { recoveryContainerId: world.primaryContainerId, ...reverseReplication(failedOver, names.subscriptionId) });
  const containerPath = `${world.vaultPath}/replicationFabrics/${names.fabricName}/replicationProtectionContainers/${names.protectionContainerName}`;
  const result = await replayPost(t, world, example, `${containerPath}/switchprotection`, body);
  const expected = example.responses["200"]?.body;
  t.deepEqual(shapeMismatches(expected, result), [], "the container result has the example's JSON types");
  for (const key of SITE_RECOVERY_CONTAINER_KEYS) t.not(valueAt(result, key), undefined, `the result has ${key}`);
  // pairingStatus and protectedItemCount are not compared: the emulator serves the container as stored when it was created.
  for (const key of ["type", "properties.fabricType"]) t.deepEqual(valueAt(result, key), valueAt(expected, key), `${key} is the example's`);
  const moved = await wire(
    `${env.url}${world.vaultPath}/replicationFabrics/${RECOVERY_FABRIC}/replicationProtectionContainers/${RECOVERY_CONTAINER}/replicationProtectedItems/${itemName}?api-version=${ASR_API_VERSION}`,
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
  const jobName = jobOf(recorder);
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
