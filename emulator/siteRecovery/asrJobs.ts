import { POLL_INTERVAL_HEADER, pollIntervalHeaders } from "../arm/pollInterval.js";
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
import { ASR_API_VERSIONS, ASR_SERVICE_API_VERSION, ASR_TYPES, VAULT_TEMPLATE, vaultIdOf, vaultIdOfResource } from "./asrApi.js";

/** Emulated time one poll of a Site Recovery operation stands for (its examples send `Retry-After: 30`). */
export const ASR_POLL_INTERVAL_MS = 30_000;

/** One task of a job, with how long it takes. */
export interface AsrTaskPlan {
  name: string;
  friendlyName: string;
  durationMs: number;
  /** The job stops at this task until the user resumes it (a manual action of a recovery plan). */
  waitsForUser?: boolean;
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
  tasks: readonly AsrTaskPlan[];
  data?: JsonObject;
  /** The job waits for the user (state Suspended) when its work is done, e.g. a test failover. */
  suspendOnSuccess?: boolean;
  /** The job's `customDetails` (e.g. `FailoverJobDetails` with the items and their recovery points). @default AsrJobDetails */
  customDetails?: JsonObject;
}

/** Who starts a job: a request (its vault, subscription, api-version and any failure a fault rule injected) or the service itself, at `at`. */
export interface AsrJobOrigin {
  vaultId: string;
  subscriptionId: string;
  apiVersion: string;
  at: number;
  injectedFailure?: OperationError;
}

/** The origin of a job a request starts. */
function originOf(ctx: RequestContext, now: number): AsrJobOrigin {
  return {
    vaultId: vaultIdOf(ctx),
    subscriptionId: param(ctx, "subscriptionId"),
    apiVersion: ctx.apiVersion,
    at: now,
    ...(ctx.injectedFailure === undefined ? {} : { injectedFailure: ctx.injectedFailure }),
  };
}

/** The origin of a job the service starts by itself at `at`, about a resource of the vault `resourceId` is under. */
export function serviceOrigin(resourceId: string, at: number): AsrJobOrigin {
  const vaultId = vaultIdOfResource(resourceId);
  if (vaultId === undefined) throw new Error(`'${resourceId}' is not under a vault`);
  return { vaultId, subscriptionId: vaultId.split("/")[2] ?? "", apiVersion: ASR_SERVICE_API_VERSION, at };
}

/**
 * The `instanceType` values Site Recovery's spec defines for a task's `customDetails`
 * (`TaskTypeDetails` and its derived types); the emulator's tasks use `JobTaskDetails` and
 * `ManualActionTaskDetails`.
 */
export const TASK_DETAILS_INSTANCE_TYPES = [
  "AutomationRunbookTaskDetails",
  "ConsistencyCheckTaskDetails",
  "FabricReplicationGroupTaskDetails",
  "JobTaskDetails",
  "ManualActionTaskDetails",
  "ScriptActionTaskDetails",
  "VirtualMachineTaskDetails",
  "VmNicUpdatesTaskDetails",
] as const;

/** A task's `customDetails` naming the job it belongs to (`JobTaskDetails` with its `JobEntity`). */
function jobTaskDetails(job: StoredResource, internal: JobInternal): JsonObject {
  return {
    instanceType: "JobTaskDetails",
    jobTask: {
      jobId: job.body.name as string,
      jobFriendlyName: internal.friendlyName,
      targetObjectId: internal.targetObjectId,
      targetObjectName: internal.targetObjectName,
      targetInstanceType: internal.targetInstanceType,
      jobScenarioName: internal.scenarioName,
    },
  };
}

/** The job's outcome as the job resource shows it. */
type JobState = "InProgress" | "Succeeded" | "Failed" | "Cancelled" | "Suspended";

/** When a task of a stepped job ran and how it ended. */
interface TaskRun extends JsonObject {
  start: number;
  end: number | null;
  state: string;
}

/** The operation kind that runs one task of a stepped job. */
const STEP_KIND = "asr.job.step";

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
  tasks: { name: string; friendlyName: string; durationMs: number; waitsForUser?: boolean }[];
  data: JsonObject;
  suspendOnSuccess: boolean;
  state: JobState;
  startTime: number;
  endTime: number | null;
  errors: JsonObject[];
  location: string;
  customDetails?: JsonObject;
  /** Stepped jobs run one task at a time (each its own operation) and record each task's run; null for timed jobs. */
  taskRuns: TaskRun[] | null;
  /** While the running task is held ({@link AsrJobs.hold}): the time it has left. */
  heldRemainingMs?: number | null;
}

/**
 * What a kind of stepped job does: the effect of each task as it ends, and what a failure or a
 * cancellation at a given task undoes. Used by recovery plans, whose groups run in order.
 */
export interface AsrSteppedJobKind {
  /** Applies the effect of task `index` when it ends at `at`; throwing an ArmError fails the job at that task. */
  taskDone(job: StoredResource, index: number, at: number): void;
  /** Runs when the job fails at task `index` (an error of `taskDone` or an injected failure). */
  failed?(job: StoredResource, index: number, at: number, error: OperationError): void;
  /** Runs when the user cancels the job while task `index` runs or waits. */
  cancelled?(job: StoredResource, index: number, at: number): void;
  /** Runs when the last task ended (before a `suspendOnSuccess` job suspends). */
  completed?(job: StoredResource, at: number): void;
  /** Runs when a job suspended at its end (`suspendOnSuccess`) is resumed; throwing an ArmError refuses the resume. */
  resumed?(job: StoredResource, at: number): void;
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
  private readonly steppedKinds = new Map<string, AsrSteppedJobKind>();
  /** Task lists shared by ended jobs, by their JSON, per state document (see {@link AsrJobs.compact}). */
  private readonly taskLists = new WeakMap<object, Map<string, JobInternal["tasks"]>>();

  constructor(private readonly services: EmulatorServices) {
    services.operations.register(STEP_KIND, {
      complete: (operation, at) => {
        const job = this.currentStepJob(operation);
        if (job === undefined) return;
        const internal = job.internal as JobInternal;
        const index = currentTask(internal);
        this.steppedKind(internal).taskDone(job, index, at);
        Object.assign(taskRunsOf(internal)[index] as TaskRun, { end: at, state: "Succeeded" });
        this.runTasksFrom(job, index + 1, at);
      },
      failed: (operation, at, error) => {
        const job = this.currentStepJob(operation);
        if (job === undefined) return;
        const internal = job.internal as JobInternal;
        const index = currentTask(internal);
        this.steppedKind(internal).failed?.(job, index, at, error);
        Object.assign(taskRunsOf(internal)[index] as TaskRun, { end: at, state: "Failed" });
        this.fail(job, at, error, index);
      },
    });
  }

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
    // A copy: the record stays the operation's (and its job's) data, which must not follow the resource's later changes.
    this.register(kind, { complete: (op) => this.services.resources.put(structuredClone(op.data.record) as unknown as StoredResource) });
  }

  /** Registers what a kind of stepped job does; see {@link AsrJobs.startStepped}. */
  registerStepped(kind: string, handlers: AsrSteppedJobKind): void {
    if (this.steppedKinds.has(kind)) throw new Error(`stepped job kind '${kind}' is already registered`);
    this.steppedKinds.set(kind, handlers);
  }

  /** Where a job the request in `ctx` starts comes from, now. */
  origin(ctx: RequestContext): AsrJobOrigin {
    return originOf(ctx, this.services.now());
  }

  /** Starts a job for the request in `ctx` (carrying any injected failure) and returns its record. */
  start(ctx: RequestContext, spec: AsrJobSpec, location = "global"): StoredResource {
    return this.startBy(this.origin(ctx), spec, location);
  }

  /** Starts a job for `origin` (a request's, or the service's own: {@link serviceOrigin}) and returns its record. */
  startBy(origin: AsrJobOrigin, spec: AsrJobSpec, location = "global"): StoredResource {
    const name = randomUUID();
    const id = `${origin.vaultId}/replicationJobs/${name}`;
    const operation = this.services.operations.start(
      {
        kind: spec.kind,
        subscriptionId: origin.subscriptionId,
        location,
        resourceId: id,
        apiVersion: origin.apiVersion,
        durationMs: spec.tasks.reduce((sum, t) => sum + t.durationMs, 0),
        pollIntervalMs: ASR_POLL_INTERVAL_MS,
        data: { ...(spec.data ?? {}), jobId: id },
        ...(origin.injectedFailure === undefined ? {} : { injectedFailure: origin.injectedFailure }),
      },
      origin.at,
    );
    return this.record(origin, spec, id, name, operation.id, operation.data, location, null);
  }

  /**
   * Starts a stepped job: its tasks run one after the other, each as its own operation, and the
   * kind's `taskDone` applies each task's effect when it ends; a task that waits for the user
   * suspends the job until it is resumed. An injected failure fails the first task.
   */
  startStepped(ctx: RequestContext, spec: AsrJobSpec): StoredResource {
    return this.startSteppedBy(this.origin(ctx), spec);
  }

  /** Starts a stepped job for `origin` (see {@link AsrJobs.startStepped}). */
  startSteppedBy(origin: AsrJobOrigin, spec: AsrJobSpec): StoredResource {
    if (!this.steppedKinds.has(spec.kind)) throw new Error(`unknown stepped job kind '${spec.kind}'`);
    const name = randomUUID();
    const id = `${origin.vaultId}/replicationJobs/${name}`;
    const data = { ...(spec.data ?? {}), jobId: id };
    const job = this.record(origin, spec, id, name, "", data, "global", []);
    const internal = job.internal as JobInternal;
    if (origin.injectedFailure !== undefined) internal.data.injectedFailure = origin.injectedFailure as unknown as JsonObject;
    this.runTasksFrom(job, 0, origin.at);
    return job;
  }

  /**
   * Sets how long a task of a stepped job that has not started yet lasts, and what it is called: for
   * work whose size is known only when the tasks before it end (e.g. the changes logged meanwhile).
   */
  replanTask(job: StoredResource, index: number, plan: { durationMs: number; friendlyName?: string }): void {
    const internal = job.internal as JobInternal;
    const task = internal.tasks[index];
    // A job that ended may share its task list with other ended jobs (see compact): it is never replanned.
    const running = internal.state === "InProgress" || internal.state === "Suspended";
    if (task === undefined || !running || (internal.taskRuns?.[index] ?? undefined) !== undefined)
      throw new Error(`task ${index} of job '${job.id}' cannot be replanned`);
    task.durationMs = plan.durationMs;
    if (plan.friendlyName !== undefined) task.friendlyName = plan.friendlyName;
  }

  /**
   * Holds the task a stepped job runs, at `at`: the service cannot go on (e.g. the site it copies
   * from is unreachable), so the task makes no progress until {@link AsrJobs.release}, which runs it
   * for the time it had left. No-op unless a task runs and is not held already.
   */
  hold(job: StoredResource, at: number): void {
    const internal = job.internal as JobInternal;
    if (internal.taskRuns === null || internal.state !== "InProgress" || (internal.heldRemainingMs ?? null) !== null) return;
    const operation = this.services.operations.get(internal.operationId);
    if (operation === undefined || operation.status !== "InProgress") return;
    this.services.operations.cancel(operation.id, at);
    internal.heldRemainingMs = Math.max(0, operation.dueAt - at);
  }

  /** Lets a held task of a stepped job go on at `at` for the time it had left; no-op when it is not held (or the job ended meanwhile). */
  release(job: StoredResource, at: number): void {
    const internal = job.internal as JobInternal;
    const remaining = internal.heldRemainingMs ?? null;
    if (remaining === null) return;
    internal.heldRemainingMs = null;
    if (internal.state !== "InProgress") return;
    this.startStep(job, remaining, at);
  }

  private record(
    origin: AsrJobOrigin,
    spec: AsrJobSpec,
    id: string,
    name: string,
    operationId: string,
    data: JsonObject,
    location: string,
    taskRuns: TaskRun[] | null,
  ): StoredResource {
    const internal: JobInternal = {
      kind: spec.kind,
      operationId,
      scenarioName: spec.scenarioName,
      friendlyName: spec.friendlyName,
      targetObjectId: spec.targetObjectId,
      targetObjectName: spec.targetObjectName,
      targetInstanceType: spec.targetInstanceType,
      resultResourceId: spec.resultResourceId ?? null,
      tasks: spec.tasks.map((t) => ({ ...t })),
      data,
      suspendOnSuccess: spec.suspendOnSuccess === true,
      state: "InProgress",
      startTime: origin.at,
      endTime: null,
      errors: [],
      location,
      taskRuns,
      ...(spec.customDetails === undefined ? {} : { customDetails: spec.customDetails }),
    };
    const job = ResourceStore.record(id, ASR_TYPES.job, { id, name, type: ASR_TYPES.job }, internal);
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
    if (job === undefined || internal?.state !== "Suspended") return;
    internal.state = "Succeeded";
    internal.endTime = at;
    this.compact(job);
  }

  /** The job's resource as served. */
  view(job: StoredResource): JsonObject {
    const internal = job.internal as JobInternal;
    const runs = internal.taskRuns ?? this.timedTaskRuns(internal);
    const tasks = internal.tasks.map((task, index) => {
      const run = runs[index];
      const ended = internal.state === "Failed" || internal.state === "Cancelled";
      const state = run?.state ?? (ended ? "Skipped" : "NotStarted");
      const taskBody: JsonObject = {
        taskId: `${job.body.name as string}-${index}`,
        name: task.name,
        friendlyName: task.friendlyName,
        state,
        stateDescription: state === "Succeeded" ? "Completed" : state,
        taskType: task.waitsForUser === true ? "ManualActionTaskDetails" : "TaskDetails",
        allowedActions: state === "Suspended" ? ["Resume"] : [],
        customDetails: task.waitsForUser === true ? { instanceType: "ManualActionTaskDetails" } : jobTaskDetails(job, internal),
        errors: state === "Failed" ? internal.errors : [],
      };
      if (run !== undefined) taskBody.startTime = new Date(run.start).toISOString();
      if (run?.end !== undefined && run.end !== null) taskBody.endTime = new Date(run.end).toISOString();
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
      allowedActions: allowedActions(internal),
      targetObjectId: internal.targetObjectId,
      targetObjectName: internal.targetObjectName,
      targetInstanceType: internal.targetInstanceType,
      customDetails: internal.customDetails ?? { instanceType: "AsrJobDetails", affectedObjectDetails: {} },
    };
    if (internal.endTime !== null) properties.endTime = new Date(internal.endTime).toISOString();
    return { ...job.body, properties };
  }

  /** The task runs of a timed job (one operation for all its tasks), derived from the time it has run. */
  private timedTaskRuns(internal: JobInternal): (TaskRun | undefined)[] {
    const elapsed = (internal.endTime ?? this.services.now()) - internal.startTime;
    let offset = 0;
    return internal.tasks.map((task, index) => {
      const start = offset;
      offset += task.durationMs;
      const isLast = index === internal.tasks.length - 1;
      const end = internal.startTime + Math.min(offset, elapsed);
      if (internal.state === "Succeeded" || internal.state === "Suspended") return { start: internal.startTime + start, end, state: "Succeeded" };
      if (elapsed >= offset && !(isLast && internal.state === "Failed")) return { start: internal.startTime + start, end, state: "Succeeded" };
      if (elapsed < start) return undefined;
      const state = internal.state === "InProgress" ? "InProgress" : internal.state;
      return { start: internal.startTime + start, end: state === "InProgress" ? null : end, state };
    });
  }

  registerRoutes(router: Router): void {
    const add = (method: string, path: string, operationId: string, handler: (ctx: RequestContext) => EmulatorResponse, changesState?: true): void =>
      router.add({
        method,
        template: `${VAULT_TEMPLATE}${path}`,
        operationId,
        apiVersions: ASR_API_VERSIONS,
        resourceType: "vaults/replicationJobs",
        handler,
        ...(changesState === undefined ? {} : { changesState }),
      });
    add("GET", "/replicationJobs", "ReplicationJobs_List", (ctx) => this.list(ctx));
    add("GET", "/replicationJobs/{jobName}", "ReplicationJobs_Get", (ctx) => jsonResponse(200, this.view(this.require(ctx))));
    add("POST", "/replicationJobs/{jobName}/cancel", "ReplicationJobs_Cancel", (ctx) => this.cancel(ctx));
    add("POST", "/replicationJobs/{jobName}/restart", "ReplicationJobs_Restart", (ctx) => this.restart(ctx));
    add("POST", "/replicationJobs/{jobName}/resume", "ReplicationJobs_Resume", (ctx) => this.resume(ctx));
    // Polls move virtual time.
    add("GET", "/replicationOperationStatus/{jobName}", "ReplicationOperationStatus_Get", (ctx) => this.status(ctx), true);
    add("GET", "/operationresults/{jobName}", "ReplicationOperationResults_Get", (ctx) => this.result(ctx), true);
  }

  private require(ctx: RequestContext): StoredResource {
    const job = this.get(`${vaultIdOf(ctx)}/replicationJobs/${param(ctx, "jobName")}`);
    if (job === undefined) throw resourceNotFound(ASR_TYPES.job, param(ctx, "jobName"), param(ctx, "resourceGroupName"));
    return job;
  }

  /** Newest first; only the page asked for is rendered (a vault keeps every job, and a listing reads them page by page). */
  private list(ctx: RequestContext): EmulatorResponse {
    const jobs = this.services.resources
      .list(vaultIdOf(ctx), ASR_TYPES.job)
      .sort((a, b) => (b.internal as JobInternal).startTime - (a.internal as JobInternal).startTime);
    return jsonResponse(
      200,
      pageOf(ctx, jobs, this.services.settings.pageSize, (job) => this.view(job)),
    );
  }

  private headers(ctx: RequestContext, job: StoredResource): Record<string, string> {
    const vault = `${ctx.baseUrl}${vaultIdOf(ctx)}`;
    const name = String(job.body.name);
    return {
      "azure-asyncoperation": `${vault}/replicationOperationStatus/${name}?api-version=${ctx.apiVersion}`,
      location: `${vault}/operationresults/${name}?api-version=${ctx.apiVersion}`,
      "retry-after": this.services.clock.mode === "virtual" ? "0" : String(Math.ceil(ASR_POLL_INTERVAL_MS / 1000 / this.services.clock.scale)),
      ...pollIntervalHeaders(this.services.clock.mode, ASR_POLL_INTERVAL_MS),
    };
  }

  /** A poll stands for the wait the client was asked to make (virtual time). */
  private polled(job: StoredResource): OperationRecord | undefined {
    const internal = job.internal as JobInternal;
    const operation = this.services.operations.get(internal.operationId);
    if (operation?.status === "InProgress" && this.services.clock.mode === "virtual")
      this.services.advance(this.services.operations.pollAdvance(operation, this.services.now()));
    return this.services.operations.get(internal.operationId);
  }

  private status(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const operation = this.polled(job);
    const internal = job.internal as JobInternal;
    const status = this.isUnderWay(job) ? "InProgress" : internal.state === "Failed" ? "Failed" : internal.state === "Cancelled" ? "Canceled" : "Succeeded";
    const body: JsonObject = {
      id: `${vaultIdOf(ctx)}/replicationOperationStatus/${String(job.body.name)}`,
      name: String(job.body.name),
      status,
      startTime: new Date(internal.startTime).toISOString(),
    };
    if (internal.endTime !== null) body.endTime = new Date(internal.endTime).toISOString();
    if (status === "Failed" && operation?.error !== undefined) body.error = { code: operation.error.code, message: operation.error.message };
    const { "retry-after": retryAfter, [POLL_INTERVAL_HEADER]: interval } = this.headers(ctx, job);
    return jsonResponse(
      200,
      body,
      status === "InProgress" ? { "retry-after": retryAfter as string, ...(interval === undefined ? {} : { [POLL_INTERVAL_HEADER]: interval }) } : {},
    );
  }

  private result(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const operation = this.polled(job);
    const internal = job.internal as JobInternal;
    if (this.isUnderWay(job)) return emptyResponse(202, this.headers(ctx, job));
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
    if (error !== undefined) {
      this.fail(job, at, error, internal.tasks.length - 1);
      return;
    }
    internal.endTime = at;
    internal.state = internal.suspendOnSuccess ? "Suspended" : "Succeeded";
    this.compact(job);
  }

  /**
   * Keeps of a job that ended for good (no action can resume or restart it: succeeded, cancelled, or
   * a stepped job that failed) only what its view shows. What its kind needed to run it (`data`,
   * which its operation holds too) is dropped, and its task list is shared with the ended jobs that
   * have the same one: a vault keeps every job, and tens of thousands of per-job copies made every
   * garbage collection walk megabytes that never change.
   */
  private compact(job: StoredResource): void {
    const internal = job.internal as JobInternal;
    if (allowedActions(internal).length > 0) return;
    const operation = internal.operationId === "" ? undefined : this.services.operations.get(internal.operationId);
    // Polls read a finished operation's status and error, never its data: its kind's handlers have run.
    if (operation !== undefined && operation.data.jobId === job.id) operation.data = { jobId: job.id };
    internal.data = {};
    internal.tasks = this.sharedTaskList(internal.tasks);
  }

  /** The list of ended jobs' tasks equal to `tasks` (kept per state document, so that a reset or restore forgets them). */
  private sharedTaskList(tasks: JobInternal["tasks"]): JobInternal["tasks"] {
    const state = this.services.state();
    let lists = this.taskLists.get(state);
    if (lists === undefined) {
      lists = new Map();
      this.taskLists.set(state, lists);
    }
    const key = JSON.stringify(tasks);
    const shared = lists.get(key);
    if (shared !== undefined) return shared;
    lists.set(key, tasks);
    return tasks;
  }

  /** Ends the job as failed at task `taskIndex`. */
  private fail(job: StoredResource, at: number, error: OperationError, taskIndex: number): void {
    const internal = job.internal as JobInternal;
    internal.endTime = at;
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
        taskId: `${String(job.body.name)}-${taskIndex}`,
      },
    ];
    this.compact(job);
  }

  /** Runs the tasks of a stepped job from `index` at `at`: starts the next one, stops at one that waits for the user, or ends the job. */
  private runTasksFrom(job: StoredResource, index: number, at: number): void {
    const internal = job.internal as JobInternal;
    const runs = taskRunsOf(internal);
    const task = internal.tasks[index];
    if (task === undefined) {
      this.steppedKind(internal).completed?.(job, at);
      internal.endTime = at;
      internal.state = internal.suspendOnSuccess ? "Suspended" : "Succeeded";
      this.compact(job);
      return;
    }
    runs[index] = { start: at, end: null, state: task.waitsForUser === true ? "Suspended" : "InProgress" };
    if (task.waitsForUser === true) {
      internal.state = "Suspended";
      return;
    }
    internal.state = "InProgress";
    const injected = internal.data.injectedFailure as unknown as OperationError | undefined;
    delete internal.data.injectedFailure;
    this.startStep(job, task.durationMs, at, injected);
  }

  /**
   * Starts the operation that runs the current task of a stepped job for `durationMs` from `at`
   * (failing with `injected` when given) and makes it the job's operation.
   */
  private startStep(job: StoredResource, durationMs: number, at: number, injected?: OperationError): void {
    const internal = job.internal as JobInternal;
    const operation = this.services.operations.start(
      {
        kind: STEP_KIND,
        subscriptionId: job.id.split("/")[2] ?? "",
        location: internal.location,
        resourceId: job.id,
        apiVersion: "",
        durationMs,
        pollIntervalMs: ASR_POLL_INTERVAL_MS,
        data: { jobId: job.id },
        ...(injected === undefined ? {} : { injectedFailure: injected }),
      },
      at,
    );
    internal.operationId = operation.id;
  }

  /** The stepped job an operation runs a task of, unless the job moved on (cancelled). */
  private currentStepJob(operation: OperationRecord): StoredResource | undefined {
    const job = this.get(String(operation.data.jobId));
    return job !== undefined && (job.internal as JobInternal).operationId === operation.id ? job : undefined;
  }

  private steppedKind(internal: JobInternal): AsrSteppedJobKind {
    const kind = this.steppedKinds.get(internal.kind);
    if (kind === undefined) throw new Error(`unknown stepped job kind '${internal.kind}'`);
    return kind;
  }

  private cancel(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const internal = job.internal as JobInternal;
    if (internal.state !== "InProgress" && internal.state !== "Suspended") throw notAllowed(internal, "Cancel");
    this.cancelAt(job, this.services.now());
    return this.actionAccepted(ctx, job);
  }

  /** Cancels a running or suspended job at `at`, undoing what its kind started (as a user's cancel does); no-op for a finished job. */
  cancelAt(job: StoredResource, now: number): void {
    const internal = job.internal as JobInternal;
    if (internal.state !== "InProgress" && internal.state !== "Suspended") return;
    const operation = this.services.operations.get(internal.operationId);
    const stopped = operation !== undefined && this.services.operations.cancel(internal.operationId, now);
    if (internal.taskRuns !== null) {
      const index = currentTask(internal);
      const run = internal.taskRuns[index];
      if (run !== undefined && run.end === null) Object.assign(run, { end: now, state: "Cancelled" });
      this.steppedKind(internal).cancelled?.(job, index, now);
    } else if (stopped) {
      this.kinds.get(internal.kind)?.cancelled?.(operation, now);
    }
    internal.state = "Cancelled";
    internal.endTime = now;
    this.compact(job);
  }

  private restart(ctx: RequestContext): EmulatorResponse {
    const job = this.require(ctx);
    const internal = job.internal as JobInternal;
    if (!allowedActions(internal).includes("Restart")) throw notAllowed(internal, "Restart");
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
    if (waitsForUser(internal)) {
      const index = currentTask(internal);
      Object.assign(taskRunsOf(internal)[index] as TaskRun, { end: now, state: "Succeeded" });
      this.runTasksFrom(job, index + 1, now);
      return this.actionAccepted(ctx, job);
    }
    if (internal.taskRuns === null) this.kinds.get(internal.kind)?.resumed?.(job, now);
    else this.steppedKind(internal).resumed?.(job, now);
    internal.state = "Succeeded";
    internal.endTime = now;
    this.compact(job);
    return this.actionAccepted(ctx, job);
  }

  /** Whether the job is still under way for its caller: running, or stopped at a task that waits for the user. */
  isUnderWay(job: StoredResource): boolean {
    const internal = job.internal as JobInternal;
    return internal.state === "InProgress" || waitsForUser(internal);
  }

  /** A job action (cancel, restart, resume) is accepted at once; its `Location` is the job, whose GET is the result. */
  private actionAccepted(ctx: RequestContext, job: StoredResource): EmulatorResponse {
    return emptyResponse(202, { location: `${ctx.baseUrl}${job.id}?api-version=${ctx.apiVersion}`, "retry-after": "0" });
  }
}

function allowedActions(internal: JobInternal): JsonValue[] {
  switch (internal.state) {
    case "InProgress":
      return ["Cancel"];
    case "Failed":
      // A stepped job (a recovery plan's) is not restarted: running the plan's operation again continues it.
      return internal.taskRuns === null ? ["Restart"] : [];
    case "Suspended":
      return ["Cancel", "Resume"];
    default:
      return [];
  }
}

/** The index of the task a stepped job is at (the last one that started). */
function currentTask(internal: JobInternal): number {
  return taskRunsOf(internal).length - 1;
}

function taskRunsOf(internal: JobInternal): TaskRun[] {
  if (internal.taskRuns === null) throw new Error(`job '${internal.friendlyName}' is not a stepped job`);
  return internal.taskRuns;
}

/** Whether a stepped job is stopped at a task that waits for the user (a manual action). */
function waitsForUser(internal: JobInternal): boolean {
  if (internal.taskRuns === null || internal.state !== "Suspended") return false;
  return internal.tasks[currentTask(internal)]?.waitsForUser === true && internal.taskRuns[currentTask(internal)]?.state === "Suspended";
}

function stateDescription(internal: JobInternal): string {
  if (internal.state === "Succeeded") return "Completed";
  if (internal.state === "Suspended")
    return waitsForUser(internal) || internal.scenarioName !== "TestFailover" ? "WaitingForUserInput" : "WaitingForStopTestFailover";
  return internal.state;
}

function notAllowed(internal: JobInternal, action: string): ArmError {
  return new ArmError(
    400,
    "JobActionNotAllowed",
    `The action '${action}' is not allowed on job '${internal.friendlyName}' in state '${internal.state}'. Allowed actions: ${JSON.stringify(allowedActions(internal))}.`,
  );
}
