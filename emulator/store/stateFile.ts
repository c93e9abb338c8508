import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { lock } from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import type { StatePersistence } from "./statePersistence.js";
import type { EmulatorState } from "./state.js";
import { parseStateSnapshot } from "./stateSnapshot.js";

/**
 * Persists the emulator's state to one JSON file: each save is an atomic, fsynced replace
 * (write-file-atomic), and the file is locked (proper-lockfile) for as long as it is open, so two
 * emulators never write the same file. A lock left by a process killed hard goes stale and is
 * taken over after a few seconds.
 */
export class StateFile implements StatePersistence {
  private constructor(
    readonly path: string,
    private readonly release: () => Promise<void>,
  ) {}

  /** Opens (and locks) a state file; it need not exist yet. Rejects when another process holds it. */
  static async open(path: string): Promise<StateFile> {
    const absolute = resolve(path);
    mkdirSync(dirname(absolute), { recursive: true });
    let release: () => Promise<void>;
    try {
      release = await lock(absolute, {
        realpath: false,
        stale: 5_000,
        update: 1_000,
        // Long enough (~6.5 s) for the lock of a process killed hard to go stale (5 s).
        retries: { retries: 7, minTimeout: 500, maxTimeout: 1_000 },
        // A busy machine can delay the lock's refresh; warn instead of crashing the server.
        onCompromised: (error) => process.emitWarning(`azure-dr emulator: the lock on ${absolute} was compromised: ${error.message}`),
      });
    } catch (error) {
      if ((error as { code?: string }).code === "ELOCKED") {
        throw new Error(`state file ${absolute} is locked: another emulator is using it (lock file ${absolute}.lock)`, { cause: error });
      }
      throw error;
    }
    return new StateFile(absolute, release);
  }

  load(): EmulatorState | undefined {
    if (!existsSync(this.path)) return undefined;
    const text = readFileSync(this.path, "utf8");
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new RangeError(`state file ${this.path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    return parseStateSnapshot(document);
  }

  async save(state: EmulatorState): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(state), { fsync: true });
  }

  async close(): Promise<void> {
    await this.release();
  }
}
