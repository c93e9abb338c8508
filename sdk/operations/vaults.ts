import type { SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import { logger } from "../logger.js";
import { resourceGroupNameSchema } from "../model/names.js";
import { validate } from "../model/validate.js";
import { asrNameSchema, vaultInputSchema, vaultRefSchema, type Vault, type VaultInput, type VaultRef } from "../model/vault.js";

/** Recovery Services vaults, where Site Recovery keeps replication. */
export class VaultOperations {
  /** @internal */
  constructor(private readonly asr: SiteRecoveryGateway) {}

  /**
   * Creates a vault, or updates its tags when it exists.
   * @throws ValidationError (`ValidationFailed`): bad name or region; InvalidStateError when it exists in another region.
   */
  async createOrUpdate(resourceGroup: string, name: string, input: VaultInput): Promise<Vault> {
    validate(resourceGroupNameSchema, resourceGroup, "resourceGroup");
    validate(asrNameSchema, name, "name");
    const parsed = validate(vaultInputSchema, input, "");
    logger.info(`createOrUpdate vault ${resourceGroup}/${name} in ${parsed.location}`);
    return this.asr.createOrUpdateVault(resourceGroup, name, parsed.location, parsed.tags);
  }

  /** Reads a vault. @throws ResourceNotFoundError (`ResourceNotFound`); ValidationError. */
  async get(vault: VaultRef): Promise<Vault> {
    return this.asr.getVault(validate(vaultRefSchema, vault, "vault"));
  }

  /** Lists the vaults of a resource group, or of the subscription. @throws ValidationError. */
  list(resourceGroup?: string): AsyncIterable<Vault> {
    if (resourceGroup !== undefined) validate(resourceGroupNameSchema, resourceGroup, "resourceGroup");
    return this.asr.listVaults(resourceGroup);
  }

  /** Deletes a vault (Azure refuses while it holds replication). @throws ValidationError; ValidationError `ServiceResourceNotEmpty` from Azure. */
  async delete(vault: VaultRef): Promise<void> {
    await this.asr.deleteVault(validate(vaultRefSchema, vault, "vault"));
  }
}
