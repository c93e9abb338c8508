import { ArmError, resourceNotFound } from "../arm/armError.js";
import { pageOf } from "../arm/paging.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject } from "../arm/types.js";
import { checkResourceGroupName } from "../compute/names.js";
import { requireLocation } from "../compute/regions.js";
import { checkTags } from "../compute/validation.js";
import type { EmulatorServices } from "../services.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";

/** api-versions served for storage accounts (recent stable versions). */
export const STORAGE_API_VERSIONS = ["2025-01-01", "2024-01-01", "2023-05-01", "2023-01-01"] as const;
const TYPE = "Microsoft.Storage/storageAccounts";
const NAME = /^[a-z0-9]{3,24}$/;
const TEMPLATE = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}";

/**
 * Microsoft.Storage/storageAccounts, only as far as disaster recovery needs them: where an account
 * is (Site Recovery's cache account must be in the source region). Create (synchronous), get,
 * list, delete; no data plane.
 */
export class StorageAccounts {
  constructor(private readonly services: EmulatorServices) {}

  register(router: Router): void {
    const add = (method: string, template: string, operationId: string, handler: (ctx: RequestContext) => EmulatorResponse): void =>
      router.add({ method, template, operationId, apiVersions: STORAGE_API_VERSIONS, resourceType: "storageAccounts", handler });
    add("PUT", TEMPLATE, "StorageAccounts_Create", (ctx) => this.create(ctx));
    add("GET", TEMPLATE, "StorageAccounts_GetProperties", (ctx) => jsonResponse(200, this.require(ctx).body));
    add("DELETE", TEMPLATE, "StorageAccounts_Delete", (ctx) => (this.services.resources.delete(this.idOf(ctx)) ? emptyResponse(200) : emptyResponse(204)));
    add(
      "GET",
      "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts",
      "StorageAccounts_ListByResourceGroup",
      (ctx) =>
        jsonResponse(
          200,
          pageOf(
            ctx,
            this.services.resources
              .list(`/subscriptions/${param(ctx, "subscriptionId")}/resourceGroups/${param(ctx, "resourceGroupName")}`, TYPE)
              .map((r) => r.body),
            this.services.settings.pageSize,
          ),
        ),
    );
  }

  /** The account with this id, if the emulator knows it. */
  get(id: string): StoredResource | undefined {
    const stored = this.services.resources.get(id);
    return stored?.type === TYPE.toLowerCase() ? stored : undefined;
  }

  private idOf(ctx: RequestContext): string {
    checkResourceGroupName(param(ctx, "resourceGroupName"));
    const name = param(ctx, "accountName");
    if (!NAME.test(name))
      throw new ArmError(
        400,
        "AccountNameInvalid",
        `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`,
      );
    return `/subscriptions/${param(ctx, "subscriptionId")}/resourceGroups/${param(ctx, "resourceGroupName")}/providers/Microsoft.Storage/storageAccounts/${name}`;
  }

  private require(ctx: RequestContext): StoredResource {
    const stored = this.get(this.idOf(ctx));
    if (stored === undefined) throw resourceNotFound(TYPE, param(ctx, "accountName"), param(ctx, "resourceGroupName"));
    return stored;
  }

  private create(ctx: RequestContext): EmulatorResponse {
    const id = this.idOf(ctx);
    const input = jsonBody(ctx);
    const location = requireLocation(input.location, TYPE);
    const tags = checkTags(input.tags);
    const existing = this.get(id);
    if (existing !== undefined && existing.body.location !== location)
      throw new ArmError(
        409,
        "InvalidResourceLocation",
        `The storage account '${param(ctx, "accountName")}' already exists in location '${String(existing.body.location)}'.`,
      );
    const sku = (input.sku ?? { name: "Standard_LRS" }) as JsonObject;
    const body: JsonObject = {
      id,
      name: param(ctx, "accountName"),
      type: TYPE,
      location,
      ...(tags === undefined ? {} : { tags }),
      sku: { name: String(sku.name), tier: String(sku.name).startsWith("Premium") ? "Premium" : "Standard" },
      kind: String(input.kind ?? "StorageV2"),
      properties: {
        provisioningState: "Succeeded",
        primaryLocation: location,
        statusOfPrimary: "available",
        creationTime: new Date(this.services.now()).toISOString(),
      },
    };
    this.services.resources.put(ResourceStore.record(id, TYPE, body));
    return jsonResponse(200, body);
  }
}
