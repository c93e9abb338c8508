import type { CliSettings } from "./settings.js";

/** Which backend the settings name, as people say it: `fake (embedded emulator, state file ...)`, `emulator http://...`, `azure subscription ...`. */
export function describeBackend(settings: CliSettings): string {
  switch (settings.backend) {
    case "fake":
      return `fake (embedded emulator, state file ${settings.stateFile})`;
    case "emulator":
      return `emulator ${settings.emulatorUrl ?? ""}`;
    case "azure":
      return `azure subscription ${settings.subscriptionId ?? ""}`;
  }
}

/** The first line every command that talks to a backend prints (on stderr): which backend, and where that choice came from. */
export function backendBanner(settings: CliSettings): string {
  const source = settings.sources.backend;
  return `backend: ${describeBackend(settings)}; ${source === undefined ? "the default" : `from ${source}`}\n`;
}
