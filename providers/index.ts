export { AvailabilitySet, type AvailabilitySetArgs } from "./resources/availabilitySet.js";
export { ProtectedVm, type ProtectedVmArgs } from "./resources/protectedVm.js";
export { RecoveryPlan, type RecoveryPlanArgs } from "./resources/recoveryPlan.js";
export { ReplicationInfrastructure, type ReplicationInfrastructureArgs, type ReplicationInfrastructureOutputs } from "./resources/replicationInfrastructure.js";
export {
  ReplicationPolicy,
  type ReplicationPolicyArgs,
  type A2AReplicationPolicyArgs,
  type HyperVReplicationPolicyArgs,
  type VaultRefInput,
} from "./resources/replicationPolicy.js";
export { HyperVSite, type HyperVSiteArgs, type HyperVSiteOutputs } from "./resources/hyperVSite.js";
export { HyperVProtectedVm, type HyperVProtectedVmArgs } from "./resources/hyperVProtectedVm.js";
export { Reprotect, type ReprotectArgs } from "./resources/reprotect.js";
export { Vault, type VaultArgs } from "./resources/vault.js";
export { VirtualMachine, type VirtualMachineArgs } from "./resources/virtualMachine.js";
export { DrTopology, type DrTier, type DrTopologyArgs } from "./drTopology.js";
export { AzureDrProvider } from "./azureDrProvider.js";
export { CONFIG_KEYS } from "./core/providerConfig.js";
export {
  runOnEmulator,
  unwrapSecrets,
  ProgramRunError,
  type EmulatorRun,
  type EmulatorRunOptions,
  type RegisteredResource,
  type ResourceFailure,
} from "./testing.js";
