// Layer 1 (PULUMI-DYNAMIC-PROVIDERS.md §3): each resource kind's logic, called directly with a
// client on a fresh fake backend, as the provider host would call it through AzureDrProvider.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import { CONFIG_KEYS, UNKNOWN, cores, resolveBackendConfig, withDrClient, type Props, type ResourceCore } from "../../providers/core/index.js";
import { ValidationError, type DrClient, type ReplicationInfrastructure } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { SUB, computeId, nicId, vmInput } from "../helpers/fixtures.js";
import { CACHE, SOURCE_VNET, TARGET_VNET, VAULT, drSetup, rgId, sourceVm } from "../helpers/siteRecoveryFixtures.js";

/** What the provider host passes along (and the cores must ignore). */
const PROVIDER_TEXT = "exports.handler = __f0;\n";
const NEU_CACHE = `/subscriptions/${SUB}/resourceGroups/app-rg-dr/providers/Microsoft.Storage/storageAccounts/cachenortheurope`;

async function client(t: ExecutionContext): Promise<DrClient> {
  return (await fakeClient(t, { replicationBandwidthMBps: 512 })).dr;
}

/** Checks `news` (with `__provider`, as the host sends them) and returns the checked inputs, failing the test on any failure. */
function checked(t: ExecutionContext, core: ResourceCore, news: Props): Props {
  const result = core.check({}, { __provider: PROVIDER_TEXT, ...news });
  t.deepEqual(result.failures, [], "the inputs check");
  t.false("__provider" in result.inputs, "check leaves __provider to the host");
  return result.inputs;
}

/** The properties that failed (each once), sorted. */
function failedProperties(core: ResourceCore, news: Props): string[] {
  return [...new Set(core.check({}, news).failures.map((f) => f.property))].sort();
}

function reasonFor(core: ResourceCore, news: Props, property: string): string | undefined {
  return core.check({}, news).failures.find((f) => f.property === property)?.reason;
}

/** After a refresh (read), the diff against the same program inputs must be empty. */
async function assertCleanRefresh(t: ExecutionContext, core: ResourceCore, dr: DrClient, id: string, outs: Props, inputs: Props): Promise<Props> {
  const found = await core.read(dr, id, outs);
  t.is(found.id, id, "read finds it under the same id");
  if (found.props === undefined || found.inputs === undefined) return t.fail("read returns props and inputs") as never;
  t.deepEqual(core.diff(id, found.props, inputs), { changes: false, replaces: [], deleteBeforeReplace: false }, "no diff after a refresh");
  for (const [key, value] of Object.entries(found.inputs)) t.deepEqual(value, inputs[key], `read's input ${key} is the program's`);
  return found.props;
}

// ------------------------------------------------------------------------------------------------
// Vault

const vaultInputs: Props = { resourceGroup: "dr-rg", name: "dr-vault", location: "North Europe", tags: { app: "shop" } };

test("Vault check: normalizes the region; failures name the property; unknown inputs pass as given", (t) => {
  t.deepEqual(checked(t, cores.Vault, vaultInputs), { resourceGroup: "dr-rg", name: "dr-vault", location: "northeurope", tags: { app: "shop" } });
  t.deepEqual(failedProperties(cores.Vault, { resourceGroup: "dr-rg.", name: "v", location: "atlantis" }), ["location", "name", "resourceGroup"]);
  t.regex(reasonFor(cores.Vault, { resourceGroup: "dr-rg", name: "v", location: "northeurope" }, "name") ?? "", /2-50 characters/);
  t.deepEqual(
    failedProperties(cores.Vault, { resourceGroup: "dr-rg", name: "x", extra: 1, location: "northeurope" }),
    ["", "name"],
    "an unknown key is refused",
  );
  const preview = cores.Vault.check({}, { resourceGroup: UNKNOWN, name: "dr-vault", location: UNKNOWN });
  t.deepEqual(preview.failures, []);
  t.like(preview.inputs, { resourceGroup: UNKNOWN, location: UNKNOWN });
});

test("Vault diff: tags change in place; region, group or name replace it (delete first when the name stays)", (t) => {
  const olds = { ...checked(t, cores.Vault, vaultInputs), vaultId: "/x" };
  t.deepEqual(cores.Vault.diff("/x", olds, { ...olds, tags: { app: "shop", env: "prod" } }), { changes: true, replaces: [], deleteBeforeReplace: false });
  t.deepEqual(cores.Vault.diff("/x", olds, { ...olds, location: "westeurope" }), { changes: true, replaces: ["location"], deleteBeforeReplace: true });
  t.deepEqual(cores.Vault.diff("/x", olds, { ...olds, name: "dr-vault-2" }), { changes: true, replaces: ["name"], deleteBeforeReplace: false });
  t.deepEqual(cores.Vault.diff("/x", olds, { ...olds }), { changes: false, replaces: [], deleteBeforeReplace: false });
});

test("Vault: create, refuse an existing one, refresh, drift, update in place, delete twice", async (t) => {
  const dr = await client(t);
  const inputs = checked(t, cores.Vault, vaultInputs);
  const { id, outs } = await cores.Vault.create(dr, inputs);
  t.regex(id, /\/vaults\/dr-vault$/);
  t.like(outs, { vaultId: id, location: "northeurope", tags: { app: "shop" } });

  const before = JSON.stringify(await dr.vaults.get(VAULT));
  const exists = await t.throwsAsync(cores.Vault.create(dr, { ...inputs, tags: { app: "other" } }));
  t.regex(exists.message, /vault dr-rg\/dr-vault already exists/);
  t.is(JSON.stringify(await dr.vaults.get(VAULT)), before, "nothing changed");

  const props = await assertCleanRefresh(t, cores.Vault, dr, id, outs, inputs);
  await dr.vaults.createOrUpdate("dr-rg", "dr-vault", { location: "northeurope", tags: { app: "shop", owner: "someone" } });
  const drifted = await cores.Vault.read(dr, id, props);
  t.deepEqual(drifted.inputs?.tags, { app: "shop", owner: "someone" }, "a tag added outside Pulumi shows");
  t.deepEqual(cores.Vault.diff(id, drifted.props ?? {}, inputs), { changes: true, replaces: [], deleteBeforeReplace: false }, "and the next up puts it back");

  const updated = await cores.Vault.update(dr, id, drifted.props ?? {}, { ...inputs, tags: { app: "shop", env: "prod" } });
  t.like(updated.outs, { vaultId: id, tags: { app: "shop", env: "prod" } });
  t.deepEqual((await dr.vaults.get(VAULT)).tags, { app: "shop", env: "prod" });

  await cores.Vault.delete(dr, id, updated.outs);
  await t.notThrowsAsync(cores.Vault.delete(dr, id, updated.outs), "deleting what is gone is fine");
  t.deepEqual(await cores.Vault.read(dr, id, updated.outs), {}, "read says it is gone");
});

// ------------------------------------------------------------------------------------------------
// VirtualMachine

const vmInputs = (name = "web-0", extra: Props = {}): Props => ({
  resourceGroup: "app-rg",
  name,
  ...(vmInput("app-rg", name) as unknown as Props),
  adminPassword: "Correct-Horse-42!",
  ...extra,
});

test("VirtualMachine check: disk defaults; failures name the property; an unknown inside an array passes", (t) => {
  const inputs = checked(t, cores.VirtualMachine, vmInputs());
  t.deepEqual(inputs.osDisk, { type: "Premium_LRS" });
  t.deepEqual(inputs.dataDisks, []);
  t.is(inputs.image && (inputs.image as Props).version, "latest");
  t.deepEqual(failedProperties(cores.VirtualMachine, { ...vmInputs("-web"), networkInterfaceIds: [], adminUsername: "" }), [
    "adminUsername",
    "name",
    "networkInterfaceIds",
  ]);
  t.regex(reasonFor(cores.VirtualMachine, vmInputs("web-0", { adminPassword: "short" }), "adminPassword") ?? "", /at least 12 characters/);
  t.deepEqual(cores.VirtualMachine.check({}, vmInputs("web-0", { networkInterfaceIds: [UNKNOWN], size: UNKNOWN })).failures, []);
});

test("VirtualMachine diff: any change replaces it, deleting first when its name stays; the admin password is ignored", (t) => {
  const olds = { ...checked(t, cores.VirtualMachine, vmInputs()), virtualMachineId: "/vm" };
  t.deepEqual(cores.VirtualMachine.diff("/vm", olds, { ...olds, size: "Standard_D4s_v5" }), { changes: true, replaces: ["size"], deleteBeforeReplace: true });
  t.deepEqual(cores.VirtualMachine.diff("/vm", olds, { ...olds, tags: { a: "b" } }), { changes: true, replaces: ["tags"], deleteBeforeReplace: true });
  t.deepEqual(cores.VirtualMachine.diff("/vm", olds, { ...olds, name: "web-1" }), { changes: true, replaces: ["name"], deleteBeforeReplace: false });
  t.deepEqual(cores.VirtualMachine.diff("/vm", olds, { ...olds, adminPassword: "Another-Horse-43!" }), {
    changes: false,
    replaces: [],
    deleteBeforeReplace: false,
  });
});

test("VirtualMachine: create (the password is not kept), refuse an existing one, refresh, gone, delete twice", async (t) => {
  const dr = await client(t);
  const inputs = checked(t, cores.VirtualMachine, vmInputs());
  const { id, outs } = await cores.VirtualMachine.create(dr, inputs);
  t.is(id.toLowerCase(), computeId("app-rg", "virtualMachines", "web-0").toLowerCase());
  t.false("adminPassword" in outs, "the admin password is not in the outputs");
  t.like(outs, { virtualMachineId: id, provisioningState: "Succeeded" });
  t.is(typeof outs.vmId, "string");

  const before = JSON.stringify(await dr.virtualMachines.get("app-rg", "web-0"));
  const exists = await t.throwsAsync(cores.VirtualMachine.create(dr, { ...inputs, size: "Standard_D4s_v5" }));
  t.regex(exists.message, /virtual machine app-rg\/web-0 already exists/);
  t.is(JSON.stringify(await dr.virtualMachines.get("app-rg", "web-0")), before, "nothing changed");

  const { adminPassword: _password, ...kept } = inputs;
  await assertCleanRefresh(t, cores.VirtualMachine, dr, id, outs, kept);

  await dr.virtualMachines.delete("app-rg", "web-0");
  t.deepEqual(await cores.VirtualMachine.read(dr, id, outs), {}, "deleted outside Pulumi: read says it is gone");
  await t.notThrowsAsync(cores.VirtualMachine.delete(dr, id, outs));
  await t.notThrowsAsync(cores.VirtualMachine.delete(dr, id, outs));
});

// ------------------------------------------------------------------------------------------------
// AvailabilitySet

const setInputs: Props = { resourceGroup: "app-rg", name: "web-as", location: "westeurope", tags: { tier: "web" } };

test("AvailabilitySet check: domain and SKU defaults; failures name the property with the region's limit", (t) => {
  t.deepEqual(checked(t, cores.AvailabilitySet, setInputs), {
    resourceGroup: "app-rg",
    name: "web-as",
    location: "westeurope",
    faultDomainCount: 2,
    updateDomainCount: 5,
    sku: "Aligned",
    tags: { tier: "web" },
  });
  t.is(reasonFor(cores.AvailabilitySet, { ...setInputs, faultDomainCount: 4 }, "faultDomainCount"), "must be 1 to 3");
  t.deepEqual(failedProperties(cores.AvailabilitySet, { ...setInputs, name: "-as", updateDomainCount: 21, sku: "Gold" }), ["name", "sku", "updateDomainCount"]);
  t.deepEqual(
    cores.AvailabilitySet.check({}, { ...setInputs, faultDomainCount: UNKNOWN }).failures,
    [],
    "a number unknown at preview arrives as the sentinel string",
  );
});

// An unknown input at preview must not cost the other inputs their defaults: the diff would then see
// the defaulted properties as removed and plan a replacement (here of an availability set, deleted first).
test("check with an unknown input keeps the other inputs' defaults, so the preview diff is an update", (t) => {
  const olds = { ...checked(t, cores.AvailabilitySet, setInputs), availabilitySetId: "/as", virtualMachineIds: [] };
  const preview = cores.AvailabilitySet.check({}, { ...setInputs, tags: UNKNOWN });
  t.deepEqual(preview.failures, []);
  t.like(preview.inputs, { faultDomainCount: 2, updateDomainCount: 5, sku: "Aligned", tags: UNKNOWN });
  t.deepEqual(cores.AvailabilitySet.diff("/as", olds, preview.inputs).replaces, []);
  // The same for an identity default: ProtectedVm's waitForProtection, when its infrastructure is unknown.
  const vm = cores.ProtectedVm.check({}, { ...protectedNews(), infrastructure: UNKNOWN });
  t.is(vm.inputs.waitForProtection, true);
});

test("AvailabilitySet diff: tags change in place; domains, SKU, region replace it (delete first unless renamed)", (t) => {
  const olds = { ...checked(t, cores.AvailabilitySet, setInputs), availabilitySetId: "/as", virtualMachineIds: [] };
  t.deepEqual(cores.AvailabilitySet.diff("/as", olds, { ...olds, tags: { tier: "front" } }), { changes: true, replaces: [], deleteBeforeReplace: false });
  t.deepEqual(cores.AvailabilitySet.diff("/as", olds, { ...olds, faultDomainCount: 3 }), {
    changes: true,
    replaces: ["faultDomainCount"],
    deleteBeforeReplace: true,
  });
  t.deepEqual(cores.AvailabilitySet.diff("/as", olds, { ...olds, updateDomainCount: 10, sku: "Classic" }), {
    changes: true,
    replaces: ["updateDomainCount", "sku"],
    deleteBeforeReplace: true,
  });
  t.deepEqual(cores.AvailabilitySet.diff("/as", olds, { ...olds, name: "web-as-2" }), { changes: true, replaces: ["name"], deleteBeforeReplace: false });
  t.false(cores.AvailabilitySet.diff("/as", olds, { ...olds }).changes);
});

test("AvailabilitySet: create, refuse an existing one, refresh, drift (a VM joined, tags changed), update tags, delete twice", async (t) => {
  const dr = await client(t);
  const inputs = checked(t, cores.AvailabilitySet, setInputs);
  const { id, outs } = await cores.AvailabilitySet.create(dr, inputs);
  t.is(id.toLowerCase(), computeId("app-rg", "availabilitySets", "web-as").toLowerCase());
  t.like(outs, { availabilitySetId: id, faultDomainCount: 2, updateDomainCount: 5, virtualMachineIds: [] });

  const before = JSON.stringify(await dr.availabilitySets.get("app-rg", "web-as"));
  const exists = await t.throwsAsync(cores.AvailabilitySet.create(dr, { ...inputs, faultDomainCount: 3 }));
  t.regex(exists.message, /availability set app-rg\/web-as already exists: choose another name/);
  t.is(JSON.stringify(await dr.availabilitySets.get("app-rg", "web-as")), before, "nothing changed");

  const props = await assertCleanRefresh(t, cores.AvailabilitySet, dr, id, outs, inputs);
  const vm = await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: id }));
  await dr.availabilitySets.updateTags("app-rg", "web-as", { tier: "web", patched: "yes" });
  const drifted = await cores.AvailabilitySet.read(dr, id, props);
  t.deepEqual(
    (drifted.props?.virtualMachineIds as string[]).map((v) => v.toLowerCase()),
    [vm.id.toLowerCase()],
  );
  t.deepEqual(drifted.inputs?.tags, { tier: "web", patched: "yes" });
  t.deepEqual(cores.AvailabilitySet.diff(id, drifted.props ?? {}, inputs), { changes: true, replaces: [], deleteBeforeReplace: false });

  const updated = await cores.AvailabilitySet.update(dr, id, drifted.props ?? {}, { ...inputs, tags: { tier: "front" } });
  t.like(updated.outs, { availabilitySetId: id, tags: { tier: "front" } });
  t.is((updated.outs.virtualMachineIds as string[]).length, 1, "its VM stays in it");

  await dr.virtualMachines.delete("app-rg", "web-0");
  await cores.AvailabilitySet.delete(dr, id, updated.outs);
  await t.notThrowsAsync(cores.AvailabilitySet.delete(dr, id, updated.outs));
  t.deepEqual(await cores.AvailabilitySet.read(dr, id, updated.outs), {});
});

// ------------------------------------------------------------------------------------------------
// ReplicationPolicy

const policyInputs: Props = { vault: { ...VAULT }, name: "a2a-24h", kind: "A2A" };

test("ReplicationPolicy check: A2A defaults; failures name the property; unknown retention passes", (t) => {
  t.deepEqual(checked(t, cores.ReplicationPolicy, policyInputs), {
    ...policyInputs,
    recoveryPointRetentionMinutes: 1440,
    appConsistentFrequencyMinutes: 0,
    multiVmSync: true,
  });
  t.is(
    reasonFor(cores.ReplicationPolicy, { ...policyInputs, recoveryPointRetentionMinutes: 30_000 }, "recoveryPointRetentionMinutes"),
    "must be 0 to 21600 (15 days)",
  );
  t.is(
    reasonFor(cores.ReplicationPolicy, { ...policyInputs, appConsistentFrequencyMinutes: 30 }, "appConsistentFrequencyMinutes"),
    "must be 0 (off) or at least 60 minutes",
  );
  t.deepEqual(failedProperties(cores.ReplicationPolicy, { ...policyInputs, vault: { resourceGroup: "dr-rg", name: "-" } }), ["vault.name"]);
  t.deepEqual(cores.ReplicationPolicy.check({}, { ...policyInputs, recoveryPointRetentionMinutes: UNKNOWN }).failures, []);
});

test("ReplicationPolicy diff: settings change in place; vault, name or kind replace it", (t) => {
  const olds = { ...checked(t, cores.ReplicationPolicy, policyInputs), policyId: "/p" };
  t.deepEqual(cores.ReplicationPolicy.diff("/p", olds, { ...olds, recoveryPointRetentionMinutes: 720 }), {
    changes: true,
    replaces: [],
    deleteBeforeReplace: false,
  });
  t.deepEqual(cores.ReplicationPolicy.diff("/p", olds, { ...olds, name: "a2a-12h" }), { changes: true, replaces: ["name"], deleteBeforeReplace: false });
  t.deepEqual(cores.ReplicationPolicy.diff("/p", olds, { ...olds, kind: "HyperVReplicaAzure" }), {
    changes: true,
    replaces: ["kind"],
    deleteBeforeReplace: true,
  });
});

test("ReplicationPolicy: create, refuse an existing one, refresh, drift, update in place, delete twice", async (t) => {
  const dr = await client(t);
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "northeurope" });
  const inputs = checked(t, cores.ReplicationPolicy, { ...policyInputs, appConsistentFrequencyMinutes: 240 });
  const { id, outs } = await cores.ReplicationPolicy.create(dr, inputs);
  t.regex(id, /\/replicationPolicies\/a2a-24h$/);
  t.is(outs.policyId, id);

  const before = JSON.stringify(await dr.replicationPolicies.get(VAULT, "a2a-24h"));
  const exists = await t.throwsAsync(cores.ReplicationPolicy.create(dr, { ...inputs, recoveryPointRetentionMinutes: 60, appConsistentFrequencyMinutes: 60 }));
  t.regex(exists.message, /replication policy a2a-24h in vault dr-vault already exists/);
  t.is(JSON.stringify(await dr.replicationPolicies.get(VAULT, "a2a-24h")), before, "nothing changed");

  const props = await assertCleanRefresh(t, cores.ReplicationPolicy, dr, id, outs, inputs);
  await dr.replicationPolicies.createOrUpdate(VAULT, "a2a-24h", { kind: "A2A", recoveryPointRetentionMinutes: 2880, appConsistentFrequencyMinutes: 240 });
  const drifted = await cores.ReplicationPolicy.read(dr, id, props);
  t.is(drifted.inputs?.recoveryPointRetentionMinutes, 2880, "a change made outside Pulumi shows");
  t.deepEqual(cores.ReplicationPolicy.diff(id, drifted.props ?? {}, inputs), { changes: true, replaces: [], deleteBeforeReplace: false });

  const updated = await cores.ReplicationPolicy.update(dr, id, drifted.props ?? {}, { ...inputs, recoveryPointRetentionMinutes: 720 });
  t.is(updated.outs.policyId, id);
  t.like(await dr.replicationPolicies.get(VAULT, "a2a-24h"), { recoveryPointRetentionMinutes: 720, appConsistentFrequencyMinutes: 240 });

  await cores.ReplicationPolicy.delete(dr, id, updated.outs);
  await t.notThrowsAsync(cores.ReplicationPolicy.delete(dr, id, updated.outs));
  t.deepEqual(await cores.ReplicationPolicy.read(dr, id, updated.outs), {});
});

// ------------------------------------------------------------------------------------------------
// ReplicationInfrastructure

const infrastructureInputs: Props = {
  vault: { ...VAULT },
  sourceRegion: "West Europe",
  targetRegion: "northeurope",
  policyName: "a2a-24h",
  network: { sourceNetworkId: SOURCE_VNET, targetNetworkId: TARGET_VNET },
};

async function vaultAndPolicy(dr: DrClient): Promise<void> {
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "northeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "a2a-24h", { kind: "A2A" });
}

test("ReplicationInfrastructure check: regions normalized; the same region twice or a bad network fails naming the property", (t) => {
  t.like(checked(t, cores.ReplicationInfrastructure, infrastructureInputs), { sourceRegion: "westeurope", targetRegion: "northeurope" });
  t.regex(
    reasonFor(cores.ReplicationInfrastructure, { ...infrastructureInputs, targetRegion: "westeurope" }, "targetRegion") ?? "",
    /must differ from sourceRegion/,
  );
  t.deepEqual(
    failedProperties(cores.ReplicationInfrastructure, { ...infrastructureInputs, network: { sourceNetworkId: "vnet", targetNetworkId: TARGET_VNET } }),
    ["network.sourceNetworkId"],
  );
  t.deepEqual(cores.ReplicationInfrastructure.check({}, { ...infrastructureInputs, policyName: UNKNOWN }).failures, []);
});

test("ReplicationInfrastructure diff: any change replaces it (the pieces stay: nothing to delete first)", (t) => {
  const olds = checked(t, cores.ReplicationInfrastructure, infrastructureInputs);
  t.deepEqual(cores.ReplicationInfrastructure.diff("/m", olds, { ...olds, policyName: "a2a-12h" }), {
    changes: true,
    replaces: ["policyName"],
    deleteBeforeReplace: false,
  });
  t.deepEqual(cores.ReplicationInfrastructure.diff("/m", olds, { ...olds, network: null }).replaces, ["network"]);
  t.false(cores.ReplicationInfrastructure.diff("/m", olds, { ...olds }).changes);
});

test("ReplicationInfrastructure: create prepares the pieces, a second create reuses them, delete removes them so the policy and vault can go", async (t) => {
  const dr = await client(t);
  await vaultAndPolicy(dr);
  const inputs = checked(t, cores.ReplicationInfrastructure, infrastructureInputs);
  const { id, outs } = await cores.ReplicationInfrastructure.create(dr, inputs);
  t.is(outs.forwardMappingId, id);
  t.is((outs.networkMappingIds as string[]).length, 2, "networks mapped both ways");
  t.false("created" in outs);
  const again = await cores.ReplicationInfrastructure.create(dr, inputs);
  t.is(again.id, id, "the existing pieces are reused");

  await cores.ReplicationInfrastructure.delete(dr, id, outs);
  const pair = { sourceRegion: "westeurope", targetRegion: "northeurope", policyName: "a2a-24h" };
  t.is(await dr.replicationInfrastructure.find(VAULT, pair), undefined, "the pieces are gone");
  await cores.ReplicationInfrastructure.delete(dr, id, outs);
  t.pass("a second delete finds nothing to remove");
  await dr.replicationPolicies.delete(VAULT, "a2a-24h");
  await dr.vaults.delete(VAULT);
  await t.throwsAsync(dr.vaults.get(VAULT), { code: "ResourceNotFound" }, "nothing of the infrastructure holds the vault back");
});

test("ReplicationInfrastructure delete is refused while a VM replicates through it, and changes nothing", async (t) => {
  const { dr, infrastructure } = await protection(t);
  const vm = await dr.protectedVms.protect(VAULT, infrastructure, {
    virtualMachineId: await sourceVm(dr, "db-0", 16),
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  });
  const { created: _created, ...outs } = infrastructure;
  await t.throwsAsync(cores.ReplicationInfrastructure.delete(dr, outs.forwardMappingId, { vault: VAULT, ...outs, policyName: "a2a-24h" } as never), {
    code: "InvalidState",
    message: /used by 1 protected VM/,
  });
  t.truthy(await dr.replicationInfrastructure.find(VAULT, { sourceRegion: "westeurope", targetRegion: "northeurope", policyName: "a2a-24h" }));
  t.is((await dr.protectedVms.get(vm.id)).name, "db-0");
});

// read gets the outputs as its props (sourceFabricId, ...): it must find the infrastructure from them.
test("ReplicationInfrastructure read: finds it from its outputs; gone when its pieces are not there", async (t) => {
  const dr = await client(t);
  await vaultAndPolicy(dr);
  const inputs = checked(t, cores.ReplicationInfrastructure, infrastructureInputs);
  const { id, outs } = await cores.ReplicationInfrastructure.create(dr, inputs);
  await assertCleanRefresh(t, cores.ReplicationInfrastructure, dr, id, outs, inputs);
  // Azure refuses to delete a policy a mapping uses; a region pair never prepared is what "gone" looks like.
  t.deepEqual(await cores.ReplicationInfrastructure.read(dr, id, { ...outs, targetRegion: "uksouth" }), {});
});

// ------------------------------------------------------------------------------------------------
// ProtectedVm

interface Protection {
  dr: DrClient;
  infrastructure: ReplicationInfrastructure;
  inputs: Props;
}

/** A vault, a policy, the infrastructure westeurope -> northeurope and a source VM; the checked inputs of its ProtectedVm. */
async function protection(t: ExecutionContext, vmName = "web-0", extra: Props = {}): Promise<Protection> {
  const dr = await client(t);
  const infrastructure = await drSetup(dr);
  const virtualMachineId = await sourceVm(dr, vmName, 16);
  const { created: _created, ...outputs } = infrastructure;
  const inputs = checked(t, cores.ProtectedVm, {
    vault: { ...VAULT },
    infrastructure: outputs as unknown as Props,
    virtualMachineId,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
    ...extra,
  });
  return { dr, infrastructure, inputs };
}

/** A ProtectedVm's inputs as the program gives them. */
const protectedNews = (): Props => ({
  vault: { ...VAULT },
  infrastructure: { sourceRegion: "westeurope" },
  virtualMachineId: computeId("app-rg", "virtualMachines", "web-0"),
  recoveryResourceGroupId: rgId("app-rg-dr"),
  cacheStorageAccountId: CACHE,
});
/** A ProtectedVm's outputs (as diff gets them). */
const protectedOlds = (): Props => ({ ...protectedNews(), waitForProtection: true, protectedVmId: "/item", phase: "protected" });

test("ProtectedVm check: waits by default; failures name the property; an unknown infrastructure passes at preview", (t) => {
  const news = protectedNews();
  t.deepEqual(cores.ProtectedVm.check({}, { ...news, infrastructure: UNKNOWN }).failures, []);
  t.deepEqual(failedProperties(cores.ProtectedVm, { ...news, infrastructure: UNKNOWN, virtualMachineId: nicId("app-rg", "x") }), ["virtualMachineId"]);
  t.is(
    reasonFor(
      cores.ProtectedVm,
      { ...news, infrastructure: UNKNOWN, recoveryAvailabilitySetId: computeId("app-rg-dr", "availabilitySets", "as"), recoveryZone: "1" },
      "recoveryZone",
    ),
    "cannot be combined with recoveryAvailabilitySetId",
  );
  t.true(failedProperties(cores.ProtectedVm, news).includes("infrastructure.policyId"), "an incomplete infrastructure names the missing output");
  t.deepEqual(cores.ProtectedVm.check({}, { ...news, infrastructure: UNKNOWN, virtualMachineId: UNKNOWN }).failures, []);
});

test("ProtectedVm diff: waiting changes in place; recovery settings replace it (disable first unless the VM changes)", (t) => {
  const olds = protectedOlds();
  t.deepEqual(cores.ProtectedVm.diff("/item", olds, { ...olds, waitForProtection: false }), { changes: true, replaces: [], deleteBeforeReplace: false });
  t.deepEqual(cores.ProtectedVm.diff("/item", olds, { ...olds, recoveryResourceGroupId: rgId("other-rg") }), {
    changes: true,
    replaces: ["recoveryResourceGroupId"],
    deleteBeforeReplace: true,
  });
  t.deepEqual(cores.ProtectedVm.diff("/item", olds, { ...olds, virtualMachineId: computeId("app-rg", "virtualMachines", "web-1") }), {
    changes: true,
    replaces: ["virtualMachineId"],
    deleteBeforeReplace: false,
  });
  t.false(cores.ProtectedVm.diff("/item", olds, { ...olds }).changes);
});

test("ProtectedVm: create protects and waits; refresh; drift after a failover outside Pulumi; no replacement while failed over", async (t) => {
  const { dr, inputs } = await protection(t);
  const { id, outs } = await cores.ProtectedVm.create(dr, inputs);
  t.like(outs, { protectedVmId: id, phase: "protected", activeLocation: "Primary", sourceRegion: "westeurope", targetRegion: "northeurope" });
  t.is(typeof outs.lifecycleId, "string");
  t.is((await dr.protectedVms.get(id)).phase, "protected");

  const props = await assertCleanRefresh(t, cores.ProtectedVm, dr, id, outs, inputs);
  await dr.failover.failover(id, { kind: "planned" });
  const drifted = await cores.ProtectedVm.read(dr, id, props);
  t.like(drifted.props, { phase: "failedOver", activeLocation: "Recovery", protectedVmId: id });
  t.false(cores.ProtectedVm.diff(id, drifted.props ?? {}, inputs).changes, "the failover is no change of its inputs");
  const refused = t.throws(() => cores.ProtectedVm.diff(id, drifted.props ?? {}, { ...inputs, recoveryResourceGroupId: rgId("other-rg") }));
  t.regex(refused.message, /would disable its protection while it is failedOver: fail back/);
});

test("ProtectedVm: read follows the item after reprotect (a new id, the same lifecycle id)", async (t) => {
  const { dr, inputs } = await protection(t);
  const { id, outs } = await cores.ProtectedVm.create(dr, inputs);
  await dr.failover.failover(id, { kind: "planned" });
  await dr.failover.commit(id);
  const reversed = await dr.protectedVms.reprotect(id, { cacheStorageAccountId: NEU_CACHE });
  const found = await cores.ProtectedVm.read(dr, id, outs);
  t.is(found.id, reversed.id);
  t.not(found.id, id);
  t.like(found.props, { protectedVmId: reversed.id, lifecycleId: outs.lifecycleId, sourceRegion: "northeurope", targetRegion: "westeurope" });
});

test("ProtectedVm: create without waiting, update refreshes where it stands, delete disables (twice is fine)", async (t) => {
  const { dr, inputs } = await protection(t, "db-0", { waitForProtection: false });
  const { id, outs } = await cores.ProtectedVm.create(dr, inputs);
  t.not(outs.phase, "protected", "returned before the initial replication is done");
  await dr.protectedVms.waitForProtection(id);
  const updated = await cores.ProtectedVm.update(dr, id, outs, { ...inputs, waitForProtection: true });
  t.like(updated.outs, { protectedVmId: id, phase: "protected", waitForProtection: true });

  await cores.ProtectedVm.delete(dr, id, updated.outs);
  await t.notThrowsAsync(cores.ProtectedVm.delete(dr, id, updated.outs));
  t.deepEqual(await cores.ProtectedVm.read(dr, id, updated.outs), {}, "protection is gone");
  t.is((await dr.virtualMachines.get("app-rg", "db-0")).provisioningState, "Succeeded", "the source VM is untouched");
});

// Every other kind refuses to create over something that exists (refuseExisting: Pulumi would later
// delete what it did not create); protect() instead reuses the VM's item, so a second stack (or a
// second ProtectedVm of the same VM) silently takes over the protection and its delete disables it.
test("ProtectedVm: create refuses a VM that is already protected", async (t) => {
  const { dr, inputs } = await protection(t);
  const { id } = await cores.ProtectedVm.create(dr, inputs);
  const before = JSON.stringify(await dr.protectedVms.get(id));
  const exists = await t.throwsAsync(cores.ProtectedVm.create(dr, inputs));
  t.regex(exists?.message ?? "", /already/);
  t.is(JSON.stringify(await dr.protectedVms.get(id)), before);
});

// ------------------------------------------------------------------------------------------------
// RecoveryPlan

async function planSetup(t: ExecutionContext): Promise<{ dr: DrClient; inputs: Props; db: string; web: string }> {
  const dr = await client(t);
  const infrastructure = await drSetup(dr);
  const ids: string[] = [];
  for (const name of ["db-0", "web-0"]) {
    const item = await dr.protectedVms.protect(VAULT, infrastructure, {
      virtualMachineId: await sourceVm(dr, name, 8),
      recoveryResourceGroupId: rgId("app-rg-dr"),
      cacheStorageAccountId: CACHE,
    });
    ids.push((await dr.protectedVms.waitForProtection(item.id)).id);
  }
  const [db, web] = ids as [string, string];
  const inputs = checked(t, cores.RecoveryPlan, {
    vault: { ...VAULT },
    name: "shop",
    primaryFabricId: infrastructure.sourceFabricId,
    recoveryFabricId: infrastructure.targetFabricId,
    groups: [{ protectedVmIds: [db], after: [{ kind: "manual", name: "check-db", description: "Check the database" }] }, { protectedVmIds: [web] }],
  });
  return { dr, inputs, db, web };
}

test("RecoveryPlan check: action and group defaults; failures name the property", (t) => {
  const item = `/subscriptions/${SUB}/resourceGroups/dr-rg/providers/Microsoft.RecoveryServices/vaults/dr-vault/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/db-0`;
  const news: Props = {
    vault: { ...VAULT },
    name: "shop",
    primaryFabricId: "/f1",
    recoveryFabricId: "/f2",
    groups: [{ after: [{ kind: "manual", name: "check" }], protectedVmIds: [item] }],
  };
  t.deepEqual(checked(t, cores.RecoveryPlan, news).groups, [
    {
      protectedVmIds: [item],
      before: [],
      after: [
        {
          kind: "manual",
          name: "check",
          failoverTypes: ["TestFailover", "PlannedFailover", "UnplannedFailover"],
          directions: ["PrimaryToRecovery", "RecoveryToPrimary"],
        },
      ],
    },
  ]);
  t.is(reasonFor(cores.RecoveryPlan, { ...news, groups: [] }, "groups"), "needs at least one group");
  t.is(reasonFor(cores.RecoveryPlan, { ...news, groups: Array.from({ length: 8 }, () => ({ protectedVmIds: [] })) }, "groups"), "at most 7 boot groups");
  t.deepEqual(failedProperties(cores.RecoveryPlan, { ...news, groups: [{ protectedVmIds: ["/vm"] }] }), ["groups[0].protectedVmIds[0]"]);
  t.deepEqual(failedProperties(cores.RecoveryPlan, { ...news, groups: [{ protectedVmIds: [item], after: [{ kind: "email", name: "x" }] }] }), [
    "groups[0].after[0].kind",
  ]);
  t.deepEqual(cores.RecoveryPlan.check({}, { ...news, groups: [{ protectedVmIds: [UNKNOWN] }] }).failures, []);
});

test("RecoveryPlan diff: groups and actions change in place; fabrics, vault or name replace it", (t) => {
  const olds: Props = {
    vault: { ...VAULT },
    name: "shop",
    primaryFabricId: "/f1",
    recoveryFabricId: "/f2",
    groups: [{ protectedVmIds: [], before: [], after: [] }],
    planId: "/p",
  };
  t.deepEqual(cores.RecoveryPlan.diff("/p", olds, { ...olds, groups: [] }), { changes: true, replaces: [], deleteBeforeReplace: false });
  t.deepEqual(cores.RecoveryPlan.diff("/p", olds, { ...olds, shutdown: { before: [], after: [] } }), {
    changes: true,
    replaces: [],
    deleteBeforeReplace: false,
  });
  t.deepEqual(cores.RecoveryPlan.diff("/p", olds, { ...olds, recoveryFabricId: "/f3" }), {
    changes: true,
    replaces: ["recoveryFabricId"],
    deleteBeforeReplace: true,
  });
  t.deepEqual(cores.RecoveryPlan.diff("/p", olds, { ...olds, name: "shop-2" }), { changes: true, replaces: ["name"], deleteBeforeReplace: false });
});

test("RecoveryPlan: create, refuse an existing one, refresh, drift, update in place, delete twice", async (t) => {
  const { dr, inputs, db, web } = await planSetup(t);
  const { id, outs } = await cores.RecoveryPlan.create(dr, inputs);
  t.regex(id, /\/replicationRecoveryPlans\/shop$/);
  t.like(outs, { planId: id, currentScenario: null });
  t.true((outs.allowedOperations as string[]).includes("PlannedFailover"));

  const before = JSON.stringify(await dr.recoveryPlans.get(VAULT, "shop"));
  const exists = await t.throwsAsync(cores.RecoveryPlan.create(dr, { ...inputs, groups: [{ protectedVmIds: [web], before: [], after: [] }] }));
  t.regex(exists.message, /recovery plan shop in vault dr-vault already exists/);
  t.is(JSON.stringify(await dr.recoveryPlans.get(VAULT, "shop")), before, "nothing changed");

  const props = await assertCleanRefresh(t, cores.RecoveryPlan, dr, id, outs, inputs);
  const fabrics = { primaryFabricId: String(inputs.primaryFabricId), recoveryFabricId: String(inputs.recoveryFabricId) };
  await dr.recoveryPlans.createOrUpdate(VAULT, "shop", { ...fabrics, groups: [{ protectedVmIds: [db, web] }] }, { update: true });
  const drifted = await cores.RecoveryPlan.read(dr, id, props);
  t.is((drifted.inputs?.groups as unknown[]).length, 1, "a plan changed outside Pulumi shows");
  t.deepEqual(cores.RecoveryPlan.diff(id, drifted.props ?? {}, inputs), { changes: true, replaces: [], deleteBeforeReplace: false });

  // In place: the web tier first, the database after a new manual step.
  const swapped = checked(t, cores.RecoveryPlan, {
    ...inputs,
    groups: [{ protectedVmIds: [web] }, { protectedVmIds: [db], before: [{ kind: "manual", name: "stop-writes" }] }],
  });
  t.deepEqual(cores.RecoveryPlan.diff(id, drifted.props ?? {}, swapped).replaces, []);
  const updated = await cores.RecoveryPlan.update(dr, id, drifted.props ?? {}, swapped);
  t.is(updated.outs.planId, id, "the same plan");
  const plan = await dr.recoveryPlans.get(VAULT, "shop");
  const boot = plan.groups.filter((g) => g.type === "Boot");
  t.deepEqual(
    boot.map((g) => g.protectedVmIds.map((v) => v.toLowerCase())),
    [[web.toLowerCase()], [db.toLowerCase()]],
  );
  t.deepEqual(
    boot[1]?.before.map((a) => a.name),
    ["stop-writes"],
  );

  await cores.RecoveryPlan.delete(dr, id, updated.outs);
  await t.notThrowsAsync(cores.RecoveryPlan.delete(dr, id, updated.outs));
  t.deepEqual(await cores.RecoveryPlan.read(dr, id, updated.outs), {});
});

// ------------------------------------------------------------------------------------------------
// Reprotect

/** A protected VM of an availability set, and the checked inputs of its Reprotect (with `settings`). */
async function reprotectSetup(t: ExecutionContext, settings: Props = {}): Promise<{ dr: DrClient; protectedVmId: string; lifecycleId: string; inputs: Props }> {
  const dr = await client(t);
  const infrastructure = await drSetup(dr);
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope" });
  const vm = await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0", { availabilitySetId: set.id, osDisk: { sizeGB: 16 } }));
  const enabled = await dr.protectedVms.protect(VAULT, infrastructure, {
    virtualMachineId: vm.id,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  });
  const item = await dr.protectedVms.waitForProtection(enabled.id);
  const inputs = checked(t, cores.Reprotect, { vault: { ...VAULT }, protectedVmId: item.id, lifecycleId: item.lifecycleId, ...settings });
  return { dr, protectedVmId: item.id, lifecycleId: item.lifecycleId, inputs };
}

test("Reprotect check: refuses a target network, naming it and saying to change the network mapping", (t) => {
  const item = `/subscriptions/${SUB}/resourceGroups/dr-rg/providers/Microsoft.RecoveryServices/vaults/dr-vault/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/web-0`;
  const news: Props = { vault: { ...VAULT }, protectedVmId: item };
  t.deepEqual(checked(t, cores.Reprotect, news), { ...news, waitForProtection: true });
  const network = cores.Reprotect.check({}, { ...news, targetNetworkId: TARGET_VNET }).failures;
  t.is(network.length, 1);
  t.is(network[0]?.property, "targetNetworkId");
  t.regex(network[0]?.reason ?? "", /change the network mapping/);
  t.deepEqual(failedProperties(cores.Reprotect, { ...news, protectedVmId: "/vm", cacheStorageAccountId: "cache" }), ["cacheStorageAccountId", "protectedVmId"]);
  t.deepEqual(cores.Reprotect.check({}, { ...news, protectedVmId: UNKNOWN, recoveryResourceGroupId: UNKNOWN }).failures, []);
});

test("Reprotect diff: settings change in place; another VM or vault replaces it; the moved id of the same VM does not", (t) => {
  const olds: Props = {
    vault: { ...VAULT },
    protectedVmId: "/items/web-0",
    waitForProtection: true,
    reprotectedVmId: "/reversed/items/web-0",
    lifecycleId: "l-1",
    direction: "RecoveryToPrimary",
  };
  t.deepEqual(cores.Reprotect.diff("l-1/reprotect", olds, { ...olds, targetDiskType: "Premium_LRS" }), {
    changes: true,
    replaces: [],
    deleteBeforeReplace: false,
  });
  t.deepEqual(cores.Reprotect.diff("l-1/reprotect", olds, { ...olds, protectedVmId: "/items/web-1" }), {
    changes: true,
    replaces: ["protectedVmId"],
    deleteBeforeReplace: false,
  });
  t.deepEqual(cores.Reprotect.diff("l-1/reprotect", olds, { ...olds, protectedVmId: "/reversed/items/web-0" }).replaces, []);
  t.deepEqual(cores.Reprotect.diff("l-1/reprotect", olds, { ...olds, vault: { resourceGroup: "dr-rg", name: "other" } }).replaces, ["vault"]);
});

test("Reprotect: refused before the failover is committed, nothing changed", async (t) => {
  const { dr, protectedVmId, inputs } = await reprotectSetup(t);
  const early = await t.throwsAsync(cores.Reprotect.create(dr, inputs));
  t.regex(early.message, /committed failover/);
  await dr.failover.failover(protectedVmId, { kind: "planned" });
  const pending = await t.throwsAsync(cores.Reprotect.create(dr, inputs));
  t.regex(pending.message, /failedOver/);
  t.like(await dr.protectedVms.get(protectedVmId), { phase: "failedOver", activeLocation: "Recovery" });
});

test("Reprotect: after commit, reprotects with the settings given (resource group, availability set, cache) and waits; a second create is idempotent", async (t) => {
  const settings: Props = {
    recoveryResourceGroupId: rgId("app-rg-2"),
    recoveryAvailabilitySetId: computeId("app-rg-2", "availabilitySets", "web-as-2"),
    cacheStorageAccountId: NEU_CACHE,
  };
  const { dr, protectedVmId, lifecycleId, inputs } = await reprotectSetup(t, settings);
  const set = await dr.availabilitySets.createOrUpdate("app-rg-2", "web-as-2", { location: "westeurope" });
  await dr.failover.failover(protectedVmId, { kind: "planned" });
  await dr.failover.commit(protectedVmId);

  const { id, outs } = await cores.Reprotect.create(dr, inputs);
  t.is(id, `${lifecycleId}/reprotect`);
  t.like(outs, { direction: "RecoveryToPrimary", state: "protected", lifecycleId, protectedVmId });
  t.not(outs.reprotectedVmId, protectedVmId, "the item moved to the other region's container");
  const reversed = await dr.protectedVms.get(String(outs.reprotectedVmId));
  t.like(reversed, { sourceRegion: "northeurope", targetRegion: "westeurope", recoveryResourceGroupId: rgId("app-rg-2"), phase: "protected" });

  const again = await cores.Reprotect.create(dr, inputs);
  t.is(again.id, id, "already reprotected: taken as done");
  t.like(again.outs, { reprotectedVmId: outs.reprotectedVmId, direction: "RecoveryToPrimary", state: "protected" });

  // The settings are used: failing back brings the VM up in the resource group and set given.
  await dr.failover.failover(reversed.id, { kind: "planned" });
  const vm = await dr.virtualMachines.get("app-rg-2", "web-0");
  t.is(vm.location, "westeurope");
  t.is(vm.availabilitySetId?.toLowerCase(), set.id.toLowerCase());
});

test("Reprotect: read follows the item, update refuses new settings once reprotected, delete forgets it", async (t) => {
  const { dr, protectedVmId, lifecycleId, inputs } = await reprotectSetup(t, { cacheStorageAccountId: NEU_CACHE });
  await dr.failover.failover(protectedVmId, { kind: "planned" });
  await dr.failover.commit(protectedVmId);
  const { id, outs } = await cores.Reprotect.create(dr, inputs);

  const found = await cores.Reprotect.read(dr, id, outs);
  t.is(found.id, id);
  t.like(found.props, { reprotectedVmId: outs.reprotectedVmId, direction: "RecoveryToPrimary", lifecycleId });
  t.false(cores.Reprotect.diff(id, found.props ?? {}, inputs).changes, "no diff after a refresh");

  const refused = await t.throwsAsync(cores.Reprotect.update(dr, id, outs, { ...inputs, targetDiskType: "StandardSSD_LRS" }));
  t.regex(refused.message, /already reprotected .*after its next committed failover/);
  const unchanged = await cores.Reprotect.update(dr, id, outs, { ...inputs, waitForProtection: false });
  t.like(unchanged.outs, { reprotectedVmId: outs.reprotectedVmId, waitForProtection: false, state: "protected" });

  await t.notThrowsAsync(cores.Reprotect.delete(dr, id, outs));
  t.is((await dr.protectedVms.get(String(outs.reprotectedVmId))).phase, "protected", "a reprotect is not undone by deleting it");
  await dr.protectedVms.disable(String(outs.reprotectedVmId));
  t.deepEqual(await cores.Reprotect.read(dr, id, outs), {}, "gone once protection is disabled");
});

// ------------------------------------------------------------------------------------------------
// Backend configuration

test("resolveBackendConfig: the stack configuration wins over the environment, which fills what it lacks", (t) => {
  const env = { AZURE_DR_BACKEND: "azure", AZURE_SUBSCRIPTION_ID: "11111111-1111-1111-1111-111111111111", AZURE_DR_FAKE_STATE_FILE: "/env/state.json" };
  t.deepEqual(resolveBackendConfig({ [CONFIG_KEYS.backend]: "fake", [CONFIG_KEYS.fakeStateFile]: "/config/state.json" }, env), {
    kind: "fake",
    stateFile: "/config/state.json",
    subscriptionId: "11111111-1111-1111-1111-111111111111",
  });
  t.deepEqual(resolveBackendConfig({ [CONFIG_KEYS.backend]: "fake" }, env), {
    kind: "fake",
    stateFile: "/env/state.json",
    subscriptionId: env.AZURE_SUBSCRIPTION_ID,
  });
  t.deepEqual(resolveBackendConfig({ [CONFIG_KEYS.subscriptionId]: "22222222-2222-2222-2222-222222222222" }, env), {
    kind: "azure",
    subscriptionId: "22222222-2222-2222-2222-222222222222",
  });
  t.deepEqual(resolveBackendConfig({ [CONFIG_KEYS.backend]: "emulator", [CONFIG_KEYS.emulatorUrl]: "http://127.0.0.1:8443" }, {}), {
    kind: "emulator",
    url: "http://127.0.0.1:8443",
    subscriptionId: undefined,
  });
  t.deepEqual(
    resolveBackendConfig({}, { AZURE_SUBSCRIPTION_ID: env.AZURE_SUBSCRIPTION_ID }),
    { kind: "azure", subscriptionId: env.AZURE_SUBSCRIPTION_ID },
    "azure by default",
  );
});

test("resolveBackendConfig: a missing or wrong setting fails naming its key", (t) => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{}, CONFIG_KEYS.subscriptionId, /required with the azure backend/],
    [{ [CONFIG_KEYS.backend]: "fake" }, CONFIG_KEYS.fakeStateFile, /required with the fake backend/],
    [{ [CONFIG_KEYS.backend]: "emulator" }, CONFIG_KEYS.emulatorUrl, /required with the emulator backend/],
    [{ [CONFIG_KEYS.backend]: "aws" }, CONFIG_KEYS.backend, /must be 'azure', 'fake' or 'emulator', not 'aws'/],
  ];
  for (const [config, key, rule] of cases) {
    const error = t.throws(() => resolveBackendConfig(config, {}), { instanceOf: ValidationError });
    t.is(error.field, key);
    t.regex(error.rule, rule);
  }
  t.is(CONFIG_KEYS.backend, "azure-dr:backend");
});

test("withDrClient: each call opens the fake's state file, so a later call sees what an earlier one made", async (t) => {
  const stateFile = join(mkdtempSync(join(tmpdir(), "azure-dr-cores-")), "state.json");
  const config = { [CONFIG_KEYS.backend]: "fake", [CONFIG_KEYS.fakeStateFile]: stateFile };
  const created = await withDrClient(config, (dr) => cores.AvailabilitySet.create(dr, checked(t, cores.AvailabilitySet, setInputs)));
  const [first, second] = await Promise.all([
    withDrClient(config, (dr) => dr.availabilitySets.get("app-rg", "web-as")),
    withDrClient(config, (dr) => cores.AvailabilitySet.read(dr, created.id, created.outs)),
  ]);
  t.is(first.id, created.id);
  t.is(second.id, created.id, "calls of one process take the state file's lock one at a time");
});
