// Child-process entry of the full-cycle benchmark: `node --expose-gc --import tsx bench/fullCycleChild.ts vms planSize batchSize warmUp`.
import { measureFullCycle } from "./fullCycle.js";

const [vms = "1000", planSize = "100", batchSize = "50", warmUp = "20"] = process.argv.slice(2);
measureFullCycle(Number(vms), Number(planSize), Number(batchSize), Number(warmUp)).then(
  (figures) => process.stdout.write(JSON.stringify(figures)),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
