import { z } from "zod";
import {
  availabilitySetInputSchema,
  availabilitySetNameSchema,
  isResourceNotFoundError,
  parseResourceId,
  resourceGroupNameSchema,
  type AvailabilitySet,
  type AvailabilitySetInput,
} from "../../sdk/index.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";

const identity = z.strictObject({ resourceGroup: resourceGroupNameSchema, name: availabilitySetNameSchema });
/** Azure refuses to change these on an existing set (`PropertyChangeNotAllowed`): a change replaces it. */
const IMMUTABLE = ["resourceGroup", "name", "location", "faultDomainCount", "updateDomainCount", "sku"];

function outputsOf(set: AvailabilitySet): Props {
  return {
    resourceGroup: set.resourceGroup,
    name: set.name,
    location: set.location,
    faultDomainCount: set.faultDomainCount,
    updateDomainCount: set.updateDomainCount,
    sku: set.sku,
    tags: set.tags,
    availabilitySetId: set.id,
    virtualMachineIds: set.virtualMachineIds,
  };
}

function settingsOf(inputs: Props): AvailabilitySetInput {
  return availabilitySetInputSchema.parse({
    location: inputs.location,
    faultDomainCount: inputs.faultDomainCount,
    updateDomainCount: inputs.updateDomainCount,
    sku: inputs.sku,
    ...(inputs.tags === undefined ? {} : { tags: inputs.tags }),
  });
}

/** An availability set: created, read (drift; also from its ARM id alone, as `AvailabilitySet.get` does), tags updated in place, replaced when a fixed property changes, deleted. */
export const availabilitySetCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, availabilitySetInputSchema, olds),
  diff(_id, olds, news) {
    // No tags given and none set are the same (`{}` in the outputs).
    const changed = changedKeys({ ...olds, tags: olds.tags ?? {} }, { ...news, tags: news.tags ?? {} }, [...IMMUTABLE, "tags"]);
    const replaces = changed.filter((k) => IMMUTABLE.includes(k));
    // The set keeps its name across a replacement only when the name did not change.
    return {
      changes: changed.length > 0,
      replaces,
      deleteBeforeReplace: replaces.length > 0 && !replaces.includes("name") && !replaces.includes("resourceGroup"),
    };
  },
  async create(dr, inputs) {
    const resourceGroup = String(inputs.resourceGroup);
    const name = String(inputs.name);
    await refuseExisting(() => dr.availabilitySets.get(resourceGroup, name), `availability set ${resourceGroup}/${name}`);
    const set = await dr.availabilitySets.createOrUpdate(resourceGroup, name, settingsOf(inputs));
    return { id: set.id, outs: { ...inputs, ...outputsOf(set) } };
  },
  async read(dr, id, props) {
    const { resourceGroup, name } =
      props.resourceGroup === undefined || props.name === undefined
        ? parseResourceId(id, { expectedType: "Microsoft.Compute/availabilitySets" })
        : { resourceGroup: String(props.resourceGroup), name: String(props.name) };
    try {
      const set = await dr.availabilitySets.get(resourceGroup, name);
      const outs = { ...props, ...outputsOf(set) };
      return { id: set.id, props: outs, inputs: inputsOf(outs) };
    } catch (error) {
      if (isResourceNotFoundError(error)) return {};
      throw error;
    }
  },
  async update(dr, _id, _olds, news) {
    const set = await dr.availabilitySets.createOrUpdate(String(news.resourceGroup), String(news.name), settingsOf(news));
    return { outs: { ...news, ...outputsOf(set) } };
  },
  async delete(dr, _id, props) {
    try {
      await dr.availabilitySets.delete(String(props.resourceGroup), String(props.name));
    } catch (error) {
      if (!isResourceNotFoundError(error)) throw error;
    }
  },
};

function inputsOf(outs: Props): Props {
  const { availabilitySetId: _id, virtualMachineIds: _vms, ...inputs } = outs;
  return inputs;
}

/**
 * Creating adopts nothing: a resource that already exists is refused (Pulumi would otherwise take
 * over, and later delete, something it did not create).
 */
export async function refuseExisting(read: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await read();
  } catch (error) {
    if (isResourceNotFoundError(error)) return;
    throw error;
  }
  throw new Error(`${what} already exists: choose another name, or delete it first (or read it with .get(name, id) to use it without managing it)`);
}
