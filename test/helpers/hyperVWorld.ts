// The world the official-client Hyper-V to Azure tests (test/emulator/officialHyperV*.test.ts)
// share: their clock and bandwidth, the host and target resource group they use, a setup with VMs
// registered on one host, the path arguments of an item, enabling protection, reading an item and
// the clock, and what they check on failover jobs. What only one file needs stays in that file.
import type { FailoverJobDetails, HyperVReplicaAzureEnableProtectionInput, Job, ReplicationProtectedItem } from "@azure/arm-recoveryservices-siterecovery";
import type { ExecutionContext } from "ava";
import {
  acceptedJob,
  buildHyperVReplication,
  idOf,
  loopbackSiteRecovery,
  LRO,
  registerHyperVVms,
  resourceGroupId,
  storageAccountId,
  virtualNetworkId,
  type HyperVReplication,
  type HyperVReplicationOptions,
  type HyperVVmShape,
  type LoopbackSiteRecovery,
  type LroOptions,
  type Recorder,
} from "./loopbackSiteRecovery.js";

/** One minute of virtual time, in ms. */
export const MINUTE = 60_000;
/** One hour of virtual time, in ms. */
export const HOUR = 60 * MINUTE;
/** Where the virtual clock starts: a Monday morning (UTC), so a resync outside office hours (an automatic one too) waits for 22:00. */
export const HYPER_V_START = new Date("2026-03-02T08:00:00Z");
/** The replication bandwidth per VM, MB/s: a 40 GB disk copies in 640 s. */
export const HYPER_V_BANDWIDTH_MBPS = 64;
/** The Hyper-V host the VMs are registered on. */
export const HYPER_V_HOST = "hv-host-01";
/** The resource group failover creates the Azure VMs in (and their network and log storage account live in). */
export const HYPER_V_TARGET_RG = "rg-onprem-dr";

/** A Hyper-V to Azure setup over loopback HTTP and the VMs registered on its site. */
export interface HyperVWorld {
  env: LoopbackSiteRecovery;
  setup: HyperVReplication;
  /** Protectable item ids by VM name. */
  vms: Record<string, string>;
}

/** Options of {@link hyperVWorld}. */
export interface HyperVWorldOptions {
  /** The host the VMs are registered on. @default HYPER_V_HOST */
  host?: string;
  /** The replication bandwidth per VM, MB/s. @default HYPER_V_BANDWIDTH_MBPS */
  bandwidthMBps?: number;
  /** Options of {@link buildHyperVReplication} (policy overrides, names). */
  replication?: HyperVReplicationOptions;
}

/**
 * The emulator over loopback HTTP in virtual time from {@link HYPER_V_START}, replicating at
 * `bandwidthMBps` per VM, for `subscriptionId` (the helper's default subscription when omitted).
 */
export function loopbackHyperV(t: ExecutionContext, bandwidthMBps: number = HYPER_V_BANDWIDTH_MBPS, subscriptionId?: string): Promise<LoopbackSiteRecovery> {
  return loopbackSiteRecovery(t, { replicationBandwidthMBps: bandwidthMBps, startTime: HYPER_V_START }, subscriptionId);
}

/** The Hyper-V to Azure setup ({@link buildHyperVReplication}) with `vms` registered on one host; nothing is protected yet. */
export async function hyperVWorld(t: ExecutionContext, vms: readonly HyperVVmShape[], options: HyperVWorldOptions = {}): Promise<HyperVWorld> {
  const env = await loopbackHyperV(t, options.bandwidthMBps);
  const setup = await buildHyperVReplication(env, options.replication);
  return { env, setup, vms: registerHyperVVms(env, setup, options.host ?? HYPER_V_HOST, vms) };
}

/** The name the tests give the replicated item of a VM: `item-{vm}`. */
export function hyperVItemName(vm: string): string {
  return `item-${vm}`;
}

/** The path arguments of the official client's calls on item `item` of the setup's container: vault, resource group, site, container, item. */
export function itemArgs(world: Pick<HyperVWorld, "setup">, item: string): [string, string, string, string, string] {
  const { names } = world.setup;
  return [names.vault, names.resourceGroup, names.site, names.container, item];
}

/** {@link itemArgs} of the replicated item of VM `vm` ({@link hyperVItemName}). */
export function vmItemArgs(world: Pick<HyperVWorld, "setup">, vm: string): [string, string, string, string, string] {
  return itemArgs(world, hyperVItemName(vm));
}

/**
 * The HyperVReplicaAzure enable input the tests send: managed disks in {@link HYPER_V_TARGET_RG},
 * on its network `vnet-dr` (subnet `default`), with log storage account `hvlogwesteurope`, and,
 * when given, the name of the VM failover creates.
 */
export function hyperVEnableInput(subscriptionId: string, targetAzureVmName?: string): HyperVReplicaAzureEnableProtectionInput {
  return {
    instanceType: "HyperVReplicaAzure",
    targetAzureV2ResourceGroupId: resourceGroupId(HYPER_V_TARGET_RG, subscriptionId),
    targetAzureNetworkId: virtualNetworkId("vnet-dr", HYPER_V_TARGET_RG, subscriptionId),
    targetAzureSubnetId: `${virtualNetworkId("vnet-dr", HYPER_V_TARGET_RG, subscriptionId)}/subnets/default`,
    useManagedDisks: "true",
    logStorageAccountId: storageAccountId("hvlogwesteurope", HYPER_V_TARGET_RG, subscriptionId),
    ...(targetAzureVmName === undefined ? {} : { targetAzureVmName }),
  };
}

/**
 * Enables protection of VM `vm` of the world as item `item` under the setup's policy (official
 * client) and waits for it: by default as {@link hyperVItemName} with {@link hyperVEnableInput}
 * naming the Azure VM `{vm}-az`. Initial replication is left to run.
 */
export function enableHyperV(
  world: HyperVWorld,
  vm: string,
  item: string = hyperVItemName(vm),
  input: HyperVReplicaAzureEnableProtectionInput = hyperVEnableInput(world.env.subscriptionId, `${vm}-az`),
  options: LroOptions = LRO,
): Promise<ReplicationProtectedItem> {
  return world.env.asr.replicationProtectedItems.beginCreateAndWait(
    ...itemArgs(world, item),
    { properties: { policyId: idOf(world.setup.policy), protectableItemId: world.vms[vm] ?? "", providerSpecificDetails: input } },
    options,
  );
}

/** Item `item` of the setup's container (official client). */
export function getHyperVItem(world: HyperVWorld, item: string): Promise<ReplicationProtectedItem> {
  return world.env.asr.replicationProtectedItems.get(...itemArgs(world, item));
}

/** The replicated item of VM `vm` ({@link hyperVItemName}; official client). */
export function getVmItem(world: HyperVWorld, vm: string): Promise<ReplicationProtectedItem> {
  return getHyperVItem(world, hyperVItemName(vm));
}

/** The emulator's virtual time, ms since the epoch. */
export function now(world: Pick<HyperVWorld, "env">): number {
  return world.env.emulator.control.now().getTime();
}

/** Advances the virtual clock to `at` (ms since the epoch); no-op when it is there already. */
export function advanceTo(world: Pick<HyperVWorld, "env">, at: number): void {
  if (at > now(world)) world.env.emulator.control.advanceClock(at - now(world));
}

/** A date as ms since the epoch; NaN when there is none. */
export function time(value: Date | undefined): number {
  return value?.getTime() ?? Number.NaN;
}

/** Checks the 202 of an operation `recorder` saw ({@link acceptedJob}, at the world's vault) and returns the job it started. */
export async function jobOfRecorder(t: ExecutionContext, world: HyperVWorld, recorder: Recorder, what: string): Promise<Job> {
  const name = acceptedJob(t, world.env, recorder.responses, what, world.setup.names);
  return world.env.asr.replicationJobs.get(world.setup.names.vault, world.setup.names.resourceGroup, name);
}

/** The names of a job's tasks, in order. */
export function taskNames(job: Job): (string | undefined)[] {
  return (job.properties?.tasks ?? []).map((task) => task.name);
}

/** The time of the recovery point each item of a failover job was recovered from, by item name; fails the test for other job details. */
export function recoveredPoints(t: ExecutionContext, job: Job): Map<string, number> {
  const details = job.properties?.customDetails;
  if (details?.instanceType !== "FailoverJobDetails") {
    t.fail(`a failover job has FailoverJobDetails, not ${String(details?.instanceType)}`);
    return new Map();
  }
  return new Map(((details as FailoverJobDetails).protectedItemDetails ?? []).map((i) => [i.name ?? "", time(i.recoveryPointTime)]));
}

/** The input of an item's planned failover to Azure. */
export const PLANNED_TO_AZURE = {
  properties: { failoverDirection: "PrimaryToRecovery", providerSpecificDetails: { instanceType: "HyperVReplicaAzure" as const } },
};

/** The input of an item's failback (planned failover RecoveryToPrimary): by default for down time, to the original VM (`NoAction`). */
export function failbackInput(
  options: { dataSyncOption?: string; recoveryVmCreationOption?: string; providerIdForAlternateRecovery?: string } = {},
): Parameters<LoopbackSiteRecovery["asr"]["replicationProtectedItems"]["beginPlannedFailoverAndWait"]>[5] {
  return {
    properties: {
      failoverDirection: "RecoveryToPrimary",
      providerSpecificDetails: { instanceType: "HyperVReplicaAzureFailback", dataSyncOption: "ForDownTime", recoveryVmCreationOption: "NoAction", ...options },
    },
  };
}

/** The input of an item's test failover to Azure, into the isolated network `vnet-test` of {@link HYPER_V_TARGET_RG}. */
export function testFailoverInput(subscriptionId: string): Parameters<LoopbackSiteRecovery["asr"]["replicationProtectedItems"]["beginTestFailoverAndWait"]>[5] {
  return {
    properties: {
      failoverDirection: "PrimaryToRecovery",
      networkType: "VmNetworkAsInput",
      networkId: virtualNetworkId("vnet-test", HYPER_V_TARGET_RG, subscriptionId),
      providerSpecificDetails: { instanceType: "HyperVReplicaAzure" },
    },
  };
}
