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
