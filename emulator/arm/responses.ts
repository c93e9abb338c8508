import { randomUUID } from "node:crypto";
import type { ArmError } from "./armError.js";
import type { EmulatorResponse, JsonValue } from "./types.js";

/** A JSON response. */
export function jsonResponse(status: number, body: JsonValue, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: Object.assign({ "content-type": "application/json; charset=utf-8" }, headers), body: JSON.stringify(body) };
}

/** A response with no body. */
export function emptyResponse(status: number, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers };
}

/** Errors ARM's front door answers itself, before any resource provider sees the request. */
const GATEWAY_CODES = new Set([
  "MissingApiVersionParameter",
  "InvalidApiVersionParameter",
  "NoRegisteredProviderFound",
  "InvalidResourceType",
  "InvalidSubscriptionId",
  "HttpMethodNotAllowed",
  "RequestEntityTooLarge",
  "InvalidRequestUri",
  "InvalidHostName",
  "ReservedResourceName",
  "SubscriptionRequestsThrottled",
]);

/** The ARM error envelope for an {@link ArmError}. */
export function errorResponse(error: ArmError): EmulatorResponse {
  const headers: Record<string, string> = { "x-ms-failure-cause": GATEWAY_CODES.has(error.code) ? "gateway" : "service" };
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  return jsonResponse(error.status, error.toBody(), headers);
}

/**
 * Adds the headers ARM puts on every response: a new `x-ms-request-id`, the caller's correlation
 * id (or a new one), the client request id when asked to return it, and `Date`.
 */
export function withStandardHeaders(response: EmulatorResponse, requestHeaders: Record<string, string>, nowMs: number): EmulatorResponse {
  const requestId = randomUUID();
  const time = timeHeaders(nowMs);
  // Object.assign then plain stores: a spread followed by more properties takes a slow path in V8
  // (microseconds per response, on every request).
  const headers: Record<string, string> = Object.assign({}, response.headers);
  headers["x-ms-request-id"] = requestId;
  headers["x-ms-correlation-request-id"] = requestHeaders["x-ms-correlation-request-id"] ?? randomUUID();
  headers["x-ms-routing-request-id"] = `LOCAL:${time.routingStamp}:${requestId}`;
  headers.date = time.date;
  headers["cache-control"] = "no-cache";
  headers.pragma = "no-cache";
  const clientRequestId = requestHeaders["x-ms-client-request-id"];
  if (clientRequestId !== undefined && requestHeaders["x-ms-return-client-request-id"]?.toLowerCase() !== "false") {
    headers["x-ms-client-request-id"] = clientRequestId;
  }
  return Object.assign({}, response, { headers });
}

let lastTime: { nowMs: number; routingStamp: string; date: string } | undefined;

/** The time stamps of the standard headers; virtual time often stands still, so the last ones are kept. */
function timeHeaders(nowMs: number): { routingStamp: string; date: string } {
  if (lastTime?.nowMs !== nowMs) {
    const at = new Date(nowMs);
    lastTime = { nowMs, routingStamp: at.toISOString().replace(/[-:.]/g, ""), date: at.toUTCString() };
  }
  return lastTime;
}
