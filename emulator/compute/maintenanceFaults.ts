import { z } from "zod";
import { ArmError } from "../arm/armError.js";
import { parseInput } from "../arm/parseInput.js";
import type { OperationError } from "../arm/operationRecord.js";
import type { VirtualMachines } from "./virtualMachines.js";
import type { VmInternal, VmMaintenanceFault } from "./vmModel.js";

const HOUR_MS = 3600 * 1000;

/** A failure of one VM's next owner-started maintenance, as the control surface takes it. */
export const maintenanceFaultInputSchema = z.strictObject({
  /** ARM id of the VM. */
  virtualMachineId: z.string().min(1).max(2000),
  /** `abort` (default): the maintenance fails and is aborted; `retryLater`: Azure refuses it for now; `slowBoot`: it completes but the VM comes back late. */
  effect: z.enum(["abort", "retryLater", "slowBoot"]).default("abort"),
  message: z.string().min(1).max(2000).optional(),
  /** `retryLater`: how long until the owner may start it again. @default one hour */
  retryAfterMs: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * HOUR_MS)
    .default(HOUR_MS),
  /** `slowBoot`: how long the VM stays `starting` after the maintenance. @default 20 minutes */
  bootMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * HOUR_MS)
    .default(20 * 60 * 1000),
});

/** A stored maintenance fault, with the VM it applies to. */
export interface MaintenanceFaultView {
  virtualMachineId: string;
  effect: VmMaintenanceFault["effect"];
  message: string;
  retryAfterMs: number;
  bootMs: number;
}

const DEFAULT_MESSAGES: Readonly<Record<VmMaintenanceFault["effect"], string>> = {
  abort: "The maintenance of the virtual machine failed on the host and was aborted.",
  retryLater: "The maintenance of the virtual machine cannot be started now. Please retry later.",
  slowBoot: "The virtual machine is slow to boot after its maintenance.",
};

/**
 * Per-VM failures of owner-started maintenance: injected through the control surface, kept on the
 * VM (so they persist with the state) and consumed by its next `performMaintenance`.
 */
export class MaintenanceFaults {
  constructor(private readonly vms: VirtualMachines) {}

  /** Arms a fault on a VM (replacing any other); 400 InvalidMaintenanceFault for bad input, 404 for an unknown VM. */
  inject(input: unknown): MaintenanceFaultView {
    const data = parseInput(maintenanceFaultInputSchema, input, "InvalidMaintenanceFault", "Maintenance fault");
    const vm = this.vms.get(data.virtualMachineId);
    if (vm === undefined) throw new ArmError(404, "ResourceNotFound", `Virtual machine '${data.virtualMachineId}' was not found.`, "virtualMachineId");
    const fault: VmMaintenanceFault = {
      effect: data.effect,
      message: data.message ?? DEFAULT_MESSAGES[data.effect],
      retryAfterMs: data.retryAfterMs,
      bootMs: data.bootMs,
    };
    (vm.internal as VmInternal).maintenanceFault = fault;
    return { virtualMachineId: vm.id, ...fault };
  }

  /** Takes the VM's armed fault, if any (it fires once). */
  take(internal: VmInternal): VmMaintenanceFault | undefined {
    const fault = internal.maintenanceFault ?? undefined;
    internal.maintenanceFault = null;
    return fault;
  }

  /** The error an operation ends with for a fault that makes it fail. */
  static operationError(fault: VmMaintenanceFault): OperationError | undefined {
    if (fault.effect === "abort") return { code: "MaintenanceOperationFailed", message: fault.message, httpStatus: 500 };
    if (fault.effect === "retryLater") return { code: "MaintenanceRetryLater", message: fault.message, httpStatus: 409 };
    return undefined;
  }
}
