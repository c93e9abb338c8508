import * as pulumi from "@pulumi/pulumi";
import { providerFor, TYPE_MODULE } from "../providerFor.js";
import type { HyperVSiteOutputs } from "./hyperVSite.js";

/** Arguments of a {@link HyperVProtectedVm}. */
export interface HyperVProtectedVmArgs {
  /** A HyperVSite's `site`. */
  site: pulumi.Input<HyperVSiteOutputs>;
  /** The VM's name on its Hyper-V host (its host must have registered with the site). */
  vmName: pulumi.Input<string>;
  /** Resource group (`/subscriptions/{id}/resourceGroups/{name}`) where the VM is created on failover. */
  targetResourceGroupId: pulumi.Input<string>;
  /** Name of the VM in Azure. @default the on-premises name */
  targetVmName?: pulumi.Input<string>;
  /** Azure VM size. @default chosen by Azure from the VM's CPU count */
  targetVmSize?: pulumi.Input<string>;
  /** Virtual network the failed-over VM joins. */
  targetNetworkId?: pulumi.Input<string>;
  /** Subnet of `targetNetworkId`. */
  targetSubnetName?: pulumi.Input<string>;
  targetAvailabilitySetId?: pulumi.Input<string>;
  targetZone?: pulumi.Input<"1" | "2" | "3">;
  /** Replicate to this storage account's page blobs instead of managed disks. */
  targetStorageAccountId?: pulumi.Input<string>;
  /** Where replicated changes land before they are applied; required with managed disks. */
  logStorageAccountId?: pulumi.Input<string>;
  /** Managed disk type of the replicas. @default "Standard_LRS" */
  diskType?: pulumi.Input<"Standard_LRS" | "StandardSSD_LRS" | "Premium_LRS">;
  /** Names of the disks to replicate (the OS disk among them). @default all */
  disks?: pulumi.Input<pulumi.Input<string>[]>;
  /** Wait until the initial replication is done. @default true */
  waitForProtection?: pulumi.Input<boolean>;
}

/**
 * An on-premises Hyper-V VM replicated to Azure (`pulumi-nodejs:dynamic/azure-dr:HyperVProtectedVm`).
 * A refresh shows where it stands (`phase`, `activeLocation`). `waitForProtection` changes in
 * place; any other change replaces it (replication disabled and enabled again: the disks are
 * copied again), refused unless the VM runs on-premises; delete disables replication (refused while
 * failed over) and leaves the on-premises VM. `targetVmName` and `targetVmSize` show what Azure
 * uses (chosen by Azure when not given).
 *
 * Errors `pulumi up` reports: check failures naming the property; `ValidationFailed` naming the
 * field (`vmName`: not on the site's hosts, `disks`); `InvalidState` for a VM already protected, and
 * for a replacement or delete while the VM is not on-premises; `OperationFailed`; `Timeout` (a
 * partial create: the item stays in state).
 */
export class HyperVProtectedVm extends pulumi.dynamic.Resource {
  declare readonly protectedVmId: pulumi.Output<string>;
  declare readonly phase: pulumi.Output<string>;
  declare readonly protectionState: pulumi.Output<string>;
  declare readonly activeLocation: pulumi.Output<string>;
  declare readonly replicationHealth: pulumi.Output<string>;
  declare readonly targetVmName: pulumi.Output<string>;
  declare readonly targetVmSize: pulumi.Output<string>;

  constructor(name: string, args: HyperVProtectedVmArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = ["protectedVmId", "phase", "protectionState", "activeLocation", "replicationHealth", "targetVmName", "targetVmSize"];
    super(
      providerFor("HyperVProtectedVm"),
      name,
      { ...Object.fromEntries(outputs.map((k) => [k, undefined])), ...args },
      opts,
      TYPE_MODULE,
      "HyperVProtectedVm",
    );
  }
}
