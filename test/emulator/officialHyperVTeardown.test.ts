// Layer 3 (ARCHITECTURE.md "Tests"): tearing a Hyper-V site down with the official
// @azure/arm-recoveryservices-siterecovery client (5.1.0) used directly, against the emulator over
// real loopback HTTP, in virtual time. Unregistering a host (`ReplicationRecoveryServicesProviders_Delete`)
// is refused while VMs of the host are protected and, as a job, removes the provider and the VMs it
// discovered; purging it (`_Purge`) is a force delete; the site cannot be removed while hosts are
// registered (Azure's docs: "Delete the Hyper-V site after all hosts have been removed from it"),
// but can be purged; a Hyper-V container mapping cannot be removed while items use it.
import type { HyperVSiteDetails, RecoveryServicesProvider, ReplicationProtectedItem } from "@azure/arm-recoveryservices-siterecovery";
import test, { type ExecutionContext } from "ava";
import { enableHyperV, hyperVEnableInput, hyperVItemName, hyperVWorld, vmItemArgs, type HyperVWorld } from "../helpers/hyperVWorld.js";
import {
  acceptedJob,
  buildHyperVReplication,
  collect,
  idOf,
  LRO,
  refused,
  registerHyperVVms,
  responseRecorder,
  withRecorder,
} from "../helpers/loopbackSiteRecovery.js";

/** The unmapping input of the service's example `ReplicationProtectionContainerMappings_Delete`. */
const UNMAPPING = { properties: { providerSpecificInput: {} } };

type World = HyperVWorld;

/** The setup with two hosts: hv-host-01 runs sql-0, hv-host-02 runs web-0. */
async function teardownWorld(t: ExecutionContext): Promise<World> {
  const world = await hyperVWorld(t, [{ name: "sql-0" }], { host: "hv-host-01", bandwidthMBps: 512 });
  return { ...world, vms: { ...world.vms, ...registerHyperVVms(world.env, world.setup, "hv-host-02", [{ name: "web-0" }]) } };
}

function siteArgs(world: World): [string, string, string] {
  const { names } = world.setup;
  return [names.vault, names.resourceGroup, names.site];
}

/** Protects a VM as `item-{vm}`, not naming the Azure VM. */
function enable(world: World, vmName: string): Promise<ReplicationProtectedItem> {
  return enableHyperV(world, vmName, hyperVItemName(vmName), hyperVEnableInput(world.env.subscriptionId));
}

function disable(world: World, vmName: string): Promise<void> {
  return world.env.asr.replicationProtectedItems.beginDeleteAndWait(
    ...vmItemArgs(world, vmName),
    { properties: { disableProtectionReason: "NotSpecified" } },
    LRO,
  );
}

function providers(world: World): Promise<RecoveryServicesProvider[]> {
  return collect(world.env.asr.replicationRecoveryServicesProviders.listByReplicationFabrics(...siteArgs(world)));
}

/** The name (a GUID) of a host's provider. */
async function providerOf(t: ExecutionContext, world: World, host: string): Promise<string> {
  const provider = (await providers(world)).find((p) => p.properties?.friendlyName === host);
  if (provider?.name === undefined) t.fail(`no provider for ${host}`);
  return provider?.name ?? "";
}

async function protectableNames(world: World): Promise<string[]> {
  const { names } = world.setup;
  const items = await collect(world.env.asr.replicationProtectableItems.listByReplicationProtectionContainers(...siteArgs(world), names.container));
  return items.map((i) => i.properties?.friendlyName ?? "").sort();
}

async function siteHosts(world: World): Promise<string[]> {
  const site = await world.env.asr.replicationFabrics.get(...siteArgs(world));
  return ((site.properties?.customDetails as HyperVSiteDetails | undefined)?.hyperVHosts ?? []).map((h) => h.name ?? "").sort();
}

async function jobScenarios(world: World): Promise<string[]> {
  const { names } = world.setup;
  return (await collect(world.env.asr.replicationJobs.list(names.vault, names.resourceGroup))).map((j) => j.properties?.scenarioName ?? "");
}

test("unregistering a host (ReplicationRecoveryServicesProviders_Delete) is refused while its VMs are protected; otherwise a job removes the provider and its VMs", async (t) => {
  const world = await teardownWorld(t);
  const { env } = world;
  await enable(world, "sql-0");
  const host1 = await providerOf(t, world, "hv-host-01");
  const host2 = await providerOf(t, world, "hv-host-02");
  t.deepEqual(await siteHosts(world), ["hv-host-01", "hv-host-02"]);

  const message = await refused(
    t,
    env.asr.replicationRecoveryServicesProviders.beginDeleteAndWait(...siteArgs(world), host1, LRO),
    400,
    "ProviderHasProtectedItems",
  );
  t.regex(message, /Hyper-V host 'hv-host-01' cannot be unregistered while 1 of its VMs are protected \(sql-0\); disable their replication first/);
  t.is((await providers(world)).length, 2, "nothing was removed");

  const recorder = responseRecorder();
  await env.asr.replicationRecoveryServicesProviders.beginDeleteAndWait(...siteArgs(world), host2, withRecorder(recorder));
  const jobName = acceptedJob(t, env, recorder.responses, "unregister host", world.setup.names);
  const job = await env.asr.replicationJobs.get(world.setup.names.vault, world.setup.names.resourceGroup, jobName);
  t.like(job.properties, { scenarioName: "RemoveRecoveryServicesProvider", state: "Succeeded", targetObjectName: "hv-host-02" });
  t.true((await jobScenarios(world)).includes("RemoveRecoveryServicesProvider"));
  t.deepEqual(
    (await providers(world)).map((p) => p.properties?.friendlyName),
    ["hv-host-01"],
  );
  await refused(t, env.asr.replicationRecoveryServicesProviders.get(...siteArgs(world), host2), 404);
  t.deepEqual(await protectableNames(world), ["sql-0"], "web-0 is no longer a protectable item");
  t.deepEqual(await siteHosts(world), ["hv-host-01"], "the site's hyperVHosts is refreshed");
  t.false(
    env.emulator.control.hyperVVms().some((vm) => vm.name === "web-0"),
    "the host's VMs are gone",
  );
  await t.notThrowsAsync(env.asr.replicationRecoveryServicesProviders.beginDeleteAndWait(...siteArgs(world), host2, LRO), "already gone: 204");

  await disable(world, "sql-0");
  await env.asr.replicationRecoveryServicesProviders.beginDeleteAndWait(...siteArgs(world), host1, LRO);
  t.deepEqual(await providers(world), []);
  t.deepEqual(await protectableNames(world), []);
  t.deepEqual(await siteHosts(world), []);
});

test("purging a host (ReplicationRecoveryServicesProviders_Purge) is a force delete: allowed while its VMs are protected; the replicated item stays", async (t) => {
  const world = await teardownWorld(t);
  const { env } = world;
  await enable(world, "sql-0");
  const host1 = await providerOf(t, world, "hv-host-01");
  await env.asr.replicationRecoveryServicesProviders.beginPurgeAndWait(...siteArgs(world), host1, LRO);
  t.true((await jobScenarios(world)).includes("PurgeRecoveryServicesProvider"));
  t.deepEqual(
    (await providers(world)).map((p) => p.properties?.friendlyName),
    ["hv-host-02"],
  );
  t.deepEqual(await protectableNames(world), ["web-0"]);
  t.deepEqual(await siteHosts(world), ["hv-host-02"]);
  const item = await env.asr.replicationProtectedItems.get(...vmItemArgs(world, "sql-0"));
  t.is(item.properties?.friendlyName, "sql-0", "the item is not removed with its host: purge or disable it on its own");
  env.emulator.control.advanceClock(2 * 60 * 60_000);
  t.truthy((await env.asr.replicationProtectedItems.get(...vmItemArgs(world, "sql-0"))).properties, "time passes without its VM");
  await env.asr.replicationProtectedItems.beginPurgeAndWait(...vmItemArgs(world, "sql-0"), LRO);
  await t.notThrowsAsync(env.asr.replicationRecoveryServicesProviders.beginPurgeAndWait(...siteArgs(world), host1, LRO), "already gone: 204");
});

test("removing a Hyper-V site (ReplicationFabrics_Delete) is refused while hosts are registered; after they are unregistered it goes; purge goes regardless", async (t) => {
  const world = await teardownWorld(t);
  const { env, setup } = world;
  const { names } = setup;
  await env.asr.replicationProtectionContainerMappings.beginDeleteAndWait(...siteArgs(world), names.container, names.containerMapping, UNMAPPING, LRO);
  await env.asr.replicationProtectionContainers.beginDeleteAndWait(...siteArgs(world), names.container, LRO);

  const message = await refused(t, env.asr.replicationFabrics.beginDeleteAndWait(...siteArgs(world), LRO), 400, "FabricHasRegisteredServers");
  t.regex(message, /Hyper-V site 'site-onprem' still has 2 registered host\(s\) \(hv-host-01, hv-host-02\); unregister them/);
  t.truthy(await env.asr.replicationFabrics.get(...siteArgs(world)), "the site stays");

  for (const host of ["hv-host-01", "hv-host-02"])
    await env.asr.replicationRecoveryServicesProviders.beginDeleteAndWait(...siteArgs(world), await providerOf(t, world, host), LRO);
  await env.asr.replicationFabrics.beginDeleteAndWait(...siteArgs(world), LRO);
  await refused(t, env.asr.replicationFabrics.get(...siteArgs(world)), 404);

  // Another site with a registered host and its container: the purge (DELETE) removes it all.
  const other = await buildHyperVReplication(env, { names: { vault: "vault-other", site: "site-2", policy: "policy-2" } });
  registerHyperVVms(env, other, "hv-host-09", [{ name: "app-0" }]);
  await env.asr.replicationFabrics.beginPurgeAndWait(other.names.vault, other.names.resourceGroup, other.names.site, LRO);
  await refused(t, env.asr.replicationFabrics.get(other.names.vault, other.names.resourceGroup, other.names.site), 404);
  t.deepEqual(await collect(env.asr.replicationRecoveryServicesProviders.list(other.names.vault, other.names.resourceGroup)), []);
  t.deepEqual(env.emulator.control.hyperVVms(idOf(other.site)), [], "its VMs are gone with it");
});

test("a Hyper-V container mapping (to 'Microsoft Azure') cannot be removed while items use it; once they are disabled it goes with the example's unmapping input", async (t) => {
  const world = await teardownWorld(t);
  const { env, setup } = world;
  const { names } = setup;
  await enable(world, "sql-0");
  await enable(world, "web-0");
  const mappingArgs = [...siteArgs(world), names.container, names.containerMapping] as const;

  const message = await refused(
    t,
    env.asr.replicationProtectionContainerMappings.beginDeleteAndWait(...mappingArgs, UNMAPPING, LRO),
    400,
    "ContainerMappingInUse",
  );
  t.regex(message, /used by 2 protected item\(s\) \(item-sql-0, item-web-0\); disable their replication first/);
  await refused(t, env.asr.replicationProtectionContainerMappings.beginPurgeAndWait(...mappingArgs, LRO), 400, "ContainerMappingInUse");
  t.truthy(await env.asr.replicationProtectionContainerMappings.get(...mappingArgs), "the mapping stays");

  await disable(world, "sql-0");
  await refused(t, env.asr.replicationProtectionContainerMappings.beginDeleteAndWait(...mappingArgs, UNMAPPING, LRO), 400, "ContainerMappingInUse");
  await disable(world, "web-0");
  await env.asr.replicationProtectionContainerMappings.beginDeleteAndWait(...mappingArgs, UNMAPPING, LRO);
  await refused(t, env.asr.replicationProtectionContainerMappings.get(...mappingArgs), 404);
  t.true((await jobScenarios(world)).includes("DissociateProtectionProfile"));
});
