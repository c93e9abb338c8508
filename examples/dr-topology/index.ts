/**
 * A two-tier shop in West Europe, protected to North Europe, as a Pulumi program.
 *
 * The web tier (2 VMs) and the database tier (2 VMs) each run in their own availability set. They
 * are replicated to North Europe by a {@link DrTopology}: a vault, a replication policy, the
 * replication infrastructure of the region pair with the networks mapped, an availability set per
 * tier in the target region, the protected VMs, and one recovery plan that brings up the database
 * first, waits for a person to check it, then brings up the web tier.
 *
 * The VMs and availability sets are declared with azure-dr's own `VirtualMachine` and
 * `AvailabilitySet` resources so that the program runs offline; a real stack would usually
 * declare them (and the networks, network interfaces and cache storage account, which this example
 * expects to exist on Azure) with `@pulumi/azure-native`.
 *
 * Run it with the Pulumi CLI (the project file is `Pulumi.yaml` at the repository root; the
 * providers run the built code):
 *
 *     npm run build && pulumi login --local && pulumi stack init dev && pulumi up
 *
 * Offline, without the CLI: `test/providers/program.test.ts` runs it with `runOnEmulator`.
 */
import * as pulumi from "@pulumi/pulumi";
import { AvailabilitySet, DrTopology, VirtualMachine } from "../../providers/index.js";

const SOURCE_REGION = "westeurope";
const TARGET_REGION = "northeurope";
/** The application's resource group (West Europe). */
const APP_RESOURCE_GROUP = "shop-rg";
/** Where the VMs come up after a failover (North Europe). */
const RECOVERY_RESOURCE_GROUP = "shop-rg-dr";

const config = new pulumi.Config();
const sshPublicKey = config.get("sshPublicKey") ?? "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnly azureuser";

/** A tier of the application in the source region: an availability set and its VMs. */
function sourceTier(tier: string, count: number, size: string, dataDiskGB?: number): { set: AvailabilitySet; vms: VirtualMachine[] } {
  const set = new AvailabilitySet(`${tier}-as`, {
    resourceGroup: APP_RESOURCE_GROUP,
    name: `${tier}-as`,
    location: SOURCE_REGION,
    faultDomainCount: 2,
    updateDomainCount: 5,
  });
  const vms = Array.from({ length: count }, (_, index) => {
    const name = `${tier}-${index}`;
    return new VirtualMachine(name, {
      resourceGroup: APP_RESOURCE_GROUP,
      name,
      location: SOURCE_REGION,
      size,
      availabilitySetId: set.availabilitySetId,
      image: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
      osDisk: { type: "Premium_LRS", sizeGB: 64 },
      dataDisks: dataDiskGB === undefined ? [] : [{ lun: 0, sizeGB: dataDiskGB, type: "Premium_LRS" }],
      adminUsername: "azureuser",
      sshPublicKey,
      networkInterfaceIds: resourceId(set, `resourceGroups/${APP_RESOURCE_GROUP}/providers/Microsoft.Network/networkInterfaces/${name}-nic`).apply((id) => [
        id,
      ]),
      tags: { app: "shop", tier },
    });
  });
  return { set, vms };
}

/** An ARM id in the subscription the availability set was created in (the fake's, or the stack's on Azure). */
function resourceId(inSubscriptionOf: AvailabilitySet, path: string): pulumi.Output<string> {
  return inSubscriptionOf.availabilitySetId.apply((id) => `${id.split("/").slice(0, 3).join("/")}/${path}`);
}

const database = sourceTier("db", 2, "Standard_E4s_v5", 128);
const web = sourceTier("web", 2, "Standard_D2s_v5");

/** After the database tier is up, the plan waits for someone to check it (a failover resumes once they confirm). */
const checkDatabase = {
  kind: "manual" as const,
  name: "check-db",
  description: "Check that the database is consistent and accepts connections, then resume the plan",
};

const shop = new DrTopology("shop-dr", {
  vault: { resourceGroup: "shop-dr-rg", name: "shop-vault" },
  sourceRegion: SOURCE_REGION,
  targetRegion: TARGET_REGION,
  network: {
    sourceNetworkId: resourceId(web.set, `resourceGroups/${APP_RESOURCE_GROUP}/providers/Microsoft.Network/virtualNetworks/shop-vnet`),
    targetNetworkId: resourceId(web.set, `resourceGroups/${RECOVERY_RESOURCE_GROUP}/providers/Microsoft.Network/virtualNetworks/shop-vnet-dr`),
  },
  policy: { recoveryPointRetentionMinutes: 24 * 60, appConsistentFrequencyMinutes: 4 * 60 },
  recoveryResourceGroupId: resourceId(web.set, `resourceGroups/${RECOVERY_RESOURCE_GROUP}`),
  cacheStorageAccountId: resourceId(web.set, `resourceGroups/${APP_RESOURCE_GROUP}/providers/Microsoft.Storage/storageAccounts/shopcachewesteurope`),
  tiers: [
    {
      name: "db",
      virtualMachines: Object.fromEntries(database.vms.map((vm, index) => [`db-${index}`, vm.virtualMachineId])),
      availabilitySet: { name: "db-as-dr", faultDomainCount: 2 },
      after: [checkDatabase],
    },
    {
      name: "web",
      virtualMachines: Object.fromEntries(web.vms.map((vm, index) => [`web-${index}`, vm.virtualMachineId])),
      availabilitySet: { name: "web-as-dr", faultDomainCount: 2 },
    },
  ],
});

/** The recovery plan of a failover or a test failover (its name is what `azure-dr ... --plan` takes, with `--vault shop-dr-rg/shop-vault`). */
export const planId = shop.plan.planId;
export const planName = shop.plan.name;
export const vaultId = shop.vault.vaultId;
/** The protected VMs (replicated items) of each tier. */
export const protectedVmIds = {
  db: (shop.protectedVms.db ?? []).map((vm) => vm.protectedVmId),
  web: (shop.protectedVms.web ?? []).map((vm) => vm.protectedVmId),
};
