import { randomUUID } from "node:crypto";
import { ArmError, resourceNotFound } from "../arm/armError.js";
import type { OperationKind } from "../arm/operationEngine.js";
import type { OperationError, OperationRecord } from "../arm/operationRecord.js";
import { pageOf } from "../arm/paging.js";
import { param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_API_VERSIONS, ASR_TYPES, VAULT_TEMPLATE, vaultIdOf } from "./asrApi.js";

/** Emulated time one poll of a Site Recovery operation stands for (its examples send `Retry-After: 30`). */
export const ASR_POLL_INTERVAL_MS = 30_000;

/** One task of a job, with how long it takes. */
export interface AsrTaskPlan {
  name: string;
  friendlyName: string;
  durationMs: number;
}

/** What a Site Recovery job is about and how it runs. */
export interface AsrJobSpec {
  /** The operation kind whose handler applies the job's effect. */
  kind: string;
  scenarioName: string;
  friendlyName: string;
  targetObjectId: string;
  targetObjectName: string;
  targetInstanceType: string;
  /** The resource the operation's final GET serves; none for removals. */
  resultResourceId?: string;
  tasks: AsrTaskPlan[];
  data?: JsonObject;
  /** The job waits for the user (state Suspended) when its work is done, e.g. a test failover. */
  suspendOnSuccess?: boolean;
}

/** The job's outcome as the job resource shows it. */
type JobState = "InProgress" | "Succeeded" | "Failed" | "Cancelled" | "Suspended";

/** Service-side record of a job. */
interface JobInternal extends JsonObject {
  kind: string;
  operationId: string;
  scenarioName: string;
  friendlyName: string;
  targetObjectId: string;
  targetObjectName: string;
  targetInstanceType: string;
  resultResourceId: string | null;
  tasks: { name: string; friendlyName: string; durationMs: number }[];
  data: JsonObject;
  suspendOnSuccess: boolean;
  state: JobState;
  startTime: number;
  endTime: number | null;
  errors: JsonObject[];
  location: string;
}

/** What a kind of job does when it ends, and optionally when the user resumes it. */
export interface AsrJobKind extends OperationKind {
  /** Runs when a suspended job is resumed; throwing an ArmError refuses the resume. */
  resumed?(job: StoredResource, at: number): void;
  /** Runs when a running job is cancelled (undo what was started). */
  cancelled?(operation: OperationRecord, at: number): void;
}

/**
 * Site Recovery jobs. Every change the service makes runs as a job with tasks (a
 * `replicationJobs` resource), driven by the shared operation engine. The LRO protocol is the
 * service's: 202 with `Azure-AsyncOperation` (`.../replicationOperationStatus/{job}`), `Location`
 * (`.../operationresults/{job}`, whose final GET serves the changed resource) and `Retry-After`.
 */
export class AsrJobs {
  private readonly kinds = new Map<string, AsrJobKind>();

  constructor(private readonly services: EmulatorServices) {}

  /** Registers what a kind of job does. */
  register(kind: string, handlers: AsrJobKind): void {
    this.kinds.set(kind, handlers);
    this.services.operations.register(kind, {
      complete: (operation, at) => {
        handlers.complete(operation, at);
        this.settle(operation, at, undefined);
      },
      failed: (operation, at, error) => {
        handlers.failed?.(operation, at, error);
        this.settle(operation, at, error);
      },
    });
  }

  /** Registers a kind of job whose completion stores the resource record it carries (`data.record`): a creation or replacement. */
  registerStore(kind: string): void {
    this.register(kind, { complete: (op) => this.services.resources.put(op.data.record as unknown as StoredResource) });
  }

  /** Starts a job for the request in `ctx` (carrying any injected failure) and returns its record. */
  start(ctx: RequestContext, spec: AsrJobSpec, location = "global"): StoredResource {
    const vaultId = vaultIdOf(ctx);
    const name = randomUUID();
    const operation = this.services.operations.start(
      {
        kind: spec.kind,
        subscriptionId: param(ctx, "subscriptionId"),
        location,
        resourceId: `${vaultId}/replicationJobs/${name}`,
        apiVersion: ctx.apiVersion,
        durationMs: spec.tasks.reduce((sum, t) => sum + t.durationMs, 0),
        pollIntervalMs: ASR_POLL_INTERVAL_MS,
        data: { ...(spec.data ?? {}), jobId: `${vaultId}/replicationJobs/${name}` },
        ...(ctx.injectedFailure === undefined ? {} : { injectedFailure: ctx.injectedFailure }),
      },
      this.services.now(),
    );
    const internal: JobInternal = {
      kind: spec.kind,
      operationId: operation.id,
      scenarioName: spec.scenarioName,
      friendlyName: spec.friendlyName,
      targetObjectId: spec.targetObjectId,
      targetObjectName: spec.targetObjectName,
      targetInstanceType: spec.targetInstanceType,
      resultResourceId: spec.resultResourceId ?? null,
      tasks: spec.tasks.map((t) => ({ ...t })),
      data: operation.data,
      suspendOnSuccess: spec.suspendOnSuccess === true,
      state: "InProgress",
      startTime: operation.startTime,
      endTime: null,
      errors: [],
      location,
    };
    const job = ResourceStore.record(
      `${vaultId}/replicationJobs/${name}`,
      ASR_TYPES.job,
      { id: `${vaultId}/replicationJobs/${name}`, name, type: ASR_TYPES.job },
      internal,
    );
    this.services.resources.put(job);
    return job;
  }

  /** 202 Accepted for a started job, with the service's LRO headers. */
  accepted(ctx: RequestContext, job: StoredResource): EmulatorResponse {
    return emptyResponse(202, this.headers(ctx, job));
  }

  /** The job record with this id, if any. */
  get(id: string): StoredResource | undefined {
    const stored = this.services.resources.get(id);
    return stored?.type === ASR_TYPES.job.toLowerCase() ? stored : undefined;
  }

  /** Ends a suspended job as done (e.g. a test failover once it is cleaned up). */
  completeSuspended(jobId: string, at: number): void {
    const job = this.get(jobId);
    const internal = job?.internal as JobInternal | undefined;
    if (internal?.state !== "Suspended") return;
    internal.state = "Succeeded";
    internal.endTime = at;
  }

  /** The job's resource as served. */
  view(job: StoredResource): JsonObject {
    const internal = job.internal as JobInternal;
    const now = this.services.now();
    const elapsed = (internal.endTime ?? now) - internal.startTime;
    let offset = 0;
    const tasks = internal.tasks.map((task, index) => {
      const start = offset;
      offset += task.durationMs;
      const isLast = index === internal.tasks.length - 1;
      let state: string;
      if (internal.state === "Succeeded" || internal.state === "Suspended") state = "Succeeded";
      else if (elapsed >= offset && !(isLast && internal.state === "Failed")) state = "Succeeded";
      else if (elapsed >= start) state = internal.state === "InProgress" ? "InProgress" : internal.state;
      else state = internal.state === "Cancelled" || internal.state === "Failed" ? "Skipped" : "NotStarted";
      const taskBody: JsonObject = {
        taskId: `${job.body.name as string}-${index}`,
        name: task.name,
        friendlyName: task.friendlyName,
        state,
        stateDescription: state === "Succeeded" ? "Completed" : state,
        taskType: "TaskDetails",
        allowedActions: [],
        customDetails: { instanceType: "TaskDetails" },
        errors: state === "Failed" ? internal.errors : [],
      };
      if (state !== "NotStarted" && state !== "Skipped") taskBody.startTime = new Date(internal.startTime + start).toISOString();
      if (state === "Succeeded" || state === "Failed" || state === "Cancelled")
        taskBody.endTime = new Date(internal.startTime + Math.min(offset, elapsed)).toISOString();
      return taskBody;
    });
    const properties: JsonObject = {
      activityId: `${job.body.name as string} ActivityId: ${internal.operationId}`,
      scenarioName: internal.scenarioName,
      friendlyName: internal.friendlyName,
      state: internal.state,
      stateDescription: stateDescription(internal),
      tasks,
      errors: internal.errors,
      startTime: new Date(internal.startTime).toISOString(),
      allowedActions: allowedActions(internal.state),
      targetObjectId: internal.targetObjectId,
      targetObjectName: internal.targetObjectName,
      targetInstanceType: internal.targetInstanceType,
      customDetails: { instanceType: "AsrJobDetails", affectedObjectDetails: {} },
    };
    if (internal.endTime !== null) properties.endTime = new Date(internal.endTime).toISOString();
    return { ...job.body, properties };
  }

  registerRoutes(router: Router): void {
    const add = (method: string, path: string, operationId: string, handler: (ctx: RequestContext) => EmulatorResponse): void =>
      router.add({ method, template: `${VAULT_TEMPLATE}${path}`, operationId, apiVersions: ASR_API_VERSIONS, resourceType: "vaults/replicationJobs", handler });
    add("GET", "/replicationJobs", "ReplicationJobs_List", (ctx) => this.list(ctx));
    add("GET", "/replicationJobs/{jobName}", "ReplicationJobs_Get", (ctx) => jsonResponse(200, this.view(this.require(ctx))));
    add("POST", "/replicationJobs/{jobName}/cancel", "ReplicationJobs_Cancel", (ctx) => this.cancel(ctx));
    add("POST", "/replicationJobs/{jobName}/restart", "ReplicationJobs_Restart", (ctx) => this.restart(ctx));
    add("POST", "/replicationJobs/{jobName}/resume", "ReplicationJobs_Resume", (ctx) => this.resume(ctx));
    add("GET", "/replicationOperationStatus/{jobName}", "ReplicationOperationStatus_Get", (ctx) => this.status(ctx));
    add("GET", "/operationresults/{jobName}", "ReplicationOperationResults_Get", (ctx) => this.result(ctx));
  }

  private require(ctx: RequestContext): StoredResource {
    const job = this.get(`${vaultIdOf(ctx)}/replicationJobs/${param(ctx, "jobName")}`);
    if (job === undefined) throw resourceNotFound(ASR_TYPES.job, param(ctx, "jobName"), param(ctx, "resourceGroupName"));
    return job;
  }

  private list(ctx: RequestContext): EmulatorResponse {
    const jobs = this.services.resources
      .list(vaultIdOf(ctx), ASR_TYPES.job)
      .map((job) => this.view(job))
      .sort((a, b) => String((b.properties as JsonObject).startTime).localeCompare(String((a.properties as JsonObject).startTime)));
    return jsonResponse(200, pageOf(ctx, jobs, this.services.settings.pageSize));
  }

  private headers(ctx: RequestContext, job: StoredResource): Record<string, string> {
    const vault = `${ctx.baseUrl}${vaultIdOf(ctx)}`;
    const name = String(job.body.name);
    return {
      "azure-asyncoperation": `${vault}/replicationOperationStatus/${name}?api-version=${ctx.apiVersion}`,
      location: `${vault}/operationresults/${name}?api-version=${ctx.apiVersion}`,
      "retry-after": this.services.clock.mode === "virtual" ? "0" : String(Math.ceil(ASR_POLL_INTERVAL_MS / 1000 / this.services.clock.scale)),
    };
  }

  /** A poll stands for the wait the client was asked to make (virtual time). */
  private polled(job: StoredResource): OperationRecord | undefined {
    const internal = job.internal as JobInternal;
    const operation = this.services.operations.get(internal.operationId);
    if (operation?.status === "InProgress" && this.services.clock.mode === "virtual") this.services.advance(operation.pollIntervalMs);
    return this.services.operations.get(internal.operationId);
  }

  private status(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const operation = this.polled(job);
    const internal = job.internal as JobInternal;
    const status = operation?.status ?? (internal.state === "Failed" ? "Failed" : internal.state === "Cancelled" ? "Canceled" : "Succeeded");
    const body: JsonObject = {
      id: `${vaultIdOf(ctx)}/replicationOperationStatus/${String(job.body.name)}`,
      name: String(job.body.name),
      status,
      startTime: new Date(internal.startTime).toISOString(),
    };
    if (internal.endTime !== null) body.endTime = new Date(internal.endTime).toISOString();
    if (status === "Failed" && operation?.error !== undefined) body.error = { code: operation.error.code, message: operation.error.message };
    return jsonResponse(200, body, status === "InProgress" ? { "retry-after": this.headers(ctx, job)["retry-after"] as string } : {});
  }

  private result(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const operation = this.polled(job);
    const internal = job.internal as JobInternal;
    if (operation?.status === "InProgress") return emptyResponse(202, this.headers(ctx, job));
    if (internal.state === "Failed") {
      const error = operation?.error ?? { code: "JobFailed", message: `Job '${internal.friendlyName}' failed.`, httpStatus: 400 };
      return jsonResponse(error.httpStatus, { error: { code: error.code, message: error.message } });
    }
    if (internal.state === "Cancelled") return jsonResponse(409, { error: { code: "JobCancelled", message: `Job '${internal.friendlyName}' was cancelled.` } });
    const resource = internal.resultResourceId === null ? undefined : this.services.resources.get(internal.resultResourceId);
    return resource === undefined ? emptyResponse(204) : jsonResponse(200, this.viewOf(resource));
  }

  /** How resources of other kinds are served (set by the service that owns them). */
  viewOf: (resource: StoredResource) => JsonValue = (resource) => resource.body;

  private settle(operation: OperationRecord, at: number, error: OperationError | undefined): void {
    const job = this.get(String(operation.data.jobId));
    if (job === undefined) return;
    const internal = job.internal as JobInternal;
    internal.endTime = at;
    if (error === undefined) {
      internal.state = internal.suspendOnSuccess ? "Suspended" : "Succeeded";
      return;
    }
    internal.state = "Failed";
    internal.errors = [
      {
        serviceErrorDetails: {
          code: error.code,
          message: error.message,
          possibleCauses: "",
          recommendedAction: "Retry the operation. If the issue persists, contact support.",
          activityId: internal.operationId,
        },
        errorLevel: "Error",
        creationTime: new Date(at).toISOString(),
        taskId: `${String(job.body.name)}-${internal.tasks.length - 1}`,
      },
    ];
  }

  private cancel(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const internal = job.internal as JobInternal;
    if (internal.state !== "InProgress" && internal.state !== "Suspended") throw notAllowed(internal, "Cancel");
    const now = this.services.now();
    const operation = this.services.operations.get(internal.operationId);
    if (operation !== undefined && this.services.operations.cancel(internal.operationId, now)) this.kinds.get(internal.kind)?.cancelled?.(operation, now);
    internal.state = "Cancelled";
    internal.endTime = now;
    return this.actionAccepted(ctx, job);
  }

  private restart(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const internal = job.internal as JobInternal;
    if (internal.state !== "Failed") throw notAllowed(internal, "Restart");
    const total = internal.tasks.reduce((sum, t) => sum + t.durationMs, 0);
    const operation = this.services.operations.start(
      {
        kind: internal.kind,
        subscriptionId: param(ctx, "subscriptionId"),
        location: internal.location,
        resourceId: job.id,
        apiVersion: ctx.apiVersion,
        durationMs: total,
        pollIntervalMs: ASR_POLL_INTERVAL_MS,
        data: internal.data,
      },
      this.services.now(),
    );
    Object.assign(internal, { operationId: operation.id, state: "InProgress", startTime: operation.startTime, endTime: null, errors: [] });
    return this.actionAccepted(ctx, job);
  }

  private resume(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const internal = job.internal as JobInternal;
    if (internal.state !== "Suspended") throw notAllowed(internal, "Resume");
    const now = this.services.now();
    this.kinds.get(internal.kind)?.resumed?.(job, now);
    internal.state = "Succeeded";
    internal.endTime = now;
    return this.actionAccepted(ctx, job);
  }

  /** A job action (cancel, restart, resume) is accepted at once; its `Location` is the job, whose GET is the result. */
  private actionAccepted(ctx: RequestContext, job: StoredResource): EmulatorResponse {
    return emptyResponse(202, { location: `${ctx.baseUrl}${job.id}?api-version=${ctx.apiVersion}`, "retry-after": "0" });
  }
}

function allowedActions(state: JobState): JsonValue[] {
  switch (state) {
    case "InProgress":
      return ["Cancel"];
    case "Failed":
      return ["Restart"];
    case "Suspended":
      return ["Cancel", "Resume"];
    default:
      return [];
  }
}

function stateDescription(internal: JobInternal): string {
  if (internal.state === "Succeeded") return "Completed";
  if (internal.state === "Suspended") return internal.scenarioName === "TestFailover" ? "WaitingForStopTestFailover" : "WaitingForUserInput";
  return internal.state;
}

function notAllowed(internal: JobInternal, action: string): ArmError {
  return new ArmError(
    400,
    "JobActionNotAllowed",
    `The action '${action}' is not allowed on job '${internal.friendlyName}' in state '${internal.state}'. Allowed actions: ${JSON.stringify(allowedActions(internal.state))}.`,
  );
}
