import type { ComputeGateway } from "../azure/computeGateway.js";
import type { Clock } from "../clock.js";
import { parseResourceId, sameResourceId } from "../model/armId.js";
import type { AvailabilitySet } from "../model/availabilitySet.js";
import type { MaintenanceInventory, MaintenanceSetGroup, MaintenanceVm } from "../model/maintenanceInventory.js";
import { availabilitySetNameSchema } from "../model/names.js";

/** Where discovery reads: resource groups (the whole subscription when undefined), optionally narrowed to one availability set. */
export interface DiscoveryScope {
  resourceGroups: string[] | undefined;
  availabilitySetId: string | undefined;
}

const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);

/**
 * Reads the planned-maintenance status of every VM in a scope (one paged list with instance views
 * per resource group, and its availability sets) and groups it by availability set and update
 * domain; VMs in no set are listed apart, flagged single-instance.
 * @throws ResourceNotFoundError when the availability set of the scope does not exist; the gateway's errors.
 */
export async function discoverMaintenance(compute: ComputeGateway, clock: Clock, scope: DiscoveryScope): Promise<MaintenanceInventory> {
  const readAt = clock.now();
  const sets: AvailabilitySet[] = [];
  const vms: MaintenanceVm[] = [];
  const setRef = scope.availabilitySetId === undefined ? undefined : parseResourceId(scope.availabilitySetId, { nameSchema: availabilitySetNameSchema });
  const groups = setRef !== undefined ? [setRef.resourceGroup] : (scope.resourceGroups ?? [undefined]);
  for (const group of groups) {
    if (setRef !== undefined) sets.push(await compute.getAvailabilitySet(setRef.resourceGroup, setRef.name));
    else for await (const set of compute.listAvailabilitySets(group)) sets.push(set);
    for await (const { vm, status } of compute.listVirtualMachinesWithStatus(group)) {
      if (setRef !== undefined && (vm.availabilitySetId === undefined || !sameResourceId(vm.availabilitySetId, scope.availabilitySetId ?? ""))) continue;
      const set = vm.availabilitySetId === undefined ? undefined : sets.find((s) => sameResourceId(s.id, vm.availabilitySetId ?? ""));
      vms.push({
        id: vm.id,
        name: vm.name,
        resourceGroup: vm.resourceGroup,
        location: vm.location,
        availabilitySetId: set?.id ?? vm.availabilitySetId,
        availabilitySetName: set?.name ?? (vm.availabilitySetId === undefined ? undefined : parseResourceId(vm.availabilitySetId).name),
        updateDomain: status.updateDomain,
        faultDomain: status.faultDomain,
        singleInstance: vm.availabilitySetId === undefined,
        powerState: status.powerState,
        provisioningState: status.provisioningState,
        tags: vm.tags,
        maintenance: status.maintenance,
      });
    }
  }
  vms.sort((a, b) => a.resourceGroup.localeCompare(b.resourceGroup) || byName(a, b));
  return {
    readAt,
    scope: {
      ...(scope.availabilitySetId === undefined ? {} : { availabilitySetId: scope.availabilitySetId }),
      ...(scope.resourceGroups?.length === 1 && setRef === undefined ? { resourceGroup: scope.resourceGroups[0] as string } : {}),
    },
    sets: groupBySet(sets, vms),
    singleInstanceVms: vms.filter((vm) => vm.singleInstance).sort(byName),
    vms,
  };
}

/** The sets (those read, and any a VM names that was not) with their VMs by update domain. */
function groupBySet(sets: AvailabilitySet[], vms: MaintenanceVm[]): MaintenanceSetGroup[] {
  const groups = new Map<string, MaintenanceSetGroup>();
  for (const set of sets) {
    groups.set(set.id.toLowerCase(), {
      id: set.id,
      name: set.name,
      resourceGroup: set.resourceGroup,
      updateDomainCount: set.updateDomainCount,
      faultDomainCount: set.faultDomainCount,
      updateDomains: [],
    });
  }
  for (const vm of vms) {
    if (vm.availabilitySetId === undefined) continue;
    const key = vm.availabilitySetId.toLowerCase();
    const group = groups.get(key) ?? {
      id: vm.availabilitySetId,
      name: vm.availabilitySetName ?? "",
      resourceGroup: vm.resourceGroup,
      updateDomainCount: undefined,
      faultDomainCount: undefined,
      updateDomains: [],
    };
    groups.set(key, group);
    const ud = vm.updateDomain ?? 0;
    const domain = group.updateDomains.find((d) => d.updateDomain === ud);
    if (domain === undefined) group.updateDomains.push({ updateDomain: ud, vms: [vm] });
    else domain.vms.push(vm);
  }
  const out = [...groups.values()].sort((a, b) => a.resourceGroup.localeCompare(b.resourceGroup) || byName(a, b));
  for (const group of out) {
    group.updateDomains.sort((a, b) => a.updateDomain - b.updateDomain);
    for (const domain of group.updateDomains) domain.vms.sort(byName);
  }
  return out;
}
