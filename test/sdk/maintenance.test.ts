import test from "ava";
import { InvalidStateError, OperationFailedError, type DrClient, type FakeBackend } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { computeId, vmInput } from "../helpers/fixtures.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function setWithVms(dr: DrClient, count: number): Promise<string[]> {
  const set = await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope", faultDomainCount: 2, updateDomainCount: 2 });
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await dr.virtualMachines.create("app-rg", `web-${i}`, vmInput("app-rg", `web-${i}`, { availabilitySetId: set.id }))).id);
  return ids;
}

function announce(backend: FakeBackend, vmIds: string[], selfServiceFromNowMs: number, selfServiceLengthMs: number): void {
  const now = backend.clock.now().getTime();
  const start = now + selfServiceFromNowMs;
  const end = start + selfServiceLengthMs;
  backend.emulator.control.scheduleMaintenanceWave({
    virtualMachineIds: vmIds,
    selfServiceWindow: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    maintenanceWindow: { start: new Date(end).toISOString(), end: new Date(end + DAY).toISOString() },
  });
}

test("a VM outside any wave reports no maintenance", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.virtualMachines.create("app-rg", "web-0", vmInput("app-rg", "web-0"));
  t.like(await dr.maintenance.getStatus("app-rg", "web-0"), { phase: "none", selfServiceAllowed: false, lastResultCode: "None", selfServiceWindow: undefined });
});

test("an announced wave shows both windows and allows self-service inside the window", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const [id] = await setWithVms(dr, 1);
  announce(backend, [id as string], 0, 7 * DAY);
  const status = await dr.maintenance.getStatus("app-rg", "web-0");
  t.is(status.phase, "selfServiceOpen");
  t.true(status.selfServiceAllowed);
  t.is((status.selfServiceWindow?.end.getTime() ?? 0) - (status.selfServiceWindow?.start.getTime() ?? 0), 7 * DAY);
  t.deepEqual(status.scheduledWindow?.start, status.selfServiceWindow?.end);
});

test("perform redeploys the VM once inside the window, and a second time is refused without a request", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const [id] = await setWithVms(dr, 1);
  announce(backend, [id as string], 0, 7 * DAY);
  const after = await dr.maintenance.perform("app-rg", "web-0");
  t.like(after, { phase: "completed", lastResultCode: "MaintenanceCompleted", selfServiceWindow: undefined, scheduledWindow: undefined });
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "running");

  const before = backend.emulator.requestCount;
  const error = await t.throwsAsync(dr.maintenance.perform("app-rg", "web-0"), { instanceOf: InvalidStateError });
  t.is(error.code, "InvalidState");
  t.regex(error.message, /already completed/);
  t.is(backend.emulator.requestCount, before + 1, "only the status was read; no performMaintenance was sent");
});

test("perform before the self-service window opens is refused", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const [id] = await setWithVms(dr, 1);
  announce(backend, [id as string], 2 * DAY, 7 * DAY);
  t.is((await dr.maintenance.getStatus("app-rg", "web-0")).phase, "selfServiceNotYetOpen");
  const error = await t.throwsAsync(dr.maintenance.perform("app-rg", "web-0"), { instanceOf: InvalidStateError });
  t.regex(error.message, /opens at/);
});

test("Azure refuses performMaintenance outside the window even when asked directly", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const [id] = await setWithVms(dr, 1);
  announce(backend, [id as string], 2 * DAY, 7 * DAY);
  const response = await backend.emulator.handle({
    method: "POST",
    url: `https://management.azure.com${id as string}/performMaintenance?api-version=2026-03-01`,
    headers: {},
  });
  t.is(response.status, 409);
  t.is((JSON.parse(response.body ?? "{}") as { error: { code: string } }).error.code, "OperationNotAllowed");
  t.is((await dr.maintenance.getStatus("app-rg", "web-0")).phase, "selfServiceNotYetOpen", "the refused request changed nothing");
});

test("after the self-service window Azure maintains the set one update domain at a time", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const ids = await setWithVms(dr, 4);
  const windowEnd = backend.clock.now().getTime() + DAY;
  announce(backend, ids, 0, DAY);
  await dr.clock.sleep(DAY - MINUTE);
  const perform = await t.throwsAsync(
    (async () => {
      await dr.clock.sleep(2 * MINUTE);
      return dr.maintenance.perform("app-rg", "web-1");
    })(),
    { instanceOf: InvalidStateError },
  );
  t.regex(perform.message, /scheduled window is open/);

  const snapshot = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for await (const entry of dr.maintenance.list("app-rg")) {
      const power = (await dr.virtualMachines.getStatus("app-rg", entry.vm.name)).powerState;
      out[`${entry.vm.name}/ud${entry.updateDomain ?? "?"}`] = `${entry.maintenance.phase}/${power}`;
    }
    return out;
  };
  t.deepEqual(await snapshot(), {
    "web-0/ud0": "platformMaintenance/starting",
    "web-1/ud1": "platformMaintenance/running",
    "web-2/ud0": "platformMaintenance/starting",
    "web-3/ud1": "platformMaintenance/running",
  });

  await dr.clock.sleep(windowEnd + 30 * MINUTE - dr.clock.now().getTime());
  t.deepEqual(
    await snapshot(),
    {
      "web-0/ud0": "completed/running",
      "web-1/ud1": "platformMaintenance/running",
      "web-2/ud0": "completed/running",
      "web-3/ud1": "platformMaintenance/running",
    },
    "update domain 1 waits for the gap after update domain 0",
  );

  await dr.clock.sleep(windowEnd + 60 * MINUTE - dr.clock.now().getTime());
  t.deepEqual(await snapshot(), {
    "web-0/ud0": "completed/running",
    "web-1/ud1": "platformMaintenance/starting",
    "web-2/ud0": "completed/running",
    "web-3/ud1": "platformMaintenance/starting",
  });

  await dr.clock.sleep(2 * 60 * MINUTE);
  t.true(Object.values(await snapshot()).every((value) => value === "completed/running"));
});

test("once the self-service window is over the owner waits for the scheduled window", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const [id] = await setWithVms(dr, 1);
  const now = backend.clock.now().getTime();
  backend.emulator.control.scheduleMaintenanceWave({
    virtualMachineIds: [id as string],
    selfServiceWindow: { start: new Date(now).toISOString(), end: new Date(now + DAY).toISOString() },
    maintenanceWindow: { start: new Date(now + 3 * DAY).toISOString(), end: new Date(now + 4 * DAY).toISOString() },
  });
  await dr.clock.sleep(2 * DAY);
  t.is((await dr.maintenance.getStatus("app-rg", "web-0")).phase, "awaitingPlatform");
  const error = await t.throwsAsync(dr.maintenance.perform("app-rg", "web-0"), { instanceOf: InvalidStateError });
  t.regex(error.message, /self-service window ended/);
});

test("a failed maintenance is aborted, leaves the VM as it was and drops it from the wave", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const [id] = await setWithVms(dr, 1);
  await dr.virtualMachines.powerOff("app-rg", "web-0");
  announce(backend, [id as string], 0, DAY);
  backend.emulator.control.addFault({
    match: { operationId: "VirtualMachines_PerformMaintenance" },
    effect: { type: "operationFailure", code: "MaintenanceOperationFailed", message: "Host update failed." },
  });
  const error = await t.throwsAsync(dr.maintenance.perform("app-rg", "web-0"), { instanceOf: OperationFailedError });
  t.is(error.azureCode, "MaintenanceOperationFailed");
  const status = await dr.virtualMachines.getStatus("app-rg", "web-0");
  t.like(status.maintenance, { phase: "aborted", lastResultCode: "MaintenanceAborted", selfServiceWindow: undefined });
  t.regex(status.maintenance.lastMessage ?? "", /Host update failed/);
  t.is(status.powerState, "stopped");
  t.is(status.provisioningState, "Succeeded");

  await dr.clock.sleep(3 * DAY);
  t.is((await dr.maintenance.getStatus("app-rg", "web-0")).phase, "aborted", "Azure does not maintain it in this wave's scheduled window");
  await t.throwsAsync(dr.maintenance.perform("app-rg", "web-0"), { instanceOf: InvalidStateError });
});

test("a wave for an unknown VM is refused and changes nothing", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const [id] = await setWithVms(dr, 1);
  t.throws(() => backend.emulator.control.scheduleMaintenanceWave({ virtualMachineIds: [id as string, computeId("app-rg", "virtualMachines", "ghost")] }), {
    message: /was not found/,
  });
  t.is((await dr.maintenance.getStatus("app-rg", "web-0")).phase, "none");
});
