import type {
  HyperVReplicaAzureReplicationDetails,
  HyperVVirtualMachineDetails,
  ProtectableItem,
  RecoveryServicesProvider,
  ReplicationProtectedItem,
} from "@azure/arm-recoveryservices-siterecovery";
import type { HyperVHost, HyperVPhase, HyperVProtectedVm, HyperVVm } from "../model/hyperV.js";

/** Azure's health error code for "pending changes reached half the disk: resynchronization required". */
const RESYNC_REQUIRED_CODE = "150110";

/** Whether a replicated item is a Hyper-V to Azure one. */
export function isHyperVItem(item: ReplicationProtectedItem): boolean {
  return item.properties?.providerSpecificDetails?.instanceType === "HyperVReplicaAzure";
}

/**
 * Where a Hyper-V item stands. The state, the side it runs on and what Azure allows next tell
 * the steps after a failover apart (the same `protectionState` covers a failover to Azure and a
 * failback); the descriptions only split the states Azure shares between enabling, initial
 * replication, reverse replication and disabling.
 */
function phaseOf(item: ReplicationProtectedItem): HyperVPhase {
  const p = item.properties;
  const state = p?.protectionState ?? "";
  const description = (p?.protectionStateDescription ?? "").toLowerCase();
  const allowed = p?.allowedOperations ?? [];
  const onPremises = p?.activeLocation === "Primary";
  if (description.includes("disabling")) return "disabling";
  if (state === "Protected") return "protected";
  if (state === "UnprotectedStatesBegin") {
    if (description.includes("reverse replication")) return "reprotecting";
    if (description.includes("enabling")) return "enabling";
    return "initialReplication";
  }
  if (state.endsWith("FailoverInProgress")) return description.includes("failback") ? "failingBack" : "failingOver";
  if (state === "PlannedFailoverCommitRequired" || state.startsWith("UnplannedFailoverCommitPending")) return onPremises ? "failedBack" : "failedOver";
  if (allowed.includes("ReverseReplicate")) return "failbackCommitted";
  if (allowed.includes("Failback") || state === "UnplannedFailoverCommitted" || state === "PlannedFailoverStatesBegin")
    return onPremises ? "failbackCommitted" : "committed";
  return "other";
}

function percentOf(value: string | undefined): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}

/** Maps a Hyper-V to Azure replicated item. */
export function toHyperVProtectedVm(item: ReplicationProtectedItem): HyperVProtectedVm {
  const p = item.properties;
  const details = (p?.providerSpecificDetails ?? { instanceType: "HyperVReplicaAzure" }) as HyperVReplicaAzureReplicationDetails;
  const phase = phaseOf(item);
  const progress = details.initialReplicationDetails;
  const healthErrors = (p?.healthErrors ?? []).map((e) => ({
    code: e.errorCode ?? "",
    message: e.errorMessage ?? e.summaryMessage ?? "",
    level: e.errorLevel ?? "",
    recommendedAction: e.recommendedAction,
  }));
  const jobId = p?.currentScenario?.jobId;
  return {
    id: item.id ?? "",
    name: item.name ?? "",
    vmName: p?.friendlyName ?? "",
    protectableItemId: p?.protectableItemId ?? "",
    phase,
    protectionState: p?.protectionState ?? "",
    protectionStateDescription: p?.protectionStateDescription ?? "",
    replicationDescription: details.vmProtectionStateDescription ?? "",
    activeLocation: p?.activeLocation ?? "",
    replicationHealth: p?.replicationHealth ?? "",
    healthErrors,
    resyncRequired: healthErrors.some((e) => e.code === RESYNC_REQUIRED_CODE) || (p?.allowedOperations ?? []).includes("RepairReplication"),
    initialReplicationPercent: phase === "initialReplication" ? percentOf(progress?.initialReplicationProgressPercentage) : undefined,
    resyncPercent: progress?.initialReplicationType === "Resync" ? percentOf(progress.initialReplicationProgressPercentage) : undefined,
    lastReplicatedTime: details.lastReplicatedTime ?? undefined,
    rpoSeconds: details.rpoInSeconds ?? undefined,
    lastRecoveryPointTime: details.lastRecoveryPointReceived ?? undefined,
    allowedOperations: p?.allowedOperations ?? [],
    targetVmName: details.recoveryAzureVmName ?? "",
    targetVmSize: details.recoveryAzureVMSize ?? "",
    targetResourceGroupId: details.recoveryAzureResourceGroupId ?? "",
    targetNetworkId: details.selectedRecoveryAzureNetworkId || undefined,
    policyId: p?.policyId ?? undefined,
    currentJobId: jobId === undefined || jobId.endsWith("/replicationJobs/None") ? undefined : jobId,
    failoverRecoveryPointId: p?.failoverRecoveryPointId ?? undefined,
    lastFailoverTime: p?.lastSuccessfulFailoverTime ?? undefined,
    disks: (details.azureVmDiskDetails ?? []).map((d) => ({ name: d.vhdName ?? "", sizeGB: Number(d.maxSizeMB ?? 0) / 1024 })),
  };
}

/** Maps a protectable item of a Hyper-V site's container. */
export function toHyperVVm(item: ProtectableItem): HyperVVm {
  const p = item.properties;
  const details = p?.customDetails as HyperVVirtualMachineDetails | undefined;
  return {
    id: item.id ?? "",
    name: p?.friendlyName ?? "",
    hyperVVmId: details?.sourceItemId ?? item.name ?? "",
    hostId: details?.hyperVHostId ?? "",
    protectionStatus: p?.protectionStatus ?? "",
    protectedVmId: p?.replicationProtectedItemId || undefined,
    osType: details?.osDetails?.osType ?? "",
    generation: details?.generation ?? "",
    disks: (details?.diskDetails ?? []).map((d) => ({
      id: d.vhdId ?? "",
      name: d.vhdName ?? "",
      sizeGB: (d.maxSizeMB ?? 0) / 1024,
      isOsDisk: d.vhdType === "OperatingSystem",
    })),
  };
}

/** Maps a recovery services provider of a Hyper-V site (a host). */
export function toHyperVHost(provider: RecoveryServicesProvider): HyperVHost {
  const p = provider.properties;
  return {
    id: provider.id ?? "",
    name: p?.friendlyName ?? provider.name ?? "",
    connectionStatus: p?.connectionStatus ?? "",
    protectedVmCount: p?.protectedItemCount ?? 0,
    lastHeartbeat: p?.lastHeartBeat ?? undefined,
  };
}
