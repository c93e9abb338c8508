import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { z } from "zod";
import { DrillProgress } from "../cli/drillOutput.js";
import { renderHtmlReport } from "../cli/htmlReport.js";
import { openBackend } from "../cli/openBackend.js";
import { DrClient, SAMPLE_TOPOLOGY, createFakeBackend, provisionEstate, runDrill, topologySchema, type FakeBackend, type TopologyInput } from "../sdk/index.js";
import { type Figure, figuresOf } from "./lib/figures.js";
import { median } from "./lib/timing.js";

const BENCHMARK = "CLI drill";
const MiB = 1024 * 1024;
const REPO = resolve(__dirname, "..");
/** tsx's loader by absolute URL, so that the CLI runs from sources whatever the working folder (as the CLI tests start it). */
const TSX_LOADER = pathToFileURL(resolve(REPO, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = resolve(REPO, "cli/main.ts");
/** The bandwidth `cli/openBackend.ts` gives the fake backend, so that the in-process child copies disks as fast as the CLI. */
const CLI_BANDWIDTH_MBPS = 512;
const BOOT_GROUPS = 3;

/** Sizes of the runs; the defaults are those recorded in BENCHMARKS.md. */
export interface DrillBenchOptions {
  /** Runs of the sample drill, and of the sample drill with `--full`; the median is reported. @default 3 */
  rounds?: number;
  /** VM counts of the generated topologies, in plans of 100 VMs, each drilled once through the CLI. @default [100, 1000] */
  sizes?: readonly number[];
  /** VM counts drilled in a child process that calls provisionEstate and runDrill itself, without a state file. @default [100, 1000] */
  inProcessSizes?: readonly number[];
  /** A CLI run of a generated topology that lasts longer is killed and reported as not finished. @default 180_000 (3 times the 60 s target) */
  timeoutMs?: number;
}

/** What one CLI run showed, times in ms from the spawn. */
export interface CliRun {
  wallMs: number;
  /** The first stdout line ("Building the estate..."). */
  firstLineMs: number | undefined;
  /** The first drill progress line (`[real | +virtual] ...`); the estate's own lines (`[real] estate: ...`) come before. */
  firstProgressMs: number | undefined;
  progressLines: number;
  /** Exit code, or the signal's name. */
  exit: number | string;
  /** Killed by the benchmark after its time limit. */
  timedOut: boolean;
  /** Peak RSS (VmHWM of /proc/<pid>/status, read every 20 ms); undefined where /proc is missing. */
  peakRssBytes: number | undefined;
  stderr: string;
  stateBytes: number | undefined;
}

/** What `bench/drillChild.ts` prints: {@link measureDrillInProcess}'s timings. */
export const timingsSchema = z.object({
  openMs: z.number(),
  estateMs: z.number(),
  drillMs: z.number(),
  reportsMs: z.number(),
  closeMs: z.number(),
  outcome: z.string(),
  progressLines: z.number(),
  requests: z.number(),
  maxRssBytes: z.number(),
});
/** What {@link measureDrillInProcess} measured. */
export type InProcessTimings = z.infer<typeof timingsSchema>;

/**
 * `azure-dr drill` as a user runs it: `node --import <tsx loader> cli/main.ts drill --fresh --state
 * <file> --out <dir>`, in a temporary working folder, without the AZURE_DR_* variables. The sample
 * estate (4 VMs, 1 plan) with and without `--full`, then generated topologies of 100 and 1,000 VMs
 * (`--topology <file>`). Each run reports its wall time, when the first line and the first
 * progress line came, and its peak RSS. Then, in a child process, provisionEstate and runDrill
 * of 100 and 1,000 VMs without the state file, timed separately.
 */
export async function runCliDrill(options: DrillBenchOptions = {}): Promise<Figure[]> {
  const { rounds = 3, sizes = [100, 1_000], inProcessSizes = [100, 1_000], timeoutMs = 180_000 } = options;
  const work = mkdtempSync(join(tmpdir(), "azure-dr-drill-bench-"));
  const figure = figuresOf(BENCHMARK);
  const figures: Figure[] = [];
  try {
    // Warm-up, not measured: fills tsx's cache of compiled files and the OS's file cache, as for a user's second run.
    await checkedRun(work, "warm-up", [], 1, false);
    for (const full of [false, true]) {
      const runs: CliRun[] = [];
      for (let i = 0; i < rounds; i++) runs.push(await checkedRun(work, `${full ? "full" : "sample"}-${i}`, full ? ["--full"] : [], 1, full));
      const med = (pick: (run: CliRun) => number | undefined): number => median(runs.map((r) => pick(r) ?? Number.NaN));
      const what = `sample estate (4 VMs, 1 plan)${full ? ", --full" : ""}`;
      figures.push(
        figure(`${what}: wall time, median of ${rounds}`, med((r) => r.wallMs) / 1000, "s", { comparison: "<=", value: 5 }),
        figure(`  first stdout line`, med((r) => r.firstLineMs) / 1000, "s"),
        figure(`  first drill progress line ("[... | +...]")`, med((r) => r.firstProgressMs) / 1000, "s", { comparison: "<=", value: 3 }),
        figure(
          `  progress lines`,
          med((r) => r.progressLines),
          "lines",
        ),
        ...(runs.some((r) => r.peakRssBytes === undefined) ? [] : [figure(`  peak RSS`, med((r) => r.peakRssBytes) / MiB, "MiB")]),
      );
    }
    for (const vms of sizes) {
      const plans = Math.ceil(vms / 100);
      const topologyFile = join(work, `topology-${vms}.json`);
      writeFileSync(topologyFile, `${JSON.stringify(drillTopology(vms), null, 2)}\n`);
      const what = `${vms} VMs, ${plans} plan${plans === 1 ? "" : "s"} of ${BOOT_GROUPS} boot groups (--topology)`;
      const big = vms >= 1_000;
      const dir = join(work, `topology-${vms}`);
      mkdirSync(dir);
      const run = await runCli(dir, ["--topology", topologyFile], timeoutMs);
      const finished = run.exit === 0 && checkReport(join(dir, "out"), plans, false) === undefined;
      figures.push(figure(`${what}: finished (1 yes, 0 no)`, finished ? 1 : 0, "", { comparison: ">=", value: 1 }));
      if (finished) figures.push(figure(`  wall time`, run.wallMs / 1000, "s", big ? { comparison: "<=", value: 60 } : undefined));
      else {
        const stage = run.firstProgressMs === undefined ? ", while building the estate" : "";
        figures.push(figure(`  did not finish (${failureOf(run, join(dir, "out"), plans)}${stage}): time until it ended`, run.wallMs / 1000, "s"));
      }
      figures.push(figure(`  first stdout line ("Building the estate...")`, (run.firstLineMs ?? Number.NaN) / 1000, "s", { comparison: "<=", value: 3 }));
      if (run.firstProgressMs !== undefined && run.firstLineMs !== undefined) {
        figures.push(
          figure(`  building the estate (first line to first progress line)`, (run.firstProgressMs - run.firstLineMs) / 1000, "s"),
          figure(`  drill (first progress line to exit)`, (run.wallMs - run.firstProgressMs) / 1000, "s"),
          figure(`  progress lines`, run.progressLines, "lines"),
        );
      }
      if (run.peakRssBytes !== undefined)
        figures.push(figure(`  peak RSS`, run.peakRssBytes / MiB, "MiB", big ? { comparison: "<=", value: 1_024 } : undefined));
      if (run.stateBytes !== undefined) figures.push(figure(`  state file at the end`, run.stateBytes / MiB, "MiB"));
    }
    for (const vms of inProcessSizes) {
      const topologyFile = join(work, `topology-${vms}.json`);
      writeFileSync(topologyFile, `${JSON.stringify(drillTopology(vms), null, 2)}\n`);
      const out = join(work, `in-process-${vms}`);
      const args = ["--import", "tsx", join(__dirname, "drillChild.ts"), topologyFile, "-", out];
      const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * MiB, cwd: REPO });
      const t = timingsSchema.parse(JSON.parse(stdout));
      if (t.outcome !== "passed") throw new Error(`in-process drill of ${vms} VMs: ${t.outcome}`);
      figures.push(
        figure(`${vms} VMs in a child, provisionEstate + runDrill, no state file: provisionEstate`, t.estateMs / 1000, "s"),
        figure(`  runDrill`, t.drillMs / 1000, "s"),
        figure(`  reports (JSON and HTML)`, t.reportsMs / 1000, "s"),
        figure(`  ARM requests per VM`, t.requests / vms, "req"),
        figure(`  RSS peak (maxRSS of the process)`, t.maxRssBytes / MiB, "MiB"),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return figures;
}

/** Runs the CLI drill in a fresh folder under `work` and throws unless it passed with the expected report. */
async function checkedRun(work: string, name: string, args: string[], plans: number, full: boolean): Promise<CliRun> {
  const dir = join(work, name);
  mkdirSync(dir);
  const run = await runCli(dir, args);
  const wrong = run.exit === 0 ? checkReport(join(dir, "out"), plans, full) : `exit ${run.exit}: ${run.stderr}`;
  if (wrong !== undefined) throw new Error(`drill ${args.join(" ")}: ${wrong}`);
  return run;
}

/** The environment of the CLI: the benchmark's, without the AZURE_DR_* variables. */
function cliEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AZURE_DR_")));
}

/**
 * `node --import <tsx loader> cli/main.ts drill --fresh --state <dir>/state.json --out <dir>/out ...args`
 * with `dir` as working folder: wall time from the spawn to the exit, when each stdout line came,
 * and the peak RSS from /proc.
 */
export async function runCli(dir: string, args: string[], timeoutMs = 60_000): Promise<CliRun> {
  const stateFile = join(dir, "state.json");
  const cliArgs = ["--import", TSX_LOADER, CLI, "drill", "--fresh", "--state", stateFile, "--out", join(dir, "out"), ...args];
  const start = performance.now();
  const child = spawn(process.execPath, cliArgs, { cwd: dir, env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let firstLineMs: number | undefined;
  let firstProgressMs: number | undefined;
  let progressLines = 0;
  createInterface({ input: child.stdout }).on("line", (line) => {
    const at = performance.now() - start;
    firstLineMs ??= at;
    if (/^\[[^\]]*\| \+/.test(line)) {
      firstProgressMs ??= at;
      progressLines++;
    }
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let peakRssBytes: number | undefined;
  const readPeak = (): void => {
    try {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (match !== null) peakRssBytes = Math.max(peakRssBytes ?? 0, Number(match[1]) * 1024);
    } catch {
      // The process has ended, or there is no /proc.
    }
  };
  const sampler = setInterval(readPeak, 20);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const exit = await new Promise<number | string>((done) => child.on("exit", (code, signal) => done(code ?? signal ?? -1)));
  const wallMs = performance.now() - start;
  clearInterval(sampler);
  clearTimeout(timer);
  // The stdout pipe may still hold lines after the exit; they were printed before it.
  await new Promise<void>((done) => (child.stdout.readableEnded ? done() : child.stdout.once("end", done)));
  let stateBytes: number | undefined;
  try {
    stateBytes = statSync(stateFile).size;
  } catch {
    stateBytes = undefined;
  }
  return { wallMs, firstLineMs, firstProgressMs, progressLines, exit, timedOut, peakRssBytes, stderr, stateBytes };
}

const reportSchema = z.object({
  backend: z.string(),
  full: z.boolean(),
  outcome: z.string(),
  plans: z.array(z.object({ plan: z.string(), outcome: z.string(), steps: z.array(z.object({ name: z.string(), state: z.string() })) })),
});

/** What is wrong with the drill-report.json in `out` (undefined when it is a passed drill of `plans` plans on the fake backend). */
export function checkReport(out: string, plans: number, full: boolean): string | undefined {
  let report: z.infer<typeof reportSchema>;
  try {
    report = reportSchema.parse(JSON.parse(readFileSync(join(out, "drill-report.json"), "utf8")));
  } catch (error) {
    return `no valid drill-report.json: ${(error as Error).message}`;
  }
  if (report.backend !== "fake") return `backend ${report.backend}, not fake (a config file?)`;
  if (report.outcome !== "passed" || report.full !== full || report.plans.length !== plans)
    return `outcome ${report.outcome}, full ${report.full}, ${report.plans.length} plans`;
  const lastStep = full ? "reprotect back" : "cleanup";
  const incomplete = report.plans.find((p) => p.outcome !== "passed" || p.steps.at(-1)?.name !== lastStep);
  return incomplete === undefined ? undefined : `plan ${incomplete.plan}: ${incomplete.outcome}, last step ${incomplete.steps.at(-1)?.name ?? "none"}`;
}

/** Why a run did not finish, in a few words. */
export function failureOf(run: CliRun, out: string, plans: number): string {
  if (run.timedOut) return `killed after ${Math.round(run.wallMs / 1000)} s`;
  if (/heap out of memory/i.test(run.stderr)) return `${run.exit}, JavaScript heap out of memory`;
  if (run.exit === 0) return checkReport(out, plans, false) ?? "exit 0";
  const last = run.stderr.trim().split("\n").at(-1) ?? "";
  return `exit ${run.exit}${last === "" ? "" : `: ${last.slice(0, 80)}`}`;
}

/**
 * A topology of `vms` VMs in recovery plans of `planSize` (Azure's limit is 100), on the sample
 * estate's vault, regions, networks, recovery resource group and cache account. Each plan has its
 * availability set (in both regions) and 3 boot groups of about a third of its VMs, with a manual
 * action after the first group and a script action before the last.
 */
export function drillTopology(vms: number, planSize = 100): TopologyInput {
  const { vault, sourceRegion, targetRegion, network, recoveryResourceGroup, cacheStorageAccount } = SAMPLE_TOPOLOGY;
  const plans = Array.from({ length: Math.ceil(vms / planSize) }, (_, p) => ({
    name: `app${p}`,
    names: Array.from({ length: Math.min(planSize, vms - p * planSize) }, (_, i) => `app${p}-vm-${String(i).padStart(3, "0")}`),
  }));
  const topology: TopologyInput = {
    vault,
    sourceRegion,
    targetRegion,
    network,
    recoveryResourceGroup,
    cacheStorageAccount,
    availabilitySets: plans.map((p) => ({ resourceGroup: "shop-rg", name: `${p.name}-avset` })),
    vms: plans.flatMap((p) =>
      p.names.map((name) => ({ resourceGroup: "shop-rg", name, size: "Standard_D2s_v5", osDiskGB: 64, availabilitySet: `${p.name}-avset` })),
    ),
    plans: plans.map((p) => {
      const size = Math.ceil(p.names.length / BOOT_GROUPS);
      const groups = Array.from({ length: BOOT_GROUPS }, (_, g) => p.names.slice(g * size, (g + 1) * size)).filter((g) => g.length > 0);
      return {
        name: p.name,
        groups: groups.map((names, g) => ({
          vms: names,
          ...(g === 0 ? { after: [{ kind: "manual" as const, name: "check-db", description: "Check the database replicas are consistent" }] } : {}),
          ...(g === groups.length - 1 && g > 0
            ? { before: [{ kind: "script" as const, name: "warm-cache", path: "scripts/warm-cache.sh", fabricLocation: "Recovery" as const }] }
            : {}),
        })),
      };
    }),
  };
  topologySchema.parse(topology);
  return topology;
}

/**
 * What `azure-dr drill --fresh --topology <file>` does, in this process, each stage timed:
 * opening the fake backend (with the CLI's `openBackend` and the state file, or, without a state
 * file, `createFakeBackend` with the CLI's bandwidth), provisionEstate, runDrill with the CLI's
 * options and progress printer (its lines counted, not printed), the two reports, closing.
 */
export async function measureDrillInProcess(topologyFile: string, stateFile: string | undefined, outDir: string): Promise<InProcessTimings> {
  const topology = topologySchema.parse(JSON.parse(readFileSync(topologyFile, "utf8")));
  let t = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  const backend: FakeBackend =
    stateFile === undefined
      ? await createFakeBackend({ replicationBandwidthMBps: CLI_BANDWIDTH_MBPS })
      : ((await openBackend(
          { backend: "fake", subscriptionId: undefined, vault: undefined, emulatorUrl: undefined, stateFile, time: "virtual", timeScale: 1, sources: {} },
          { fresh: true },
        )) as FakeBackend);
  const dr = new DrClient(backend);
  const openMs = lap();
  await provisionEstate(dr, topology, backend.subscriptionId);
  const estateMs = lap();
  let progressLines = 0;
  const progress = new DrillProgress(dr.clock.now(), () => progressLines++);
  const report = await runDrill(dr, {
    vault: { resourceGroup: topology.vault.resourceGroup, name: topology.vault.name },
    backend: "fake",
    testNetworkId: topology.network.testNetworkId,
    full: false,
    maxRpoSeconds: 900,
    applicationVms: topology.vms.map((v) => v.name),
    onEvent: (event) => progress.on(event),
  });
  const drillMs = lap();
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "drill-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, "drill-report.html"), renderHtmlReport(report));
  const reportsMs = lap();
  const requests = backend.emulator.requestCount;
  await dr.close();
  const closeMs = lap();
  return {
    openMs,
    estateMs,
    drillMs,
    reportsMs,
    closeMs,
    outcome: report.outcome,
    progressLines,
    requests,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
