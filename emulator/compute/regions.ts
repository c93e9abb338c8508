import { ArmError } from "../arm/armError.js";
import { normalizeLocation } from "./computeApi.js";

/** Regions where a managed availability set may span 3 fault domains (SKU capability snapshot). */
const THREE_FAULT_DOMAINS = new Set([
  "brazilsouth",
  "canadacentral",
  "centralindia",
  "centralus",
  "eastus",
  "eastus2",
  "francecentral",
  "japaneast",
  "northcentralus",
  "northeurope",
  "southcentralus",
  "swedencentral",
  "westeurope",
  "westus",
  "westus2",
  "westus3",
]);

/** Regions Compute serves here; every other one has 2 fault domains at most. */
const REGIONS = new Set([
  ...THREE_FAULT_DOMAINS,
  "australiacentral",
  "australiacentral2",
  "australiaeast",
  "australiasoutheast",
  "austriaeast",
  "belgiumcentral",
  "brazilsoutheast",
  "canadaeast",
  "chilecentral",
  "denmarkeast",
  "eastasia",
  "francesouth",
  "germanynorth",
  "germanywestcentral",
  "indonesiacentral",
  "israelcentral",
  "italynorth",
  "japanwest",
  "jioindiacentral",
  "jioindiawest",
  "koreacentral",
  "koreasouth",
  "malaysiasouth",
  "malaysiawest",
  "mexicocentral",
  "newzealandnorth",
  "norwayeast",
  "norwaywest",
  "polandcentral",
  "qatarcentral",
  "southafricanorth",
  "southafricawest",
  "southeastasia",
  "southindia",
  "spaincentral",
  "swedensouth",
  "switzerlandnorth",
  "switzerlandwest",
  "taiwannorth",
  "taiwannorthwest",
  "uaecentral",
  "uaenorth",
  "uksouth",
  "ukwest",
  "westcentralus",
  "westindia",
]);

/** Whether Compute serves this region. */
export function isKnownRegion(location: string): boolean {
  return REGIONS.has(normalizeLocation(location));
}

/** The largest fault-domain count an availability set may have in this region. */
export function maxFaultDomains(location: string): number {
  return THREE_FAULT_DOMAINS.has(normalizeLocation(location)) ? 3 : 2;
}

/** Checks a request's location and returns it normalized; 400 LocationRequired / LocationNotAvailableForResourceType. */
export function requireLocation(value: unknown, resourceType: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ArmError(400, "LocationRequired", "The location property is required for this definition.", "location");
  }
  const location = normalizeLocation(value);
  if (!isKnownRegion(location)) {
    throw new ArmError(
      400,
      "LocationNotAvailableForResourceType",
      `The provided location '${value}' is not available for resource type '${resourceType}'. List of available regions for the resource type is '${[...REGIONS].join(",")}'.`,
      "location",
    );
  }
  return location;
}
