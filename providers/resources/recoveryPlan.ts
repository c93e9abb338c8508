import * as pulumi from "@pulumi/pulumi";
import type { RecoveryPlanInput } from "../../sdk/index.js";
import { physicalName, providerFor, TYPE_MODULE } from "../providerFor.js";
import type { VaultRefInput } from "./replicationPolicy.js";

type Action = RecoveryPlanInput["groups"][number] extends { before?: infer A } ? A : never;

/** Arguments of a {@link RecoveryPlan}. */
export interface RecoveryPlanArgs {
  vault: pulumi.Input<VaultRefInput>;
  /** @default the logical name with a stable suffix */
  name?: pulumi.Input<string>;
  /** The source fabric (a ReplicationInfrastructure's `sourceFabricId`). */
  primaryFabricId: pulumi.Input<string>;
  /** The target fabric (a ReplicationInfrastructure's `targetFabricId`). */
  recoveryFabricId: pulumi.Input<string>;
  /** Boot groups in order (1 to 7), each with its protected VMs and the actions before and after it. */
  groups: pulumi.Input<pulumi.Input<{ protectedVmIds: pulumi.Input<pulumi.Input<string>[]>; before?: pulumi.Input<Action>; after?: pulumi.Input<Action> }>[]>;
  shutdown?: pulumi.Input<{ before?: pulumi.Input<Action>; after?: pulumi.Input<Action> }>;
  failover?: pulumi.Input<{ before?: pulumi.Input<Action>; after?: pulumi.Input<Action> }>;
  /**
   * Take over the vault's existing plan of this name instead of refusing to create it: its primary
   * and recovery fabrics must be as the program says (else the create fails and changes nothing);
   * its groups are set as the program says. When none exists, it is created. Changing this input
   * later changes nothing. @default false
   */
  adopt?: pulumi.Input<boolean>;
}

/** A recovery plan (`pulumi-nodejs:dynamic/azure-dr:RecoveryPlan`): its groups change in place; fabrics or name replace it. */
export class RecoveryPlan extends pulumi.dynamic.Resource {
  declare readonly planId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly allowedOperations: pulumi.Output<string[]>;
  declare readonly currentScenario: pulumi.Output<{ name: string; status: string; jobName: string } | null>;

  /**
   * The existing recovery plan with this ARM id, read (and refreshed) but not managed by the stack: Pulumi
   * never changes or deletes it. To manage an existing recovery plan, declare it with `adopt: true` instead.
   * @throws nothing here; the read fails (as `pulumi up` reports it) when no recovery plan has this id or
   *   the id is not a recovery plan's (ValidationError naming `id`).
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): RecoveryPlan {
    return new RecoveryPlan(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: RecoveryPlanArgs, opts?: pulumi.CustomResourceOptions);
  /** Reads the existing recovery plan with the id in `opts.id` (what {@link RecoveryPlan.get} does). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: RecoveryPlanArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("RecoveryPlan"),
      name,
      args === undefined
        ? { vault: undefined, name: undefined, planId: undefined, allowedOperations: undefined, currentScenario: undefined }
        : { ...args, name: args.name ?? physicalName(name, 40), planId: undefined, allowedOperations: undefined, currentScenario: undefined },
      opts,
      TYPE_MODULE,
      "RecoveryPlan",
    );
  }
}
