import { untracked, type StateChanges } from "./changeTracker.js";
import { SMALL_FIELDS, type SmallField } from "./stateDelta.js";
import type { EmulatorState } from "./state.js";

/** A journal record ready to be written, and how to make the image match it once it is durable. */
export interface PendingRecord {
  /** One JSON line (a {@link StateDelta}), newline included. */
  readonly text: string;
  /** Makes the image what the record leaves on disk; call only once the record is durable. */
  commit(): void;
}

type KeyedUpdates = Map<string, string | undefined>;

/**
 * What is on disk, as the JSON text of each record: each resource, operation, timeline event and
 * small field. Comparing the records a save may have changed with it yields the journal record of
 * that save, and it is the source of a compacted snapshot (which therefore holds exactly what is
 * durable, whatever the live state became meanwhile).
 */
export class DurableImage {
  private readonly resources = new Map<string, string>();
  private readonly operations = new Map<string, string>();
  /** By `seq`; `at` kept for the snapshot's due order. */
  private readonly timeline = new Map<number, { at: number; text: string }>();
  private readonly small = new Map<SmallField, string>();
  private totalBytes = 0;

  /** The image of a state that is on disk as it is. */
  static of(state: EmulatorState): DurableImage {
    const image = new DurableImage();
    const record = image.diff(state, undefined);
    record?.commit();
    return image;
  }

  /** About how long a snapshot of the image is, in UTF-16 units. */
  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * The journal record that takes the image to `state`, comparing the records `changes` names
   * (all when undefined or `everything`), or undefined when nothing changed.
   */
  diff(state: EmulatorState, changes: StateChanges | undefined): PendingRecord | undefined {
    const all = changes === undefined || changes.everything;
    const resources = keyedUpdates(untracked(state.resources), this.resources, all ? undefined : changes.resources);
    const operations = keyedUpdates(untracked(state.operations), this.operations, all ? undefined : changes.operations);
    const present = new Set<number>();
    const added = new Map<number, { at: number; text: string }>();
    for (const event of state.timeline) {
      present.add(event.seq);
      if (!this.timeline.has(event.seq)) added.set(event.seq, { at: event.at, text: JSON.stringify(event) });
    }
    const removed = [...this.timeline.keys()].filter((seq) => !present.has(seq));
    const small = new Map<SmallField, string>();
    for (const field of SMALL_FIELDS) {
      const text = JSON.stringify(state[field]);
      if (text !== this.small.get(field)) small.set(field, text);
    }
    if (resources.size + operations.size + added.size + removed.length + small.size === 0) return undefined;
    const parts: string[] = [];
    if (resources.size > 0) parts.push(`"r":${objectText(resources)}`);
    if (operations.size > 0) parts.push(`"o":${objectText(operations)}`);
    if (added.size > 0) parts.push(`"ta":[${[...added.values()].map((e) => e.text).join(",")}]`);
    if (removed.length > 0) parts.push(`"td":${JSON.stringify(removed)}`);
    if (small.size > 0) parts.push(`"s":${objectText(small)}`);
    return {
      text: `{${parts.join(",")}}\n`,
      commit: () => {
        this.apply(this.resources, resources);
        this.apply(this.operations, operations);
        for (const seq of removed) {
          this.totalBytes -= this.timeline.get(seq)?.text.length ?? 0;
          this.timeline.delete(seq);
        }
        for (const [seq, event] of added) {
          this.timeline.set(seq, event);
          this.totalBytes += event.text.length;
        }
        this.apply(this.small, small);
      },
    };
  }

  /** The whole image as a state document (the timeline in due order). */
  snapshotText(): string {
    const events = [...this.timeline.entries()].sort(([seqA, a], [seqB, b]) => a.at - b.at || seqA - seqB).map(([, e]) => e.text);
    const fields = [...this.small.entries()].map(([field, text]) => `${JSON.stringify(field)}:${text}`);
    return `{${[...fields, `"resources":${objectText(this.resources)}`, `"operations":${objectText(this.operations)}`, `"timeline":[${events.join(",")}]`].join(",")}}`;
  }

  private apply<K>(image: Map<K, string>, updates: Map<K, string | undefined>): void {
    for (const [key, text] of updates) {
      this.totalBytes -= image.get(key)?.length ?? 0;
      if (text === undefined) image.delete(key);
      else {
        image.set(key, text);
        this.totalBytes += text.length;
      }
    }
  }
}

/** The records among `keys` (all of both sides when undefined) whose text differs from the image's; undefined text: gone. */
function keyedUpdates(records: Record<string, unknown>, image: Map<string, string>, keys: ReadonlySet<string> | undefined): KeyedUpdates {
  const updates: KeyedUpdates = new Map();
  const compare = (key: string): void => {
    const record = Object.prototype.hasOwnProperty.call(records, key) ? records[key] : undefined;
    const text = record === undefined ? undefined : JSON.stringify(record);
    if (text !== image.get(key)) updates.set(key, text);
  };
  if (keys !== undefined) for (const key of keys) compare(key);
  else {
    for (const key of Object.keys(records)) compare(key);
    for (const key of image.keys()) if (!Object.prototype.hasOwnProperty.call(records, key)) compare(key);
  }
  return updates;
}

/** A JSON object from keys and the JSON text of their values (undefined: null). */
function objectText<K>(entries: Map<K, string | undefined>): string {
  const members: string[] = [];
  for (const [key, text] of entries) members.push(`${JSON.stringify(key)}:${text ?? "null"}`);
  return `{${members.join(",")}}`;
}
