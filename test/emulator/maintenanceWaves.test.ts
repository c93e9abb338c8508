import test from "ava";
import { createEmulator, type Emulator } from "../../emulator/index.js";
import { errorCode, rgUrl, send } from "../helpers/emulatorRequests.js";
import { computeId, rawVmBody } from "../helpers/fixtures.js";

const CONTROL = "https://management.azure.com/_emulator";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface EventView {
  at: string;
  type: string;
  virtualMachineName: string;
  availabilitySetId: string | null;
  updateDomain: number;
  message: string;
}

/** Set web-as (`updateDomains`) with web-0... placed round-robin, and single-instance VMs; every creation finished. */
async function vms(emulator: Emulator, count: number, updateDomains: number, lone: string[] = []): Promise<void> {
  await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/web-as`, {
    location: "westeurope",
    sku: { name: "Aligned" },
    properties: { platformUpdateDomainCount: updateDomains, platformFaultDomainCount: 2 },
  });
  const setId = computeId("rg", "availabilitySets", "web-as");
  for (let i = 0; i < count; i++)
    await send(emulator, "PUT", `${rgUrl("rg")}/virtualMachines/web-${i}`, rawVmBody("rg", `web-${i}`, { availabilitySet: { id: setId } }));
  for (const name of lone) await send(emulator, "PUT", `${rgUrl("rg")}/virtualMachines/${name}`, rawVmBody("rg", name));
  emulator.control.advanceClock(5 * MINUTE);
}

async function events(emulator: Emulator, vm?: string): Promise<EventView[]> {
  const query = vm === undefined ? "" : `?virtualMachineId=${encodeURIComponent(computeId("rg", "virtualMachines", vm))}`;
  const response = await send(emulator, "GET", `${CONTROL}/maintenance/events${query}`);
  return (response.json as { value: EventView[] }).value;
}

async function redeployStatus(emulator: Emulator, vm: string): Promise<Record<string, unknown>> {
  const view = (await send(emulator, "GET", `${rgUrl("rg")}/virtualMachines/${vm}/instanceView`)).json;
  return (view.maintenanceRedeployStatus ?? {}) as Record<string, unknown>;
}

async function powerState(emulator: Emulator, vm: string): Promise<string | undefined> {
  const view = (await send(emulator, "GET", `${rgUrl("rg")}/virtualMachines/${vm}/instanceView`)).json;
  return (view.statuses as { code: string }[]).find((s) => s.code.startsWith("PowerState/"))?.code;
}

/** Starts a VM's performMaintenance and polls its operation to the end; the operation's final status body. */
async function performMaintenance(emulator: Emulator, vm: string): Promise<{ accepted: number; status?: string; error?: { code: string } }> {
  const started = await send(emulator, "POST", `${rgUrl("rg")}/virtualMachines/${vm}/performMaintenance`);
  if (started.status !== 202) return { accepted: started.status };
  for (;;) {
    const polled = await send(emulator, "GET", started.headers["azure-asyncoperation"] as string);
    const body = polled.json as { status: string; error?: { code: string } };
    if (body.status !== "InProgress") return { accepted: 202, ...body };
  }
}

test("in-place maintenance pauses the VMs of a set one update domain at a time for about 30 seconds, and shows it in the event log", async (t) => {
  const emulator = createEmulator();
  await vms(emulator, 6, 3, ["lone-a", "lone-b"]);
  await send(emulator, "POST", `${rgUrl("rg")}/virtualMachines/web-5/powerOff`);
  emulator.control.advanceClock(MINUTE);
  const ids = [...Array.from({ length: 6 }, (_, i) => `web-${i}`), "lone-a", "lone-b"].map((n) => computeId("rg", "virtualMachines", n));
  const start = emulator.clock.now() + MINUTE;
  const wave = await send(emulator, "POST", `${CONTROL}/maintenance/inPlaceWaves`, { virtualMachineIds: ids, startTime: new Date(start).toISOString() });
  t.is(wave.status, 201);
  t.is((wave.json as { pauseMs: number }).pauseMs, 30_000);

  // Walk through the wave 5 seconds at a time: who is paused at each moment.
  const paused = new Set<string>();
  const domainsSeen: string[] = [];
  let seen = 0;
  while (emulator.clock.now() < start + 3 * MINUTE) {
    emulator.control.advanceClock(5_000);
    const log = (await events(emulator)).slice(seen);
    seen += log.length;
    for (const e of log) {
      if (e.type === "paused") paused.add(e.virtualMachineName);
      if (e.type === "resumed") paused.delete(e.virtualMachineName);
    }
    const setDomains = new Set(
      (await events(emulator)).filter((e) => paused.has(e.virtualMachineName) && e.availabilitySetId !== null).map((e) => e.updateDomain),
    );
    t.true(setDomains.size <= 1, `at most one update domain of web-as paused at ${new Date(emulator.clock.now()).toISOString()}`);
    if (setDomains.size === 1) domainsSeen.push(String([...setDomains][0]));
    for (const vm of paused) t.is(await powerState(emulator, vm), "PowerState/running", "a paused VM keeps its state (memory kept)");
  }
  t.deepEqual([...new Set(domainsSeen)], ["0", "1", "2"], "update domains in turn");
  const log = await events(emulator);
  const span = (vm: string): number => {
    const from = Date.parse(log.find((e) => e.virtualMachineName === vm && e.type === "paused")?.at ?? "");
    return Date.parse(log.find((e) => e.virtualMachineName === vm && e.type === "resumed")?.at ?? "") - from;
  };
  for (const vm of ["web-0", "web-1", "web-2", "web-3", "web-4", "lone-a", "lone-b"]) t.is(span(vm), 30_000, vm);
  const pausedAt = (vm: string): number => Date.parse(log.find((e) => e.virtualMachineName === vm && e.type === "paused")?.at ?? "") - start;
  t.deepEqual(
    ["web-0", "web-3", "web-1", "web-4", "web-2", "lone-a", "lone-b"].map(pausedAt),
    [0, 0, 30_000, 30_000, 60_000, 0, 0],
    "the set's domains follow each other; single-instance VMs come with no guarantee (all at once here)",
  );
  t.deepEqual(
    log.filter((e) => e.virtualMachineName === "web-5").map((e) => e.type),
    ["updatedWithoutPause"],
    "a stopped VM has nothing to pause",
  );
  t.deepEqual(
    (await events(emulator, "web-1")).map((e) => e.type),
    ["paused", "resumed"],
  );
  t.deepEqual(await redeployStatus(emulator, "web-1"), {}, "no maintenanceRedeployStatus: in-place maintenance needs no owner action");

  const before = (await events(emulator)).length;
  for (const [body, status, code] of [
    [{ virtualMachineIds: [] }, 400, "InvalidMaintenanceWave"],
    [{ virtualMachineIds: [ids[0]], startTime: new Date(emulator.clock.now() - HOUR).toISOString() }, 400, "InvalidMaintenanceWave"],
    [{ virtualMachineIds: [ids[0]], pauseMs: 10 }, 400, "InvalidMaintenanceWave"],
    [{ virtualMachineIds: [ids[0], computeId("rg", "virtualMachines", "ghost")] }, 404, "ResourceNotFound"],
  ] as const) {
    const refused = await send(emulator, "POST", `${CONTROL}/maintenance/inPlaceWaves`, body);
    t.is(refused.status, status, JSON.stringify(body));
    t.is(errorCode(refused), code);
  }
  emulator.control.advanceClock(10 * MINUTE);
  t.is((await events(emulator)).length, before, "a refused wave schedules nothing");
});

test("failures injected per VM: RetryLater keeps the VM in the wave and startable again later, an abort drops it, a slow boot keeps it starting", async (t) => {
  const emulator = createEmulator();
  await vms(emulator, 3, 2);
  const id = (n: string): string => computeId("rg", "virtualMachines", n);
  t.is((await send(emulator, "POST", `${CONTROL}/maintenance/waves`, { virtualMachineIds: [id("web-0"), id("web-1"), id("web-2")] })).status, 201);

  const armed = await send(emulator, "POST", `${CONTROL}/maintenanceFaults`, { virtualMachineId: id("web-0"), effect: "retryLater", retryAfterMs: HOUR });
  t.is(armed.status, 201);
  t.like(armed.json, { effect: "retryLater", retryAfterMs: HOUR });
  const retry = await performMaintenance(emulator, "web-0");
  t.like(retry, { accepted: 202, status: "Failed", error: { code: "MaintenanceRetryLater" } });
  t.like(await redeployStatus(emulator, "web-0"), { isCustomerInitiatedMaintenanceAllowed: false, lastOperationResultCode: "RetryLater" });
  t.truthy((await redeployStatus(emulator, "web-0")).preMaintenanceWindowEndTime, "still in the wave: its windows stay");
  t.is(await powerState(emulator, "web-0"), "PowerState/running");
  const early = await send(emulator, "POST", `${rgUrl("rg")}/virtualMachines/web-0/performMaintenance`);
  t.is(early.status, 409);
  t.regex(String((early.json.error as { message: string }).message), /last result: RetryLater\); retry after/);
  emulator.control.advanceClock(HOUR);
  t.like(await redeployStatus(emulator, "web-0"), { isCustomerInitiatedMaintenanceAllowed: true, lastOperationResultCode: "RetryLater" });
  t.like(await performMaintenance(emulator, "web-0"), { status: "Succeeded" });
  t.like(await redeployStatus(emulator, "web-0"), { lastOperationResultCode: "MaintenanceCompleted" });

  await send(emulator, "POST", `${CONTROL}/maintenanceFaults`, { virtualMachineId: id("web-1"), message: "Host update failed." });
  t.like(await performMaintenance(emulator, "web-1"), { status: "Failed", error: { code: "MaintenanceOperationFailed" } });
  const aborted = await redeployStatus(emulator, "web-1");
  t.like(aborted, { lastOperationResultCode: "MaintenanceAborted", isCustomerInitiatedMaintenanceAllowed: false });
  t.regex(String(aborted.lastOperationMessage), /Host update failed/);
  t.is(aborted.preMaintenanceWindowStartTime, undefined, "dropped from the wave: its windows are gone");
  t.is(await powerState(emulator, "web-1"), "PowerState/running", "left as it was");

  await send(emulator, "POST", `${CONTROL}/maintenanceFaults`, { virtualMachineId: id("web-2"), effect: "slowBoot", bootMs: 20 * MINUTE });
  t.like(await performMaintenance(emulator, "web-2"), { status: "Succeeded" });
  t.is(await powerState(emulator, "web-2"), "PowerState/starting");
  t.like(await redeployStatus(emulator, "web-2"), { lastOperationResultCode: "MaintenanceCompleted" });
  emulator.control.advanceClock(20 * MINUTE);
  t.is(await powerState(emulator, "web-2"), "PowerState/running");

  t.deepEqual(
    (await events(emulator)).filter((e) => e.type !== "announced").map((e) => `${e.virtualMachineName} ${e.type}`),
    [
      "web-0 selfServiceStarted",
      "web-0 retryLater",
      "web-0 selfServiceStarted",
      "web-0 completed",
      "web-1 selfServiceStarted",
      "web-1 aborted",
      "web-2 selfServiceStarted",
      "web-2 completed",
      "web-2 booted",
    ],
  );

  for (const [body, status, code] of [
    [{ virtualMachineId: id("web-0"), effect: "explode" }, 400, "InvalidMaintenanceFault"],
    [{ virtualMachineId: id("web-0"), retryAfterMs: -1 }, 400, "InvalidMaintenanceFault"],
    [{ effect: "abort" }, 400, "InvalidMaintenanceFault"],
    [{ virtualMachineId: id("ghost") }, 404, "ResourceNotFound"],
  ] as const) {
    const refused = await send(emulator, "POST", `${CONTROL}/maintenanceFaults`, body);
    t.is(refused.status, status, JSON.stringify(body));
    t.is(errorCode(refused), code);
  }
});
