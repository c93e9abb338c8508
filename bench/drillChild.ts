// Child-process entry of the drill benchmark: `node --import tsx bench/drillChild.ts topologyFile stateFile|- outDir`.
import { measureDrillInProcess } from "./drill.js";

const [topologyFile, stateFile, outDir] = process.argv.slice(2);
if (topologyFile === undefined || stateFile === undefined || outDir === undefined) throw new Error("usage: drillChild.ts topologyFile stateFile|- outDir");
measureDrillInProcess(topologyFile, stateFile === "-" ? undefined : stateFile, outDir).then(
  (timings) => process.stdout.write(JSON.stringify(timings)),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
