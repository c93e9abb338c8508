export { DrClient } from "./client.js";
export type { Backend, BackendRetryOptions } from "./backends/backend.js";
export { createAzureBackend, AZURE_CLOUD_ENDPOINTS } from "./backends/azureBackend.js";
export type { AzureBackendOptions } from "./backends/azureBackend.js";
export { createFakeBackend, FAKE_SUBSCRIPTION_ID } from "./backends/fakeBackend.js";
export type { FakeBackend, FakeBackendOptions } from "./backends/fakeBackend.js";
export { createEmulatorBackend } from "./backends/emulatorBackend.js";
export type { EmulatorBackendOptions, EmulatorServerBackend } from "./backends/emulatorBackend.js";
export {
  DrError,
  ValidationError,
  ResourceNotFoundError,
  InvalidStateError,
  OperationFailedError,
  DrTimeoutError,
  isDrError,
  isValidationError,
  isResourceNotFoundError,
  isInvalidStateError,
  isOperationFailedError,
  isDrTimeoutError,
} from "./errors.js";
export type { DrErrorCode, DrErrorOptions } from "./errors.js";
export { validate } from "./model/validate.js";
export { systemClock } from "./clock.js";
export type { Clock, SleepOptions } from "./clock.js";
export { parseResourceId, formatResourceId, sameResourceId } from "./model/armId.js";
export type { ArmResourceId } from "./model/armId.js";
export { AZURE_REGIONS, findRegion, normalizeRegion, pairedRegionOf, suggestRecoveryRegion } from "./model/regions.js";
export type { AzureRegion } from "./model/regions.js";
export { availabilitySetInputSchema } from "./model/availabilitySet.js";
export type { AvailabilitySet, AvailabilitySetInput, AvailabilitySetSku } from "./model/availabilitySet.js";
export { virtualMachineInputSchema } from "./model/virtualMachine.js";
export type { VirtualMachine, VirtualMachineInput, VirtualMachineStatus, PowerState } from "./model/virtualMachine.js";
export type { MaintenanceStatus, MaintenancePhase, MaintenanceResultCode, TimeWindow } from "./model/maintenance.js";
export { subscriptionIdSchema, resourceGroupNameSchema, virtualMachineNameSchema, availabilitySetNameSchema, regionSchema, tagsSchema } from "./model/names.js";
export { AvailabilitySetOperations } from "./operations/availabilitySets.js";
export { VirtualMachineOperations } from "./operations/virtualMachines.js";
export type { VmOperationOptions } from "./operations/virtualMachines.js";
export { MaintenanceOperations } from "./operations/maintenance.js";
export type { VmMaintenanceEntry } from "./operations/maintenance.js";
export type { WaitOptions } from "./azure/computeGateway.js";
export { serveEmulator } from "./backends/emulatorServer.js";
export type { ServeEmulatorOptions, ServedEmulator } from "./backends/emulatorServer.js";
export { VaultOperations } from "./operations/vaults.js";
export { ReplicationPolicyOperations } from "./operations/replicationPolicies.js";
export { ReplicationInfrastructureOperations, infrastructureNames } from "./operations/replicationInfrastructure.js";
export { ProtectedVmOperations } from "./operations/protectedVms.js";
export type { ProtectionProgress, WaitForProtectionOptions } from "./operations/protectedVms.js";
export { JobOperations } from "./operations/jobs.js";
export type { JobWaitUntilOptions } from "./operations/jobs.js";
export type { JobWaitOptions } from "./azure/siteRecoveryGateway.js";
export { vaultInputSchema, vaultRefSchema, asrNameSchema } from "./model/vault.js";
export type { Vault, VaultInput, VaultRef } from "./model/vault.js";
export { replicationPolicyInputSchema, MAX_A2A_RETENTION_MINUTES } from "./model/replicationPolicy.js";
export type { ReplicationPolicy, ReplicationPolicyInput } from "./model/replicationPolicy.js";
export { prepareInfrastructureSchema } from "./model/replicationInfrastructure.js";
export type { PrepareInfrastructureInput, ReplicationInfrastructure } from "./model/replicationInfrastructure.js";
export { protectVmInputSchema, reprotectInputSchema } from "./model/protectedVm.js";
export type { ProtectVmInput, ProtectedVm, ProtectionPhase, RecoveryPoint, ReprotectInput } from "./model/protectedVm.js";
export { parseReplicatedItemId } from "./model/replicatedItemId.js";
export type { ReplicatedItemRef } from "./model/replicatedItemId.js";
export type { Job, JobTask, JobError, JobItem, JobProgress } from "./model/job.js";
export { jobPercent } from "./model/job.js";
export type { VmDisk } from "./model/virtualMachine.js";
export { FailoverOperations } from "./operations/failover.js";
export { failoverInputSchema, testFailoverInputSchema, recoveryPointChoiceSchema } from "./model/failover.js";
export type { FailoverInput, FailoverResult, RecoveryPointChoice, TestFailoverInput } from "./model/failover.js";
export { RecoveryPlanOperations, type PlanRunStartOptions } from "./operations/recoveryPlans.js";
export type { PlanRunOptions } from "./operations/planRuns.js";
export type { RegionFailoverOptions, RegionFailoverPlanReport, RegionFailoverReport, SiteFailoverReport } from "./operations/regionFailover.js";
export {
  hyperVRecoveryPointSchema,
  planFailbackInputSchema,
  planFailoverInputSchema,
  planRunHandleSchema,
  planTestFailoverInputSchema,
} from "./model/planRun.js";
export type {
  ManualActionRequest,
  PlanFailbackInput,
  PlanFailoverInput,
  PlanOperationName,
  PlanRunHandle,
  PlanRunItem,
  PlanRunResult,
  PlanRunStep,
  PlanTestFailoverInput,
} from "./model/planRun.js";
export { isHyperVPlan, recoveryPlanInputSchema, recoveryPlanActionSchema } from "./model/recoveryPlan.js";
export type { RecoveryPlan, RecoveryPlanAction, RecoveryPlanInput } from "./model/recoveryPlan.js";

export { runDrill, type DrillOptions } from "./drill/runDrill.js";
export { provisionEstate, type ProvisionedEstate, type ProvisionOptions } from "./drill/provisionEstate.js";
export {
  topologySchema,
  hyperVTopologySchema,
  SAMPLE_TOPOLOGY,
  SAMPLE_HYPERV_TOPOLOGY,
  a2aPart,
  vaultLocation,
  estateVmNames,
  estatePlans,
  type Topology,
  type TopologyInput,
  type HyperVTopology,
  type A2ATopology,
} from "./drill/topology.js";
export type { DrillEvent, DrillPlanReport, DrillReport, DrillScenario, DrillStepReport, ReadinessCheck } from "./drill/drillReport.js";

export { planMaintenance } from "./maintenance/planner.js";
export { maintenanceScopeSchema } from "./model/maintenanceInventory.js";
export type { MaintenanceInventory, MaintenanceScope, MaintenanceSetGroup, MaintenanceUpdateDomain, MaintenanceVm } from "./model/maintenanceInventory.js";
export { maintenancePlanInputSchema, maintenancePlanSchema, maintenanceSelectorSchema, maintenanceExclusionReasonSchema } from "./model/maintenancePlan.js";
export type {
  MaintenanceExclusion,
  MaintenanceExclusionReason,
  MaintenancePlan,
  MaintenancePlanDocument,
  MaintenancePlanInput,
  MaintenancePlanSettings,
  MaintenancePlanStep,
  PlannedVm,
} from "./model/maintenancePlan.js";
export { maintenanceRunSettingsSchema } from "./model/maintenanceRun.js";
export type {
  MaintenanceHealthCheckRequest,
  MaintenanceRunEvent,
  MaintenanceRunOptions,
  MaintenanceRunReport,
  MaintenanceRunStep,
  MaintenanceRunVm,
  MaintenanceVmOutcome,
} from "./model/maintenanceRun.js";
export { HyperVOperations, hyperVSiteNames } from "./operations/hyperV.js";
export type { HyperVProtectionProgress, HyperVWaitOptions } from "./operations/hyperV.js";
export {
  prepareHyperVSiteSchema,
  protectHyperVVmSchema,
  hyperVFailoverSchema,
  hyperVFailbackSchema,
  hyperVTestFailoverSchema,
  hyperVReprotectSchema,
  removeHyperVSiteSchema,
} from "./model/hyperV.js";
export type {
  HyperVSite,
  HyperVHost,
  HyperVVm,
  HyperVPhase,
  HyperVProtectedVm,
  HyperVFailoverResult,
  PrepareHyperVSiteInput,
  ProtectHyperVVmInput,
  HyperVFailoverInput,
  HyperVFailbackInput,
  HyperVTestFailoverInput,
  HyperVReprotectInput,
  RemoveHyperVSiteInput,
  HyperVSiteRemoval,
} from "./model/hyperV.js";
