import { z } from "zod";
import type { CheckResult, PlainValue, Props } from "./types.js";

/** What the engine sends for an input not known yet (during preview), whatever the input's type. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value is, or contains, the preview-unknown sentinel. */
export function containsUnknown(value: PlainValue | undefined): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

function valueAt(props: Props, path: readonly PropertyKey[]): PlainValue | undefined {
  let at: PlainValue | undefined = props;
  for (const part of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, PlainValue>)[String(part)];
    if (at === UNKNOWN) return at;
  }
  return at;
}

function propertyOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, part) => (typeof part === "number" ? `${at}[${part}]` : at === "" ? String(part) : `${at}.${String(part)}`), "");
}

/**
 * Checks inputs against the SDK's zod schemas: `identity` for the keys it names (what the resource
 * is), `settings` for all the other keys. Returns the parsed inputs with their defaults, or the
 * failures, each naming its property. An input that is unknown during preview (or contains an
 * unknown) is not judged: failures on it are dropped; the others are judged with the unknown ones as
 * they were (`olds`), so defaults still apply, or, for a creation, pass through as given.
 */
export function checkProps(news: Props, identity: z.ZodObject, settings?: z.ZodType, olds: Props = {}): CheckResult {
  const given = Object.fromEntries(Object.entries(news).filter(([key]) => key !== "__provider"));
  const identityKeys = new Set(Object.keys(identity.shape));
  const identityPart: Props = {};
  const settingsPart: Props = {};
  for (const [key, value] of Object.entries(given)) (identityKeys.has(key) ? identityPart : settingsPart)[key] = value;
  const failures: CheckResult["failures"] = [];
  let inputs: Props = {};
  for (const [schema, part] of [
    [identity, identityPart],
    [settings, settingsPart],
  ] as const) {
    if (schema === undefined) continue;
    const parsed = schema.safeParse(part);
    if (parsed.success) {
      inputs = { ...inputs, ...(parsed.data as Props) };
      continue;
    }
    // During preview, judge the known inputs with the unknown ones as they were, so defaults still apply.
    const unknownKeys = Object.keys(part).filter((key) => containsUnknown(part[key]));
    if (unknownKeys.length > 0 && unknownKeys.every((key) => olds[key] !== undefined)) {
      const asBefore = schema.safeParse({ ...part, ...Object.fromEntries(unknownKeys.map((key) => [key, olds[key]])) });
      if (asBefore.success) {
        inputs = { ...inputs, ...(asBefore.data as Props), ...Object.fromEntries(unknownKeys.map((key) => [key, part[key] as PlainValue])) };
        continue;
      }
    }
    inputs = { ...inputs, ...defaultsOf(schema, part), ...part };
    for (const issue of parsed.error.issues) {
      if (valueAt(part, issue.path) === UNKNOWN || (issue.path.length === 0 && containsUnknown(part))) continue;
      failures.push({ property: propertyOf(issue.path), reason: issue.message });
    }
  }
  return { inputs, failures };
}

/** The defaults an object schema gives the keys `part` lacks (none for other schemas). */
function defaultsOf(schema: z.ZodType, part: Props): Props {
  if (!(schema instanceof z.ZodObject)) return {};
  const defaults: Props = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (key in part) continue;
    const value = field.safeParse(undefined);
    if (value.success && value.data !== undefined) defaults[key] = value.data as PlainValue;
  }
  return defaults;
}

/** The keys whose values differ between old outputs and new inputs (by JSON value; absent = undefined). */
export function changedKeys(olds: Props, news: Props, keys: readonly string[]): string[] {
  return keys.filter((key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null));
}
