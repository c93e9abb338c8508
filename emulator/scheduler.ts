import type { JsonObject } from "./arm/types.js";
import type { EmulatorState } from "./store/state.js";

/** Work the emulated service does by itself at a given emulated time. Plain data, so it persists. */
export interface TimelineEvent {
  /** Emulated time at which the event is due. */
  at: number;
  /** Tie-breaker that keeps events due at the same time in the order they were scheduled. */
  seq: number;
  /** Names the handler that runs it. */
  kind: string;
  data: JsonObject;
}

/** Runs a due event. `at` is the event's own time: use it, not the clock, for timestamps. */
export type TimelineHandler = (data: JsonObject, at: number) => void;

/**
 * The service's own timeline: events kept in the state as a binary min-heap by due time (then
 * scheduling order), run in order whenever time reaches them, so that scheduling and running an
 * event cost O(log n) with tens of thousands pending (an array kept sorted costs a copy of the
 * rest per event). A sorted array is a valid heap, so a state whose timeline is sorted (an older
 * snapshot, a replayed journal) loads as is. Handlers are registered by kind; an event whose kind
 * has no handler is an emulator bug and throws.
 */
export class Scheduler {
  private readonly handlers = new Map<string, TimelineHandler>();

  constructor(
    private readonly getState: () => EmulatorState,
    private readonly nextSeq: () => number,
  ) {}

  on(kind: string, handler: TimelineHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a timeline handler for '${kind}' is already registered`);
    this.handlers.set(kind, handler);
  }

  schedule(at: number, kind: string, data: JsonObject): void {
    const heap = this.getState().timeline;
    heap.push({ at, seq: this.nextSeq(), kind, data });
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >>> 1;
      if (!before(heap[child] as TimelineEvent, heap[parent] as TimelineEvent)) break;
      swap(heap, child, parent);
      child = parent;
    }
  }

  /** Runs every event due at or before `now`, including those the handlers schedule meanwhile. */
  runDue(now: number): number {
    const heap = this.getState().timeline;
    let ran = 0;
    while (heap.length > 0 && (heap[0] as TimelineEvent).at <= now) {
      const event = takeFirst(heap);
      const handler = this.handlers.get(event.kind);
      if (handler === undefined) throw new Error(`no timeline handler for '${event.kind}'`);
      handler(event.data, event.at);
      ran++;
    }
    return ran;
  }

  /** Emulated time of the next due event, if any. */
  nextDueAt(): number | undefined {
    return this.getState().timeline[0]?.at;
  }
}

function before(a: TimelineEvent, b: TimelineEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap(heap: TimelineEvent[], i: number, j: number): void {
  const held = heap[i] as TimelineEvent;
  heap[i] = heap[j] as TimelineEvent;
  heap[j] = held;
}

/** Removes and returns the heap's first event (the earliest due). */
function takeFirst(heap: TimelineEvent[]): TimelineEvent {
  const first = heap[0] as TimelineEvent;
  const last = heap.pop() as TimelineEvent;
  if (heap.length === 0) return first;
  heap[0] = last;
  let parent = 0;
  for (;;) {
    const left = 2 * parent + 1;
    const right = left + 1;
    let earliest = parent;
    if (left < heap.length && before(heap[left] as TimelineEvent, heap[earliest] as TimelineEvent)) earliest = left;
    if (right < heap.length && before(heap[right] as TimelineEvent, heap[earliest] as TimelineEvent)) earliest = right;
    if (earliest === parent) return first;
    swap(heap, parent, earliest);
    parent = earliest;
  }
}
