import { DrError, InvalidStateError, OperationFailedError, ResourceNotFoundError, ValidationError, isDrError, type DrErrorOptions } from "../errors.js";

/** What failed, for the error message. */
export interface FailedCall {
  /** A readable name of the call, e.g. `start VM vm1`. */
  operation: string;
  resourceId?: string;
}

interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
  details?: unknown;
  response?: { headers?: { get(name: string): string | undefined }; bodyAsText?: string | null };
}

const LRO_FAILURE = /^The long-running operation has failed\.\s*([^.]*)\.\s*([\s\S]*)$/;

/**
 * The one place that turns what the Azure clients throw (`RestError`, failed long-running
 * operations, aborts, credential errors) into {@link DrError}s with stable codes.
 */
export function toDrError(error: unknown, call: FailedCall): DrError {
  if (isDrError(error)) return error;
  const e = (typeof error === "object" && error !== null ? error : { name: "Error", message: String(error) }) as RestErrorLike;
  const base: DrErrorOptions = { cause: error, ...(call.resourceId === undefined ? {} : { resourceId: call.resourceId }) };
  if (e.name === "AbortError") return new DrError("Aborted", `${call.operation}: the wait was aborted; the operation in Azure goes on.`, base);
  if (e.name === "CredentialUnavailableError" || e.name === "AuthenticationError" || e.name === "AggregateAuthenticationError") {
    return new DrError("AuthenticationFailed", `${call.operation}: no credential could get a token: ${e.message}`, base);
  }
  if (e.name === "RestError") return fromRestError(e, call, base);
  const lro = LRO_FAILURE.exec(e.message ?? "");
  if (lro !== null) {
    const [, code, message] = lro as unknown as [string, string, string];
    return new OperationFailedError(call.operation, `${call.operation} failed: ${code}: ${message}`, { ...base, azureCode: code });
  }
  if (e.message === "The long-running operation has failed") return new OperationFailedError(call.operation, `${call.operation} failed.`, base);
  return new DrError("ServiceError", `${call.operation}: ${e.message}`, base);
}

function fromRestError(e: RestErrorLike, call: FailedCall, base: DrErrorOptions): DrError {
  const options: DrErrorOptions = { ...base };
  if (e.statusCode !== undefined) options.statusCode = e.statusCode;
  if (e.code !== undefined) options.azureCode = e.code;
  const requestId = e.response?.headers?.get("x-ms-request-id");
  if (requestId !== undefined) options.requestId = requestId;
  const message = `${call.operation}: ${e.code === undefined ? "" : `${e.code}: `}${e.message}`;
  const status = e.statusCode;
  if (status === undefined) return new DrError("ServiceUnavailable", `${call.operation}: the request could not be sent: ${e.message}`, options);
  if (status === 400) return new ValidationError(targetOf(e.details) ?? targetOf(parsed(e.response?.bodyAsText)) ?? "", e.message, options);
  if (status === 401 || status === 403) return new DrError("AuthenticationFailed", message, options);
  if (status === 404) return new ResourceNotFoundError(message, options);
  if (status === 409 || status === 412) return new InvalidStateError(message, options);
  if (status === 429) return new DrError("Throttled", message, options);
  if (status >= 500) return new DrError("ServiceUnavailable", message, options);
  return new DrError("ServiceError", message, options);
}

/** The error body of a response, when it is JSON (clients that declare no error model leave it unparsed). */
function parsed(body: string | null | undefined): unknown {
  if (typeof body !== "string") return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function targetOf(details: unknown): string | undefined {
  const error = (details as { error?: { target?: unknown } } | undefined)?.error;
  return typeof error?.target === "string" ? error.target : undefined;
}

/** Runs an Azure call, translating whatever it throws with {@link toDrError}. */
export async function callAzure<T>(call: FailedCall, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toDrError(error, call);
  }
}
