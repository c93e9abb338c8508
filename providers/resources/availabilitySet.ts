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

  /**
   * The existing availability set with this ARM id, read (and refreshed) but not managed by the stack: Pulumi
   * never changes or deletes it.
   * @throws nothing here; the read fails (as `pulumi up` reports it) when no availability set has this id or
   *   the id is not an availability set's (ValidationError naming `id`).
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): AvailabilitySet {
    return new AvailabilitySet(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: AvailabilitySetArgs, opts?: pulumi.CustomResourceOptions);
  /** Reads the existing availability set with the id in `opts.id` (what {@link AvailabilitySet.get} does). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: AvailabilitySetArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("AvailabilitySet"),
      name,
      args === undefined
        ? {
            resourceGroup: undefined,
            name: undefined,
            location: undefined,
            faultDomainCount: undefined,
            updateDomainCount: undefined,
            availabilitySetId: undefined,
            virtualMachineIds: undefined,
          }
        : { ...args, name: args.name ?? physicalName(name, 80), availabilitySetId: undefined, virtualMachineIds: undefined },
      opts,
      TYPE_MODULE,
      "AvailabilitySet",
    );
  }
}
