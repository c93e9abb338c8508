import test from "ava";
import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { PollPacer, pollToEnd, type OperationPoller } from "../../sdk/azure/operationPolling.js";
import { POLL_INTERVAL_HEADER } from "../../emulator/index.js";
import type { Clock } from "../../sdk/index.js";

const response = (headers: Record<string, string>): { headers: ReturnType<typeof createHttpHeaders> } => ({ headers: createHttpHeaders(headers) });

/** A clock that records the waits asked of it and rejects a wait whose signal fired. */
function recordingClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => new Date(0),
    sleep: async (ms, options = {}) => {
      if (options.abortSignal?.aborted === true) throw Object.assign(new Error("aborted"), { name: "AbortError" });
      waits.push(ms);
    },
  };
}

/** An operation that is done after `polls` polls, its responses going to `pacer`. */
function operation(polls: number, pacer: PollPacer, intervals: Record<string, string>[]): OperationPoller<string> & { done: () => boolean; sent: number } {
  const op = {
    sent: 0,
    done: () => op.sent >= polls,
    poll: async () => {
      pacer.onResponse(response(intervals[op.sent] ?? {}));
      op.sent++;
    },
    pollUntilDone: async () => (op.done() ? "result" : Promise.reject(new Error("not done"))),
  };
  return op;
}

test("the pacer takes an emulated backend's virtual interval first, else Retry-After in seconds or as a date, else 2 seconds", (t) => {
  const pacer = new PollPacer(POLL_INTERVAL_HEADER);
  t.is(pacer.nextWaitMs, 2_000, "nothing said yet: core-lro's default");
  pacer.onResponse(response({ "retry-after": "30" }));
  t.is(pacer.nextWaitMs, 30_000);
  pacer.onResponse(response({ "retry-after": "0", [POLL_INTERVAL_HEADER]: "15000" }));
  t.is(pacer.nextWaitMs, 15_000, "in virtual time Retry-After is 0 and the emulator's header names the interval");
  const onAzure = new PollPacer(undefined);
  onAzure.onResponse(response({ "retry-after": "20", [POLL_INTERVAL_HEADER]: "15000" }));
  t.is(onAzure.nextWaitMs, 20_000, "a backend without the header reads Retry-After only");
  pacer.onResponse(response({ "retry-after": new Date(Date.now() + 3_600_000).toUTCString() }));
  t.true(pacer.nextWaitMs > 3_590_000 && pacer.nextWaitMs <= 3_600_000, "an HTTP date");
  pacer.onResponse(response({}));
  t.true(pacer.nextWaitMs > 3_590_000, "a response that names no interval keeps the last one");
  pacer.onResponse(response({ "retry-after": "soon" }));
  t.true(pacer.nextWaitMs > 3_590_000, "an unreadable Retry-After is ignored");
});

test("an operation is polled until done, with the wait the last response named before each poll, on the given clock", async (t) => {
  const pacer = new PollPacer(POLL_INTERVAL_HEADER);
  pacer.onResponse(response({ "retry-after": "30" }));
  const clock = recordingClock();
  const op = operation(3, pacer, [{ "retry-after": "10" }, { "retry-after": "5" }, {}]);
  t.is(await pollToEnd(op, op.done, pacer, clock, undefined), "result");
  t.is(op.sent, 3);
  t.deepEqual(clock.waits, [30_000, 10_000, 5_000]);
});

test("an operation done when started is not polled; an aborted wait stops polling with Aborted", async (t) => {
  const pacer = new PollPacer(POLL_INTERVAL_HEADER);
  const clock = recordingClock();
  const done = operation(0, pacer, []);
  t.is(await pollToEnd(done, done.done, pacer, clock, undefined), "result");
  t.deepEqual(clock.waits, []);

  const controller = new AbortController();
  controller.abort();
  const running = operation(5, pacer, []);
  const error = await t.throwsAsync(pollToEnd(running, running.done, pacer, clock, controller.signal));
  t.is(error.name, "AbortError", "the wait got the signal");
  t.is(running.sent, 0, "nothing was sent after the abort");
});
