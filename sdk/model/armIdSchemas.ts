import { z } from "zod";

/** The ARM id of a resource group: `/subscriptions/{id}/resourceGroups/{name}`. */
export const resourceGroupIdSchema = z
  .string()
  .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i, "must be a resource group id: /subscriptions/{id}/resourceGroups/{name}");

/** The ARM id of a storage account (its name: 3-24 lower-case letters and digits). */
export const storageAccountIdSchema = z
  .string()
  .regex(
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/,
    "must be the ARM id of a Microsoft.Storage/storageAccounts",
  );

/** The ARM id of a virtual network. */
export const virtualNetworkIdSchema = z
  .string()
  .regex(
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i,
    "must be the ARM id of a Microsoft.Network/virtualNetworks",
  );
