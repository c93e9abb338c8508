import { z } from "zod";
import { isResourceNotFoundError } from "../../sdk/index.js";
import type { PlainValue, Props } from "./types.js";

/**
 * The `adopt` input of the kinds that can take over what already exists (vault, replication
 * policy, protected VM, recovery plan): when true, a create that finds the resource there takes it
 * over instead of refusing it, provided that what cannot change in place matches the program.
 */
export const adoptSchema = z.boolean("must be true or false").optional();

/** The resource, or undefined when the read says it does not exist. */
export async function existing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isResourceNotFoundError(error)) return undefined;
    throw error;
  }
}

/** The error of a create that found the resource there without `adopt: true`: nothing is changed. */
export function alreadyExists(what: string): Error {
  return new Error(`${what} already exists: choose another name, delete it first, or set adopt: true to bring it under Pulumi as it is`);
}

function normalised(value: PlainValue | undefined): string {
  return JSON.stringify(typeof value === "string" ? value.toLowerCase().replace(/\s+/g, "") : (value ?? null));
}

/**
 * Checks that an existing resource can be adopted: each property in `fixed` (what only a
 * replacement could change) must be as the program says (strings compared as ARM does, without
 * case or spaces). Properties the program leaves out are taken as they are.
 * @throws Error naming each property that differs, with both values; nothing is changed.
 */
export function requireAdoptable(what: string, actual: Props, wanted: Props, fixed: readonly string[]): void {
  const differing = fixed.filter((key) => wanted[key] !== undefined && normalised(actual[key]) !== normalised(wanted[key]));
  if (differing.length === 0) return;
  const details = differing.map((key) => `${key} is ${JSON.stringify(actual[key] ?? null)}, the program says ${JSON.stringify(wanted[key])}`).join("; ");
  throw new Error(
    `cannot adopt ${what}: ${details}. Adopting never replaces nor recreates: make the program say what exists (a change to these would replace the resource)`,
  );
}
