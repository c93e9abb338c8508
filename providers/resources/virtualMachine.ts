import * as pulumi from "@pulumi/pulumi";
import type { VirtualMachineInput } from "../../sdk/index.js";
import { providerFor, TYPE_MODULE } from "../providerFor.js";

/** Arguments of a {@link VirtualMachine}: the SDK's VM input, as Pulumi inputs. */
export type VirtualMachineArgs = { resourceGroup: pulumi.Input<string>; name: pulumi.Input<string> } & {
  [K in keyof VirtualMachineInput]: pulumi.Input<VirtualMachineInput[K]>;
};

/**
 * A VM (`pulumi-nodejs:dynamic/azure-dr:VirtualMachine`), for stacks whose VMs are not declared
 * with another provider, and for the offline example. Any change replaces it.
 */
export class VirtualMachine extends pulumi.dynamic.Resource {
  declare readonly virtualMachineId: pulumi.Output<string>;
  declare readonly vmId: pulumi.Output<string | null>;

  constructor(name: string, args: VirtualMachineArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("VirtualMachine"),
      name,
      { ...args, virtualMachineId: undefined, vmId: undefined, provisioningState: undefined },
      opts,
      TYPE_MODULE,
      "VirtualMachine",
    );
  }
}
