import { loadEmulator } from "./loadEmulator.js";
import type { Emulator, EmulatorOptions, StateFile } from "../../emulator/index.js";
import { abortedError, systemClock, throwIfAborted, type Clock } from "../clock.js";
import { subscriptionIdSchema } from "../model/names.js";
import { validate } from "../model/validate.js";
import { InvalidStateError, ValidationError } from "../errors.js";
import { PUBLIC_ARM_ENDPOINT, PUBLIC_ARM_SCOPE, type Backend } from "./backend.js";
import { fakeCredential } from "./fakeCredential.js";
import { POLL_INTERVAL_HEADER } from "../../emulator/arm/pollInterval.js";
import { withVirtualPollWaits } from "./virtualPollWaits.js";
import { VirtualSleepers } from "./virtualSleepers.js";

/** The subscription the fake backend uses unless told otherwise. */
export const FAKE_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";

/** Options of {@link createFakeBackend}. */
export interface FakeBackendOptions extends Pick<
  EmulatorOptions,
  "time" | "timeScale" | "startTime" | "seed" | "pageSize" | "replicationBandwidthMBps" | "throttling" | "readCache"
> {
  /** @default "00000000-0000-0000-0000-000000000000" */
  subscriptionId?: string;
  /** Share an existing emulator instead of creating one. */
  emulator?: Emulator;
  /**
   * Keep the emulator's state in this JSON file and a journal of changes beside it (loaded at start,
   * each change on disk before it is answered, locked while open), so that another process can take
   * over after this one stops or crashes.
   */
  stateFile?: string;
  /**
   * With `stateFile`: start from an empty estate. The file is locked first and only then its
   * saved state deleted, so a file another process is using is never touched.
   */
  fresh?: boolean;
}

/** The embedded fake: the emulator in this process, reached without a socket. */
export interface FakeBackend extends Backend {
  readonly kind: "fake";
  /** The emulator behind it: its control surface drives time, faults, outages and maintenance waves. */
  readonly emulator: Emulator;
}

/**
 * The embedded fake backend (the default for offline work): an in-process emulator as the Azure
 * clients' `HttpClient`, a fake token, and the emulator's clock (virtual unless `time: "real"`),
 * so waits of hours finish in milliseconds with true timestamps.
 * @throws ValidationError (`ValidationFailed`) for a malformed subscription id, or `fresh` without `stateFile`;
 * InvalidStateError (`InvalidState`) when another live process holds the state file.
 */
export async function createFakeBackend(options: FakeBackendOptions = {}): Promise<FakeBackend> {
  const subscriptionId = validate(subscriptionIdSchema, options.subscriptionId ?? FAKE_SUBSCRIPTION_ID, "subscriptionId");
  const { createEmulator, createInProcessHttpClient } = loadEmulator();
  const emulatorOptions: EmulatorOptions = {};
  for (const key of ["time", "timeScale", "startTime", "seed", "pageSize", "replicationBandwidthMBps", "throttling", "readCache"] as const) {
    if (options[key] !== undefined) Object.assign(emulatorOptions, { [key]: options[key] });
  }
  if (options.stateFile !== undefined && options.emulator !== undefined) throw new ValidationError("stateFile", "cannot be combined with 'emulator'");
  if (options.fresh === true && options.stateFile === undefined)
    throw new ValidationError("fresh", "needs 'stateFile' (there is nothing to start afresh without one)");
  const stateFile = options.stateFile === undefined ? undefined : await openStateFile(options.stateFile, options.fresh === true);
  if (stateFile !== undefined) emulatorOptions.persistence = stateFile;
  let emulator: Emulator;
  try {
    emulator = options.emulator ?? createEmulator(emulatorOptions);
  } catch (error) {
    // A state file that cannot be loaded is not kept locked.
    await stateFile?.close();
    throw error;
  }
  // One set of sleepers for all the SDK's waits, the waits between polls among them: they all overlap.
  const sleepers = new VirtualSleepers({ now: () => emulator.clock.now(), advance: (ms) => void emulator.control.advanceClock(ms) });
  return {
    kind: "fake",
    subscriptionId,
    credential: fakeCredential,
    endpoint: PUBLIC_ARM_ENDPOINT,
    tokenScope: PUBLIC_ARM_SCOPE,
    httpClient: withVirtualPollWaits(createInProcessHttpClient(emulator), sleepers, POLL_INTERVAL_HEADER),
    clock: emulatorClock(emulator, sleepers),
    pollIntervalHeader: POLL_INTERVAL_HEADER,
    retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 100 },
    emulator,
    close: async () => {
      if (stateFile === undefined) return;
      try {
        // What in-process control calls changed is saved too (they change the state without a request).
        await emulator.persist();
      } finally {
        await stateFile.close();
      }
    },
  };
}

/** Opens (and locks) the state file; a lock held by another process is the SDK's `InvalidState`. */
async function openStateFile(path: string, fresh: boolean): Promise<StateFile> {
  const emulatorModule = loadEmulator();
  try {
    return await emulatorModule.StateFile.open(path, { fresh });
  } catch (error) {
    if ((error as { code?: unknown }).code === emulatorModule.STATE_FILE_LOCKED) throw new InvalidStateError((error as Error).message, { cause: error });
    throw error;
  }
}

/** The SDK's view of the emulator's clock: in virtual time a sleep advances it instead of waiting. */
function emulatorClock(emulator: Emulator, sleepers: VirtualSleepers): Clock {
  return {
    now: () => new Date(emulator.clock.now()),
    async sleep(ms, sleepOptions = {}) {
      throwIfAborted(sleepOptions.abortSignal);
      if (emulator.clock.mode === "real") return systemClock.sleep(ms / emulator.clock.scale, sleepOptions);
      await sleepers.sleep(ms, sleepOptions.abortSignal, () => abortedError(sleepOptions.abortSignal));
    },
  };
}
