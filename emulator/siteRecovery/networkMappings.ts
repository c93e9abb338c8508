import { ArmError } from "../arm/armError.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject } from "../arm/types.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, ID_PATTERNS, nameOf, vaultIdOf } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, configurationTasks, findOfType, instanceOf, propertiesOf, requireOfType } from "./asrResources.js";
import { Fabrics } from "./fabrics.js";
import { azureFabricId, MICROSOFT_AZURE } from "./hyperVReplication.js";
import type { SiteNetwork } from "./hyperVSites.js";

/** The network Site Recovery discovers under every Azure fabric: virtual networks are mapped through it. */
export const AZURE_NETWORK_NAME = "azureNetwork";
const MAPPING_PATH = "/replicationFabrics/{fabricName}/replicationNetworks/{networkName}/replicationNetworkMappings/{networkMappingName}";

/**
 * Replication networks (discovered: `azureNetwork` under each Azure fabric; the VM networks a
 * Hyper-V site's VMM server reports) and network mappings (`AzureToAzure`: a source virtual network
 * mapped to a target virtual network in another fabric's region; `VmmToAzure`: a VMM VM network
 * mapped to an Azure virtual network). Create, update, get, list, delete.
 */
export class NetworkMappings {
  constructor(
    private readonly asr: AsrContext,
    private readonly fabrics: Fabrics,
  ) {
    asr.jobs.registerStore("asr.networkMapping.put");
    asr.jobs.register("asr.networkMapping.delete", { complete: (op) => this.asr.services.resources.delete(String(op.data.mappingId)) });
  }

  register(router: Router): void {
    addAsrRoute(router, "GET", "/replicationFabrics/{fabricName}/replicationNetworks", "ReplicationNetworks_ListByReplicationFabrics", (ctx) =>
      jsonResponse(200, { value: this.networksOf(this.fabrics.require(ctx)) }),
    );
    addAsrRoute(router, "GET", "/replicationFabrics/{fabricName}/replicationNetworks/{networkName}", "ReplicationNetworks_Get", (ctx) =>
      jsonResponse(200, this.requireNetwork(ctx)),
    );
    addAsrRoute(router, "GET", "/replicationNetworks", "ReplicationNetworks_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return jsonResponse(200, { value: this.asr.services.resources.list(vaultIdOf(ctx), ASR_TYPES.fabric).flatMap((f) => this.networksOf(f)) });
    });
    addAsrRoute(router, "PUT", MAPPING_PATH, "ReplicationNetworkMappings_Create", (ctx) => this.put(ctx, "create"));
    addAsrRoute(router, "PATCH", MAPPING_PATH, "ReplicationNetworkMappings_Update", (ctx) => this.put(ctx, "update"));
    addAsrRoute(router, "GET", MAPPING_PATH, "ReplicationNetworkMappings_Get", (ctx) => jsonResponse(200, this.requireMapping(ctx).body));
    addAsrRoute(router, "DELETE", MAPPING_PATH, "ReplicationNetworkMappings_Delete", (ctx) => this.delete(ctx));
    addAsrRoute(
      router,
      "GET",
      "/replicationFabrics/{fabricName}/replicationNetworks/{networkName}/replicationNetworkMappings",
      "ReplicationNetworkMappings_ListByReplicationNetworks",
      (ctx) => {
        const network = this.requireNetwork(ctx);
        return jsonResponse(200, { value: this.asr.services.resources.list(String(network.id), ASR_TYPES.networkMapping).map((m) => m.body) });
      },
    );
    addAsrRoute(router, "GET", "/replicationNetworkMappings", "ReplicationNetworkMappings_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return jsonResponse(200, { value: this.asr.services.resources.list(vaultIdOf(ctx), ASR_TYPES.networkMapping).map((m) => m.body) });
    });
  }

  /** The network mapping whose primary network is `virtualNetworkId`, if any. */
  mappingForPrimaryNetwork(vaultId: string, virtualNetworkId: string): StoredResource | undefined {
    return this.asr.services.resources
      .list(vaultId, ASR_TYPES.networkMapping)
      .find((m) => String((m.body.properties as JsonObject).primaryNetworkId).toLowerCase() === virtualNetworkId.toLowerCase());
  }

  private networksOf(fabric: StoredResource): JsonObject[] {
    if (Fabrics.locationOf(fabric) === undefined) {
      // A Hyper-V site (VMM) has the VM networks its server reported (control surface).
      return ((fabric.internal as { networks?: SiteNetwork[] }).networks ?? []).map((n) => ({
        id: `${fabric.id}/replicationNetworks/${n.name}`,
        name: n.name,
        type: ASR_TYPES.network,
        properties: { fabricType: "VMM", subnets: [], friendlyName: n.friendlyName, networkType: "VmNetwork" },
      }));
    }
    return [
      {
        id: `${fabric.id}/replicationNetworks/${AZURE_NETWORK_NAME}`,
        name: AZURE_NETWORK_NAME,
        type: ASR_TYPES.network,
        properties: { fabricType: "Azure", subnets: [], friendlyName: AZURE_NETWORK_NAME, networkType: "AzureNetwork" },
      },
    ];
  }

  private requireNetwork(ctx: RequestContext): JsonObject {
    const fabric = this.fabrics.require(ctx);
    const network = this.networksOf(fabric).find((n) => String(n.name).toLowerCase() === param(ctx, "networkName").toLowerCase());
    if (network === undefined)
      throw new ArmError(404, "ResourceNotFound", `Fabric '${param(ctx, "fabricName")}' has no replication network '${param(ctx, "networkName")}'.`);
    return network;
  }

  private requireMapping(ctx: RequestContext): StoredResource {
    const network = this.requireNetwork(ctx);
    return requireOfType(
      this.asr.services,
      `${String(network.id)}/replicationNetworkMappings/${param(ctx, "networkMappingName")}`,
      ASR_TYPES.networkMapping,
      ctx,
    );
  }

  private put(ctx: RequestContext, mode: "create" | "update"): EmulatorResponse {
    const fabric = this.fabrics.require(ctx);
    const network = this.requireNetwork(ctx);
    const id = `${String(network.id)}/replicationNetworkMappings/${param(ctx, "networkMappingName")}`;
    const existing = findOfType(this.asr.services, id, ASR_TYPES.networkMapping);
    if (mode === "update" && existing === undefined) requireOfType(this.asr.services, id, ASR_TYPES.networkMapping, ctx);
    const properties = propertiesOf(jsonBody(ctx));
    const details = instanceOf(properties.fabricSpecificDetails, "properties.fabricSpecificDetails", ["AzureToAzure", "VmmToAzure"]);
    const current = (existing?.body.properties ?? {}) as JsonObject;
    if (details.instanceType === "VmmToAzure") return this.startPut(ctx, mode, id, this.vmmToAzure(ctx, mode, fabric, network, properties, current, existing));
    const primaryNetworkId = String(details.primaryNetworkId ?? current.primaryNetworkId ?? "");
    const recoveryNetworkId = String(properties.recoveryNetworkId ?? current.recoveryNetworkId ?? "");
    for (const [field, value] of [
      ["properties.fabricSpecificDetails.primaryNetworkId", primaryNetworkId],
      ["properties.recoveryNetworkId", recoveryNetworkId],
    ] as const) {
      if (!ID_PATTERNS.virtualNetwork.test(value))
        throw new ArmError(400, "InvalidParameter", `'${field}' must be the ARM id of a Microsoft.Network/virtualNetworks, not '${value}'.`, field);
    }
    const recoveryFabricName = String(
      properties.recoveryFabricName ?? (current.recoveryFabricArmId === undefined ? "" : nameOf(String(current.recoveryFabricArmId))),
    );
    const recoveryFabric = findOfType(this.asr.services, `${vaultIdOf(ctx)}/replicationFabrics/${recoveryFabricName}`, ASR_TYPES.fabric);
    if (recoveryFabric === undefined || Fabrics.locationOf(recoveryFabric) === undefined) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `'properties.recoveryFabricName' must name an Azure fabric of this vault, not '${recoveryFabricName}'.`,
        "properties.recoveryFabricName",
      );
    }
    if (recoveryFabric.id.toLowerCase() === fabric.id.toLowerCase())
      throw new ArmError(400, "InvalidParameter", "The recovery fabric must differ from the primary fabric.", "properties.recoveryFabricName");
    if (mode === "create" && existing === undefined) this.requireUnmapped(vaultIdOf(ctx), primaryNetworkId, nameOf(primaryNetworkId));
    return this.startPut(ctx, mode, id, {
      state: "Paired",
      primaryNetworkFriendlyName: nameOf(primaryNetworkId),
      primaryNetworkId,
      primaryFabricFriendlyName: String(fabric.body.name),
      recoveryNetworkFriendlyName: nameOf(recoveryNetworkId),
      recoveryNetworkId,
      recoveryFabricArmId: recoveryFabric.id,
      recoveryFabricFriendlyName: String(recoveryFabric.body.name),
      fabricSpecificSettings: {
        instanceType: "AzureToAzure",
        primaryFabricLocation: String(Fabrics.locationOf(fabric)),
        recoveryFabricLocation: String(Fabrics.locationOf(recoveryFabric)),
      },
    });
  }

  /**
   * A `VmmToAzure` mapping: a VM network of a Hyper-V site (VMM) mapped to an Azure virtual network,
   * the recovery fabric being 'Microsoft Azure'. One mapping per VM network.
   */
  private vmmToAzure(
    ctx: RequestContext,
    mode: "create" | "update",
    fabric: StoredResource,
    network: JsonObject,
    properties: JsonObject,
    current: JsonObject,
    existing: StoredResource | undefined,
  ): JsonObject {
    const recoveryFabricName = String(properties.recoveryFabricName ?? MICROSOFT_AZURE);
    if (recoveryFabricName !== MICROSOFT_AZURE)
      throw new ArmError(
        400,
        "InvalidParameter",
        `A VMM network maps to Azure: 'recoveryFabricName' is '${MICROSOFT_AZURE}', not '${recoveryFabricName}'.`,
        "properties.recoveryFabricName",
      );
    const recoveryNetworkId = String(properties.recoveryNetworkId ?? current.recoveryNetworkId ?? "");
    if (!ID_PATTERNS.virtualNetwork.test(recoveryNetworkId))
      throw new ArmError(
        400,
        "InvalidParameter",
        `'properties.recoveryNetworkId' must be the ARM id of a Microsoft.Network/virtualNetworks, not '${recoveryNetworkId}'.`,
        "properties.recoveryNetworkId",
      );
    if (mode === "create" && existing === undefined)
      this.requireUnmapped(vaultIdOf(ctx), String(network.id), String((network.properties as JsonObject).friendlyName));
    return {
      state: "Paired",
      primaryNetworkFriendlyName: String((network.properties as JsonObject).friendlyName),
      primaryNetworkId: String(network.id),
      primaryFabricFriendlyName: String((fabric.body.properties as JsonObject).friendlyName),
      recoveryNetworkFriendlyName: nameOf(recoveryNetworkId),
      recoveryNetworkId,
      recoveryFabricArmId: azureFabricId(vaultIdOf(ctx)),
      recoveryFabricFriendlyName: MICROSOFT_AZURE,
      fabricSpecificSettings: { instanceType: "VmmToAzure" },
    };
  }

  /** 409 NetworkMappingAlreadyExists when a mapping of the vault already maps `primaryNetworkId` (one mapping per primary network). */
  private requireUnmapped(vaultId: string, primaryNetworkId: string, label: string): void {
    const taken = this.mappingForPrimaryNetwork(vaultId, primaryNetworkId);
    if (taken !== undefined) throw new ArmError(409, "NetworkMappingAlreadyExists", `Network '${label}' is already mapped by '${String(taken.body.name)}'.`);
  }

  /** Creates or replaces the mapping `id` with `properties`, as a job. */
  private startPut(ctx: RequestContext, mode: "create" | "update", id: string, properties: JsonObject): EmulatorResponse {
    const body: JsonObject = { id, name: param(ctx, "networkMappingName"), type: ASR_TYPES.networkMapping, properties };
    const primaryNetworkId = String(properties.primaryNetworkId);
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.networkMapping.put",
      scenarioName: mode === "create" ? "MapNetwork" : "UpdateNetworkMapping",
      friendlyName: mode === "create" ? "Map networks" : "Update network mapping",
      targetObjectId: nameOf(primaryNetworkId),
      targetObjectName: nameOf(primaryNetworkId),
      targetInstanceType: "NetworkMapping",
      resultResourceId: id,
      tasks: configurationTasks("Map networks"),
      data: { record: ResourceStore.record(id, ASR_TYPES.networkMapping, body) as unknown as JsonObject },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  private delete(ctx: RequestContext): EmulatorResponse {
    const network = this.requireNetwork(ctx);
    const id = `${String(network.id)}/replicationNetworkMappings/${param(ctx, "networkMappingName")}`;
    const mapping = findOfType(this.asr.services, id, ASR_TYPES.networkMapping);
    if (mapping === undefined) return emptyResponse(204);
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.networkMapping.delete",
      scenarioName: "UnmapNetwork",
      friendlyName: "Unmap networks",
      targetObjectId: String(mapping.body.name),
      targetObjectName: String(mapping.body.name),
      targetInstanceType: "NetworkMapping",
      tasks: configurationTasks("Unmap networks"),
      data: { mappingId: id },
    });
    return this.asr.jobs.accepted(ctx, job);
  }
}
