// Entry point of `npm run bench`: runs every benchmark once and prints one table of figures.
import { availableParallelism, cpus } from "node:os";
import { runComputeThroughput } from "./computeThroughput.js";
import { runDrClientOverhead } from "./drClientOverhead.js";
import { runEmulatorMemory } from "./emulatorMemory.js";
import { runFullCycle } from "./fullCycle.js";
import { runHyperVCycle } from "./hyperVCycle.js";
import { runProtectVms } from "./protectVms.js";
import { verdict, type Figure } from "./lib/figures.js";
import { markdownTable } from "./lib/table.js";

const benchmarks: { name: string; run: () => Promise<Figure[]> }[] = [
  { name: "emulator memory (child process)", run: () => runEmulatorMemory() },
  { name: "compute throughput", run: () => runComputeThroughput() },
  { name: "DrClient overhead", run: () => runDrClientOverhead() },
  { name: "Site Recovery protect", run: () => runProtectVms() },
  { name: "Site Recovery full cycle (child processes)", run: () => runFullCycle() },
  { name: "CLI drill (child processes)", run: async () => (await import("./drill.js")).runCliDrill() },
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

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
