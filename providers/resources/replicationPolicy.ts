import * as pulumi from "@pulumi/pulumi";
import { physicalName, providerFor, TYPE_MODULE } from "../providerFor.js";

/** A Recovery Services vault, by resource group and name. */
export interface VaultRefInput {
  resourceGroup: pulumi.Input<string>;
  name: pulumi.Input<string>;
}

/** Arguments of a {@link ReplicationPolicy} (Azure-to-Azure). */
export interface ReplicationPolicyArgs {
  vault: pulumi.Input<VaultRefInput>;
  /** @default the logical name with a stable suffix */
  name?: pulumi.Input<string>;
  /** `A2A` (Azure-to-Azure). */
  kind?: pulumi.Input<"A2A">;
  /** How long recovery points are kept, 0 to 21,600 minutes (15 days). @default 1440 */
  recoveryPointRetentionMinutes?: pulumi.Input<number>;
  /** App-consistent snapshots every so many minutes; 0 turns them off. @default 0 */
  appConsistentFrequencyMinutes?: pulumi.Input<number>;
  /** Multi-VM consistency groups sync with each other. @default true */
  multiVmSync?: pulumi.Input<boolean>;
}

/** A replication policy (`pulumi-nodejs:dynamic/azure-dr:ReplicationPolicy`): its settings change in place. */
export class ReplicationPolicy extends pulumi.dynamic.Resource {
  declare readonly policyId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: ReplicationPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("ReplicationPolicy"),
      name,
      { kind: "A2A", ...args, name: args.name ?? physicalName(name, 40), policyId: undefined },
      opts,
      TYPE_MODULE,
      "ReplicationPolicy",
    );
  }
}
