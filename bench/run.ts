// Entry point of `npm run bench`: runs every benchmark once and prints one table of figures.
// `npm run bench -- --scale-vms 10000` runs the full-cycle scaling benchmark at 10,000 VMs (default 3,000).
import { availableParallelism, cpus } from "node:os";
import { runComputeThroughput } from "./computeThroughput.js";
import { runDrClientOverhead } from "./drClientOverhead.js";
import { runEmulatorMemory } from "./emulatorMemory.js";
import { runFullCycle } from "./fullCycle.js";
import { runFullCycleScale } from "./fullCycleScale.js";
import { runGetOverhead } from "./getOverhead.js";
import { runHyperVCycle } from "./hyperVCycle.js";
import { runProtectVms } from "./protectVms.js";
import { verdict, type Figure } from "./lib/figures.js";
import { markdownTable } from "./lib/table.js";

const scaleVms = scaleVmsArgument(process.argv.slice(2));

const benchmarks: { name: string; run: () => Promise<Figure[]> }[] = [
  { name: "emulator memory (child process)", run: () => runEmulatorMemory() },
  { name: "compute throughput", run: () => runComputeThroughput() },
  { name: "emulator GET overhead", run: () => runGetOverhead() },
  { name: "DrClient overhead", run: () => runDrClientOverhead() },
  { name: "Site Recovery protect", run: () => runProtectVms() },
  { name: "Site Recovery full cycle (child processes)", run: () => runFullCycle() },
  { name: "full cycle scaling (child processes)", run: () => runFullCycleScale(scaleVms === undefined ? {} : { large: scaleVms }) },
  { name: "CLI drill (child processes)", run: async () => (await import("./drill.js")).runCliDrill() },
  { name: "CLI drill: state file (child processes)", run: async () => (await import("./drillStateFile.js")).runDrillStateFile() },
  { name: "Hyper-V to Azure", run: () => runHyperVCycle() },
];

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`azure-dr benchmarks, ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "unknown"}), ${process.platform} ${process.arch}\n`);
  const figures: Figure[] = [];
  for (const benchmark of benchmarks) {
    const start = performance.now();
    figures.push(...(await benchmark.run()));
    console.log(`${benchmark.name}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  console.log(`\n${markdownTable(figures)}\n`);
  const targets = figures.filter((f) => f.target !== undefined);
  const missed = targets.filter((f) => verdict(f) === "MISS").length;
  console.log(`${targets.length - missed} of ${targets.length} targets met; total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The value of `--scale-vms <n>` (or `--scale-vms=<n>`), if given. */
function scaleVmsArgument(args: readonly string[]): number | undefined {
  const at = args.findIndex((a) => a === "--scale-vms" || a.startsWith("--scale-vms="));
  if (at === -1) return undefined;
  const arg = args[at] as string;
  const raw = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[at + 1];
  const vms = Number(raw);
  if (!Number.isInteger(vms) || vms <= 1_000) throw new RangeError(`--scale-vms must be a whole number of VMs above 1000, not '${String(raw)}'`);
  return vms;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
