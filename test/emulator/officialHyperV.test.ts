// Layer 3 (ARCHITECTURE.md "Tests"): Hyper-V to Azure (DOMAIN.md §4-5) with the official
// @azure/arm-recoveryservices-siterecovery client (5.1.0) and @azure/arm-compute used directly (not
// through sdk/), against the emulator over real loopback HTTP, in virtual time. What only an
// on-premises provider does in Azure (registering hosts and VMs, their write rate, a failure of
// replication, deleting a VM on-premises) goes through the emulator's control surface. It checks
// the site, its hosts and protectable items; enable protection and the replication process
// (snapshot, disks copied one by one, the change log, finalize protection, delta replication at
// the copy frequency, recovery points); resync and retries; failover to Azure, commit, failback,
// commit and reprotect; and replays the official Hyper-V examples.
import type {
  ConfigurationSettingsUnion,
  FailoverJobDetails,
  HyperVReplicaAzureEnableProtectionInput,
  HyperVSiteDetails,
  HyperVVirtualMachineDetails,
  Job,
  ProtectableItem,
  RecoveryPoint,
  ReplicationProtectedItem,
} from "@azure/arm-recoveryservices-siterecovery";
import test, { type ExecutionContext } from "ava";
import path from "node:path";
import { EXAMPLES_ROOT, isObject, loadExample, objectParameter, stringParameter, type Example } from "../helpers/exampleCorpus.js";
import { absentKeys, assertLikeExample, leafKeys, shapeMismatches, valueAt, wire, withoutKeys } from "../helpers/exampleReplay.js";
import {
  advanceTo,
  enableHyperV,
  failbackInput,
  getHyperVItem,
  HOUR,
  HYPER_V_BANDWIDTH_MBPS,
  HYPER_V_HOST,
  HYPER_V_START,
  HYPER_V_TARGET_RG,
  hyperVEnableInput,
  hyperVWorld,
  itemArgs,
  jobOfRecorder,
  loopbackHyperV,
  MINUTE,
  now,
  PLANNED_TO_AZURE,
  taskNames,
  testFailoverInput,
  time,
  type HyperVWorld,
} from "../helpers/hyperVWorld.js";
import {
  acceptedJob,
  buildHyperVReplication,
  collect,
  HYPER_V_NAMES,
  hyperVOf,
  idOf,
  loopbackSiteRecovery,
  LRO,
  MICROSOFT_AZURE,
  refused,
  replayAccepted,
  resourceGroupId,
  responseRecorder,
  virtualNetworkId,
  withRecorder,
  type HyperVReplicationOptions,
  type HyperVVmShape,
} from "../helpers/loopbackSiteRecovery.js";

const MB = 1024 * 1024;
const ITEM = "item-sql-0";
/** How fast {@link VM} writes, MB/s. */
const CHURN = 4;
const VM: HyperVVmShape = { name: "sql-0", disksGB: [40, 20, 10], churnMBps: CHURN, cpuCount: 4 };

// ---------------------------------------------------------------- helpers

type World = HyperVWorld;

function enableInput(world: World, vmName = VM.name, extra: Partial<HyperVReplicaAzureEnableProtectionInput> = {}): HyperVReplicaAzureEnableProtectionInput {
  return { ...hyperVEnableInput(world.env.subscriptionId, `${vmName}-az`), ...extra };
}

function enable(
  world: World,
  vmName = VM.name,
  item = ITEM,
  extra: Partial<HyperVReplicaAzureEnableProtectionInput> = {},
  recorder?: ReturnType<typeof responseRecorder>,
): Promise<ReplicationProtectedItem> {
  return enableHyperV(world, vmName, item, enableInput(world, vmName, extra), withRecorder(recorder));
}

function getItem(world: World, item = ITEM): Promise<ReplicationProtectedItem> {
  return getHyperVItem(world, item);
}

function jobs(world: World): Promise<Job[]> {
  return collect(world.env.asr.replicationJobs.list(world.setup.names.vault, world.setup.names.resourceGroup));
}

async function jobNamed(t: ExecutionContext, world: World, scenarioName: string): Promise<Job> {
  const job = (await jobs(world)).find((j) => j.properties?.scenarioName === scenarioName);
  if (job === undefined) t.fail(`no ${scenarioName} job`);
  return job ?? {};
}

/** Asserts an item's state: `protectionState`, its description and `activeLocation`, and its allowed operations. */
function stateIs(t: ExecutionContext, item: ReplicationProtectedItem, [state, description, location]: [string, string, string], allowed: string[]): void {
  t.like(item.properties, { protectionState: state, protectionStateDescription: description, activeLocation: location });
  t.deepEqual(item.properties?.allowedOperations, allowed);
}

/** A protectable item's Hyper-V VM details, if it has them. */
function vmDetailsOf(custom: ConfigurationSettingsUnion | undefined): HyperVVirtualMachineDetails | undefined {
  return custom?.instanceType === "HyperVVirtualMachine" ? (custom as HyperVVirtualMachineDetails) : undefined;
}

/** The item a failover job recovered and its recovery point (its `FailoverJobDetails`); fails the test for other details. */
function recoveredPoint(t: ExecutionContext, job: Job): { recoveryPointId: string | undefined; recoveryPointTime: number } {
  const details = job.properties?.customDetails;
  if (details?.instanceType !== "FailoverJobDetails") {
    t.fail(`a failover job has FailoverJobDetails, not ${String(details?.instanceType)}`);
    return { recoveryPointId: undefined, recoveryPointTime: Number.NaN };
  }
  const item = (details as FailoverJobDetails).protectedItemDetails?.[0];
  return { recoveryPointId: item?.recoveryPointId, recoveryPointTime: time(item?.recoveryPointTime) };
}

/** Enables protection of {@link VM} and runs initial replication to the end: the item is protected. */
async function protectedWorld(t: ExecutionContext, vms: readonly HyperVVmShape[] = [VM], options: HyperVReplicationOptions = {}): Promise<World> {
  const world = await hyperVWorld(t, vms, { replication: options });
  await enable(world, vms[0]?.name);
  world.env.emulator.control.advanceClock(2 * HOUR);
  t.is((await getItem(world)).properties?.protectionState, "Protected", "setup: the item is protected");
  return world;
}

// ---------------------------------------------------------------- site, hosts, protectable items

test("a hyper-v site's hosts register through the control surface: each is a provider of the site and its vms are protectable items of the site's containers", async (t) => {
  const world = await hyperVWorld(t, [VM, { name: "web-0", disksGB: [30] }]);
  const { env, setup } = world;
  const { names } = setup;
  t.is(setup.site.properties?.customDetails?.instanceType, "HyperVSite");
  const site = await env.asr.replicationFabrics.get(names.vault, names.resourceGroup, names.site);
  const hosts = (site.properties?.customDetails as HyperVSiteDetails | undefined)?.hyperVHosts ?? [];
  t.deepEqual(
    hosts.map((h) => h.name),
    [HYPER_V_HOST],
    "the site lists its registered hosts",
  );
  const providers = await collect(env.asr.replicationRecoveryServicesProviders.listByReplicationFabrics(names.vault, names.resourceGroup, names.site));
  t.is(providers.length, 1);
  t.like(providers[0]?.properties, { friendlyName: HYPER_V_HOST, fabricType: "HyperVSite", connectionStatus: "Connected", protectedItemCount: 0 });
  t.is(providers[0]?.id, hosts[0]?.id);
  t.deepEqual(await env.asr.replicationRecoveryServicesProviders.get(names.vault, names.resourceGroup, names.site, providers[0]?.name ?? ""), providers[0]);

  const items = await collect(
    env.asr.replicationProtectableItems.listByReplicationProtectionContainers(names.vault, names.resourceGroup, names.site, names.container),
  );
  t.deepEqual(items.map((i) => i.properties?.friendlyName).sort(), ["sql-0", "web-0"]);
  const sql = items.find((i) => i.properties?.friendlyName === "sql-0") as ProtectableItem;
  t.is(sql.id, world.vms["sql-0"]);
  t.like(sql.properties, {
    protectionStatus: "Unprotected",
    recoveryServicesProviderId: providers[0]?.id,
    supportedReplicationProviders: ["HyperVReplicaAzure"],
  });
  const custom = vmDetailsOf(sql.properties?.customDetails);
  t.not(custom, undefined, "a protectable item has HyperVVirtualMachine details");
  if (custom !== undefined) {
    t.is(custom.sourceItemId, sql.name);
    t.deepEqual(
      custom.diskDetails?.map((d) => [d.vhdName, d.maxSizeMB, d.vhdType]),
      [
        ["sql-0-disk0.vhdx", 40 * 1024, "OperatingSystem"],
        ["sql-0-disk1.vhdx", 20 * 1024, "DataDisk"],
        ["sql-0-disk2.vhdx", 10 * 1024, "DataDisk"],
      ],
    );
  }
  t.deepEqual(await env.asr.replicationProtectableItems.get(names.vault, names.resourceGroup, names.site, names.container, sql.name ?? ""), sql);

  // A VMM cloud: a host that belongs to another container is discovered there only.
  await env.asr.replicationProtectionContainers.beginCreateAndWait(
    names.vault,
    names.resourceGroup,
    names.site,
    "cloud-dev",
    { properties: { providerSpecificInput: [{ instanceType: "ReplicationProviderSpecificContainerCreationInput" } as never] } },
    LRO,
  );
  // Over HTTP, as an SDK or a script would register it.
  const response = await wire(`${env.url}/_emulator/hyperV/hosts`, "POST", {
    fabricId: idOf(setup.site),
    hosts: [{ name: "hv-dev-01", cloud: "cloud-dev", vms: [{ name: "dev-0", disks: [{ name: "dev-0.vhdx", sizeGB: 20 }] }] }],
  });
  t.is(response.status, 201);
  const dev = await collect(
    env.asr.replicationProtectableItems.listByReplicationProtectionContainers(names.vault, names.resourceGroup, names.site, "cloud-dev"),
  );
  t.deepEqual(
    dev.map((i) => i.properties?.friendlyName),
    ["sql-0", "web-0", "dev-0"],
    "hosts of no cloud show in every container, a cloud's host only in its own",
  );
  t.false(
    (
      await collect(env.asr.replicationProtectableItems.listByReplicationProtectionContainers(names.vault, names.resourceGroup, names.site, names.container))
    ).some((i) => i.properties?.friendlyName === "dev-0"),
  );
  const listed = await wire(`${env.url}/_emulator/hyperV/vms?fabricId=${encodeURIComponent(idOf(setup.site))}`, "GET");
  t.deepEqual(
    ((listed.json as { value: { name: string; powerState: string }[] }).value ?? []).map((v) => [v.name, v.powerState]),
    [
      ["sql-0", "Running"],
      ["web-0", "Running"],
      ["dev-0", "Running"],
    ],
  );
  const bad = await wire(`${env.url}/_emulator/hyperV/hosts`, "POST", { fabricId: idOf(setup.site), hosts: [{ name: "h", vms: [{ name: "x", disks: [] }] }] });
  t.is(bad.status, 400);
  t.like(bad.json, { error: { code: "InvalidHyperVHosts" } });

  t.is(setup.containerMapping.properties?.targetProtectionContainerId, MICROSOFT_AZURE);
  t.is(setup.containerMapping.properties?.state, "Paired");
  t.is((await env.asr.replicationProtectionContainers.get(names.vault, names.resourceGroup, names.site, names.container)).properties?.pairingStatus, "Paired");
});

// ---------------------------------------------------------------- enable and initial replication

test("enabling protection runs initial replication as the domain describes: a snapshot, the disks one by one at the bandwidth, the change log sent after, then finalize protection", async (t) => {
  const world = await hyperVWorld(t, [VM]);
  const recorder = responseRecorder();
  const enabled = await enable(world, VM.name, ITEM, {}, recorder);
  acceptedJob(t, world.env, recorder.responses, "enable protection");
  t.is(enabled.properties?.protectedItemType, "HyperVVirtualMachine");
  t.is(enabled.properties?.protectableItemId, world.vms[VM.name]);
  t.is(enabled.properties?.recoveryFabricId, MICROSOFT_AZURE);
  t.is(enabled.properties?.protectionState, "UnprotectedStatesBegin");
  t.deepEqual(enabled.properties?.allowedOperations, ["DisableProtection"]);
  const details = hyperVOf(t, enabled);
  t.like(details, {
    recoveryAzureVmName: "sql-0-az",
    recoveryAzureVMSize: "Standard_D4s_v5",
    recoveryAzureResourceGroupId: resourceGroupId(HYPER_V_TARGET_RG, world.env.subscriptionId),
    useManagedDisks: "true",
    sourceVmCpuCount: 4,
  });
  t.deepEqual(
    details.azureVmDiskDetails?.map((d) => [d.vhdName, d.maxSizeMB]),
    [
      ["sql-0-disk0.vhdx", String(40 * 1024)],
      ["sql-0-disk1.vhdx", String(20 * 1024)],
      ["sql-0-disk2.vhdx", String(10 * 1024)],
    ],
  );

  const initial = await jobNamed(t, world, "InitialReplication");
  t.is(initial.properties?.state, "InProgress");
  t.is(enabled.properties?.currentScenario?.scenarioName, "InitialReplication", "the item names the job it waits for");
  t.deepEqual(
    initial.properties?.tasks?.map((task) => task.name),
    ["TakeSnapshot", "CopyDisk1", "CopyDisk2", "CopyDisk3", "SendChangeLog"],
  );
  const start = time(initial.properties?.startTime);
  const copy = (gb: number): number => ((gb * 1024) / HYPER_V_BANDWIDTH_MBPS) * 1000;
  const snapshotEnd = start + 30_000;
  const copyEnds = [snapshotEnd + copy(40), snapshotEnd + copy(40) + copy(20), snapshotEnd + copy(40) + copy(20) + copy(10)];

  advanceTo(world, snapshotEnd + copy(40) + copy(20) / 2);
  const midway = hyperVOf(t, await getItem(world));
  t.regex(midway.vmProtectionStateDescription ?? "", /^Copying disk 2 of 3 \('sql-0-disk1.vhdx'\); \d+ MB of changes logged since the snapshot$/);
  t.is(midway.initialReplicationDetails?.initialReplicationType, "InitialReplication");
  t.is(midway.initialReplicationDetails?.initialReplicationProgressPercentage, String(Math.floor(((40 + 10) / 70) * 100)), "progress counts the bytes copied");
  const loggedAt = (d: typeof midway): number => Number(/; (\d+) MB of changes logged/.exec(d.vmProtectionStateDescription ?? "")?.[1]);
  t.is(loggedAt(midway), Math.round(((copyEnds[0] as number) + copy(20) / 2 - snapshotEnd) / 1000) * CHURN, "the change log grows with the VM's writes");
  // The VM writes twice as fast from now on (over HTTP, as the provider's report would change).
  const faster = now(world);
  const changed = await wire(`${world.env.url}/_emulator/hyperV/changeRates`, "POST", { target: world.vms[VM.name], churnMBps: 2 * CHURN });
  t.like(changed.json, { name: VM.name, churnMBps: 2 * CHURN });
  advanceTo(world, (copyEnds[1] as number) + 1000);
  const later = hyperVOf(t, await getItem(world));
  t.regex(later.vmProtectionStateDescription ?? "", /^Copying disk 3 of 3/);
  t.true(loggedAt(later) > loggedAt(midway));

  advanceTo(world, (copyEnds[2] as number) + 1000);
  const logged = (((faster - snapshotEnd) / 1000) * CHURN + (((copyEnds[2] as number) - faster) / 1000) * 2 * CHURN) * MB;
  const sending = hyperVOf(t, await getItem(world));
  t.is(sending.vmProtectionStateDescription, `Sending the ${Math.round(logged / MB)} MB of changes logged during the copy`);
  const job = await world.env.asr.replicationJobs.get(world.setup.names.vault, world.setup.names.resourceGroup, initial.name ?? "");
  const tasks = job.properties?.tasks ?? [];
  t.deepEqual(
    tasks.slice(1, 4).map((task) => time(task.endTime) - time(task.startTime)),
    [copy(40), copy(20), copy(10)],
    "each disk takes its size at the bandwidth, one after the other",
  );
  t.is(tasks[4]?.friendlyName, `Send the ${Math.round(logged / MB)} MB of changes logged during the copy`);

  advanceTo(world, (copyEnds[2] as number) + Math.ceil((logged / (HYPER_V_BANDWIDTH_MBPS * MB)) * 1000) + 1000);
  t.is((await world.env.asr.replicationJobs.get(world.setup.names.vault, world.setup.names.resourceGroup, initial.name ?? "")).properties?.state, "Succeeded");
  const finalizing = await getItem(world);
  t.is(finalizing.properties?.protectionStateDescription, "Finalizing protection");
  t.is(finalizing.properties?.currentScenario?.scenarioName, "FinalizeProtection");
  const finalize = await jobNamed(t, world, "FinalizeProtection");
  t.is(finalize.properties?.friendlyName, "Finalize protection");

  world.env.emulator.control.advanceClock(2 * MINUTE);
  const protectedItem = await getItem(world);
  t.like(protectedItem.properties, {
    protectionState: "Protected",
    protectionStateDescription: "Protected",
    activeLocation: "Primary",
    replicationHealth: "Normal",
  });
  t.deepEqual(protectedItem.properties?.allowedOperations, ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"]);
  t.is(protectedItem.properties?.currentScenario?.scenarioName, "None");
  const protectable = await world.env.asr.replicationProtectableItems.get(
    world.setup.names.vault,
    world.setup.names.resourceGroup,
    world.setup.names.site,
    world.setup.names.container,
    (world.vms[VM.name] ?? "").split("/").at(-1) ?? "",
  );
  t.like(protectable.properties, { protectionStatus: "Protected", replicationProtectedItemId: protectedItem.id });
});

test("delta replication runs at the policy's copy frequency (30 s, 5 min, 15 min) and recovery points follow the policy: hourly crash-consistent, app-consistent at its frequency, kept for its retention", async (t) => {
  for (const interval of [30, 300, 900]) {
    const world = await protectedWorld(t, [VM], {
      policy: { replicationInterval: interval, recoveryPointHistoryDuration: 6, applicationConsistentSnapshotFrequencyInHours: 2 },
    });
    const protectedAt = time((await jobNamed(t, world, "FinalizeProtection")).properties?.endTime);
    for (const offset of [7 * MINUTE + 13_000, 3 * HOUR + 29_000, 9 * HOUR + 1000]) {
      advanceTo(world, protectedAt + offset);
      const details = hyperVOf(t, await getItem(world));
      const last = time(details.lastReplicatedTime);
      t.is((last - protectedAt) % (interval * 1000), 0, `cycles every ${interval} s from protection`);
      t.true(now(world) - last < interval * 1000, `the last cycle is at most one interval old (${interval} s)`);
      t.is(details.rpoInSeconds, Math.floor((now(world) - last) / 1000));
    }
    const points = await collect(world.env.asr.recoveryPoints.listByReplicationProtectedItems(...itemArgs(world, ITEM)));
    const times = points.map((p) => time(p.properties?.recoveryPointTime));
    t.true(
      times.every((x) => x >= now(world) - 6 * HOUR),
      "nothing older than the 6-hour retention",
    );
    t.true(
      times.every((x) => (x - protectedAt) % HOUR === 0),
      "one point an hour",
    );
    t.is(points.length, 6, "six hourly points in six hours");
    const app = points
      .filter((p) => p.properties?.recoveryPointType === "ApplicationConsistent")
      .map((p) => (time(p.properties?.recoveryPointTime) - protectedAt) / HOUR);
    t.deepEqual(app, [8, 6, 4], "app-consistent every 2 hours");
    t.is(points[0]?.properties?.providerSpecificDetails, undefined, "Hyper-V points carry no A2A details");
    t.is(hyperVOf(t, await getItem(world)).lastRecoveryPointReceived?.getTime(), times[0]);
  }
});

// ---------------------------------------------------------------- resync and retries

/** The vault's replication events of one type, oldest first, as the official client lists them. */
async function eventsOf(world: World, type: string): Promise<{ at: number; description: string }[]> {
  const events = await collect(world.env.asr.replicationEvents.list(world.setup.names.vault, world.setup.names.resourceGroup));
  return events
    .filter((e) => e.properties?.eventType === type)
    .map((e) => ({ at: time(e.properties?.timeOfOccurrence), description: e.properties?.description ?? "" }))
    .sort((a, b) => a.at - b.at);
}

/** The blocks of `diskGB` that differ after `writtenMB` of writes spread over a hot set of `hotSetPercent` of the disk (1 MiB blocks). */
function differingBlocks(writtenMB: number, diskGB: number, hotSetPercent: number): number {
  const hot = Math.round(diskGB * 1024 * (hotSetPercent / 100));
  return Math.ceil(hot * -Math.expm1(-writtenMB / hot));
}

const DB: HyperVVmShape = { name: "db-0", disksGB: [64], churnMBps: 16, hotSetPercent: 10 };

test("a fault that stops delta replication until the change log passes half the disk requires a resync, which sends only the differing blocks", async (t) => {
  const world = await protectedWorld(t, [DB]);
  const target = world.vms[DB.name] ?? "";
  const failedAt = now(world);
  const lastBefore = time(hyperVOf(t, await getItem(world)).lastReplicatedTime);
  world.env.emulator.control.failReplication({ target, durationMs: 3 * HOUR });
  const thresholdMs = ((0.5 * 64 * 1024) / 16) * 1000;

  advanceTo(world, failedAt + thresholdMs - 1000);
  const before = await getItem(world);
  t.is(before.properties?.replicationHealth, "Warning", "a recoverable failure: retried, not yet critical");
  t.false(before.properties?.allowedOperations?.includes("RepairReplication"));
  t.is(time(hyperVOf(t, before).lastReplicatedTime), lastBefore, "no delta cycle while replication fails");
  advanceTo(world, failedAt + thresholdMs + 1000);
  const needsResync = await getItem(world);
  t.is(needsResync.properties?.replicationHealth, "Critical");
  t.true(
    needsResync.properties?.healthErrors?.some((e) => e.errorCode === "150110"),
    "pending changes reached half the disk",
  );
  t.true(needsResync.properties?.allowedOperations?.includes("RepairReplication"));
  t.deepEqual(
    (await eventsOf(world, "ResyncRequired")).map((e) => e.at),
    [failedAt + thresholdMs],
  );

  // Started by hand 40 minutes after the failure (not waiting for the evening).
  advanceTo(world, failedAt + 40 * MINUTE);
  const recorder = responseRecorder();
  const repaired = await world.env.asr.replicationProtectedItems.beginRepairReplicationAndWait(...itemArgs(world, ITEM), withRecorder(recorder));
  const jobName = acceptedJob(t, world.env, recorder.responses, "repair replication");
  const job = await world.env.asr.replicationJobs.get(world.setup.names.vault, world.setup.names.resourceGroup, jobName);
  const pendingMB = 16 * 40 * 60;
  const blocks = differingBlocks(pendingMB, 64, 10);
  const task = job.properties?.tasks?.[0];
  t.is(
    task?.friendlyName,
    `Resynchronize: compare block checksums, send the ${blocks} differing blocks of ${64 * 1024} (${blocks} MB; ${pendingMB} MB of changes were logged)`,
  );
  t.true(blocks < 0.1 * 64 * 1024, "at most the hot set differs, though more than the hot set was written");
  t.is(
    time(job.properties?.endTime) - time(job.properties?.startTime),
    Math.ceil((blocks / HYPER_V_BANDWIDTH_MBPS) * 1000),
    "the resync lasts as long as sending the differing blocks",
  );
  t.is(repaired.properties?.replicationHealth, "Normal");
  t.deepEqual(repaired.properties?.healthErrors, []);
  const completed = await eventsOf(world, "ResyncCompleted");
  t.is(completed.length, 1);
  t.regex(completed[0]?.description ?? "", new RegExp(`^Resynchronization completed: ${blocks} MB sent`));
  world.env.emulator.control.advanceClock(10 * MINUTE);
  t.true(time(hyperVOf(t, await getItem(world)).lastReplicatedTime) > failedAt + 40 * MINUTE, "delta replication resumed");
});

test("a resync nobody starts by hand runs outside office hours (22:00 UTC) once the cause is gone, as a job the service starts", async (t) => {
  const world = await protectedWorld(t, [DB]);
  const failedAt = now(world);
  world.env.emulator.control.failReplication({ target: world.vms[DB.name] ?? "", durationMs: 3 * HOUR });
  const evening = new Date(failedAt);
  evening.setUTCHours(22, 0, 0, 0);
  advanceTo(world, evening.getTime() - MINUTE);
  const waiting = await getItem(world);
  t.is(waiting.properties?.replicationHealth, "Critical", "the cause is gone, but a resync must run first");
  t.false((await jobs(world)).some((j) => j.properties?.scenarioName === "RepairReplication"));
  advanceTo(world, evening.getTime() + HOUR);
  const resync = await jobNamed(t, world, "RepairReplication");
  t.is(time(resync.properties?.startTime), evening.getTime(), "started by the service at 22:00");
  t.is(resync.properties?.state, "Succeeded");
  t.is((await getItem(world)).properties?.replicationHealth, "Normal");
});

test("recoverable failures are retried 1, 2, 4, 8 and 10 minutes after the first attempt, then every 30 minutes; replication resumes at the first retry after the cause", async (t) => {
  const world = await protectedWorld(t);
  const failedAt = now(world);
  world.env.emulator.control.failReplication({ target: world.vms[VM.name] ?? "", durationMs: 75 * MINUTE, code: "151037" });
  advanceTo(world, failedAt + 20 * MINUTE);
  const failing = await getItem(world);
  t.is(failing.properties?.replicationHealth, "Warning");
  t.is(failing.properties?.healthErrors?.[0]?.errorCode, "151037");
  advanceTo(world, failedAt + 3 * HOUR);
  t.deepEqual(
    (await eventsOf(world, "ReplicationFailed")).map((e) => (e.at - failedAt) / MINUTE),
    [0],
  );
  const retries = await eventsOf(world, "ReplicationRetryFailed");
  t.deepEqual(
    retries.map((e) => (e.at - failedAt) / MINUTE),
    [1, 2, 4, 8, 10, 40, 70],
  );
  t.regex(retries[5]?.description ?? "", new RegExp(`^Retry 6 of replication failed: .*Next retry at ${new Date(failedAt + 70 * MINUTE).toISOString()}\\.$`));
  t.deepEqual(
    (await eventsOf(world, "ReplicationResumed")).map((e) => (e.at - failedAt) / MINUTE),
    [100],
    "the retry at 100 minutes, after the 75-minute cause, succeeded",
  );
  const resumed = await getItem(world);
  t.is(resumed.properties?.replicationHealth, "Normal");
  const points = await collect(world.env.asr.recoveryPoints.listByReplicationProtectedItems(...itemArgs(world, ITEM)));
  t.deepEqual(
    points.filter((p) => time(p.properties?.recoveryPointTime) > failedAt && time(p.properties?.recoveryPointTime) < failedAt + 100 * MINUTE),
    [],
    "no recovery points while replication was down",
  );
});

test("a non-recoverable failure is not retried: the item is Critical until an administrator repairs replication", async (t) => {
  const world = await protectedWorld(t);
  const failedAt = now(world);
  world.env.emulator.control.failReplication({ target: idOf(await getItem(world)), recoverable: false });
  advanceTo(world, failedAt + 3 * HOUR);
  const broken = await getItem(world);
  t.is(broken.properties?.replicationHealth, "Critical");
  t.true(broken.properties?.allowedOperations?.includes("RepairReplication"));
  t.deepEqual(await eventsOf(world, "ReplicationRetryFailed"), [], "never retried");
  t.regex((await eventsOf(world, "ReplicationFailed"))[0]?.description ?? "", /not recoverable/);
  const repaired = await world.env.asr.replicationProtectedItems.beginRepairReplicationAndWait(...itemArgs(world, ITEM), LRO);
  t.is(repaired.properties?.replicationHealth, "Normal");
  await refused(t, world.env.asr.replicationProtectedItems.beginRepairReplicationAndWait(...itemArgs(world, ITEM), LRO), 400, "OperationNotAllowed");
});

// ---------------------------------------------------------------- failover to Azure, failback, reprotect

/** The Hyper-V id of a VM (the last segment of its protectable item id). */
function hyperVIdOf(world: World, vmName = VM.name): string {
  return (world.vms[vmName] ?? "").split("/").at(-1) ?? "";
}

function onPremises(world: World, vmName = VM.name): { powerState: string; id: string; host: string } | undefined {
  return world.env.emulator.control.hyperVVms().find((vm) => vm.name === vmName);
}

/** Fails the item over to Azure (planned) and commits. */
async function failedOverAndCommitted(world: World): Promise<void> {
  await world.env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...itemArgs(world, ITEM), PLANNED_TO_AZURE, LRO);
  await world.env.asr.replicationProtectedItems.beginFailoverCommitAndWait(...itemArgs(world, ITEM), LRO);
}

test("the whole cycle in virtual time: planned failover to Azure (source shut down, no data loss), commit, failback to the original vm, commit, reverse replication, protected again", async (t) => {
  const world = await protectedWorld(t);
  const { env } = world;
  world.env.emulator.control.advanceClock(3 * HOUR + 2 * MINUTE);
  const lastCycle = time(hyperVOf(t, await getItem(world)).lastReplicatedTime);

  // Planned failover to Azure.
  const startedAt = now(world);
  const recorder = responseRecorder();
  const failedOver = await env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...itemArgs(world, ITEM), PLANNED_TO_AZURE, withRecorder(recorder));
  const failoverJob = await jobOfRecorder(t, world, recorder, "planned failover");
  t.is(failoverJob.properties?.scenarioName, "PlannedFailover");
  t.deepEqual(taskNames(failoverJob), ["PrerequisitesCheck", "ShutdownVm", "SyncLatestChanges", "CreateVm", "StartVm"]);
  t.is(
    failoverJob.properties?.tasks?.[2]?.friendlyName,
    `Synchronize the ${Math.round(((startedAt - lastCycle) / 1000) * 4)} MB of changes not replicated yet`,
    "what the last delta cycle did not send is synced after the shutdown",
  );
  const recovered = recoveredPoint(t, failoverJob);
  t.is(recovered.recoveryPointTime, startedAt, "recovered to the moment of the failover: no data loss");
  t.is(recovered.recoveryPointId, failedOver.properties?.failoverRecoveryPointId);
  stateIs(
    t,
    failedOver,
    ["PlannedFailoverCommitRequired", "Planned failover finished", "Recovery"],
    ["CompleteMigration", "Commit", "DisableProtection", "ChangePit"],
  );
  t.is(onPremises(world)?.powerState, "Off", "the source VM was shut down first");
  const azureVm = await env.compute.virtualMachines.get(HYPER_V_TARGET_RG, "sql-0-az");
  t.is(azureVm.location, "westeurope", "Hyper-V VMs fail over to the vault's region");
  t.is(azureVm.hardwareProfile?.vmSize, "Standard_D4s_v5");
  t.is(azureVm.tags?.["azure-dr:virtual-network"], virtualNetworkId("vnet-dr", HYPER_V_TARGET_RG, env.subscriptionId));
  t.true((await collect(env.asr.recoveryPoints.listByReplicationProtectedItems(...itemArgs(world, ITEM)))).length > 0, "recovery points stay until the commit");
  await refused(t, env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...itemArgs(world, ITEM), failbackInput(), LRO), 409, "OperationNotAllowed");

  const committed = await env.asr.replicationProtectedItems.beginFailoverCommitAndWait(...itemArgs(world, ITEM), LRO);
  stateIs(t, committed, ["PlannedFailoverStatesBegin", "Planned failover committed", "Recovery"], ["CompleteMigration", "DisableProtection", "Failback"]);
  t.deepEqual(await collect(env.asr.recoveryPoints.listByReplicationProtectedItems(...itemArgs(world, ITEM))), [], "commit deletes the recovery points");
  await refused(t, env.asr.replicationProtectedItems.beginReprotectAndWait(...itemArgs(world, ITEM), { properties: {} }, LRO), 409, "OperationNotAllowed");

  // The VM runs in Azure for two hours, then fails back to the original VM.
  world.env.emulator.control.advanceClock(2 * HOUR);
  const failbackAt = now(world);
  const failbackRecorder = responseRecorder();
  const failedBack = await env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(
    ...itemArgs(world, ITEM),
    failbackInput(),
    withRecorder(failbackRecorder),
  );
  const failbackJob = await jobOfRecorder(t, world, failbackRecorder, "failback");
  t.deepEqual(taskNames(failbackJob), ["PrerequisitesCheck", "SyncWhileRunning", "ShutdownAzureVm", "SyncFinalChanges", "StartOnPremisesVm"]);
  const writtenMB = ((failbackAt - time(committed.properties?.lastSuccessfulFailoverTime)) / 1000) * 4;
  const blocks = differingBlocks(writtenMB, 70, 100);
  const sync = failbackJob.properties?.tasks?.[1];
  t.is(sync?.friendlyName, `Synchronize while the Azure VM runs: compare block checksums, send the ${blocks} differing blocks of ${70 * 1024} (${blocks} MB)`);
  t.is(time(sync?.endTime) - time(sync?.startTime), Math.ceil((blocks / HYPER_V_BANDWIDTH_MBPS) * 1000), "only the blocks the Azure VM changed are sent back");
  stateIs(t, failedBack, ["PlannedFailoverCommitRequired", "Failback finished", "Primary"], ["Commit", "DisableProtection"]);
  t.is(onPremises(world)?.powerState, "Running", "the original VM runs on-premises again");
  t.is(
    (await env.compute.virtualMachines.instanceView(HYPER_V_TARGET_RG, "sql-0-az")).statuses?.find((s) => s.code?.startsWith("PowerState/") === true)?.code,
    "PowerState/stopped",
  );

  const failbackCommitted = await env.asr.replicationProtectedItems.beginFailoverCommitAndWait(...itemArgs(world, ITEM), LRO);
  stateIs(t, failbackCommitted, ["PlannedFailoverStatesBegin", "Failback committed", "Primary"], ["ReverseReplicate", "DisableProtection"]);
  await refused(t, env.compute.virtualMachines.get(HYPER_V_TARGET_RG, "sql-0-az"), 404);
  const { names } = world.setup;
  await refused(
    t,
    env.asr.replicationProtectionContainers.beginSwitchProtectionAndWait(
      names.vault,
      names.resourceGroup,
      names.site,
      names.container,
      { properties: { replicationProtectedItemName: ITEM, providerSpecificDetails: { instanceType: "A2A" } } },
      LRO,
    ),
    400,
    "OperationNotSupported",
  );

  // Reverse replication: only what the VM wrote since the failback is sent.
  world.env.emulator.control.advanceClock(30 * MINUTE);
  const reprotectRecorder = responseRecorder();
  const reprotected = await env.asr.replicationProtectedItems.beginReprotectAndWait(
    ...itemArgs(world, ITEM),
    {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        providerSpecificDetails: { instanceType: "HyperVReplicaAzure", hvHostVmId: hyperVIdOf(world), vmName: VM.name, osType: "Windows" },
      },
    },
    withRecorder(reprotectRecorder),
  );
  const reprotectJob = await jobOfRecorder(t, world, reprotectRecorder, "reprotect");
  t.is(reprotectJob.properties?.scenarioName, "ReverseReplicate");
  const changedBlocks = differingBlocks(
    ((time(reprotectJob.properties?.startTime) - time(failedBack.properties?.lastSuccessfulFailoverTime)) / 1000) * 4,
    70,
    100,
  );
  t.is(
    reprotectJob.properties?.tasks?.[2]?.friendlyName,
    `Send what the VM changed since the failback: the ${changedBlocks} differing blocks (${changedBlocks} MB)`,
  );
  t.like(reprotected.properties, { protectionState: "Protected", activeLocation: "Primary", replicationHealth: "Normal" });
  t.deepEqual(reprotected.properties?.allowedOperations, ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"]);
  world.env.emulator.control.advanceClock(HOUR + MINUTE);
  const again = await getItem(world);
  t.true(now(world) - time(hyperVOf(t, again).lastReplicatedTime) < 5 * MINUTE, "delta replication runs again");
  t.is(
    (await collect(env.asr.recoveryPoints.listByReplicationProtectedItems(...itemArgs(world, ITEM)))).length,
    2,
    "new recovery points from the reprotect on (at it, and an hour later)",
  );
});

test("unplanned failover recovers what Azure received (the last delta cycle) or a chosen point, leaves the source alone unless asked to shut it down, and can change its point before commit", async (t) => {
  const world = await protectedWorld(t);
  const { env } = world;
  world.env.emulator.control.advanceClock(3 * HOUR + 2 * MINUTE);
  const lastCycle = time(hyperVOf(t, await getItem(world)).lastReplicatedTime);
  const recorder = responseRecorder();
  const failedOver = await env.asr.replicationProtectedItems.beginUnplannedFailoverAndWait(
    ...itemArgs(world, ITEM),
    {
      properties: {
        failoverDirection: "PrimaryToRecovery",
        sourceSiteOperations: "NotRequired",
        providerSpecificDetails: { instanceType: "HyperVReplicaAzure" },
      },
    },
    withRecorder(recorder),
  );
  const job = await jobOfRecorder(t, world, recorder, "unplanned failover");
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "CreateVm", "StartVm"]);
  t.is(recoveredPoint(t, job).recoveryPointTime, lastCycle, "the latest data Azure has: the last delta cycle");
  stateIs(
    t,
    failedOver,
    ["UnplannedFailoverCommitPendingStatesBegin", "Failover completed", "Recovery"],
    ["CompleteMigration", "Commit", "DisableProtection", "ChangePit"],
  );
  t.is(onPremises(world)?.powerState, "Running", "the source is left alone");

  const points = await collect(env.asr.recoveryPoints.listByReplicationProtectedItems(...itemArgs(world, ITEM)));
  const older = points[2] as RecoveryPoint;
  const changed = await env.asr.replicationProtectedItems.beginApplyRecoveryPointAndWait(
    ...itemArgs(world, ITEM),
    { properties: { recoveryPointId: idOf(older), providerSpecificDetails: { instanceType: "HyperVReplicaAzure" } } },
    LRO,
  );
  t.is(changed.properties?.failoverRecoveryPointId, idOf(older));
  await refused(
    t,
    env.asr.replicationProtectedItems.beginApplyRecoveryPointAndWait(
      ...itemArgs(world, ITEM),
      { properties: { recoveryPointId: idOf(older), providerSpecificDetails: { instanceType: "A2A" } } },
      LRO,
    ),
    400,
    "InvalidParameter",
  );
  const committed = await env.asr.replicationProtectedItems.beginFailoverCommitAndWait(...itemArgs(world, ITEM), LRO);
  t.like(committed.properties, { protectionState: "UnplannedFailoverCommitted", protectionStateDescription: "Failover committed" });
  t.deepEqual(committed.properties?.allowedOperations, ["CompleteMigration", "DisableProtection", "Failback"]);

  // With sourceSiteOperations Required the VM is shut down and synced first, as a planned failover.
  const second = await protectedWorld(t, [VM]);
  await second.env.asr.replicationProtectedItems.beginUnplannedFailoverAndWait(
    ...itemArgs(second, ITEM),
    {
      properties: { failoverDirection: "PrimaryToRecovery", sourceSiteOperations: "Required", providerSpecificDetails: { instanceType: "HyperVReplicaAzure" } },
    },
    LRO,
  );
  t.is(onPremises(second)?.powerState, "Off");
  t.is((await getItem(second)).properties?.protectionState, "UnplannedFailoverCommitPendingStatesBegin");
});

test("failback creates the vm when it was deleted on-premises only when asked (CreateVmIfNotFound); a failed failback leaves the vm running in Azure", async (t) => {
  const world = await protectedWorld(t);
  const { env } = world;
  await failedOverAndCommitted(world);
  t.is((await wire(`${env.url}/_emulator/hyperV/vms/remove`, "POST", { target: world.vms[VM.name] })).status, 204);
  t.is(onPremises(world), undefined, "deleted on-premises");
  const error = await t.throwsAsync(env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...itemArgs(world, ITEM), failbackInput(), LRO));
  t.regex(error?.message ?? "", /OnPremisesVmNotFound/);
  const after = await getItem(world);
  t.like(after.properties, { protectionState: "PlannedFailoverStatesBegin", activeLocation: "Recovery" });
  t.true(after.properties?.allowedOperations?.includes("Failback"), "it can fail back again");
  t.is(
    (await env.compute.virtualMachines.instanceView(HYPER_V_TARGET_RG, "sql-0-az")).statuses?.find((s) => s.code?.startsWith("PowerState/") === true)?.code,
    "PowerState/running",
  );

  const recorder = responseRecorder();
  const failedBack = await env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(
    ...itemArgs(world, ITEM),
    failbackInput({ recoveryVmCreationOption: "CreateVmIfNotFound" }),
    withRecorder(recorder),
  );
  const job = await jobOfRecorder(t, world, recorder, "failback creating the vm");
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "CopyDisks", "ShutdownAzureVm", "SyncFinalChanges", "StartOnPremisesVm"]);
  t.is(job.properties?.tasks?.[1]?.friendlyName, "Copy the disks in full while the Azure VM runs (70 GB)", "a new VM gets the whole disks");
  const created = onPremises(world);
  t.like(created, { powerState: "Running", host: HYPER_V_HOST });
  t.not(created?.id, hyperVIdOf(world), "a new VM (a new Hyper-V id)");
  t.is(failedBack.properties?.protectableItemId, `${idOf(world.setup.container)}/replicationProtectableItems/${created?.id ?? ""}`, "the item now protects it");
});

test("failback to another host of the site (providerIdForAlternateRecovery) creates the vm there; ForSynchronization shuts the Azure vm down and downloads the disks in full", async (t) => {
  const world = await protectedWorld(t);
  const { env, setup } = world;
  const second = env.emulator.control.registerHyperVHosts({ fabricId: idOf(setup.site), hosts: [{ name: "hv-host-02" }] }).hosts[0]?.providerId ?? "";
  await failedOverAndCommitted(world);
  await refused(
    t,
    env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(
      ...itemArgs(world, ITEM),
      failbackInput({ providerIdForAlternateRecovery: `${idOf(setup.site)}/replicationRecoveryServicesProviders/nope` }),
      LRO,
    ),
    400,
    "InvalidParameter",
  );
  const error = await t.throwsAsync(
    env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...itemArgs(world, ITEM), failbackInput({ providerIdForAlternateRecovery: second }), LRO),
  );
  t.regex(error?.message ?? "", /AlternateLocationNeedsVmCreation/);

  const recorder = responseRecorder();
  await env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(
    ...itemArgs(world, ITEM),
    failbackInput({ providerIdForAlternateRecovery: second, recoveryVmCreationOption: "CreateVmIfNotFound", dataSyncOption: "ForSynchronization" }),
    withRecorder(recorder),
  );
  const job = await jobOfRecorder(t, world, recorder, "failback to another host");
  t.deepEqual(taskNames(job), ["PrerequisitesCheck", "ShutdownAzureVm", "DownloadDisks", "StartOnPremisesVm"]);
  const download = job.properties?.tasks?.[2];
  t.is(time(download?.endTime) - time(download?.startTime), Math.ceil(((70 * 1024) / HYPER_V_BANDWIDTH_MBPS) * 1000), "the whole disks, after the shutdown");
  const vms = env.emulator.control.hyperVVms().filter((vm) => vm.name === VM.name);
  t.deepEqual(
    vms.map((vm) => [vm.host, vm.powerState]),
    [
      [HYPER_V_HOST, "Off"],
      ["hv-host-02", "Running"],
    ],
    "the original stays off; the VM runs on the other host",
  );
  const providers = await collect(
    env.asr.replicationRecoveryServicesProviders.listByReplicationFabrics(setup.names.vault, setup.names.resourceGroup, setup.names.site),
  );
  t.is(providers.find((p) => p.id === second)?.properties?.protectedItemCount, 1, "the item is now on the other host");
});

test("hyper-v failovers are refused out of order or with another provider's input", async (t) => {
  const world = await hyperVWorld(t, [VM]);
  const { env } = world;
  const items = env.asr.replicationProtectedItems;
  const planned = (properties: Record<string, unknown>): Promise<unknown> => items.beginPlannedFailoverAndWait(...itemArgs(world, ITEM), { properties }, LRO);
  await enable(world);
  await refused(t, planned(PLANNED_TO_AZURE.properties), 409, "OperationNotAllowed");
  env.emulator.control.advanceClock(2 * HOUR);
  const cases: [string, () => Promise<unknown>, number, string][] = [
    ["a failback while protected", () => items.beginPlannedFailoverAndWait(...itemArgs(world, ITEM), failbackInput(), LRO), 409, "OperationNotAllowed"],
    [
      "a failback input's direction without the failback input",
      () => planned({ failoverDirection: "RecoveryToPrimary", providerSpecificDetails: { instanceType: "HyperVReplicaAzure" } }),
      409,
      "OperationNotAllowed",
    ],
    [
      "a recovery point for a planned failover (it syncs the latest)",
      () => planned({ failoverDirection: "PrimaryToRecovery", providerSpecificDetails: { instanceType: "HyperVReplicaAzure", recoveryPointId: "x" } }),
      400,
      "InvalidParameter",
    ],
    [
      "an A2A input",
      () =>
        items.beginUnplannedFailoverAndWait(
          ...itemArgs(world, ITEM),
          { properties: { failoverDirection: "PrimaryToRecovery", sourceSiteOperations: "NotRequired", providerSpecificDetails: { instanceType: "A2A" } } },
          LRO,
        ),
      400,
      "InvalidParameter",
    ],
  ];
  for (const [what, call, status, code] of cases) t.regex(await refused(t, call(), status, code), /./, what);
  t.is((await getItem(world)).properties?.protectionState, "Protected", "nothing happened");
});

test("a test failover of a hyper-v item brings a copy up in an isolated network and is cleaned up", async (t) => {
  const world = await protectedWorld(t);
  const { env } = world;
  const tested = await env.asr.replicationProtectedItems.beginTestFailoverAndWait(...itemArgs(world, ITEM), testFailoverInput(env.subscriptionId), LRO);
  t.like(tested.properties, { testFailoverState: "WaitingForCompletion", protectionState: "Protected" });
  t.is(
    (await env.compute.virtualMachines.get(HYPER_V_TARGET_RG, "sql-0-az-test")).tags?.["azure-dr:virtual-network"],
    virtualNetworkId("vnet-test", HYPER_V_TARGET_RG, env.subscriptionId),
  );
  t.is(onPremises(world)?.powerState, "Running", "the source is untouched");
  await env.asr.replicationProtectedItems.beginTestFailoverCleanupAndWait(...itemArgs(world, ITEM), { properties: {} }, LRO);
  await refused(t, env.compute.virtualMachines.get(HYPER_V_TARGET_RG, "sql-0-az-test"), 404);
});

// ---------------------------------------------------------------- disable, and refused inputs

test("enable inputs are checked: the protectable item, the disks (the OS disk always), the storage, the placement and a vm protected once", async (t) => {
  const world = await hyperVWorld(t, [VM, { name: "web-0", disksGB: [30] }]);
  const { env } = world;
  const create = (properties: Record<string, unknown>, item = ITEM): Promise<ReplicationProtectedItem> =>
    env.asr.replicationProtectedItems.beginCreateAndWait(...itemArgs(world, item), { properties: { policyId: idOf(world.setup.policy), ...properties } }, LRO);
  const provider = (extra: Partial<HyperVReplicaAzureEnableProtectionInput> = {}): HyperVReplicaAzureEnableProtectionInput =>
    enableInput(world, VM.name, extra);
  const protectable = world.vms[VM.name] ?? "";
  const vhds = vmDetailsOf(
    (
      await env.asr.replicationProtectableItems.get(
        world.setup.names.vault,
        world.setup.names.resourceGroup,
        world.setup.names.site,
        world.setup.names.container,
        hyperVIdOf(world),
      )
    ).properties?.customDetails,
  );
  const vhdIds = (vhds?.diskDetails ?? []).map((d) => d.vhdId ?? "");
  await refused(
    t,
    create({
      protectableItemId: `${idOf(world.setup.container)}/replicationProtectableItems/00000000-0000-0000-0000-000000000000`,
      providerSpecificDetails: provider(),
    }),
    400,
    "ProtectableItemNotFound",
  );
  await refused(t, create({ protectableItemId: protectable, providerSpecificDetails: provider({ disksToInclude: ["not-a-disk"] }) }), 400, "InvalidParameter");
  await refused(
    t,
    create({ protectableItemId: protectable, providerSpecificDetails: provider({ disksToInclude: [vhdIds[1] ?? ""] }) }),
    400,
    "OsDiskNotSelected",
  );
  await refused(t, create({ protectableItemId: protectable, providerSpecificDetails: provider({ useManagedDisks: "false" }) }), 400, "InvalidParameter");
  await refused(t, create({ protectableItemId: protectable, providerSpecificDetails: provider({ useManagedDisks: "maybe" }) }), 400, "InvalidParameter");
  await refused(
    t,
    create({
      protectableItemId: protectable,
      providerSpecificDetails: provider({
        targetAvailabilitySetId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/availabilitySets/z",
        targetAvailabilityZone: "1",
      }),
    }),
    400,
    "InvalidParameter",
  );
  await refused(
    t,
    create({ protectableItemId: protectable, providerSpecificDetails: provider({ targetAzureV1ResourceGroupId: "/subscriptions/x/resourceGroups/classic" }) }),
    400,
    "InvalidParameter",
  );
  await refused(
    t,
    create({
      protectableItemId: protectable,
      providerSpecificDetails: provider({
        targetAzureSubnetId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/other/subnets/s",
      }),
    }),
    400,
    "InvalidParameter",
  );
  t.deepEqual(
    await collect(env.asr.replicationProtectedItems.list(world.setup.names.vault, world.setup.names.resourceGroup)),
    [],
    "nothing refused was created",
  );

  const enabled = await create({
    protectableItemId: protectable,
    providerSpecificDetails: provider({ disksToInclude: [vhdIds[0] ?? "", vhdIds[2] ?? ""], diskType: "Premium_LRS" }),
  });
  t.deepEqual(
    hyperVOf(t, enabled).protectedManagedDisks?.map((d) => [d.diskId, d.replicaDiskType]),
    [
      [vhdIds[0], "Premium_LRS"],
      [vhdIds[2], "Premium_LRS"],
    ],
    "only the disks asked for (the OS disk among them) replicate",
  );
  t.is(
    hyperVOf(t, await create({ protectableItemId: protectable, providerSpecificDetails: provider() })).vmId,
    hyperVIdOf(world),
    "the same request again answers the item",
  );
  await refused(t, create({ protectableItemId: protectable, providerSpecificDetails: provider() }, "item-other"), 409, "ProtectionAlreadyEnabled");
  await refused(t, create({ protectableItemId: world.vms["web-0"], providerSpecificDetails: enableInput(world, "web-0") }), 409, "ReplicatedItemNameTaken");
});

test("disabling protection during initial replication stops it; a protected vm shows as unprotected again once its item is removed or purged", async (t) => {
  const world = await hyperVWorld(t, [VM, { name: "web-0", disksGB: [30] }]);
  const { env } = world;
  const { names } = world.setup;
  await enable(world);
  await env.asr.replicationProtectedItems.beginDeleteAndWait(...itemArgs(world, ITEM), { properties: { disableProtectionReason: "NotSpecified" } }, LRO);
  await refused(t, getItem(world), 404);
  t.is((await jobNamed(t, world, "InitialReplication")).properties?.state, "Cancelled", "the initial replication job stops with its item");
  const protectable = (vm: string): Promise<ProtectableItem> =>
    env.asr.replicationProtectableItems.get(names.vault, names.resourceGroup, names.site, names.container, hyperVIdOf(world, vm));
  t.is((await protectable(VM.name)).properties?.protectionStatus, "Unprotected");

  await enable(world, "web-0", "item-web-0");
  env.emulator.control.advanceClock(HOUR);
  t.is((await protectable("web-0")).properties?.protectionStatus, "Protected");
  await env.asr.replicationProtectedItems.beginPurgeAndWait(...itemArgs(world, "item-web-0"), LRO);
  t.is((await protectable("web-0")).properties?.protectionStatus, "Unprotected");
  t.deepEqual(await collect(env.asr.replicationProtectedItems.list(names.vault, names.resourceGroup)), []);
});

// ---------------------------------------------------------------- the official examples

const SITE_RECOVERY_EXAMPLES = path.join(EXAMPLES_ROOT, "siterecovery");
/** The Recovery Services provider the examples' items name (`recoveryServicesProviderId`). */
const EXAMPLE_PROVIDER = "241641e6-ee7b-4ee4-8141-821fadda43fa";
const EXAMPLE_POLICY = "protectionprofile1";

/** A Hyper-V world under an example's names: its vault, site, container and policy, a host with the example's provider and a VM whose Hyper-V id is `vmId`. */
interface ExampleWorld extends World {
  example: Example;
  vaultPath: string;
  itemPath: string;
}

async function exampleWorld(t: ExecutionContext, file: string, options: { itemName?: string; vmId?: string } = {}): Promise<ExampleWorld> {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, file);
  const subscriptionId = stringParameter(example, "subscriptionId");
  const env = await loopbackHyperV(t, HYPER_V_BANDWIDTH_MBPS, subscriptionId);
  const names = {
    resourceGroup: stringParameter(example, "resourceGroupName"),
    vault: stringParameter(example, "resourceName"),
    site: stringParameter(example, "fabricName"),
    container: stringParameter(example, "protectionContainerName"),
    policy: EXAMPLE_POLICY,
  };
  const setup = await buildHyperVReplication(env, { names });
  const itemName = options.itemName ?? stringParameter(example, "replicatedProtectedItemName");
  const vmId = options.vmId ?? itemName;
  env.emulator.control.registerHyperVHosts({
    fabricId: idOf(setup.site),
    hosts: [{ name: HYPER_V_HOST, id: EXAMPLE_PROVIDER, vms: [{ name: "vm1", id: vmId, disks: [{ name: "vm1.vhdx", sizeGB: 40 }], churnMBps: 2 }] }],
  });
  const vaultPath = `/subscriptions/${subscriptionId}/resourceGroups/${names.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${names.vault}`;
  return {
    env,
    setup,
    vms: { vm1: `${idOf(setup.container)}/replicationProtectableItems/${vmId}` },
    example,
    vaultPath,
    itemPath: `${vaultPath}/replicationFabrics/${names.site}/replicationProtectionContainers/${names.container}/replicationProtectedItems/${itemName}`,
  };
}

/** Protects the world's VM as the example's item (official client) and runs initial replication to the end. */
async function protectExampleItem(world: ExampleWorld, item = stringParameter(world.example, "replicatedProtectedItemName")): Promise<void> {
  await enable(world, "vm1", item);
  world.env.emulator.control.advanceClock(2 * HOUR);
}

/** A test failover and its cleanup (the examples' items had one: lastSuccessfulTestFailoverTime). */
async function testedOnce(world: ExampleWorld): Promise<void> {
  const args = itemArgs(world, stringParameter(world.example, "replicatedProtectedItemName"));
  await world.env.asr.replicationProtectedItems.beginTestFailoverAndWait(
    ...args,
    {
      properties: {
        networkType: "VmNetworkAsInput",
        networkId: virtualNetworkId("vnet-test", HYPER_V_TARGET_RG, world.env.subscriptionId),
        providerSpecificDetails: { instanceType: "HyperVReplicaAzure" },
      },
    },
    LRO,
  );
  await world.env.asr.replicationProtectedItems.beginTestFailoverCleanupAndWait(...args, { properties: {} }, LRO);
}

/**
 * What of an example's item records its history rather than its state (when it failed over or was
 * tested, which point it used) or Azure's internals (`recoveryContainerId` names Azure's own
 * fabric): its type is compared, not its value.
 */
const ITEM_HISTORY_KEYS = [
  "properties.recoveryContainerId",
  "properties.failoverRecoveryPointId",
  "properties.lastSuccessfulFailoverTime",
  "properties.lastSuccessfulTestFailoverTime",
];

/**
 * Compares an item with the example's 200 body: every key of the example is present with its JSON
 * type, and every value is the example's but the history ({@link ITEM_HISTORY_KEYS}) and
 * `notCompared` (state the example's own history explains).
 */
function compareHyperVItem(t: ExecutionContext, example: Example, actual: unknown, notCompared: readonly string[] = []): void {
  const expected = example.responses["200"]?.body;
  const without = notCompared.map((key) => `properties.${key}`);
  const keys = leafKeys(withoutKeys(expected, without));
  t.deepEqual(absentKeys(expected, actual, keys), [], "the example's keys are present");
  assertLikeExample(
    t,
    expected,
    actual,
    keys.filter((key) => !ITEM_HISTORY_KEYS.includes(key)),
    without,
  );
}

function exampleUrl(world: ExampleWorld, pathname: string): string {
  return `${world.env.url}${pathname}?api-version=${stringParameter(world.example, "api-version")}`;
}

test("replays ReplicationProtectedItems_Create (HyperVReplicaAzure, the example's input as is) with a 202, initial replication, and the example's item once protected", async (t) => {
  const world = await exampleWorld(t, "2025-08-01/ReplicationProtectedItems_Create.json");
  const { example } = world;
  // Not adapted: the input names the policy, the protectable item and the provider only; the emulator applies its defaults (inferred).
  const replay = await replayAccepted(t, world.env.url, example, "PUT", exampleUrl(world, world.itemPath), objectParameter(example, "input"));
  t.like(replay.result?.properties, { protectionState: "UnprotectedStatesBegin", currentScenario: { scenarioName: "InitialReplication" } });
  world.env.emulator.control.advanceClock(2 * HOUR);
  const read = await wire(exampleUrl(world, world.itemPath), "GET");
  t.is(read.status, 200);
  compareHyperVItem(t, example, read.json);
});

test("replays ReplicationProtectedItems_Get on a protected hyper-v item with the example's body", async (t) => {
  const world = await exampleWorld(t, "2023-06-01/ReplicationProtectedItems_Get.json");
  await protectExampleItem(world);
  const read = await wire(exampleUrl(world, world.itemPath), "GET");
  t.is(read.status, 200);
  compareHyperVItem(t, world.example, read.json);
});

test("replays RecoveryPoints_ListByReplicationProtectedItems of a hyper-v item: crash-consistent points an hour apart, with the example's shape", async (t) => {
  const world = await exampleWorld(t, "2025-08-01/RecoveryPoints_ListByReplicationProtectedItems.json");
  await protectExampleItem(world);
  world.env.emulator.control.advanceClock(2 * HOUR);
  const read = await wire(exampleUrl(world, `${world.itemPath}/recoveryPoints`), "GET");
  t.is(read.status, 200);
  const expected = world.example.responses["200"]?.body;
  t.deepEqual(shapeMismatches(expected, read.json), [], "every point has the example's JSON types");
  const points = isObject(read.json) && Array.isArray(read.json.value) ? read.json.value : [];
  t.true(points.length >= 2);
  const template = (valueAt(expected, "value") as unknown[])[0];
  for (const point of points) {
    t.is(valueAt(point, "type"), valueAt(template, "type"));
    t.true(String(valueAt(point, "id")).toLowerCase().startsWith(`${world.itemPath}/recoveryPoints/`.toLowerCase()));
    t.is(valueAt(point, "properties.providerSpecificDetails"), undefined, "as in the example, no provider details");
  }
  const crash = points
    .filter((p) => valueAt(p, "properties.recoveryPointType") === "CrashConsistent")
    .map((p) => Date.parse(String(valueAt(p, "properties.recoveryPointTime"))));
  t.true(crash.length >= 2 && crash.every((x, i) => i === 0 || (crash[i - 1] as number) - x === HOUR), "an hour apart, as the example's two points are");
});

test("replays ReplicationProtectedItems_RepairReplication on a hyper-v item whose replication broke, with a 202 and the example's item once resynchronized", async (t) => {
  const world = await exampleWorld(t, "2023-06-01/ReplicationProtectedItems_RepairReplication.json");
  await protectExampleItem(world);
  world.env.emulator.control.failReplication({ target: world.vms.vm1 ?? "", recoverable: false });
  // Not adapted: repair replication has no body.
  const replay = await replayAccepted(t, world.env.url, world.example, "POST", exampleUrl(world, `${world.itemPath}/repairReplication`), undefined);
  compareHyperVItem(t, world.example, replay.result);
});

test("replays ReplicationProtectedItems_PlannedFailover (HyperVReplicaAzure, as is) with a 202 and the example's item", async (t) => {
  const world = await exampleWorld(t, "2025-08-01/ReplicationProtectedItems_PlannedFailover.json");
  await protectExampleItem(world);
  await testedOnce(world);
  const replay = await replayAccepted(
    t,
    world.env.url,
    world.example,
    "POST",
    exampleUrl(world, `${world.itemPath}/plannedFailover`),
    objectParameter(world.example, "failoverInput"),
  );
  // The example's item still shows its earlier test failover being cleaned up (MarkedForDeletion); this one is cleaned up.
  compareHyperVItem(t, world.example, replay.result, ["testFailoverState", "testFailoverStateDescription"]);
  t.is(valueAt(replay.result, "properties.testFailoverState"), "None");
});

test("replays ReplicationProtectedItems_Reprotect (HyperVReplicaAzure, as is) after a failover, failback and their commits, with a 202 and the example's item", async (t) => {
  const world = await exampleWorld(t, "2025-08-01/ReplicationProtectedItems_Reprotect.json");
  await protectExampleItem(world);
  await testedOnce(world);
  const args = itemArgs(world, stringParameter(world.example, "replicatedProtectedItemName"));
  await world.env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...args, PLANNED_TO_AZURE, LRO);
  await world.env.asr.replicationProtectedItems.beginFailoverCommitAndWait(...args, LRO);
  await world.env.asr.replicationProtectedItems.beginPlannedFailoverAndWait(...args, failbackInput(), LRO);
  await world.env.asr.replicationProtectedItems.beginFailoverCommitAndWait(...args, LRO);
  const replay = await replayAccepted(
    t,
    world.env.url,
    world.example,
    "POST",
    exampleUrl(world, `${world.itemPath}/reProtect`),
    objectParameter(world.example, "reprotectInput"),
  );
  // Not compared: the example's item keeps the point of its last failover and its test failover's cleanup state; this one starts over.
  compareHyperVItem(t, world.example, replay.result, ["testFailoverState", "testFailoverStateDescription", "failoverRecoveryPointId"]);
});

for (const [file, method, suffix, bodyParameter] of [
  ["2025-08-01/ReplicationProtectedItems_Delete.json", "POST", "/remove", "disableProtectionInput"],
  ["2025-08-01/ReplicationProtectedItems_Purge.json", "DELETE", "", undefined],
] as const) {
  test(`replays ${file} on a protected hyper-v item with a 202, a completed operation and no item left`, async (t) => {
    const world = await exampleWorld(t, file, { vmId: "f8491e4f-817a-40dd-a90c-af773978c75b" });
    await protectExampleItem(world);
    const url = exampleUrl(world, `${world.itemPath}${suffix}`);
    const response = await wire(url, method, bodyParameter === undefined ? undefined : objectParameter(world.example, bodyParameter));
    t.true(String(response.status) in world.example.responses, `answered ${response.status}: ${JSON.stringify(response.json)}`);
    t.is(response.status, 202);
    t.regex(response.headers.get("retry-after") ?? "", /^\d+$/);
    const statusLink = response.headers.get("azure-asyncoperation") ?? "";
    let status: unknown;
    for (let poll = 0; poll < 100; poll++) {
      status = (await wire(statusLink, "GET")).json;
      if (!isObject(status) || status.status !== "InProgress") break;
    }
    t.like(status, { status: "Succeeded" });
    t.is((await wire(response.headers.get("location") ?? "", "GET")).status, 204, "the operation's result: nothing (the item is gone)");
    t.is((await wire(exampleUrl(world, world.itemPath), "GET")).status, 404);
    const protectable = await world.env.asr.replicationProtectableItems.get(
      world.setup.names.vault,
      world.setup.names.resourceGroup,
      world.setup.names.site,
      world.setup.names.container,
      "f8491e4f-817a-40dd-a90c-af773978c75b",
    );
    t.is(protectable.properties?.protectionStatus, "Unprotected");
  });
}

test("replays ReplicationNetworkMappings_Create (VmmToAzure) on a vm network the site's vmm server reported, with a 202 and the example's mapping", async (t) => {
  const example = loadExample(SITE_RECOVERY_EXAMPLES, "2023-06-01/ReplicationNetworkMappings_Create.json");
  const subscriptionId = stringParameter(example, "subscriptionId");
  const env = await loopbackSiteRecovery(t, { startTime: HYPER_V_START }, subscriptionId);
  const setup = await buildHyperVReplication(env, {
    names: {
      ...HYPER_V_NAMES,
      resourceGroup: stringParameter(example, "resourceGroupName"),
      vault: stringParameter(example, "resourceName"),
      site: stringParameter(example, "fabricName"),
    },
  });
  env.emulator.control.registerHyperVHosts({
    fabricId: idOf(setup.site),
    hosts: [{ name: HYPER_V_HOST }],
    networks: [{ name: stringParameter(example, "networkName"), friendlyName: "corp" }],
  });
  const networks = await collect(env.asr.replicationNetworks.listByReplicationFabrics(setup.names.vault, setup.names.resourceGroup, setup.names.site));
  t.deepEqual(
    networks.map((n) => [n.name, n.properties?.friendlyName]),
    [[stringParameter(example, "networkName"), "corp"]],
  );
  const pathname = `/subscriptions/${subscriptionId}/resourceGroups/${setup.names.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${setup.names.vault}/replicationFabrics/${setup.names.site}/replicationNetworks/${stringParameter(example, "networkName")}/replicationNetworkMappings/${stringParameter(example, "networkMappingName")}`;
  const replay = await replayAccepted(
    t,
    env.url,
    example,
    "PUT",
    `${env.url}${pathname}?api-version=${stringParameter(example, "api-version")}`,
    objectParameter(example, "input"),
  );
  // Not compared: primaryNetworkId (the example's names another fabric than its path), primaryFabricFriendlyName (its VMM server's name) and recoveryFabricArmId (Azure's internal fabric).
  assertLikeExample(t, example.responses["200"]?.body, replay.result, [
    "id",
    "name",
    "type",
    "properties.state",
    "properties.primaryNetworkFriendlyName",
    "properties.recoveryNetworkFriendlyName",
    "properties.recoveryNetworkId",
    "properties.recoveryFabricFriendlyName",
    "properties.fabricSpecificSettings",
  ]);
  await refused(
    t,
    env.asr.replicationNetworkMappings.beginCreateAndWait(
      setup.names.vault,
      setup.names.resourceGroup,
      setup.names.site,
      stringParameter(example, "networkName"),
      "second",
      {
        properties: {
          recoveryFabricName: MICROSOFT_AZURE,
          recoveryNetworkId: virtualNetworkId("other"),
          fabricSpecificDetails: { instanceType: "VmmToAzure" },
        },
      },
      LRO,
    ),
    409,
    "NetworkMappingAlreadyExists",
  );
});
