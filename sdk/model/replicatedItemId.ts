import { ValidationError } from "../errors.js";

/** The parts of a replicated item's ARM id. */
export interface ReplicatedItemRef {
  subscriptionId: string;
  resourceGroup: string;
  vault: string;
  fabric: string;
  container: string;
  item: string;
}

const ITEM_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.RecoveryServices\/vaults\/([^/]+)\/replicationFabrics\/([^/]+)\/replicationProtectionContainers\/([^/]+)\/replicationProtectedItems\/([^/]+)$/i;

/**
 * Parses the ARM id of a replicated item (Site Recovery writes `/Subscriptions/...`; compared
 * case-insensitively). Throws {@link ValidationError} (`ValidationFailed`) naming `field`.
 */
export function parseReplicatedItemId(id: string, field = "protectedVmId"): ReplicatedItemRef {
  const match = ITEM_ID.exec(id);
  if (match === null) {
    throw new ValidationError(
      field,
      `must be the ARM id of a replicated item (.../vaults/{vault}/replicationFabrics/{fabric}/replicationProtectionContainers/{container}/replicationProtectedItems/{item}), got '${id}'`,
    );
  }
  const [, subscriptionId, resourceGroup, vault, fabric, container, item] = match as unknown as [string, string, string, string, string, string, string];
  return { subscriptionId, resourceGroup, vault, fabric, container, item };
}

/** The name azure-dr gives the replicated item of a VM: Site Recovery allows letters, digits and inner hyphens. */
export function replicatedItemNameFor(vmName: string): string {
  const cleaned = vmName.replace(/[^A-Za-z0-9-]/g, "-").replace(/^-+|-+$/g, "");
  return cleaned.length >= 2 ? cleaned.slice(0, 50) : `vm-${cleaned}`;
}
