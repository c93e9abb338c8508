// Layer 1.5 (PULUMI-DYNAMIC-PROVIDERS.md §3): the serialization guard. Each kind's provider is
// serialized as `pulumi.dynamic.Resource` does it, the text is checked (T1-T5: no secret, no package
// require but azure-dr's own, no path of this machine at all, so that state written here works for
// `destroy` elsewhere), then loaded as the host loads it (`require-from-string`) in a process whose
// folder is another project that installed azure-dr, and its `check` called. The loaded provider
// runs the BUILT core (dist/): `ensureBuilt` rebuilds it first when it is stale.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import test from "ava";
import { RESOURCE_KINDS, type ResourceKind } from "../../providers/core/index.js";
import {
  CORE_MODULE,
  REPO,
  SAMPLES,
  UNKNOWN,
  ensureBuilt,
  isNodeBuiltin,
  projectWithAzureDr,
  resolvesPackagesFrom,
  serializeProviders,
  tempDir,
  type Props,
  type SerializedProvider,
} from "../helpers/pulumiHost.js";

/** Credentials and settings in the serializing process's environment: none may end up in the text (T3, T8). */
const ENVIRONMENT = {
  AZURE_CLIENT_SECRET: "azure-dr-test-client-secret-Zq8v2Lw0",
  AZURE_CLIENT_ID: "0b1c2d3e-aaaa-4bbb-8ccc-000000000001",
  AZURE_TENANT_ID: "0b1c2d3e-aaaa-4bbb-8ccc-000000000002",
  AZURE_SUBSCRIPTION_ID: "0b1c2d3e-aaaa-4bbb-8ccc-000000000003",
  AZURE_DR_FAKE_STATE_FILE: join(tmpdir(), "azure-dr-serialization-test-state.json"),
  AZURE_DR_EMULATOR_URL: "http://127.0.0.1:9/azure-dr-serialization-test",
};

/** The package the providers load their logic from, when the host's folder resolves it. */
const CORE_PACKAGE = "azure-dr/provider-core";

const serialized = new Map<ResourceKind, SerializedProvider>();

test.before("dist/ holds the current core; every kind's provider serialized, with credentials in the environment", async () => {
  await ensureBuilt();
  const texts = await serializeProviders(
    RESOURCE_KINDS.map((kind) => ({ kind })),
    ENVIRONMENT,
  );
  RESOURCE_KINDS.forEach((kind, i) => serialized.set(kind, texts[i] as SerializedProvider));
});

function textOf(kind: ResourceKind): SerializedProvider {
  const found = serialized.get(kind);
  if (found === undefined) throw new Error(`${kind} was not serialized`);
  return found;
}

/** The arguments of every `require(...)` call in the text, as written. */
function requireArguments(text: string): string[] {
  return [...text.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((m) => (m[1] ?? "").trim());
}

/** String literals of the text that are absolute paths (POSIX or Windows). */
function absolutePaths(text: string): string[] {
  return [...text.matchAll(/(["'`])((?:\/[\w.@-]|[A-Za-z]:\\)[^"'`\n]*)\1/g)].map((m) => m[2] ?? "");
}

/** The machine-specific folders no serialized text may name. */
const MACHINE_PATHS: [string, string][] = [
  ["the repository", REPO],
  ["the temp folder", tmpdir()],
  ["the home folder", homedir()],
  ["the current folder", process.cwd()],
];

/** What the load-and-check child process reports (`error` when loading or a check threw). */
interface LoadReport {
  error?: string;
  pulumiResolves: boolean;
  packageResolves: boolean;
  methods: string[];
  loadedCore: boolean;
  results: Record<string, { inputs: Props; failures: { property: string; reason: string }[] }>;
}

/** The child process: loads the text like the host (`requireFromString(text).handler()`), calls `check` on each case. */
const LOAD_SCRIPT = `
const [requireFromStringPath, textFile, casesFile, coreModule] = process.argv.slice(1);
const fs = require("fs");
const requireFromString = require(requireFromStringPath);
const resolves = (name) => { try { require.resolve(name); return true; } catch { return false; } };
const report = { pulumiResolves: resolves("@pulumi/pulumi"), packageResolves: resolves(${JSON.stringify(CORE_PACKAGE)}) };
const provider = requireFromString(fs.readFileSync(textFile, "utf8")).handler();
(async () => {
  report.results = {};
  report.methods = Object.getOwnPropertyNames(Object.getPrototypeOf(provider));
  for (const [name, { olds, news }] of Object.entries(JSON.parse(fs.readFileSync(casesFile, "utf8")))) {
    report.results[name] = await provider.check(olds, news);
  }
  report.loadedCore = Object.keys(require.cache).includes(coreModule);
  process.stdout.write(JSON.stringify(report));
})().catch((error) => {
  report.error = String((error && error.message) || error);
  report.loadedCore = Object.keys(require.cache).includes(coreModule);
  process.stdout.write(JSON.stringify(report));
});
`;

/** Runs {@link LOAD_SCRIPT} in `cwd` on `text` with `cases`. */
async function loadAndCheck(cwd: string, text: string, cases: Record<string, { olds: Props; news: Props }>): Promise<LoadReport> {
  writeFileSync(join(cwd, "provider.txt"), text);
  writeFileSync(join(cwd, "cases.json"), JSON.stringify(cases));
  // The host's own copy of require-from-string (a dependency of @pulumi/pulumi), by absolute path.
  const requireFromString = require.resolve("require-from-string", { paths: [dirname(require.resolve("@pulumi/pulumi"))] });
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(AZURE_|PULUMI_|NODE_OPTIONS$)/.test(key)) env[key] = value;
  const child = spawn(process.execPath, ["-e", LOAD_SCRIPT, "--", requireFromString, "provider.txt", "cases.json", CORE_MODULE], { cwd, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  if (code !== 0) throw new Error(`loading the provider failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as LoadReport;
}

for (const kind of RESOURCE_KINDS) {
  test(`${kind}: the serialized provider holds no secret, requires only Node builtins and ${CORE_PACKAGE}, and names no path of this machine`, (t) => {
    const { text, containsSecrets } = textOf(kind);
    t.false(containsSecrets, "no secret Output captured");
    t.regex(text, /^exports\.handler = /);

    const required = requireArguments(text);
    const literal = required.filter((arg) => /^(["'`]).*\1$/.test(arg)).map((arg) => arg.slice(1, -1));
    const dynamic = required.filter((arg) => !/^(["'`]).*\1$/.test(arg));
    t.deepEqual(
      literal.filter((name) => !isNodeBuiltin(name)),
      [],
      "every require of a literal name is a Node builtin",
    );
    t.deepEqual([...new Set(dynamic)], ["CORE_PACKAGE"], "every other require takes the package name, resolved where the provider runs");
    t.true(text.includes(`CORE_PACKAGE: ${JSON.stringify(CORE_PACKAGE)}`), `the package name captured is ${CORE_PACKAGE}`);

    for (const [name, value] of Object.entries(ENVIRONMENT)) t.false(text.includes(value), `${name} is not in the text`);
    t.notRegex(text, /eyJ[\w-]{8,}\.[\w-]{8,}/, "no JWT");
    t.notRegex(text, /Bearer\s|-----BEGIN/, "no bearer token or key");

    t.deepEqual(absolutePaths(text), [], "no absolute path");
    for (const [what, path] of MACHINE_PATHS) t.false(text.includes(path), `${what} (${path}) appears nowhere`);
    t.true(text.includes(JSON.stringify(kind)), "the kind is captured");
  });

  test(`${kind}: loaded like the host from another project's folder, it finds ${CORE_PACKAGE} there; its check passes valid inputs, names the invalid properties and lets preview unknowns through`, async (t) => {
    const { text } = textOf(kind);
    const sample = SAMPLES[kind];
    const cwd = projectWithAzureDr(t);
    t.false(resolvesPackagesFrom(cwd));
    const report = await loadAndCheck(cwd, text, {
      valid: { olds: {}, news: { ...sample.valid, __provider: text } },
      invalid: { olds: {}, news: { ...sample.invalid, __provider: text } },
      unknown: { olds: sample.valid, news: { ...sample.valid, [sample.unknownKey]: UNKNOWN, __provider: text } },
    });
    t.is(report.error, undefined);
    t.false(report.pulumiResolves, "no other package resolves from the folder");
    t.true(report.packageResolves, `${CORE_PACKAGE} resolves from the folder`);
    t.true(report.loadedCore, "the logic came from the installed package");
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) t.true(report.methods.includes(method), method);

    const { valid, invalid, unknown } = report.results;
    t.deepEqual(valid?.failures, []);
    for (const key of Object.keys(sample.valid)) t.true(key in (valid?.inputs ?? {}), `${key} is kept`);
    t.false("__provider" in (valid?.inputs ?? {}), "check leaves __provider to the host");
    t.deepEqual([...new Set(invalid?.failures.map((f) => f.property))].sort(), [...sample.invalidProperties].sort(), "failures name the properties");
    t.deepEqual(unknown?.failures, [], `no failure on the unknown ${sample.unknownKey}`);
    t.is(unknown?.inputs[sample.unknownKey], UNKNOWN, "the unknown passes through");
  });
}

test(`where ${CORE_PACKAGE} resolves from nowhere, a call fails naming the package and the folders looked in, and what to do`, async (t) => {
  const { text } = textOf("Vault");
  const cwd = tempDir("bare", t);
  t.false(resolvesPackagesFrom(cwd));
  const report = await loadAndCheck(cwd, text, { valid: { olds: {}, news: { ...SAMPLES.Vault.valid, __provider: text } } });
  t.regex(report.error ?? "", /cannot load the providers' logic \('azure-dr\/provider-core'\)/);
  t.true(report.error?.includes(cwd), "names the folder");
  t.regex(report.error ?? "", /npm install azure-dr/);
  t.false(report.loadedCore);
});

test("every kind's provider is the same code: only the captured kind differs", (t) => {
  const shapes = new Set(RESOURCE_KINDS.map((kind) => textOf(kind).text.replace(JSON.stringify(kind), '"<kind>"')));
  t.is(shapes.size, 1);
});
