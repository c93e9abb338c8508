import { createHash, timingSafeEqual } from "node:crypto";
import { ArmError } from "../arm/armError.js";
import { isValidHost } from "../arm/requestContext.js";
import { CONTROL_PREFIX } from "../control/controlRoutes.js";

/** What the server checks a request against before it reads the body. */
export interface ScreeningPolicy {
  /** The port the server listens on: its own origins are `http://{loopback name}:{port}`. */
  port: number;
  /** When set, control requests must carry `Authorization: Bearer {controlToken}`. */
  controlToken: string | undefined;
}

/** A request the server refuses, with the headers its answer needs on top of the error envelope. */
export interface Refusal {
  error: ArmError;
  headers: Record<string, string>;
}

const LOOPBACK_HOSTNAMES = new Set(["127.0.0.1", "localhost", "[::1]"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Screens a request on its start line and headers, before its body is read. Returns the refusal,
 * or undefined when the request may go on:
 * - 400 `InvalidRequestUri` for a request target that is not a path (absolute-form
 *   `GET http://evil/... HTTP/1.1`, or `*`): the emulator is no proxy;
 * - 400 `InvalidHostName` for a malformed `Host` header (it becomes the origin of the links);
 * - 403 `CrossSiteRequestRefused` for a request a browser sent from another site (an `Origin`
 *   other than the server's own, or `Sec-Fetch-Site: cross-site`/`same-site`);
 * - on control routes (`/_emulator/...`): 403 `CrossSiteRequestRefused` unless addressed to a
 *   loopback host name (no DNS rebinding), 401 `AuthenticationFailed`/`InvalidAuthenticationToken`
 *   without the control token when one is set, and 415 `UnsupportedMediaType` for a mutating
 *   request whose content type is not `application/json` (which no browser "simple request" has).
 */
export function screenRequest(method: string, target: string, headers: Record<string, string>, policy: ScreeningPolicy): Refusal | undefined {
  if (!target.startsWith("/")) {
    return refuse(400, "InvalidRequestUri", `The request URI '${target.slice(0, 200)}' is not valid: the emulator serves paths, not absolute URLs.`);
  }
  const host = headers.host ?? `127.0.0.1:${policy.port}`;
  if (!isValidHost(host)) return refuse(400, "InvalidHostName", `The Host header '${host.slice(0, 200)}' is not a valid host name.`);
  const absolute = `http://${host}${target}`;
  let url: URL;
  try {
    url = new URL(absolute);
  } catch {
    return refuse(400, "InvalidRequestUri", `The request URI '${target.slice(0, 200)}' is not valid.`);
  }
  const origin = headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, policy.port)) {
    return refuse(403, "CrossSiteRequestRefused", `Requests from origin '${origin.slice(0, 200)}' are refused: the emulator serves no web page.`);
  }
  const fetchSite = headers["sec-fetch-site"]?.toLowerCase();
  if (fetchSite === "cross-site" || fetchSite === "same-site") {
    return refuse(403, "CrossSiteRequestRefused", "Requests a browser sends from another site are refused: the emulator serves no web page.");
  }
  if (!url.pathname.toLowerCase().startsWith(CONTROL_PREFIX)) return undefined;
  if (!LOOPBACK_HOSTNAMES.has(url.hostname)) {
    return refuse(
      403,
      "CrossSiteRequestRefused",
      `Control requests must be addressed to a loopback host (127.0.0.1, localhost, [::1]), not '${url.hostname}'.`,
    );
  }
  if (policy.controlToken !== undefined) {
    const authorization = headers.authorization;
    if (authorization === undefined) {
      return refuse(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header with the emulator's control token is missing.", {
        "www-authenticate": 'Bearer realm="azure-dr emulator control"',
      });
    }
    const presented = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
    if (presented === undefined || !sameSecret(presented, policy.controlToken)) {
      return refuse(401, "InvalidAuthenticationToken", "The control token in the 'Authorization' header is not the emulator's.", {
        "www-authenticate": 'Bearer realm="azure-dr emulator control", error="invalid_token"',
      });
    }
  }
  if (!SAFE_METHODS.has(method.toUpperCase())) {
    const contentType = headers["content-type"];
    const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      return refuse(
        415,
        "UnsupportedMediaType",
        `The content media type '${(contentType ?? "").slice(0, 100)}' is not supported. Only 'application/json' is supported.`,
      );
    }
  }
  return undefined;
}

function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): Refusal {
  return { error: new ArmError(status, code, message), headers };
}

function isOwnOrigin(origin: string, port: number): boolean {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  const urlPort = url.port === "" ? "80" : url.port;
  return url.protocol === "http:" && LOOPBACK_HOSTNAMES.has(url.hostname) && urlPort === String(port) && url.origin === origin.toLowerCase();
}

/** Compares secrets in constant time (digests first, so that lengths differ harmlessly). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
