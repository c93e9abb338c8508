import { createAzureBackend, createEmulatorBackend, createFakeBackend, type Backend, type FakeBackend } from "../sdk/index.js";
import type { CliSettings } from "./settings.js";

/** Options of {@link openBackend}. */
export interface OpenBackendOptions {
  /** Fake backend: forget the state file's saved state (a fresh estate), once its lock is held. */
  fresh?: boolean;
}

/**
 * The backend the settings name: the embedded fake (its state in the settings' state file, so that
 * one command sees what the one before left), a running emulator, or Azure with
 * `DefaultAzureCredential` (environment, managed identity, Azure CLI login...).
 * @throws ValidationError; DrError `ServiceUnavailable` when no emulator answers; InvalidStateError (`InvalidState`) when another process holds the state file (nothing is deleted then).
 */
export async function openBackend(settings: CliSettings, options: OpenBackendOptions = {}): Promise<Backend | FakeBackend> {
  switch (settings.backend) {
    case "azure":
      return createAzureBackend({ subscriptionId: settings.subscriptionId ?? "" });
    case "emulator":
      return createEmulatorBackend({
        url: settings.emulatorUrl ?? "",
        ...(settings.subscriptionId === undefined ? {} : { subscriptionId: settings.subscriptionId }),
      });
    case "fake":
      return createFakeBackend({
        stateFile: settings.stateFile,
        fresh: options.fresh === true,
        time: settings.time,
        timeScale: settings.timeScale,
        // A VM's disks copy in minutes rather than hours, as a drill estate's small disks would.
        replicationBandwidthMBps: 512,
        ...(settings.subscriptionId === undefined ? {} : { subscriptionId: settings.subscriptionId }),
      });
  }
}
