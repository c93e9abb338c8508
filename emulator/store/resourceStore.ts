import type { JsonObject } from "../arm/types.js";
import type { EmulatorState, StoredResource } from "./state.js";

/** Lower-cases an ARM id into its store key. */
export function resourceKey(id: string): string {
  return id.toLowerCase();
}

/**
 * Finds the resources of one type by values derived from each (the VM a protected item
 * replicates, the items a recovery plan holds) without walking every resource of the type.
 */
export interface ResourceLookup {
  /** The resources of the type whose derived values include `value` now (compared case-insensitively). */
  find(value: string): StoredResource[];
}

/** What a resource of the type yields for a {@link ResourceLookup}. */
export type DerivedValues = (resource: StoredResource) => readonly string[];

/** A {@link ResourceLookup}'s entries: store keys by lower-cased value, and the values each key was filed under. */
interface DerivedIndex {
  type: string;
  valuesOf: DerivedValues;
  byValue: Map<string, Set<string>>;
  valuesByKey: Map<string, string[]>;
}

/**
 * Typed access to the resources of an {@link EmulatorState}, keyed like ARM
 * (subscription, resource group, provider, type, name), case-insensitive. Keeps an index by
 * type, so that listing one type does not walk the whole store, the keys each listed scope held
 * (until a resource of the type is added or removed: a client paging through 10,000 items reads
 * 200 pages, and each page must not walk them all again), and the lookups services declare
 * ({@link ResourceStore.lookup}); all are rebuilt when the state document is replaced (restore,
 * reset).
 */
export class ResourceStore {
  private indexedState: EmulatorState | undefined;
  private readonly byType = new Map<string, Set<string>>();
  /** Per type, per scope prefix: the keys {@link ResourceStore.list} found, in the type index's order. */
  private readonly listed = new Map<string, Map<string, string[]>>();
  private readonly derived: DerivedIndex[] = [];

  constructor(private readonly getState: () => EmulatorState) {}

  get(id: string): StoredResource | undefined {
    return this.getState().resources[resourceKey(id)];
  }

  /**
   * Stores `resource` under its id, replacing what was there. Putting a stored resource again
   * files it anew in the lookups: do so after changing in place a field a lookup derives from.
   */
  put(resource: StoredResource): void {
    const key = resourceKey(resource.id);
    const keys = this.index().get(resource.type);
    if (keys === undefined || !keys.has(key)) {
      if (keys === undefined) this.byType.set(resource.type, new Set([key]));
      else keys.add(key);
      // A new member of the type: its listings no longer hold (a replaced one keeps its place).
      this.listed.delete(resource.type);
    }
    for (const index of this.derived) {
      unfile(index, key);
      if (index.type === resource.type) file(index, key, resource);
    }
    this.getState().resources[key] = resource;
  }

  delete(id: string): boolean {
    const key = resourceKey(id);
    const resources = this.getState().resources;
    const existing = resources[key];
    if (existing === undefined) return false;
    this.index().get(existing.type)?.delete(key);
    this.listed.delete(existing.type);
    for (const index of this.derived) unfile(index, key);
    delete resources[key];
    return true;
  }

  /**
   * Declares a lookup of the resources of `type` by the values `valuesOf` derives from each. It is
   * kept up to date by {@link ResourceStore.put} and {@link ResourceStore.delete} and rebuilt with
   * the state; `find` checks each candidate against `valuesOf` again, so a value changed in place
   * is never found under its old value (put the resource again to find it under the new one).
   */
  lookup(type: string, valuesOf: DerivedValues): ResourceLookup {
    const index: DerivedIndex = { type: type.toLowerCase(), valuesOf, byValue: new Map(), valuesByKey: new Map() };
    this.derived.push(index);
    if (this.indexedState !== undefined) this.fill(index, this.indexedState);
    return {
      find: (value) => {
        const wanted = value.toLowerCase();
        this.index();
        const keys = index.byValue.get(wanted);
        const resources = this.getState().resources;
        const out: StoredResource[] = [];
        for (const key of keys ?? []) {
          const resource = resources[key];
          if (resource !== undefined && resource.type === index.type && index.valuesOf(resource).some((v) => v.toLowerCase() === wanted)) out.push(resource);
        }
        return out;
      },
    };
  }

  /** Resources of one type whose id starts with `scope` (a subscription, resource group or parent id). */
  list(scope: string, type: string): StoredResource[] {
    const lowerType = type.toLowerCase();
    const prefix = resourceKey(scope) + "/";
    const typeKeys = this.index().get(lowerType);
    if (typeKeys === undefined) return [];
    const resources = this.getState().resources;
    let scopes = this.listed.get(lowerType);
    if (scopes === undefined) this.listed.set(lowerType, (scopes = new Map()));
    let keys = scopes.get(prefix);
    if (keys === undefined) scopes.set(prefix, (keys = [...typeKeys].filter((key) => key.startsWith(prefix))));
    return keys.map((key) => resources[key] as StoredResource);
  }

  /** Every resource of one type, wherever it is. */
  ofType(type: string): StoredResource[] {
    return this.list("", type);
  }

  private index(): Map<string, Set<string>> {
    const state = this.getState();
    if (this.indexedState !== state) {
      this.byType.clear();
      this.listed.clear();
      for (const [key, resource] of Object.entries(state.resources)) {
        const keys = this.byType.get(resource.type) ?? new Set<string>();
        keys.add(key);
        this.byType.set(resource.type, keys);
      }
      this.indexedState = state;
      for (const index of this.derived) this.fill(index, state);
    }
    return this.byType;
  }

  /** Files every resource of the lookup's type of `state` (the type index must be of `state`). */
  private fill(index: DerivedIndex, state: EmulatorState): void {
    index.byValue.clear();
    index.valuesByKey.clear();
    for (const key of this.byType.get(index.type) ?? []) {
      const resource = state.resources[key];
      if (resource !== undefined) file(index, key, resource);
    }
  }

  /** Creates a stored resource record. */
  static record(id: string, type: string, body: JsonObject, internal: JsonObject = {}): StoredResource {
    return { id, type: type.toLowerCase(), body, internal };
  }
}

function file(index: DerivedIndex, key: string, resource: StoredResource): void {
  const values = [...new Set(index.valuesOf(resource).map((v) => v.toLowerCase()))];
  if (values.length === 0) return;
  index.valuesByKey.set(key, values);
  for (const value of values) {
    const keys = index.byValue.get(value);
    if (keys === undefined) index.byValue.set(value, new Set([key]));
    else keys.add(key);
  }
}

function unfile(index: DerivedIndex, key: string): void {
  const values = index.valuesByKey.get(key);
  if (values === undefined) return;
  index.valuesByKey.delete(key);
  for (const value of values) {
    const keys = index.byValue.get(value);
    keys?.delete(key);
    if (keys?.size === 0) index.byValue.delete(value);
  }
}
