import { isDrError } from "../sdk/index.js";

/** Exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** The operation or the drill failed (Azure said no, a job failed, a check failed). */
  failed: 1,
  /** Bad input: a flag, a topology file, a config file. */
  usage: 2,
  /** Not allowed in the current state (e.g. commit before failover). */
  invalidState: 3,
  /** Stopped by Ctrl-C. */
  interrupted: 130,
} as const;

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

/** Prints an error with its code and what to do, and returns the exit code it means. */
export function reportFailure(error: unknown, write: (text: string) => void = (text) => process.stderr.write(text)): number {
  if (!isDrError(error)) {
    write(`azure-dr: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
  const azure = error.azureCode === undefined || error.azureCode === error.code ? "" : ` (Azure: ${error.azureCode})`;
  write(`azure-dr: ${error.code}${azure}: ${error.message}\n`);
  const hint = HINTS[error.code];
  if (hint !== undefined) write(`  what to do: ${hint}\n`);
  if (error.code === "ValidationFailed") return EXIT.usage;
  if (error.code === "InvalidState") return EXIT.invalidState;
  if (error.code === "Aborted") return EXIT.interrupted;
  return EXIT.failed;
}
