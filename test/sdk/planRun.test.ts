import test, { type ExecutionContext } from "ava";
import { ValidationError, isInvalidStateError, type DrClient, type FakeBackend, type ManualActionRequest, type PlanRunResult } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { SUB } from "../helpers/fixtures.js";
import { SHOP_TIERS as TIERS, VAULT, rgId, shopPlan } from "../helpers/siteRecoveryFixtures.js";

const TEST_VNET = `/subscriptions/${SUB}/resourceGroups/app-rg-dr/providers/Microsoft.Network/virtualNetworks/drill-isolated`;
interface Shop {
  dr: DrClient;
  backend: FakeBackend;
  ids: string[];
}

async function shop(t: ExecutionContext, manualAction = true): Promise<Shop> {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  return { dr, backend, ids: await shopPlan(dr, manualAction) };
}

const stepNames = (result: PlanRunResult): string[] => result.steps.map((s) => s.name);
const seconds = (from: Date | undefined, to: Date | undefined): number => ((to?.getTime() ?? NaN) - (from?.getTime() ?? NaN)) / 1000;
const vmIn = (rg: string, name: string): string => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

async function exists(dr: DrClient, id: string): Promise<boolean> {
  const [, , , , rg, , , , name] = id.split("/");
  try {
    await dr.virtualMachines.get(rg as string, name as string);
    return true;
  } catch {
    return false;
  }
}

test("plan reprotect checks every VM's settings before it reprotects any, and finds a VM's settings whatever the case of its id", async (t) => {
  const { dr, ids } = await shop(t, false);
  t.is((await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" })).state, "Succeeded");
  await dr.recoveryPlans.commit(VAULT, "shop");
  const [db, , , web] = ids as [string, string, string, string];

  const bad = await t.throwsAsync(dr.recoveryPlans.reprotect(VAULT, "shop", { [db]: {}, [web]: { cacheStorageAccountId: "not-an-account" } }), {
    instanceOf: ValidationError,
  });
  t.is(bad.field, `settings.${web}.cacheStorageAccountId`, "the VM of the last group is named, though the first group comes first");
  const network = await t.throwsAsync(dr.recoveryPlans.reprotect(VAULT, "shop", { [web]: { targetNetworkId: TEST_VNET } }), { instanceOf: ValidationError });
  t.is(network.field, `settings.${web}.targetNetworkId`);
  for (const id of ids) t.is((await dr.protectedVms.get(id)).phase, "committed", "no VM was reprotected");

  const group = rgId("app-rg-2");
  const reprotected = await dr.recoveryPlans.reprotect(VAULT, "shop", { [web.toUpperCase()]: { recoveryResourceGroupId: group } });
  const moved = reprotected.groups.flatMap((g) => g.protectedVmIds);
  const movedWeb = await dr.protectedVms.get(moved.find((id) => id.toLowerCase().endsWith(`/${web.split("/").pop()?.toLowerCase()}`)) ?? "");
  t.is(movedWeb.recoveryResourceGroupId, group, "the settings given under the upper-cased id were used");
  const movedDb = await dr.protectedVms.get(moved[0] as string);
  t.is(movedDb.recoveryResourceGroupId, rgId("app-rg"), "a VM without settings takes its original resource group");
});

test("the full cycle of a plan with three boot groups and actions: rehearse, fail over, commit, reprotect, fail back, and again", async (t) => {
  const { dr, ids } = await shop(t);
  const manual: ManualActionRequest[] = [];
  const resume = (request: ManualActionRequest): boolean => {
    manual.push(request);
    return true;
  };

  // Rehearse: the test VMs come up group by group in the isolated network; production goes on.
  const rehearsal = await dr.recoveryPlans.testFailover(VAULT, "shop", { networkId: TEST_VNET }, { onManualAction: resume });
  t.is(rehearsal.state, "WaitingForCleanup");
  t.deepEqual(
    stepNames(rehearsal),
    ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "Manual:check-db", "StartGroup2", "StartGroup3"],
    "the DNS script runs only for failovers",
  );
  t.is(manual.length, 1, "the manual action stopped the plan once");
  t.regex(manual[0]?.step.friendlyName ?? "", /Group 1 \(end\): manual action 'check-db'/);
  const up = Object.fromEntries(rehearsal.items.map((i) => [i.name, i.upAt?.getTime()]));
  t.true((up.db as number) < (up.app1 as number) && (up.app1 as number) < (up.web as number), "groups come up in order");
  t.is(up.app1, up.app2, "the VMs of a group come up together");
  for (const name of TIERS) t.true(await exists(dr, vmIn("app-rg-dr", `${name}-test`)), `test VM of ${name}`);
  t.is((await dr.virtualMachines.getStatus("app-rg", "db")).powerState, "running", "production is untouched");
  t.true(
    rehearsal.items.every((i) => i.dataLossSeconds !== undefined && i.dataLossSeconds <= 300),
    "each VM from its newest processed point",
  );
  await t.throwsAsync(dr.recoveryPlans.testFailover(VAULT, "shop", { networkId: TEST_VNET }), { code: "InvalidState", message: /TestFailoverCleanup/ });

  const cleanup = await dr.recoveryPlans.cleanupTest(VAULT, "shop", "rehearsal passed");
  t.is(cleanup.state, "Succeeded");
  for (const name of TIERS) t.false(await exists(dr, vmIn("app-rg-dr", `${name}-test`)), `test VM of ${name} deleted`);
  t.is((await dr.jobs.get(VAULT, rehearsal.handle.jobName)).state, "Succeeded", "the test failover's job completes with the cleanup");

  // Fail over (planned): sources shut down first, no data loss; the VMs run in northeurope, commit pending.
  const failover = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" }, { onManualAction: resume });
  t.is(failover.state, "Succeeded");
  t.deepEqual(stepNames(failover), [
    "PrerequisitesCheck",
    "ShutdownSourceVms",
    "PrepareVms",
    "StartGroup1",
    "Manual:check-db",
    "Script:dns",
    "StartGroup2",
    "StartGroup3",
  ]);
  t.is(failover.dataLossSeconds, 0);
  t.is(failover.recoveryTimeSeconds, Math.round(seconds(failover.startedAt, failover.items.find((i) => i.name === "web")?.upAt)));
  t.is((await dr.virtualMachines.getStatus("app-rg", "db")).powerState, "stopped", "the source was shut down");
  for (const name of TIERS) t.true(await exists(dr, vmIn("app-rg-dr", name)), `${name} runs in the recovery region`);
  const pending = await dr.protectedVms.get(ids[0] as string);
  t.is(pending.phase, "failedOver");
  await t.throwsAsync(dr.recoveryPlans.reprotect(VAULT, "shop"), { code: "InvalidState" }, "reprotect before commit is refused");

  t.is((await dr.recoveryPlans.commit(VAULT, "shop")).state, "Succeeded");
  t.is((await dr.protectedVms.get(ids[3] as string)).phase, "committed");

  // Reprotect in group order: the items move to the other fabric and replicate back.
  const reprotected = await dr.recoveryPlans.reprotect(VAULT, "shop");
  const movedIds = reprotected.groups.flatMap((g) => g.protectedVmIds);
  t.is(movedIds.length, 4);
  t.true(
    movedIds.every((id) => !ids.includes(id)),
    "the plan follows its items into the recovery fabric",
  );
  for (const id of movedIds) t.is((await dr.protectedVms.waitForProtection(id)).phase, "protected");

  // Fail back: the SDK picks the reverse direction; then commit and protect in the original direction.
  const failback = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" }, { onManualAction: resume });
  t.is(failback.state, "Succeeded");
  t.is(failback.dataLossSeconds, 0);
  t.is((await dr.protectedVms.get(movedIds[0] as string)).activeLocation, "Primary");
  await dr.recoveryPlans.commit(VAULT, "shop");
  const home = await dr.recoveryPlans.reprotect(VAULT, "shop");
  for (const id of home.groups.flatMap((g) => g.protectedVmIds)) await dr.protectedVms.waitForProtection(id);
  const again = await dr.recoveryPlans.get(VAULT, "shop");
  t.deepEqual(again.allowedOperations, ["TestFailover", "UnplannedFailover", "PlannedFailover"], "the cycle can start again");
  t.true(
    home.groups.flatMap((g) => g.protectedVmIds).every((id) => id.toLowerCase().startsWith(again.primaryFabricId.toLowerCase())),
    "protected from the primary fabric again",
  );
});

test("an unplanned failover recovers each VM from the chosen point type and reports the data loss", async (t) => {
  const { dr, backend } = await shop(t, false);
  backend.emulator.control.advanceClock(17 * 60_000);
  const result = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "unplanned", recoveryPoint: "LatestApplicationConsistent" });
  t.is(result.state, "Succeeded");
  t.deepEqual(stepNames(result), ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "Script:dns", "StartGroup2", "StartGroup3"], "no shutdown");
  for (const item of result.items) {
    t.truthy(item.recoveryPointTime, item.name);
    t.true((item.dataLossSeconds ?? -1) > 0 && (item.dataLossSeconds ?? Infinity) <= 3600, `${item.name}: ${String(item.dataLossSeconds)} s lost`);
    t.is(item.dataLossSeconds, Math.round(seconds(item.recoveryPointTime, result.startedAt)));
  }
  t.is(result.dataLossSeconds, Math.max(...result.items.map((i) => i.dataLossSeconds ?? 0)));
  t.is((await dr.virtualMachines.getStatus("app-rg", "db")).powerState, "running", "an unplanned failover does not touch the source");
});

test("a manual action nobody resumes leaves the plan waiting; resuming and waiting on the handle later finishes it", async (t) => {
  const { dr } = await shop(t);
  const stopped = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" });
  t.is(stopped.state, "WaitingForUser");
  t.deepEqual(
    stopped.steps.filter((s) => s.state === "Suspended").map((s) => s.name),
    ["Manual:check-db"],
  );
  t.is(stopped.items.find((i) => i.name === "db")?.upAt instanceof Date, true, "group 1 is up");
  t.is(stopped.items.find((i) => i.name === "web")?.upAt, undefined, "group 3 waits");
  const plan = await dr.recoveryPlans.get(VAULT, "shop");
  t.like(plan.currentScenario, { name: "UnplannedFailover", jobName: stopped.handle.jobName, status: "Suspended" });
  t.deepEqual(plan.allowedOperations, [], "nothing else is allowed meanwhile");

  // The handle is plain data: what another process would read back.
  const handle = JSON.parse(JSON.stringify(stopped.handle)) as typeof stopped.handle;
  await dr.jobs.resume(VAULT, handle.jobName, "database checked");
  const done = await dr.recoveryPlans.wait(handle);
  t.is(done.state, "Succeeded");
  t.is(done.items.filter((i) => i.upAt !== undefined).length, 4);
  t.like((await dr.recoveryPlans.get(VAULT, "shop")).currentScenario, { name: "UnplannedFailover", jobName: handle.jobName, status: "Succeeded" });
});

test("a VM that fails in group 2 stops the plan there; running the failover again recovers only the rest", async (t) => {
  const { dr, backend, ids } = await shop(t, false);
  backend.emulator.control.failFailover({ target: ids[2], code: "AzureVmCreationFailed", message: "Allocation failed in northeurope" });
  const failed = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "unplanned", recoveryPoint: "LatestProcessed" });
  t.is(failed.state, "Failed");
  t.is(failed.error?.code, "RecoveryPlanGroupFailed");
  t.regex(failed.error?.message ?? "", /app2: AzureVmCreationFailed: Allocation failed/);
  t.deepEqual(
    failed.steps.map((s) => `${s.name}:${s.state}`),
    ["PrerequisitesCheck:Succeeded", "PrepareVms:Succeeded", "StartGroup1:Succeeded", "Script:dns:Succeeded", "StartGroup2:Failed", "StartGroup3:Skipped"],
  );
  const phases = await Promise.all(ids.map(async (id) => (await dr.protectedVms.get(id)).phase));
  t.deepEqual(phases, ["failedOver", "failedOver", "protected", "protected"], "done stays done; the failed VM and later groups roll back");
  t.deepEqual(
    failed.items.filter((i) => i.upAt !== undefined).map((i) => i.name),
    ["db", "app1"],
    "the result says which VMs are up",
  );
  const plan = await dr.recoveryPlans.get(VAULT, "shop");
  t.true(plan.allowedOperations.includes("UnplannedFailover"), "the plan can run again");

  const rerun = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "unplanned", recoveryPoint: "LatestProcessed" });
  t.is(rerun.state, "Succeeded");
  t.deepEqual(rerun.items.map((i) => i.name).sort(), ["app2", "web"], "only the VMs not failed over yet");
  t.deepEqual(await Promise.all(ids.map(async (id) => (await dr.protectedVms.get(id)).phase)), ["failedOver", "failedOver", "failedOver", "failedOver"]);
});

test("out-of-order plan operations are refused with a typed error naming the allowed operations, and change nothing", async (t) => {
  const { dr, ids } = await shop(t, false);
  const before = await Promise.all(ids.map(async (id) => (await dr.protectedVms.get(id)).phase));
  const commit = await t.throwsAsync(dr.recoveryPlans.commit(VAULT, "shop"));
  t.true(isInvalidStateError(commit));
  t.regex(commit?.message ?? "", /'Commit' is not allowed now; allowed now: \[TestFailover, UnplannedFailover, PlannedFailover\]/);
  await t.throwsAsync(dr.recoveryPlans.cleanupTest(VAULT, "shop"), { code: "InvalidState" });
  await t.throwsAsync(dr.recoveryPlans.cancel(VAULT, "shop"), { code: "InvalidState" });
  await t.throwsAsync(dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned", recoveryPoint: "Latest" } as never), {
    code: "ValidationFailed",
    message: /recoveryPoint/,
  });
  await t.throwsAsync(dr.recoveryPlans.testFailover(VAULT, "shop", { networkId: "not-a-vnet" }), { code: "ValidationFailed", message: /networkId/ });
  // A VM of the plan failed over alone: the plan as a whole no longer allows a test failover.
  await dr.failover.failover(ids[3] as string, { kind: "unplanned", recoveryPoint: "LatestProcessed" });
  await t.throwsAsync(dr.recoveryPlans.testFailover(VAULT, "shop", { networkId: TEST_VNET }), {
    code: "InvalidState",
    message: /'TestFailover' is not allowed/,
  });
  t.deepEqual(
    (await Promise.all(ids.map(async (id) => (await dr.protectedVms.get(id)).phase))).slice(0, 3),
    before.slice(0, 3),
    "the refused calls changed nothing",
  );
});

test("running a plan operation again follows the job under way, and reports one already done instead of repeating it", async (t) => {
  const { dr } = await shop(t, false);
  const started = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" }, { noWait: true });
  t.is(started.state, "InProgress");
  const again = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" });
  t.is(again.handle.jobName, started.handle.jobName, "the second call followed the first job");
  t.is(again.state, "Succeeded");
  const third = await dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" });
  t.is(third.handle.jobName, started.handle.jobName, "a failover already done is reported, not repeated");
  let failovers = 0;
  for await (const job of dr.jobs.list(VAULT)) if (job.scenario === "UnplannedFailover") failovers++;
  t.is(failovers, 1, "one failover job in all");
});

test("region outage: the runbook fails over every plan running in the region and reports what was recovered and lost", async (t) => {
  const { dr, backend, ids } = await shop(t, false);
  backend.emulator.control.failFailover({ target: ids[3], code: "AzureVmCreationFailed", message: "No capacity for Standard_D2s_v5" });
  backend.emulator.control.advanceClock(12 * 60_000);
  backend.emulator.control.setRegionDown("westeurope", true);
  backend.emulator.control.advanceClock(45 * 60_000);
  const rpo = (await dr.protectedVms.get(ids[0] as string)).rpoSeconds ?? 0;
  t.true(rpo >= 45 * 60, `replication stopped with the region: RPO ${rpo} s`);
  await t.throwsAsync(
    dr.recoveryPlans.failover(VAULT, "shop", { kind: "planned" }),
    { code: "InvalidState", message: /PlannedFailover/ },
    "no planned failover out of a down region",
  );

  const report = await dr.recoveryPlans.failoverRegion(VAULT, "West Europe");
  t.is(report.region, "westeurope");
  t.is(report.plans.length, 1);
  const shopReport = report.plans[0];
  t.is(shopReport?.outcome, "partial");
  t.deepEqual(shopReport?.recovered.map((v) => v.name).sort(), ["app1", "app2", "db"]);
  t.deepEqual(
    shopReport?.lost.map((v) => v.name),
    ["web"],
  );
  t.regex(shopReport?.lost[0]?.reason ?? "", /No capacity/);
  for (const vm of shopReport?.recovered ?? []) t.true((vm.dataLossSeconds ?? 0) >= 45 * 60, `${vm.name} lost the outage's writes and more`);
  t.true((report.dataLossSeconds ?? 0) >= 45 * 60);

  // The rest once capacity is back, then reprotect waits for the region.
  const rest = await dr.recoveryPlans.failoverRegion(VAULT, "westeurope");
  t.is(rest.plans[0]?.outcome, "recovered");
  t.deepEqual(rest.plans[0]?.alreadyFailedOver.sort(), ["app1", "app2", "db"]);
  t.deepEqual(
    rest.plans[0]?.recovered.map((v) => v.name),
    ["web"],
  );
  await dr.recoveryPlans.commit(VAULT, "shop");
  await t.throwsAsync(dr.recoveryPlans.reprotect(VAULT, "shop"), { code: "InvalidState" }, "reprotect needs the primary region");
  backend.emulator.control.setRegionDown("westeurope", false);
  const reprotected = await dr.recoveryPlans.reprotect(VAULT, "shop");
  for (const id of reprotected.groups.flatMap((g) => g.protectedVmIds)) t.is((await dr.protectedVms.waitForProtection(id)).phase, "protected");
  const none = await dr.recoveryPlans.failoverRegion(VAULT, "westeurope");
  t.deepEqual(none.plans, [], "no plan runs in westeurope any more");
});
