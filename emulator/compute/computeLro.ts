import { pollIntervalHeaders } from "../arm/pollInterval.js";
import type { OperationEngine, OperationStart } from "../arm/operationEngine.js";
import type { OperationRecord } from "../arm/operationRecord.js";
import { param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject } from "../arm/types.js";
import { ArmError } from "../arm/armError.js";
import type { EmulatorServices } from "../services.js";
import { COMPUTE_API_VERSIONS, COMPUTE_SUB_TEMPLATE } from "./computeApi.js";

/** Emulated time a Compute status poll stands for: the interval Compute asks clients to wait. */
export const COMPUTE_POLL_INTERVAL_MS = 10_000;

/**
 * Compute's long-running-operation protocol: a status resource at
 * `/subscriptions/{s}/providers/Microsoft.Compute/locations/{l}/operations/{id}`, linked as
 * `Azure-AsyncOperation`, and the same path with `monitor=true` linked as `Location`.
 */
export class ComputeLro {
  constructor(
    private readonly services: EmulatorServices,
    private readonly engine: OperationEngine,
  ) {}

  /** Starts an operation for the request in `ctx`, carrying any injected failure. */
  start(ctx: RequestContext, spec: Omit<OperationStart, "apiVersion" | "pollIntervalMs" | "injectedFailure">): OperationRecord {
    const full: OperationStart = { ...spec, apiVersion: ctx.apiVersion, pollIntervalMs: COMPUTE_POLL_INTERVAL_MS };
    if (ctx.injectedFailure !== undefined) full.injectedFailure = ctx.injectedFailure;
    return this.engine.start(full, this.services.now());
  }

  /** Headers of an accepted operation: both links and `Retry-After`. */
  headers(ctx: RequestContext, operation: OperationRecord, withLocation: boolean): Record<string, string> {
    const status = this.statusUrl(ctx.baseUrl, operation);
    const headers: Record<string, string> = {
      "azure-asyncoperation": status,
      "retry-after": this.retryAfter(operation),
      ...pollIntervalHeaders(this.services.clock.mode, operation.pollIntervalMs),
    };
    if (withLocation) headers.location = `${status}&monitor=true`;
    return headers;
  }

  /** 202 Accepted with no body, as Compute answers POST actions and DELETE. */
  accepted(ctx: RequestContext, operation: OperationRecord): EmulatorResponse {
    return emptyResponse(202, this.headers(ctx, operation, true));
  }

  register(router: Router): void {
    router.add({
      method: "GET",
      template: `${COMPUTE_SUB_TEMPLATE}/locations/{location}/operations/{operationId}`,
      operationId: "ComputeOperationStatus_Get",
      apiVersions: COMPUTE_API_VERSIONS,
      resourceType: "locations/operations",
      changesState: true,
      handler: (ctx) => this.poll(ctx),
    });
  }

  private poll(ctx: RequestContext): EmulatorResponse {
    const operation = this.engine.get(param(ctx, "operationId"));
    if (operation === undefined || operation.subscriptionId.toLowerCase() !== param(ctx, "subscriptionId").toLowerCase()) {
      throw new ArmError(404, "OperationNotFound", `The operation '${param(ctx, "operationId")}' was not found.`);
    }
    if (operation.status === "InProgress" && this.services.clock.mode === "virtual") {
      this.services.advance(this.engine.pollAdvance(operation, this.services.now()));
    }
    const monitor = ctx.url.searchParams.get("monitor") === "true";
    if (monitor) {
      if (operation.status === "InProgress") return emptyResponse(202, this.headers(ctx, operation, true));
      if (operation.status === "Failed" && operation.error !== undefined) {
        return jsonResponse(operation.error.httpStatus, { error: { code: operation.error.code, message: operation.error.message } });
      }
      const resource = operation.data.returnsResource === true ? this.services.resources.get(operation.resourceId) : undefined;
      return resource === undefined ? emptyResponse(200) : jsonResponse(200, resource.body);
    }
    const body: JsonObject = { startTime: new Date(operation.startTime).toISOString(), status: operation.status, name: operation.id };
    if (operation.endTime !== undefined) body.endTime = new Date(operation.endTime).toISOString();
    if (operation.error !== undefined) body.error = { code: operation.error.code, message: operation.error.message };
    const headers: Record<string, string> =
      operation.status === "InProgress"
        ? { "retry-after": this.retryAfter(operation), ...pollIntervalHeaders(this.services.clock.mode, operation.pollIntervalMs) }
        : {};
    return jsonResponse(200, body, headers);
  }

  private statusUrl(baseUrl: string, operation: OperationRecord): string {
    return `${baseUrl}/subscriptions/${operation.subscriptionId}/providers/Microsoft.Compute/locations/${operation.location}/operations/${operation.id}?p=${operation.id}&api-version=${operation.apiVersion}`;
  }

  /** Virtual time never makes a client sleep for real: the poll itself stands for the wait. */
  private retryAfter(operation: OperationRecord): string {
    return this.services.clock.mode === "virtual" ? "0" : String(Math.ceil(operation.pollIntervalMs / 1000 / this.services.clock.scale));
  }
}
