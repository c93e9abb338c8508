import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { systemClock } from "../clock.js";
import { subscriptionIdSchema } from "../model/names.js";
import { validate } from "../model/validate.js";
import { z } from "zod";
import { PUBLIC_ARM_ENDPOINT, type Backend, type BackendRetryOptions } from "./backend.js";

/** ARM endpoints of the Azure clouds. */
export const AZURE_CLOUD_ENDPOINTS = {
  AzurePublicCloud: PUBLIC_ARM_ENDPOINT,
  AzureChinaCloud: "https://management.chinacloudapi.cn",
  AzureUSGovernment: "https://management.usgovcloudapi.net",
} as const;

/** Options of {@link createAzureBackend}. */
export interface AzureBackendOptions {
  subscriptionId: string;
  /** Any `TokenCredential`. @default new DefaultAzureCredential() */
  credential?: TokenCredential;
  /** @default "AzurePublicCloud" */
  cloud?: keyof typeof AZURE_CLOUD_ENDPOINTS;
  retryOptions?: BackendRetryOptions;
}

const optionsSchema = z.object({
  subscriptionId: subscriptionIdSchema,
  cloud: z.enum(Object.keys(AZURE_CLOUD_ENDPOINTS) as [keyof typeof AZURE_CLOUD_ENDPOINTS]).optional(),
});

/**
 * Real Azure: HTTPS to ARM with `DefaultAzureCredential` (or the given credential) and the wall clock.
 * @throws ValidationError (`ValidationFailed`) for a malformed subscription id or unknown cloud.
 */
export function createAzureBackend(options: AzureBackendOptions): Backend {
  validate(optionsSchema, { subscriptionId: options.subscriptionId, cloud: options.cloud }, "");
  const endpoint = AZURE_CLOUD_ENDPOINTS[options.cloud ?? "AzurePublicCloud"];
  return {
    kind: "azure",
    subscriptionId: options.subscriptionId,
    credential: options.credential ?? new DefaultAzureCredential(),
    endpoint,
    tokenScope: `${endpoint}/.default`,
    httpClient: undefined,
    clock: systemClock,
    pollIntervalHeader: undefined,
    retryOptions: options.retryOptions,
    close: async () => undefined,
  };
}
