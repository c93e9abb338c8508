import { z } from "zod";
import { findRegion } from "./regions.js";

/** A subscription id: a GUID. */
export const subscriptionIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");

/** A resource group name: 1-90 letters, digits, `_`, `-`, `.`, `(`, `)`, not ending with `.`. */
export const resourceGroupNameSchema = z
  .string()
  .min(1, "must be 1-90 characters")
  .max(90, "must be 1-90 characters")
  .regex(/^[-\w.()]*[-\w()]$/u, "may hold only letters, digits, '_', '-', '.', '(' and ')', and must not end with '.'");

/** A VM name: 1-64 letters, digits, `_`, `.`, `-`; starts with a letter or digit; ends with a letter, digit or `_`. */
export const virtualMachineNameSchema = z
  .string()
  .min(1, "must be 1-64 characters")
  .max(64, "must be 1-64 characters")
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/,
    "must start with a letter or digit, end with a letter, digit or '_', and hold only letters, digits, '_', '.', '-'",
  );

/** An availability set name: 1-80 word characters, `.`, `-`; starts with a word character; ends with one or `_`. */
export const availabilitySetNameSchema = z
  .string()
  .min(1, "must be 1-80 characters")
  .max(80, "must be 1-80 characters")
  .regex(
    /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/,
    "must start with a letter, digit or '_', end with a letter, digit or '_', and hold only letters, digits, '_', '.', '-'",
  );

/** An Azure region, by programmatic or display name; normalized to the programmatic name. */
export const regionSchema = z
  .string()
  .min(1, "is required")
  .refine((name) => findRegion(name) !== undefined, { message: "must be an Azure region (e.g. 'westeurope' or 'West Europe')" })
  .transform((name) => findRegion(name)?.name ?? name);

/** ARM tags: at most 50, names 1-512 characters without `<>%&\?/`, values up to 256 characters. */
export const tagsSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(512)
      .regex(/^[^<>%&\\?/]+$/, "tag names must not hold < > % & \\ ? /"),
    z.string().max(256, "tag values are at most 256 characters"),
  )
  .refine((tags) => Object.keys(tags).length <= 50, { message: "at most 50 tags" });
