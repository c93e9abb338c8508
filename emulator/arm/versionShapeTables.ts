import type { VersionShape } from "./versionShape.js";

/**
 * Properties of Microsoft.Compute resources that older api-versions do not have. The `since`
 * versions are the "Minimum api-version" the Compute specification gives in each property's
 * description; the availability set `sku` (managed-disk `Aligned` sets, first in
 * 2016-04-30-preview) and the VM `etag` (2023-07-01) are inferred. Compute deserializes strictly,
 * so a request carrying one of them at an older version is refused.
 */
export const COMPUTE_VERSION_SHAPES: readonly VersionShape[] = [
  {
    armType: "Microsoft.Compute/virtualMachines",
    routeResourceType: "virtualMachines",
    unknownInRequest: "reject",
    added: [
      { path: "properties.proximityPlacementGroup", since: "2018-04-01", owner: "VirtualMachineProperties" },
      { path: "properties.host", since: "2018-10-01", owner: "VirtualMachineProperties" },
      { path: "properties.virtualMachineScaleSet", since: "2019-03-01", owner: "VirtualMachineProperties" },
      { path: "properties.priority", since: "2019-03-01", owner: "VirtualMachineProperties" },
      { path: "properties.evictionPolicy", since: "2019-03-01", owner: "VirtualMachineProperties" },
      { path: "properties.billingProfile", since: "2019-03-01", owner: "VirtualMachineProperties" },
      { path: "properties.hostGroup", since: "2020-06-01", owner: "VirtualMachineProperties" },
      { path: "properties.extensionsTimeBudget", since: "2020-06-01", owner: "VirtualMachineProperties" },
      { path: "properties.platformFaultDomain", since: "2020-12-01", owner: "VirtualMachineProperties" },
      { path: "properties.userData", since: "2021-03-01", owner: "VirtualMachineProperties" },
      { path: "properties.capacityReservation", since: "2021-04-01", owner: "VirtualMachineProperties" },
      { path: "properties.applicationProfile", since: "2021-07-01", owner: "VirtualMachineProperties" },
      { path: "properties.timeCreated", since: "2021-11-01", owner: "VirtualMachineProperties" },
      { path: "etag", since: "2023-07-01", owner: "VirtualMachine" },
    ],
  },
  {
    armType: "Microsoft.Compute/availabilitySets",
    routeResourceType: "availabilitySets",
    unknownInRequest: "reject",
    added: [
      { path: "sku", since: "2016-04-30-preview", owner: "AvailabilitySet" },
      { path: "properties.proximityPlacementGroup", since: "2018-04-01", owner: "AvailabilitySetProperties" },
    ],
  },
];

/**
 * Properties of Recovery Services vaults that older api-versions do not have (inferred from the
 * SDK changelogs: the private endpoint states came with private endpoints in 2020-02-02,
 * `publicNetworkAccess` is absent from the 2022-04-01 SDKs and present from 2022-09-10). The
 * service's tolerance of unknown input is not documented: such properties are ignored (inferred).
 */
export const VAULT_VERSION_SHAPES: readonly VersionShape[] = [
  {
    armType: "Microsoft.RecoveryServices/vaults",
    routeResourceType: "vaults",
    unknownInRequest: "ignore",
    added: [
      { path: "properties.privateEndpointStateForBackup", since: "2020-02-02", owner: "VaultProperties" },
      { path: "properties.privateEndpointStateForSiteRecovery", since: "2020-02-02", owner: "VaultProperties" },
      { path: "properties.publicNetworkAccess", since: "2022-09-10", owner: "VaultProperties" },
    ],
  },
];
