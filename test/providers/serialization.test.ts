// Layer 1.5 (PULUMI-DYNAMIC-PROVIDERS.md §3): the serialization guard. Each kind's provider is
// serialized as `pulumi.dynamic.Resource` does it, the text is checked (T1-T5: no secret, no package
// require, no machine path but the core module's), then loaded as the host loads it
// (`require-from-string`) in a process whose folder has no node_modules, and its `check` called.
// The loaded provider runs the BUILT core (dist/): `ensureBuilt` rebuilds it first when it is stale.
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

/** What the load-and-check child process reports. */
interface LoadReport {
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
report.methods = Object.getOwnPropertyNames(Object.getPrototypeOf(provider));
(async () => {
  report.results = {};
  for (const [name, { olds, news }] of Object.entries(JSON.parse(fs.readFileSync(casesFile, "utf8")))) {
    report.results[name] = await provider.check(olds, news);
  }
  report.loadedCore = Object.keys(require.cache).includes(coreModule);
  process.stdout.write(JSON.stringify(report));
})().catch((error) => {
  process.stderr.write(String((error && error.stack) || error));
  process.exitCode = 1;
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
  test(`${kind}: the serialized provider holds no secret, requires only Node builtins and ${CORE_PACKAGE}, and names no path but the core module`, (t) => {
    const { text, containsSecrets } = textOf(kind);
    t.false(containsSecrets, "no secret Output captured");
    t.regex(text, /^exports\.handler = /);

    const required = requireArguments(text);
    const literal = required.filter((arg) => /^(["'`]).*\1$/.test(arg)).map((arg) => arg.slice(1, -1));
    const dynamic = required.filter((arg) => !/^(["'`]).*\1$/.test(arg));
    t.deepEqual(
      literal.filter((name) => !isNodeBuiltin(name) && name !== CORE_PACKAGE),
      [],
      "every require of a name is a Node builtin or the core package",
    );
    t.true(literal.includes(CORE_PACKAGE), `the core is loaded from ${CORE_PACKAGE} first`);
    t.true(
      dynamic.every((arg) => /^[A-Za-z_$][\w$]*$/.test(arg)),
      `a require of a computed name takes a plain variable (the captured core path): ${dynamic.join(", ")}`,
    );

    for (const [name, value] of Object.entries(ENVIRONMENT)) t.false(text.includes(value), `${name} is not in the text`);
    t.notRegex(text, /eyJ[\w-]{8,}\.[\w-]{8,}/, "no JWT");
    t.notRegex(text, /Bearer\s|-----BEGIN/, "no bearer token or key");

    t.deepEqual(absolutePaths(text), [CORE_MODULE], "the only absolute path is the core module's");
    const elsewhere = text.split(CORE_MODULE).join("");
    for (const [what, path] of [
      ["the repository", REPO],
      ["the temp folder", tmpdir()],
      ["the home folder", homedir()],
    ]) {
      t.false(elsewhere.includes(path as string), `${what} appears nowhere else`);
    }
    t.true(text.includes(JSON.stringify(kind)), "the kind is captured");
  });

  test(`${kind}: loaded like the host from a folder without node_modules, its check passes valid inputs, names the invalid properties and lets preview unknowns through`, async (t) => {
    const { text } = textOf(kind);
    const sample = SAMPLES[kind];
    const cwd = tempDir("load", t);
    t.false(resolvesPackagesFrom(cwd));
    const report = await loadAndCheck(cwd, text, {
      valid: { olds: {}, news: { ...sample.valid, __provider: text } },
      invalid: { olds: {}, news: { ...sample.invalid, __provider: text } },
      unknown: { olds: sample.valid, news: { ...sample.valid, [sample.unknownKey]: UNKNOWN, __provider: text } },
    });
    t.false(report.pulumiResolves, "no package resolves from the folder");
    t.false(report.packageResolves, `${CORE_PACKAGE} does not resolve either`);
    t.true(report.loadedCore, "so the logic came from the core module's path");
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

test("every kind's provider is the same code: only the captured kind differs", (t) => {
  const shapes = new Set(RESOURCE_KINDS.map((kind) => textOf(kind).text.replace(JSON.stringify(kind), '"<kind>"')));
  t.is(shapes.size, 1);
});
