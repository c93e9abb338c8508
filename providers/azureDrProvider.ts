// This file is serialized into every dynamic resource's state (`__provider`) and run by Pulumi's
// provider host: it holds only plain data and functions over it, imports nothing at run time, and
// loads the real logic (`azure-dr/provider-core`) inside each method, resolved where it runs, so that
// the text names no path of the machine that wrote it. See PULUMI-DYNAMIC-PROVIDERS.md §1.4.
import type * as NodeModule from "node:module";
import type * as NodePath from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type * as ProviderCore from "./core/index.js";

type CoreModule = typeof ProviderCore;

/** The stack configuration keys the provider reads in `configure` (fully qualified). */
const CONFIG_KEYS = ["azure-dr:backend", "azure-dr:subscriptionId", "azure-dr:fakeStateFile", "azure-dr:emulatorUrl"];

/** The package export holding the providers' logic. */
const CORE_PACKAGE = "azure-dr/provider-core";

/** Whether `error` says that `request` itself cannot be found (not a module it requires). */
function isNotFound(error: unknown, request: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "MODULE_NOT_FOUND" && typeof message === "string" && message.includes(`'${request}'`);
}

/**
 * Loads the providers' logic in the host, resolved at run time, never from a path captured when
 * the provider was serialized: `azure-dr/provider-core` from the host's folder (a project that
 * installed azure-dr), else from the folders of the host's folder and of the host's own entry
 * point (`@pulumi/pulumi`, installed beside azure-dr) and their parents, where Node also resolves a
 * package by its own name, which is how a checkout of azure-dr (its dist/) serves its examples and tests.
 */
function loadCore(): CoreModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(CORE_PACKAGE) as CoreModule;
  } catch (error) {
    if (!isNotFound(error, CORE_PACKAGE)) throw error;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createRequire } = require("node:module") as typeof NodeModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dirname, join } = require("node:path") as typeof NodePath;
  const main = require.main?.filename;
  const starts = [process.cwd(), ...(main === undefined ? [] : [dirname(main)])];
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      try {
        return createRequire(join(dir, "azure-dr-provider-host.js"))(CORE_PACKAGE) as CoreModule;
      } catch (error) {
        if (!isNotFound(error, CORE_PACKAGE)) throw error;
      }
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(
    `azure-dr: cannot load the providers' logic ('${CORE_PACKAGE}') from ${starts.join(" or ")}: install azure-dr in the Pulumi project (npm install azure-dr), or run from a checkout of azure-dr whose dist/ is built`,
  );
}

/** The properties without the provider's own text, which the host adds to every call's properties. */
function withoutProvider(props: Record<string, never>): Record<string, never> {
  const copy = { ...props };
  delete copy.__provider;
  return copy;
}

/**
 * The dynamic provider of one azure-dr resource kind. It captures only the kind: the logic is
 * loaded where the provider runs, the backend is chosen in `configure` from the stack
 * configuration, and the clients (one credential per configuration, shared by concurrent calls)
 * live in the loaded logic, never in this object.
 */
export class AzureDrProvider implements pulumi.dynamic.ResourceProvider {
  /** The stack configuration `configure` received (only the azure-dr keys, no secrets). */
  private config: Record<string, string> = {};

  constructor(readonly kind: string) {}

  /** The loaded logic and this kind's core in it, found once per call (loading can walk the folders above). */
  private core(): { logic: CoreModule; core: ProviderCore.ResourceCore } {
    const logic = loadCore();
    const core = logic.cores[this.kind as keyof CoreModule["cores"]];
    if (core === undefined) throw new Error(`azure-dr: unknown resource kind '${this.kind}'`);
    return { logic, core };
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    const config: Record<string, string> = {};
    for (const key of CONFIG_KEYS) {
      let value: string | undefined;
      try {
        value = req.config.get(key);
      } catch {
        // The host answers every key with an error when the engine sent no configuration at all.
        value = undefined;
      }
      if (value !== undefined) config[key] = value;
    }
    this.config = config;
  }

  async check(olds: Record<string, never>, news: Record<string, never>): Promise<pulumi.dynamic.CheckResult> {
    return this.core().core.check(withoutProvider(olds), news);
  }

  async diff(id: string, olds: Record<string, never>, news: Record<string, never>): Promise<pulumi.dynamic.DiffResult> {
    return this.core().core.diff(id, withoutProvider(olds), withoutProvider(news));
  }

  async create(inputs: Record<string, never>): Promise<pulumi.dynamic.CreateResult> {
    const { logic, core } = this.core();
    return logic.withDrClient(this.config, (dr) => core.create(dr, withoutProvider(inputs)));
  }

  async read(id: string, props: Record<string, never>): Promise<pulumi.dynamic.ReadResult> {
    const { logic, core } = this.core();
    const found = await logic.withDrClient(this.config, (dr) => core.read(dr, id, withoutProvider(props)));
    return found.id === undefined
      ? {}
      : { id: found.id, ...(found.props === undefined ? {} : { props: found.props }), ...(found.inputs === undefined ? {} : { inputs: found.inputs }) };
  }

  async update(id: string, olds: Record<string, never>, news: Record<string, never>): Promise<pulumi.dynamic.UpdateResult> {
    const { logic, core } = this.core();
    return logic.withDrClient(this.config, (dr) => core.update(dr, id, withoutProvider(olds), withoutProvider(news)));
  }

  async delete(id: string, props: Record<string, never>): Promise<void> {
    const { logic, core } = this.core();
    await logic.withDrClient(this.config, (dr) => core.delete(dr, id, withoutProvider(props)));
  }
}
