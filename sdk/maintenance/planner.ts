import { ResourceNotFoundError, ValidationError } from "../errors.js";
import { sameResourceId } from "../model/armId.js";
import type { MaintenanceInventory, MaintenanceVm } from "../model/maintenanceInventory.js";
import {
  maintenancePlanInputSchema,
  type MaintenanceExclusion,
  type MaintenancePlan,
  type MaintenancePlanInput,
  type MaintenancePlanSettings,
  type MaintenancePlanStep,
  type PlannedVm,
} from "../model/maintenancePlan.js";
import { validate } from "../model/validate.js";
import { decide, fitsWindow, tooLateDetail } from "./eligibility.js";
import { gapBetween } from "./pacing.js";

type PlanOptions = ReturnType<typeof maintenancePlanInputSchema.parse>;

/** A VM as a plan names it. */
export function plannedVm(vm: MaintenanceVm): PlannedVm {
  return {
    id: vm.id,
    name: vm.name,
    resourceGroup: vm.resourceGroup,
    ...(vm.availabilitySetId === undefined
      ? {}
      : { availabilitySetId: vm.availabilitySetId, availabilitySetName: vm.availabilitySetName, updateDomain: vm.updateDomain ?? 0 }),
    ...(vm.maintenance.selfServiceWindow === undefined ? {} : { selfServiceWindow: vm.maintenance.selfServiceWindow }),
  };
}

/** Whether a selector (see `maintenanceSelectorSchema`) names the VM. */
function selects(selector: string, vm: MaintenanceVm): boolean {
  if (selector.startsWith("tag:")) {
    const [name = "", ...value] = selector.slice("tag:".length).split("=");
    const key = Object.keys(vm.tags).find((k) => k.toLowerCase() === name.toLowerCase());
    return key !== undefined && vm.tags[key] === value.join("=");
  }
  const wanted = selector.toLowerCase();
  if (selector.includes("/")) return vm.id.toLowerCase() === wanted || vm.availabilitySetId?.toLowerCase() === wanted;
  return vm.name.toLowerCase() === wanted || vm.availabilitySetName?.toLowerCase() === wanted;
}

/** The VMs the input names, in the inventory's order. */
function targetsOf(inventory: MaintenanceInventory, options: PlanOptions): MaintenanceVm[] {
  const chosen = new Set<MaintenanceVm>();
  for (const id of options.virtualMachineIds ?? []) {
    const vm = inventory.vms.find((v) => sameResourceId(v.id, id));
    if (vm === undefined) throw new ResourceNotFoundError(`Virtual machine ${id} was not found.`, { resourceId: id });
    chosen.add(vm);
  }
  for (const id of options.availabilitySetIds ?? []) {
    if (!inventory.sets.some((set) => sameResourceId(set.id, id))) throw new ResourceNotFoundError(`Availability set ${id} was not found.`, { resourceId: id });
    for (const vm of inventory.vms) if (vm.availabilitySetId !== undefined && sameResourceId(vm.availabilitySetId, id)) chosen.add(vm);
  }
  if (options.resourceGroup !== undefined) {
    for (const vm of inventory.vms) if (vm.resourceGroup.toLowerCase() === options.resourceGroup.toLowerCase()) chosen.add(vm);
  }
  return inventory.vms.filter((vm) => chosen.has(vm));
}

/** Checks that every selector of the order and the exclusions names at least one target (a typo would otherwise change the plan silently). */
function checkSelectors(targets: MaintenanceVm[], options: PlanOptions): void {
  const check = (selector: string, field: string): void => {
    if (!targets.some((vm) => selects(selector, vm)))
      throw new ValidationError(field, `'${selector}' names no VM or availability set among the VMs to maintain`);
  };
  options.exclude.forEach((selector, i) => check(selector, `exclude[${i}]`));
  if (options.order === "updateDomain") return;
  options.order.forEach((tier, i) =>
    typeof tier === "string" ? check(tier, `order[${i}]`) : tier.forEach((selector, j) => check(selector, `order[${i}][${j}]`)),
  );
}

/** Set VMs by update domain, then set and name; single-instance VMs last, by name. */
function byUpdateDomain(a: MaintenanceVm, b: MaintenanceVm): number {
  if (a.singleInstance !== b.singleInstance) return a.singleInstance ? 1 : -1;
  return (
    (a.updateDomain ?? 0) - (b.updateDomain ?? 0) ||
    (a.availabilitySetName ?? "").localeCompare(b.availabilitySetName ?? "") ||
    (a.availabilitySetId ?? "").localeCompare(b.availabilitySetId ?? "") ||
    a.name.localeCompare(b.name)
  );
}

/** A tier's VMs as groups started together: one VM each, or with `updateDomain` batches one update domain (of every set of the tier) each. */
function groupsOf(tier: MaintenanceVm[], batch: PlanOptions["batch"]): MaintenanceVm[][] {
  const sorted = [...tier].sort(byUpdateDomain);
  if (batch === "vm") return sorted.map((vm) => [vm]);
  const groups: MaintenanceVm[][] = [];
  for (const vm of sorted) {
    const last = groups.at(-1);
    const joins =
      !vm.singleInstance && last !== undefined && !(last[0] as MaintenanceVm).singleInstance && (last[0] as MaintenanceVm).updateDomain === vm.updateDomain;
    if (joins) last.push(vm);
    else groups.push([vm]);
  }
  return groups;
}

/**
 * Plans owner-started maintenance (DOMAIN.md §1-2) from an inventory, without reading or changing
 * anything: only VMs Azure lets the owner start now and whose self-service window still holds
 * their whole turn; in the owner's order (by update domain unless told otherwise), paced by the
 * gaps; never two update domains of one set in one step, and nothing of a set while Azure (or
 * someone else) maintains another of its update domains. A maintenance already under way among
 * the targets (e.g. started by a run that stopped) is followed first, in `await` steps. Every
 * target left out is listed with its reason.
 * @throws ValidationError (`ValidationFailed`): bad input, or a selector that names none of the targets.
 * @throws ResourceNotFoundError (`ResourceNotFound`): a VM or availability set of the input is not in the inventory.
 */
export function planMaintenance(inventory: MaintenanceInventory, input: MaintenancePlanInput): MaintenancePlan {
  const options = validate(maintenancePlanInputSchema, input, "");
  const now = inventory.readAt;
  const settings: MaintenancePlanSettings = {
    batch: options.batch,
    gapBetweenVmsMs: options.gapBetweenVmsMs,
    gapBetweenUpdateDomainsMs: options.gapBetweenUpdateDomainsMs,
    expectedDurationMs: options.expectedDurationMs,
  };
  const targets = targetsOf(inventory, options);
  checkSelectors(targets, options);
  const excluded: MaintenanceExclusion[] = [];
  const leave = (vm: MaintenanceVm, reason: MaintenanceExclusion["reason"], detail: string): void => void excluded.push({ vm: plannedVm(vm), reason, detail });

  const awaiting: MaintenanceVm[] = [];
  let candidates: MaintenanceVm[] = [];
  for (const vm of targets) {
    const exclusion = options.exclude.find((selector) => selects(selector, vm));
    const decision = decide(vm.maintenance);
    if (exclusion !== undefined) leave(vm, "excludedByUser", `excluded by '${exclusion}'`);
    else if (decision.kind === "leave") leave(vm, decision.reason, decision.detail);
    else if (decision.kind === "await") awaiting.push(vm);
    else candidates.push(vm);
  }

  // In maintenance while the plan runs, and not followed by it: Azure's scheduled maintenance, or an owner's outside the targets.
  const busy = inventory.vms.filter(
    (vm) =>
      vm.availabilitySetId !== undefined &&
      (vm.maintenance.phase === "platformMaintenance" || (vm.maintenance.phase === "inProgress" && !awaiting.includes(vm))),
  );
  candidates = candidates.filter((vm) => {
    const other = busy.find(
      (b) => vm.availabilitySetId !== undefined && sameResourceId(b.availabilitySetId ?? "", vm.availabilitySetId) && b.updateDomain !== vm.updateDomain,
    );
    if (other === undefined) return true;
    leave(
      vm,
      "oneDomainRule",
      `VM ${other.name} of availability set ${vm.availabilitySetName ?? ""} is in maintenance in update domain ${other.updateDomain ?? 0} (${other.maintenance.phase}); starting ${vm.name} (update domain ${vm.updateDomain ?? 0}) would take two update domains down at once`,
    );
    return false;
  });

  const tiers: MaintenanceVm[][] = [];
  if (options.order === "updateDomain") tiers.push(candidates);
  else {
    const left = new Set(candidates);
    for (const entry of options.order) {
      const selectors = typeof entry === "string" ? [entry] : entry;
      const tier = candidates.filter((vm) => left.has(vm) && selectors.some((selector) => selects(selector, vm)));
      for (const vm of tier) left.delete(vm);
      tiers.push(tier);
    }
    for (const vm of left) leave(vm, "notInOrder", "the order given does not name it");
  }

  const steps: MaintenancePlanStep[] = [];
  let previous: PlannedVm[] | undefined;
  let at = now.getTime();
  const duration = settings.expectedDurationMs;
  // Maintenance already under way is followed first, one update domain of a set per step; following needs no gap.
  for (const group of groupsOf(awaiting, "updateDomain")) {
    previous = group.map(plannedVm);
    steps.push({
      index: steps.length + 1,
      action: "await",
      tier: 0,
      vms: previous,
      gapBeforeMs: 0,
      gapKind: "none",
      estimatedStart: new Date(at),
      estimatedEnd: new Date(at + duration),
    });
    at += duration;
  }
  tiers.forEach((tier, tierIndex) => {
    for (const group of groupsOf(tier, settings.batch)) {
      let members = group;
      let gap = gapBetween(previous, members.map(plannedVm), settings);
      // Dropping a VM can change the gap (and so the start), which can drop another: settle.
      for (;;) {
        const start = new Date(at + gap.ms);
        const fitting = members.filter((vm) => fitsWindow(vm.maintenance.selfServiceWindow, start, duration));
        const nextGap = gapBetween(previous, fitting.map(plannedVm), settings);
        if (fitting.length === members.length && nextGap.ms === gap.ms) break;
        for (const vm of members)
          if (!fitting.includes(vm)) leave(vm, "windowClosesBeforeTurn", tooLateDetail(vm.maintenance.selfServiceWindow, start, duration));
        members = fitting;
        gap = nextGap;
      }
      if (members.length === 0) continue;
      const vms = members.map(plannedVm);
      const start = at + gap.ms;
      steps.push({
        index: steps.length + 1,
        action: "perform",
        tier: tierIndex,
        vms,
        gapBeforeMs: gap.ms,
        gapKind: gap.kind,
        estimatedStart: new Date(start),
        estimatedEnd: new Date(start + duration),
      });
      previous = vms;
      at = start + duration;
    }
  });

  const order = new Map(inventory.vms.map((vm, i) => [vm.id.toLowerCase(), i]));
  excluded.sort((a, b) => (order.get(a.vm.id.toLowerCase()) ?? 0) - (order.get(b.vm.id.toLowerCase()) ?? 0));
  return { kind: "azure-dr/maintenance-plan", createdAt: now, settings, steps, excluded, estimatedEnd: new Date(at) };
}
