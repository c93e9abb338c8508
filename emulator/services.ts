import type { EmulatorClock } from "./clock.js";
import type { OperationEngine } from "./arm/operationEngine.js";
import type { Scheduler } from "./scheduler.js";
import type { ResourceStore } from "./store/resourceStore.js";
import type { EmulatorState, HyperVSiteOutage, RegionOutage } from "./store/state.js";

/** Tunables of the emulated services. */
export interface EmulatorSettings {
  /** Items per page of a list before a `nextLink` is given. */
  pageSize: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Site Recovery's copy speed per replicated VM, in MB/s: sets how long initial replication and resync take. */
  replicationBandwidthMBps: number;
}

/** What every emulated service shares: state, time, the service timeline and the LRO engine. */
export interface EmulatorServices {
  state(): EmulatorState;
  readonly resources: ResourceStore;
  readonly clock: EmulatorClock;
  readonly scheduler: Scheduler;
  readonly operations: OperationEngine;
  readonly settings: EmulatorSettings;
  /** Emulated now, in ms since the epoch. */
  now(): number;
  /** Moves emulated time forward and runs whatever falls due on the way, in order. */
  advance(ms: number): void;
  isRegionDown(location: string): boolean;
  /** The outages of a region, past and current. */
  regionOutages(location: string): readonly RegionOutage[];
  /** Whether the on-premises Hyper-V site of this fabric id is down (an outage is open). */
  isHyperVSiteDown(fabricId: string): boolean;
  /** The outages of a Hyper-V site (by its fabric id), past and current. */
  hyperVSiteOutages(fabricId: string): readonly HyperVSiteOutage[];
  /** A deterministic, unique identifier with a readable prefix. */
  nextId(prefix: string): string;
}
