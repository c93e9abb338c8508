import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { type Figure, figuresOf } from "./lib/figures.js";

const BENCHMARK = "full cycle scaling";
const MiB = 1024 * 1024;
/** A large run may cost this much more per VM than the small one and still count as linear. */
const PER_VM_ALLOWANCE = 1.2;

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
 * of VMs: the cycle of `small` VMs, of `large` VMs, and of `small` VMs again, each in its own
 * child process, one after the other in the same run. The small cycle lasts seconds and the
 * large one minutes, so the machine's speed of the moment weighs on the small one alone: bracketing
 * the large run and taking the mean of the two small ones compares both at the speed the machine
 * had while the large one ran. Target: the large cycle within 1.2 times the linear extrapolation
 * of the small one (`large / small * 1.2`: 12x for 10,000 VMs against 1,000).
 */
export async function runFullCycleScale(options: FullCycleScaleOptions = {}): Promise<Figure[]> {
  const { small = 1_000, large = 3_000, warmUp = 20 } = options;
  if (!(large > small)) throw new RangeError(`the large run (${large} VMs) must be larger than the small one (${small} VMs)`);
  const before = await runCycleChild(small, warmUp);
  const scaled = await runCycleChild(large, warmUp);
  const after = await runCycleChild(small, warmUp);
  const reference: CycleRun = {
    wallS: (before.wallS + after.wallS) / 2,
    cpuS: (before.cpuS + after.cpuS) / 2,
    peakRssMiB: Math.max(before.peakRssMiB, after.peakRssMiB),
  };
  const figure = figuresOf(BENCHMARK);
  const linear = large / small;
  return [
    figure(`${small} VMs: full cycle, wall time (mean of the runs before and after)`, reference.wallS, "s"),
    figure(`  wall time of the run before`, before.wallS, "s"),
    figure(`  wall time of the run after`, after.wallS, "s"),
    figure(`  CPU time (mean)`, reference.cpuS, "s"),
    figure(`  wall time per VM`, (reference.wallS * 1000) / small, "ms"),
    figure(`  RSS peak (maxRSS of the process)`, reference.peakRssMiB, "MiB"),
    figure(`${large} VMs: full cycle, wall time`, scaled.wallS, "s"),
    figure(`  CPU time`, scaled.cpuS, "s"),
    figure(`  wall time per VM`, (scaled.wallS * 1000) / large, "ms"),
    figure(`  RSS peak (maxRSS of the process)`, scaled.peakRssMiB, "MiB"),
    figure(`wall time ${large} VMs / ${small} VMs (linear: ${linear.toFixed(1)})`, scaled.wallS / reference.wallS, "x", {
      comparison: "<=",
      value: linear * PER_VM_ALLOWANCE,
    }),
    figure(`CPU time ${large} VMs / ${small} VMs`, scaled.cpuS / reference.cpuS, "x"),
  ];
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
