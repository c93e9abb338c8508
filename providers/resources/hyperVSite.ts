import * as pulumi from "@pulumi/pulumi";
import type { HyperVSite as SdkHyperVSite } from "../../sdk/index.js";
import { providerFor, TYPE_MODULE } from "../providerFor.js";
import type { VaultRefInput } from "./replicationPolicy.js";

/** Arguments of a {@link HyperVSite}. */
export interface HyperVSiteArgs {
  vault: pulumi.Input<VaultRefInput>;
  /** The site (a fabric of the vault) where the Site Recovery provider of each Hyper-V host registers. */
  siteName: pulumi.Input<string>;
  /** A HyperVReplicaAzure policy of the vault (a ReplicationPolicy's `name`, `kind: "HyperVReplicaAzure"`). */
  policyName: pulumi.Input<string>;
  /** The site's protection container. @default `<siteName>-container` */
  containerName?: pulumi.Input<string>;
}

/** What a {@link HyperVSite} made, as a HyperVProtectedVm takes it. */
export type HyperVSiteOutputs = Omit<SdkHyperVSite, "created">;

/**
 * A Hyper-V site prepared for replication to Azure (`pulumi-nodejs:dynamic/azure-dr:HyperVSite`):
 * the site, its protection container and the container's mapping to Azure under a
 * HyperVReplicaAzure policy. Create refuses a site that already exists; any change (vault, site,
 * container, policy) replaces it; delete removes the mapping, the container and the site, and is
 * refused while protected VMs use it. The hosts register with the site outside Pulumi (the Site
 * Recovery provider installed on each host).
 *
 * Errors `pulumi up` reports: check failures naming the property; `already exists`;
 * `ValidationFailed` (`policyName`: not a HyperVReplicaAzure policy); `ResourceNotFound` (vault or
 * policy); `InvalidState` on delete while protected VMs use the site; `OperationFailed`.
 */
export class HyperVSite extends pulumi.dynamic.Resource {
  declare readonly siteId: pulumi.Output<string>;
  declare readonly siteName: pulumi.Output<string>;
  declare readonly containerId: pulumi.Output<string>;
  declare readonly mappingId: pulumi.Output<string>;
  declare readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: HyperVSiteArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = ["siteId", "containerId", "mappingId", "policyId"];
    super(providerFor("HyperVSite"), name, { ...args, ...Object.fromEntries(outputs.map((k) => [k, undefined])) }, opts, TYPE_MODULE, "HyperVSite");
  }

  /** The outputs a HyperVProtectedVm needs, as one input. */
  get site(): pulumi.Output<HyperVSiteOutputs> {
    return pulumi.output({ siteId: this.siteId, siteName: this.siteName, containerId: this.containerId, mappingId: this.mappingId, policyId: this.policyId });
  }
}
