import { isDeepStrictEqual } from "node:util";
import { createEmulator, type Emulator } from "../emulator/index.js";
import { DrClient, createFakeBackend } from "../sdk/index.js";
import { vmInput } from "../test/helpers/fixtures.js";
import type { Figure } from "./lib/figures.js";
import { NO_POLL_DELAY, officialComputeClient } from "./lib/officialClient.js";
import { recording } from "./lib/recordingEmulator.js";
import { median, sequentially } from "./lib/timing.js";
import { rawVmModel } from "./lib/vmModel.js";

const BENCHMARK = "DrClient overhead";
const RESOURCE_GROUP = "bench-rg";

/** Sizes of the comparison; the defaults are those recorded in BENCHMARKS.md. */
export interface DrClientOverheadOptions {
  /** VM creations per side and round. @default 1000 */
  vms?: number;
  /** Rounds; each runs both sides, the first side alternating. @default 4 */
  rounds?: number;
  /** VM creations per side before timing. @default 100 */
  warmUp?: number;
}

/** What one side costs for one batch of VM creations on a fresh emulator. */
interface SideRun {
  wallMs: number;
  cpuMs: number;
  requests: number;
}

type Side = (vms: number) => Promise<SideRun>;

/**
 * DrClient (validation, mapping, error translation on top of the official client) against the
 * official client alone, for the same VM creations on a fresh emulator each. The sides alternate
 * which goes first and the medians of the rounds are compared. Keep `rounds` even: the side that runs
 * first in a round measured a few percent more CPU (likely collecting the previous round's emulator).
 */
export async function runDrClientOverhead(options: DrClientOverheadOptions = {}): Promise<Figure[]> {
  const { vms = 1_000, rounds = 4, warmUp = 100 } = options;
  await assertSameRequest();
  await viaDrClient(warmUp);
  await viaOfficialClient(warmUp);

  const dr: SideRun[] = [];
  const raw: SideRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const drFirst = round % 2 === 1;
    if (drFirst) dr.push(await viaDrClient(vms));
    raw.push(await viaOfficialClient(vms));
    if (!drFirst) dr.push(await viaDrClient(vms));
  }

  const wall = (runs: SideRun[]): number => median(runs.map((r) => r.wallMs));
  const cpu = (runs: SideRun[]): number => median(runs.map((r) => r.cpuMs));
  const perVm = (runs: SideRun[]): number => median(runs.map((r) => r.requests / vms));
  return [
    {
      benchmark: BENCHMARK,
      metric: `wall time DrClient / raw, ${vms} VM creations, median of ${rounds}`,
      value: wall(dr) / wall(raw),
      unit: "x",
      target: { comparison: "<=", value: 1.15 },
    },
    { benchmark: BENCHMARK, metric: "  CPU time DrClient / raw", value: cpu(dr) / cpu(raw), unit: "x" },
    { benchmark: BENCHMARK, metric: "  raw: wall ms per VM creation", value: wall(raw) / vms, unit: "ms" },
    { benchmark: BENCHMARK, metric: "  raw: CPU ms per VM creation", value: cpu(raw) / vms, unit: "ms" },
    { benchmark: BENCHMARK, metric: "  DrClient: wall ms per VM creation", value: wall(dr) / vms, unit: "ms" },
    { benchmark: BENCHMARK, metric: "  DrClient: CPU ms per VM creation", value: cpu(dr) / vms, unit: "ms" },
    { benchmark: BENCHMARK, metric: "ARM requests per VM creation, raw", value: perVm(raw), unit: "req" },
    { benchmark: BENCHMARK, metric: "ARM requests per VM creation, DrClient", value: perVm(dr), unit: "req" },
  ];
}

const viaDrClient: Side = async (vms) => {
  const backend = await createFakeBackend();
  const dr = new DrClient(backend);
  try {
    return await measureSide(backend.emulator, vms, (name) => dr.virtualMachines.create(RESOURCE_GROUP, name, vmInput(RESOURCE_GROUP, name)));
  } finally {
    await dr.close();
  }
};

const viaOfficialClient: Side = async (vms) => {
  const emulator = createEmulator();
  const client = officialComputeClient(emulator);
  return measureSide(emulator, vms, (name) => client.virtualMachines.createOrUpdate(RESOURCE_GROUP, name, rawVmModel(RESOURCE_GROUP, name), NO_POLL_DELAY));
};

async function measureSide(emulator: Emulator, vms: number, create: (name: string) => PromiseLike<unknown>): Promise<SideRun> {
  const requestsBefore = emulator.requestCount;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  await sequentially(vms, (i) => Promise.resolve(create(`vm-${i}`)));
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, requests: emulator.requestCount - requestsBefore };
}

/** The comparison is only fair if both sides put the same VM on the wire. */
async function assertSameRequest(): Promise<void> {
  const name = "vm-check";
  const drEmulator = recording(createEmulator());
  const dr = new DrClient(await createFakeBackend({ emulator: drEmulator }));
  await dr.virtualMachines.create(RESOURCE_GROUP, name, vmInput(RESOURCE_GROUP, name));
  const rawEmulator = recording(createEmulator());
  await officialComputeClient(rawEmulator).virtualMachines.createOrUpdate(RESOURCE_GROUP, name, rawVmModel(RESOURCE_GROUP, name), NO_POLL_DELAY);
  const [drBody] = [...drEmulator.putBodies.values()];
  const [rawBody] = [...rawEmulator.putBodies.values()];
  if (drBody === undefined || rawBody === undefined || !isDeepStrictEqual(JSON.parse(drBody), JSON.parse(rawBody))) {
    throw new Error(`DrClient and the raw client send different VM bodies:\n${drBody}\n${rawBody}`);
  }
}
