import type { Router } from "../arm/router.js";
import { VersionShapedRouter } from "../arm/versionShape.js";
import { COMPUTE_VERSION_SHAPES } from "../arm/versionShapeTables.js";
import type { EmulatorServices } from "../services.js";
import { AvailabilitySets } from "./availabilitySets.js";
import { ComputeLro } from "./computeLro.js";
import { MaintenanceService } from "./maintenanceService.js";
import { VirtualMachines } from "./virtualMachines.js";
import { VmActions } from "./vmActions.js";
import { registerVmAvailableSizes } from "./vmAvailableSizes.js";

/** The Compute service's parts other services and the control surface reach. */
export interface ComputeService {
  availabilitySets: AvailabilitySets;
  virtualMachines: VirtualMachines;
  maintenance: MaintenanceService;
}

/** Builds the Microsoft.Compute service and adds its routes, each answering in the shape of the request's api-version. */
export function registerCompute(services: EmulatorServices, baseRouter: Router): ComputeService {
  const router = new VersionShapedRouter(baseRouter, COMPUTE_VERSION_SHAPES);
  const lro = new ComputeLro(services, services.operations);
  const availabilitySets = new AvailabilitySets(services);
  const virtualMachines = new VirtualMachines(services, lro, availabilitySets);
  const maintenance = new MaintenanceService(services, virtualMachines);
  const actions = new VmActions(services, lro, virtualMachines, maintenance);
  lro.register(router);
  availabilitySets.register(router);
  virtualMachines.register(router);
  actions.register(router);
  registerVmAvailableSizes(router, virtualMachines);
  return { availabilitySets, virtualMachines, maintenance };
}
