import type { JobWaitOptions, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import { logger } from "../logger.js";
import { replicationPolicyInputSchema, type ReplicationPolicy, type ReplicationPolicyInput } from "../model/replicationPolicy.js";
import { validate } from "../model/validate.js";
import { asrNameSchema, vaultRefSchema, type VaultRef } from "../model/vault.js";

/** Replication policies: how often recovery points are taken and how long they are kept. */
export class ReplicationPolicyOperations {
  /** @internal */
  constructor(private readonly asr: SiteRecoveryGateway) {}

  /**
   * Creates (or replaces) a policy and waits for its job.
   * @throws ValidationError (`ValidationFailed`): retention above 15 days, app-consistent frequency under 60 minutes or above the retention, a copy frequency other than 30/300/900 s.
   * @throws OperationFailedError (`OperationFailed`) when the job fails; DrError `Aborted`.
   */
  async createOrUpdate(vault: VaultRef, name: string, input: ReplicationPolicyInput, options: JobWaitOptions = {}): Promise<ReplicationPolicy> {
    const ref = validate(vaultRefSchema, vault, "vault");
    validate(asrNameSchema, name, "name");
    const parsed = validate(replicationPolicyInputSchema, input, "");
    logger.info(`createOrUpdate ${parsed.kind} replication policy ${name} in vault ${ref.name}`);
    return this.asr.createOrUpdatePolicy(ref, name, parsed, options);
  }

  /** Reads a policy. @throws ResourceNotFoundError; ValidationError. */
  async get(vault: VaultRef, name: string): Promise<ReplicationPolicy> {
    validate(asrNameSchema, name, "name");
    return this.asr.getPolicy(validate(vaultRefSchema, vault, "vault"), name);
  }

  /** Lists the vault's policies. @throws ValidationError. */
  list(vault: VaultRef): AsyncIterable<ReplicationPolicy> {
    return this.asr.listPolicies(validate(vaultRefSchema, vault, "vault"));
  }

  /** Deletes a policy (Azure refuses while a container mapping uses it). @throws ValidationError (`PolicyInUse` from Azure); OperationFailedError. */
  async delete(vault: VaultRef, name: string, options: JobWaitOptions = {}): Promise<void> {
    validate(asrNameSchema, name, "name");
    await this.asr.deletePolicy(validate(vaultRefSchema, vault, "vault"), name, options);
  }
}
