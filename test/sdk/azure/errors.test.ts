import { RestError, createHttpHeaders, type PipelineRequest } from "@azure/core-rest-pipeline";
import test from "ava";
import { toDrError } from "../../../sdk/azure/errors.js";
import {
  DrError,
  type DrErrorCode,
  InvalidStateError,
  OperationFailedError,
  ResourceNotFoundError,
  ValidationError,
  isDrError,
  isInvalidStateError,
  isResourceNotFoundError,
} from "../../../sdk/index.js";

function restError(statusCode: number | undefined, code: string | undefined, details?: unknown): RestError {
  const request = { url: "https://management.azure.com/x", headers: createHttpHeaders() } as unknown as PipelineRequest;
  const response =
    statusCode === undefined
      ? undefined
      : { status: statusCode, headers: createHttpHeaders({ "x-ms-request-id": "11111111-2222-3333-4444-555555555555" }), request };
  const error = new RestError("boom", {
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(code === undefined ? {} : { code }),
    request,
    ...(response === undefined ? {} : { response }),
  });
  if (details !== undefined) error.details = details;
  return error;
}

const call = { operation: "start VM web-0" };

test("a 400 becomes a ValidationError naming Azure's target", (t) => {
  const error = toDrError(restError(400, "InvalidParameter", { error: { code: "InvalidParameter", target: "platformFaultDomainCount" } }), call);
  t.true(error instanceof ValidationError);
  t.is((error as ValidationError).field, "platformFaultDomainCount");
  t.is(error.azureCode, "InvalidParameter");
  t.is(error.requestId, "11111111-2222-3333-4444-555555555555");
});

const byStatus: [number, DrErrorCode, new (...args: never[]) => DrError][] = [
  [404, "ResourceNotFound", ResourceNotFoundError],
  [409, "InvalidState", InvalidStateError],
  [412, "InvalidState", InvalidStateError],
  [429, "Throttled", DrError],
  [401, "AuthenticationFailed", DrError],
  [403, "AuthenticationFailed", DrError],
  [500, "ServiceUnavailable", DrError],
  [503, "ServiceUnavailable", DrError],
  [418, "ServiceError", DrError],
];
for (const [status, code, type] of byStatus) {
  test(`a ${status} becomes code ${code}`, (t) => {
    const error = toDrError(restError(status, "X"), call);
    t.true(error instanceof type);
    t.is(error.code, code);
    t.is(error.statusCode, status);
  });
}

test("a transport failure becomes ServiceUnavailable", (t) => {
  const error = toDrError(restError(undefined, "ECONNRESET"), call);
  t.is(error.code, "ServiceUnavailable");
  t.regex(error.message, /could not be sent/);
});

test("a failed long-running operation becomes OperationFailedError with Azure's code", (t) => {
  const error = toDrError(new Error("The long-running operation has failed. AllocationFailed. No capacity in the region."), call);
  t.true(error instanceof OperationFailedError);
  t.is(error.azureCode, "AllocationFailed");
  t.is((error as OperationFailedError).operation, "start VM web-0");
  t.regex(error.message, /No capacity in the region/);
});

test("an abort becomes code Aborted and credential errors become AuthenticationFailed", (t) => {
  const abort = Object.assign(new Error("aborted"), { name: "AbortError" });
  t.is(toDrError(abort, call).code, "Aborted");
  const credential = Object.assign(new Error("no az login"), { name: "CredentialUnavailableError" });
  t.is(toDrError(credential, call).code, "AuthenticationFailed");
});

test("DrErrors pass through and the guards check by name", (t) => {
  const original = new ResourceNotFoundError("gone");
  t.is(toDrError(original, call), original);
  const lookalike = { name: "ResourceNotFoundError", code: "ResourceNotFound", message: "from another copy of the package" };
  t.true(isResourceNotFoundError(lookalike));
  t.true(isDrError(lookalike));
  t.false(isInvalidStateError(lookalike));
  t.false(isDrError(new Error("plain")));
});
