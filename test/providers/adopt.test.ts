// Bringing what exists under Pulumi, through the real provider host: `adopt: true` takes over an
// existing vault, policy, protected VM or plan without recreating it (no duplicate, no
// replacement), refusing, with nothing changed, what only a replacement could make match; and
// `read` works from the ARM id alone, as `.get(name, id)` reads.
import test, { type ExecutionContext } from "ava";
import { join } from "node:path";
import { Vault, ProtectedVm, runOnEmulator, ProgramRunError } from "../../providers/index.js";
import { DrClient, createFakeBackend, type ReplicationInfrastructure } from "../../sdk/index.js";
import { PulumiHost, HostCallError, ensureBuilt, serializeProvider, tempDir, type Props } from "../helpers/pulumiHost.js";
import { CACHE, VAULT, drSetup, rgId, sourceVm } from "../helpers/siteRecoveryFixtures.js";
import type { ResourceKind } from "../../providers/core/index.js";

test.before("dist/ holds the current providers (the host loads the built code)", async () => {
  await ensureBuilt();
});

/** What exists before Pulumi is told about it: a vault, a policy, the infrastructure, a protected VM and a plan. */
interface Estate {
  stateFile: string;
  infrastructure: Omit<ReplicationInfrastructure, "created">;
  virtualMachineId: string;
  protectedVmId: string;
  lifecycleId: string;
  planId: string;
  policyId: string;
  vaultId: string;
}

async function withSdk<T>(stateFile: string, work: (dr: DrClient) => Promise<T>): Promise<T> {
  const dr = new DrClient(await createFakeBackend({ stateFile, replicationBandwidthMBps: 512 }));
  try {
    return await work(dr);
  } finally {
    await dr.close();
  }
}

async function estate(t: ExecutionContext): Promise<Estate> {
  const stateFile = join(tempDir("adopt", t), "emulator.json");
  return withSdk(stateFile, async (dr) => {
    const { created: _created, ...infrastructure } = await drSetup(dr);
    const virtualMachineId = await sourceVm(dr, "web-0", 8);
    const item = await dr.protectedVms.protect(
      VAULT,
      { ...infrastructure, created: [] },
      {
        virtualMachineId,
        recoveryResourceGroupId: rgId("app-rg-dr"),
        cacheStorageAccountId: CACHE,
      },
    );
    const protectedVm = await dr.protectedVms.waitForProtection(item.id);
    const plan = await dr.recoveryPlans.createOrUpdate(VAULT, "shop", {
      primaryFabricId: infrastructure.sourceFabricId,
      recoveryFabricId: infrastructure.targetFabricId,
      groups: [{ protectedVmIds: [protectedVm.id] }],
    });
    return {
      stateFile,
      infrastructure,
      virtualMachineId,
      protectedVmId: protectedVm.id,
      lifecycleId: protectedVm.lifecycleId,
      planId: plan.id,
      policyId: (await dr.replicationPolicies.get(VAULT, "a2a-24h")).id,
      vaultId: (await dr.vaults.get(VAULT)).id,
    };
  });
}

async function startHost(t: ExecutionContext, stateFile: string): Promise<PulumiHost> {
  const host = await PulumiHost.start();
  t.teardown(() => host.stop());
  await host.configure({ "azure-dr:backend": "fake", "azure-dr:fakeStateFile": stateFile });
  return host;
}

/** Check, as the engine does before a create; fails the test on check failures. */
async function checked(t: ExecutionContext, host: PulumiHost, kind: ResourceKind, news: Props): Promise<Props> {
  const { text } = await serializeProvider(kind);
  const result = await host.check({}, { ...news, __provider: text });
  t.deepEqual(result.failures, [], `${kind} inputs check`);
  return result.inputs;
}

async function refused(t: ExecutionContext, call: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await t.throwsAsync(call, { instanceOf: HostCallError });
  t.regex(error?.details ?? "", message);
}

test("adopt: an existing vault, policy, protected VM and plan are taken over as they are, with no duplicate and no replacement; without adopt, or where only a replacement could match, nothing changes", async (t) => {
  const world = await estate(t);
  const host = await startHost(t, world.stateFile);
  const vaultNews = { ...VAULT, location: "northeurope", tags: { owner: "pulumi" } };
  const policyNews = { vault: { ...VAULT }, name: "a2a-24h", kind: "A2A", recoveryPointRetentionMinutes: 720 };
  const protectedNews = {
    vault: { ...VAULT },
    infrastructure: world.infrastructure as unknown as Props,
    virtualMachineId: world.virtualMachineId,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  };
  const planNews = (protectedVmId: string): Props => ({
    vault: { ...VAULT },
    name: "shop",
    primaryFabricId: world.infrastructure.sourceFabricId,
    recoveryFabricId: world.infrastructure.targetFabricId,
    groups: [{ protectedVmIds: [protectedVmId], after: [{ kind: "manual", name: "check", description: "Check the shop" }] }],
  });

  // Without adopt: refused, naming the way out.
  await refused(t, host.create(await checked(t, host, "Vault", vaultNews)), /vault dr-rg\/dr-vault already exists: .*set adopt: true/);
  await refused(t, host.create(await checked(t, host, "ReplicationPolicy", policyNews)), /replication policy a2a-24h .* already exists/);
  await refused(t, host.create(await checked(t, host, "ProtectedVm", protectedNews)), /is already replicated .*set adopt: true/);
  await refused(t, host.create(await checked(t, host, "RecoveryPlan", planNews(world.protectedVmId))), /recovery plan shop .* already exists/);

  // Adopting where only a replacement could match: refused, naming each difference.
  await refused(
    t,
    host.create(await checked(t, host, "Vault", { ...vaultNews, location: "westeurope", adopt: true })),
    /cannot adopt vault dr-rg\/dr-vault: location is "northeurope", the program says "westeurope"/,
  );
  await refused(
    t,
    host.create(await checked(t, host, "ReplicationPolicy", { vault: { ...VAULT }, name: "a2a-24h", kind: "HyperVReplicaAzure", adopt: true })),
    /cannot adopt replication policy a2a-24h .*: kind is "A2A", the program says "HyperVReplicaAzure"/,
  );
  await refused(
    t,
    host.create(await checked(t, host, "ProtectedVm", { ...protectedNews, recoveryResourceGroupId: rgId("elsewhere-rg"), adopt: true })),
    /cannot adopt the protection of .*web-0.*: recoveryResourceGroupId is ".*app-rg-dr", the program says ".*elsewhere-rg"/,
  );
  await refused(
    t,
    host.create(
      await checked(t, host, "RecoveryPlan", {
        ...planNews(world.protectedVmId),
        primaryFabricId: world.infrastructure.targetFabricId,
        recoveryFabricId: world.infrastructure.sourceFabricId,
        adopt: true,
      }),
    ),
    /cannot adopt recovery plan shop .*: primaryFabricId is .*, the program says .*; recoveryFabricId is/,
  );
  await withSdk(world.stateFile, async (dr) => {
    t.deepEqual((await dr.vaults.get(VAULT)).tags, {}, "the refused adoptions changed nothing");
    t.like(await dr.replicationPolicies.get(VAULT, "a2a-24h"), { recoveryPointRetentionMinutes: 1440 });
  });

  // Adopted: the same resources, their in-place settings as the program says.
  const adopted: Record<string, { id: string; properties: Props; inputs: Props; kind: ResourceKind }> = {};
  for (const [name, kind, news] of [
    ["vault", "Vault", { ...vaultNews, adopt: true }],
    ["policy", "ReplicationPolicy", { ...policyNews, adopt: true }],
    ["protected", "ProtectedVm", { ...protectedNews, adopt: true }],
    ["plan", "RecoveryPlan", { ...planNews(world.protectedVmId), adopt: true }],
  ] as const) {
    const inputs = await checked(t, host, kind, news);
    adopted[name] = { ...(await host.create(inputs)), inputs, kind };
  }
  t.is(adopted.vault?.id, world.vaultId);
  t.is(adopted.policy?.id, world.policyId);
  t.is(adopted.protected?.id, world.protectedVmId);
  t.like(adopted.protected?.properties, { lifecycleId: world.lifecycleId, phase: "protected", protectedVmId: world.protectedVmId });
  t.is(adopted.plan?.id, world.planId);
  await withSdk(world.stateFile, async (dr) => {
    t.deepEqual((await dr.vaults.get(VAULT)).tags, { owner: "pulumi" });
    t.like(await dr.replicationPolicies.get(VAULT, "a2a-24h"), { recoveryPointRetentionMinutes: 720 });
    const items = [];
    for await (const item of dr.protectedVms.list(VAULT)) items.push(item);
    t.deepEqual(
      items.map((i) => [i.id, i.lifecycleId]),
      [[world.protectedVmId, world.lifecycleId]],
      "one protection, the same: never disabled nor enabled again",
    );
    const plan = await dr.recoveryPlans.get(VAULT, "shop");
    t.deepEqual(
      plan.groups.filter((g) => g.type === "Boot").flatMap((g) => g.after.map((a) => a.name)),
      ["check"],
    );
  });

  // The next update: the program unchanged, or without adopt, is no change.
  for (const { id, properties, inputs, kind } of Object.values(adopted)) {
    t.like(await host.diff(id, properties, inputs), { changes: "DIFF_NONE", replaces: [] }, kind);
    const { adopt: _adopt, ...withoutAdopt } = inputs;
    t.like(await host.diff(id, properties, withoutAdopt), { changes: "DIFF_NONE", replaces: [] }, `${kind} without adopt`);
  }
});

test("adopt where nothing exists creates, as without it", async (t) => {
  const stateFile = join(tempDir("adopt", t), "emulator.json");
  const host = await startHost(t, stateFile);
  const created = await host.create(await checked(t, host, "Vault", { ...VAULT, location: "northeurope", adopt: true }));
  await withSdk(stateFile, async (dr) => t.is((await dr.vaults.get(VAULT)).id, created.id));
});

test("read from the ARM id alone (what `.get(name, id)` sends): vault, policy, protected VM, plan, VM and availability set come back whole", async (t) => {
  const world = await estate(t);
  const setId = await withSdk(world.stateFile, async (dr) => (await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope" })).id);
  const host = await startHost(t, world.stateFile);
  const read = async (kind: ResourceKind, id: string): Promise<Props> => {
    const { text } = await serializeProvider(kind);
    const found = await host.read(id, { __provider: text });
    t.is(found.id, id, `${kind} found`);
    return found.properties;
  };
  t.like(await read("Vault", world.vaultId), { ...VAULT, location: "northeurope", vaultId: world.vaultId });
  t.like(await read("ReplicationPolicy", world.policyId), {
    vault: VAULT,
    name: "a2a-24h",
    kind: "A2A",
    recoveryPointRetentionMinutes: 1440,
    policyId: world.policyId,
  });
  const plan = await read("RecoveryPlan", world.planId);
  t.like(plan, { vault: VAULT, name: "shop", primaryFabricId: world.infrastructure.sourceFabricId, planId: world.planId });
  t.deepEqual((plan.groups as { protectedVmIds: string[] }[])[0]?.protectedVmIds, [world.protectedVmId]);
  const protectedVm = await read("ProtectedVm", world.protectedVmId);
  t.like(protectedVm, {
    vault: VAULT,
    virtualMachineId: world.virtualMachineId,
    protectedVmId: world.protectedVmId,
    lifecycleId: world.lifecycleId,
    phase: "protected",
    infrastructure: {
      policyId: world.policyId,
      sourceFabricId: world.infrastructure.sourceFabricId,
      targetContainerId: world.infrastructure.targetContainerId,
    },
  });
  t.like(await read("VirtualMachine", world.virtualMachineId), {
    resourceGroup: "app-rg",
    name: "web-0",
    location: "westeurope",
    virtualMachineId: world.virtualMachineId,
  });
  t.like(await read("AvailabilitySet", setId), { resourceGroup: "app-rg", name: "web-as", availabilitySetId: setId, faultDomainCount: 2 });

  // What was read, diffed with what a program says, is no replacement.
  const { text } = await serializeProvider("Vault");
  const vault = await read("Vault", world.vaultId);
  const news = (await host.check(vault, { ...VAULT, location: "northeurope", __provider: text })).inputs;
  t.like(await host.diff(world.vaultId, vault, news), { changes: "DIFF_NONE" });

  // Gone, or not an id of the kind: an empty id, or an error naming the id.
  const { text: policyText } = await serializeProvider("ReplicationPolicy");
  t.is((await host.read(world.policyId.replace("a2a-24h", "gone-policy"), { __provider: policyText })).id, "");
  await refused(t, host.read(world.vaultId, { __provider: policyText }), /id: must be an ARM id like .*replicationPolicies\/\{name\}/);
});

test.serial("the test kit reads `.get(name, id)` resources with their provider; a missing one fails the run at its read", async (t) => {
  const world = await estate(t);
  const config = { "azure-dr:backend": "fake", "azure-dr:fakeStateFile": world.stateFile };
  const run = await runOnEmulator(
    () => {
      const vault = Vault.get("existing-vault", world.vaultId);
      const item = ProtectedVm.get("existing-protection", world.protectedVmId);
      return { vaultName: vault.name, location: vault.resourceGroup, phase: item.phase, lifecycleId: item.lifecycleId };
    },
    { config },
  );
  t.deepEqual(run.outputs, { vaultName: VAULT.name, location: VAULT.resourceGroup, phase: "protected", lifecycleId: world.lifecycleId });
  t.is(run.resource("pulumi-nodejs:dynamic/azure-dr:Vault", "existing-vault").id, world.vaultId);

  const error = await t.throwsAsync(
    runOnEmulator(() => ({ id: Vault.get("missing", world.vaultId.replace("dr-vault", "no-vault")).vaultId }), { config }),
    { instanceOf: ProgramRunError },
  );
  t.like(error?.failures[0], { name: "missing", step: "read" });
});
