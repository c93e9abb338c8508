// Layer 3 (ARCHITECTURE.md "Tests"): recovery plans of Hyper-V to Azure items (DOMAIN.md §4-5) with
// the official @azure/arm-recoveryservices-siterecovery client (5.1.0) and @azure/arm-compute used
// directly (not through sdk/), against the emulator over real loopback HTTP, in virtual time. Hosts
// and VMs are registered through the control surface. It checks a plan of a Hyper-V site (recovery
// fabric 'Microsoft Azure', provider HyperVReplicaAzure); its planned failover to Azure (the VMs shut
// down first, their last changes synced, then the boot groups in order), commit, failback (planned
// failover RecoveryToPrimary with HyperVReplicaAzureFailback), its commit and the items' reverse
// replication; unplanned failover from a recovery point type; test failover and cleanup; what a plan
// refuses to mix (items of another provider or site, another provider's input); and replays the
// official recovery plan examples, which are Hyper-V plans, as they are. The plan's own reprotect
// (reverse replication of every VM after the committed failback) is checked too.
import type { Job, RecoveryPlan, RecoveryPlanGroup } from "@azure/arm-recoveryservices-siterecovery";
import test, { type ExecutionContext } from "ava";
import path from "node:path";
import { EXAMPLES_ROOT, loadExample, objectParameter, stringParameter, type Example } from "../helpers/exampleCorpus.js";
import { absentKeys, shapeMismatches, valueAt, wire, withoutKeys, type WireResponse } from "../helpers/exampleReplay.js";
import {
  enableHyperV,
  getVmItem,
  HOUR,
  HYPER_V_BANDWIDTH_MBPS,
  HYPER_V_HOST,
  HYPER_V_TARGET_RG,
  hyperVItemName,
  hyperVWorld,
  jobOfRecorder,
  loopbackHyperV,
  MINUTE,
  now,
  recoveredPoints,
  vmItemArgs,
  type HyperVWorld,
} from "../helpers/hyperVWorld.js";
import {
  buildA2aSetup,
  buildHyperVReplication,
  collect,
  enableProtection,
  idOf,
  LRO,
  MICROSOFT_AZURE,
  refused,
  registerHyperVVms,
  replayAccepted,
  responseRecorder,
  virtualNetworkId,
  withRecorder,
  type HyperVNames,
  type HyperVVmShape,
} from "../helpers/loopbackSiteRecovery.js";

const PLAN = "rp-onprem";
/** Three VMs: the database boots first (group 1), the two web servers after it (group 2). */
const VMS: readonly HyperVVmShape[] = [
  { name: "sql-0", disksGB: [40, 20], churnMBps: 4, cpuCount: 4 },
  { name: "web-0", disksGB: [30], churnMBps: 1 },
  { name: "web-1", disksGB: [30], churnMBps: 1 },
];
const GROUPS: readonly (readonly string[])[] = [["sql-0"], ["web-0", "web-1"]];

// ---------------------------------------------------------------- helpers

interface World extends HyperVWorld {
  /** Replicated item ids by VM name. */
  items: Record<string, string>;
  vaultPath: string;
}

/** Protects `vms` of the world's site (official client) as items `item-{vm}`; initial replication is left to run. */
async function protect(world: HyperVWorld, vms: readonly string[]): Promise<Record<string, string>> {
  const items: Record<string, string> = {};
  for (const vm of vms) items[vm] = idOf(await enableHyperV(world, vm));
  return items;
}

/** The Hyper-V setup, {@link VMS} registered on one host and protected (initial replication done, three hours of delta cycles). */
async function protectedWorld(t: ExecutionContext): Promise<World> {
  const site = await hyperVWorld(t, VMS);
  const items = await protect(
    site,
    VMS.map((vm) => vm.name),
  );
  site.env.emulator.control.advanceClock(3 * HOUR + 2 * MINUTE);
  const world: World = { ...site, items, vaultPath: idOf(site.setup.vault) };
  for (const vm of VMS) t.is((await getVmItem(world, vm.name)).properties?.protectionState, "Protected", `setup: ${vm.name} is protected`);
  return world;
}

function groupsOf(world: World, groups: readonly (readonly string[])[]): RecoveryPlanGroup[] {
  return groups.map((vms) => ({
    groupType: "Boot",
    replicationProtectedItems: vms.map((vm) => ({ id: world.items[vm] ?? vm })),
    startGroupActions: [],
    endGroupActions: [],
  }));
}

/** Creates plan {@link PLAN} of the site's items, in `groups` of VM names (official client). */
function createPlan(world: World, groups: readonly (readonly string[])[] = GROUPS, recoveryFabricId = MICROSOFT_AZURE): Promise<RecoveryPlan> {
  const { names } = world.setup;
  return world.env.asr.replicationRecoveryPlans.beginCreateAndWait(
    names.vault,
    names.resourceGroup,
    PLAN,
    { properties: { primaryFabricId: idOf(world.setup.site), recoveryFabricId, failoverDeploymentModel: "ResourceManager", groups: groupsOf(world, groups) } },
    LRO,
  );
}

async function planWorld(t: ExecutionContext): Promise<World> {
  const world = await protectedWorld(t);
  await createPlan(world);
  return world;
}

/** Creates plan `plan` in the world's vault from `primaryFabricId` to `recoveryFabricId` with one boot group of the items `ids` (official client). */
function createOneGroupPlan(world: World, plan: string, primaryFabricId: string, recoveryFabricId: string, ids: readonly string[]): Promise<RecoveryPlan> {
  const { names } = world.setup;
  return world.env.asr.replicationRecoveryPlans.beginCreateAndWait(
    names.vault,
    names.resourceGroup,
    plan,
    { properties: { primaryFabricId, recoveryFabricId, groups: [{ groupType: "Boot", replicationProtectedItems: ids.map((id) => ({ id })) }] } },
    LRO,
  );
}

function planArgs(world: World): [string, string, string] {
  return [world.setup.names.vault, world.setup.names.resourceGroup, PLAN];
}

function getPlan(world: World): Promise<RecoveryPlan> {
  return world.env.asr.replicationRecoveryPlans.get(...planArgs(world));
}

function taskNames(job: Job): string[] {
  return (job.properties?.tasks ?? []).map((task) => task.name ?? "");
}

function taskEnd(job: Job, name: string): number {
  return job.properties?.tasks?.find((task) => task.name === name)?.endTime?.getTime() ?? Number.NaN;
}

/** Asserts that each task started when the previous one ended: the job runs its tasks one after the other. */
function assertSequential(t: ExecutionContext, job: Job): void {
  const tasks = job.properties?.tasks ?? [];
  for (let i = 1; i < tasks.length; i++)
    t.is(tasks[i]?.startTime?.getTime(), tasks[i - 1]?.endTime?.getTime(), `'${tasks[i]?.name}' starts when '${tasks[i - 1]?.name}' ends`);
}

function onPremises(world: World, vm: string): string | undefined {
  return world.env.emulator.control.hyperVVms().find((v) => v.name === vm)?.powerState;
}

async function azurePower(world: World, vm: string): Promise<string | undefined> {
  const view = await world.env.compute.virtualMachines.instanceView(HYPER_V_TARGET_RG, vm);
  return view.statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code;
}

async function azureVmExists(world: World, vm: string): Promise<boolean> {
  return (await collect(world.env.compute.virtualMachines.list(HYPER_V_TARGET_RG))).some((v) => v.name === vm);
}

/** Each item's [protectionState, description, activeLocation]. */
async function itemStates(world: World): Promise<string[][]> {
  return Promise.all(
    VMS.map(async (vm) => {
      const item = await getVmItem(world, vm.name);
      return [item.properties?.protectionState ?? "", item.properties?.protectionStateDescription ?? "", item.properties?.activeLocation ?? ""];
    }),
  );
}

function sorted(values: readonly string[] | undefined): string[] {
  return [...(values ?? [])].sort();
}

const PLANNED_TO_AZURE = {
  properties: { failoverDirection: "PrimaryToRecovery" as const, providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure" as const }] },
};

function failbackInput(
  dataSyncOption: "ForDownTime" | "ForSynchronization" = "ForDownTime",
  recoveryVmCreationOption: "NoAction" | "CreateVmIfNotFound" = "NoAction",
) {
  return {
    properties: {
      failoverDirection: "RecoveryToPrimary" as const,
      providerSpecificDetails: [{ instanceType: "HyperVReplicaAzureFailback" as const, dataSyncOption, recoveryVmCreationOption }],
    },
  };
}

/** Sends a request with plain fetch at the client's api-version; returns the answer's status, error code and target. */
async function refusedOnWire(
  world: World,
  suffix: string,
  method: string,
  body: unknown,
): Promise<{ status: number; code: unknown; target: unknown; message: unknown }> {
  const response: WireResponse = await wire(`${world.env.url}${suffix}?api-version=2023-06-01`, method, body);
  return {
    status: response.status,
    code: valueAt(response.json, "error.code"),
    target: valueAt(response.json, "error.target"),
    message: valueAt(response.json, "error.message"),
  };
}

function planPath(world: World, plan = PLAN): string {
  return `${world.vaultPath}/replicationRecoveryPlans/${plan}`;
}

// ---------------------------------------------------------------- the plan

test("a plan of a hyper-v site recovers to 'Microsoft Azure' with provider HyperVReplicaAzure; its items name their vms' hyper-v ids", async (t) => {
  const world = await protectedWorld(t);
  const plan = await createPlan(world);
  t.like(plan.properties, {
    primaryFabricId: idOf(world.setup.site),
    primaryFabricFriendlyName: world.setup.names.site,
    recoveryFabricId: MICROSOFT_AZURE,
    recoveryFabricFriendlyName: MICROSOFT_AZURE,
    replicationProviders: ["HyperVReplicaAzure"],
  });
  t.deepEqual(sorted(plan.properties?.allowedOperations), ["PlannedFailover", "TestFailover", "UnplannedFailover"]);
  const groups = plan.properties?.groups ?? [];
  t.deepEqual(
    groups.map((g) => [g.groupType, (g.replicationProtectedItems ?? []).map((i) => [i.id, i.virtualMachineId])]),
    [
      ["Shutdown", []],
      ["Failover", []],
      ["Boot", [[world.items["sql-0"], world.vms["sql-0"]?.split("/").at(-1)]]],
      [
        "Boot",
        [
          [world.items["web-0"], world.vms["web-0"]?.split("/").at(-1)],
          [world.items["web-1"], world.vms["web-1"]?.split("/").at(-1)],
        ],
      ],
    ],
    "virtualMachineId is the Hyper-V VM's id, as the service's examples show",
  );
});

test("planned failover to azure, commit, failback, commit: the vms shut down first, groups in order, nothing lost; then each item reprotects", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const lastCycles = await Promise.all(VMS.map(async (vm) => (await getVmItem(world, vm.name)).properties?.providerSpecificDetails));
  t.true(lastCycles.every((d) => d?.instanceType === "HyperVReplicaAzure"));

  // Planned failover to Azure.
  const startedAt = now(world);
  const recorder = responseRecorder();
  const failedOver = await env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), PLANNED_TO_AZURE, withRecorder(recorder));
  const job = await jobOfRecorder(t, world, recorder, "planned failover of the plan");
  t.like(job.properties, { scenarioName: "PlannedFailover", state: "Succeeded", targetInstanceType: "RecoveryPlan", targetObjectName: PLAN });
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "ShutdownSourceVms", "SyncLatestChanges", "PrepareVms", "StartGroup1", "StartGroup2"]);
  assertSequential(t, job);
  t.true(taskEnd(job, "StartGroup1") < taskEnd(job, "StartGroup2"), "group 1 is up before group 2 starts");
  const sync = job.properties?.tasks?.find((task) => task.name === "SyncLatestChanges");
  t.true((sync?.endTime?.getTime() ?? 0) - (sync?.startTime?.getTime() ?? 0) > 0, "the changes the last delta cycle did not send take time to sync");
  const points = recoveredPoints(t, job);
  for (const vm of VMS) t.is(points.get(hyperVItemName(vm.name)), startedAt, `${vm.name}: recovered to the moment of the failover, no data loss`);
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["PlannedFailoverCommitRequired", "Planned failover finished", "Recovery"]),
  );
  for (const vm of VMS) {
    t.is(onPremises(world, vm.name), "Off", `${vm.name} was shut down on-premises`);
    t.is(await azurePower(world, `${vm.name}-az`), "PowerState/running", `${vm.name} runs in Azure`);
  }
  t.deepEqual(failedOver.properties?.allowedOperations, ["Commit"]);
  t.like(failedOver.properties, { currentScenario: { scenarioName: "PlannedFailover" }, currentScenarioStatus: "Succeeded" });
  t.is(typeof failedOver.properties?.lastPlannedFailoverTime, "object");

  // A failback before the commit is refused.
  await refused(t, env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), failbackInput(), LRO), 409, "OperationNotAllowed");

  const committed = await env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...planArgs(world), LRO);
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["PlannedFailoverStatesBegin", "Planned failover committed", "Recovery"]),
  );
  t.deepEqual(
    sorted(committed.properties?.allowedOperations),
    ["Failback", "PlannedFailover"],
    "a committed hyper-v plan fails back (a planned failover from Azure)",
  );
  // A planned failover to Azure again, or the failback's input the wrong way, is refused.
  await refused(t, env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), PLANNED_TO_AZURE, LRO), 400, "InvalidFailoverDirection");

  // Two hours in Azure, then the failback: the blocks that differ are sent while the Azure VMs run, then they shut down, then the groups start on-premises.
  env.emulator.control.advanceClock(2 * HOUR);
  const failbackRecorder = responseRecorder();
  const failedBack = await env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), failbackInput(), withRecorder(failbackRecorder));
  const failbackJob = await jobOfRecorder(t, world, failbackRecorder, "failback of the plan");
  t.like(failbackJob.properties, { scenarioName: "PlannedFailover", state: "Succeeded" });
  t.deepEqual(taskNames(failbackJob), ["PrerequisitesCheck", "SyncWhileRunning", "ShutdownAzureVms", "SyncFinalChanges", "StartGroup1", "StartGroup2"]);
  assertSequential(t, failbackJob);
  t.true(taskEnd(failbackJob, "StartGroup1") < taskEnd(failbackJob, "StartGroup2"));
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["PlannedFailoverCommitRequired", "Failback finished", "Primary"]),
  );
  for (const vm of VMS) {
    t.is(onPremises(world, vm.name), "Running", `${vm.name} runs on-premises again`);
    t.is(await azurePower(world, `${vm.name}-az`), "PowerState/stopped", `${vm.name}'s Azure VM was shut down`);
  }
  t.deepEqual(failedBack.properties?.allowedOperations, ["Commit"]);

  const failbackCommitted = await env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...planArgs(world), LRO);
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["PlannedFailoverStatesBegin", "Failback committed", "Primary"]),
  );
  for (const vm of VMS) t.false(await azureVmExists(world, `${vm.name}-az`), `${vm.name}'s Azure VM is deleted with the commit`);
  t.deepEqual(failbackCommitted.properties?.allowedOperations, ["ReverseReplicate"]);

  // Reverse replication, item by item in group order (the plan's own reprotect is checked below): protected again; the plan can fail over again.
  for (const group of GROUPS)
    for (const vm of group)
      await env.asr.replicationProtectedItems.beginReprotectAndWait(
        ...vmItemArgs(world, vm),
        { properties: { failoverDirection: "PrimaryToRecovery", providerSpecificDetails: { instanceType: "HyperVReplicaAzure" } } },
        LRO,
      );
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["Protected", "Protected", "Primary"]),
  );
  t.deepEqual(sorted((await getPlan(world)).properties?.allowedOperations), ["PlannedFailover", "TestFailover", "UnplannedFailover"]);
});

test("reprotect of a hyper-v plan after its committed failback reverse-replicates every vm in one job; before it, it is refused", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  await refused(t, env.asr.replicationRecoveryPlans.beginReprotectAndWait(...planArgs(world), LRO), 409, "OperationNotAllowed");
  await env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), PLANNED_TO_AZURE, LRO);
  await env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...planArgs(world), LRO);
  await refused(t, env.asr.replicationRecoveryPlans.beginReprotectAndWait(...planArgs(world), LRO), 409, "OperationNotAllowed");
  await env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), failbackInput(), LRO);
  const committed = await env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...planArgs(world), LRO);
  t.deepEqual(committed.properties?.allowedOperations, ["ReverseReplicate"]);

  env.emulator.control.advanceClock(HOUR);
  const recorder = responseRecorder();
  const reprotected = await env.asr.replicationRecoveryPlans.beginReprotectAndWait(...planArgs(world), withRecorder(recorder));
  const job = await jobOfRecorder(t, world, recorder, "reprotect of the plan");
  t.like(job.properties, { scenarioName: "ReverseReplication", state: "Succeeded", targetInstanceType: "RecoveryPlan" });
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "EnableReverseReplication", "SendChanges"]);
  const send = job.properties?.tasks?.[2];
  t.true((send?.endTime?.getTime() ?? 0) - (send?.startTime?.getTime() ?? 0) >= 1000, "what the VMs wrote since the failback takes time to send");
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["Protected", "Protected", "Primary"]),
  );
  t.deepEqual(sorted(reprotected.properties?.allowedOperations), ["PlannedFailover", "TestFailover", "UnplannedFailover"]);
  t.like(reprotected.properties, { currentScenario: { scenarioName: "ReverseReplication" }, currentScenarioStatus: "Succeeded" });
  // Again: every item replicates already.
  await refused(t, env.asr.replicationRecoveryPlans.beginReprotectAndWait(...planArgs(world), LRO), 409, "OperationNotAllowed");
});

test("failback of a plan with ForSynchronization shuts the azure vms down first and downloads the disks; a vm deleted on-premises fails the prerequisites unless CreateVmIfNotFound", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  await env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), PLANNED_TO_AZURE, LRO);
  await env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...planArgs(world), LRO);
  const web1 = env.emulator.control.hyperVVms().find((vm) => vm.name === "web-1");
  t.not(web1, undefined);
  env.emulator.control.removeHyperVVm(web1?.id ?? "");

  // NoAction: the plan's prerequisites fail (web-1 is gone); every item stays failed over, its VM running in Azure.
  const error = await t.throwsAsync(env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), failbackInput("ForSynchronization"), LRO));
  t.regex(String(error?.message), /OnPremisesVmNotFound|not found/);
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["PlannedFailoverStatesBegin", "Planned failover committed", "Recovery"]),
  );
  for (const vm of VMS) t.is(await azurePower(world, `${vm.name}-az`), "PowerState/running");
  t.true((await getPlan(world)).properties?.allowedOperations?.includes("Failback"), "the plan can fail back again");

  const recorder = responseRecorder();
  await env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(
    ...planArgs(world),
    failbackInput("ForSynchronization", "CreateVmIfNotFound"),
    withRecorder(recorder),
  );
  const job = await jobOfRecorder(t, world, recorder, "failback creating the vm");
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "ShutdownAzureVms", "DownloadDisks", "StartGroup1", "StartGroup2"]);
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["PlannedFailoverCommitRequired", "Failback finished", "Primary"]),
  );
  t.is(onPremises(world, "web-1"), "Running", "web-1 was created on its host again and started");
});

test("unplanned failover of a hyper-v plan from a recovery point type: the vms keep running on-premises and each is recovered from its point; LatestCrashConsistent is not a hyper-v type", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const bad = await refusedOnWire(world, `${planPath(world)}/unplannedFailover`, "POST", {
    properties: {
      failoverDirection: "PrimaryToRecovery",
      sourceSiteOperations: "NotRequired",
      providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure", recoveryPointType: "LatestCrashConsistent" }],
    },
  });
  t.like(bad, { status: 400, code: "InvalidParameter", target: "properties.providerSpecificDetails[0].recoveryPointType" });

  const startedAt = now(world);
  const recorder = responseRecorder();
  const plan = await env.asr.replicationRecoveryPlans.beginUnplannedFailoverAndWait(
    ...planArgs(world),
    {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure", recoveryPointType: "LatestApplicationConsistent" }],
      },
    },
    withRecorder(recorder),
  );
  const job = await jobOfRecorder(t, world, recorder, "unplanned failover of the plan");
  t.like(job.properties, { scenarioName: "UnplannedFailover", state: "Succeeded" });
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "StartGroup2"], "no shutdown: the source may be gone");
  const points = recoveredPoints(t, job);
  for (const vm of VMS) {
    const point = points.get(hyperVItemName(vm.name)) ?? Number.NaN;
    // App-consistent points every 4 hours from the end of initial replication: the one about 3 hours ago.
    t.true(
      point < startedAt - 2 * HOUR && point > startedAt - 4 * HOUR,
      `${vm.name}: recovered from the app-consistent point (${new Date(point).toISOString()})`,
    );
    t.is(onPremises(world, vm.name), "Running", `${vm.name} was not shut down`);
    t.is(await azurePower(world, `${vm.name}-az`), "PowerState/running");
  }
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["UnplannedFailoverCommitPendingStatesBegin", "Failover completed", "Recovery"]),
  );
  t.deepEqual(plan.properties?.allowedOperations, ["Commit"]);
  await env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...planArgs(world), LRO);
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["UnplannedFailoverCommitted", "Failover committed", "Recovery"]),
  );
});

test("test failover of a hyper-v plan brings test vms up in the isolated network, groups in order, and waits for cleanup; cleanup deletes them", async (t) => {
  const world = await planWorld(t);
  const { env } = world;
  const network = virtualNetworkId("vnet-test", HYPER_V_TARGET_RG, env.subscriptionId);
  const recorder = responseRecorder();
  const tested = await env.asr.replicationRecoveryPlans.beginTestFailoverAndWait(
    ...planArgs(world),
    {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        networkType: "VmNetworkAsInput",
        networkId: network,
        providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure", recoveryPointType: "LatestProcessed" }],
      },
    },
    withRecorder(recorder),
  );
  const job = await jobOfRecorder(t, world, recorder, "test failover of the plan");
  t.like(job.properties, { scenarioName: "TestFailover", state: "Suspended" });
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "StartGroup2"]);
  t.deepEqual(tested.properties?.allowedOperations, ["TestFailoverCleanup"]);
  for (const vm of VMS) {
    const testVm = await env.compute.virtualMachines.get(HYPER_V_TARGET_RG, `${vm.name}-az-test`);
    t.is(testVm.tags?.["azure-dr:virtual-network"], network, `${vm.name}'s test vm joined the isolated network`);
    t.is(onPremises(world, vm.name), "Running", "production goes on");
    t.is((await getVmItem(world, vm.name)).properties?.testFailoverState, "WaitingForCompletion");
  }
  t.deepEqual(
    await itemStates(world),
    VMS.map(() => ["Protected", "Cleanup test failover pending", "Primary"]),
    "replication goes on; each item waits for the cleanup",
  );

  const cleaned = await env.asr.replicationRecoveryPlans.beginTestFailoverCleanupAndWait(...planArgs(world), { properties: { comments: "drill ok" } }, LRO);
  for (const vm of VMS) t.false(await azureVmExists(world, `${vm.name}-az-test`));
  t.deepEqual(sorted(cleaned.properties?.allowedOperations), ["PlannedFailover", "TestFailover", "UnplannedFailover"]);
  const testJob = await env.asr.replicationJobs.get(world.setup.names.vault, world.setup.names.resourceGroup, job.name ?? "");
  t.is(testJob.properties?.state, "Succeeded", "the test failover's job completes with its cleanup");
  t.truthy(cleaned.properties?.lastTestFailoverTime);
});

// ---------------------------------------------------------------- what a plan does not mix

test("a plan does not mix providers or sites: an a2a item in a hyper-v plan, a hyper-v item in an a2a plan, an item of another site, and a hyper-v plan to an azure fabric are refused naming the field", async (t) => {
  const world = await protectedWorld(t);
  const { env } = world;
  // An Azure-to-Azure item in the same vault.
  const a2a = await buildA2aSetup(env);
  const a2aItem = await enableProtection(env, a2a, "item-a2a", a2a.vm);
  // Another Hyper-V site of the vault, with a protected VM.
  const branchNames: Partial<HyperVNames> = {
    site: "site-branch",
    container: "cloud-branch",
    policy: "policy-branch",
    containerMapping: "mapping-branch-azure",
  };
  const branch = await buildHyperVReplication(env, { names: branchNames });
  const branchVms = registerHyperVVms(env, branch, "hv-branch-01", [{ name: "file-0", disksGB: [20] }]);
  const branchItems = await protect({ env, setup: branch, vms: branchVms }, ["file-0"]);

  const create = (plan: string, primaryFabricId: string, recoveryFabricId: string, ids: string[][]): ReturnType<typeof refusedOnWire> =>
    refusedOnWire(world, planPath(world, plan), "PUT", {
      properties: {
        primaryFabricId,
        recoveryFabricId,
        failoverDeploymentModel: "ResourceManager",
        groups: ids.map((group) => ({ groupType: "Boot", replicationProtectedItems: group.map((id) => ({ id })) })),
      },
    });
  const site = idOf(world.setup.site);
  const sql = world.items["sql-0"] ?? "";
  const web = world.items["web-0"] ?? "";

  const a2aInHyperV = await create("rp-mixed", site, MICROSOFT_AZURE, [[sql], [web, idOf(a2aItem)]]);
  t.like(a2aInHyperV, { status: 400, code: "ReplicationProviderMismatch", target: "properties.groups[1].replicationProtectedItems[1].id" });
  t.regex(String(a2aInHyperV.message), /item-a2a.*A2A.*HyperVReplicaAzure/);

  const hyperVInA2a = await create("rp-a2a", idOf(a2a.primaryFabric), idOf(a2a.recoveryFabric), [[idOf(a2aItem), sql]]);
  t.like(hyperVInA2a, { status: 400, code: "ReplicationProviderMismatch", target: "properties.groups[0].replicationProtectedItems[1].id" });
  t.regex(String(hyperVInA2a.message), /item-sql-0.*HyperVReplicaAzure.*A2A/);

  const otherSite = await create("rp-sites", site, MICROSOFT_AZURE, [[sql, branchItems["file-0"] ?? ""]]);
  t.like(otherSite, { status: 400, code: "InvalidParameter", target: "properties.groups[0].replicationProtectedItems[1].id" });
  t.regex(String(otherSite.message), /item-file-0.*not protected from the plan's primary fabric 'site-onprem'/);

  const toAzureFabric = await create("rp-fabric", site, idOf(a2a.recoveryFabric), [[sql]]);
  t.like(toAzureFabric, { status: 400, code: "InvalidParameter", target: "properties.recoveryFabricId" });
  const a2aToAzure = await create("rp-a2a-azure", idOf(a2a.primaryFabric), MICROSOFT_AZURE, [[idOf(a2aItem)]]);
  t.like(a2aToAzure, { status: 400, code: "InvalidParameter", target: "properties.recoveryFabricId" });

  // Nothing was created; the same items in their own plans are accepted.
  t.deepEqual(await collect(env.asr.replicationRecoveryPlans.list(world.setup.names.vault, world.setup.names.resourceGroup)), []);
  const branchPlan = await createOneGroupPlan(world, "rp-branch", idOf(branch.site), MICROSOFT_AZURE, [branchItems["file-0"] ?? ""]);
  t.deepEqual(branchPlan.properties?.replicationProviders, ["HyperVReplicaAzure"]);
  const a2aPlan = await createOneGroupPlan(world, "rp-a2a", idOf(a2a.primaryFabric), idOf(a2a.recoveryFabric), [idOf(a2aItem)]);
  t.deepEqual(a2aPlan.properties?.replicationProviders, ["A2A"]);
  // An update of the hyper-v plan that adds the a2a item is refused as well.
  await createPlan(world);
  const update = await refusedOnWire(world, planPath(world), "PATCH", {
    properties: { groups: [{ groupType: "Boot", replicationProtectedItems: [{ id: sql }, { id: idOf(a2aItem) }] }] },
  });
  t.like(update, { status: 400, code: "ReplicationProviderMismatch", target: "properties.groups[0].replicationProtectedItems[1].id" });
});

test("a hyper-v plan refuses another provider's input naming the field, and changes nothing", async (t) => {
  const world = await planWorld(t);
  const before = await itemStates(world);
  const field = "properties.providerSpecificDetails[0].instanceType";
  const a2aTest = await refusedOnWire(world, `${planPath(world)}/testFailover`, "POST", {
    properties: {
      failoverDirection: "PrimaryToRecovery",
      networkType: "VmNetworkAsInput",
      networkId: virtualNetworkId("vnet-test", HYPER_V_TARGET_RG, world.env.subscriptionId),
      providerSpecificDetails: [{ instanceType: "A2A" }],
    },
  });
  t.like(a2aTest, { status: 400, code: "InvalidParameter", target: field });
  t.regex(String(a2aTest.message), /must be 'HyperVReplicaAzure' for a Hyper-V to Azure plan/);
  const a2aUnplanned = await refusedOnWire(world, `${planPath(world)}/unplannedFailover`, "POST", {
    properties: {
      failoverDirection: "PrimaryToRecovery",
      sourceSiteOperations: "NotRequired",
      providerSpecificDetails: [{ instanceType: "A2A", recoveryPointType: "Latest" }],
    },
  });
  t.like(a2aUnplanned, { status: 400, code: "InvalidParameter", target: field });
  const failbackToAzure = await refusedOnWire(world, `${planPath(world)}/plannedFailover`, "POST", {
    properties: {
      failoverDirection: "PrimaryToRecovery",
      providerSpecificDetails: [{ instanceType: "HyperVReplicaAzureFailback", dataSyncOption: "ForDownTime" }],
    },
  });
  t.like(failbackToAzure, { status: 400, code: "InvalidParameter", target: field });
  t.deepEqual(await itemStates(world), before);

  // After the failover and its commit: the failback takes the failback input only, with known options.
  await world.env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...planArgs(world), PLANNED_TO_AZURE, LRO);
  await world.env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...planArgs(world), LRO);
  const committed = await itemStates(world);
  const failoverInputBack = await refusedOnWire(world, `${planPath(world)}/plannedFailover`, "POST", {
    properties: { failoverDirection: "RecoveryToPrimary", providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure" }] },
  });
  t.like(failoverInputBack, { status: 400, code: "InvalidParameter", target: field });
  t.regex(String(failoverInputBack.message), /HyperVReplicaAzureFailback/);
  const badOption = await refusedOnWire(world, `${planPath(world)}/plannedFailover`, "POST", failbackInput("Sometimes" as "ForDownTime"));
  t.like(badOption, { status: 400, code: "InvalidParameter", target: "properties.providerSpecificDetails[0].dataSyncOption" });
  const unplannedBack = await refusedOnWire(world, `${planPath(world)}/unplannedFailover`, "POST", {
    properties: { failoverDirection: "RecoveryToPrimary", providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure" }] },
  });
  t.like(unplannedBack, { status: 409, code: "OperationNotAllowed" }, "a hyper-v plan fails back with a planned failover only");
  t.deepEqual(await itemStates(world), committed);

  // And an A2A plan refuses the Hyper-V inputs.
  const a2a = await buildA2aSetup(world.env);
  const a2aItem = await enableProtection(world.env, a2a, "item-a2a", a2a.vm);
  world.env.emulator.control.advanceClock(HOUR);
  await createOneGroupPlan(world, "rp-a2a", idOf(a2a.primaryFabric), idOf(a2a.recoveryFabric), [idOf(a2aItem)]);
  const hyperVOnA2a = await refusedOnWire(world, `${planPath(world, "rp-a2a")}/plannedFailover`, "POST", PLANNED_TO_AZURE);
  t.like(hyperVOnA2a, { status: 400, code: "InvalidParameter", target: field });
  t.regex(String(hyperVOnA2a.message), /must be 'A2A' for an Azure-to-Azure plan/);
});

// ---------------------------------------------------------------- the official examples

const SITE_RECOVERY_EXAMPLES = path.join(EXAMPLES_ROOT, "siterecovery");
const PLAN_EXAMPLE = "2023-06-01/ReplicationRecoveryPlans_Get.json";

interface ExampleWorld extends World {
  example: Example;
  plan: string;
}

/**
 * A Hyper-V world under the examples' names: subscription, resource group, vault, site cloud1, its
 * container, and two VMs whose Hyper-V ids are the examples' item names, protected under those
 * names; unless told otherwise, plan RPtest1 boots them in two groups, as the examples show.
 */
async function exampleWorld(t: ExecutionContext, file: string, withPlan = true): Promise<ExampleWorld> {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, file);
  const layout = loadExample(SITE_RECOVERY_EXAMPLES, PLAN_EXAMPLE);
  for (const parameter of ["subscriptionId", "resourceGroupName", "resourceName", "recoveryPlanName"])
    t.is(stringParameter(example, parameter), stringParameter(layout, parameter), `${example.file} addresses the plan of ${PLAN_EXAMPLE}`);
  const ids = groupLayout(layout.responses["200"]?.body).flatMap(([, items]) => items);
  const first = /\/replicationFabrics\/([^/]+)\/replicationProtectionContainers\/([^/]+)\/replicationProtectedItems\/[^/]+$/i.exec(ids[0] ?? "");
  if (first === null) throw new Error(`${PLAN_EXAMPLE}: the plan holds no replicated item`);
  const subscriptionId = stringParameter(example, "subscriptionId");
  const env = await loopbackHyperV(t, HYPER_V_BANDWIDTH_MBPS, subscriptionId);
  const names = {
    resourceGroup: stringParameter(example, "resourceGroupName"),
    vault: stringParameter(example, "resourceName"),
    site: first[1] as string,
    container: first[2] as string,
  };
  const setup = await buildHyperVReplication(env, { names });
  const itemNames = ids.map((id) => id.slice(id.lastIndexOf("/") + 1));
  env.emulator.control.registerHyperVHosts({
    fabricId: idOf(setup.site),
    hosts: [
      {
        name: HYPER_V_HOST,
        vms: itemNames.map((id, index) => ({ name: `vm${index + 1}`, id, disks: [{ name: `vm${index + 1}.vhdx`, sizeGB: 30 }], churnMBps: 1 })),
      },
    ],
  });
  const vms = Object.fromEntries(itemNames.map((id, index) => [`vm${index + 1}`, `${idOf(setup.container)}/replicationProtectableItems/${id}`]));
  const items: Record<string, string> = {};
  for (const [index, id] of itemNames.entries()) items[`vm${index + 1}`] = idOf(await enableHyperV({ env, setup, vms }, `vm${index + 1}`, id));
  env.emulator.control.advanceClock(3 * HOUR);
  const plan = stringParameter(example, "recoveryPlanName");
  const world: ExampleWorld = { env, setup, vms, items, vaultPath: idOf(setup.vault), example, plan };
  if (withPlan)
    await env.asr.replicationRecoveryPlans.beginCreateAndWait(
      names.vault,
      names.resourceGroup,
      plan,
      {
        properties: {
          primaryFabricId: idOf(setup.site),
          recoveryFabricId: MICROSOFT_AZURE,
          groups: itemNames.map((id) => ({ groupType: "Boot", replicationProtectedItems: [{ id: items[`vm${itemNames.indexOf(id) + 1}`] ?? "" }] })),
        },
      },
      LRO,
    );
  return world;
}

/** The groups as types and item ids (lower case). */
function groupLayout(body: unknown): [unknown, string[]][] {
  const groups = valueAt(body, "properties.groups");
  return (Array.isArray(groups) ? groups : []).map((group) => {
    const items = valueAt(group, "replicationProtectedItems");
    return [valueAt(group, "groupType"), (Array.isArray(items) ? items : []).map((item) => String(valueAt(item, "id")))];
  });
}

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
  "properties.currentScenario.scenarioName",
  "properties.currentScenario.jobId",
  "properties.currentScenario.startTime",
  "properties.currentScenarioStatus",
  "properties.currentScenarioStatusDescription",
  "properties.groups",
];
/** Values compared as they are: a Hyper-V plan's are the examples' own. */
const PLAN_VALUES = [
  "name",
  "type",
  "properties.friendlyName",
  "properties.primaryFabricFriendlyName",
  "properties.recoveryFabricId",
  "properties.recoveryFabricFriendlyName",
  "properties.failoverDeploymentModel",
  "properties.replicationProviders",
];
/** Not compared: the times of earlier failovers (the example's plan had another history). */
const HISTORY = ["properties.lastPlannedFailoverTime", "properties.lastUnplannedFailoverTime", "properties.lastTestFailoverTime"];
/** Not compared: the job id and start time of the finished operation (job names are the service's). */
const FINISHED_SCENARIO = ["properties.currentScenario.jobId", "properties.currentScenario.startTime"];

/**
 * Compares a plan with the example's 200 body: JSON types, the example's keys present (but
 * `notCompared`), the values of {@link PLAN_VALUES}, ids case-insensitively, the groups' layout
 * and each item's virtualMachineId (the VM's Hyper-V id, the example's).
 */
function comparePlan(t: ExecutionContext, example: Example, actual: unknown, notCompared: readonly string[]): void {
  const expected = example.responses["200"]?.body;
  const compared = withoutKeys(expected, notCompared);
  t.deepEqual(shapeMismatches(compared, actual), [], "every modelled key has the example's JSON type");
  t.deepEqual(absentKeys(compared, actual, PLAN_KEYS), [], "the example's keys are present");
  for (const key of PLAN_VALUES) t.deepEqual(valueAt(actual, key), valueAt(expected, key), `${key} is the example's`);
  for (const key of ["id", "properties.primaryFabricId"])
    t.is(String(valueAt(actual, key)).toLowerCase(), String(valueAt(expected, key)).toLowerCase(), `${key} is the example's`);
  const lower = (body: unknown): unknown => groupLayout(body).map(([type, ids]) => [type, ids.map((id) => id.toLowerCase())]);
  t.deepEqual(lower(actual), lower(expected), "the groups are the example's");
  const vmIds = (body: unknown): unknown[] =>
    (valueAt(body, "properties.groups") as unknown[]).flatMap((g) =>
      (valueAt(g, "replicationProtectedItems") as unknown[]).map((i) => valueAt(i, "virtualMachineId")),
    );
  t.deepEqual(vmIds(actual), vmIds(expected), "virtualMachineId is the example's (the VM's Hyper-V id)");
}

function sortedOperations(body: unknown): string[] {
  const operations = valueAt(body, "properties.allowedOperations");
  return (Array.isArray(operations) ? operations.map(String) : []).sort();
}

/** Sends the example's request (as is) with fetch, checks the documented 202 and follows it; returns the plan the Location link serves. */
async function replay(t: ExecutionContext, world: ExampleWorld, method: "POST" | "PUT", suffix: string, body: unknown): Promise<Record<string, unknown>> {
  const url = `${world.env.url}${world.vaultPath}/replicationRecoveryPlans/${world.plan}${suffix}?api-version=${stringParameter(world.example, "api-version")}`;
  const { result } = await replayAccepted(t, world.env.url, world.example, method, url, body);
  return result ?? {};
}

test("replays ReplicationRecoveryPlans_Create (hyper-v, as is) with a 202 and the example's plan", async (t) => {
  const world = await exampleWorld(t, "2025-08-01/ReplicationRecoveryPlans_Create.json", false);
  const plan = await replay(t, world, "PUT", "", objectParameter(world.example, "input"));
  comparePlan(t, world.example, plan, []);
  t.deepEqual(sortedOperations(plan), sortedOperations(world.example.responses["200"]?.body), "allowedOperations are the example's");
});

test("replays ReplicationRecoveryPlans_Get of a hyper-v plan with a 200 and the example's plan", async (t) => {
  const world = await exampleWorld(t, PLAN_EXAMPLE);
  const response = await wire(
    `${world.env.url}${world.vaultPath}/replicationRecoveryPlans/${world.plan}?api-version=${stringParameter(world.example, "api-version")}`,
    "GET",
  );
  t.is(response.status, 200);
  comparePlan(t, world.example, response.json, []);
  t.deepEqual(sortedOperations(response.json), sortedOperations(world.example.responses["200"]?.body));
});

test("replays ReplicationRecoveryPlans_TestFailover (hyper-v, as is) with a 202 and the example's plan waiting for cleanup", async (t) => {
  const world = await exampleWorld(t, "2023-06-01/ReplicationRecoveryPlans_TestFailover.json");
  const plan = await replay(t, world, "POST", "/testFailover", objectParameter(world.example, "input"));
  comparePlan(t, world.example, plan, [...HISTORY, ...FINISHED_SCENARIO]);
  const expected = world.example.responses["200"]?.body;
  for (const key of [
    "properties.allowedOperations",
    "properties.currentScenario.scenarioName",
    "properties.currentScenarioStatus",
    "properties.currentScenarioStatusDescription",
  ])
    t.deepEqual(valueAt(plan, key), valueAt(expected, key), `${key} is the example's`);
});

test("replays ReplicationRecoveryPlans_TestFailoverCleanup (as is) after a hyper-v test failover with a 202 and the example's plan", async (t) => {
  const world = await exampleWorld(t, "2025-08-01/ReplicationRecoveryPlans_TestFailoverCleanup.json");
  await world.env.asr.replicationRecoveryPlans.beginTestFailoverAndWait(
    world.setup.names.vault,
    world.setup.names.resourceGroup,
    world.plan,
    {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        networkType: "VmNetworkAsInput",
        networkId: virtualNetworkId("vnet-test", HYPER_V_TARGET_RG, world.env.subscriptionId),
        providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure" }],
      },
    },
    LRO,
  );
  const plan = await replay(t, world, "POST", "/testFailoverCleanup", objectParameter(world.example, "input"));
  comparePlan(t, world.example, plan, [...HISTORY, ...FINISHED_SCENARIO]);
  t.deepEqual(sortedOperations(plan), sortedOperations(world.example.responses["200"]?.body));
});

test("replays ReplicationRecoveryPlans_PlannedFailover (hyper-v, as is) with a 202, the vms shut down on-premises and the example's plan", async (t) => {
  const world = await exampleWorld(t, "2023-06-01/ReplicationRecoveryPlans_PlannedFailover.json");
  const plan = await replay(t, world, "POST", "/plannedFailover", objectParameter(world.example, "input"));
  // Not compared: allowedOperations (the example's plan also lists failing over again; this one waits for commit, as the example's Commit says).
  comparePlan(t, world.example, plan, ["properties.allowedOperations", ...HISTORY, ...FINISHED_SCENARIO]);
  t.like(plan.properties, { currentScenario: { scenarioName: "PlannedFailover" }, currentScenarioStatus: "Succeeded" });
  t.true(sortedOperations(plan).includes("Commit"));
  t.true(world.env.emulator.control.hyperVVms().every((vm) => vm.powerState === "Off"));
});

test("replays ReplicationRecoveryPlans_UnplannedFailover (hyper-v, as is: source site operations required) with a 202 and the example's plan", async (t) => {
  const world = await exampleWorld(t, "2025-08-01/ReplicationRecoveryPlans_UnplannedFailover.json");
  const plan = await replay(t, world, "POST", "/unplannedFailover", objectParameter(world.example, "input"));
  comparePlan(t, world.example, plan, ["properties.allowedOperations", ...HISTORY, ...FINISHED_SCENARIO]);
  t.like(plan.properties, { currentScenario: { scenarioName: "UnplannedFailover" }, currentScenarioStatus: "Succeeded" });
  t.true(sortedOperations(plan).includes("Commit"));
  t.true(
    world.env.emulator.control.hyperVVms().every((vm) => vm.powerState === "Off"),
    "sourceSiteOperations Required: shut down first",
  );
});

test("replays ReplicationRecoveryPlans_FailoverCommit (as is) after a hyper-v planned failover with a 202 and the example's plan", async (t) => {
  const world = await exampleWorld(t, "2023-06-01/ReplicationRecoveryPlans_FailoverCommit.json");
  await world.env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(
    world.setup.names.vault,
    world.setup.names.resourceGroup,
    world.plan,
    PLANNED_TO_AZURE,
    LRO,
  );
  const plan = await replay(t, world, "POST", "/failoverCommit", undefined);
  // Not compared: allowedOperations beyond PlannedFailover (the example's items were protected again; these wait for failback).
  comparePlan(t, world.example, plan, ["properties.allowedOperations", ...HISTORY, ...FINISHED_SCENARIO]);
  t.like(plan.properties, { currentScenario: { scenarioName: "CommitFailover" }, currentScenarioStatus: "Succeeded" });
  t.true(sortedOperations(plan).includes("PlannedFailover"), "a committed hyper-v plan allows the planned failover back (failback), as the example");
});

test("replays ReplicationRecoveryPlans_Reprotect (hyper-v, as is) after a failover, failback and their commits, with a 202 and the example's plan", async (t) => {
  const world = await exampleWorld(t, "2023-06-01/ReplicationRecoveryPlans_Reprotect.json");
  const args: [string, string, string] = [world.setup.names.vault, world.setup.names.resourceGroup, world.plan];
  await world.env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...args, PLANNED_TO_AZURE, LRO);
  await world.env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...args, LRO);
  await world.env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(...args, failbackInput(), LRO);
  await world.env.asr.replicationRecoveryPlans.beginFailoverCommitAndWait(...args, LRO);
  // Not adapted: reprotect has no body.
  const plan = await replay(t, world, "POST", "/reProtect", undefined);
  comparePlan(t, world.example, plan, [...HISTORY, ...FINISHED_SCENARIO]);
  const expected = world.example.responses["200"]?.body;
  for (const key of ["properties.currentScenario.scenarioName", "properties.currentScenarioStatus", "properties.currentScenarioStatusDescription"])
    t.deepEqual(valueAt(plan, key), valueAt(expected, key), `${key} is the example's`);
  t.deepEqual(sortedOperations(plan), sortedOperations(expected), "protected again: the example's allowed operations");
});
