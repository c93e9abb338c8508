// The package as a user gets it: `npm pack` of the built repository (the build is `npm test`'s
// pretest), installed with its own @pulumi/pulumi in a new Pulumi TypeScript project, whose
// stock tsconfig type-checks the shipped declarations and whose program runs under runOnEmulator.
// The registry is needed only for what the npm cache lacks after `npm ci` (TypeScript 5).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import test from "ava";
import { childEnv, type CommandResult, type ConsumerReport, describeRun, REPORT_MARKER, runCommand, writeConsumerProject } from "./consumerProject.js";

const REPO = resolve(__dirname, "../..");

interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const OURS = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as PackageManifest;
/** The consumer's @pulumi/pulumi and @types/node: the versions our own tests use (in the npm cache after `npm ci`). */
const PULUMI_VERSION = OURS.devDependencies?.["@pulumi/pulumi"] ?? "";
const TYPES_NODE_VERSION = OURS.devDependencies?.["@types/node"] ?? "";
/** The newest TypeScript 5, what the Pulumi template's `typescript: ^5` installs; pinned so that the check is reproducible. */
const CONSUMER_TYPESCRIPT = "5.9.3";
/** Installs take a minute or two on a cold cache; builds of the consumer, tens of seconds on a busy machine. */
const INSTALL_TIMEOUT_MS = 6 * 60_000;
const STEP_TIMEOUT_MS = 3 * 60_000;

/** The root of the test's temp folders (kept when a test failed, to look into). */
const WORK = mkdtempSync(join(tmpdir(), "azure-dr-package-"));
const CONSUMER = join(WORK, "shop-infra");
let tarballFiles: string[] = [];
let keepWork = false;

/** Runs `file args` in `cwd`, failing with the command's output when it does not exit with 0. */
async function mustRun(file: string, args: readonly string[], cwd: string, timeoutMs: number, env = childEnv()): Promise<CommandResult> {
  const result = await runCommand(file, args, { cwd, env, timeoutMs });
  if (result.code !== 0) throw new Error(`${describeRun(`${file} ${args.join(" ")} (in ${cwd})`, result)}\n(work folder kept: ${WORK})`);
  return result;
}

function tsc(args: readonly string[]): Promise<CommandResult> {
  return mustRun(process.execPath, [join(CONSUMER, "node_modules/typescript/bin/tsc"), ...args], CONSUMER, STEP_TIMEOUT_MS);
}

test.before("pack the repository and install the tarball in a new Pulumi project", async (t) => {
  t.timeout(INSTALL_TIMEOUT_MS + STEP_TIMEOUT_MS);
  if (!existsSync(join(REPO, "dist/providers/index.js")) || !existsSync(join(REPO, "dist/node10-types/sdk/index.d.ts")))
    throw new Error("dist/ is not built: run `npm run build` (npm test's pretest does)");
  const packDir = join(WORK, "pack");
  mkdirSync(packDir);
  mkdirSync(CONSUMER);
  // --ignore-scripts: pack the build that is there (prepare would build again).
  const pack = await mustRun("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", packDir], REPO, STEP_TIMEOUT_MS);
  const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  if (packed === undefined) throw new Error(`npm pack listed no package:\n${pack.stdout}`);
  tarballFiles = packed.files.map((file) => file.path);

  writeConsumerProject(CONSUMER);
  await mustRun(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      join(packDir, packed.filename),
      `@pulumi/pulumi@${PULUMI_VERSION}`,
      `typescript@${CONSUMER_TYPESCRIPT}`,
      `@types/node@${TYPES_NODE_VERSION}`,
    ],
    CONSUMER,
    INSTALL_TIMEOUT_MS,
  );
});

test.afterEach.always((t) => {
  if (!t.passed) keepWork = true;
});

test.after.always(() => {
  if (!keepWork) rmSync(WORK, { recursive: true, force: true });
});

test("the tarball holds the build, the README, LICENSE and CHANGELOG.md, and no sources, examples, tests or benchmarks", (t) => {
  for (const required of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/cli/main.js"]) {
    t.true(tarballFiles.includes(required), `${required} is missing from the tarball`);
  }
  for (const entry of ["dist/providers/index.js", "dist/providers/core/index.js", "dist/emulator/index.js", "dist/node10-types/providers/index.d.ts"]) {
    t.true(tarballFiles.includes(entry), `${entry} is missing from the tarball`);
  }
  const stray = tarballFiles.filter(
    (file) =>
      /^(dist\/)?(examples|test|bench|scripts)\//.test(file) ||
      /^(sdk|emulator|cli|providers)\//.test(file) ||
      (file.endsWith(".ts") && !file.endsWith(".d.ts")) ||
      !/^(dist\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(file),
  );
  t.deepEqual(stray, [], "files that do not belong in the published package (a dist/ left from an older build? `npm run build` starts from an empty one)");
});

test("every source map in the tarball, and every file that names one, points at a file the tarball holds", (t) => {
  const installed = join(CONSUMER, "node_modules/azure-dr");
  const shipped = new Set(tarballFiles);
  const dangling: string[] = [];
  for (const file of tarballFiles) {
    if (file.endsWith(".map")) {
      const map = JSON.parse(readFileSync(join(installed, file), "utf8")) as { sources?: string[]; sourceRoot?: string };
      for (const source of map.sources ?? []) {
        const target = join(dirname(file), map.sourceRoot ?? "", source);
        if (!shipped.has(target)) dangling.push(`${file} -> ${target}`);
      }
    } else if (file.endsWith(".js") || file.endsWith(".d.ts")) {
      const reference = /\/\/# sourceMappingURL=(?!data:)(\S+)\s*$/.exec(readFileSync(join(installed, file), "utf8"));
      if (reference?.[1] !== undefined && !shipped.has(join(dirname(file), reference[1]))) dangling.push(`${file} -> ${reference[1]}`);
    }
  }
  t.deepEqual(dangling, []);
});

test("the published manifest: public, @pulumi/pulumi an optional peer dependency, the user's own copy installed once", (t) => {
  const manifest = JSON.parse(readFileSync(join(CONSUMER, "node_modules/azure-dr/package.json"), "utf8")) as PackageManifest;
  t.is(manifest.private, undefined);
  t.is(manifest.dependencies?.["@pulumi/pulumi"], undefined, "@pulumi/pulumi must not be a dependency (two copies would not share the runtime's state)");
  t.regex(manifest.peerDependencies?.["@pulumi/pulumi"] ?? "", /^\^3\./);
  t.is(manifest.peerDependenciesMeta?.["@pulumi/pulumi"]?.optional, true);
  t.false(existsSync(join(CONSUMER, "node_modules/azure-dr/node_modules/@pulumi")), "azure-dr got its own @pulumi/pulumi");
  const pulumi = JSON.parse(readFileSync(join(CONSUMER, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as PackageManifest;
  t.is(pulumi.version, PULUMI_VERSION);
});

test.serial("the shipped declarations type-check in a project with the stock Pulumi TypeScript tsconfig (no skipLibCheck)", async (t) => {
  t.timeout(STEP_TIMEOUT_MS);
  const version = await tsc(["--version"]);
  t.regex(version.stdout, /^Version 5\./);
  await tsc(["--noEmit", "-p", "."]);
  t.pass();
});

test.serial("the project's program runs its stack under runOnEmulator, with the package's providers", async (t) => {
  t.timeout(2 * STEP_TIMEOUT_MS);
  // Type-checked by the test above: here it is only compiled to bin/.
  await tsc(["-p", ".", "--noCheck"]);
  const run = await mustRun(process.execPath, ["bin/index.js"], CONSUMER, STEP_TIMEOUT_MS);
  const lines = run.stdout.trim().split("\n");
  const markerAt = lines.lastIndexOf(REPORT_MARKER);
  t.true(markerAt >= 0, describeRun("node bin/index.js", run));
  const report = JSON.parse(lines[markerAt + 1] ?? "null") as ConsumerReport;
  t.regex(report.vaultId, /^\/subscriptions\/[^/]+\/resourceGroups\/shop-dr-rg\/providers\/Microsoft\.RecoveryServices\/vaults\/shop-vault$/);
  t.is(report.vaultName, "shop-vault");
  t.regex(report.webSetId, /\/resourceGroups\/shop-rg\/providers\/Microsoft\.Compute\/availabilitySets\/web-as$/);
  t.is(report.webSetName, "web-as");
  t.is(report.faultDomains, 2);
  t.is(report.storedFaultDomains, 2);
  t.deepEqual(report.storedTags, { app: "shop", stack: "dev" });
  t.is(report.missingSetError, "ResourceNotFound");
  t.deepEqual(report.resourceTypes, ["pulumi:pulumi:Stack", "pulumi-nodejs:dynamic/azure-dr:Vault", "pulumi-nodejs:dynamic/azure-dr:AvailabilitySet"]);
  t.is(report.resourceKinds, 10);
  t.is(report.emulatorRequests, 0);
});

test.serial("the SDK, the emulator and the CLI run without loading @pulumi/pulumi; the providers load it", async (t) => {
  t.timeout(2 * STEP_TIMEOUT_MS);
  const recorder = join(CONSUMER, "recordPulumiLoads.cjs");
  const loadsOf = async (name: string, file: string, args: readonly string[]): Promise<{ result: CommandResult; pulumi: string[] }> => {
    const report = join(WORK, `loads-${name}.jsonl`);
    const result = await mustRun(file, args, CONSUMER, STEP_TIMEOUT_MS, childEnv({ AZURE_DR_LOAD_REPORT: report, NODE_OPTIONS: `--require "${recorder}"` }));
    const processes = readFileSync(report, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { pulumi: string[] });
    return { result, pulumi: processes.flatMap((p) => p.pulumi) };
  };

  const sdk = await loadsOf("sdk", process.execPath, ["-e", "require('azure-dr'); require('azure-dr/emulator'); require('azure-dr/provider-core');"]);
  t.deepEqual(sdk.pulumi, [], "requiring azure-dr, azure-dr/emulator and azure-dr/provider-core loaded @pulumi/pulumi");

  const drill = await loadsOf("cli", join(CONSUMER, "node_modules/.bin/azure-dr"), ["drill", "--json"]);
  t.deepEqual(drill.pulumi, [], "the CLI's drill loaded @pulumi/pulumi");
  const outcome = (JSON.parse(drill.result.stdout) as { outcome?: string }).outcome;
  t.is(outcome, "passed", describeRun("azure-dr drill --json", drill.result));

  // The recorder sees a load when there is one.
  const providers = await loadsOf("providers", process.execPath, ["-e", "require('azure-dr/providers');"]);
  t.true(
    providers.pulumi.some((file) => file.endsWith(join("@pulumi", "pulumi", "index.js"))),
    "requiring azure-dr/providers did not show @pulumi/pulumi as loaded",
  );
});
