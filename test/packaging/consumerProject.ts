// A user's Pulumi TypeScript project that installs the packed azure-dr: the stock template's
// tsconfig.json, and an index.ts that uses every entry point of the package and runs its stack
// under runOnEmulator.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The tsconfig.json of `pulumi new typescript` (pulumi/templates, typescript/tsconfig.json), as
 * is: CommonJS with node10 resolution (`exports` not read for types), no `esModuleInterop`, no
 * `skipLibCheck`, no `exactOptionalPropertyTypes`.
 */
export const PULUMI_TEMPLATE_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

/** The line before the program's report on stdout. */
export const REPORT_MARKER = "azure-dr consumer report:";

/** What the consumer program prints after {@link REPORT_MARKER}, as JSON. */
export interface ConsumerReport {
  vaultId: string;
  vaultName: string;
  webSetId: string;
  webSetName: string;
  faultDomains: number;
  storedFaultDomains: number;
  storedTags: Record<string, string>;
  missingSetError: string;
  resourceTypes: string[];
  resourceKinds: number;
  emulatorRequests: number;
}

/**
 * The consumer's index.ts. Types are spelled out where a d.ts mistake would show (`string` where
 * an output must unwrap to a string, the SDK's types on what the client returns), and its own
 * `@pulumi/pulumi` meets the package's types (an `Output` as a resource's tags).
 */
export const CONSUMER_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { isDrError, parseResourceId, type AvailabilitySet as StoredAvailabilitySet, type DrClient } from "azure-dr";
import { createEmulator, type Emulator } from "azure-dr/emulator";
import { RESOURCE_KINDS, type ResourceKind } from "azure-dr/provider-core";
import { AvailabilitySet, ProgramRunError, runOnEmulator, Vault, type EmulatorRun } from "azure-dr/providers";

/** The stack: the recovery region's vault and the web tier's availability set. */
function shop() {
  const vault = new Vault("dr-vault", { resourceGroup: "shop-dr-rg", name: "shop-vault", location: "northeurope" });
  const web = new AvailabilitySet("web", {
    resourceGroup: "shop-rg",
    name: "web-as",
    location: "westeurope",
    faultDomainCount: 2,
    updateDomainCount: 5,
    tags: pulumi.output({ app: "shop", stack: pulumi.getStack() }),
  });
  return { vaultId: vault.vaultId, vaultRef: vault.ref, webSetId: web.availabilitySetId, faultDomains: web.faultDomainCount };
}

async function main(): Promise<void> {
  const run: EmulatorRun<ReturnType<typeof shop>> = await runOnEmulator(shop, { project: "shop", stack: "dev" });
  const webSetId: string = run.outputs.webSetId;
  const faultDomains: number = run.outputs.faultDomains;
  const stored: StoredAvailabilitySet = await run.withClient((dr: DrClient) => dr.availabilitySets.get("shop-rg", "web-as"));
  const vault = await run.withClient((dr) => dr.vaults.get(run.outputs.vaultRef));
  let missingSetError = "none";
  try {
    await run.withClient((dr) => dr.availabilitySets.get("shop-rg", "no-such-set"));
  } catch (error) {
    missingSetError = isDrError(error) ? error.code : String(error);
  }
  const kinds: readonly ResourceKind[] = RESOURCE_KINDS;
  const emulator: Emulator = createEmulator();
  const report = {
    vaultId: run.outputs.vaultId,
    vaultName: vault.name,
    webSetId,
    webSetName: parseResourceId(webSetId).name,
    faultDomains,
    storedFaultDomains: stored.faultDomainCount,
    storedTags: stored.tags,
    missingSetError,
    resourceTypes: run.resources.map((resource) => resource.type),
    resourceKinds: kinds.length,
    emulatorRequests: emulator.requestCount,
  };
  console.log(${JSON.stringify(REPORT_MARKER)});
  console.log(JSON.stringify(report));
}

main().catch((error: unknown) => {
  console.error(error instanceof ProgramRunError ? error.failures : error);
  process.exitCode = 1;
});
`;

/**
 * A preload (`node --require`) that lists, at exit, the files of `@pulumi/*` packages the process
 * loaded, one JSON line per process appended to the file named by `AZURE_DR_LOAD_REPORT`.
 */
export const PULUMI_LOAD_RECORDER = `const { appendFileSync } = require("node:fs");
const { sep } = require("node:path");
process.on("exit", () => {
  const pulumi = Object.keys(require.cache).filter((file) => file.includes(sep + "@pulumi" + sep));
  appendFileSync(process.env.AZURE_DR_LOAD_REPORT, JSON.stringify({ argv: process.argv.slice(1), pulumi }) + "\\n");
});
`;

/** Writes the project's package.json, tsconfig.json, index.ts and the load recorder into `dir`. */
export function writeConsumerProject(dir: string): void {
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "shop-infra", version: "1.0.0", private: true, main: "index.ts" }, null, 2)}\n`);
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(PULUMI_TEMPLATE_TSCONFIG, null, 4)}\n`);
  writeFileSync(join(dir, "index.ts"), CONSUMER_PROGRAM);
  writeFileSync(join(dir, "recordPulumiLoads.cjs"), PULUMI_LOAD_RECORDER);
}

/** How a command ended, with everything it printed. */
export interface CommandResult {
  /** The exit code; null when a signal ended it (or it could not start). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and how long a command runs. */
export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** Runs a command to its end (never rejects: a failure to start is a result with its message on stderr). */
export function runCommand(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr: error !== null && code === null ? `${stderr}\n${error.message}` : stderr });
      },
    );
  });
}

/** A command and its result, for a failure message. */
export function describeRun(command: string, result: CommandResult): string {
  return `${command} exited with ${result.code ?? "a signal or timeout"}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

/**
 * The test's environment for a child npm or node, without what `npm test` set for this package
 * (its name, scripts, lifecycle event), which would otherwise leak into the consumer's npm.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("npm_package_") && !key.startsWith("npm_lifecycle_")) env[key] = value;
  }
  return { ...env, ...extra };
}
