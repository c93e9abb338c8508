import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { type Figure, figuresOf } from "./lib/figures.js";

const BENCHMARK = "full cycle scaling";
const MiB = 1024 * 1024;
/** A large run may cost this much more per VM than the small one and still count as linear. */
const PER_VM_ALLOWANCE = 1.2;
/** Large runs, each followed by a small one (the first small one comes before them all). */
const LARGE_RUNS = 2;

/** Sizes of the two runs; the defaults are those `npm run bench` uses. */
export interface FullCycleScaleOptions {
  /** VMs of the reference run. @default 1000 */
  small?: number;
  /** VMs of the large run (`npm run bench -- --scale-vms 10000` for the 10,000). @default 3000 */
  large?: number;
  /** VMs of a whole cycle run in each child before anything is measured. @default 20 */
  warmUp?: number;
}

const childFiguresSchema = z.array(z.object({ metric: z.string(), value: z.number(), unit: z.string() }));

/** What one child run of the full cycle measured. */
interface CycleRun {
  wallS: number;
  cpuS: number;
  peakRssMiB: number;
}

/**
 * Whether the whole DR cycle (benchmark 5, `bench/fullCycleChild.ts`) stays linear in the number
 * of VMs: cycles of `small` and `large` VMs, alternated (small, large, small, large, small), each
 * in its own child process, in the same run. The machine's speed drifts from one minute to the
 * next (a small cycle lasts seconds, a large one minutes): alternating, and comparing the mean of
 * the large runs with the mean of the small runs around them, keeps that drift out of the ratio.
 * Target: the large cycle within 1.2 times the linear extrapolation of the small one
 * (`large / small * 1.2`: 12x for 10,000 VMs against 1,000).
 */
export async function runFullCycleScale(options: FullCycleScaleOptions = {}): Promise<Figure[]> {
  const { small = 1_000, large = 3_000, warmUp = 20 } = options;
  if (!(large > small)) throw new RangeError(`the large run (${large} VMs) must be larger than the small one (${small} VMs)`);
  const smallRuns: CycleRun[] = [await runCycleChild(small, warmUp)];
  const largeRuns: CycleRun[] = [];
  for (let i = 0; i < LARGE_RUNS; i++) {
    largeRuns.push(await runCycleChild(large, warmUp));
    smallRuns.push(await runCycleChild(small, warmUp));
  }
  const reference = meanOf(smallRuns);
  const scaled = meanOf(largeRuns);
  const figure = figuresOf(BENCHMARK);
  const linear = large / small;
  const sizeFigures = (vms: number, runs: CycleRun[], mean: CycleRun): Figure[] => [
    figure(`${vms} VMs: full cycle, wall time (mean of ${runs.length} runs)`, mean.wallS, "s"),
    ...runs.map((run, i) => figure(`  run ${i + 1}`, run.wallS, "s")),
    figure(`  CPU time (mean)`, mean.cpuS, "s"),
    figure(`  wall time per VM`, (mean.wallS * 1000) / vms, "ms"),
    figure(`  RSS peak (maxRSS of the processes)`, mean.peakRssMiB, "MiB"),
  ];
  return [
    ...sizeFigures(small, smallRuns, reference),
    ...sizeFigures(large, largeRuns, scaled),
    figure(`wall time ${large} VMs / ${small} VMs (linear: ${linear.toFixed(1)})`, scaled.wallS / reference.wallS, "x", {
      comparison: "<=",
      value: linear * PER_VM_ALLOWANCE,
    }),
    figure(`CPU time ${large} VMs / ${small} VMs`, scaled.cpuS / reference.cpuS, "x"),
  ];
}

/** Mean wall and CPU time of the runs, and their highest peak RSS. */
function meanOf(runs: readonly CycleRun[]): CycleRun {
  const mean = (pick: (run: CycleRun) => number): number => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  return { wallS: mean((r) => r.wallS), cpuS: mean((r) => r.cpuS), peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)) };
}

/** One full cycle of `vms` VMs in plans of 100, protected 50 at a time, in a child `node --expose-gc` process. */
async function runCycleChild(vms: number, warmUp: number): Promise<CycleRun> {
  const child = join(__dirname, "fullCycleChild.ts");
  const args = ["--expose-gc", "--import", "tsx", child, String(vms), "100", "50", String(warmUp)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * MiB });
  const figures = childFiguresSchema.parse(JSON.parse(stdout));
  const value = (matches: (metric: string) => boolean, what: string): number => {
    const found = figures.find((f) => matches(f.metric));
    if (found === undefined) throw new Error(`the full cycle of ${vms} VMs reported no ${what}`);
    return found.value;
  };
  return {
    wallS: value((m) => m.endsWith(": full cycle, wall time"), "wall time"),
    cpuS: value((m) => m.trim() === "CPU time", "CPU time"),
    peakRssMiB: value((m) => m.trim() === "RSS peak (maxRSS of the process)", "RSS peak"),
  };
}
