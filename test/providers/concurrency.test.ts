// Provider calls on Azure (and on an emulator at a URL) run side by side on one client per
// configuration: N VMs are protected in about one replication time, not N, and the credential is
// made once. Measured in the emulator's virtual time, never in wall time.
import test, { type ExecutionContext } from "ava";
import { ProviderSession, cores, sessionFor, type Props } from "../../providers/core/index.js";
import { DrClient, createEmulatorBackend, createFakeBackend, serveEmulator, type Backend, type ReplicationInfrastructure } from "../../sdk/index.js";
import { SUB } from "../helpers/fixtures.js";
import { PulumiHost, ensureBuilt, serializeProvider, type Props as HostProps } from "../helpers/pulumiHost.js";
import { CACHE, VAULT, drSetup, rgId, sourceVm } from "../helpers/siteRecoveryFixtures.js";

const VMS = ["web-0", "web-1", "web-2"];

/** The checked inputs of the ProtectedVm of a VM. */
function protectedVmInputs(t: ExecutionContext, infrastructure: ReplicationInfrastructure, virtualMachineId: string): Props {
  const { created: _created, ...outputs } = infrastructure;
  const result = cores.ProtectedVm.check(
    {},
    {
      vault: { ...VAULT },
      infrastructure: outputs as unknown as Props,
      virtualMachineId,
      recoveryResourceGroupId: rgId("app-rg-dr"),
      cacheStorageAccountId: CACHE,
    },
  );
  t.deepEqual(result.failures, []);
  return result.inputs;
}

/** Counts the calls under way and the most at once. */
function concurrencyMeter(): { measure<T>(work: () => Promise<T>): Promise<T>; readonly max: number } {
  let running = 0;
  let max = 0;
  return {
    async measure(work) {
      running += 1;
      max = Math.max(max, running);
      try {
        return await work();
      } finally {
        running -= 1;
      }
    },
    get max() {
      return max;
    },
  };
}

test("a session on Azure opens its client once and runs calls side by side: three VMs are protected in about the time of one", async (t) => {
  const backend = await createFakeBackend({ replicationBandwidthMBps: 64 });
  t.teardown(() => backend.close());
  const setup = new DrClient(backend);
  const infrastructure = await drSetup(setup);
  const ids = [await sourceVm(setup, "solo", 16)];
  for (const name of VMS) ids.push(await sourceVm(setup, name, 16));
  const now = (): number => backend.emulator.clock.now();

  // Azure, with the backend stood in for: what matters is how often it is opened and how calls overlap.
  const opened: Backend[] = [];
  const session = new ProviderSession(
    { kind: "azure", subscriptionId: SUB },
    {
      openBackend: async () => {
        opened.push(backend);
        return backend;
      },
    },
  );
  const meter = concurrencyMeter();
  const protect = (id: string): Promise<{ id: string; outs: Props }> =>
    session.run((dr) => meter.measure(() => cores.ProtectedVm.create(dr, protectedVmInputs(t, infrastructure, id))));

  const soloStart = now();
  await protect(ids[0] as string);
  const oneVm = now() - soloStart;
  t.true(oneVm > 0, "protecting a VM takes (virtual) time");

  const start = now();
  const created = await Promise.all(ids.slice(1).map(protect));
  const threeVms = now() - start;
  t.is(meter.max, VMS.length, "the creates ran side by side");
  t.true(threeVms < 2 * oneVm, `three VMs took ${threeVms} ms of virtual time, one took ${oneVm} ms`);
  t.deepEqual(
    created.map((c) => c.outs.phase),
    VMS.map(() => "protected"),
  );
  t.is(opened.length, 1, "one client (one credential) for every call of the session");
});

test("a session on the fake backend opens the state file for each call, one call at a time", async (t) => {
  const backend = await createFakeBackend();
  t.teardown(() => backend.close());
  let opens = 0;
  const session = new ProviderSession(
    { kind: "fake", stateFile: "/unused/state.json", subscriptionId: undefined },
    {
      openBackend: async () => {
        opens += 1;
        return backend;
      },
    },
  );
  const meter = concurrencyMeter();
  await Promise.all(
    [0, 1, 2].map((i) => session.run((dr) => meter.measure(() => dr.vaults.createOrUpdate("dr-rg", `vault-${i}`, { location: "northeurope" })))),
  );
  t.is(meter.max, 1);
  t.is(opens, 3);
});

test("the providers of every kind share one session per configuration, so one DefaultAzureCredential, made once even by calls at the same time", async (t) => {
  const config = { "azure-dr:backend": "azure", "azure-dr:subscriptionId": SUB };
  const session = sessionFor(config);
  t.is(sessionFor({ ...config }), session);
  t.not(sessionFor({ ...config, "azure-dr:subscriptionId": "11111111-1111-1111-1111-111111111111" }), session);
  // No call reaches Azure: the work only looks at the client's credential.
  const credentials = await Promise.all([0, 1, 2].map(() => session.run(async (dr) => dr.backend.credential)));
  t.is(new Set(credentials).size, 1);
  t.is(credentials[0]?.constructor.name, "DefaultAzureCredential");
  t.true((await session.run(async (dr) => dr.backend.credential)) === credentials[0], "and for a later call");
});

test("a failed open is not kept: the next call opens again", async (t) => {
  let opens = 0;
  const backend = await createFakeBackend();
  t.teardown(() => backend.close());
  const session = new ProviderSession(
    { kind: "emulator", url: "http://127.0.0.1:9", subscriptionId: undefined },
    {
      openBackend: async () => {
        opens += 1;
        if (opens === 1) throw new Error("no emulator answers");
        return backend;
      },
    },
  );
  await t.throwsAsync(
    session.run(async () => "never"),
    { message: "no emulator answers" },
  );
  t.is(await session.run(async (dr) => dr.backend.kind), "fake");
  t.is(opens, 2);
});

test("through the provider host on an emulator at a URL: the engine's creates of three protected VMs overlap, taking about one replication time", async (t) => {
  await ensureBuilt();
  const served = await serveEmulator();
  t.teardown(() => served.close());
  const sdkBackend = await createEmulatorBackend({ url: served.url });
  const setup = new DrClient(sdkBackend);
  const infrastructure = await drSetup(setup);
  const ids = [await sourceVm(setup, "solo", 16)];
  for (const name of VMS) ids.push(await sourceVm(setup, name, 16));
  const now = (): number => served.emulator.clock.now();

  const host = await PulumiHost.start();
  t.teardown(() => host.stop());
  await host.configure({ "azure-dr:backend": "emulator", "azure-dr:emulatorUrl": served.url });
  const { text } = await serializeProvider("ProtectedVm");
  const create = async (id: string): Promise<HostProps> => {
    const news = { ...protectedVmInputs(t, infrastructure, id), __provider: text };
    const { inputs, failures } = await host.check({}, news);
    t.deepEqual(failures, []);
    return (await host.create(inputs)).properties;
  };

  const soloStart = now();
  await create(ids[0] as string);
  const oneVm = now() - soloStart;
  t.true(oneVm > 0);

  const start = now();
  const created = await Promise.all(ids.slice(1).map(create));
  const threeVms = now() - start;
  t.true(threeVms < 2 * oneVm, `three VMs took ${threeVms} ms of virtual time, one took ${oneVm} ms (one at a time would take three times as long)`);
  t.deepEqual(
    created.map((p) => p.phase),
    VMS.map(() => "protected"),
  );
  const protectedItems = [];
  for await (const item of setup.protectedVms.list(VAULT)) protectedItems.push(item.virtualMachineId);
  t.is(protectedItems.length, 4);
});
