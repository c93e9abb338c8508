import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { checkReport, drillTopology, failureOf, runCli, timingsSchema, type InProcessTimings } from "./drill.js";
import { type Figure, figuresOf } from "./lib/figures.js";

const BENCHMARK = "CLI drill: state file";
const MiB = 1024 * 1024;
const REPO = resolve(__dirname, "..");
/** The CLI run the ratio is taken from may last this long before it is killed (the in-memory run takes about a tenth). */
const DEFAULT_TIMEOUT_MS = 300_000;

/** Size of the drill; the defaults are those recorded in BENCHMARKS.md. */
export interface DrillStateFileOptions {
  /** VMs of the generated topology (`drillTopology`), in plans of 100. @default 1000 */
  vms?: number;
  /** The CLI run is killed after this long and reported as not finished. @default 300_000 */
  timeoutMs?: number;
}

/**
 * What the CLI's state file costs a drill: the same generated topology drilled (the rehearsal,
 * `drill --fresh --topology`) by the CLI as a user runs it (the fake backend with its state file),
 * and by `bench/drillChild.ts` with the fake backend in memory (the same provisionEstate, runDrill
 * and reports, no state file). Both are timed from the spawn to the exit, start-up included. Target:
 * the CLI within 2 times the in-memory run.
 */
export async function runDrillStateFile(options: DrillStateFileOptions = {}): Promise<Figure[]> {
  const { vms = 1_000, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const plans = Math.ceil(vms / 100);
  const work = mkdtempSync(join(tmpdir(), "azure-dr-state-bench-"));
  try {
    const topologyFile = join(work, "topology.json");
    writeFileSync(topologyFile, `${JSON.stringify(drillTopology(vms), null, 2)}\n`);
    const memory = await inMemoryRun(topologyFile, join(work, "in-memory"));
    const dir = join(work, "cli");
    mkdirSync(dir);
    const cli = await runCli(dir, ["--topology", topologyFile], timeoutMs);
    const finished = cli.exit === 0 && checkReport(join(dir, "out"), plans, false) === undefined;
    const figure = figuresOf(BENCHMARK);
    const what = `${vms} VMs, ${plans} plans`;
    return [
      figure(`${what}, in memory (bench/drillChild.ts, no state file): spawn to exit`, memory.wallMs / 1000, "s"),
      figure(`  provisionEstate`, memory.timings.estateMs / 1000, "s"),
      figure(`  runDrill`, memory.timings.drillMs / 1000, "s"),
      figure(`${what}, the CLI with its state file: finished (1 yes, 0 no)`, finished ? 1 : 0, "", { comparison: ">=", value: 1 }),
      ...(finished
        ? [
            figure(`  spawn to exit`, cli.wallMs / 1000, "s"),
            figure(`  state file at the end`, (cli.stateBytes ?? Number.NaN) / MiB, "MiB"),
            figure(`wall time CLI with state file / in memory`, cli.wallMs / memory.wallMs, "x", { comparison: "<=", value: 2 }),
          ]
        : [figure(`  did not finish (${failureOf(cli, join(dir, "out"), plans)}): time until it ended`, cli.wallMs / 1000, "s")]),
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `node --import tsx bench/drillChild.ts <topology> - <out>`: the drill without a state file, timed from the spawn to the exit. */
async function inMemoryRun(topologyFile: string, out: string): Promise<{ wallMs: number; timings: InProcessTimings }> {
  const start = performance.now();
  const args = ["--import", "tsx", join(__dirname, "drillChild.ts"), topologyFile, "-", out];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * MiB, cwd: REPO });
  const wallMs = performance.now() - start;
  const timings = timingsSchema.parse(JSON.parse(stdout));
  if (timings.outcome !== "passed") throw new Error(`in-memory drill: ${timings.outcome}`);
  return { wallMs, timings };
}
