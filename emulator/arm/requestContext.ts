import { ArmError } from "./armError.js";
import type { JsonObject } from "./types.js";
import type { OperationError } from "./operationRecord.js";

/** What a route handler receives. */
export interface RequestContext {
  method: string;
  url: URL;
  /** Path parameters, URL-decoded, with the casing the caller used. */
  params: Record<string, string>;
  apiVersion: string;
  /** The origin clients must use in follow-up links (honours X-Forwarded-Host/-Proto). */
  baseUrl: string;
  headers: Record<string, string>;
  rawBody: string | undefined;
  /** A failure a fault rule asks the operation started by this request to end with. */
  injectedFailure?: OperationError;
}

/** Parses the request body as a JSON object, or answers 400 InvalidRequestContent as ARM does. */
export function jsonBody(ctx: RequestContext): JsonObject {
  if (ctx.rawBody === undefined || ctx.rawBody.trim() === "") {
    throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'The request body is empty.'");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(ctx.rawBody);
  } catch (error) {
    throw new ArmError(400, "InvalidRequestContent", `The request content was invalid and could not be deserialized: '${(error as Error).message}'.`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'a JSON object was expected'.");
  }
  return parsed as JsonObject;
}

/** The body as a JSON object, or an empty object when the request has no body (POST actions). */
export function optionalJsonBody(ctx: RequestContext): JsonObject {
  return ctx.rawBody === undefined || ctx.rawBody.trim() === "" ? {} : jsonBody(ctx);
}

/** The origin clients should follow links on. */
export function publicBaseUrl(url: URL, headers: Record<string, string>): string {
  const host = headers["x-forwarded-host"] ?? url.host;
  const proto = headers["x-forwarded-proto"] ?? url.protocol.replace(/:$/, "");
  return `${proto}://${host}`;
}

/** A path parameter the matched route declares. */
export function param(ctx: RequestContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no parameter '${name}'`);
  return value;
}
