import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { createEmulator, StateFile, type EmulatorState, type StatePersistence } from "../../../emulator/index.js";
import { DrClient, SAMPLE_TOPOLOGY, createFakeBackend, provisionEstate, runDrill, topologySchema } from "../../../sdk/index.js";
import { errorCode, rgUrl, send } from "../../helpers/emulatorRequests.js";

const setBody = { location: "westeurope", properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 5 } };

function tempStatePath(): string {
  return join(mkdtempSync(join(tmpdir(), "azure-dr-persistence-")), "state.json");
}

/** Keeps the last saved state as a JSON copy; `failures` saves from now on reject. */
class FlakyPersistence implements StatePersistence {
  saved: string | undefined;
  saves = 0;
  failures = 0;
  /** Resolve to let the save in progress finish. */
  gate: Promise<void> = Promise.resolve();

  load(): EmulatorState | undefined {
    return this.saved === undefined ? undefined : (JSON.parse(this.saved) as EmulatorState);
  }

  async save(state: EmulatorState): Promise<void> {
    const text = JSON.stringify(state);
    await this.gate;
    this.saves++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error("disk full");
    }
    this.saved = text;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

test("a failed save rolls the change back, and the next request works once the disk does", async (t) => {
  const persistence = new FlakyPersistence();
  const emulator = createEmulator({ persistence });
  t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/kept`, setBody)).status, 200);
  persistence.failures = 1;
  const failed = await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/lost`, setBody);
  t.is(failed.status, 500);
  t.is(errorCode(failed), "StatePersistenceFailed");
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/lost`)).status, 404, "the unsaved change is gone from memory");
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/kept`)).status, 200, "what was saved stays");
  t.is(
    emulator.resources.get(`/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets/lost`),
    undefined,
  );
  t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/again`, setBody)).status, 200, "not poisoned");
  const saved = persistence.load();
  t.deepEqual(
    Object.keys(saved?.resources ?? {}).map((key) => key.split("/").pop()),
    ["kept", "again"],
  );
});

test("every request that shared a failed save, or queued behind it, gets 500; later ones do not", async (t) => {
  const persistence = new FlakyPersistence();
  const emulator = createEmulator({ persistence });
  let open = (): void => undefined;
  persistence.gate = new Promise<void>((resolve) => (open = resolve));
  persistence.failures = 1;
  // The first save begins with "a"; "b" and "c" wait for the next one, which builds on the failed state.
  const a = send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/a`, setBody);
  await new Promise((resolve) => setImmediate(resolve));
  const b = send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/b`, setBody);
  const read = send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/a`);
  open();
  const answers = await Promise.all([a, b, read]);
  t.deepEqual(
    answers.map((r) => errorCode(r)),
    ["StatePersistenceFailed", "StatePersistenceFailed", "StatePersistenceFailed"],
    "the read saw 'a', which was never saved",
  );
  const later = await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/c`, setBody);
  t.is(later.status, 200);
  const names = Object.keys(persistence.load()?.resources ?? {}).map((key) => key.split("/").pop());
  t.deepEqual(names, ["c"]);
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/b`)).status, 404);
});

test("a state file that cannot be written: 500, the change rolled back, and it works again once writable", async (t) => {
  const path = tempStatePath();
  // Every save folds the journal into the snapshot, so each append opens the journal by its path.
  const file = await StateFile.open(path, { minCompactionBytes: 0, compactionFactor: 0 });
  const emulator = createEmulator({ persistence: file });
  t.teardown(() => file.close());
  t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/kept`, setBody)).status, 200);
  // The journal's path becomes a directory: opening it to append fails (as root too), and so does reading it back.
  rmSync(file.journalPath, { force: true });
  mkdirSync(file.journalPath);
  const failed = await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/lost`, setBody);
  t.is(errorCode(failed), "StatePersistenceFailed");
  t.is(errorCode(await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/kept`)), "StatePersistenceFailed", "the saved state cannot be read yet");
  rmSync(file.journalPath, { recursive: true });
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/lost`)).status, 404, "rolled back to the saved state");
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/kept`)).status, 200);
  t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/again`, setBody)).status, 200);
  t.deepEqual(names(await reopenCopy(path, file.journalPath)), ["again", "kept"]);
});

test("a failed append to the state file leaves memory and files as the last good save", async (t) => {
  const path = tempStatePath();
  const file = await StateFile.open(path);
  const emulator = createEmulator({ persistence: file });
  t.teardown(() => file.close());
  t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/kept`, setBody)).status, 200);
  const journal = readFileSync(file.journalPath);
  const original = file.save.bind(file);
  let failures = 1;
  file.save = async (state, changes) => {
    if (failures-- > 0) {
      // A write that tears half-way, as a full disk would.
      appendFileSync(file.journalPath, '{"r":{"x":');
      throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
    }
    return original(state, changes);
  };
  t.is(errorCode(await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/lost`, setBody)), "StatePersistenceFailed");
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/lost`)).status, 404);
  t.deepEqual(readFileSync(file.journalPath).subarray(0, journal.length), journal, "the saved records are intact");
  t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/again`, setBody)).status, 200);
  const reread = await reopenCopy(path, file.journalPath);
  t.deepEqual(names(reread), ["again", "kept"]);
});

test("acknowledged writes survive a reopen without close, and a torn last journal line is ignored", async (t) => {
  const path = tempStatePath();
  const file = await StateFile.open(path);
  const emulator = createEmulator({ persistence: file });
  t.teardown(() => file.close());
  for (const name of ["one", "two", "three"]) t.is((await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/${name}`, setBody)).status, 200);
  t.is((await send(emulator, "DELETE", `${rgUrl("rg")}/availabilitySets/two`)).status, 200);
  t.false(existsSync(path), "no snapshot yet: only the journal was written");
  appendFileSync(file.journalPath, '{"r":{"/subscriptions/x":{"id":"torn');
  const reread = await reopenCopy(path, file.journalPath);
  t.deepEqual(names(reread), ["one", "three"]);
  t.is(reread.nowMs, emulator.clock.now());
});

test("a torn tail is cut off when the file is loaded, so later records are read", async (t) => {
  const path = tempStatePath();
  const first = await StateFile.open(path);
  const before = createEmulator({ persistence: first });
  await send(before, "PUT", `${rgUrl("rg")}/availabilitySets/one`, setBody);
  await first.close();
  appendFileSync(`${path}.journal`, '{"r":{');
  const second = await StateFile.open(path);
  const after = createEmulator({ persistence: second });
  t.is((await send(after, "PUT", `${rgUrl("rg")}/availabilitySets/two`, setBody)).status, 200);
  t.false(readFileSync(`${path}.journal`, "utf8").includes('{"r":{{'), "the torn line is gone");
  const reread = await reopenCopy(path, second.journalPath);
  await second.close();
  t.deepEqual(names(reread), ["one", "two"]);
});

test("a damaged journal line before the last is refused, not skipped", async (t) => {
  const path = tempStatePath();
  writeFileSync(`${path}.journal`, 'not json\n{"s":{"nowMs":1}}\n');
  const file = await StateFile.open(path);
  t.teardown(() => file.close());
  t.throws(() => file.load(), { instanceOf: RangeError, message: /damaged at byte 0/ });
});

test("the journal is folded into the snapshot when it outgrows it, and on close", async (t) => {
  const path = tempStatePath();
  const file = await StateFile.open(path, { minCompactionBytes: 2_000, compactionFactor: 1 });
  const emulator = createEmulator({ persistence: file });
  let compacted = false;
  for (let i = 0; i < 20; i++) {
    await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/set-${i}`, setBody);
    if (existsSync(path) && statSync(file.journalPath).size === 0) compacted = true;
  }
  t.true(compacted, "the snapshot was rewritten and the journal emptied");
  const reread = await reopenCopy(path, file.journalPath);
  t.is(names(reread).length, 20);
  await send(emulator, "DELETE", `${rgUrl("rg")}/availabilitySets/set-0`);
  t.true(statSync(file.journalPath).size > 0);
  await file.close();
  t.is(statSync(`${path}.journal`).size, 0, "close folds the journal in");
  const snapshot = JSON.parse(readFileSync(path, "utf8")) as EmulatorState;
  t.is(Object.keys(snapshot.resources).length, 19);
  t.deepEqual(snapshot, emulator.control.snapshot());
});

test("restore and reset through the control surface are saved whole: what they removed stays removed", async (t) => {
  const path = tempStatePath();
  const file = await StateFile.open(path);
  const emulator = createEmulator({ persistence: file });
  t.teardown(() => file.close());
  await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/one`, setBody);
  const snapshot = emulator.control.snapshot();
  await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/two`, setBody);
  const restore = "https://management.azure.com/_emulator/snapshot";
  t.is((await send(emulator, "PUT", restore, snapshot)).status, 204);
  t.deepEqual(names(await reopenCopy(path, file.journalPath)), ["one"]);
  t.is((await send(emulator, "POST", "https://management.azure.com/_emulator/reset")).status, 204);
  t.deepEqual(names(await reopenCopy(path, file.journalPath)), []);
});

test("a state file without a journal (written before journals) loads as it is", async (t) => {
  const path = tempStatePath();
  const source = createEmulator();
  await send(source, "PUT", `${rgUrl("rg")}/availabilitySets/old`, setBody);
  writeFileSync(path, JSON.stringify(source.control.snapshot()));
  const file = await StateFile.open(path);
  t.teardown(() => file.close());
  const emulator = createEmulator({ persistence: file });
  t.is((await send(emulator, "GET", `${rgUrl("rg")}/availabilitySets/old`)).status, 200);
  t.false(existsSync(file.journalPath), "a read writes nothing");
});

test("after a drill, the files hold exactly what the emulator holds, without a close", async (t) => {
  const path = tempStatePath();
  const backend = await createFakeBackend({ stateFile: path, replicationBandwidthMBps: 512 });
  t.teardown(() => backend.close());
  const dr = new DrClient(backend);
  const topology = topologySchema.parse(SAMPLE_TOPOLOGY);
  await provisionEstate(dr, topology, backend.subscriptionId);
  const report = await runDrill(dr, {
    vault: { resourceGroup: topology.vault.resourceGroup, name: topology.vault.name },
    backend: "fake",
    testNetworkId: topology.network.testNetworkId,
    full: true,
    maxRpoSeconds: 900,
    applicationVms: topology.vms.map((v) => v.name),
  });
  t.is(report.outcome, "passed");
  // The last save covered every answered request; a state saved by in-process calls since is not expected.
  await backend.emulator.persist();
  const reread = await reopenCopy(path, `${path}.journal`);
  t.deepEqual(reread, backend.emulator.control.snapshot());
});

/** What another process would load from the files now (a copy, as the original is locked). */
async function reopenCopy(path: string, journalPath: string): Promise<EmulatorState> {
  const copy = tempStatePath();
  if (existsSync(path)) copyFileSync(path, copy);
  copyFileSync(journalPath, `${copy}.journal`);
  const file = await StateFile.open(copy);
  try {
    const state = file.load();
    if (state === undefined) throw new Error("nothing saved");
    return state;
  } finally {
    await file.close();
  }
}

function names(state: EmulatorState): string[] {
  return Object.keys(state.resources)
    .map((key) => key.split("/").pop() ?? "")
    .sort();
}
