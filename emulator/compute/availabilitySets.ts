import { ArmError, invalidParameter, resourceNotFound } from "../arm/armError.js";
import { pageOf } from "../arm/paging.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { JsonObject, JsonValue } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { AVAILABILITY_SET_TYPE, COMPUTE_API_VERSIONS, COMPUTE_RG_TEMPLATE, COMPUTE_SUB_TEMPLATE, resourceGroupScope } from "./computeApi.js";
import { checkAvailabilitySetName, itemIdFromPath } from "./names.js";
import { maxFaultDomains, requireLocation } from "./regions.js";
import { checkTags, objectField, propertyChangeNotAllowed } from "./validation.js";
import { vmSizeCatalog } from "./vmSizeCatalog.js";

const DEFAULT_UPDATE_DOMAINS = 5;
const DEFAULT_FAULT_DOMAINS = 2;
const MAX_UPDATE_DOMAINS = 20;
const SKUS = ["Aligned", "Classic"] as const;

/** Service-side data of an availability set: the round-robin placement cursor. */
export interface AvailabilitySetInternal extends JsonObject {
  placements: number;
}

/** Microsoft.Compute/availabilitySets: create/get/list/update-tags/delete and the sizes a new member may have, with Azure's limits. */
export class AvailabilitySets {
  constructor(private readonly services: EmulatorServices) {}

  register(router: Router): void {
    const item = `${COMPUTE_RG_TEMPLATE}/availabilitySets/{availabilitySetName}`;
    const add = (method: string, template: string, operationId: string, handler: (ctx: RequestContext) => ReturnType<typeof jsonResponse>): void =>
      router.add({ method, template, operationId, apiVersions: COMPUTE_API_VERSIONS, resourceType: "availabilitySets", handler });
    add("PUT", item, "AvailabilitySets_CreateOrUpdate", (ctx) => this.createOrUpdate(ctx));
    add("PATCH", item, "AvailabilitySets_Update", (ctx) => this.update(ctx));
    add("GET", item, "AvailabilitySets_Get", (ctx) => jsonResponse(200, this.require(ctx).body));
    add("DELETE", item, "AvailabilitySets_Delete", (ctx) => this.delete(ctx));
    add("GET", `${item}/vmSizes`, "AvailabilitySets_ListAvailableSizes", (ctx) => {
      this.require(ctx);
      return jsonResponse(200, { value: vmSizeCatalog() });
    });
    add("GET", `${COMPUTE_RG_TEMPLATE}/availabilitySets`, "AvailabilitySets_List", (ctx) =>
      this.list(ctx, resourceGroupScope(param(ctx, "subscriptionId"), param(ctx, "resourceGroupName"))),
    );
    add("GET", `${COMPUTE_SUB_TEMPLATE}/availabilitySets`, "AvailabilitySets_ListBySubscription", (ctx) =>
      this.list(ctx, `/subscriptions/${param(ctx, "subscriptionId")}`),
    );
  }

  /** The stored set with this id, if any. */
  get(id: string): StoredResource | undefined {
    const stored = this.services.resources.get(id);
    return stored?.type === AVAILABILITY_SET_TYPE.toLowerCase() ? stored : undefined;
  }

  private idOf(ctx: RequestContext): string {
    return itemIdFromPath(ctx, "availabilitySets", "availabilitySetName", checkAvailabilitySetName);
  }

  private require(ctx: RequestContext): StoredResource {
    const stored = this.get(this.idOf(ctx));
    if (stored === undefined) throw resourceNotFound(AVAILABILITY_SET_TYPE, param(ctx, "availabilitySetName"), param(ctx, "resourceGroupName"));
    return stored;
  }

  private createOrUpdate(ctx: RequestContext): ReturnType<typeof jsonResponse> {
    const id = this.idOf(ctx);
    const input = jsonBody(ctx);
    const location = requireLocation(input.location, AVAILABILITY_SET_TYPE);
    const properties = objectField(input, "properties");
    const faultDomains = countField(properties, "platformFaultDomainCount", DEFAULT_FAULT_DOMAINS);
    const updateDomains = countField(properties, "platformUpdateDomainCount", DEFAULT_UPDATE_DOMAINS);
    const maxFd = maxFaultDomains(location);
    if (faultDomains < 1 || faultDomains > maxFd) {
      throw invalidParameter("platformFaultDomainCount", `The specified fault domain count ${faultDomains} must fall in the range 1 to ${maxFd}.`);
    }
    if (updateDomains < 1 || updateDomains > MAX_UPDATE_DOMAINS) {
      throw invalidParameter(
        "platformUpdateDomainCount",
        `The specified update domain count ${updateDomains} must fall in the range 1 to ${MAX_UPDATE_DOMAINS}.`,
      );
    }
    const sku = skuField(input);
    const tags = checkTags(input.tags);
    const existing = this.get(id);
    if (existing !== undefined) {
      const current = existing.body.properties as JsonObject;
      if (existing.body.location !== location) {
        throw new ArmError(
          409,
          "InvalidResourceLocation",
          `The resource '${param(ctx, "availabilitySetName")}' already exists in location '${String(existing.body.location)}' in resource group '${param(ctx, "resourceGroupName")}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
        );
      }
      for (const [field, value] of [
        ["platformFaultDomainCount", faultDomains],
        ["platformUpdateDomainCount", updateDomains],
      ] as const) {
        if (current[field] !== value) throw propertyChangeNotAllowed(field);
      }
      if ((existing.body.sku as JsonObject).name === "Aligned" && sku === "Classic") throw propertyChangeNotAllowed("sku.name");
    }
    const name = existing === undefined ? param(ctx, "availabilitySetName") : String(existing.body.name);
    const body: JsonObject = {
      name,
      id: existing?.id ?? id,
      type: AVAILABILITY_SET_TYPE,
      location,
      ...(tags === undefined ? {} : { tags }),
      sku: { name: sku },
      properties: {
        platformUpdateDomainCount: updateDomains,
        platformFaultDomainCount: faultDomains,
        virtualMachines: existing === undefined ? [] : ((existing.body.properties as JsonObject).virtualMachines as JsonValue[]),
      },
    };
    const internal: AvailabilitySetInternal = existing === undefined ? { placements: 0 } : (existing.internal as AvailabilitySetInternal);
    this.services.resources.put(ResourceStore.record(body.id as string, AVAILABILITY_SET_TYPE, body, internal));
    return jsonResponse(200, body);
  }

  private update(ctx: RequestContext): ReturnType<typeof jsonResponse> {
    const stored = this.require(ctx);
    const input = jsonBody(ctx);
    const tags = checkTags(input.tags);
    const properties = input.properties === undefined ? {} : objectField(input, "properties");
    const current = stored.body.properties as JsonObject;
    for (const [field, value] of Object.entries(properties)) {
      if (field === "virtualMachines" || field === "statuses") continue;
      if (JSON.stringify(current[field]) !== JSON.stringify(value)) throw propertyChangeNotAllowed(field);
    }
    if (input.sku !== undefined && skuField(input) !== (stored.body.sku as JsonObject).name) throw propertyChangeNotAllowed("sku.name");
    if (tags !== undefined) stored.body.tags = tags;
    return jsonResponse(200, stored.body);
  }

  private delete(ctx: RequestContext): ReturnType<typeof jsonResponse> {
    const id = this.idOf(ctx);
    const stored = this.get(id);
    if (stored === undefined) return emptyResponse(204);
    const members = (stored.body.properties as JsonObject).virtualMachines as JsonValue[];
    if (members.length > 0) {
      throw new ArmError(
        409,
        "AvailabilitySetInUse",
        `Availability set '${String(stored.body.name)}' cannot be deleted: it still holds ${members.length} virtual machine(s). Delete them first.`,
      );
    }
    this.services.resources.delete(id);
    return emptyResponse(200);
  }

  private list(ctx: RequestContext, scope: string): ReturnType<typeof jsonResponse> {
    const items = this.services.resources.list(scope, AVAILABILITY_SET_TYPE).map((r) => r.body);
    return jsonResponse(200, pageOf(ctx, items, this.services.settings.pageSize));
  }
}

function countField(properties: JsonObject, field: string, fallback: number): number {
  const value = properties[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value))
    throw invalidParameter(field, `The value of parameter ${field} is invalid: an integer is required.`);
  return value;
}

function skuField(input: JsonObject): (typeof SKUS)[number] {
  if (input.sku === undefined || input.sku === null) return "Classic";
  const sku = objectField(input, "sku");
  if (sku.name === undefined) return "Classic";
  const match = SKUS.find((s) => typeof sku.name === "string" && s.toLowerCase() === sku.name.toLowerCase());
  if (match === undefined)
    throw invalidParameter("sku.name", `The availability set SKU '${String(sku.name)}' is not supported. Supported SKUs: ${SKUS.join(", ")}.`);
  return match;
}
