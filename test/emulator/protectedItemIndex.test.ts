// The emulator finds "the item protecting this VM" and "the plans holding this item" through
// indexes, not by walking every item and plan. These tests check the answers the indexes drive
// (ProtectionAlreadyEnabled, plan members following a reprotect) stay right across disable and
// re-enable, snapshot restore and reset, and the VM id and item id a reprotect switches.
import { SiteRecoveryManagementClient, type EnableProtectionInput } from "@azure/arm-recoveryservices-siterecovery";
import { isRestError } from "@azure/core-rest-pipeline";
import test, { type ExecutionContext } from "ava";
import { createInProcessHttpClient } from "../../emulator/index.js";
import type { DrClient, FakeBackend, ReplicationInfrastructure } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { SUB, computeId } from "../helpers/fixtures.js";
import { fakeTokenCredential } from "../helpers/loopbackCompute.js";
import { ARM_SCOPE, LRO } from "../helpers/loopbackSiteRecovery.js";
import { CACHE, VAULT, drSetup, rgId, sourceVm } from "../helpers/siteRecoveryFixtures.js";

const NEU_CACHE = `/subscriptions/${SUB}/resourceGroups/app-rg-dr/providers/Microsoft.Storage/storageAccounts/cachenortheurope`;

interface World {
  dr: DrClient;
  backend: FakeBackend;
  infrastructure: ReplicationInfrastructure;
  asr: SiteRecoveryManagementClient;
}

async function world(t: ExecutionContext): Promise<World> {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 1024 });
  const infrastructure = await drSetup(dr);
  const asr = new SiteRecoveryManagementClient(fakeTokenCredential, SUB, {
    httpClient: createInProcessHttpClient(backend.emulator),
    credentialScopes: [ARM_SCOPE],
  });
  return { dr, backend, infrastructure, asr };
}

/** The last segment of an ARM id. */
const lastOf = (id: string): string => id.slice(id.lastIndexOf("/") + 1);
/** The fabric name of a protection container id. */
const fabricOf = (containerId: string): string => lastOf(containerId.slice(0, containerId.toLowerCase().indexOf("/replicationprotectioncontainers/")));

/**
 * Enables replication of `vmId` through the official client as item `itemName` of container
 * `fromContainerId` (to `toContainerId`); resolves with the ARM error code of a refusal, or
 * "Succeeded" when the enable job ends.
 */
async function enableAs(w: World, itemName: string, vmId: string, fromContainerId: string, toContainerId: string, cache: string): Promise<string> {
  const vm = await w.dr.virtualMachines.get(vmId.split("/")[4] as string, lastOf(vmId));
  const recoveryResourceGroupId = rgId(toContainerId === w.infrastructure.targetContainerId ? "app-rg-dr" : "app-rg");
  const input: EnableProtectionInput = {
    properties: {
      policyId: w.infrastructure.policyId,
      providerSpecificDetails: {
        instanceType: "A2A",
        fabricObjectId: vm.id,
        recoveryContainerId: toContainerId,
        recoveryResourceGroupId,
        vmManagedDisks: vm.disks.map((d) => ({ diskId: d.managedDiskId as string, primaryStagingAzureStorageAccountId: cache, recoveryResourceGroupId })),
      },
    },
  };
  try {
    await w.asr.replicationProtectedItems.beginCreateAndWait(
      VAULT.name,
      VAULT.resourceGroup,
      fabricOf(fromContainerId),
      lastOf(fromContainerId),
      itemName,
      input,
      LRO,
    );
    return "Succeeded";
  } catch (error) {
    if (isRestError(error)) return error.code ?? `HTTP ${String(error.statusCode)}`;
    throw error;
  }
}

/** Protects `vmId` through DrClient from the source region and waits until it is protected. */
async function protect(w: World, vmId: string): Promise<string> {
  const item = await w.dr.protectedVms.protect(VAULT, w.infrastructure, {
    virtualMachineId: vmId,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  });
  return (await w.dr.protectedVms.waitForProtection(item.id)).id;
}

test("a VM protected, disabled and protected again: a second item for it is refused, then allowed, then refused again", async (t) => {
  const w = await world(t);
  const { sourceContainerId, targetContainerId } = w.infrastructure;
  const vmId = await sourceVm(w.dr, "web-0", 32);
  const itemId = await protect(w, vmId);
  t.is(await enableAs(w, "web-0-again", vmId, sourceContainerId, targetContainerId, CACHE), "ProtectionAlreadyEnabled");

  await w.dr.protectedVms.disable(itemId);
  await t.throwsAsync(w.dr.protectedVms.get(itemId), undefined, "the item is gone");
  t.is(await enableAs(w, "web-0-again", vmId, sourceContainerId, targetContainerId, CACHE), "Succeeded", "the VM is free after the disable");
  t.is(await enableAs(w, "web-0-third", vmId, sourceContainerId, targetContainerId, CACHE), "ProtectionAlreadyEnabled", "and taken by the new item");
  const other = await sourceVm(w.dr, "web-1", 32);
  t.is(await enableAs(w, "web-1", other, sourceContainerId, targetContainerId, CACHE), "Succeeded", "another VM is not confused with it");
});

test("after a snapshot restore the restored items are found, not those of the replaced state; after a reset none is", async (t) => {
  const w = await world(t);
  const { sourceContainerId, targetContainerId } = w.infrastructure;
  const vmId = await sourceVm(w.dr, "web-0", 32);
  const itemId = await protect(w, vmId);
  const control = w.backend.emulator.control;
  const protectedState = control.snapshot();

  await w.dr.protectedVms.disable(itemId);
  const disabledState = control.snapshot();
  t.is(await enableAs(w, "web-0-again", vmId, sourceContainerId, targetContainerId, CACHE), "Succeeded");

  control.restore(protectedState);
  t.is(await enableAs(w, "web-0-third", vmId, sourceContainerId, targetContainerId, CACHE), "ProtectionAlreadyEnabled", "the restored item protects the VM");
  t.is((await w.dr.protectedVms.get(itemId)).phase, "protected");

  control.restore(disabledState);
  t.is(await enableAs(w, "web-0-fourth", vmId, sourceContainerId, targetContainerId, CACHE), "Succeeded", "no item of the replaced state is found");

  control.reset();
  const infrastructure = await drSetup(w.dr);
  const again = await sourceVm(w.dr, "web-0", 32);
  t.is(again.toLowerCase(), vmId.toLowerCase());
  t.is(
    await enableAs({ ...w, infrastructure }, "web-0-again", again, infrastructure.sourceContainerId, infrastructure.targetContainerId, CACHE),
    "Succeeded",
    "after a reset",
  );
});

test("a reprotect moves the item to the VM that runs in the recovery region, and the plans holding it follow, there and back", async (t) => {
  const w = await world(t);
  const { sourceContainerId, targetContainerId, sourceFabricId, targetFabricId } = w.infrastructure;
  const vmId = await sourceVm(w.dr, "web-0", 32);
  const itemId = await protect(w, vmId);
  const otherId = await protect(w, await sourceVm(w.dr, "web-1", 32));
  await w.dr.recoveryPlans.createOrUpdate(VAULT, "web", {
    primaryFabricId: sourceFabricId,
    recoveryFabricId: targetFabricId,
    groups: [{ protectedVmIds: [itemId] }, { protectedVmIds: [otherId] }],
  });
  await w.dr.recoveryPlans.createOrUpdate(VAULT, "web-only", {
    primaryFabricId: sourceFabricId,
    recoveryFabricId: targetFabricId,
    groups: [{ protectedVmIds: [itemId] }],
  });
  const members = async (plan: string): Promise<string[]> =>
    (await w.dr.recoveryPlans.get(VAULT, plan)).groups.flatMap((g) => g.protectedVmIds.map((id) => id.toLowerCase()));

  t.is((await w.dr.recoveryPlans.failover(VAULT, "web-only", { kind: "planned" })).state, "Succeeded");
  t.is((await w.dr.recoveryPlans.commit(VAULT, "web-only")).state, "Succeeded");
  const reversed = await w.dr.protectedVms.reprotect(itemId, { cacheStorageAccountId: NEU_CACHE });
  await w.dr.protectedVms.waitForProtection(reversed.id);
  const runningVmId = computeId("app-rg-dr", "virtualMachines", "web-0");
  t.is(reversed.virtualMachineId.toLowerCase(), runningVmId.toLowerCase());
  t.deepEqual(await members("web"), [reversed.id.toLowerCase(), otherId.toLowerCase()], "the plan holds the moved item");
  t.deepEqual(await members("web-only"), [reversed.id.toLowerCase()]);

  t.is(
    await enableAs(w, "web-0-again", runningVmId, targetContainerId, sourceContainerId, NEU_CACHE),
    "ProtectionAlreadyEnabled",
    "the VM running in the recovery region is the one protected now",
  );
  t.is(w.backend.emulator.resources.get(vmId), undefined, "the original VM was the seed and is gone");
  const recreated = await sourceVm(w.dr, "web-0", 32);
  t.is(recreated.toLowerCase(), vmId.toLowerCase());
  t.is(await enableAs(w, "web-0-new", recreated, sourceContainerId, targetContainerId, CACHE), "Succeeded", "a new VM under the original id is not protected");
  // Out of the way of the failback, which brings web-0 back under that id.
  await w.dr.protectedVms.disable(`${sourceContainerId}/replicationProtectedItems/web-0-new`);
  await w.dr.virtualMachines.delete("app-rg", "web-0");

  t.is((await w.dr.recoveryPlans.failover(VAULT, "web-only", { kind: "planned" })).state, "Succeeded");
  t.is((await w.dr.recoveryPlans.commit(VAULT, "web-only")).state, "Succeeded");
  const home = await w.dr.recoveryPlans.reprotect(VAULT, "web-only");
  const homeId = home.groups.flatMap((g) => g.protectedVmIds)[0] as string;
  t.true(homeId.toLowerCase().startsWith(`${sourceContainerId.toLowerCase()}/`), "the item is back in the source region's container");
  t.deepEqual(await members("web"), [homeId.toLowerCase(), otherId.toLowerCase()], "and the other plan follows it a second time");
  await w.dr.protectedVms.waitForProtection(homeId);
  t.is(
    (await w.dr.protectedVms.get(homeId)).virtualMachineId.toLowerCase(),
    vmId.toLowerCase(),
    "protecting the VM the failback brought up in the source region",
  );
  t.is(await enableAs(w, "web-0-again", vmId, sourceContainerId, targetContainerId, CACHE), "ProtectionAlreadyEnabled", "which is found protected");
});
