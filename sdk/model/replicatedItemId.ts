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
