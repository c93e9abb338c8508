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
  /**
   * Set on a GET whose handler changes the state (a poll that moves virtual time). Any other GET
   * must answer from the state and the clock alone: its answers may be served again from the read
   * cache until either changes.
   */
  changesState?: true;
  handler: RouteHandler;
}

/** A route that matched a path, with its parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface CompiledRoute {
  route: Route;
  /** Registration order: where two templates match a path, the first registered serves it. */
  order: number;
  segments: { literal: string | undefined; param: string | undefined }[];
}

/** A node of the template trie: one path segment deeper per level. */
interface TrieNode {
  /** Children by lower-cased literal segment. */
  literals: Map<string, TrieNode>;
  /** The child any segment reaches (a `{name}` segment). */
  param: TrieNode | undefined;
  /** Routes whose template ends here. */
  routes: CompiledRoute[];
}

const emptyNode = (): TrieNode => ({ literals: new Map(), param: undefined, routes: [] });

/** Result of looking up a path: a match, a path served for other methods, or nothing. */
export type RouteLookup = { kind: "match"; match: RouteMatch } | { kind: "methodNotAllowed"; allowed: string[] } | { kind: "none" };

/**
 * Routes by path template. Literal segments compare case-insensitively, as ARM does;
 * parameters keep the caller's casing.
 */
export class Router {
  /** Templates as a trie of segments, so that a lookup walks the path once instead of trying every route. */
  private readonly root = emptyNode();
  private count = 0;

  add(route: Route): void {
    const segments = route.template
      .split("/")
      .filter((s) => s !== "")
      .map((s) => {
        const param = /^\{(\w+)\}$/.exec(s)?.[1];
        return param === undefined ? { literal: s.toLowerCase(), param: undefined } : { literal: undefined, param };
      });
    let node = this.root;
    for (const segment of segments) {
      if (segment.literal === undefined) node = node.param ??= emptyNode();
      else {
        let next = node.literals.get(segment.literal);
        if (next === undefined) node.literals.set(segment.literal, (next = emptyNode()));
        node = next;
      }
    }
    node.routes.push({ route, order: this.count++, segments });
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
    const candidates: CompiledRoute[] = [];
    collect(
      this.root,
      parts.map((part) => part.toLowerCase()),
      0,
      candidates,
    );
    candidates.sort((a, b) => a.order - b.order);
    const served = candidates.find((c) => c.route.method === method);
    if (served !== undefined) return { kind: "match", match: { route: served.route, params: paramsOf(served.segments, parts) } };
    return candidates.length > 0 ? { kind: "methodNotAllowed", allowed: candidates.map((c) => c.route.method) } : { kind: "none" };
  }
}

/** Every route whose template matches the path from `depth` on, under `node`. */
function collect(node: TrieNode, lowerParts: string[], depth: number, into: CompiledRoute[]): void {
  if (depth === lowerParts.length) {
    into.push(...node.routes);
    return;
  }
  const literal = node.literals.get(lowerParts[depth] as string);
  if (literal !== undefined) collect(literal, lowerParts, depth + 1, into);
  if (node.param !== undefined) collect(node.param, lowerParts, depth + 1, into);
}

function paramsOf(segments: CompiledRoute["segments"], parts: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const param = (segments[i] as CompiledRoute["segments"][number]).param;
    if (param !== undefined) params[param] = parts[i] as string;
  }
  return params;
}
