import { ArmError } from "../arm/armError.js";
import { pageOf } from "../arm/paging.js";
import { param } from "../arm/requestContext.js";
import { jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { JsonObject } from "../arm/types.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, vaultIdOf } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute } from "./asrResources.js";
import { isHyperV, type ItemInternal } from "./protectedItems.js";
import type { HealthEvent } from "./replicationHealth.js";

/**
 * Site Recovery events of a vault (`replicationEvents`): what happened to its items' replication
 * (a failure, each retry, its end, a resync required, started and completed), newest first. They
 * are kept with each item (the last 200), so an item's events go with it.
 */
export class ReplicationEvents {
  constructor(private readonly asr: AsrContext) {}

  register(router: Router): void {
    addAsrRoute(router, "GET", "/replicationEvents", "ReplicationEvents_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return jsonResponse(200, pageOf(ctx, this.events(vaultIdOf(ctx)), this.asr.services.settings.pageSize));
    });
    addAsrRoute(router, "GET", "/replicationEvents/{eventName}", "ReplicationEvents_Get", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      const event = this.events(vaultIdOf(ctx)).find((e) => String(e.name).toLowerCase() === param(ctx, "eventName").toLowerCase());
      if (event === undefined)
        throw new ArmError(404, "ResourceNotFound", `Event '${param(ctx, "eventName")}' does not exist (it may have been dropped with its item).`);
      return jsonResponse(200, event);
    });
  }

  /** The vault's events as served, newest first. */
  private events(vaultId: string): JsonObject[] {
    return this.asr.services.resources
      .list(vaultId, ASR_TYPES.protectedItem)
      .flatMap((item) => ((item.internal as ItemInternal).events ?? []).map((event) => this.view(vaultId, item, event)))
      .sort((a, b) => String((b.properties as JsonObject).timeOfOccurrence).localeCompare(String((a.properties as JsonObject).timeOfOccurrence)));
  }

  private view(vaultId: string, item: StoredResource, event: HealthEvent): JsonObject {
    const internal = item.internal as ItemInternal;
    const properties = item.body.properties as JsonObject;
    const details = properties.providerSpecificDetails as JsonObject;
    const fabricId = item.id.slice(0, item.id.toLowerCase().indexOf("/replicationprotectioncontainers/"));
    return {
      id: `${vaultId}/replicationEvents/${event.name}`,
      name: event.name,
      type: ASR_TYPES.event,
      properties: {
        eventCode: event.code ?? event.type,
        description: event.description,
        eventType: event.type,
        affectedObjectFriendlyName: String(properties.friendlyName),
        affectedObjectCorrelationId: internal.lifecycleId,
        severity: event.severity,
        timeOfOccurrence: new Date(event.at).toISOString(),
        fabricId,
        providerSpecificDetails: isHyperV(internal)
          ? {
              instanceType: "HyperVReplicaAzure",
              containerName: String(properties.primaryProtectionContainerFriendlyName),
              fabricName: String(properties.primaryFabricFriendlyName),
              remoteContainerName: String(properties.recoveryProtectionContainerFriendlyName),
            }
          : {
              instanceType: "A2A",
              protectedItemName: String(item.body.name),
              fabricObjectId: internal.vmId,
              fabricName: String(properties.primaryFabricFriendlyName),
              fabricLocation: String(details.primaryFabricLocation),
              remoteFabricName: String(properties.recoveryFabricFriendlyName),
              remoteFabricLocation: String(details.recoveryFabricLocation),
            },
        healthErrors: [],
      },
    };
  }
}
