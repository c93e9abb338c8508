import { operationNotAllowed } from "../arm/armError.js";
import { param, type RequestContext } from "../arm/requestContext.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import type { StoredResource } from "../store/state.js";
import { COMPUTE_API_VERSIONS, COMPUTE_RG_TEMPLATE } from "./computeApi.js";
import type { ComputeLro } from "./computeLro.js";
import { MaintenanceFaults } from "./maintenanceFaults.js";
import type { MaintenanceService } from "./maintenanceService.js";
import type { VirtualMachines } from "./virtualMachines.js";
import type { PowerState, VmInternal } from "./vmModel.js";

/** One power action of a VM: its path, how long it takes, and the power states it goes through. */
interface PowerAction {
  path: string;
  operationId: string;
  durationMs: number;
  transition: PowerState;
  /** The power state at the end, given the state before. */
  result: (before: PowerState) => PowerState;
  /** Power states from which the action is refused with 409 OperationNotAllowed. */
  refusedFrom?: readonly PowerState[];
  movesHost?: boolean;
}

const ACTIONS: readonly PowerAction[] = [
  { path: "start", operationId: "VirtualMachines_Start", durationMs: 30_000, transition: "starting", result: () => "running" },
  {
    path: "powerOff",
    operationId: "VirtualMachines_PowerOff",
    durationMs: 20_000,
    transition: "stopping",
    result: (before) => (before === "deallocated" ? "deallocated" : "stopped"),
  },
  {
    path: "restart",
    operationId: "VirtualMachines_Restart",
    durationMs: 40_000,
    transition: "starting",
    result: () => "running",
    refusedFrom: ["stopped", "deallocated"],
  },
  { path: "deallocate", operationId: "VirtualMachines_Deallocate", durationMs: 60_000, transition: "deallocating", result: () => "deallocated" },
  { path: "redeploy", operationId: "VirtualMachines_Redeploy", durationMs: 300_000, transition: "starting", result: () => "running", movesHost: true },
];

/**
 * The VM actions, each a long-running POST answered 202 with `Azure-AsyncOperation`, `Location`
 * and `Retry-After`: start, powerOff, restart, deallocate, redeploy, and performMaintenance.
 */
export class VmActions {
  constructor(
    private readonly services: EmulatorServices,
    private readonly lro: ComputeLro,
    private readonly vms: VirtualMachines,
    private readonly maintenance: MaintenanceService,
  ) {
    for (const action of ACTIONS) {
      services.operations.register(`compute.vm.${action.path}`, {
        complete: (op, at) =>
          vms.settle(op, at, (vm) => {
            const internal = vm.internal as VmInternal;
            internal.powerState = action.result(String(op.data.before) as PowerState);
            if (action.movesHost === true) internal.hostGeneration++;
          }),
        failed: (op, at, error) => {
          const vm = vms.get(op.resourceId);
          if (vm !== undefined) (vm.internal as VmInternal).powerState = String(op.data.before) as PowerState;
          vms.markFailed(op, at, error);
        },
      });
    }
  }

  register(router: Router): void {
    const item = `${COMPUTE_RG_TEMPLATE}/virtualMachines/{vmName}`;
    for (const action of ACTIONS) {
      router.add({
        method: "POST",
        template: `${item}/${action.path}`,
        operationId: action.operationId,
        apiVersions: COMPUTE_API_VERSIONS,
        resourceType: "virtualMachines",
        handler: (ctx) => this.run(ctx, action),
      });
    }
    router.add({
      method: "POST",
      template: `${item}/performMaintenance`,
      operationId: "VirtualMachines_PerformMaintenance",
      apiVersions: COMPUTE_API_VERSIONS,
      resourceType: "virtualMachines",
      handler: (ctx) => {
        const vm = this.vms.require(ctx);
        this.vms.assertActionable(vm, "performMaintenance");
        const { durationMs, fault } = this.maintenance.beginSelfService(vm);
        const injected = fault === undefined ? undefined : MaintenanceFaults.operationError(fault);
        // A fault rule's failure, when there is one, wins over the VM's own fault (it then ends as an abort).
        const effect = injected !== undefined && ctx.injectedFailure !== undefined ? null : (fault?.effect ?? null);
        if (injected !== undefined && ctx.injectedFailure === undefined) ctx.injectedFailure = injected;
        const before = (vm.internal as VmInternal).powerState;
        return this.startAction(ctx, vm, "compute.vm.performMaintenance", "performMaintenance", durationMs, "starting", before, {
          fault: effect,
          retryAfterMs: fault?.retryAfterMs ?? 0,
          bootMs: fault?.bootMs ?? 0,
        });
      },
    });
  }

  private run(ctx: RequestContext, action: PowerAction): EmulatorResponse {
    const vm = this.vms.require(ctx);
    this.vms.assertActionable(vm, action.path);
    const internal = vm.internal as VmInternal;
    const before = internal.powerState;
    if (action.refusedFrom?.includes(before) === true) {
      throw operationNotAllowed(`Operation '${action.path}' is not allowed on VM '${String(vm.body.name)}' since the VM is ${before}.`);
    }
    return this.startAction(ctx, vm, `compute.vm.${action.path}`, action.path, action.durationMs, action.transition, before);
  }

  /** Starts an action's operation on the VM and answers 202. */
  startAction(
    ctx: RequestContext,
    vm: StoredResource,
    kind: string,
    action: string,
    durationMs: number,
    transition: PowerState,
    before: PowerState,
    data: JsonObject = {},
  ): EmulatorResponse {
    const operation = this.lro.start(ctx, {
      kind,
      subscriptionId: param(ctx, "subscriptionId"),
      location: String(vm.body.location),
      resourceId: vm.id,
      durationMs,
      data: { ...data, before },
    });
    this.vms.begin(vm, action, operation, "Updating");
    (vm.internal as VmInternal).powerState = transition;
    return this.lro.accepted(ctx, operation);
  }
}
