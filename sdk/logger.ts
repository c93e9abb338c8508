import { createClientLogger, type AzureLogger } from "@azure/logger";

/**
 * The SDK's logger (`@azure/logger`, namespace `azure-dr`): enable with `AZURE_LOG_LEVEL=info`
 * (or `setLogLevel`). It never receives credentials or tokens.
 * @internal
 */
export const logger: AzureLogger = createClientLogger("azure-dr");
