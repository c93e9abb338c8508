import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { Clock } from "../clock.js";

/** How often and how long the Azure clients retry throttled and failed requests. */
export interface BackendRetryOptions {
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

/**
 * Where the official Azure clients' requests go and how time passes. Every backend drives the same
 * clients, mappers, pollers and error handling; only the transport, the credential and the clock differ.
 */
export interface Backend {
  readonly kind: "azure" | "fake" | "emulator";
  readonly subscriptionId: string;
  readonly credential: TokenCredential;
  /** ARM endpoint the clients address, e.g. `https://management.azure.com`. */
  readonly endpoint: string;
  /** Token scope for ARM, e.g. `https://management.azure.com/.default`. */
  readonly tokenScope: string;
  /** The transport; undefined means the Azure SDK's default HTTPS client. */
  readonly httpClient: HttpClient | undefined;
  readonly clock: Clock;
  /**
   * On an emulated backend in virtual time, the response header naming how long a poll of a
   * running operation stands for (its `Retry-After` is 0 there); undefined on Azure.
   */
  readonly pollIntervalHeader: string | undefined;
  readonly retryOptions: BackendRetryOptions | undefined;
  /** Releases what the backend holds. */
  close(): Promise<void>;
}

/** The public ARM endpoint and its token scope. */
export const PUBLIC_ARM_ENDPOINT = "https://management.azure.com";
/** Token scope of the public ARM endpoint. */
export const PUBLIC_ARM_SCOPE = "https://management.azure.com/.default";
