import { z } from "zod";
import { asrNameSchema, isResourceNotFoundError, resourceGroupNameSchema, vaultInputSchema, type Vault } from "../../sdk/index.js";
import { refuseExisting } from "./availabilitySetCore.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";

const identity = z.strictObject({ resourceGroup: resourceGroupNameSchema, name: asrNameSchema });

function outputsOf(vault: Vault): Props {
  return { vaultId: vault.id, location: vault.location, tags: vault.tags };
}

/** A Recovery Services vault: created, read, tags changed in place, replaced when its name, group or region changes, deleted. */
export const vaultCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, vaultInputSchema, olds),
  diff(_id, olds, news) {
    // No tags given and none set are the same (`{}` in the outputs).
    const changed = changedKeys({ ...olds, tags: olds.tags ?? {} }, { ...news, tags: news.tags ?? {} }, ["resourceGroup", "name", "location", "tags"]);
    const replaces = changed.filter((k) => k !== "tags");
    return {
      changes: changed.length > 0,
      replaces,
      deleteBeforeReplace: replaces.length > 0 && !replaces.includes("name") && !replaces.includes("resourceGroup"),
    };
  },
  async create(dr, inputs) {
    const ref = { resourceGroup: String(inputs.resourceGroup), name: String(inputs.name) };
    await refuseExisting(() => dr.vaults.get(ref), `vault ${ref.resourceGroup}/${ref.name}`);
    const vault = await dr.vaults.createOrUpdate(ref.resourceGroup, ref.name, vaultInputSchema.parse({ location: inputs.location, tags: inputs.tags }));
    return { id: vault.id, outs: { ...inputs, ...outputsOf(vault) } };
  },
  async read(dr, _id, props) {
    try {
      const vault = await dr.vaults.get({ resourceGroup: String(props.resourceGroup), name: String(props.name) });
      const outs = { ...props, ...outputsOf(vault) };
      const { vaultId: _vaultId, ...inputs } = outs;
      return { id: vault.id, props: outs, inputs };
    } catch (error) {
      if (isResourceNotFoundError(error)) return {};
      throw error;
    }
  },
  async update(dr, _id, _olds, news) {
    const vault = await dr.vaults.createOrUpdate(
      String(news.resourceGroup),
      String(news.name),
      vaultInputSchema.parse({ location: news.location, tags: news.tags }),
    );
    return { outs: { ...news, ...outputsOf(vault) } };
  },
  async delete(dr, _id, props) {
    try {
      await dr.vaults.delete({ resourceGroup: String(props.resourceGroup), name: String(props.name) });
    } catch (error) {
      if (!isResourceNotFoundError(error)) throw error;
    }
  },
};
