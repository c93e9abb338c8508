import type {
  AvailabilitySet as AzureAvailabilitySet,
  MaintenanceRedeployStatus,
  VirtualMachine as AzureVirtualMachine,
  VirtualMachineInstanceView,
} from "@azure/arm-compute";
import type { AvailabilitySet, AvailabilitySetSku } from "../model/availabilitySet.js";
import type { MaintenanceStatus } from "../model/maintenance.js";
import type { PowerState, VirtualMachine, VirtualMachineStatus } from "../model/virtualMachine.js";
import { parseResourceId } from "../model/armId.js";

const POWER_STATES: readonly PowerState[] = ["starting", "running", "stopping", "stopped", "deallocating", "deallocated", "unknown"];

function resourceGroupOf(id: string | undefined): string {
  return id === undefined ? "" : parseResourceId(id).resourceGroup;
}

/** Maps Compute's availability set to the SDK's. */
export function toAvailabilitySet(set: AzureAvailabilitySet): AvailabilitySet {
  return {
    id: set.id ?? "",
    name: set.name ?? "",
    resourceGroup: resourceGroupOf(set.id),
    location: set.location,
    sku: (set.sku?.name?.toLowerCase() === "aligned" ? "Aligned" : "Classic") satisfies AvailabilitySetSku,
    faultDomainCount: set.platformFaultDomainCount ?? 0,
    updateDomainCount: set.platformUpdateDomainCount ?? 0,
    virtualMachineIds: (set.virtualMachines ?? []).map((m) => m.id ?? "").filter((id) => id !== ""),
    tags: set.tags ?? {},
  };
}

/** Maps Compute's VM to the SDK's. */
export function toVirtualMachine(vm: AzureVirtualMachine): VirtualMachine {
  const osDisk = vm.storageProfile?.osDisk;
  return {
    id: vm.id ?? "",
    name: vm.name ?? "",
    resourceGroup: resourceGroupOf(vm.id),
    location: vm.location,
    vmId: vm.vmId,
    size: vm.hardwareProfile?.vmSize ?? "",
    availabilitySetId: vm.availabilitySet?.id,
    zones: vm.zones ?? [],
    provisioningState: vm.provisioningState ?? "",
    osDiskName: osDisk?.name,
    managedDisks: osDisk?.vhd === undefined,
    networkInterfaceIds: (vm.networkProfile?.networkInterfaces ?? []).map((n) => n.id ?? "").filter((id) => id !== ""),
    disks: [
      ...(osDisk === undefined
        ? []
        : [
            {
              name: osDisk.name ?? "",
              managedDiskId: osDisk.managedDisk?.id,
              sizeGB: osDisk.diskSizeGB,
              storageAccountType: osDisk.managedDisk?.storageAccountType,
              lun: undefined,
            },
          ]),
      ...(vm.storageProfile?.dataDisks ?? []).map((d) => ({
        name: d.name ?? "",
        managedDiskId: d.managedDisk?.id,
        sizeGB: d.diskSizeGB,
        storageAccountType: d.managedDisk?.storageAccountType,
        lun: d.lun,
      })),
    ],
    tags: vm.tags ?? {},
  };
}

/** Maps an instance view to the VM's live status at time `now`. */
export function toVirtualMachineStatus(id: string, view: VirtualMachineInstanceView | undefined, now: Date): VirtualMachineStatus {
  const statuses = view?.statuses ?? [];
  const power = statuses.find((s) => s.code?.startsWith("PowerState/"))?.code?.slice("PowerState/".length);
  const provisioning = statuses.find((s) => s.code?.startsWith("ProvisioningState/"))?.code?.split("/")[1] ?? "";
  return {
    id,
    powerState: POWER_STATES.find((p) => p === power) ?? "unknown",
    provisioningState: provisioning.charAt(0).toUpperCase() + provisioning.slice(1),
    updateDomain: view?.platformUpdateDomain,
    faultDomain: view?.platformFaultDomain,
    maintenance: toMaintenanceStatus(view?.maintenanceRedeployStatus, now),
  };
}

/** Derives where a VM stands in planned maintenance from `maintenanceRedeployStatus`. */
export function toMaintenanceStatus(status: MaintenanceRedeployStatus | undefined, now: Date): MaintenanceStatus {
  const lastResultCode = status?.lastOperationResultCode ?? "None";
  const selfServiceWindow =
    status?.preMaintenanceWindowStartTime !== undefined && status.preMaintenanceWindowEndTime !== undefined
      ? { start: new Date(status.preMaintenanceWindowStartTime), end: new Date(status.preMaintenanceWindowEndTime) }
      : undefined;
  const scheduledWindow =
    status?.maintenanceWindowStartTime !== undefined && status.maintenanceWindowEndTime !== undefined
      ? { start: new Date(status.maintenanceWindowStartTime), end: new Date(status.maintenanceWindowEndTime) }
      : undefined;
  const selfServiceAllowed = status?.isCustomerInitiatedMaintenanceAllowed === true;
  let phase: MaintenanceStatus["phase"];
  if (selfServiceWindow === undefined && scheduledWindow === undefined) {
    phase = lastResultCode === "MaintenanceCompleted" ? "completed" : lastResultCode === "MaintenanceAborted" ? "aborted" : "none";
  } else if (selfServiceAllowed) {
    phase = "selfServiceOpen";
  } else if (selfServiceWindow !== undefined && now < selfServiceWindow.start) {
    phase = "selfServiceNotYetOpen";
  } else if (selfServiceWindow !== undefined && now < selfServiceWindow.end) {
    phase = lastResultCode === "RetryLater" ? "retryLater" : "inProgress";
  } else {
    phase = scheduledWindow !== undefined && now >= scheduledWindow.start ? "platformMaintenance" : "awaitingPlatform";
  }
  return { phase, selfServiceAllowed, selfServiceWindow, scheduledWindow, lastResultCode, lastMessage: status?.lastOperationMessage };
}
