import type { Emulator, EmulatorResponse } from "../../emulator/index.js";
import { SUB } from "./fixtures.js";

/** ARM base URL of the fake subscription's resource group, as the in-process transport sees it. */
export function rgUrl(resourceGroup: string, subscriptionId = SUB): string {
  return `https://management.azure.com/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute`;
}

/** Sends one request straight to the emulator's pure handler; parses a JSON body. */
export async function send(
  emulator: Emulator,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<EmulatorResponse & { json: Record<string, unknown> }> {
  const withVersion = url.includes("api-version=") ? url : `${url}${url.includes("?") ? "&" : "?"}api-version=2026-03-01`;
  const response = await emulator.handle({
    method,
    url: withVersion,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const json = response.body === undefined || response.body === "" ? {} : (JSON.parse(response.body) as Record<string, unknown>);
  return { ...response, json };
}

/** The ARM error code of a response. */
export function errorCode(response: { json: Record<string, unknown> }): string | undefined {
  return (response.json.error as { code?: string } | undefined)?.code;
}
