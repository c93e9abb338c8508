import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { AzureDrProvider } from "./azureDrProvider.js";
import type { ResourceKind } from "./core/index.js";

// One provider object per kind: Pulumi caches the serialized text per object, so N resources share one closure.
const providers = new Map<ResourceKind, AzureDrProvider>();

/** The shared dynamic provider of a resource kind. */
export function providerFor(kind: ResourceKind): AzureDrProvider {
  let provider = providers.get(kind);
  if (provider === undefined) {
    provider = new AzureDrProvider(kind);
    providers.set(kind, provider);
  }
  return provider;
}

/**
 * A physical name for a resource whose name was not given: the logical name and six hex digits
 * of a hash of project, stack and logical name, so it is the same at preview and up, and unique per
 * stack (the provider host never sees the URN, so it cannot name resources itself).
 */
export function physicalName(logicalName: string, maxLength = 64): string {
  const hash = createHash("sha256").update(`${pulumi.getProject()}/${pulumi.getStack()}/${logicalName}`).digest("hex").slice(0, 6);
  const base = logicalName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, maxLength - 7);
  return `${base}-${hash}`;
}

/** The type module of every azure-dr resource: tokens are `pulumi-nodejs:dynamic/azure-dr:<Type>`. */
export const TYPE_MODULE = "azure-dr";
