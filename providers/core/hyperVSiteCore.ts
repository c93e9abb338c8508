import { z } from "zod";
import { SiteRecoveryGateway } from "../../sdk/azure/siteRecoveryGateway.js";
import {
  ResourceNotFoundError,
  hyperVSiteNames,
  isResourceNotFoundError,
  prepareHyperVSiteSchema,
  vaultRefSchema,
  type DrClient,
  type HyperVSite,
  type VaultRef,
} from "../../sdk/index.js";
import { refuseExisting } from "./availabilitySetCore.js";
import { changedKeys, checkProps } from "./checkProps.js";
import type { Props, ResourceCore } from "./types.js";

const identity = z.strictObject({ vault: vaultRefSchema });
/** Every input names a piece of the site: a change replaces it. */
const INPUTS = ["vault", "siteName", "containerName", "policyName"];
/** The outputs a HyperVProtectedVm takes as its `site`. */
const OUTPUTS = ["siteId", "containerId", "mappingId", "policyId"];

/** The Azure stand-in a Hyper-V container is mapped to. */
const MICROSOFT_AZURE = "Microsoft Azure";

function vaultOf(props: Props): VaultRef {
  return props.vault as unknown as VaultRef;
}

function containerNameOf(props: Props): string {
  return typeof props.containerName === "string" ? props.containerName : hyperVSiteNames.container(String(props.siteName));
}

/** The policy's name, from its ARM id. */
function policyNameOf(policyId: string): string {
  return policyId.slice(policyId.lastIndexOf("/") + 1);
}

/** What exists of a site: its id, its container's id and the container's mappings to Azure (undefined when the site is gone). */
interface SitePieces {
  siteId: string;
  containerId: string | undefined;
  mappings: { id: string; policyId: string }[];
}

/**
 * Reads what exists of a site without creating anything (`dr.hyperV` has no such read: the SDK's
 * gateway pieces stand in for it).
 */
async function findSite(dr: DrClient, vault: VaultRef, siteName: string, containerName: string): Promise<SitePieces | undefined> {
  const gateway = new SiteRecoveryGateway(dr.backend);
  const fabric = (await gateway.listFabrics(vault).catch(notFoundAs([]))).find((f) => f.name.toLowerCase() === siteName.toLowerCase());
  if (fabric === undefined) return undefined;
  const containerId = await gateway.findContainer(vault, fabric.name, containerName);
  const mappings =
    containerId === undefined ? [] : (await gateway.listMappings(vault, fabric.name, containerName)).filter((m) => m.targetContainerId === MICROSOFT_AZURE);
  return { siteId: fabric.id, containerId, mappings: mappings.map((m) => ({ id: m.id, policyId: m.policyId })) };
}

function notFoundAs<T>(value: T): (error: unknown) => T {
  return (error) => {
    if (isResourceNotFoundError(error)) return value;
    throw error;
  };
}

function outputsOf(site: Pick<HyperVSite, "siteId" | "containerId" | "mappingId" | "policyId">): Props {
  return { siteId: site.siteId, containerId: site.containerId, mappingId: site.mappingId, policyId: site.policyId };
}

function inputsOf(outs: Props): Props {
  return Object.fromEntries(INPUTS.filter((key) => outs[key] !== undefined).map((key) => [key, outs[key] as Props[string]]));
}

/**
 * A Hyper-V site prepared for replication to Azure: the site (a fabric), its protection container
 * and the container's mapping to Azure under a HyperVReplicaAzure policy. Create refuses a site
 * that already exists and prepares it (on failure, removes what it made); read shows what exists (a
 * missing mapping, or one under another policy, shows in `policyName`); any change replaces it
 * (deleted first unless the vault or the site's name changes); delete (`dr.hyperV.removeSite`)
 * removes the container's mappings, the container, unregisters the site's hosts (their VMs are no
 * longer protectable) and removes the site, refused while protected VMs use it.
 *
 * Errors: `create` throws Error (`already exists`) for an existing site, ValidationError
 * (`ValidationFailed`: `policyName` when the policy is not a HyperVReplicaAzure one),
 * ResourceNotFoundError (`ResourceNotFound`: the vault or the policy), OperationFailedError.
 * `delete` throws InvalidStateError (`InvalidState`) while protected VMs use the site,
 * ValidationError when Azure refuses a removal with a 400 (e.g. `FabricHasProtectionContainers`
 * when the site holds other containers) and OperationFailedError when a removal job fails.
 */
export const hyperVSiteCore: ResourceCore = {
  check: (olds, news) => checkProps(news, identity, prepareHyperVSiteSchema, olds),
  diff(_id, olds, news) {
    const replaces = changedKeys(olds, news, INPUTS);
    return {
      changes: replaces.length > 0,
      replaces,
      deleteBeforeReplace: replaces.length > 0 && !replaces.includes("vault") && !replaces.includes("siteName"),
    };
  },
  async create(dr, inputs) {
    const vault = vaultOf(inputs);
    const siteName = String(inputs.siteName);
    await refuseExisting(async () => {
      if ((await findSite(dr, vault, siteName, containerNameOf(inputs))) === undefined) throw new ResourceNotFoundError(`no site ${siteName}`);
    }, `Hyper-V site ${siteName} in vault ${vault.name}`);
    const { vault: _vault, ...input } = inputs;
    try {
      const site = await dr.hyperV.prepareSite(vault, prepareHyperVSiteSchema.parse(input));
      return { id: site.siteId, outs: { ...inputs, ...outputsOf(site) } };
    } catch (error) {
      // The site did not exist: whatever of it exists now was made by this create.
      await dr.hyperV.removeSite(vault, { siteName, containerName: containerNameOf(inputs) }).catch(() => undefined);
      throw error;
    }
  },
  async read(dr, _id, props) {
    const found = await findSite(dr, vaultOf(props), String(props.siteName), containerNameOf(props));
    if (found === undefined) return {};
    const mapping = found.mappings.find((m) => m.id.toLowerCase() === String(props.mappingId).toLowerCase()) ?? found.mappings[0];
    const outs: Props = {
      ...props,
      // A mapping removed (or made under another policy) outside Pulumi shows as a change of policy: the next up replaces the site.
      policyName: mapping === undefined ? null : policyNameOf(mapping.policyId),
      siteId: found.siteId,
      containerId: found.containerId ?? null,
      mappingId: mapping?.id ?? null,
      policyId: mapping?.policyId ?? null,
    };
    return { id: found.siteId, props: outs, inputs: inputsOf(outs) };
  },
  // Every change replaces: update only keeps the outputs.
  update: async (_dr, _id, olds, news) => ({ outs: { ...news, ...Object.fromEntries(OUTPUTS.map((key) => [key, olds[key] ?? null])) } }),
  async delete(dr, _id, props) {
    await dr.hyperV.removeSite(vaultOf(props), { siteName: String(props.siteName), containerName: containerNameOf(props) });
  },
};
