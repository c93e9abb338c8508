import { randomUUID } from "node:crypto";
import { ArmError } from "../arm/armError.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject } from "../arm/types.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { requireLocation } from "../compute/regions.js";
import { ASR_TYPES, checkAsrName, vaultIdOf } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, configurationTasks, findOfType, instanceOf, listUnder, propertiesOf, removeTree, requireOfType } from "./asrResources.js";

/**
 * Replication fabrics: for Azure-to-Azure one `Azure` fabric per region (at most one per region
 * and vault); `HyperVSite` fabrics for Hyper-V. Create, get, list, remove (POST, refused while it
 * holds containers) and purge (DELETE, removes what it holds).
 */
export class Fabrics {
  constructor(private readonly asr: AsrContext) {
    asr.jobs.registerStore("asr.fabric.create");
    asr.jobs.register("asr.fabric.remove", { complete: (op) => removeTree(this.asr.services, String(op.data.fabricId)) });
  }

  register(router: Router): void {
    addAsrRoute(router, "PUT", "/replicationFabrics/{fabricName}", "ReplicationFabrics_Create", (ctx) => this.create(ctx));
    addAsrRoute(router, "GET", "/replicationFabrics/{fabricName}", "ReplicationFabrics_Get", (ctx) => jsonResponse(200, this.require(ctx).body));
    addAsrRoute(router, "GET", "/replicationFabrics", "ReplicationFabrics_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return listUnder(this.asr.services, ctx, `${vaultIdOf(ctx)}/replicationFabrics`, ASR_TYPES.fabric);
    });
    addAsrRoute(router, "POST", "/replicationFabrics/{fabricName}/remove", "ReplicationFabrics_Delete", (ctx) => this.remove(ctx, false));
    addAsrRoute(router, "DELETE", "/replicationFabrics/{fabricName}", "ReplicationFabrics_Purge", (ctx) => this.remove(ctx, true));
  }

  /** The fabric named in the path; 404 when it does not exist. */
  require(ctx: RequestContext): StoredResource {
    this.asr.vaults.requireVault(ctx);
    return requireOfType(this.asr.services, this.idOf(ctx), ASR_TYPES.fabric, ctx);
  }

  /** The region of an Azure fabric (undefined for other fabrics). */
  static locationOf(fabric: StoredResource): string | undefined {
    const details = (fabric.body.properties as JsonObject).customDetails as JsonObject;
    return details.instanceType === "Azure" ? String(details.location) : undefined;
  }

  private idOf(ctx: RequestContext): string {
    return `${vaultIdOf(ctx)}/replicationFabrics/${param(ctx, "fabricName")}`;
  }

  private create(ctx: RequestContext): EmulatorResponse {
    this.asr.vaults.requireVault(ctx);
    const name = param(ctx, "fabricName");
    checkAsrName(name, "fabric");
    const custom = instanceOf(propertiesOf(jsonBody(ctx)).customDetails, "properties.customDetails", ["Azure", "FabricSpecificCreationInput", "HyperVSite"]);
    const azure = custom.instanceType === "Azure";
    const location = azure ? requireLocation(custom.location, ASR_TYPES.fabric) : undefined;
    const id = this.idOf(ctx);
    const existing = findOfType(this.asr.services, id, ASR_TYPES.fabric);
    if (existing !== undefined) {
      if (Fabrics.locationOf(existing) !== location) throw new ArmError(409, "FabricAlreadyExists", `Fabric '${name}' already exists for another location.`);
      return jsonResponse(200, existing.body);
    }
    if (location !== undefined) {
      const sameRegion = this.asr.services.resources.list(vaultIdOf(ctx), ASR_TYPES.fabric).find((f) => Fabrics.locationOf(f) === location);
      if (sameRegion !== undefined) {
        throw new ArmError(
          409,
          "AzureFabricAlreadyExists",
          `The vault already has fabric '${String(sameRegion.body.name)}' for location '${location}'; Azure-to-Azure uses one fabric per region.`,
        );
      }
    }
    const body: JsonObject = {
      id,
      name,
      type: ASR_TYPES.fabric,
      ...(location === undefined ? {} : { location }),
      properties: {
        friendlyName: name,
        encryptionDetails: { kekState: "None" },
        rolloverEncryptionDetails: { kekState: "None" },
        internalIdentifier: randomUUID(),
        bcdrState: "Valid",
        customDetails: azure ? { instanceType: "Azure", location: location ?? "", containerIds: [], zones: [] } : { instanceType: "HyperVSite" },
        healthErrorDetails: [],
        health: "Normal",
      },
    };
    const record = ResourceStore.record(id, ASR_TYPES.fabric, body);
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.fabric.create",
      scenarioName: "CreateFabric",
      friendlyName: azure ? "Create Azure fabric" : "Register Hyper-V site",
      targetObjectId: String((body.properties as JsonObject).internalIdentifier),
      targetObjectName: name,
      targetInstanceType: "Fabric",
      resultResourceId: id,
      tasks: configurationTasks("Create fabric"),
      data: { record: record as unknown as JsonObject },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  private remove(ctx: RequestContext, purge: boolean): EmulatorResponse {
    const id = this.idOf(ctx);
    const fabric = findOfType(this.asr.services, id, ASR_TYPES.fabric);
    if (fabric === undefined) {
      this.asr.vaults.requireVault(ctx);
      return emptyResponse(204);
    }
    // "Delete the Hyper-V site after all hosts have been removed from it" (Azure's docs): unregister its hosts first.
    const hosts = this.asr.services.resources.list(id, ASR_TYPES.recoveryServicesProvider);
    if (!purge && hosts.length > 0) {
      const names = hosts.map((h) => String((h.body.properties as JsonObject).friendlyName));
      throw new ArmError(
        400,
        "FabricHasRegisteredServers",
        `Hyper-V site '${param(ctx, "fabricName")}' still has ${hosts.length} registered host(s) (${names.slice(0, 5).join(", ")}); unregister them (ReplicationRecoveryServicesProviders_Delete) first, or purge the site.`,
      );
    }
    const containers = this.asr.services.resources.list(id, ASR_TYPES.container);
    if (!purge && containers.length > 0) {
      throw new ArmError(
        400,
        "FabricHasProtectionContainers",
        `Fabric '${param(ctx, "fabricName")}' still holds ${containers.length} protection container(s); remove them first, or purge the fabric.`,
      );
    }
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.fabric.remove",
      scenarioName: purge ? "PurgeFabric" : "RemoveFabric",
      friendlyName: purge ? "Purge fabric" : "Remove fabric",
      targetObjectId: String((fabric.body.properties as JsonObject).internalIdentifier),
      targetObjectName: String(fabric.body.name),
      targetInstanceType: "Fabric",
      tasks: configurationTasks("Remove fabric"),
      data: { fabricId: id },
    });
    return this.asr.jobs.accepted(ctx, job);
  }
}
