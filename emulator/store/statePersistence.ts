import type { EmulatorState } from "./state.js";

/** Where an emulator keeps its state between runs. */
export interface StatePersistence {
  /** The saved state, or undefined when there is none yet. */
  load(): EmulatorState | undefined;
  /** Saves the whole state durably; resolves only once it is safe on disk. */
  save(state: EmulatorState): Promise<void>;
  /** Releases what the persistence holds (locks). */
  close(): Promise<void>;
}
