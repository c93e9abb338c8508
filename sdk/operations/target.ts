import type { z } from "zod";
import { resourceGroupNameSchema } from "../model/names.js";
import { validate } from "../model/validate.js";

/** Checks a (resource group, name) pair before it goes into a URL; throws ValidationError naming the field. */
export function checkTarget(resourceGroup: string, name: string, nameSchema: z.ZodType<string>): void {
  validate(resourceGroupNameSchema, resourceGroup, "resourceGroup");
  validate(nameSchema, name, "name");
}
