// Every api-version the Azure REST API specifications publish (stable and preview) for the
// resource types the emulator models, newest first. A published version is served; any other
// well-formed version is refused as ARM refuses a version no provider registered.

/**
 * Microsoft.Compute (availabilitySets, virtualMachines, their vmSizes, instance views, actions and
 * operation status): the folders of
 * `specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/` (2015-06-15 to
 * 2026-03-01) and `.../ComputeRP/preview/2016-04-30-preview` in Azure/azure-rest-api-specs.
 */
export const COMPUTE_PUBLISHED_API_VERSIONS = [
  "2026-03-01",
  "2025-11-01",
  "2025-04-01",
  "2024-11-01",
  "2024-07-01",
  "2024-03-01",
  "2023-09-01",
  "2023-07-01",
  "2023-03-01",
  "2022-11-01",
  "2022-08-01",
  "2022-03-01",
  "2021-11-01",
  "2021-07-01",
  "2021-04-01",
  "2021-03-01",
  "2020-12-01",
  "2020-06-01",
  "2019-12-01",
  "2019-07-01",
  "2019-03-01",
  "2018-10-01",
  "2018-06-01",
  "2018-04-01",
  "2017-12-01",
  "2017-03-30",
  "2016-04-30-preview",
  "2016-03-30",
  "2015-06-15",
] as const;

/**
 * Microsoft.RecoveryServices Site Recovery (`vaults/replication*`): the tags of
 * `specification/recoveryservicessiterecovery/resource-manager/Microsoft.RecoveryServices/SiteRecovery/readme.md`
 * (folders `stable/2016-08-10` to `stable/2026-05-01` and `preview/2026-03-31-preview`).
 */
export const SITE_RECOVERY_PUBLISHED_API_VERSIONS = [
  "2026-05-01",
  "2026-03-31-preview",
  "2026-02-01",
  "2026-01-01",
  "2025-08-01",
  "2025-02-01",
  "2025-01-01",
  "2024-10-01",
  "2024-04-01",
  "2024-02-01",
  "2024-01-01",
  "2023-08-01",
  "2023-06-01",
  "2023-04-01",
  "2023-02-01",
  "2023-01-01",
  "2022-10-01",
  "2022-09-10",
  "2022-08-01",
  "2022-05-01",
  "2022-04-01",
  "2022-03-01",
  "2022-02-01",
  "2022-01-01",
  "2021-12-01",
  "2021-11-01",
  "2021-10-01",
  "2021-08-01",
  "2021-07-01",
  "2021-06-01",
  "2021-04-01",
  "2021-03-01",
  "2021-02-10",
  "2018-07-10",
  "2018-01-10",
  "2016-08-10",
] as const;

/**
 * Microsoft.RecoveryServices vaults (`Vaults_*`): the tags of
 * `specification/recoveryservices/resource-manager/Microsoft.RecoveryServices/RecoveryServices/readme.md`
 * (folders `stable/2016-06-01` to `stable/2026-08-01` and the `preview/*-preview` ones).
 */
export const RECOVERY_SERVICES_VAULT_PUBLISHED_API_VERSIONS = [
  "2026-08-01",
  "2026-07-01",
  "2026-05-31-preview",
  "2026-05-01",
  "2026-03-31-preview",
  "2026-02-01",
  "2026-01-01",
  "2025-08-01",
  "2025-02-01",
  "2025-01-01",
  "2024-10-01",
  "2024-09-30-preview",
  "2024-04-30-preview",
  "2024-04-01",
  "2024-02-01",
  "2024-01-01",
  "2023-08-01",
  "2023-06-01",
  "2023-04-01",
  "2023-02-01",
  "2023-01-01",
  "2022-10-01",
  "2022-09-30-preview",
  "2022-09-10",
  "2022-08-01",
  "2022-05-01",
  "2022-04-01",
  "2022-03-01",
  "2022-02-01",
  "2022-01-31-preview",
  "2022-01-01",
  "2021-12-01",
  "2021-11-01-preview",
  "2021-08-01",
  "2021-07-01",
  "2021-06-01",
  "2021-04-01",
  "2021-03-01",
  "2021-02-10",
  "2021-01-01",
  "2020-10-01",
  "2020-02-02",
  "2016-06-01",
] as const;
