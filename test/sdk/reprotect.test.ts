import test from "ava";
import { InvalidStateError, ValidationError, type DrClient, type ProtectedVm } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { computeId, vmInput } from "../helpers/fixtures.js";
import { CACHE, VAULT, drSetup, rgId } from "../helpers/siteRecoveryFixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NEU_CACHE = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/app-rg-dr/providers/Microsoft.Storage/storageAccounts/cachenortheurope";

/** A VM of an availability set, protected westeurope -> northeurope, failed over (planned) and committed. */
async function committed(dr: DrClient): Promise<{ item: ProtectedVm; setId: string }> {
  const infrastructure = await drSetup(dr);
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope" });
  const vm = await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: set.id, osDisk: { sizeGB: 64 } }));
  const enabled = await dr.protectedVms.protect(VAULT, infrastructure, {
    virtualMachineId: vm.id,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  });
  await dr.protectedVms.waitForProtection(enabled.id);
  await dr.failover.failover(enabled.id, { kind: "planned" });
  return { item: await dr.failover.commit(enabled.id), setId: set.id };
}

test("the full cycle: failover, commit, reprotect (seeded), failback, commit, reprotect again", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 64 });
  const { item, setId } = await committed(dr);
  t.is(item.phase, "committed");
  await dr.clock.sleep(2 * HOUR);

  const started = dr.clock.now().getTime();
  const reversed = await dr.protectedVms.reprotect(item.id, { cacheStorageAccountId: NEU_CACHE });
  t.not(reversed.id, item.id, "the item moved to the other region's container");
  t.is(reversed.lifecycleId, item.lifecycleId, "and keeps its lifecycle id");
  t.like(reversed, {
    sourceRegion: "northeurope",
    targetRegion: "westeurope",
    activeLocation: "Recovery",
    recoveryResourceGroupId: rgId("app-rg"),
    virtualMachineId: computeId("app-rg-dr", "virtualMachines", "web-0"),
  });
  t.is(reversed.phase, "initialReplication");
  t.false(backend.emulator.resources.get(computeId("app-rg", "virtualMachines", "web-0")) !== undefined, "the original VM was used as a seed and deleted");
  await t.throwsAsync(dr.protectedVms.get(item.id), undefined, "the old item id is gone");

  const reprotected = await dr.protectedVms.waitForProtection(reversed.id);
  const deltaMinutes = (dr.clock.now().getTime() - started) / MINUTE;
  t.true(
    deltaMinutes < 60,
    `only the differences were sent (${deltaMinutes.toFixed(0)} minutes, a full 64 GiB copy takes ~17 minutes at 64 MB/s plus the jobs)`,
  );
  t.true(reprotected.allowedOperations.includes("UnplannedFailover"), "failback is possible");

  const failback = await dr.failover.failover(reprotected.id, { kind: "planned" });
  t.is(failback.dataLossSeconds, 0);
  t.is(failback.protectedVm.activeLocation, "Primary");
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "running", "the VM runs in its primary region again");
  t.is((await dr.virtualMachines.get("app-rg", "web-0")).availabilitySetId?.toLowerCase(), setId.toLowerCase(), "in the availability set it had (the default)");
  const back = await dr.failover.commit(reprotected.id);

  const again = await dr.protectedVms.reprotect(back.id);
  t.like(again, { sourceRegion: "westeurope", targetRegion: "northeurope", lifecycleId: item.lifecycleId });
  t.is((await dr.protectedVms.waitForProtection(again.id)).phase, "protected", "protected again in the original direction: the cycle can start over");
});

test("reprotect settings are used: resource group, availability set, disk type", async (t) => {
  const { dr } = await fakeClient(t, { replicationBandwidthMBps: 64 });
  const { item } = await committed(dr);
  const set = await dr.availabilitySets.createOrUpdate("app-rg-2", "web-as-2", { location: "westeurope" });
  const reversed = await dr.protectedVms.reprotect(item.id, {
    recoveryResourceGroupId: rgId("app-rg-2"),
    recoveryAvailabilitySetId: set.id,
    cacheStorageAccountId: NEU_CACHE,
    targetDiskType: "StandardSSD_LRS",
  });
  t.is(reversed.recoveryResourceGroupId, rgId("app-rg-2"));
  await dr.protectedVms.waitForProtection(reversed.id);
  await dr.failover.failover(reversed.id, { kind: "planned" });
  const vm = await dr.virtualMachines.get("app-rg-2", "web-0");
  t.is(vm.location, "westeurope");
  t.is(vm.availabilitySetId?.toLowerCase(), set.id.toLowerCase());
});

test("reprotect refusals: before commit, a target network, a cache in the wrong region, the region to replicate to down", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 64 });
  const infrastructure = await drSetup(dr);
  const vm = await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  const enabled = await dr.protectedVms.protect(VAULT, infrastructure, {
    virtualMachineId: vm.id,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  });
  const protectedVm = await dr.protectedVms.waitForProtection(enabled.id);
  const early = await t.throwsAsync(dr.protectedVms.reprotect(protectedVm.id), { instanceOf: InvalidStateError });
  t.regex(early.message, /follows a committed failover/);

  await dr.failover.failover(protectedVm.id, { kind: "planned" });
  const pending = await t.throwsAsync(dr.protectedVms.reprotect(protectedVm.id), { instanceOf: InvalidStateError });
  t.regex(pending.message, /failedOver/);
  await dr.failover.commit(protectedVm.id);

  const network = await t.throwsAsync(
    dr.protectedVms.reprotect(protectedVm.id, { targetNetworkId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/z" }),
    { instanceOf: ValidationError },
  );
  t.is(network.field, "targetNetworkId");
  t.regex(network.rule, /change the network mapping instead/);

  await backend.emulator.handle({
    method: "PUT",
    url: `https://management.azure.com${CACHE}?api-version=2024-01-01`,
    headers: {},
    body: JSON.stringify({ location: "westeurope", sku: { name: "Standard_LRS" } }),
  });
  const wrongCache = await t.throwsAsync(dr.protectedVms.reprotect(protectedVm.id, { cacheStorageAccountId: CACHE }), { instanceOf: ValidationError });
  t.is(wrongCache.azureCode, "CacheStorageAccountLocationMismatch");

  backend.emulator.control.setRegionDown("westeurope", true);
  const down = await t.throwsAsync(dr.protectedVms.reprotect(protectedVm.id, { cacheStorageAccountId: NEU_CACHE }), { instanceOf: InvalidStateError });
  t.is(down.azureCode, "RegionUnavailable");
  backend.emulator.control.setRegionDown("westeurope", false);
  t.is((await dr.protectedVms.get(protectedVm.id)).phase, "committed", "every refusal left the item as it was");
  t.is((await dr.protectedVms.reprotect(protectedVm.id, { cacheStorageAccountId: NEU_CACHE })).phase, "initialReplication");
});

test("without the original VM, reprotect copies everything", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 16 });
  const { item } = await committed(dr);
  backend.emulator.resources.delete(computeId("app-rg", "virtualMachines", "web-0"));
  const started = dr.clock.now().getTime();
  const reversed = await dr.protectedVms.reprotect(item.id, { cacheStorageAccountId: NEU_CACHE, recoveryAvailabilitySetId: undefined });
  await dr.protectedVms.waitForProtection(reversed.id);
  const minutes = (dr.clock.now().getTime() - started) / MINUTE;
  t.true(minutes >= (64 * 1024) / 16 / 60, `a full 64 GiB copy at 16 MB/s (${minutes.toFixed(0)} minutes)`);
});
