import type { JsonObject } from "../arm/types.js";
import type { EmulatorState, StoredResource } from "./state.js";

/** Lower-cases an ARM id into its store key. */
export function resourceKey(id: string): string {
  return id.toLowerCase();
}

/**
 * Typed access to the resources of an {@link EmulatorState}, keyed like ARM
 * (subscription, resource group, provider, type, name), case-insensitive. Keeps an index by
 * type, so that listing one type does not walk the whole store; the index is rebuilt when the
 * state document is replaced (restore, reset).
 */
export class ResourceStore {
  private indexedState: EmulatorState | undefined;
  private readonly byType = new Map<string, Set<string>>();

  constructor(private readonly getState: () => EmulatorState) {}

  get(id: string): StoredResource | undefined {
    return this.getState().resources[resourceKey(id)];
  }

  put(resource: StoredResource): void {
    const key = resourceKey(resource.id);
    const keys = this.index().get(resource.type);
    if (keys === undefined) this.byType.set(resource.type, new Set([key]));
    else keys.add(key);
    this.getState().resources[key] = resource;
  }

  delete(id: string): boolean {
    const key = resourceKey(id);
    const resources = this.getState().resources;
    const existing = resources[key];
    if (existing === undefined) return false;
    this.index().get(existing.type)?.delete(key);
    delete resources[key];
    return true;
  }

  /** Resources of one type whose id starts with `scope` (a subscription, resource group or parent id). */
  list(scope: string, type: string): StoredResource[] {
    const prefix = resourceKey(scope) + "/";
    const resources = this.getState().resources;
    const out: StoredResource[] = [];
    for (const key of this.index().get(type.toLowerCase()) ?? []) {
      const resource = resources[key];
      if (resource !== undefined && key.startsWith(prefix)) out.push(resource);
    }
    return out;
  }

  /** Every resource of one type, wherever it is. */
  ofType(type: string): StoredResource[] {
    return this.list("", type);
  }

  private index(): Map<string, Set<string>> {
    const state = this.getState();
    if (this.indexedState !== state) {
      this.byType.clear();
      for (const [key, resource] of Object.entries(state.resources)) {
        const keys = this.byType.get(resource.type) ?? new Set<string>();
        keys.add(key);
        this.byType.set(resource.type, keys);
      }
      this.indexedState = state;
    }
    return this.byType;
  }

  /** Creates a stored resource record. */
  static record(id: string, type: string, body: JsonObject, internal: JsonObject = {}): StoredResource {
    return { id, type: type.toLowerCase(), body, internal };
  }
}
