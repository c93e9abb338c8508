import { ArmError } from "./armError.js";
import { isReservedName } from "./unsafeInput.js";
import type { RequestContext } from "./requestContext.js";
import type { EmulatorResponse } from "./types.js";

/** Answers one matched request. Throwing an {@link ArmError} answers with its envelope. */
export type RouteHandler = (ctx: RequestContext) => EmulatorResponse;

/** One ARM operation the emulator serves. */
export interface Route {
  method: string;
  /** Path template with `{name}` segments, e.g. `/subscriptions/{subscriptionId}/...`. */
  template: string;
  /** The REST operation id, e.g. `VirtualMachines_Start`; fault rules may match on it. */
  operationId: string;
  /** The api-versions this operation accepts; empty for the emulator's own control surface. */
  apiVersions: readonly string[];
  /** The ARM resource type named in api-version errors, e.g. `virtualMachines`. */
  resourceType: string;
  handler: RouteHandler;
}

/** A route that matched a path, with its parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface CompiledRoute {
  route: Route;
  segments: { literal: string | undefined; param: string | undefined }[];
}

/** Result of looking up a path: a match, a path served for other methods, or nothing. */
export type RouteLookup = { kind: "match"; match: RouteMatch } | { kind: "methodNotAllowed"; allowed: string[] } | { kind: "none" };

/**
 * Routes by path template. Literal segments compare case-insensitively, as ARM does;
 * parameters keep the caller's casing.
 */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(route: Route): void {
    const segments = route.template
      .split("/")
      .filter((s) => s !== "")
      .map((s) => {
        const param = /^\{(\w+)\}$/.exec(s)?.[1];
        return param === undefined ? { literal: s.toLowerCase(), param: undefined } : { literal: undefined, param };
      });
    this.routes.push({ route, segments });
  }

  /**
   * The route serving `method` on `path`. Throws {@link ArmError} 400 `InvalidRequestUri` for a
   * segment that does not URL-decode and 400 `ReservedResourceName` for a segment that is a reserved
   * name (`__proto__`, `constructor`, `prototype`, in any casing).
   */
  lookup(method: string, path: string): RouteLookup {
    let parts: string[];
    try {
      parts = path
        .split("/")
        .filter((s) => s !== "")
        .map((s) => decodeURIComponent(s));
    } catch {
      throw new ArmError(400, "InvalidRequestUri", `The request URI '${path}' is not valid.`);
    }
    const reserved = parts.find(isReservedName);
    if (reserved !== undefined) {
      throw new ArmError(
        400,
        "ReservedResourceName",
        `The resource name '${reserved}' or a part of the name is a reserved word (__proto__, constructor and prototype are refused).`,
      );
    }
    const allowed: string[] = [];
    for (const compiled of this.routes) {
      const params = matchSegments(compiled.segments, parts);
      if (params === undefined) continue;
      if (compiled.route.method === method) return { kind: "match", match: { route: compiled.route, params } };
      allowed.push(compiled.route.method);
    }
    return allowed.length > 0 ? { kind: "methodNotAllowed", allowed } : { kind: "none" };
  }
}

function matchSegments(segments: CompiledRoute["segments"], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as CompiledRoute["segments"][number];
    const part = parts[i] as string;
    if (segment.param !== undefined) params[segment.param] = part;
    else if (segment.literal !== part.toLowerCase()) return undefined;
  }
  return params;
}
