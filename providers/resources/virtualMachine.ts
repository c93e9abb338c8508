import * as pulumi from "@pulumi/pulumi";
import type { VirtualMachineInput } from "../../sdk/index.js";
import { providerFor, TYPE_MODULE } from "../providerFor.js";

/** Arguments of a {@link VirtualMachine}: the SDK's VM input, as Pulumi inputs. */
export type VirtualMachineArgs = { resourceGroup: pulumi.Input<string>; name: pulumi.Input<string> } & {
  [K in keyof VirtualMachineInput]: pulumi.Input<VirtualMachineInput[K]>;
};

/** The inputs that are credentials: always secret, whether or not the program made them so. */
const SECRET_INPUTS = ["adminPassword"] as const;

/**
 * A VM (`pulumi-nodejs:dynamic/azure-dr:VirtualMachine`), for stacks whose VMs are not declared
 * with another provider, and for the offline example. Any change replaces it (but for the admin
 * password, which Azure only takes at creation). The admin password is forced secret: wrapped as
 * a secret input (so state keeps it encrypted) and listed in `additionalSecretOutputs`; the
 * provider never returns it among the outputs.
 */
export class VirtualMachine extends pulumi.dynamic.Resource {
  declare readonly virtualMachineId: pulumi.Output<string>;
  declare readonly vmId: pulumi.Output<string | null>;

  /**
   * The existing VM with this ARM id, read (and refreshed) but not managed by the stack: Pulumi
   * never changes or deletes it.
   * @throws nothing here; the read fails (as `pulumi up` reports it) when no VM has this id or
   *   the id is not a VM's (ValidationError naming `id`).
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): VirtualMachine {
    return new VirtualMachine(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: VirtualMachineArgs, opts?: pulumi.CustomResourceOptions);
  /** Reads the existing VM with the id in `opts.id` (what {@link VirtualMachine.get} does). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: VirtualMachineArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const secrets = Object.fromEntries(SECRET_INPUTS.filter((key) => args?.[key] !== undefined).map((key) => [key, pulumi.secret(args?.[key])]));
    super(
      providerFor("VirtualMachine"),
      name,
      args === undefined
        ? { virtualMachineId: undefined, vmId: undefined, provisioningState: undefined }
        : { ...args, ...secrets, virtualMachineId: undefined, vmId: undefined, provisioningState: undefined },
      { ...opts, additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), ...SECRET_INPUTS])] },
      TYPE_MODULE,
      "VirtualMachine",
    );
  }
}
