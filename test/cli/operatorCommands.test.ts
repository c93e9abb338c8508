import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import { resolveSettings } from "../../cli/settings.js";
import { NO_CONFIG, runCli } from "../helpers/cliProcess.js";

const ISOLATED = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/shop-rg-dr/providers/Microsoft.Network/virtualNetworks/shop-vnet-drill";

/** A working folder whose fake-backend state holds the sample estate, built by a drill. */
async function estate(t: ExecutionContext): Promise<(args: string[], env?: Record<string, string | undefined>) => ReturnType<typeof runCli>> {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-ops-"));
  const state = join(dir, "state.json");
  const built = await runCli(t, ["drill", "--fresh", "--state", state, "--out", dir], { cwd: dir, env: NO_CONFIG });
  t.is(built.code, 0, built.stderr);
  return (args, env = {}) => runCli(t, [...args, "--state", state], { cwd: dir, env: { ...NO_CONFIG, ...env } });
}

test("operator commands take a plan through the cycle, refuse what is out of order with a code and what to do, and exit accordingly", async (t) => {
  const cli = await estate(t);
  const status = await cli(["status", "--json"]);
  t.is(status.code, 0, status.stderr);
  const parsed = JSON.parse(status.stdout) as {
    protectedVms: { name: string; phase: string }[];
    recoveryPlans: { name: string; allowedOperations: string[] }[];
  };
  t.deepEqual(parsed.protectedVms.map((v) => `${v.name}:${v.phase}`).sort(), ["db-1:protected", "db-2:protected", "web-1:protected", "web-2:protected"]);
  t.deepEqual(parsed.recoveryPlans[0]?.allowedOperations, ["TestFailover", "UnplannedFailover", "PlannedFailover"]);

  const unapproved = await cli(["test-failover", "--plan", "shop", "--network", ISOLATED]);
  t.is(unapproved.code, 3, "a manual action waits and nothing approved it");
  t.regex(unapproved.stdout, /plan shop: testFailover WaitingForUser .*\n(.*\n)* {2}Group 1 \(end\): manual action 'check-db': Suspended/);
  t.regex(unapproved.stderr, /ManualActionPending: plan shop waits at Group 1 \(end\): manual action 'check-db'/);
  t.regex(unapproved.stderr, /what to do: do the action, then approve it: run `azure-dr test-failover --plan shop .*--approve-manual-actions`/);
  const rehearsal = await cli(["test-failover", "--plan", "shop", "--network", ISOLATED, "--approve-manual-actions"]);
  t.is(rehearsal.code, 0, rehearsal.stderr);
  t.regex(rehearsal.stderr, /plan shop: Group 1 \(end\): manual action 'check-db' approved by --approve-manual-actions/);
  t.regex(rehearsal.stdout, /plan shop: testFailover WaitingForCleanup/);
  t.regex(rehearsal.stdout, /Group 2: start 2 virtual machine\(s\): Succeeded/);

  const early = await cli(["commit", "--plan", "shop"]);
  t.is(early.code, 3, "invalid state");
  t.regex(early.stderr, /InvalidState \(Azure: OperationNotAllowed\): recovery plan shop: 'Commit' is not allowed now .*allowed now: \[TestFailoverCleanup\]/);
  t.regex(early.stderr, /what to do: run `azure-dr status`/);

  t.is((await cli(["cleanup", "--plan", "shop"])).code, 0);
  const vague = await cli(["failover", "--plan", "shop"]);
  t.is(vague.code, 2);
  t.regex(vague.stderr, /ValidationFailed: planned\/unplanned: say --planned/);
  const both = await cli(["failover"]);
  t.is(both.code, 2);
  t.regex(both.stderr, /give either --plan <name> or --vm <name or id>/);

  const failover = await cli(["failover", "--plan", "shop", "--planned", "--approve-manual-actions"]);
  t.is(failover.code, 0, failover.stderr);
  t.regex(failover.stdout, /plan shop: failover Succeeded .*\n(.*\n)* {2}data loss: 0s/);
  const twice = await cli(["failover", "--plan", "shop", "--planned"]);
  t.is(twice.code, 0, twice.stderr);
  t.regex(
    twice.stdout,
    /^plan shop: already failed over \(UnplannedFailover Succeeded, job [0-9a-f-]+\); nothing was done/,
    "a planned failover of an A2A plan runs as Azure's UnplannedFailover with the sources shut down first",
  );
  const otherKind = await cli(["failover", "--plan", "shop", "--unplanned"]);
  t.is(otherKind.code, 3);
  t.regex(otherKind.stderr, /already failed over by a planned failover .*: an unplanned failover is not allowed now/);
  const tooEarly = await cli(["failback", "--plan", "shop"]);
  t.is(tooEarly.code, 3);
  t.regex(tooEarly.stderr, /not protected in the reverse direction/);
  t.is((await cli(["commit", "--plan", "shop"])).code, 0);

  const storage = await cli([
    "reprotect",
    "--plan",
    "shop",
    "--target-storage-account",
    "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z",
  ]);
  t.is(storage.code, 2);
  t.regex(storage.stderr, /target-storage-account: Azure-to-Azure VMs with managed disks replicate to managed replica disks/);
  const reprotect = await cli(["reprotect", "--plan", "shop"]);
  t.is(reprotect.code, 0, reprotect.stderr);
  t.is(reprotect.stdout.match(/: protected \(Protected\), runs in northeurope/g)?.length, 4);

  const failback = await cli(["failback", "--plan", "shop", "--json", "--approve-manual-actions"]);
  t.is(failback.code, 0, failback.stderr);
  t.like(JSON.parse(failback.stdout), { state: "Succeeded", handle: { operation: "failover", plan: "shop" } });
  t.is((await cli(["commit", "--plan", "shop"])).code, 0);
  const back = await cli(["reprotect", "--vm", "web-1", "--no-wait"]);
  t.is(back.code, 0, back.stderr);
  t.regex(back.stdout, /web-1: (initialReplication|protected)/);

  const vmFailover = await cli(["failover", "--vm", "db-1", "--unplanned", "--recovery-point", "Bogus"]);
  t.is(vmFailover.code, 2, "commander refuses the value: bad input");
  t.regex(vmFailover.stderr, /must be one of Latest, LatestProcessed/);
});

test("settings come from flags, then the environment, then the config file", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-config-"));
  const config = join(dir, "azure-dr.json");
  writeFileSync(config, JSON.stringify({ backend: "azure", subscription: "11111111-1111-1111-1111-111111111111", vault: "cfg-rg/cfg-vault" }));
  const fromConfig = resolveSettings({ config }, {});
  t.like(fromConfig, { backend: "azure", subscriptionId: "11111111-1111-1111-1111-111111111111", vault: { resourceGroup: "cfg-rg", name: "cfg-vault" } });
  t.regex(fromConfig.sources.vault ?? "", /^config .*azure-dr\.json$/);
  const fromEnv = resolveSettings({ config }, { AZURE_SUBSCRIPTION_ID: "22222222-2222-2222-2222-222222222222", AZURE_DR_VAULT: "env-rg/env-vault" });
  t.like(fromEnv, {
    subscriptionId: "22222222-2222-2222-2222-222222222222",
    vault: { name: "env-vault" },
    sources: { subscription: "env AZURE_SUBSCRIPTION_ID" },
  });
  const fromFlags = resolveSettings(
    { config, subscription: "33333333-3333-3333-3333-333333333333", vault: "flag-rg/flag-vault" },
    { AZURE_DR_VAULT: "env-rg/env-vault" },
  );
  t.like(fromFlags, { subscriptionId: "33333333-3333-3333-3333-333333333333", vault: { name: "flag-vault" }, sources: { vault: "flag" } });
  t.throws(() => resolveSettings({ backend: "azure" }, {}), { code: "ValidationFailed", message: /needs --subscription/ });
  t.throws(() => resolveSettings({ vault: "just-a-name" }, {}), { message: /must be resource-group\/name/ });
  writeFileSync(config, JSON.stringify({ vault: "a/b", colour: "blue" }));
  t.throws(() => resolveSettings({ config }, {}), { message: /config .*azure-dr\.json/ });
});

test("status reads the vault named by the environment and says what to do when it does not exist", async (t) => {
  const cli = await estate(t);
  const missing = await cli(["status"], { AZURE_DR_VAULT: "dr-rg/no-such-vault" });
  t.is(missing.code, 1);
  t.regex(missing.stderr, /ResourceNotFound/);
  t.regex(missing.stderr, /what to do: check the names/);
  const named = await cli(["status"], { AZURE_DR_VAULT: "dr-rg/shop-vault" });
  t.is(named.code, 0, named.stderr);
  t.regex(named.stdout, /Protected VMs \(4\):\n {2}db-1 +protected +Normal +RPO \d+/);
  t.regex(
    named.stdout,
    /shop: 2 boot group\(s\), 4 VM\(s\); last: TestFailoverCleanup Succeeded \(job [0-9a-f-]+\); allowed: TestFailover, UnplannedFailover, PlannedFailover/,
  );
});

test("every command has help with examples", async (t) => {
  for (const command of ["drill", "status", "test-failover", "cleanup", "failover", "failback", "commit", "reprotect"]) {
    const help = await runCli(t, [command, "--help"], { env: NO_CONFIG });
    t.is(help.code, 0, command);
    t.regex(help.stdout, /Examples:\n {2}\$ azure-dr /, command);
    t.regex(help.stdout, /--backend <kind>/, command);
  }
});
