import { ArmError } from "../arm/armError.js";
import { jsonBody, optionalJsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject } from "../arm/types.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, nameOf, vaultIdOf } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, configurationTasks, findOfType, instanceOf, listUnder, propertiesOf, requireOfType } from "./asrResources.js";
import type { Containers } from "./containers.js";
import type { Policies } from "./policies.js";

const MAPPING_PATH =
  "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectionContainerMappings/{mappingName}";

/**
 * Protection container mappings: a source container paired with a target container under a
 * replication policy. For A2A the target is a container of another Azure fabric and the policy an
 * A2A policy; one mapping per pair. Create, update (agent auto-update), get, list, remove
 * (refused while protected items use it) and purge.
 */
export class ContainerMappings {
  constructor(
    private readonly asr: AsrContext,
    private readonly containers: Containers,
    private readonly policies: Policies,
  ) {
    asr.jobs.registerStore("asr.mapping.put");
    asr.jobs.register("asr.mapping.remove", { complete: (op) => this.asr.services.resources.delete(String(op.data.mappingId)) });
  }

  register(router: Router): void {
    addAsrRoute(router, "PUT", MAPPING_PATH, "ReplicationProtectionContainerMappings_Create", (ctx) => this.create(ctx));
    addAsrRoute(router, "PATCH", MAPPING_PATH, "ReplicationProtectionContainerMappings_Update", (ctx) => this.update(ctx));
    addAsrRoute(router, "GET", MAPPING_PATH, "ReplicationProtectionContainerMappings_Get", (ctx) => jsonResponse(200, this.require(ctx).body));
    addAsrRoute(router, "POST", `${MAPPING_PATH}/remove`, "ReplicationProtectionContainerMappings_Delete", (ctx) => this.remove(ctx, false));
    addAsrRoute(router, "DELETE", MAPPING_PATH, "ReplicationProtectionContainerMappings_Purge", (ctx) => this.remove(ctx, true));
    addAsrRoute(
      router,
      "GET",
      "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectionContainerMappings",
      "ReplicationProtectionContainerMappings_ListByReplicationProtectionContainers",
      (ctx) => listUnder(this.asr.services, ctx, `${this.containers.require(ctx).id}/replicationProtectionContainerMappings`, ASR_TYPES.containerMapping),
    );
    addAsrRoute(router, "GET", "/replicationProtectionContainerMappings", "ReplicationProtectionContainerMappings_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return jsonResponse(200, { value: this.asr.services.resources.list(vaultIdOf(ctx), ASR_TYPES.containerMapping).map((m) => m.body) });
    });
  }

  /** The mapping of `sourceContainerId` whose target is `targetContainerId`, if any. */
  findFor(sourceContainerId: string, targetContainerId: string): StoredResource | undefined {
    return this.asr.services.resources
      .list(sourceContainerId, ASR_TYPES.containerMapping)
      .find((m) => String((m.body.properties as JsonObject).targetProtectionContainerId).toLowerCase() === targetContainerId.toLowerCase());
  }

  private require(ctx: RequestContext): StoredResource {
    const container = this.containers.require(ctx);
    return requireOfType(
      this.asr.services,
      `${container.id}/replicationProtectionContainerMappings/${param(ctx, "mappingName")}`,
      ASR_TYPES.containerMapping,
      ctx,
    );
  }

  private create(ctx: RequestContext): EmulatorResponse {
    const source = this.containers.require(ctx);
    const id = `${source.id}/replicationProtectionContainerMappings/${param(ctx, "mappingName")}`;
    const properties = propertiesOf(jsonBody(ctx));
    const policyId = String(properties.policyId ?? "");
    const policy = this.policies.get(policyId);
    if (policy === undefined)
      throw new ArmError(
        400,
        "InvalidParameter",
        `'properties.policyId' must be the id of a replication policy of this vault, not '${policyId}'.`,
        "properties.policyId",
      );
    const policyType = String(((policy.body.properties as JsonObject).providerSpecificDetails as JsonObject).instanceType);
    const sourceType = String((source.body.properties as JsonObject).fabricType);
    if ((policyType === "A2A") !== (sourceType === "Azure")) {
      throw new ArmError(
        400,
        "InvalidParameter",
        `A ${policyType} policy cannot protect container '${String(source.body.name)}' of a ${sourceType} fabric: Azure-to-Azure policies map Azure containers, Hyper-V policies Hyper-V sites.`,
        "properties.policyId",
      );
    }
    const targetId = String(properties.targetProtectionContainerId ?? "");
    let target: StoredResource | undefined;
    let provider: JsonObject;
    if (policyType === "A2A") {
      provider = instanceOf(properties.providerSpecificInput, "properties.providerSpecificInput", ["A2A"]);
      target = this.containers.get(targetId);
      if (target === undefined)
        throw new ArmError(
          400,
          "InvalidParameter",
          `'properties.targetProtectionContainerId' must be a protection container of this vault, not '${targetId}'.`,
          "properties.targetProtectionContainerId",
        );
      if (target.id.toLowerCase() === source.id.toLowerCase() || sameFabric(target, source)) {
        throw new ArmError(
          400,
          "InvalidParameter",
          "An Azure-to-Azure mapping pairs containers of two different regions (fabrics).",
          "properties.targetProtectionContainerId",
        );
      }
    } else {
      provider = instanceOf(
        properties.providerSpecificInput ?? { instanceType: "ReplicationProviderSpecificContainerMappingInput" },
        "properties.providerSpecificInput",
        ["ReplicationProviderSpecificContainerMappingInput", "HyperVReplicaAzure"],
      );
      if (targetId !== "Microsoft Azure")
        throw new ArmError(400, "InvalidParameter", "A Hyper-V-to-Azure mapping targets 'Microsoft Azure'.", "properties.targetProtectionContainerId");
    }
    const existing = findOfType(this.asr.services, id, ASR_TYPES.containerMapping);
    if (existing !== undefined) return jsonResponse(200, existing.body);
    if (target !== undefined && this.findFor(source.id, target.id) !== undefined) {
      throw new ArmError(409, "ContainerMappingAlreadyExists", `Container '${String(source.body.name)}' is already mapped to '${String(target.body.name)}'.`);
    }
    const sourceFabric = String((source.body.properties as JsonObject).fabricFriendlyName);
    const body: JsonObject = {
      id,
      name: param(ctx, "mappingName"),
      type: ASR_TYPES.containerMapping,
      properties: {
        targetProtectionContainerId: target?.id ?? "Microsoft Azure",
        targetProtectionContainerFriendlyName: target === undefined ? "Microsoft Azure" : String(target.body.name),
        providerSpecificDetails:
          policyType === "A2A"
            ? {
                instanceType: "A2A",
                agentAutoUpdateStatus: provider.agentAutoUpdateStatus === "Enabled" ? "Enabled" : "Disabled",
                automationAccountArmId: provider.automationAccountArmId ?? null,
                scheduleName: "",
                jobScheduleName: "",
              }
            : { instanceType: "HyperVReplicaAzure" },
        health: "Normal",
        healthErrorDetails: [],
        policyId: policy.id,
        state: "Paired",
        sourceProtectionContainerFriendlyName: String((source.body.properties as JsonObject).friendlyName),
        sourceFabricFriendlyName: sourceFabric,
        targetFabricFriendlyName: target === undefined ? "Microsoft Azure" : String((target.body.properties as JsonObject).fabricFriendlyName),
        policyFriendlyName: String(policy.body.name),
      },
    };
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.mapping.put",
      scenarioName: "ConfigureProtection",
      friendlyName: "Associate replication policy",
      targetObjectId: String(source.body.name),
      targetObjectName: String(source.body.name),
      targetInstanceType: "ProtectionContainer",
      resultResourceId: id,
      tasks: configurationTasks("Pair protection containers"),
      data: { record: ResourceStore.record(id, ASR_TYPES.containerMapping, body) as unknown as JsonObject },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  private update(ctx: RequestContext): EmulatorResponse {
    const mapping = this.require(ctx);
    const provider = instanceOf(propertiesOf(jsonBody(ctx)).providerSpecificInput, "properties.providerSpecificInput", ["A2A"]);
    const next = JSON.parse(JSON.stringify(mapping.body)) as JsonObject;
    const details = (next.properties as JsonObject).providerSpecificDetails as JsonObject;
    if (provider.agentAutoUpdateStatus !== undefined) details.agentAutoUpdateStatus = provider.agentAutoUpdateStatus === "Enabled" ? "Enabled" : "Disabled";
    if (provider.automationAccountArmId !== undefined) details.automationAccountArmId = provider.automationAccountArmId;
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.mapping.put",
      scenarioName: "UpdateProtectionContainerMapping",
      friendlyName: "Update container mapping",
      targetObjectId: String(mapping.body.name),
      targetObjectName: String(mapping.body.name),
      targetInstanceType: "ProtectionContainerMapping",
      resultResourceId: mapping.id,
      tasks: configurationTasks("Update container mapping"),
      data: { record: ResourceStore.record(mapping.id, ASR_TYPES.containerMapping, next) as unknown as JsonObject },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  private remove(ctx: RequestContext, purge: boolean): EmulatorResponse {
    const container = this.containers.require(ctx);
    const id = `${container.id}/replicationProtectionContainerMappings/${param(ctx, "mappingName")}`;
    const mapping = findOfType(this.asr.services, id, ASR_TYPES.containerMapping);
    if (mapping === undefined) return emptyResponse(204);
    if (!purge) optionalJsonBody(ctx);
    const users = this.asr.services.resources.list(container.id, ASR_TYPES.protectedItem).filter((item) => usesMapping(item, mapping));
    if (users.length > 0)
      throw new ArmError(
        400,
        "ContainerMappingInUse",
        `Container mapping '${nameOf(id)}' is used by ${users.length} protected item(s) (${users
          .slice(0, 5)
          .map((item) => String(item.body.name))
          .join(", ")}); disable their replication first.`,
      );
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.mapping.remove",
      scenarioName: "DissociateProtectionProfile",
      friendlyName: "Dissociate replication policy",
      targetObjectId: String(container.body.name),
      targetObjectName: String(container.body.name),
      targetInstanceType: "ProtectionContainer",
      tasks: configurationTasks("Remove container mapping"),
      data: { mappingId: id },
    });
    return this.asr.jobs.accepted(ctx, job);
  }
}

/**
 * Whether a protected item of the mapping's source container replicates through it: for A2A its
 * recovery container is the mapping's target; a Hyper-V item recovers to "Microsoft Azure" (its
 * `recoveryContainerId` is an internal container), so it uses the mapping whose policy it has.
 */
function usesMapping(item: StoredResource, mapping: StoredResource): boolean {
  const mapped = mapping.body.properties as JsonObject;
  const properties = item.body.properties as JsonObject;
  const targetId = String(mapped.targetProtectionContainerId).toLowerCase();
  if (targetId === "microsoft azure") return String(properties.policyId ?? "").toLowerCase() === String(mapped.policyId).toLowerCase();
  return String(properties.recoveryContainerId ?? "").toLowerCase() === targetId;
}

function sameFabric(a: StoredResource, b: StoredResource): boolean {
  const fabricOf = (c: StoredResource): string => c.id.slice(0, c.id.toLowerCase().indexOf("/replicationprotectioncontainers/")).toLowerCase();
  return fabricOf(a) === fabricOf(b);
}
