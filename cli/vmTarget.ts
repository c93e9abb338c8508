import { ValidationError, isValidationError, type DrClient, type HyperVProtectedVm, type ProtectedVm, type VaultRef } from "../sdk/index.js";
import { duration } from "./drillOutput.js";

/** The protected VM a `--vm` flag names: an Azure-to-Azure one or a Hyper-V one. */
export type VmTarget = { kind: "a2a"; vm: ProtectedVm } | { kind: "hyperV"; vm: HyperVProtectedVm };

/**
 * Finds the protected VM a `--vm` flag names: a replicated item id, or a VM name in the vault
 * (Azure-to-Azure VMs by their item name, Hyper-V VMs by their item or on-premises name).
 * @throws ValidationError (`ValidationFailed`, field `vm`) when none matches; ResourceNotFoundError for an unknown id.
 */
export async function findVmTarget(dr: DrClient, vault: VaultRef, nameOrId: string): Promise<VmTarget> {
  if (nameOrId.includes("/")) {
    try {
      return { kind: "hyperV", vm: await dr.hyperV.get(nameOrId) };
    } catch (error) {
      // Not a Hyper-V item: an Azure-to-Azure one (or a bad id, which that call reports).
      if (!isValidationError(error) || error.field !== "protectedVmId") throw error;
      return { kind: "a2a", vm: await dr.protectedVms.get(nameOrId) };
    }
  }
  const wanted = nameOrId.toLowerCase();
  for await (const vm of dr.protectedVms.list(vault)) if (vm.name.toLowerCase() === wanted) return { kind: "a2a", vm };
  for await (const vm of dr.hyperV.list(vault)) if (vm.name.toLowerCase() === wanted || vm.vmName.toLowerCase() === wanted) return { kind: "hyperV", vm };
  throw new ValidationError("vm", `no protected VM named '${nameOrId}' in vault ${vault.name}`);
}

/** Where a Hyper-V VM runs now. */
function hyperVRunsIn(vm: HyperVProtectedVm): string {
  return vm.activeLocation === "Recovery" ? "Azure" : "on-premises";
}

/** One line about a Hyper-V VM. */
export function hyperVLine(vm: HyperVProtectedVm): string {
  return `${vm.vmName}: ${vm.phase} (${vm.protectionStateDescription}), runs ${hyperVRunsIn(vm) === "Azure" ? `in Azure as ${vm.targetVmName}` : "on-premises"}\n`;
}

/** A row of the status table for a Hyper-V VM. */
export function hyperVRow(vm: HyperVProtectedVm): string {
  return [
    vm.vmName.padEnd(16),
    vm.phase.padEnd(18),
    vm.replicationHealth.padEnd(8),
    `RPO ${duration(vm.rpoSeconds)}`.padEnd(14),
    "on-premises -> Azure".padEnd(28),
    `runs ${hyperVRunsIn(vm) === "Azure" ? "in Azure" : "on-premises"}`,
  ].join(" ");
}
