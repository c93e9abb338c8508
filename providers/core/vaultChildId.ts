import { ValidationError, type VaultRef } from "../../sdk/index.js";

const VAULT_PREFIX = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.RecoveryServices\/vaults\/([^/]+)((?:\/[^/]+\/[^/]+)*)$/i;

/** A resource inside a Recovery Services vault, as its ARM id names it. */
export interface VaultChildId {
  vault: VaultRef;
  /** The (type, name) pairs after the vault, e.g. `[["replicationPolicies", "a2a-24h"]]`. */
  path: [string, string][];
}

/**
 * Parses the ARM id of a vault or of a resource inside one
 * (`/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}/...`),
 * checking that its last type is `childType` (case-insensitively; none for the vault itself).
 * @throws ValidationError (`ValidationFailed`) naming `id` when it is not such an id.
 */
export function parseVaultChildId(id: string, childType: string | undefined): VaultChildId {
  const match = VAULT_PREFIX.exec(id);
  const rest = match?.[3] ?? "";
  const path = [...rest.matchAll(/\/([^/]+)\/([^/]+)/g)].map((m) => [m[1] ?? "", decodeURIComponent(m[2] ?? "")] as [string, string]);
  const last = path[path.length - 1]?.[0];
  if (match === null || (childType === undefined ? path.length > 0 : last?.toLowerCase() !== childType.toLowerCase())) {
    const shape = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.RecoveryServices/vaults/{vault}${childType === undefined ? "" : `/.../${childType}/{name}`}`;
    throw new ValidationError("id", `must be an ARM id like ${shape}, got '${id}'`);
  }
  return { vault: { resourceGroup: match[1] ?? "", name: match[2] ?? "" }, path };
}

/** The name of the last segment of a parsed vault child id. */
export function childName(parsed: VaultChildId): string {
  return parsed.path[parsed.path.length - 1]?.[1] ?? parsed.vault.name;
}
