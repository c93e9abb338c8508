// Layer 3 (PULUMI-DYNAMIC-PROVIDERS.md §3) for Hyper-V to Azure: a program declaring a
// HyperVReplicaAzure policy, a Hyper-V site and a protected VM, each created on the emulator by its
// own serialized provider. Between the site and the VM, the program registers the site's host the
// way the Site Recovery provider installed on it would (on the emulator: its control surface).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { CONFIG_KEYS, withDrClient } from "../../providers/core/index.js";
import { HyperVProtectedVm, HyperVSite, ProgramRunError, ReplicationPolicy, Vault, runOnEmulator } from "../../providers/index.js";
import type { FakeBackend, HyperVProtectedVm as SdkHyperVProtectedVm } from "../../sdk/index.js";
import { ensureBuilt } from "../helpers/pulumiHost.js";

const DYNAMIC = "pulumi-nodejs:dynamic/azure-dr:";
const SUB = "00000000-0000-0000-0000-000000000000";
const VAULT = { resourceGroup: "onprem-dr-rg", name: "onprem-vault" };
const TARGET_RG = `/subscriptions/${SUB}/resourceGroups/onprem-dr-rg`;
const LOG_ACCOUNT = `${TARGET_RG}/providers/Microsoft.Storage/storageAccounts/hvlogwesteurope`;

test.before("dist/ holds the current providers (the providers run the built code)", async () => {
  await ensureBuilt();
});

function stackConfig(): Record<string, string> {
  return { [CONFIG_KEYS.backend]: "fake", [CONFIG_KEYS.fakeStateFile]: join(mkdtempSync(join(tmpdir(), "azure-dr-hyperv-")), "state.json") };
}

/** The program: a vault, a Hyper-V policy, a site, its host registered, and `vmName` protected. */
function hyperVProgram(config: Readonly<Record<string, string>>, vmName: string) {
  return () => {
    const vault = new Vault("onprem", { resourceGroup: VAULT.resourceGroup, name: VAULT.name, location: "westeurope" });
    const policy = new ReplicationPolicy("hyperv-30s", {
      vault: vault.ref,
      kind: "HyperVReplicaAzure",
      copyFrequencySeconds: 30,
      recoveryPointRetentionHours: 48,
      appConsistentFrequencyHours: 4,
    });
    const site = new HyperVSite("site", { vault: vault.ref, siteName: "site-onprem", policyName: policy.name });
    // Installing the Site Recovery provider on a host registers it and its VMs with the site (outside Pulumi).
    const registered = site.siteId.apply((siteId) =>
      withDrClient(config, async (dr) => {
        (dr.backend as FakeBackend).emulator.control.registerHyperVHosts({
          fabricId: siteId,
          hosts: [{ name: "hv-host-01", vms: [{ name: "sql-0", disks: [{ name: "sql-0-disk0.vhdx", sizeGB: 8 }] }] }],
        });
        return vmName;
      }),
    );
    const vm = new HyperVProtectedVm("sql-0", {
      site: site.site,
      vmName: registered,
      targetResourceGroupId: TARGET_RG,
      targetVmName: "sql-0-az",
      logStorageAccountId: LOG_ACCOUNT,
    });
    return {
      siteId: site.siteId,
      containerId: site.containerId,
      policyId: policy.policyId,
      protectedVmId: vm.protectedVmId,
      phase: vm.phase,
      targetVmName: vm.targetVmName,
    };
  };
}

test.serial("a Hyper-V policy, site and protected VM declared in a program are created on the emulator by their serialized providers", async (t) => {
  const config = stackConfig();
  const run = await runOnEmulator(hyperVProgram(config, "sql-0"), { config });

  const kinds = run.resources.filter((r) => r.type.startsWith(DYNAMIC)).map((r) => r.type.slice(DYNAMIC.length));
  t.deepEqual(kinds.sort(), ["HyperVProtectedVm", "HyperVSite", "ReplicationPolicy", "Vault"]);
  const policy = run.resource(`${DYNAMIC}ReplicationPolicy`, "hyperv-30s");
  t.like(policy.outputs, {
    kind: "HyperVReplicaAzure",
    copyFrequencySeconds: 30,
    recoveryPointRetentionHours: 48,
    appConsistentFrequencyHours: 4,
    encryption: false,
  });
  const site = run.resource(`${DYNAMIC}HyperVSite`, "site");
  t.is(site.id, run.outputs.siteId);
  t.is(site.outputs.policyId, run.outputs.policyId);
  const vm = run.resource(`${DYNAMIC}HyperVProtectedVm`, "sql-0");
  t.deepEqual(vm.inputs.site, {
    siteId: run.outputs.siteId,
    siteName: "site-onprem",
    containerId: run.outputs.containerId,
    mappingId: site.outputs.mappingId,
    policyId: run.outputs.policyId,
  });
  t.like(run.outputs, { phase: "protected", targetVmName: "sql-0-az" });
  t.true(run.outputs.protectedVmId.toLowerCase().startsWith(`${run.outputs.containerId.toLowerCase()}/replicationprotecteditems/`));

  await run.withClient(async (dr) => {
    t.like(await dr.replicationPolicies.get(VAULT, String(policy.outputs.name)), { kind: "HyperVReplicaAzure", copyFrequencySeconds: 30 });
    const items: SdkHyperVProtectedVm[] = [];
    for await (const item of dr.hyperV.list(VAULT)) items.push(item);
    t.deepEqual(
      items.map((item) => [item.id, item.vmName, item.phase, item.targetVmName, item.policyId?.toLowerCase()]),
      [[run.outputs.protectedVmId, "sql-0", "protected", "sql-0-az", run.outputs.policyId.toLowerCase()]],
    );
  });
});

test.serial("a VM its site's hosts do not have fails the program naming the field; the site stays", async (t) => {
  const config = stackConfig();
  const error = await t.throwsAsync(runOnEmulator(hyperVProgram(config, "nope"), { config }), { instanceOf: ProgramRunError });
  t.deepEqual(
    error?.failures.map((f) => [f.type, f.name, f.step]),
    [[`${DYNAMIC}HyperVProtectedVm`, "sql-0", "create"]],
  );
  t.regex(error?.message ?? "", /vmName: no VM 'nope' on the hosts of site site-onprem \(known: sql-0\)/);
  await withDrClient(config, async (dr) => t.is((await dr.hyperV.listHosts(VAULT, "site-onprem")).length, 1));
});
