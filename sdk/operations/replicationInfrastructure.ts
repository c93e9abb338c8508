import type { z } from "zod";
import type { JobWaitOptions, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import { logger } from "../logger.js";
import { pairedRegionOf } from "../model/regions.js";
import { prepareInfrastructureSchema, type PrepareInfrastructureInput, type ReplicationInfrastructure } from "../model/replicationInfrastructure.js";
import { validate } from "../model/validate.js";
import { InvalidStateError, isResourceNotFoundError } from "../errors.js";
import { vaultRefSchema, type VaultRef } from "../model/vault.js";

/** Names azure-dr gives what it creates (the portal's Azure-to-Azure defaults). */
export const infrastructureNames = {
  fabric: (region: string): string => `asr-a2a-default-${region}`,
  container: (region: string): string => `asr-a2a-default-${region}-container`,
  mapping: (from: string, to: string, policy: string): string => `${from}-${to}-${policy}`.slice(0, 50).replace(/-+$/, ""),
  networkMapping: (from: string, to: string): string => `${from}-${to}-network`,
};

/** The replication infrastructure of a region pair: fabrics, containers, container mappings, network mappings. */
export class ReplicationInfrastructureOperations {
  /** @internal */
  constructor(private readonly asr: SiteRecoveryGateway) {}

  /**
   * Prepares Azure-to-Azure replication from `sourceRegion` to `targetRegion` in a vault: a fabric
   * per region, an A2A container in each, the container mapping in both directions under the
   * policy (the reverse one is what reprotect needs), and, when a network is given, the network
   * mapping in both directions. Idempotent: what exists is found and reused; only what is missing
   * is created. Logs a warning when the target is not the source's paired region.
   * @throws ValidationError (`ValidationFailed`): same source and target region, bad names or ids.
   * @throws ResourceNotFoundError: the vault or the policy does not exist; OperationFailedError: a job failed.
   */
  async prepare(vault: VaultRef, input: PrepareInfrastructureInput, options: JobWaitOptions = {}): Promise<ReplicationInfrastructure> {
    const ref = validate(vaultRefSchema, vault, "vault");
    const parsed = validate(prepareInfrastructureSchema, input, "");
    const pair = pairedRegionOf(parsed.sourceRegion);
    if (pair !== parsed.targetRegion)
      logger.warning(
        `target region ${parsed.targetRegion} is not ${parsed.sourceRegion}'s paired region (${pair ?? "none"}); this is allowed but Azure sequences platform updates and recovery by pairs`,
      );
    return (await this.discover(ref, parsed, true, options)) as ReplicationInfrastructure;
  }

  /**
   * Finds the replication infrastructure of a region pair as {@link prepare} would make it, without
   * creating anything: undefined when a piece is missing (fabric, container, mapping either way, or
   * a network mapping when a network is given).
   * @throws ValidationError; ResourceNotFoundError (the vault or the policy does not exist).
   */
  async find(vault: VaultRef, input: PrepareInfrastructureInput): Promise<ReplicationInfrastructure | undefined> {
    return this.discover(validate(vaultRefSchema, vault, "vault"), validate(prepareInfrastructureSchema, input, ""), false, {});
  }

  /**
   * Removes the replication infrastructure of a region pair that {@link prepare} made: the network
   * mappings, the container mappings both ways, the containers and the fabrics, in that order (what
   * is already gone is skipped). Refused while a VM replicates through it, since Azure refuses it too.
   * @throws InvalidStateError while protected VMs use it; ValidationError; OperationFailedError.
   */
  async remove(vault: VaultRef, input: PrepareInfrastructureInput, options: JobWaitOptions = {}): Promise<void> {
    const ref = validate(vaultRefSchema, vault, "vault");
    const parsed = validate(prepareInfrastructureSchema, input, "");
    const found = await this.discover(ref, { ...parsed, network: undefined }, false, options).catch((error: unknown) => {
      if (isResourceNotFoundError(error)) return undefined;
      throw error;
    });
    const inUse = [];
    for await (const item of this.asr.listProtectedItems(ref)) inUse.push(item.name);
    if (inUse.length > 0)
      throw new InvalidStateError(
        `the replication infrastructure of vault ${ref.name} is used by ${inUse.length} protected VM(s): ${inUse.slice(0, 5).join(", ")}; disable their protection first`,
      );
    const networkMappings = (await this.asr.listNetworkMappings(ref)).filter(
      (m) =>
        parsed.network !== undefined &&
        [parsed.network.sourceNetworkId, parsed.network.targetNetworkId].some((n) => n.toLowerCase() === m.primaryNetworkId.toLowerCase()),
    );
    const pieces = [
      ...networkMappings.map((m) => m.id),
      ...(found === undefined
        ? []
        : [found.forwardMappingId, found.reverseMappingId, found.sourceContainerId, found.targetContainerId, found.sourceFabricId, found.targetFabricId]),
    ];
    for (const id of pieces) await this.asr.removeInfrastructurePiece(ref, id, options);
    logger.info(`removed the replication infrastructure ${parsed.sourceRegion} <-> ${parsed.targetRegion} of vault ${ref.name} (${pieces.length} pieces)`);
  }

  private async discover(
    ref: VaultRef,
    { sourceRegion, targetRegion, policyName, network }: z.output<typeof prepareInfrastructureSchema>,
    createMissing: boolean,
    options: JobWaitOptions,
  ): Promise<ReplicationInfrastructure | undefined> {
    const missing = new MissingPiece();
    const policy = await this.asr.getPolicy(ref, policyName);
    const created: string[] = [];
    const fabrics = await this.asr.listFabrics(ref);
    const fabricFor = async (region: string): Promise<{ id: string; name: string }> => {
      const existing = fabrics.find((f) => f.location === region);
      if (existing !== undefined) return existing;
      if (!createMissing) throw missing;
      const fabric = await this.asr.createAzureFabric(ref, infrastructureNames.fabric(region), region, options);
      created.push(fabric.id);
      return fabric;
    };
    try {
      const source = await fabricFor(sourceRegion);
      const target = await fabricFor(targetRegion);
      const sourceFabric = source.name;
      const targetFabric = target.name;
      const containerFor = async (fabric: string, region: string): Promise<string> => {
        const name = infrastructureNames.container(region);
        const existing = await this.asr.findContainer(ref, fabric, name);
        if (existing !== undefined) return existing;
        if (!createMissing) throw missing;
        const id = await this.asr.createContainer(ref, fabric, name, [{ instanceType: "A2A" }], options);
        created.push(id);
        return id;
      };
      const sourceContainerId = await containerFor(sourceFabric, sourceRegion);
      const targetContainerId = await containerFor(targetFabric, targetRegion);
      const mappingFor = async (fabric: string, fromRegion: string, toRegion: string, containerId: string, targetId: string): Promise<string> => {
        const container = containerId.slice(containerId.lastIndexOf("/") + 1);
        const existing = (await this.asr.listMappings(ref, fabric, container)).find((m) => m.targetContainerId.toLowerCase() === targetId.toLowerCase());
        if (existing !== undefined) return existing.id;
        if (!createMissing) throw missing;
        const id = await this.asr.createMapping(
          ref,
          { fabric, container, name: infrastructureNames.mapping(fromRegion, toRegion, policyName) },
          { targetProtectionContainerId: targetId, policyId: policy.id, providerSpecificInput: { instanceType: "A2A", agentAutoUpdateStatus: "Disabled" } },
          options,
        );
        created.push(id);
        return id;
      };
      const forwardMappingId = await mappingFor(sourceFabric, sourceRegion, targetRegion, sourceContainerId, targetContainerId);
      const reverseMappingId = await mappingFor(targetFabric, targetRegion, sourceRegion, targetContainerId, sourceContainerId);
      const networkMappingIds: string[] = [];
      if (network !== undefined) {
        const existing = await this.asr.listNetworkMappings(ref);
        for (const [fabric, recoveryFabric, primary, recovery, from, to] of [
          [sourceFabric, targetFabric, network.sourceNetworkId, network.targetNetworkId, sourceRegion, targetRegion],
          [targetFabric, sourceFabric, network.targetNetworkId, network.sourceNetworkId, targetRegion, sourceRegion],
        ] as const) {
          const found = existing.find((m) => m.primaryNetworkId.toLowerCase() === primary.toLowerCase());
          if (found !== undefined) {
            networkMappingIds.push(found.id);
            continue;
          }
          if (!createMissing) throw missing;
          const id = await this.asr.createNetworkMapping(ref, fabric, infrastructureNames.networkMapping(from, to), recoveryFabric, primary, recovery, options);
          created.push(id);
          networkMappingIds.push(id);
        }
      }
      if (createMissing)
        logger.info(`prepared replication ${sourceRegion} -> ${targetRegion} in vault ${ref.name}: created ${created.length}, reused the rest`);
      return {
        sourceRegion,
        targetRegion,
        sourceFabricId: source.id,
        targetFabricId: target.id,
        sourceContainerId,
        targetContainerId,
        forwardMappingId,
        reverseMappingId,
        policyId: policy.id,
        networkMappingIds,
        created,
      };
    } catch (error) {
      if (error === missing) return undefined;
      throw error;
    }
  }
}

/** Thrown (and caught) when discovery without creation meets a missing piece. */
class MissingPiece extends Error {
  constructor() {
    super("a piece of the replication infrastructure is missing");
  }
}
