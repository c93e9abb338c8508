import type { VirtualMachine as AzureVirtualMachine } from "@azure/arm-compute";
import { vmInput } from "../../test/helpers/fixtures.js";

/**
 * The Compute model DrClient sends for `vmInput(resourceGroup, name)`, written out for the official
 * client: the raw side of the overhead benchmark must send the same request, not a smaller one.
 * `drClientOverhead` checks the two wire bodies are equal before timing anything.
 */
export function rawVmModel(resourceGroup: string, name: string): AzureVirtualMachine {
  const input = vmInput(resourceGroup, name);
  const adminUsername = input.adminUsername ?? "azureuser";
  return {
    location: input.location,
    hardwareProfile: { vmSize: input.size },
    storageProfile: {
      ...(input.image === undefined ? {} : { imageReference: { ...input.image, version: input.image.version ?? "latest" } }),
      osDisk: { createOption: "FromImage", name: `${name}-osdisk`, managedDisk: { storageAccountType: "Premium_LRS" } },
      dataDisks: [],
    },
    networkProfile: { networkInterfaces: input.networkInterfaceIds.map((id, index) => ({ id, primary: index === 0 })) },
    osProfile: {
      computerName: name.slice(0, 15),
      adminUsername,
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: { publicKeys: [{ path: `/home/${adminUsername}/.ssh/authorized_keys`, keyData: input.sshPublicKey ?? "" }] },
      },
    },
  };
}
