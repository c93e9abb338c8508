import { z } from "zod";
import { prepareInfrastructureSchema, vaultRefSchema, type ReplicationInfrastructure, type VaultRef } from "../../sdk/index.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";

const identity = z.strictObject({ vault: vaultRefSchema });
const INPUTS = ["vault", "sourceRegion", "targetRegion", "policyName", "network"];

function outputsOf(infrastructure: ReplicationInfrastructure): Props {
  const { created: _created, ...outs } = infrastructure;
  return outs as unknown as Props;
}

/** The `prepare` input among the props (outputs carry more keys). */
function prepareInput(props: Props): z.input<typeof prepareInfrastructureSchema> {
  return prepareInfrastructureSchema.parse(
    Object.fromEntries(INPUTS.filter((key) => key !== "vault" && props[key] !== undefined).map((key) => [key, props[key]])),
  );
}

/**
 * The vault-side replication infrastructure of a region pair: a fabric and a container per region,
 * container mappings both ways under the policy, network mappings both ways. Create prepares what is
 * missing (reusing what exists); read finds it without creating; any change replaces it; delete
 * removes the pieces (refused while a VM replicates through them), so that the policy and the vault
 * can go too.
 */
export const replicationInfrastructureCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, prepareInfrastructureSchema, olds),
  diff(_id, olds, news) {
    const replaces = changedKeys(olds, news, INPUTS);
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },
  async create(dr, inputs) {
    const infrastructure = await dr.replicationInfrastructure.prepare(inputs.vault as unknown as VaultRef, prepareInput(inputs));
    return { id: infrastructure.forwardMappingId, outs: { ...inputs, ...outputsOf(infrastructure) } };
  },
  async read(dr, _id, props) {
    const found = await dr.replicationInfrastructure.find(props.vault as unknown as VaultRef, prepareInput(props)).catch((error: unknown) => {
      if ((error as { code?: string }).code === "ResourceNotFound") return undefined;
      throw error;
    });
    if (found === undefined) return {};
    const outs = { ...props, ...outputsOf(found) };
    return {
      id: found.forwardMappingId,
      props: outs,
      inputs: Object.fromEntries(INPUTS.filter((k) => outs[k] !== undefined).map((k) => [k, outs[k] as Props[string]])),
    };
  },
  update: async (_dr, _id, _olds, news) => ({ outs: news }),
  async delete(dr, _id, props) {
    await dr.replicationInfrastructure.remove(props.vault as unknown as VaultRef, prepareInput(props));
  },
};
