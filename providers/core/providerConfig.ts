import { ValidationError, type DrClient } from "../../sdk/index.js";
import { ProviderSession } from "./providerSession.js";

/** The stack configuration keys the providers read (fully qualified, so the host's project name does not matter). */
export const CONFIG_KEYS = {
  backend: "azure-dr:backend",
  subscriptionId: "azure-dr:subscriptionId",
  fakeStateFile: "azure-dr:fakeStateFile",
  emulatorUrl: "azure-dr:emulatorUrl",
} as const;

/** Where the providers' calls go, as the stack configuration (then the environment) says. */
export type ProviderBackendConfig =
  | { kind: "azure"; subscriptionId: string }
  | { kind: "fake"; stateFile: string; subscriptionId: string | undefined }
  | { kind: "emulator"; url: string; subscriptionId: string | undefined };

/**
 * Resolves the backend from the stack configuration, then the environment: `azure-dr:backend` =
 * `azure` (default; `azure-dr:subscriptionId` or `AZURE_SUBSCRIPTION_ID`; credentials from
 * `DefaultAzureCredential`), `fake` (the emulator, its state in `azure-dr:fakeStateFile` or
 * `AZURE_DR_FAKE_STATE_FILE`) or `emulator` (`azure-dr:emulatorUrl`). Credentials are never read here.
 * @throws ValidationError naming the missing key.
 */
export function resolveBackendConfig(config: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv = process.env): ProviderBackendConfig {
  const kind = config[CONFIG_KEYS.backend] ?? env.AZURE_DR_BACKEND ?? "azure";
  const subscriptionId = config[CONFIG_KEYS.subscriptionId] ?? env.AZURE_SUBSCRIPTION_ID;
  switch (kind) {
    case "azure":
      if (subscriptionId === undefined)
        throw new ValidationError(CONFIG_KEYS.subscriptionId, "is required with the azure backend (or set AZURE_SUBSCRIPTION_ID)");
      return { kind, subscriptionId };
    case "fake": {
      const stateFile = config[CONFIG_KEYS.fakeStateFile] ?? env.AZURE_DR_FAKE_STATE_FILE;
      if (stateFile === undefined)
        throw new ValidationError(CONFIG_KEYS.fakeStateFile, "is required with the fake backend: the emulator's state must outlive the provider processes");
      return { kind, stateFile, subscriptionId };
    }
    case "emulator": {
      const url = config[CONFIG_KEYS.emulatorUrl] ?? env.AZURE_DR_EMULATOR_URL;
      if (url === undefined) throw new ValidationError(CONFIG_KEYS.emulatorUrl, "is required with the emulator backend");
      return { kind, url, subscriptionId };
    }
    default:
      throw new ValidationError(CONFIG_KEYS.backend, `must be 'azure', 'fake' or 'emulator', not '${kind}'`);
  }
}

// One session per configuration in the process: the providers of every kind share its client.
const sessions = new Map<string, ProviderSession>();

/**
 * The session of a configuration (the same object for the same configuration, whichever
 * provider asks): one credential per configuration and process, not per call.
 * @throws ValidationError naming the missing or wrong key.
 */
export function sessionFor(config: Readonly<Record<string, string>>): ProviderSession {
  const resolved = resolveBackendConfig(config);
  const key = JSON.stringify(resolved);
  let session = sessions.get(key);
  if (session === undefined) {
    session = new ProviderSession(resolved);
    sessions.set(key, session);
  }
  return session;
}

/**
 * Runs `work` with a client on the configured backend (see {@link ProviderSession}): on Azure and
 * on an emulator at a URL, calls share one client and run side by side; on the fake backend, each
 * call opens the state file (taking its lock) and calls on one file run one at a time.
 * @throws ValidationError naming the missing or wrong configuration key; what `work` throws.
 */
export async function withDrClient<T>(config: Readonly<Record<string, string>>, work: (dr: DrClient) => Promise<T>): Promise<T> {
  return sessionFor(config).run(work);
}
