import type { MaintenancePlanSettings } from "../model/maintenancePlan.js";

/** What pacing needs to know of a VM: its availability set and update domain (none for a single-instance VM). */
export interface DomainMember {
  availabilitySetId?: string | undefined;
  updateDomain?: number | undefined;
}

/** The gap before a step, and why. */
export interface Gap {
  ms: number;
  kind: "none" | "betweenVms" | "betweenUpdateDomains";
}

/** The (availability set, update domain) pairs a group of VMs takes down; single-instance VMs belong to none. */
export function domainsOf(vms: readonly DomainMember[]): Set<string> {
  const keys = new Set<string>();
  for (const vm of vms) if (vm.availabilitySetId !== undefined) keys.add(`${vm.availabilitySetId.toLowerCase()}#${vm.updateDomain ?? 0}`);
  return keys;
}

/**
 * The owner's pace between two steps: the gap between update domains when the next step takes down
 * an update domain the previous one did not (so a set's domain has time to recover before the next
 * goes down), otherwise the gap between VMs; nothing before the first step.
 */
export function gapBetween(previous: readonly DomainMember[] | undefined, next: readonly DomainMember[], settings: MaintenancePlanSettings): Gap {
  if (previous === undefined) return { ms: 0, kind: "none" };
  const before = domainsOf(previous);
  const after = domainsOf(next);
  const newDomain = before.size > 0 && [...after].some((key) => !before.has(key));
  return newDomain ? { ms: settings.gapBetweenUpdateDomainsMs, kind: "betweenUpdateDomains" } : { ms: settings.gapBetweenVmsMs, kind: "betweenVms" };
}
