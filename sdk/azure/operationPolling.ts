import type { Backend } from "../backends/backend.js";
import type { Clock } from "../clock.js";

/** Wait between polls when the service names none: core-lro's own default. */
const DEFAULT_POLL_WAIT_MS = 2_000;

/** What the SDK uses of an official client's poller (core-lro 2's `SimplePollerLike`, core-lro 3's `PollerLike`). */
export interface OperationPoller<T> {
  /** Sends one status request; rejects with the operation's error once it failed or was canceled. */
  poll(options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  /** Once done: the result, or the operation's error. */
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<T>;
}

/** A response of an operation, as the official clients hand it to `onResponse`. */
export interface OperationResponse {
  headers: { get(name: string): string | undefined };
}

/**
 * Follows the responses of one long-running operation (pass {@link PollPacer.onResponse} as the
 * operation's `onResponse`: the official clients call it for the first response and every poll)
 * and keeps how long to wait before the next poll: on an emulated backend, the virtual interval its
 * header names (`Backend.pollIntervalHeader`; `Retry-After` is 0 there), else the service's
 * `Retry-After` (seconds or an HTTP date), else 2 seconds.
 */
export class PollPacer {
  private waitMs = DEFAULT_POLL_WAIT_MS;

  /** @param intervalHeader the emulated backend's virtual poll-interval header, if any. */
  constructor(private readonly intervalHeader: string | undefined) {}

  readonly onResponse = (response: OperationResponse): void => {
    const virtual = this.intervalHeader === undefined ? Number.NaN : Number(response.headers.get(this.intervalHeader));
    if (Number.isFinite(virtual) && virtual > 0) {
      this.waitMs = virtual;
      return;
    }
    const retryAfter = response.headers.get("retry-after");
    if (retryAfter === undefined) return;
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms)) this.waitMs = Math.max(0, ms);
  };

  /** How long to wait before the next poll. */
  get nextWaitMs(): number {
    return this.waitMs;
  }
}

/**
 * Polls a started operation to its end, waiting between polls on the backend's clock, outside
 * the client's pipeline: on the fake backend ten thousand concurrent operations each keep only
 * their poller while they wait, where a wait inside the transport kept every waiting request's
 * pipeline alive until the next round of polls (and the garbage collector copying it).
 * @throws what the operation failed with; DrError `Aborted` when the signal fires during a wait.
 */
export async function pollToEnd<T>(
  poller: OperationPoller<T>,
  isDone: () => boolean,
  pacer: PollPacer,
  clock: Clock,
  abortSignal: AbortSignal | undefined,
): Promise<T> {
  const options = abortSignal === undefined ? {} : { abortSignal };
  while (!isDone()) {
    await clock.sleep(pacer.nextWaitMs, options);
    await poller.poll(options);
  }
  return poller.pollUntilDone(options);
}

/** The options an official client's `begin...` method receives from {@link runOperation}. */
export interface PacedStartOptions {
  abortSignal?: AbortSignal;
  onResponse: (response: OperationResponse) => void;
}

/** A core-lro 2 poller (`SimplePollerLike`), whose `isDone` is a method. */
export interface MethodPoller<T> extends OperationPoller<T> {
  isDone(): boolean;
}

/**
 * Starts a long-running operation of a core-lro 2 client (`begin...`, which sends the first
 * request) with a {@link PollPacer} on its responses and polls it to its end ({@link pollToEnd}).
 */
export async function runOperation<T>(
  backend: Backend,
  start: (options: PacedStartOptions) => Promise<MethodPoller<T>>,
  abortSignal: AbortSignal | undefined,
): Promise<T> {
  const pacer = new PollPacer(backend.pollIntervalHeader);
  const poller = await start({ ...(abortSignal === undefined ? {} : { abortSignal }), onResponse: pacer.onResponse });
  return pollToEnd(poller, () => poller.isDone(), pacer, backend.clock, abortSignal);
}

/** A core-lro 3 poller (`PollerLike`), which sends its first request when created and whose `isDone` is a property. */
export interface SubmittedPoller<T> extends OperationPoller<T> {
  readonly isDone: boolean;
  /** Resolves once the first request was answered. */
  submitted(): Promise<void>;
}

/**
 * Starts a long-running operation of a core-lro 3 client (Compute: the method returns the poller
 * and sends the first request) with a {@link PollPacer} on its first response (these clients hand
 * only that one to `onResponse`), and polls it to its end ({@link pollToEnd}).
 */
export async function runSubmittedOperation<T>(
  backend: Backend,
  start: (options: PacedStartOptions) => SubmittedPoller<T>,
  abortSignal: AbortSignal | undefined,
): Promise<T> {
  const pacer = new PollPacer(backend.pollIntervalHeader);
  const poller = start({ ...(abortSignal === undefined ? {} : { abortSignal }), onResponse: pacer.onResponse });
  await poller.submitted();
  return pollToEnd(poller, () => poller.isDone, pacer, backend.clock, abortSignal);
}
