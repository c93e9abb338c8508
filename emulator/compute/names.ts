import { ArmError } from "../arm/armError.js";
import { param, type RequestContext } from "../arm/requestContext.js";
import { computeId } from "./computeApi.js";

/** Availability set names: 1-80 word characters, dots or hyphens; start with a word character, end with one or `_`. */
const AVAILABILITY_SET_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;
/** VM names: 1-64 word characters, dots or hyphens; no leading `_`, no trailing `.` or `-`. */
const VM_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$/;
/** Resource group names: 1-90 of word characters, `.`, `-`, `(`, `)`; not ending with `.`. */
const RESOURCE_GROUP_NAME = /^[-\w.()]{0,89}[-\w()]$/u;

function check(pattern: RegExp, name: string, rule: string, code = "InvalidResourceName"): void {
  if (!pattern.test(name)) throw new ArmError(400, code, `Resource name '${name}' is invalid. ${rule}`);
}

/** 400 InvalidResourceName unless `name` is a valid availability set name. */
export function checkAvailabilitySetName(name: string): void {
  check(
    AVAILABILITY_SET_NAME,
    name,
    "The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may include word characters or '.', '-', '_'.",
  );
}

/** 400 InvalidResourceName unless `name` is a valid virtual machine name. */
export function checkVirtualMachineName(name: string): void {
  check(
    VM_NAME,
    name,
    "The name can be up to 64 characters long. It must begin with a letter or digit and end with a letter, digit or '_'. The name may include letters, digits, '.', '-', '_'.",
  );
}

/** 400 InvalidResourceGroup unless `name` is a valid resource group name. */
export function checkResourceGroupName(name: string): void {
  check(RESOURCE_GROUP_NAME, name, "Resource group names are 1-90 letters, digits, '_', '-', '.', '(' or ')' and do not end with '.'.", "InvalidResourceGroup");
}

/**
 * The ARM id a Compute item route addresses, after checking its resource group and name
 * (400 InvalidResourceGroup / InvalidResourceName).
 */
export function itemIdFromPath(
  ctx: RequestContext,
  collection: "availabilitySets" | "virtualMachines",
  nameParam: string,
  checkName: (name: string) => void,
): string {
  const resourceGroupName = param(ctx, "resourceGroupName");
  const name = param(ctx, nameParam);
  checkResourceGroupName(resourceGroupName);
  checkName(name);
  return computeId(param(ctx, "subscriptionId"), resourceGroupName, collection, name);
}
