import { z } from "zod";
import { ArmError } from "../arm/armError.js";
import { parseInput } from "../arm/parseInput.js";
import type { JsonObject } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import type { StoredResource } from "../store/state.js";
import type { MaintenanceLog } from "./maintenanceLog.js";
import type { VirtualMachines } from "./virtualMachines.js";
import type { VmInternal } from "./vmModel.js";

/** How long Azure pauses a VM for maintenance that needs no reboot (DOMAIN.md §2: about 30 seconds). */
export const IN_PLACE_PAUSE_MS = 30_000;

/** An in-place (no reboot) maintenance wave as the control surface takes it. */
export const inPlaceWaveInputSchema = z.strictObject({
  id: z.string().min(1).max(100).optional(),
  /** ARM ids of the VMs the wave touches. */
  virtualMachineIds: z.array(z.string().min(1)).min(1).max(10_000),
  /** When Azure starts. @default now */
  startTime: z.iso.datetime({ offset: true }).optional(),
  /** How long each update domain is paused. @default 30 seconds */
  pauseMs: z
    .number()
    .int()
    .min(1_000)
    .max(10 * 60_000)
    .default(IN_PLACE_PAUSE_MS),
});

/** A scheduled in-place wave: when each VM is paused. */
export interface InPlaceWave {
  id: string;
  startTime: string;
  pauseMs: number;
  /** Per VM, the pause Azure will make. */
  pauses: { virtualMachineId: string; updateDomain: number; from: string; to: string }[];
}

/**
 * Maintenance that needs no reboot (DOMAIN.md §2): Azure pauses each VM for about 30 seconds,
 * memory kept, and resumes it; in an availability set one update domain is paused, updated and
 * resumed before the next; single-instance VMs give no such guarantee and are all paused at the
 * start. A VM that is not running has nothing to pause: it is updated without a pause. Owners have
 * no action here; the pauses show in the maintenance event log.
 */
export class InPlaceMaintenance {
  constructor(
    private readonly services: EmulatorServices,
    private readonly vms: VirtualMachines,
    private readonly log: MaintenanceLog,
  ) {
    services.scheduler.on("compute.maintenance.inPlacePause", (data, at) => this.pause(String(data.vmId), String(data.waveId), Number(data.resumeAt), at));
    services.scheduler.on("compute.maintenance.inPlaceResume", (data, at) => this.resume(String(data.vmId), String(data.waveId), at));
  }

  /** Announces and schedules an in-place wave; 400 InvalidMaintenanceWave for bad input, 404 for an unknown VM. */
  schedule(input: unknown): InPlaceWave {
    const data = parseInput(inPlaceWaveInputSchema, input, "InvalidMaintenanceWave", "In-place maintenance wave");
    const start = data.startTime === undefined ? this.services.now() : Date.parse(data.startTime);
    if (start < this.services.now()) throw new ArmError(400, "InvalidMaintenanceWave", "In-place maintenance cannot start in the past.", "startTime");
    const vms = [...new Map(data.virtualMachineIds.map((id) => [id.toLowerCase(), id])).values()].map((id) => {
      const vm = this.vms.get(id);
      if (vm === undefined) throw new ArmError(404, "ResourceNotFound", `Virtual machine '${id}' was not found.`, "virtualMachineIds");
      return vm;
    });
    const waveId = data.id ?? this.services.nextId("inplace");
    const bySet = new Map<string, StoredResource[]>();
    for (const vm of vms) {
      const setId = ((vm.body.properties as JsonObject).availabilitySet as JsonObject | undefined)?.id;
      const key = typeof setId === "string" ? setId.toLowerCase() : "";
      bySet.set(key, [...(bySet.get(key) ?? []), vm]);
    }
    const pauses: InPlaceWave["pauses"] = [];
    for (const [setKey, members] of bySet) {
      const domains = [...new Set(members.map((vm) => (vm.internal as VmInternal).platformUpdateDomain))].sort((a, b) => a - b);
      for (const vm of members) {
        const ud = (vm.internal as VmInternal).platformUpdateDomain;
        const from = setKey === "" ? start : start + domains.indexOf(ud) * data.pauseMs;
        const to = from + data.pauseMs;
        this.services.scheduler.schedule(from, "compute.maintenance.inPlacePause", { vmId: vm.id, waveId, resumeAt: to });
        pauses.push({ virtualMachineId: vm.id, updateDomain: ud, from: new Date(from).toISOString(), to: new Date(to).toISOString() });
      }
    }
    return { id: waveId, startTime: new Date(start).toISOString(), pauseMs: data.pauseMs, pauses };
  }

  private pause(vmId: string, waveId: string, resumeAt: number, at: number): void {
    const vm = this.vms.get(vmId);
    if (vm === undefined) return;
    if ((vm.internal as VmInternal).powerState !== "running") {
      this.log.record(vm, at, "updatedWithoutPause", waveId, "In-place maintenance: the VM was not running; its host was updated without a pause.");
      return;
    }
    this.log.record(vm, at, "paused", waveId, `In-place maintenance: the VM is paused (memory kept) for ${Math.round((resumeAt - at) / 1000)} seconds.`);
    this.services.scheduler.schedule(resumeAt, "compute.maintenance.inPlaceResume", { vmId, waveId });
  }

  private resume(vmId: string, waveId: string, at: number): void {
    const vm = this.vms.get(vmId);
    if (vm === undefined) return;
    this.log.record(vm, at, "resumed", waveId, "In-place maintenance: the VM resumed on the updated host; its clock was re-synced.");
  }
}
