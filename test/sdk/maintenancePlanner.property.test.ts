import test from "ava";
import fc from "fast-check";
import {
  FAKE_SUBSCRIPTION_ID,
  maintenancePlanSchema,
  planMaintenance,
  type MaintenanceInventory,
  type MaintenancePhase,
  type MaintenancePlan,
  type MaintenancePlanInput,
  type MaintenanceStatus,
  type MaintenanceVm,
} from "../../sdk/index.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse("2026-03-02T08:00:00Z");
const id = (type: string, name: string): string => `/subscriptions/${FAKE_SUBSCRIPTION_ID}/resourceGroups/rg/providers/Microsoft.Compute/${type}/${name}`;

/** A status consistent with its phase, with windows placed around now accordingly. */
const statusArb: fc.Arbitrary<MaintenanceStatus> = fc
  .record({
    phase: fc.oneof(
      { weight: 6, arbitrary: fc.constant<MaintenancePhase>("selfServiceOpen") },
      {
        weight: 4,
        arbitrary: fc.constantFrom<MaintenancePhase>(
          "none",
          "selfServiceNotYetOpen",
          "inProgress",
          "retryLater",
          "awaitingPlatform",
          "platformMaintenance",
          "completed",
          "aborted",
        ),
      },
    ),
    before: fc.integer({ min: 0, max: 10 * DAY }),
    after: fc.integer({ min: 1, max: 10 * DAY }),
  })
  .map(({ phase, before, after }) => {
    const window = (start: number, end: number): { start: Date; end: Date } => ({ start: new Date(start), end: new Date(end) });
    const open = window(NOW - before, NOW + after);
    const scheduled = (from: number): { start: Date; end: Date } => window(from, from + DAY);
    const base = { phase, selfServiceAllowed: phase === "selfServiceOpen", lastMessage: undefined };
    switch (phase) {
      case "selfServiceOpen":
      case "inProgress":
        return { ...base, selfServiceWindow: open, scheduledWindow: scheduled(open.end.getTime()), lastResultCode: "None" };
      case "retryLater":
        return { ...base, selfServiceWindow: open, scheduledWindow: scheduled(open.end.getTime()), lastResultCode: "RetryLater", lastMessage: "retry later" };
      case "selfServiceNotYetOpen":
        return { ...base, selfServiceWindow: window(NOW + after, NOW + after + DAY), scheduledWindow: scheduled(NOW + after + DAY), lastResultCode: "None" };
      case "awaitingPlatform":
        return { ...base, selfServiceWindow: window(NOW - before - DAY, NOW - before), scheduledWindow: scheduled(NOW + after), lastResultCode: "None" };
      case "platformMaintenance":
        return { ...base, selfServiceWindow: window(NOW - before - DAY, NOW - before), scheduledWindow: scheduled(NOW - before), lastResultCode: "None" };
      case "completed":
        return { ...base, selfServiceWindow: undefined, scheduledWindow: undefined, lastResultCode: "MaintenanceCompleted" };
      case "aborted":
        return { ...base, selfServiceWindow: undefined, scheduledWindow: undefined, lastResultCode: "MaintenanceAborted", lastMessage: "host failed" };
      default:
        return { ...base, selfServiceWindow: undefined, scheduledWindow: undefined, lastResultCode: "None" };
    }
  });

function vmOf(name: string, status: MaintenanceStatus, set: { name: string; ud: number } | undefined): MaintenanceVm {
  return {
    id: id("virtualMachines", name),
    name,
    resourceGroup: "rg",
    location: "westeurope",
    availabilitySetId: set === undefined ? undefined : id("availabilitySets", set.name),
    availabilitySetName: set?.name,
    updateDomain: set?.ud ?? 0,
    faultDomain: 0,
    singleInstance: set === undefined,
    powerState: "running",
    provisioningState: "Succeeded",
    tags: {},
    maintenance: status,
  };
}

/** Random availability sets (1-20 update domains, VMs placed at random), single-instance VMs, statuses and windows. */
const inventoryArb: fc.Arbitrary<MaintenanceInventory> = fc
  .record({
    sets: fc.array(
      fc.integer({ min: 1, max: 20 }).chain((updateDomains) =>
        fc.record({
          updateDomains: fc.constant(updateDomains),
          vms: fc.array(fc.record({ ud: fc.integer({ min: 0, max: updateDomains - 1 }), status: statusArb }), { maxLength: 7 }),
        }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
    lone: fc.array(statusArb, { maxLength: 3 }),
  })
  .map(({ sets, lone }) => {
    const vms = [
      ...sets.flatMap((set, i) => set.vms.map((vm, j) => vmOf(`s${i}-vm${j}`, vm.status, { name: `set-${i}`, ud: vm.ud }))),
      ...lone.map((status, k) => vmOf(`lone-${k}`, status, undefined)),
    ];
    return {
      readAt: new Date(NOW),
      scope: { resourceGroup: "rg" },
      sets: sets.map((set, i) => ({
        id: id("availabilitySets", `set-${i}`),
        name: `set-${i}`,
        resourceGroup: "rg",
        updateDomainCount: set.updateDomains,
        faultDomainCount: 2,
        updateDomains: [],
      })),
      singleInstanceVms: vms.filter((vm) => vm.singleInstance),
      vms,
    };
  });

/** An inventory and a plan input over it: targets, an order (by update domain, or tiers of names), exclusions, pacing. */
const caseArb = inventoryArb.chain((inventory) => {
  const names = inventory.vms.map((vm) => vm.name);
  return fc
    .record({
      targets: fc.oneof<fc.Arbitrary<{ resourceGroup?: string; virtualMachineIds?: string[]; availabilitySetIds?: string[] }>[]>(
        fc.constant({ resourceGroup: "rg" }),
        fc.record({
          virtualMachineIds: fc.subarray(inventory.vms.map((vm) => vm.id)),
          availabilitySetIds: fc.subarray(inventory.sets.map((set) => set.id)),
        }),
      ),
      orderSeed: fc.option(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: names.length + inventory.sets.length, maxLength: names.length + inventory.sets.length }),
      ),
      shuffle: fc.shuffledSubarray([...names, ...inventory.sets.map((s) => s.name)]),
      excludeCount: fc.integer({ min: 0, max: 2 }),
      batch: fc.constantFrom("vm" as const, "updateDomain" as const),
      gapBetweenVmsMs: fc.integer({ min: 0, max: 2 * HOUR }),
      gapBetweenUpdateDomainsMs: fc.integer({ min: 0, max: 3 * HOUR }),
      expectedDurationMs: fc.integer({ min: MINUTE, max: 6 * HOUR }),
    })
    .map(({ targets, orderSeed, shuffle, excludeCount, ...pacing }) => {
      const input: MaintenancePlanInput = { ...targets, ...pacing };
      const chosen = inventory.vms.filter(
        (vm) =>
          "resourceGroup" in targets ||
          targets.virtualMachineIds?.includes(vm.id) === true ||
          (vm.availabilitySetId !== undefined && targets.availabilitySetIds?.includes(vm.availabilitySetId) === true),
      );
      if (chosen.length === 0) return { inventory, input: { resourceGroup: "rg", ...pacing } satisfies MaintenancePlanInput };
      // Selectors only ever name targets (a selector naming nothing is refused, see the scenario tests).
      const named = shuffle.filter((name) => chosen.some((vm) => vm.name === name || vm.availabilitySetName === name));
      input.exclude = named.slice(0, excludeCount);
      const ordered = named.slice(excludeCount);
      if (orderSeed !== null && ordered.length > 0) {
        const tiers: string[][] = [];
        ordered.forEach((name, i) => (i === 0 || (orderSeed[i] ?? 0) === 0 ? tiers.push([name]) : tiers.at(-1)?.push(name)));
        input.order = tiers.map((tier) => (tier.length === 1 ? (tier[0] as string) : tier));
      }
      return { inventory, input };
    });
});

/** The rules a plan must keep; returns what it breaks (nothing, for a good plan). */
function violations(inventory: MaintenanceInventory, input: MaintenancePlanInput, plan: MaintenancePlan): string[] {
  const out: string[] = [];
  const vm = (vmId: string): MaintenanceVm => inventory.vms.find((v) => v.id === vmId) as MaintenanceVm;
  const awaited = new Set(plan.steps.filter((s) => s.action === "await").flatMap((s) => s.vms.map((v) => v.id)));
  const busy = inventory.vms.filter((v) => v.maintenance.phase === "platformMaintenance" || (v.maintenance.phase === "inProgress" && !awaited.has(v.id)));
  const duration = plan.settings.expectedDurationMs;
  let previousEnd = plan.createdAt.getTime();
  for (const step of plan.steps) {
    const domains = new Map<string, Set<number>>();
    for (const planned of step.vms) {
      const v = vm(planned.id);
      if (v.availabilitySetId !== undefined) domains.set(v.availabilitySetId, new Set([...(domains.get(v.availabilitySetId) ?? []), v.updateDomain ?? 0]));
      if (step.action === "await") {
        if (v.maintenance.phase !== "inProgress") out.push(`step ${step.index} awaits ${v.name}, which is ${v.maintenance.phase}`);
        continue;
      }
      // One update domain per set in maintenance at once: this step's, and what Azure or someone else has under way.
      for (const other of busy)
        if (other.availabilitySetId !== undefined && other.availabilitySetId === v.availabilitySetId && other.updateDomain !== v.updateDomain)
          out.push(`step ${step.index} starts ${v.name} (UD ${v.updateDomain}) while ${other.name} (UD ${other.updateDomain}) is in maintenance`);
      // Never outside the window: startable now, and the whole turn inside the self-service window.
      const window = v.maintenance.selfServiceWindow;
      if (!v.maintenance.selfServiceAllowed || v.maintenance.phase !== "selfServiceOpen")
        out.push(`step ${step.index} starts ${v.name}, which is ${v.maintenance.phase}`);
      if (window === undefined || step.estimatedStart < window.start || step.estimatedStart.getTime() + duration > window.end.getTime())
        out.push(`step ${step.index} schedules ${v.name} outside its window`);
    }
    for (const [set, uds] of domains) if (uds.size > 1) out.push(`step ${step.index} takes update domains ${[...uds].join(", ")} of ${set} down at once`);
    if (step.estimatedStart.getTime() < previousEnd) out.push(`step ${step.index} starts before the previous one ends`);
    if (step.estimatedEnd.getTime() - step.estimatedStart.getTime() !== duration) out.push(`step ${step.index} does not last the expected duration`);
    previousEnd = step.estimatedEnd.getTime();
  }
  // Every VM it leaves out is explained; every target is accounted for exactly once; nothing else appears.
  const targets = planMaintenanceTargets(inventory, input);
  const seen = [...plan.steps.flatMap((s) => s.vms.map((v) => v.id)), ...plan.excluded.map((e) => e.vm.id)];
  for (const target of targets)
    if (seen.filter((s) => s === target.id).length !== 1) out.push(`${target.name} appears ${seen.filter((s) => s === target.id).length} times`);
  for (const s of seen) if (!targets.some((target) => target.id === s)) out.push(`${s} is not a target`);
  for (const exclusion of plan.excluded) {
    const v = vm(exclusion.vm.id);
    if (exclusion.detail.trim() === "") out.push(`${v.name} is left out without a word`);
    const expected: Partial<Record<MaintenancePhase, string>> = {
      none: "noMaintenance",
      selfServiceNotYetOpen: "windowNotYetOpen",
      awaitingPlatform: "windowClosed",
      platformMaintenance: "windowClosed",
      completed: "alreadyDone",
      aborted: "excludedAfterFailure",
      retryLater: "retryLater",
    };
    const byPhase = expected[v.maintenance.phase];
    const byOwner = exclusion.reason === "excludedByUser" || exclusion.reason === "notInOrder";
    if (byPhase !== undefined && exclusion.reason !== byPhase && !byOwner) out.push(`${v.name} (${v.maintenance.phase}) left out as ${exclusion.reason}`);
    if (byPhase === undefined && !byOwner && !["windowClosesBeforeTurn", "oneDomainRule"].includes(exclusion.reason))
      out.push(`${v.name} (${v.maintenance.phase}) left out as ${exclusion.reason}`);
    if (exclusion.reason === "oneDomainRule" && !busy.some((b) => b.availabilitySetId === v.availabilitySetId && b.updateDomain !== v.updateDomain))
      out.push(`${v.name} left out for the one-domain rule with no other update domain in maintenance`);
    if (exclusion.reason === "windowClosesBeforeTurn" && v.maintenance.phase !== "selfServiceOpen")
      out.push(`${v.name} left out for its window while ${v.maintenance.phase}`);
  }
  return out;
}

function planMaintenanceTargets(inventory: MaintenanceInventory, input: MaintenancePlanInput): MaintenanceVm[] {
  return inventory.vms.filter(
    (vm) =>
      input.resourceGroup === "rg" ||
      input.virtualMachineIds?.includes(vm.id) === true ||
      (vm.availabilitySetId !== undefined && input.availabilitySetIds?.includes(vm.availabilitySetId) === true),
  );
}

test("for random sets, update-domain layouts, windows and orders, no plan takes two update domains of a set down at once, schedules a VM outside its window, or leaves a VM out unexplained", (t) => {
  let substantial = 0;
  fc.assert(
    fc.property(caseArb, ({ inventory, input }) => {
      const plan = planMaintenance(inventory, input);
      const broken = violations(inventory, input, plan);
      if (broken.length > 0) throw new Error(broken.join("\n"));
      // The plan is a document a run accepts as it is, after JSON too.
      maintenancePlanSchema.parse(JSON.parse(JSON.stringify(plan)));
      if (plan.steps.filter((s) => s.action === "perform").length >= 2 && plan.excluded.length >= 1) substantial++;
    }),
    { numRuns: 400, seed: 20260302 },
  );
  t.true(substantial > 100, `the generator produced ${substantial} plans with several steps and exclusions`);
});

test("the rules the property checks catch a plan that breaks them", (t) => {
  const open: MaintenanceStatus = {
    phase: "selfServiceOpen",
    selfServiceAllowed: true,
    selfServiceWindow: { start: new Date(NOW - DAY), end: new Date(NOW + 2 * HOUR) },
    scheduledWindow: { start: new Date(NOW + 2 * HOUR), end: new Date(NOW + DAY) },
    lastResultCode: "None",
    lastMessage: undefined,
  };
  const a = vmOf("a", open, { name: "set-0", ud: 0 });
  const b = vmOf("b", open, { name: "set-0", ud: 1 });
  const c = vmOf(
    "c",
    { ...open, phase: "completed", selfServiceAllowed: false, selfServiceWindow: undefined, lastResultCode: "MaintenanceCompleted" },
    undefined,
  );
  const inventory: MaintenanceInventory = { readAt: new Date(NOW), scope: {}, sets: [], singleInstanceVms: [c], vms: [a, b, c] };
  const input: MaintenancePlanInput = { resourceGroup: "rg" };
  const good = planMaintenance(inventory, { ...input, expectedDurationMs: 30 * MINUTE });
  t.deepEqual(violations(inventory, input, good), []);
  const [first, second] = good.steps;
  if (first === undefined || second === undefined) return t.fail("two steps expected");
  const together = { ...good, steps: [{ ...first, vms: [...first.vms, ...second.vms] }] };
  t.true(violations(inventory, input, together).some((v) => /takes update domains 0, 1 of .* down at once/.test(v)));
  const late = { ...good, steps: [first, { ...second, estimatedStart: new Date(NOW + 3 * HOUR), estimatedEnd: new Date(NOW + 3 * HOUR + 30 * MINUTE) }] };
  t.true(violations(inventory, input, late).some((v) => /schedules b outside its window/.test(v)));
  const silent = { ...good, excluded: [] };
  t.true(violations(inventory, input, silent).some((v) => /c appears 0 times/.test(v)));
  const done = { ...good, steps: [...good.steps, { ...second, index: 3, vms: [{ ...second.vms[0], id: c.id, name: "c" } as (typeof second.vms)[0]] }] };
  t.true(violations(inventory, input, done).some((v) => /starts c, which is completed/.test(v)));
});
