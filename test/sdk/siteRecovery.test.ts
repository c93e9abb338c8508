import test from "ava";
import { InvalidStateError, OperationFailedError, ValidationError, type ProtectionProgress } from "../../sdk/index.js";
import { fakeClient } from "../helpers/fakeClient.js";
import { vmInput } from "../helpers/fixtures.js";
import { CACHE, SOURCE_VNET, TARGET_VNET, VAULT, drSetup, rgId, sourceVm } from "../helpers/siteRecoveryFixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

test("a VM is replicated to another region: enable, initial replication with progress, protected, recovery points, disable", async (t) => {
  const { dr, backend } = await fakeClient(t, { replicationBandwidthMBps: 64 });
  const infrastructure = await drSetup(dr, { recoveryPointRetentionMinutes: 24 * 60, appConsistentFrequencyMinutes: 4 * 60 });
  const vmId = await sourceVm(dr, "web-0", 128);

  const enabled = await dr.protectedVms.protect(VAULT, infrastructure, {
    virtualMachineId: vmId,
    recoveryResourceGroupId: rgId("app-rg-dr"),
    cacheStorageAccountId: CACHE,
  });
  t.is(enabled.phase, "initialReplication");
  t.is(enabled.initialReplicationPercent, 0);
  t.like(enabled, { sourceRegion: "westeurope", targetRegion: "northeurope", virtualMachineId: vmId, recoveryResourceGroupId: rgId("app-rg-dr") });

  const progress: ProtectionProgress[] = [];
  const started = dr.clock.now().getTime();
  const protectedVm = await dr.protectedVms.waitForProtection(enabled.id, { onProgress: (p) => progress.push(p) });
  t.is(protectedVm.phase, "protected");
  t.true(protectedVm.allowedOperations.includes("UnplannedFailover"));
  t.true((protectedVm.rpoSeconds ?? Infinity) <= 300);
  const copyMs = ((128 * 1024) / 64) * 1000;
  t.true(dr.clock.now().getTime() - started >= copyMs, "128 GiB at 64 MB/s takes 2048 s of emulated time");
  t.true(progress.length <= 4, `few readings, not a poll every 30 s (${progress.length})`);
  t.true(
    progress.some((p) => p.percent > 0 && p.percent < 100),
    "progress was reported mid-way",
  );

  await dr.clock.sleep(6 * HOUR);
  const points = await dr.protectedVms.recoveryPoints(protectedVm.id);
  const now = dr.clock.now().getTime();
  const crash = points.filter((p) => p.type === "CrashConsistent").map((p) => p.time.getTime());
  const app = points.filter((p) => p.type === "ApplicationConsistent").map((p) => p.time.getTime());
  const recent = crash.filter((time) => now - time <= 2 * HOUR);
  t.true(recent.length >= 23 && recent.length <= 25, `crash-consistent every 5 minutes for the last 2 hours (${recent.length})`);
  for (let i = 1; i < recent.length; i++) t.is((recent[i - 1] as number) - (recent[i] as number), 5 * MINUTE);
  const older = crash.filter((time) => now - time > 2 * HOUR);
  for (let i = 1; i < older.length; i++) t.is((older[i - 1] as number) - (older[i] as number), HOUR, "hourly beyond two hours");
  t.is(app.length, 2, "app-consistent every 4 hours over 6 hours");
  t.is((app[0] as number) - (app[1] as number), 4 * HOUR);
  t.true(points.every((p) => now - p.time.getTime() <= 24 * HOUR));

  const enableJob = [];
  for await (const job of dr.jobs.list(VAULT)) if (job.scenario === "EnableDr") enableJob.push(job);
  t.is(enableJob.length, 1);
  t.like(enableJob[0], { state: "Succeeded", friendlyName: "Enable replication" });
  t.true((enableJob[0]?.tasks.length ?? 0) >= 3);

  await dr.protectedVms.disable(protectedVm.id);
  const remaining = [];
  for await (const item of dr.protectedVms.list(VAULT)) remaining.push(item);
  t.deepEqual(remaining, []);
  t.is((await dr.virtualMachines.getStatus("app-rg", "web-0")).powerState, "running", "disabling replication leaves the source VM alone");
  t.true(backend.emulator.requestCount > 0);
});

test("prepare is idempotent: a second call reuses everything", async (t) => {
  const { dr } = await fakeClient(t);
  const first = await drSetup(dr);
  t.is(first.created.length, 8, "2 fabrics, 2 containers, 2 container mappings, 2 network mappings");
  const second = await dr.replicationInfrastructure.prepare(VAULT, {
    sourceRegion: "westeurope",
    targetRegion: "northeurope",
    policyName: "a2a-24h",
    network: { sourceNetworkId: SOURCE_VNET, targetNetworkId: TARGET_VNET },
  });
  t.deepEqual(second.created, []);
  t.deepEqual(second.networkMappingIds, first.networkMappingIds);
  t.is(second.forwardMappingId, first.forwardMappingId);
  t.is(second.reverseMappingId, first.reverseMappingId);
});

test("a retried protect does not create a second item, and another item for the same VM is refused", async (t) => {
  const { dr } = await fakeClient(t);
  const infrastructure = await drSetup(dr);
  const vmId = await sourceVm(dr, "web-0");
  const input = { virtualMachineId: vmId, recoveryResourceGroupId: rgId("app-rg-dr"), cacheStorageAccountId: CACHE };
  const first = await dr.protectedVms.protect(VAULT, infrastructure, input);
  const again = await dr.protectedVms.protect(VAULT, infrastructure, input);
  t.is(again.id, first.id);
  const items = [];
  for await (const item of dr.protectedVms.list(VAULT)) items.push(item);
  t.is(items.length, 1);
});

test("protect refuses bad input before sending anything", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const infrastructure = await drSetup(dr);
  const vmId = await sourceVm(dr, "web-0");
  const before = backend.emulator.requestCount;
  const cases: [Record<string, unknown>, string][] = [
    [{ virtualMachineId: "web-0", recoveryResourceGroupId: rgId("dr"), cacheStorageAccountId: CACHE }, "virtualMachineId"],
    [{ virtualMachineId: vmId, recoveryResourceGroupId: "dr", cacheStorageAccountId: CACHE }, "recoveryResourceGroupId"],
    [{ virtualMachineId: vmId, recoveryResourceGroupId: rgId("dr"), cacheStorageAccountId: "cache" }, "cacheStorageAccountId"],
    [
      {
        virtualMachineId: vmId,
        recoveryResourceGroupId: rgId("dr"),
        cacheStorageAccountId: CACHE,
        recoveryZone: "1",
        recoveryAvailabilitySetId: "/subscriptions/x/resourceGroups/dr/providers/Microsoft.Compute/availabilitySets/as",
      },
      "recoveryZone",
    ],
  ];
  for (const [input, field] of cases) {
    const error = await t.throwsAsync(dr.protectedVms.protect(VAULT, infrastructure, input as never), { instanceOf: ValidationError });
    t.is(error.field, field);
  }
  t.is(backend.emulator.requestCount, before);
});

test("a VM outside the infrastructure's source region is refused", async (t) => {
  const { dr } = await fakeClient(t);
  const infrastructure = await drSetup(dr);
  const elsewhere = (await dr.virtualMachines.create("app-rg", "far", { ...vmInput("app-rg", "far"), location: "eastus" })).id;
  const error = await t.throwsAsync(
    dr.protectedVms.protect(VAULT, infrastructure, { virtualMachineId: elsewhere, recoveryResourceGroupId: rgId("dr"), cacheStorageAccountId: CACHE }),
    { instanceOf: ValidationError },
  );
  t.is(error.field, "virtualMachineId");
});

test("a multi-VM group is limited to 16 VMs", async (t) => {
  const { dr } = await fakeClient(t);
  const infrastructure = await drSetup(dr);
  for (let i = 0; i < 16; i++) {
    await dr.protectedVms.protect(VAULT, infrastructure, {
      virtualMachineId: await sourceVm(dr, `app-${i}`, 8),
      recoveryResourceGroupId: rgId("dr"),
      cacheStorageAccountId: CACHE,
      multiVmGroupName: "app",
    });
  }
  const error = await t.throwsAsync(
    dr.protectedVms.protect(VAULT, infrastructure, {
      virtualMachineId: await sourceVm(dr, "app-16", 8),
      recoveryResourceGroupId: rgId("dr"),
      cacheStorageAccountId: CACHE,
      multiVmGroupName: "app",
    }),
    { instanceOf: ValidationError },
  );
  t.is(error.azureCode, "MultiVmGroupFull");
});

test("policies enforce Azure's limits before any request", async (t) => {
  const { dr, backend } = await fakeClient(t);
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "northeurope" });
  const before = backend.emulator.requestCount;
  const cases: [Record<string, unknown>, string][] = [
    [{ kind: "A2A", appConsistentFrequencyMinutes: 30 }, "appConsistentFrequencyMinutes"],
    [{ kind: "A2A", recoveryPointRetentionMinutes: 60, appConsistentFrequencyMinutes: 120 }, "appConsistentFrequencyMinutes"],
    [{ kind: "A2A", recoveryPointRetentionMinutes: 15 * 24 * 60 + 1 }, "recoveryPointRetentionMinutes"],
    [{ kind: "HyperVReplicaAzure", copyFrequencySeconds: 60 }, "copyFrequencySeconds"],
    [{ kind: "VMware" }, "kind"],
  ];
  for (const [input, field] of cases) {
    const error = await t.throwsAsync(dr.replicationPolicies.createOrUpdate(VAULT, "p1", input as never), { instanceOf: ValidationError });
    t.is(error.field, field);
  }
  t.is(backend.emulator.requestCount, before);
  const hyperV = await dr.replicationPolicies.createOrUpdate(VAULT, "hv", {
    kind: "HyperVReplicaAzure",
    copyFrequencySeconds: 30,
    recoveryPointRetentionHours: 12,
    appConsistentFrequencyHours: 4,
  });
  t.like(hyperV, { kind: "HyperVReplicaAzure", copyFrequencySeconds: 30, recoveryPointRetentionHours: 12, appConsistentFrequencyHours: 4 });
});

test("prepare refuses the same region on both sides", async (t) => {
  const { dr } = await fakeClient(t);
  const error = await t.throwsAsync(
    dr.replicationInfrastructure.prepare(VAULT, { sourceRegion: "westeurope", targetRegion: "West Europe", policyName: "p1" }),
    { instanceOf: ValidationError },
  );
  t.is(error.field, "targetRegion");
});

test("a failed job surfaces as OperationFailedError, shows on the job, and can be restarted", async (t) => {
  const { dr, backend } = await fakeClient(t);
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "northeurope" });
  backend.emulator.control.addFault({
    match: { operationId: "ReplicationPolicies_Create" },
    effect: { type: "operationFailure", code: "PolicyStoreUnavailable", message: "Try again." },
    times: 1,
  });
  const error = await t.throwsAsync(dr.replicationPolicies.createOrUpdate(VAULT, "p1", { kind: "A2A" }), { instanceOf: OperationFailedError });
  t.is(error.azureCode, "PolicyStoreUnavailable");
  const failed = [];
  for await (const job of dr.jobs.list(VAULT)) if (job.state === "Failed") failed.push(job);
  t.is(failed.length, 1);
  t.deepEqual(failed[0]?.allowedActions, ["Restart"]);
  t.is(failed[0]?.errors[0]?.code, "PolicyStoreUnavailable");
  const restarted = await dr.jobs.restart(VAULT, failed[0]?.name ?? "");
  t.is(restarted.state, "InProgress");
  const done = await dr.jobs.wait(VAULT, restarted.name);
  t.is(done.state, "Succeeded");
  t.is((await dr.replicationPolicies.get(VAULT, "p1")).name, "p1");
  await t.throwsAsync(dr.jobs.resume(VAULT, restarted.name), { instanceOf: ValidationError });
});

test("job progress is reported while waiting, and an abort stops the wait but not the job", async (t) => {
  const { dr } = await fakeClient(t);
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "northeurope" });
  const seen: string[] = [];
  await dr.replicationPolicies.createOrUpdate(VAULT, "p1", { kind: "A2A" }, { onProgress: (p) => seen.push(`${p.job.state}:${p.percent}`) });
  t.true(seen.length >= 2);
  t.is(seen.at(-1), "Succeeded:100");

  const infrastructure = await drSetup(dr);
  const vmId = await sourceVm(dr, "web-0");
  const enabled = await dr.protectedVms.protect(VAULT, infrastructure, {
    virtualMachineId: vmId,
    recoveryResourceGroupId: rgId("dr"),
    cacheStorageAccountId: CACHE,
  });
  const aborter = new AbortController();
  const waiting = dr.protectedVms.waitForProtection(enabled.id, {
    abortSignal: aborter.signal,
    onProgress: () => aborter.abort(),
  });
  const error = await t.throwsAsync(waiting);
  t.is((error as { code?: string }).code, "Aborted");
  t.is((await dr.protectedVms.waitForProtection(enabled.id)).phase, "protected", "replication went on");
  const disabled = await dr.protectedVms.disable(enabled.id);
  t.is(disabled, undefined);
  await t.throwsAsync(dr.protectedVms.get(enabled.id));
});

test("a vault with replication cannot be deleted", async (t) => {
  const { dr } = await fakeClient(t);
  await drSetup(dr);
  const error = await t.throwsAsync(dr.vaults.delete(VAULT));
  t.is((error as { azureCode?: string }).azureCode, "ServiceResourceNotEmpty");
  t.false(error instanceof InvalidStateError);
});

test("a cache storage account outside the source region is refused by Site Recovery and nothing is created", async (t) => {
  const { dr, backend } = await fakeClient(t);
  const infrastructure = await drSetup(dr);
  const vmId = await sourceVm(dr, "web-0");
  const wrongCache = CACHE.replace("cachewesteurope", "cachenortheurope");
  const created = await backend.emulator.handle({
    method: "PUT",
    url: `https://management.azure.com${wrongCache}?api-version=2024-01-01`,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ location: "northeurope", sku: { name: "Standard_LRS" }, kind: "StorageV2" }),
  });
  t.is(created.status, 200);
  const error = await t.throwsAsync(
    dr.protectedVms.protect(VAULT, infrastructure, { virtualMachineId: vmId, recoveryResourceGroupId: rgId("dr"), cacheStorageAccountId: wrongCache }),
    { instanceOf: ValidationError },
  );
  t.is(error.azureCode, "CacheStorageAccountLocationMismatch");
  t.regex(error.field, /vmManagedDisks\[0\]\.primaryStagingAzureStorageAccountId/);
  const items = [];
  for await (const item of dr.protectedVms.list(VAULT)) items.push(item);
  t.deepEqual(items, []);
});

test("the vault's and a container's protected VMs are listed a page at a time, every VM once", async (t) => {
  const { dr, backend } = await fakeClient(t, { pageSize: 2 });
  const infrastructure = await drSetup(dr);
  const ids: string[] = [];
  for (const name of ["web-0", "web-1", "web-2", "web-3", "web-4"]) {
    const item = await dr.protectedVms.protect(VAULT, infrastructure, {
      virtualMachineId: await sourceVm(dr, name),
      recoveryResourceGroupId: rgId("app-rg-dr"),
      cacheStorageAccountId: CACHE,
    });
    ids.push(item.id);
  }
  const listed = async (): Promise<{ ids: string[]; requests: number }> => {
    const before = backend.emulator.requestCount;
    const found: string[] = [];
    for await (const vm of dr.protectedVms.list(VAULT)) found.push(vm.id);
    return { ids: found, requests: backend.emulator.requestCount - before };
  };
  const vault = await listed();
  t.deepEqual([...vault.ids].sort(), [...ids].sort());
  t.is(vault.requests, 3, "five VMs in pages of two");

  const page = async (url: string): Promise<{ value: { id: string }[]; nextLink?: string }> =>
    JSON.parse((await backend.emulator.handle({ method: "GET", url, headers: {} })).body ?? "{}") as { value: { id: string }[]; nextLink?: string };
  const container = `https://management.azure.com${infrastructure.sourceContainerId}/replicationProtectedItems?api-version=2025-01-01`;
  const first = await page(container);
  t.is(first.value.length, 2);
  t.regex(first.nextLink ?? "", /(\$|%24)skiptoken=2/);
  const second = await page(first.nextLink ?? "");
  t.deepEqual(
    second.value.map((v) => v.id),
    ids.slice(2, 4),
    "the next page goes on where the first stopped",
  );
});
