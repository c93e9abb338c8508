// Child-process entry of the memory benchmark: `node --expose-gc --import tsx bench/emulatorMemoryChild.ts [vms]`.
import { measureEmulatorMemory } from "./emulatorMemory.js";

measureEmulatorMemory(Number(process.argv[2] ?? 10_000)).then(
  (figures) => process.stdout.write(JSON.stringify(figures)),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
