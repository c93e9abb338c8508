import type { VirtualMachine } from "@azure/arm-compute";
import type { EnableProtectionInput } from "@azure/arm-recoveryservices-siterecovery";
import { isDeepStrictEqual } from "node:util";
import { createEmulator, type Emulator } from "../emulator/index.js";
import { copyDurationMs } from "../emulator/siteRecovery/replicationModel.js";
import { DrClient, createFakeBackend, infrastructureNames, type ReplicationInfrastructure } from "../sdk/index.js";
import { CACHE, VAULT, drSetup, rgId, sourceVm } from "../test/helpers/siteRecoveryFixtures.js";
import type { Figure } from "./lib/figures.js";
import { NO_POLL_DELAY, officialComputeClient, officialSiteRecoveryClient } from "./lib/officialClient.js";
import { recording } from "./lib/recordingEmulator.js";

const BENCHMARK = "Site Recovery protect";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 225 GiB at 64 MB/s is 230,400 MB / 64 MB/s = 3,600 s of initial replication, exactly. */
const OS_DISK_GB = 225;
const BANDWIDTH_MBPS = 64;
const INITIAL_REPLICATION_MS = HOUR;
/** How often the raw baseline reads the item: the Site Recovery client's own `Retry-After: 30`. */
const RAW_POLL_MS = 30_000;
const VM_RESOURCE_GROUP = "app-rg";
const RECOVERY_RESOURCE_GROUP = rgId("app-rg-dr");
const SOURCE_REGION = "westeurope";

/** Sizes of the runs; the defaults are those recorded in BENCHMARKS.md. */
export interface ProtectVmsOptions {
  /** VM counts protected through DrClient, and through the raw clients, in batches. @default [100, 1000] */
  sizes?: readonly number[];
  /** Of `sizes`, those the raw baseline also runs (it reads every item every 30 s, so it is the slow side). @default [100, 1000] */
  rawSizes?: readonly number[];
  /** VMs protected at once: `Promise.all` over each batch, the next batch when all of it is protected. @default 50 */
  batchSize?: number;
  /** VMs protected one at a time, per side: the run in which each VM sees exactly one hour of initial replication. @default 100 */
  sequentialVms?: number;
  /** VMs per side protected (one batch) on a throwaway emulator before anything is timed. @default 50 */
  warmUp?: number;
}

/** A VM to protect: its name and id, on an emulator where the vault, policy and infrastructure are ready. */
interface Environment {
  emulator: Emulator;
  dr: DrClient;
  infrastructure: ReplicationInfrastructure;
  vms: { name: string; id: string }[];
}

/** Protects one batch of VMs and returns when every one of them is `Protected`. */
type ProtectBatch = (vms: Environment["vms"]) => Promise<void>;

/** What one run cost: only the protect and wait phases, never the setup. */
interface Run {
  vms: number;
  wallMs: number;
  cpuMs: number;
  requests: number;
  emulatedMs: number;
}

type SideName = "DrClient" | "raw";
type Side = (env: Environment) => ProtectBatch;

/**
 * Protects 100 and 1,000 VMs (each with a 225 GiB OS disk, one hour of initial replication at
 * 64 MB/s) to `Protected` on the in-process emulator, through `DrClient` (`protect` then
 * `waitForProtection`) and through the raw official clients (`beginCreateAndWait`, then a
 * `replicationProtectedItems.get` every 30 s of emulated time), and compares wall time, ARM
 * requests per VM and emulated time. A second pair of runs protects VMs one at a time, where the
 * emulated time of each VM is exact (see BENCHMARKS.md for why batches inflate it).
 */
export async function runProtectVms(options: ProtectVmsOptions = {}): Promise<Figure[]> {
  const { sizes = [100, 1_000], rawSizes = [100, 1_000], batchSize = 50, sequentialVms = 100, warmUp = 50 } = options;
  if (copyDurationMs(OS_DISK_GB * 1024 ** 3, BANDWIDTH_MBPS) !== INITIAL_REPLICATION_MS) throw new Error("the disk and bandwidth must make one hour");
  await assertSameRequest();
  await runSide("DrClient", await prepare("DrClient", warmUp), warmUp);
  await runSide("raw", await prepare("raw", warmUp), warmUp);

  const figures: Figure[] = [];
  const ratios: Figure[] = [];
  for (const vms of sizes) {
    const dr = await runSide("DrClient", await prepare("DrClient", vms), batchSize);
    figures.push(...runFigures("DrClient", dr, `${vms} VMs to Protected, batches of ${batchSize}`, vms >= 1_000));
    if (!rawSizes.includes(vms)) continue;
    const raw = await runSide("raw", await prepare("raw", vms), batchSize);
    figures.push(...runFigures("raw", raw, `${vms} VMs to Protected, batches of ${batchSize}`, false));
    ratios.push(...ratioFigures(dr, raw, `${vms} VMs in batches`));
  }
  if (sequentialVms > 0) {
    const dr = await runSide("DrClient", await prepare("DrClient", sequentialVms), 1);
    const raw = await runSide("raw", await prepare("raw", sequentialVms), 1);
    figures.push(...sequentialFigures("DrClient", dr), ...sequentialFigures("raw", raw));
    ratios.push(...ratioFigures(dr, raw, `${sequentialVms} VMs one at a time`));
  }
  return [...figures, ...ratios];
}

function runFigures(side: SideName, run: Run, what: string, withTargets: boolean): Figure[] {
  return [
    {
      benchmark: BENCHMARK,
      metric: `${side}: ${what}, wall time`,
      value: run.wallMs / 1000,
      unit: "s",
      ...(withTargets ? { target: { comparison: "<=", value: 10 } } : {}),
    },
    {
      benchmark: BENCHMARK,
      metric: `  ${side}: ARM requests per VM`,
      value: run.requests / run.vms,
      unit: "req",
      ...(withTargets ? { target: { comparison: "<=", value: 12 } } : {}),
    },
    { benchmark: BENCHMARK, metric: `  ${side}: CPU time`, value: run.cpuMs / 1000, unit: "s" },
    { benchmark: BENCHMARK, metric: `  ${side}: emulated time of the run`, value: run.emulatedMs / HOUR, unit: "h" },
  ];
}

function sequentialFigures(side: SideName, run: Run): Figure[] {
  return [
    {
      benchmark: BENCHMARK,
      metric: `${side}: ${run.vms} VMs one at a time, ARM requests per VM`,
      value: run.requests / run.vms,
      unit: "req",
      ...(side === "DrClient" ? { target: { comparison: "<=", value: 12 } } : {}),
    },
    { benchmark: BENCHMARK, metric: `  ${side}: emulated time per VM, enable to Protected`, value: run.emulatedMs / run.vms / MINUTE, unit: "min" },
    { benchmark: BENCHMARK, metric: `  ${side}: wall time per VM`, value: run.wallMs / run.vms, unit: "ms" },
  ];
}

function ratioFigures(dr: Run, raw: Run, what: string): Figure[] {
  return [
    { benchmark: BENCHMARK, metric: `wall time DrClient / raw, ${what}`, value: dr.wallMs / raw.wallMs, unit: "x" },
    { benchmark: BENCHMARK, metric: `ARM requests per VM DrClient / raw, ${what}`, value: dr.requests / dr.vms / (raw.requests / raw.vms), unit: "x" },
  ];
}

/**
 * A fresh emulator with the vault, the A2A policy, the infrastructure westeurope -> northeurope and
 * `count` VMs, all made through DrClient (none of it is measured). The raw side gets its own
 * emulator, set up the same way.
 */
async function prepare(side: SideName, count: number): Promise<Environment> {
  const backend =
    side === "DrClient"
      ? await createFakeBackend({ replicationBandwidthMBps: BANDWIDTH_MBPS })
      : await createFakeBackend({ emulator: createEmulator({ replicationBandwidthMBps: BANDWIDTH_MBPS }) });
  const dr = new DrClient(backend);
  const infrastructure = await drSetup(dr);
  const vms: Environment["vms"] = [];
  for (let i = 0; i < count; i += 50) {
    const names = Array.from({ length: Math.min(50, count - i) }, (_, k) => `vm-${i + k}`);
    vms.push(...(await Promise.all(names.map(async (name) => ({ name, id: await sourceVm(dr, name, OS_DISK_GB) })))));
  }
  return { emulator: backend.emulator, dr, infrastructure, vms };
}

const SIDES: Record<SideName, Side> = {
  DrClient: viaDrClient,
  raw: viaOfficialClients,
};

/** Protects every VM of `env` in batches of `batchSize` and measures it, then checks that all are `Protected`. */
async function runSide(side: SideName, env: Environment, batchSize: number): Promise<Run> {
  const protectBatch = SIDES[side](env);
  const { emulator } = env;
  const requestsBefore = emulator.requestCount;
  const clockBefore = emulator.clock.now();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < env.vms.length; i += batchSize) await protectBatch(env.vms.slice(i, i + batchSize));
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const run: Run = {
    vms: env.vms.length,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    requests: emulator.requestCount - requestsBefore,
    emulatedMs: emulator.clock.now() - clockBefore,
  };
  let protectedCount = 0;
  for await (const item of env.dr.protectedVms.list(VAULT)) if (item.phase === "protected") protectedCount++;
  if (protectedCount !== env.vms.length) throw new Error(`${side}: ${protectedCount} of ${env.vms.length} VMs are protected`);
  await env.dr.close();
  return run;
}

/** `protect` then `waitForProtection` for each VM of the batch, all at once. */
function viaDrClient(env: Environment): ProtectBatch {
  const { dr, infrastructure } = env;
  return async (vms) => {
    await Promise.all(
      vms.map(async (vm) => {
        const item = await dr.protectedVms.protect(VAULT, infrastructure, {
          virtualMachineId: vm.id,
          recoveryResourceGroupId: RECOVERY_RESOURCE_GROUP,
          cacheStorageAccountId: CACHE,
        });
        await dr.protectedVms.waitForProtection(item.id);
      }),
    );
  };
}

/**
 * The raw official clients, the naive way: for each VM of the batch at once, read the VM (for its
 * disk ids, as DrClient does) and `beginCreateAndWait` the replicated item; then read every item
 * that is not yet `Protected`, advance the emulated clock by 30 s, and repeat. The clock moves once
 * per round, not once per VM: 50 pollers each advancing it by 30 s would read each item every 25
 * minutes of emulated time, not every 30 s.
 */
function viaOfficialClients(env: Environment): ProtectBatch {
  const { emulator, infrastructure } = env;
  const compute = officialComputeClient(emulator);
  const asr = officialSiteRecoveryClient(emulator);
  const fabric = infrastructureNames.fabric(SOURCE_REGION);
  const container = infrastructureNames.container(SOURCE_REGION);
  const getItem = (name: string): Promise<{ properties?: { protectionState?: string } }> =>
    asr.replicationProtectedItems.get(VAULT.name, VAULT.resourceGroup, fabric, container, name);
  return async (vms) => {
    await Promise.all(
      vms.map(async (vm) => {
        const model = await compute.virtualMachines.get(VM_RESOURCE_GROUP, vm.name);
        await asr.replicationProtectedItems.beginCreateAndWait(
          VAULT.name,
          VAULT.resourceGroup,
          fabric,
          container,
          vm.name,
          enableInput(model, infrastructure),
          NO_POLL_DELAY,
        );
      }),
    );
    let pending = vms.map((vm) => vm.name);
    for (;;) {
      const items = await Promise.all(pending.map(getItem));
      pending = pending.filter((_, i) => items[i]?.properties?.protectionState !== "Protected");
      if (pending.length === 0) return;
      emulator.control.advanceClock(RAW_POLL_MS);
    }
  };
}

/** The A2A enable input DrClient sends for the same VM: every managed disk, the cache account, the recovery resource group. */
function enableInput(vm: VirtualMachine, infrastructure: ReplicationInfrastructure): EnableProtectionInput {
  const disks = [vm.storageProfile?.osDisk?.managedDisk?.id, ...(vm.storageProfile?.dataDisks ?? []).map((d) => d.managedDisk?.id)];
  return {
    properties: {
      policyId: infrastructure.policyId,
      providerSpecificDetails: {
        instanceType: "A2A",
        fabricObjectId: vm.id ?? "",
        recoveryContainerId: infrastructure.targetContainerId,
        recoveryResourceGroupId: RECOVERY_RESOURCE_GROUP,
        vmManagedDisks: disks.map((diskId) => ({
          diskId: diskId ?? "",
          primaryStagingAzureStorageAccountId: CACHE,
          recoveryResourceGroupId: RECOVERY_RESOURCE_GROUP,
        })),
      },
    },
  };
}

/** The comparison is only fair if both sides enable replication with the same request body. */
async function assertSameRequest(): Promise<void> {
  const bodies: (string | undefined)[] = [];
  for (const side of ["DrClient", "raw"] as const) {
    const emulator = recording(createEmulator({ replicationBandwidthMBps: BANDWIDTH_MBPS }));
    const dr = new DrClient(await createFakeBackend({ emulator }));
    const infrastructure = await drSetup(dr);
    const vm = { name: "vm-check", id: await sourceVm(dr, "vm-check", OS_DISK_GB) };
    await SIDES[side]({ emulator, dr, infrastructure, vms: [vm] })([vm]);
    bodies.push([...emulator.putBodies].find(([path]) => path.toLowerCase().endsWith("/replicationprotecteditems/vm-check"))?.[1]);
  }
  const [drBody, rawBody] = bodies;
  if (drBody === undefined || rawBody === undefined || !isDeepStrictEqual(JSON.parse(drBody), JSON.parse(rawBody))) {
    throw new Error(`DrClient and the raw client send different enable-protection bodies:\n${drBody}\n${rawBody}`);
  }
}
