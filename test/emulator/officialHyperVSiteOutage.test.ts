// Layer 3 (ARCHITECTURE.md "Tests"): the loss of an on-premises Hyper-V site (DOMAIN.md §4-5: the
// disaster Hyper-V to Azure protects against), with the official
// @azure/arm-recoveryservices-siterecovery client used directly, against the emulator over real
// loopback HTTP, in virtual time. The outage itself goes through the control surface
// (`PUT/DELETE /_emulator/hyperV/sites/outage`). It checks the providers (not connected, a stale
// heartbeat), the VMs (power state unknown), delta replication (no cycles, no recovery points, the
// RPO growing, health Warning then Critical), initial replication (paused), the failovers (planned
// refused, unplanned from the last cycle before the outage, test failover), the failback (refused
// until the site is back), a recovery plan's failovers, and the return of the site.
import type { RecoveryPlan, ReplicationProtectedItem } from "@azure/arm-recoveryservices-siterecovery";
import test, { type ExecutionContext } from "ava";
import { wire } from "../helpers/exampleReplay.js";
import {
  enableHyperV,
  failbackInput,
  getVmItem,
  HOUR,
  HYPER_V_BANDWIDTH_MBPS,
  HYPER_V_TARGET_RG,
  hyperVItemName,
  hyperVWorld,
  jobOfRecorder,
  MINUTE,
  now,
  PLANNED_TO_AZURE,
  recoveredPoints,
  taskNames,
  testFailoverInput,
  time,
  vmItemArgs,
  type HyperVWorld,
} from "../helpers/hyperVWorld.js";
import { collect, hyperVOf, idOf, LRO, MICROSOFT_AZURE, refused, responseRecorder, withRecorder, type HyperVVmShape } from "../helpers/loopbackSiteRecovery.js";

const PLAN = "rp-onprem";
/** 40 GB written at 4 MB/s: the pending changes reach half the disk after 5120 s (85 min). */
const SQL: HyperVVmShape = { name: "sql-0", disksGB: [40], churnMBps: 4 };
/** Writes slowly: half its disk takes more than 5 hours. */
const WEB: HyperVVmShape = { name: "web-0", disksGB: [40], churnMBps: 1 };
const RESYNC_AFTER_MS = ((0.5 * 40 * 1024) / 4) * 1000;

// ---------------------------------------------------------------- helpers

/** The world, with the replicated item ids by VM name (those protected). */
interface World extends HyperVWorld {
  items: Record<string, string>;
}

async function enable(world: World, vm: string): Promise<void> {
  world.items[vm] = idOf(await enableHyperV(world, vm));
}

/** The Hyper-V setup with `vms` on one host, nothing protected yet. */
async function siteWorld(t: ExecutionContext, vms: readonly HyperVVmShape[]): Promise<World> {
  return { ...(await hyperVWorld(t, vms)), items: {} };
}

/** `vms` protected (initial replication done) and replicating for three hours. */
async function protectedWorld(t: ExecutionContext, vms: readonly HyperVVmShape[] = [SQL]): Promise<World> {
  const world = await siteWorld(t, vms);
  for (const vm of vms) await enable(world, vm.name);
  world.env.emulator.control.advanceClock(2 * HOUR);
  for (const vm of vms) t.is((await getVmItem(world, vm.name)).properties?.protectionState, "Protected", `setup: ${vm.name} is protected`);
  world.env.emulator.control.advanceClock(3 * HOUR + 2 * MINUTE);
  return world;
}

function advance(world: World, ms: number): void {
  world.env.emulator.control.advanceClock(ms);
}

/** Takes the site down (`down`) or brings it back over HTTP, as a script would; returns the sites down. */
async function siteOutage(t: ExecutionContext, world: World, down: boolean): Promise<string[]> {
  const response = await wire(`${world.env.url}/_emulator/hyperV/sites/outage`, down ? "PUT" : "DELETE", { fabricId: idOf(world.setup.site) });
  t.is(response.status, 200);
  return (response.json as { hyperVSitesDown: string[] }).hyperVSitesDown;
}

async function providers(world: World): Promise<{ connectionStatus: string | undefined; lastHeartBeat: Date | undefined }[]> {
  const { names } = world.setup;
  const list = await collect(world.env.asr.replicationRecoveryServicesProviders.listByReplicationFabrics(names.vault, names.resourceGroup, names.site));
  return list.map((p) => ({ connectionStatus: p.properties?.connectionStatus, lastHeartBeat: p.properties?.lastHeartBeat }));
}

async function onPremises(world: World): Promise<[string, string][]> {
  const listed = await wire(`${world.env.url}/_emulator/hyperV/vms?fabricId=${encodeURIComponent(idOf(world.setup.site))}`, "GET");
  return ((listed.json as { value: { name: string; powerState: string }[] }).value ?? []).map((v) => [v.name, v.powerState]);
}

async function pointTimes(world: World, vm: string): Promise<number[]> {
  const points = await collect(world.env.asr.recoveryPoints.listByReplicationProtectedItems(...vmItemArgs(world, vm)));
  return points.map((p) => time(p.properties?.recoveryPointTime));
}

const UNPLANNED_SHUTDOWN_FIRST = {
  properties: {
    failoverDirection: "PrimaryToRecovery",
    sourceSiteOperations: "Required",
    providerSpecificDetails: { instanceType: "HyperVReplicaAzure" as const },
  },
};
// ---------------------------------------------------------------- replication while the site is down

test("while the site is down its providers are not connected, its vms unknown, and nothing replicates: no cycles, no recovery points, the rpo grows, health Warning then Critical", async (t) => {
  const world = await protectedWorld(t);
  const before = hyperVOf(t, await getVmItem(world, SQL.name));
  const lastCycle = time(before.lastReplicatedTime);
  t.true(now(world) - lastCycle < 5 * MINUTE, "setup: delta cycles every 5 minutes");
  t.deepEqual(
    (await providers(world)).map((p) => p.connectionStatus),
    ["Connected"],
  );

  const outageAt = now(world);
  t.deepEqual(await siteOutage(t, world, true), [idOf(world.setup.site).toLowerCase()]);
  t.deepEqual(await siteOutage(t, world, true), [idOf(world.setup.site).toLowerCase()], "taking it down again changes nothing");
  advance(world, 30 * MINUTE);
  t.deepEqual(
    await providers(world),
    [{ connectionStatus: "NotConnected", lastHeartBeat: new Date(outageAt) }],
    "the last heartbeat is when the site was lost",
  );
  t.deepEqual(await onPremises(world), [[SQL.name, "Unknown"]]);

  const warning = await getVmItem(world, SQL.name);
  const details = hyperVOf(t, warning);
  t.is(time(details.lastReplicatedTime), lastCycle, "no delta cycle since the outage");
  t.is(details.rpoInSeconds, Math.floor((now(world) - lastCycle) / 1000), "the RPO is the age of the last cycle");
  t.is(warning.properties?.replicationHealth, "Warning");
  t.deepEqual(
    warning.properties?.healthErrors?.map((e) => [e.errorCode, e.errorLevel]),
    [["ProviderNotConnected", "Warning"]],
  );
  t.regex(warning.properties?.healthErrors?.[0]?.errorMessage ?? "", /Provider on Hyper-V host 'hv-host-01'.*is not connected/);
  t.true(warning.properties?.allowedOperations?.includes("UnplannedFailover"));

  // The pending changes pass half the disk: Critical, a resync is required.
  advance(world, outageAt + RESYNC_AFTER_MS + MINUTE - now(world));
  const critical = await getVmItem(world, SQL.name);
  t.is(critical.properties?.replicationHealth, "Critical");
  t.deepEqual(
    critical.properties?.healthErrors?.map((e) => e.errorCode),
    ["ProviderNotConnected", "150110"],
  );
  const rpo = hyperVOf(t, critical).rpoInSeconds ?? 0;
  t.true(rpo > (details.rpoInSeconds ?? 0), "the RPO grows");
  t.true(rpo >= RESYNC_AFTER_MS / 1000);
  t.deepEqual(
    (await pointTimes(world, SQL.name)).filter((p) => p > lastCycle),
    [],
    "no recovery point during the outage",
  );
  const events = await collect(world.env.asr.replicationEvents.list(world.setup.names.vault, world.setup.names.resourceGroup));
  t.true(
    events.some((e) => e.properties?.eventCode === "ProviderNotConnected" || /not connected/.test(e.properties?.description ?? "")),
    "the failure is an event",
  );

  // The site comes back: connected, the VM reachable; replication waits for its resync.
  const backAt = now(world);
  t.deepEqual(await siteOutage(t, world, false), []);
  t.deepEqual(await providers(world), [{ connectionStatus: "Connected", lastHeartBeat: new Date(backAt) }]);
  t.deepEqual(await onPremises(world), [[SQL.name, "Running"]]);
  const back = await getVmItem(world, SQL.name);
  t.is(back.properties?.replicationHealth, "Critical", "a resync is needed before delta replication resumes");
  t.true(back.properties?.allowedOperations?.includes("RepairReplication"));
  const repaired = await world.env.asr.replicationProtectedItems.beginRepairReplicationAndWait(...vmItemArgs(world, SQL.name), LRO);
  t.is(repaired.properties?.replicationHealth, "Normal");
  advance(world, 10 * MINUTE);
  const resumed = hyperVOf(t, await getVmItem(world, SQL.name));
  t.true(time(resumed.lastReplicatedTime) > backAt, "delta cycles again");
  t.true((resumed.rpoInSeconds ?? Infinity) < 300);
});

test("a short outage: replication resumes as soon as the site is back, the outage stays in the state's history and a snapshot restores it", async (t) => {
  const world = await protectedWorld(t, [WEB]);
  const { control } = world.env.emulator;
  const lastCycle = time(hyperVOf(t, await getVmItem(world, WEB.name)).lastReplicatedTime);
  const outageAt = now(world);
  control.setHyperVSiteDown(idOf(world.setup.site), true);
  advance(world, 70 * MINUTE);
  const during = control.snapshot();
  t.deepEqual(during.hyperVSiteOutages, [{ fabricId: idOf(world.setup.site).toLowerCase(), from: outageAt, to: null }]);
  t.is((await getVmItem(world, WEB.name)).properties?.replicationHealth, "Warning", "half the disk is hours away");

  const backAt = now(world);
  t.deepEqual(control.setHyperVSiteDown(idOf(world.setup.site), false), []);
  const back = await getVmItem(world, WEB.name);
  t.is(back.properties?.replicationHealth, "Normal", "retried at once when the provider reconnects");
  t.deepEqual(back.properties?.healthErrors, []);
  advance(world, 6 * MINUTE);
  const resumed = hyperVOf(t, await getVmItem(world, WEB.name));
  t.true(time(resumed.lastReplicatedTime) >= backAt);
  t.deepEqual(
    (await pointTimes(world, WEB.name)).filter((p) => p > lastCycle && p < backAt),
    [],
    "the hour the site was down has no recovery point",
  );
  advance(world, 2 * HOUR);
  t.true(
    (await pointTimes(world, WEB.name)).some((p) => p > backAt),
    "recovery points again",
  );
  t.deepEqual(control.snapshot().hyperVSiteOutages, [{ fabricId: idOf(world.setup.site).toLowerCase(), from: outageAt, to: backAt }]);

  // Restoring the snapshot taken during the outage brings the site down again.
  control.restore(during);
  t.deepEqual(
    (await providers(world)).map((p) => p.connectionStatus),
    ["NotConnected"],
  );
  t.is((await getVmItem(world, WEB.name)).properties?.replicationHealth, "Warning");
  const older = { ...during } as Partial<typeof during>;
  delete older.hyperVSiteOutages;
  control.restore(older);
  t.deepEqual(control.snapshot().hyperVSiteOutages, [], "a snapshot from before site outages were modelled has none");

  const unknown = await wire(`${world.env.url}/_emulator/hyperV/sites/outage`, "PUT", { fabricId: `${idOf(world.setup.vault)}/replicationFabrics/nowhere` });
  t.is(unknown.status, 404);
  const missing = await wire(`${world.env.url}/_emulator/hyperV/sites/outage`, "PUT", {});
  t.is(missing.status, 400);
});

test("initial replication pauses while the site is down and goes on where it stopped when it is back", async (t) => {
  const world = await siteWorld(t, [SQL]);
  await enable(world, SQL.name);
  const copyMs = ((40 * 1024) / HYPER_V_BANDWIDTH_MBPS) * 1000;
  const jobs = await collect(world.env.asr.replicationJobs.list(world.setup.names.vault, world.setup.names.resourceGroup));
  const initial = jobs.find((j) => j.properties?.scenarioName === "InitialReplication");
  const snapshotEnd = time(initial?.properties?.startTime) + 30_000;
  advance(world, snapshotEnd + copyMs / 2 - now(world));
  const progress = (item: ReplicationProtectedItem): string | undefined => hyperVOf(t, item).initialReplicationDetails?.initialReplicationProgressPercentage;
  const half = progress(await getVmItem(world, SQL.name));
  t.is(half, "50");

  world.env.emulator.control.setHyperVSiteDown(idOf(world.setup.site), true);
  advance(world, 2 * HOUR);
  const paused = await getVmItem(world, SQL.name);
  t.is(paused.properties?.protectionStateDescription, "Initial replication in progress");
  t.is(progress(paused), "50", "the copy stands still");
  t.regex(hyperVOf(t, paused).vmProtectionStateDescription ?? "", /^Copying disk 1 of 1 .*\(paused: the Hyper-V site is unreachable\)$/);

  world.env.emulator.control.setHyperVSiteDown(idOf(world.setup.site), false);
  advance(world, copyMs / 4);
  t.is(progress(await getVmItem(world, SQL.name)), "75", "it goes on from where it stopped");
  advance(world, HOUR);
  const done = await getVmItem(world, SQL.name);
  t.is(done.properties?.protectionState, "Protected");
  const job = await world.env.asr.replicationJobs.get(world.setup.names.vault, world.setup.names.resourceGroup, initial?.name ?? "");
  const copy = job.properties?.tasks?.find((task) => task.name === "CopyDisk1");
  t.is(time(copy?.endTime) - time(copy?.startTime), copyMs + 2 * HOUR, "the copy took the outage longer");
});

// ---------------------------------------------------------------- failover and failback

test("while the site is down a planned failover is refused, a test failover works, and an unplanned failover recovers the last cycle before the outage; failback waits for the site", async (t) => {
  const world = await protectedWorld(t);
  const { env } = world;
  const lastCycle = time(hyperVOf(t, await getVmItem(world, SQL.name)).lastReplicatedTime);
  const outageAt = now(world);
  env.emulator.control.setHyperVSiteDown(idOf(world.setup.site), true);
  advance(world, 20 * MINUTE);

  const message = await refused(
    t,
    env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...vmItemArgs(world, SQL.name), PLANNED_TO_AZURE, LRO),
    409,
    "SourceSiteUnavailable",
  );
  t.regex(message, /cannot be shut down/);
  t.is((await getVmItem(world, SQL.name)).properties?.protectionState, "Protected", "the refusal changed nothing");

  const tested = await env.asr.replicationProtectedItems.beginTestFailoverAndWait(...vmItemArgs(world, SQL.name), testFailoverInput(env.subscriptionId), LRO);
  t.is(tested.properties?.testFailoverState, "WaitingForCompletion");
  await env.asr.replicationProtectedItems.beginTestFailoverCleanupAndWait(...vmItemArgs(world, SQL.name), { properties: { comments: "drill" } }, LRO);

  // Shut down first is asked for, but the VM cannot be reached: that task fails and the failover goes on.
  const startedAt = now(world);
  const recorder = responseRecorder();
  const failedOver = await env.asr.replicationProtectedItems.beginUnplannedFailoverAndWait(
    ...vmItemArgs(world, SQL.name),
    UNPLANNED_SHUTDOWN_FIRST,
    withRecorder(recorder),
  );
  const job = await jobOfRecorder(t, world, recorder, "unplanned failover");
  t.like(job.properties, { scenarioName: "UnplannedFailover", state: "Succeeded" });
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "ShutdownVm", "CreateVm", "StartVm"], "nothing can be synced from the site");
  t.regex(job.properties?.tasks?.[1]?.friendlyName ?? "", /failed, the site is unreachable; the failover continues/);
  const point = recoveredPoints(t, job).get(hyperVItemName(SQL.name));
  t.is(point, lastCycle, "the last delta cycle Azure received before the outage");
  t.true(startedAt - (point ?? 0) >= startedAt - outageAt, "everything written since the outage is lost");
  t.is(failedOver.properties?.protectionState, "UnplannedFailoverCommitPendingStatesBegin");
  t.deepEqual(await onPremises(world), [[SQL.name, "Unknown"]]);
  const azure = await env.compute.virtualMachines.instanceView(HYPER_V_TARGET_RG, `${SQL.name}-az`);
  t.true(azure.statuses?.some((s) => s.code === "PowerState/running"));
  const committed = await env.asr.replicationProtectedItems.beginFailoverCommitAndWait(...vmItemArgs(world, SQL.name), LRO);
  t.true(committed.properties?.allowedOperations?.includes("Failback"));

  await refused(
    t,
    env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...vmItemArgs(world, SQL.name), failbackInput(), LRO),
    409,
    "TargetSiteUnavailable",
  );

  // The site is back: the VM was left running there; the failback brings the Azure VM's data home.
  advance(world, 30 * MINUTE);
  env.emulator.control.setHyperVSiteDown(idOf(world.setup.site), false);
  t.deepEqual(await onPremises(world), [[SQL.name, "Running"]]);
  const failedBack = await env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...vmItemArgs(world, SQL.name), failbackInput(), LRO);
  t.like(failedBack.properties, { protectionStateDescription: "Failback finished", activeLocation: "Primary" });
});

test("a recovery plan of the site: planned failover refused while it is down, unplanned failover recovers each vm's last cycle before the outage", async (t) => {
  const world = await protectedWorld(t, [SQL, WEB]);
  const { env, setup } = world;
  const { names } = setup;
  await env.asr.replicationRecoveryPlans.beginCreateAndWait(
    names.vault,
    names.resourceGroup,
    PLAN,
    {
      properties: {
        primaryFabricId: idOf(setup.site),
        recoveryFabricId: MICROSOFT_AZURE,
        failoverDeploymentModel: "ResourceManager",
        groups: [SQL, WEB].map((vm) => ({ groupType: "Boot", replicationProtectedItems: [{ id: world.items[vm.name] ?? "" }] })),
      },
    },
    LRO,
  );
  const planArgs: [string, string, string] = [names.vault, names.resourceGroup, PLAN];
  const getPlan = (): Promise<RecoveryPlan> => env.asr.replicationRecoveryPlans.get(...planArgs);
  t.true((await getPlan()).properties?.allowedOperations?.includes("PlannedFailover"), "setup: a planned failover is possible");

  const lastCycles = new Map<string, number>();
  for (const vm of [SQL, WEB]) lastCycles.set(hyperVItemName(vm.name), time(hyperVOf(t, await getVmItem(world, vm.name)).lastReplicatedTime));
  env.emulator.control.setHyperVSiteDown(idOf(setup.site), true);
  advance(world, 15 * MINUTE);
  t.false((await getPlan()).properties?.allowedOperations?.includes("PlannedFailover"), "no planned failover while the site is down");
  t.true((await getPlan()).properties?.allowedOperations?.includes("UnplannedFailover"));
  await refused(
    t,
    env.asr.replicationRecoveryPlans.beginPlannedFailoverAndWait(
      ...planArgs,
      { properties: { failoverDirection: "PrimaryToRecovery", providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure" }] } },
      LRO,
    ),
    409,
    "SourceSiteUnavailable",
  );

  const recorder = responseRecorder();
  await env.asr.replicationRecoveryPlans.beginUnplannedFailoverAndWait(
    ...planArgs,
    {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "Required",
        providerSpecificDetails: [{ instanceType: "HyperVReplicaAzure", recoveryPointType: "Latest" }],
      },
    },
    withRecorder(recorder),
  );
  const job = await jobOfRecorder(t, world, recorder, "unplanned failover of the plan");
  t.like(job.properties, { scenarioName: "UnplannedFailover", state: "Succeeded" });
  t.false(taskNames(job).includes("SyncLatestChanges"), "nothing can be synced from a lost site");
  t.deepEqual(recoveredPoints(t, job), lastCycles, "each VM from the last cycle Azure received");
  for (const vm of [SQL, WEB]) t.is((await getVmItem(world, vm.name)).properties?.protectionState, "UnplannedFailoverCommitPendingStatesBegin");
});
