import * as pulumi from "@pulumi/pulumi";
import { physicalName, providerFor, TYPE_MODULE } from "../providerFor.js";

/** Arguments of an {@link AvailabilitySet}. */
export interface AvailabilitySetArgs {
  resourceGroup: pulumi.Input<string>;
  /** @default the logical name with a stable suffix */
  name?: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** 1 to the region's maximum (2 or 3). @default 2 */
  faultDomainCount?: pulumi.Input<number>;
  /** 1 to 20; cannot change once created (a change replaces the set). @default 5 */
  updateDomainCount?: pulumi.Input<number>;
  /** @default "Aligned" */
  sku?: pulumi.Input<"Aligned" | "Classic">;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * An availability set (`pulumi-nodejs:dynamic/azure-dr:AvailabilitySet`). Tags change in place;
 * any other change replaces it (Azure refuses to change domains, SKU or location of a set).
 */
export class AvailabilitySet extends pulumi.dynamic.Resource {
  declare readonly availabilitySetId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly resourceGroup: pulumi.Output<string>;
  declare readonly location: pulumi.Output<string>;
  declare readonly faultDomainCount: pulumi.Output<number>;
  declare readonly updateDomainCount: pulumi.Output<number>;
  declare readonly virtualMachineIds: pulumi.Output<string[]>;

  constructor(name: string, args: AvailabilitySetArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("AvailabilitySet"),
      name,
      { ...args, name: args.name ?? physicalName(name, 80), availabilitySetId: undefined, virtualMachineIds: undefined },
      opts,
      TYPE_MODULE,
      "AvailabilitySet",
    );
  }
}
