import { ValidationError } from "../errors.js";
import { resourceGroupNameSchema, subscriptionIdSchema } from "./names.js";
import type { z } from "zod";

/** The parts of an ARM resource id `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`. */
export interface ArmResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** Resource provider namespace, e.g. `Microsoft.Compute`. */
  provider: string;
  /** Resource type within the namespace, e.g. `virtualMachines`. */
  type: string;
  name: string;
}

const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i;

/**
 * Parses a top-level ARM resource id, checking its subscription, resource group and name, and,
 * when given, that it is of `expectedType` (e.g. `Microsoft.Compute/virtualMachines`, compared
 * case-insensitively). Throws {@link ValidationError} (code `ValidationFailed`) naming `field`.
 */
export function parseResourceId(id: string, options: { field?: string; expectedType?: string; nameSchema?: z.ZodType<string> } = {}): ArmResourceId {
  const field = options.field ?? "id";
  const match = ID.exec(id);
  if (match === null) {
    throw new ValidationError(
      field,
      `must be an ARM resource id like /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/{namespace}/{type}/{name}, got '${id}'`,
    );
  }
  const [, subscriptionId, resourceGroup, provider, type, name] = match as unknown as [string, string, string, string, string, string];
  if (options.expectedType !== undefined && `${provider}/${type}`.toLowerCase() !== options.expectedType.toLowerCase()) {
    throw new ValidationError(field, `must be the id of a ${options.expectedType}, got one of a ${provider}/${type}`);
  }
  for (const [part, schema, value] of [
    ["subscription id", subscriptionIdSchema, subscriptionId],
    ["resource group", resourceGroupNameSchema, resourceGroup],
    ["name", options.nameSchema, name],
  ] as const) {
    const result = schema?.safeParse(value);
    if (result !== undefined && !result.success) throw new ValidationError(field, `${part} '${value}' ${result.error.issues[0]?.message ?? "is invalid"}`);
  }
  return { subscriptionId, resourceGroup, provider, type, name };
}

/** Formats the parts of a top-level ARM resource id. */
export function formatResourceId(id: ArmResourceId): string {
  return `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup}/providers/${id.provider}/${id.type}/${id.name}`;
}

/** Whether two ARM ids name the same resource (ARM compares ids case-insensitively). */
export function sameResourceId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
