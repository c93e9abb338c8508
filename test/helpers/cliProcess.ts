import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ExecutionContext } from "ava";

const REPO = resolve(__dirname, "../..");
/** tsx's loader by absolute URL, so that the CLI runs from sources whatever the working folder. */
const TSX = pathToFileURL(resolve(REPO, "node_modules/tsx/dist/loader.mjs")).href;

/** A running `azure-dr` CLI process, started from the sources as a user's `npx azure-dr` would run it. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Where and with what environment a CLI process runs. */
export interface CliRunOptions {
  /** @default the repository */
  cwd?: string;
  /** Added to (or, when undefined, removed from) the test's environment. */
  env?: Record<string, string | undefined>;
}

function cliEnv(options: CliRunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: "1" };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts `azure-dr <args>`; the process is killed when the test ends. */
export function startCli(t: ExecutionContext, args: string[], options: CliRunOptions = {}): CliProcess {
  const child = spawn(process.execPath, ["--import", TSX, resolve(REPO, "cli/main.ts"), ...args], {
    cwd: options.cwd ?? REPO,
    env: cliEnv(options),
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((done) => child.on("exit", (code, signal) => done(code ?? signal ?? -1)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the emulator command to print its URL (generous: a loaded machine starts tsx and the server slowly). */
export async function emulatorUrl(cli: CliProcess, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(cli.stdout());
    if (match !== null) return match[1] as string;
    if (cli.child.exitCode !== null) throw new Error(`the CLI exited (${cli.child.exitCode}): ${cli.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no URL printed in ${timeoutMs} ms: ${cli.stdout()} ${cli.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs `azure-dr <args>` to its end, as a user types it. */
export async function runCli(
  t: ExecutionContext,
  args: string[],
  options: CliRunOptions = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const cli = startCli(t, args, options);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** The environment entries that would point the CLI at a user's own backend, vault, state or config: removed for tests. */
export const NO_CONFIG: Record<string, undefined> = {
  AZURE_DR_BACKEND: undefined,
  AZURE_DR_VAULT: undefined,
  AZURE_DR_STATE: undefined,
  AZURE_DR_CONFIG: undefined,
  AZURE_SUBSCRIPTION_ID: undefined,
};
