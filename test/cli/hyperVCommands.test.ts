// The operator commands on Hyper-V VMs: status lists them, and test failover, failover, commit,
// failback and reprotect take a Hyper-V VM through the cycle by its on-premises name.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test, { type ExecutionContext } from "ava";
import { DrClient, createFakeBackend } from "../../sdk/index.js";
import { NO_CONFIG, runCli } from "../helpers/cliProcess.js";

const VAULT = { resourceGroup: "onprem-dr-rg", name: "onprem-vault" };
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/onprem-dr-rg";

/**
 * A state file holding a Hyper-V site whose VMs (`sql-0` by default) are protected, built through
 * the SDK, optionally in a recovery plan `hv` (one VM per boot group); and a runner of the CLI on it.
 */
async function hyperVEstate(t: ExecutionContext, vmNames = ["sql-0"], withPlan = false): Promise<(args: string[]) => ReturnType<typeof runCli>> {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-hyperv-"));
  const state = join(dir, "state.json");
  const backend = await createFakeBackend({ stateFile: state });
  const dr = new DrClient(backend);
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "hyperv-5min", { kind: "HyperVReplicaAzure" });
  const site = await dr.hyperV.prepareSite(VAULT, { siteName: "site-onprem", policyName: "hyperv-5min" });
  backend.emulator.control.registerHyperVHosts({
    fabricId: site.siteId,
    hosts: [{ name: "hv-host-01", vms: vmNames.map((name) => ({ name, disks: [{ name: `${name}-os.vhdx`, sizeGB: 40 }], churnMBps: 2 })) }],
  });
  const ids: string[] = [];
  for (const name of vmNames) {
    const item = await dr.hyperV.protect(site, {
      vmName: name,
      targetResourceGroupId: SUB,
      targetVmName: `${name}-az`,
      logStorageAccountId: `${SUB}/providers/Microsoft.Storage/storageAccounts/hvlogwesteurope`,
    });
    ids.push(item.id);
  }
  for (const id of ids) await dr.hyperV.waitForProtection(id);
  if (withPlan)
    await dr.recoveryPlans.createOrUpdate(VAULT, "hv", {
      primaryFabricId: site.siteId,
      recoveryFabricId: "Microsoft Azure",
      groups: ids.map((id) => ({ protectedVmIds: [id] })),
    });
  await dr.clock.sleep(2 * 3_600_000);
  await dr.close();
  return (args) => runCli(t, [...args, "--state", state, "--vault", `${VAULT.resourceGroup}/${VAULT.name}`], { cwd: dir, env: NO_CONFIG });
}

test("operator commands take a Hyper-V VM through test failover, failover to Azure, commit, failback, commit and reprotect", async (t) => {
  const cli = await hyperVEstate(t);
  const status = await cli(["status", "--json"]);
  t.is(status.code, 0, status.stderr);
  const parsed = JSON.parse(status.stdout) as { protectedVms: unknown[]; hyperVVms: { vmName: string; phase: string }[] };
  t.deepEqual(parsed.protectedVms, []);
  t.deepEqual(
    parsed.hyperVVms.map((v) => `${v.vmName}:${v.phase}`),
    ["sql-0:protected"],
  );
  const human = await cli(["status"]);
  t.regex(human.stdout, /Hyper-V VMs \(1\):\n {2}sql-0 +protected +Normal +RPO \S+ +on-premises -> Azure +runs on-premises/);

  const isolated = `${SUB}/providers/Microsoft.Network/virtualNetworks/vnet-test`;
  t.is((await cli(["test-failover", "--vm", "sql-0", "--network", isolated])).code, 0);
  t.is((await cli(["cleanup", "--vm", "sql-0"])).code, 0);

  const point = await cli(["failover", "--vm", "sql-0", "--unplanned", "--recovery-point", "LatestProcessed"]);
  t.is(point.code, 2);
  t.regex(point.stderr, /recovery-point: a Hyper-V VM fails over from the latest data Azure received/);
  const failover = await cli(["failover", "--vm", "sql-0", "--planned"]);
  t.is(failover.code, 0, failover.stderr);
  t.regex(failover.stdout, /^sql-0: failedOver \(Planned failover finished\), runs in Azure as sql-0-az; data loss 0s$/m);
  const early = await cli(["failback", "--vm", "sql-0"]);
  t.is(early.code, 3, "not committed yet: invalid state");
  t.regex(early.stderr, /'Failback' is not allowed while the VM is failed over/);
  t.is((await cli(["commit", "--vm", "sql-0"])).code, 0);

  const failback = await cli(["failback", "--vm", "sql-0", "--data-sync", "ForSynchronization"]);
  t.is(failback.code, 0, failback.stderr);
  t.regex(failback.stdout, /^sql-0: failedBack \(Failback finished\), runs on-premises$/m);
  const committed = await cli(["commit", "--vm", "sql-0"]);
  t.regex(committed.stdout, /^sql-0: failbackCommitted/m);
  const refused = await cli(["reprotect", "--vm", "sql-0", "--availability-set", `${SUB}/providers/Microsoft.Compute/availabilitySets/x`]);
  t.is(refused.code, 2);
  const reprotect = await cli(["reprotect", "--vm", "sql-0"]);
  t.is(reprotect.code, 0, reprotect.stderr);
  t.regex(reprotect.stdout, /^sql-0: protected \(Protected\), runs on-premises$/m);
});

test("operator commands take a Hyper-V recovery plan to Azure and back: failover, commit, failback (planned only), commit, reprotect", async (t) => {
  const cli = await hyperVEstate(t, ["db-0", "web-0"], true);
  const failover = await cli(["failover", "--plan", "hv", "--planned"]);
  t.is(failover.code, 0, failover.stderr);
  t.regex(failover.stdout, /plan hv: failover Succeeded[\s\S]* {2}data loss: 0s/);
  t.is((await cli(["commit", "--plan", "hv"])).code, 0);
  const unplanned = await cli(["failback", "--plan", "hv", "--unplanned"]);
  t.is(unplanned.code, 2);
  t.regex(unplanned.stderr, /Hyper-V VMs fail back with a planned failover only/);
  const failback = await cli(["failback", "--plan", "hv", "--data-sync", "ForDownTime"]);
  t.is(failback.code, 0, failback.stderr);
  t.regex(failback.stdout, /plan hv: failback Succeeded/);
  t.is((await cli(["commit", "--plan", "hv"])).code, 0);
  const settings = await cli(["reprotect", "--plan", "hv", "--target-resource-group", SUB]);
  t.is(settings.code, 2, "Hyper-V VMs take no reprotect settings");
  const reprotect = await cli(["reprotect", "--plan", "hv"]);
  t.is(reprotect.code, 0, reprotect.stderr);
  t.regex(reprotect.stdout, /^db-0: protected \(Protected\), runs on-premises\nweb-0: protected \(Protected\), runs on-premises$/m);
  const status = JSON.parse((await cli(["status", "--json"])).stdout) as { hyperVVms: { phase: string }[] };
  t.deepEqual(
    status.hyperVVms.map((v) => v.phase),
    ["protected", "protected"],
  );
});
