// The drill of a Hyper-V to Azure estate on the embedded fake: the built-in sample (one site, two
// hosts, sql-0 then web-0 and web-1 in one plan) provisioned through the SDK and the emulator's
// control surface, then rehearsed, drilled through the whole cycle, and refused when a VM's
// replication is broken; the topology's Hyper-V part validated field by field.
import test from "ava";
import {
  DrClient,
  DrError,
  SAMPLE_HYPERV_TOPOLOGY,
  createEmulatorBackend,
  SAMPLE_TOPOLOGY,
  isResourceNotFoundError,
  isValidationError,
  provisionEstate,
  runDrill,
  serveEmulator,
  topologySchema,
  validate,
  type DrillEvent,
  type TopologyInput,
} from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";

const START = new Date("2026-03-02T08:00:00Z");

async function sampleEstate(t: Parameters<typeof fakeClient>[0]) {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512, startTime: START });
  const topology = topologySchema.parse(SAMPLE_HYPERV_TOPOLOGY);
  const progress: string[] = [];
  const estate = await provisionEstate(dr, topology, backend.subscriptionId, (m) => progress.push(m));
  return { dr, backend, topology, estate, progress };
}

test("the sample Hyper-V estate is provisioned: site, two hosts, three protected VMs, one plan of Hyper-V items; again it is left as it is", async (t) => {
  const { dr, backend, topology, estate, progress } = await sampleEstate(t);
  t.false(estate.existed);
  t.deepEqual([...estate.protectedVmIds.keys()].sort(), ["sql-0", "web-0", "web-1"]);
  t.true(
    progress.some((m) => /3 Hyper-V VMs protected/.test(m)),
    progress.join("\n"),
  );
  const hosts = await dr.hyperV.listHosts(estate.vault, "site-onprem");
  t.deepEqual(hosts.map((h) => h.name).sort(), ["hv-host-01", "hv-host-02"]);
  for (const id of estate.protectedVmIds.values()) {
    const vm = await dr.hyperV.get(id);
    t.is(vm.phase, "protected", vm.vmName);
    t.is(vm.targetNetworkId?.toLowerCase(), topology.network.targetNetworkId.toLowerCase());
  }
  const sql = await dr.hyperV.get(estate.protectedVmIds.get("sql-0") ?? "");
  t.deepEqual(
    sql.disks.map((d) => d.sizeGB),
    [40, 200],
  );
  const plan = await dr.recoveryPlans.get(estate.vault, "onprem");
  t.is(plan.recoveryFabricId, "Microsoft Azure");
  t.deepEqual(
    plan.groups.filter((g) => g.type === "Boot").map((g) => g.protectedVmIds.length),
    [1, 2],
  );
  const again = await provisionEstate(dr, topology, backend.subscriptionId);
  t.true(again.existed);
  t.deepEqual([...again.protectedVmIds.entries()].sort(), [...estate.protectedVmIds.entries()].sort());
});

test("a rehearsal of the Hyper-V plan: ready, test failover into the isolated network, cleanup; reported as HyperVReplicaAzure with RPO and RTO", async (t) => {
  const { dr, topology, estate } = await sampleEstate(t);
  await dr.clock.sleep(30 * 60_000); // replication goes on for half an hour: delta cycles every 5 minutes
  const events: DrillEvent[] = [];
  const report = await runDrill(dr, {
    vault: estate.vault,
    backend: "fake",
    testNetworkId: topology.network.testNetworkId,
    applicationVms: ["sql-0", "web-0", "web-1"],
    onEvent: (e) => events.push(e),
  });
  t.is(report.outcome, "passed", JSON.stringify(report.plans[0]?.readiness));
  const plan = report.plans[0];
  t.is(plan?.scenario, "HyperVReplicaAzure");
  t.deepEqual(
    plan?.readiness.map((c) => `${c.check}:${c.passed}`),
    ["protected:true", "healthy:true", "fresh-recovery-points:true", "plan-covers-application:true", "plan-allows-test-failover:true"],
  );
  t.deepEqual(
    plan?.steps.map((s) => `${s.name}:${s.state}`),
    ["test failover:Succeeded", "cleanup:Succeeded"],
  );
  const rehearsal = plan?.steps[0];
  t.deepEqual(rehearsal?.items.map((i) => i.group).sort(), [1, 2, 2]);
  // Hyper-V recovery points are hourly: the rehearsal recovers from the newest, up to an hour and a bit old.
  t.true((plan?.rpoSeconds ?? -1) > 0 && (plan?.rpoSeconds ?? Infinity) <= 3600 + 600, `RPO ${plan?.rpoSeconds}`);
  t.is(plan?.rpoSeconds, Math.max(...(rehearsal?.items ?? []).map((i) => i.dataLossSeconds ?? 0)), "the worst VM's data loss");
  t.is(plan?.rtoSeconds, rehearsal?.recoveryTimeSeconds);
  t.true((plan?.rtoSeconds ?? 0) > 0);
  t.true(events.some((e) => e.type === "manual-action" && e.action.includes("check-sql")));
  for (const id of estate.protectedVmIds.values()) t.is((await dr.hyperV.get(id)).phase, "protected", "replication goes on after the rehearsal");
});

test("--full on the Hyper-V plan: planned failover to Azure, commit, failback on-premises, commit, reprotect; replicating again at the end", async (t) => {
  const { dr, topology, estate } = await sampleEstate(t);
  await dr.clock.sleep(20 * 60_000);
  const report = await runDrill(dr, { vault: estate.vault, backend: "fake", testNetworkId: topology.network.testNetworkId, full: true });
  const plan = report.plans[0];
  t.is(report.outcome, "passed", JSON.stringify(plan?.steps.map((s) => s.error)));
  t.true(report.full);
  t.deepEqual(
    plan?.steps.map((s) => `${s.name}:${s.state}`),
    [
      "test failover:Succeeded",
      "cleanup:Succeeded",
      "failover:Succeeded",
      "commit:Succeeded",
      "failback:Succeeded",
      "failback commit:Succeeded",
      "reprotect:Succeeded",
    ],
  );
  t.is(plan?.steps.find((s) => s.name === "failover")?.dataLossSeconds, 0, "a planned failover loses nothing");
  t.true((plan?.steps.find((s) => s.name === "failover")?.recoveryTimeSeconds ?? 0) > 0);
  t.true((plan?.rpoSeconds ?? 0) > 0 && (plan?.rtoSeconds ?? 0) > 0);
  for (const id of estate.protectedVmIds.values()) {
    const vm = await dr.hyperV.get(id);
    t.is(vm.phase, "protected", vm.vmName);
    t.is(vm.activeLocation, "Primary");
  }
});

test("a VM whose replication is broken makes the plan not ready: nothing is failed over", async (t) => {
  const { dr, backend, topology, estate } = await sampleEstate(t);
  const web1 = estate.protectedVmIds.get("web-1") ?? "";
  backend.emulator.control.failReplication({ target: web1, recoverable: false });
  await dr.clock.sleep(60 * 60_000);
  const report = await runDrill(dr, { vault: estate.vault, backend: "fake", testNetworkId: topology.network.testNetworkId });
  t.is(report.outcome, "failed");
  const plan = report.plans[0];
  t.is(plan?.outcome, "not-ready");
  t.deepEqual(plan?.steps, []);
  const failed = plan?.readiness.filter((c) => !c.passed) ?? [];
  t.true(
    failed.some((c) => c.check === "healthy" && /web-1: Critical/.test(c.detail)),
    JSON.stringify(failed),
  );
  t.true(
    failed.some((c) => c.check === "fresh-recovery-points" && /web-1: RPO \d+ s > 900 s/.test(c.detail)),
    JSON.stringify(failed),
  );
  t.false(
    failed.some((c) => /sql-0|web-0/.test(c.detail)),
    "only the broken VM is named",
  );
});

test("on Azure nothing is built: the site, hosts and protected VMs the topology names are checked, what is missing named", async (t) => {
  const { dr, backend, topology, estate } = await sampleEstate(t);
  // The same emulator seen as Azure: provisionEstate must only read.
  const azure = new DrClient({ ...backend, kind: "azure" });
  const checked = await provisionEstate(azure, topology, backend.subscriptionId);
  t.true(checked.existed);
  t.deepEqual([...checked.protectedVmIds.entries()].sort(), [...estate.protectedVmIds.entries()].sort());
  const hyperV = { ...topology.hyperV, hosts: [...(topology.hyperV?.hosts ?? []), { name: "hv-host-03", vms: [{ name: "app-0", disksGB: [40] }] }] };
  const error = await t.throwsAsync(provisionEstate(azure, topologySchema.parse({ ...topology, hyperV }), backend.subscriptionId));
  t.true(isResourceNotFoundError(error));
  t.regex(error?.message ?? "", /host hv-host-03 \(not registered with site site-onprem\), VM app-0 \(not protected\)/);
  t.deepEqual((await dr.hyperV.listHosts(estate.vault, "site-onprem")).map((h) => h.name).sort(), ["hv-host-01", "hv-host-02"], "nothing was registered");
  const elsewhere = await t.throwsAsync(
    provisionEstate(azure, topologySchema.parse({ ...topology, hyperV: { ...hyperV, site: "site-other" } }), backend.subscriptionId),
  );
  t.regex(elsewhere?.message ?? "", /has no Hyper-V site 'site-other'/);
});

test("an estate can have both parts; plans cover the application across them", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 512, startTime: START });
  const topology = topologySchema.parse({
    ...SAMPLE_TOPOLOGY,
    hyperV: {
      site: "branch",
      targetResourceGroup: "shop-rg-dr",
      logStorageAccount: "hvlognortheurope",
      hosts: [
        {
          name: "hv-branch",
          vms: [
            { name: "till-1", disksGB: [40] },
            { name: "till-2", disksGB: [40] },
            { name: "till-db", disksGB: [40, 80] },
          ],
        },
      ],
      plans: [{ name: "branch", groups: [{ vms: ["till-db"] }, { vms: ["till-1", "till-2"] }] }],
    },
  } satisfies TopologyInput);
  const estate = await provisionEstate(dr, topology, backend.subscriptionId);
  t.is(estate.protectedVmIds.size, 7);
  const report = await runDrill(dr, { vault: estate.vault, backend: "fake", testNetworkId: topology.network.testNetworkId });
  t.is(report.outcome, "passed", JSON.stringify(report.plans.map((p) => p.readiness.filter((c) => !c.passed))));
  t.deepEqual(report.plans.map((p) => `${p.plan}:${p.scenario}`).sort(), ["branch:HyperVReplicaAzure", "shop:A2A"]);
});

test("the topology's Hyper-V part is validated, each error naming its field", (t) => {
  const hyperV = SAMPLE_HYPERV_TOPOLOGY.hyperV;
  const refused = (input: TopologyInput, field: RegExp, message: RegExp): void => {
    const error = t.throws(() => validate(topologySchema, input, "topology"));
    t.true(isValidationError(error));
    t.regex(error?.message ?? "", field);
    t.regex(error?.message ?? "", message);
  };
  t.notThrows(() => topologySchema.parse(SAMPLE_TOPOLOGY));
  t.notThrows(() => topologySchema.parse(SAMPLE_HYPERV_TOPOLOGY));
  refused(
    { ...SAMPLE_HYPERV_TOPOLOGY, hyperV: { ...hyperV, plans: [{ name: "onprem", groups: [{ vms: ["sql-0", "db-9"] }] }] } },
    /hyperV\.plans\[0\]\.groups\[0\]\.vms\[1\]/,
    /'db-9' is not in the VMs of hyperV\.hosts/,
  );
  refused(
    { ...SAMPLE_HYPERV_TOPOLOGY, hyperV: { ...hyperV, plans: [...hyperV.plans, { name: "again", groups: [{ vms: ["web-1"] }] }] } },
    /hyperV\.plans\[1\]\.groups\[0\]\.vms\[0\]/,
    /'web-1' is in more than one plan or group/,
  );
  refused(
    {
      ...SAMPLE_TOPOLOGY,
      hyperV: { ...hyperV, hosts: [{ name: "hv-host-01", vms: [{ name: "sql-0", disksGB: [40] }] }], plans: [{ name: "shop", groups: [{ vms: ["sql-0"] }] }] },
    },
    /hyperV\.plans\[0\]\.name/,
    /'shop' is the name of another plan/,
  );
  refused(
    { ...SAMPLE_HYPERV_TOPOLOGY, hyperV: { ...hyperV, policy: { name: "hyperv-1min", copyFrequencySeconds: 60 as 30 } } },
    /hyperV\.policy\.copyFrequencySeconds/,
    /must be 30, 300 or 900/,
  );
  refused({ ...SAMPLE_HYPERV_TOPOLOGY, hyperV: { ...hyperV, logStorageAccount: "Bad_Name" } }, /hyperV\.logStorageAccount/, /storage account name/);
  refused(
    { ...SAMPLE_HYPERV_TOPOLOGY, vault: { resourceGroup: "onprem-dr-rg", name: "onprem-vault" } },
    /vault\.location/,
    /is required without Azure-to-Azure vms/,
  );
  refused({ ...SAMPLE_HYPERV_TOPOLOGY, hyperV: { ...hyperV, plans: [] } }, /plans/, /needs at least one recovery plan/);
  refused(
    { ...SAMPLE_HYPERV_TOPOLOGY, vms: [{ resourceGroup: "rg", name: "web-1" }] },
    /sourceRegion|hyperV\.hosts\[1\]\.vms\[0\]\.name/,
    /is required with Azure-to-Azure vms|is the name of another VM/,
  );
});

test("on an emulator server that demands a control token, the Hyper-V hosts are registered with the backend's token, or with the one given beside another URL", async (t) => {
  const controlToken = "drill-control-token-1";
  const served = await serveEmulator({ port: 0, controlToken });
  t.teardown(() => served.close());
  const saved = process.env.AZURE_DR_EMULATOR_TOKEN;
  delete process.env.AZURE_DR_EMULATOR_TOKEN;
  t.teardown(() => {
    if (saved !== undefined) process.env.AZURE_DR_EMULATOR_TOKEN = saved;
  });
  const backend = await createEmulatorBackend({ url: served.url, controlToken });
  t.is(backend.url, served.url);
  const dr = new DrClient(backend);
  t.teardown(() => dr.close());
  const topology = topologySchema.parse(SAMPLE_HYPERV_TOPOLOGY);
  const refused = await t.throwsAsync(provisionEstate(dr, topology, backend.subscriptionId, undefined, { emulatorUrl: served.url }), { instanceOf: DrError });
  t.is(refused.statusCode, 401, "another URL, no token of its own");
  t.regex(refused.message, /answered 401 to POST \/_emulator\/hyperV\/hosts \(its control token/);
  const first = await provisionEstate(
    dr,
    topologySchema.parse({ ...SAMPLE_HYPERV_TOPOLOGY, vault: { ...SAMPLE_HYPERV_TOPOLOGY.vault, name: "token-vault" } }),
    backend.subscriptionId,
    undefined,
    {
      emulatorUrl: served.url,
      controlToken,
    },
  );
  t.is(first.protectedVmIds.size, 3, "another URL with its token");
  const estate = await provisionEstate(dr, topology, backend.subscriptionId);
  t.deepEqual([...estate.protectedVmIds.keys()].sort(), ["sql-0", "web-0", "web-1"], "the backend's own server and token");
});
