/**
 * Stable codes of every error the SDK throws. Match on `code` (or the guards below), never on messages.
 * - `ValidationFailed`: the input breaks a rule (checked before any request, or refused by Azure with 400).
 * - `ResourceNotFound`: the resource does not exist (404).
 * - `InvalidState`: the resource's state forbids the action (409, or a pre-check of the SDK).
 * - `OperationFailed`: a long-running operation or job ended in failure.
 * - `Throttled`: Azure kept answering 429 after the client's retries.
 * - `ServiceUnavailable`: Azure answered 5xx, or the connection failed, after retries.
 * - `AuthenticationFailed`: 401/403, or no credential could get a token.
 * - `Timeout`: a wait ran past its deadline.
 * - `Aborted`: the caller's AbortSignal stopped a wait (the operation in Azure goes on).
 * - `ServiceError`: any other answer Azure gave.
 */
export type DrErrorCode =
  | "ValidationFailed"
  | "ResourceNotFound"
  | "InvalidState"
  | "OperationFailed"
  | "Throttled"
  | "ServiceUnavailable"
  | "AuthenticationFailed"
  | "Timeout"
  | "Aborted"
  | "ServiceError";

/** Details an error may carry. */
export interface DrErrorOptions {
  cause?: unknown;
  /** HTTP status of Azure's answer, when there was one. */
  statusCode?: number;
  /** Azure's own error code (e.g. `OperationNotAllowed`), when Azure gave one. */
  azureCode?: string;
  /** `x-ms-request-id` of the failed request, for support cases. */
  requestId?: string;
  /** The resource the error is about. */
  resourceId?: string;
}

/** The base of every error the SDK throws. */
export class DrError extends Error {
  override name = "DrError";
  readonly code: DrErrorCode;
  readonly statusCode: number | undefined;
  readonly azureCode: string | undefined;
  readonly requestId: string | undefined;
  readonly resourceId: string | undefined;

  constructor(code: DrErrorCode, message: string, options: DrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode;
    this.azureCode = options.azureCode;
    this.requestId = options.requestId;
    this.resourceId = options.resourceId;
  }
}

/** Input that breaks a rule; `field` names the input field, `rule` says what it must be. Code `ValidationFailed`. */
export class ValidationError extends DrError {
  override name = "ValidationError";
  constructor(
    readonly field: string,
    readonly rule: string,
    options: DrErrorOptions = {},
  ) {
    super("ValidationFailed", `${field === "" ? "input" : field}: ${rule}`, options);
  }
}

/** The resource does not exist. Code `ResourceNotFound`. */
export class ResourceNotFoundError extends DrError {
  override name = "ResourceNotFoundError";
  constructor(message: string, options: DrErrorOptions = {}) {
    super("ResourceNotFound", message, options);
  }
}

/** The resource's state forbids the action. Code `InvalidState`. */
export class InvalidStateError extends DrError {
  override name = "InvalidStateError";
  constructor(message: string, options: DrErrorOptions = {}) {
    super("InvalidState", message, options);
  }
}

/** A long-running operation or job failed; `operation` names it. Code `OperationFailed`. */
export class OperationFailedError extends DrError {
  override name = "OperationFailedError";
  constructor(
    readonly operation: string,
    message: string,
    options: DrErrorOptions = {},
  ) {
    super("OperationFailed", message, options);
  }
}

/** A wait passed its deadline. Code `Timeout`. */
export class DrTimeoutError extends DrError {
  override name = "DrTimeoutError";
  constructor(message: string, options: DrErrorOptions = {}) {
    super("Timeout", message, options);
  }
}

const NAMES = new Set(["DrError", "ValidationError", "ResourceNotFoundError", "InvalidStateError", "OperationFailedError", "DrTimeoutError"]);

function hasName(error: unknown, name: string): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === name;
}

/** Whether `error` is any azure-dr error (checked by name, so it works across package copies). */
export function isDrError(error: unknown): error is DrError {
  return typeof error === "object" && error !== null && NAMES.has(String((error as { name?: unknown }).name)) && "code" in error;
}
/** Whether `error` is a {@link ValidationError}. */
export function isValidationError(error: unknown): error is ValidationError {
  return hasName(error, "ValidationError");
}
/** Whether `error` is a {@link ResourceNotFoundError}. */
export function isResourceNotFoundError(error: unknown): error is ResourceNotFoundError {
  return hasName(error, "ResourceNotFoundError");
}
/** Whether `error` is an {@link InvalidStateError}. */
export function isInvalidStateError(error: unknown): error is InvalidStateError {
  return hasName(error, "InvalidStateError");
}
/** Whether `error` is an {@link OperationFailedError}. */
export function isOperationFailedError(error: unknown): error is OperationFailedError {
  return hasName(error, "OperationFailedError");
}
/** Whether `error` is a {@link DrTimeoutError}. */
export function isDrTimeoutError(error: unknown): error is DrTimeoutError {
  return hasName(error, "DrTimeoutError");
}
