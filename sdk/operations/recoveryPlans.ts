import type { JobWaitOptions, SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import { logger } from "../logger.js";
import { recoveryPlanInputSchema, type RecoveryPlan, type RecoveryPlanInput } from "../model/recoveryPlan.js";
import { validate } from "../model/validate.js";
import { asrNameSchema, vaultRefSchema, type VaultRef } from "../model/vault.js";

/** Recovery plans: VMs that fail over together, in ordered boot groups, with actions between them. */
export class RecoveryPlanOperations {
  /** @internal */
  constructor(private readonly asr: SiteRecoveryGateway) {}

  /**
   * Creates a recovery plan, or replaces the groups of an existing one (the fabrics cannot change).
   * @throws ValidationError (`ValidationFailed`): more than 100 VMs or 7 boot groups, a VM in two groups, bad actions; Azure's 400s (a VM not protected from the primary fabric).
   * @throws ResourceNotFoundError (update of a missing plan); OperationFailedError; DrError `Aborted`.
   */
  async createOrUpdate(vault: VaultRef, name: string, input: RecoveryPlanInput, options: JobWaitOptions & { update?: boolean } = {}): Promise<RecoveryPlan> {
    const ref = validate(vaultRefSchema, vault, "vault");
    validate(asrNameSchema, name, "name");
    const parsed = validate(recoveryPlanInputSchema, input, "");
    logger.info(`${options.update === true ? "update" : "create"} recovery plan ${name} (${parsed.groups.length} boot groups)`);
    return this.asr.putRecoveryPlan(ref, name, parsed, options.update === true ? "update" : "create", options);
  }

  /** Reads a plan. @throws ResourceNotFoundError; ValidationError. */
  async get(vault: VaultRef, name: string): Promise<RecoveryPlan> {
    validate(asrNameSchema, name, "name");
    return this.asr.getRecoveryPlan(validate(vaultRefSchema, vault, "vault"), name);
  }

  /** Lists the vault's plans. @throws ValidationError. */
  list(vault: VaultRef): AsyncIterable<RecoveryPlan> {
    return this.asr.listRecoveryPlans(validate(vaultRefSchema, vault, "vault"));
  }

  /** Deletes a plan (the VMs stay protected). @throws ValidationError; OperationFailedError. */
  async delete(vault: VaultRef, name: string, options: JobWaitOptions = {}): Promise<void> {
    validate(asrNameSchema, name, "name");
    await this.asr.deleteRecoveryPlan(validate(vaultRefSchema, vault, "vault"), name, options);
  }
}
