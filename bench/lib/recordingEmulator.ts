import type { Emulator, EmulatorRequest } from "../../emulator/index.js";

/** An emulator that also keeps the body of every PUT it answers, by URL path. */
export interface RecordingEmulator extends Emulator {
  readonly putBodies: Map<string, string>;
}

/** Wraps `emulator` so the wire bodies of two clients can be compared. */
export function recording(emulator: Emulator): RecordingEmulator {
  const putBodies = new Map<string, string>();
  return {
    handle(request: EmulatorRequest) {
      if (request.method === "PUT" && request.body !== undefined) putBodies.set(new URL(request.url).pathname, request.body);
      return emulator.handle(request);
    },
    persist: () => emulator.persist(),
    control: emulator.control,
    clock: emulator.clock,
    faults: emulator.faults,
    resources: emulator.resources,
    get requestCount() {
      return emulator.requestCount;
    },
    putBodies,
  };
}
