import { CommanderError } from "commander";
import { isDrError } from "../sdk/index.js";

/** Exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** The operation or the drill failed (Azure said no, a job failed, a check failed), or the user answered no. */
  failed: 1,
  /** Bad input: an unknown option, a bad flag value, a topology file, a config file, a missing `--yes`. */
  usage: 2,
  /** Not allowed in the current state (e.g. commit before failover, a manual action waits for approval). */
  invalidState: 3,
  /** Stopped by Ctrl-C. */
  interrupted: 130,
} as const;

/** Why the CLI itself stops a command (as opposed to the SDK or Azure refusing it). */
export type CliStopCode = "ManualActionPending" | "NotConfirmed";

/**
 * The CLI stops a command on its own: a manual action waits for an approval it did not get
 * (`ManualActionPending`, exit 3) or the user answered no to "Proceed?" (`NotConfirmed`, exit 1).
 */
export class CliStop extends Error {
  /**
   * @param code why it stopped, which decides the exit code.
   * @param message what happened.
   * @param hint what to do next.
   */
  constructor(
    readonly code: CliStopCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "CliStop";
  }
}

const HINTS: Readonly<Record<string, string>> = {
  ValidationFailed: "check the value named above",
  InvalidState: "run `azure-dr status` to see the state and the allowed operations",
  ResourceNotFound: "check the names (vault, plan, VM) and the subscription",
  AuthenticationFailed: "sign in (az login) or set the AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET variables",
  Throttled: "Azure is throttling: wait and run the command again",
  ServiceUnavailable: "the service (or the emulator) did not answer: check it runs and try again",
  Timeout: "the operation goes on in Azure: follow it with `azure-dr status`",
  OperationFailed: "see the job's error above; `azure-dr status` shows where things stand",
};

const CODES: Readonly<Record<string, number>> = {
  ValidationFailed: EXIT.usage,
  InvalidState: EXIT.invalidState,
  Aborted: EXIT.interrupted,
  ManualActionPending: EXIT.invalidState,
  NotConfirmed: EXIT.failed,
};

/**
 * The one place that turns an error into an exit code, printing it with its code and what to do:
 * commander's own errors (unknown option, bad or missing value: 2; `--help`, `--version`: 0; it
 * printed them already), {@link CliStop}, the SDK's errors by code (`ValidationFailed` 2,
 * `InvalidState` 3, `Aborted` 130, others 1), anything else 1.
 */
export function reportFailure(error: unknown, write: (text: string) => void = (text) => process.stderr.write(text)): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return EXIT.ok;
    write("  what to do: see `azure-dr --help` or `azure-dr <command> --help`\n");
    return EXIT.usage;
  }
  if (error instanceof CliStop) {
    write(`azure-dr: ${error.code}: ${error.message}\n  what to do: ${error.hint}\n`);
    return CODES[error.code] ?? EXIT.failed;
  }
  if (!isDrError(error)) {
    write(`azure-dr: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
  const azure = error.azureCode === undefined || error.azureCode === error.code ? "" : ` (Azure: ${error.azureCode})`;
  write(`azure-dr: ${error.code}${azure}: ${error.message}\n`);
  const hint = HINTS[error.code];
  if (hint !== undefined) write(`  what to do: ${hint}\n`);
  return CODES[error.code] ?? EXIT.failed;
}
