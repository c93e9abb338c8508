import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { abortedError } from "../clock.js";
import type { VirtualSleepers } from "./virtualSleepers.js";

/** The links of one running operation and how long a poll of it stands for. */
interface RunningOperation {
  intervalMs: number;
  urls: Set<string>;
}

/**
 * Wraps the fake backend's in-process `HttpClient` so that the waits between polls of long-running
 * operations happen on the virtual clock, through the same sleepers as the SDK's own sleeps: the
 * emulator names, in a response header, the interval a poll stands for; before polling one of that
 * operation's links again the client sleeps that long. Concurrent operations (a thousand VMs each
 * failing over and then committing) thus wait side by side, as in real time, instead of each poll
 * moving the shared clock on its own.
 */
export function withVirtualPollWaits(inner: HttpClient, sleepers: VirtualSleepers, intervalHeader: string): HttpClient {
  const running = new Map<string, RunningOperation>();
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const operation = request.method === "GET" ? running.get(request.url) : undefined;
      // The pipeline's AbortSignalLike is the caller's AbortSignal.
      const abortSignal = request.abortSignal as AbortSignal | undefined;
      if (operation !== undefined) await sleepers.sleep(operation.intervalMs, abortSignal, () => abortedError(abortSignal));
      const response = await inner.sendRequest(request);
      const interval = Number(response.headers.get(intervalHeader));
      if (Number.isFinite(interval) && interval > 0) {
        const current = operation ?? { intervalMs: interval, urls: new Set<string>() };
        current.intervalMs = interval;
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
