import { availabilitySetCore } from "./availabilitySetCore.js";
import { hyperVProtectedVmCore } from "./hyperVProtectedVmCore.js";
import { hyperVSiteCore } from "./hyperVSiteCore.js";
import { protectedVmCore } from "./protectedVmCore.js";
import { recoveryPlanCore } from "./recoveryPlanCore.js";
import { replicationInfrastructureCore } from "./replicationInfrastructureCore.js";
import { replicationPolicyCore } from "./replicationPolicyCore.js";
import { reprotectCore } from "./reprotectCore.js";
import type { ResourceCore } from "./types.js";
import { vaultCore } from "./vaultCore.js";
import { virtualMachineCore } from "./virtualMachineCore.js";

/** The kinds of resource the providers serve, with the type each registers as (`pulumi-nodejs:dynamic/azure-dr:<Type>`). */
export const RESOURCE_KINDS = [
  "Vault",
  "VirtualMachine",
  "AvailabilitySet",
  "ReplicationPolicy",
  "ReplicationInfrastructure",
  "ProtectedVm",
  "RecoveryPlan",
  "Reprotect",
  "HyperVSite",
  "HyperVProtectedVm",
] as const;
/** One of {@link RESOURCE_KINDS}. */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The logic of each resource kind, loaded by the provider hosts (never serialized). */
export const cores: Readonly<Record<ResourceKind, ResourceCore>> = {
  Vault: vaultCore,
  VirtualMachine: virtualMachineCore,
  AvailabilitySet: availabilitySetCore,
  ReplicationPolicy: replicationPolicyCore,
  ReplicationInfrastructure: replicationInfrastructureCore,
  ProtectedVm: protectedVmCore,
  RecoveryPlan: recoveryPlanCore,
  Reprotect: reprotectCore,
  HyperVSite: hyperVSiteCore,
  HyperVProtectedVm: hyperVProtectedVmCore,
};

export { withDrClient, sessionFor, resolveBackendConfig, CONFIG_KEYS, type ProviderBackendConfig } from "./providerConfig.js";
export { ProviderSession, openConfiguredBackend, type BackendOpener, type ProviderSessionOptions } from "./providerSession.js";
export { UNKNOWN, containsUnknown } from "./checkProps.js";
export type { CheckResult, DiffResult, Props, ReadResult, ResourceCore, PlainValue } from "./types.js";
