import { createHash } from "node:crypto";
import { ArmError } from "../arm/armError.js";
import { RECOVERY_SERVICES_VAULT_PUBLISHED_API_VERSIONS, SITE_RECOVERY_PUBLISHED_API_VERSIONS } from "../arm/publishedApiVersions.js";
import { param, type RequestContext } from "../arm/requestContext.js";

/** api-versions served for Site Recovery: every published one, newest first. */
export const ASR_API_VERSIONS = SITE_RECOVERY_PUBLISHED_API_VERSIONS;
/** The api-version of the links of jobs the service starts by itself: what @azure/arm-recoveryservices-siterecovery 5.1.0 sends. */
export const ASR_SERVICE_API_VERSION = "2023-06-01";
/** api-versions served for the vault itself: every published one, newest first (@azure/arm-recoveryservices 6.0.0 sends 2024-04-01). */
export const VAULT_API_VERSIONS = RECOVERY_SERVICES_VAULT_PUBLISHED_API_VERSIONS;

/** Route template of a vault. */
export const VAULT_TEMPLATE = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{resourceName}";

/** ARM type strings of Site Recovery resources. */
export const ASR_TYPES = {
  vault: "Microsoft.RecoveryServices/vaults",
  fabric: "Microsoft.RecoveryServices/vaults/replicationFabrics",
  container: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers",
  containerMapping: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings",
  network: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks",
  networkMapping: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks/replicationNetworkMappings",
  policy: "Microsoft.RecoveryServices/vaults/replicationPolicies",
  protectedItem: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems",
  recoveryPoint: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/recoveryPoints",
  job: "Microsoft.RecoveryServices/vaults/replicationJobs",
  event: "Microsoft.RecoveryServices/vaults/replicationEvents",
  recoveryServicesProvider: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationRecoveryServicesProviders",
  protectableItem: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectableItems",
  /** An on-premises Hyper-V VM of a site, as its provider reported it: emulator-only, never served as such (its protectable items are). */
  hyperVVirtualMachine: "Microsoft.RecoveryServices/vaults/replicationFabrics/hyperVVirtualMachines",
} as const;

/** Shapes of the ARM ids Site Recovery inputs carry (the resources behind most of them are not modelled: only their shape is checked). */
export const ID_PATTERNS = {
  resourceGroup: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i,
  virtualNetwork: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i,
  subnet: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i,
  storageAccount: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i,
} as const;

/** Vault, fabric and protected item names: letters, digits and inner hyphens (Site Recovery's TypeSpec pattern). */
const ASR_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,258}[A-Za-z0-9])?$/;

/** 400 InvalidResourceName unless `name` fits Site Recovery's pattern. */
export function checkAsrName(name: string, what: string): void {
  if (!ASR_NAME.test(name)) {
    throw new ArmError(
      400,
      "InvalidResourceName",
      `The ${what} name '${name}' is invalid. It must start and end with a letter or digit and hold only letters, digits and '-'.`,
    );
  }
}

/** The vault id of the request, as Site Recovery writes ids (`/Subscriptions/...`, capital S, as in its examples). */
export function vaultIdOf(ctx: RequestContext): string {
  return `/Subscriptions/${param(ctx, "subscriptionId")}/resourceGroups/${param(ctx, "resourceGroupName")}/providers/Microsoft.RecoveryServices/vaults/${param(ctx, "resourceName")}`;
}

/** The `/subscriptions/.../vaults/{name}` prefix of an id, or undefined when the id is not under a vault. */
export function vaultIdOfResource(id: string): string | undefined {
  return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.RecoveryServices\/vaults\/[^/]+/i.exec(id)?.[0];
}

/** The last segment of an ARM id. */
export function nameOf(id: string): string {
  return id.slice(id.lastIndexOf("/") + 1);
}

/** A stable GUID derived from `parts` (names of things the service identifies by GUID: recovery points, providers, Hyper-V VMs). */
export function guidOf(...parts: (string | number)[]): string {
  const hex = createHash("sha1").update(parts.join(":")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
