import * as pulumi from "@pulumi/pulumi";
import { providerFor, TYPE_MODULE } from "../providerFor.js";
import type { ReplicationInfrastructure as SdkReplicationInfrastructure } from "../../sdk/index.js";
import type { VaultRefInput } from "./replicationPolicy.js";

/** Arguments of a {@link ReplicationInfrastructure}. */
export interface ReplicationInfrastructureArgs {
  vault: pulumi.Input<VaultRefInput>;
  sourceRegion: pulumi.Input<string>;
  targetRegion: pulumi.Input<string>;
  /** The replication policy's name (a ReplicationPolicy's `name`). */
  policyName: pulumi.Input<string>;
  /** Map the source network to the target network (both ways), so failed-over VMs join it. */
  network?: pulumi.Input<{ sourceNetworkId: pulumi.Input<string>; targetNetworkId: pulumi.Input<string> }>;
}

/** What a {@link ReplicationInfrastructure} made or found, as a ProtectedVm takes it. */
export type ReplicationInfrastructureOutputs = Omit<SdkReplicationInfrastructure, "created">;

/**
 * The vault-side replication infrastructure of a region pair
 * (`pulumi-nodejs:dynamic/azure-dr:ReplicationInfrastructure`): a fabric and a container per region,
 * container mappings both ways under the policy, network mappings both ways. Existing pieces are
 * reused; any change replaces it; delete leaves the pieces in the vault (they are shared).
 */
export class ReplicationInfrastructure extends pulumi.dynamic.Resource {
  declare readonly sourceFabricId: pulumi.Output<string>;
  declare readonly targetFabricId: pulumi.Output<string>;
  declare readonly sourceContainerId: pulumi.Output<string>;
  declare readonly targetContainerId: pulumi.Output<string>;
  declare readonly forwardMappingId: pulumi.Output<string>;
  declare readonly reverseMappingId: pulumi.Output<string>;
  declare readonly policyId: pulumi.Output<string>;
  declare readonly networkMappingIds: pulumi.Output<string[]>;
  declare readonly sourceRegion: pulumi.Output<string>;
  declare readonly targetRegion: pulumi.Output<string>;

  constructor(name: string, args: ReplicationInfrastructureArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = [
      "sourceFabricId",
      "targetFabricId",
      "sourceContainerId",
      "targetContainerId",
      "forwardMappingId",
      "reverseMappingId",
      "policyId",
      "networkMappingIds",
    ];
    super(
      providerFor("ReplicationInfrastructure"),
      name,
      { ...args, ...Object.fromEntries(outputs.map((k) => [k, undefined])) },
      opts,
      TYPE_MODULE,
      "ReplicationInfrastructure",
    );
  }

  /** The outputs a ProtectedVm needs, as one input. */
  get infrastructure(): pulumi.Output<ReplicationInfrastructureOutputs> {
    return pulumi.output({
      sourceRegion: this.sourceRegion,
      targetRegion: this.targetRegion,
      sourceFabricId: this.sourceFabricId,
      targetFabricId: this.targetFabricId,
      sourceContainerId: this.sourceContainerId,
      targetContainerId: this.targetContainerId,
      forwardMappingId: this.forwardMappingId,
      reverseMappingId: this.reverseMappingId,
      policyId: this.policyId,
      networkMappingIds: this.networkMappingIds,
    });
  }
}
