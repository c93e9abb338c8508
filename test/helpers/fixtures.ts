import { FAKE_SUBSCRIPTION_ID, type VirtualMachineInput } from "../../sdk/index.js";

/** The subscription the fake backend uses. */
export const SUB = FAKE_SUBSCRIPTION_ID;

/** ARM id of a Compute resource in the fake subscription. */
export function computeId(resourceGroup: string, type: "virtualMachines" | "availabilitySets", name: string, subscriptionId = SUB): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/${type}/${name}`;
}

/** ARM id of a network interface (the emulator does not model Microsoft.Network; ids are taken as given). */
export function nicId(resourceGroup: string, name: string, subscriptionId = SUB): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/networkInterfaces/${name}`;
}

/** A valid SDK input for a Linux VM from a marketplace image. */
export function vmInput(resourceGroup: string, name: string, overrides: Partial<VirtualMachineInput> = {}): VirtualMachineInput {
  return {
    location: "westeurope",
    size: "Standard_D2s_v5",
    image: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
    adminUsername: "azureuser",
    sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnly azureuser",
    networkInterfaceIds: [nicId(resourceGroup, `${name}-nic`)],
    ...overrides,
  };
}

/** A raw ARM body for a VM with managed disks, as the official client or a REST call would send it. */
export function rawVmBody(resourceGroup: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    location: "westeurope",
    properties: {
      hardwareProfile: { vmSize: "Standard_D2s_v5" },
      storageProfile: {
        imageReference: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
        osDisk: { createOption: "FromImage", name: `${name}-os`, managedDisk: { storageAccountType: "Premium_LRS" } },
      },
      osProfile: { computerName: name, adminUsername: "azureuser", adminPassword: "Correct-Horse-42!" },
      networkProfile: { networkInterfaces: [{ id: nicId(resourceGroup, `${name}-nic`) }] },
      ...extra,
    },
  };
}
