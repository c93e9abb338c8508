import { ArmError } from "./armError.js";

/** ARM's operation types for throttling. */
export type RequestKind = "reads" | "writes" | "deletes";

/** ARM's documented per-subscription token buckets (2024): bucket size and refill per second. */
const BUCKETS: Readonly<Record<RequestKind, { size: number; refillPerSecond: number }>> = {
  reads: { size: 250, refillPerSecond: 25 },
  writes: { size: 200, refillPerSecond: 10 },
  deletes: { size: 200, refillPerSecond: 10 },
};

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** The operation type ARM counts a request under. */
export function requestKind(method: string): RequestKind {
  if (method === "GET" || method === "HEAD") return "reads";
  return method === "DELETE" ? "deletes" : "writes";
}

/**
 * ARM's subscription throttling as token buckets refilled in emulated time. Buckets always count,
 * so `x-ms-ratelimit-remaining-subscription-*` headers report true numbers; they refuse requests
 * (429 `SubscriptionRequestsThrottled` with `Retry-After`) only when enforcement is on.
 */
export class SubscriptionThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly enforce: boolean) {}

  /** Takes a token for the request; returns the header to send, or throws 429 when enforced and empty. */
  take(subscriptionId: string, method: string, now: number): Record<string, string> {
    const kind = requestKind(method);
    const { size, refillPerSecond } = BUCKETS[kind];
    const key = `${subscriptionId.toLowerCase()}:${kind}`;
    const bucket = this.buckets.get(key) ?? { tokens: size, updatedAt: now };
    bucket.tokens = Math.min(size, bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) * refillPerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      if (this.enforce) {
        const retryAfter = Math.ceil((1 - bucket.tokens) / refillPerSecond);
        throw new ArmError(
          429,
          "SubscriptionRequestsThrottled",
          `Number of '${kind.slice(0, -1)}' requests for subscription '${subscriptionId}' exceeded. Please try again after '${retryAfter}' seconds after additional tokens are available.`,
          undefined,
          undefined,
          retryAfter,
        );
      }
    } else {
      bucket.tokens -= 1;
    }
    return { [`x-ms-ratelimit-remaining-subscription-${kind}`]: String(Math.floor(bucket.tokens)) };
  }
}
