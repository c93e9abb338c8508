import { compareApiVersions } from "./apiVersion.js";
import { ArmError } from "./armError.js";
import type { RequestContext } from "./requestContext.js";
import { Router, type Route, type RouteLookup } from "./router.js";
import { isJsonObject, type EmulatorResponse, type JsonObject, type JsonValue } from "./types.js";

/** A property a resource type gained in some api-version: requests and answers of older versions never carry it. */
export interface AddedProperty {
  /** Dotted path from the resource root, e.g. `properties.timeCreated`. */
  path: string;
  /** The first api-version that has it (the spec's "Minimum api-version"). */
  since: string;
  /** The model that holds it, named in the deserializer's refusal (e.g. `VirtualMachineProperties`). */
  owner: string;
}

/** How one ARM resource type's shape differs across api-versions. */
export interface VersionShape {
  /** The ARM type answers carry in `type`, e.g. `Microsoft.Compute/virtualMachines`. */
  armType: string;
  /** The route resource type whose PUT and PATCH bodies are this type, e.g. `virtualMachines`. */
  routeResourceType: string;
  added: readonly AddedProperty[];
  /**
   * What a PUT or PATCH carrying a property its api-version does not know gets: `reject`, 400
   * InvalidRequestContent as a strict deserializer answers (Compute); `ignore`, the property is
   * dropped before the service sees it.
   */
  unknownInRequest: "reject" | "ignore";
}

/**
 * A router that serves every api-version in its own shape: answers lose the properties their
 * version predates (in a resource or in each item of a list, found by the resource's `type`, so
 * operation results are shaped too), and PUT/PATCH bodies with such a property are refused or
 * stripped per {@link VersionShape.unknownInRequest}. Routes are kept by the router it wraps.
 * Requests at a version as new as every `since` pass through untouched. The handlers it adds throw
 * ArmError 400 `InvalidRequestContent` for a refused request property, besides what the route throws.
 */
export class VersionShapedRouter extends Router {
  private readonly byArmType: Map<string, VersionShape>;
  private readonly byRouteType: Map<string, VersionShape>;
  /** The newest `since` of all shapes: requests at this version or newer need no shaping. */
  private readonly newestSince: string;

  constructor(
    private readonly inner: Router,
    shapes: readonly VersionShape[],
  ) {
    super();
    this.byArmType = new Map(shapes.map((s) => [s.armType.toLowerCase(), s]));
    this.byRouteType = new Map(shapes.map((s) => [s.routeResourceType.toLowerCase(), s]));
    this.newestSince = shapes.flatMap((s) => s.added.map((a) => a.since)).reduce((a, b) => (compareApiVersions(a, b) >= 0 ? a : b), "0000-00-00");
  }

  override add(route: Route): void {
    const requestShape = route.method === "PUT" || route.method === "PATCH" ? this.byRouteType.get(route.resourceType.toLowerCase()) : undefined;
    this.inner.add({
      ...route,
      handler: (ctx) => {
        if (compareApiVersions(ctx.apiVersion, this.newestSince) >= 0) return route.handler(ctx);
        const response = route.handler(requestShape === undefined ? ctx : shapeRequest(ctx, requestShape));
        return this.shapeResponse(response, ctx.apiVersion);
      },
    });
  }

  override lookup(method: string, path: string): RouteLookup {
    return this.inner.lookup(method, path);
  }

  private shapeResponse(response: EmulatorResponse, apiVersion: string): EmulatorResponse {
    if (response.body === undefined || response.body === "" || !(response.headers["content-type"] ?? "").startsWith("application/json")) return response;
    const body = JSON.parse(response.body) as JsonValue;
    const resources = isJsonObject(body) && Array.isArray(body.value) ? body.value : [body];
    let changed = false;
    for (const resource of resources) {
      if (!isJsonObject(resource) || typeof resource.type !== "string") continue;
      const shape = this.byArmType.get(resource.type.toLowerCase());
      for (const added of shape?.added ?? []) {
        if (compareApiVersions(apiVersion, added.since) < 0 && removeAt(resource, added.path)) changed = true;
      }
    }
    return changed ? { ...response, body: JSON.stringify(body) } : response;
  }
}

/** The request as its api-version's service sees it: refused or stripped of properties that version does not know. */
function shapeRequest(ctx: RequestContext, shape: VersionShape): RequestContext {
  if (ctx.rawBody === undefined || ctx.rawBody.trim() === "") return ctx;
  let body: unknown;
  try {
    body = JSON.parse(ctx.rawBody);
  } catch {
    return ctx; // the handler answers InvalidRequestContent for it
  }
  if (!isJsonObject(body)) return ctx;
  let changed = false;
  for (const added of shape.added) {
    if (compareApiVersions(ctx.apiVersion, added.since) >= 0 || valueAt(body, added.path) === undefined) continue;
    if (shape.unknownInRequest === "reject") {
      const member = added.path.slice(added.path.lastIndexOf(".") + 1);
      throw new ArmError(
        400,
        "InvalidRequestContent",
        `The request content was invalid and could not be deserialized: 'Could not find member '${member}' on object of type '${added.owner}'. Path '${added.path}'.'`,
        added.path,
      );
    }
    changed = removeAt(body, added.path) || changed;
  }
  return changed ? { ...ctx, rawBody: JSON.stringify(body) } : ctx;
}

function valueAt(root: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = root;
  for (const key of path.split(".")) current = isJsonObject(current) ? current[key] : undefined;
  return current;
}

/** Deletes the property at `path`; whether there was one. */
function removeAt(root: JsonObject, path: string): boolean {
  const keys = path.split(".");
  const last = keys.pop() as string;
  const parent = keys.length === 0 ? root : valueAt(root, keys.join("."));
  if (!isJsonObject(parent) || !(last in parent)) return false;
  delete parent[last];
  return true;
}
