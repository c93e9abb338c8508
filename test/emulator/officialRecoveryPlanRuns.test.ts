// Layer 3 (ARCHITECTURE.md "Tests"): running recovery plans with the official
// @azure/arm-recoveryservices-siterecovery client (5.1.0) and @azure/arm-compute, used directly (not
// through sdk/), against the emulator over real loopback HTTP: test failover and its cleanup,
// unplanned failover (source VMs shut down first, or from a recovery point type), planned failover,
// commit, cancel and the refused reprotect; the plan job's tasks (prerequisites, Shutdown group,
// Failover group, Boot groups in order, actions of the operation's type and direction, a manual
// action suspending the job until ReplicationJobs_Resume); a VM failing in boot group 2 and the
// re-run; the refusals of out-of-order calls. The last part replays the official examples of
// recovery plans with plain fetch. Those examples are Hyper-V-to-Azure plans (recovery fabric
// 'Microsoft Azure', HyperVReplicaAzure provider input): they are replayed against an
// Azure-to-Azure plan built under the examples' own names (subscription, resource group, vault,
// fabric cloud1, its container, the two item names, plan RPtest1); each replay says what it adapted.
import type { VirtualMachine } from "@azure/arm-compute";
import type {
  ASRTask,
  FailoverJobDetails,
  Job,
  RecoveryPlan,
  RecoveryPlanAction,
  RecoveryPlanGroup,
  RecoveryPlanProviderSpecificFailoverInputUnion,
  RecoveryPlanTestFailoverInput,
  RecoveryPoint,
  ReplicationProtectedItem,
  TestFailoverJobDetails,
} from "@azure/arm-recoveryservices-siterecovery";
import { isRestError } from "@azure/core-rest-pipeline";
import test, { type ExecutionContext } from "ava";
import path from "node:path";
import { EXAMPLES_ROOT, isObject, loadExample, objectParameter, stringParameter, type Example } from "../helpers/exampleCorpus.js";
import { absentKeys, shapeMismatches, valueAt, wire, withoutKeys } from "../helpers/exampleReplay.js";
import { SUB } from "../helpers/fixtures.js";
import {
  A2A_NAMES,
  acceptedJob,
  ASR_API_VERSION,
  buildA2aSetup,
  collect,
  createProtectableVm,
  enableProtection,
  idOf,
  jobOf,
  loopbackSiteRecovery,
  LRO,
  powerState,
  RECOVERY_FABRIC,
  RECOVERY_REGION,
  RECOVERY_RG,
  refused,
  replayAccepted,
  responseRecorder,
  vaultPath,
  virtualNetworkId,
  VM_RG,
  withRecorder,
  type A2aNames,
  type LoopbackSiteRecovery,
  type Recorder,
} from "../helpers/loopbackSiteRecovery.js";

const HOUR = 3_600_000;
/** Fast copies: a 30 GiB disk replicates in 30 s of emulated time. */
const FAST_COPY = { replicationBandwidthMBps: 1024 } as const;
const SITE_RECOVERY_EXAMPLES = path.join(EXAMPLES_ROOT, "siterecovery");
/** What an A2A plan failover sends as provider input (RecoveryPlanA2AFailoverInput). */
const A2A_LATEST: RecoveryPlanProviderSpecificFailoverInputUnion[] = [{ instanceType: "A2A", recoveryPointType: "Latest" }];

// ---------------------------------------------------------------- helpers

/** Whether the VM exists, read with the official compute client (404 means no). */
async function vmExists(env: LoopbackSiteRecovery, resourceGroup: string, name: string): Promise<boolean> {
  try {
    await env.compute.virtualMachines.get(resourceGroup, name);
    return true;
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) return false;
    throw error;
  }
}

// ---------------------------------------------------------------- the world: protected VMs and a plan

/** The names a world is built under: this file's own, or an example's. The recovery side keeps the setup's names. */
interface WorldNames extends Pick<A2aNames, "resourceGroup" | "vault" | "primaryFabric" | "primaryContainer"> {
  subscriptionId: string;
  /** One replicated item per name, protecting VM `vm-app-{index}`. */
  items: readonly string[];
  plan: string;
}

const NAMES: WorldNames = {
  subscriptionId: SUB,
  resourceGroup: A2A_NAMES.resourceGroup,
  vault: A2A_NAMES.vault,
  primaryFabric: A2A_NAMES.primaryFabric,
  primaryContainer: A2A_NAMES.primaryContainer,
  items: ["item-app-0", "item-app-1", "item-app-2"],
  plan: "plan-app",
};

/** One group of the plan to create: a Boot group of items (by index), or the Shutdown / Failover group (actions only). */
interface GroupSpec {
  type?: "Shutdown" | "Failover" | "Boot";
  items?: readonly number[];
  start?: RecoveryPlanAction[];
  end?: RecoveryPlanAction[];
}

/** Three Boot groups of one VM each. */
const ONE_VM_PER_GROUP: readonly GroupSpec[] = [{ items: [0] }, { items: [1] }, { items: [2] }];

interface PlanWorld {
  env: LoopbackSiteRecovery;
  names: WorldNames;
  vaultPath: string;
  primaryFabricId: string;
  recoveryFabricId: string;
  itemIds: string[];
  vms: VirtualMachine[];
  vmNames: string[];
}

/**
 * Builds the Azure-to-Azure setup under `names` with the official clients (vault, a fabric and an A2A
 * container per region, an A2A policy, the container mapping westeurope -> northeurope, a network
 * mapping), creates one VM per item name in westeurope, protects each and lets an hour pass (a dozen
 * recovery points, one app-consistent). No plan yet: see {@link createPlan}.
 */
async function protectedVms(t: ExecutionContext, names: WorldNames = NAMES): Promise<PlanWorld> {
  const env = await loopbackSiteRecovery(t, FAST_COPY, names.subscriptionId);
  const setup = await buildA2aSetup(env, {
    names: { resourceGroup: names.resourceGroup, vault: names.vault, primaryFabric: names.primaryFabric, primaryContainer: names.primaryContainer },
  });
  const vms: VirtualMachine[] = [];
  const vmNames: string[] = [];
  const itemIds: string[] = [];
  for (const [index, itemName] of names.items.entries()) {
    const vmName = `vm-app-${index}`;
    const vm = index === 0 ? setup.vm : await createProtectableVm(env.compute, vmName);
    const item = await enableProtection(env, setup, itemName, vm);
    vms.push(vm);
    vmNames.push(vmName);
    itemIds.push(idOf(item));
  }
  env.emulator.control.advanceClock(HOUR);
  const vaultPathOf = vaultPath(names.subscriptionId, names);
  const world: PlanWorld = {
    env,
    names,
    vaultPath: vaultPathOf,
    primaryFabricId: `${vaultPathOf}/replicationFabrics/${names.primaryFabric}`,
    recoveryFabricId: `${vaultPathOf}/replicationFabrics/${RECOVERY_FABRIC}`,
    itemIds,
    vms,
    vmNames,
  };
  for (const index of names.items.keys()) t.is((await getItem(world, index)).properties?.protectionState, "Protected", `setup: item ${index} is protected`);
  return world;
}

/** The plan's groups as the create input carries them. */
function planGroups(world: PlanWorld, groups: readonly GroupSpec[]): RecoveryPlanGroup[] {
  return groups.map((group) => ({
    groupType: group.type ?? "Boot",
    replicationProtectedItems: (group.items ?? []).map((index) => ({ id: world.itemIds[index] as string })),
    startGroupActions: group.start ?? [],
    endGroupActions: group.end ?? [],
  }));
}

/** Creates the world's plan with the official client (ReplicationRecoveryPlans_Create). */
function createPlan(world: PlanWorld, groups: readonly GroupSpec[] = ONE_VM_PER_GROUP): Promise<RecoveryPlan> {
  const { env, names } = world;
  return env.asr.replicationRecoveryPlans.beginCreateAndWait(
    names.vault,
    names.resourceGroup,
    names.plan,
    {
      properties: {
        primaryFabricId: world.primaryFabricId,
        recoveryFabricId: world.recoveryFabricId,
        failoverDeploymentModel: "ResourceManager",
        groups: planGroups(world, groups),
      },
    },
    LRO,
  );
}

/** Three protected VMs and a plan that boots them in three groups, one after the other. */
async function planWorld(t: ExecutionContext, groups: readonly GroupSpec[] = ONE_VM_PER_GROUP): Promise<PlanWorld> {
  const world = await protectedVms(t);
  await createPlan(world, groups);
  return world;
}

// ---------------------------------------------------------------- reads

function getPlan(world: PlanWorld): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.get(world.names.vault, world.names.resourceGroup, world.names.plan);
}

function getItem(world: PlanWorld, index: number): Promise<ReplicationProtectedItem> {
  const { names } = world;
  return world.env.asr.replicationProtectedItems.get(
    names.vault,
    names.resourceGroup,
    names.primaryFabric,
    names.primaryContainer,
    names.items[index] as string,
  );
}

function listPoints(world: PlanWorld, index: number): Promise<RecoveryPoint[]> {
  const { names } = world;
  return collect(
    world.env.asr.recoveryPoints.listByReplicationProtectedItems(
      names.vault,
      names.resourceGroup,
      names.primaryFabric,
      names.primaryContainer,
      names.items[index] as string,
    ),
  );
}

function getJob(world: PlanWorld, name: string): Promise<Job> {
  return world.env.asr.replicationJobs.get(world.names.vault, world.names.resourceGroup, name);
}

function listJobs(world: PlanWorld): Promise<Job[]> {
  return collect(world.env.asr.replicationJobs.list(world.names.vault, world.names.resourceGroup));
}

function taskNames(job: Job): string[] {
  return (job.properties?.tasks ?? []).map((task) => task.name ?? "");
}

function taskStates(job: Job): string[][] {
  return (job.properties?.tasks ?? []).map((task) => [task.name ?? "", task.state ?? ""]);
}

function task(job: Job, name: string): ASRTask {
  return job.properties?.tasks?.find((candidate) => candidate.name === name) ?? {};
}

/** Milliseconds a finished task ran (emulated time). */
function taskDuration(job: Job, name: string): number | undefined {
  const { startTime, endTime } = task(job, name);
  return startTime === undefined || endTime === undefined ? undefined : endTime.getTime() - startTime.getTime();
}

/** Asserts that each task started when the previous one ended: the job runs its tasks one after the other. */
function assertSequential(t: ExecutionContext, job: Job): void {
  const tasks = job.properties?.tasks ?? [];
  for (let i = 1; i < tasks.length; i++) {
    t.is(tasks[i]?.startTime?.getTime(), tasks[i - 1]?.endTime?.getTime(), `'${tasks[i]?.name}' starts when '${tasks[i - 1]?.name}' ends`);
  }
}

/** What this file needs of a poller the official client returns (SimplePollerLike). */
interface Poller<T> {
  isDone(): boolean;
  poll(): Promise<void>;
  getResult(): T | undefined;
}

/** Polls until the operation ends, at most 200 times (each poll stands for 30 s): a job stuck forever fails the test instead of hanging it. */
async function pollToEnd<T>(t: ExecutionContext, poller: Poller<T>, what: string): Promise<T | undefined> {
  for (let polls = 0; polls < 200 && !poller.isDone(); polls++) await poller.poll();
  t.true(poller.isDone(), `${what} ends within 200 polls`);
  return poller.getResult();
}

/**
 * Runs a plan operation with its responses recorded, checks its initial response ({@link acceptedJob})
 * and that the client sent one POST {plan}/{action}; returns what `run` returned and the job's name.
 */
async function acceptedOperation<T>(
  t: ExecutionContext,
  world: PlanWorld,
  action: string,
  what: string,
  run: (recorder: Recorder) => Promise<T>,
): Promise<{ result: T; jobName: string }> {
  const recorder = responseRecorder();
  const result = await run(recorder);
  const jobName = acceptedJob(t, world.env, recorder.responses, what, world.names);
  t.is(world.env.requests.count("POST", `${world.vaultPath}/replicationRecoveryPlans/${world.names.plan}/${action}`), 1, `the client POSTs {plan}/${action}`);
  return { result, jobName };
}

/** Asserts the job is the plan's: a RecoveryPlan target named after the plan. */
function assertPlanJob(t: ExecutionContext, world: PlanWorld, job: Job, scenarioName: string): void {
  t.like(job.properties, { scenarioName, targetObjectId: world.names.plan, targetObjectName: world.names.plan, targetInstanceType: "RecoveryPlan" });
}

/** Reads the job and asserts that it is the plan's, that it succeeded, and that it ran the prerequisites check and then `taskName`. */
async function assertCheckAndTaskJob(t: ExecutionContext, world: PlanWorld, jobName: string, scenarioName: string, taskName: string): Promise<Job> {
  const job = await getJob(world, jobName);
  assertPlanJob(t, world, job, scenarioName);
  t.is(job.properties?.state, "Succeeded");
  t.deepEqual(taskStates(job), [
    ["PrerequisitesCheck", "Succeeded"],
    [taskName, "Succeeded"],
  ]);
  return job;
}

/** Asserts that the job's custom details are of this type and name every item of the plan, in order; returns them. */
function planJobDetails<T extends TestFailoverJobDetails | FailoverJobDetails>(
  t: ExecutionContext,
  world: PlanWorld,
  job: Job,
  instanceType: T["instanceType"],
): T | undefined {
  const details = job.properties?.customDetails as T | undefined;
  t.is(details?.instanceType, instanceType);
  t.deepEqual(
    details?.protectedItemDetails?.map((d) => d.name),
    [...world.names.items],
  );
  return details;
}

/** The recovery VM names, in the recovery resource group. */
function testVmName(world: PlanWorld, index: number): string {
  return `${world.vmNames[index] as string}-test`;
}

// ---------------------------------------------------------------- the plan operations (official client)

function planArgs(world: PlanWorld): [string, string, string] {
  return [world.names.vault, world.names.resourceGroup, world.names.plan];
}

/** What a plan test failover sends: a test network of the recovery region, the latest points. */
function testFailoverInput(world: PlanWorld): RecoveryPlanTestFailoverInput {
  return {
    properties: {
      failoverDirection: "PrimaryToRecovery",
      networkType: "VmNetworkAsInput",
      networkId: virtualNetworkId("vnet-dr-test", RECOVERY_RG, world.names.subscriptionId),
      providerSpecificDetails: A2A_LATEST,
    },
  };
}

function testFailover(world: PlanWorld, recorder?: Recorder): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.beginTestFailoverAndWait(...planArgs(world), testFailoverInput(world), withRecorder(recorder));
}

function cleanup(world: PlanWorld, recorder?: Recorder): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.beginTestFailoverCleanupAndWait(
    ...planArgs(world),
    { properties: { comments: "drill verified" } },
    withRecorder(recorder),
  );
}

function failoverInput(
  sourceSiteOperations: "Required" | "NotRequired",
  recoveryPointType: "Latest" | "LatestProcessed" | "LatestApplicationConsistent" | "LatestCrashConsistent" = "Latest",
): {
  properties: {
    failoverDirection: "PrimaryToRecovery";
    sourceSiteOperations: "Required" | "NotRequired";
    providerSpecificDetails: RecoveryPlanProviderSpecificFailoverInputUnion[];
  };
} {
  return {
    properties: { failoverDirection: "PrimaryToRecovery", sourceSiteOperations, providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType }] },
  };
}

function unplannedFailover(
  world: PlanWorld,
  sourceSiteOperations: "Required" | "NotRequired",
  options: { recoveryPointType?: "Latest" | "LatestProcessed" | "LatestApplicationConsistent" | "LatestCrashConsistent"; recorder?: Recorder } = {},
): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.beginUnplannedFailoverAndWait(
    ...planArgs(world),
    failoverInput(sourceSiteOperations, options.recoveryPointType),
    withRecorder(options.recorder),
  );
}

function plannedFailover(world: PlanWorld, recorder?: Recorder): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(
    ...planArgs(world),
    { properties: { failoverDirection: "PrimaryToRecovery", providerSpecificDetails: A2A_LATEST } },
    withRecorder(recorder),
  );
}

function commit(world: PlanWorld, recorder?: Recorder): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...planArgs(world), withRecorder(recorder));
}

function cancelFailover(world: PlanWorld, recorder?: Recorder): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.beginFailoverCancelAndWait(...planArgs(world), withRecorder(recorder));
}

function reprotect(world: PlanWorld): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.beginReprotectAndWait(...planArgs(world), LRO);
}

/** The plan, its items and the vault's jobs: what a refused call must leave as it was. */
async function snapshot(world: PlanWorld): Promise<unknown> {
  const items = [];
  for (const index of world.names.items.keys()) items.push(await getItem(world, index));
  return { plan: await getPlan(world), items, jobs: (await listJobs(world)).map((j) => [j.name, j.properties?.state, taskStates(j)]) };
}

/** Asserts a 409 OperationNotAllowed naming the operation, and that nothing changed. */
async function notAllowed(t: ExecutionContext, world: PlanWorld, call: () => Promise<unknown>, operation: string, what: string): Promise<void> {
  const before = await snapshot(world);
  const message = await refused(t, call(), 409, "OperationNotAllowed");
  t.true(message.includes(`Operation '${operation}' is not allowed`), `${what}: the message names the operation: ${message}`);
  t.regex(message, /Allowed operations: \[/, `${what}: the message names the allowed operations`);
  t.deepEqual(await snapshot(world), before, `${what}: a refused call changes nothing`);
}

/** Every item's protection state, where it runs and its test failover state. */
async function itemStates(world: PlanWorld): Promise<string[][]> {
  const states: string[][] = [];
  for (const index of world.names.items.keys()) {
    const properties = (await getItem(world, index)).properties;
    states.push([properties?.protectionState ?? "", properties?.activeLocation ?? "", properties?.testFailoverState ?? ""]);
  }
  return states;
}

/** Asserts that every item has this protection state, runs there and has this test failover state (see {@link itemStates}). */
async function assertEveryItem(
  t: ExecutionContext,
  world: PlanWorld,
  protectionState: string,
  activeLocation: string,
  testFailoverState: string,
): Promise<void> {
  t.deepEqual(
    await itemStates(world),
    world.names.items.map(() => [protectionState, activeLocation, testFailoverState]),
  );
}

// ---------------------------------------------------------------- test failover and cleanup

test("plan test failover answers 202 on POST {plan}/testFailover, boots the groups in order and waits suspended for cleanup as the example shows", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const pointsBefore = await Promise.all(world.names.items.map((_, index) => listPoints(world, index)));
  const { result, jobName } = await acceptedOperation(t, world, "testFailover", "plan test failover", (recorder) => testFailover(world, recorder));

  // The final result is the plan, as ReplicationRecoveryPlans_TestFailover shows it: waiting for cleanup.
  t.is(result.name, world.names.plan);
  t.deepEqual(result.properties?.allowedOperations, ["TestFailoverCleanup"]);
  t.like(result.properties, { currentScenarioStatus: "Suspended", currentScenarioStatusDescription: "WaitingForStopTestFailover" });
  t.is(result.properties?.currentScenario?.scenarioName, "TestFailover");
  t.is(result.properties?.currentScenario?.jobId?.toLowerCase(), `${world.vaultPath}/replicationJobs/${jobName}`.toLowerCase());
  t.deepEqual(await getPlan(world), result, "GET serves the plan the operation returned");

  const job = await getJob(world, jobName);
  assertPlanJob(t, world, job, "TestFailover");
  t.like(job.properties, { state: "Suspended", stateDescription: "WaitingForStopTestFailover" });
  t.deepEqual(job.properties?.allowedActions, ["Cancel", "Resume"]);
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "StartGroup2", "StartGroup3"], "no source shutdown for a test");
  t.true(job.properties?.tasks?.every((x) => x.state === "Succeeded") === true, "its tasks are done");
  assertSequential(t, job);
  const details = planJobDetails<TestFailoverJobDetails>(t, world, job, "TestFailoverJobDetails");
  for (const [index, detail] of (details?.protectedItemDetails ?? []).entries()) {
    // Latest: a point of the item no older than its newest point when the test started, and not after the start.
    // Not compared: whether it is an existing point (the emulator takes the newest processed one; see the report).
    t.true(
      detail.recoveryPointId?.toLowerCase().startsWith(`${world.itemIds[index] as string}/recoveryPoints/`.toLowerCase()) === true,
      `item ${index} tests from a point of its own: ${String(detail.recoveryPointId)}`,
    );
    const time = detail.recoveryPointTime?.getTime() ?? 0;
    t.true(time >= (pointsBefore[index]?.[0]?.properties?.recoveryPointTime?.getTime() ?? Infinity), `item ${index}: not older than its newest point`);
    t.true(time <= (job.properties?.startTime?.getTime() ?? 0), `item ${index}: not after the test started`);
  }

  await assertEveryItem(t, world, "Protected", "Primary", "WaitingForCompletion");
  for (const index of world.names.items.keys()) {
    const testVm = await env.compute.virtualMachines.get(RECOVERY_RG, testVmName(world, index));
    t.is(testVm.location, RECOVERY_REGION, `test VM ${index} runs in the recovery region`);
    t.is(await powerState(env, RECOVERY_RG, testVmName(world, index)), "PowerState/running");
    t.is(await powerState(env, VM_RG, world.vmNames[index] as string), "PowerState/running", `source VM ${index} is untouched`);
    t.false(await vmExists(env, RECOVERY_RG, world.vmNames[index] as string), `no failed-over VM ${index}`);
  }
});

test("plan test failover cleanup answers 202, deletes the test vms, completes the suspended test failover job and allows failover again", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const testRecorder = responseRecorder();
  await testFailover(world, testRecorder);
  const testJob = jobOf(testRecorder);
  const { result, jobName } = await acceptedOperation(t, world, "testFailoverCleanup", "plan test failover cleanup", (recorder) => cleanup(world, recorder));

  const job = await assertCheckAndTaskJob(t, world, jobName, "TestFailoverCleanup", "CleanupTestVms");
  assertSequential(t, job);
  const finished = await getJob(world, testJob);
  t.is(finished.properties?.state, "Succeeded", "the test failover job completes with its cleanup");
  t.deepEqual(finished.properties?.allowedActions, []);

  await assertEveryItem(t, world, "Protected", "Primary", "None");
  for (const index of world.names.items.keys()) t.false(await vmExists(env, RECOVERY_RG, testVmName(world, index)), `test VM ${index} is deleted`);
  t.deepEqual([...(result.properties?.allowedOperations ?? [])].sort(), ["PlannedFailover", "TestFailover", "UnplannedFailover"]);
  await t.notThrowsAsync(testFailover(world), "another test failover can run");
});

// ---------------------------------------------------------------- failover

test("plan unplanned failover with source site operations required shuts every source down first, then boots the groups one after the other", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const { result: poller, jobName } = await acceptedOperation(t, world, "unplannedFailover", "plan unplanned failover", (recorder) =>
    env.asr.replicationRecoveryPlans.beginUnplannedFailover(...planArgs(world), failoverInput("Required"), withRecorder(recorder)),
  );

  // Each poll stands for 30 s: watch the VMs between polls and check them against the job's tasks.
  const seen: string[] = [];
  for (let polls = 0; polls < 100; polls++) {
    const job = await getJob(world, jobName);
    const done = (name: string): boolean => task(job, name).state === "Succeeded";
    let stopped = 0;
    let up = 0;
    for (const index of world.names.items.keys()) {
      const source = await powerState(env, VM_RG, world.vmNames[index] as string);
      if (source === "PowerState/stopped") stopped++;
      t.is(source === "PowerState/stopped", done("ShutdownSourceVms"), `source ${index} is stopped exactly when the shutdown task is done`);
      const failedOver = await vmExists(env, RECOVERY_RG, world.vmNames[index] as string);
      if (failedOver) up++;
      t.is(failedOver, done(`StartGroup${index + 1}`), `VM ${index} is up exactly when its group has started`);
      const item = await getItem(world, index);
      t.is(item.properties?.protectionState, failedOver ? "UnplannedFailoverCommitPendingStatesBegin" : "UnplannedFailoverInProgress");
    }
    const state = `${stopped} stopped, ${up} up`;
    if (seen.at(-1) !== state) seen.push(state);
    if (poller.isDone()) break;
    await poller.poll();
  }
  t.deepEqual(
    seen,
    ["0 stopped, 0 up", "3 stopped, 0 up", "3 stopped, 1 up", "3 stopped, 2 up", "3 stopped, 3 up"],
    "the sources go down before any VM comes up, then group 1, group 2, group 3",
  );
  const result = poller.getResult();
  t.is(result?.name, world.names.plan, "the operation's result is the plan");

  const job = await getJob(world, jobName);
  assertPlanJob(t, world, job, "UnplannedFailover");
  t.is(job.properties?.state, "Succeeded");
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "ShutdownSourceVms", "PrepareVms", "StartGroup1", "StartGroup2", "StartGroup3"]);
  assertSequential(t, job);
  const details = planJobDetails<FailoverJobDetails>(t, world, job, "FailoverJobDetails");
  for (const detail of details?.protectedItemDetails ?? []) {
    t.is(detail.recoveryPointTime?.getTime(), job.properties?.startTime?.getTime(), "sources shut down first: the latest data, no loss");
  }
  await assertEveryItem(t, world, "UnplannedFailoverCommitPendingStatesBegin", "Recovery", "None");
  for (const index of world.names.items.keys()) {
    const failedOver = await env.compute.virtualMachines.get(RECOVERY_RG, world.vmNames[index] as string);
    t.is(failedOver.location, RECOVERY_REGION);
    t.is(await powerState(env, RECOVERY_RG, world.vmNames[index] as string), "PowerState/running");
  }
  const plan = await getPlan(world);
  for (const operation of ["Commit", "CancelFailover"])
    t.true(plan.properties?.allowedOperations?.includes(operation) === true, `the plan allows ${operation}`);
  for (const operation of ["TestFailover", "UnplannedFailover", "PlannedFailover"]) t.false(plan.properties?.allowedOperations?.includes(operation) === true);
});

test("plan unplanned failover without source operations recovers each item from its latest app-consistent point and leaves the sources running", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const expected: (string | undefined)[] = [];
  for (const index of world.names.items.keys()) {
    expected.push((await listPoints(world, index)).find((p) => p.properties?.recoveryPointType === "ApplicationConsistent")?.id);
  }
  t.true(
    expected.every((id) => id !== undefined),
    "setup: each item has an app-consistent point",
  );
  const recorder = responseRecorder();
  await unplannedFailover(world, "NotRequired", { recoveryPointType: "LatestApplicationConsistent", recorder });
  const job = await getJob(world, acceptedJob(t, world.env, recorder.responses, "plan unplanned failover", world.names));
  assertPlanJob(t, world, job, "UnplannedFailover");
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "StartGroup2", "StartGroup3"], "no source shutdown");
  const details = job.properties?.customDetails as FailoverJobDetails | undefined;
  t.deepEqual(
    details?.protectedItemDetails?.map((d) => d.recoveryPointId),
    expected,
    "each item recovers from its newest app-consistent point",
  );
  for (const index of world.names.items.keys()) {
    const item = await getItem(world, index);
    t.is(item.properties?.failoverRecoveryPointId, expected[index]);
    t.is(item.properties?.activeLocation, "Recovery");
    t.is(await powerState(env, VM_RG, world.vmNames[index] as string), "PowerState/running", `source ${index} is not touched`);
    t.is(await powerState(env, RECOVERY_RG, world.vmNames[index] as string), "PowerState/running");
  }
});

test("plan planned failover answers 202 on POST {plan}/plannedFailover and shuts the sources down before failing every item over", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const { result, jobName } = await acceptedOperation(t, world, "plannedFailover", "plan planned failover", (recorder) => plannedFailover(world, recorder));
  t.is(result.name, world.names.plan);
  const job = await getJob(world, jobName);
  // Not compared: scenarioName. The emulator names the job of a planned failover 'UnplannedFailover'; see the report.
  t.like(job.properties, { state: "Succeeded", friendlyName: "Planned failover", targetInstanceType: "RecoveryPlan" });
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "ShutdownSourceVms", "PrepareVms", "StartGroup1", "StartGroup2", "StartGroup3"]);
  assertSequential(t, job);
  t.is((job.properties?.customDetails as FailoverJobDetails | undefined)?.instanceType, "FailoverJobDetails");
  await assertEveryItem(t, world, "UnplannedFailoverCommitPendingStatesBegin", "Recovery", "None");
  for (const index of world.names.items.keys()) {
    t.is(await powerState(env, VM_RG, world.vmNames[index] as string), "PowerState/stopped", `source ${index} was shut down`);
    t.is(await powerState(env, RECOVERY_RG, world.vmNames[index] as string), "PowerState/running", `VM ${index} runs in the recovery region`);
  }
});

test("plan failover commit answers 202 and makes every item's failover final", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  await unplannedFailover(world, "Required");
  const { result, jobName } = await acceptedOperation(t, world, "failoverCommit", "plan failover commit", (recorder) => commit(world, recorder));
  const job = await getJob(world, jobName);
  t.like(job.properties, { scenarioName: "CommitFailover", state: "Succeeded", targetObjectName: world.names.plan, targetInstanceType: "RecoveryPlan" });
  t.deepEqual(taskStates(job), [
    ["PrerequisitesCheck", "Succeeded"],
    ["Commit", "Succeeded"],
  ]);
  await assertEveryItem(t, world, "UnplannedFailoverCommitted", "Recovery", "None");
  for (const index of world.names.items.keys()) {
    t.deepEqual(await listPoints(world, index), [], `item ${index}: the recovery points are deleted`);
    t.deepEqual((await getItem(world, index)).properties?.allowedOperations, ["ReverseReplicate", "DisableProtection"]);
    t.is(await powerState(env, RECOVERY_RG, world.vmNames[index] as string), "PowerState/running", `VM ${index} keeps running`);
  }
  for (const operation of ["Commit", "CancelFailover", "TestFailover", "UnplannedFailover", "PlannedFailover"]) {
    t.false(result.properties?.allowedOperations?.includes(operation) === true, `the committed plan does not allow ${operation}`);
  }
});

test("plan failover cancel answers 202, deletes the failed-over vms, restarts the sources and protects the items again", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  await unplannedFailover(world, "Required");
  const { result, jobName } = await acceptedOperation(t, world, "failoverCancel", "plan failover cancel", (recorder) => cancelFailover(world, recorder));
  await assertCheckAndTaskJob(t, world, jobName, "CancelFailover", "CancelFailover");
  await assertEveryItem(t, world, "Protected", "Primary", "None");
  for (const index of world.names.items.keys()) {
    t.false(await vmExists(env, RECOVERY_RG, world.vmNames[index] as string), `failed-over VM ${index} is deleted`);
    t.is(await powerState(env, VM_RG, world.vmNames[index] as string), "PowerState/running", `source ${index} runs again`);
  }
  t.deepEqual([...(result.properties?.allowedOperations ?? [])].sort(), ["PlannedFailover", "TestFailover", "UnplannedFailover"]);
  const cancelledAt = env.emulator.control.now().getTime();
  env.emulator.control.advanceClock(HOUR);
  for (const index of world.names.items.keys()) {
    t.true(
      (await listPoints(world, index)).some((p) => (p.properties?.recoveryPointTime?.getTime() ?? 0) > cancelledAt),
      `item ${index} replicates again`,
    );
  }
});

test("plan reprotect answers 400 operationnotsupported and changes nothing", async (t) => {
  const world = await planWorld(t);
  await unplannedFailover(world, "Required");
  await commit(world);
  const before = await snapshot(world);
  const message = await refused(t, reprotect(world), 400, "OperationNotSupported");
  t.regex(message, /switchprotection/);
  t.is(world.env.requests.count("POST", `${world.vaultPath}/replicationRecoveryPlans/${world.names.plan}/reProtect`), 1, "the client POSTs {plan}/reProtect");
  t.deepEqual(await snapshot(world), before);
});

// ---------------------------------------------------------------- actions and the manual action

const RUNBOOK_ID = `/subscriptions/${SUB}/resourceGroups/rg-automation/providers/Microsoft.Automation/automationAccounts/dr-automation/runbooks`;

/** Group 1 ends with a manual action, group 2 starts with a script, group 3 with a runbook; two actions are for other runs. */
const WITH_ACTIONS: readonly GroupSpec[] = [
  {
    items: [0],
    end: [
      {
        actionName: "check-db",
        failoverTypes: ["UnplannedFailover", "PlannedFailover"],
        failoverDirections: ["PrimaryToRecovery"],
        customDetails: { instanceType: "ManualActionDetails", description: "Check that the database is consistent" },
      },
      {
        actionName: "drill-note",
        failoverTypes: ["TestFailover"],
        failoverDirections: ["PrimaryToRecovery"],
        customDetails: { instanceType: "ManualActionDetails", description: "Only during drills" },
      },
    ],
  },
  {
    items: [1],
    start: [
      {
        actionName: "dns",
        failoverTypes: ["UnplannedFailover"],
        failoverDirections: ["PrimaryToRecovery"],
        customDetails: { instanceType: "ScriptActionDetails", path: "/scripts/switch-dns.ps1", fabricLocation: "Recovery" },
      },
    ],
    end: [
      {
        actionName: "failback-only",
        failoverTypes: ["UnplannedFailover"],
        failoverDirections: ["RecoveryToPrimary"],
        customDetails: { instanceType: "AutomationRunbookActionDetails", runbookId: `${RUNBOOK_ID}/failback`, fabricLocation: "Primary" },
      },
    ],
  },
  {
    items: [2],
    start: [
      {
        actionName: "smoke",
        failoverTypes: ["UnplannedFailover"],
        failoverDirections: ["PrimaryToRecovery"],
        customDetails: { instanceType: "AutomationRunbookActionDetails", runbookId: `${RUNBOOK_ID}/smoke`, fabricLocation: "Recovery" },
      },
    ],
  },
];

test("a manual action suspends the plan job until replicationJobs resume; scripts and runbooks run as timed tasks; actions of other runs are left out", async (t) => {
  const world = await planWorld(t, WITH_ACTIONS);
  const { env } = world;
  const recorder = responseRecorder();
  const poller = await env.asr.replicationRecoveryPlans.beginUnplannedFailover(...planArgs(world), failoverInput("NotRequired"), withRecorder(recorder));
  const jobName = acceptedJob(t, world.env, recorder.responses, "plan unplanned failover", world.names);
  let job = await getJob(world, jobName);
  for (let polls = 0; polls < 100 && job.properties?.state !== "Suspended"; polls++) {
    await poller.poll();
    job = await getJob(world, jobName);
  }

  // Stopped at the manual action after group 1.
  t.like(job.properties, { state: "Suspended", stateDescription: "WaitingForUserInput" });
  t.deepEqual(job.properties?.allowedActions, ["Cancel", "Resume"]);
  t.deepEqual(taskStates(job), [
    ["PrerequisitesCheck", "Succeeded"],
    ["PrepareVms", "Succeeded"],
    ["StartGroup1", "Succeeded"],
    ["Manual:check-db", "Suspended"],
    ["Script:dns", "NotStarted"],
    ["StartGroup2", "NotStarted"],
    ["Runbook:smoke", "NotStarted"],
    ["StartGroup3", "NotStarted"],
  ]);
  t.like(task(job, "Manual:check-db"), { taskType: "ManualActionTaskDetails", allowedActions: ["Resume"] });
  t.is(task(job, "Manual:check-db").customDetails?.instanceType, "ManualActionTaskDetails");
  t.false(poller.isDone(), "the operation is still under way for its caller");
  const plan = await getPlan(world);
  t.like(plan.properties, { currentScenarioStatus: "Suspended", currentScenarioStatusDescription: "WaitingForUserInput" });
  t.is(plan.properties?.currentScenario?.scenarioName, "UnplannedFailover");
  t.is(plan.properties?.currentScenario?.jobId?.toLowerCase(), `${world.vaultPath}/replicationJobs/${jobName}`.toLowerCase());
  t.deepEqual(await itemStates(world), [
    ["UnplannedFailoverCommitPendingStatesBegin", "Recovery", "None"],
    ["UnplannedFailoverInProgress", "Primary", "None"],
    ["UnplannedFailoverInProgress", "Primary", "None"],
  ]);

  // Neither polling nor time moves a job that waits for the user.
  for (let polls = 0; polls < 5; polls++) await poller.poll();
  env.emulator.control.advanceClock(HOUR);
  t.false(poller.isDone());
  t.deepEqual(taskStates(await getJob(world, jobName)), taskStates(job), "still waiting at the manual action");
  t.false(await vmExists(env, RECOVERY_RG, world.vmNames[1] as string), "group 2 does not come up before the resume");

  const resumedAt = env.emulator.control.now().getTime();
  const resumeRecorder = responseRecorder();
  const resumePoller = await env.asr.replicationJobs.beginResume(
    world.names.vault,
    world.names.resourceGroup,
    jobName,
    { properties: { comments: "database checked" } },
    withRecorder(resumeRecorder),
  );
  const resumeResponse = resumeRecorder.responses[0];
  t.is(resumeResponse?.status, 202, "resume answers 202");
  const location = resumeResponse?.headers.get("location") ?? "";
  t.true(
    URL.canParse(location) && new URL(location).pathname.toLowerCase() === `${world.vaultPath}/replicationJobs/${jobName}`.toLowerCase(),
    `Location is the job: ${location}`,
  );
  const resumed = (await pollToEnd(t, resumePoller, "the resume")) ?? {};
  t.is(resumed.name, jobName, "the resume's result is the job");
  t.is(resumed.properties?.state, "InProgress", "the job goes on with the next task");
  t.is(task(resumed, "Manual:check-db").state, "Succeeded");
  t.is(task(resumed, "Manual:check-db").endTime?.getTime(), resumedAt, "the manual action ends when it is resumed");
  t.is(task(resumed, "Script:dns").state, "InProgress");

  const result = await pollToEnd(t, poller, "the plan failover");
  t.is(result?.name, world.names.plan);
  job = await getJob(world, jobName);
  t.is(job.properties?.state, "Succeeded");
  t.true(job.properties?.tasks?.every((x) => x.state === "Succeeded") === true, "every task succeeded");
  assertSequential(t, job);
  t.deepEqual(
    ["Script:dns", "Runbook:smoke", "StartGroup2", "PrepareVms"].map((name) => taskDuration(job, name)),
    [60_000, 120_000, 60_000, 120_000],
    "a script takes 60 s, a runbook 120 s (emulated)",
  );
  await assertEveryItem(t, world, "UnplannedFailoverCommitPendingStatesBegin", "Recovery", "None");

  const message = await refused(
    t,
    env.asr.replicationJobs.beginResumeAndWait(world.names.vault, world.names.resourceGroup, jobName, { properties: { comments: "again" } }, LRO),
    400,
    "JobActionNotAllowed",
  );
  t.regex(message, /Succeeded/, "a finished job cannot be resumed");
});

test("a test failover runs only the actions for test failovers and resume of its suspended job cleans up", async (t) => {
  const world = await planWorld(t, WITH_ACTIONS);
  const { env } = world;
  const recorder = responseRecorder();
  const poller = await env.asr.replicationRecoveryPlans.beginTestFailover(...planArgs(world), testFailoverInput(world), withRecorder(recorder));
  const jobName = jobOf(recorder);
  let job = await getJob(world, jobName);
  for (let polls = 0; polls < 100 && task(job, "Manual:drill-note").state !== "Suspended"; polls++) {
    await poller.poll();
    job = await getJob(world, jobName);
  }
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "Manual:drill-note", "StartGroup2", "StartGroup3"]);
  t.like(job.properties, { state: "Suspended", stateDescription: "WaitingForUserInput" });
  await env.asr.replicationJobs.beginResumeAndWait(world.names.vault, world.names.resourceGroup, jobName, { properties: {} }, LRO);
  await pollToEnd(t, poller, "the plan test failover");
  job = await getJob(world, jobName);
  t.like(job.properties, { state: "Suspended", stateDescription: "WaitingForStopTestFailover" }, "the test ends waiting for cleanup");
  for (const index of world.names.items.keys()) t.true(await vmExists(env, RECOVERY_RG, testVmName(world, index)), `test VM ${index} is up`);

  // Resuming the finished test failover's job is the older way to end the test: it cleans up.
  await env.asr.replicationJobs.beginResumeAndWait(world.names.vault, world.names.resourceGroup, jobName, { properties: {} }, LRO);
  t.is((await getJob(world, jobName)).properties?.state, "Succeeded");
  for (const index of world.names.items.keys()) t.false(await vmExists(env, RECOVERY_RG, testVmName(world, index)), `test VM ${index} is deleted`);
  await assertEveryItem(t, world, "Protected", "Primary", "None");
});

// ---------------------------------------------------------------- a failure in group 2

test("a vm failing in boot group 2 fails the plan job there: group 1 stays failed over, groups 2 and 3 roll back, and the re-run fails over only the rest", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const injected = env.emulator.control.failFailover({
    target: idOf(world.vms[1] as VirtualMachine),
    code: "AzureVmCreationFailed",
    message: "No capacity for Standard_D2s_v5.",
  });
  t.is(injected.target.toLowerCase(), (world.itemIds[1] as string).toLowerCase(), "the fault is set on the item protecting the VM");
  const recorder = responseRecorder();
  const error = await t.throwsAsync(unplannedFailover(world, "Required", { recorder }));
  t.regex(error.message, /RecoveryPlanGroupFailed/, "the long-running operation fails with the group's error");
  const jobName = acceptedJob(t, world.env, recorder.responses, "plan unplanned failover", world.names);

  const job = await getJob(world, jobName);
  t.like(job.properties, { state: "Failed", stateDescription: "Failed" });
  t.deepEqual(job.properties?.allowedActions, [], "a plan job is not restarted: the plan operation runs again");
  t.deepEqual(taskStates(job), [
    ["PrerequisitesCheck", "Succeeded"],
    ["ShutdownSourceVms", "Succeeded"],
    ["PrepareVms", "Succeeded"],
    ["StartGroup1", "Succeeded"],
    ["StartGroup2", "Failed"],
    ["StartGroup3", "Skipped"],
  ]);
  const failure = job.properties?.errors?.[0];
  t.is(failure?.serviceErrorDetails?.code, "RecoveryPlanGroupFailed");
  t.regex(failure?.serviceErrorDetails?.message ?? "", /AzureVmCreationFailed: No capacity/);
  t.regex(failure?.serviceErrorDetails?.message ?? "", new RegExp(world.names.items[1] as string));
  t.is(failure?.taskId, task(job, "StartGroup2").taskId, "the error points at the failed group's task");
  t.deepEqual(task(job, "StartGroup2").errors?.[0]?.serviceErrorDetails?.code, "RecoveryPlanGroupFailed");

  t.deepEqual(await itemStates(world), [
    ["UnplannedFailoverCommitPendingStatesBegin", "Recovery", "None"],
    ["Protected", "Primary", "None"],
    ["Protected", "Primary", "None"],
  ]);
  const firstVm = await env.compute.virtualMachines.get(RECOVERY_RG, world.vmNames[0] as string);
  t.is(await powerState(env, VM_RG, world.vmNames[0] as string), "PowerState/stopped", "group 1's source stays down");
  for (const index of [1, 2]) {
    t.false(await vmExists(env, RECOVERY_RG, world.vmNames[index] as string), `no failed-over VM ${index}`);
    t.is(await powerState(env, VM_RG, world.vmNames[index] as string), "PowerState/running", `source ${index} runs again`);
  }
  const plan = await getPlan(world);
  t.deepEqual(plan.properties?.allowedOperations, ["UnplannedFailover", "PlannedFailover"], "the plan can fail over the rest, nothing else");
  t.is(plan.properties?.currentScenarioStatus, "Failed", "the plan's last operation failed");
  await notAllowed(t, world, () => commit(world), "Commit", "commit of a partly failed-over plan");

  const rerun = responseRecorder();
  await unplannedFailover(world, "Required", { recorder: rerun });
  const second = await getJob(world, acceptedJob(t, world.env, rerun.responses, "the re-run", world.names));
  t.is(second.properties?.state, "Succeeded");
  t.deepEqual(taskNames(second), ["PrerequisitesCheck", "ShutdownSourceVms", "PrepareVms", "StartGroup2", "StartGroup3"], "group 1 has nothing left to do");
  t.deepEqual(
    (second.properties?.customDetails as FailoverJobDetails | undefined)?.protectedItemDetails?.map((d) => d.name),
    world.names.items.slice(1),
    "only the items not failed over yet",
  );
  await assertEveryItem(t, world, "UnplannedFailoverCommitPendingStatesBegin", "Recovery", "None");
  t.is((await env.compute.virtualMachines.get(RECOVERY_RG, world.vmNames[0] as string)).vmId, firstVm.vmId, "group 1's VM is left as it was");
  await t.notThrowsAsync(commit(world), "the whole plan commits now");
});

// ---------------------------------------------------------------- refusals

test("plan operations out of order are refused with 409 operationnotallowed and change nothing", async (t) => {
  const world = await planWorld(t);
  await notAllowed(t, world, () => commit(world), "Commit", "commit before failover");
  await notAllowed(t, world, () => cleanup(world), "TestFailoverCleanup", "cleanup without a test failover");
  await notAllowed(t, world, () => cancelFailover(world), "CancelFailover", "cancel without a failover");

  await testFailover(world);
  await notAllowed(t, world, () => testFailover(world), "TestFailover", "a second test failover before cleanup");
  await notAllowed(t, world, () => unplannedFailover(world, "Required"), "UnplannedFailover", "a failover during a test failover");
  await notAllowed(t, world, () => plannedFailover(world), "UnplannedFailover", "a planned failover during a test failover");
  await notAllowed(t, world, () => commit(world), "Commit", "a commit during a test failover");
  await cleanup(world);

  await unplannedFailover(world, "Required");
  await notAllowed(t, world, () => unplannedFailover(world, "NotRequired"), "UnplannedFailover", "a second failover");
  await notAllowed(t, world, () => testFailover(world), "TestFailover", "a test failover of a failed-over plan");
  await notAllowed(t, world, () => cleanup(world), "TestFailoverCleanup", "cleanup after a failover");
  await commit(world);
  await notAllowed(t, world, () => commit(world), "Commit", "a second commit");
  await notAllowed(t, world, () => cancelFailover(world), "CancelFailover", "cancel after commit");
});

test("plan failover inputs are checked: the direction, the provider input and the recovery point type", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const before = await snapshot(world);
  await refused(
    t,
    env.asr.replicationRecoveryPlans.beginUnplannedFailoverAndWait(
      ...planArgs(world),
      { properties: { ...failoverInput("NotRequired").properties, failoverDirection: "RecoveryToPrimary" } },
      LRO,
    ),
    400,
    "InvalidFailoverDirection",
  );
  // The examples' Hyper-V provider input is refused for an Azure-to-Azure plan.
  await refused(
    t,
    env.asr.replicationRecoveryPlans.beginUnplannedFailoverAndWait(
      ...planArgs(world),
      {
        properties: {
          failoverDirection: "PrimaryToRecovery",
          sourceSiteOperations: "NotRequired",
          providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure" }],
        },
      },
      LRO,
    ),
    400,
    "InvalidParameter",
  );
  const badType = await wire(
    `${env.url}${world.vaultPath}/replicationRecoveryPlans/${world.names.plan}/unplannedFailover?api-version=${ASR_API_VERSION}`,
    "POST",
    {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType: "Oldest" }],
      },
    },
  );
  t.is(badType.status, 400);
  t.is(valueAt(badType.json, "error.code"), "InvalidParameter");
  await refused(
    t,
    env.asr.replicationRecoveryPlans.beginTestFailoverAndWait(
      ...planArgs(world),
      { properties: { failoverDirection: "PrimaryToRecovery", networkType: "VmNetworkAsInput", providerSpecificDetails: A2A_LATEST } },
      LRO,
    ),
    400,
    "InvalidParameter",
  );
  t.deepEqual(await snapshot(world), before, "a refused call changes nothing");
});

// ---------------------------------------------------------------- example replays (plain fetch)

/** The plan every recovery-plan example shows: RPtest1 in vault1, two Boot groups of one Hyper-V item each (cloud1). */
function examplePlanNames(example: Example): WorldNames {
  const body = example.responses["200"]?.body;
  const groups = valueAt(body, "properties.groups");
  const ids = (Array.isArray(groups) ? groups : []).flatMap((group) => {
    const items = valueAt(group, "replicationProtectedItems");
    return (Array.isArray(items) ? items : []).map((item) => String(valueAt(item, "id")));
  });
  const first = /\/replicationFabrics\/([^/]+)\/replicationProtectionContainers\/([^/]+)\/replicationProtectedItems\/[^/]+$/i.exec(ids[0] ?? "");
  if (first === null) throw new Error(`${example.file}: the plan holds no replicated item`);
  return {
    subscriptionId: stringParameter(example, "subscriptionId"),
    resourceGroup: stringParameter(example, "resourceGroupName"),
    vault: stringParameter(example, "resourceName"),
    primaryFabric: first[1] as string,
    primaryContainer: first[2] as string,
    items: ids.map((id) => id.slice(id.lastIndexOf("/") + 1)),
    plan: stringParameter(example, "recoveryPlanName"),
  };
}

/** The Get example names both items; the others are checked to address the same plan. */
const PLAN_EXAMPLE = "2023-06-01/ReplicationRecoveryPlans_Get.json";

/**
 * Loads the example `file` of the corpus and builds an Azure-to-Azure world under the examples'
 * names: the two items of the example plan protect two VMs (westeurope -> northeurope, fabric cloud1
 * is the Azure fabric of westeurope), and, unless told otherwise, plan RPtest1 boots them in two
 * groups as the examples show.
 */
async function exampleWorld(t: ExecutionContext, file: string, withPlan = true): Promise<{ example: Example; world: PlanWorld }> {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, file);
  const names = examplePlanNames(loadExample(SITE_RECOVERY_EXAMPLES, PLAN_EXAMPLE));
  for (const parameter of ["subscriptionId", "resourceGroupName", "resourceName", "recoveryPlanName"]) {
    t.is(
      stringParameter(example, parameter),
      stringParameter(loadExample(SITE_RECOVERY_EXAMPLES, PLAN_EXAMPLE), parameter),
      `${example.file} addresses the plan of ${PLAN_EXAMPLE}`,
    );
  }
  const world = await protectedVms(t, names);
  if (withPlan) await createPlan(world, [{ items: [0] }, { items: [1] }]);
  return { example, world };
}

/** Keys of a recovery plan's 200 body (the examples' keys). */
const PLAN_KEYS = [
  "id",
  "name",
  "type",
  "properties.friendlyName",
  "properties.primaryFabricId",
  "properties.primaryFabricFriendlyName",
  "properties.recoveryFabricId",
  "properties.recoveryFabricFriendlyName",
  "properties.failoverDeploymentModel",
  "properties.replicationProviders",
  "properties.allowedOperations",
  "properties.lastPlannedFailoverTime",
  "properties.lastTestFailoverTime",
  "properties.currentScenario.scenarioName",
  "properties.currentScenario.jobId",
  "properties.currentScenario.startTime",
  "properties.currentScenarioStatus",
  "properties.currentScenarioStatusDescription",
  "properties.groups",
];

/** Values of a plan that do not depend on the provider, compared as they are (ids case-insensitively: the examples write `/Subscriptions/`). */
const PLAN_VALUES = ["name", "type", "properties.friendlyName", "properties.primaryFabricFriendlyName", "properties.failoverDeploymentModel"];

/** The groups as types and item ids (lower case). */
function groupLayout(body: unknown): unknown {
  const groups = valueAt(body, "properties.groups");
  return (Array.isArray(groups) ? groups : []).map((group) => {
    const items = valueAt(group, "replicationProtectedItems");
    return [valueAt(group, "groupType"), (Array.isArray(items) ? items : []).map((item) => String(valueAt(item, "id")).toLowerCase())];
  });
}

/**
 * Compares a plan with the example's 200 body: JSON types of common keys, the example's keys
 * present (except `notCompared`, each left out for a reason given at the call), the provider-free
 * values, the ids and fabric id case-insensitively, and the groups' layout.
 */
function comparePlan(t: ExecutionContext, example: Example, actual: Record<string, unknown>, notCompared: readonly string[]): void {
  const expected = example.responses["200"]?.body;
  const compared = withoutKeys(expected, notCompared);
  t.deepEqual(shapeMismatches(compared, actual), [], "every modelled key has the example's JSON type");
  t.deepEqual(absentKeys(compared, actual, PLAN_KEYS), [], "the example's keys are present");
  for (const key of PLAN_VALUES) t.deepEqual(valueAt(actual, key), valueAt(expected, key), `${key} is the example's`);
  for (const key of ["id", "properties.primaryFabricId"]) {
    t.is(String(valueAt(actual, key)).toLowerCase(), String(valueAt(expected, key)).toLowerCase(), `${key} is the example's`);
  }
  t.deepEqual(groupLayout(actual), groupLayout(expected), "the groups are the example's: Shutdown, Failover, then the Boot groups with their items");
}

/** The A2A values that replace the example's Hyper-V ones (recovery fabric 'Microsoft Azure', provider HyperVReplicaAzure). */
function checkA2aPlan(t: ExecutionContext, world: PlanWorld, actual: Record<string, unknown>): void {
  t.is(String(valueAt(actual, "properties.recoveryFabricId")).toLowerCase(), world.recoveryFabricId.toLowerCase());
  t.is(valueAt(actual, "properties.recoveryFabricFriendlyName"), RECOVERY_FABRIC);
  t.deepEqual(valueAt(actual, "properties.replicationProviders"), ["A2A"]);
}

/** The allowed operations, sorted (their order carries no meaning). */
function sortedOperations(body: unknown): string[] {
  const operations = valueAt(body, "properties.allowedOperations");
  return (Array.isArray(operations) ? operations.map(String) : []).sort();
}

/** Replaces the example's Hyper-V provider input by the A2A one. */
function withA2aProvider(input: Record<string, unknown>): Record<string, unknown> {
  const properties = isObject(input.properties) ? input.properties : {};
  return { ...input, properties: { ...properties, providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType: "Latest" }] } };
}

/**
 * Sends a request with fetch at the example's api-version, checks the documented 202 and its links,
 * follows Azure-AsyncOperation to Succeeded and returns what the Location link serves (the plan) and the job.
 */
async function replay(
  t: ExecutionContext,
  world: PlanWorld,
  example: Example,
  method: "POST" | "PUT",
  suffix: string,
  body: unknown,
): Promise<{ plan: Record<string, unknown>; job: string }> {
  const apiVersion = stringParameter(example, "api-version");
  const url = `${world.env.url}${world.vaultPath}/replicationRecoveryPlans/${world.names.plan}${suffix}?api-version=${apiVersion}`;
  const { job, statusLink, result } = await replayAccepted(t, world.env.url, example, method, url, body);
  t.is(
    new URL(statusLink, world.env.url).pathname.toLowerCase(),
    `${world.vaultPath}/replicationOperationStatus/${job}`.toLowerCase(),
    "Azure-AsyncOperation is {vault}/replicationOperationStatus/{job}, as the example's header",
  );
  if (result === undefined) return { plan: {}, job };
  const read = await wire(`${world.env.url}${world.vaultPath}/replicationRecoveryPlans/${world.names.plan}?api-version=${apiVersion}`, "GET");
  t.deepEqual(read.json, result, "the result is the plan as GET serves it");
  return { plan: result, job };
}

/** Not compared: the last failover times, which depend on the plan's history (the example's plan had another). */
const NOT_SERVED_TIMES = ["properties.lastPlannedFailoverTime", "properties.lastUnplannedFailoverTime", "properties.lastTestFailoverTime"];
/** Not compared: the finished operation's job id and start time (job names are the service's). */
const NOT_SERVED_FINISHED_SCENARIO = ["properties.currentScenario.jobId", "properties.currentScenario.startTime"];

test("replays ReplicationRecoveryPlans_Create (recovery fabric 'Microsoft Azure' replaced by the a2a recovery fabric) with a 202 and the example's plan", async (t) => {
  const { example, world } = await exampleWorld(t, "2025-08-01/ReplicationRecoveryPlans_Create.json", false);
  const input = objectParameter(example, "input");
  // Adapted: recoveryFabricId 'Microsoft Azure' (Hyper-V to Azure) -> the northeurope fabric of the A2A pair.
  // Kept: the primary fabric cloud1, the item id (created under the example's fabric, container and name), the deployment model.
  const body = { ...input, properties: { ...(isObject(input.properties) ? input.properties : {}), recoveryFabricId: world.recoveryFabricId } };
  const { plan } = await replay(t, world, example, "PUT", "", body);
  comparePlan(t, example, plan, []);
  checkA2aPlan(t, world, plan);
  t.deepEqual(sortedOperations(plan), sortedOperations(example.responses["200"]?.body), "allowedOperations are the example's (in another order)");
  // virtualMachineId: the example's is the Hyper-V VM's GUID; the emulator serves the A2A source VM's ARM id.
  const groups = valueAt(plan, "properties.groups");
  const bootItems = Array.isArray(groups) ? valueAt(groups[2], "replicationProtectedItems") : undefined;
  const first = Array.isArray(bootItems) ? bootItems[0] : undefined;
  t.is(String(valueAt(first, "virtualMachineId")).toLowerCase(), idOf(world.vms[0] as VirtualMachine).toLowerCase());
});

test("replays ReplicationRecoveryPlans_Get with a 200 and the example's plan", async (t) => {
  const { example, world } = await exampleWorld(t, PLAN_EXAMPLE);
  // Not adapted: a GET. The plan was created with the example's two Boot groups, against the A2A recovery fabric.
  const response = await wire(
    `${world.env.url}${world.vaultPath}/replicationRecoveryPlans/${stringParameter(example, "recoveryPlanName")}?api-version=${stringParameter(example, "api-version")}`,
    "GET",
  );
  t.is(response.status, 200);
  if (!isObject(response.json)) {
    t.fail(`not an object: ${JSON.stringify(response.json)}`);
    return;
  }
  comparePlan(t, example, response.json, []);
  checkA2aPlan(t, world, response.json);
  t.deepEqual(sortedOperations(response.json), sortedOperations(example.responses["200"]?.body), "allowedOperations are the example's (in another order)");
});

test("replays ReplicationRecoveryPlans_TestFailover (hyper-v provider input replaced by a2a) with a 202 and the example's plan waiting for cleanup", async (t) => {
  const { example, world } = await exampleWorld(t, "2023-06-01/ReplicationRecoveryPlans_TestFailover.json");
  // Adapted: providerSpecificDetails [HyperVReplicaAzure] -> [A2A, recoveryPointType Latest]; the direction, networkType and the
  // example's networkId (a virtual network of its subscription) are kept.
  const { plan, job } = await replay(t, world, example, "POST", "/testFailover", withA2aProvider(objectParameter(example, "input")));
  // Not compared: lastPlannedFailoverTime and lastTestFailoverTime, which the emulator does not serve.
  comparePlan(t, example, plan, NOT_SERVED_TIMES);
  for (const key of [
    "properties.allowedOperations",
    "properties.currentScenario.scenarioName",
    "properties.currentScenarioStatus",
    "properties.currentScenarioStatusDescription",
  ]) {
    t.deepEqual(valueAt(plan, key), valueAt(example.responses["200"]?.body, key), `${key} is the example's`);
  }
  t.is(String(valueAt(plan, "properties.currentScenario.jobId")).toLowerCase(), `${world.vaultPath}/replicationJobs/${job}`.toLowerCase());
  await assertEveryItem(t, world, "Protected", "Primary", "WaitingForCompletion");
});

test("replays ReplicationRecoveryPlans_TestFailoverCleanup with a 202 and the example's plan", async (t) => {
  const { example, world } = await exampleWorld(t, "2025-08-01/ReplicationRecoveryPlans_TestFailoverCleanup.json");
  await testFailover(world);
  // Not adapted: the cleanup input (comments) has no provider part.
  const { plan } = await replay(t, world, example, "POST", "/testFailoverCleanup", objectParameter(example, "input"));
  // Not compared: the last failover times (history) and the cleanup job's id and start time.
  comparePlan(t, example, plan, [...NOT_SERVED_TIMES, ...NOT_SERVED_FINISHED_SCENARIO]);
  t.deepEqual(sortedOperations(plan), sortedOperations(example.responses["200"]?.body), "allowedOperations are the example's (in another order)");
  for (const index of world.names.items.keys()) t.false(await vmExists(world.env, RECOVERY_RG, testVmName(world, index)));
});

test("replays ReplicationRecoveryPlans_PlannedFailover (hyper-v provider input replaced by a2a) with a 202, the sources shut down first and the example's plan", async (t) => {
  const { example, world } = await exampleWorld(t, "2023-06-01/ReplicationRecoveryPlans_PlannedFailover.json");
  // Adapted: providerSpecificDetails [HyperVReplicaAzure] -> [A2A, recoveryPointType Latest]; the direction is the example's.
  const { plan } = await replay(t, world, example, "POST", "/plannedFailover", withA2aProvider(objectParameter(example, "input")));
  comparePlan(t, example, plan, [...NOT_SERVED_TIMES, ...NOT_SERVED_FINISHED_SCENARIO]);
  // The example's Hyper-V plan also allows failing over again (failback); an A2A plan allows Commit, as the example does, and cancel.
  t.true(sortedOperations(plan).includes("Commit"), `the plan allows Commit: ${JSON.stringify(valueAt(plan, "properties.allowedOperations"))}`);
  t.true(sortedOperations(plan).includes("CancelFailover"));
  for (const index of world.names.items.keys()) t.is(await powerState(world.env, VM_RG, world.vmNames[index] as string), "PowerState/stopped");
  await assertEveryItem(t, world, "UnplannedFailoverCommitPendingStatesBegin", "Recovery", "None");
});

test("replays ReplicationRecoveryPlans_UnplannedFailover (hyper-v provider input replaced by a2a) with a 202 and the example's plan", async (t) => {
  const { example, world } = await exampleWorld(t, "2025-08-01/ReplicationRecoveryPlans_UnplannedFailover.json");
  // Adapted: providerSpecificDetails [HyperVReplicaAzure] -> [A2A, recoveryPointType Latest]; sourceSiteOperations Required and the direction are the example's.
  const { plan } = await replay(t, world, example, "POST", "/unplannedFailover", withA2aProvider(objectParameter(example, "input")));
  comparePlan(t, example, plan, [...NOT_SERVED_TIMES, ...NOT_SERVED_FINISHED_SCENARIO]);
  t.true(sortedOperations(plan).includes("Commit"), `the plan allows Commit, as the example: ${JSON.stringify(valueAt(plan, "properties.allowedOperations"))}`);
  for (const index of world.names.items.keys()) t.is(await powerState(world.env, VM_RG, world.vmNames[index] as string), "PowerState/stopped");
  await assertEveryItem(t, world, "UnplannedFailoverCommitPendingStatesBegin", "Recovery", "None");
});

test("replays ReplicationRecoveryPlans_FailoverCommit with a 202 and the example's plan", async (t) => {
  const { example, world } = await exampleWorld(t, "2023-06-01/ReplicationRecoveryPlans_FailoverCommit.json");
  await unplannedFailover(world, "Required");
  // Not adapted: commit has no body.
  const { plan } = await replay(t, world, example, "POST", "/failoverCommit", undefined);
  // Not compared: allowedOperations (the example's Hyper-V plan can fail over again; a committed A2A plan waits for
  // reprotect), the last failover times and the finished commit as current scenario.
  comparePlan(t, example, plan, ["properties.allowedOperations", ...NOT_SERVED_TIMES, ...NOT_SERVED_FINISHED_SCENARIO]);
  await assertEveryItem(t, world, "UnplannedFailoverCommitted", "Recovery", "None");
});

test("replays ReplicationRecoveryPlans_Reprotect: refused with 400 operationnotsupported for an a2a plan of managed-disk vms", async (t) => {
  const { example, world } = await exampleWorld(t, "2023-06-01/ReplicationRecoveryPlans_Reprotect.json");
  await unplannedFailover(world, "Required");
  await commit(world);
  const before = await snapshot(world);
  // Adapted: the example reprotects a Hyper-V plan (202, then the plan). The emulator refuses it for A2A managed-disk items,
  // which are reprotected one by one through switchprotection: a deliberate difference, checked here.
  const response = await wire(
    `${world.env.url}${world.vaultPath}/replicationRecoveryPlans/${world.names.plan}/reProtect?api-version=${stringParameter(example, "api-version")}`,
    "POST",
  );
  t.is(response.status, 400);
  t.false(String(response.status) in example.responses, "not one of the example's statuses: the known difference");
  t.is(valueAt(response.json, "error.code"), "OperationNotSupported");
  t.regex(String(valueAt(response.json, "error.message")), /switchprotection/);
  t.is(response.headers.get("azure-asyncoperation"), null, "no operation was started");
  t.deepEqual(await snapshot(world), before);
});
