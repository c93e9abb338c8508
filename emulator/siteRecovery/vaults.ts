import { randomUUID } from "node:crypto";
import { ArmError, resourceNotFound } from "../arm/armError.js";
import { pageOf } from "../arm/paging.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { requireLocation } from "../compute/regions.js";
import { checkTags } from "../compute/validation.js";
import { checkResourceGroupName } from "../compute/names.js";
import { ASR_TYPES, VAULT_API_VERSIONS, VAULT_TEMPLATE, checkAsrName } from "./asrApi.js";

/** Microsoft.RecoveryServices/vaults: create (synchronous, `provisioningState: Succeeded`), get, list, update tags, delete. */
export class Vaults {
  constructor(private readonly services: EmulatorServices) {}

  register(router: Router): void {
    const add = (method: string, template: string, operationId: string, handler: (ctx: RequestContext) => EmulatorResponse): void =>
      router.add({ method, template, operationId, apiVersions: VAULT_API_VERSIONS, resourceType: "vaults", handler });
    add("PUT", VAULT_TEMPLATE, "Vaults_CreateOrUpdate", (ctx) => this.createOrUpdate(ctx));
    add("GET", VAULT_TEMPLATE, "Vaults_Get", (ctx) => jsonResponse(200, this.requireVault(ctx).body));
    add("PATCH", VAULT_TEMPLATE, "Vaults_Update", (ctx) => this.update(ctx));
    add("DELETE", VAULT_TEMPLATE, "Vaults_Delete", (ctx) => this.delete(ctx));
    add(
      "GET",
      "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults",
      "Vaults_ListByResourceGroup",
      (ctx) => this.list(ctx, `/subscriptions/${param(ctx, "subscriptionId")}/resourceGroups/${param(ctx, "resourceGroupName")}`),
    );
    add("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/vaults", "Vaults_ListBySubscriptionId", (ctx) =>
      this.list(ctx, `/subscriptions/${param(ctx, "subscriptionId")}`),
    );
  }

  /** The vault a Site Recovery request is under; 404 when it does not exist. */
  requireVault(ctx: RequestContext): StoredResource {
    checkResourceGroupName(param(ctx, "resourceGroupName"));
    checkAsrName(param(ctx, "resourceName"), "vault");
    const stored = this.services.resources.get(this.idOf(ctx));
    if (stored?.type !== ASR_TYPES.vault.toLowerCase()) throw resourceNotFound(ASR_TYPES.vault, param(ctx, "resourceName"), param(ctx, "resourceGroupName"));
    return stored;
  }

  private idOf(ctx: RequestContext): string {
    return `/subscriptions/${param(ctx, "subscriptionId")}/resourceGroups/${param(ctx, "resourceGroupName")}/providers/Microsoft.RecoveryServices/vaults/${param(ctx, "resourceName")}`;
  }

  private createOrUpdate(ctx: RequestContext): EmulatorResponse {
    checkResourceGroupName(param(ctx, "resourceGroupName"));
    checkAsrName(param(ctx, "resourceName"), "vault");
    const input = jsonBody(ctx);
    const location = requireLocation(input.location, ASR_TYPES.vault);
    const tags = checkTags(input.tags);
    const sku = (input.sku ?? { name: "Standard" }) as JsonObject;
    if (!["Standard", "RS0"].includes(String(sku.name)))
      throw new ArmError(400, "InvalidParameter", `Vault SKU '${String(sku.name)}' is not supported; use 'Standard' or 'RS0'.`, "sku.name");
    const id = this.idOf(ctx);
    const existing = this.services.resources.get(id);
    if (existing !== undefined && existing.body.location !== location) {
      throw new ArmError(
        409,
        "InvalidResourceLocation",
        `The resource '${param(ctx, "resourceName")}' already exists in location '${String(existing.body.location)}'.`,
      );
    }
    const body: JsonObject = {
      id: existing?.id ?? id,
      name: existing === undefined ? param(ctx, "resourceName") : String(existing.body.name),
      type: ASR_TYPES.vault,
      location,
      ...(tags === undefined ? {} : { tags }),
      sku: { name: String(sku.name) },
      etag: `W/"datetime'${encodeURIComponent(new Date(this.services.now()).toISOString())}'"`,
      properties: {
        provisioningState: "Succeeded",
        privateEndpointStateForBackup: "None",
        privateEndpointStateForSiteRecovery: "None",
        publicNetworkAccess: "Enabled",
        vaultId: existing === undefined ? randomUUID() : String((existing.body.properties as JsonObject).vaultId),
      },
    };
    this.services.resources.put(ResourceStore.record(String(body.id), ASR_TYPES.vault, body));
    return jsonResponse(existing === undefined ? 201 : 200, body);
  }

  private update(ctx: RequestContext): EmulatorResponse {
    const vault = this.requireVault(ctx);
    const tags = checkTags(jsonBody(ctx).tags);
    if (tags !== undefined) vault.body.tags = tags;
    return jsonResponse(200, vault.body);
  }

  private delete(ctx: RequestContext): EmulatorResponse {
    const id = this.idOf(ctx);
    if (this.services.resources.get(id) === undefined) return emptyResponse(204);
    const children = Object.values(this.services.state().resources).filter(
      (r) => r.id.toLowerCase().startsWith(`${id.toLowerCase()}/replication`) && !r.type.endsWith("/replicationjobs"),
    );
    if (children.length > 0) {
      throw new ArmError(
        400,
        "ServiceResourceNotEmpty",
        `Vault '${param(ctx, "resourceName")}' cannot be deleted as there are existing resources within the vault. Remove the replication items, policies and fabrics first.`,
      );
    }
    for (const job of this.services.resources.list(id, ASR_TYPES.job)) this.services.resources.delete(job.id);
    this.services.resources.delete(id);
    return emptyResponse(200);
  }

  private list(ctx: RequestContext, scope: string): EmulatorResponse {
    return jsonResponse(
      200,
      pageOf(
        ctx,
        this.services.resources.list(scope, ASR_TYPES.vault).map((r) => r.body),
        this.services.settings.pageSize,
      ),
    );
  }
}
