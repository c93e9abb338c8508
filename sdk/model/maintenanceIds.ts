import { z } from "zod";
import { parseResourceId } from "./armId.js";
import { availabilitySetNameSchema, virtualMachineNameSchema } from "./names.js";

/** An ARM id of `type`, its parts checked as {@link parseResourceId} does (so that it is safe in a URL). */
function armIdSchema(type: string, nameSchema: z.ZodType<string>): z.ZodType<string, string> {
  return z.string().superRefine((id, ctx) => {
    try {
      parseResourceId(id, { expectedType: type, nameSchema });
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as { rule?: string }).rule ?? "is not a valid ARM id" });
    }
  });
}

/** The ARM id of a VM. */
export const vmIdSchema = armIdSchema("Microsoft.Compute/virtualMachines", virtualMachineNameSchema);

/** The ARM id of an availability set. */
export const availabilitySetIdSchema = armIdSchema("Microsoft.Compute/availabilitySets", availabilitySetNameSchema);
