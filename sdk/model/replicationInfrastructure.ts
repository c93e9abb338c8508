import { z } from "zod";
import { virtualNetworkIdSchema } from "./armIdSchemas.js";
import { regionSchema } from "./names.js";
import { asrNameSchema } from "./vault.js";

/** Input of {@link ReplicationInfrastructureOperations.prepare}. */
export const prepareInfrastructureSchema = z
  .strictObject({
    sourceRegion: regionSchema,
    targetRegion: regionSchema,
    /** Name of an existing replication policy of the vault (A2A). */
    policyName: asrNameSchema,
    /** Map a source virtual network to a target virtual network (both directions are mapped, for failback). */
    network: z.strictObject({ sourceNetworkId: virtualNetworkIdSchema, targetNetworkId: virtualNetworkIdSchema }).optional(),
  })
  .refine((input) => input.sourceRegion !== input.targetRegion, {
    path: ["targetRegion"],
    message: "must differ from sourceRegion (replicating within one region protects against nothing regional)",
  });

/** What a caller passes to prepare the infrastructure. */
export type PrepareInfrastructureInput = z.input<typeof prepareInfrastructureSchema>;

/** The replication infrastructure of a region pair in a vault. */
export interface ReplicationInfrastructure {
  sourceRegion: string;
  targetRegion: string;
  sourceFabricId: string;
  targetFabricId: string;
  sourceContainerId: string;
  targetContainerId: string;
  /** Source container -> target container, under the policy. */
  forwardMappingId: string;
  /** Target container -> source container, under the policy (needed to reprotect after failover). */
  reverseMappingId: string;
  policyId: string;
  /** Network mappings made (source -> target, target -> source), when a network was given. */
  networkMappingIds: string[];
  /** Which pieces this call created (the others existed and were reused). */
  created: string[];
}
