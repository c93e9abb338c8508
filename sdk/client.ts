import { ComputeGateway } from "./azure/computeGateway.js";
import type { Backend } from "./backends/backend.js";
import type { Clock } from "./clock.js";
import { AvailabilitySetOperations } from "./operations/availabilitySets.js";
import { MaintenanceOperations } from "./operations/maintenance.js";
import { VirtualMachineOperations } from "./operations/virtualMachines.js";

/**
 * The azure-dr client: availability sets, VMs and planned maintenance, over any backend (real
 * Azure, the embedded fake, or an emulator at a URL) through the same official Azure clients.
 *
 * @example
 * ```ts
 * const dr = new DrClient(await createFakeBackend());
 * await dr.availabilitySets.createOrUpdate("app-rg", "web-as", { location: "westeurope", faultDomainCount: 2 });
 * ```
 */
export class DrClient {
  readonly availabilitySets: AvailabilitySetOperations;
  readonly virtualMachines: VirtualMachineOperations;
  readonly maintenance: MaintenanceOperations;

  constructor(readonly backend: Backend) {
    const compute = new ComputeGateway(backend);
    this.availabilitySets = new AvailabilitySetOperations(compute);
    this.virtualMachines = new VirtualMachineOperations(compute);
    this.maintenance = new MaintenanceOperations(compute);
  }

  /** The backend's clock: virtual on the fake backend. */
  get clock(): Clock {
    return this.backend.clock;
  }

  /** Releases what the backend holds. */
  close(): Promise<void> {
    return this.backend.close();
  }
}
