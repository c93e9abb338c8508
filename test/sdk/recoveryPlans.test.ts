import test from "ava";
import { ValidationError, type DrClient, type ReplicationInfrastructure } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { CACHE, VAULT, drSetup, rgId, sourceVm } from "../helpers/siteRecoveryFixtures.js";

async function protectedVms(dr: DrClient, count: number): Promise<{ infrastructure: ReplicationInfrastructure; ids: string[] }> {
  const infrastructure = await drSetup(dr);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const item = await dr.protectedVms.protect(VAULT, infrastructure, {
      virtualMachineId: await sourceVm(dr, `app-${i}`, 8),
      recoveryResourceGroupId: rgId("app-rg-dr"),
      cacheStorageAccountId: CACHE,
    });
    ids.push(item.id);
  }
  for (const id of ids) await dr.protectedVms.waitForProtection(id);
  return { infrastructure, ids };
}

test("a plan with three boot groups and actions is created, read, listed, updated and deleted", async (t) => {
  const { dr } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const { infrastructure, ids } = await protectedVms(dr, 4);
  const plan = await dr.recoveryPlans.createOrUpdate(VAULT, "shop", {
    primaryFabricId: infrastructure.sourceFabricId,
    recoveryFabricId: infrastructure.targetFabricId,
    groups: [
      { protectedVmIds: [ids[0] as string], after: [{ kind: "manual", name: "check-db", description: "Check the database is consistent" }] },
      {
        protectedVmIds: [ids[1] as string, ids[2] as string],
        before: [
          {
            kind: "runbook",
            name: "dns",
            runbookId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Automation/automationAccounts/a/runbooks/dns",
            fabricLocation: "Recovery",
          },
        ],
      },
      { protectedVmIds: [ids[3] as string] },
    ],
  });
  t.deepEqual(
    plan.groups.map((g) => [g.type, g.protectedVmIds.length]),
    [
      ["Shutdown", 0],
      ["Failover", 0],
      ["Boot", 1],
      ["Boot", 2],
      ["Boot", 1],
    ],
    "the service adds the Shutdown and Failover groups",
  );
  t.like(plan.groups[2]?.after[0], { kind: "manual", name: "check-db" });
  t.like(plan.groups[3]?.before[0], { kind: "runbook", fabricLocation: "Recovery" });
  for (const op of ["TestFailover", "PlannedFailover", "UnplannedFailover"]) t.true(plan.allowedOperations.includes(op), op);

  const names = [];
  for await (const p of dr.recoveryPlans.list(VAULT)) names.push(p.name);
  t.deepEqual(names, ["shop"]);

  const updated = await dr.recoveryPlans.createOrUpdate(
    VAULT,
    "shop",
    { primaryFabricId: infrastructure.sourceFabricId, recoveryFabricId: infrastructure.targetFabricId, groups: [{ protectedVmIds: ids }] },
    { update: true },
  );
  t.is(updated.groups.filter((g) => g.type === "Boot").length, 1, "groups are replaced whole");

  await dr.recoveryPlans.delete(VAULT, "shop");
  await t.throwsAsync(dr.recoveryPlans.get(VAULT, "shop"));
  t.is((await dr.protectedVms.get(ids[0] as string)).phase, "protected", "deleting a plan leaves the VMs protected");
});

test("a plan's allowed operations follow its VMs", async (t) => {
  const { dr } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const { infrastructure, ids } = await protectedVms(dr, 2);
  await dr.recoveryPlans.createOrUpdate(VAULT, "app", {
    primaryFabricId: infrastructure.sourceFabricId,
    recoveryFabricId: infrastructure.targetFabricId,
    groups: [{ protectedVmIds: ids }],
  });
  await dr.failover.failover(ids[0] as string, { kind: "planned" });
  const plan = await dr.recoveryPlans.get(VAULT, "app");
  t.false(plan.allowedOperations.includes("TestFailover"), "one VM failed over: the plan cannot be test-failed-over as a whole");
});

test("plan limits are checked before any request, and Azure checks what the SDK cannot know", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  const { infrastructure, ids } = await protectedVms(dr, 2);
  const base = { primaryFabricId: infrastructure.sourceFabricId, recoveryFabricId: infrastructure.targetFabricId };
  const before = backend.emulator.requestCount;
  const twice = await t.throwsAsync(
    dr.recoveryPlans.createOrUpdate(VAULT, "p1", { ...base, groups: [{ protectedVmIds: [ids[0] as string] }, { protectedVmIds: [ids[0] as string] }] }),
    { instanceOf: ValidationError },
  );
  t.regex(twice.rule, /one group of a plan only/);
  const eight = await t.throwsAsync(
    dr.recoveryPlans.createOrUpdate(VAULT, "p1", { ...base, groups: Array.from({ length: 8 }, () => ({ protectedVmIds: [] })) }),
    { instanceOf: ValidationError },
  );
  t.is(eight.field, "groups");
  const tooMany = await t.throwsAsync(
    dr.recoveryPlans.createOrUpdate(VAULT, "p1", { ...base, groups: [{ protectedVmIds: Array.from({ length: 101 }, (_, i) => `${ids[0] as string}-${i}`) }] }),
    { instanceOf: ValidationError },
  );
  t.regex(tooMany.rule, /at most 100/);
  await t.throwsAsync(
    dr.recoveryPlans.createOrUpdate(VAULT, "p1", { ...base, groups: [{ protectedVmIds: [], after: [{ kind: "script", name: "x" } as never] }] }),
    { instanceOf: ValidationError },
  );
  t.is(backend.emulator.requestCount, before);

  const reversed = await t.throwsAsync(
    dr.recoveryPlans.createOrUpdate(VAULT, "p1", {
      primaryFabricId: infrastructure.targetFabricId,
      recoveryFabricId: infrastructure.sourceFabricId,
      groups: [{ protectedVmIds: ids }],
    }),
    { instanceOf: ValidationError },
  );
  t.regex(reversed.message, /not protected from the plan's primary fabric/);
});
