import type { JsonObject } from "./types.js";

/** Terminal and running states of an asynchronous operation, as ARM spells them. */
export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

/** The error of a failed operation, and the HTTP status its synchronous twin would have had. */
export interface OperationError {
  code: string;
  message: string;
  httpStatus: number;
}

/** One asynchronous (long-running) operation. Plain data, so it persists with the state. */
export interface OperationRecord {
  id: string;
  /** Names the handler that completes it, e.g. `compute.vm.start`. */
  kind: string;
  subscriptionId: string;
  location: string;
  /** The resource it acts on. */
  resourceId: string;
  /** The api-version of the request that started it, echoed in its polling links. */
  apiVersion: string;
  status: OperationStatus;
  startTime: number;
  endTime?: number;
  dueAt: number;
  /** Emulated time one poll stands for; the interval the emulator asks clients to wait. */
  pollIntervalMs: number;
  data: JsonObject;
  /** Emulated time of the last poll that stood for a wait (virtual time). */
  lastPolledAt?: number;
  /** Set by a fault rule: the operation fails with this error when it would have completed. */
  injectedFailure?: OperationError;
  error?: OperationError;
}
