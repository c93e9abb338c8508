import { ArmError } from "../arm/armError.js";
import { normalizeLocation } from "./computeApi.js";

/**
 * Regions Compute serves, with the maximum fault-domain count of a managed availability set
 * there (2 or 3, per the Azure documentation's per-region table).
 */
const MAX_FAULT_DOMAINS: Readonly<Record<string, 2 | 3>> = {
  eastus: 3, eastus2: 3, westus: 3, westus2: 3, westus3: 3, centralus: 3, northcentralus: 3, southcentralus: 3, westcentralus: 2,
  canadacentral: 3, canadaeast: 2, brazilsouth: 3, brazilsoutheast: 2, mexicocentral: 2,
  northeurope: 3, westeurope: 3, uksouth: 2, ukwest: 2, francecentral: 3, francesouth: 2, germanywestcentral: 2, germanynorth: 2,
  norwayeast: 2, norwaywest: 2, swedencentral: 3, swedensouth: 2, switzerlandnorth: 2, switzerlandwest: 2, polandcentral: 2, italynorth: 2, spaincentral: 2,
  eastasia: 2, southeastasia: 2, japaneast: 2, japanwest: 2, koreacentral: 2, koreasouth: 2, centralindia: 3, southindia: 2, westindia: 2,
  australiaeast: 2, australiasoutheast: 2, australiacentral: 2, australiacentral2: 2,
  uaenorth: 2, uaecentral: 2, qatarcentral: 2, israelcentral: 2, southafricanorth: 2, southafricawest: 2,
};

/** Whether Compute serves this region. */
export function isKnownRegion(location: string): boolean {
  return normalizeLocation(location) in MAX_FAULT_DOMAINS;
}

/** The largest fault-domain count an availability set may have in this region. */
export function maxFaultDomains(location: string): number {
  return MAX_FAULT_DOMAINS[normalizeLocation(location)] ?? 2;
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
      `The provided location '${value}' is not available for resource type '${resourceType}'. List of available regions for the resource type is '${Object.keys(MAX_FAULT_DOMAINS).join(",")}'.`,
      "location",
    );
  }
  return location;
}
