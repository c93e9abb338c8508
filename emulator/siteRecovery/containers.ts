import { ArmError } from "../arm/armError.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, vaultIdOf, vaultIdOfResource } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, configurationTasks, findOfType, instanceOf, listUnder, propertiesOf, removeTree, requireOfType } from "./asrResources.js";
import { Fabrics } from "./fabrics.js";

const CONTAINER_PATH = "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}";

/**
 * Protection containers of a fabric. Create (A2A containers on Azure fabrics), get, list (per
 * fabric and per vault), remove (refused while mapped or holding items) and purge. The served
 * `protectedItemCount` and `pairingStatus` follow what the container holds.
 */
export class Containers {
  constructor(
    private readonly asr: AsrContext,
    private readonly fabrics: Fabrics,
  ) {
    asr.jobs.registerStore("asr.container.create");
    asr.jobs.register("asr.container.remove", { complete: (op) => removeTree(this.asr.services, String(op.data.containerId)) });
  }

  register(router: Router): void {
    addAsrRoute(router, "PUT", CONTAINER_PATH, "ReplicationProtectionContainers_Create", (ctx) => this.create(ctx));
    addAsrRoute(router, "GET", CONTAINER_PATH, "ReplicationProtectionContainers_Get", (ctx) => jsonResponse(200, this.view(this.require(ctx))));
    addAsrRoute(
      router,
      "GET",
      "/replicationFabrics/{fabricName}/replicationProtectionContainers",
      "ReplicationProtectionContainers_ListByReplicationFabrics",
      (ctx) => listUnder(this.asr.services, ctx, `${this.fabrics.require(ctx).id}/replicationProtectionContainers`, ASR_TYPES.container, (c) => this.view(c)),
    );
    addAsrRoute(router, "GET", "/replicationProtectionContainers", "ReplicationProtectionContainers_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      const items = this.asr.services.resources.list(vaultIdOf(ctx), ASR_TYPES.container).map((c) => this.view(c));
      return jsonResponse(200, { value: items });
    });
    addAsrRoute(router, "POST", `${CONTAINER_PATH}/remove`, "ReplicationProtectionContainers_Delete", (ctx) => this.remove(ctx));
  }

  /** The container named in the path; 404 when it (or its fabric) does not exist. */
  require(ctx: RequestContext): StoredResource {
    const fabric = this.fabrics.require(ctx);
    return requireOfType(this.asr.services, `${fabric.id}/replicationProtectionContainers/${param(ctx, "protectionContainerName")}`, ASR_TYPES.container, ctx);
  }

  /** The container with this id, if any. */
  get(id: string): StoredResource | undefined {
    return findOfType(this.asr.services, id, ASR_TYPES.container);
  }

  /** The container as served, with its live counts. */
  view(container: StoredResource): JsonValue {
    const items = this.asr.services.resources.list(container.id, ASR_TYPES.protectedItem).length;
    const mappings = this.asr.services.resources.list(container.id, ASR_TYPES.containerMapping).length;
    const mappedAsTarget = this.asr.services.resources
      .list(vaultIdOfResource(container.id) ?? "", ASR_TYPES.containerMapping)
      .some((r) => String((r.body.properties as JsonObject).targetProtectionContainerId).toLowerCase() === container.id.toLowerCase());
    const properties = {
      ...(container.body.properties as JsonObject),
      protectedItemCount: items,
      pairingStatus: mappings > 0 || mappedAsTarget ? "Paired" : "NotPaired",
    };
    return { ...container.body, properties };
  }

  private create(ctx: RequestContext): EmulatorResponse {
    const fabric = this.fabrics.require(ctx);
    const name = param(ctx, "protectionContainerName");
    if (name.length === 0 || name.length > 260 || /[/\\?#]/.test(name))
      throw new ArmError(400, "InvalidResourceName", `The protection container name '${name}' is invalid.`);
    const providerInputs = propertiesOf(jsonBody(ctx)).providerSpecificInput;
    if (!Array.isArray(providerInputs) || providerInputs.length === 0) {
      throw new ArmError(
        400,
        "InvalidParameter",
        "'properties.providerSpecificInput' is required: a list with one provider input (e.g. [{ instanceType: 'A2A' }]).",
        "properties.providerSpecificInput",
      );
    }
    const provider = instanceOf(providerInputs[0], "properties.providerSpecificInput[0]", [
      "A2A",
      "ReplicationProviderSpecificContainerCreationInput",
      "A2ACrossClusterMigration",
      "VMwareCbt",
    ]);
    const azure = Fabrics.locationOf(fabric) !== undefined;
    if (azure !== (provider.instanceType === "A2A")) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `A ${azure ? "Azure" : "Hyper-V"} fabric takes ${azure ? "A2A" : "Hyper-V"} protection containers, not '${String(provider.instanceType)}'.`,
        "properties.providerSpecificInput[0].instanceType",
      );
    }
    const id = `${fabric.id}/replicationProtectionContainers/${name}`;
    const existing = this.get(id);
    if (existing !== undefined) return jsonResponse(200, this.view(existing));
    const body: JsonObject = {
      id,
      name,
      type: ASR_TYPES.container,
      ...(azure ? { location: String(Fabrics.locationOf(fabric)) } : {}),
      properties: {
        fabricFriendlyName: String(fabric.body.name),
        // A Hyper-V site's container is named after the cloud, but shown under the site's name.
        friendlyName: azure ? name : String((fabric.body.properties as JsonObject).friendlyName),
        fabricType: azure ? "Azure" : "HyperVSite",
        protectedItemCount: 0,
        pairingStatus: "NotPaired",
        role: "",
        fabricSpecificDetails: { instanceType: azure ? "A2A" : "HyperVSite" },
      },
    };
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.container.create",
      scenarioName: "CreateProtectionContainer",
      friendlyName: "Create protection container",
      targetObjectId: name,
      targetObjectName: name,
      targetInstanceType: "ProtectionContainer",
      resultResourceId: id,
      tasks: configurationTasks("Create protection container"),
      data: { record: ResourceStore.record(id, ASR_TYPES.container, body) as unknown as JsonObject },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  private remove(ctx: RequestContext): EmulatorResponse {
    const fabric = this.fabrics.require(ctx);
    const id = `${fabric.id}/replicationProtectionContainers/${param(ctx, "protectionContainerName")}`;
    const container = this.get(id);
    if (container === undefined) return emptyResponse(204);
    const held = this.asr.services.resources.list(id, ASR_TYPES.protectedItem).length + this.asr.services.resources.list(id, ASR_TYPES.containerMapping).length;
    if (held > 0)
      throw new ArmError(
        400,
        "ContainerHasDependents",
        `Protection container '${String(container.body.name)}' still has container mappings or protected items; remove them first.`,
      );
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.container.remove",
      scenarioName: "RemoveProtectionContainer",
      friendlyName: "Remove protection container",
      targetObjectId: String(container.body.name),
      targetObjectName: String(container.body.name),
      targetInstanceType: "ProtectionContainer",
      tasks: configurationTasks("Remove protection container"),
      data: { containerId: id },
    });
    return this.asr.jobs.accepted(ctx, job);
  }
}
