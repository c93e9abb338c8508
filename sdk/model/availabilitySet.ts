import { z } from "zod";
import { regionSchema, tagsSchema } from "./names.js";
import { findRegion } from "./regions.js";

/** `Aligned` for VMs with managed disks, `Classic` for VMs whose disks live in storage accounts. */
export type AvailabilitySetSku = "Aligned" | "Classic";

/** An availability set: VMs spread over fault domains (power, network) and update domains (patched together). */
export interface AvailabilitySet {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  sku: AvailabilitySetSku;
  faultDomainCount: number;
  updateDomainCount: number;
  /** ARM ids of the member VMs. */
  virtualMachineIds: string[];
  tags: Record<string, string>;
}

/** Input of {@link AvailabilitySetOperations.createOrUpdate}. */
export const availabilitySetInputSchema = z
  .strictObject({
    location: regionSchema,
    /** 1 to the region's maximum (2 or 3). @default 2 */
    faultDomainCount: z.int("must be an integer").min(1, "must be 1 to 3").max(3, "must be 1 to 3").default(2),
    /** 1 to 20. @default 5 */
    updateDomainCount: z.int("must be an integer").min(1, "must be 1 to 20").max(20, "must be 1 to 20").default(5),
    /** @default "Aligned" (managed disks), unlike Azure's own default `Classic` */
    sku: z.enum(["Aligned", "Classic"], "must be 'Aligned' or 'Classic'").default("Aligned"),
    tags: tagsSchema.optional(),
  })
  .superRefine((input, ctx) => {
    const max = findRegion(input.location)?.maxFaultDomains;
    if (max !== undefined && input.faultDomainCount > max) {
      ctx.addIssue({ code: "custom", path: ["faultDomainCount"], message: `must be 1 to ${max} in ${input.location} (the region's maximum)` });
    }
  });

/** What a caller passes to create an availability set. */
export type AvailabilitySetInput = z.input<typeof availabilitySetInputSchema>;
