import type { OperationRecord } from "../arm/operationRecord.js";
import type { TimelineEvent } from "../scheduler.js";
import type { EmulatorState, StoredResource } from "./state.js";

/** The fields of the state other than the keyed maps and the timeline: small, saved whole when they change. */
export const SMALL_FIELDS = ["formatVersion", "nowMs", "regionsDown", "regionOutages", "hyperVSiteOutages", "faults", "randomState", "sequence"] as const;

/** One of {@link SMALL_FIELDS}. */
export type SmallField = (typeof SMALL_FIELDS)[number];

/**
 * What one save changed, as one journal record: each value is the record's whole new value (null:
 * deleted), so that replaying records in order is idempotent over any snapshot taken after them.
 */
export interface StateDelta {
  /** Resources by store key; null when deleted. */
  r?: Record<string, StoredResource | null>;
  /** Operations by key; null when forgotten. */
  o?: Record<string, OperationRecord | null>;
  /** Timeline events added. */
  ta?: TimelineEvent[];
  /** `seq` of the timeline events gone (run or dropped). */
  td?: number[];
  /** Small fields, whole. */
  s?: Partial<Pick<EmulatorState, SmallField>>;
}

/**
 * Applies one journal record to a state, in place. The timeline is left unsorted: call
 * {@link sortTimeline} once the records are applied.
 * @throws RangeError when the record is not an object.
 */
export function applyStateDelta(state: EmulatorState, delta: StateDelta): void {
  if (delta === null || typeof delta !== "object" || Array.isArray(delta)) throw new RangeError("a journal record must be a JSON object");
  for (const [key, resource] of Object.entries(delta.r ?? {})) {
    if (key === "__proto__") continue;
    if (resource === null) delete state.resources[key];
    else state.resources[key] = resource;
  }
  for (const [key, operation] of Object.entries(delta.o ?? {})) {
    if (key === "__proto__") continue;
    if (operation === null) delete state.operations[key];
    else state.operations[key] = operation;
  }
  if (delta.td !== undefined && delta.td.length > 0) {
    const gone = new Set(delta.td);
    state.timeline = state.timeline.filter((event) => !gone.has(event.seq));
  }
  if (delta.ta !== undefined) {
    const present = new Set(state.timeline.map((event) => event.seq));
    for (const event of delta.ta) if (!present.has(event.seq)) state.timeline.push(event);
  }
  const small = delta.s ?? {};
  for (const field of SMALL_FIELDS) if (small[field] !== undefined) Object.assign(state, { [field]: small[field] });
}

/** Puts the timeline back in due order (time, then scheduling order): a sorted array is the heap the scheduler keeps. */
export function sortTimeline(state: EmulatorState): void {
  state.timeline.sort((a, b) => a.at - b.at || a.seq - b.seq);
}
