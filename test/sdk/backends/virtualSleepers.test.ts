import test from "ava";
import { createFakeBackend } from "../../../sdk/index.js";

const MINUTE = 60_000;

test("parallel waits on the fake clock overlap as on a real clock", async (t) => {
  const backend = await createFakeBackend();
  const start = backend.clock.now().getTime();
  await Promise.all(Array.from({ length: 50 }, () => backend.clock.sleep(5 * MINUTE)));
  t.is(backend.clock.now().getTime() - start, 5 * MINUTE);
});

test("staggered waits wake in order, each at its own time", async (t) => {
  const backend = await createFakeBackend();
  const start = backend.clock.now().getTime();
  const woke: [number, number][] = [];
  await Promise.all(
    [3, 1, 2].map(async (minutes) => {
      await backend.clock.sleep(minutes * MINUTE);
      woke.push([minutes, backend.clock.now().getTime() - start]);
    }),
  );
  t.deepEqual(woke, [
    [1, MINUTE],
    [2, 2 * MINUTE],
    [3, 3 * MINUTE],
  ]);
});

test("a wait started after another wakes relative to its own start", async (t) => {
  const backend = await createFakeBackend();
  const start = backend.clock.now().getTime();
  const times: number[] = [];
  await Promise.all([
    (async () => {
      await backend.clock.sleep(2 * MINUTE);
      times.push(backend.clock.now().getTime() - start);
      await backend.clock.sleep(2 * MINUTE);
      times.push(backend.clock.now().getTime() - start);
    })(),
    (async () => {
      await backend.clock.sleep(3 * MINUTE);
      times.push(backend.clock.now().getTime() - start);
    })(),
  ]);
  t.deepEqual(times, [2 * MINUTE, 3 * MINUTE, 4 * MINUTE]);
});

test("a thousand waits due together all wake at that time, in the order they slept, before the clock moves again", async (t) => {
  const backend = await createFakeBackend();
  const start = backend.clock.now().getTime();
  const woke: [number, number][] = [];
  // Each waiter sleeps again once woken (a poller's next poll): the clock must not jump to that second
  // wake-up while waiters of the first one are still asleep.
  await Promise.all(
    Array.from({ length: 1000 }, async (_, index) => {
      await backend.clock.sleep(MINUTE);
      woke.push([index, backend.clock.now().getTime() - start]);
      await backend.clock.sleep(MINUTE);
    }),
  );
  t.deepEqual(
    woke,
    Array.from({ length: 1000 }, (_, index) => [index, MINUTE]),
  );
  t.is(backend.clock.now().getTime() - start, 2 * MINUTE);
});

test("an aborted wait rejects with code Aborted and does not move time for the others", async (t) => {
  const backend = await createFakeBackend();
  const start = backend.clock.now().getTime();
  const aborter = new AbortController();
  const long = backend.clock.sleep(60 * MINUTE, { abortSignal: aborter.signal });
  aborter.abort();
  const error = await t.throwsAsync(long);
  t.is((error as { code?: string }).code, "Aborted");
  await backend.clock.sleep(MINUTE);
  t.is(backend.clock.now().getTime() - start, MINUTE);
});
