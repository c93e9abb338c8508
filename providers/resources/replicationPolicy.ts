import * as pulumi from "@pulumi/pulumi";
import { physicalName, providerFor, TYPE_MODULE } from "../providerFor.js";

/** A Recovery Services vault, by resource group and name. */
export interface VaultRefInput {
  resourceGroup: pulumi.Input<string>;
  name: pulumi.Input<string>;
}

/** What every {@link ReplicationPolicy} takes, whatever its kind. */
interface ReplicationPolicyCommonArgs {
  vault: pulumi.Input<VaultRefInput>;
  /** @default the logical name with a stable suffix */
  name?: pulumi.Input<string>;
  /**
   * Take over the vault's existing policy of this name instead of refusing to create it: its kind
   * must be as the program says (else the create fails and changes nothing); its settings are set
   * as the program says. When none exists, it is created. Changing this input later changes nothing. @default false
   */
  adopt?: pulumi.Input<boolean>;
}

/** Arguments of an Azure-to-Azure {@link ReplicationPolicy} (`kind` `A2A`, the default). */
export interface A2AReplicationPolicyArgs extends ReplicationPolicyCommonArgs {
  /** `A2A` (Azure-to-Azure). @default "A2A" */
  kind?: pulumi.Input<"A2A">;
  /** How long recovery points are kept, 0 to 21,600 minutes (15 days). @default 1440 */
  recoveryPointRetentionMinutes?: pulumi.Input<number>;
  /** App-consistent snapshots every so many minutes; 0 turns them off, else at least 60. @default 0 */
  appConsistentFrequencyMinutes?: pulumi.Input<number>;
  /** Multi-VM consistency groups sync with each other. @default true */
  multiVmSync?: pulumi.Input<boolean>;
  copyFrequencySeconds?: never;
  recoveryPointRetentionHours?: never;
  appConsistentFrequencyHours?: never;
  initialReplicationStartTime?: never;
  encryption?: never;
}

/** Arguments of a Hyper-V to Azure {@link ReplicationPolicy} (`kind` `HyperVReplicaAzure`), for a {@link HyperVSite}. */
export interface HyperVReplicationPolicyArgs extends ReplicationPolicyCommonArgs {
  /** `HyperVReplicaAzure` (on-premises Hyper-V to Azure). */
  kind: "HyperVReplicaAzure";
  /** How often changes are sent: 30, 300 or 900 seconds. @default 300 */
  copyFrequencySeconds?: pulumi.Input<30 | 300 | 900>;
  /** How long recovery points are kept, 0 to 360 hours. @default 24 */
  recoveryPointRetentionHours?: pulumi.Input<number>;
  /** App-consistent snapshots every so many hours, 0 (off) to 12, at most the retention. @default 0 */
  appConsistentFrequencyHours?: pulumi.Input<number>;
  /** When initial replication starts, `HH:MM`. @default immediately */
  initialReplicationStartTime?: pulumi.Input<string>;
  /** Encrypt the replicated data at rest in Azure. @default false */
  encryption?: pulumi.Input<boolean>;
  recoveryPointRetentionMinutes?: never;
  appConsistentFrequencyMinutes?: never;
  multiVmSync?: never;
}

/** Arguments of a {@link ReplicationPolicy}: an Azure-to-Azure one (the default) or a Hyper-V to Azure one, each with its own settings. */
export type ReplicationPolicyArgs = A2AReplicationPolicyArgs | HyperVReplicationPolicyArgs;

/**
 * A replication policy (`pulumi-nodejs:dynamic/azure-dr:ReplicationPolicy`), Azure-to-Azure or
 * Hyper-V to Azure: its settings change in place; vault, name or kind replace it. Check fails
 * (naming the property) on a setting of the other kind or out of range; create fails with
 * `already exists` for an existing policy, `ResourceNotFound` for a missing vault.
 */
export class ReplicationPolicy extends pulumi.dynamic.Resource {
  declare readonly policyId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;

  /**
   * The existing replication policy with this ARM id, read (and refreshed) but not managed by the stack: Pulumi
   * never changes or deletes it. To manage an existing replication policy, declare it with `adopt: true` instead.
   * @throws nothing here; the read fails (as `pulumi up` reports it) when no replication policy has this id or
   *   the id is not a replication policy's (ValidationError naming `id`).
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ReplicationPolicy {
    return new ReplicationPolicy(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: ReplicationPolicyArgs, opts?: pulumi.CustomResourceOptions);
  /** Reads the existing replication policy with the id in `opts.id` (what {@link ReplicationPolicy.get} does). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: ReplicationPolicyArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("ReplicationPolicy"),
      name,
      args === undefined
        ? { vault: undefined, name: undefined, kind: undefined, policyId: undefined }
        : { kind: "A2A", ...args, name: args.name ?? physicalName(name, 40), policyId: undefined },
      opts,
      TYPE_MODULE,
      "ReplicationPolicy",
    );
  }
}
