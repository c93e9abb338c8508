import { untracked } from "./changeTracker.js";
import { sortTimeline } from "./stateDelta.js";
import { STATE_FORMAT_VERSION, type EmulatorState } from "./state.js";

/**
 * Checks that a parsed document is a state snapshot this emulator can load, and returns it.
 * Throws a RangeError that says what is wrong.
 */
export function parseStateSnapshot(document: unknown): EmulatorState {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new RangeError("a state snapshot must be a JSON object");
  }
  const candidate = document as Partial<EmulatorState>;
  // Snapshots taken before Hyper-V site outages were modelled have none.
  candidate.hyperVSiteOutages ??= [];
  if (candidate.formatVersion !== STATE_FORMAT_VERSION) {
    throw new RangeError(`snapshot formatVersion ${String(candidate.formatVersion)} is not supported (expected ${STATE_FORMAT_VERSION})`);
  }
  const objects = ["resources", "operations"] as const;
  for (const key of objects) {
    const value = candidate[key];
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new RangeError(`snapshot field '${key}' must be an object`);
  }
  const arrays = ["timeline", "regionsDown", "regionOutages", "hyperVSiteOutages", "faults"] as const;
  for (const key of arrays) {
    if (!Array.isArray(candidate[key])) throw new RangeError(`snapshot field '${key}' must be an array`);
  }
  const numbers = ["nowMs", "randomState", "sequence"] as const;
  for (const key of numbers) {
    if (typeof candidate[key] !== "number" || !Number.isFinite(candidate[key])) throw new RangeError(`snapshot field '${key}' must be a number`);
  }
  return candidate as EmulatorState;
}

/** A deep copy of the state as a plain JSON document, its timeline in due order (the scheduler's heap sorted). */
export function snapshotOf(state: EmulatorState, nowMs: number): EmulatorState {
  // Copying hands no record out: read past the change tracking, which would mark every record for the next save.
  const records = { resources: untracked(state.resources), operations: untracked(state.operations) };
  const snapshot = JSON.parse(JSON.stringify({ ...state, ...records, nowMs })) as EmulatorState;
  sortTimeline(snapshot);
  return snapshot;
}
