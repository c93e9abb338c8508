// Tearing a Hyper-V site down through the SDK (`dr.hyperV.removeSite`) on the embedded fake, in
// virtual time: after protection is disabled nothing of the site is left (mappings, container,
// hosts, VMs, site); refused while a VM is protected, removing nothing; nothing to do for a site
// that does not exist; bad input named.
import test, { type ExecutionContext } from "ava";
import { SiteRecoveryGateway } from "../../sdk/azure/siteRecoveryGateway.js";
import { InvalidStateError, ValidationError, type DrClient, type FakeBackend, type HyperVSite } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { SUB } from "../helpers/fixtures.js";
import { rgId } from "../helpers/siteRecoveryFixtures.js";

const VAULT = { resourceGroup: "onprem-dr-rg", name: "onprem-vault" };
const LOG_ACCOUNT = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Storage/storageAccounts/hvlogwesteurope`;
const VNET = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Network/virtualNetworks/vnet-dr`;

interface World {
  dr: DrClient;
  backend: FakeBackend;
  site: HyperVSite;
  gateway: SiteRecoveryGateway;
}

/** A vault, a HyperVReplicaAzure policy, a prepared site and two hosts, each with a VM. */
async function siteWorld(t: ExecutionContext, containerName?: string): Promise<World> {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "hyperv-5min", { kind: "HyperVReplicaAzure", copyFrequencySeconds: 300 });
  const site = await dr.hyperV.prepareSite(VAULT, {
    siteName: "site-onprem",
    policyName: "hyperv-5min",
    ...(containerName === undefined ? {} : { containerName }),
  });
  backend.emulator.control.registerHyperVHosts({
    fabricId: site.siteId,
    hosts: [
      { name: "hv-host-01", vms: [{ name: "sql-0", disks: [{ name: "sql-0-disk0.vhdx", sizeGB: 8 }] }] },
      { name: "hv-host-02", vms: [{ name: "web-0", disks: [{ name: "web-0-disk0.vhdx", sizeGB: 8 }] }] },
    ],
  });
  return { dr, backend, site, gateway: new SiteRecoveryGateway(dr.backend) };
}

async function protect(world: World, vmName: string): Promise<string> {
  const item = await world.dr.hyperV.protect(world.site, {
    vmName,
    targetResourceGroupId: rgId("onprem-dr-rg"),
    targetNetworkId: VNET,
    targetSubnetName: "default",
    logStorageAccountId: LOG_ACCOUNT,
  });
  return (await world.dr.hyperV.waitForProtection(item.id)).id;
}

/** The vault's registered hosts (Recovery Services providers), by name. */
async function registeredHosts(world: World): Promise<string[]> {
  const names: string[] = [];
  for await (const p of world.gateway.asr.replicationRecoveryServicesProviders.list(VAULT.name, VAULT.resourceGroup))
    names.push(p.properties?.friendlyName ?? "");
  return names.sort();
}

async function fabricNames(world: World): Promise<string[]> {
  return (await world.gateway.listFabrics(VAULT)).map((f) => f.name);
}

test("removeSite after protection is disabled leaves nothing: mappings, container, hosts (their VMs no longer discovered), site; the policy can go", async (t) => {
  const world = await siteWorld(t);
  const { dr, backend, site } = world;
  const item = await protect(world, "sql-0");
  await dr.hyperV.disable(item);
  t.deepEqual(await registeredHosts(world), ["hv-host-01", "hv-host-02"]);

  const { removed } = await dr.hyperV.removeSite(VAULT, { siteName: "site-onprem" });
  t.is(removed.length, 5, "mapping, container, two hosts, site");
  t.is(removed[0]?.toLowerCase(), site.mappingId.toLowerCase(), "the mapping goes first");
  t.is(removed[1]?.toLowerCase(), site.containerId.toLowerCase());
  t.is(removed.at(-1)?.toLowerCase(), site.siteId.toLowerCase(), "the site goes last");
  t.deepEqual(await fabricNames(world), [], "no fabric is left");
  t.deepEqual(await registeredHosts(world), [], "no host is registered");
  t.deepEqual(backend.emulator.control.hyperVVms(), [], "the unregistered hosts' VMs are no longer discovered");
  await t.throwsAsync(dr.hyperV.listHosts(VAULT, "site-onprem"), { code: "ResourceNotFound" });
  await t.notThrowsAsync(dr.replicationPolicies.delete(VAULT, "hyperv-5min"), "no mapping holds the policy");
});

test("removeSite is refused while a VM of the site is protected, naming it, and removes nothing", async (t) => {
  const world = await siteWorld(t, "hv-cloud");
  const { dr, site } = world;
  const item = await protect(world, "web-0");
  const error = await t.throwsAsync(dr.hyperV.removeSite(VAULT, { siteName: "site-onprem", containerName: "hv-cloud" }), { instanceOf: InvalidStateError });
  t.regex(error?.message ?? "", /site-onprem of vault onprem-vault is used by 1 protected VM\(s\): web-0; disable their protection first/);
  t.is(error?.resourceId, site.siteId);
  t.deepEqual(await fabricNames(world), ["site-onprem"]);
  t.deepEqual(await registeredHosts(world), ["hv-host-01", "hv-host-02"], "no host was unregistered");
  t.is((await world.gateway.listMappings(VAULT, "site-onprem", "hv-cloud")).length, 1, "the mapping stays");
  t.is((await dr.hyperV.get(item)).phase, "protected", "protection goes on");
});

test("removeSite: nothing to do for a missing site, twice is fine; bad input names the field; a fabric that is not a Hyper-V site is refused", async (t) => {
  const world = await siteWorld(t);
  const { dr } = world;
  t.deepEqual(await dr.hyperV.removeSite(VAULT, { siteName: "no-such-site" }), { removed: [] });
  t.deepEqual(await dr.hyperV.removeSite({ resourceGroup: "onprem-dr-rg", name: "no-such-vault" }, { siteName: "site-onprem" }), { removed: [] });
  t.is((await dr.hyperV.removeSite(VAULT, { siteName: "site-onprem" })).removed.length, 5);
  t.deepEqual(await dr.hyperV.removeSite(VAULT, { siteName: "site-onprem" }), { removed: [] }, "idempotent");

  const bad = await t.throwsAsync(dr.hyperV.removeSite(VAULT, { siteName: "site_1" }), { instanceOf: ValidationError });
  t.is(bad?.field, "siteName");
  const badContainer = await t.throwsAsync(dr.hyperV.removeSite(VAULT, { siteName: "site-onprem", containerName: "-c" }), { instanceOf: ValidationError });
  t.is(badContainer?.field, "containerName");

  await world.gateway.createAzureFabric(VAULT, "fabric-westeurope", "westeurope", {});
  const azure = await t.throwsAsync(dr.hyperV.removeSite(VAULT, { siteName: "fabric-westeurope" }), { instanceOf: ValidationError });
  t.is(azure?.field, "siteName");
  t.regex(azure?.message ?? "", /is a Azure fabric, not a Hyper-V site/);
  t.deepEqual(await fabricNames(world), ["fabric-westeurope"], "the Azure fabric stays");
});
