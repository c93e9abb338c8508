import type { ComputeGateway } from "../azure/computeGateway.js";
import { logger } from "../logger.js";
import { availabilitySetInputSchema, type AvailabilitySet, type AvailabilitySetInput } from "../model/availabilitySet.js";
import { availabilitySetNameSchema, resourceGroupNameSchema, tagsSchema } from "../model/names.js";
import { validate } from "../model/validate.js";
import { checkTarget } from "./target.js";

/** Availability sets: create, read, list, tag and delete. */
export class AvailabilitySetOperations {
  /** @internal */
  constructor(private readonly compute: ComputeGateway) {}

  /**
   * Creates an availability set, or updates it when it exists (Azure allows only tags to change).
   * @throws ValidationError (`ValidationFailed`): bad name, region, fault domains above the region's maximum, update domains outside 1-20.
   * @throws InvalidStateError (`InvalidState`): the set exists with other fault/update domain counts (`PropertyChangeNotAllowed`).
   */
  async createOrUpdate(resourceGroup: string, name: string, input: AvailabilitySetInput): Promise<AvailabilitySet> {
    checkTarget(resourceGroup, name, availabilitySetNameSchema);
    const parsed = validate(availabilitySetInputSchema, input, "");
    logger.info(
      `createOrUpdate availability set ${resourceGroup}/${name} in ${parsed.location} (${parsed.faultDomainCount} FD, ${parsed.updateDomainCount} UD)`,
    );
    return this.compute.createOrUpdateAvailabilitySet(resourceGroup, name, parsed);
  }

  /**
   * Reads an availability set.
   * @throws ResourceNotFoundError (`ResourceNotFound`); ValidationError (`ValidationFailed`) for a bad name.
   */
  async get(resourceGroup: string, name: string): Promise<AvailabilitySet> {
    checkTarget(resourceGroup, name, availabilitySetNameSchema);
    return this.compute.getAvailabilitySet(resourceGroup, name);
  }

  /**
   * Replaces the tags of an availability set (the only property Azure lets change).
   * @throws ResourceNotFoundError (`ResourceNotFound`); ValidationError (`ValidationFailed`).
   */
  async updateTags(resourceGroup: string, name: string, tags: Record<string, string>): Promise<AvailabilitySet> {
    checkTarget(resourceGroup, name, availabilitySetNameSchema);
    return this.compute.updateAvailabilitySetTags(resourceGroup, name, validate(tagsSchema, tags, "tags"));
  }

  /**
   * Deletes an availability set; deleting one that does not exist succeeds.
   * @throws InvalidStateError (`InvalidState`) while it still holds VMs; ValidationError (`ValidationFailed`).
   */
  async delete(resourceGroup: string, name: string): Promise<void> {
    checkTarget(resourceGroup, name, availabilitySetNameSchema);
    logger.info(`delete availability set ${resourceGroup}/${name}`);
    await this.compute.deleteAvailabilitySet(resourceGroup, name);
  }

  /**
   * Lists the availability sets of a resource group, or of the subscription when none is given.
   * @throws ValidationError (`ValidationFailed`) for a bad resource group name.
   */
  list(resourceGroup?: string): AsyncIterable<AvailabilitySet> {
    if (resourceGroup !== undefined) validate(resourceGroupNameSchema, resourceGroup, "resourceGroup");
    return this.compute.listAvailabilitySets(resourceGroup);
  }
}
