import { setImmediate as nextTurn } from "node:timers/promises";

/** What the sleepers need of a virtual clock. */
export interface VirtualTime {
  now(): number;
  /** Moves virtual time forward, running what falls due (a remote clock answers asynchronously). */
  advance(ms: number): void | Promise<void>;
}

/**
 * Sleepers woken in one turn of the event loop. Ten thousand pollers due at once, all woken in one
 * turn, each start a request together: everything they allocate is alive at once, survives the
 * young generation's collections and is copied into the old one (the full DR cycle of 10,000 VMs
 * spent a third of its reprotect time there). In turns of this many, most of it dies young.
 */
const WAKE_BATCH = 64;

interface Sleeper {
  wakeAt: number;
  wake: () => void;
  fail: (error: unknown) => void;
}

/**
 * Sleeps on a virtual clock the way concurrent sleeps overlap on a real one: each sleeper waits
 * for its own wake-up time, and time jumps only to the earliest pending wake-up, once every
 * sleeper of the current turn is registered. Without this, fifty parallel five-minute waits would
 * move the clock by 250 minutes.
 */
export class VirtualSleepers {
  private sleepers: Sleeper[] = [];
  private flushing = false;

  constructor(private readonly time: VirtualTime) {}

  /** The virtual clock's time, in ms. */
  now(): number {
    return this.time.now();
  }

  /** Resolves when virtual time reaches now + `ms`, or rejects with `onAbort()` when the signal fires first. */
  sleep(ms: number, abortSignal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Whole milliseconds: a clock (a remote one's ISO timestamps) cannot stop at 2487272.7 ms, and a
      // wake-up it can never reach would have the sleepers ask it to move forever.
      const sleeper: Sleeper = { wakeAt: this.time.now() + Math.ceil(Math.max(0, ms)), wake: resolve, fail: reject };
      const abort = (): void => {
        const index = this.sleepers.indexOf(sleeper);
        if (index >= 0) this.sleepers.splice(index, 1);
        reject(onAbort());
      };
      abortSignal?.addEventListener("abort", abort, { once: true });
      sleeper.wake = () => {
        abortSignal?.removeEventListener("abort", abort);
        resolve();
      };
      sleeper.fail = (error) => {
        abortSignal?.removeEventListener("abort", abort);
        reject(error);
      };
      this.sleepers.push(sleeper);
      void this.flush();
    });
  }

  /**
   * After the current turn, jumps to the earliest wake-up and wakes
   * everyone due then, {@link WAKE_BATCH} per turn, in the order they went to sleep; repeats while
   * sleepers remain.
   */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.sleepers.length > 0) {
        // Jump once every waiter of this turn has registered (their microtasks have run). The SDK paces its
        // own polls, so no poller waits a real zero-delay timer (core-lro's) on its way here any more:
        // waiting a timers phase before each jump for one cost a millisecond of real time a jump.
        await nextTurn();
        if (this.sleepers.length === 0) break;
        const earliest = this.sleepers.reduce((min, s) => Math.min(min, s.wakeAt), Infinity);
        const now = this.time.now();
        if (earliest > now) {
          try {
            await this.time.advance(earliest - now);
            if (this.time.now() <= now)
              throw new Error(`the virtual clock did not move from ${new Date(now).toISOString()} towards ${new Date(earliest).toISOString()}`);
          } catch (error) {
            // The clock could not move (a remote emulator gone, or one that refuses to): every waiter learns it, none hangs.
            for (const sleeper of this.sleepers.splice(0)) sleeper.fail(error);
            break;
          }
        }
        // One pass: ten thousand pollers fall due together, and removing each by its index cost N^2.
        const reached = this.time.now();
        const due: Sleeper[] = [];
        const waiting: Sleeper[] = [];
        for (const sleeper of this.sleepers) (sleeper.wakeAt <= reached ? due : waiting).push(sleeper);
        this.sleepers = waiting;
        for (let start = 0; start < due.length; start += WAKE_BATCH) {
          if (start > 0) await nextTurn();
          for (const sleeper of due.slice(start, start + WAKE_BATCH)) sleeper.wake();
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
