import { DrClient, ValidationError, createAzureBackend, createEmulatorBackend, createFakeBackend, type Backend } from "../../sdk/index.js";

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

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `work` with a client on the configured backend, built for this call and closed after it.
 * Calls in one process run one at a time: on the fake backend each call takes the state file's
 * lock, so provider processes started by the engine share the emulator's state safely.
 */
export async function withDrClient<T>(config: Readonly<Record<string, string>>, work: (dr: DrClient) => Promise<T>): Promise<T> {
  const resolved = resolveBackendConfig(config);
  const run = async (): Promise<T> => {
    const backend = await openBackend(resolved);
    const dr = new DrClient(backend);
    try {
      return await work(dr);
    } finally {
      await dr.close();
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

async function openBackend(config: ProviderBackendConfig): Promise<Backend> {
  const subscription = config.subscriptionId === undefined ? {} : { subscriptionId: config.subscriptionId };
  switch (config.kind) {
    case "azure":
      return createAzureBackend({ subscriptionId: config.subscriptionId });
    case "emulator":
      return createEmulatorBackend({ url: config.url, ...subscription });
    case "fake":
      // Disks of a few GB copy in minutes: a stack's VMs are protected in a few polls of virtual time.
      return createFakeBackend({ stateFile: config.stateFile, replicationBandwidthMBps: 512, ...subscription });
  }
}
