// A process that holds a state file, for the persistence tests (they kill it with SIGKILL).
// `hold <file> <busyMs>`: locks the file, prints "locked", then blocks its event loop for busyMs
// (a stalled holder: nothing refreshes the lock meanwhile), prints "awake" and idles.
// `write <file> <count>`: creates availability sets set-0..set-<count-1> through the emulator's
// request interface, each answered before the next, prints "acknowledged" and idles.
import { createEmulator, StateFile } from "../../../emulator/index.js";
import { rgUrl, send } from "../../helpers/emulatorRequests.js";

async function main(mode: string, path: string, amount: number): Promise<void> {
  const file = await StateFile.open(path);
  if (mode === "hold") {
    process.stdout.write("locked\n");
    const until = Date.now() + amount;
    while (Date.now() < until) {
      // Busy: the event loop stalls, as in a long synchronous drill step.
    }
    process.stdout.write("awake\n");
  } else {
    const emulator = createEmulator({ persistence: file });
    for (let i = 0; i < amount; i++) {
      const response = await send(emulator, "PUT", `${rgUrl("rg")}/availabilitySets/set-${i}`, { location: "westeurope" });
      if (response.status >= 300) throw new Error(`PUT set-${i} answered ${response.status}`);
    }
    process.stdout.write("acknowledged\n");
  }
  setInterval(() => undefined, 60_000);
}

main(process.argv[2] ?? "", process.argv[3] ?? "", Number(process.argv[4])).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
