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
  /** Routes by number of path segments: a request is matched only against templates of its length. */
  private readonly routesByLength = new Map<number, CompiledRoute[]>();

  add(route: Route): void {
    const segments = route.template
      .split("/")
      .filter((s) => s !== "")
      .map((s) => {
        const param = /^\{(\w+)\}$/.exec(s)?.[1];
        return param === undefined ? { literal: s.toLowerCase(), param: undefined } : { literal: undefined, param };
      });
    const sameLength = this.routesByLength.get(segments.length);
    if (sameLength === undefined) this.routesByLength.set(segments.length, [{ route, segments }]);
    else sameLength.push({ route, segments });
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
        .map((s) => (s.includes("%") ? decodeURIComponent(s) : s));
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
    const lowerParts = parts.map((part) => part.toLowerCase());
    for (const compiled of this.routesByLength.get(parts.length) ?? []) {
      const params = matchSegments(compiled.segments, parts, lowerParts);
      if (params === undefined) continue;
      if (compiled.route.method === method) return { kind: "match", match: { route: compiled.route, params } };
      allowed.push(compiled.route.method);
    }
    return allowed.length > 0 ? { kind: "methodNotAllowed", allowed } : { kind: "none" };
  }
}

function matchSegments(segments: CompiledRoute["segments"], parts: string[], lowerParts: string[]): Record<string, string> | undefined {
  for (let i = 0; i < segments.length; i++) {
    const literal = (segments[i] as CompiledRoute["segments"][number]).literal;
    if (literal !== undefined && literal !== lowerParts[i]) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const param = (segments[i] as CompiledRoute["segments"][number]).param;
    if (param !== undefined) params[param] = parts[i] as string;
  }
  return params;
}
