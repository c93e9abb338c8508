import { setTimeout as delay } from "node:timers/promises";
import { DrError } from "./errors.js";

/** Options of {@link Clock.sleep}. */
export interface SleepOptions {
  abortSignal?: AbortSignal;
}

/**
 * Where the SDK's time comes from. SDK code never reads the wall clock or sleeps directly: on the
 * fake backend `sleep` advances the emulator's virtual clock, so an hour of waiting costs nothing.
 */
export interface Clock {
  now(): Date;
  /** Waits `ms` milliseconds of this clock's time. Rejects with code `Aborted` when the signal fires. */
  sleep(ms: number, options?: SleepOptions): Promise<void>;
}

/** The error a wait rejects with when its signal fires. */
export function abortedError(signal: AbortSignal | undefined): DrError {
  return new DrError("Aborted", "The wait was aborted; the operation in Azure goes on.", { cause: signal?.reason });
}

/** Rejects with code `Aborted` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError(signal);
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  async sleep(ms, options = {}) {
    throwIfAborted(options.abortSignal);
    try {
      await delay(ms, undefined, options.abortSignal === undefined ? {} : { signal: options.abortSignal });
    } catch (error) {
      if ((error as { name?: string }).name === "AbortError") throw abortedError(options.abortSignal);
      throw error;
    }
  },
};
