import { ArmError, invalidParameter } from "../arm/armError.js";
import type { JsonObject } from "../arm/types.js";

/** The object at `input[field]`, or 400 InvalidParameter naming the field. An absent field is an empty object. */
export function objectField(input: JsonObject, field: string, path = field): JsonObject {
  const value = input[field];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidParameter(path, `The value of parameter ${path} is invalid: an object is required.`);
  return value;
}

/** Checks ARM tags (at most 50; names up to 512 characters, values up to 256) and returns them. */
export function checkTags(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw new ArmError(400, "InvalidTag", "Tags must be an object of string values.", "tags");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw new ArmError(400, "InvalidTag", `The number of tags ${entries.length} exceeds the maximum of 50.`, "tags");
  for (const [name, tag] of entries) {
    if (typeof tag !== "string") throw new ArmError(400, "InvalidTag", `The value of tag '${name}' must be a string.`, "tags");
    if (name.length === 0 || name.length > 512 || /[<>%&\\?/]/.test(name))
      throw new ArmError(400, "InvalidTagNameCharacters", `The tag name '${name}' has invalid characters or length.`, "tags");
    if (tag.length > 256) throw new ArmError(400, "InvalidTag", `The value of tag '${name}' is longer than 256 characters.`, "tags");
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** 409 PropertyChangeNotAllowed, Compute's answer to changing an immutable property. */
export function propertyChangeNotAllowed(field: string): ArmError {
  return new ArmError(409, "PropertyChangeNotAllowed", `Changing property '${field}' is not allowed.`, field);
}
