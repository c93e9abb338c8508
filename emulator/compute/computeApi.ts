import { COMPUTE_PUBLISHED_API_VERSIONS } from "../arm/publishedApiVersions.js";

/** api-versions served for Microsoft.Compute: every published one, newest first (@azure/arm-compute 24.x sends the first). */
export const COMPUTE_API_VERSIONS = COMPUTE_PUBLISHED_API_VERSIONS;

/** ARM resource types of the Compute slice. */
export const AVAILABILITY_SET_TYPE = "Microsoft.Compute/availabilitySets";
export const VIRTUAL_MACHINE_TYPE = "Microsoft.Compute/virtualMachines";

/** Path of a resource group's Compute provider, as a route template. */
export const COMPUTE_RG_TEMPLATE = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute";
/** Path of a subscription's Compute provider, as a route template. */
export const COMPUTE_SUB_TEMPLATE = "/subscriptions/{subscriptionId}/providers/Microsoft.Compute";

/** The ARM id of a Compute resource. */
export function computeId(subscriptionId: string, resourceGroup: string, collection: "availabilitySets" | "virtualMachines", name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/${collection}/${name}`;
}

/** The resource group scope of a resource. */
export function resourceGroupScope(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** Normalizes a location as ARM stores it: `West Europe` -> `westeurope`. */
export function normalizeLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, "");
}
