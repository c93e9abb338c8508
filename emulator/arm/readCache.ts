import type { EmulatorRequest, EmulatorResponse } from "./types.js";

/** Whether GET answers are kept between changes: see {@link ReadCache}. */
export type ReadCacheMode = "on" | "off" | "verify";

/** How many answers are kept at most, and how many characters of body in all. */
const MAX_ENTRIES = 512;
const MAX_BODY_CHARS = 16 * 1024 * 1024;

/** A GET answered once, with what the request resolved to (the route's operation and subscription). */
export interface CachedRead<Target> {
  /** What the request resolved to: routing, api-version and subscription checks all passed. */
  readonly target: Target;
  /** The handler's answer, before the per-request headers (rate limits, request ids, date). */
  readonly response: EmulatorResponse;
}

/**
 * GET answers kept while nothing changes: the same request (URL and forwarding headers) at the
 * same emulated millisecond, with no change of state in between, gets the handler's answer again
 * without running it. Pollers and waiters read the same resources over and over between changes,
 * and serializing a resource costs more than everything else in a GET.
 *
 * Correctness rests on {@link ReadCache.invalidate} being called on every change of state: the
 * emulator calls it for every request that is not a cacheable GET, for every scheduled event that
 * runs, for control calls and for direct use of its resource store.
 */
export class ReadCache<Target> {
  private readonly answers = new Map<string, CachedRead<Target> & { nowMs: number }>();
  private bodyChars = 0;

  /**
   * @param mode `on`: kept answers are served; `off`: nothing is kept; `verify`: answers are kept
   * but every GET is computed anyway and checked against the kept answer (for the emulator's tests).
   */
  constructor(readonly mode: ReadCacheMode) {}

  /** Whether kept answers are only checked, never served. */
  get verifying(): boolean {
    return this.mode === "verify";
  }

  /** The key of a request that may be answered from the cache, or `undefined` for one that may not (not a GET, or a GET with a body). */
  keyOf(request: EmulatorRequest): string | undefined {
    if (this.mode === "off" || request.method !== "GET" || request.body !== undefined) return undefined;
    // The forwarding headers change the links an answer carries.
    const forwardedHost = request.headers["x-forwarded-host"];
    const forwardedProto = request.headers["x-forwarded-proto"];
    return forwardedHost === undefined && forwardedProto === undefined ? request.url : `${request.url}\n${forwardedHost ?? ""}\n${forwardedProto ?? ""}`;
  }

  /** The answer kept for `key` at `nowMs`, if any. */
  get(key: string, nowMs: number): CachedRead<Target> | undefined {
    const found = this.answers.get(key);
    return found?.nowMs === nowMs ? found : undefined;
  }

  /** Keeps a successful answer (status 200); the oldest answers make room when the cache is full. */
  set(key: string, nowMs: number, read: CachedRead<Target>): void {
    const chars = read.response.body?.length ?? 0;
    if (read.response.status !== 200 || chars > MAX_BODY_CHARS / 4) return;
    this.forget(key);
    while (this.answers.size >= MAX_ENTRIES || this.bodyChars + chars > MAX_BODY_CHARS) {
      const oldest = this.answers.keys().next();
      if (oldest.done === true) break;
      this.forget(oldest.value);
    }
    this.answers.set(key, { target: read.target, response: read.response, nowMs });
    this.bodyChars += chars;
  }

  /**
   * In `verify` mode: throws when the answer computed now differs from the one kept for the same
   * request (a change of state that did not invalidate the cache).
   */
  check(kept: CachedRead<Target>, computed: EmulatorResponse, url: string): void {
    if (kept.response.status !== computed.status || kept.response.body !== computed.body) {
      throw new Error(`the read cache kept a stale answer for GET ${url}: ${kept.response.body ?? ""} instead of ${computed.body ?? ""}`);
    }
  }

  /** Forgets every answer: the state changed (or may have). */
  invalidate(): void {
    if (this.answers.size === 0) return;
    this.answers.clear();
    this.bodyChars = 0;
  }

  private forget(key: string): void {
    const found = this.answers.get(key);
    if (found === undefined) return;
    this.answers.delete(key);
    this.bodyChars -= found.response.body?.length ?? 0;
  }
}

/**
 * `target` as seen by callers outside the emulator's requests: every method call invalidates
 * `cache` before and after it runs, whatever it changes.
 */
export function invalidatingView<T extends object>(target: T, cache: ReadCache<unknown>): T {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key, object) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]): unknown => {
        cache.invalidate();
        try {
          return Reflect.apply(value, object, args) as unknown;
        } finally {
          cache.invalidate();
        }
      };
    },
  });
}
