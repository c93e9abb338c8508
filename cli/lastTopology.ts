import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { ValidationError, validate, vaultRefSchema, type VaultRef } from "../sdk/index.js";
import type { CliSettings } from "./settings.js";

const lastTopologySchema = z.strictObject({
  backend: z.enum(["fake", "emulator", "azure"]),
  emulatorUrl: z.string().optional(),
  subscriptionId: z.string().optional(),
  vault: vaultRefSchema,
  testNetworkId: z.string().min(1),
  /** The topology file drilled, or `sample <name>`. */
  topology: z.string(),
  drilledAt: z.string(),
});

/** What `azure-dr drill` leaves for the commands after it: the vault it drilled and the estate's settings. */
export type LastTopology = z.output<typeof lastTopologySchema>;

/** Where the last drill is recorded: `last-topology.json` beside the fake backend's state file (`.azure-dr/` by default). */
export function lastTopologyFile(settings: CliSettings): string {
  return join(dirname(settings.stateFile), "last-topology.json");
}

/** Records the drilled estate for the commands that follow (their default vault and test network). */
export function recordLastTopology(settings: CliSettings, drilled: Pick<LastTopology, "vault" | "testNetworkId" | "topology">, now: Date): void {
  const record: LastTopology = {
    backend: settings.backend,
    ...(settings.emulatorUrl === undefined ? {} : { emulatorUrl: settings.emulatorUrl }),
    ...(settings.subscriptionId === undefined ? {} : { subscriptionId: settings.subscriptionId }),
    vault: { resourceGroup: drilled.vault.resourceGroup, name: drilled.vault.name },
    testNetworkId: drilled.testNetworkId,
    topology: drilled.topology,
    drilledAt: now.toISOString(),
  };
  const file = lastTopologyFile(settings);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * The last drill's record, when it was drilled on the backend the settings name (same kind, same
 * emulator URL, same subscription); undefined when there is none or it is for another backend.
 * @throws ValidationError naming the file when it is not a record this CLI wrote.
 */
export function readLastTopology(settings: CliSettings): (LastTopology & { file: string }) | undefined {
  const file = lastTopologyFile(settings);
  if (!existsSync(file)) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ValidationError(file, `cannot be read (${(error as Error).message}): delete it, or give --vault`);
  }
  const record = validate(lastTopologySchema, document, file);
  const sameBackend =
    record.backend === settings.backend &&
    (settings.backend !== "emulator" || record.emulatorUrl === settings.emulatorUrl) &&
    (settings.subscriptionId === undefined || record.subscriptionId === settings.subscriptionId);
  return sameBackend ? { ...record, file } : undefined;
}

/** The vault a command works on and where it came from: the settings', else the last drill's on this backend. */
export function defaultVault(settings: CliSettings, fallback: VaultRef | undefined): { vault: VaultRef; note: string } | undefined {
  if (settings.vault !== undefined) return { vault: settings.vault, note: `from ${settings.sources.vault ?? "flag"}` };
  const last = readLastTopology(settings);
  if (last !== undefined) return { vault: last.vault, note: `the last drilled topology's, recorded in ${last.file}` };
  if (fallback !== undefined) return { vault: fallback, note: "the sample estate's; no drill is recorded here" };
  return undefined;
}
