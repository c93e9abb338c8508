// The testing kit for Pulumi programs that use the azure-dr resources: runs a program offline,
// with each azure-dr resource created for real on the emulator by its own serialized provider.
// See PULUMI-DYNAMIC-PROVIDERS.md §2c and §3 (layer 3, "delegate" mode) and T6-T8.
import { mkdtempSync } from "node:fs";
import Module from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { isMainThread } from "node:worker_threads";
import * as pulumi from "@pulumi/pulumi";
import type {
  ReadResourceRequest,
  ReadResourceResponse,
  RegisterResourceOutputsRequest,
  RegisterResourceRequest,
  RegisterResourceResponse,
} from "@pulumi/pulumi/proto/resource_pb";
import type { DrClient } from "../sdk/index.js";
import { CONFIG_KEYS, resolveBackendConfig, withDrClient } from "./core/providerConfig.js";

/** The key that marks a secret on the wire (the engine's `4dabf18193072939515e22adb298388d`). */
const SIG_KEY = pulumi.runtime.specialSigKey;
/** The signature of a secret (`1b47061264138c4ac30d75fd1eb44270`). */
const SECRET_SIG = pulumi.runtime.specialSecretSig;
/** The prefix of every dynamic resource's type token (`pulumi-nodejs:dynamic/azure-dr:Vault`, ...). */
const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic";
const PROVIDER_KEY = "__provider";

/** Options of {@link runOnEmulator}. */
export interface EmulatorRunOptions {
  /**
   * The stack configuration, as `pulumi config` would hold it (fully qualified keys): what the
   * providers' `configure` receives and what the program's `pulumi.Config` reads.
   * @default `azure-dr:backend` = `fake` and `azure-dr:fakeStateFile` = a new file in the OS temp folder
   */
  config?: Readonly<Record<string, string>>;
  /** @default "project" (what `pulumi.getProject()` returns) */
  project?: string;
  /** @default "stack" (what `pulumi.getStack()` returns) */
  stack?: string;
  /**
   * Mocks for everything that is not an azure-dr resource: `newResource` for other resource types
   * (by default their state is their inputs and their id `<name>_id`), `call` for invokes (by
   * default the result is the invoke's inputs).
   */
  mocks?: Partial<pulumi.runtime.Mocks>;
}

/** A resource the program registered, as the engine saw it. */
export interface RegisteredResource {
  /** Its URN, as the mock engine made it (`urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>`). */
  readonly urn: string;
  /** Its type token, e.g. `pulumi-nodejs:dynamic/azure-dr:ProtectedVm` or `azure-dr:index:DrTopology`. */
  readonly type: string;
  /** Its logical name. */
  readonly name: string;
  /** False for components (and the stack). */
  readonly custom: boolean;
  /** The parent's URN (the stack's for top-level resources; undefined for the stack itself). */
  readonly parent: string | undefined;
  /** The id its provider returned (an ARM id for most azure-dr resources); `<name>_id` for mocked ones. */
  readonly id: string | undefined;
  /**
   * The inputs as the program registered them. Secrets are still wrapped as they travel to the
   * engine (`{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }`;
   * see {@link unwrapSecrets}); an azure-dr resource's inputs hold its serialized provider (`__provider`).
   */
  readonly inputs: Readonly<Record<string, unknown>>;
  /**
   * What the program got back: for an azure-dr resource, its provider's outputs (with `__provider`,
   * and marked secret where the same input was secret, as the engine does); for a component, what it
   * registered with `registerOutputs`; otherwise what the mocks returned.
   */
  readonly outputs: Readonly<Record<string, unknown>>;
}

/** What {@link runOnEmulator} returns once the program ran. */
export interface EmulatorRun<T> {
  /** The program's exports, resolved (outputs are plain values; resources are plain objects of their outputs). */
  readonly outputs: pulumi.Unwrap<T>;
  /** Every resource the program registered (the stack first), in the order the engine answered them. */
  readonly resources: readonly RegisteredResource[];
  /** The stack configuration the program and providers ran with (defaults included). */
  readonly config: Readonly<Record<string, string>>;
  /** The emulator's state file on the fake backend (undefined on the emulator backend). */
  readonly stateFile: string | undefined;
  /**
   * The registered resource of this type and logical name.
   * @throws Error naming the resources registered, when there is none.
   */
  resource(type: string, name: string): RegisteredResource;
  /**
   * Runs `work` with a client on the backend the providers used (the same state file), to assert on
   * what the program left in the emulator. The client is closed when `work` settles.
   */
  withClient<R>(work: (dr: DrClient) => Promise<R>): Promise<R>;
}

/** Why a resource could not be created: its check failures, or the error its provider threw. */
export interface ResourceFailure {
  /** The resource's type token (empty when the program itself threw). */
  readonly type: string;
  /** The resource's logical name (empty when the program itself threw). */
  readonly name: string;
  /** `check` (invalid inputs), `create` (the provider failed), `read` (a resource read by id with `get` could not be read), or `program` (the program itself threw). */
  readonly step: "check" | "create" | "read" | "program";
  /** What went wrong, as `pulumi up` would report it. */
  readonly message: string;
  /** The check failures, each naming its property (empty unless `step` is `check`). */
  readonly checkFailures: readonly { readonly property: string; readonly reason: string }[];
}

/**
 * A program that did not run to the end: as with `pulumi up`, the resources registered after the
 * first failure were not created, and those created before it stay in the emulator.
 */
export class ProgramRunError extends Error {
  override readonly name = "ProgramRunError";

  constructor(readonly failures: readonly ResourceFailure[]) {
    super(failures.map((f) => (f.step === "program" ? `the program failed: ${f.message}` : `${f.type} resource '${f.name}': ${f.message}`)).join("\n"));
  }
}

/**
 * Removes the secret wrappers from a value, at any depth, as the engine does before it calls a
 * provider that does not accept secrets (every dynamic provider).
 */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record[SIG_KEY] === SECRET_SIG) return unwrapSecrets(record.value);
  const unwrapped: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) if (item !== undefined) unwrapped[key] = unwrapSecrets(item);
  return unwrapped;
}

let running = false;

/**
 * Runs a Pulumi program offline and creates its azure-dr resources on the emulator, as `pulumi up`
 * would on a new stack: Pulumi's mocks stand for the engine, and each azure-dr resource
 * (`pulumi-nodejs:dynamic/azure-dr:*`) goes to its own serialized provider (`__provider`), loaded
 * the way Pulumi's provider host loads it and configured with the stack configuration. As the
 * engine does, the kit removes secret wrappers from the inputs, calls `check` (its failures fail the
 * program, naming the property) and then `create`, and returns the provider's outputs to the
 * program, marked secret where the input was. Other resources get their inputs as outputs (or what
 * `options.mocks` says).
 *
 * Resources read by id (`Vault.get(name, id)`, ...) are read by their provider, as the engine does.
 * It is not the engine: there is no previous state, so no diff, update, replace, refresh or
 * delete (test those on the cores, or through the real provider host). The providers run the
 * built code (`npm run build` first when working on this package). One program runs at a time
 * per process (Pulumi's runtime state is global): with ava, use `test.serial`.
 *
 * @example
 * ```ts
 * import test from "ava";
 * import { AvailabilitySet, runOnEmulator } from "azure-dr/providers";
 *
 * test.serial("the web tier's availability set", async (t) => {
 *   const run = await runOnEmulator(() => {
 *     const set = new AvailabilitySet("web", { resourceGroup: "shop-rg", name: "web-as", location: "westeurope" });
 *     return { setId: set.availabilitySetId };
 *   });
 *   t.regex(run.outputs.setId, /availabilitySets\/web-as$/);
 *   const set = await run.withClient((dr) => dr.availabilitySets.get("shop-rg", "web-as"));
 *   t.is(set.faultDomainCount, 2);
 * });
 * ```
 * @throws ProgramRunError listing what failed (check failures name their property), when a
 *   resource could not be created or the program threw.
 * @throws Error when the configuration selects the `azure` backend: the kit never touches Azure.
 */
export async function runOnEmulator<T>(program: () => T | Promise<T>, options: EmulatorRunOptions = {}): Promise<EmulatorRun<T>> {
  if (running) throw new Error("runOnEmulator runs one program at a time per process (Pulumi's runtime state is global): await the previous run");
  running = true;
  try {
    return await runProgram(program, options);
  } finally {
    running = false;
  }
}

async function runProgram<T>(program: () => T | Promise<T>, options: EmulatorRunOptions): Promise<EmulatorRun<T>> {
  const project = options.project ?? "project";
  const stack = options.stack ?? "stack";
  const config = stackConfig(options.config ?? {});
  const backend = resolveBackendConfig(config);
  if (backend.kind === "azure") {
    throw new Error(`runOnEmulator never touches Azure: set ${CONFIG_KEYS.backend} to 'fake' (the default) or 'emulator'`);
  }

  const failures: ResourceFailure[] = [];
  const providers = new Map<string, Promise<pulumi.dynamic.ResourceProvider>>();
  const provider = (text: string): Promise<pulumi.dynamic.ResourceProvider> => {
    let loaded = providers.get(text);
    if (loaded === undefined) {
      loaded = configureProvider(loadProvider(text), config, project);
      providers.set(text, loaded);
    }
    return loaded;
  };
  const fail = (failure: ResourceFailure): void => {
    failures.push(failure);
    stopCreating();
  };

  const mocks: pulumi.runtime.Mocks = {
    call: (args) => (options.mocks?.call === undefined ? (args.inputs as pulumi.runtime.MockCallResult) : options.mocks.call(args)),
    newResource: async (args) => {
      if (!args.type.startsWith(DYNAMIC_TYPE_PREFIX) || args.custom === false) {
        return options.mocks?.newResource === undefined
          ? { id: `${args.name}_id`, state: args.inputs as Record<string, unknown> }
          : options.mocks.newResource(args);
      }
      // After a failure the engine starts nothing new.
      if (failures.length > 0) return NOT_CREATED;
      try {
        return await createDynamic(args, provider);
      } catch (error) {
        fail(failureOf(args, error));
        return NOT_CREATED;
      }
    },
  };

  await prepareSerialization();
  await pulumi.runtime.setMocks(mocks, project, stack, false);
  pulumi.runtime.setAllConfig({ ...config });
  const resources = recordRegistrations();

  // The program's own error is caught inside the stack, so that the stack completes (when it
  // rejects, Pulumi's runtime leaves rejected promises unhandled, as `pulumi up` then fails anyway).
  const programFailed = (error: unknown): undefined => {
    fail({ type: "", name: "", step: "program", message: messageOf(error), checkFailures: [] });
    return undefined;
  };
  const outcome = await pulumi.runtime
    .runInPulumiStack(async () => {
      try {
        return await program();
      } catch (error) {
        return programFailed(error);
      }
    })
    .then(
      (outputs) => ({ outputs }),
      (error: unknown) => ({ error: programFailed(error) }),
    );
  // Resources the exports do not depend on may still be on their way (and, after a failure, what
  // depended on the failed resource is being answered as not created): wait for every registration.
  try {
    await pulumi.runtime.disconnect();
  } finally {
    setDryRun(false);
  }
  if (failures.length > 0 || !("outputs" in outcome)) throw new ProgramRunError(failures);
  return {
    outputs: outcome.outputs as pulumi.Unwrap<T>,
    resources,
    config,
    stateFile: backend.kind === "fake" ? backend.stateFile : undefined,
    resource(type, name) {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (found === undefined)
        throw new Error(`no ${type} named '${name}' was registered; registered: ${resources.map((r) => `${r.type} ${r.name}`).join(", ")}`);
      return found;
    },
    withClient: (work) => withDrClient(config, work),
  };
}

/** What a resource the engine did not create gets: no id and no outputs, both unknown once {@link stopCreating} ran. */
const NOT_CREATED: pulumi.runtime.MockResourceResult = { id: undefined, state: {} };

/**
 * After a failure, the run goes on as a preview, so that the outputs of the resources not created
 * are unknown: the program's `apply` callbacks do not run on them, what depends on them registers
 * and is answered at once, and the run drains (nothing is left waiting to reach a later run).
 */
function stopCreating(): void {
  setDryRun(true);
}

function setDryRun(value: boolean): void {
  const settings = pulumi.runtime as unknown as { _setIsDryRun?: (value: boolean) => void };
  if (typeof settings._setIsDryRun !== "function") throw new Error("runOnEmulator needs @pulumi/pulumi's runtime._setIsDryRun (3.x)");
  settings._setIsDryRun(value);
}

let serializationReady: Promise<void> | undefined;

/**
 * Pulumi serializes a dynamic resource's provider with a map of Node's built-in modules, which it
 * builds once per thread by requiring each of them; in a worker thread (ava's default, vitest's
 * threads pool) `trace_events` throws ERR_TRACE_EVENTS_UNAVAILABLE and every serialization fails.
 * There, the map is built once here with `trace_events` standing in as an empty object (a provider
 * never captures it). {@link runOnEmulator} calls it; call it before a program of your own runs
 * under `pulumi.runtime.setMocks` in a worker thread.
 */
export function prepareSerialization(): Promise<void> {
  if (isMainThread) return Promise.resolve();
  serializationReady ??= (async () => {
    const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
    const load = loader._load;
    loader._load = function (this: unknown, request: string, ...rest: unknown[]): unknown {
      try {
        return load.call(this, request, ...rest);
      } catch (error) {
        if (request.replace(/^node:/, "") === "trace_events") return {};
        throw error;
      }
    };
    try {
      // Capturing a built-in module makes Pulumi build its map.
      await pulumi.runtime.serializeFunction(() => path.sep);
    } finally {
      loader._load = load;
    }
  })();
  return serializationReady;
}

/** The stack configuration with the kit's defaults: the fake backend, its state in a new temp file. */
function stackConfig(given: Readonly<Record<string, string>>): Record<string, string> {
  const config: Record<string, string> = { [CONFIG_KEYS.backend]: "fake", ...given };
  if (config[CONFIG_KEYS.backend] === "fake" && config[CONFIG_KEYS.fakeStateFile] === undefined) {
    config[CONFIG_KEYS.fakeStateFile] = path.join(mkdtempSync(path.join(tmpdir(), "azure-dr-pulumi-")), "state.json");
  }
  return config;
}

/**
 * Check then create, as the engine and the provider host do for a new resource; or, for a
 * resource read by id (`get`), the provider's read with the properties the program gave.
 */
async function createDynamic(
  args: pulumi.runtime.MockResourceArgs,
  provider: (text: string) => Promise<pulumi.dynamic.ResourceProvider>,
): Promise<pulumi.runtime.MockResourceResult> {
  const step = args.id !== undefined && args.id !== "" ? "read" : "create";
  // The engine removes the secrets before it calls a provider that does not accept them (T8).
  const news = toStruct(unwrapSecrets(args.inputs), "inputs") as Record<string, unknown>;
  const text = news[PROVIDER_KEY];
  if (typeof text !== "string") throw new StepError(step, `code must be a string, not ${typeof text} (the resource has no serialized provider)`);
  const dynamic = await provider(text);
  if (args.id !== undefined && args.id !== "") return readDynamic(args.id, news, text, dynamic);

  let checked = news;
  if (dynamic.check !== undefined) {
    const result = await dynamic.check({}, news);
    const checkFailures = (result.failures ?? []).map((f) => ({ property: f.property, reason: f.reason }));
    if (checkFailures.length > 0)
      throw new StepError("check", checkFailures.map((f) => `property ${f.property} has a problem: ${f.reason}`).join("; "), checkFailures);
    if (result.inputs !== undefined) checked = result.inputs as Record<string, unknown>;
  }
  checked = toStruct({ ...checked, [PROVIDER_KEY]: text }, "check's inputs") as Record<string, unknown>;

  let created: pulumi.dynamic.CreateResult;
  try {
    created = await dynamic.create(checked);
  } catch (error) {
    throw new StepError("create", messageOf(error));
  }
  if (typeof created.id !== "string" || created.id === "") throw new StepError("create", "the provider returned no id");
  const outs = toStruct({ ...(created.outs as Record<string, unknown> | undefined), [PROVIDER_KEY]: text }, "create's outputs") as Record<string, unknown>;
  return { id: created.id, state: markSecrets(outs, args.inputs as Record<string, unknown>) };
}

/** Read by id, as the engine does for `get`: the provider's read with the properties the program gave. */
async function readDynamic(
  id: string,
  props: Record<string, unknown>,
  text: string,
  dynamic: pulumi.dynamic.ResourceProvider,
): Promise<pulumi.runtime.MockResourceResult> {
  if (dynamic.read === undefined) throw new StepError("read", "the provider cannot read");
  let found: pulumi.dynamic.ReadResult;
  try {
    found = await dynamic.read(id, props);
  } catch (error) {
    throw new StepError("read", messageOf(error));
  }
  if (typeof found.id !== "string" || found.id === "") throw new StepError("read", `no resource has the id ${id}`);
  const state = toStruct({ ...(found.props as Record<string, unknown> | undefined), [PROVIDER_KEY]: text }, "read's outputs") as Record<string, unknown>;
  return { id: found.id, state };
}

class StepError extends Error {
  constructor(
    readonly step: "check" | "create" | "read",
    message: string,
    readonly checkFailures: ResourceFailure["checkFailures"] = [],
  ) {
    super(message);
  }
}

function failureOf(args: pulumi.runtime.MockResourceArgs, error: unknown): ResourceFailure {
  const step = error instanceof StepError ? error.step : "create";
  const checkFailures = error instanceof StepError ? error.checkFailures : [];
  return { type: args.type, name: args.name, step, message: messageOf(error), checkFailures };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface CompilableModule {
  filename: string;
  paths: string[];
  exports: unknown;
  _compile(code: string, filename: string): void;
}

/**
 * Loads a serialized provider as Pulumi's provider host does (`require-from-string` with the
 * filename `""`: modules resolve from the current folder) and calls its `handler`.
 */
function loadProvider(text: string): pulumi.dynamic.ResourceProvider {
  const nodeModulePaths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths;
  const module = new Module("", null as unknown as Module) as unknown as CompilableModule;
  module.filename = "";
  module.paths = nodeModulePaths(path.dirname(""));
  module._compile(text, "");
  const { handler } = module.exports as { handler?: () => pulumi.dynamic.ResourceProvider };
  if (typeof handler !== "function") throw new StepError("create", "the serialized provider exports no handler");
  return handler();
}

/** Calls `configure` once per provider text, as the host does, with the stack configuration. */
async function configureProvider(
  provider: pulumi.dynamic.ResourceProvider,
  config: Readonly<Record<string, string>>,
  project: string,
): Promise<pulumi.dynamic.ResourceProvider> {
  const get = (key: string): string | undefined => config[key.includes(":") ? key : `${project}:${key}`];
  await provider.configure?.({
    config: {
      get,
      require(key) {
        const value = get(key);
        if (value === undefined) throw new Error(`Missing required configuration key: ${key}`);
        return value;
      },
    },
  });
  return provider;
}

/**
 * The value as it comes out of a protobuf Struct, which is how the engine and the provider host
 * pass properties: `undefined`, functions and other non-JSON values are refused (the host fails
 * with "Unexpected struct type."), objects keep their own enumerable keys only.
 */
function toStruct(value: unknown, path: string): unknown {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((item, index) => toStruct(item, `${path}[${index}]`));
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toStruct(item, `${path}.${key}`)]));
  }
  throw new StepError("create", `${path} is ${typeof value}: a property must be JSON (the provider host fails with "Unexpected struct type.")`);
}

/** Marks as secret each output whose input of the same name held a secret, as the engine does for providers that do not accept secrets. */
function markSecrets(outs: Record<string, unknown>, ins: Record<string, unknown>): Record<string, unknown> {
  const marked = { ...outs };
  for (const [key, input] of Object.entries(ins)) {
    const output = marked[key];
    if (output === undefined) continue;
    if (isPlainObject(output) && isPlainObject(input) && !isSecret(input)) marked[key] = markSecrets(output, input);
    else if (!isSecret(output) && containsSecret(input)) marked[key] = { [SIG_KEY]: SECRET_SIG, value: output };
  }
  return marked;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isSecret(value: unknown): boolean {
  return isPlainObject(value) && value[SIG_KEY] === SECRET_SIG;
}

function containsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  return isPlainObject(value) && Object.values(value).some(containsSecret);
}

type MutableRegistration = { -readonly [K in keyof RegisteredResource]: RegisteredResource[K] };

type Callback<R> = (error: unknown, response?: R) => void;
interface RecordingMonitor {
  registerResource(request: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): unknown;
  readResource(request: ReadResourceRequest, callback: Callback<ReadResourceResponse>): unknown;
  registerResourceOutputs(request: RegisterResourceOutputsRequest, callback: Callback<unknown>): unknown;
}

/**
 * Records what the mock monitor registers (the mocks themselves are not told the parent or the URN),
 * and the outputs components register.
 */
function recordRegistrations(): RegisteredResource[] {
  const monitor = pulumi.runtime.getMonitor() as unknown as RecordingMonitor | undefined;
  if (monitor === undefined) throw new Error("runOnEmulator: Pulumi's mock monitor is not set");
  const resources: MutableRegistration[] = [];
  const register = monitor.registerResource.bind(monitor);
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (request, callback) =>
    read(request, (error, response) => {
      if (error == null && response !== undefined) {
        resources.push({
          urn: response.getUrn(),
          type: request.getType(),
          name: request.getName(),
          custom: true,
          parent: request.getParent() === "" ? undefined : request.getParent(),
          id: request.getId(),
          inputs: propertiesOf(request.getProperties()),
          outputs: propertiesOf(response.getProperties()),
        });
      }
      callback(error, response);
    });
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (error == null && response !== undefined) {
        resources.push({
          urn: response.getUrn(),
          type: request.getType(),
          name: request.getName(),
          custom: request.getCustom(),
          parent: request.getParent() === "" ? undefined : request.getParent(),
          id: response.getId() === "" ? undefined : response.getId(),
          inputs: propertiesOf(request.getObject()),
          outputs: propertiesOf(response.getObject()),
        });
      }
      callback(error, response);
    });
  monitor.registerResourceOutputs = (request, callback) => {
    const registered = resources.find((r) => r.urn === request.getUrn());
    if (registered !== undefined) registered.outputs = propertiesOf(request.getOutputs());
    return registerOutputs(request, callback);
  };
  return resources;
}

function propertiesOf(struct: Parameters<typeof pulumi.runtime.deserializeProperties>[0] | undefined): Record<string, unknown> {
  return struct === undefined ? {} : (pulumi.runtime.deserializeProperties(struct) as Record<string, unknown>);
}
