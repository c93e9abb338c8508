// The loss of the on-premises Hyper-V site through the SDK (`dr.hyperV`) on the embedded fake, in
// virtual time: a planned failover is refused with a typed error, an unplanned one recovers the
// last delta cycle Azure received before the outage and reports the data lost since.
import test from "ava";
import { InvalidStateError } from "../../sdk/index.js";
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
