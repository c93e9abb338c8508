import type { DrClient } from "../client.js";
import { isResourceNotFoundError } from "../errors.js";
import { logger } from "../logger.js";
import type { ProtectedVm } from "../model/protectedVm.js";
import type { VaultRef } from "../model/vault.js";

/** How many VMs are created and protected at once. */
const PROTECT_BATCH = 50;
import type { Topology } from "./topology.js";

/** What provisioning found or made. */
export interface ProvisionedEstate {
  vault: VaultRef;
  /** Protected VM ids by VM name (lower case). */
  protectedVmIds: Map<string, string>;
  /** Whether the estate was there already (nothing was created). */
  existed: boolean;
}

/**
 * Builds a topology on an emulated backend, as a team would have it on Azure: the vault, the
 * policy, the replication infrastructure of the region pair, the availability sets in both
 * regions, the VMs, their protection (waiting for the initial replication) and the recovery plans.
 * Does nothing when the vault already holds the topology's plans (a state file kept from a run
 * before).
 * @throws the SDK's errors (ValidationError, InvalidStateError, OperationFailedError).
 */
export async function provisionEstate(
  dr: DrClient,
  topology: Topology,
  subscriptionId: string,
  onProgress: (message: string) => void = () => undefined,
): Promise<ProvisionedEstate> {
  const vault = { resourceGroup: topology.vault.resourceGroup, name: topology.vault.name };
  const protectedVmIds = new Map<string, string>();
  if (await hasPlans(dr, vault, topology)) {
    for await (const vm of dr.protectedVms.list(vault)) protectedVmIds.set(vm.name.toLowerCase(), vm.id);
    return { vault, protectedVmIds, existed: true };
  }
  const rgId = (rg: string): string => `/subscriptions/${subscriptionId}/resourceGroups/${rg}`;
  logger.info(`provisioning the estate of vault ${vault.name}: ${topology.vms.length} VMs, ${topology.plans.length} plan(s)`);
  await dr.vaults.createOrUpdate(vault.resourceGroup, vault.name, { location: topology.vault.location ?? topology.targetRegion });
  await dr.replicationPolicies.createOrUpdate(vault, topology.policy.name, {
    kind: "A2A",
    recoveryPointRetentionMinutes: topology.policy.recoveryPointRetentionMinutes,
    appConsistentFrequencyMinutes: topology.policy.appConsistentFrequencyMinutes,
  });
  const infrastructure = await dr.replicationInfrastructure.prepare(vault, {
    sourceRegion: topology.sourceRegion,
    targetRegion: topology.targetRegion,
    policyName: topology.policy.name,
    network: { sourceNetworkId: topology.network.sourceNetworkId, targetNetworkId: topology.network.targetNetworkId },
  });
  const targetSets = new Map<string, string>();
  for (const set of topology.availabilitySets) {
    await dr.availabilitySets.createOrUpdate(set.resourceGroup, set.name, { location: topology.sourceRegion, faultDomainCount: set.faultDomains });
    const target = await dr.availabilitySets.createOrUpdate(topology.recoveryResourceGroup, set.name, {
      location: topology.targetRegion,
      faultDomainCount: set.faultDomains,
    });
    targetSets.set(set.name.toLowerCase(), target.id);
  }
  const firstGroup = topology.vms[0]?.resourceGroup ?? topology.recoveryResourceGroup;
  const cacheStorageAccountId = `${rgId(firstGroup)}/providers/Microsoft.Storage/storageAccounts/${topology.cacheStorageAccount}`;
  const protect = async (spec: Topology["vms"][number]): Promise<ProtectedVm> => {
    const set =
      spec.availabilitySet === undefined ? undefined : topology.availabilitySets.find((s) => s.name.toLowerCase() === spec.availabilitySet?.toLowerCase());
    const vm = await dr.virtualMachines.create(spec.resourceGroup, spec.name, {
      location: topology.sourceRegion,
      size: spec.size,
      image: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
      osDisk: { sizeGB: spec.osDiskGB },
      adminUsername: "azureuser",
      sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrillSampleKeyOnly azureuser",
      networkInterfaceIds: [`${rgId(spec.resourceGroup)}/providers/Microsoft.Network/networkInterfaces/${spec.name}-nic`],
      ...(set === undefined ? {} : { availabilitySetId: `${rgId(set.resourceGroup)}/providers/Microsoft.Compute/availabilitySets/${set.name}` }),
    });
    const targetSet = spec.availabilitySet === undefined ? undefined : targetSets.get(spec.availabilitySet.toLowerCase());
    return dr.protectedVms.protect(vault, infrastructure, {
      virtualMachineId: vm.id,
      recoveryResourceGroupId: rgId(topology.recoveryResourceGroup),
      cacheStorageAccountId,
      recoveryNetworkId: topology.network.targetNetworkId,
      ...(targetSet === undefined ? {} : { recoveryAvailabilitySetId: targetSet }),
    });
  };
  // In batches, as a team enabling replication for a large estate would, and to bound the work in flight.
  const items: ProtectedVm[] = [];
  for (let start = 0; start < topology.vms.length; start += PROTECT_BATCH) {
    items.push(...(await Promise.all(topology.vms.slice(start, start + PROTECT_BATCH).map(protect))));
    onProgress(`${items.length}/${topology.vms.length} VMs created, replication enabled`);
  }
  await Promise.all(items.map((item) => dr.protectedVms.waitForProtection(item.id)));
  onProgress(`${items.length} VMs protected (initial replication done)`);
  for (const item of items) protectedVmIds.set(item.name.toLowerCase(), item.id);
  for (const plan of topology.plans) {
    await dr.recoveryPlans.createOrUpdate(vault, plan.name, {
      primaryFabricId: infrastructure.sourceFabricId,
      recoveryFabricId: infrastructure.targetFabricId,
      groups: plan.groups.map((group) => ({
        protectedVmIds: group.vms.map((name) => protectedVmIds.get(name.toLowerCase()) ?? name),
        before: group.before,
        after: group.after,
      })),
    });
  }
  return { vault, protectedVmIds, existed: false };
}

async function hasPlans(dr: DrClient, vault: VaultRef, topology: Topology): Promise<boolean> {
  try {
    await dr.vaults.get(vault);
  } catch (error) {
    if (isResourceNotFoundError(error)) return false;
    throw error;
  }
  const names = new Set<string>();
  for await (const plan of dr.recoveryPlans.list(vault)) names.add(plan.name.toLowerCase());
  return topology.plans.every((p) => names.has(p.name.toLowerCase()));
}
