import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { z } from "zod";
import { ValidationError, validate, vaultRefSchema, type VaultRef } from "../sdk/index.js";

/** The settings every command that talks to a backend shares. */
export interface CliSettings {
  backend: "fake" | "emulator" | "azure";
  subscriptionId: string | undefined;
  vault: VaultRef | undefined;
  emulatorUrl: string | undefined;
  /** The fake backend's state file. */
  stateFile: string;
  /** The fake backend's time: virtual (jumps over waits) or real, sped up by `timeScale`. */
  time: "virtual" | "real";
  timeScale: number;
  /** Where each setting came from: `flag`, `env AZURE_SUBSCRIPTION_ID`, `config ./azure-dr.json`, `default`. */
  sources: Record<string, string>;
}

/** The flags of {@link CliSettings}, as commander parses them. */
export interface SettingsFlags {
  backend?: string;
  subscription?: string;
  vault?: string;
  emulatorUrl?: string;
  state?: string;
  config?: string;
  time?: string;
  timeScale?: number;
}

const configSchema = z.strictObject({
  backend: z.enum(["fake", "emulator", "azure"]).optional(),
  subscription: z.string().optional(),
  vault: z.string().optional(),
  emulatorUrl: z.string().optional(),
  state: z.string().optional(),
});

/** Commander parser of a positive number flag. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number.");
  return n;
}

/** The default state file of the fake backend, shared by every command run from this folder. */
export const DEFAULT_STATE_FILE = join(".azure-dr", "fake-state.json");

/** Adds the backend flags to a command. */
export function withBackendFlags(command: Command): Command {
  return command
    .addOption(
      new Option("--backend <kind>", "fake (embedded emulator), emulator (a running `azure-dr emulator`) or azure").choices(["fake", "emulator", "azure"]),
    )
    .option("--subscription <id>", "Azure subscription id (env AZURE_SUBSCRIPTION_ID)")
    .option("--vault <rg/name>", "Recovery Services vault, as resource-group/name (env AZURE_DR_VAULT)")
    .option("--emulator-url <url>", "URL of a running `azure-dr emulator` (env AZURE_DR_EMULATOR_URL)")
    .option("--state <file>", `fake backend: keep the emulator's state in this file (env AZURE_DR_STATE) (default: ${DEFAULT_STATE_FILE})`)
    .option("--config <file>", "config file (env AZURE_DR_CONFIG; default ./azure-dr.json, then ~/.azure-dr/config.json)")
    .addOption(new Option("--time <mode>", "fake backend: virtual (waits take no time) or real (wall clock, see --time-scale)").choices(["virtual", "real"]))
    .option("--time-scale <factor>", "fake backend with --time real: emulated seconds per real second", positiveNumber);
}

/**
 * Resolves the settings as users of Azure tooling expect: flags first, then the environment
 * (`AZURE_SUBSCRIPTION_ID`, `AZURE_DR_*`; `@azure/identity` reads its own variables), then a config
 * file, then defaults.
 * @throws ValidationError naming the setting and where it came from.
 */
export function resolveSettings(flags: SettingsFlags, env: NodeJS.ProcessEnv = process.env): CliSettings {
  const configPath = flags.config ?? env.AZURE_DR_CONFIG ?? [resolve("azure-dr.json"), join(homedir(), ".azure-dr", "config.json")].find((p) => existsSync(p));
  let config: z.output<typeof configSchema> = {};
  if (configPath !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(configPath, "utf8"));
    } catch (error) {
      throw new ValidationError("config", `cannot read ${configPath}: ${(error as Error).message}`);
    }
    config = validate(configSchema, document, `config ${configPath}`);
  }
  const sources: Record<string, string> = {};
  const pick = (name: string, flag: string | undefined, envName: string, fromConfig: string | undefined): string | undefined => {
    const candidates: [string | undefined, string][] = [
      [flag, "flag"],
      [env[envName], `env ${envName}`],
      [fromConfig, `config ${configPath ?? ""}`],
    ];
    const found = candidates.find(([value]) => value !== undefined && value !== "");
    if (found !== undefined) sources[name] = found[1];
    return found?.[0];
  };
  const backend = pick("backend", flags.backend, "AZURE_DR_BACKEND", config.backend) ?? "fake";
  if (backend !== "fake" && backend !== "emulator" && backend !== "azure")
    throw new ValidationError(`backend (${sources.backend ?? "default"})`, "must be 'fake', 'emulator' or 'azure'");
  const vaultText = pick("vault", flags.vault, "AZURE_DR_VAULT", config.vault);
  let vault: VaultRef | undefined;
  if (vaultText !== undefined) {
    const [resourceGroup, name, extra] = vaultText.split("/");
    if (resourceGroup === undefined || name === undefined || extra !== undefined)
      throw new ValidationError(`vault (${sources.vault ?? ""})`, "must be resource-group/name, e.g. dr-rg/shop-vault");
    vault = validate(vaultRefSchema, { resourceGroup, name }, `vault (${sources.vault ?? ""})`);
  }
  const settings: CliSettings = {
    backend,
    subscriptionId: pick("subscription", flags.subscription, "AZURE_SUBSCRIPTION_ID", config.subscription),
    vault,
    emulatorUrl: pick("emulatorUrl", flags.emulatorUrl, "AZURE_DR_EMULATOR_URL", config.emulatorUrl),
    stateFile: pick("state", flags.state, "AZURE_DR_STATE", config.state) ?? DEFAULT_STATE_FILE,
    time: flags.time === "real" ? "real" : "virtual",
    timeScale: flags.timeScale ?? 1,
    sources,
  };
  if (backend === "azure" && settings.subscriptionId === undefined)
    throw new ValidationError("subscription", "the azure backend needs --subscription <id> (or AZURE_SUBSCRIPTION_ID, or 'subscription' in the config file)");
  if (backend === "emulator" && settings.emulatorUrl === undefined)
    throw new ValidationError("emulator-url", "the emulator backend needs --emulator-url <url> (printed by `azure-dr emulator`)");
  return settings;
}
