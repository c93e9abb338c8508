// What keeps a user safe at the CLI: which backend and vault a command uses, confirmation off the
// fake backend, exit codes for bad input and wrong states, failovers never reported done twice or
// done when they were not, and the vault of the last drill as the default.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import { SAMPLE_TOPOLOGY } from "../../sdk/index.js";
import { NO_CONFIG, emulatorUrl, runCli, startCli } from "../helpers/cliProcess.js";

type Cli = (args: string[], env?: Record<string, string | undefined>) => ReturnType<typeof runCli>;

/** A working folder whose fake-backend state holds the sample estate, built by a drill; commands run there without --vault. */
async function drilled(t: ExecutionContext): Promise<{ cli: Cli; dir: string; state: string }> {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-safety-"));
  const state = join(dir, "state.json");
  const built = await runCli(t, ["drill", "--fresh", "--state", state, "--out", dir], { cwd: dir, env: NO_CONFIG });
  t.is(built.code, 0, built.stderr);
  return { cli: (args, env = {}) => runCli(t, [...args, "--state", state], { cwd: dir, env: { ...NO_CONFIG, ...env } }), dir, state };
}

test("bad input exits 2 (commander's errors included), help exits 0, and every command says which backend it uses", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-codes-"));
  const run = (args: string[], env: Record<string, string | undefined> = {}): ReturnType<typeof runCli> =>
    runCli(t, args, { cwd: dir, env: { ...NO_CONFIG, ...env } });
  const unknownOption = await run(["status", "--bogus"]);
  t.is(unknownOption.code, 2);
  t.regex(unknownOption.stderr, /error: unknown option '--bogus'\n {2}what to do: see `azure-dr --help`/);
  t.is((await run(["--bogus"])).code, 2, "an unknown option of the program itself");
  t.is((await run(["failvoer"])).code, 2, "an unknown command");
  t.is((await run([])).code, 2, "no command");
  const badChoice = await run(["status", "--backend", "cloud"]);
  t.is(badChoice.code, 2);
  t.regex(badChoice.stderr, /argument 'cloud' is invalid\. Allowed choices are fake, emulator, azure/);
  t.is((await run(["status", "--vault"])).code, 2, "a missing value");
  t.is((await run(["maintenance", "plan", "--gap-vms", "soon"])).code, 2);
  t.is((await run(["emulator", "--port", "99999"])).code, 2, "a subcommand's own parser refuses the value");
  t.is((await run(["status", "--help"])).code, 0);
  t.is((await run(["--version"])).code, 0);
  const badVault = await run(["status", "--vault", "no-slash"]);
  t.is(badVault.code, 2);
  t.regex(badVault.stderr, /ValidationFailed: vault \(flag\): must be resource-group\/name/);

  const fake = await run(["status", "--state", join(dir, "state.json")]);
  t.is(fake.code, 1, "an empty estate: no such vault");
  t.regex(fake.stderr, /^backend: fake \(embedded emulator, state file .*state\.json\); the default\n/);
  t.regex(fake.stderr, /vault: dr-rg\/shop-vault \(the sample estate's; no drill is recorded here\)/);
  const maintenance = await run(["maintenance", "status", "--state", join(dir, "state.json")], { AZURE_DR_BACKEND: "fake" });
  t.regex(maintenance.stderr, /^backend: fake .*; from env AZURE_DR_BACKEND\n/);
  const azure = await run([
    "commit",
    "--plan",
    "shop",
    "--backend",
    "azure",
    "--subscription",
    "11111111-1111-1111-1111-111111111111",
    "--vault",
    "dr-rg/shop-vault",
  ]);
  t.regex(azure.stderr, /^backend: azure subscription 11111111-1111-1111-1111-111111111111; from flag\nvault: dr-rg\/shop-vault \(from flag\)\n/);
  t.is(azure.code, 2, "no --yes and no terminal: refused before anything is sent to Azure");
  t.regex(azure.stderr, /ValidationFailed: yes: commit of the failover of recovery plan shop .* on backend azure subscription 1111.* add --yes to confirm it/);
});

test("a failover done already is reported so; another kind of failover, a test failover, a failback or a reprotect out of order is refused with 3", async (t) => {
  const { cli } = await drilled(t);
  const reprotectFirst = await cli(["reprotect", "--plan", "shop"]);
  t.is(reprotectFirst.code, 3, reprotectFirst.stderr);
  t.regex(reprotectFirst.stderr, /InvalidState .*recovery plan shop: nothing to reprotect: its VMs were not failed over/);
  t.is(reprotectFirst.stdout, "");
  const reprotectVm = await cli(["reprotect", "--vm", "web-1"]);
  t.is(reprotectVm.code, 3);
  t.regex(reprotectVm.stderr, /web-1: reprotect follows a committed failover/);

  const failover = await cli(["failover", "--plan", "shop", "--unplanned", "--approve-manual-actions"]);
  t.is(failover.code, 0, failover.stderr);
  t.regex(failover.stdout, /plan shop: failover Succeeded/);
  const again = await cli(["failover", "--plan", "shop", "--unplanned", "--approve-manual-actions"]);
  t.is(again.code, 0, again.stderr);
  t.regex(
    again.stdout,
    /^plan shop: already failed over \(UnplannedFailover Succeeded, job [0-9a-f-]+\); nothing was done\. Next: azure-dr commit --plan shop\n$/,
  );
  const againJson = await cli(["failover", "--plan", "shop", "--unplanned", "--json"]);
  t.like(JSON.parse(againJson.stdout), { alreadyDone: true, result: { state: "Succeeded", handle: { operation: "failover" } } });
  const planned = await cli(["failover", "--plan", "shop", "--planned", "--approve-manual-actions"]);
  t.is(planned.code, 3, "a planned failover after an unplanned one is not done");
  t.regex(
    planned.stderr,
    /InvalidState .*: recovery plan shop is already failed over by an unplanned failover \(job [0-9a-f-]+\): a planned failover is not allowed now; commit or cancel it first/,
  );
  t.notRegex(planned.stdout, /Succeeded/);
  const rehearsal = await cli(["test-failover", "--plan", "shop"]);
  t.is(rehearsal.code, 3);
  t.regex(rehearsal.stderr, /'TestFailover' is not allowed now \(UnplannedFailover is Succeeded\); allowed now: \[Commit, CancelFailover\]/);
  const failback = await cli(["failback", "--plan", "shop"]);
  t.is(failback.code, 3);
  t.regex(failback.stderr, /plan shop is not protected in the reverse direction: nothing to fail back/);
  const reprotectEarly = await cli(["reprotect", "--plan", "shop"]);
  t.is(reprotectEarly.code, 3, "the failover is not committed");
  const vm = await cli(["failover", "--vm", "web-1", "--planned"]);
  t.is(vm.code, 0, vm.stderr);
  t.regex(vm.stdout, /^web-1: already failed over \(Failover completed; commit pending\), runs in northeurope; nothing was done/);

  t.is((await cli(["commit", "--plan", "shop"])).code, 0, "no confirmation on the fake backend");
  const reprotect = await cli(["reprotect", "--plan", "shop"]);
  t.is(reprotect.code, 0, reprotect.stderr);
  const reprotectAgain = await cli(["reprotect", "--plan", "shop"]);
  t.is(reprotectAgain.code, 0, "VMs reprotected already are left as they are");
  t.is(reprotectAgain.stdout.match(/: protected \(Protected\), runs in northeurope/g)?.length, 4);
});

test("the operator commands take the vault and the test network of the last drilled topology, and say so", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-last-"));
  const state = join(dir, "state.json");
  const topology = join(dir, "estate.json");
  writeFileSync(topology, JSON.stringify({ ...SAMPLE_TOPOLOGY, vault: { ...SAMPLE_TOPOLOGY.vault, resourceGroup: "ops-rg", name: "ops-vault" } }));
  const run = (args: string[], env: Record<string, string | undefined> = {}): ReturnType<typeof runCli> =>
    runCli(t, [...args, "--state", state], { cwd: dir, env: { ...NO_CONFIG, ...env } });
  const drill = await run(["drill", "--fresh", "--topology", topology, "--out", dir]);
  t.is(drill.code, 0, drill.stderr);
  const record = JSON.parse(readFileSync(join(dir, "last-topology.json"), "utf8")) as Record<string, unknown>;
  t.like(record, { backend: "fake", vault: { resourceGroup: "ops-rg", name: "ops-vault" }, testNetworkId: SAMPLE_TOPOLOGY.network.testNetworkId, topology });

  const status = await run(["status"]);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stderr, /vault: ops-rg\/ops-vault \(the last drilled topology's, recorded in .*last-topology\.json\)/);
  t.regex(status.stdout, /^Vault ops-rg\/ops-vault\n\nProtected VMs \(4\)/);
  const rehearsal = await run(["test-failover", "--vm", "web-1"]);
  t.is(rehearsal.code, 0, rehearsal.stderr);
  t.regex(rehearsal.stderr, /network: .*shop-vnet-drill \(the last drilled topology's test network, recorded in .*last-topology\.json\)/);
  t.regex(rehearsal.stdout, /web-1: protected/);

  const flag = await run(["status", "--vault", "dr-rg/shop-vault"]);
  t.regex(flag.stderr, /vault: dr-rg\/shop-vault \(from flag\)/, "a flag wins");
  t.is(flag.code, 1, "that vault does not exist here");
  const elsewhere = await runCli(t, ["test-failover", "--vm", "web-1", "--state", join(dir, "other", "state.json")], { cwd: dir, env: NO_CONFIG });
  t.is(elsewhere.code, 2, "no drill recorded beside that state file: no network to take");
  t.regex(elsewhere.stderr, /ValidationFailed: network: give --network <isolated vnet id>/);
  writeFileSync(join(dir, "last-topology.json"), "{ not json");
  const corrupt = await run(["status"]);
  t.is(corrupt.code, 2);
  t.regex(corrupt.stderr, /last-topology\.json: cannot be read .*delete it, or give --vault/);
});

test("off the fake backend, failover, commit and a full drill need --yes without a terminal; a drill on an emulator says it approved manual actions itself", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-confirm-"));
  const server = startCli(t, ["emulator", "--port", "0"], { cwd: dir, env: NO_CONFIG });
  const url = await emulatorUrl(server);
  const run = (args: string[]): ReturnType<typeof runCli> => runCli(t, [...args, "--backend", "emulator", "--emulator-url", url], { cwd: dir, env: NO_CONFIG });
  const full = await run(["drill", "--full", "--out", dir]);
  t.is(full.code, 2);
  t.regex(full.stderr, /^backend: emulator http:\/\/\S+; from flag\n/);
  t.regex(full.stderr, /yes: a full drill of vault dr-rg\/shop-vault \(real failover, commit, reprotect and failback\) on backend emulator .* add --yes/);
  const nothingBuilt = await run(["status"]);
  t.is(nothingBuilt.code, 1, "nothing was built: the vault does not exist");
  t.regex(nothingBuilt.stderr, /ResourceNotFound/);

  const drill = await run(["drill", "--out", dir]);
  t.is(drill.code, 0, drill.stderr);
  t.regex(
    drill.stdout,
    /shop: test failover › waits at Group 1 \(end\): manual action 'check-db'\n.*shop: Group 1 \(end\): manual action 'check-db': approved automatically \(emulated backend\); the plan goes on/,
  );
  t.regex(drill.stdout, /Manual actions:\n {2}shop: Group 1 \(end\): manual action 'check-db': approved automatically \(emulated backend\)\n/);
  const report = JSON.parse(readFileSync(join(dir, "drill-report.json"), "utf8")) as { manualActions: unknown[] };
  t.deepEqual(report.manualActions, [
    { plan: "shop", action: "Group 1 (end): manual action 'check-db'", decision: "approved automatically (emulated backend)" },
  ]);

  const unconfirmed = await run(["failover", "--plan", "shop", "--planned", "--approve-manual-actions"]);
  t.is(unconfirmed.code, 2);
  t.regex(unconfirmed.stderr, /vault: dr-rg\/shop-vault \(the last drilled topology's/);
  t.regex(
    unconfirmed.stderr,
    /ValidationFailed: yes: planned failover of recovery plan shop \(4 VMs\) on backend emulator http:\S+ needs a confirmation .*add --yes/,
  );
  const untouched = await run(["status", "--json"]);
  t.like(JSON.parse(untouched.stdout), { recoveryPlans: [{ allowedOperations: ["TestFailover", "UnplannedFailover", "PlannedFailover"] }] });
  const confirmed = await run(["failover", "--plan", "shop", "--planned", "--approve-manual-actions", "--yes"]);
  t.is(confirmed.code, 0, confirmed.stderr);
  t.regex(confirmed.stdout, /plan shop: failover Succeeded/);
  const commit = await run(["commit", "--plan", "shop"]);
  t.is(commit.code, 2, "commit asks too");
  t.is((await run(["commit", "--plan", "shop", "--yes"])).code, 0);
});
