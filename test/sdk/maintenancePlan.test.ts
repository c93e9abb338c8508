import test from "ava";
import { ResourceNotFoundError, ValidationError, type DrClient, type FakeBackend, type MaintenancePlan } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { computeId, vmInput } from "../helpers/fixtures.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Availability sets (`web-as` holds web-0, web-1...) and single-instance VMs in app-rg; the VMs' ids by name. */
async function estate(dr: DrClient, sets: Record<string, { updateDomains: number; vms: number; tags?: Record<string, string> }>, lone: string[] = []) {
  const ids: Record<string, string> = {};
  for (const [setName, layout] of Object.entries(sets)) {
    const set = await dr.availabilitySets.createOrUpdate("app-rg", setName, {
      location: "westeurope",
      faultDomainCount: 2,
      updateDomainCount: layout.updateDomains,
    });
    for (let i = 0; i < layout.vms; i++) {
      const name = `${setName.replace(/-as$/, "")}-${i}`;
      ids[name] = (
        await dr.virtualMachines.create("app-rg", name, vmInput("app-rg", name, { availabilitySetId: set.id, ...(layout.tags ? { tags: layout.tags } : {}) }))
      ).id;
    }
  }
  for (const name of lone) ids[name] = (await dr.virtualMachines.create("app-rg", name, vmInput("app-rg", name))).id;
  return ids;
}

/** Announces a wave: self-service from `fromMs` (relative to now) for `lengthMs`, then a day of scheduled window. */
function announce(backend: FakeBackend, vmIds: string[], fromMs = 0, lengthMs = 30 * DAY): void {
  const start = backend.clock.now().getTime() + fromMs;
  backend.emulator.control.scheduleMaintenanceWave({
    virtualMachineIds: vmIds,
    selfServiceWindow: { start: new Date(start).toISOString(), end: new Date(start + lengthMs).toISOString() },
    maintenanceWindow: { start: new Date(start + lengthMs).toISOString(), end: new Date(start + lengthMs + DAY).toISOString() },
  });
}

function stepNames(plan: MaintenancePlan): string[] {
  return plan.steps.map((step) => `${step.action === "await" ? "await " : ""}${step.vms.map((vm) => vm.name).join("+")}`);
}

test("discovery groups VMs by availability set and update domain, flags single-instance VMs, and shows both windows, start-now and the last result", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const ids = await estate(dr, { "web-as": { updateDomains: 2, vms: 3 }, "db-as": { updateDomains: 2, vms: 2 } }, ["jump"]);
  await dr.virtualMachines.create("other-rg", "far", vmInput("other-rg", "far"));
  announce(backend, [ids["web-0"], ids["web-1"], ids["web-2"], ids["jump"]] as string[]);
  announce(backend, [ids["db-0"]] as string[], 2 * DAY, 5 * DAY);
  await dr.maintenance.perform("app-rg", "web-2");

  const inventory = await dr.maintenance.discover({ resourceGroup: "app-rg" });
  t.deepEqual(inventory.scope, { resourceGroup: "app-rg" });
  t.deepEqual(inventory.readAt, dr.clock.now());
  t.deepEqual(
    inventory.sets.map((set) => [set.name, set.updateDomainCount, set.updateDomains.map((d) => `${d.updateDomain}:${d.vms.map((vm) => vm.name).join(",")}`)]),
    [
      ["db-as", 2, ["0:db-0", "1:db-1"]],
      ["web-as", 2, ["0:web-0,web-2", "1:web-1"]],
    ],
  );
  t.deepEqual(
    inventory.singleInstanceVms.map((vm) => [vm.name, vm.singleInstance, vm.availabilitySetId]),
    [["jump", true, undefined]],
  );
  const byName = Object.fromEntries(inventory.vms.map((vm) => [vm.name, vm]));
  t.like(byName["web-0"]?.maintenance, { phase: "selfServiceOpen", selfServiceAllowed: true, lastResultCode: "None" });
  t.truthy(byName["web-0"]?.maintenance.selfServiceWindow);
  t.truthy(byName["web-0"]?.maintenance.scheduledWindow);
  t.like(byName["web-2"]?.maintenance, { phase: "completed", selfServiceAllowed: false, lastResultCode: "MaintenanceCompleted", selfServiceWindow: undefined });
  t.like(byName["db-0"]?.maintenance, { phase: "selfServiceNotYetOpen", selfServiceAllowed: false });
  t.like(byName["db-1"]?.maintenance, { phase: "none" });
  t.false(byName["web-1"]?.singleInstance);
  t.is(byName["web-1"]?.updateDomain, 1);

  const oneSet = await dr.maintenance.discover({ availabilitySetId: computeId("app-rg", "availabilitySets", "db-as") });
  t.deepEqual(
    oneSet.vms.map((vm) => vm.name),
    ["db-0", "db-1"],
  );
  t.deepEqual(
    oneSet.sets.map((set) => set.name),
    ["db-as"],
  );
  const everywhere = await dr.maintenance.discover();
  t.deepEqual(everywhere.scope, {});
  t.true(everywhere.vms.some((vm) => vm.name === "far"));

  const before = backend.emulator.requestCount;
  await t.throwsAsync(dr.maintenance.discover({ resourceGroup: "app-rg", availabilitySetId: computeId("app-rg", "availabilitySets", "db-as") }), {
    instanceOf: ValidationError,
    message: /scope\.availabilitySetId: give a resource group or an availability set, not both/,
  });
  await t.throwsAsync(dr.maintenance.discover({ resourceGroup: "bad/name" }), { instanceOf: ValidationError, message: /scope\.resourceGroup/ });
  t.is(backend.emulator.requestCount, before, "nothing was sent for bad input");
  await t.throwsAsync(dr.maintenance.discover({ availabilitySetId: computeId("app-rg", "availabilitySets", "ghost-as") }), {
    instanceOf: ResourceNotFoundError,
  });
});

test("by default a plan goes update domain by update domain, one VM per step, with the gaps between VMs and between update domains", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const ids = await estate(dr, { "web-as": { updateDomains: 3, vms: 5 } }, ["jump"]);
  announce(backend, Object.values(ids));
  const plan = await dr.maintenance.plan({
    resourceGroup: "app-rg",
    gapBetweenVmsMs: 5 * MINUTE,
    gapBetweenUpdateDomainsMs: 45 * MINUTE,
    expectedDurationMs: 20 * MINUTE,
  });
  t.deepEqual(stepNames(plan), ["web-0", "web-3", "web-1", "web-4", "web-2", "jump"]);
  t.deepEqual(
    plan.steps.map((s) => [s.gapKind, s.gapBeforeMs / MINUTE]),
    [
      ["none", 0],
      ["betweenVms", 5],
      ["betweenUpdateDomains", 45],
      ["betweenVms", 5],
      ["betweenUpdateDomains", 45],
      ["betweenVms", 5],
    ],
  );
  const start = plan.createdAt.getTime();
  t.deepEqual(
    plan.steps.map((s) => (s.estimatedStart.getTime() - start) / MINUTE),
    [0, 25, 90, 115, 180, 205],
  );
  t.deepEqual(plan.estimatedEnd.getTime() - start, 225 * MINUTE);
  t.deepEqual(plan.steps[0]?.vms[0], {
    id: ids["web-0"],
    name: "web-0",
    resourceGroup: "app-rg",
    availabilitySetId: computeId("app-rg", "availabilitySets", "web-as"),
    availabilitySetName: "web-as",
    updateDomain: 0,
    selfServiceWindow: plan.steps[0]?.vms[0]?.selfServiceWindow,
  });
  t.is(plan.steps[5]?.vms[0]?.updateDomain, undefined, "a single-instance VM has no update domain in the plan");
  t.deepEqual(plan.excluded, []);
  t.is(backend.emulator.control.maintenanceEvents().filter((e) => e.type === "selfServiceStarted").length, 0, "planning starts nothing");
});

test("the owner's order: app tier before database tier, a list of VM names, a tag; VMs the order does not name are left out", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const ids = await estate(dr, {
    "app-as": { updateDomains: 2, vms: 2, tags: { tier: "app" } },
    "db-as": { updateDomains: 2, vms: 2, tags: { tier: "data" } },
    "web-as": { updateDomains: 2, vms: 2 },
  });
  announce(backend, Object.values(ids));
  const tiers = await dr.maintenance.plan({ resourceGroup: "app-rg", order: ["app-as", "db-as"] });
  t.deepEqual(stepNames(tiers), ["app-0", "app-1", "db-0", "db-1"]);
  t.deepEqual(
    tiers.steps.map((s) => s.tier),
    [0, 0, 1, 1],
  );
  t.is(tiers.steps[2]?.gapKind, "betweenUpdateDomains", "moving to another set's update domain waits the update-domain gap");
  t.deepEqual(
    tiers.excluded.map((e) => `${e.vm.name}:${e.reason}`),
    ["web-0:notInOrder", "web-1:notInOrder"],
  );

  const names = await dr.maintenance.plan({ availabilitySetIds: [computeId("app-rg", "availabilitySets", "web-as")], order: ["web-1", "web-0"] });
  t.deepEqual(stepNames(names), ["web-1", "web-0"]);

  const byTag = await dr.maintenance.plan({ resourceGroup: "app-rg", order: ["tag:tier=data", ["app-as", "web-as"]] });
  t.deepEqual(stepNames(byTag), ["db-0", "db-1", "app-0", "web-0", "app-1", "web-1"]);

  const together = await dr.maintenance.plan({ resourceGroup: "app-rg", batch: "updateDomain", order: ["db-as", ["app-as", "web-as"]] });
  t.deepEqual(stepNames(together), ["db-0", "db-1", "app-0+web-0", "app-1+web-1"]);
});

test("every VM left out is listed with its reason", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const ids = await estate(dr, { "web-as": { updateDomains: 2, vms: 8 } }, ["lone-a", "lone-b", "lone-c", "lone-d"]);
  const id = (name: string): string => ids[name] as string;
  const at = (ms: number): string => new Date(backend.clock.now().getTime() + ms).toISOString();
  announce(backend, [id("web-0"), id("web-2"), id("web-3"), id("web-4"), id("web-6"), id("web-7")]);
  announce(backend, [id("lone-a")], 2 * DAY, 5 * DAY);
  backend.emulator.control.scheduleMaintenanceWave({
    virtualMachineIds: [id("lone-b")],
    selfServiceWindow: { start: at(-3 * DAY), end: at(-DAY) },
    maintenanceWindow: { start: at(DAY), end: at(2 * DAY) },
  });
  announce(backend, [id("lone-c")], 0, 50 * MINUTE);
  await dr.maintenance.perform("app-rg", "web-4");
  backend.emulator.control.failMaintenance({ virtualMachineId: id("web-2"), effect: "abort" });
  await t.throwsAsync(dr.maintenance.perform("app-rg", "web-2"));
  backend.emulator.control.failMaintenance({ virtualMachineId: id("lone-d"), effect: "retryLater" });
  announce(backend, [id("lone-d")]);
  await t.throwsAsync(dr.maintenance.perform("app-rg", "lone-d"));
  // Azure maintains web-1 (update domain 1) in its scheduled window, from now.
  backend.emulator.control.scheduleMaintenanceWave({
    virtualMachineIds: [id("web-1")],
    selfServiceWindow: { start: at(-DAY), end: at(0) },
    maintenanceWindow: { start: at(0), end: at(DAY) },
  });

  const plan = await dr.maintenance.plan({ resourceGroup: "app-rg", exclude: ["web-3"], expectedDurationMs: 30 * MINUTE, gapBetweenVmsMs: 10 * MINUTE });
  t.is((await dr.maintenance.getStatus("app-rg", "web-1")).phase, "platformMaintenance");
  t.deepEqual(stepNames(plan), ["web-7"], "update domain 1 only: Azure is maintaining update domain 1 of the set");
  const reasons = Object.fromEntries(plan.excluded.map((e) => [e.vm.name, e.reason]));
  t.deepEqual(reasons, {
    "web-1": "windowClosed",
    "web-2": "excludedAfterFailure",
    "web-3": "excludedByUser",
    "web-4": "alreadyDone",
    "web-5": "noMaintenance",
    "web-0": "oneDomainRule",
    "web-6": "oneDomainRule",
    "lone-a": "windowNotYetOpen",
    "lone-b": "windowClosed",
    "lone-c": "windowClosesBeforeTurn",
    "lone-d": "retryLater",
  });
  const detail = Object.fromEntries(plan.excluded.map((e) => [e.vm.name, e.detail]));
  t.regex(detail["lone-c"] ?? "", /self-service window ends at .*, before its turn would end/);
  t.regex(detail["web-2"] ?? "", /aborted .* dropped from this maintenance iteration/);
  t.regex(detail["web-1"] ?? "", /Azure is maintaining it/);
  t.regex(detail["lone-b"] ?? "", /self-service window ended at .* Azure will maintain it in the scheduled window from/);
  t.regex(
    detail["web-6"] ?? "",
    /VM web-1 of availability set web-as is in maintenance in update domain 1 .*; starting web-6 \(update domain 0\) would take two update domains down at once/,
  );
  t.regex(detail["lone-d"] ?? "", /RetryLater/);
});

test("a bad plan input names the field and the rule, and an unknown VM or set is not found; nothing is started", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const ids = await estate(dr, { "web-as": { updateDomains: 2, vms: 2 } });
  announce(backend, Object.values(ids));
  const cases: [unknown, RegExp][] = [
    [{}, /^virtualMachineIds: name the VMs to maintain/],
    [{ resourceGroup: "app-rg", gapBetweenVmsMs: -1 }, /^gapBetweenVmsMs: must be 0 ms/],
    [{ resourceGroup: "app-rg", expectedDurationMs: 1000 }, /^expectedDurationMs: must be 60000 ms/],
    [{ resourceGroup: "app-rg", batch: "all" }, /^batch: must be 'vm' or 'updateDomain'/],
    [{ resourceGroup: "app-rg", order: ["web-0", "tag:tier"] }, /^order\[1\]: a tag selector is written tag:<name>=<value>/],
    [{ resourceGroup: "app-rg", order: ["web-0", "wbe-1"] }, /^order\[1\]: 'wbe-1' names no VM or availability set among the VMs to maintain/],
    [{ resourceGroup: "app-rg", exclude: ["nope"] }, /^exclude\[0\]: 'nope' names no VM/],
    [
      { virtualMachineIds: ["/subscriptions/x/resourceGroups/app-rg/providers/Microsoft.Compute/virtualMachines/web-0"] },
      /^virtualMachineIds\[0\]: subscription id/,
    ],
    [
      { virtualMachineIds: [computeId("app-rg", "availabilitySets", "web-as")] },
      /^virtualMachineIds\[0\]: must be the id of a Microsoft.Compute\/virtualMachines/,
    ],
    [{ resourceGroup: "app-rg", colour: "blue" }, /Unrecognized key/],
  ];
  for (const [input, message] of cases)
    await t.throwsAsync(dr.maintenance.plan(input as never), { instanceOf: ValidationError, message }, JSON.stringify(input));
  await t.throwsAsync(dr.maintenance.plan({ virtualMachineIds: [computeId("app-rg", "virtualMachines", "ghost")] }), {
    instanceOf: ResourceNotFoundError,
    message: /ghost was not found/,
  });
  await t.throwsAsync(dr.maintenance.plan({ availabilitySetIds: [computeId("app-rg", "availabilitySets", "ghost-as")] }), {
    instanceOf: ResourceNotFoundError,
  });
  t.is(backend.emulator.control.maintenanceEvents().filter((e) => e.type !== "announced").length, 0);
});
