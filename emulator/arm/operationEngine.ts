import { randomUUID } from "node:crypto";
import { ArmError } from "./armError.js";
import type { OperationError, OperationRecord } from "./operationRecord.js";
import type { JsonObject } from "./types.js";
import type { EmulatorState } from "../store/state.js";
import type { Scheduler } from "../scheduler.js";

/** What a kind of operation does when it ends. */
export interface OperationKind {
  /** Applies the operation's effect at emulated time `at`; throwing an {@link ArmError} fails it. */
  complete(operation: OperationRecord, at: number): void;
  /** Undoes or records what a failed operation leaves behind (the default leaves the resource as it was). */
  failed?(operation: OperationRecord, at: number, error: OperationError): void;
}

/** What starting an operation needs. */
export interface OperationStart {
  kind: string;
  subscriptionId: string;
  location: string;
  resourceId: string;
  apiVersion: string;
  durationMs: number;
  pollIntervalMs: number;
  data?: JsonObject;
  injectedFailure?: OperationError;
}

const COMPLETE_EVENT = "operation.complete";
const EXPIRE_EVENT = "operation.expire";
/** How long a finished operation's status stays readable (emulated). */
export const OPERATION_RETENTION_MS = 24 * 3600 * 1000;

/**
 * The long-running-operation engine shared by every provider: records operations in the state,
 * completes them on the service timeline, forgets them a day after they end, and lets a poll
 * stand for the wait the client was asked to make. The provider decides the wire protocol.
 */
export class OperationEngine {
  private readonly kinds = new Map<string, OperationKind>();

  constructor(
    private readonly getState: () => EmulatorState,
    private readonly scheduler: Scheduler,
  ) {
    scheduler.on(COMPLETE_EVENT, (data, at) => {
      this.finish(String(data.id), at);
      scheduler.schedule(at + OPERATION_RETENTION_MS, EXPIRE_EVENT, { id: data.id ?? null });
    });
    scheduler.on(EXPIRE_EVENT, (data) => {
      delete this.getState().operations[String(data.id).toLowerCase()];
    });
  }

  register(kind: string, handlers: OperationKind): void {
    if (this.kinds.has(kind)) throw new Error(`operation kind '${kind}' is already registered`);
    this.kinds.set(kind, handlers);
  }

  start(spec: OperationStart, now: number): OperationRecord {
    if (!this.kinds.has(spec.kind)) throw new Error(`unknown operation kind '${spec.kind}'`);
    const operation: OperationRecord = {
      id: randomUUID(),
      kind: spec.kind,
      subscriptionId: spec.subscriptionId,
      location: spec.location,
      resourceId: spec.resourceId,
      apiVersion: spec.apiVersion,
      status: "InProgress",
      startTime: now,
      dueAt: now + spec.durationMs,
      pollIntervalMs: spec.pollIntervalMs,
      data: spec.data ?? {},
    };
    if (spec.injectedFailure !== undefined) operation.injectedFailure = spec.injectedFailure;
    this.getState().operations[operation.id.toLowerCase()] = operation;
    this.scheduler.schedule(operation.dueAt, COMPLETE_EVENT, { id: operation.id });
    return operation;
  }

  /** Cancels a running operation at `at`; returns false when it is not running. */
  cancel(id: string, at: number): boolean {
    const operation = this.get(id);
    if (operation === undefined || operation.status !== "InProgress") return false;
    operation.status = "Canceled";
    operation.endTime = at;
    this.scheduler.schedule(at + OPERATION_RETENTION_MS, EXPIRE_EVENT, { id: operation.id });
    return true;
  }

  /**
   * How far a poll of a running operation moves virtual time: up to one interval after its previous
   * poll (or its start), never back. Concurrent pollers of different operations thus overlap, as
   * their waits would in real time, instead of each poll adding a whole interval to the shared clock.
   */
  pollAdvance(operation: OperationRecord, now: number): number {
    const target = (operation.lastPolledAt ?? operation.startTime) + operation.pollIntervalMs;
    operation.lastPolledAt = Math.max(now, target);
    return Math.max(0, target - now);
  }

  get(id: string): OperationRecord | undefined {
    return this.getState().operations[id.toLowerCase()];
  }

  private finish(id: string, at: number): void {
    const operation = this.get(id);
    if (operation === undefined || operation.status !== "InProgress") return;
    const kind = this.kinds.get(operation.kind);
    if (kind === undefined) throw new Error(`unknown operation kind '${operation.kind}'`);
    operation.endTime = at;
    let error = operation.injectedFailure;
    if (error === undefined) {
      try {
        kind.complete(operation, at);
        operation.status = "Succeeded";
        return;
      } catch (thrown) {
        if (!(thrown instanceof ArmError)) throw thrown;
        error = { code: thrown.code, message: thrown.message, httpStatus: thrown.status };
      }
    }
    operation.status = "Failed";
    operation.error = error;
    kind.failed?.(operation, at, error);
  }
}
