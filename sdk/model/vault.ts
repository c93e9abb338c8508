import { z } from "zod";
import { regionSchema, resourceGroupNameSchema, tagsSchema } from "./names.js";

/** Site Recovery's names for vaults, fabrics and replicated items: letters, digits and inner hyphens. */
export const asrNameSchema = z
  .string()
  .min(2, "must be 2-50 characters")
  .max(50, "must be 2-50 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/, "must start and end with a letter or digit and hold only letters, digits and '-'");

/** A Recovery Services vault, where Site Recovery keeps replication. */
export interface Vault {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
}

/** Which vault: its resource group and name. */
export interface VaultRef {
  resourceGroup: string;
  name: string;
}

/** Checks a {@link VaultRef}. */
export const vaultRefSchema = z.strictObject({ resourceGroup: resourceGroupNameSchema, name: asrNameSchema });

/** Input of {@link VaultOperations.createOrUpdate}. */
export const vaultInputSchema = z.strictObject({
  /** The vault's region: for Azure-to-Azure, usually the recovery (target) region. */
  location: regionSchema,
  tags: tagsSchema.optional(),
});

/** What a caller passes to create a vault. */
export type VaultInput = z.input<typeof vaultInputSchema>;
