import type { TimeMode } from "../clock.js";

/**
 * The response header by which the emulator, in virtual time, tells an in-process client how long
 * a poll of a running operation stands for. `Retry-After` stays 0 in virtual time (a client would
 * otherwise really wait); a client that reads this header waits that long on the virtual clock
 * before its next poll, so that the waits of concurrent operations overlap as they would in real
 * time (the emulator then has nothing left to advance for that poll).
 */
export const POLL_INTERVAL_HEADER = "x-azure-dr-poll-interval-ms";

/** The poll-interval header of a running operation's response: only in virtual time. */
export function pollIntervalHeaders(mode: TimeMode, intervalMs: number): Record<string, string> {
  return mode === "virtual" ? { [POLL_INTERVAL_HEADER]: String(intervalMs) } : {};
}
