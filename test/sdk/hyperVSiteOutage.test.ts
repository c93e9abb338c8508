// The loss of the on-premises Hyper-V site through the SDK (`dr.hyperV`) on the embedded fake, in
// virtual time: a planned failover is refused with a typed error, an unplanned one recovers the
// last delta cycle Azure received before the outage and reports the data lost since.
import test from "ava";
import { InvalidStateError, ValidationError } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { SUB } from "../helpers/fixtures.js";
import { rgId } from "../helpers/siteRecoveryFixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const VAULT = { resourceGroup: "onprem-dr-rg", name: "onprem-vault" };
const LOG_ACCOUNT = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Storage/storageAccounts/hvlogwesteurope`;
const VNET = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg/providers/Microsoft.Network/virtualNetworks/vnet-dr`;
/** A Monday morning (UTC). */
const START = new Date("2026-03-02T08:00:00Z");

test("the site is lost: the sdk's planned failover is refused as an InvalidStateError, the unplanned one reports the data lost since the last cycle before the outage", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 64, startTime: START });
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "hyperv-5min", { kind: "HyperVReplicaAzure", copyFrequencySeconds: 300, recoveryPointRetentionHours: 24 });
  const site = await dr.hyperV.prepareSite(VAULT, { siteName: "site-onprem", policyName: "hyperv-5min" });
  backend.emulator.control.registerHyperVHosts({
    fabricId: site.siteId,
    hosts: [{ name: "hv-host-01", vms: [{ name: "sql-0", disks: [{ name: "sql-0-disk0.vhdx", sizeGB: 40 }], churnMBps: 1 }] }],
  });
  const enabled = await dr.hyperV.protect(site, {
    vmName: "sql-0",
    targetResourceGroupId: rgId("onprem-dr-rg"),
    targetVmName: "sql-0-az",
    targetNetworkId: VNET,
    logStorageAccountId: LOG_ACCOUNT,
  });
  await dr.hyperV.waitForProtection(enabled.id);
  await dr.clock.sleep(3 * HOUR + 2 * MINUTE);
  const lastCycle = (await dr.hyperV.get(enabled.id)).lastReplicatedTime?.getTime() ?? 0;

  const outageAt = dr.clock.now().getTime();
  backend.emulator.control.setHyperVSiteDown(site.siteId, true);
  await dr.clock.sleep(40 * MINUTE);
  const hosts = await dr.hyperV.listHosts(VAULT, "site-onprem");
  t.deepEqual(
    hosts.map((h) => h.connectionStatus),
    ["NotConnected"],
  );
  const stalled = await dr.hyperV.get(enabled.id);
  t.is(stalled.lastReplicatedTime?.getTime(), lastCycle, "no delta cycle during the outage");
  t.is(stalled.replicationHealth, "Warning");
  t.true((stalled.rpoSeconds ?? 0) >= 40 * 60, "the RPO grows");

  const refused = await t.throwsAsync(dr.hyperV.failover(enabled.id, { kind: "planned" }), { instanceOf: InvalidStateError });
  t.is(refused?.azureCode, "SourceSiteUnavailable");
  t.is((await dr.hyperV.get(enabled.id)).phase, "protected", "the refusal changed nothing");

  const result = await dr.hyperV.failover(enabled.id, { kind: "unplanned" });
  t.is(result.recoveryPointTime?.getTime(), lastCycle, "the last cycle Azure received before the outage");
  t.is(result.dataLossSeconds, Math.round((result.startedAt.getTime() - lastCycle) / 1000));
  t.true(result.dataLossSeconds >= (result.startedAt.getTime() - outageAt) / 1000, "at least the time the site has been down");
  t.is(result.protectedVm.phase, "failedOver");
});

test("the site-outage runbook fails every plan of the lost site over to Azure, reports what each VM lost, leaves other sites alone, and never fails over twice", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 256, startTime: START });
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "hyperv-5min", { kind: "HyperVReplicaAzure", copyFrequencySeconds: 300 });
  const sites = {
    paris: await dr.hyperV.prepareSite(VAULT, { siteName: "site-paris", policyName: "hyperv-5min" }),
    lyon: await dr.hyperV.prepareSite(VAULT, { siteName: "site-lyon", policyName: "hyperv-5min" }),
  };
  const vms = { paris: ["db-0", "web-0", "web-1"], lyon: ["erp-0"] };
  const ids: Record<string, string> = {};
  for (const key of ["paris", "lyon"] as const) {
    backend.emulator.control.registerHyperVHosts({
      fabricId: sites[key].siteId,
      hosts: [{ name: `hv-${key}`, vms: vms[key].map((name) => ({ name, disks: [{ name: `${name}.vhdx`, sizeGB: 20 }], churnMBps: 1 })) }],
    });
    for (const name of vms[key]) {
      const item = await dr.hyperV.protect(sites[key], { vmName: name, targetResourceGroupId: rgId("onprem-dr-rg"), logStorageAccountId: LOG_ACCOUNT });
      ids[name] = (await dr.hyperV.waitForProtection(item.id)).id;
    }
  }
  const plan = (name: string, site: keyof typeof sites, groups: string[][]): Promise<unknown> =>
    dr.recoveryPlans.createOrUpdate(VAULT, name, {
      primaryFabricId: sites[site].siteId,
      recoveryFabricId: "Microsoft Azure",
      groups: groups.map((g) => ({ protectedVmIds: g.map((n) => ids[n] ?? "") })),
    });
  await plan("paris-db", "paris", [["db-0"]]);
  await plan("paris-web", "paris", [["web-0", "web-1"]]);
  await plan("lyon-erp", "lyon", [["erp-0"]]);
  await dr.clock.sleep(2 * HOUR);

  await t.throwsAsync(dr.recoveryPlans.failoverSite(VAULT, "site-nowhere"), { instanceOf: ValidationError, message: /siteName/ });
  backend.emulator.control.setHyperVSiteDown(sites.paris.siteId, true);
  await dr.clock.sleep(20 * MINUTE);
  const report = await dr.recoveryPlans.failoverSite(VAULT, "site-paris");
  t.is(report.site, "site-paris");
  t.deepEqual(report.plans.map((p) => [p.plan, p.outcome]).sort(), [
    ["paris-db", "recovered"],
    ["paris-web", "recovered"],
  ]);
  const recovered = report.plans.flatMap((p) => p.recovered);
  t.deepEqual(recovered.map((v) => v.name).sort(), ["db-0", "web-0", "web-1"]);
  for (const vm of recovered)
    t.true((vm.dataLossSeconds ?? 0) >= 20 * 60, `${vm.name} lost at least the 20 minutes the site has been down before the runbook ran`);
  t.is(report.dataLossSeconds, Math.max(...recovered.map((v) => v.dataLossSeconds ?? 0)));
  t.true((report.recoveryTimeSeconds ?? 0) > 0);
  for (const name of vms.paris) t.is((await dr.hyperV.get(ids[name] ?? "")).phase, "failedOver");
  t.is((await dr.hyperV.get(ids["erp-0"] ?? "")).phase, "protected", "another site's VMs are left alone");

  const jobsBefore = (await dr.jobs.list(VAULT)[Symbol.asyncIterator]().next()).value?.name;
  const again = await dr.recoveryPlans.failoverSite(VAULT, "site-paris");
  t.deepEqual(
    again.plans.map((p) => p.result?.handle.jobName).sort(),
    report.plans.map((p) => p.result?.handle.jobName).sort(),
    "run again, it reports the failovers already done: never twice",
  );
  t.is((await dr.jobs.list(VAULT)[Symbol.asyncIterator]().next()).value?.name, jobsBefore, "no new job");
});
