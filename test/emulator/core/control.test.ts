import test from "ava";
import fc from "fast-check";
import { createEmulator, type EmulatorState, type StatePersistence } from "../../../emulator/index.js";
import { Scheduler } from "../../../emulator/scheduler.js";
import { emptyState } from "../../../emulator/store/state.js";
import { errorCode, rgUrl, send } from "../../helpers/emulatorRequests.js";
import { rawVmBody } from "../../helpers/fixtures.js";

const setBody = { location: "westeurope", properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 5 } };

test("the scheduler runs due events in time order, including those scheduled meanwhile", (t) => {
  const state = emptyState(0, 1);
  let seq = 0;
  const scheduler = new Scheduler(
    () => state,
    () => ++seq,
  );
  const ran: string[] = [];
  scheduler.on("note", (data, at) => {
    ran.push(`${String(data.name)}@${at}`);
    if (data.name === "b") scheduler.schedule(at + 5, "note", { name: "b-child" });
  });
  scheduler.schedule(30, "note", { name: "c" });
  scheduler.schedule(10, "note", { name: "a" });
  scheduler.schedule(20, "note", { name: "b" });
  scheduler.schedule(20, "note", { name: "b2" });
  t.is(scheduler.runDue(25), 4);
  t.deepEqual(ran, ["a@10", "b@20", "b2@20", "b-child@25"]);
  t.is(scheduler.nextDueAt(), 30);
});

test("the scheduler's heap runs any mix of events in due order, then scheduling order, and picks up a sorted timeline as it is", (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 5 }),
      (dueTimes, checkpoints) => {
        const state = emptyState(0, 1);
        let seq = 0;
        const scheduler = new Scheduler(
          () => state,
          () => ++seq,
        );
        const ran: { at: number; seq: number }[] = [];
        scheduler.on("note", (data, at) => void ran.push({ at, seq: Number(data.seq) }));
        for (const at of dueTimes) scheduler.schedule(at, "note", { seq: seq + 1 });
        let now = 0;
        for (const step of checkpoints) scheduler.runDue((now += step));
        scheduler.runDue(Number.MAX_SAFE_INTEGER);
        const expected = dueTimes.map((at, i) => ({ at, seq: i + 1 })).sort((a, b) => a.at - b.at || a.seq - b.seq);
        t.deepEqual(ran, expected);
        t.is(state.timeline.length, 0);
      },
    ),
  );
  const sorted = emptyState(0, 1);
  sorted.timeline = [10, 20, 20, 30].map((at, i) => ({ at, seq: i + 1, kind: "note", data: {} }));
  let seq = 4;
  const scheduler = new Scheduler(
    () => sorted,
    () => ++seq,
  );
  const ran: number[] = [];
  scheduler.on("note", (_data, at) => void ran.push(at));
  scheduler.schedule(15, "note", {});
  t.is(scheduler.runDue(100), 5);
  t.deepEqual(ran, [10, 15, 20, 20, 30]);
});

test("snapshot and restore round-trip the whole state, time included", async (t) => {
  const emulator = createEmulator();
  await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/as1`, setBody);
  emulator.control.advanceClock(3_600_000);
  const snapshot = emulator.control.snapshot();
  emulator.control.reset();
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/as1`)).status, 404);
  emulator.control.advanceClock(5_000);
  emulator.control.restore(JSON.parse(JSON.stringify(snapshot)) as unknown);
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/as1`)).status, 200);
  t.is(emulator.clock.now(), snapshot.nowMs);
});

test("restore refuses what is not a snapshot and keeps the current state", async (t) => {
  const emulator = createEmulator();
  await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/as1`, setBody);
  t.throws(() => emulator.control.restore({ formatVersion: 99 }), { message: /formatVersion 99/ });
  t.throws(() => emulator.control.restore({ ...emulator.control.snapshot(), timeline: "nope" }), { message: /timeline/ });
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/as1`)).status, 200);
});

test("fault rules fire after skip, at most times, and say which field is wrong", async (t) => {
  const emulator = createEmulator();
  emulator.control.addFault({
    match: { method: "get", path: "/subscriptions/*/resourceGroups/rg/**" },
    effect: { type: "error", status: 503, code: "ServerBusy" },
    skip: 1,
    times: 2,
  });
  const codes: (string | undefined)[] = [];
  for (let i = 0; i < 4; i++) codes.push(errorCode(await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/x`)));
  t.deepEqual(codes, ["ResourceNotFound", "ServerBusy", "ServerBusy", "ResourceNotFound"]);
  t.like(emulator.control.listFaults()[0], { seen: 4, fired: 2 });
  t.throws(() => emulator.control.addFault({ match: {}, effect: { type: "error", status: 200, code: "X" } }), { message: /effect\.status/ });
  t.throws(() => emulator.control.addFault({ match: { verb: "GET" }, effect: { type: "drop" } }), { message: /match/ });
});

test("probabilistic faults are deterministic for a seed", async (t) => {
  const outcomes = async (seed: number): Promise<string> => {
    const emulator = createEmulator({ seed });
    emulator.control.addFault({ match: { operationId: "AvailabilitySets_Get" }, effect: { type: "error", status: 500, code: "Flaky" }, probability: 0.5 });
    let out = "";
    for (let i = 0; i < 32; i++) out += errorCode(await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/x`)) === "Flaky" ? "x" : ".";
    return out;
  };
  const first = await outcomes(7);
  t.is(await outcomes(7), first);
  t.not(await outcomes(8), first);
  t.regex(first, /x/);
  t.regex(first, /\./);
});

test("the control surface is served over HTTP paths under /_emulator", async (t) => {
  const emulator = createEmulator();
  const base = "http://127.0.0.1:1/_emulator";
  const clock = await send(emulator, "GET", `${base}/clock`);
  t.is(clock.json.mode, "virtual");
  const advanced = await send(emulator, "POST", `${base}/clock/advance`, { ms: 60_000 });
  t.is(Date.parse(String(advanced.json.now)) - Date.parse(String(clock.json.now)), 60_000);
  t.is(errorCode(await send(emulator, "POST", `${base}/clock/advance`, { ms: -1 })), "InvalidClockAdvance");
  const fault = await send(emulator, "POST", `${base}/faults`, { id: "f1", match: { operationId: "X" }, effect: { type: "drop" } });
  t.is(fault.status, 201);
  t.is((await send(emulator, "DELETE", `${base}/faults/f1`)).status, 204);
  t.is((await send(emulator, "DELETE", `${base}/faults/f1`)).status, 404);
  t.deepEqual((await send(emulator, "PUT", `${base}/regions/eastus/outage`)).json, { regionsDown: ["eastus"] });
  t.is((await send(emulator, "POST", `${base}/reset`)).status, 204);
  t.is(errorCode(await send(emulator, "GET", `${base}/nothing`)), "UnknownControlOperation");
});

test("with persistence, state is saved before a write is answered", async (t) => {
  const saved: EmulatorState[] = [];
  const persistence: StatePersistence = {
    load: () => undefined,
    save: async (state) => {
      saved.push(JSON.parse(JSON.stringify(state)) as EmulatorState);
    },
    close: async () => undefined,
  };
  const emulator = createEmulator({ persistence });
  await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/as1`, setBody);
  t.is(saved.length, 1);
  t.truthy(Object.values(saved[0]?.resources ?? {}).find((r) => r.id.endsWith("/as1")));
  await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/as1`);
  t.is(saved.length, 1, "a plain read saves nothing");
});

test("a failing save is reported, not swallowed", async (t) => {
  const persistence: StatePersistence = {
    load: () => undefined,
    save: async () => {
      throw new Error("disk full");
    },
    close: async () => undefined,
  };
  const emulator = createEmulator({ persistence });
  const response = await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/as1`, setBody);
  t.is(response.status, 500);
  t.is(errorCode(response), "StatePersistenceFailed");
});

test("a finished operation's status is readable for a day, then forgotten", async (t) => {
  const emulator = createEmulator();
  const created = await send(emulator, "PUT", `${rgUrl("rg")}/virtualMachines/vm1`, rawVmBody("rg", "vm1"));
  const statusUrl = created.headers["azure-asyncoperation"] as string;
  emulator.control.advanceClock(5 * 60_000);
  t.is((await send(emulator, "GET", statusUrl)).json.status, "Succeeded");
  emulator.control.advanceClock(24 * 3600_000);
  const expired = await send(emulator, "GET", statusUrl);
  t.is(expired.status, 404);
  t.is(errorCode(expired), "OperationNotFound");
  t.deepEqual(emulator.control.snapshot().operations, {});
});
