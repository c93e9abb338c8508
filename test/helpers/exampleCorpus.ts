import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The official example corpus, copied into the repository (`test/fixtures/api-examples`, from the project's shared reference) so that the tests need nothing outside it. */
export const EXAMPLES_ROOT = path.resolve(__dirname, "../fixtures/api-examples");

/** The keys of a protection container in the Site Recovery examples' 200 bodies. */
export const SITE_RECOVERY_CONTAINER_KEYS: readonly string[] = [
  "id",
  "name",
  "type",
  "properties.fabricFriendlyName",
  "properties.fabricType",
  "properties.friendlyName",
  "properties.pairingStatus",
  "properties.protectedItemCount",
  "properties.role",
];

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Whether a value is a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The JSON type of a value: `null`, `array`, or its `typeof`. */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** One documented response of an example. */
export interface ExampleResponse {
  body?: unknown;
  headers?: Record<string, unknown>;
}

/** An example document: its request parameters and responses by status code. */
export interface Example {
  file: string;
  /** Absent in the 2023-06-01 Site Recovery files. */
  operationId: string | undefined;
  parameters: Record<string, unknown>;
  responses: Record<string, ExampleResponse>;
}

/**
 * Reads one example from `folder` (under {@link EXAMPLES_ROOT}); throws, failing the test, when the
 * corpus or the file is missing: a fidelity test must never pass by having nothing to check.
 */
export function loadExample(folder: string, file: string): Example {
  if (!existsSync(folder)) {
    throw new Error(
      `The Azure REST API example corpus is missing: expected the folder ${folder}. Layer-3 fidelity tests replay it; it lives in test/fixtures/api-examples.`,
    );
  }
  const full = path.join(folder, file);
  if (!existsSync(full)) throw new Error(`The example ${full} is missing from the corpus.`);
  const parsed: unknown = JSON.parse(readFileSync(full, "utf8"));
  if (!isObject(parsed) || !isObject(parsed.parameters) || !isObject(parsed.responses)) {
    throw new Error(`${file} is not an example document (parameters, responses).`);
  }
  const responses: Record<string, ExampleResponse> = {};
  for (const [code, response] of Object.entries(parsed.responses)) {
    if (!isObject(response)) throw new Error(`${file}: response ${code} is not an object.`);
    const entry: ExampleResponse = {};
    if (response.body !== undefined) entry.body = response.body;
    if (isObject(response.headers)) entry.headers = response.headers;
    responses[code] = entry;
  }
  return { file, operationId: typeof parsed.operationId === "string" ? parsed.operationId : undefined, parameters: parsed.parameters, responses };
}

/** The example's parameter `name` as a non-empty string; throws when it is absent or not one. */
export function stringParameter(example: Example, name: string): string {
  const value = example.parameters[name];
  if (typeof value !== "string" || value === "") throw new Error(`${example.file}: parameter '${name}' is not a string.`);
  return value;
}

/** The example's parameter `name` (a request body, typically) as an object; throws when it is not one. */
export function objectParameter(example: Example, name: string): Record<string, unknown> {
  const value = example.parameters[name];
  if (!isObject(value)) throw new Error(`${example.file}: parameter '${name}' is not an object.`);
  return value;
}
