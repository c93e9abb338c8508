import * as pulumi from "@pulumi/pulumi";
import { providerFor, TYPE_MODULE } from "../providerFor.js";
import { PROTECTED_VM_OUTPUTS } from "../protectedVmOutputs.js";
import type { ReplicationInfrastructureOutputs } from "./replicationInfrastructure.js";
import type { VaultRefInput } from "./replicationPolicy.js";

/** Arguments of a {@link ProtectedVm}. */
export interface ProtectedVmArgs {
  vault: pulumi.Input<VaultRefInput>;
  /** A ReplicationInfrastructure's `infrastructure`. */
  infrastructure: pulumi.Input<ReplicationInfrastructureOutputs>;
  /** The source VM's ARM id. */
  virtualMachineId: pulumi.Input<string>;
  /** Resource group of the replica and of the failed-over VM, in the target region. */
  recoveryResourceGroupId: pulumi.Input<string>;
  /** Cache storage account in the source region. */
  cacheStorageAccountId: pulumi.Input<string>;
  recoveryAvailabilitySetId?: pulumi.Input<string>;
  recoveryZone?: pulumi.Input<"1" | "2" | "3">;
  recoveryNetworkId?: pulumi.Input<string>;
  recoverySubnetName?: pulumi.Input<string>;
  multiVmGroupName?: pulumi.Input<string>;
  targetDiskType?: pulumi.Input<string>;
  /** Wait until the initial replication is done. @default true */
  waitForProtection?: pulumi.Input<boolean>;
  /**
   * Take over the VM's existing replication in the vault instead of refusing to protect it again:
   * its recovery resource group, target region, target container, policy and consistency group
   * must be as the program says, as far as Site Recovery shows them (else the create fails, naming
   * each difference, and changes nothing); replication is never disabled or restarted. When the VM
   * is not replicated, replication is enabled. Changing this input later changes nothing. @default false
   */
  adopt?: pulumi.Input<boolean>;
}

/**
 * A VM replicated to another region (`pulumi-nodejs:dynamic/azure-dr:ProtectedVm`). A refresh shows
 * where it stands (`phase`, `activeLocation`): a VM failed over outside Pulumi shows up as drift. A
 * change of source VM or recovery settings replaces it (disable, then enable), refused while the VM
 * is failed over; delete disables replication.
 */
export class ProtectedVm extends pulumi.dynamic.Resource {
  declare readonly protectedVmId: pulumi.Output<string>;
  declare readonly lifecycleId: pulumi.Output<string>;
  declare readonly phase: pulumi.Output<string>;
  declare readonly protectionState: pulumi.Output<string>;
  declare readonly activeLocation: pulumi.Output<string>;
  declare readonly replicationHealth: pulumi.Output<string>;
  declare readonly sourceRegion: pulumi.Output<string>;
  declare readonly targetRegion: pulumi.Output<string>;
  declare readonly recoveryVmName: pulumi.Output<string | null>;

  /**
   * The existing protected VM (replicated item) with this ARM id, read (and refreshed) but not managed by the stack: Pulumi
   * never changes or deletes it. To manage an existing protected VM (replicated item), declare it with `adopt: true` instead.
   * @throws nothing here; the read fails (as `pulumi up` reports it) when no protected VM (replicated item) has this id or
   *   the id is not a replicated item's (ValidationError naming `id`).
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ProtectedVm {
    return new ProtectedVm(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: ProtectedVmArgs, opts?: pulumi.CustomResourceOptions);
  /** Reads the existing protected VM (replicated item) with the id in `opts.id` (what {@link ProtectedVm.get} does). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: ProtectedVmArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const unset = Object.fromEntries(PROTECTED_VM_OUTPUTS.map((key) => [key, undefined]));
    super(providerFor("ProtectedVm"), name, { ...args, ...unset }, opts, TYPE_MODULE, "ProtectedVm");
  }
}
