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
  /**
   * Take over the existing one of this name instead of refusing to create it: what only a
   * replacement could change must be as the program says (else the create fails, naming each
   * difference, and changes nothing); what can change in place is set as the program says. When
   * none exists, it is created. Changing this input later changes nothing. @default false
   */
  adopt?: pulumi.Input<boolean>;
}

/** A Recovery Services vault (`pulumi-nodejs:dynamic/azure-dr:Vault`). */
export class Vault extends pulumi.dynamic.Resource {
  declare readonly vaultId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly resourceGroup: pulumi.Output<string>;

  /**
   * The existing vault with this ARM id, read (and refreshed) but not managed by the stack: Pulumi
   * never changes or deletes it. To manage an existing vault, declare it with `adopt: true` instead.
   * @throws nothing here; the read fails (as `pulumi up` reports it) when no vault has this id or
   *   the id is not a vault's (ValidationError naming `id`).
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Vault {
    return new Vault(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: VaultArgs, opts?: pulumi.CustomResourceOptions);
  /** Reads the existing vault with the id in `opts.id` (what {@link Vault.get} does). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: VaultArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("Vault"),
      name,
      args === undefined
        ? { resourceGroup: undefined, name: undefined, location: undefined, tags: undefined, vaultId: undefined }
        : { ...args, name: args.name ?? physicalName(name, 40), vaultId: undefined },
      opts,
      TYPE_MODULE,
      "Vault",
    );
  }

  /** The vault as the other resources take it. */
  get ref(): pulumi.Output<{ resourceGroup: string; name: string }> {
    return pulumi.output({ resourceGroup: this.resourceGroup, name: this.name });
  }
}
