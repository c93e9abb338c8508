import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { createEmulator, type Emulator } from "../emulator/index.js";
import { COMPUTE_API_VERSIONS, VIRTUAL_MACHINE_TYPE } from "../emulator/compute/computeApi.js";
import { rawVmBody } from "../test/helpers/fixtures.js";
import type { Figure } from "./lib/figures.js";
import { BENCH_SUBSCRIPTION_ID } from "./lib/officialClient.js";
import { perSecond } from "./lib/timing.js";

const BENCHMARK = "emulator memory";
const RESOURCE_GROUP = "bench-rg";
const MiB = 1024 * 1024;
const CREATE_MS = 90_000;

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
 * Runs {@link measureEmulatorMemory} in a child `node --expose-gc` process, so that GC can be
 * forced and the heap holds nothing but the emulator and this benchmark.
 */
export async function runEmulatorMemory(vms = 10_000): Promise<Figure[]> {
  const child = join(__dirname, "emulatorMemoryChild.ts");
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", child, String(vms)], { maxBuffer: 16 * MiB });
  const figures: Figure[] = [];
  for (const f of figuresSchema.parse(JSON.parse(stdout))) {
    figures.push(f.target === undefined ? { benchmark: f.benchmark, metric: f.metric, value: f.value, unit: f.unit } : { ...f, target: f.target });
  }
  return figures;
}

/**
 * Heap and RSS of an emulator holding `vms` VMs, created with raw `PUT`s through `emulator.handle`
 * (no client pipeline) and completed by one clock advance. Needs `--expose-gc`.
 */
export async function measureEmulatorMemory(vms: number): Promise<Figure[]> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  // Warm up on a throwaway emulator so JIT code and lazily loaded modules are in the baseline.
  await createVms(createEmulator(), 100);
  gc();
  const before = process.memoryUsage();

  const emulator = createEmulator();
  const start = performance.now();
  let peakHeap = before.heapUsed;
  await createVms(emulator, vms, () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)));
  const createMs = performance.now() - start;
  const advanceStart = performance.now();
  emulator.control.advanceClock(CREATE_MS);
  const advanceMs = performance.now() - advanceStart;
  const succeeded = emulator.resources
    .list(`/subscriptions/${BENCH_SUBSCRIPTION_ID}`, VIRTUAL_MACHINE_TYPE)
    .filter((vm) => provisioningState(vm.body) === "Succeeded").length;
  if (succeeded !== vms) throw new Error(`${succeeded} of ${vms} VMs succeeded after the clock advance`);
  gc();
  const after = process.memoryUsage();
  const peakRss = process.resourceUsage().maxRSS * 1024;

  const snapshot = emulator.control.snapshot();
  const jsonPerVm = (part: unknown): number => Buffer.byteLength(JSON.stringify(part)) / vms;
  const figure = (metric: string, value: number, unit: string): Figure => ({ benchmark: BENCHMARK, metric, value, unit });
  return [
    figure(`heapUsed before (empty emulator, after GC)`, before.heapUsed / MiB, "MiB"),
    figure(`heapUsed peak while creating ${vms} VMs`, peakHeap / MiB, "MiB"),
    figure(`heapUsed after (${vms} VMs, after GC)`, after.heapUsed / MiB, "MiB"),
    figure("RSS before", before.rss / MiB, "MiB"),
    figure("RSS after", after.rss / MiB, "MiB"),
    figure("RSS peak (maxRSS of the process)", peakRss / MiB, "MiB"),
    figure("heap bytes per VM", (after.heapUsed - before.heapUsed) / vms, "B"),
    figure("  state JSON per VM: resource", jsonPerVm(snapshot.resources), "B"),
    figure("  state JSON per VM: finished operation record", jsonPerVm(snapshot.operations), "B"),
    figure(`raw emulator.handle VM PUTs, ${vms}`, perSecond(vms, createMs), "req/s"),
    figure(`advanceClock completing ${vms} VM creations`, advanceMs, "ms"),
  ];
}

async function createVms(emulator: Emulator, count: number, sample?: () => void): Promise<void> {
  const apiVersion = COMPUTE_API_VERSIONS[0];
  for (let i = 0; i < count; i++) {
    const name = `vm-${i}`;
    const response = await emulator.handle({
      method: "PUT",
      url: `https://management.azure.com/subscriptions/${BENCH_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${name}?api-version=${apiVersion}`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(rawVmBody(RESOURCE_GROUP, name)),
    });
    if (response.status !== 201) throw new Error(`PUT ${name} answered ${response.status}: ${response.body ?? ""}`);
    if (sample !== undefined && i % 500 === 0) sample();
  }
}

function provisioningState(body: Record<string, unknown>): unknown {
  const properties = body.properties;
  return typeof properties === "object" && properties !== null && "provisioningState" in properties ? properties.provisioningState : undefined;
}
