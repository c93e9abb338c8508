import type { JsonObject } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import type { StoredResource } from "../store/state.js";
import { VIRTUAL_MACHINE_TYPE } from "./computeApi.js";
import { MAINTENANCE_LOG_LIMIT, type MaintenanceEventType, type VmInternal } from "./vmModel.js";

/** A maintenance event as the control surface serves it. */
export interface MaintenanceEventView {
  /** ISO 8601, emulated time. */
  at: string;
  type: MaintenanceEventType;
  virtualMachineId: string;
  virtualMachineName: string;
  /** The VM's availability set, or null for a single-instance VM. */
  availabilitySetId: string | null;
  updateDomain: number;
  waveId: string;
  message: string;
}

/**
 * The planned-maintenance event log: each VM keeps its own events (so they persist and are
 * snapshotted with it, and go away with it); the control surface merges them in time order.
 */
export class MaintenanceLog {
  constructor(private readonly services: EmulatorServices) {}

  /** Records an event of `vm` at emulated time `at`. */
  record(vm: StoredResource, at: number, type: MaintenanceEventType, waveId: string, message: string): void {
    const internal = vm.internal as VmInternal;
    const log = internal.maintenanceLog ?? [];
    log.push({ at, seq: sequenceOf(this.services.nextId("maintenance-event")), type, waveId, message });
    if (log.length > MAINTENANCE_LOG_LIMIT) log.splice(0, log.length - MAINTENANCE_LOG_LIMIT);
    internal.maintenanceLog = log;
  }

  /** Every VM's events, in the order they happened; only those of one VM when `virtualMachineId` is given. */
  list(virtualMachineId?: string): MaintenanceEventView[] {
    const events: (MaintenanceEventView & { seq: number; ms: number })[] = [];
    for (const vm of this.services.resources.ofType(VIRTUAL_MACHINE_TYPE)) {
      if (virtualMachineId !== undefined && vm.id.toLowerCase() !== virtualMachineId.toLowerCase()) continue;
      const internal = vm.internal as VmInternal;
      const setId = ((vm.body.properties as JsonObject).availabilitySet as JsonObject | undefined)?.id;
      for (const event of internal.maintenanceLog ?? []) {
        events.push({
          at: new Date(event.at).toISOString(),
          type: event.type,
          virtualMachineId: vm.id,
          virtualMachineName: String(vm.body.name),
          availabilitySetId: typeof setId === "string" ? setId : null,
          updateDomain: internal.platformUpdateDomain,
          waveId: event.waveId,
          message: event.message,
          seq: event.seq,
          ms: event.at,
        });
      }
    }
    return events.sort((a, b) => a.ms - b.ms || a.seq - b.seq).map(({ seq: _seq, ms: _ms, ...view }) => view);
  }
}

function sequenceOf(id: string): number {
  return Number(id.slice(id.lastIndexOf("-") + 1));
}
