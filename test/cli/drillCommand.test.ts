import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { stringify as toYaml } from "yaml";
import { SAMPLE_TOPOLOGY, createFakeBackend, type DrillReport } from "../../sdk/index.js";
import { NO_CONFIG, runCli, startCli } from "../helpers/cliProcess.js";

function workdir(): string {
  return mkdtempSync(join(tmpdir(), "azure-dr-drill-"));
}

test("the default drill rehearses the sample estate on the embedded emulator, shows progress and writes both reports", async (t) => {
  const dir = workdir();
  const { code, stdout, stderr } = await runCli(t, ["drill", "--fresh", "--state", join(dir, "state.json"), "--out", dir], { cwd: dir, env: NO_CONFIG });
  t.is(code, 0, stderr);
  t.regex(stdout, /Building the estate on the fake backend \(vault shop-vault, 4 VMs, 1 plan\(s\)\)/);
  t.regex(
    stdout,
    /\[ +\d+\.\ds \| \+00:\d\d:\d\d\] shop: test failover › Group 1: start 2 virtual machine\(s\): Succeeded/,
    "live progress per group with real and virtual time",
  );
  t.regex(stdout, /shop: ok {3}protected: 4 VM\(s\) protected/);
  t.regex(stdout, /Drill of vault dr-rg\/shop-vault on fake \(rehearsal\): PASSED/);
  t.regex(stderr, /^backend: fake \(embedded emulator, state file .*state\.json\); the default\n/);
  t.regex(
    stdout,
    /shop: Group 1 \(end\): manual action 'check-db': approved automatically \(emulated backend\); the plan goes on\n/,
    "the rehearsal approves the manual action itself, and says so as it goes",
  );
  t.regex(stdout, /Manual actions:\n {2}shop: Group 1 \(end\): manual action 'check-db': approved automatically \(emulated backend\)\n/);
  t.like(JSON.parse(readFileSync(join(dir, "last-topology.json"), "utf8")), {
    backend: "fake",
    vault: { resourceGroup: "dr-rg", name: "shop-vault" },
    topology: "sample shop",
  });
  t.regex(stdout, /plan +outcome +RPO reached +RTO reached +scenario +test failover +cleanup/);
  t.regex(stdout, /shop +passed +\d+m \d\ds +\d+m \d\ds +Azure to Azure +\d+m \d\ds ok +\d+m \d\ds ok/);
  const report = JSON.parse(readFileSync(join(dir, "drill-report.json"), "utf8")) as DrillReport;
  t.is(report.outcome, "passed");
  t.deepEqual(
    report.plans[0]?.steps.map((s) => s.name),
    ["test failover", "cleanup"],
  );
  t.true((report.plans[0]?.rtoSeconds ?? 0) > 0);
  t.regex(readFileSync(join(dir, "drill-report.html"), "utf8"), /<canvas[^>]*id="timeline"/);
});

test("--full runs the whole cycle there and back; --json prints the report for machines", async (t) => {
  const dir = workdir();
  const { code, stdout, stderr } = await runCli(t, ["drill", "--full", "--json", "--fresh", "--state", join(dir, "state.json"), "--out", dir], {
    cwd: dir,
    env: NO_CONFIG,
  });
  t.is(code, 0, stderr);
  const report = JSON.parse(stdout) as DrillReport;
  t.is(report.outcome, "passed");
  t.true(report.full);
  t.deepEqual(
    report.plans[0]?.steps.map((s) => `${s.name}:${s.state}`),
    [
      "test failover:Succeeded",
      "cleanup:Succeeded",
      "failover:Succeeded",
      "commit:Succeeded",
      "reprotect:Succeeded",
      "failback:Succeeded",
      "failback commit:Succeeded",
      "reprotect back:Succeeded",
    ],
  );
  t.is(report.plans[0]?.steps.find((s) => s.name === "failover")?.dataLossSeconds, 0, "a planned failover loses nothing");
  t.true((report.plans[0]?.rpoSeconds ?? 0) > 0, "the plan's RPO is the rehearsal's, from the newest recovery points");
  t.regex(stderr, /shop: failback › Group 2: start 2 virtual machine\(s\): Succeeded/, "progress goes to stderr with --json");
});

test("a topology file in YAML is validated with messages naming the field, and drilled", async (t) => {
  const dir = workdir();
  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, toYaml({ ...SAMPLE_TOPOLOGY, plans: [{ name: "shop", groups: [{ vms: ["db-1", "nope"] }] }] }));
  const refused = await runCli(t, ["drill", "--topology", bad, "--state", join(dir, "s1.json")], { cwd: dir, env: NO_CONFIG });
  t.is(refused.code, 2);
  t.regex(refused.stderr, /ValidationFailed: topology\(.*bad\.yaml\)\.plans\[0\]\.groups\[0\]\.vms\[1\]: 'nope' is not in vms/);
  t.regex(refused.stderr, /what to do: check the value named above/);

  const good = join(dir, "estate.yml");
  writeFileSync(
    good,
    toYaml({
      ...SAMPLE_TOPOLOGY,
      vms: SAMPLE_TOPOLOGY.vms.slice(2),
      availabilitySets: [{ resourceGroup: "shop-rg", name: "web-avset" }],
      plans: [{ name: "web", groups: [{ vms: ["web-1"] }, { vms: ["web-2"] }] }],
    }),
  );
  const drilled = await runCli(t, ["drill", "--topology", good, "--fresh", "--state", join(dir, "s2.json"), "--out", dir], { cwd: dir, env: NO_CONFIG });
  t.is(drilled.code, 0, drilled.stderr);
  t.regex(drilled.stdout, /web +passed +.* +Azure to Azure /);
});

test("a fault in one group fails the drill with a clear report and a non-zero exit; the test VMs are cleaned up", async (t) => {
  const dir = workdir();
  const state = join(dir, "state.json");
  // Build the estate, then make web-2's next failover fail through the emulator's control surface saved in the state.
  t.is((await runCli(t, ["drill", "--fresh", "--state", state, "--out", dir], { cwd: dir, env: NO_CONFIG })).code, 0);
  const backend = await createFakeBackend({ stateFile: state });
  const injected = await backend.emulator.handle({
    method: "POST",
    url: "https://management.azure.com/_emulator/failoverFaults",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      target: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/shop-rg/providers/Microsoft.Compute/virtualMachines/web-2",
      code: "AzureVmCreationFailed",
      message: "No capacity in northeurope",
    }),
  });
  t.is(injected.status, 201, injected.body);
  await backend.close();
  const failed = await runCli(t, ["drill", "--state", state, "--out", dir], { cwd: dir, env: NO_CONFIG });
  t.is(failed.code, 1, failed.stderr);
  t.regex(failed.stdout, /Drill of vault dr-rg\/shop-vault on fake \(rehearsal\): FAILED/);
  t.regex(failed.stdout, /shop: test failover failed: RecoveryPlanGroupFailed: .*web-2: AzureVmCreationFailed: No capacity in northeurope/);
  const report = JSON.parse(readFileSync(join(dir, "drill-report.json"), "utf8")) as DrillReport;
  t.deepEqual(
    report.plans[0]?.steps.map((s) => `${s.name}:${s.state}`),
    ["test failover:Failed", "cleanup:Succeeded"],
    "what came up is cleaned up",
  );
  const groups = report.plans[0]?.steps[0]?.tasks.map((task) => `${task.name}:${task.state}`);
  t.true(groups?.includes("StartGroup2:Failed"));
});

test("Ctrl-C stops the drill safely and says how to clean up", async (t) => {
  const dir = workdir();
  // Real time, sped up: the drill takes long enough in wall-clock time to be interrupted.
  const cli = startCli(t, ["drill", "--fresh", "--time", "real", "--time-scale", "60", "--state", join(dir, "state.json"), "--out", dir], {
    cwd: dir,
    env: NO_CONFIG,
  });
  const deadline = Date.now() + 60_000;
  while (!/shop: test failover \.\.\./.test(cli.stdout()) && Date.now() < deadline && cli.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  cli.child.kill("SIGINT");
  const code = await cli.exited;
  t.is(code, 130, cli.stdout() + cli.stderr());
  t.regex(cli.stderr(), /Ctrl-C: stopping the drill/);
  t.regex(cli.stdout(), /STOPPED/);
  t.regex(cli.stdout(), /Next steps:\n {2}azure-dr cleanup --vault dr-rg\/shop-vault --plan shop/);
});
