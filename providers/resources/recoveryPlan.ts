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
}

/** A recovery plan (`pulumi-nodejs:dynamic/azure-dr:RecoveryPlan`): its groups change in place; fabrics or name replace it. */
export class RecoveryPlan extends pulumi.dynamic.Resource {
  declare readonly planId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly allowedOperations: pulumi.Output<string[]>;
  declare readonly currentScenario: pulumi.Output<{ name: string; status: string; jobName: string } | null>;

  constructor(name: string, args: RecoveryPlanArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("RecoveryPlan"),
      name,
      { ...args, name: args.name ?? physicalName(name, 40), planId: undefined, allowedOperations: undefined, currentScenario: undefined },
      opts,
      TYPE_MODULE,
      "RecoveryPlan",
    );
  }
}
