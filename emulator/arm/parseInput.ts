import type { z } from "zod";
import { ArmError } from "./armError.js";
import { findReservedKey } from "./unsafeInput.js";

/**
 * Parses a control-surface input with `schema`, or answers 400 `code` naming the first offending
 * field. A key named `__proto__`, `constructor` or `prototype` anywhere in the input is refused
 * first, so that no schema ever copies it into an object.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code: string, what: string): z.output<S> {
  const reserved = findReservedKey(input);
  if (reserved !== undefined) throw new ArmError(400, code, `${what} field '${reserved}': a reserved name (__proto__, constructor, prototype).`, reserved);
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") ?? "";
  throw new ArmError(400, code, `${what} field '${field}': ${issue?.message ?? "invalid"}.`, field);
}
