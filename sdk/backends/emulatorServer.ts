import { loadEmulator } from "./loadEmulator.js";
import type { Emulator, TimeMode } from "../../emulator/index.js";

/** Options of {@link serveEmulator}. */
export interface ServeEmulatorOptions {
  /** Loopback port; 0 picks a free one. @default 0 */
  port?: number;
  /** Loopback address. @default "127.0.0.1" */
  host?: string;
  /** A JSON file holding the state across runs (atomic writes, locked against a second writer). */
  stateFile?: string;
  /** @default "virtual" */
  time?: TimeMode;
  /** In real time, emulated seconds per real second. @default 1 */
  timeScale?: number;
  /** Seed of the fault rules' random source. @default 1 */
  seed?: number;
  /**
   * A secret the control routes (`/_emulator/...`) then demand as `Authorization: Bearer {token}`
   * (401 otherwise): 8 to 512 visible ASCII characters. Clients pass it as `createEmulatorBackend`'s
   * `controlToken` (or the `AZURE_DR_EMULATOR_TOKEN` environment variable). Without it, any local
   * process may use the control surface; browsers are refused either way.
   */
  controlToken?: string;
}

/** A running emulator server. */
export interface ServedEmulator {
  /** The URL to give clients or `createEmulatorBackend`. */
  readonly url: string;
  readonly emulator: Emulator;
  /** Stops the server, waits for requests under way (each is persisted before it is answered) and releases the state file. */
  close(): Promise<void>;
}

/**
 * Starts the emulator as an HTTP server on loopback (what `azure-dr emulator` runs).
 * @throws RangeError for a non-loopback host, a malformed control token or an unreadable state file; StateFileLockedError (`StateFileLocked`) when another process holds the state file.
 */
export async function serveEmulator(options: ServeEmulatorOptions = {}): Promise<ServedEmulator> {
  const { createEmulator, startEmulatorServer, StateFile } = loadEmulator();
  const stateFile = options.stateFile === undefined ? undefined : await StateFile.open(options.stateFile);
  try {
    const emulator = createEmulator({
      time: options.time ?? "virtual",
      ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(stateFile === undefined ? {} : { persistence: stateFile }),
    });
    const server = await startEmulatorServer(emulator, {
      port: options.port ?? 0,
      host: options.host ?? "127.0.0.1",
      ...(options.controlToken === undefined ? {} : { controlToken: options.controlToken }),
    });
    return {
      url: server.url,
      emulator,
      async close() {
        await server.close();
        await stateFile?.close();
      },
    };
  } catch (error) {
    await stateFile?.close();
    throw error;
  }
}
