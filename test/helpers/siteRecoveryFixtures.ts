import type { DrClient, ReplicationInfrastructure, VaultRef } from "../../sdk/index.js";
import { SUB, vmInput } from "./fixtures.js";

/** The vault the Site Recovery scenarios use. */
export const VAULT: VaultRef = { resourceGroup: "dr-rg", name: "dr-vault" };
/** ARM id of a resource group in the fake subscription. */
export const rgId = (name: string): string => `/subscriptions/${SUB}/resourceGroups/${name}`;
/** The cache storage account in the source region. */
export const CACHE = `/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.Storage/storageAccounts/cachewesteurope`;
/** Virtual networks of each side. */
export const SOURCE_VNET = `/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.Network/virtualNetworks/app-vnet`;
export const TARGET_VNET = `/subscriptions/${SUB}/resourceGroups/app-rg-dr/providers/Microsoft.Network/virtualNetworks/app-vnet-dr`;

/** A vault, an A2A policy and the infrastructure westeurope -> northeurope. */
export async function drSetup(
  dr: DrClient,
  policy: { recoveryPointRetentionMinutes?: number; appConsistentFrequencyMinutes?: number } = {},
): Promise<ReplicationInfrastructure> {
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "northeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "a2a-24h", { kind: "A2A", ...policy });
  return dr.replicationInfrastructure.prepare(VAULT, {
    sourceRegion: "westeurope",
    targetRegion: "northeurope",
    policyName: "a2a-24h",
    network: { sourceNetworkId: SOURCE_VNET, targetNetworkId: TARGET_VNET },
  });
}

/** Creates a VM in westeurope with an OS disk of `osDiskGB` and returns its id. */
export async function sourceVm(dr: DrClient, name: string, osDiskGB = 64): Promise<string> {
  return (await dr.virtualMachines.create("app-rg", name, vmInput("app-rg", name, { osDisk: { sizeGB: osDiskGB } }))).id;
}

/** The VMs of the "shop" application, one per tier. */
export const SHOP_TIERS = ["db", "app1", "app2", "web"];

/**
 * Protects the four VMs of the "shop" application and puts them in recovery plan "shop": group 1
 * db (then a manual check when `manualAction`), group 2 app1 and app2 (after a DNS script that runs
 * for failovers only), group 3 web. Returns the protected VM ids in tier order.
 */
export async function shopPlan(dr: DrClient, manualAction: boolean): Promise<string[]> {
  const infrastructure = await drSetup(dr, { appConsistentFrequencyMinutes: 60 });
  const ids: string[] = [];
  for (const name of SHOP_TIERS) {
    const item = await dr.protectedVms.protect(VAULT, infrastructure, {
      virtualMachineId: await sourceVm(dr, name, 8),
      recoveryResourceGroupId: rgId("app-rg-dr"),
      cacheStorageAccountId: CACHE,
    });
    ids.push(item.id);
  }
  for (const id of ids) await dr.protectedVms.waitForProtection(id);
  await dr.recoveryPlans.createOrUpdate(VAULT, "shop", {
    primaryFabricId: infrastructure.sourceFabricId,
    recoveryFabricId: infrastructure.targetFabricId,
    groups: [
      { protectedVmIds: [ids[0] as string], after: manualAction ? [{ kind: "manual", name: "check-db", description: "Check the database" }] : [] },
      {
        protectedVmIds: [ids[1] as string, ids[2] as string],
        before: [
          { kind: "script", name: "dns", path: "/scripts/dns.ps1", fabricLocation: "Recovery", failoverTypes: ["PlannedFailover", "UnplannedFailover"] },
        ],
      },
      { protectedVmIds: [ids[3] as string] },
    ],
  });
  return ids;
}
