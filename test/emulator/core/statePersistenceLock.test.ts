import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import test, { type ExecutionContext } from "ava";
import { openBackend } from "../../../cli/openBackend.js";
import type { CliSettings } from "../../../cli/settings.js";
import { StateFile, StateFileLockedError, createEmulator } from "../../../emulator/index.js";
import { InvalidStateError, ValidationError, createFakeBackend } from "../../../sdk/index.js";
import { rgUrl, send } from "../../helpers/emulatorRequests.js";

const CHILD = resolve(__dirname, "statePersistenceChild.ts");

function tempStatePath(): string {
  return join(mkdtempSync(join(tmpdir(), "azure-dr-lock-")), "state.json");
}

/** Starts the helper process and resolves once it printed `line`. */
async function startChild(t: ExecutionContext, args: string[], line: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { env: { ...process.env, NODE_NO_WARNINGS: "1" } });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((done, fail) => {
    createInterface({ input: child.stdout }).on("line", (text) => {
      if (text === line) done();
    });
    child.on("exit", (code) => fail(new Error(`the helper exited (${String(code)}) before '${line}': ${stderr}`)));
  });
  return child;
}

async function kill(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGKILL");
  await exited;
}

const NO_WAIT = { lock: { waitMs: 0 } };

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

test("a live holder keeps the lock however long its event loop stalls; a killed one is taken over", async (t) => {
  const path = tempStatePath();
  const holder = await startChild(t, ["hold", path, "9000"], "locked");
  // Longer than the 5 s after which the former lock went stale, while the holder cannot refresh anything.
  await sleep(6_000);
  const refused = await t.throwsAsync(StateFile.open(path), { instanceOf: StateFileLockedError });
  t.is(refused?.code, "StateFileLocked");
  t.is(refused?.holder?.pid, holder.pid);
  t.regex(refused?.message ?? "", new RegExp(`process ${String(holder.pid)} on ${hostname()}`));
  await kill(holder);
  const file = await StateFile.open(path);
  t.is((JSON.parse(readFileSync(`${path}.lock`, "utf8")) as { pid: number }).pid, process.pid, "the lock now names this process");
  await file.close();
  t.false(existsSync(`${path}.lock`), "close removes the lock");
});

test("acknowledged writes survive SIGKILL, and drill --fresh never deletes a file another process holds", async (t) => {
  const path = tempStatePath();
  const writer = await startChild(t, ["write", path, "3"], "acknowledged");
  await t.throwsAsync(StateFile.open(path, { ...NO_WAIT, fresh: true }), { instanceOf: StateFileLockedError });
  const settings = { backend: "fake", stateFile: path, time: "virtual", timeScale: 1 } as unknown as CliSettings;
  const error = await t.throwsAsync(openBackend(settings, { fresh: true }), { instanceOf: InvalidStateError });
  t.is(error?.code, "InvalidState");
  t.regex(error?.message ?? "", /is locked/);
  t.true(existsSync(`${path}.journal`), "the holder's state is untouched");

  await kill(writer);
  const file = await StateFile.open(path);
  const state = file.load();
  await file.close();
  const names = Object.keys(state?.resources ?? {}).map((key) => key.split("/").pop());
  t.deepEqual(names, ["set-0", "set-1", "set-2"], "every acknowledged write");

  const fresh = await createFakeBackend({ stateFile: path, fresh: true });
  t.is((await send(fresh.emulator, "GET", `${rgUrl("rg")}/availabilitySets/set-0`)).status, 404, "fresh starts empty");
  await fresh.close();
});

test("a second open in the same process is refused until the first closes", async (t) => {
  const path = tempStatePath();
  const first = await StateFile.open(path);
  await t.throwsAsync(StateFile.open(path, NO_WAIT), { instanceOf: StateFileLockedError });
  await t.throwsAsync(StateFile.open(path, { ...NO_WAIT, fresh: true }), { instanceOf: StateFileLockedError });
  const waiting = StateFile.open(path);
  await first.close();
  // A live holder is waited for (up to lock.waitMs) rather than refused at once.
  await (await waiting).close();
  t.pass();
});

test("fresh starts empty once locked; it needs a state file", async (t) => {
  const path = tempStatePath();
  const file = await StateFile.open(path);
  const emulator = createEmulator({ persistence: file });
  await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/old`, { location: "westeurope" });
  await file.close();
  t.true(existsSync(path));
  const fresh = await StateFile.open(path, { fresh: true });
  t.false(existsSync(path));
  t.false(existsSync(fresh.journalPath));
  t.is(fresh.load(), undefined);
  await fresh.close();
  const refused = await t.throwsAsync(createFakeBackend({ fresh: true }), { instanceOf: ValidationError });
  t.is(refused?.field, "fresh");
});

test("a lock of another host is taken over only after a long time unrefreshed", async (t) => {
  const path = tempStatePath();
  const lock = { pid: 1, hostname: `${hostname()}-elsewhere`, since: new Date().toISOString(), token: "other-host" };
  writeFileSync(`${path}.lock`, JSON.stringify(lock));
  await t.throwsAsync(StateFile.open(path, NO_WAIT), { instanceOf: StateFileLockedError });
  const anHourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(`${path}.lock`, anHourAgo, anHourAgo);
  const file = await StateFile.open(path);
  await file.close();
  t.pass();
});

test("a lock of this host whose process is gone is taken over; an unreadable one is not", async (t) => {
  const path = tempStatePath();
  const gone = spawn(process.execPath, ["-e", ""]);
  await new Promise((done) => gone.once("exit", done));
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: gone.pid, hostname: hostname(), since: new Date().toISOString(), token: "dead" }));
  const file = await StateFile.open(path);
  await file.close();
  writeFileSync(`${path}.lock`, "{ half");
  await t.throwsAsync(StateFile.open(path, NO_WAIT), { instanceOf: StateFileLockedError });
});

test("the former lock directory is honoured while fresh and taken over once stale", async (t) => {
  const path = tempStatePath();
  mkdirSync(`${path}.lock`);
  await t.throwsAsync(StateFile.open(path, NO_WAIT), { instanceOf: StateFileLockedError });
  const aMinuteAgo = new Date(Date.now() - 60_000);
  utimesSync(`${path}.lock`, aMinuteAgo, aMinuteAgo);
  const file = await StateFile.open(path);
  await file.close();
  t.false(existsSync(`${path}.lock`));
});
