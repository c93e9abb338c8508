import type { Backend } from "../backends/backend.js";
import { emulatorControlRequest, isEmulatorServerBackend } from "../backends/emulatorBackend.js";
import type { FakeBackend } from "../backends/fakeBackend.js";
import type { DrClient } from "../client.js";
import { ResourceNotFoundError, ValidationError, isResourceNotFoundError } from "../errors.js";
import { logger } from "../logger.js";
import type { HyperVProtectedVm } from "../model/hyperV.js";
import type { ProtectedVm } from "../model/protectedVm.js";
import { MICROSOFT_AZURE } from "../model/recoveryPlan.js";
import type { VaultRef } from "../model/vault.js";
import { a2aPart, estatePlans, vaultLocation, type A2ATopology, type HyperVTopology, type Topology } from "./topology.js";

/** How many VMs are created and protected at once. */
const PROTECT_BATCH = 50;

/** What provisioning found or made. */
export interface ProvisionedEstate {
  vault: VaultRef;
  /** Protected VM ids by VM name (lower case): Azure-to-Azure VMs by their item's name, Hyper-V VMs by their on-premises name. */
  protectedVmIds: Map<string, string>;
  /** Whether the estate was there already (nothing was created; always on Azure, where nothing is created). */
  existed: boolean;
}

/** Options of {@link provisionEstate}. */
export interface ProvisionOptions {
  /**
   * Another emulator server's URL to register the Hyper-V hosts with (`POST /_emulator/hyperV/hosts`
   * of its control surface). By default the hosts are registered where the backend is: in process
   * on the embedded fake, through the control surface of the backend's emulator server (with its
   * control token); Azure needs none (the hosts' providers register them).
   */
  emulatorUrl?: string;
  /**
   * With `emulatorUrl`: that server's control token, when it demands one (`azure-dr emulator --control-token`).
   * @default the `AZURE_DR_EMULATOR_TOKEN` environment variable
   */
  controlToken?: string;
}

/**
 * Builds a topology on an emulated backend, as a team would have it on Azure: the vault; for the
 * Azure-to-Azure part the policy, the replication infrastructure of the region pair, the
 * availability sets in both regions, the VMs, their protection (waiting for the initial
 * replication) and the recovery plans; for the Hyper-V part the HyperVReplicaAzure policy, the
 * site, its hosts and VMs (registered through the emulator's control surface, as the Site Recovery
 * provider on each host would), their protection (waiting for the initial replication) and the
 * recovery plans. Does nothing when the vault already holds the topology's plans (a state file kept
 * from a run before); what an interrupted run left is reused.
 * On Azure it creates nothing: it checks that the Hyper-V site, its hosts and the protected VMs the
 * topology names exist (the plans are checked by the drill's readiness).
 * @throws ValidationError (`ValidationFailed`): bad input.
 * @throws ResourceNotFoundError (`ResourceNotFound`): on Azure, the vault, site, hosts or protected VMs the topology names are missing.
 * @throws the SDK's errors (InvalidStateError, OperationFailedError); DrError `ServiceUnavailable`/`ServiceError` when the emulator's control surface cannot be reached.
 */
export async function provisionEstate(
  dr: DrClient,
  topology: Topology,
  subscriptionId: string,
  onProgress: (message: string) => void = () => undefined,
  options: ProvisionOptions = {},
): Promise<ProvisionedEstate> {
  const vault = { resourceGroup: topology.vault.resourceGroup, name: topology.vault.name };
  if (dr.backend.kind === "azure") {
    if (topology.hyperV !== undefined) await checkHyperV(dr, vault, topology.hyperV);
    return { vault, protectedVmIds: await existingItems(dr, vault), existed: true };
  }
  if (await hasPlans(dr, vault, topology)) return { vault, protectedVmIds: await existingItems(dr, vault), existed: true };
  const protectedVmIds = new Map<string, string>();
  const a2a = a2aPart(topology);
  logger.info(
    `provisioning the estate of vault ${vault.name}: ${topology.vms.length} Azure VMs, ${topology.hyperV?.hosts.flatMap((h) => h.vms).length ?? 0} Hyper-V VMs, ${estatePlans(topology).length} plan(s)`,
  );
  await dr.vaults.createOrUpdate(vault.resourceGroup, vault.name, { location: vaultLocation(topology) });
  if (a2a !== undefined) await provisionA2A(dr, vault, a2a, subscriptionId, protectedVmIds, onProgress);
  if (topology.hyperV !== undefined)
    await provisionHyperV(dr, vault, topology.hyperV, topology.network.targetNetworkId, subscriptionId, protectedVmIds, onProgress, options);
  return { vault, protectedVmIds, existed: false };
}

const rgId = (subscriptionId: string, rg: string): string => `/subscriptions/${subscriptionId}/resourceGroups/${rg}`;

async function provisionA2A(
  dr: DrClient,
  vault: VaultRef,
  topology: A2ATopology,
  subscriptionId: string,
  protectedVmIds: Map<string, string>,
  onProgress: (message: string) => void,
): Promise<void> {
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
  const cacheStorageAccountId = `${rgId(subscriptionId, firstGroup)}/providers/Microsoft.Storage/storageAccounts/${topology.cacheStorageAccount}`;
  const protect = async (spec: A2ATopology["vms"][number]): Promise<ProtectedVm> => {
    const set =
      spec.availabilitySet === undefined ? undefined : topology.availabilitySets.find((s) => s.name.toLowerCase() === spec.availabilitySet?.toLowerCase());
    const vm = await dr.virtualMachines.create(spec.resourceGroup, spec.name, {
      location: topology.sourceRegion,
      size: spec.size,
      image: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
      osDisk: { sizeGB: spec.osDiskGB },
      adminUsername: "azureuser",
      sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrillSampleKeyOnly azureuser",
      networkInterfaceIds: [`${rgId(subscriptionId, spec.resourceGroup)}/providers/Microsoft.Network/networkInterfaces/${spec.name}-nic`],
      ...(set === undefined
        ? {}
        : { availabilitySetId: `${rgId(subscriptionId, set.resourceGroup)}/providers/Microsoft.Compute/availabilitySets/${set.name}` }),
    });
    const targetSet = spec.availabilitySet === undefined ? undefined : targetSets.get(spec.availabilitySet.toLowerCase());
    return dr.protectedVms.protect(vault, infrastructure, {
      virtualMachineId: vm.id,
      recoveryResourceGroupId: rgId(subscriptionId, topology.recoveryResourceGroup),
      cacheStorageAccountId,
      recoveryNetworkId: topology.network.targetNetworkId,
      ...(targetSet === undefined ? {} : { recoveryAvailabilitySetId: targetSet }),
    });
  };
  const items = await inBatches(topology.vms, protect, (done) => onProgress(`${done}/${topology.vms.length} VMs created, replication enabled`));
  await Promise.all(items.map((item) => dr.protectedVms.waitForProtection(item.id)));
  onProgress(`${items.length} VMs protected (initial replication done)`);
  for (const item of items) protectedVmIds.set(item.name.toLowerCase(), item.id);
  await createPlans(dr, vault, topology.plans, infrastructure.sourceFabricId, infrastructure.targetFabricId, protectedVmIds);
}

async function provisionHyperV(
  dr: DrClient,
  vault: VaultRef,
  topology: HyperVTopology,
  targetNetworkId: string,
  subscriptionId: string,
  protectedVmIds: Map<string, string>,
  onProgress: (message: string) => void,
  options: ProvisionOptions,
): Promise<void> {
  await dr.replicationPolicies.createOrUpdate(vault, topology.policy.name, {
    kind: "HyperVReplicaAzure",
    copyFrequencySeconds: topology.policy.copyFrequencySeconds,
    recoveryPointRetentionHours: topology.policy.recoveryPointRetentionHours,
  });
  const site = await dr.hyperV.prepareSite(vault, { siteName: topology.site, policyName: topology.policy.name });
  // What the Site Recovery provider on each host does in Azure; hosts registered before (an interrupted run) are left as they are.
  const registered = new Set((await dr.hyperV.listHosts(vault, topology.site)).map((h) => h.name.toLowerCase()));
  const hosts = topology.hosts.filter((h) => !registered.has(h.name.toLowerCase()));
  if (hosts.length > 0) {
    await registerHyperVHosts(dr.backend, options, {
      fabricId: site.siteId,
      hosts: hosts.map((host) => ({
        name: host.name,
        vms: host.vms.map((vm) => ({
          name: vm.name,
          disks: vm.disksGB.map((sizeGB, i) => ({ name: `${vm.name}-${i === 0 ? "os" : `data${i}`}.vhdx`, sizeGB })),
          ...(vm.churnMBps === undefined ? {} : { churnMBps: vm.churnMBps }),
        })),
      })),
    });
  }
  onProgress(`Hyper-V site ${topology.site}: ${topology.hosts.length} host(s) registered`);
  const targetResourceGroupId = rgId(subscriptionId, topology.targetResourceGroup);
  const vms = topology.hosts.flatMap((h) => h.vms);
  const protect = (vm: (typeof vms)[number]): Promise<HyperVProtectedVm> =>
    dr.hyperV.protect(site, {
      vmName: vm.name,
      targetResourceGroupId,
      targetNetworkId,
      logStorageAccountId: `${targetResourceGroupId}/providers/Microsoft.Storage/storageAccounts/${topology.logStorageAccount}`,
    });
  const items = await inBatches(vms, protect, (done) => onProgress(`${done}/${vms.length} Hyper-V VMs, replication enabled`));
  await Promise.all(items.map((item) => dr.hyperV.waitForProtection(item.id)));
  onProgress(`${items.length} Hyper-V VMs protected (initial replication done)`);
  for (const item of items) protectedVmIds.set(item.vmName.toLowerCase(), item.id);
  await createPlans(dr, vault, topology.plans, site.siteId, MICROSOFT_AZURE, protectedVmIds);
}

/** In batches, as a team enabling replication for a large estate would, and to bound the work in flight. */
async function inBatches<T, R>(specs: T[], run: (spec: T) => Promise<R>, onBatch: (done: number) => void): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < specs.length; start += PROTECT_BATCH) {
    out.push(...(await Promise.all(specs.slice(start, start + PROTECT_BATCH).map(run))));
    onBatch(out.length);
  }
  return out;
}

async function createPlans(
  dr: DrClient,
  vault: VaultRef,
  plans: Topology["plans"],
  primaryFabricId: string,
  recoveryFabricId: string,
  protectedVmIds: Map<string, string>,
): Promise<void> {
  for (const plan of plans) {
    await dr.recoveryPlans.createOrUpdate(vault, plan.name, {
      primaryFabricId,
      recoveryFabricId,
      groups: plan.groups.map((group) => ({
        protectedVmIds: group.vms.map((name) => protectedVmIds.get(name.toLowerCase()) ?? name),
        before: group.before,
        after: group.after,
      })),
    });
  }
}

/** The hosts and VMs a Hyper-V site's providers would register, as the emulator's control surface takes them. */
interface HyperVHostsRegistration {
  fabricId: string;
  hosts: { name: string; vms: { name: string; disks: { name: string; sizeGB: number }[]; churnMBps?: number }[] }[];
}

function isFakeBackend(backend: Backend): backend is FakeBackend {
  return backend.kind === "fake" && "emulator" in backend;
}

/** Registers hosts through the emulator's control surface: in process on the embedded fake, over HTTP on an emulator server. */
async function registerHyperVHosts(backend: Backend, { emulatorUrl, controlToken }: ProvisionOptions, input: HyperVHostsRegistration): Promise<void> {
  const path = "/_emulator/hyperV/hosts";
  if (emulatorUrl !== undefined) await emulatorControlRequest(new URL(emulatorUrl), controlToken, "POST", path, input);
  else if (isFakeBackend(backend)) backend.emulator.control.registerHyperVHosts(input);
  else if (isEmulatorServerBackend(backend)) await backend.control("POST", path, input);
  else throw new ValidationError("emulatorUrl", "is needed to register the Hyper-V hosts through an emulator server's control surface");
}

/** On Azure: the site, its hosts and the protected VMs the topology names exist. */
async function checkHyperV(dr: DrClient, vault: VaultRef, topology: HyperVTopology): Promise<void> {
  const siteId = await dr.hyperV.findSite(vault, topology.site);
  if (siteId === undefined)
    throw new ResourceNotFoundError(
      `vault ${vault.name} has no Hyper-V site '${topology.site}': prepare it (dr.hyperV.prepareSite) and install the Site Recovery provider on its hosts`,
    );
  const hosts = new Set((await dr.hyperV.listHosts(vault, topology.site)).map((h) => h.name.toLowerCase()));
  const protectedVms = new Set<string>();
  for await (const vm of dr.hyperV.list(vault)) protectedVms.add(vm.vmName.toLowerCase());
  const missing = [
    ...topology.hosts.filter((h) => !hosts.has(h.name.toLowerCase())).map((h) => `host ${h.name} (not registered with site ${topology.site})`),
    ...topology.hosts.flatMap((h) => h.vms.filter((vm) => !protectedVms.has(vm.name.toLowerCase())).map((vm) => `VM ${vm.name} (not protected)`)),
  ];
  if (missing.length > 0) throw new ResourceNotFoundError(`vault ${vault.name}, Hyper-V site ${topology.site}: ${missing.join(", ")}`, { resourceId: siteId });
}

async function existingItems(dr: DrClient, vault: VaultRef): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for await (const vm of dr.protectedVms.list(vault)) ids.set(vm.name.toLowerCase(), vm.id);
  for await (const vm of dr.hyperV.list(vault)) ids.set(vm.vmName.toLowerCase(), vm.id);
  return ids;
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
  return estatePlans(topology).every((p) => names.has(p.name.toLowerCase()));
}
