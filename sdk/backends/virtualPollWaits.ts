import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { abortedError } from "../clock.js";
import type { VirtualSleepers } from "./virtualSleepers.js";

/** The links of one running operation and when, on the virtual clock, it may be polled again. */
interface RunningOperation {
  notBeforeMs: number;
  urls: Set<string>;
}

/**
 * Wraps an emulated backend's `HttpClient` so that no poll of a long-running operation goes out
 * before the interval its last response named (the emulator's header, in virtual time) has passed
 * on the virtual clock: a poll sent earlier first sleeps the rest of it, through the same sleepers
 * as the SDK's own waits. The SDK waits between polls itself ({@link pollToEnd}), outside the
 * pipeline, so its polls pass straight through; what this catches is the poll an official client
 * sends on its own right after the first response (a `begin...` method of core-lro 2 does), and
 * the polls of any official client used directly on the fake's transport. Without it such a poll
 * would stand for a whole interval on its own and move the shared clock, where concurrent
 * operations must wait side by side.
 */
export function withVirtualPollWaits(inner: HttpClient, sleepers: VirtualSleepers, intervalHeader: string): HttpClient {
  const running = new Map<string, RunningOperation>();
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const operation = request.method === "GET" ? running.get(request.url) : undefined;
      // The pipeline's AbortSignalLike is the caller's AbortSignal.
      const abortSignal = request.abortSignal as AbortSignal | undefined;
      const early = operation === undefined ? 0 : operation.notBeforeMs - sleepers.now();
      if (early > 0) await sleepers.sleep(early, abortSignal, () => abortedError(abortSignal));
      const response = await inner.sendRequest(request);
      const interval = Number(response.headers.get(intervalHeader));
      if (Number.isFinite(interval) && interval > 0) {
        const current = operation ?? { notBeforeMs: 0, urls: new Set<string>() };
        current.notBeforeMs = sleepers.now() + interval;
        for (const name of ["azure-asyncoperation", "location"]) {
          const url = response.headers.get(name);
          if (url === undefined) continue;
          current.urls.add(url);
          running.set(url, current);
        }
      } else if (operation !== undefined) {
        // The operation ended: its final GET (the result at its Location) is not a poll.
        for (const url of operation.urls) running.delete(url);
      }
      return response;
    },
  };
}
