// Layer 1 (PULUMI-DYNAMIC-PROVIDERS.md §3) for Hyper-V to Azure: the HyperVReplicaAzure policy, the
// HyperVSite and HyperVProtectedVm cores, called directly with a client on a fresh fake backend, as
// the provider host would call them through AzureDrProvider.
import test, { type ExecutionContext } from "ava";
import { UNKNOWN, cores, type Props, type ResourceCore } from "../../providers/core/index.js";
import type { HyperVReplicationPolicyArgs, ReplicationPolicyArgs } from "../../providers/index.js";
import { SiteRecoveryGateway } from "../../sdk/azure/siteRecoveryGateway.js";
import { InvalidStateError, isInvalidStateError, type DrClient, type FakeBackend, type HyperVSite } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { SUB } from "../helpers/fixtures.js";
import { rgId } from "../helpers/siteRecoveryFixtures.js";

const PROVIDER_TEXT = "exports.handler = __f0;\n";
const VAULT = { resourceGroup: "onprem-dr-rg", name: "onprem-vault" };
const LOG_ACCOUNT = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Storage/storageAccounts/hvlogwesteurope`;
const VNET = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Network/virtualNetworks/vnet-dr`;

function checked(t: ExecutionContext, core: ResourceCore, news: Props): Props {
  const result = core.check({}, { __provider: PROVIDER_TEXT, ...news });
  t.deepEqual(result.failures, [], "the inputs check");
  t.false("__provider" in result.inputs, "check leaves __provider to the host");
  return result.inputs;
}

function failedProperties(core: ResourceCore, news: Props): string[] {
  return [...new Set(core.check({}, news).failures.map((f) => f.property))].sort();
}

// ------------------------------------------------------------------------------------------------
// ReplicationPolicy, kind HyperVReplicaAzure

const hyperVPolicyInputs: Props = { vault: { ...VAULT }, name: "hyperv-5min", kind: "HyperVReplicaAzure" };

test("ReplicationPolicy (HyperVReplicaAzure) check: its own defaults; failures name the property; A2A settings are refused", (t) => {
  t.deepEqual(checked(t, cores.ReplicationPolicy, hyperVPolicyInputs), {
    ...hyperVPolicyInputs,
    copyFrequencySeconds: 300,
    recoveryPointRetentionHours: 24,
    appConsistentFrequencyHours: 0,
    encryption: false,
  });
  t.deepEqual(failedProperties(cores.ReplicationPolicy, { ...hyperVPolicyInputs, copyFrequencySeconds: 60 }), ["copyFrequencySeconds"]);
  t.deepEqual(failedProperties(cores.ReplicationPolicy, { ...hyperVPolicyInputs, initialReplicationStartTime: "25:00" }), ["initialReplicationStartTime"]);
  t.deepEqual(failedProperties(cores.ReplicationPolicy, { ...hyperVPolicyInputs, recoveryPointRetentionHours: 4, appConsistentFrequencyHours: 6 }), [
    "appConsistentFrequencyHours",
  ]);
  const a2aSetting = cores.ReplicationPolicy.check({}, { ...hyperVPolicyInputs, recoveryPointRetentionMinutes: 60 }).failures;
  t.true(
    a2aSetting.some((f) => f.reason.includes("recoveryPointRetentionMinutes")),
    `an A2A setting on a Hyper-V policy is named: ${JSON.stringify(a2aSetting)}`,
  );
  t.deepEqual(cores.ReplicationPolicy.check({}, { ...hyperVPolicyInputs, copyFrequencySeconds: UNKNOWN }).failures, [], "unknown at preview");
});

test("ReplicationPolicy (HyperVReplicaAzure) args: a typed union, each kind with its own settings", (t) => {
  const hyperV: HyperVReplicationPolicyArgs = { vault: VAULT, kind: "HyperVReplicaAzure", copyFrequencySeconds: 30, recoveryPointRetentionHours: 48 };
  const a2a: ReplicationPolicyArgs = { vault: VAULT, recoveryPointRetentionMinutes: 720 };
  // @ts-expect-error: a Hyper-V policy has no retention in minutes
  const mixed: ReplicationPolicyArgs = { vault: VAULT, kind: "HyperVReplicaAzure", recoveryPointRetentionMinutes: 60 };
  // @ts-expect-error: an A2A policy has no copy frequency
  const mixedA2a: ReplicationPolicyArgs = { vault: VAULT, kind: "A2A", copyFrequencySeconds: 30 };
  // @ts-expect-error: 60 s is not a Hyper-V copy frequency
  const badFrequency: ReplicationPolicyArgs = { vault: VAULT, kind: "HyperVReplicaAzure", copyFrequencySeconds: 60 };
  t.is(hyperV.kind, "HyperVReplicaAzure");
  t.is(a2a.kind, undefined);
  t.truthy(mixed && mixedA2a && badFrequency);
});

test("ReplicationPolicy (HyperVReplicaAzure): create, refresh without diff, update in place, kind change replaces, delete", async (t) => {
  const { dr } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  const inputs = checked(t, cores.ReplicationPolicy, { ...hyperVPolicyInputs, initialReplicationStartTime: "22:00" });
  const { id, outs } = await cores.ReplicationPolicy.create(dr, inputs);
  t.regex(id, /\/replicationPolicies\/hyperv-5min$/);
  t.like(await dr.replicationPolicies.get(VAULT, "hyperv-5min"), {
    kind: "HyperVReplicaAzure",
    copyFrequencySeconds: 300,
    initialReplicationStartTime: "22:00",
  });

  const found = await cores.ReplicationPolicy.read(dr, id, outs);
  t.is(found.id, id);
  t.deepEqual(
    cores.ReplicationPolicy.diff(id, found.props ?? {}, inputs),
    { changes: false, replaces: [], deleteBeforeReplace: false },
    "no diff after a refresh",
  );

  const changed = { ...inputs, copyFrequencySeconds: 30, recoveryPointRetentionHours: 48 };
  t.deepEqual(cores.ReplicationPolicy.diff(id, outs, changed), { changes: true, replaces: [], deleteBeforeReplace: false });
  const updated = await cores.ReplicationPolicy.update(dr, id, outs, changed);
  t.is(updated.outs.policyId, id);
  t.like(await dr.replicationPolicies.get(VAULT, "hyperv-5min"), { copyFrequencySeconds: 30, recoveryPointRetentionHours: 48 });
  t.deepEqual(cores.ReplicationPolicy.diff(id, updated.outs, checked(t, cores.ReplicationPolicy, { ...policyA2a() })).replaces, ["kind"]);

  await cores.ReplicationPolicy.delete(dr, id, updated.outs);
  t.deepEqual(await cores.ReplicationPolicy.read(dr, id, updated.outs), {});
});

function policyA2a(): Props {
  return { vault: { ...VAULT }, name: "hyperv-5min", kind: "A2A" };
}

// ------------------------------------------------------------------------------------------------
// HyperVSite

interface World {
  dr: DrClient;
  backend: FakeBackend;
  siteInputs: Props;
}

/** A vault in West Europe and a HyperVReplicaAzure policy; the checked inputs of a HyperVSite. */
async function world(t: ExecutionContext, extra: Props = {}): Promise<World> {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512 });
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "hyperv-5min", { kind: "HyperVReplicaAzure", copyFrequencySeconds: 300 });
  const siteInputs = checked(t, cores.HyperVSite, { vault: { ...VAULT }, siteName: "site-onprem", policyName: "hyperv-5min", ...extra });
  return { dr, backend, siteInputs };
}

/** What the on-premises Site Recovery provider does once installed on a host: it registers the host and its VMs with the site. */
function registerHost(backend: FakeBackend, siteId: string): void {
  backend.emulator.control.registerHyperVHosts({
    fabricId: siteId,
    hosts: [
      {
        name: "hv-host-01",
        vms: [
          { name: "sql-0", disks: [{ name: "sql-0-disk0.vhdx", sizeGB: 8 }], churnMBps: 1 },
          { name: "web-0", disks: [{ name: "web-0-disk0.vhdx", sizeGB: 8 }] },
        ],
      },
    ],
  });
}

test("HyperVSite check: the container is optional; failures name the property; an unknown name passes at preview", (t) => {
  const inputs = { vault: { ...VAULT }, siteName: "site-onprem", policyName: "hyperv-5min" };
  t.deepEqual(checked(t, cores.HyperVSite, inputs), inputs);
  t.deepEqual(failedProperties(cores.HyperVSite, { ...inputs, siteName: "site_1", containerName: "-c" }), ["containerName", "siteName"]);
  t.deepEqual(failedProperties(cores.HyperVSite, { ...inputs, vault: { resourceGroup: "onprem-dr-rg" } }), ["vault.name"]);
  t.deepEqual(failedProperties(cores.HyperVSite, { ...inputs, region: "westeurope" }), [""], "an unknown key is refused");
  t.deepEqual(cores.HyperVSite.check({}, { ...inputs, policyName: UNKNOWN }).failures, []);
});

test("HyperVSite diff: any change replaces it, deleting first unless the vault or the site's name changes", (t) => {
  const olds: Props = {
    vault: { ...VAULT },
    siteName: "site-onprem",
    policyName: "hyperv-5min",
    siteId: "/s",
    containerId: "/c",
    mappingId: "/m",
    policyId: "/p",
  };
  const news: Props = { vault: { ...VAULT }, siteName: "site-onprem", policyName: "hyperv-5min" };
  t.deepEqual(cores.HyperVSite.diff("/s", olds, news), { changes: false, replaces: [], deleteBeforeReplace: false });
  t.deepEqual(cores.HyperVSite.diff("/s", olds, { ...news, policyName: "hyperv-30s" }), { changes: true, replaces: ["policyName"], deleteBeforeReplace: true });
  t.deepEqual(cores.HyperVSite.diff("/s", olds, { ...news, containerName: "c2" }), { changes: true, replaces: ["containerName"], deleteBeforeReplace: true });
  t.deepEqual(cores.HyperVSite.diff("/s", olds, { ...news, siteName: "site-2" }), { changes: true, replaces: ["siteName"], deleteBeforeReplace: false });
  t.deepEqual(cores.HyperVSite.diff("/s", olds, { ...news, vault: { ...VAULT, name: "other" } }).deleteBeforeReplace, false);
});

test("HyperVSite: create prepares site, container and mapping; refuses an existing site; refresh; a mapping removed outside Pulumi shows; delete removes all, twice is fine", async (t) => {
  const { dr, siteInputs } = await world(t);
  const { id, outs } = await cores.HyperVSite.create(dr, siteInputs);
  t.regex(id, /\/replicationFabrics\/site-onprem$/);
  t.like(outs, { ...siteInputs, siteId: id });
  t.regex(String(outs.containerId), /\/replicationProtectionContainers\/site-onprem-container$/);
  t.regex(String(outs.mappingId), /\/replicationProtectionContainerMappings\//);
  t.regex(String(outs.policyId), /\/replicationPolicies\/hyperv-5min$/);

  const exists = await t.throwsAsync(cores.HyperVSite.create(dr, siteInputs));
  t.regex(exists?.message ?? "", /Hyper-V site site-onprem in vault onprem-vault already exists/);

  const found = await cores.HyperVSite.read(dr, id, outs);
  t.is(found.id, id);
  t.deepEqual(found.props, outs);
  t.deepEqual(found.inputs, siteInputs);
  t.false(cores.HyperVSite.diff(id, found.props ?? {}, siteInputs).changes, "no diff after a refresh");

  await new SiteRecoveryGateway(dr.backend).removeInfrastructurePiece(VAULT, String(outs.mappingId), {});
  const drifted = await cores.HyperVSite.read(dr, id, outs);
  t.like(drifted.props, { policyName: null, mappingId: null, containerId: outs.containerId });
  t.deepEqual(cores.HyperVSite.diff(id, drifted.props ?? {}, siteInputs).replaces, ["policyName"], "the next up prepares it again");

  await cores.HyperVSite.delete(dr, id, outs);
  t.deepEqual(await cores.HyperVSite.read(dr, id, outs), {}, "the site is gone");
  await t.throwsAsync(dr.hyperV.listHosts(VAULT, "site-onprem"), { code: "ResourceNotFound" });
  await t.notThrowsAsync(cores.HyperVSite.delete(dr, id, outs));
  await dr.replicationPolicies.delete(VAULT, "hyperv-5min");
  t.pass("nothing of the site holds the policy back");
});

test("HyperVSite: a named container; a create that fails (an A2A policy) leaves nothing behind and names the field", async (t) => {
  const { dr, siteInputs } = await world(t, { containerName: "hv-cloud" });
  const { outs } = await cores.HyperVSite.create(dr, siteInputs);
  t.regex(String(outs.containerId), /\/replicationProtectionContainers\/hv-cloud$/);

  await dr.replicationPolicies.createOrUpdate(VAULT, "a2a-policy", { kind: "A2A" });
  const inputs = checked(t, cores.HyperVSite, { vault: { ...VAULT }, siteName: "site-2", policyName: "a2a-policy" });
  const error = await t.throwsAsync(cores.HyperVSite.create(dr, inputs), { code: "ValidationFailed" });
  t.regex(error?.message ?? "", /^policyName: /);
  t.deepEqual(await cores.HyperVSite.read(dr, "x", inputs), {}, "no site was made");
});

// ------------------------------------------------------------------------------------------------
// HyperVProtectedVm

interface Protection extends World {
  siteId: string;
  siteOuts: Props;
  inputs: Props;
}

/** A site (with its host registered) and the checked inputs of a HyperVProtectedVm of sql-0. */
async function protection(t: ExecutionContext, extra: Props = {}): Promise<Protection> {
  const base = await world(t);
  const { id: siteId, outs: siteOuts } = await cores.HyperVSite.create(base.dr, base.siteInputs);
  registerHost(base.backend, siteId);
  const site = Object.fromEntries(["siteId", "siteName", "containerId", "mappingId", "policyId"].map((k) => [k, siteOuts[k] as Props[string]]));
  const inputs = checked(t, cores.HyperVProtectedVm, {
    site,
    vmName: "sql-0",
    targetResourceGroupId: rgId("onprem-dr-rg"),
    targetNetworkId: VNET,
    targetSubnetName: "default",
    logStorageAccountId: LOG_ACCOUNT,
    ...extra,
  });
  return { ...base, siteId, siteOuts, inputs };
}

const vmNews = (): Props => ({
  site: { siteId: "/s", siteName: "site-onprem", containerId: "/c", mappingId: "/m", policyId: "/p" },
  vmName: "sql-0",
  targetResourceGroupId: rgId("onprem-dr-rg"),
  logStorageAccountId: LOG_ACCOUNT,
});

test("HyperVProtectedVm check: waits and uses Standard_LRS by default; failures name the property; an unknown site passes at preview", (t) => {
  t.like(checked(t, cores.HyperVProtectedVm, vmNews()), { waitForProtection: true, diskType: "Standard_LRS" });
  const { logStorageAccountId: _log, ...noLog } = vmNews();
  t.deepEqual(failedProperties(cores.HyperVProtectedVm, noLog), ["logStorageAccountId"]);
  t.deepEqual(failedProperties(cores.HyperVProtectedVm, { ...vmNews(), targetSubnetName: "default" }), ["targetSubnetName"]);
  t.deepEqual(failedProperties(cores.HyperVProtectedVm, { ...vmNews(), targetZone: "4", diskType: "Ultra" }), ["diskType", "targetZone"]);
  t.deepEqual(failedProperties(cores.HyperVProtectedVm, { ...vmNews(), site: { siteId: "/s" } }), [
    "site.containerId",
    "site.mappingId",
    "site.policyId",
    "site.siteName",
  ]);
  t.deepEqual(cores.HyperVProtectedVm.check({}, { ...vmNews(), site: UNKNOWN }).failures, []);
});

test("HyperVProtectedVm diff: waiting changes in place; target settings replace it (disable first unless the VM or site changes); what Azure chose stays when left out", (t) => {
  const news = checked(t, cores.HyperVProtectedVm, vmNews());
  const olds: Props = { ...news, protectedVmId: "/item", phase: "protected", targetVmName: "sql-0", targetVmSize: "Standard_D2s_v3" };
  t.deepEqual(cores.HyperVProtectedVm.diff("/item", olds, news), { changes: false, replaces: [], deleteBeforeReplace: false }, "Azure's choices are no change");
  t.deepEqual(cores.HyperVProtectedVm.diff("/item", olds, { ...news, waitForProtection: false }), { changes: true, replaces: [], deleteBeforeReplace: false });
  t.deepEqual(cores.HyperVProtectedVm.diff("/item", olds, { ...news, targetVmSize: "Standard_D4s_v3" }), {
    changes: true,
    replaces: ["targetVmSize"],
    deleteBeforeReplace: true,
  });
  t.deepEqual(cores.HyperVProtectedVm.diff("/item", olds, { ...news, targetVmName: "sql-0" }).changes, false, "the name Azure uses, given");
  t.deepEqual(cores.HyperVProtectedVm.diff("/item", olds, { ...news, diskType: "Premium_LRS", targetNetworkId: VNET }).replaces, [
    "targetNetworkId",
    "diskType",
  ]);
  t.deepEqual(cores.HyperVProtectedVm.diff("/item", olds, { ...news, vmName: "web-0" }), { changes: true, replaces: ["vmName"], deleteBeforeReplace: false });
  t.deepEqual(cores.HyperVProtectedVm.diff("/item", olds, { ...news, site: UNKNOWN }).replaces, ["site"]);

  const failedOver = { ...olds, phase: "committed" };
  const refused = t.throws(() => cores.HyperVProtectedVm.diff("/item", failedOver, { ...news, targetVmSize: "Standard_D4s_v3" }), {
    instanceOf: InvalidStateError,
  });
  t.regex(refused?.message ?? "", /changed: targetVmSize.*while it is committed: fail it back/);
  t.false(cores.HyperVProtectedVm.diff("/item", failedOver, news).changes, "a failover is no change of the inputs");
  t.deepEqual(
    cores.HyperVProtectedVm.diff("/item", { ...olds, phase: "failbackCommitted" }, { ...news, targetVmSize: "B" }).replaces,
    ["targetVmSize"],
    "back on-premises after a failback: replacing is allowed",
  );
});

test("HyperVProtectedVm: create protects and waits; refresh; refuses a VM already protected; a failover outside Pulumi shows and blocks replace and delete; the site cannot go while it is used", async (t) => {
  const { dr, inputs, siteId, siteOuts } = await protection(t);
  const { id, outs } = await cores.HyperVProtectedVm.create(dr, inputs);
  t.regex(id, /\/replicationProtectedItems\//);
  t.like(outs, { protectedVmId: id, phase: "protected", activeLocation: "Primary", replicationHealth: "Normal", targetVmName: "sql-0" });
  t.is(typeof outs.targetVmSize, "string");
  t.like(await dr.hyperV.get(id), { phase: "protected", vmName: "sql-0", targetNetworkId: VNET });

  const found = await cores.HyperVProtectedVm.read(dr, id, outs);
  t.is(found.id, id);
  t.deepEqual(found.props, outs);
  t.false(cores.HyperVProtectedVm.diff(id, found.props ?? {}, inputs).changes, "no diff after a refresh");
  t.false("phase" in (found.inputs ?? {}), "where it stands is no input");

  const exists = await t.throwsAsync(cores.HyperVProtectedVm.create(dr, inputs), { instanceOf: InvalidStateError });
  t.regex(exists?.message ?? "", /sql-0 is already protected/);

  const siteRefused = await t.throwsAsync(cores.HyperVSite.delete(dr, siteId, siteOuts), { instanceOf: InvalidStateError });
  t.regex(siteRefused?.message ?? "", /used by 1 protected VM\(s\): sql-0/);
  t.is((await dr.hyperV.listHosts(VAULT, "site-onprem")).length, 1, "the site is untouched");

  await dr.hyperV.failover(id, { kind: "planned" });
  const drifted = await cores.HyperVProtectedVm.read(dr, id, found.props ?? {});
  t.like(drifted.props, { phase: "failedOver", activeLocation: "Recovery", protectedVmId: id });
  t.false(cores.HyperVProtectedVm.diff(id, drifted.props ?? {}, inputs).changes);
  t.throws(() => cores.HyperVProtectedVm.diff(id, drifted.props ?? {}, { ...inputs, targetVmName: "sql-0-az" }), { instanceOf: InvalidStateError });
  const deleteRefused = await t.throwsAsync(cores.HyperVProtectedVm.delete(dr, id, drifted.props ?? {}));
  t.true(isInvalidStateError(deleteRefused), "typed");
  t.regex(deleteRefused?.message ?? "", /deleting Hyper-V protected VM .* while it is failedOver/);
  t.is((await dr.hyperV.get(id)).phase, "failedOver", "still protected");
});

test("HyperVProtectedVm: create without waiting, update reads where it stands, delete disables (twice is fine), then the site can go, its hosts unregistered", async (t) => {
  const { dr, backend, inputs, siteId, siteOuts } = await protection(t, { waitForProtection: false, targetVmName: "sql-0-az" });
  const { id, outs } = await cores.HyperVProtectedVm.create(dr, inputs);
  t.like(outs, { phase: "initialReplication", targetVmName: "sql-0-az" });
  await dr.hyperV.waitForProtection(id);
  const updated = await cores.HyperVProtectedVm.update(dr, id, outs, { ...inputs, waitForProtection: true });
  t.like(updated.outs, { protectedVmId: id, phase: "protected", waitForProtection: true });

  await cores.HyperVProtectedVm.delete(dr, id, updated.outs);
  await t.notThrowsAsync(cores.HyperVProtectedVm.delete(dr, id, updated.outs));
  t.deepEqual(await cores.HyperVProtectedVm.read(dr, id, updated.outs), {}, "protection is gone");
  const site = { ...(inputs.site as Record<string, string>), created: [] } as unknown as HyperVSite;
  t.is((await dr.hyperV.listVms(site)).find((vm) => vm.name === "sql-0")?.protectionStatus, "Unprotected", "the on-premises VM stays");

  t.is(backend.emulator.control.hyperVVms(siteId).length, 2, "the host's VMs are discovered while it is registered");
  await cores.HyperVSite.delete(dr, siteId, siteOuts);
  t.deepEqual(await cores.HyperVSite.read(dr, siteId, siteOuts), {});
  t.deepEqual(backend.emulator.control.hyperVVms(siteId), [], "the host was unregistered: its VMs are no longer discovered");
  t.deepEqual(await collectHosts(dr), [], "no host of the vault is left registered");
});

/** The vault's registered hosts (Recovery Services providers), by name. */
async function collectHosts(dr: DrClient): Promise<string[]> {
  const names: string[] = [];
  const gateway = new SiteRecoveryGateway(dr.backend);
  for await (const p of gateway.asr.replicationRecoveryServicesProviders.list(VAULT.name, VAULT.resourceGroup)) names.push(p.properties?.friendlyName ?? "");
  return names;
}

test("HyperVProtectedVm: create fails naming the field when the VM is not on the site's hosts, and protects nothing", async (t) => {
  const { dr, inputs } = await protection(t, { vmName: "nope" });
  const error = await t.throwsAsync(cores.HyperVProtectedVm.create(dr, inputs), { code: "ValidationFailed" });
  t.regex(error?.message ?? "", /^vmName: no VM 'nope'/);
  const items = [];
  for await (const vm of dr.hyperV.list(VAULT)) items.push(vm.id);
  t.deepEqual(items, []);
});
