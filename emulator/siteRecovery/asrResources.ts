import { ArmError } from "../arm/armError.js";
import { pageOf } from "../arm/paging.js";
import { param, type RequestContext } from "../arm/requestContext.js";
import { jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import type { StoredResource } from "../store/state.js";
import { ASR_API_VERSIONS, VAULT_TEMPLATE } from "./asrApi.js";

/** Adds a vault-scoped Site Recovery route. */
export function addAsrRoute(router: Router, method: string, path: string, operationId: string, handler: (ctx: RequestContext) => EmulatorResponse): void {
  router.add({
    method,
    template: `${VAULT_TEMPLATE}${path}`,
    operationId,
    apiVersions: ASR_API_VERSIONS,
    resourceType: `vaults${path.replace(/\/\{[^}]+\}/g, "")}`,
    handler,
  });
}

/** The stored resource of `type` at `id`, if any. */
export function findOfType(services: EmulatorServices, id: string, type: string): StoredResource | undefined {
  const stored = services.resources.get(id);
  return stored?.type === type.toLowerCase() ? stored : undefined;
}

/** The stored resource of `type` at `id`, or 404 naming it. */
export function requireOfType(services: EmulatorServices, id: string, type: string, ctx: RequestContext): StoredResource {
  const stored = findOfType(services, id, type);
  if (stored === undefined) {
    throw new ArmError(
      404,
      "ResourceNotFound",
      `The Resource '${type}/${id.slice(id.lastIndexOf("/") + 1)}' under resource group '${param(ctx, "resourceGroupName")}' was not found.`,
    );
  }
  return stored;
}

/** A page of the resources of `type` directly in the collection `collectionId` (e.g. `{vault}/replicationFabrics`), each served through `view`. */
export function listUnder(
  services: EmulatorServices,
  ctx: RequestContext,
  collectionId: string,
  type: string,
  view: (r: StoredResource) => JsonValue = (r) => r.body,
): EmulatorResponse {
  const depth = collectionId.split("/").length + 1;
  const items = services.resources
    .list(collectionId, type)
    .filter((r) => r.id.split("/").length === depth)
    .map(view);
  return jsonResponse(200, pageOf(ctx, items, services.settings.pageSize));
}

/** `input.properties` as an object (absent: empty); 400 InvalidRequestContent when it is not one. */
export function propertiesOf(input: JsonObject): JsonObject {
  const value = input.properties;
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new ArmError(400, "InvalidRequestContent", "'properties' must be an object.", "properties");
  return value;
}

/** A provider-specific object discriminated by `instanceType`; 400 naming `field` when it is missing or not one of `allowed`. */
export function instanceOf(value: JsonValue | undefined, field: string, allowed: readonly string[]): JsonObject {
  if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ArmError(400, "InvalidParameter", `'${field}' is required: an object with an 'instanceType' of ${allowed.join(", ")}.`, field);
  }
  if (!allowed.includes(String(value.instanceType))) {
    throw new ArmError(
      400,
      "InvalidParameter",
      `'${field}.instanceType' must be one of ${allowed.join(", ")}, not '${String(value.instanceType)}'.`,
      `${field}.instanceType`,
    );
  }
  return value;
}

/** Tasks of a short configuration job. */
export function configurationTasks(what: string): { name: string; friendlyName: string; durationMs: number }[] {
  return [
    { name: "PrerequisitesCheck", friendlyName: "Prerequisites check", durationMs: 10_000 },
    { name: "Configure", friendlyName: what, durationMs: 20_000 },
  ];
}

/** Removes a resource and everything under it (jobs live at the vault and stay). */
export function removeTree(services: EmulatorServices, id: string): void {
  const prefix = id.toLowerCase();
  for (const resource of Object.values(services.state().resources)) {
    const key = resource.id.toLowerCase();
    if (key === prefix || key.startsWith(`${prefix}/`)) services.resources.delete(resource.id);
  }
}
