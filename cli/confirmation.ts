import { createInterface } from "node:readline";
import { isatty } from "node:tty";
import { ValidationError } from "../sdk/index.js";
import { CliStop } from "./failure.js";
import { describeBackend } from "./backendBanner.js";
import type { CliSettings } from "./settings.js";

/** Where the CLI asks its questions: a person at a terminal, or nobody (a pipe, a CI job). */
export interface Terminal {
  /** Opened only to ask: a standard input that is an open pipe would otherwise keep the process alive. */
  input: () => NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** A person can answer: standard input and standard error are terminals. */
  interactive: boolean;
}

/** The process's own terminal: asks on stderr (stdout stays for results and `--json`), reads stdin. */
export function processTerminal(): Terminal {
  return { input: () => process.stdin, output: process.stderr, interactive: isatty(0) && isatty(2) };
}

/** Asks `question [y/N]` and reads one line: only `y` or `yes` (any case) is a yes; the end of input is a no. */
export async function askYesNo(terminal: Terminal, question: string): Promise<boolean> {
  terminal.output.write(`${question} [y/N] `);
  const input = terminal.input();
  const lines = createInterface({ input, terminal: false });
  const answer = await new Promise<string>((done) => {
    lines.once("line", done);
    lines.once("close", () => done(""));
  });
  lines.close();
  input.pause();
  return /^y(es)?$/i.test(answer.trim());
}

/**
 * Confirms an operation that changes what runs where (failover, failback, commit, reprotect, a
 * full drill, a maintenance run) before anything is sent: on the fake backend it goes ahead;
 * elsewhere `--yes` confirms it, a person at a terminal answers "Proceed? [y/N]", and without a
 * terminal the command stops.
 * @throws ValidationError (`ValidationFailed`, field `yes`, exit 2) without `--yes` and without a terminal;
 * CliStop `NotConfirmed` (exit 1) when the answer is no.
 */
export async function confirmOperation(settings: CliSettings, what: string, yes: boolean, terminal: Terminal = processTerminal()): Promise<void> {
  if (settings.backend === "fake" || yes) return;
  const where = describeBackend(settings);
  if (!terminal.interactive)
    throw new ValidationError("yes", `${what} on backend ${where} needs a confirmation and there is no terminal to ask on: add --yes to confirm it`);
  if (!(await askYesNo(terminal, `${what} on backend ${where}. Proceed?`)))
    throw new CliStop("NotConfirmed", `${what}: not confirmed, nothing was done`, "run the command again and answer y (or add --yes)");
}
