import test from "ava";
import { InvalidStateError, ValidationError, type DrClient, type FakeBackend, type ProtectedVm } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { computeId } from "../helpers/fixtures.js";
import { CACHE, VAULT, drSetup, rgId, sourceVm } from "../helpers/siteRecoveryFixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TEST_VNET = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/app-rg-dr/providers/Microsoft.Network/virtualNetworks/test-vnet";

async function protectedWeb(dr: DrClient, policy: { appConsistentFrequencyMinutes?: number } = {}): Promise<ProtectedVm> {
  const infrastructure = await drSetup(dr, policy);
  const vmId = await sourceVm(dr, "web-0", 32);
  const item = await dr.protectedVms.protect(VAULT, infrastructure, {
    virtualMachineId: vmId,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  });
  return dr.protectedVms.waitForProtection(item.id);
}

function vmExists(backend: FakeBackend, id: string): boolean {
  return backend.emulator.resources.get(id) !== undefined;
}

test("a test failover brings up a test VM without touching production, waits for cleanup, then cleans up", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedWeb(dr);
  await dr.clock.sleep(HOUR);
  const pointsBefore = (await dr.protectedVms.recoveryPoints(vm.id)).length;

  const testing = await dr.failover.test(vm.id, { networkId: TEST_VNET });
  t.is(testing.testFailoverState, "WaitingForCompletion");
  t.deepEqual(testing.allowedOperations, ["TestFailoverCleanup"]);
  t.is(testing.phase, "protected", "production stays protected");
  const testVmId = computeId("app-rg-dr", "virtualMachines", "web-0-test");
  t.true(vmExists(backend, testVmId), "the test VM runs in the recovery resource group");
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "running", "the source VM is untouched");
  const jobs = [];
  for await (const job of dr.jobs.list(VAULT)) if (job.scenario === "TestFailover") jobs.push(job);
  t.is(jobs[0]?.state, "Suspended", "the test failover job waits for cleanup");

  const second = await t.throwsAsync(dr.failover.test(vm.id, { networkId: TEST_VNET }), { instanceOf: InvalidStateError });
  t.regex(second.message, /allowed now: \[TestFailoverCleanup\]/);

  await dr.clock.sleep(30 * MINUTE);
  t.true((await dr.protectedVms.recoveryPoints(vm.id)).length > pointsBefore, "replication went on during the test");

  const cleaned = await dr.failover.cleanupTest(vm.id, "rehearsal ok");
  t.is(cleaned.testFailoverState, "None");
  t.true(cleaned.allowedOperations.includes("UnplannedFailover"));
  t.false(vmExists(backend, testVmId));
  t.is((await dr.jobs.get(VAULT, jobs[0]?.name ?? "")).state, "Succeeded");
  t.truthy(cleaned.lastTestFailoverTime);
});

test("a planned failover shuts the source down first and loses nothing; commit makes it final", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedWeb(dr);
  await dr.clock.sleep(17 * MINUTE);
  const result = await dr.failover.failover(vm.id, { kind: "planned" });
  t.is(result.dataLossSeconds, 0);
  t.is(result.protectedVm.phase, "failedOver");
  t.is(result.protectedVm.activeLocation, "Recovery");
  t.deepEqual(result.protectedVm.allowedOperations, ["Commit", "ChangePit", "CancelFailover"]);
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "stopped", "the source was shut down");
  t.is((await dr.virtualMachines.getStatus("app-rg-dr", "web-0")).powerState, "running", "the VM runs in the recovery region");
  t.is((await dr.virtualMachines.get("app-rg-dr", "web-0")).location, "northeurope");

  const committed = await dr.failover.commit(vm.id);
  t.is(committed.phase, "committed");
  t.deepEqual(committed.allowedOperations, ["ReverseReplicate", "DisableProtection"]);
  t.deepEqual(await dr.protectedVms.recoveryPoints(vm.id), [], "recovery points are gone after the commit");
  t.true(vmExists(backend, computeId("app-rg-dr", "virtualMachines", "web-0")));
});

test("an unplanned failover from the latest app-consistent point reports the data lost, and the point can be changed before commit", async (t) => {
  const { dr } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedWeb(dr, { appConsistentFrequencyMinutes: 60 });
  await dr.clock.sleep(2 * HOUR + 25 * MINUTE);
  const points = await dr.protectedVms.recoveryPoints(vm.id);
  const app = points.find((p) => p.type === "ApplicationConsistent");
  const crash = points.find((p) => p.type === "CrashConsistent");

  const result = await dr.failover.failover(vm.id, { kind: "unplanned", recoveryPoint: "LatestApplicationConsistent" });
  t.is(result.recoveryPoint?.id, app?.id);
  t.is(result.dataLossSeconds, Math.round((result.startedAt.getTime() - (app?.time.getTime() ?? 0)) / 1000));
  t.true(result.dataLossSeconds >= 20 * 60, `about 25 minutes since the last app-consistent point (${result.dataLossSeconds} s)`);
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "running", "an unplanned failover does not touch the source");

  const changed = await dr.failover.changeRecoveryPoint(vm.id, "LatestCrashConsistent");
  t.is(changed.recoveryPoint?.id, crash?.id);
  t.true(changed.dataLossSeconds < result.dataLossSeconds);
  t.is(changed.protectedVm.failoverRecoveryPointId, crash?.id);
});

test("a cancelled failover brings the source back and replication resumes", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedWeb(dr);
  await dr.failover.failover(vm.id, { kind: "planned" });
  const back = await dr.failover.cancel(vm.id);
  t.is(back.phase, "protected");
  t.is(back.activeLocation, "Primary");
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "running");
  t.false(vmExists(backend, computeId("app-rg-dr", "virtualMachines", "web-0")));
  await dr.clock.sleep(20 * MINUTE);
  t.true(((await dr.protectedVms.get(vm.id)).rpoSeconds ?? Infinity) <= 300);
});

test("wrong order is refused with the state and the allowed operations, and nothing changes", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedWeb(dr);
  const commit = await t.throwsAsync(dr.failover.commit(vm.id), { instanceOf: InvalidStateError });
  t.regex(commit.message, /'Commit' is not allowed while the VM is protected/);
  t.regex(commit.message, /UnplannedFailover/);
  await t.throwsAsync(dr.failover.cancel(vm.id), { instanceOf: InvalidStateError });
  await t.throwsAsync(dr.failover.cleanupTest(vm.id), { instanceOf: InvalidStateError });
  t.is((await dr.protectedVms.get(vm.id)).phase, "protected");

  const direct = await backend.emulator.handle({
    method: "POST",
    url: `https://management.azure.com${vm.id}/failoverCommit?api-version=2023-06-01`,
    headers: {},
  });
  t.is(direct.status, 409, "Azure's own refusal, for callers that skip the SDK's check");
  t.is((JSON.parse(direct.body ?? "{}") as { error: { code: string } }).error.code, "OperationNotAllowed");
});

test("a planned failover out of a region that is down is refused; an unplanned one works with the data loss of the point", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedWeb(dr);
  await dr.clock.sleep(12 * MINUTE);
  backend.emulator.control.setRegionDown("westeurope", true);
  const planned = await t.throwsAsync(dr.failover.failover(vm.id, { kind: "planned" }), { instanceOf: InvalidStateError });
  t.is(planned.azureCode, "SourceRegionUnavailable");
  const unplanned = await dr.failover.failover(vm.id, { kind: "unplanned", recoveryPoint: "LatestProcessed" });
  t.is(unplanned.protectedVm.phase, "failedOver");
  t.true(unplanned.dataLossSeconds > 0 && unplanned.dataLossSeconds <= 300);
});

test("failover input is checked before any request", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedWeb(dr);
  const before = backend.emulator.requestCount;
  const planned = await t.throwsAsync(dr.failover.failover(vm.id, { kind: "planned", recoveryPoint: "LatestProcessed" }), { instanceOf: ValidationError });
  t.is(planned.field, "recoveryPoint");
  await t.throwsAsync(dr.failover.failover(vm.id, { kind: "sideways" } as never), { instanceOf: ValidationError });
  await t.throwsAsync(dr.failover.test(vm.id, { networkId: "prod" }), { instanceOf: ValidationError });
  await t.throwsAsync(dr.failover.failover("not-an-id", { kind: "planned" }), { instanceOf: ValidationError });
  t.is(backend.emulator.requestCount, before);
});
