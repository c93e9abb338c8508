import type { StateChanges } from "./changeTracker.js";
import type { EmulatorState } from "./state.js";

/** Where an emulator keeps its state between runs. */
export interface StatePersistence {
  /** The saved state, or undefined when there is none yet. Also called to roll the emulator back after a failed save. */
  load(): EmulatorState | undefined;
  /**
   * Saves the state durably; resolves only once it is safe on disk. `changes` names the records
   * that may have changed since the previous save (a persistence may write only those); without
   * it, anything may have. When it rejects, the emulator rolls back to what `load` returns.
   */
  save(state: EmulatorState, changes?: StateChanges): Promise<void>;
  /** Releases what the persistence holds (locks). */
  close(): Promise<void>;
}
