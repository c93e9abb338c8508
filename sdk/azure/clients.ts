import { ComputeManagementClient } from "@azure/arm-compute";
import type { Backend } from "../backends/backend.js";

/** The user agent prefix azure-dr adds to every request. */
export const USER_AGENT_PREFIX = "azure-dr/0.1.0";

/**
 * Builds the official Compute client for a backend: its endpoint and ARM token scope (the compute
 * client's scope does not follow the endpoint), its transport and its retry options.
 */
export function createComputeClient(backend: Backend): ComputeManagementClient {
  return new ComputeManagementClient(backend.credential, backend.subscriptionId, {
    endpoint: backend.endpoint,
    credentials: { scopes: [backend.tokenScope] },
    userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    ...(backend.httpClient === undefined ? {} : { httpClient: backend.httpClient }),
    ...(backend.retryOptions === undefined ? {} : { retryOptions: backend.retryOptions }),
  });
}
