/**
 * Planned maintenance, owner-driven, on the embedded fake (no Azure subscription needed):
 * an availability set of four VMs gets a maintenance wave; the script starts each VM's
 * maintenance itself inside the self-service window, one update domain at a time with a gap
 * between domains, so at least one VM of the set is always up. Hours of maintenance run in
 * milliseconds of real time, with true (virtual) timestamps.
 *
 * Run: npm run demo
 */
import { DrClient, createFakeBackend, type VirtualMachineInput } from "../sdk/index.js";

const RESOURCE_GROUP = "shop-rg";
const GAP_BETWEEN_UPDATE_DOMAINS_MS = 30 * 60_000;

function vm(name: string, availabilitySetId: string, subscriptionId: string): VirtualMachineInput {
  return {
    location: "westeurope",
    size: "Standard_D2s_v5",
    availabilitySetId,
    image: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2" },
    adminUsername: "azureuser",
    sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyOnly azureuser",
    networkInterfaceIds: [`/subscriptions/${subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/networkInterfaces/${name}-nic`],
  };
}

async function main(): Promise<void> {
  const backend = await createFakeBackend();
  const dr = new DrClient(backend);
  const stamp = (): string => dr.clock.now().toISOString().replace(".000Z", "Z");

  const set = await dr.availabilitySets.createOrUpdate(RESOURCE_GROUP, "web-as", { location: "westeurope", faultDomainCount: 2, updateDomainCount: 2 });
  const vmIds: string[] = [];
  for (const name of ["web-0", "web-1", "web-2", "web-3"])
    vmIds.push((await dr.virtualMachines.create(RESOURCE_GROUP, name, vm(name, set.id, backend.subscriptionId))).id);
  console.log(`${stamp()}  availability set ${set.name}: ${set.faultDomainCount} fault domains, ${set.updateDomainCount} update domains, 4 VMs`);

  // What Azure does when it announces a maintenance wave for these VMs (the emulator's control surface).
  const wave = backend.emulator.control.scheduleMaintenanceWave({ virtualMachineIds: vmIds });
  console.log(`${stamp()}  maintenance announced: self-service until ${wave.selfServiceWindow.end}, then Azure's window until ${wave.maintenanceWindow.end}`);

  const byDomain = new Map<number, string[]>();
  for await (const entry of dr.maintenance.list(RESOURCE_GROUP)) {
    console.log(
      `${stamp()}  ${entry.vm.name}: update domain ${entry.updateDomain ?? "?"}, fault domain ${entry.faultDomain ?? "?"}, ${entry.maintenance.phase}`,
    );
    if (entry.maintenance.selfServiceAllowed) byDomain.set(entry.updateDomain ?? 0, [...(byDomain.get(entry.updateDomain ?? 0) ?? []), entry.vm.name]);
  }

  for (const [domain, names] of [...byDomain].sort(([a], [b]) => a - b)) {
    console.log(`${stamp()}  update domain ${domain}: maintaining ${names.join(", ")}`);
    await Promise.all(names.map((name) => dr.maintenance.perform(RESOURCE_GROUP, name)));
    console.log(`${stamp()}  update domain ${domain}: done; waiting ${GAP_BETWEEN_UPDATE_DOMAINS_MS / 60_000} minutes before the next domain`);
    await dr.clock.sleep(GAP_BETWEEN_UPDATE_DOMAINS_MS);
  }

  let completed = 0;
  for await (const entry of dr.maintenance.list(RESOURCE_GROUP)) if (entry.maintenance.lastResultCode === "MaintenanceCompleted") completed++;
  console.log(`${stamp()}  ${completed}/4 VMs maintained by their owner before Azure's window; ${backend.emulator.requestCount} ARM requests`);
  if (completed !== 4) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
