import test, { type ExecutionContext } from "ava";
import { ResourceNotFoundError, ValidationError, type FakeBackend, type MaintenanceRunEvent } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { computeId, vmInput } from "../helpers/fixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** shop-rg: availability set web-as with `count` VMs (web-0...) over `updateDomains`, plus single-instance VMs, all in one maintenance wave open now. */
async function shop(t: ExecutionContext, count: number, updateDomains: number, lone: string[] = []) {
  const { dr, backend } = await fakeClient(t);
  const set = await dr.availabilitySets.createOrUpdate("shop-rg", "web-as", { location: "westeurope", faultDomainCount: 2, updateDomainCount: updateDomains });
  const names = [...Array.from({ length: count }, (_, i) => `web-${i}`), ...lone];
  const ids: string[] = [];
  for (const name of names)
    ids.push((await dr.virtualMachines.create("shop-rg", name, vmInput("shop-rg", name, name.startsWith("web-") ? { availabilitySetId: set.id } : {}))).id);
  backend.emulator.control.scheduleMaintenanceWave({ virtualMachineIds: ids });
  return { dr, backend, id: (name: string): string => computeId("shop-rg", "virtualMachines", name) };
}

/** What the emulator saw: each VM's time in maintenance, from its event log (until it is back, for a slow boot). */
function inMaintenance(backend: FakeBackend): { vm: string; set: string | null; ud: number; from: number; to: number }[] {
  const open = new Map<string, number>();
  const spans: { vm: string; set: string | null; ud: number; from: number; to: number }[] = [];
  for (const event of backend.emulator.control.maintenanceEvents()) {
    const at = Date.parse(event.at);
    if (event.type === "selfServiceStarted" || event.type === "platformStarted" || event.type === "paused") open.set(event.virtualMachineName, at);
    else if (event.type === "booted") {
      const last = [...spans].reverse().find((s) => s.vm === event.virtualMachineName);
      if (last !== undefined) last.to = at;
    } else if (open.has(event.virtualMachineName) && ["completed", "aborted", "retryLater", "resumed"].includes(event.type)) {
      spans.push({
        vm: event.virtualMachineName,
        set: event.availabilitySetId,
        ud: event.updateDomain,
        from: open.get(event.virtualMachineName) as number,
        to: at,
      });
      open.delete(event.virtualMachineName);
    }
  }
  for (const [vm, from] of open) spans.push({ vm, set: null, ud: -1, from, to: Number.POSITIVE_INFINITY });
  return spans;
}

/** Pairs of VMs of one set, in different update domains, in maintenance at the same time. */
function twoDomainsAtOnce(backend: FakeBackend): string[] {
  const spans = inMaintenance(backend);
  const clashes: string[] = [];
  for (const a of spans)
    for (const b of spans)
      if (a.vm < b.vm && a.set !== null && a.set === b.set && a.ud !== b.ud && a.from < b.to && b.from < a.to) clashes.push(`${a.vm}/${b.vm}`);
  return clashes;
}

function starts(backend: FakeBackend): string[] {
  return backend.emulator.control
    .maintenanceEvents()
    .filter((e) => e.type === "selfServiceStarted")
    .map((e) => e.virtualMachineName);
}

test("a run maintains a set one update domain at a time at the owner's pace, calls the health check between steps, and reports each VM", async (t) => {
  const { dr, backend } = await shop(t, 5, 3, ["jump"]);
  const plan = await dr.maintenance.plan({
    resourceGroup: "shop-rg",
    batch: "updateDomain",
    gapBetweenUpdateDomainsMs: 45 * MINUTE,
    gapBetweenVmsMs: 5 * MINUTE,
  });
  t.deepEqual(
    plan.steps.map((s) => s.vms.map((vm) => vm.name)),
    [["web-0", "web-3"], ["web-1", "web-4"], ["web-2"], ["jump"]],
  );
  const events: MaintenanceRunEvent[] = [];
  const checks: string[] = [];
  const report = await dr.maintenance.run(plan, {
    onEvent: (event) => events.push(event),
    healthCheck: ({ step, vms }) => {
      checks.push(`${step}:${vms.map((vm) => vm.name).join("+")}`);
      return true;
    },
  });
  t.is(report.outcome, "completed");
  t.deepEqual(
    report.vms.map((v) => [v.vm.name, v.outcome, v.startedByThisRun, v.lastResultCode]),
    [
      ["web-0", "completed", true, "MaintenanceCompleted"],
      ["web-3", "completed", true, "MaintenanceCompleted"],
      ["web-1", "completed", true, "MaintenanceCompleted"],
      ["web-4", "completed", true, "MaintenanceCompleted"],
      ["web-2", "completed", true, "MaintenanceCompleted"],
      ["jump", "completed", true, "MaintenanceCompleted"],
    ],
  );
  t.deepEqual(checks, ["1:web-0+web-3", "2:web-1+web-4", "3:web-2", "4:jump"]);
  t.deepEqual(
    report.steps.map((s) => [s.state, s.healthCheck]),
    Array.from({ length: 4 }, () => ["done", "passed"]),
  );
  t.is(report.failure, undefined);
  t.deepEqual(report.nextSteps, []);

  t.deepEqual(twoDomainsAtOnce(backend), [], "the emulator never had two update domains of web-as in maintenance at once");
  const spans = inMaintenance(backend);
  const ud = (n: number): { from: number; to: number }[] => spans.filter((s) => s.ud === n && s.set !== null);
  t.true(Math.min(...ud(1).map((s) => s.from)) - Math.max(...ud(0).map((s) => s.to)) >= 45 * MINUTE, "45 minutes between update domains 0 and 1");
  t.true(Math.min(...ud(2).map((s) => s.from)) - Math.max(...ud(1).map((s) => s.to)) >= 45 * MINUTE, "and between 1 and 2");
  const jump = spans.find((s) => s.vm === "jump");
  t.true((jump?.from ?? 0) - Math.max(...ud(2).map((s) => s.to)) >= 5 * MINUTE, "the gap between VMs before the single-instance VM");
  t.deepEqual(starts(backend).sort(), ["jump", "web-0", "web-1", "web-2", "web-3", "web-4"], "each VM started once");

  // The VMs of a step run together: their ends come in any order.
  t.deepEqual(
    events
      .filter((e) => ("step" in e && e.step === 2) || e.type === "run-ended")
      .map((e) => (e.type === "vm-ended" ? "vm-ended" : `${e.type}${"vm" in e ? ` ${e.vm}` : ""}`)),
    ["waiting", "step-started", "vm-started web-1", "vm-started web-4", "vm-ended", "vm-ended", "health-check", "step-ended", "run-ended"],
  );
  const waiting = events.find((e) => e.type === "waiting" && e.step === 2);
  t.like(waiting, { ms: 45 * MINUTE, gapKind: "betweenUpdateDomains" });
});

test("RetryLater leaves the VM untouched and the run goes on; once Azure allows it again a new plan takes it", async (t) => {
  const { dr, backend, id } = await shop(t, 3, 2);
  backend.emulator.control.failMaintenance({ virtualMachineId: id("web-1"), effect: "retryLater", retryAfterMs: 2 * HOUR });
  const report = await dr.maintenance.run(await dr.maintenance.plan({ resourceGroup: "shop-rg" }));
  t.is(report.outcome, "completed");
  t.deepEqual(
    report.vms.map((v) => `${v.vm.name}:${v.outcome}`),
    ["web-0:completed", "web-2:completed", "web-1:retryLater"],
  );
  t.regex(report.vms[2]?.detail ?? "", /RetryLater .* left untouched/);
  t.regex(report.nextSteps.join(" "), /retry later for web-1/);
  const status = await dr.virtualMachines.getStatus("shop-rg", "web-1");
  t.like(status, { powerState: "running", provisioningState: "Succeeded" });
  t.like(status.maintenance, { phase: "retryLater", lastResultCode: "RetryLater", selfServiceAllowed: false });
  t.truthy(status.maintenance.selfServiceWindow, "it stays in the wave");

  const soon = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  t.deepEqual(soon.steps, []);
  t.deepEqual(
    soon.excluded.map((e) => `${e.vm.name}:${e.reason}`),
    ["web-0:alreadyDone", "web-1:retryLater", "web-2:alreadyDone"],
  );
  await dr.clock.sleep(2 * HOUR);
  const later = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  t.deepEqual(
    later.steps.map((s) => s.vms[0]?.name),
    ["web-1"],
  );
  const again = await dr.maintenance.run(later);
  t.is(again.vms[0]?.outcome, "completed");
  t.deepEqual(starts(backend), ["web-0", "web-2", "web-1", "web-1"], "a second attempt after RetryLater is Azure's way, not a double start");
});

test("MaintenanceAborted stops the run at the first failure; the VM is left as it was, dropped from the wave, and a new plan says so", async (t) => {
  const { dr, backend, id } = await shop(t, 4, 2);
  backend.emulator.control.failMaintenance({ virtualMachineId: id("web-2"), effect: "abort", message: "Host update failed." });
  const plan = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  t.deepEqual(
    plan.steps.map((s) => s.vms[0]?.name),
    ["web-0", "web-2", "web-1", "web-3"],
  );
  const report = await dr.maintenance.run(plan);
  t.is(report.outcome, "failed");
  t.like(report.failure, { step: 2, vm: "web-2", code: "MaintenanceAborted" });
  t.regex(report.failure?.message ?? "", /web-2: Azure aborted its maintenance \(Maintenance aborted: Host update failed\.\)/);
  t.deepEqual(
    report.vms.map((v) => `${v.vm.name}:${v.outcome}`),
    ["web-0:completed", "web-2:aborted", "web-1:notRun", "web-3:notRun"],
  );
  t.deepEqual(
    report.steps.map((s) => s.state),
    ["done", "failed", "notRun", "notRun"],
  );
  t.regex(report.nextSteps[0] ?? "", /dropped from this wave/);
  t.deepEqual(starts(backend), ["web-0", "web-2"], "nothing started after the failure");
  const status = await dr.virtualMachines.getStatus("shop-rg", "web-2");
  t.like(status, { powerState: "running", provisioningState: "Succeeded" });
  t.like(status.maintenance, { phase: "aborted", lastResultCode: "MaintenanceAborted", selfServiceWindow: undefined });

  const next = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  t.deepEqual(
    next.excluded.map((e) => `${e.vm.name}:${e.reason}`),
    ["web-0:alreadyDone", "web-2:excludedAfterFailure"],
  );
  const rest = await dr.maintenance.run(next);
  t.is(rest.outcome, "completed");
  t.deepEqual(
    rest.vms.map((v) => `${v.vm.name}:${v.outcome}`),
    ["web-1:completed", "web-3:completed"],
  );
  t.deepEqual(twoDomainsAtOnce(backend), []);
});

test("a VM slow to come back is waited for before the next step; one not back in time stops the run", async (t) => {
  const { dr, backend, id } = await shop(t, 3, 2);
  backend.emulator.control.failMaintenance({ virtualMachineId: id("web-0"), effect: "slowBoot", bootMs: 12 * MINUTE });
  backend.emulator.control.failMaintenance({ virtualMachineId: id("web-1"), effect: "slowBoot", bootMs: 3 * HOUR });
  const report = await dr.maintenance.run(await dr.maintenance.plan({ resourceGroup: "shop-rg" }), { readyTimeoutMs: HOUR, pollIntervalMs: MINUTE });
  t.deepEqual(
    report.vms.map((v) => `${v.vm.name}:${v.outcome}`),
    ["web-0:completed", "web-2:completed", "web-1:failed"],
  );
  t.like(report.failure, { step: 3, vm: "web-1", code: "NotBack" });
  t.regex(report.failure?.message ?? "", /web-1: not back within 60 min after its maintenance \(power state starting, provisioning Succeeded\)/);
  const events = backend.emulator.control.maintenanceEvents();
  const booted = Date.parse(events.find((e) => e.type === "booted" && e.virtualMachineName === "web-0")?.at ?? "");
  const web2 = Date.parse(events.find((e) => e.type === "selfServiceStarted" && e.virtualMachineName === "web-2")?.at ?? "");
  t.true(web2 >= booted, "web-2 starts only once web-0 is running again");
  t.deepEqual(twoDomainsAtOnce(backend), []);
});

test("a failing health check stops the run; running the same plan again skips what is done and never starts a VM twice", async (t) => {
  const { dr, backend } = await shop(t, 4, 2);
  const plan = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  const first = await dr.maintenance.run(plan, { healthCheck: ({ step }) => step < 2 });
  t.is(first.outcome, "failed");
  t.like(first.failure, { step: 2, code: "HealthCheckFailed" });
  t.like(first.steps[1], { state: "failed", healthCheck: "failed" });
  t.regex(first.nextSteps[0] ?? "", /fix the application, then run it again/);
  const thrown = await dr.maintenance.run(plan, {
    healthCheck: () => {
      throw new Error("smoke test unreachable");
    },
  });
  t.like(thrown.failure, { step: 3, code: "HealthCheckFailed" });
  t.regex(thrown.failure?.message ?? "", /smoke test unreachable/);

  const third = await dr.maintenance.run(JSON.parse(JSON.stringify(plan)) as typeof plan, { healthCheck: () => true });
  t.is(third.outcome, "completed");
  t.deepEqual(
    third.vms.map((v) => `${v.vm.name}:${v.outcome}:${v.startedByThisRun}`),
    ["web-0:alreadyDone:false", "web-2:alreadyDone:false", "web-1:alreadyDone:false", "web-3:completed:true"],
  );
  t.deepEqual(starts(backend), ["web-0", "web-2", "web-1", "web-3"], "each VM started once over three runs");
});

test("after a crash, a maintenance under way is followed to its end and never started a second time", async (t) => {
  const { dr, backend, id } = await shop(t, 3, 2);
  const plan = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  // The run that crashed had sent web-0's performMaintenance and nothing since.
  const sent = await backend.emulator.handle({
    method: "POST",
    url: `https://management.azure.com${id("web-0")}/performMaintenance?api-version=2026-03-01`,
    headers: {},
  });
  t.is(sent.status, 202);
  t.is((await dr.maintenance.getStatus("shop-rg", "web-0")).phase, "inProgress");

  const replanned = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  t.deepEqual(
    replanned.steps.map((s) => `${s.action} ${s.vms.map((vm) => vm.name).join("+")}`),
    ["await web-0", "perform web-2", "perform web-1"],
  );

  const events: string[] = [];
  const report = await dr.maintenance.run(plan, {
    onEvent: (e) => void (e.type === "vm-awaiting" || e.type === "vm-started" ? events.push(`${e.type} ${e.vm}`) : 0),
  });
  t.is(report.outcome, "completed");
  t.deepEqual(events, ["vm-awaiting web-0", "vm-started web-2", "vm-started web-1"]);
  t.like(report.vms[0], { outcome: "completed", startedByThisRun: false });
  t.regex(report.vms[0]?.detail ?? "", /under way; followed to its end/);
  t.deepEqual(starts(backend), ["web-0", "web-2", "web-1"]);
  t.deepEqual(twoDomainsAtOnce(backend), []);
});

test("an AbortSignal stops the run: the report says which maintenance goes on in Azure; running again follows it without starting it twice", async (t) => {
  const { dr, backend } = await shop(t, 2, 2);
  const plan = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  // Each status poll takes a little real time, so that the stop lands while web-0's maintenance is under way.
  backend.emulator.control.addFault({ match: { operationId: "ComputeOperationStatus_Get" }, effect: { type: "latency", ms: 20 } });
  const controller = new AbortController();
  const report = await dr.maintenance.run(plan, {
    abortSignal: controller.signal,
    onEvent: (event) => {
      if (event.type === "vm-started") setTimeout(() => controller.abort(), 50);
    },
  });
  backend.emulator.control.removeFaults();
  t.is(report.outcome, "stopped");
  t.like(report.vms[0], { outcome: "interrupted", startedByThisRun: true });
  t.like(report.vms[1], { outcome: "notRun" });
  t.deepEqual(
    report.steps.map((s) => s.state),
    ["stopped", "notRun"],
  );
  t.regex(report.nextSteps[0] ?? "", /the maintenance of web-0 goes on in Azure/);
  t.is((await dr.maintenance.getStatus("shop-rg", "web-0")).phase, "inProgress");

  const resumed = await dr.maintenance.run(plan);
  t.is(resumed.outcome, "completed");
  t.deepEqual(
    resumed.vms.map((v) => `${v.vm.name}:${v.outcome}:${v.startedByThisRun}`),
    ["web-0:completed:false", "web-1:completed:true"],
  );
  t.deepEqual(starts(backend), ["web-0", "web-1"]);

  const before = dr.clock.now();
  const early = new AbortController();
  early.abort();
  const none = await dr.maintenance.run(plan, { abortSignal: early.signal });
  t.is(none.outcome, "stopped");
  t.deepEqual(dr.clock.now(), before);
});

test("the one-domain rule holds at run time: when another update domain of the set went into maintenance, the run stops before starting anything there", async (t) => {
  const { dr, backend, id } = await shop(t, 3, 2);
  const plan = await dr.maintenance.plan({ virtualMachineIds: [id("web-0"), id("web-2")] });
  // Someone else starts web-1 (update domain 1) after the plan was made.
  await backend.emulator.handle({ method: "POST", url: `https://management.azure.com${id("web-1")}/performMaintenance?api-version=2026-03-01`, headers: {} });
  const report = await dr.maintenance.run(plan);
  t.is(report.outcome, "failed");
  t.like(report.failure, { step: 1, code: "OneDomainRule" });
  t.regex(report.failure?.message ?? "", /VM web-1 of availability set web-as is in maintenance in update domain 1 \(inProgress\); starting web-0/);
  t.like(report.vms[0], { outcome: "skipped", reason: "oneDomainRule", startedByThisRun: false });
  t.deepEqual(starts(backend), ["web-1"]);
});

test("a start Azure refuses is never retried blindly: someone else's start is followed, an unexplained refusal stops the run", async (t) => {
  const { dr, backend, id } = await shop(t, 3, 2);
  const report = await dr.maintenance.run(await dr.maintenance.plan({ resourceGroup: "shop-rg" }), {
    onEvent: (event) => {
      // Between the runner's reading and its request, another tool starts web-2.
      if (event.type === "vm-started" && event.vm === "web-2")
        void backend.emulator.handle({
          method: "POST",
          url: `https://management.azure.com${id("web-2")}/performMaintenance?api-version=2026-03-01`,
          headers: {},
        });
    },
  });
  t.is(report.outcome, "completed");
  t.like(report.vms[1], { vm: { name: "web-2" }, outcome: "completed", startedByThisRun: false });
  t.deepEqual(starts(backend), ["web-0", "web-2", "web-1"]);

  const { dr: dr2, backend: backend2 } = await shop(t, 2, 2);
  backend2.emulator.control.addFault({
    match: { operationId: "VirtualMachines_PerformMaintenance" },
    effect: { type: "error", status: 409, code: "OperationNotAllowed", message: "Not now." },
    times: 1,
  });
  const refused = await dr2.maintenance.run(await dr2.maintenance.plan({ resourceGroup: "shop-rg" }));
  t.is(refused.outcome, "failed");
  t.like(refused.failure, { step: 1, vm: "web-0", code: "InvalidState" });
  t.like(refused.vms[0], { outcome: "failed", startedByThisRun: false });
  t.is((await dr2.maintenance.getStatus("shop-rg", "web-0")).phase, "selfServiceOpen", "untouched");
  t.deepEqual(starts(backend2), []);
});

test("a VM whose window no longer holds its turn is skipped at run time, never started outside its window", async (t) => {
  const { dr, backend, id } = await shop(t, 1, 2, ["lone"]);
  const now = backend.clock.now().getTime();
  const late = await dr.virtualMachines.create("shop-rg", "late", vmInput("shop-rg", "late"));
  backend.emulator.control.scheduleMaintenanceWave({
    virtualMachineIds: [late.id],
    selfServiceWindow: { start: new Date(now).toISOString(), end: new Date(now + 60 * MINUTE).toISOString() },
    maintenanceWindow: { start: new Date(now + 60 * MINUTE).toISOString(), end: new Date(now + 24 * HOUR).toISOString() },
  });
  const plan = await dr.maintenance.plan({ resourceGroup: "shop-rg", order: ["web-0", "late", "lone"], expectedDurationMs: 10 * MINUTE });
  t.deepEqual(
    plan.steps.map((s) => s.vms[0]?.name),
    ["web-0", "late", "lone"],
  );
  t.true(plan.steps[1] !== undefined && plan.steps[1].estimatedEnd.getTime() <= now + 60 * MINUTE, "it fits when planned");
  backend.emulator.control.failMaintenance({ virtualMachineId: id("web-0"), effect: "slowBoot", bootMs: 45 * MINUTE });
  const report = await dr.maintenance.run(plan, { readyTimeoutMs: 2 * HOUR });
  t.is(report.outcome, "completed");
  t.deepEqual(
    report.vms.map((v) => `${v.vm.name}:${v.outcome}:${v.reason ?? ""}`),
    ["web-0:completed:", "late:skipped:windowClosesBeforeTurn", "lone:completed:"],
  );
  t.deepEqual(starts(backend), ["web-0", "lone"]);
  t.regex(report.nextSteps.join(" "), /Skipped at their turn: late \(windowClosesBeforeTurn\)/);
});

test("a bad plan or bad options are refused before anything is read or started", async (t) => {
  const { dr, backend, id } = await shop(t, 2, 2);
  const plan = await dr.maintenance.plan({ resourceGroup: "shop-rg" });
  const [first, second] = plan.steps;
  const merged = { ...plan, steps: [{ ...(first as NonNullable<typeof first>), vms: [...(first?.vms ?? []), ...(second?.vms ?? [])] }] };
  const before = backend.emulator.requestCount;
  await t.throwsAsync(dr.maintenance.run(merged), {
    instanceOf: ValidationError,
    message: /^plan\.steps\[0\]\.vms: would take update domains 0 and 1 of availability set web-as down at once/,
  });
  const twice = { ...plan, steps: [first, { ...(second as NonNullable<typeof second>), vms: first?.vms ?? [] }] };
  await t.throwsAsync(dr.maintenance.run(twice as typeof plan), { instanceOf: ValidationError, message: /VM web-0 is already in step 1/ });
  await t.throwsAsync(dr.maintenance.run({ ...plan, kind: "something" } as never), { instanceOf: ValidationError, message: /^plan\.kind/ });
  await t.throwsAsync(dr.maintenance.run(plan, { readyTimeoutMs: -5 }), { instanceOf: ValidationError, message: /^options\.readyTimeoutMs/ });
  await t.throwsAsync(dr.maintenance.run(plan, { healthCheck: "yes" as never }), {
    instanceOf: ValidationError,
    message: /^options\.healthCheck: must be a function/,
  });
  await t.throwsAsync(dr.maintenance.run(plan, { pollIntervalMs: 10, colour: 1 } as never), { instanceOf: ValidationError });
  t.is(backend.emulator.requestCount, before, "nothing was sent");
  const ghost = {
    ...plan,
    steps: [
      ...plan.steps,
      {
        ...(second as NonNullable<typeof second>),
        index: 3,
        vms: [{ ...(second?.vms[0] as NonNullable<typeof second>["vms"][0]), id: id("ghost"), name: "ghost" }],
      },
    ],
  };
  await t.throwsAsync(dr.maintenance.run(ghost), { instanceOf: ResourceNotFoundError });
  t.deepEqual(starts(backend), [], "a plan naming a missing VM starts nothing");
});
