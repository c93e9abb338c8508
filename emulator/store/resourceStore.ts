import type { JsonObject } from "../arm/types.js";
import type { EmulatorState, StoredResource } from "./state.js";

/** Lower-cases an ARM id into its store key. */
export function resourceKey(id: string): string {
  return id.toLowerCase();
}

/**
 * Typed access to the resources of an {@link EmulatorState}, keyed like ARM
 * (subscription, resource group, provider, type, name), case-insensitive.
 */
export class ResourceStore {
  constructor(private readonly getState: () => EmulatorState) {}

  get(id: string): StoredResource | undefined {
    return this.getState().resources[resourceKey(id)];
  }

  put(resource: StoredResource): void {
    this.getState().resources[resourceKey(resource.id)] = resource;
  }

  delete(id: string): boolean {
    const key = resourceKey(id);
    const resources = this.getState().resources;
    if (!(key in resources)) return false;
    delete resources[key];
    return true;
  }

  /** Resources of one type whose id starts with `scope` (a subscription or resource group id). */
  list(scope: string, type: string): StoredResource[] {
    const prefix = resourceKey(scope) + "/";
    const wanted = type.toLowerCase();
    return Object.entries(this.getState().resources)
      .filter(([key, r]) => r.type === wanted && key.startsWith(prefix))
      .map(([, r]) => r);
  }

  /** Creates a stored resource record. */
  static record(id: string, type: string, body: JsonObject, internal: JsonObject = {}): StoredResource {
    return { id, type: type.toLowerCase(), body, internal };
  }
}
