import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import { StateFile } from "../../emulator/index.js";
import { DrClient, createFakeBackend, type MaintenanceInventory, type MaintenancePlan, type MaintenanceRunReport } from "../../sdk/index.js";
import { runCli, startCli } from "../helpers/cliProcess.js";
import { vmInput } from "../helpers/fixtures.js";

const NO_CONFIG = { AZURE_DR_BACKEND: undefined, AZURE_DR_STATE: undefined, AZURE_DR_CONFIG: undefined, AZURE_SUBSCRIPTION_ID: undefined };

/**
 * A folder whose fake-backend state holds shop-rg: web-as (web-0..web-2 over 2 update domains),
 * db-as (db-0, db-1) and a single-instance VM, all in a maintenance wave open now; and `cli`, which
 * runs `azure-dr` there on that state.
 */
async function shop(t: ExecutionContext) {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-maintenance-"));
  const state = join(dir, "state.json");
  const backend = await createFakeBackend({ stateFile: state });
  const dr = new DrClient(backend);
  const ids: string[] = [];
  for (const [set, names] of [
    ["web-as", ["web-0", "web-1", "web-2"]],
    ["db-as", ["db-0", "db-1"]],
  ] as const) {
    const created = await dr.availabilitySets.createOrUpdate("shop-rg", set, { location: "westeurope", updateDomainCount: 2 });
    for (const name of names) ids.push((await dr.virtualMachines.create("shop-rg", name, vmInput("shop-rg", name, { availabilitySetId: created.id }))).id);
  }
  ids.push((await dr.virtualMachines.create("shop-rg", "jump", vmInput("shop-rg", "jump"))).id);
  // Through the control route, so that the wave is written to the state file like any request.
  const wave = await backend.emulator.handle({
    method: "POST",
    url: "https://management.azure.com/_emulator/maintenance/waves",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ virtualMachineIds: ids }),
  });
  t.is(wave.status, 201);
  await dr.close();
  const cli = (args: string[], env: Record<string, string | undefined> = {}): ReturnType<typeof runCli> =>
    runCli(t, ["maintenance", ...args, "--state", state], { cwd: dir, env: { ...NO_CONFIG, ...env } });
  return { dir, state, cli };
}

/** How many times each VM's maintenance was started, from the emulator's event log in the state file. */
async function startsIn(state: string): Promise<Record<string, number>> {
  const backend = await createFakeBackend({ stateFile: state });
  const counts: Record<string, number> = {};
  for (const event of backend.emulator.control.maintenanceEvents())
    if (event.type === "selfServiceStarted") counts[event.virtualMachineName] = (counts[event.virtualMachineName] ?? 0) + 1;
  await backend.close();
  return counts;
}

test("status shows the windows by set and update domain, plan shows the order and what is left out, and a dry run starts nothing", async (t) => {
  const { cli, state } = await shop(t);
  const status = await cli(["status", "--resource-group", "shop-rg"]);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, /Planned maintenance in shop-rg, read at .*: 6 VM\(s\)/);
  t.regex(
    status.stdout,
    /Availability set web-as \(shop-rg, 2 update domains, 2 fault domains\)\n +UD +VM +power +maintenance +start now +self-service window +scheduled window +last result\n +0 +web-0 +running +selfServiceOpen +yes +\d{4}-\d\d-\d\d \d\d:\d\dZ -> /,
  );
  t.regex(status.stdout, /\n +1 +web-1 +running/);
  t.regex(status.stdout, /Single-instance VMs \(in no availability set: Azure gives no guarantee of which VMs are maintained together\)\n.*\n +- +jump/);
  const json = JSON.parse((await cli(["status", "--resource-group", "shop-rg", "--availability-set", "db-as", "--json"])).stdout) as MaintenanceInventory;
  t.deepEqual(
    json.vms.map((vm) => `${vm.name}:${vm.updateDomain}:${vm.maintenance.phase}:${vm.maintenance.selfServiceAllowed}`),
    ["db-0:0:selfServiceOpen:true", "db-1:1:selfServiceOpen:true"],
  );

  const plan = await cli(["plan", "--resource-group", "shop-rg", "--order", "db-as,web-as", "--gap-update-domains", "45m"]);
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /Maintenance plan: 5 VM\(s\) in 5 step\(s\), one VM at a time, never two update domains of a set at once/);
  t.regex(
    plan.stdout,
    /\n +1 +\S+ \S+ +- +perform +db-0 \(db-as UD 0\)\n +2 +\S+ \S+ +45m \(between update domains\) +perform +db-1 \(db-as UD 1\)\n +3 .* web-0 \(web-as UD 0\)\n +4 .*0 \(between VMs\) +perform +web-2/,
  );
  t.regex(plan.stdout, /Left out \(1\):\n +jump +single instance +notInOrder +the order given does not name it/);
  const planned = JSON.parse(
    (await cli(["plan", "--resource-group", "shop-rg", "--vm", "web-1,web-0", "--order", "web-1,web-0", "--json"])).stdout,
  ) as MaintenancePlan;
  t.deepEqual(
    planned.steps.map((s) => s.vms.map((vm) => vm.name).join("+")),
    ["web-1", "web-0"],
  );

  const dry = await cli(["run", "--resource-group", "shop-rg", "--batch", "update-domain", "--dry-run"]);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /one update domain at a time/);
  t.regex(dry.stdout, /perform +db-0 \(db-as UD 0\), web-0 \(web-as UD 0\), web-2 \(web-as UD 0\)/);
  t.regex(dry.stdout, /Dry run: nothing was started\.\n$/);
  t.deepEqual(await startsIn(state), {});
});

test("run maintains one update domain at a time with a health check command; a failing check stops it with exit 1; running again skips what is done", async (t) => {
  const { cli, state, dir } = await shop(t);
  const check = join(dir, "check.sh");
  writeFileSync(check, '#!/bin/sh\necho "checked step $AZURE_DR_MAINTENANCE_STEP: $AZURE_DR_MAINTENANCE_VMS"\n[ "$AZURE_DR_MAINTENANCE_VMS" != "web-1" ]\n');
  chmodSync(check, 0o755);
  const first = await cli(["run", "--resource-group", "shop-rg", "--availability-set", "web-as", "--health-check", check]);
  t.is(first.code, 1, first.stderr);
  t.regex(first.stdout, /step 1: web-0\n.* {3}web-0: maintenance started\n.* {3}web-0: completed\nchecked step 1: web-0\n.* {3}health check: passed/);
  t.regex(first.stdout, /waiting 30m \(between update domains\) before step 3/);
  t.regex(first.stdout, /health check: FAILED/);
  t.regex(first.stdout, /Maintenance run failed .*: 3 completed/);
  t.regex(first.stdout, /Stopped at step 3: HealthCheckFailed: the health check failed after step 3 \(web-1\)/);
  t.regex(first.stdout, /Next: The health check failed after step 3: fix the application, then run it again/);

  const again = await cli(["run", "--resource-group", "shop-rg", "--json", "--health-check", "true"]);
  t.is(again.code, 0, again.stderr);
  const report = JSON.parse(again.stdout) as MaintenanceRunReport;
  t.is(report.outcome, "completed");
  t.deepEqual(
    report.vms.map((v) => `${v.vm.name}:${v.outcome}`),
    ["db-0:completed", "db-1:completed", "jump:completed"],
  );
  t.deepEqual(
    report.excluded.map((e) => `${e.vm.name}:${e.reason}`),
    ["web-0:alreadyDone", "web-1:alreadyDone", "web-2:alreadyDone"],
  );
  t.regex(again.stderr, /Left out \(3\):/, "with --json the plan and the progress go to stderr");
  t.deepEqual(await startsIn(state), { "db-0": 1, "db-1": 1, jump: 1, "web-0": 1, "web-1": 1, "web-2": 1 });

  const done = await cli(["run", "--resource-group", "shop-rg"]);
  t.is(done.code, 0, "nothing left to do is not an error");
});

test("bad input exits 2 naming the flag and what to do; nothing that can be maintained now exits 3", async (t) => {
  const { cli } = await shop(t);
  const cases: [string[], RegExp][] = [
    [["plan"], /ValidationFailed: resource-group: say what to maintain/],
    [["plan", "--vm", "web-0"], /ValidationFailed: vm: 'web-0' is a name: give --resource-group <name> with it/],
    [["plan", "--resource-group", "shop-rg", "--order", "web-as,wbe-as"], /ValidationFailed: order\[1\]: 'wbe-as' names no VM or availability set/],
    [["run", "--resource-group", "shop-rg", "--exclude", "nobody"], /ValidationFailed: exclude\[0\]/],
    [["status", "--resource-group", "shop-rg", "--availability-set", "web-as,db-as"], /status takes one availability set/],
  ];
  for (const [args, message] of cases) {
    const result = await cli(args);
    t.is(result.code, 2, args.join(" "));
    t.regex(result.stderr, message);
    t.regex(result.stderr, /what to do: check the value named above/);
  }
  const badDuration = await cli(["plan", "--resource-group", "shop-rg", "--gap-vms", "soon"]);
  t.not(badDuration.code, 0);
  t.regex(badDuration.stderr, /must be a duration such as 90s, 5m or 1h/);
  const missing = await cli(["status", "--resource-group", "shop-rg", "--availability-set", "ghost-as"]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /ResourceNotFound/);

  const tooLong = await cli(["run", "--resource-group", "shop-rg", "--vm", "jump", "--expected-duration", "25h"]);
  t.is(tooLong.code, 2);
  t.regex(tooLong.stderr, /ValidationFailed: expectedDurationMs: must be 60000 ms to 86400000 ms/);
  const nothing = await cli(["run", "--resource-group", "shop-rg", "--vm", "jump", "--exclude", "jump"]);
  t.is(nothing.code, 3, nothing.stderr);
  t.regex(nothing.stderr, /InvalidState: nothing can be maintained now: jump \(excludedByUser\)/);
  t.regex(nothing.stdout, /Left out \(1\):\n +jump +single instance +excludedByUser/);
});

test("every maintenance subcommand has help with examples", async (t) => {
  for (const sub of ["status", "plan", "run"]) {
    const help = await runCli(t, ["maintenance", sub, "--help"], { env: NO_CONFIG });
    t.is(help.code, 0, sub);
    t.regex(help.stdout, /Examples:\n {2}\$ azure-dr maintenance /, sub);
    t.regex(help.stdout, /--backend <kind>/, sub);
  }
});

test("a run killed during a health check, or while a maintenance is under way, is taken up by running it again: nothing starts twice", async (t) => {
  const { cli, state, dir } = await shop(t);
  const mark = join(dir, "mark");
  const check = join(dir, "slow-check.sh");
  writeFileSync(check, `#!/bin/sh\necho "$AZURE_DR_MAINTENANCE_VMS" > "${mark}"\nsleep 15\n`);
  chmodSync(check, 0o755);
  const killed = startCli(t, ["maintenance", "run", "--resource-group", "shop-rg", "--availability-set", "db-as", "--health-check", check, "--state", state], {
    cwd: dir,
    env: NO_CONFIG,
  });
  await until(() => existsSync(mark), killed);
  killed.child.kill("SIGKILL");
  await killed.exited;
  t.is(readFileSync(mark, "utf8").trim(), "db-0", "killed during the health check after db-0");

  // Real time, 300 times faster: the maintenance of the first VM is under way for about two seconds; kill it then.
  const inFlight = startCli(
    t,
    [
      "maintenance",
      "run",
      "--resource-group",
      "shop-rg",
      "--vm",
      "web-0,web-1",
      "--gap-update-domains",
      "0",
      "--time",
      "real",
      "--time-scale",
      "300",
      "--state",
      state,
    ],
    { cwd: dir, env: NO_CONFIG },
  );
  await until(() => underWay(state).length > 0, inFlight);
  inFlight.child.kill("SIGKILL");
  await inFlight.exited;
  t.deepEqual(underWay(state), ["web-0"]);

  const resumed = await cli(["run", "--resource-group", "shop-rg", "--health-check", "true"]);
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stdout, /\n +1 .* await \(under way\) +web-0 \(web-as UD 0\)/);
  t.regex(resumed.stdout, /web-0: maintenance under way, following it/);
  t.regex(resumed.stdout, /db-0 +db-as UD 0 +alreadyDone/);
  t.regex(resumed.stdout, /Maintenance run completed/);
  t.deepEqual(await startsIn(state), { "db-0": 1, "db-1": 1, jump: 1, "web-0": 1, "web-1": 1, "web-2": 1 });
});

/** VMs whose maintenance the state file shows under way. */
function underWay(state: string): string[] {
  let document: { resources: Record<string, { body: { name: string }; internal: { maintenance?: { phase: string } | null } }> } | undefined;
  try {
    document = StateFile.read(state) as unknown as typeof document;
  } catch {
    return [];
  }
  if (document === undefined) return [];
  return Object.values(document.resources)
    .filter((r) => r.internal.maintenance?.phase === "InProgress")
    .map((r) => r.body.name);
}

async function until(condition: () => boolean, cli: ReturnType<typeof startCli>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (cli.child.exitCode !== null) throw new Error(`the CLI exited (${cli.child.exitCode}) first: ${cli.stdout()} ${cli.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out: ${cli.stdout()} ${cli.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
