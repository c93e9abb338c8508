// Hyper-V to Azure through the SDK (`dr.hyperV`) on the embedded fake, in virtual time: the site,
// its hosts and VMs, protection and its progress, failover to Azure, commit, failback, commit,
// reprotect; resynchronization; refusals that change nothing.
import test, { type ExecutionContext } from "ava";
import {
  InvalidStateError,
  OperationFailedError,
  ValidationError,
  type DrClient,
  type FakeBackend,
  type HyperVProtectedVm,
  type HyperVSite,
} from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { SUB } from "../helpers/fixtures.js";
import { rgId } from "../helpers/siteRecoveryFixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const VAULT = { resourceGroup: "onprem-dr-rg", name: "onprem-vault" };
const LOG_ACCOUNT = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Storage/storageAccounts/hvlogwesteurope`;
const VNET = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Network/virtualNetworks/vnet-dr`;
const TEST_VNET = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Network/virtualNetworks/vnet-test`;
/** 64 MB/s per VM: a 40 GB disk copies in 640 s. */
const BANDWIDTH = 64;
/** A Monday morning (UTC). */
const START = new Date("2026-03-02T08:00:00Z");

interface World {
  dr: DrClient;
  backend: FakeBackend;
  site: HyperVSite;
}

/** A vault in West Europe, a HyperVReplicaAzure policy, a prepared site and one host with `vms`. */
async function hyperVWorld(
  t: ExecutionContext,
  vms: { name: string; disksGB: number[]; churnMBps?: number; hotSetPercent?: number }[] = [{ name: "sql-0", disksGB: [40, 20], churnMBps: 4 }],
): Promise<World> {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: BANDWIDTH, startTime: START });
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "hyperv-5min", { kind: "HyperVReplicaAzure", copyFrequencySeconds: 300, recoveryPointRetentionHours: 24 });
  const site = await dr.hyperV.prepareSite(VAULT, { siteName: "site-onprem", policyName: "hyperv-5min" });
  backend.emulator.control.registerHyperVHosts({
    fabricId: site.siteId,
    hosts: [
      {
        name: "hv-host-01",
        vms: vms.map((vm) => ({
          name: vm.name,
          disks: vm.disksGB.map((sizeGB, i) => ({ name: `${vm.name}-disk${i}.vhdx`, sizeGB })),
          ...(vm.churnMBps === undefined ? {} : { churnMBps: vm.churnMBps }),
          ...(vm.hotSetPercent === undefined ? {} : { hotSetPercent: vm.hotSetPercent }),
        })),
      },
    ],
  });
  return { dr, backend, site };
}

async function protectSql(world: World, vmName = "sql-0"): Promise<HyperVProtectedVm> {
  const item = await world.dr.hyperV.protect(world.site, {
    vmName,
    targetResourceGroupId: rgId("onprem-dr-rg"),
    targetVmName: `${vmName}-az`,
    targetNetworkId: VNET,
    targetSubnetName: "default",
    logStorageAccountId: LOG_ACCOUNT,
  });
  return world.dr.hyperV.waitForProtection(item.id);
}

function onPremises(world: World, vmName = "sql-0"): { powerState: string; id: string } | undefined {
  return world.backend.emulator.control.hyperVVms().find((vm) => vm.name === vmName);
}

test("prepareSite builds the site, its container and the mapping to Azure once; hosts and discovered VMs are listed", async (t) => {
  const world = await hyperVWorld(t, [
    { name: "sql-0", disksGB: [40, 20] },
    { name: "web-0", disksGB: [30] },
  ]);
  const { dr, site } = world;
  t.is(site.created.length, 3, "site, container, mapping");
  t.regex(site.containerId, /\/replicationFabrics\/site-onprem\/replicationProtectionContainers\/site-onprem-container$/);
  const again = await dr.hyperV.prepareSite(VAULT, { siteName: "site-onprem", policyName: "hyperv-5min" });
  t.deepEqual(again, { ...site, created: [] }, "idempotent: nothing is created twice");

  const hosts = await dr.hyperV.listHosts(VAULT, "site-onprem");
  t.deepEqual(
    hosts.map((h) => [h.name, h.connectionStatus, h.protectedVmCount]),
    [["hv-host-01", "Connected", 0]],
  );
  const vms = await dr.hyperV.listVms(site);
  t.deepEqual(vms.map((vm) => vm.name).sort(), ["sql-0", "web-0"]);
  const sql = vms.find((vm) => vm.name === "sql-0");
  t.deepEqual(
    sql?.disks.map((d) => [d.name, d.sizeGB, d.isOsDisk]),
    [
      ["sql-0-disk0.vhdx", 40, true],
      ["sql-0-disk1.vhdx", 20, false],
    ],
  );
  t.is(sql?.protectionStatus, "Unprotected");
  t.is(sql?.hostId, hosts[0]?.id);

  await dr.replicationPolicies.createOrUpdate(VAULT, "a2a-policy", { kind: "A2A" });
  const error = await t.throwsAsync(dr.hyperV.prepareSite(VAULT, { siteName: "site-2", policyName: "a2a-policy" }), { instanceOf: ValidationError });
  t.is(error?.field, "policyName");
  await t.throwsAsync(dr.hyperV.listHosts(VAULT, "site-2"), { code: "ResourceNotFound" }, "the refused call created no site");
});

test("the whole cycle in virtual time: protect with progress, planned failover to Azure without data loss, commit, failback to the original VM, commit, reprotect, protected again", async (t) => {
  const world = await hyperVWorld(t);
  const { dr } = world;
  const enabled = await dr.hyperV.protect(world.site, {
    vmName: "sql-0",
    targetResourceGroupId: rgId("onprem-dr-rg"),
    targetVmName: "sql-0-az",
    targetNetworkId: VNET,
    logStorageAccountId: LOG_ACCOUNT,
  });
  t.is(enabled.phase, "initialReplication");
  t.is(enabled.vmName, "sql-0");
  t.deepEqual(
    enabled.disks.map((d) => d.sizeGB),
    [40, 20],
  );
  const retry = await dr.hyperV.protect(world.site, {
    vmName: "sql-0",
    targetResourceGroupId: rgId("onprem-dr-rg"),
    targetVmName: "sql-0-az",
    logStorageAccountId: LOG_ACCOUNT,
  });
  t.is(retry.id, enabled.id, "a retry returns the same item");

  const readings: number[] = [];
  const startedAt = dr.clock.now().getTime();
  const protectedVm = await dr.hyperV.waitForProtection(enabled.id, { onProgress: ({ percent }) => readings.push(percent) });
  t.is(protectedVm.phase, "protected");
  t.is(protectedVm.replicationHealth, "Normal");
  t.deepEqual(protectedVm.allowedOperations, ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"]);
  const copyMs = ((60 * 1024) / BANDWIDTH) * 1000;
  t.true(dr.clock.now().getTime() - startedAt >= copyMs, "the copy takes the disks' size at the bandwidth");
  t.true(readings.length <= 8, `a few readings, not a poll every 30 s (${readings.length})`);
  t.deepEqual(
    readings,
    [...readings].sort((a, b) => a - b),
    "progress only grows",
  );
  t.is(readings.at(-1), 100);
  t.is((await dr.hyperV.listVms(world.site)).find((vm) => vm.name === "sql-0")?.protectedVmId, enabled.id);

  await dr.clock.sleep(3 * HOUR);
  const replicating = await dr.hyperV.get(enabled.id);
  t.true((replicating.rpoSeconds ?? Infinity) < 300, "delta cycles every 5 minutes");
  t.true((await dr.hyperV.recoveryPoints(enabled.id)).length >= 3, "hourly recovery points");

  const failedOver = await dr.hyperV.failover(enabled.id, { kind: "planned" });
  t.is(failedOver.protectedVm.phase, "failedOver");
  t.is(failedOver.protectedVm.activeLocation, "Recovery");
  t.is(failedOver.dataLossSeconds, 0, "planned: no data loss");
  t.is(failedOver.recoveryPointTime?.getTime(), failedOver.startedAt.getTime());
  t.is(onPremises(world)?.powerState, "Off", "the source VM was shut down first");
  t.is((await dr.virtualMachines.getStatus("onprem-dr-rg", "sql-0-az")).powerState, "running");

  const refused = await t.throwsAsync(dr.hyperV.failback(enabled.id), { instanceOf: InvalidStateError });
  t.regex(refused?.message ?? "", /'Failback' is not allowed while the VM is failed over/);

  const committed = await dr.hyperV.commit(enabled.id);
  t.is(committed.phase, "committed");
  t.deepEqual(await dr.hyperV.recoveryPoints(enabled.id), [], "commit deletes the recovery points");

  await dr.clock.sleep(2 * HOUR);
  const failedBack = await dr.hyperV.failback(enabled.id, { dataSync: "ForDownTime" });
  t.is(failedBack.protectedVm.phase, "failedBack");
  t.is(failedBack.protectedVm.activeLocation, "Primary");
  t.is(onPremises(world)?.powerState, "Running", "the original VM runs again");
  const failbackCommitted = await dr.hyperV.commit(enabled.id);
  t.is(failbackCommitted.phase, "failbackCommitted");
  await t.throwsAsync(dr.virtualMachines.get("onprem-dr-rg", "sql-0-az"), { code: "ResourceNotFound" });

  const reprotected = await dr.hyperV.reprotect(enabled.id);
  t.is(reprotected.phase, "protected");
  await dr.clock.sleep(HOUR + MINUTE);
  const again = await dr.hyperV.get(enabled.id);
  t.true((again.rpoSeconds ?? Infinity) < 300, "delta replication runs again");

  const listed = [];
  for await (const vm of dr.hyperV.list(VAULT)) listed.push(vm.id);
  t.deepEqual(listed, [enabled.id]);
  const a2a = [];
  for await (const vm of dr.protectedVms.list(VAULT)) a2a.push(vm.id);
  t.deepEqual(a2a, [], "Azure-to-Azure lists leave Hyper-V items out");
});

test("unplanned failover recovers what Azure received and reports the data lost; the point can change before commit", async (t) => {
  const world = await hyperVWorld(t);
  const { dr } = world;
  const vm = await protectSql(world);
  await dr.clock.sleep(3 * HOUR + 2 * MINUTE);
  const before = await dr.hyperV.get(vm.id);
  const lastCycle = before.lastReplicatedTime?.getTime() ?? 0;
  const result = await dr.hyperV.failover(vm.id, { kind: "unplanned" });
  t.is(result.recoveryPointTime?.getTime(), lastCycle, "the last delta cycle Azure received");
  t.is(result.dataLossSeconds, Math.round((result.startedAt.getTime() - lastCycle) / 1000));
  t.true(result.dataLossSeconds > 0);
  t.is(onPremises(world)?.powerState, "Running", "the source is left alone");

  const points = await dr.hyperV.recoveryPoints(vm.id);
  const older = points[2];
  if (older === undefined) return t.fail("no third recovery point");
  const changed = await dr.hyperV.changeRecoveryPoint(vm.id, older.id);
  t.is(changed.protectedVm.failoverRecoveryPointId, older.id);
  t.is(changed.recoveryPointTime?.getTime(), older.time.getTime());
  t.true(changed.dataLossSeconds > result.dataLossSeconds, "an older point loses more");
  const committed = await dr.hyperV.commit(vm.id);
  t.is(committed.phase, "committed");
  t.true(committed.allowedOperations.includes("Failback"));
});

test("a fault that blocks delta replication until the log passes half the disk requires a resync; the SDK resynchronizes and only differing blocks are sent", async (t) => {
  const world = await hyperVWorld(t, [{ name: "db-0", disksGB: [64], churnMBps: 16, hotSetPercent: 10 }]);
  const { dr, backend } = world;
  const vm = await protectSql(world, "db-0");
  await t.throwsAsync(dr.hyperV.resynchronize(vm.id), { instanceOf: InvalidStateError }, "no resync is needed while healthy");
  const failedAt = dr.clock.now().getTime();
  backend.emulator.control.failReplication({ target: vm.id, durationMs: 3 * HOUR });
  const thresholdMs = ((0.5 * 64 * 1024) / 16) * 1000;
  await dr.clock.sleep(thresholdMs - MINUTE);
  const warning = await dr.hyperV.get(vm.id);
  t.is(warning.replicationHealth, "Warning");
  t.false(warning.resyncRequired);
  await dr.clock.sleep(2 * MINUTE);
  const critical = await dr.hyperV.get(vm.id);
  t.is(critical.replicationHealth, "Critical");
  t.true(critical.resyncRequired);
  t.true(critical.healthErrors.some((e) => e.code === "150110"));

  await dr.clock.sleep(failedAt + 40 * MINUTE - dr.clock.now().getTime());
  const repaired = await dr.hyperV.resynchronize(vm.id);
  t.is(repaired.replicationHealth, "Normal");
  t.false(repaired.resyncRequired);
  const jobs = [];
  for await (const job of dr.jobs.list(VAULT)) if (job.scenario === "RepairReplication") jobs.push(job);
  t.is(jobs.length, 1);
  const match = /send the (\d+) differing blocks of (\d+) \((\d+) MB; (\d+) MB of changes were logged\)/.exec(jobs[0]?.tasks[0]?.friendlyName ?? "");
  t.truthy(match, jobs[0]?.tasks[0]?.friendlyName);
  const [, blocks, total, , logged] = (match ?? []).map(Number) as number[];
  t.is(total, 64 * 1024);
  t.is(logged, 16 * 40 * 60, "40 minutes of writes were logged");
  t.true((blocks ?? Infinity) < 0.1 * 64 * 1024, "only the differing blocks (at most the hot set) are sent");
});

test("test failover brings a copy up in an isolated network and is cleaned up; production keeps replicating", async (t) => {
  const world = await hyperVWorld(t);
  const { dr } = world;
  const vm = await protectSql(world);
  await dr.clock.sleep(HOUR);
  const testing = await dr.hyperV.testFailover(vm.id, { networkId: TEST_VNET });
  t.is(testing.phase, "protected");
  t.deepEqual(testing.allowedOperations, ["TestFailoverCleanup"]);
  t.is(onPremises(world)?.powerState, "Running");
  const cleaned = await dr.hyperV.cleanupTest(vm.id, "rehearsal ok");
  t.true(cleaned.allowedOperations.includes("PlannedFailover"));
});

test("bad input is refused naming the field, and nothing is created; steps out of order are refused without being sent", async (t) => {
  const world = await hyperVWorld(t);
  const { dr, backend } = world;
  const base = { vmName: "sql-0", targetResourceGroupId: rgId("onprem-dr-rg"), logStorageAccountId: LOG_ACCOUNT };
  const cases: [unknown, string][] = [
    [{ ...base, logStorageAccountId: undefined }, "logStorageAccountId"],
    [{ ...base, targetResourceGroupId: "onprem-dr-rg" }, "targetResourceGroupId"],
    [{ ...base, targetSubnetName: "default" }, "targetSubnetName"],
    [{ ...base, vmName: "nope" }, "vmName"],
    [{ ...base, disks: ["sql-0-disk1.vhdx"] }, "disks"],
    [{ ...base, disks: ["sql-0-disk0.vhdx", "other.vhdx"] }, "disks[1]"],
    [{ ...base, extra: true }, ""],
  ];
  for (const [input, field] of cases) {
    const error = await t.throwsAsync(dr.hyperV.protect(world.site, input as never), { instanceOf: ValidationError });
    t.is(error?.field, field, JSON.stringify(input));
  }
  const items = [];
  for await (const vm of dr.hyperV.list(VAULT)) items.push(vm);
  t.deepEqual(items, [], "no item was created");

  const vm = await protectSql(world);
  const jobsBefore = backend.emulator.control.now();
  await t.throwsAsync(dr.hyperV.commit(vm.id), { instanceOf: InvalidStateError, message: /'Commit' is not allowed while the VM is protected/ });
  await t.throwsAsync(dr.hyperV.reprotect(vm.id), { instanceOf: InvalidStateError });
  await t.throwsAsync(dr.hyperV.failover(vm.id, { kind: "planned", recoveryPointId: "x" }), { instanceOf: ValidationError });
  await t.throwsAsync(dr.hyperV.failover(vm.id, { kind: "planned", shutDownSource: true }), { instanceOf: ValidationError });
  t.is(backend.emulator.control.now().getTime(), jobsBefore.getTime(), "nothing ran");
  t.is((await dr.hyperV.get(vm.id)).phase, "protected");
  await t.throwsAsync(dr.hyperV.get(`${world.site.containerId}/replicationProtectedItems/missing`), { code: "ResourceNotFound" });
});

test("failback when the on-premises VM is gone fails unless asked to create it; the job's error reaches the caller typed", async (t) => {
  const world = await hyperVWorld(t);
  const { dr, backend } = world;
  const vm = await protectSql(world);
  await dr.hyperV.failover(vm.id, { kind: "planned" });
  await dr.hyperV.commit(vm.id);
  backend.emulator.control.removeHyperVVm(vm.protectableItemId);
  const error = await t.throwsAsync(dr.hyperV.failback(vm.id), { instanceOf: OperationFailedError });
  t.regex(error?.message ?? "", /OnPremisesVmNotFound/);
  t.is((await dr.hyperV.get(vm.id)).phase, "committed", "still running in Azure, can fail back again");
  const created = await dr.hyperV.failback(vm.id, { createVmIfNotFound: true });
  t.is(created.protectedVm.phase, "failedBack");
  t.is(onPremises(world)?.powerState, "Running");
  t.not(created.protectedVm.protectableItemId, vm.protectableItemId, "a new VM on-premises");
});

test("chains of operations on many VMs at once wait side by side in virtual time: twenty VMs each failed over then committed take as long as one", async (t) => {
  const names = Array.from({ length: 20 }, (_, i) => `app-${i}`);
  const world = await hyperVWorld(
    t,
    names.map((name) => ({ name, disksGB: [10], churnMBps: 1 })),
  );
  const { dr } = world;
  const ids = await Promise.all(names.map(async (name) => (await protectSql(world, name)).id));
  const chain = async (id: string): Promise<void> => {
    await dr.hyperV.failover(id, { kind: "planned" });
    await dr.hyperV.commit(id);
  };
  const [first, ...others] = ids as [string, ...string[]];
  const oneStart = dr.clock.now().getTime();
  await chain(first);
  const one = dr.clock.now().getTime() - oneStart;
  const allStart = dr.clock.now().getTime();
  await Promise.all(others.map(chain));
  const all = dr.clock.now().getTime() - allStart;
  t.true(one > 0);
  t.true(all <= one + MINUTE, `19 chains at once took ${all / 1000} s of virtual time; one took ${one / 1000} s`);
});
