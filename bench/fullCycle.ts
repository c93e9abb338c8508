import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { copyDurationMs } from "../emulator/siteRecovery/replicationModel.js";
import { DrClient, createFakeBackend, type FakeBackend, type PlanRunResult, type ReplicationInfrastructure } from "../sdk/index.js";
import { SUB } from "../test/helpers/fixtures.js";
import { CACHE, VAULT, drSetup, rgId, sourceVm } from "../test/helpers/siteRecoveryFixtures.js";
import { type Figure, figuresOf } from "./lib/figures.js";

const BENCHMARK = "Site Recovery full cycle";
const MiB = 1024 * 1024;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 60 GiB at 1,024 MB/s is 61,440 MB / 1,024 MB/s = 60 s of initial replication (the emulator's minimum copy time). */
const OS_DISK_GB = 60;
const BANDWIDTH_MBPS = 1_024;
const INITIAL_REPLICATION_MS = MINUTE;
/** Site Recovery's poll interval, the SDK's wait between two readings of a plan's job. */
const POLL_MS = 30_000;
const BOOT_GROUPS = 3;
const RECOVERY_RESOURCE_GROUP = rgId("app-rg-dr");
const TEST_VNET = `/subscriptions/${SUB}/resourceGroups/app-rg-dr/providers/Microsoft.Network/virtualNetworks/drill-isolated`;

/** Sizes of the runs; the defaults are those recorded in BENCHMARKS.md. */
export interface FullCycleOptions {
  /** VM counts, each run in its own child process. @default [100, 1000] */
  sizes?: readonly number[];
  /** VMs per recovery plan (Azure's limit is 100). @default 100 */
  planSize?: number;
  /** VMs protected at once, as in the protect benchmark. @default 50 */
  batchSize?: number;
  /** VMs of a whole cycle run on a throwaway emulator in the child before anything is measured. @default 20 */
  warmUp?: number;
}

const figuresSchema = z.array(
  z.object({
    benchmark: z.string(),
    metric: z.string(),
    value: z.number(),
    unit: z.string(),
    target: z.object({ comparison: z.enum([">=", "<="]), value: z.number() }).optional(),
  }),
);

/**
 * The whole Site Recovery cycle through DrClient on the in-process emulator, for 100 and 1,000
 * VMs in recovery plans of 100 VMs and 3 boot groups: protect, plan create, test failover,
 * cleanup, planned failover, commit, reprotect, protected again, failback, commit, reprotect,
 * protected again. Each size runs in a child `node --expose-gc` process (see
 * {@link measureFullCycle}), so that its peak memory is its own.
 */
export async function runFullCycle(options: FullCycleOptions = {}): Promise<Figure[]> {
  const { sizes = [100, 1_000], planSize = 100, batchSize = 50, warmUp = 20 } = options;
  const child = join(__dirname, "fullCycleChild.ts");
  const figures: Figure[] = [];
  for (const vms of sizes) {
    const args = ["--expose-gc", "--import", "tsx", child, String(vms), String(planSize), String(batchSize), String(warmUp)];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * MiB });
    for (const f of figuresSchema.parse(JSON.parse(stdout))) {
      figures.push(f.target === undefined ? { benchmark: f.benchmark, metric: f.metric, value: f.value, unit: f.unit } : { ...f, target: f.target });
    }
  }
  return figures;
}

/** The phases of the cycle, in order; each runs on every plan at once and ends when all plans are done. */
const PHASES = [
  "protect",
  "plan create",
  "test failover",
  "cleanup",
  "failover",
  "commit",
  "reprotect + protected",
  "failback",
  "commit back",
  "reprotect back + protected",
] as const;
type Phase = (typeof PHASES)[number];

/** What one phase cost. */
interface PhaseCost {
  wallMs: number;
  requests: number;
  emulatedMs: number;
}

/** A plan's planned failover as the SDK saw it: the backend's clock around the call, and the job's own times. */
interface FailoverTiming {
  /** Backend clock after `failover` returned minus before it was called. */
  sdkMs: number;
  /** The sum of the job's task durations (what the emulator simulated). */
  tasksMs: number;
  /** The job's end minus its start. */
  jobMs: number;
  bootGroups: number;
}

interface Environment {
  backend: FakeBackend;
  dr: DrClient;
  infrastructure: ReplicationInfrastructure;
  vmIds: string[];
}

/**
 * Measures one cycle of `vms` VMs in plans of `planSize` (run with `--expose-gc`): first a whole
 * cycle of `warmUp` VMs on a throwaway emulator, then the VMs of the measured run are created
 * (not measured), GC, and the cycle runs with its heap sampled every 10 ms.
 */
export async function measureFullCycle(vms: number, planSize: number, batchSize: number, warmUp: number): Promise<Figure[]> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  if (copyDurationMs(OS_DISK_GB * 1024 ** 3, BANDWIDTH_MBPS) !== INITIAL_REPLICATION_MS) throw new Error("the disk and bandwidth must make one minute");
  if (warmUp > 0) await runCycle(await prepare(warmUp), planSize, batchSize);

  const env = await prepare(vms);
  gc();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 10);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const { phases, failovers, failbacks, plans } = await runCycle(env, planSize, batchSize);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc();
  const after = process.memoryUsage();

  const total = [...phases.values()].reduce((sum, p) => ({
    wallMs: sum.wallMs + p.wallMs,
    requests: sum.requests + p.requests,
    emulatedMs: sum.emulatedMs + p.emulatedMs,
  }));
  const what = `${vms} VMs, ${plans} plan${plans === 1 ? "" : "s"} of ${BOOT_GROUPS} boot groups`;
  const single = plans === 1;
  const figure = figuresOf(BENCHMARK);
  const overhead = (name: string, timings: FailoverTiming[]): Figure[] => {
    const worst = timings.reduce((a, b) => (b.sdkMs - b.tasksMs > a.sdkMs - a.tasksMs ? b : a));
    const label = single ? `${name} of the plan` : `${name}, worst of ${plans} concurrent plans`;
    return [
      figure(`  ${label}: SDK time (backend clock)`, worst.sdkMs / 1000, "s"),
      figure(`  ${label}: job time (sum of its tasks)`, worst.tasksMs / 1000, "s"),
      figure(
        `  ${label}: orchestration overhead per boot group`,
        (worst.sdkMs - worst.tasksMs) / 1000 / worst.bootGroups,
        "s",
        single ? { comparison: "<=", value: POLL_MS / 1000 } : undefined,
      ),
    ];
  };
  return [
    figure(`${what}: full cycle, wall time`, wallMs / 1000, "s", vms >= 1_000 ? { comparison: "<=", value: 30 } : undefined),
    figure(`  ARM requests per VM`, total.requests / vms, "req"),
    figure(`  CPU time`, (cpu.user + cpu.system) / 1_000_000, "s"),
    figure(`  emulated time of the cycle`, total.emulatedMs / HOUR, "h"),
    ...PHASES.flatMap((phase) => {
      const cost = phases.get(phase) as PhaseCost;
      return [figure(`  ${phase}: wall time`, cost.wallMs / 1000, "s"), figure(`  ${phase}: ARM requests per VM`, cost.requests / vms, "req")];
    }),
    figure(`  heapUsed before the cycle (VMs created, after GC)`, before.heapUsed / MiB, "MiB"),
    figure(`  heapUsed peak during the cycle (sampled every 10 ms)`, peakHeap / MiB, "MiB"),
    figure(`  heapUsed after the cycle (after GC)`, after.heapUsed / MiB, "MiB"),
    figure(`  RSS peak (maxRSS of the process)`, peakRss / MiB, "MiB"),
    ...overhead("planned failover", failovers),
    ...overhead("failback", failbacks),
  ];
}

/**
 * A fresh emulator with the vault, the A2A policy, the infrastructure westeurope -> northeurope
 * and `count` VMs of one 60 GiB disk, made through DrClient, 50 at a time (not measured).
 */
async function prepare(count: number): Promise<Environment> {
  const backend = await createFakeBackend({ replicationBandwidthMBps: BANDWIDTH_MBPS });
  const dr = new DrClient(backend);
  const infrastructure = await drSetup(dr);
  const vmIds: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const names = Array.from({ length: Math.min(50, count - i) }, (_, k) => `vm-${i + k}`);
    vmIds.push(...(await Promise.all(names.map((name) => sourceVm(dr, name, OS_DISK_GB)))));
  }
  return { backend, dr, infrastructure, vmIds };
}

/**
 * The cycle, phase by phase. Protect runs in batches of `batchSize` (`protect` then
 * `waitForProtection`, the next batch when the whole batch is protected); every other phase runs
 * on all plans at once (`Promise.all`) and ends when every plan is done. Checks each outcome and,
 * at the end, that every VM is protected again in the original direction.
 */
async function runCycle(
  env: Environment,
  planSize: number,
  batchSize: number,
): Promise<{ phases: Map<Phase, PhaseCost>; failovers: FailoverTiming[]; failbacks: FailoverTiming[]; plans: number }> {
  const { backend, dr, infrastructure } = env;
  const emulator = backend.emulator;
  const phases = new Map<Phase, PhaseCost>();
  const phase = async <T>(name: Phase, run: () => Promise<T>): Promise<T> => {
    const requests = emulator.requestCount;
    const clock = emulator.clock.now();
    const start = performance.now();
    const result = await run();
    phases.set(name, { wallMs: performance.now() - start, requests: emulator.requestCount - requests, emulatedMs: emulator.clock.now() - clock });
    return result;
  };
  const planNames = Array.from({ length: Math.ceil(env.vmIds.length / planSize) }, (_, i) => `plan-${i}`);
  const onPlans = <T>(run: (plan: string) => Promise<T>): Promise<T[]> => Promise.all(planNames.map(run));
  const expect = (results: PlanRunResult[], state: PlanRunResult["state"], what: string): void => {
    const wrong = results.find((r) => r.state !== state);
    if (wrong !== undefined) throw new Error(`${what} of ${wrong.handle.plan}: ${wrong.state}, not ${state} (${JSON.stringify(wrong.error)})`);
  };

  const itemIds = await phase("protect", async () => {
    const ids: string[] = [];
    for (let i = 0; i < env.vmIds.length; i += batchSize) {
      const batch = env.vmIds.slice(i, i + batchSize);
      ids.push(
        ...(await Promise.all(
          batch.map(async (virtualMachineId) => {
            const item = await dr.protectedVms.protect(VAULT, infrastructure, {
              virtualMachineId,
              recoveryResourceGroupId: RECOVERY_RESOURCE_GROUP,
              cacheStorageAccountId: CACHE,
            });
            await dr.protectedVms.waitForProtection(item.id);
            return item.id;
          }),
        )),
      );
    }
    return ids;
  });
  await phase("plan create", () =>
    onPlans((plan, p = planNames.indexOf(plan)) =>
      dr.recoveryPlans.createOrUpdate(VAULT, plan, {
        primaryFabricId: infrastructure.sourceFabricId,
        recoveryFabricId: infrastructure.targetFabricId,
        groups: bootGroups(itemIds.slice(p * planSize, (p + 1) * planSize)),
      }),
    ),
  );
  expect(
    await phase("test failover", () => onPlans((plan) => dr.recoveryPlans.testFailover(VAULT, plan, { networkId: TEST_VNET }))),
    "WaitingForCleanup",
    "test failover",
  );
  expect(await phase("cleanup", () => onPlans((plan) => dr.recoveryPlans.cleanupTest(VAULT, plan))), "Succeeded", "cleanup");
  const failovers = await phase("failover", () => onPlans((plan) => timedFailover(backend, dr, plan)));
  expect(await phase("commit", () => onPlans((plan) => dr.recoveryPlans.commit(VAULT, plan))), "Succeeded", "commit");
  await phase("reprotect + protected", () => onPlans((plan) => reprotectAndWait(dr, plan)));
  const failbacks = await phase("failback", () => onPlans((plan) => timedFailover(backend, dr, plan)));
  expect(await phase("commit back", () => onPlans((plan) => dr.recoveryPlans.commit(VAULT, plan))), "Succeeded", "commit after failback");
  const finalIds = (await phase("reprotect back + protected", () => onPlans((plan) => reprotectAndWait(dr, plan)))).flat();

  const sourceContainer = infrastructure.sourceContainerId.toLowerCase();
  const home = finalIds.filter((id) => id.toLowerCase().startsWith(`${sourceContainer}/`)).length;
  let protectedCount = 0;
  for await (const item of dr.protectedVms.list(VAULT)) if (item.phase === "protected") protectedCount++;
  if (home !== env.vmIds.length || protectedCount !== env.vmIds.length)
    throw new Error(`after the cycle: ${home} of ${env.vmIds.length} VMs replicate from the source region, ${protectedCount} are protected`);
  await dr.close();
  return { phases, failovers: failovers.map((f) => f.timing), failbacks: failbacks.map((f) => f.timing), plans: planNames.length };
}

/** The plan's VMs in {@link BOOT_GROUPS} groups of near-equal size, in order. */
function bootGroups(ids: string[]): { protectedVmIds: string[] }[] {
  const size = Math.ceil(ids.length / BOOT_GROUPS);
  return Array.from({ length: BOOT_GROUPS }, (_, g) => ({ protectedVmIds: ids.slice(g * size, (g + 1) * size) })).filter((g) => g.protectedVmIds.length > 0);
}

/** A planned failover (or failback: the SDK picks the direction) with the backend's clock read around it. */
async function timedFailover(backend: FakeBackend, dr: DrClient, plan: string): Promise<{ result: PlanRunResult; timing: FailoverTiming }> {
  const before = backend.clock.now().getTime();
  const result = await dr.recoveryPlans.failover(VAULT, plan, { kind: "planned" });
  const after = backend.clock.now().getTime();
  if (result.state !== "Succeeded") throw new Error(`planned failover of ${plan}: ${result.state} (${JSON.stringify(result.error)})`);
  const span = (start: Date | undefined, end: Date | undefined): number => (end?.getTime() ?? Number.NaN) - (start?.getTime() ?? Number.NaN);
  const timing: FailoverTiming = {
    sdkMs: after - before,
    tasksMs: result.steps.reduce((sum, step) => sum + span(step.startTime, step.endTime), 0),
    jobMs: span(result.job.startTime, result.job.endTime),
    bootGroups: result.steps.filter((s) => /^StartGroup\d+$/.test(s.name)).length,
  };
  if (!(timing.tasksMs > 0) || timing.tasksMs !== timing.jobMs)
    throw new Error(`planned failover of ${plan}: tasks ${timing.tasksMs} ms, job ${timing.jobMs} ms`);
  return { result, timing };
}

/** Reprotects the plan (VMs now replicate the other way, under new ids) and waits until every VM is protected; returns the new ids. */
async function reprotectAndWait(dr: DrClient, plan: string): Promise<string[]> {
  const reprotected = await dr.recoveryPlans.reprotect(VAULT, plan);
  const ids = reprotected.groups.flatMap((g) => g.protectedVmIds);
  await Promise.all(ids.map((id) => dr.protectedVms.waitForProtection(id)));
  return ids;
}
