import { AZURE_REGIONS, type AzureRegion } from "./regionTable.js";

const BY_NAME = new Map(AZURE_REGIONS.map((r) => [r.name, r]));
const BY_DISPLAY_NAME = new Map(AZURE_REGIONS.map((r) => [r.displayName.toLowerCase().replace(/\s+/g, ""), r]));

/** A region by programmatic or display name (`westeurope`, `West Europe`), or undefined. */
export function findRegion(name: string): AzureRegion | undefined {
  const key = name.toLowerCase().replace(/\s+/g, "");
  return BY_NAME.get(key) ?? BY_DISPLAY_NAME.get(key);
}

/** The programmatic name of a region as ARM stores it (`West Europe` -> `westeurope`); unknown names are only lower-cased. */
export function normalizeRegion(name: string): string {
  return findRegion(name)?.name ?? name.toLowerCase().replace(/\s+/g, "");
}

/** The paired region of `name` per Microsoft's table, or undefined (no pair, or unknown region). */
export function pairedRegionOf(name: string): string | undefined {
  return findRegion(name)?.pairedRegion;
}

/**
 * Suggests a recovery region for `source`: its pair when it has one, else another region of the
 * same geography, else undefined.
 */
export function suggestRecoveryRegion(source: string): string | undefined {
  const region = findRegion(source);
  if (region === undefined) return undefined;
  if (region.pairedRegion !== undefined) return region.pairedRegion;
  return AZURE_REGIONS.find((r) => r.geography === region.geography && r.name !== region.name)?.name;
}

export { AZURE_REGIONS };
export type { AzureRegion };
