/** How the emulator's time passes. */
export type TimeMode = "virtual" | "real";

/**
 * The emulator's clock. In virtual mode time moves only when someone advances it (an LRO poll, an
 * SDK wait, the control surface); in real mode it follows the wall clock, optionally scaled.
 */
export class EmulatorClock {
  private anchorVirtualMs: number;
  private anchorRealMs: number;

  constructor(
    readonly mode: TimeMode,
    startMs: number,
    /** Virtual milliseconds per real millisecond, in real mode. */
    readonly scale = 1,
  ) {
    this.anchorVirtualMs = startMs;
    this.anchorRealMs = Date.now();
  }

  /** Milliseconds since the epoch, in emulated time. */
  now(): number {
    if (this.mode === "virtual") return this.anchorVirtualMs;
    return this.anchorVirtualMs + (Date.now() - this.anchorRealMs) * this.scale;
  }

  /** Moves emulated time forward by `ms` (in both modes). Negative values are refused. */
  advanceBy(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock advance must be a finite, non-negative number of ms, got ${ms}`);
    this.anchorVirtualMs += ms;
  }

  /** Sets emulated time (used when a snapshot is restored). */
  set(ms: number): void {
    this.anchorVirtualMs = ms;
    this.anchorRealMs = Date.now();
  }
}
