// Drives Pulumi's real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`, the process the
// engine starts as `pulumi-resource-pulumi-nodejs`) over gRPC, without the Pulumi CLI or engine.
// See PULUMI-DYNAMIC-PROVIDERS.md §2b and §3 (layer 2).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import type { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { ExecutionContext } from "ava";
import { lock } from "proper-lockfile";
import { LegacyAzureDrProvider } from "../providers/legacyAzureDrProvider.js";
import { RESOURCE_KINDS, type ResourceKind } from "../../providers/core/index.js";
import { providerFor } from "../../providers/providerFor.js";

/** The repository's root. */
export const REPO = resolve(__dirname, "../..");
/** The built providers' logic, as the serialized providers load it when `azure-dr/provider-core` cannot be resolved. */
export const CORE_MODULE = join(REPO, "dist/providers/core/index.js");
/** What the engine sends for an input not known yet (during preview), whatever the input's type. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The host's entry point, as the `pulumi-resource-pulumi-nodejs` shim resolves it. */
export const HOST_SCRIPT = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");

/** A property bag as it travels in a `google.protobuf.Struct`. */
export type Props = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// The build: the host loads dist/, not the sources.

/** The newest modification time (ms) of the TypeScript sources under `dirs` (declaration files excepted). */
function newestSource(dirs: readonly string[]): { path: string; mtimeMs: number } {
  let newest = { path: "", mtimeMs: 0 };
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const { mtimeMs } = statSync(path);
        if (mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
      }
    }
  };
  for (const dir of dirs) visit(join(REPO, dir));
  for (const file of ["tsconfig.json", "package.json"]) {
    const { mtimeMs } = statSync(join(REPO, file));
    if (mtimeMs > newest.mtimeMs) newest = { path: join(REPO, file), mtimeMs };
  }
  return newest;
}

/** Why dist/ is stale (undefined when it is not): the core is missing, or a source it is built from is newer. */
function staleness(): string | undefined {
  let built: number;
  try {
    built = statSync(CORE_MODULE).mtimeMs;
  } catch {
    return `${CORE_MODULE} is missing`;
  }
  // The core imports the SDK, which loads the emulator: any of them changing makes the build stale.
  const newest = newestSource(["providers", "sdk", "emulator"]);
  return newest.mtimeMs > built ? `${newest.path} is newer than ${CORE_MODULE}` : undefined;
}

/**
 * Makes sure dist/ holds the current providers, since the host runs the built code: when
 * dist/providers/core/index.js is missing or older than a source of providers/, sdk/ or emulator/,
 * runs `tsc -p tsconfig.json` (what `npm run build` does), once, under a lock shared by the test
 * files that run in parallel.
 * @throws Error with tsc's output when the build fails.
 */
export async function ensureBuilt(): Promise<void> {
  if (staleness() === undefined) return;
  const lockTarget = join(tmpdir(), "azure-dr-provider-tests-build");
  mkdirSync(lockTarget, { recursive: true });
  const release = await lock(lockTarget, { realpath: false, stale: 60_000, update: 5_000, retries: { retries: 120, minTimeout: 500, maxTimeout: 1_000 } });
  try {
    const reason = staleness();
    if (reason === undefined) return;
    const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: REPO, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`dist/ is stale (${reason}) and 'tsc -p tsconfig.json' failed (${tsc.status}):\n${tsc.stdout}${tsc.stderr}`);
    const still = staleness();
    if (still !== undefined) throw new Error(`dist/ is still stale after 'tsc -p tsconfig.json': ${still}`);
  } finally {
    await release();
  }
}

// ---------------------------------------------------------------------------------------------
// Serialized providers, as `pulumi.dynamic.Resource` makes them.

/** A provider serialized as `pulumi.dynamic.Resource` does it (the text goes in `__provider`). */
export interface SerializedProvider {
  text: string;
  containsSecrets: boolean;
}

/** Which provider to serialize: the shared provider of a kind ({@link providerFor}), or release 0.1.0's, whose logic was at `coreModule`. */
export interface SerializeRequest {
  kind: ResourceKind;
  coreModule?: string;
}

const SERIALIZE_FLAG = "--serialize-providers";

/**
 * Serializes providers exactly as `pulumi.dynamic.Resource` does (`dynamic/index.js`:
 * `serializeFunction(() => provider, { allowSecrets: true })`), in a child process started from
 * the sources (`node --import tsx`), as a Pulumi program in TypeScript runs: the closure serializer
 * requires every Node builtin, and `trace_events` cannot load in ava's worker threads.
 * @param env added to the child's environment (e.g. credentials that must not end up in the text)
 */
export async function serializeProviders(requests: readonly SerializeRequest[], env: Record<string, string> = {}): Promise<SerializedProvider[]> {
  const tsx = pathToFileURL(join(REPO, "node_modules/tsx/dist/loader.mjs")).href;
  const child = spawn(process.execPath, ["--import", tsx, __filename, SERIALIZE_FLAG, JSON.stringify(requests)], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  if (code !== 0) throw new Error(`serializing the providers failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as SerializedProvider[];
}

let current: Promise<Map<ResourceKind, SerializedProvider>> | undefined;

/** The serialized provider of a kind, from the shared provider object its resources use (serialized once per test process). */
export async function serializeProvider(kind: ResourceKind): Promise<SerializedProvider> {
  current ??= serializeProviders(RESOURCE_KINDS.map((k) => ({ kind: k }))).then(
    (texts) => new Map(RESOURCE_KINDS.map((k, i) => [k, texts[i] as SerializedProvider])),
  );
  const found = (await current).get(kind);
  if (found === undefined) throw new Error(`no provider for ${kind}`);
  return found;
}

/** The provider text an older release would have put in state: the same code, its logic at `coreModule` (which may no longer exist). */
export async function serializeProviderAt(kind: ResourceKind, coreModule: string): Promise<SerializedProvider> {
  const [serialized] = await serializeProviders([{ kind, coreModule }]);
  if (serialized === undefined) throw new Error(`no provider for ${kind}`);
  return serialized;
}

/** The child process of {@link serializeProviders}. */
async function serializeMain(requests: SerializeRequest[]): Promise<void> {
  const texts: SerializedProvider[] = [];
  for (const { kind, coreModule } of requests) {
    const provider = coreModule === undefined ? providerFor(kind) : new LegacyAzureDrProvider(kind, coreModule);
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    texts.push({ text: serialized.text, containsSecrets: serialized.containsSecrets });
  }
  process.stdout.write(JSON.stringify(texts));
}

if (require.main === module && process.argv[2] === SERIALIZE_FLAG) {
  serializeMain(JSON.parse(process.argv[3] ?? "[]") as SerializeRequest[]).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

/** What Node can `require` without node_modules (`fs`, `node:fs`, `fs/promises`, ...). */
export function isNodeBuiltin(name: string): boolean {
  const bare = name.startsWith("node:") ? name.slice("node:".length) : name;
  return builtinModules.includes(bare);
}

// ---------------------------------------------------------------------------------------------
// Folders.

/** A new empty folder in the OS temp folder, removed when the test `t` ends (when given). */
export function tempDir(prefix: string, t?: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), `azure-dr-providertest-${prefix}-`));
  t?.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Whether `@pulumi/pulumi` resolves from `dir` (it must not, for a folder standing for "no
 * node_modules": the host then resolves nothing from its cwd).
 */
export function resolvesPackagesFrom(dir: string): boolean {
  try {
    require.resolve("@pulumi/pulumi", { paths: [dir] });
    return true;
  } catch {
    return false;
  }
}

/**
 * A folder standing for a user's project that installed azure-dr: `node_modules/azure-dr` links
 * to this repository, so `require("azure-dr/provider-core")` resolves from it (and nothing else
 * does). Removed when the test ends (the link only, never what it points to).
 */
export function projectWithAzureDr(t: ExecutionContext): string {
  const dir = tempDir("project", t);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "azure-dr"), "dir");
  return dir;
}

// ---------------------------------------------------------------------------------------------
// The host.

/** A failed gRPC call to the host: the gRPC status and the message the host sent. */
export class HostCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`${method}: ${grpc.status[code]} ${details}`);
    this.name = "HostCallError";
  }
}

/** Diff's answer, as the engine sees it. */
export interface HostDiff {
  changes: "DIFF_UNKNOWN" | "DIFF_NONE" | "DIFF_SOME";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** Where the host runs. */
export interface HostOptions {
  /** @default a new empty temp folder (no node_modules), removed when the host stops */
  cwd?: string;
  /**
   * Environment added to the host's. The host starts from the test's environment without any
   * `AZURE_*`, `PULUMI_*` or `NODE_OPTIONS` variable, so that only the Configure call chooses the backend.
   */
  env?: Record<string, string>;
}

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;

const DIFF_CHANGES: Record<number, HostDiff["changes"]> = {
  [proto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "DIFF_UNKNOWN",
  [proto.DiffResponse.DiffChanges.DIFF_NONE]: "DIFF_NONE",
  [proto.DiffResponse.DiffChanges.DIFF_SOME]: "DIFF_SOME",
};

function struct(props: Props): Struct {
  return Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]);
}

function plain(value: Struct | undefined): Props {
  return (value?.toJavaScript() ?? {}) as Props;
}

/**
 * The real dynamic-provider host, in its own process (`node <@pulumi/pulumi/cmd/dynamic-provider>
 * 127.0.0.1:1`: the host never uses the engine address), and a `ResourceProviderClient` on the
 * port it prints. Each method sends one request and returns the answer as plain JS; a failed call
 * rejects with a {@link HostCallError}. The URN, name and type the engine would send are left out:
 * the host ignores them.
 */
export class PulumiHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    private readonly output: { stderr: string },
    readonly port: number,
    readonly cwd: string,
    private readonly ownsCwd: boolean,
  ) {}

  /** Starts a host and waits until it printed its port. */
  static async start(options: HostOptions = {}): Promise<PulumiHost> {
    const cwd = options.cwd ?? tempDir("host");
    const ownsCwd = options.cwd === undefined;
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(AZURE_|PULUMI_|NODE_OPTIONS$)/.test(key)) env[key] = value;
    Object.assign(env, options.env ?? {});
    const child = spawn(process.execPath, [HOST_SCRIPT, "127.0.0.1:1"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const output = { stderr: "" };
    child.stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
    const port = await new Promise<number>((done, fail) => {
      let stdout = "";
      const onData = (chunk: Buffer): void => {
        stdout += chunk.toString();
        const line = /^(\d+)\r?\n/.exec(stdout);
        if (line !== null) {
          child.stdout.off("data", onData);
          done(Number(line[1]));
        }
      };
      child.stdout.on("data", onData);
      child.once("exit", (code, signal) => fail(new Error(`the provider host exited (${code ?? signal}) before printing its port: ${stdout}${output.stderr}`)));
      child.once("error", fail);
    });
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PulumiHost(child, client, output, port, cwd, ownsCwd);
  }

  /** What the host printed on stderr so far (it logs the errors of Check, Diff, Read and Delete there). */
  get stderr(): string {
    return this.output.stderr;
  }

  /** The host's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private call<Res>(method: string, send: (callback: Callback<Res>) => grpc.ClientUnaryCall): Promise<Res> {
    return new Promise((done, fail) => {
      send((error, response) => {
        if (error !== null) fail(new HostCallError(method, error.code, error.details));
        else done(response);
      });
    });
  }

  /** Configure with the stack configuration (fully qualified keys), as the engine sends it. */
  async configure(config: Record<string, string>): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }> {
    const request = new proto.ConfigureRequest().setArgs(struct(config)).setAcceptsecrets(true);
    for (const [key, value] of Object.entries(config)) request.getVariablesMap().set(key, value);
    const response = await this.call<proto.ConfigureResponse>("Configure", (callback) => this.client.configure(request, callback));
    return { acceptSecrets: response.getAcceptsecrets(), supportsPreview: response.getSupportspreview() };
  }

  async check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const response = await this.call<proto.CheckResponse>("Check", (callback) =>
      this.client.check(new proto.CheckRequest().setOlds(struct(olds)).setNews(struct(news)), callback),
    );
    return {
      inputs: plain(response.getInputs()),
      failures: response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(id: string, olds: Props, news: Props): Promise<HostDiff> {
    const response = await this.call<proto.DiffResponse>("Diff", (callback) =>
      this.client.diff(new proto.DiffRequest().setId(id).setOlds(struct(olds)).setNews(struct(news)), callback),
    );
    return {
      changes: DIFF_CHANGES[response.getChanges()] ?? "DIFF_UNKNOWN",
      replaces: response.getReplacesList(),
      deleteBeforeReplace: response.getDeletebeforereplace(),
    };
  }

  async create(properties: Props): Promise<{ id: string; properties: Props }> {
    const response = await this.call<proto.CreateResponse>("Create", (callback) =>
      this.client.create(new proto.CreateRequest().setProperties(struct(properties)), callback),
    );
    return { id: response.getId(), properties: plain(response.getProperties()) };
  }

  /** Read: an empty `id` means the resource is gone; `inputs` is undefined when the provider gave none. */
  async read(id: string, properties: Props, inputs?: Props): Promise<{ id: string; properties: Props; inputs: Props | undefined }> {
    const request = new proto.ReadRequest().setId(id).setProperties(struct(properties));
    if (inputs !== undefined) request.setInputs(struct(inputs));
    const response = await this.call<proto.ReadResponse>("Read", (callback) => this.client.read(request, callback));
    return { id: response.getId(), properties: plain(response.getProperties()), inputs: response.hasInputs() ? plain(response.getInputs()) : undefined };
  }

  async update(id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
    const response = await this.call<proto.UpdateResponse>("Update", (callback) =>
      this.client.update(new proto.UpdateRequest().setId(id).setOlds(struct(olds)).setNews(struct(news)), callback),
    );
    return { properties: plain(response.getProperties()) };
  }

  async delete(id: string, properties: Props): Promise<void> {
    await this.call<Empty>("Delete", (callback) => this.client.delete(new proto.DeleteRequest().setId(id).setProperties(struct(properties)), callback));
  }

  /**
   * Stops the host: SIGKILL by default (as a crash or the engine ending would), and waits for the
   * process to exit. Call it only between calls: a call in flight may hold the fake's state file lock.
   */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((done) => this.child.once("exit", () => done()));
      this.child.kill(signal);
      await exited;
    }
    if (this.ownsCwd) rmSync(this.cwd, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs of each kind, in the fake subscription.

/** The fake backend's subscription. */
export const SUB = "00000000-0000-0000-0000-000000000000";
/** ARM id of a resource group. */
export const rgId = (name: string): string => `/subscriptions/${SUB}/resourceGroups/${name}`;
/** ARM id of a VM. */
export const vmId = (resourceGroup: string, name: string): string => `${rgId(resourceGroup)}/providers/Microsoft.Compute/virtualMachines/${name}`;
/** The cache storage account in the source region (westeurope). */
export const CACHE = `${rgId("app-rg")}/providers/Microsoft.Storage/storageAccounts/cachewesteurope`;
/** A cache storage account in the target region (northeurope), for reprotect. */
export const CACHE_NEU = `${rgId("app-rg-dr")}/providers/Microsoft.Storage/storageAccounts/cachenortheurope`;
export const SOURCE_VNET = `${rgId("app-rg")}/providers/Microsoft.Network/virtualNetworks/app-vnet`;
export const TARGET_VNET = `${rgId("app-rg-dr")}/providers/Microsoft.Network/virtualNetworks/app-vnet-dr`;
/** The vault of the scenarios. */
export const VAULT = { resourceGroup: "dr-rg", name: "dr-vault" };

/** The inputs of a VM in westeurope (8 GB OS disk: replicated in a few polls). */
export function vmInputs(name: string, extra: Props = {}): Props {
  return {
    resourceGroup: "app-rg",
    name,
    location: "westeurope",
    size: "Standard_D2s_v5",
    image: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
    osDisk: { type: "Premium_LRS", sizeGB: 8 },
    adminUsername: "azureuser",
    sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnly azureuser",
    networkInterfaceIds: [`${rgId("app-rg")}/providers/Microsoft.Network/networkInterfaces/${name}-nic`],
    ...extra,
  };
}

/** Outputs of a ReplicationInfrastructure as a ProtectedVm takes them (made up: good enough for Check). */
const SAMPLE_INFRASTRUCTURE = {
  sourceRegion: "westeurope",
  targetRegion: "northeurope",
  sourceFabricId: `${rgId("dr-rg")}/providers/Microsoft.RecoveryServices/vaults/dr-vault/replicationFabrics/westeurope-fabric`,
  targetFabricId: `${rgId("dr-rg")}/providers/Microsoft.RecoveryServices/vaults/dr-vault/replicationFabrics/northeurope-fabric`,
  sourceContainerId: "source-container",
  targetContainerId: "target-container",
  forwardMappingId: "forward-mapping",
  reverseMappingId: "reverse-mapping",
  policyId: "policy",
  networkMappingIds: [],
};
const SAMPLE_ITEM = `${SAMPLE_INFRASTRUCTURE.sourceFabricId}/replicationProtectionContainers/source-container/replicationProtectedItems/web-0`;
/** Outputs of a HyperVSite as a HyperVProtectedVm takes them (made up: good enough for Check). */
const SAMPLE_SITE_ID = `${rgId("dr-rg")}/providers/Microsoft.RecoveryServices/vaults/dr-vault/replicationFabrics/site-onprem`;
const SAMPLE_SITE = {
  siteId: SAMPLE_SITE_ID,
  siteName: "site-onprem",
  containerId: `${SAMPLE_SITE_ID}/replicationProtectionContainers/site-onprem-container`,
  mappingId: `${SAMPLE_SITE_ID}/replicationProtectionContainers/site-onprem-container/replicationProtectionContainerMappings/m`,
  policyId: `${rgId("dr-rg")}/providers/Microsoft.RecoveryServices/vaults/dr-vault/replicationPolicies/hyperv-5min`,
};
const HYPERV_LOG = `${rgId("dr-rg")}/providers/Microsoft.Storage/storageAccounts/hvlognortheurope`;

/**
 * For each kind: valid inputs; invalid inputs and the properties Check must name; and one input
 * to make unknown (preview) with a value that would fail if it were judged.
 */
export const SAMPLES: Record<ResourceKind, { valid: Props; invalid: Props; invalidProperties: string[]; unknownKey: string }> = {
  Vault: {
    valid: { ...VAULT, location: "northeurope", tags: { env: "test" } },
    invalid: { resourceGroup: "dr-rg", name: "-bad-", location: "atlantis" },
    invalidProperties: ["name", "location"],
    unknownKey: "location",
  },
  VirtualMachine: {
    valid: vmInputs("web-0"),
    invalid: vmInputs("web-0", { size: "not a size", zone: "4" }),
    invalidProperties: ["size", "zone"],
    unknownKey: "size",
  },
  AvailabilitySet: {
    valid: { resourceGroup: "app-rg", name: "web-as", location: "westeurope", faultDomainCount: 2, updateDomainCount: 5 },
    invalid: { resourceGroup: "app-rg", name: "web-as", location: "westeurope", faultDomainCount: 2, updateDomainCount: 40 },
    invalidProperties: ["updateDomainCount"],
    unknownKey: "updateDomainCount",
  },
  ReplicationPolicy: {
    valid: { vault: VAULT, name: "a2a-24h", kind: "A2A", recoveryPointRetentionMinutes: 1440, appConsistentFrequencyMinutes: 240 },
    invalid: { vault: VAULT, name: "a2a-24h", kind: "A2A", recoveryPointRetentionMinutes: 99999 },
    invalidProperties: ["recoveryPointRetentionMinutes"],
    unknownKey: "recoveryPointRetentionMinutes",
  },
  ReplicationInfrastructure: {
    valid: {
      vault: VAULT,
      sourceRegion: "westeurope",
      targetRegion: "northeurope",
      policyName: "a2a-24h",
      network: { sourceNetworkId: SOURCE_VNET, targetNetworkId: TARGET_VNET },
    },
    invalid: { vault: VAULT, sourceRegion: "westeurope", targetRegion: "westeurope", policyName: "a2a-24h" },
    invalidProperties: ["targetRegion"],
    unknownKey: "sourceRegion",
  },
  ProtectedVm: {
    valid: {
      vault: VAULT,
      infrastructure: SAMPLE_INFRASTRUCTURE,
      virtualMachineId: vmId("app-rg", "web-0"),
      recoveryResourceGroupId: rgId("app-rg-dr"),
      cacheStorageAccountId: CACHE,
    },
    invalid: {
      vault: VAULT,
      infrastructure: SAMPLE_INFRASTRUCTURE,
      virtualMachineId: "web-0",
      recoveryResourceGroupId: rgId("app-rg-dr"),
      cacheStorageAccountId: CACHE,
    },
    invalidProperties: ["virtualMachineId"],
    unknownKey: "virtualMachineId",
  },
  RecoveryPlan: {
    valid: {
      vault: VAULT,
      name: "shop",
      primaryFabricId: SAMPLE_INFRASTRUCTURE.sourceFabricId,
      recoveryFabricId: SAMPLE_INFRASTRUCTURE.targetFabricId,
      groups: [{ protectedVmIds: [SAMPLE_ITEM] }],
    },
    invalid: {
      vault: VAULT,
      name: "shop",
      primaryFabricId: SAMPLE_INFRASTRUCTURE.sourceFabricId,
      recoveryFabricId: SAMPLE_INFRASTRUCTURE.targetFabricId,
      groups: [],
    },
    invalidProperties: ["groups"],
    unknownKey: "groups",
  },
  Reprotect: {
    valid: { vault: VAULT, protectedVmId: SAMPLE_ITEM, lifecycleId: "lifecycle-1", cacheStorageAccountId: CACHE_NEU },
    invalid: { vault: VAULT, protectedVmId: "web-0", cacheStorageAccountId: "not-a-storage-account" },
    invalidProperties: ["protectedVmId", "cacheStorageAccountId"],
    unknownKey: "protectedVmId",
  },
  HyperVSite: {
    valid: { vault: VAULT, siteName: "site-onprem", policyName: "hyperv-5min" },
    invalid: { vault: VAULT, siteName: "-bad-", policyName: "hyperv-5min", containerName: "" },
    invalidProperties: ["siteName", "containerName"],
    unknownKey: "siteName",
  },
  HyperVProtectedVm: {
    valid: { site: SAMPLE_SITE, vmName: "sql-0", targetResourceGroupId: rgId("dr-rg"), logStorageAccountId: HYPERV_LOG },
    invalid: { site: SAMPLE_SITE, vmName: "sql-0", targetResourceGroupId: "dr-rg" },
    invalidProperties: ["targetResourceGroupId", "logStorageAccountId"],
    unknownKey: "site",
  },
};
