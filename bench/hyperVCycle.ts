import type { ReplicationProtectedItem } from "@azure/arm-recoveryservices-siterecovery";
import { createEmulator } from "../emulator/index.js";
import { DrClient, createFakeBackend, type FakeBackend, type HyperVSite } from "../sdk/index.js";
import { figuresOf, type Figure } from "./lib/figures.js";
import { NO_POLL_DELAY, officialSiteRecoveryClient } from "./lib/officialClient.js";

const figure = figuresOf("Hyper-V to Azure");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const VAULT = { resourceGroup: "onprem-dr-rg", name: "onprem-vault" };
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/onprem-dr-rg";
/** Two disks, 60 GiB at 64 MB/s: 16 minutes of initial replication per VM. */
const DISKS_GB = [40, 20];
const BANDWIDTH_MBPS = 64;
const VMS_PER_HOST = 10;
/** How often the raw baseline reads the item: Site Recovery's own `Retry-After: 30`. */
const RAW_POLL_MS = 30_000;
/** VMs per step at once: every VM of the run (the fake backend overlaps their waits). */
const BATCH = 1_000;

/** Sizes of the runs; the defaults are those recorded in BENCHMARKS.md. */
export interface HyperVCycleOptions {
  /** VM counts taken through the whole cycle. @default [100, 1000] */
  sizes?: readonly number[];
  /** VMs protected one at a time, through DrClient and through the raw client polling every 30 s. @default 20 */
  sequentialVms?: number;
}

interface Environment {
  backend: FakeBackend;
  dr: DrClient;
  site: HyperVSite;
  vmNames: string[];
}

/** A vault, a HyperVReplicaAzure policy, a prepared site and `count` VMs on hosts of ten (none of it measured). */
async function prepare(count: number): Promise<Environment> {
  const backend = await createFakeBackend({ emulator: createEmulator({ replicationBandwidthMBps: BANDWIDTH_MBPS }) });
  const dr = new DrClient(backend);
  await dr.vaults.createOrUpdate(VAULT.resourceGroup, VAULT.name, { location: "westeurope" });
  await dr.replicationPolicies.createOrUpdate(VAULT, "hyperv-5min", { kind: "HyperVReplicaAzure", copyFrequencySeconds: 300 });
  const site = await dr.hyperV.prepareSite(VAULT, { siteName: "site-onprem", policyName: "hyperv-5min" });
  const vmNames = Array.from({ length: count }, (_, i) => `vm-${i}`);
  const hosts = [];
  for (let h = 0; h * VMS_PER_HOST < count; h++)
    hosts.push({
      name: `hv-host-${h}`,
      vms: vmNames
        .slice(h * VMS_PER_HOST, (h + 1) * VMS_PER_HOST)
        .map((name) => ({ name, disks: DISKS_GB.map((sizeGB, d) => ({ name: `${name}-disk${d}.vhdx`, sizeGB })), churnMBps: 1 })),
    });
  backend.emulator.control.registerHyperVHosts({ fabricId: site.siteId, hosts });
  return { backend, dr, site, vmNames };
}

function protectInput(name: string): Parameters<DrClient["hyperV"]["protect"]>[1] {
  return { vmName: name, targetResourceGroupId: SUB, logStorageAccountId: `${SUB}/providers/Microsoft.Storage/storageAccounts/hvlogwesteurope` };
}

/** Runs `fn` over `items`, `batch` at a time. */
async function inBatches<T>(items: readonly T[], batch: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += batch) await Promise.all(items.slice(i, i + batch).map(fn));
}

/**
 * The whole Hyper-V cycle of `count` VMs through DrClient, 50 VMs at a time per step: protect and
 * wait for protection, three hours of delta replication, planned failover to Azure, commit,
 * failback, commit, reprotect. Measures wall time, ARM requests per VM and the emulated time.
 */
async function wholeCycle(count: number): Promise<Figure[]> {
  const { backend, dr, site, vmNames } = await prepare(count);
  const requestsBefore = backend.emulator.requestCount;
  const clockBefore = backend.emulator.clock.now();
  const start = performance.now();
  const ids: string[] = [];
  await inBatches(vmNames, BATCH, async (name) => ids.push((await dr.hyperV.protect(site, protectInput(name))).id));
  await inBatches(ids, BATCH, (id) => dr.hyperV.waitForProtection(id));
  await dr.clock.sleep(3 * HOUR);
  await inBatches(ids, BATCH, (id) => dr.hyperV.failover(id, { kind: "planned" }));
  await inBatches(ids, BATCH, (id) => dr.hyperV.commit(id));
  await inBatches(ids, BATCH, (id) => dr.hyperV.failback(id));
  await inBatches(ids, BATCH, (id) => dr.hyperV.commit(id));
  await inBatches(ids, BATCH, (id) => dr.hyperV.reprotect(id));
  const wallMs = performance.now() - start;
  let back = 0;
  for await (const vm of dr.hyperV.list(VAULT)) if (vm.phase === "protected" && vm.activeLocation === "Primary") back++;
  if (back !== count) throw new Error(`${back} of ${count} VMs are protected on-premises again`);
  const requests = backend.emulator.requestCount - requestsBefore;
  const emulatedMs = backend.emulator.clock.now() - clockBefore;
  await dr.close();
  return [
    figure(`${count} VMs, whole cycle, wall time`, wallMs / 1000, "s", count >= 1_000 ? { comparison: "<=", value: 30 } : undefined),
    figure(`  ${count} VMs: ARM requests per VM`, requests / count, "req"),
    figure(`  ${count} VMs: emulated time`, emulatedMs / HOUR, "h"),
    figure(`  ${count} VMs: emulated time / wall time`, emulatedMs / wallMs, "x"),
  ];
}

/** Requests and emulated time to protect VMs one at a time: DrClient's estimate versus the raw client read every 30 s. */
async function sequentialProtection(count: number): Promise<Figure[]> {
  const drEnv = await prepare(count);
  const drBefore = drEnv.backend.emulator.requestCount;
  const drStart = performance.now();
  for (const name of drEnv.vmNames) await drEnv.dr.hyperV.waitForProtection((await drEnv.dr.hyperV.protect(drEnv.site, protectInput(name))).id);
  const drWall = performance.now() - drStart;
  const drRequests = drEnv.backend.emulator.requestCount - drBefore;
  await drEnv.dr.close();

  const rawEnv = await prepare(count);
  const { emulator } = rawEnv.backend;
  const asr = officialSiteRecoveryClient(emulator);
  const container = rawEnv.site.containerId.split("/");
  const [site, containerName] = [container.at(-3) ?? "", container.at(-1) ?? ""];
  const protectable = await rawEnv.dr.hyperV.listVms(rawEnv.site);
  const rawBefore = emulator.requestCount;
  const rawStart = performance.now();
  for (const name of rawEnv.vmNames) {
    const vm = protectable.find((v) => v.name === name);
    await asr.replicationProtectedItems.beginCreateAndWait(
      VAULT.name,
      VAULT.resourceGroup,
      site,
      containerName,
      name,
      {
        properties: {
          policyId: rawEnv.site.policyId,
          protectableItemId: vm?.id ?? "",
          providerSpecificDetails: {
            instanceType: "HyperVReplicaAzure",
            targetAzureV2ResourceGroupId: SUB,
            useManagedDisks: "true",
            logStorageAccountId: protectInput(name).logStorageAccountId ?? "",
          },
        },
      },
      NO_POLL_DELAY,
    );
    let item: ReplicationProtectedItem;
    do {
      emulator.control.advanceClock(RAW_POLL_MS);
      item = await asr.replicationProtectedItems.get(VAULT.name, VAULT.resourceGroup, site, containerName, name);
    } while (item.properties?.protectionState !== "Protected");
  }
  const rawWall = performance.now() - rawStart;
  const rawRequests = emulator.requestCount - rawBefore;
  await rawEnv.dr.close();
  return [
    figure(`DrClient: ${count} VMs one at a time to Protected, ARM requests per VM`, drRequests / count, "req"),
    figure(`raw client polling every 30 s: ARM requests per VM`, rawRequests / count, "req"),
    figure(`ARM requests per VM DrClient / raw`, drRequests / rawRequests, "x", { comparison: "<=", value: 0.5 }),
    figure(`wall time DrClient / raw`, drWall / rawWall, "x"),
  ];
}

/** Hyper-V to Azure: the whole cycle of 100 and 1,000 VMs, and the cost of waiting for protection. */
export async function runHyperVCycle(options: HyperVCycleOptions = {}): Promise<Figure[]> {
  const { sizes = [100, 1_000], sequentialVms = 20 } = options;
  const figures: Figure[] = [];
  for (const count of sizes) figures.push(...(await wholeCycle(count)));
  if (sequentialVms > 0) figures.push(...(await sequentialProtection(sequentialVms)));
  return figures;
}
