// Layer 2 (PULUMI-DYNAMIC-PROVIDERS.md §3): the real dynamic-provider host over gRPC, run from a
// folder without node_modules, configured with the fake backend on a state file, for every kind.
// The host runs the BUILT providers (dist/): `ensureBuilt` rebuilds them first when they are stale.
import * as grpc from "@grpc/grpc-js";
import test, { type ExecutionContext } from "ava";
import { join } from "node:path";
import { existsSync, rmSync } from "node:fs";
import { RESOURCE_KINDS, type ResourceKind } from "../../providers/core/index.js";
import { DrClient, createFakeBackend, isResourceNotFoundError, type FakeBackend } from "../../sdk/index.js";
import { EngineLite, EngineLiteError, type ResourceSpec, type Step } from "../helpers/engineLite.js";
import {
  CACHE,
  CACHE_NEU,
  HostCallError,
  PulumiHost,
  SAMPLES,
  SOURCE_VNET,
  TARGET_VNET,
  UNKNOWN,
  VAULT,
  ensureBuilt,
  projectWithAzureDr,
  resolvesPackagesFrom,
  rgId,
  serializeProvider,
  serializeProviderAt,
  tempDir,
  vmId,
  vmInputs,
  type HostOptions,
  type Props,
} from "../helpers/pulumiHost.js";

test.before("dist/ holds the current providers (the host loads the built code)", async () => {
  await ensureBuilt();
});

/** A new state file for the fake backend (not created yet), in a folder removed when the test ends. */
function newStateFile(t: ExecutionContext): string {
  return join(tempDir("state", t), "emulator.json");
}

/** The stack configuration that selects the fake backend on `stateFile`. */
function fakeConfig(stateFile: string): Record<string, string> {
  return { "azure-dr:backend": "fake", "azure-dr:fakeStateFile": stateFile };
}

/** Starts a host (in a new empty folder unless told otherwise), configured when `config` is given; stopped when the test ends. */
async function startHost(t: ExecutionContext, config?: Record<string, string>, options: HostOptions = {}): Promise<PulumiHost> {
  const host = await PulumiHost.start(options);
  t.teardown(() => host.stop());
  if (config !== undefined) await host.configure(config);
  return host;
}

/** Works on the same state file with the SDK directly, outside Pulumi (only while no host call is under way). */
async function withSdk<T>(stateFile: string, work: (dr: DrClient, backend: FakeBackend) => Promise<T>): Promise<T> {
  const backend = await createFakeBackend({ stateFile });
  const dr = new DrClient(backend);
  try {
    return await work(dr, backend);
  } finally {
    await dr.close();
  }
}

/** Whether the SDK call rejects with "not found". */
async function isGone(read: Promise<unknown>): Promise<boolean> {
  try {
    await read;
    return false;
  } catch (error) {
    if (isResourceNotFoundError(error)) return true;
    throw error;
  }
}

/** Steps as `"<op> <name>"`. */
function ops(steps: readonly Step[]): string[] {
  return steps.map((s) => `${s.op} ${s.name}`);
}

/** The gRPC error of a failed host call. */
async function hostError(t: ExecutionContext, call: Promise<unknown>): Promise<HostCallError> {
  const error = await t.throwsAsync(call, { instanceOf: HostCallError });
  if (error === undefined) throw new Error("the call did not fail");
  return error;
}

/** What a ProtectedVm takes from a ReplicationInfrastructure's outputs. */
function infrastructureOf(outputs: Props): Props {
  const keys = [
    "sourceRegion",
    "targetRegion",
    "sourceFabricId",
    "targetFabricId",
    "sourceContainerId",
    "targetContainerId",
    "forwardMappingId",
    "reverseMappingId",
    "policyId",
    "networkMappingIds",
  ];
  return Object.fromEntries(keys.map((k) => [k, outputs[k]]));
}

const vaultSpec = (tags: Record<string, string> = { env: "test" }): ResourceSpec => ({
  name: "vault",
  kind: "Vault",
  inputs: { ...VAULT, location: "northeurope", tags },
});
const policySpec = (inputs: Props = {}, deleteBeforeReplace?: boolean): ResourceSpec => ({
  name: "policy",
  kind: "ReplicationPolicy",
  inputs: { vault: VAULT, name: "a2a-24h", kind: "A2A", recoveryPointRetentionMinutes: 1440, ...inputs },
  ...(deleteBeforeReplace === undefined ? {} : { deleteBeforeReplace }),
});
const infrastructureSpec: ResourceSpec = {
  name: "infrastructure",
  kind: "ReplicationInfrastructure",
  inputs: (out) => ({
    vault: VAULT,
    sourceRegion: "westeurope",
    targetRegion: "northeurope",
    policyName: out("policy").name as string,
    network: { sourceNetworkId: SOURCE_VNET, targetNetworkId: TARGET_VNET },
  }),
};
const vmSpec = (name: string): ResourceSpec => ({ name, kind: "VirtualMachine", inputs: vmInputs(name) });
const protectedVmSpec = (vm: string, inputs: Props = {}): ResourceSpec => ({
  name: `protected-${vm}`,
  kind: "ProtectedVm",
  inputs: (out) => ({
    vault: VAULT,
    infrastructure: infrastructureOf(out("infrastructure")),
    virtualMachineId: out(vm).virtualMachineId as string,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
    ...inputs,
  }),
});
const planSpec = (groups: (protectedVmId: (vm: string) => string) => Props[]): ResourceSpec => ({
  name: "plan",
  kind: "RecoveryPlan",
  inputs: (out) => ({
    vault: VAULT,
    name: "shop",
    primaryFabricId: out("infrastructure").sourceFabricId as string,
    recoveryFabricId: out("infrastructure").targetFabricId as string,
    groups: groups((vm) => out(`protected-${vm}`).protectedVmId as string),
  }),
});
const reprotectSpec = (vm: string): ResourceSpec => ({
  name: `reprotect-${vm}`,
  kind: "Reprotect",
  inputs: (out) => ({
    vault: VAULT,
    protectedVmId: out(`protected-${vm}`).protectedVmId as string,
    lifecycleId: out(`protected-${vm}`).lifecycleId as string,
    cacheStorageAccountId: CACHE_NEU,
  }),
});

/** What Diff answers for each kind when its sample's unknown input changes: the inputs it replaces on. */
const UNKNOWN_REPLACES: Record<ResourceKind, string[]> = {
  Vault: ["location"],
  VirtualMachine: ["size"],
  AvailabilitySet: ["updateDomainCount"],
  ReplicationPolicy: [],
  ReplicationInfrastructure: ["sourceRegion"],
  ProtectedVm: ["virtualMachineId"],
  RecoveryPlan: [],
  Reprotect: ["protectedVmId"],
  HyperVSite: ["siteName"],
  HyperVProtectedVm: ["site"],
};

/** One host for the Check and Diff tests (which never reach the backend), in a folder without node_modules, configured with the fake backend. */
let shared: PulumiHost | undefined;
let sharedConfigured: unknown;
const sharedState = tempDir("state");
test.before("a shared host for Check and Diff", async () => {
  shared = await PulumiHost.start();
  sharedConfigured = await shared.configure(fakeConfig(join(sharedState, "emulator.json")));
});
test.after.always("stop the shared host", async () => {
  await shared?.stop();
  rmSync(sharedState, { recursive: true, force: true });
});
function sharedHost(): PulumiHost {
  if (shared === undefined) throw new Error("the shared host did not start");
  return shared;
}

test("the host runs from a folder where no package resolves; Configure answers acceptSecrets=false, supportsPreview=false", (t) => {
  t.false(resolvesPackagesFrom(sharedHost().cwd));
  t.deepEqual(sharedConfigured, { acceptSecrets: false, supportsPreview: false });
});

for (const kind of RESOURCE_KINDS) {
  test(`${kind}: Check (valid, invalid, preview unknown) and Diff (no change, preview unknown) over gRPC`, async (t) => {
    const host = sharedHost();
    const sample = SAMPLES[kind];
    const { text } = await serializeProvider(kind);

    const valid = await host.check({}, { ...sample.valid, __provider: text });
    t.deepEqual(valid.failures, [], "valid inputs pass");
    t.is(valid.inputs.__provider, text, "the host puts __provider back into the checked inputs");
    for (const key of Object.keys(sample.valid)) t.true(key in valid.inputs, `${key} is kept`);

    const invalid = await host.check({}, { ...sample.invalid, __provider: text });
    t.deepEqual([...new Set(invalid.failures.map((f) => f.property))].sort(), [...sample.invalidProperties].sort(), "failures name the properties");
    t.true(
      invalid.failures.every((f) => f.reason.length > 0),
      "each failure says why",
    );

    const preview = await host.check(valid.inputs, { ...sample.valid, [sample.unknownKey]: UNKNOWN, __provider: text });
    t.deepEqual(preview.failures, [], `no failure on an unknown ${sample.unknownKey}`);
    t.is(preview.inputs[sample.unknownKey], UNKNOWN, `the unknown ${sample.unknownKey} passes through`);

    t.deepEqual(await host.diff("id-0", valid.inputs, valid.inputs), { changes: "DIFF_NONE", replaces: [], deleteBeforeReplace: false }, "no change");
    const diff = await host.diff("id-0", valid.inputs, preview.inputs);
    t.is(diff.changes, "DIFF_SOME", "an unknown input is a change at preview");
    t.deepEqual(diff.replaces, UNKNOWN_REPLACES[kind], "it replaces on that input only");
  });
}

test("preview: unknown tags of an availability set are an update, not a replacement (the other inputs keep their defaults)", async (t) => {
  const host = sharedHost();
  const { text } = await serializeProvider("AvailabilitySet");
  const inputs = { resourceGroup: "app-rg", name: "web-as", location: "westeurope", tags: { tier: "web" } };
  const olds = (await host.check({}, { ...inputs, __provider: text })).inputs;
  t.like(olds, { faultDomainCount: 2, updateDomainCount: 5, sku: "Aligned" }, "defaults");
  const preview = await host.check(olds, { ...inputs, tags: UNKNOWN, __provider: text });
  t.deepEqual(preview.failures, []);
  t.like(preview.inputs, { tags: UNKNOWN, faultDomainCount: 2, updateDomainCount: 5, sku: "Aligned" }, "the defaults are applied around the unknown");
  t.deepEqual(await host.diff("id-0", olds, preview.inputs), { changes: "DIFF_SOME", replaces: [], deleteBeforeReplace: false });
  const creation = await host.check({}, { ...inputs, tags: UNKNOWN, __provider: text });
  t.deepEqual(creation.failures, []);
  t.like(creation.inputs, { tags: UNKNOWN, faultDomainCount: 2, updateDomainCount: 5, sku: "Aligned" }, "also when it is created (no old inputs)");
});

test("vault, policy and availability set: created by one host process, refreshed, updated, replaced and destroyed by another", async (t) => {
  const stateFile = newStateFile(t);
  const hostA = await startHost(t, fakeConfig(stateFile));
  const engine = new EngineLite(hostA);
  const set = (inputs: Props = {}): ResourceSpec => ({
    name: "web-as",
    kind: "AvailabilitySet",
    inputs: { resourceGroup: "app-rg", name: "web-as", location: "westeurope", updateDomainCount: 5, tags: { tier: "web" }, ...inputs },
  });

  t.deepEqual(ops(await engine.up([vaultSpec(), policySpec(), set()])), ["create vault", "create policy", "create web-as"]);
  const vaultId = engine.outputs("vault").vaultId;
  const policyId = engine.outputs("policy").policyId;
  const setId = engine.outputs("web-as").availabilitySetId;
  t.regex(String(vaultId), /\/vaults\/dr-vault$/i);
  t.regex(String(policyId), /\/replicationPolicies\/a2a-24h$/i);
  t.regex(String(setId), /\/availabilitySets\/web-as$/i);
  t.like(engine.outputs("policy"), { recoveryPointRetentionMinutes: 1440, appConsistentFrequencyMinutes: 0, multiVmSync: true }, "outputs hold the defaults");
  await hostA.stop(); // killed between two calls, as an engine run that ended leaves it

  const hostB = await startHost(t, fakeConfig(stateFile));
  engine.host = hostB;
  t.deepEqual(ops(await engine.refresh()), ["refresh vault", "refresh policy", "refresh web-as"], "another process reads what the first one created");
  t.is(engine.outputs("vault").vaultId, vaultId);
  t.is(engine.outputs("web-as").availabilitySetId, setId);
  t.deepEqual(ops(await engine.up([vaultSpec(), policySpec(), set()])), ["same vault", "same policy", "same web-as"], "no drift after the refresh");

  t.deepEqual(
    ops(await engine.up([vaultSpec(), policySpec({ recoveryPointRetentionMinutes: 240 }), set()])),
    ["same vault", "update policy", "same web-as"],
    "a retention change updates the policy in place",
  );
  t.is(engine.outputs("policy").policyId, policyId);
  t.is(engine.outputs("policy").recoveryPointRetentionMinutes, 240);
  await withSdk(stateFile, async (dr) => t.like(await dr.replicationPolicies.get(VAULT, "a2a-24h"), { recoveryPointRetentionMinutes: 240 }));

  t.deepEqual(
    ops(await engine.up([vaultSpec({ env: "prod" }), policySpec({ recoveryPointRetentionMinutes: 240 }), set({ tags: { tier: "web", owner: "ops" } })])),
    ["update vault", "same policy", "update web-as"],
    "tag changes update the vault and the set in place",
  );
  t.is(engine.outputs("vault").vaultId, vaultId);
  t.is(engine.outputs("web-as").availabilitySetId, setId);
  await withSdk(stateFile, async (dr) => {
    t.deepEqual((await dr.vaults.get(VAULT)).tags, { env: "prod" });
    t.deepEqual((await dr.availabilitySets.get("app-rg", "web-as")).tags, { tier: "web", owner: "ops" });
  });

  const current = [vaultSpec({ env: "prod" }), policySpec({ recoveryPointRetentionMinutes: 240 })];
  t.deepEqual(
    ops(await engine.up([...current, set({ tags: { tier: "web", owner: "ops" }, updateDomainCount: 3 })])),
    ["same vault", "same policy", "delete-replaced web-as", "create-replacement web-as"],
    "shrinking the update domains replaces the set, deleting it first (it keeps its name)",
  );
  await withSdk(stateFile, async (dr) => t.is((await dr.availabilitySets.get("app-rg", "web-as")).updateDomainCount, 3));
  const shrunk = set({ tags: { tier: "web", owner: "ops" }, updateDomainCount: 3 });

  t.deepEqual(
    ops(await engine.up([current[0] as ResourceSpec, policySpec({ name: "a2a-4h", recoveryPointRetentionMinutes: 240 }), shrunk])),
    ["same vault", "create-replacement policy", "delete-replaced policy", "same web-as"],
    "renaming the policy replaces it, the new one first (the names differ)",
  );
  t.regex(String(engine.outputs("policy").policyId), /\/replicationPolicies\/a2a-4h$/i);
  t.deepEqual(
    ops(await engine.up([current[0] as ResourceSpec, policySpec({ name: "a2a-12h", recoveryPointRetentionMinutes: 240 }, true), shrunk])),
    ["same vault", "delete-replaced policy", "create-replacement policy", "same web-as"],
    "with the deleteBeforeReplace option, the old one goes first",
  );
  await withSdk(stateFile, async (dr) => {
    const names: string[] = [];
    for await (const policy of dr.replicationPolicies.list(VAULT)) names.push(policy.name);
    t.deepEqual(names, ["a2a-12h"]);
  });

  t.deepEqual(ops(await engine.destroy()), ["delete web-as", "delete policy", "delete vault"], "newest first (a replacement keeps its place)");
  await withSdk(stateFile, async (dr) => {
    t.true(await isGone(dr.vaults.get(VAULT)));
    t.true(await isGone(dr.availabilitySets.get("app-rg", "web-as")));
  });
});

test("protection across host processes: VMs, infrastructure, protected VMs and a plan; a failover outside Pulumi shows on refresh and blocks a replacement; reprotect after the commit", async (t) => {
  const stateFile = newStateFile(t);
  const hostA = await startHost(t, fakeConfig(stateFile));
  const engine = new EngineLite(hostA);
  const twoGroups = planSpec((item) => [{ protectedVmIds: [item("web-0")] }, { protectedVmIds: [item("web-1")] }]);
  const stack = (plan: ResourceSpec, ...more: ResourceSpec[]): ResourceSpec[] => [
    vaultSpec(),
    policySpec(),
    infrastructureSpec,
    vmSpec("web-0"),
    vmSpec("web-1"),
    protectedVmSpec("web-0"),
    protectedVmSpec("web-1"),
    plan,
    ...more,
  ];
  const names = stack(twoGroups).map((s) => s.name);

  t.deepEqual(
    ops(await engine.up(stack(twoGroups))),
    names.map((n) => `create ${n}`),
  );
  t.is(String(engine.outputs("web-0").virtualMachineId).toLowerCase(), vmId("app-rg", "web-0").toLowerCase());
  t.like(engine.outputs("infrastructure"), { sourceRegion: "westeurope", targetRegion: "northeurope" });
  t.is((engine.outputs("infrastructure").networkMappingIds as string[]).length, 2, "the networks are mapped both ways");
  for (const vm of ["web-0", "web-1"]) {
    t.like(
      engine.outputs(`protected-${vm}`),
      { phase: "protected", protectionState: "Protected", activeLocation: "Primary", sourceRegion: "westeurope", targetRegion: "northeurope" },
      `create waited until ${vm} was protected`,
    );
  }
  const planId = engine.outputs("plan").planId;
  t.regex(String(planId), /\/replicationRecoveryPlans\/shop$/i);
  await hostA.stop();

  const hostB = await startHost(t, fakeConfig(stateFile));
  engine.host = hostB;
  t.deepEqual(
    ops(await engine.refresh()),
    names.map((n) => `refresh ${n}`),
  );
  t.deepEqual(
    ops(await engine.up(stack(twoGroups))),
    names.map((n) => `same ${n}`),
    "no drift after a refresh in another process",
  );

  const oneGroup = planSpec((item) => [
    { protectedVmIds: [item("web-0"), item("web-1")], after: [{ kind: "manual", name: "check-web", description: "Check the web tier" }] },
  ]);
  t.deepEqual(
    ops(await engine.up(stack(oneGroup))),
    names.map((n) => (n === "plan" ? "update plan" : `same ${n}`)),
    "a change of groups updates the plan in place",
  );
  t.is(engine.outputs("plan").planId, planId);
  await withSdk(stateFile, async (dr) => {
    const boot = (await dr.recoveryPlans.get(VAULT, "shop")).groups.filter((g) => g.type === "Boot");
    t.is(boot.length, 1);
    t.is(boot[0]?.protectedVmIds.length, 2);
    t.like(boot[0]?.after, [{ kind: "manual", name: "check-web" }]);
  });

  const protectedId = String(engine.outputs("protected-web-0").protectedVmId);
  await withSdk(stateFile, async (dr) => {
    await dr.failover.failover(protectedId, { kind: "unplanned", recoveryPoint: "LatestProcessed" });
  });
  await engine.refresh();
  t.like(engine.outputs("protected-web-0"), { phase: "failedOver", activeLocation: "Recovery" }, "the failover done outside Pulumi shows as drift");
  t.like(engine.outputs("protected-web-1"), { phase: "protected", activeLocation: "Primary" });

  const moved = stack(oneGroup).map((s) => (s.name === "protected-web-0" ? protectedVmSpec("web-0", { recoveryResourceGroupId: rgId("app-rg-dr2") }) : s));
  const refused = await t.throwsAsync(engine.up(moved), { instanceOf: EngineLiteError });
  const cause = refused?.cause;
  t.true(cause instanceof HostCallError);
  t.is((cause as HostCallError).method, "Diff");
  t.is((cause as HostCallError).code, grpc.status.UNKNOWN);
  t.regex((cause as HostCallError).details, /would disable its protection while it is failedOver/);
  t.false(
    refused?.steps.some((s) => s.op !== "same"),
    "nothing was created or deleted",
  );
  await withSdk(stateFile, async (dr) => t.is((await dr.protectedVms.get(protectedId)).phase, "failedOver"));

  await withSdk(stateFile, async (dr) => {
    await dr.failover.commit(protectedId);
  });
  t.deepEqual(ops(await engine.up(stack(oneGroup, reprotectSpec("web-0")))), [...names.map((n) => `same ${n}`), "create reprotect-web-0"]);
  const reprotected = engine.outputs("reprotect-web-0");
  t.like(reprotected, { direction: "RecoveryToPrimary", state: "protected", lifecycleId: engine.outputs("protected-web-0").lifecycleId });
  t.not(reprotected.reprotectedVmId, protectedId, "the item moved to the other region's container");

  const state = Object.values(engine.state);
  const entry = (name: string): { id: string; outputs: Props } => {
    const found = state.find((e) => e.name === name);
    if (found === undefined) throw new Error(name);
    return found;
  };
  const read = await hostB.read(entry("reprotect-web-0").id, entry("reprotect-web-0").outputs);
  t.is(read.id, entry("reprotect-web-0").id);
  t.like(read.properties, { direction: "RecoveryToPrimary", state: "protected", reprotectedVmId: reprotected.reprotectedVmId });
  const followed = await hostB.read(entry("protected-web-0").id, entry("protected-web-0").outputs);
  t.is(followed.id, String(reprotected.reprotectedVmId), "Read follows the protected VM to its new id");
  t.like(followed.properties, { phase: "protected", activeLocation: "Recovery", sourceRegion: "northeurope", targetRegion: "westeurope" });

  t.deepEqual(ops(await engine.up(stack(oneGroup))), [...names.map((n) => `same ${n}`), "delete reprotect-web-0"]);
  await withSdk(stateFile, async (dr) => {
    t.like(
      await dr.protectedVms.get(String(reprotected.reprotectedVmId)),
      { phase: "protected", activeLocation: "Recovery" },
      "deleting a Reprotect changes nothing",
    );
  });

  t.deepEqual(ops(await engine.up([vaultSpec(), policySpec(), infrastructureSpec])), [
    "same vault",
    "same policy",
    "same infrastructure",
    "delete plan",
    "delete protected-web-1",
    "delete protected-web-0",
    "delete web-1",
    "delete web-0",
  ]);
  await withSdk(stateFile, async (dr) => {
    const items: string[] = [];
    for await (const item of dr.protectedVms.list(VAULT)) items.push(item.id);
    t.deepEqual(items, [], "replication is disabled (the reprotected item found by its lifecycle id)");
    t.true(await isGone(dr.recoveryPlans.get(VAULT, "shop")));
    t.true(await isGone(dr.virtualMachines.get("app-rg", "web-1")));
  });
});

test("destroying a whole DR stack (vault, policy, replication infrastructure) leaves nothing in the vault and deletes it", async (t) => {
  const stateFile = newStateFile(t);
  const engine = new EngineLite(await startHost(t, fakeConfig(stateFile)));
  t.deepEqual(ops(await engine.up([vaultSpec(), policySpec(), infrastructureSpec])), ["create vault", "create policy", "create infrastructure"]);
  t.deepEqual(ops(await engine.destroy()), ["delete infrastructure", "delete policy", "delete vault"]);
  await withSdk(stateFile, async (dr) => t.true(await isGone(dr.vaults.get(VAULT))));
});

test("an unchanged program makes no change, before and after a refresh, also for a vault and an availability set without tags", async (t) => {
  const engine = new EngineLite(await startHost(t, fakeConfig(newStateFile(t))));
  const resources: ResourceSpec[] = [
    { name: "vault", kind: "Vault", inputs: { ...VAULT, location: "northeurope" } },
    { name: "web-as", kind: "AvailabilitySet", inputs: { resourceGroup: "app-rg", name: "web-as", location: "westeurope" } },
  ];
  t.deepEqual(ops(await engine.up(resources)), ["create vault", "create web-as"]);
  t.deepEqual(ops(await engine.up(resources)), ["same vault", "same web-as"]);
  await engine.refresh();
  t.deepEqual(ops(await engine.up(resources)), ["same vault", "same web-as"]);
});

test("already there, or gone outside Pulumi: Create refuses, Read answers an empty id, Delete succeeds twice (vault, VM, availability set, policy)", async (t) => {
  const stateFile = newStateFile(t);
  const host = await startHost(t, fakeConfig(stateFile));
  await withSdk(stateFile, async (dr) => {
    await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "northeurope" });
    await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope" });
    const { resourceGroup: _rg, name: _name, ...vm } = vmInputs("web-0");
    await dr.virtualMachines.create("app-rg", "web-0", vm as Parameters<typeof dr.virtualMachines.create>[2]);
    await dr.replicationPolicies.createOrUpdate(VAULT, "a2a-24h", { kind: "A2A" });
  });
  const existing: [ResourceKind, Props][] = [
    ["Vault", { ...VAULT, location: "northeurope" }],
    ["AvailabilitySet", { resourceGroup: "app-rg", name: "web-as", location: "westeurope" }],
    ["VirtualMachine", vmInputs("web-0")],
    ["ReplicationPolicy", { vault: VAULT, name: "a2a-24h", kind: "A2A" }],
  ];
  for (const [kind, inputs] of existing) {
    const { text } = await serializeProvider(kind);
    const checked = await host.check({}, { ...inputs, __provider: text });
    const error = await hostError(t, host.create(checked.inputs));
    t.is(error.code, grpc.status.UNKNOWN, `${kind}: gRPC UNKNOWN`);
    t.regex(error.details, /already exists/, `${kind}: the SDK's message`);
  }

  const fresh: [ResourceKind, Props, (dr: DrClient) => Promise<void>][] = [
    [
      "Vault",
      { resourceGroup: "dr-rg", name: "dr-vault-2", location: "northeurope" },
      (dr) => dr.vaults.delete({ resourceGroup: "dr-rg", name: "dr-vault-2" }),
    ],
    ["VirtualMachine", vmInputs("web-1"), (dr) => dr.virtualMachines.delete("app-rg", "web-1")],
    ["AvailabilitySet", { resourceGroup: "app-rg", name: "web-as-2", location: "westeurope" }, (dr) => dr.availabilitySets.delete("app-rg", "web-as-2")],
    ["ReplicationPolicy", { vault: VAULT, name: "a2a-4h", kind: "A2A" }, (dr) => dr.replicationPolicies.delete(VAULT, "a2a-4h")],
  ];
  for (const [kind, inputs, deleteOutside] of fresh) {
    const { text } = await serializeProvider(kind);
    const checked = await host.check({}, { ...inputs, __provider: text });
    const created = await host.create(checked.inputs);
    t.is((await host.read(created.id, created.properties)).id, created.id, `${kind}: Read finds it`);
    await withSdk(stateFile, deleteOutside);
    const read = await host.read(created.id, created.properties);
    t.is(read.id, "", `${kind}: gone, Read answers an empty id`);
    t.deepEqual(Object.keys(read.properties), ["__provider"]);
    await host.delete(created.id, created.properties);
    await host.delete(created.id, created.properties);
    t.pass(`${kind}: Delete of a gone resource succeeds, twice`);
  }
});

test("DR resources gone outside Pulumi: Read answers an empty id and Delete succeeds twice (plan, protected VM, reprotect, infrastructure)", async (t) => {
  const stateFile = newStateFile(t);
  const host = await startHost(t, fakeConfig(stateFile));
  const engine = new EngineLite(host);
  const stack = [
    vaultSpec(),
    policySpec(),
    infrastructureSpec,
    vmSpec("web-0"),
    protectedVmSpec("web-0"),
    planSpec((item) => [{ protectedVmIds: [item("web-0")] }]),
  ];
  await engine.up(stack);
  await withSdk(stateFile, async (dr) => {
    const id = String(engine.outputs("protected-web-0").protectedVmId);
    await dr.failover.failover(id, { kind: "planned" });
    await dr.failover.commit(id);
  });
  await engine.up([...stack, reprotectSpec("web-0")]);
  const entry = (name: string): { id: string; outputs: Props } => {
    const found = Object.values(engine.state).find((e) => e.name === name);
    if (found === undefined) throw new Error(name);
    return found;
  };
  const gone = async (name: string): Promise<void> => {
    const { id, outputs } = entry(name);
    t.is((await host.read(id, outputs)).id, "", `${name}: Read answers an empty id`);
    await host.delete(id, outputs);
    await host.delete(id, outputs);
  };
  for (const name of ["plan", "protected-web-0", "reprotect-web-0", "infrastructure"])
    t.not((await host.read(entry(name).id, entry(name).outputs)).id, "", name);

  await withSdk(stateFile, (dr) => dr.recoveryPlans.delete(VAULT, "shop"));
  await gone("plan");
  await withSdk(stateFile, (dr) => dr.protectedVms.disable(String(engine.outputs("reprotect-web-0").reprotectedVmId)));
  await gone("protected-web-0");
  await gone("reprotect-web-0");
  const infrastructure = engine.outputs("infrastructure");
  await withSdk(stateFile, async (_dr, backend) => {
    // Remove the container mappings by ARM call (the SDK has no such operation), then let their jobs finish.
    for (const mapping of [infrastructure.forwardMappingId, infrastructure.reverseMappingId]) {
      const response = await backend.emulator.handle({
        method: "DELETE",
        url: `https://management.azure.com${String(mapping)}?api-version=2023-06-01`,
        headers: {},
      });
      t.true(response.status < 300, `removing ${String(mapping)}: ${response.status}`);
    }
    backend.emulator.control.advanceClock(60 * 60_000);
    await backend.emulator.persist();
  });
  await gone("infrastructure");
});

test("Create without Configure fails with a clear message: the azure backend needs azure-dr:subscriptionId", async (t) => {
  const host = await startHost(t);
  const { text } = await serializeProvider("Vault");
  const error = await hostError(t, host.create({ ...SAMPLES.Vault.valid, __provider: text }));
  t.is(error.code, grpc.status.UNKNOWN);
  t.regex(error.details, /azure-dr:subscriptionId/);
});

test("the backend comes from Configure: each missing or wrong key is named", async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ "azure-dr:backend": "azure" }, /azure-dr:subscriptionId: is required with the azure backend/],
    [{ "azure-dr:backend": "fake" }, /azure-dr:fakeStateFile: is required with the fake backend/],
    [{ "azure-dr:backend": "emulator" }, /azure-dr:emulatorUrl: is required with the emulator backend/],
    [{ "azure-dr:backend": "aws" }, /azure-dr:backend: must be 'azure', 'fake' or 'emulator', not 'aws'/],
  ];
  const { text } = await serializeProvider("Vault");
  for (const [config, message] of cases) {
    const host = await startHost(t, config);
    const error = await hostError(t, host.create({ ...SAMPLES.Vault.valid, __provider: text }));
    t.is(error.code, grpc.status.UNKNOWN);
    t.regex(error.details, message);
    await host.stop();
  }
  const stateFile = newStateFile(t);
  const host = await startHost(t, fakeConfig(stateFile));
  const created = await host.create({ ...SAMPLES.Vault.valid, __provider: text });
  t.true(existsSync(stateFile), "the fake backend keeps its state in the configured file");
  await withSdk(stateFile, async (dr) => t.is((await dr.vaults.get(VAULT)).id, created.id));
});

test("new code, old state: a provider text whose core path no longer exists still runs where azure-dr is installed, and fails clearly elsewhere", async (t) => {
  // An older release's state: the same provider code, its logic at a path that no longer exists
  // (another checkout, another machine). Read and Delete run that text (destroy does not run the program).
  const oldCore = "/nonexistent/azure-dr-0.0.1/dist/providers/core/index.js";
  const v1 = (await serializeProviderAt("Vault", oldCore)).text;
  const v2 = (await serializeProvider("Vault")).text;
  t.true(v1.includes(JSON.stringify(oldCore)) && v1 !== v2);
  const stateFile = newStateFile(t);
  const project = await startHost(t, fakeConfig(stateFile), { cwd: projectWithAzureDr(t) });
  const bare = await startHost(t, fakeConfig(stateFile));

  // In a project that installed azure-dr, `require("azure-dr/provider-core")` resolves from the host's folder.
  const a = await project.create({ ...SAMPLES.Vault.valid, name: "vault-a", __provider: v1 });
  const b = await project.create({ ...SAMPLES.Vault.valid, name: "vault-b", __provider: v1 });
  t.is(a.properties.__provider, v1, "the old text is what state keeps");

  // Elsewhere the old text finds neither: the error names the missing module, and nothing is lost.
  const error = await hostError(t, bare.delete(a.id, a.properties));
  t.is(error.code, grpc.status.UNKNOWN);
  t.regex(error.details, /Cannot find module '\/nonexistent\/azure-dr-0\.0\.1\/dist\/providers\/core\/index\.js'/);
  t.is((await project.read(a.id, a.properties)).id, a.id, "the vault is still there");
  await project.delete(a.id, a.properties);
  t.is((await project.read(a.id, a.properties)).id, "", "destroy with the old text works where azure-dr is installed");

  // The new code takes over old state through Diff and Update; then any host with the new code can delete it.
  const news = (await bare.check(b.properties, { ...SAMPLES.Vault.valid, name: "vault-b", tags: { env: "v2" }, __provider: v2 })).inputs;
  t.like(await bare.diff(b.id, b.properties, news), { changes: "DIFF_SOME", replaces: [] });
  const updated = await bare.update(b.id, b.properties, news);
  t.is(updated.properties.__provider, v2, "Update stores the new text");
  t.deepEqual(updated.properties.tags, { env: "v2" });
  await bare.delete(b.id, updated.properties);
  await withSdk(stateFile, async (dr) => t.true(await isGone(dr.vaults.get({ resourceGroup: "dr-rg", name: "vault-b" }))));
});
