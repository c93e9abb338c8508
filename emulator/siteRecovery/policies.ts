import { ArmError } from "../arm/armError.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, checkAsrName, vaultIdOf } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, configurationTasks, findOfType, instanceOf, listUnder, propertiesOf, requireOfType } from "./asrResources.js";

const MINUTES_PER_DAY = 24 * 60;
/** Longest A2A retention: 15 days (managed disks). */
export const A2A_MAX_RETENTION_MINUTES = 15 * MINUTES_PER_DAY;
/** Crash-consistent points are taken every 5 minutes; Azure does not let it change. */
export const CRASH_CONSISTENT_FREQUENCY_MINUTES = 5;
const HYPERV_INTERVALS_SECONDS = [30, 300, 900];

function integer(value: JsonValue | undefined, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) throw new ArmError(400, "InvalidParameter", `'${field}' must be an integer.`, field);
  return value;
}

function invalid(field: string, message: string): ArmError {
  return new ArmError(400, "InvalidPolicyInput", message, field);
}

/** The A2A policy details for a creation input, with Azure's limits. */
function a2aDetails(input: JsonObject, field: string): JsonObject {
  const retention = integer(input.recoveryPointHistory, `${field}.recoveryPointHistory`, MINUTES_PER_DAY);
  if (retention < 0 || retention > A2A_MAX_RETENTION_MINUTES)
    throw invalid(`${field}.recoveryPointHistory`, `Recovery point retention must be 0 to ${A2A_MAX_RETENTION_MINUTES} minutes (15 days), not ${retention}.`);
  const crash = integer(input.crashConsistentFrequencyInMinutes, `${field}.crashConsistentFrequencyInMinutes`, CRASH_CONSISTENT_FREQUENCY_MINUTES);
  if (crash !== CRASH_CONSISTENT_FREQUENCY_MINUTES)
    throw invalid(
      `${field}.crashConsistentFrequencyInMinutes`,
      `Crash-consistent recovery points are taken every ${CRASH_CONSISTENT_FREQUENCY_MINUTES} minutes; it cannot be changed.`,
    );
  const app = integer(input.appConsistentFrequencyInMinutes, `${field}.appConsistentFrequencyInMinutes`, 0);
  if (app !== 0 && app < 60)
    throw invalid(`${field}.appConsistentFrequencyInMinutes`, `App-consistent snapshots are taken at least 60 minutes apart (or 0 for none), not ${app}.`);
  if (app > retention)
    throw invalid(
      `${field}.appConsistentFrequencyInMinutes`,
      `App-consistent frequency (${app} minutes) cannot exceed the recovery point retention (${retention} minutes).`,
    );
  const sync = input.multiVmSyncStatus;
  if (sync !== "Enable" && sync !== "Disable") throw invalid(`${field}.multiVmSyncStatus`, `'multiVmSyncStatus' is required: 'Enable' or 'Disable'.`);
  return {
    instanceType: "A2A",
    recoveryPointThresholdInMinutes: 0,
    recoveryPointHistory: retention,
    appConsistentFrequencyInMinutes: app,
    crashConsistentFrequencyInMinutes: crash,
    multiVmSyncStatus: sync === "Enable" ? "Enabled" : "Disabled",
  };
}

/** The Hyper-V-to-Azure policy details for a creation input, with Azure's limits. */
function hyperVDetails(input: JsonObject, field: string): JsonObject {
  const retentionHours = integer(input.recoveryPointHistoryDuration, `${field}.recoveryPointHistoryDuration`, 24);
  if (retentionHours < 0 || retentionHours > 24 * 15)
    throw invalid(`${field}.recoveryPointHistoryDuration`, `Recovery point retention must be 0 to 360 hours, not ${retentionHours}.`);
  const appHours = integer(input.applicationConsistentSnapshotFrequencyInHours, `${field}.applicationConsistentSnapshotFrequencyInHours`, 0);
  if (appHours < 0 || appHours > 12)
    throw invalid(`${field}.applicationConsistentSnapshotFrequencyInHours`, `App-consistent snapshot frequency must be 0 to 12 hours, not ${appHours}.`);
  if (appHours > retentionHours)
    throw invalid(
      `${field}.applicationConsistentSnapshotFrequencyInHours`,
      `App-consistent frequency (${appHours} h) cannot exceed the retention (${retentionHours} h).`,
    );
  const interval = integer(input.replicationInterval, `${field}.replicationInterval`, 300);
  if (!HYPERV_INTERVALS_SECONDS.includes(interval))
    throw invalid(`${field}.replicationInterval`, `Copy frequency must be 30, 300 or 900 seconds, not ${interval}.`);
  const start = input.onlineReplicationStartTime;
  if (start !== undefined && start !== null && !(typeof start === "string" && /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(start))) {
    throw invalid(`${field}.onlineReplicationStartTime`, `Initial replication start time must be 'HH:MM', not '${String(start)}'.`);
  }
  const accounts = input.storageAccounts;
  if (accounts !== undefined && !(Array.isArray(accounts) && accounts.every((a) => typeof a === "string")))
    throw invalid(`${field}.storageAccounts`, "'storageAccounts' must be a list of storage account ids.");
  return {
    instanceType: "HyperVReplicaAzure",
    recoveryPointHistoryDurationInHours: retentionHours,
    applicationConsistentSnapshotFrequencyInHours: appHours,
    replicationInterval: interval,
    onlineReplicationStartTime: typeof start === "string" ? start : null,
    encryption: input.encryption === "Enable" ? "Enabled" : "Disabled",
    activeStorageAccountId: Array.isArray(accounts) ? String(accounts[0] ?? "") : "",
  };
}

/** The provider details of a policy input (create or update). */
function detailsOf(input: JsonValue | undefined, field: string): JsonObject {
  const provider = instanceOf(input, field, ["A2A", "HyperVReplicaAzure"]);
  return provider.instanceType === "A2A" ? a2aDetails(provider, field) : hyperVDetails(provider, field);
}

/** Replication policies (vault level): A2A and HyperVReplicaAzure, with Azure's limits. Create, update, get, list, delete. */
export class Policies {
  constructor(private readonly asr: AsrContext) {
    asr.jobs.registerStore("asr.policy.put");
    asr.jobs.register("asr.policy.delete", { complete: (op) => this.asr.services.resources.delete(String(op.data.policyId)) });
  }

  register(router: Router): void {
    addAsrRoute(router, "PUT", "/replicationPolicies/{policyName}", "ReplicationPolicies_Create", (ctx) => this.put(ctx, "create"));
    addAsrRoute(router, "PATCH", "/replicationPolicies/{policyName}", "ReplicationPolicies_Update", (ctx) => this.put(ctx, "update"));
    addAsrRoute(router, "GET", "/replicationPolicies/{policyName}", "ReplicationPolicies_Get", (ctx) => jsonResponse(200, this.require(ctx).body));
    addAsrRoute(router, "GET", "/replicationPolicies", "ReplicationPolicies_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return listUnder(this.asr.services, ctx, `${vaultIdOf(ctx)}/replicationPolicies`, ASR_TYPES.policy);
    });
    addAsrRoute(router, "DELETE", "/replicationPolicies/{policyName}", "ReplicationPolicies_Delete", (ctx) => this.delete(ctx));
  }

  /** The policy with this id, if any. */
  get(id: string): StoredResource | undefined {
    return findOfType(this.asr.services, id, ASR_TYPES.policy);
  }

  private require(ctx: RequestContext): StoredResource {
    this.asr.vaults.requireVault(ctx);
    return requireOfType(this.asr.services, `${vaultIdOf(ctx)}/replicationPolicies/${param(ctx, "policyName")}`, ASR_TYPES.policy, ctx);
  }

  private put(ctx: RequestContext, mode: "create" | "update"): EmulatorResponse {
    this.asr.vaults.requireVault(ctx);
    const name = param(ctx, "policyName");
    checkAsrName(name, "policy");
    const id = `${vaultIdOf(ctx)}/replicationPolicies/${name}`;
    const existing = this.get(id);
    if (mode === "update") requireOfType(this.asr.services, id, ASR_TYPES.policy, ctx);
    const properties = propertiesOf(jsonBody(ctx));
    const field = mode === "create" ? "properties.providerSpecificInput" : "properties.replicationProviderSettings";
    const details = detailsOf(mode === "create" ? properties.providerSpecificInput : properties.replicationProviderSettings, field);
    if (existing !== undefined) {
      const current = (existing.body.properties as JsonObject).providerSpecificDetails as JsonObject;
      if (current.instanceType !== details.instanceType)
        throw invalid(`${field}.instanceType`, `Policy '${name}' is a ${String(current.instanceType)} policy; its provider cannot change.`);
    }
    const body: JsonObject = {
      id: existing?.id ?? id,
      name: existing === undefined ? name : String(existing.body.name),
      type: ASR_TYPES.policy,
      properties: { friendlyName: name, providerSpecificDetails: details },
    };
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.policy.put",
      scenarioName: mode === "create" ? "AddProtectionProfile" : "UpdateProtectionProfile",
      friendlyName: mode === "create" ? "Create replication policy" : "Update replication policy",
      targetObjectId: name,
      targetObjectName: name,
      targetInstanceType: "ProtectionProfile",
      resultResourceId: String(body.id),
      tasks: configurationTasks(mode === "create" ? "Create replication policy" : "Update replication policy"),
      data: { record: ResourceStore.record(String(body.id), ASR_TYPES.policy, body) as unknown as JsonObject },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  private delete(ctx: RequestContext): EmulatorResponse {
    this.asr.vaults.requireVault(ctx);
    const id = `${vaultIdOf(ctx)}/replicationPolicies/${param(ctx, "policyName")}`;
    const policy = this.get(id);
    if (policy === undefined) return emptyResponse(204);
    const inUse = this.asr.services.resources
      .list(vaultIdOf(ctx), ASR_TYPES.containerMapping)
      .find((r) => String((r.body.properties as JsonObject).policyId).toLowerCase() === id.toLowerCase());
    if (inUse !== undefined)
      throw new ArmError(
        400,
        "PolicyInUse",
        `Policy '${param(ctx, "policyName")}' is associated with container mapping '${String(inUse.body.name)}'; remove the mapping first.`,
      );
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.policy.delete",
      scenarioName: "RemoveProtectionProfile",
      friendlyName: "Remove replication policy",
      targetObjectId: String(policy.body.name),
      targetObjectName: String(policy.body.name),
      targetInstanceType: "ProtectionProfile",
      tasks: configurationTasks("Remove replication policy"),
      data: { policyId: id },
    });
    return this.asr.jobs.accepted(ctx, job);
  }
}
