import { setTimeout as sleep } from "node:timers/promises";
import { createHttpHeaders, RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { EmulatorRequest, EmulatorResponse } from "../arm/types.js";

/** Anything that answers emulator requests (an {@link Emulator}). */
export interface RequestHandler {
  handle(request: EmulatorRequest): Promise<EmulatorResponse>;
}

/**
 * An Azure SDK `HttpClient` that hands each request to the emulator in the same process: no
 * socket, same pipeline (retries, pollers, error mapping) as against Azure.
 */
export function createInProcessHttpClient(emulator: RequestHandler): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      if (request.abortSignal?.aborted === true) throw new RestError("The operation was aborted.", { code: "ABORT_ERR", request });
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
      const emulatorRequest: EmulatorRequest = { method: request.method, url: request.url, headers };
      const body = bodyText(request.body);
      if (body !== undefined) emulatorRequest.body = body;
      const response = await emulator.handle(emulatorRequest);
      if (response.delayMs !== undefined) await sleep(response.delayMs);
      if (response.drop === true) throw new RestError("socket hang up", { code: "ECONNRESET", request });
      return { request, status: response.status, headers: createHttpHeaders(response.headers), bodyAsText: response.body ?? null };
    },
  };
}

function bodyText(body: PipelineRequest["body"]): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString("utf8");
  throw new RestError("The in-process emulator transport only carries string and byte bodies.", { code: "UNSUPPORTED_BODY" });
}
