import { ArmError } from "./armError.js";

const WELL_FORMED = /^\d{4}-\d{2}-\d{2}(-[a-z]+)?$/i;

/**
 * Checks the `api-version` query parameter the way ARM does: missing -> 400
 * MissingApiVersionParameter; malformed -> 400 InvalidApiVersionParameter; well formed but not
 * served for this resource type -> 400 NoRegisteredProviderFound listing the supported versions.
 */
export function checkApiVersion(url: URL, supported: readonly string[], resourceType: string, location: string): string {
  const apiVersion = url.searchParams.get("api-version");
  if (apiVersion === null || apiVersion === "") {
    throw new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (!WELL_FORMED.test(apiVersion)) {
    throw new ArmError(400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid. The supported versions are '${supported.join(",")}'.`);
  }
  const match = supported.find((v) => v.toLowerCase() === apiVersion.toLowerCase());
  if (match === undefined) {
    throw new ArmError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${resourceType}'. The supported api-versions are '${supported.join(", ")}'.`,
    );
  }
  return match;
}
