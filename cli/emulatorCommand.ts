import { Command, InvalidArgumentError, Option } from "commander";
import { serveEmulator } from "../sdk/index.js";
import { positiveNumber } from "./settings.js";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("a port is an integer from 0 to 65535 (0 picks a free one).");
  return n;
}

function controlToken(value: string): string {
  if (!/^[\x21-\x7e]{8,512}$/.test(value)) throw new InvalidArgumentError("a control token is 8 to 512 visible ASCII characters (no spaces).");
  return value;
}

/** `azure-dr emulator`: serves the Azure emulator on loopback until Ctrl-C. */
export function emulatorCommand(): Command {
  return new Command("emulator")
    .description("Run the Azure Compute emulator on loopback (ARM over plain HTTP), until Ctrl-C.")
    .option("-p, --port <port>", "loopback port (0 picks a free one)", port, 0)
    .addOption(new Option("--host <host>", "loopback address").choices(["127.0.0.1", "::1", "localhost"]).default("127.0.0.1"))
    .option("-s, --state <file>", "keep state in this JSON file across runs (every acknowledged write is on disk)")
    .addOption(
      new Option("-t, --time <mode>", "virtual: time moves only when polled or advanced; real: wall clock").choices(["virtual", "real"]).default("virtual"),
    )
    .option("--time-scale <factor>", "with --time real: emulated seconds per real second", positiveNumber, 1)
    .option("--seed <n>", "seed of the fault rules' random source", (v) => Math.trunc(positiveNumber(v)), 1)
    .addOption(
      new Option("--control-token <token>", "control routes (/_emulator/...) demand 'Authorization: Bearer <token>'")
        .env("AZURE_DR_EMULATOR_TOKEN")
        .argParser(controlToken),
    )
    .action(
      async (options: { port: number; host: string; state?: string; time: "virtual" | "real"; timeScale: number; seed: number; controlToken?: string }) => {
        const served = await serveEmulator({
          port: options.port,
          host: options.host,
          time: options.time,
          timeScale: options.timeScale,
          seed: options.seed,
          ...(options.state === undefined ? {} : { stateFile: options.state }),
          ...(options.controlToken === undefined ? {} : { controlToken: options.controlToken }),
        });
        process.stdout.write(`azure-dr emulator listening on ${served.url}\n`);
        process.stderr.write(
          `time: ${options.time}${options.time === "real" ? ` x${options.timeScale}` : ""}; state: ${options.state ?? "in memory"}\n` +
            `control surface: ${served.url}/_emulator (clock, faults, snapshot, regions, maintenance waves)` +
            `${options.controlToken === undefined ? "" : "; it demands the control token (Authorization: Bearer)"}\n` +
            `SDK: createEmulatorBackend({ url: "${served.url}" }); Ctrl-C stops.\n`,
        );
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          process.stderr.write(`${signal}: stopping\n`);
          served.close().then(
            () => process.exit(0),
            (error: unknown) => {
              process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
              process.exit(1);
            },
          );
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      },
    );
}
