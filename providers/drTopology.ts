import * as pulumi from "@pulumi/pulumi";
import type { RecoveryPlanAction } from "../sdk/index.js";
import { AvailabilitySet } from "./resources/availabilitySet.js";
import { ProtectedVm } from "./resources/protectedVm.js";
import { RecoveryPlan } from "./resources/recoveryPlan.js";
import { ReplicationInfrastructure } from "./resources/replicationInfrastructure.js";
import { ReplicationPolicy } from "./resources/replicationPolicy.js";
import { Vault } from "./resources/vault.js";

/** An action as the plan takes it, with its failover types and directions optional (each kind keeps its own fields). */
type ActionInput = RecoveryPlanAction extends infer A
  ? A extends RecoveryPlanAction
    ? Omit<A, "failoverTypes" | "directions"> & Partial<Pick<A, "failoverTypes" | "directions">>
    : never
  : never;

/** One tier of the application: its VMs fail over together, as one boot group, after the tiers before it. */
export interface DrTier {
  name: string;
  /**
   * The tier's source VMs, by VM name (name to ARM id). Each VM's protection is a child named
   * `<topology>-<vm name>`, so that adding, removing, reordering or moving VMs between tiers
   * replaces no other VM's protection.
   */
  virtualMachines?: Record<string, pulumi.Input<string>>;
  /**
   * The tier's source VMs, as ARM ids. An id given as a plain string is keyed by the VM name it
   * ends with, as in `virtualMachines`; an id not known yet (an Output) has no name to key it by,
   * so its protection is named by its position in the list (`<topology>-<tier>-<index>`), as
   * azure-dr 0.1 named them all: prefer `virtualMachines` for those.
   */
  virtualMachineIds?: pulumi.Input<string>[];
  /** An availability set for the tier in the target region (created in the recovery resource group), so the failed-over VMs keep their spread. */
  availabilitySet?: { name: string; faultDomainCount?: number; updateDomainCount?: number };
  /** Actions before and after the tier comes up (manual, script, runbook). */
  before?: ActionInput[];
  after?: ActionInput[];
}

/** A short description of an application's DR setup. */
export interface DrTopologyArgs {
  /** The vault, created in the target region. */
  vault: { resourceGroup: string; name?: string };
  sourceRegion: string;
  targetRegion: string;
  /** Source and target virtual networks, mapped both ways. */
  network?: { sourceNetworkId: pulumi.Input<string>; targetNetworkId: pulumi.Input<string> };
  /** @default 24 hours of recovery points, app-consistent every 4 hours */
  policy?: { recoveryPointRetentionMinutes?: number; appConsistentFrequencyMinutes?: number };
  /** Resource group (ARM id) in the target region for the replicas and the failed-over VMs. */
  recoveryResourceGroupId: pulumi.Input<string>;
  /** Cache storage account (ARM id) in the source region. */
  cacheStorageAccountId: pulumi.Input<string>;
  /** The tiers, in recovery order (1 to 7). */
  tiers: DrTier[];
  /**
   * For a stack created with azure-dr 0.1, whose protections were named by position
   * (`<topology>-<tier>-<index>`): gives each VM's protection its 0.1 name as an alias, so that the
   * first update under the new names moves them without replacing any. Set it for that one update,
   * without changing any tier's VMs in it (the alias follows the position), then remove it: left
   * on, a later removal would make the next VM take over the removed one's old name. @default false
   */
  migrateFromPositionalNames?: boolean;
}

/** One source VM of a tier: the key of its protection and, for a stack made by azure-dr 0.1, its name then. */
interface TierVm {
  key: string;
  id: pulumi.Input<string>;
  positionalName: string;
}

/** The VMs of a tier, keyed by VM name where the name is known (see {@link DrTier.virtualMachines}). */
function tierVms(topology: string, tier: DrTier): TierVm[] {
  const listed = (tier.virtualMachineIds ?? []).map((id) => ({ id, vmName: typeof id === "string" ? id.slice(id.lastIndexOf("/") + 1) : undefined }));
  const named = Object.entries(tier.virtualMachines ?? {}).map(([vmName, id]) => ({ id, vmName: vmName as string | undefined }));
  return [...listed, ...named].map(({ id, vmName }, index) => {
    const positionalName = `${topology}-${tier.name}-${index}`;
    return { key: vmName === undefined ? positionalName : `${topology}-${vmName.toLowerCase()}`, id, positionalName };
  });
}

/**
 * A typical DR setup from a short description (`azure-dr:index:DrTopology`): a vault, an A2A
 * policy, the replication infrastructure of the region pair, per tier an availability set in the
 * target region and its protected VMs (each named after its VM, see {@link DrTier.virtualMachines}),
 * and one recovery plan with a boot group per tier.
 */
export class DrTopology extends pulumi.ComponentResource {
  readonly vault: Vault;
  readonly policy: ReplicationPolicy;
  readonly infrastructure: ReplicationInfrastructure;
  readonly availabilitySets: Record<string, AvailabilitySet>;
  /** Protected VMs per tier, in the order given (`virtualMachineIds`, then `virtualMachines`). */
  readonly protectedVms: Record<string, ProtectedVm[]>;
  /** Protected VMs by resource name (`<topology>-<vm name>`). */
  readonly protectedVmsByName: Record<string, ProtectedVm>;
  readonly plan: RecoveryPlan;

  /**
   * @throws Error naming the VM when two VMs of the topology have the same name (their
   *   protections would have the same resource name).
   */
  constructor(name: string, args: DrTopologyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("azure-dr:index:DrTopology", name, {}, opts);
    const vmsByTier = new Map(args.tiers.map((tier) => [tier.name, tierVms(name, tier)]));
    const keys = new Map<string, string>();
    for (const [tier, vms] of vmsByTier) {
      for (const vm of vms) {
        const other = keys.get(vm.key);
        if (other !== undefined)
          throw new Error(
            `DrTopology ${name}: two VMs are named '${vm.key.slice(name.length + 1)}' (tiers ${other} and ${tier}): each VM's protection is named after its VM`,
          );
        keys.set(vm.key, tier);
      }
    }
    const parent = { parent: this };
    this.vault = new Vault(
      `${name}-vault`,
      { resourceGroup: args.vault.resourceGroup, ...(args.vault.name === undefined ? {} : { name: args.vault.name }), location: args.targetRegion },
      parent,
    );
    this.policy = new ReplicationPolicy(
      `${name}-policy`,
      {
        vault: this.vault.ref,
        recoveryPointRetentionMinutes: args.policy?.recoveryPointRetentionMinutes ?? 1440,
        appConsistentFrequencyMinutes: args.policy?.appConsistentFrequencyMinutes ?? 240,
      },
      parent,
    );
    this.infrastructure = new ReplicationInfrastructure(
      `${name}-infrastructure`,
      {
        vault: this.vault.ref,
        sourceRegion: args.sourceRegion,
        targetRegion: args.targetRegion,
        policyName: this.policy.name,
        ...(args.network === undefined ? {} : { network: args.network }),
      },
      parent,
    );
    const recoveryResourceGroup = pulumi.output(args.recoveryResourceGroupId).apply((id) => id.slice(id.lastIndexOf("/") + 1));
    this.availabilitySets = {};
    this.protectedVms = {};
    this.protectedVmsByName = {};
    for (const tier of args.tiers) {
      const set =
        tier.availabilitySet === undefined
          ? undefined
          : new AvailabilitySet(
              `${name}-${tier.name}-avset`,
              {
                resourceGroup: recoveryResourceGroup,
                name: tier.availabilitySet.name,
                location: args.targetRegion,
                ...(tier.availabilitySet.faultDomainCount === undefined ? {} : { faultDomainCount: tier.availabilitySet.faultDomainCount }),
                ...(tier.availabilitySet.updateDomainCount === undefined ? {} : { updateDomainCount: tier.availabilitySet.updateDomainCount }),
              },
              parent,
            );
      if (set !== undefined) this.availabilitySets[tier.name] = set;
      this.protectedVms[tier.name] = (vmsByTier.get(tier.name) ?? []).map((vm) => {
        // An old name that a VM of the topology now goes by is that VM's, not an alias to take.
        const alias =
          args.migrateFromPositionalNames === true && vm.positionalName !== vm.key && !keys.has(vm.positionalName) ? [{ name: vm.positionalName }] : [];
        const protectedVm = new ProtectedVm(
          vm.key,
          {
            vault: this.vault.ref,
            infrastructure: this.infrastructure.infrastructure,
            virtualMachineId: vm.id,
            recoveryResourceGroupId: args.recoveryResourceGroupId,
            cacheStorageAccountId: args.cacheStorageAccountId,
            ...(set === undefined ? {} : { recoveryAvailabilitySetId: set.availabilitySetId }),
            ...(args.network === undefined ? {} : { recoveryNetworkId: args.network.targetNetworkId }),
          },
          { ...parent, aliases: alias },
        );
        this.protectedVmsByName[vm.key] = protectedVm;
        return protectedVm;
      });
    }
    this.plan = new RecoveryPlan(
      `${name}-plan`,
      {
        vault: this.vault.ref,
        primaryFabricId: this.infrastructure.sourceFabricId,
        recoveryFabricId: this.infrastructure.targetFabricId,
        groups: args.tiers.map((tier) => ({
          protectedVmIds: (this.protectedVms[tier.name] ?? []).map((vm) => vm.protectedVmId),
          ...(tier.before === undefined ? {} : { before: tier.before as RecoveryPlanAction[] }),
          ...(tier.after === undefined ? {} : { after: tier.after as RecoveryPlanAction[] }),
        })),
      },
      parent,
    );
    this.registerOutputs({
      vaultId: this.vault.vaultId,
      planId: this.plan.planId,
      protectedVmIds: Object.fromEntries(Object.entries(this.protectedVms).map(([tier, vms]) => [tier, vms.map((vm) => vm.protectedVmId)])),
    });
  }
}
