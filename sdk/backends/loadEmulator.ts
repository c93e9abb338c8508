import type * as EmulatorExports from "../../emulator/index.js";

/** The emulator module's exports. */
export type EmulatorModule = typeof EmulatorExports;

/**
 * Loads the emulator on first use, so that programs on the real Azure backend never load it.
 * A synchronous `require` (not `import()`) keeps this CommonJS package loadable the same way
 * under Node, tsx and Pulumi's function serialization.
 */
export function loadEmulator(): EmulatorModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../../emulator/index.js") as EmulatorModule;
}
