import type { Clock } from "../clock.js";
import { DrTimeoutError, InvalidStateError } from "../errors.js";

const MINUTE = 60_000;
/** How long to wait before a second reading when the progress rate is still unknown. */
const PROBE_MS = 5 * MINUTE;
/** Waited past the estimated finish, so one more reading usually sees it done. */
const MARGIN_MS = MINUTE;
/** Default patience of a wait for protection. */
export const DEFAULT_PROTECTION_TIMEOUT_MS = 24 * 60 * MINUTE;

/** One reading of a replicated item, as a wait for protection sees it. */
export interface ProtectionReading {
  id: string;
  name: string;
  /** `protected`: done; `copying`: initial replication runs (its progress moves); `stopped`: it will never become protected; `other`: a short step. */
  stage: "protected" | "copying" | "stopped" | "other";
  /** Progress of the copy, 0-100. */
  percent: number;
  /** Why, for `stopped`. */
  reason?: string;
}

/** Options of a wait for protection. */
export interface ProtectionWaitOptions<T> {
  abortSignal?: AbortSignal;
  onProgress?: (item: T, percent: number) => void;
  /** Give up (DrTimeoutError) after this much of the backend's time. @default 24 hours */
  timeoutInMs?: number;
}

/**
 * Waits until a replicated item is protected, cheaply: it reads the progress, estimates the
 * finish from how fast it moves, and sleeps until then (on the backend's clock) instead of polling
 * every 30 seconds. Shared by the Azure-to-Azure and Hyper-V waits.
 * @throws InvalidStateError when the item stops (e.g. is being disabled); DrTimeoutError (`Timeout`); DrError `Aborted`.
 */
export async function waitUntilProtected<T>(
  clock: Clock,
  read: () => Promise<T>,
  view: (item: T) => ProtectionReading,
  options: ProtectionWaitOptions<T> = {},
): Promise<T> {
  const timeout = options.timeoutInMs ?? DEFAULT_PROTECTION_TIMEOUT_MS;
  const deadline = clock.now().getTime() + timeout;
  let previous: { at: number; percent: number } | undefined;
  for (;;) {
    const item = await read();
    const reading = view(item);
    const percent = reading.stage === "protected" ? 100 : reading.percent;
    options.onProgress?.(item, percent);
    if (reading.stage === "protected") return item;
    if (reading.stage === "stopped")
      throw new InvalidStateError(`${reading.name}: ${reading.reason ?? "replication stopped"}; it will not become protected.`, { resourceId: reading.id });
    const now = clock.now().getTime();
    if (now >= deadline) throw new DrTimeoutError(`${reading.name}: not protected after ${timeout} ms (${percent}% replicated).`, { resourceId: reading.id });
    let waitMs = reading.stage === "copying" ? PROBE_MS : MINUTE;
    if (reading.stage === "copying" && previous !== undefined && percent > previous.percent) {
      const perMs = (percent - previous.percent) / (now - previous.at);
      waitMs = Math.max(MINUTE, (100 - percent) / perMs + MARGIN_MS);
    }
    if (reading.stage === "copying" && (previous === undefined || percent > previous.percent)) previous = { at: now, percent };
    await clock.sleep(Math.min(waitMs, deadline - now), options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal });
  }
}
