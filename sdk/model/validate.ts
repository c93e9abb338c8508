import type { z } from "zod";
import { ValidationError } from "../errors.js";

/**
 * Parses `input` with `schema`; on failure throws a {@link ValidationError} (code
 * `ValidationFailed`) whose `field` is the path of the first offending field under `root`
 * (`groups[0].protectedVmIds[2]`)
 * and whose `rule` says what it must be. Nothing is sent when this throws.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, root: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = (issue?.path ?? []).reduce<string>(
    (at, part) => (typeof part === "number" ? `${at}[${part}]` : at === "" ? String(part) : `${at}.${String(part)}`),
    root,
  );
  throw new ValidationError(field, issue?.message ?? "is invalid");
}
