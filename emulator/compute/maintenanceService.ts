import { z } from "zod";
import { ArmError, operationNotAllowed } from "../arm/armError.js";
import { parseInput } from "../arm/parseInput.js";
import type { JsonObject } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import type { StoredResource } from "../store/state.js";

import { InPlaceMaintenance, type InPlaceWave } from "./inPlaceMaintenance.js";
import { MaintenanceFaults, type MaintenanceFaultView } from "./maintenanceFaults.js";
import { MaintenanceLog, type MaintenanceEventView } from "./maintenanceLog.js";
import type { VirtualMachines } from "./virtualMachines.js";
import type { VmInternal, VmMaintenance, VmMaintenanceFault } from "./vmModel.js";

const DAY_MS = 24 * 3600 * 1000;
/** How long the owner-started maintenance of one VM takes (emulated). */
export const SELF_SERVICE_MAINTENANCE_MS = 10 * 60 * 1000;
/** How long Azure takes to maintain one VM in the scheduled window (emulated; the docs cite ~25 min reboots). */
export const PLATFORM_MAINTENANCE_MS = 25 * 60 * 1000;
/** Pause between two update domains of a set in the scheduled window (the docs' 30 minutes). */
export const UPDATE_DOMAIN_GAP_MS = 30 * 60 * 1000;
/** How long Azure takes to answer an owner-started maintenance with RetryLater (emulated). */
export const RETRY_LATER_MS = 60 * 1000;

const windowSchema = z.strictObject({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) });

/** A planned-maintenance wave as the control surface takes it. */
export const maintenanceWaveInputSchema = z.strictObject({
  id: z.string().min(1).max(100).optional(),
  /** ARM ids of the VMs the wave touches. */
  virtualMachineIds: z.array(z.string().min(1)).min(1).max(10_000),
  /** The self-service (pre-emptive) window. @default from now, 35 days */
  selfServiceWindow: windowSchema.optional(),
  /** The scheduled window in which Azure does it. @default one day from the end of the self-service window */
  maintenanceWindow: windowSchema.optional(),
});

/** How an owner-started maintenance was started: its duration and the fault it meets, if any. */
export interface SelfServiceStart {
  durationMs: number;
  fault: VmMaintenanceFault | undefined;
}

/** A scheduled wave. */
export interface MaintenanceWave {
  id: string;
  virtualMachineIds: string[];
  selfServiceWindow: { start: string; end: string };
  maintenanceWindow: { start: string; end: string };
}

/**
 * Planned maintenance (DOMAIN.md §2). Maintenance that needs a reboot comes in waves: a wave
 * announces a self-service window and a scheduled window per VM. Inside the self-service window the
 * owner may start the maintenance of each VM once; a failure aborts it, leaves the VM as it was and
 * drops it from the wave; a `RetryLater` answer leaves it in the wave, startable again later. When
 * the scheduled window opens Azure maintains the remaining VMs itself, one update domain of a set
 * at a time. Maintenance that needs no reboot pauses VMs in place ({@link InPlaceMaintenance}).
 * Every step is written to the maintenance event log; per-VM failures can be armed for tests.
 */
export class MaintenanceService {
  /** Every VM's maintenance events. */
  readonly log: MaintenanceLog;
  private readonly faults: MaintenanceFaults;
  private readonly inPlace: InPlaceMaintenance;

  constructor(
    private readonly services: EmulatorServices,
    private readonly vms: VirtualMachines,
  ) {
    this.log = new MaintenanceLog(services);
    this.faults = new MaintenanceFaults(vms);
    this.inPlace = new InPlaceMaintenance(services, vms, this.log);
    services.scheduler.on("compute.maintenance.windowOpens", (data, at) => this.platformWindowOpens(String(data.waveId), data.vmIds as string[], at));
    services.scheduler.on("compute.maintenance.platformStart", (data, at) => this.platformStart(String(data.vmId), String(data.waveId), at));
    services.scheduler.on("compute.maintenance.platformDone", (data, at) =>
      this.platformDone(String(data.vmId), String(data.waveId), data.rebooting === true, at),
    );
    services.scheduler.on("compute.maintenance.booted", (data, at) => this.booted(String(data.vmId), String(data.waveId), at));
    services.operations.register("compute.vm.performMaintenance", {
      complete: (op, at) =>
        vms.settle(op, at, (vm) => {
          const internal = vm.internal as VmInternal;
          const slowBoot = op.data.fault === "slowBoot";
          internal.powerState = slowBoot ? "starting" : "running";
          internal.hostGeneration++;
          this.finish(vm, at, "Completed", "MaintenanceCompleted", "Maintenance completed: the VM was redeployed to an updated host.");
          if (slowBoot)
            this.services.scheduler.schedule(at + Number(op.data.bootMs), "compute.maintenance.booted", { vmId: vm.id, waveId: this.waveOf(internal) });
        }),
      failed: (op, at, error) =>
        vms.settle(op, at, (vm) => {
          const internal = vm.internal as VmInternal;
          internal.powerState = String(op.data.before) as VmInternal["powerState"];
          if (op.data.fault === "retryLater") this.retryLater(vm, at, Number(op.data.retryAfterMs), error.message);
          else this.finish(vm, at, "Aborted", "MaintenanceAborted", `Maintenance aborted: ${error.message}`);
        }),
    });
  }

  /** Announces an in-place (no reboot) wave; see {@link InPlaceMaintenance.schedule}. */
  scheduleInPlaceWave(input: unknown): InPlaceWave {
    return this.inPlace.schedule(input);
  }

  /** Arms a failure of one VM's next owner-started maintenance; see {@link MaintenanceFaults.inject}. */
  injectFault(input: unknown): MaintenanceFaultView {
    return this.faults.inject(input);
  }

  /** The maintenance event log, in time order (one VM's when `virtualMachineId` is given). */
  events(virtualMachineId?: string): MaintenanceEventView[] {
    return this.log.list(virtualMachineId);
  }

  /** Announces a wave; 400 InvalidMaintenanceWave for bad input, 404 for an unknown VM, 409 for a VM already pending. */
  scheduleWave(input: unknown): MaintenanceWave {
    const data = parseInput(maintenanceWaveInputSchema, input, "InvalidMaintenanceWave", "Maintenance wave");
    const now = this.services.now();
    const preStart = data.selfServiceWindow === undefined ? now : Date.parse(data.selfServiceWindow.start);
    const preEnd = data.selfServiceWindow === undefined ? now + 35 * DAY_MS : Date.parse(data.selfServiceWindow.end);
    const mwStart = data.maintenanceWindow === undefined ? preEnd : Date.parse(data.maintenanceWindow.start);
    const mwEnd = data.maintenanceWindow === undefined ? mwStart + DAY_MS : Date.parse(data.maintenanceWindow.end);
    if (!(preStart < preEnd && preEnd <= mwStart && mwStart < mwEnd)) {
      throw new ArmError(
        400,
        "InvalidMaintenanceWave",
        "Windows must be ordered: self-service start < self-service end <= maintenance start < maintenance end.",
        "maintenanceWindow",
      );
    }
    const vms = data.virtualMachineIds.map((id) => {
      const vm = this.vms.get(id);
      if (vm === undefined) throw new ArmError(404, "ResourceNotFound", `Virtual machine '${id}' was not found.`, "virtualMachineIds");
      const current = (vm.internal as VmInternal).maintenance;
      if (current !== null && (current.phase === "Pending" || current.phase === "InProgress")) {
        throw new ArmError(
          409,
          "MaintenanceAlreadyScheduled",
          `Virtual machine '${id}' is already in maintenance wave '${current.waveId}'.`,
          "virtualMachineIds",
        );
      }
      return vm;
    });
    const waveId = data.id ?? this.services.nextId("wave");
    for (const vm of vms) {
      const maintenance: VmMaintenance = {
        waveId,
        preMaintenanceWindowStartTime: preStart,
        preMaintenanceWindowEndTime: preEnd,
        maintenanceWindowStartTime: mwStart,
        maintenanceWindowEndTime: mwEnd,
        phase: "Pending",
        lastOperationResultCode: "None",
        lastOperationMessage: "",
      };
      (vm.internal as VmInternal).maintenance = maintenance;
      this.log.record(
        vm,
        now,
        "announced",
        waveId,
        `Planned maintenance announced: self-service ${new Date(preStart).toISOString()} to ${new Date(preEnd).toISOString()}, scheduled ${new Date(mwStart).toISOString()} to ${new Date(mwEnd).toISOString()}.`,
      );
    }
    this.services.scheduler.schedule(mwStart, "compute.maintenance.windowOpens", { waveId, vmIds: vms.map((vm) => vm.id) });
    return {
      id: waveId,
      virtualMachineIds: vms.map((vm) => vm.id),
      selfServiceWindow: { start: new Date(preStart).toISOString(), end: new Date(preEnd).toISOString() },
      maintenanceWindow: { start: new Date(mwStart).toISOString(), end: new Date(mwEnd).toISOString() },
    };
  }

  /**
   * Checks that the owner may start this VM's maintenance now (409 OperationNotAllowed otherwise),
   * marks it under way and takes the fault armed on the VM, if any.
   */
  beginSelfService(vm: StoredResource): SelfServiceStart {
    const internal = vm.internal as VmInternal;
    const maintenance = internal.maintenance;
    const name = String(vm.body.name);
    if (maintenance === null || maintenance.phase === "Completed" || maintenance.phase === "Aborted") {
      throw operationNotAllowed(
        `Operation 'performMaintenance' is not allowed on VM '${name}' since the VM is not scheduled for maintenance${maintenance === null ? "" : ` (last result: ${maintenance.lastOperationResultCode})`}.`,
      );
    }
    if (maintenance.phase === "InProgress")
      throw operationNotAllowed(`Operation 'performMaintenance' is not allowed on VM '${name}' since its maintenance is already in progress.`);
    const now = this.services.now();
    if (now < maintenance.preMaintenanceWindowStartTime) {
      throw operationNotAllowed(
        `Operation 'performMaintenance' is not allowed on VM '${name}' before its self-service window opens at ${new Date(maintenance.preMaintenanceWindowStartTime).toISOString()}.`,
      );
    }
    if (now >= maintenance.preMaintenanceWindowEndTime) {
      throw operationNotAllowed(
        `Operation 'performMaintenance' is not allowed on VM '${name}' since its self-service window ended at ${new Date(maintenance.preMaintenanceWindowEndTime).toISOString()}; Azure maintains it in the scheduled window.`,
      );
    }
    if (maintenance.retryAt !== undefined && now < maintenance.retryAt) {
      throw operationNotAllowed(
        `Operation 'performMaintenance' is not allowed on VM '${name}' now (last result: RetryLater); retry after ${new Date(maintenance.retryAt).toISOString()}.`,
      );
    }
    maintenance.phase = "InProgress";
    // The result of the previous attempt no longer describes the VM once a new one is under way.
    maintenance.lastOperationResultCode = "None";
    maintenance.lastOperationMessage = "";
    delete maintenance.retryAt;
    const fault = this.faults.take(internal);
    this.log.record(vm, now, "selfServiceStarted", maintenance.waveId, "The owner started the maintenance (performMaintenance).");
    return { durationMs: fault?.effect === "retryLater" ? RETRY_LATER_MS : SELF_SERVICE_MAINTENANCE_MS, fault };
  }

  private finish(vm: StoredResource, at: number, phase: "Completed" | "Aborted", code: VmMaintenance["lastOperationResultCode"], message: string): void {
    const internal = vm.internal as VmInternal;
    if (internal.maintenance === null) return;
    internal.maintenance.phase = phase;
    internal.maintenance.lastOperationResultCode = code;
    internal.maintenance.lastOperationMessage = message;
    this.log.record(vm, at, phase === "Completed" ? "completed" : "aborted", internal.maintenance.waveId, message);
  }

  /** Azure refused the owner's attempt for now: the VM stays in the wave, untouched; self-service opens again after `retryAfterMs`. */
  private retryLater(vm: StoredResource, at: number, retryAfterMs: number, message: string): void {
    const maintenance = (vm.internal as VmInternal).maintenance;
    if (maintenance === null) return;
    maintenance.phase = "Pending";
    maintenance.lastOperationResultCode = "RetryLater";
    maintenance.lastOperationMessage = message;
    maintenance.retryAt = at + retryAfterMs;
    this.log.record(vm, at, "retryLater", maintenance.waveId, `${message} Self-service is allowed again from ${new Date(at + retryAfterMs).toISOString()}.`);
  }

  private waveOf(internal: VmInternal): string {
    return internal.maintenance?.waveId ?? "";
  }

  private booted(vmId: string, waveId: string, at: number): void {
    const vm = this.vms.get(vmId);
    if (vm === undefined) return;
    const internal = vm.internal as VmInternal;
    if (internal.powerState !== "starting" || internal.activeAction !== null) return;
    internal.powerState = "running";
    this.log.record(vm, at, "booted", waveId, "The VM is running again after its maintenance.");
  }

  private pendingIn(vmId: string, waveId: string): StoredResource | undefined {
    const vm = this.vms.get(vmId);
    const maintenance = vm === undefined ? null : (vm.internal as VmInternal).maintenance;
    return maintenance?.waveId === waveId ? vm : undefined;
  }

  /** Azure takes over: lone VMs at once, VMs of a set one update domain at a time with a gap. */
  private platformWindowOpens(waveId: string, vmIds: string[], at: number): void {
    const bySet = new Map<string, { vm: StoredResource; ud: number }[]>();
    for (const id of vmIds) {
      const vm = this.pendingIn(id, waveId);
      if (vm === undefined || (vm.internal as VmInternal).maintenance?.phase !== "Pending") continue;
      const setId = String(((vm.body.properties as JsonObject).availabilitySet as JsonObject | undefined)?.id ?? `lone:${vm.id}`).toLowerCase();
      const members = bySet.get(setId) ?? [];
      members.push({ vm, ud: (vm.internal as VmInternal).platformUpdateDomain });
      bySet.set(setId, members);
    }
    for (const members of bySet.values()) {
      const domains = [...new Set(members.map((m) => m.ud))].sort((a, b) => a - b);
      for (const { vm, ud } of members) {
        const offset = domains.indexOf(ud) * (PLATFORM_MAINTENANCE_MS + UPDATE_DOMAIN_GAP_MS);
        this.services.scheduler.schedule(at + offset, "compute.maintenance.platformStart", { vmId: vm.id, waveId });
      }
    }
  }

  private platformStart(vmId: string, waveId: string, at: number): void {
    const vm = this.pendingIn(vmId, waveId);
    const internal = vm?.internal as VmInternal | undefined;
    if (internal?.maintenance?.phase !== "Pending") return;
    internal.maintenance.phase = "InProgress";
    this.log.record(vm as StoredResource, at, "platformStarted", waveId, "Azure started the maintenance in the scheduled window.");
    // A reboot-requiring update: a running VM goes down and comes back on the updated host.
    const rebooting = internal.powerState === "running";
    if (rebooting) internal.powerState = "starting";
    this.services.scheduler.schedule(at + PLATFORM_MAINTENANCE_MS, "compute.maintenance.platformDone", { vmId, waveId, rebooting });
  }

  private platformDone(vmId: string, waveId: string, rebooting: boolean, at: number): void {
    const vm = this.pendingIn(vmId, waveId);
    if (vm === undefined) return;
    const internal = vm.internal as VmInternal;
    if (internal.maintenance?.phase !== "InProgress") return;
    internal.hostGeneration++;
    if (rebooting && internal.powerState === "starting") internal.powerState = "running";
    this.finish(vm, at, "Completed", "MaintenanceCompleted", "Maintenance completed by Azure in the scheduled window.");
  }
}
