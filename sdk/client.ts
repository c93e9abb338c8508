import { ComputeGateway } from "./azure/computeGateway.js";
import { SiteRecoveryGateway } from "./azure/siteRecoveryGateway.js";
import type { Backend } from "./backends/backend.js";
import type { Clock } from "./clock.js";
import { AvailabilitySetOperations } from "./operations/availabilitySets.js";
import { FailoverOperations } from "./operations/failover.js";
import { HyperVOperations } from "./operations/hyperV.js";
import { JobOperations } from "./operations/jobs.js";
import { MaintenanceOperations } from "./operations/maintenance.js";
import { ProtectedVmOperations } from "./operations/protectedVms.js";
import { RecoveryPlanOperations } from "./operations/recoveryPlans.js";
import { ReplicationInfrastructureOperations } from "./operations/replicationInfrastructure.js";
import { ReplicationPolicyOperations } from "./operations/replicationPolicies.js";
import { VaultOperations } from "./operations/vaults.js";
import { VirtualMachineOperations } from "./operations/virtualMachines.js";

/**
 * The azure-dr client: availability sets, VMs, planned maintenance and Site Recovery, over any backend (real
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
  /** Planned maintenance: status, discovery, plans and runs of owner-started maintenance. */
  readonly maintenance: MaintenanceOperations;
  /** Recovery Services vaults. */
  readonly vaults: VaultOperations;
  /** Site Recovery replication policies. */
  readonly replicationPolicies: ReplicationPolicyOperations;
  /** Fabrics, containers and mappings of a region pair, prepared in one idempotent call. */
  readonly replicationInfrastructure: ReplicationInfrastructureOperations;
  /** VMs replicated to another region. */
  readonly protectedVms: ProtectedVmOperations;
  /** Site Recovery jobs. */
  readonly jobs: JobOperations;
  /** Test failover, failover, change of recovery point, cancel and commit of one protected VM. */
  readonly failover: FailoverOperations;
  /** Recovery plans: definition, test failover, failover, commit, reprotect, region failover. */
  readonly recoveryPlans: RecoveryPlanOperations;
  /** Hyper-V to Azure: sites, their hosts and VMs, protection, failover to Azure, failback and reprotect. */
  readonly hyperV: HyperVOperations;

  constructor(readonly backend: Backend) {
    const compute = new ComputeGateway(backend);
    const siteRecovery = new SiteRecoveryGateway(backend);
    this.availabilitySets = new AvailabilitySetOperations(compute);
    this.virtualMachines = new VirtualMachineOperations(compute);
    this.maintenance = new MaintenanceOperations(compute, backend.clock);
    this.vaults = new VaultOperations(siteRecovery);
    this.replicationPolicies = new ReplicationPolicyOperations(siteRecovery);
    this.replicationInfrastructure = new ReplicationInfrastructureOperations(siteRecovery);
    this.protectedVms = new ProtectedVmOperations(siteRecovery, compute, backend.clock);
    this.jobs = new JobOperations(siteRecovery, backend.clock);
    this.failover = new FailoverOperations(siteRecovery, backend.clock);
    this.hyperV = new HyperVOperations(siteRecovery, backend.clock);
    this.recoveryPlans = new RecoveryPlanOperations(siteRecovery, backend.clock, this.protectedVms, this.hyperV);
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
