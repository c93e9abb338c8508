import { DrClient, createAzureBackend, createEmulatorBackend, createFakeBackend, type Backend } from "../../sdk/index.js";
import type { ProviderBackendConfig } from "./providerConfig.js";

/** Opens a backend for a configuration: what a {@link ProviderSession} calls (once, for a shared backend). */
export type BackendOpener = (config: ProviderBackendConfig) => Promise<Backend>;

/** Options of a {@link ProviderSession}. */
export interface ProviderSessionOptions {
  /** @default {@link openConfiguredBackend} */
  openBackend?: BackendOpener;
}

/**
 * The backend as configured: Azure with `DefaultAzureCredential`, an emulator at a URL, or the
 * embedded fake on a state file (its disks of a few GB copy in minutes of virtual time).
 * @throws ValidationError (`ValidationFailed`) for a malformed subscription id or URL;
 *   DrError `ServiceUnavailable` when no emulator answers at the URL.
 */
export async function openConfiguredBackend(config: ProviderBackendConfig): Promise<Backend> {
  const subscription = config.subscriptionId === undefined ? {} : { subscriptionId: config.subscriptionId };
  switch (config.kind) {
    case "azure":
      return createAzureBackend({ subscriptionId: config.subscriptionId });
    case "emulator":
      return createEmulatorBackend({ url: config.url, ...subscription });
    case "fake":
      return createFakeBackend({ stateFile: config.stateFile, replicationBandwidthMBps: 512, ...subscription });
  }
}

// Calls on one state file, per process: each holds the file's lock while it runs.
const stateFileQueues = new Map<string, Promise<unknown>>();

/**
 * Where one provider configuration's calls go. On Azure and on an emulator at a URL, one client
 * (so one credential and one token cache) is opened at the first call and shared by every call,
 * and calls run side by side: the engine sends the creates of independent resources at once, so N
 * VMs are protected in about one replication time, not N. On the fake backend each call opens
 * the state file (taking its lock, so that the engine's provider processes and the test's own
 * clients share the emulator's state), one call at a time per state file in the process.
 */
export class ProviderSession {
  private shared: Promise<DrClient> | undefined;
  private readonly openBackend: BackendOpener;

  constructor(
    readonly config: ProviderBackendConfig,
    options: ProviderSessionOptions = {},
  ) {
    this.openBackend = options.openBackend ?? openConfiguredBackend;
  }

  /**
   * Runs `work` with a client on the configured backend.
   * @throws what opening the backend throws (ValidationError, DrError `ServiceUnavailable`), or what `work` throws.
   */
  run<T>(work: (dr: DrClient) => Promise<T>): Promise<T> {
    return this.config.kind === "fake" ? this.runOnStateFile(this.config.stateFile, work) : this.runShared(work);
  }

  private async runShared<T>(work: (dr: DrClient) => Promise<T>): Promise<T> {
    if (this.shared === undefined) {
      const opening = this.openBackend(this.config).then((backend) => new DrClient(backend));
      this.shared = opening;
      // A failed open (an emulator not started yet) is not kept: the next call tries again.
      opening.catch(() => {
        if (this.shared === opening) this.shared = undefined;
      });
    }
    return work(await this.shared);
  }

  private runOnStateFile<T>(stateFile: string, work: (dr: DrClient) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const dr = new DrClient(await this.openBackend(this.config));
      try {
        return await work(dr);
      } finally {
        await dr.close();
      }
    };
    const previous = stateFileQueues.get(stateFile) ?? Promise.resolve();
    const result = previous.then(run, run);
    const settled = result.catch(() => undefined);
    stateFileQueues.set(stateFile, settled);
    void settled.then(() => {
      if (stateFileQueues.get(stateFile) === settled) stateFileQueues.delete(stateFile);
    });
    return result;
  }

  /** Releases the shared client, if one was opened (calls after this open a new one). */
  async close(): Promise<void> {
    const shared = this.shared;
    this.shared = undefined;
    if (shared !== undefined) await (await shared.catch(() => undefined))?.close();
  }
}
