import type { ResourceKind } from "../../providers/core/index.js";
import { serializeProvider, type Props, type PulumiHost } from "./pulumiHost.js";

/** A resource as a program declares it. */
export interface ResourceSpec {
  /** The logical name (unique in the stack). */
  name: string;
  kind: ResourceKind;
  /** The inputs, or a function of the outputs of the resources declared before it (what `Output.apply` wiring gives). */
  inputs: Props | ((outputsOf: (name: string) => Props) => Props);
  /** The `deleteBeforeReplace` resource option. */
  deleteBeforeReplace?: boolean;
  /** The provider text to use instead of the current code's (`__provider`), e.g. an older release's. */
  provider?: string;
}

/** A resource in the stack's state: what the engine keeps between runs. */
export interface StateEntry {
  name: string;
  kind: ResourceKind;
  id: string;
  /** The checked inputs (with `__provider`). */
  inputs: Props;
  /** The provider's outputs (with `__provider`: Read and Delete run this text). */
  outputs: Props;
}

/** What a run did to one resource, in order. */
export interface Step {
  op: "create" | "same" | "update" | "create-replacement" | "delete-replaced" | "delete" | "refresh" | "refresh-gone";
  name: string;
}

/** A run that stopped: the steps done before the failing one, and the error. */
export class EngineLiteError extends Error {
  constructor(
    message: string,
    readonly steps: Step[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "EngineLiteError";
  }
}

/**
 * "engine-lite": an APPROXIMATION of the Pulumi engine, for tests only, that drives the real
 * provider host ({@link PulumiHost}) with the documented engine rules (PULUMI-DYNAMIC-PROVIDERS.md
 * §1.1-1.2 and §3 layer 2): `up` = Check (old inputs, new inputs) then, for a resource in state,
 * Diff (old outputs, checked inputs), then Update in place, or a replacement (create the new one
 * then delete the old one, unless the provider or the resource option asks for deleteBeforeReplace),
 * and Delete for resources no longer declared; `refresh` = Read (an empty id drops the resource);
 * `destroy` = Delete with the stored outputs, so with the provider text stored in state.
 *
 * It is not the engine: resources run one at a time in declaration order (no dependency graph),
 * there is no preview (Create/Update are never skipped), no ignoreChanges, custom timeouts,
 * protect/retain, aliases, partial-create handling, secrets or checkpoint encryption. DIFF_UNKNOWN
 * falls back to comparing old and new inputs, as the engine does for legacy diffs.
 */
export class EngineLite {
  /** The state, by URN, in creation order (destroy runs it backwards). Plain JSON. */
  state: Record<string, StateEntry> = {};
  private readonly providers = new Map<ResourceKind, string>();

  constructor(
    /** The host the next calls go to (swap it to continue in another process). */
    public host: PulumiHost,
    private readonly stack = "test",
    private readonly project = "azure-dr",
  ) {}

  urn(kind: ResourceKind, name: string): string {
    return `urn:pulumi:${this.stack}::${this.project}::pulumi-nodejs:dynamic/azure-dr:${kind}::${name}`;
  }

  /** The outputs of a resource in state. */
  outputs(name: string): Props {
    const entry = Object.values(this.state).find((e) => e.name === name);
    if (entry === undefined)
      throw new Error(
        `engine-lite: no resource '${name}' in state (${Object.values(this.state)
          .map((e) => e.name)
          .join(", ")})`,
      );
    return entry.outputs;
  }

  private async providerText(spec: ResourceSpec): Promise<string> {
    if (spec.provider !== undefined) return spec.provider;
    let text = this.providers.get(spec.kind);
    if (text === undefined) {
      text = (await serializeProvider(spec.kind)).text;
      this.providers.set(spec.kind, text);
    }
    return text;
  }

  /** Brings the stack to `resources`: the steps taken, in order. */
  async up(resources: readonly ResourceSpec[]): Promise<Step[]> {
    const steps: Step[] = [];
    const run = async (step: Step, work: () => Promise<void>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        throw new EngineLiteError(`engine-lite: ${step.op} ${step.name} failed: ${(error as Error).message}`, steps, { cause: error });
      }
      steps.push(step);
    };
    const declared = new Set<string>();
    for (const spec of resources) {
      const urn = this.urn(spec.kind, spec.name);
      declared.add(urn);
      const news = {
        ...(typeof spec.inputs === "function" ? spec.inputs((name) => this.outputs(name)) : spec.inputs),
        __provider: await this.providerText(spec),
      };
      const old = this.state[urn];
      const checked = await this.host.check(old?.inputs ?? {}, news).catch((error: unknown) => {
        throw new EngineLiteError(`engine-lite: check ${spec.name} failed: ${(error as Error).message}`, steps, { cause: error });
      });
      if (checked.failures.length > 0) {
        throw new EngineLiteError(`engine-lite: check ${spec.name}: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`, steps);
      }
      const inputs = checked.inputs;
      const create = async (): Promise<StateEntry> => {
        const created = await this.host.create(inputs);
        return { name: spec.name, kind: spec.kind, id: created.id, inputs, outputs: created.properties };
      };
      if (old === undefined) {
        await run({ op: "create", name: spec.name }, async () => void (this.state[urn] = await create()));
        continue;
      }
      let diff;
      try {
        diff = await this.host.diff(old.id, old.outputs, inputs);
      } catch (error) {
        throw new EngineLiteError(`engine-lite: diff ${spec.name} failed: ${(error as Error).message}`, steps, { cause: error });
      }
      const changed = diff.changes === "DIFF_SOME" || (diff.changes === "DIFF_UNKNOWN" && JSON.stringify(old.inputs) !== JSON.stringify(inputs));
      if (!changed) {
        this.state[urn] = { ...old, inputs };
        steps.push({ op: "same", name: spec.name });
      } else if (diff.replaces.length === 0) {
        await run({ op: "update", name: spec.name }, async () => {
          const updated = await this.host.update(old.id, old.outputs, inputs);
          this.state[urn] = { ...old, inputs, outputs: updated.properties };
        });
      } else if (diff.deleteBeforeReplace || spec.deleteBeforeReplace === true) {
        await run({ op: "delete-replaced", name: spec.name }, () => this.host.delete(old.id, old.outputs));
        await run({ op: "create-replacement", name: spec.name }, async () => {
          try {
            this.state[urn] = await create(); // (in place: the state keeps its order)
          } catch (error) {
            delete this.state[urn];
            throw error;
          }
        });
      } else {
        await run({ op: "create-replacement", name: spec.name }, async () => void (this.state[urn] = await create()));
        // (The engine would keep the old resource in state as pending deletion if this failed.)
        await run({ op: "delete-replaced", name: spec.name }, () => this.host.delete(old.id, old.outputs));
      }
    }
    for (const [urn, entry] of Object.entries(this.state).reverse()) {
      if (declared.has(urn)) continue;
      await run({ op: "delete", name: entry.name }, () => this.host.delete(entry.id, entry.outputs));
      delete this.state[urn];
    }
    return steps;
  }

  /** Reads every resource: outputs (and inputs, when the provider gives them) follow; a gone resource leaves the state. */
  async refresh(): Promise<Step[]> {
    const steps: Step[] = [];
    for (const [urn, entry] of Object.entries(this.state)) {
      const read = await this.host.read(entry.id, entry.outputs, entry.inputs);
      if (read.id === "") {
        delete this.state[urn];
        steps.push({ op: "refresh-gone", name: entry.name });
      } else {
        this.state[urn] = { ...entry, id: read.id, outputs: read.properties, inputs: read.inputs ?? entry.inputs };
        steps.push({ op: "refresh", name: entry.name });
      }
    }
    return steps;
  }

  /** Deletes every resource, newest first, each with its stored outputs (and so the provider text in state). */
  async destroy(): Promise<Step[]> {
    return this.up([]);
  }
}
