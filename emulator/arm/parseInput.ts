import type { z } from "zod";
import { ArmError } from "./armError.js";

/** Parses a control-surface input with `schema`, or answers 400 `code` naming the first offending field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code: string, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") ?? "";
  throw new ArmError(400, code, `${what} field '${field}': ${issue?.message ?? "invalid"}.`, field);
}
