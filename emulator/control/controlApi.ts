import { ArmError } from "../arm/armError.js";
import type { FaultEngine } from "../faults/faultEngine.js";
import type { FaultRule } from "../faults/faultRule.js";
import type { InPlaceWave } from "../compute/inPlaceMaintenance.js";
import type { MaintenanceFaultView } from "../compute/maintenanceFaults.js";
import type { MaintenanceEventView } from "../compute/maintenanceLog.js";
import type { MaintenanceService, MaintenanceWave } from "../compute/maintenanceService.js";
import type { EmulatorServices } from "../services.js";
import type { SiteRecoveryService } from "../siteRecovery/registerSiteRecovery.js";
import type { HyperVVmView } from "../siteRecovery/hyperVSites.js";
import type { ReplicationFault } from "../siteRecovery/replicationHealth.js";
import type { StoredResource } from "../store/state.js";
import type { EmulatorState } from "../store/state.js";
import { parseStateSnapshot, snapshotOf } from "../store/stateSnapshot.js";

/** How the control surface swaps the whole state. */
export interface StateSwitch {
  replaceState(next: EmulatorState): void;
  freshState(): EmulatorState;
}

/**
 * The emulator's control surface, the same in process and over HTTP (under `/_emulator`): reset,
 * snapshot and restore, time, fault rules, region and Hyper-V site outages, planned-maintenance waves, their
 * per-VM failures and their event log.
 */
export class ControlApi {
  constructor(
    private readonly services: EmulatorServices,
    private readonly faultEngine: FaultEngine,
    private readonly maintenance: MaintenanceService,
    private readonly siteRecovery: SiteRecoveryService,
    private readonly stateSwitch: StateSwitch,
  ) {}

  /** Forgets every resource, operation, fault and outage; time stays where it is. */
  reset(): void {
    this.stateSwitch.replaceState(this.stateSwitch.freshState());
  }

  /** A deep copy of the whole state, as a JSON document. */
  snapshot(): EmulatorState {
    return snapshotOf(this.services.state(), this.services.now());
  }

  /** Replaces the whole state with a snapshot; answers 400 InvalidSnapshot when it is not one. */
  restore(snapshot: unknown): void {
    let parsed: EmulatorState;
    try {
      parsed = parseStateSnapshot(snapshot);
    } catch (error) {
      throw new ArmError(400, "InvalidSnapshot", `The snapshot cannot be restored: ${(error as Error).message}.`);
    }
    this.stateSwitch.replaceState(JSON.parse(JSON.stringify(parsed)) as EmulatorState);
  }

  /** Emulated now. */
  now(): Date {
    return new Date(this.services.now());
  }

  /** How time passes: `virtual` (moves only when advanced) or `real` (wall clock times `scale`). */
  timeMode(): { mode: "virtual" | "real"; scale: number } {
    return { mode: this.services.clock.mode, scale: this.services.clock.scale };
  }

  /** Moves emulated time forward, running what falls due; answers 400 for a negative or absurd span. */
  advanceClock(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0 || ms > 366 * 24 * 3600 * 1000) {
      throw new ArmError(400, "InvalidClockAdvance", `The clock can move forward by 0 ms to one year, not '${ms}'.`, "ms");
    }
    this.services.advance(ms);
    return this.now();
  }

  /**
   * Moves the clock forward to `at` (nothing when it is already there or past): what several
   * clients waiting side by side ask for, each for its own wake-up, without their waits adding up.
   * 400 InvalidClockAdvance for a bad time or more than a year ahead.
   */
  advanceClockTo(at: string): Date {
    const target = Date.parse(at);
    if (!Number.isFinite(target)) throw new ArmError(400, "InvalidClockAdvance", `'at' must be an ISO 8601 time, not '${at}'.`, "at");
    return this.advanceClock(Math.max(0, target - this.now().getTime()));
  }

  /** Adds a fault rule; see {@link FaultEngine.add}. */
  addFault(rule: unknown): FaultRule {
    return this.faultEngine.add(rule);
  }

  /** Removes one fault rule, or all when no id is given. */
  removeFaults(id?: string): number {
    return this.faultEngine.remove(id);
  }

  listFaults(): FaultRule[] {
    return this.faultEngine.list();
  }

  /**
   * Marks a region down (an outage) or up again. While it is down its VMs cannot be reached or
   * changed, replication from it stops (no new recovery points, the RPO grows), and failovers that
   * need it are refused; the outage is kept in the state's history.
   */
  setRegionDown(region: string, down: boolean): string[] {
    const name = region.toLowerCase().replace(/\s+/g, "");
    if (!/^[a-z0-9]{2,40}$/.test(name)) throw new ArmError(400, "InvalidRegion", `'${region}' is not a region name.`, "region");
    const state = this.services.state();
    const now = this.services.now();
    const open = state.regionOutages.find((o) => o.region === name && o.to === null);
    if (down && open === undefined) state.regionOutages.push({ region: name, from: now, to: null });
    if (!down && open !== undefined) open.to = now;
    state.regionsDown = down ? [...new Set([...state.regionsDown, name])] : state.regionsDown.filter((r) => r !== name);
    return state.regionsDown;
  }

  /**
   * Makes delta replication of an item fail (by the item's id or its source VM's id): recoverable
   * failures are retried with back-off and end when `durationMs` has passed; non-recoverable ones
   * wait for `repairReplication`. 404 when nothing replicates that target.
   */
  failReplication(input: unknown): ReplicationFault {
    const target = typeof input === "object" && input !== null ? String((input as { target?: unknown }).target ?? "") : "";
    const item = this.siteRecovery.protectedItems.findByTargetId(target);
    if (item === undefined) throw new ArmError(404, "ReplicatedItemNotFound", `Nothing replicates '${target}'.`, "target");
    return this.siteRecovery.protectedItems.health.inject(item, input);
  }

  /** Ends the cause of an item's recoverable failure now (its next retry succeeds unless a resync is needed). */
  clearReplicationFailure(target: string): void {
    const item = this.siteRecovery.protectedItems.findByTargetId(target);
    if (item === undefined) throw new ArmError(404, "ReplicatedItemNotFound", `Nothing replicates '${target}'.`, "target");
    this.siteRecovery.protectedItems.health.clearCause(item);
  }

  /**
   * Makes the next failover or test failover of an item (by the item's id or its source VM's id) fail when its VM
   * would come up, with `code` (default `AzureVmCreationFailed`) and `message`: alone, its
   * failover job fails; in a recovery plan, its boot group fails and the plan stops there.
   * 404 when nothing replicates that target.
   */
  failFailover(input: unknown): { target: string; code: string; message: string } {
    const body = typeof input === "object" && input !== null ? (input as { target?: unknown; code?: unknown; message?: unknown }) : {};
    const target = String(body.target ?? "");
    const item = this.siteRecovery.protectedItems.findByTargetId(target);
    if (item === undefined) throw new ArmError(404, "ReplicatedItemNotFound", `Nothing replicates '${target}'.`, "target");
    const code = typeof body.code === "string" && /^[A-Za-z][A-Za-z0-9]{0,99}$/.test(body.code) ? body.code : "AzureVmCreationFailed";
    const message =
      typeof body.message === "string" && body.message !== ""
        ? body.message.slice(0, 2000)
        : `The virtual machine of '${String(item.body.name)}' could not be created in the target region.`;
    this.siteRecovery.itemFailover.injectFailoverFault(item, code, message);
    return { target: item.id, code, message };
  }

  /**
   * Registers hosts of a Hyper-V site and the VMs they run, as the Site Recovery provider installed
   * on each host does in Azure (`{ fabricId, hosts: [{ name, cloud?, vms: [{ name, id?, osType?,
   * osName?, generation?, cpuCount?, memoryMB?, disks: [{ name, sizeGB, id? }], churnMBps?,
   * hotSetPercent? }] }] }`): each host becomes a Recovery Services provider of the site, each VM a
   * protectable item of the site's protection containers (of its host's cloud only, when given).
   * Registering a host again adds or updates its VMs by name. 400 InvalidHyperVHosts, 404 for an unknown fabric.
   */
  registerHyperVHosts(input: unknown): ReturnType<SiteRecoveryService["hyperVSites"]["registerHosts"]> {
    return this.siteRecovery.hyperVSites.registerHosts(input);
  }

  /**
   * Changes how fast an on-premises VM writes to its disks from now on (`{ target, churnMBps,
   * hotSetPercent? }`, `target` its Hyper-V id, its protectable item's id or its replicated item's
   * id): its change log grows at this rate during initial replication, and what failover, failback
   * and resync send follows it. 400 InvalidChangeRate, 404 for an unknown VM.
   */
  setHyperVChangeRate(input: unknown): HyperVVmView {
    const target = typeof input === "object" && input !== null ? String((input as { target?: unknown }).target ?? "") : "";
    return this.siteRecovery.hyperVSites.setChangeRate(this.hyperVVm(target), input);
  }

  /**
   * Marks an on-premises Hyper-V site (its fabric id) lost (an outage) or back: while it is down its
   * hosts' providers are not connected (their last heartbeat the outage's start), its VMs' power
   * state is unknown, their delta replication fails (no cycles or recovery points, the RPO grows,
   * health Warning, Critical and a resync when the pending changes reach half the disks), a
   * planned failover to Azure and a failback to the site are refused, and an unplanned failover
   * recovers what Azure last received. The outage is kept in the state's history. Returns the
   * sites down (lower-cased fabric ids). 404 for an unknown fabric, 400 InvalidHyperVSite for one
   * that is not a Hyper-V site.
   */
  setHyperVSiteDown(fabricId: string, down: boolean): string[] {
    const site = this.siteRecovery.hyperVSites.requireSite(fabricId, "InvalidHyperVSite");
    const key = site.id.toLowerCase();
    const state = this.services.state();
    const now = this.services.now();
    const open = state.hyperVSiteOutages.find((o) => o.fabricId === key && o.to === null);
    if (down && open === undefined) {
      state.hyperVSiteOutages.push({ fabricId: key, from: now, to: null });
      this.siteRecovery.protectedItems.hyperV.siteLost(site.id, now);
    }
    if (!down && open !== undefined) {
      open.to = now;
      this.siteRecovery.protectedItems.hyperV.siteBack(site.id, now);
    }
    return [...new Set(state.hyperVSiteOutages.filter((o) => o.to === null).map((o) => o.fabricId))];
  }

  /** The on-premises Hyper-V VMs (of one site when `fabricId` is given), with their power state (`Unknown` while their site is down) and write rate. */
  hyperVVms(fabricId?: string): HyperVVmView[] {
    return this.siteRecovery.hyperVSites.list(fabricId);
  }

  /** Deletes an on-premises VM (`target` as for {@link setHyperVChangeRate}), as its administrator would; 404 when unknown. */
  removeHyperVVm(target: string): void {
    this.siteRecovery.hyperVSites.removeVm(this.hyperVVm(target));
  }

  private hyperVVm(target: string): StoredResource {
    const vm = this.siteRecovery.protectedItems.hyperVVmOf(target) ?? this.siteRecovery.hyperVSites.findVm(target);
    if (vm === undefined) throw new ArmError(404, "HyperVVmNotFound", `No Hyper-V virtual machine is '${target}'.`, "target");
    return vm;
  }

  /** Announces a planned-maintenance wave for some VMs; see {@link MaintenanceService.scheduleWave}. */
  scheduleMaintenanceWave(input: unknown): MaintenanceWave {
    return this.maintenance.scheduleWave(input);
  }

  /**
   * Announces maintenance that needs no reboot for some VMs (`{ virtualMachineIds, startTime?,
   * pauseMs? }`): from `startTime` Azure pauses each running VM for `pauseMs` (30 s), one update
   * domain of a set after the other, single-instance VMs all at once; the pauses show in
   * {@link maintenanceEvents}. 400 InvalidMaintenanceWave, 404 for an unknown VM.
   */
  scheduleInPlaceMaintenance(input: unknown): InPlaceWave {
    return this.maintenance.scheduleInPlaceWave(input);
  }

  /**
   * Makes the next owner-started maintenance of one VM (`{ virtualMachineId, effect, message?,
   * retryAfterMs?, bootMs? }`) fail: `abort` (MaintenanceAborted, the VM is dropped from the wave),
   * `retryLater` (RetryLater: refused for `retryAfterMs`, the VM stays in the wave) or `slowBoot`
   * (it completes, but the VM stays `starting` for `bootMs`). 400 InvalidMaintenanceFault, 404 for an unknown VM.
   */
  failMaintenance(input: unknown): MaintenanceFaultView {
    return this.maintenance.injectFault(input);
  }

  /** The planned-maintenance event log in time order: announcements, starts, results, pauses and resumes; one VM's when given. */
  maintenanceEvents(virtualMachineId?: string): MaintenanceEventView[] {
    return this.maintenance.events(virtualMachineId);
  }
}
