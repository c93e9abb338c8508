// Replaying the official example corpus (see exampleCorpus.ts) with plain fetch: the request as
// the example documents it, and the comparison of the emulator's body with the example's.
import type { ExecutionContext } from "ava";
import { isObject, jsonType, type Json } from "./exampleCorpus.js";

// ---------------------------------------------------------------- comparison with an example body

/**
 * For every key of the example body that the emulator's body also has, both values must have the
 * same JSON type; array elements are compared with the example's first element. Keys the emulator
 * does not model are not compared here (the required keys are checked by {@link missingKeys}).
 * Returns one line per mismatch (`$.properties.x: example has string, emulator has number`).
 */
export function shapeMismatches(expected: unknown, actual: unknown, at = "$"): string[] {
  const expectedType = jsonType(expected);
  const actualType = jsonType(actual);
  if (expectedType !== actualType) return [`${at}: example has ${expectedType}, emulator has ${actualType}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const [template] = expected;
    if (template === undefined) return [];
    return actual.flatMap((item, index) => shapeMismatches(template, item, `${at}[${index}]`));
  }
  if (isObject(expected) && isObject(actual)) {
    return Object.entries(expected).flatMap(([key, value]) => (key in actual ? shapeMismatches(value, actual[key], `${at}.${key}`) : []));
  }
  return [];
}

/**
 * The dotted key paths missing from `body`: `properties.vmId`, or `statuses[].code` (every element
 * of a non-empty array must have it). A key whose value is `null` counts as missing.
 */
export function missingKeys(body: unknown, keyPath: string): string[] {
  const walk = (value: unknown, parts: string[], at: string): string[] => {
    const [head, ...rest] = parts;
    if (head === undefined) return [];
    const isArrayStep = head.endsWith("[]");
    const key = isArrayStep ? head.slice(0, -2) : head;
    if (!isObject(value) || !(key in value) || value[key] === undefined || value[key] === null) return [`${at}.${key}`];
    const next = value[key];
    if (!isArrayStep) return walk(next, rest, `${at}.${key}`);
    if (!Array.isArray(next) || next.length === 0) return [`${at}.${key}[] (a non-empty array)`];
    return next.flatMap((item, index) => walk(item, rest, `${at}.${key}[${index}]`));
  };
  return walk(body, keyPath.split("."), "$");
}

/** The dotted key paths of every leaf of a JSON body (arrays and `null` count as leaves), e.g. `properties.currentScenario.jobId`. */
export function leafKeys(body: unknown, at = ""): string[] {
  if (!isObject(body)) return at === "" ? [] : [at];
  return Object.entries(body).flatMap(([key, value]) => leafKeys(value, at === "" ? key : `${at}.${key}`));
}

/** The value at a dotted key path (no array steps); `undefined` where the path leaves the objects. */
export function valueAt(body: unknown, keyPath: string): unknown {
  let value: unknown = body;
  for (const key of keyPath.split(".")) value = isObject(value) ? value[key] : undefined;
  return value;
}

/** The key paths whose value differs between the example and the emulator, each with both values. */
export function valueMismatches(expected: unknown, actual: unknown, keyPaths: readonly string[]): string[] {
  return keyPaths
    .filter((key) => JSON.stringify(valueAt(expected, key)) !== JSON.stringify(valueAt(actual, key)))
    .map((key) => `${key}: example ${JSON.stringify(valueAt(expected, key))}, emulator ${JSON.stringify(valueAt(actual, key))}`);
}

/** The key paths at which the example's body has a value and the emulator's body has none (absent or `null`). */
export function absentKeys(expected: unknown, actual: unknown, keyPaths: readonly string[]): string[] {
  return keyPaths.filter((key) => valueAt(expected, key) !== undefined && (valueAt(actual, key) === undefined || valueAt(actual, key) === null));
}

/** A deep copy of a JSON body without the values at these dotted key paths (left out of a comparison). */
export function withoutKeys(body: unknown, keyPaths: readonly string[]): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  for (const key of keyPaths) {
    const parts = key.split(".");
    const last = parts.pop() as string;
    const parent = valueAt(copy, parts.join("."));
    if (isObject(parent)) delete parent[last];
  }
  return copy;
}

/**
 * Asserts that `actual` matches an example's body: the same JSON type for every key both have
 * (`notCompared` left out of the example first), and the example's value at each of `sameValues`.
 */
export function assertLikeExample(
  t: ExecutionContext,
  expected: unknown,
  actual: unknown,
  sameValues: readonly string[],
  notCompared: readonly string[] = [],
): void {
  t.deepEqual(shapeMismatches(withoutKeys(expected, notCompared), actual), [], "every modelled key has the example's JSON type");
  t.deepEqual(valueMismatches(expected, actual, sameValues), [], "the modelled values are the example's");
}

// ---------------------------------------------------------------- wire

/** A response as fetch saw it, the body parsed as JSON (`undefined` for an empty body). */
export interface WireResponse {
  status: number;
  headers: Headers;
  json: Json | undefined;
}

/**
 * Sends one request with plain fetch: `content-type: application/json` plus `headers`, the body
 * JSON-encoded when given. Parses the answer's body as JSON.
 */
export async function wire(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<WireResponse> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : (JSON.parse(text) as Json) };
}

/** A {@link wire} that sends `x-ms-correlation-request-id: correlationId` with every request (ARM echoes it in the answer). */
export function correlatedWire(correlationId: string): (url: string, method: string, body?: unknown) => Promise<WireResponse> {
  return (url, method, body) => wire(url, method, body, { "x-ms-correlation-request-id": correlationId });
}
