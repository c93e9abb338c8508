// Input the emulator refuses whatever the operation: keys that reach object prototypes, and JSON
// nested deeper than ARM's deserializer reads.

/**
 * Names that would reach a JavaScript object's prototype machinery when used as a key
 * (`obj[name] = ...` on `__proto__` replaces the prototype; `constructor` and `prototype` are
 * found on every object). The emulator refuses them as path segments and as body keys,
 * case-insensitively since ARM names are.
 */
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/** Whether `name` is one of the {@link RESERVED} names, in any casing. */
export function isReservedName(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

/** Deepest nesting of objects and arrays a request body may have, Json.NET's default `MaxDepth` (ARM's deserializer). */
export const MAX_JSON_DEPTH = 64;

/**
 * The nesting depth of JSON text (objects and arrays), counted without parsing so that a body
 * nested deeper than any parser's stack is refused in one linear pass. Stops counting at `limit + 1`.
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * The path (`a.b.0.c`) of the first own key of `value` or of anything nested in it that is a
 * reserved name, or undefined. Walks with an explicit stack (depth cannot overflow it) and visits
 * each object once (an in-process caller may pass a cyclic one).
 */
export function findReservedKey(value: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: "" }];
  const visited = new Set<object>();
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.value === null || typeof next.value !== "object" || visited.has(next.value)) continue;
    visited.add(next.value);
    for (const key of Object.keys(next.value)) {
      const path = next.path === "" ? key : `${next.path}.${key}`;
      if (isReservedName(key)) return path;
      stack.push({ value: (next.value as Record<string, unknown>)[key], path });
    }
  }
  return undefined;
}
