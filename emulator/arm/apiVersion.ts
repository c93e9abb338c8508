import { ArmError } from "./armError.js";

const WELL_FORMED = /^\d{4}-\d{2}-\d{2}(-[a-z]+)?$/i;

/**
 * Checks the `api-version` query parameter the way ARM does and returns the served version as
 * listed in `supported` (whatever the caller's casing): missing -> 400 MissingApiVersionParameter;
 * malformed -> 400 InvalidApiVersionParameter; well formed but not published for this resource
 * type -> 400 NoRegisteredProviderFound listing the supported versions, oldest first, as ARM's
 * front door words it.
 * @throws ArmError `MissingApiVersionParameter`, `InvalidApiVersionParameter`, `NoRegisteredProviderFound`
 */
export function checkApiVersion(url: URL, supported: readonly string[], resourceType: string, location: string): string {
  const apiVersion = url.searchParams.get("api-version");
  if (apiVersion === null || apiVersion === "") {
    throw new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (supported.includes(apiVersion)) return apiVersion;
  const listed = [...supported].sort(compareApiVersions);
  if (!WELL_FORMED.test(apiVersion)) {
    throw new ArmError(400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid. The supported versions are '${listed.join(",")}'.`);
  }
  const match = supported.find((v) => v.toLowerCase() === apiVersion.toLowerCase());
  if (match === undefined) {
    throw new ArmError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${resourceType}'. The supported api-versions are '${listed.join(", ")}'.`,
    );
  }
  return match;
}

/**
 * Orders api-versions by date; on the same date a preview (`2016-04-30-preview`) comes before the
 * stable version. Negative when `a` is older than `b`.
 */
export function compareApiVersions(a: string, b: string): number {
  const dateA = a.slice(0, 10);
  const dateB = b.slice(0, 10);
  if (dateA !== dateB) return dateA < dateB ? -1 : 1;
  const previewA = a.length > 10;
  const previewB = b.length > 10;
  return previewA === previewB ? 0 : previewA ? -1 : 1;
}
