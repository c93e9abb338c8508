import { ComputeManagementClient } from "@azure/arm-compute";
import { RecoveryServicesClient } from "@azure/arm-recoveryservices";
import { SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { Backend, BackendRetryOptions } from "../backends/backend.js";

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

/** Options every HLC-generated client (Site Recovery, Recovery Services) takes from a backend; `$host` and `endpoint` both redirect it. */
function hlcOptions(backend: Backend): {
  endpoint: string;
  $host: string;
  credentialScopes: string[];
  userAgentOptions: { userAgentPrefix: string };
  httpClient?: HttpClient;
  retryOptions?: BackendRetryOptions;
} {
  return {
    endpoint: backend.endpoint,
    $host: backend.endpoint,
    // The Site Recovery client's default scope follows the endpoint; ARM's scope is what tokens are for.
    credentialScopes: [backend.tokenScope],
    userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    ...(backend.httpClient === undefined ? {} : { httpClient: backend.httpClient }),
    ...(backend.retryOptions === undefined ? {} : { retryOptions: backend.retryOptions }),
  };
}

/** Builds the official Site Recovery client for a backend. */
export function createSiteRecoveryClient(backend: Backend): SiteRecoveryManagementClient {
  return new SiteRecoveryManagementClient(backend.credential, backend.subscriptionId, hlcOptions(backend));
}

/** Builds the official Recovery Services client (vaults) for a backend. */
export function createRecoveryServicesClient(backend: Backend): RecoveryServicesClient {
  return new RecoveryServicesClient(backend.credential, backend.subscriptionId, hlcOptions(backend));
}
