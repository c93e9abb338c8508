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
 * The service's own timeline: events kept in due order in the state, run in order whenever time
 * reaches them. Handlers are registered by kind; an event whose kind has no handler is an
 * emulator bug and throws.
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
    const timeline = this.getState().timeline;
    const event: TimelineEvent = { at, seq: this.nextSeq(), kind, data };
    let low = 0;
    let high = timeline.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = timeline[mid] as TimelineEvent;
      if (other.at < at || (other.at === at && other.seq < event.seq)) low = mid + 1;
      else high = mid;
    }
    timeline.splice(low, 0, event);
  }

  /** Runs every event due at or before `now`, including those the handlers schedule meanwhile. */
  runDue(now: number): number {
    const timeline = this.getState().timeline;
    let ran = 0;
    while (timeline.length > 0 && (timeline[0] as TimelineEvent).at <= now) {
      const event = timeline.shift() as TimelineEvent;
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
