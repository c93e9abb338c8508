import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { StateFile } from "../../emulator/index.js";
import { emulatorUrl, startCli } from "../helpers/cliProcess.js";
import { SUB } from "../helpers/fixtures.js";

const API = "api-version=2026-03-01";
const setsUrl = (base: string): string => `${base}/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets`;

async function putSet(base: string, name: string): Promise<number> {
  const response = await fetch(`${setsUrl(base)}/${name}?${API}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ location: "westeurope", properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 5 }, sku: { name: "Aligned" } }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function listSetNames(base: string): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined = `${setsUrl(base)}?${API}`;
  while (next !== undefined) {
    const page = (await (await fetch(next)).json()) as { value: { name: string }[]; nextLink?: string };
    names.push(...page.value.map((s) => s.name));
    next = page.nextLink;
  }
  return names;
}

test("emulator prints its loopback URL and answers ARM requests", async (t) => {
  const cli = startCli(t, ["emulator", "--port", "0"]);
  const url = await emulatorUrl(cli);
  t.regex(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.is(await putSet(url, "as1"), 200);
  t.deepEqual(await listSetNames(url), ["as1"]);
});

test("a server killed hard in the middle of writes restarts with every acknowledged write", async (t) => {
  const state = join(mkdtempSync(join(tmpdir(), "azure-dr-state-")), "state.json");
  const first = startCli(t, ["emulator", "--port", "0", "--state", state]);
  const url = await emulatorUrl(first);
  const acknowledged: string[] = [];
  let killed = false;
  const writer = (async () => {
    for (let i = 0; !killed; i++) {
      try {
        if ((await putSet(url, `set-${i}`)) === 200) acknowledged.push(`set-${i}`);
      } catch {
        return;
      }
    }
  })();
  while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
  first.child.kill("SIGKILL");
  killed = true;
  await first.exited;
  await writer;

  t.notThrows(() => StateFile.read(state), "the state file and its journal load after a hard kill");
  const second = startCli(t, ["emulator", "--port", "0", "--state", state]);
  const restarted = await emulatorUrl(second);
  const names = new Set(await listSetNames(restarted));
  for (const name of acknowledged) t.true(names.has(name), `acknowledged write ${name} survived`);
  second.child.kill("SIGINT");
  t.is(await second.exited, 0);
});

test("ctrl-c stops the server cleanly and keeps its state", async (t) => {
  const state = join(mkdtempSync(join(tmpdir(), "azure-dr-state-")), "state.json");
  const first = startCli(t, ["emulator", "--port", "0", "--state", state, "--time", "real"]);
  const url = await emulatorUrl(first);
  t.is(await putSet(url, "kept"), 200);
  first.child.kill("SIGINT");
  t.is(await first.exited, 0);
  t.regex(first.stderr(), /SIGINT: stopping/);

  const second = startCli(t, ["emulator", "--port", "0", "--state", state]);
  t.deepEqual(await listSetNames(await emulatorUrl(second)), ["kept"]);
});

test("a second server on the same state file is refused while the first runs", async (t) => {
  const state = join(mkdtempSync(join(tmpdir(), "azure-dr-state-")), "state.json");
  const first = startCli(t, ["emulator", "--port", "0", "--state", state]);
  await emulatorUrl(first);
  const second = startCli(t, ["emulator", "--port", "0", "--state", state]);
  t.is(await second.exited, 1);
  t.regex(second.stderr(), /already being held|lock/i);
});

test("bad options are refused with a clear message", async (t) => {
  const badPort = startCli(t, ["emulator", "--port", "99999"]);
  t.not(await badPort.exited, 0);
  t.regex(badPort.stderr(), /port is an integer from 0 to 65535/);
  const badHost = startCli(t, ["emulator", "--host", "0.0.0.0"]);
  t.not(await badHost.exited, 0);
  t.regex(badHost.stderr(), /Allowed choices are 127\.0\.0\.1, ::1, localhost/);
  const badTime = startCli(t, ["emulator", "--time", "warp"]);
  t.not(await badTime.exited, 0);
});
