/**
 * Hyper-V to Azure on the embedded fake (no Azure subscription, no Hyper-V host needed): an
 * on-premises site with one host and two VMs replicates to Azure; the VMs are protected, rehearsed
 * with a test failover, failed over to Azure (planned: no data loss), committed, failed back to
 * their original VMs, committed and reprotected. Hours of replication run in milliseconds of real
 * time, with true (virtual) timestamps.
 *
 * Run: npm run demo:hyperv
 */
import { DrClient, createFakeBackend, type HyperVProtectedVm } from "../sdk/index.js";

const VAULT = { resourceGroup: "onprem-dr-rg", name: "onprem-vault" };

async function main(): Promise<void> {
  const backend = await createFakeBackend();
  const dr = new DrClient(backend);
  const sub = `/subscriptions/${backend.subscriptionId}/resourceGroups/${VAULT.resourceGroup}`;
  const stamp = (): string =>
    dr.clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  const say = (line: string): void => console.log(`${stamp()}  ${line}`);

  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "hyperv-5min", { kind: "HyperVReplicaAzure", copyFrequencySeconds: 300, recoveryPointRetentionHours: 24 });
  const site = await dr.hyperV.prepareSite(VAULT, { siteName: "site-onprem", policyName: "hyperv-5min" });
  say(`site ${site.siteName} mapped to Azure under policy hyperv-5min`);

  // What the Site Recovery provider installed on the host does in Azure (the emulator's control surface).
  backend.emulator.control.registerHyperVHosts({
    fabricId: site.siteId,
    hosts: [
      {
        name: "hv-host-01",
        vms: [
          {
            name: "sql-0",
            disks: [
              { name: "sql-0-os.vhdx", sizeGB: 40 },
              { name: "sql-0-data.vhdx", sizeGB: 100 },
            ],
            churnMBps: 4,
          },
          { name: "web-0", disks: [{ name: "web-0-os.vhdx", sizeGB: 30 }], churnMBps: 1 },
        ],
      },
    ],
  });
  const hosts = await dr.hyperV.listHosts(VAULT, site.siteName);
  const vms = await dr.hyperV.listVms(site);
  say(`${hosts.length} host(s) registered: ${hosts.map((h) => h.name).join(", ")}; VMs discovered: ${vms.map((v) => v.name).join(", ")}`);

  const protectedVms: HyperVProtectedVm[] = [];
  for (const vm of vms) {
    const item = await dr.hyperV.protect(site, {
      vmName: vm.name,
      targetResourceGroupId: sub,
      targetVmName: `${vm.name}-az`,
      targetNetworkId: `${sub}/providers/Microsoft.Network/virtualNetworks/vnet-dr`,
      targetSubnetName: "default",
      logStorageAccountId: `${sub}/providers/Microsoft.Storage/storageAccounts/hvlogwesteurope`,
    });
    say(`${vm.name}: protection enabled, initial replication of ${item.disks.reduce((sum, d) => sum + d.sizeGB, 0)} GB started`);
    protectedVms.push(item);
  }
  for (const item of protectedVms) {
    const done = await dr.hyperV.waitForProtection(item.id);
    say(`${done.vmName}: protected (${done.replicationHealth})`);
  }
  await dr.clock.sleep(3 * 3_600_000);
  for (const item of protectedVms) {
    const now = await dr.hyperV.get(item.id);
    say(`${now.vmName}: RPO ${now.rpoSeconds ?? "?"} s, ${(await dr.hyperV.recoveryPoints(item.id)).length} recovery points`);
  }

  const isolated = `${sub}/providers/Microsoft.Network/virtualNetworks/vnet-test`;
  for (const item of protectedVms) {
    await dr.hyperV.testFailover(item.id, { networkId: isolated });
    await dr.hyperV.cleanupTest(item.id, "rehearsal passed");
  }
  say("test failover rehearsed and cleaned up");

  for (const item of protectedVms) {
    const result = await dr.hyperV.failover(item.id, { kind: "planned" });
    await dr.hyperV.commit(item.id);
    say(`${item.vmName}: failed over to Azure as ${result.protectedVm.targetVmName}, data loss ${result.dataLossSeconds} s, committed`);
  }
  await dr.clock.sleep(2 * 3_600_000);
  for (const item of protectedVms) {
    await dr.hyperV.failback(item.id, { dataSync: "ForDownTime" });
    await dr.hyperV.commit(item.id);
    const back = await dr.hyperV.reprotect(item.id);
    say(`${item.vmName}: failed back on-premises, committed, reprotected (${back.phase})`);
  }
  await dr.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
