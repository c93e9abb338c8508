import type { EmulatorState } from "./state.js";

/**
 * Which keyed records of the state may have changed since the last save: every resource and
 * operation handed out, written or deleted meanwhile (a superset of what changed). A persistence
 * compares only these with what it last saved; `everything` means compare them all.
 */
export interface StateChanges {
  readonly everything: boolean;
  /** Store keys (lower-cased ARM ids) of `state.resources`. */
  readonly resources: ReadonlySet<string>;
  /** Keys of `state.operations`. */
  readonly operations: ReadonlySet<string>;
}

/**
 * Records which resources and operations of a state are touched. Services mutate the records they
 * get in place, so a write cannot be told from a read: any access through `state.resources` or
 * `state.operations` (the resource store, direct lookups, iteration) counts, which a proxy on those
 * two maps sees whoever the caller is. The small fields (clock, timeline, outages, faults) are
 * compared whole by the persistence instead.
 */
export class ChangeTracker {
  private resources = new Set<string>();
  private operations = new Set<string>();
  private everything = false;

  /**
   * Starts tracking `state` (its `resources` and `operations` are replaced by tracking views of
   * the same objects). `unsaved`: none of it is known to be saved (a restored or reset state), so
   * the next save compares everything.
   */
  attach(state: EmulatorState, unsaved: boolean): EmulatorState {
    this.resources = new Set();
    this.operations = new Set();
    this.everything = unsaved;
    state.resources = trackingView(state.resources, (key) => this.resources.add(key));
    state.operations = trackingView(state.operations, (key) => this.operations.add(key));
    return state;
  }

  /** What was touched since the last call (or `attach`), and starts a new record. */
  take(): StateChanges {
    const changes: StateChanges = { everything: this.everything, resources: this.resources, operations: this.operations };
    this.resources = new Set();
    this.operations = new Set();
    this.everything = false;
    return changes;
  }
}

const targets = new WeakMap<object, object>();

/** The record behind a tracking view (or the record itself): reading it touches nothing. */
export function untracked<T>(record: Record<string, T>): Record<string, T> {
  return (targets.get(record) as Record<string, T> | undefined) ?? record;
}

function trackingView<T>(record: Record<string, T>, touch: (key: string) => void): Record<string, T> {
  const target = untracked(record);
  const view = new Proxy(target, {
    get(target, key) {
      if (typeof key === "string") touch(key);
      return Reflect.get(target, key) as unknown;
    },
    set(target, key, value) {
      if (typeof key === "string") touch(key);
      return Reflect.set(target, key, value);
    },
    defineProperty(target, key, descriptor) {
      if (typeof key === "string") touch(key);
      return Reflect.defineProperty(target, key, descriptor);
    },
    deleteProperty(target, key) {
      if (typeof key === "string") touch(key);
      return Reflect.deleteProperty(target, key);
    },
  });
  targets.set(view, target);
  return view;
}
