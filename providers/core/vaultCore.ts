import { z } from "zod";
import { asrNameSchema, isResourceNotFoundError, resourceGroupNameSchema, vaultInputSchema, type Vault } from "../../sdk/index.js";
import { adoptSchema, alreadyExists, existing, requireAdoptable } from "./adoption.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";
import { parseVaultChildId } from "./vaultChildId.js";

const identity = z.strictObject({ resourceGroup: resourceGroupNameSchema, name: asrNameSchema, adopt: adoptSchema });

function outputsOf(vault: Vault): Props {
  return { vaultId: vault.id, location: vault.location, tags: vault.tags };
}

/**
 * A Recovery Services vault: created (or, with `adopt: true`, an existing one in the same region
 * taken over, its tags set as the program says), read (also from its ARM id alone, as `Vault.get`
 * does), tags changed in place, replaced when its name, group or region changes, deleted.
 */
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
    const what = `vault ${ref.resourceGroup}/${ref.name}`;
    const found = await existing(() => dr.vaults.get(ref));
    if (found !== undefined) {
      if (inputs.adopt !== true) throw alreadyExists(what);
      requireAdoptable(what, outputsOf(found), inputs, ["location"]);
    }
    const vault = await dr.vaults.createOrUpdate(ref.resourceGroup, ref.name, vaultInputSchema.parse({ location: inputs.location, tags: inputs.tags }));
    return { id: vault.id, outs: { ...inputs, ...outputsOf(vault) } };
  },
  async read(dr, id, props) {
    const ref =
      props.resourceGroup === undefined || props.name === undefined
        ? parseVaultChildId(id, undefined).vault
        : { resourceGroup: String(props.resourceGroup), name: String(props.name) };
    try {
      const vault = await dr.vaults.get(ref);
      const outs: Props = { ...props, resourceGroup: vault.resourceGroup, name: vault.name, ...outputsOf(vault) };
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
