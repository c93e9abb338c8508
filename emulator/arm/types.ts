/** A JSON value as the emulator stores and serves it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

/**
 * A JSON object. A member may be `undefined` (JSON leaves it out): without
 * `exactOptionalPropertyTypes`, which a project using this package's declarations may not set,
 * an optional member of an interface that extends this type is `T | undefined`.
 */
export type JsonObject = { [key: string]: JsonValue | undefined };

/** Whether a value is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** An HTTP request as the emulator's pure handler sees it. Header names are lower-case. */
export interface EmulatorRequest {
  method: string;
  /** Absolute URL; its origin is the one the client called, used to build absolute links. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The emulator's answer. `drop` asks the transport to break the connection instead of answering. */
export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  drop?: boolean;
  /** Real milliseconds the transport waits before answering (fault latency). */
  delayMs?: number;
}
