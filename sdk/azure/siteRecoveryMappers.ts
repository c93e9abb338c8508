import type { Vault as AzureVault } from "@azure/arm-recoveryservices";
import type {
  FailoverJobDetails,
  JobDetailsUnion,
  TestFailoverJobDetails,
  A2APolicyDetails,
  RecoveryPlan as AzureRecoveryPlan,
  RecoveryPlanAction as AzureRecoveryPlanAction,
  A2AReplicationDetails,
  HyperVReplicaAzurePolicyDetails,
  Job as AzureJob,
  Policy,
  RecoveryPoint as AzureRecoveryPoint,
  ReplicationProtectedItem,
} from "@azure/arm-recoveryservices-siterecovery";
import { parseResourceId } from "../model/armId.js";
import type { Job, JobItem } from "../model/job.js";
import type { RecoveryPlan, RecoveryPlanAction } from "../model/recoveryPlan.js";
import type { ProtectedVm, ProtectionPhase, RecoveryPoint } from "../model/protectedVm.js";
import type { ReplicationPolicy } from "../model/replicationPolicy.js";
import type { Vault } from "../model/vault.js";

/** Maps a Recovery Services vault. */
export function toVault(vault: AzureVault): Vault {
  return {
    id: vault.id ?? "",
    name: vault.name ?? "",
    resourceGroup: parseResourceId(vault.id ?? "").resourceGroup,
    location: vault.location,
    tags: vault.tags ?? {},
  };
}

/** Maps a replication policy (A2A or Hyper-V to Azure). */
export function toReplicationPolicy(policy: Policy): ReplicationPolicy {
  const details = policy.properties?.providerSpecificDetails;
  const base = { id: policy.id ?? "", name: policy.name ?? "" };
  if (details?.instanceType === "HyperVReplicaAzure") {
    const hv = details as HyperVReplicaAzurePolicyDetails;
    return {
      ...base,
      kind: "HyperVReplicaAzure",
      copyFrequencySeconds: hv.replicationInterval ?? 300,
      recoveryPointRetentionHours: hv.recoveryPointHistoryDurationInHours ?? 0,
      appConsistentFrequencyHours: hv.applicationConsistentSnapshotFrequencyInHours ?? 0,
      initialReplicationStartTime: hv.onlineReplicationStartTime ?? undefined,
      encryption: hv.encryption === "Enabled",
    };
  }
  const a2a = (details ?? {}) as A2APolicyDetails;
  return {
    ...base,
    kind: "A2A",
    recoveryPointRetentionMinutes: a2a.recoveryPointHistory ?? 0,
    appConsistentFrequencyMinutes: a2a.appConsistentFrequencyInMinutes ?? 0,
    crashConsistentFrequencyMinutes: a2a.crashConsistentFrequencyInMinutes ?? 5,
    multiVmSync: a2a.multiVmSyncStatus === "Enabled",
  };
}

function phaseOf(item: ReplicationProtectedItem): ProtectionPhase {
  const properties = item.properties;
  const state = properties?.protectionState ?? "";
  const description = (properties?.protectionStateDescription ?? "").toLowerCase();
  const scenario = properties?.currentScenario?.scenarioName ?? "None";
  const details = properties?.providerSpecificDetails as A2AReplicationDetails | undefined;
  if (scenario === "DisableDr" || scenario === "PurgeProtection" || description.includes("disabling")) return "disabling";
  if (state === "Protected") return "protected";
  if (state === "UnplannedFailoverCommitted") return "committed";
  if (state === "ReprotectStatesBegin") return "reprotecting";
  if (state === "UnplannedFailoverInProgress") return "failingOver";
  if (state.startsWith("UnplannedFailoverCommitPending")) return "failedOver";
  if (scenario === "EnableDr" || description.includes("enabling")) return "enabling";
  if (details?.monitoringJobType === "InitialReplication" || description.includes("initial replication")) return "initialReplication";
  return "other";
}

/** Maps a replicated item (A2A) to the SDK's view of a protected VM. */
export function toProtectedVm(item: ReplicationProtectedItem): ProtectedVm {
  const properties = item.properties;
  const details = (properties?.providerSpecificDetails ?? {}) as A2AReplicationDetails;
  const jobId = properties?.currentScenario?.jobId;
  return {
    id: item.id ?? "",
    name: item.name ?? "",
    lifecycleId: details.lifecycleId ?? "",
    virtualMachineId: details.fabricObjectId ?? "",
    phase: phaseOf(item),
    protectionState: properties?.protectionState ?? "",
    protectionStateDescription: properties?.protectionStateDescription ?? "",
    replicationHealth: properties?.replicationHealth ?? "",
    healthErrors: (properties?.healthErrors ?? []).map((e) => ({
      code: e.errorCode ?? "",
      message: e.errorMessage ?? e.summaryMessage ?? "",
      level: e.errorLevel ?? "",
      recommendedAction: e.recommendedAction,
    })),
    resyncRequired: (details.protectedManagedDisks ?? []).some((d) => d.resyncRequired === true),
    initialReplicationPercent: details.monitoringJobType === "InitialReplication" ? (details.monitoringPercentageCompletion ?? 0) : undefined,
    rpoSeconds: details.rpoInSeconds ?? undefined,
    activeLocation: properties?.activeLocation ?? "",
    allowedOperations: properties?.allowedOperations ?? [],
    sourceRegion: details.primaryFabricLocation ?? "",
    targetRegion: details.recoveryFabricLocation ?? "",
    recoveryResourceGroupId: details.recoveryAzureResourceGroupId ?? undefined,
    recoveryVmName: details.recoveryAzureVMName ?? undefined,
    recoveryContainerId: properties?.recoveryContainerId ?? undefined,
    policyId: properties?.policyId ?? undefined,
    currentJobId: jobId === undefined || jobId.endsWith("/replicationJobs/None") ? undefined : jobId,
    testFailoverState: properties?.testFailoverState ?? "None",
    failoverRecoveryPointId: properties?.failoverRecoveryPointId ?? undefined,
    lastFailoverTime: properties?.lastSuccessfulFailoverTime ?? undefined,
    lastTestFailoverTime: properties?.lastSuccessfulTestFailoverTime ?? undefined,
    multiVmGroupName: details.multiVmGroupName ?? undefined,
  };
}

/** Maps a recovery point. */
export function toRecoveryPoint(point: AzureRecoveryPoint): RecoveryPoint {
  return {
    id: point.id ?? "",
    name: point.name ?? "",
    time: point.properties?.recoveryPointTime ?? new Date(0),
    type: point.properties?.recoveryPointType ?? "",
  };
}

/** Maps a job with its tasks and errors. */
export function toJob(job: AzureJob): Job {
  const p = job.properties;
  return {
    id: job.id ?? "",
    name: job.name ?? "",
    scenario: p?.scenarioName ?? "",
    friendlyName: p?.friendlyName ?? "",
    state: p?.state ?? "",
    stateDescription: p?.stateDescription ?? "",
    tasks: (p?.tasks ?? []).map((t) => ({
      name: t.name ?? "",
      friendlyName: t.friendlyName ?? "",
      state: t.state ?? "",
      startTime: t.startTime,
      endTime: t.endTime,
    })),
    errors: (p?.errors ?? []).map((e) => ({
      code: e.serviceErrorDetails?.code ?? String(e.providerErrorDetails?.errorCode ?? ""),
      message: e.serviceErrorDetails?.message ?? e.providerErrorDetails?.errorMessage ?? "",
      recommendedAction: e.serviceErrorDetails?.recommendedAction ?? e.providerErrorDetails?.recommendedAction,
    })),
    allowedActions: p?.allowedActions ?? [],
    startTime: p?.startTime,
    endTime: p?.endTime,
    targetName: p?.targetObjectName ?? "",
    items: jobItems(p?.customDetails),
  };
}

function jobItems(details: JobDetailsUnion | undefined): JobItem[] {
  if (details?.instanceType !== "FailoverJobDetails" && details?.instanceType !== "TestFailoverJobDetails") return [];
  return ((details as FailoverJobDetails | TestFailoverJobDetails).protectedItemDetails ?? []).map((item) => ({
    name: item.name ?? "",
    friendlyName: item.friendlyName ?? "",
    recoveryPointId: item.recoveryPointId,
    recoveryPointTime: item.recoveryPointTime,
  }));
}

function toAction(action: AzureRecoveryPlanAction): RecoveryPlanAction {
  const details = action.customDetails as {
    instanceType: string;
    description?: string;
    path?: string;
    runbookId?: string;
    fabricLocation?: "Primary" | "Recovery";
    timeout?: string;
  };
  const common = {
    name: action.actionName,
    failoverTypes: action.failoverTypes as RecoveryPlanAction["failoverTypes"],
    directions: action.failoverDirections as RecoveryPlanAction["directions"],
  };
  if (details.instanceType === "ScriptActionDetails")
    return {
      kind: "script",
      ...common,
      path: details.path ?? "",
      fabricLocation: details.fabricLocation ?? "Recovery",
      ...(details.timeout === undefined ? {} : { timeout: details.timeout }),
    };
  if (details.instanceType === "AutomationRunbookActionDetails")
    return {
      kind: "runbook",
      ...common,
      runbookId: details.runbookId ?? "",
      fabricLocation: details.fabricLocation ?? "Recovery",
      ...(details.timeout === undefined ? {} : { timeout: details.timeout }),
    };
  return { kind: "manual", ...common, ...(details.description === undefined ? {} : { description: details.description }) };
}

/** Maps a recovery plan. */
export function toRecoveryPlan(plan: AzureRecoveryPlan): RecoveryPlan {
  const p = plan.properties;
  return {
    id: plan.id ?? "",
    name: plan.name ?? "",
    primaryFabricId: p?.primaryFabricId ?? "",
    recoveryFabricId: p?.recoveryFabricId ?? "",
    groups: (p?.groups ?? []).map((g) => ({
      type: g.groupType as RecoveryPlan["groups"][number]["type"],
      protectedVmIds: (g.replicationProtectedItems ?? []).map((i) => i.id ?? ""),
      before: (g.startGroupActions ?? []).map(toAction),
      after: (g.endGroupActions ?? []).map(toAction),
    })),
    allowedOperations: p?.allowedOperations ?? [],
    currentScenario:
      p?.currentScenario?.scenarioName === undefined || p.currentScenario.scenarioName === "None"
        ? undefined
        : {
            name: p.currentScenario.scenarioName,
            jobName: (p.currentScenario.jobId ?? "").slice((p.currentScenario.jobId ?? "").lastIndexOf("/") + 1),
            status: p.currentScenarioStatus ?? "",
            startTime: p.currentScenario.startTime,
          },
  };
}
