import { ArmError } from "./armError.js";
import { findReservedKey, jsonDepth, MAX_JSON_DEPTH } from "./unsafeInput.js";
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

/**
 * Parses the request body as a JSON object, or answers 400 InvalidRequestContent as ARM does: for
 * an empty or malformed body, one nested deeper than `maxDepth` (ARM's deserializer stops at 64)
 * and one with a reserved key (`__proto__`, `constructor`, `prototype`: they would reach object
 * prototypes), so such a body is refused before anything is stored.
 */
export function jsonBody(ctx: RequestContext, maxDepth = MAX_JSON_DEPTH): JsonObject {
  if (ctx.rawBody === undefined || ctx.rawBody.trim() === "") {
    throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'The request body is empty.'");
  }
  if (jsonDepth(ctx.rawBody, maxDepth) > maxDepth) {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      `The request content was invalid and could not be deserialized: 'The reader's MaxDepth of ${maxDepth} has been exceeded.'`,
    );
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
  const reserved = findReservedKey(parsed);
  if (reserved !== undefined) {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      `The request content was invalid: property '${reserved}' uses a reserved name (__proto__, constructor and prototype are refused).`,
      reserved,
    );
  }
  return parsed as JsonObject;
}

/** The body as a JSON object, or an empty object when the request has no body (POST actions). */
export function optionalJsonBody(ctx: RequestContext): JsonObject {
  return ctx.rawBody === undefined || ctx.rawBody.trim() === "" ? {} : jsonBody(ctx);
}

/** A host name or IPv4 address, or a bracketed IPv6 address, with an optional port: no path, user or space can hide in it. */
const HOST = /^(?:[A-Za-z0-9._-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/** Whether `value` is a well-formed `Host` (or `X-Forwarded-Host`) header value. */
export function isValidHost(value: string): boolean {
  return HOST.test(value) && URL.canParse(`http://${value}/`);
}

/**
 * The request's absolute URL, parsed. Throws {@link ArmError} 400 `InvalidRequestUri` when it
 * does not parse (an in-process caller's mistake; the HTTP server refuses such requests itself).
 */
export function requestUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new ArmError(400, "InvalidRequestUri", "The request URI is not valid.");
  }
}

/**
 * The origin clients should follow links on: the URL's, or the one `X-Forwarded-Host`/`-Proto`
 * name. Throws {@link ArmError} 400 `InvalidHostName` for a malformed forwarded host or a protocol
 * other than http/https, so that no link can point at a crafted path.
 */
export function publicBaseUrl(url: URL, headers: Record<string, string>): string {
  const host = headers["x-forwarded-host"] ?? url.host;
  const proto = (headers["x-forwarded-proto"] ?? url.protocol.replace(/:$/, "")).toLowerCase();
  if (!isValidHost(host)) throw new ArmError(400, "InvalidHostName", `The forwarded host '${host.slice(0, 300)}' is not a valid host name.`);
  if (proto !== "http" && proto !== "https") {
    throw new ArmError(400, "InvalidHostName", `The forwarded protocol '${proto.slice(0, 20)}' is neither http nor https.`);
  }
  return `${proto}://${host}`;
}

/** A path parameter the matched route declares. */
export function param(ctx: RequestContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no parameter '${name}'`);
  return value;
}
