import type { JsonObject } from "../arm/types.js";
import type { FaultRule } from "../faults/faultRule.js";
import type { OperationRecord } from "../arm/operationRecord.js";
import type { TimelineEvent } from "../scheduler.js";

/** A resource as stored: the body ARM serves, plus service-side data that is never served. */
export interface StoredResource {
  /** The id with the casing the creator used. */
  id: string;
  /** Lower-case `namespace/type`, e.g. `microsoft.compute/virtualmachines`. */
  type: string;
  body: JsonObject;
  internal: JsonObject;
}

/** Version of the snapshot document; a snapshot of another version is refused. */
export const STATE_FORMAT_VERSION = 2;

/**
 * Everything the emulator knows, as one JSON-serializable document: what a snapshot holds and
 * what the file store persists.
 */
export interface EmulatorState {
  formatVersion: number;
  /** Emulated time when the state was taken. */
  nowMs: number;
  /** Keyed by the lower-cased ARM id (ARM compares ids case-insensitively). */
  resources: Record<string, StoredResource>;
  operations: Record<string, OperationRecord>;
  timeline: TimelineEvent[];
  regionsDown: string[];
  /** Every region outage, past and current (`to` null while the region is down): replication stops meanwhile. */
  regionOutages: RegionOutage[];
  /** Every outage of an on-premises Hyper-V site, past and current (`to` null while it is down): its hosts are unreachable and its VMs do not replicate meanwhile. */
  hyperVSiteOutages: HyperVSiteOutage[];
  faults: FaultRule[];
  /** Seed-derived state of the fault rules' deterministic random source. */
  randomState: number;
  /** Counter behind deterministic identifiers. */
  sequence: number;
}

/** A period in which a region was down. */
export interface RegionOutage {
  region: string;
  from: number;
  /** When it came back; null while it is down. */
  to: number | null;
}

/** A period in which an on-premises Hyper-V site (a `HyperVSite` fabric) was lost: its hosts, their providers and VMs unreachable. */
export interface HyperVSiteOutage {
  /** The site's fabric id, lower-cased. */
  fabricId: string;
  from: number;
  /** When it came back; null while it is down. */
  to: number | null;
}

/** A fresh, empty state at the given time. */
export function emptyState(nowMs: number, seed: number): EmulatorState {
  return {
    formatVersion: STATE_FORMAT_VERSION,
    nowMs,
    resources: {},
    operations: {},
    timeline: [],
    regionsDown: [],
    regionOutages: [],
    hyperVSiteOutages: [],
    faults: [],
    randomState: seed >>> 0,
    sequence: 0,
  };
}
