import * as pulumi from "@pulumi/pulumi";
import { physicalName, providerFor, TYPE_MODULE } from "../providerFor.js";

/** Arguments of a {@link Vault}. */
export interface VaultArgs {
  resourceGroup: pulumi.Input<string>;
  /** @default the logical name with a stable suffix */
  name?: pulumi.Input<string>;
  /** For Azure-to-Azure, usually the recovery (target) region. */
  location: pulumi.Input<string>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A Recovery Services vault (`pulumi-nodejs:dynamic/azure-dr:Vault`). */
export class Vault extends pulumi.dynamic.Resource {
  declare readonly vaultId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly resourceGroup: pulumi.Output<string>;

  constructor(name: string, args: VaultArgs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("Vault"), name, { ...args, name: args.name ?? physicalName(name, 40), vaultId: undefined }, opts, TYPE_MODULE, "Vault");
  }

  /** The vault as the other resources take it. */
  get ref(): pulumi.Output<{ resourceGroup: string; name: string }> {
    return pulumi.output({ resourceGroup: this.resourceGroup, name: this.name });
  }
}
