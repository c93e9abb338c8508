import { ComputeManagementClient } from "@azure/arm-compute";
import { SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import type { TokenCredential } from "@azure/core-auth";
import { createInProcessHttpClient, type RequestHandler } from "../../emulator/index.js";

/** The subscription every benchmark uses (a valid GUID, as the emulator requires). */
export const BENCH_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";

/** A token the emulator accepts; nothing checks it. */
export const benchCredential: TokenCredential = {
  getToken: () => Promise.resolve({ token: "bench-token", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/**
 * The official Compute client with the emulator as its transport, as a user would build it:
 * default endpoint and options, only `httpClient` swapped.
 */
export function officialComputeClient(emulator: RequestHandler): ComputeManagementClient {
  return new ComputeManagementClient(benchCredential, BENCH_SUBSCRIPTION_ID, { httpClient: createInProcessHttpClient(emulator) });
}

/** ARM's token scope. The Site Recovery client's default scope would follow its endpoint. */
export const ARM_TOKEN_SCOPE = "https://management.azure.com/.default";

/**
 * The official Site Recovery client with the emulator as its transport: default endpoint, ARM's
 * token scope, only `httpClient` swapped.
 */
export function officialSiteRecoveryClient(emulator: RequestHandler): SiteRecoveryManagementClient {
  return new SiteRecoveryManagementClient(benchCredential, BENCH_SUBSCRIPTION_ID, {
    httpClient: createInProcessHttpClient(emulator),
    credentialScopes: [ARM_TOKEN_SCOPE],
  });
}

/**
 * Poll options for VM LROs: core-lro ignores `Retry-After: 0` and would wait its default 2 s per
 * poll, so the interval must be given.
 */
export const NO_POLL_DELAY = { updateIntervalInMs: 0 } as const;
