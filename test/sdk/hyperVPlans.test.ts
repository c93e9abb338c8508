// The SDK's recovery plan runs on a plan of Hyper-V to Azure VMs, on the embedded fake backend: the
// Hyper-V site, its container, policy and mapping are built and the VMs protected with the official
// client (the SDK's own Hyper-V operations are not used here); hosts and VMs are registered through
// the emulator's control surface. dr.recoveryPlans sends the HyperVReplicaAzure inputs, fails the
// plan back on-premises, and reprotects its VMs item by item.
import type { FabricCreationInput, SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import test, { type ExecutionContext } from "ava";
import { isInvalidStateError, isValidationError, type DrClient, type FakeBackend, type VaultRef } from "../../sdk/index.js";
import { createSiteRecoveryClient } from "../../sdk/azure/clients.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { collect } from "../helpers/loopbackSiteRecovery.js";
import { VAULT as SHOP_VAULT, shopPlan } from "../helpers/siteRecoveryFixtures.js";

const VAULT: VaultRef = { resourceGroup: "dr-rg", name: "dr-vault" };
const SITE = "site-onprem";
const CONTAINER = "cloud-onprem";
const PLAN = "rp-onprem";
const TARGET_RG = "rg-onprem-dr";
const LRO = { updateIntervalInMs: 0 } as const;
const HOUR = 3600_000;
/** The database first, then the two web servers. */
const GROUPS = [["sql-0"], ["web-0", "web-1"]] as const;
const VMS = GROUPS.flat();

interface World {
  dr: DrClient;
  backend: FakeBackend;
  asr: SiteRecoveryManagementClient;
  /** Replicated item ids by VM name. */
  items: Record<string, string>;
  siteId: string;
}

function armId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;
}

/**
 * A vault (SDK), a Hyper-V site with one container mapped to Azure under a HyperVReplicaAzure
 * policy (official client), one host with {@link VMS} (control surface), each protected (official
 * client) and replicated for three hours.
 */
async function hyperVWorld(t: ExecutionContext): Promise<World> {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 256, startTime: new Date("2026-03-02T08:00:00Z") });
  const asr = createSiteRecoveryClient(backend);
  const sub = backend.subscriptionId;
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  const site = await asr.replicationFabrics.beginCreateAndWait(
    VAULT.name,
    VAULT.resourceGroup,
    SITE,
    // The SDK types no Hyper-V site input: the example's, cast.
    { properties: { customDetails: { instanceType: "FabricSpecificCreationInput" } } } as unknown as FabricCreationInput,
    LRO,
  );
  const container = await asr.replicationProtectionContainers.beginCreateAndWait(
    VAULT.name,
    VAULT.resourceGroup,
    SITE,
    CONTAINER,
    { properties: { providerSpecificInput: [{ instanceType: "ReplicationProviderSpecificContainerCreationInput" } as never] } },
    LRO,
  );
  const policy = await asr.replicationPolicies.beginCreateAndWait(
    VAULT.name,
    VAULT.resourceGroup,
    "policy-hyperv",
    {
      properties: {
        providerSpecificInput: {
          instanceType: "HyperVReplicaAzure",
          recoveryPointHistoryDuration: 24,
          applicationConsistentSnapshotFrequencyInHours: 4,
          replicationInterval: 300,
        },
      },
    },
    LRO,
  );
  await asr.replicationProtectionContainerMappings.beginCreateAndWait(
    VAULT.name,
    VAULT.resourceGroup,
    SITE,
    CONTAINER,
    "mapping-onprem-azure",
    {
      properties: {
        targetProtectionContainerId: "Microsoft Azure",
        policyId: policy.id ?? "",
        providerSpecificInput: { instanceType: "ReplicationProviderSpecificContainerMappingInput" } as never,
      },
    },
    LRO,
  );
  const registered = backend.emulator.control.registerHyperVHosts({
    fabricId: site.id,
    hosts: [{ name: "hv-host-01", vms: VMS.map((name) => ({ name, disks: [{ name: `${name}.vhdx`, sizeGB: 40 }], churnMBps: 2 })) }],
  });
  const items: Record<string, string> = {};
  for (const vm of registered.hosts[0]?.vms ?? []) {
    const item = await asr.replicationProtectedItems.beginCreateAndWait(
      VAULT.name,
      VAULT.resourceGroup,
      SITE,
      CONTAINER,
      `item-${vm.name}`,
      {
        properties: {
          policyId: policy.id ?? "",
          protectableItemId: `${container.id ?? ""}/replicationProtectableItems/${vm.id}`,
          providerSpecificDetails: {
            instanceType: "HyperVReplicaAzure",
            targetAzureV2ResourceGroupId: `/subscriptions/${sub}/resourceGroups/${TARGET_RG}`,
            targetAzureNetworkId: armId(sub, TARGET_RG, "Microsoft.Network/virtualNetworks", "vnet-dr"),
            useManagedDisks: "true",
            logStorageAccountId: armId(sub, TARGET_RG, "Microsoft.Storage/storageAccounts", "hvlogwesteurope"),
            targetAzureVmName: `${vm.name}-az`,
          },
        },
      },
      LRO,
    );
    items[vm.name] = item.id ?? "";
  }
  backend.emulator.control.advanceClock(3 * HOUR);
  return { dr, backend, asr, items, siteId: site.id ?? "" };
}

async function planWorld(t: ExecutionContext): Promise<World> {
  const world = await hyperVWorld(t);
  const plan = await world.dr.recoveryPlans.createOrUpdate(VAULT, PLAN, {
    primaryFabricId: world.siteId,
    recoveryFabricId: "Microsoft Azure",
    groups: GROUPS.map((vms) => ({ protectedVmIds: vms.map((vm) => world.items[vm] ?? "") })),
  });
  t.is(plan.recoveryFabricId, "Microsoft Azure");
  return world;
}

/** Each VM's Azure state: [protectionState, description, activeLocation]. */
async function states(world: World): Promise<string[][]> {
  return Promise.all(
    VMS.map(async (vm) => {
      const item = await world.asr.replicationProtectedItems.get(VAULT.name, VAULT.resourceGroup, SITE, CONTAINER, `item-${vm}`);
      return [item.properties?.protectionState ?? "", item.properties?.protectionStateDescription ?? "", item.properties?.activeLocation ?? ""];
    }),
  );
}

function onPremises(world: World, vm: string): string | undefined {
  return world.backend.emulator.control.hyperVVms().find((v) => v.name === vm)?.powerState;
}

async function azureVmState(world: World, vm: string): Promise<string | undefined> {
  try {
    return (await world.dr.virtualMachines.getStatus(TARGET_RG, `${vm}-az`)).powerState;
  } catch {
    return undefined;
  }
}

function every<T>(value: T): T[] {
  return VMS.map(() => value);
}

test("a hyper-v plan through the sdk: planned failover to azure, commit, failback on-premises, commit, reprotect, in group order and without data loss", async (t) => {
  const world = await planWorld(t);
  const { dr } = world;

  const failover = await dr.recoveryPlans.failover(VAULT, PLAN, { kind: "planned" });
  t.is(failover.state, "Succeeded");
  t.is(failover.job.scenario, "PlannedFailover", "a hyper-v plan's planned failover is Azure's plannedFailover");
  t.deepEqual(
    failover.steps.map((s) => s.name),
    ["PrerequisitesCheck", "ShutdownSourceVms", "SyncLatestChanges", "PrepareVms", "StartGroup1", "StartGroup2"],
  );
  t.is(failover.dataLossSeconds, 0, "the VMs were shut down and synced first");
  const up = Object.fromEntries(failover.items.map((i) => [i.name, i.upAt?.getTime() ?? Number.NaN]));
  t.true((up["item-sql-0"] as number) < (up["item-web-0"] as number), "group 1 is up before group 2");
  t.is(up["item-web-0"], up["item-web-1"], "the VMs of a group come up together");
  for (const vm of VMS) {
    t.is(onPremises(world, vm), "Off");
    t.is(await azureVmState(world, vm), "running");
  }
  t.deepEqual(await states(world), every(["PlannedFailoverCommitRequired", "Planned failover finished", "Recovery"]));

  // A failback before the commit is refused: the failover is not committed.
  const early = await t.throwsAsync(dr.recoveryPlans.failback(VAULT, PLAN, { dataSync: "ForDownTime" }));
  t.true(isInvalidStateError(early), String(early));
  t.regex(String(early?.message), /'Failback' is not allowed now/);

  t.is((await dr.recoveryPlans.commit(VAULT, PLAN)).state, "Succeeded");
  t.deepEqual(await states(world), every(["PlannedFailoverStatesBegin", "Planned failover committed", "Recovery"]));
  // Failing over again is not the way back.
  const again = await t.throwsAsync(dr.recoveryPlans.failover(VAULT, PLAN, { kind: "planned" }));
  t.true(isInvalidStateError(again));
  t.regex(String(again?.message), /recoveryPlans\.failback/);

  world.backend.emulator.control.advanceClock(2 * HOUR);
  const failback = await dr.recoveryPlans.failback(VAULT, PLAN, { dataSync: "ForDownTime" });
  t.is(failback.state, "Succeeded");
  t.is(failback.handle.operation, "failback");
  t.is(failback.job.scenario, "PlannedFailover");
  t.deepEqual(
    failback.steps.map((s) => s.name),
    ["PrerequisitesCheck", "SyncWhileRunning", "ShutdownAzureVms", "SyncFinalChanges", "StartGroup1", "StartGroup2"],
  );
  const back = Object.fromEntries(failback.items.map((i) => [i.name, i.upAt?.getTime() ?? Number.NaN]));
  t.true((back["item-sql-0"] as number) < (back["item-web-1"] as number), "the database runs on-premises before the web servers");
  for (const vm of VMS) {
    t.is(onPremises(world, vm), "Running", `${vm} runs on-premises again`);
    t.is(await azureVmState(world, vm), "stopped");
  }
  t.deepEqual(await states(world), every(["PlannedFailoverCommitRequired", "Failback finished", "Primary"]));
  // Asked again, the failback is reported, not run twice.
  const reported = await dr.recoveryPlans.failback(VAULT, PLAN, { dataSync: "ForDownTime" });
  t.is(reported.handle.jobName, failback.handle.jobName);

  // Reprotect before the failback's commit is refused.
  const uncommitted = await t.throwsAsync(dr.recoveryPlans.reprotect(VAULT, PLAN));
  t.true(isInvalidStateError(uncommitted), String(uncommitted));

  t.is((await dr.recoveryPlans.commit(VAULT, PLAN)).state, "Succeeded");
  t.deepEqual(await states(world), every(["PlannedFailoverStatesBegin", "Failback committed", "Primary"]));
  for (const vm of VMS) t.is(await azureVmState(world, vm), undefined, `${vm}'s Azure VM is deleted`);

  const reprotected = await dr.recoveryPlans.reprotect(VAULT, PLAN);
  t.deepEqual(await states(world), every(["Protected", "Protected", "Primary"]));
  t.deepEqual([...reprotected.allowedOperations].sort(), ["PlannedFailover", "TestFailover", "UnplannedFailover"]);
  const reverse = (await collect(dr.jobs.list(VAULT))).filter((job) => job.scenario === "ReverseReplicate");
  t.is(reverse.length, 3, "one reverse replication per VM");
  const started = (vm: string): number => reverse.find((job) => job.targetName === vm)?.startTime?.getTime() ?? Number.NaN;
  t.true(started("sql-0") < started("web-0") && started("web-0") === started("web-1"), "in group order, the VMs of a group in parallel");
  // Again: nothing to do.
  await dr.recoveryPlans.reprotect(VAULT, PLAN);
  t.is((await collect(dr.jobs.list(VAULT))).filter((job) => job.scenario === "ReverseReplicate").length, 3);
});

test("a hyper-v plan through the sdk: unplanned failover from the app-consistent point, and a test failover with its cleanup", async (t) => {
  const world = await planWorld(t);
  const { dr, backend } = world;
  const sub = backend.subscriptionId;
  const network = armId(sub, TARGET_RG, "Microsoft.Network/virtualNetworks", "vnet-test");

  const crash = await t.throwsAsync(dr.recoveryPlans.testFailover(VAULT, PLAN, { networkId: network, recoveryPoint: "LatestCrashConsistent" }));
  t.true(isValidationError(crash));
  t.regex(String(crash?.message), /^recoveryPoint: .*Hyper-V/);

  const test1 = await dr.recoveryPlans.testFailover(VAULT, PLAN, { networkId: network, recoveryPoint: "LatestApplicationConsistent" });
  t.is(test1.state, "WaitingForCleanup");
  t.deepEqual(
    test1.steps.map((s) => s.name),
    ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "StartGroup2"],
  );
  for (const vm of VMS) {
    t.is((await dr.virtualMachines.getStatus(TARGET_RG, `${vm}-az-test`)).powerState, "running", `${vm}'s test VM`);
    t.is(onPremises(world, vm), "Running", "production goes on");
  }
  const cleanup = await dr.recoveryPlans.cleanupTest(VAULT, PLAN, "drill passed");
  t.is(cleanup.state, "Succeeded");
  t.is((await dr.jobs.get(VAULT, test1.handle.jobName)).state, "Succeeded");

  const badPoint = await t.throwsAsync(dr.recoveryPlans.failover(VAULT, PLAN, { kind: "unplanned", recoveryPoint: "LatestCrashConsistent" }));
  t.true(isValidationError(badPoint));
  const startedAt = backend.emulator.control.now().getTime();
  const failover = await dr.recoveryPlans.failover(VAULT, PLAN, { kind: "unplanned", recoveryPoint: "LatestApplicationConsistent" });
  t.is(failover.state, "Succeeded");
  t.is(failover.job.scenario, "UnplannedFailover");
  t.deepEqual(
    failover.steps.map((s) => s.name),
    ["PrerequisitesCheck", "PrepareVms", "StartGroup1", "StartGroup2"],
  );
  for (const item of failover.items) {
    const loss = item.dataLossSeconds ?? Number.NaN;
    t.true(loss > 3600 && loss < 4 * 3600, `${item.name}: recovered from the app-consistent point, ${loss} s lost`);
    t.true(Math.abs((item.recoveryPointTime?.getTime() ?? 0) + loss * 1000 - startedAt) < 1000, "the loss is from the point to the failover's start");
  }
  for (const vm of VMS) t.is(onPremises(world, vm), "Running", "an unplanned failover does not shut the source down");
  t.deepEqual(await states(world), every(["UnplannedFailoverCommitPendingStatesBegin", "Failover completed", "Recovery"]));
  t.is((await dr.recoveryPlans.commit(VAULT, PLAN)).state, "Succeeded");
  // Failback to VMs still running on-premises: ForSynchronization downloads the disks in full.
  const failback = await dr.recoveryPlans.failback(VAULT, PLAN, { dataSync: "ForSynchronization" });
  t.deepEqual(
    failback.steps.map((s) => s.name),
    ["PrerequisitesCheck", "ShutdownAzureVms", "DownloadDisks", "StartGroup1", "StartGroup2"],
  );
  t.deepEqual(await states(world), every(["PlannedFailoverCommitRequired", "Failback finished", "Primary"]));
});

test("failback of a hyper-v plan creates vms deleted on-premises only with createVmIfNotFound", async (t) => {
  const world = await planWorld(t);
  const { dr, backend } = world;
  await dr.recoveryPlans.failover(VAULT, PLAN, { kind: "planned" });
  await dr.recoveryPlans.commit(VAULT, PLAN);
  const web1 = backend.emulator.control.hyperVVms().find((vm) => vm.name === "web-1");
  backend.emulator.control.removeHyperVVm(web1?.id ?? "");

  const failed = await dr.recoveryPlans.failback(VAULT, PLAN, { dataSync: "ForDownTime" });
  t.is(failed.state, "Failed");
  t.is(failed.error?.code, "OnPremisesVmNotFound");
  t.deepEqual(await states(world), every(["PlannedFailoverStatesBegin", "Planned failover committed", "Recovery"]), "every VM stays in Azure");
  for (const vm of VMS) t.is(await azureVmState(world, vm), "running");

  const created = await dr.recoveryPlans.failback(VAULT, PLAN, { dataSync: "ForDownTime", createVmIfNotFound: true });
  t.is(created.state, "Succeeded");
  t.is(onPremises(world, "web-1"), "Running", "web-1 was created on its host");
  t.deepEqual(await states(world), every(["PlannedFailoverCommitRequired", "Failback finished", "Primary"]));
});

test("failback validates its input first and is refused with a ValidationError on an azure-to-azure plan; reprotect of a hyper-v plan takes no settings", async (t) => {
  const world = await planWorld(t);
  const { dr } = world;
  const jobsBefore = (await collect(dr.jobs.list(VAULT))).length;
  for (const [input, field] of [
    [{ dataSync: "Sometimes" }, "dataSync"],
    [{ dataSync: null }, "dataSync"],
    [{ dataSync: "ForDownTime", createVmIfNotFound: "yes" }, "createVmIfNotFound"],
    [{ dataSync: "ForDownTime", alternateHost: "hv-02" }, ""],
  ] as const) {
    const error = await t.throwsAsync(dr.recoveryPlans.failback(VAULT, PLAN, input as never));
    t.true(isValidationError(error), String(error));
    if (isValidationError(error)) t.is(error.field, field, error.message);
  }
  const settings = await t.throwsAsync(dr.recoveryPlans.reprotect(VAULT, PLAN, { [world.items["sql-0"] ?? ""]: {} }));
  t.true(isValidationError(settings));
  t.regex(String(settings?.message), /^settings: .*Hyper-V/);
  t.is((await collect(dr.jobs.list(VAULT))).length, jobsBefore, "nothing was started");

  // An Azure-to-Azure plan fails back with failover() once reprotected: failback() refuses it before any call.
  const a2a = await fakeClient(t, { replicationBandwidthMBps: 512 });
  await shopPlan(a2a.dr, false);
  const refused = await t.throwsAsync(a2a.dr.recoveryPlans.failback(SHOP_VAULT, "shop", { dataSync: "ForDownTime" }));
  t.true(isValidationError(refused), String(refused));
  if (isValidationError(refused)) t.is(refused.field, "name");
  t.regex(String(refused?.message), /Azure-to-Azure/);
});
