import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import type { DrillReport } from "../../sdk/index.js";
import { NO_CONFIG, emulatorUrl, runCli, startCli } from "../helpers/cliProcess.js";

function workdir(): string {
  return mkdtempSync(join(tmpdir(), "azure-dr-drill-hyperv-"));
}

test("--sample hyperv --full --json drills the built-in Hyper-V estate to Azure and back, reported as HyperVReplicaAzure", async (t) => {
  const dir = workdir();
  const { code, stdout, stderr } = await runCli(
    t,
    ["drill", "--sample", "hyperv", "--full", "--json", "--fresh", "--state", join(dir, "state.json"), "--out", dir],
    {
      cwd: dir,
      env: NO_CONFIG,
    },
  );
  t.is(code, 0, stderr);
  t.regex(stderr, /Building the estate on the fake backend \(vault onprem-vault, 3 VMs, 1 plan\(s\)\)/, "progress goes to stderr with --json");
  t.regex(stderr, /estate: 3 Hyper-V VMs protected/);
  t.regex(stderr, /onprem: ok {3}fresh-recovery-points: RPO ≤ 900 s/);
  t.regex(stderr, /onprem: failback › Group 2: start 2 virtual machine\(s\) on-premises: Succeeded/);
  const report = JSON.parse(stdout) as DrillReport;
  t.is(report.outcome, "passed");
  t.true(report.full);
  t.deepEqual(report.vault, { resourceGroup: "onprem-dr-rg", name: "onprem-vault" });
  const plan = report.plans[0];
  t.is(report.plans.length, 1);
  t.is(plan?.plan, "onprem");
  t.is(plan?.scenario, "HyperVReplicaAzure");
  t.deepEqual(
    plan?.steps.map((s) => `${s.name}:${s.state}`),
    [
      "test failover:Succeeded",
      "cleanup:Succeeded",
      "failover:Succeeded",
      "commit:Succeeded",
      "failback:Succeeded",
      "failback commit:Succeeded",
      "reprotect:Succeeded",
    ],
  );
  t.true((plan?.rpoSeconds ?? 0) > 0, "RPO reached in the rehearsal");
  t.true((plan?.rtoSeconds ?? 0) > 0, "RTO reached in the rehearsal");
  t.is(plan?.steps.find((s) => s.name === "failover")?.dataLossSeconds, 0, "a planned failover loses nothing");
  t.deepEqual(plan?.steps[0]?.items.map((i) => `${i.group}`).sort(), ["1", "2", "2"], "sql-0 first, then the two web VMs");
  t.deepEqual(JSON.parse(readFileSync(join(dir, "drill-report.json"), "utf8")), JSON.parse(stdout), "the file holds the same report");
  const html = readFileSync(join(dir, "drill-report.html"), "utf8");
  t.regex(html, /<td class="scenario" data-scenario="HyperVReplicaAzure">Hyper-V to Azure<\/td>/);
  t.regex(html, /<h2>Plan onprem <span class="badge outcome-passed">passed<\/span> <small class="scenario">Hyper-V to Azure<\/small><\/h2>/);
});

test("the summary table names the Hyper-V plan's scenario; --sample and --topology are refused together, an unknown sample too", async (t) => {
  const dir = workdir();
  const drilled = await runCli(t, ["drill", "--sample", "hyperv", "--fresh", "--state", join(dir, "state.json"), "--out", dir], { cwd: dir, env: NO_CONFIG });
  t.is(drilled.code, 0, drilled.stderr);
  t.regex(drilled.stdout, /Drill of vault onprem-dr-rg\/onprem-vault on fake \(rehearsal\): PASSED/);
  t.regex(drilled.stdout, /plan +outcome +RPO reached +RTO reached +scenario +test failover +cleanup/);
  t.regex(drilled.stdout, /onprem +passed +\d+m \d\ds +\d+m \d\ds +Hyper-V to Azure +\d+m \d\ds ok +\d+m \d\ds ok/);

  const both = await runCli(t, ["drill", "--sample", "hyperv", "--topology", join(dir, "estate.yaml"), "--state", join(dir, "s2.json")], {
    cwd: dir,
    env: NO_CONFIG,
  });
  t.is(both.code, 2);
  t.regex(both.stderr, /ValidationFailed: sample: cannot be combined with --topology/);
  const unknown = await runCli(t, ["drill", "--sample", "vmware", "--state", join(dir, "s3.json")], { cwd: dir, env: NO_CONFIG });
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /ValidationFailed: sample: must be one of: shop, hyperv \(not 'vmware'\)/);
});

test("on an emulator server the Hyper-V hosts are registered through its control surface over HTTP, and the estate drilled", async (t) => {
  const dir = workdir();
  const server = startCli(t, ["emulator", "--port", "0"], { cwd: dir, env: NO_CONFIG });
  const url = await emulatorUrl(server);
  const { code, stdout, stderr } = await runCli(t, ["drill", "--sample", "hyperv", "--json", "--backend", "emulator", "--emulator-url", url, "--out", dir], {
    cwd: dir,
    env: NO_CONFIG,
  });
  t.is(code, 0, stderr);
  t.regex(stderr, /Building the estate on the emulator backend/);
  t.regex(stderr, /estate: Hyper-V site site-onprem: 2 host\(s\) registered/);
  const report = JSON.parse(stdout) as DrillReport;
  t.is(report.backend, "emulator");
  t.is(report.outcome, "passed");
  t.is(report.plans[0]?.scenario, "HyperVReplicaAzure");
  const response = await fetch(`${url}/_emulator/hyperV/vms`);
  t.is(response.status, 200);
  t.regex(JSON.stringify(await response.json()), /"sql-0"/, "the server knows the VMs the drill registered");
});
