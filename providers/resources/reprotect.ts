import * as pulumi from "@pulumi/pulumi";
import { providerFor, TYPE_MODULE } from "../providerFor.js";
import type { VaultRefInput } from "./replicationPolicy.js";

/** Arguments of a {@link Reprotect}. */
export interface ReprotectArgs {
  vault: pulumi.Input<VaultRefInput>;
  /** The protected VM (a ProtectedVm's `protectedVmId`), failed over and committed. */
  protectedVmId: pulumi.Input<string>;
  /** Its lifecycle id (a ProtectedVm's `lifecycleId`), to follow it once reprotect moved it. */
  lifecycleId?: pulumi.Input<string>;
  /** Resource group of the replica in the region replicated to. @default the original VM's */
  recoveryResourceGroupId?: pulumi.Input<string>;
  /** Cache storage account in the region the VM runs in now. @default created */
  cacheStorageAccountId?: pulumi.Input<string>;
  /** Availability set in the region replicated to. @default the original VM's, when it still exists */
  recoveryAvailabilitySetId?: pulumi.Input<string>;
  /** Replica and target disk type. @default each disk's own */
  targetDiskType?: pulumi.Input<string>;
  /** Wait until it is protected in the reverse direction. @default true */
  waitForProtection?: pulumi.Input<boolean>;
}

/**
 * An action (`pulumi-nodejs:dynamic/azure-dr:Reprotect`): creating it reprotects a protected VM
 * after a committed failover with the target settings given, so it replicates back and can fail
 * back. Outputs: `direction`, `state`, `jobId`, the item's new id. Changing the settings reprotects
 * again only once the VM waits for reprotect again (after another failover); deleting it forgets it.
 */
export class Reprotect extends pulumi.dynamic.Resource {
  declare readonly reprotectedVmId: pulumi.Output<string>;
  declare readonly direction: pulumi.Output<"PrimaryToRecovery" | "RecoveryToPrimary">;
  declare readonly state: pulumi.Output<string>;
  declare readonly jobId: pulumi.Output<string | null>;

  constructor(name: string, args: ReprotectArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("Reprotect"),
      name,
      { ...args, reprotectedVmId: undefined, direction: undefined, state: undefined, jobId: undefined },
      opts,
      TYPE_MODULE,
      "Reprotect",
    );
  }
}
