import type { JsonObject } from "./types.js";

/** One entry of an ARM error's `details`. */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/**
 * An error the emulator answers with, in ARM's `{error:{code,message,target?,details?}}` envelope.
 * Handlers throw it before they change any state.
 */
export class ArmError extends Error {
  override readonly name = "ArmError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly details?: ArmErrorDetail[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** The wire envelope. */
  toBody(): JsonObject {
    const error: JsonObject = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    if (this.details !== undefined) error.details = this.details.map((d) => ({ ...d }));
    return { error };
  }
}

/** 400 InvalidParameter naming the offending property, as Compute answers bad values. */
export function invalidParameter(target: string, message: string): ArmError {
  return new ArmError(400, "InvalidParameter", message, target);
}

/** 404 ResourceNotFound in ARM's wording. */
export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** 409 OperationNotAllowed, Compute's answer to an action the resource's state forbids. */
export function operationNotAllowed(message: string): ArmError {
  return new ArmError(409, "OperationNotAllowed", message);
}
