import test from "ava";
import { ValidationError, type DrClient, type FakeBackend, type ProtectedVm } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { CACHE, VAULT, drSetup, rgId, sourceVm } from "../helpers/siteRecoveryFixtures.js";

const MINUTE = 60_000;

async function protectedVm(dr: DrClient, osDiskGB = 64): Promise<ProtectedVm> {
  const infrastructure = await drSetup(dr);
  const vmId = await sourceVm(dr, "web-0", osDiskGB);
  const item = await dr.protectedVms.protect(VAULT, infrastructure, {
    virtualMachineId: vmId,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  });
  return dr.protectedVms.waitForProtection(item.id);
}

function failureRetries(backend: FakeBackend): number {
  const item = Object.values(backend.emulator.control.snapshot().resources).find((r) => r.type.endsWith("/replicationprotecteditems"));
  const fault = (item?.internal as { fault?: { retries?: number } | null } | undefined)?.fault;
  return fault?.retries ?? -1;
}

test("a recoverable failure is retried with back-off and replication resumes at the first retry after the cause is gone", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedVm(dr);
  const start = dr.clock.now().getTime();
  backend.emulator.control.failReplication({ target: vm.id, durationMs: 20 * MINUTE, code: "151037" });

  const failing = await dr.protectedVms.get(vm.id);
  t.is(failing.replicationHealth, "Warning");
  t.is(failing.healthErrors[0]?.code, "151037");
  t.false(failing.allowedOperations.includes("RepairReplication"), "recoverable: no administrator action offered");

  const retriesAt = async (minutes: number): Promise<number> => {
    await dr.clock.sleep(start + minutes * MINUTE - dr.clock.now().getTime());
    return failureRetries(backend);
  };
  t.is(await retriesAt(0.5), 0);
  t.is(await retriesAt(1), 1, "first retry 1 minute after the first attempt");
  t.is(await retriesAt(2), 2);
  t.is(await retriesAt(4), 3);
  t.is(await retriesAt(8), 4);
  t.is(await retriesAt(10), 5);
  t.is(await retriesAt(39), 5, "then every 30 minutes");
  const during = await dr.protectedVms.get(vm.id);
  t.true((during.rpoSeconds ?? 0) >= 35 * 60, `the RPO grows while nothing is sent (${during.rpoSeconds ?? 0} s)`);

  await dr.clock.sleep(start + 40 * MINUTE - dr.clock.now().getTime());
  const resumed = await dr.protectedVms.get(vm.id);
  t.is(resumed.replicationHealth, "Normal", "the retry at 40 minutes (after the 20-minute cause) succeeded");
  t.deepEqual(resumed.healthErrors, []);
  await dr.clock.sleep(10 * MINUTE);
  t.true(((await dr.protectedVms.get(vm.id)).rpoSeconds ?? Infinity) <= 300);
  const points = await dr.protectedVms.recoveryPoints(vm.id);
  const gap = points.filter((p) => p.time.getTime() > start && p.time.getTime() < start + 40 * MINUTE);
  t.deepEqual(gap, [], "no recovery points while replication was down");
});

test("a non-recoverable failure is not retried, is Critical, and needs a resync by hand", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedVm(dr);
  backend.emulator.control.failReplication({ target: vm.virtualMachineId, recoverable: false });
  await dr.clock.sleep(3 * 60 * MINUTE);
  const broken = await dr.protectedVms.get(vm.id);
  t.is(broken.replicationHealth, "Critical");
  t.is(failureRetries(backend), 0, "no retries");
  t.true(broken.allowedOperations.includes("RepairReplication"));

  const repaired = await dr.protectedVms.resynchronize(vm.id);
  t.is(repaired.replicationHealth, "Normal");
  await dr.clock.sleep(10 * MINUTE);
  t.true(((await dr.protectedVms.get(vm.id)).rpoSeconds ?? Infinity) <= 300);
});

test("pending changes reaching half the disk size require a resync, started outside office hours", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512, startTime: new Date("2026-03-02T08:00:00Z") });
  const vm = await protectedVm(dr, 64);
  const failedAt = dr.clock.now().getTime();
  backend.emulator.control.failReplication({ target: vm.id, durationMs: 2 * 60 * MINUTE, churnMBps: 8 });
  const thresholdMs = ((0.5 * 64 * 1024) / 8) * 1000;

  await dr.clock.sleep(thresholdMs - MINUTE);
  t.false((await dr.protectedVms.get(vm.id)).resyncRequired, "just before half the disk is pending");
  await dr.clock.sleep(2 * MINUTE);
  const needsResync = await dr.protectedVms.get(vm.id);
  t.true(needsResync.resyncRequired, "half the disk (32 GiB at 8 MB/s) pending after ~68 minutes");
  t.is(needsResync.replicationHealth, "Critical");
  t.true(needsResync.healthErrors.some((e) => e.code === "150110"));

  await dr.clock.sleep(failedAt + 3 * 60 * MINUTE - dr.clock.now().getTime());
  const waiting = await dr.protectedVms.get(vm.id);
  t.true(waiting.resyncRequired, "the cause is gone but a resync must run first: it waits for the evening");
  const evening = new Date(failedAt);
  evening.setUTCHours(22, 0, 0, 0);
  await dr.clock.sleep(evening.getTime() - dr.clock.now().getTime() + 60 * MINUTE);
  const done = await dr.protectedVms.get(vm.id);
  t.false(done.resyncRequired);
  t.is(done.replicationHealth, "Normal");
});

test("repairing an item that needs nothing is refused", async (t) => {
  const { dr } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const vm = await protectedVm(dr);
  const error = await t.throwsAsync(dr.protectedVms.resynchronize(vm.id), { instanceOf: ValidationError });
  t.is(error.azureCode, "OperationNotAllowed");
});
