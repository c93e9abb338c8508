// The dynamic provider of release 0.1.0, kept as it was to write the state that release wrote: it
// captured the absolute path of its logic (PULUMI-DYNAMIC-PROVIDERS.md T3). Tests only: never ship.
import type * as pulumi from "@pulumi/pulumi";
import type * as ProviderCore from "../../providers/core/index.js";

type CoreModule = typeof ProviderCore;

/** The stack configuration keys the provider reads in `configure` (fully qualified). */
const CONFIG_KEYS = ["azure-dr:backend", "azure-dr:subscriptionId", "azure-dr:fakeStateFile", "azure-dr:emulatorUrl"];

/**
 * Loads the providers' logic in the host: the installed package first (`azure-dr/provider-core`,
 * resolved from the host's folder), else the file this provider was created from.
 */
function loadCore(fallbackPath: string): CoreModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("azure-dr/provider-core") as CoreModule;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(fallbackPath) as CoreModule;
  }
}

/** The properties without the provider's own text, which the host adds to every call's properties. */
function withoutProvider(props: Record<string, never>): Record<string, never> {
  const copy = { ...props };
  delete copy.__provider;
  return copy;
}

/**
 * The dynamic provider of one azure-dr resource kind. It captures only the kind and where its
 * logic lives; the backend is chosen in `configure` from the stack configuration and built for
 * each call, and credentials are never held.
 */
export class LegacyAzureDrProvider implements pulumi.dynamic.ResourceProvider {
  /** The stack configuration `configure` received (only the azure-dr keys, no secrets). */
  private config: Record<string, string> = {};

  constructor(
    readonly kind: string,
    readonly coreModule: string,
  ) {}

  private core(): ProviderCore.ResourceCore {
    const core = loadCore(this.coreModule).cores[this.kind as keyof CoreModule["cores"]];
    if (core === undefined) throw new Error(`azure-dr: unknown resource kind '${this.kind}'`);
    return core;
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
    return this.core().check(withoutProvider(olds), news);
  }

  async diff(id: string, olds: Record<string, never>, news: Record<string, never>): Promise<pulumi.dynamic.DiffResult> {
    return this.core().diff(id, withoutProvider(olds), withoutProvider(news));
  }

  async create(inputs: Record<string, never>): Promise<pulumi.dynamic.CreateResult> {
    const core = this.core();
    return loadCore(this.coreModule).withDrClient(this.config, (dr) => core.create(dr, withoutProvider(inputs)));
  }

  async read(id: string, props: Record<string, never>): Promise<pulumi.dynamic.ReadResult> {
    const core = this.core();
    const found = await loadCore(this.coreModule).withDrClient(this.config, (dr) => core.read(dr, id, withoutProvider(props)));
    return found.id === undefined
      ? {}
      : { id: found.id, ...(found.props === undefined ? {} : { props: found.props }), ...(found.inputs === undefined ? {} : { inputs: found.inputs }) };
  }

  async update(id: string, olds: Record<string, never>, news: Record<string, never>): Promise<pulumi.dynamic.UpdateResult> {
    const core = this.core();
    return loadCore(this.coreModule).withDrClient(this.config, (dr) => core.update(dr, id, withoutProvider(olds), withoutProvider(news)));
  }

  async delete(id: string, props: Record<string, never>): Promise<void> {
    const core = this.core();
    await loadCore(this.coreModule).withDrClient(this.config, (dr) => core.delete(dr, id, withoutProvider(props)));
  }
}
