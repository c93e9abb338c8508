import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ArmError } from "../arm/armError.js";
import { parseInput } from "../arm/parseInput.js";
import { param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import type { EmulatorResponse, JsonObject, JsonValue } from "../arm/types.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import { ASR_TYPES, guidOf, nameOf, vaultIdOf, vaultIdOfResource } from "./asrApi.js";
import type { AsrContext } from "./asrContext.js";
import { addAsrRoute, configurationTasks, findOfType, listUnder, requireOfType } from "./asrResources.js";
import type { Containers } from "./containers.js";
import type { Fabrics } from "./fabrics.js";
import { bytesWritten, type ChurnPeriod } from "./replicationModel.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GIB = 1024 * 1024 * 1024;
const MB = 1024 * 1024;
/** What the emulated Site Recovery provider on each host reports as its version. */
const PROVIDER_VERSION = "5.24.0805.1";

const vmInputSchema = z.strictObject({
  name: z.string().min(1).max(260),
  /** The VM's Hyper-V id (a GUID). @default derived from the site, the host and the name */
  id: z.string().regex(GUID).optional(),
  osType: z.enum(["Windows", "Linux"]).default("Windows"),
  /** The guest OS as Hyper-V reports it, e.g. "Windows Server 2022 Datacenter". */
  osName: z.string().min(1).max(200).optional(),
  generation: z.union([z.literal(1), z.literal(2)]).default(2),
  cpuCount: z.number().int().min(1).max(240).default(2),
  memoryMB: z
    .number()
    .int()
    .min(512)
    .max(12 * 1024 * 1024)
    .default(4096),
  /** The VM's virtual hard disks, the OS disk first. */
  disks: z
    .array(z.strictObject({ name: z.string().min(1).max(260), sizeGB: z.number().positive().max(65_536), id: z.string().regex(GUID).optional() }))
    .min(1)
    .max(64),
  /** How fast the VM writes to its disks, MB/s: its change log grows at this rate. @default 1 */
  churnMBps: z.number().min(0).max(10_000).default(1),
  /** Share of the disks its writes land on, in percent: how many blocks differ after a given amount of writes. @default 100 */
  hotSetPercent: z.number().gt(0).max(100).default(100),
});

/** Hosts and VMs of a Hyper-V site as the control surface registers them (what the provider on each host reports to Azure). */
export const hyperVHostsInputSchema = z.strictObject({
  /** ARM id of the site: a `HyperVSite` fabric of the vault. */
  fabricId: z.string().min(1).max(2000),
  hosts: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(255),
        /** The name of the host's Recovery Services provider (a GUID). @default derived from the site and the host */
        id: z.string().regex(GUID).optional(),
        /** The VMM cloud (a protection container of the site, by name) the host belongs to; absent: every container of the site. */
        cloud: z.string().min(1).max(260).optional(),
        vms: z.array(vmInputSchema).max(1000).default([]),
      }),
    )
    .min(1)
    .max(100),
  /** The VM networks the site (a VMM server) reports: replication networks of the fabric, which `VmmToAzure` network mappings map to virtual networks. */
  networks: z
    .array(z.strictObject({ friendlyName: z.string().min(1).max(260), name: z.string().regex(GUID).optional() }))
    .max(100)
    .optional(),
});

/** A VM network of a site, as the fabric keeps it. */
export interface SiteNetwork extends JsonObject {
  name: string;
  friendlyName: string;
}

/** A change of one VM's write rate, as the control surface takes it. */
export const hyperVChangeRateInputSchema = z.strictObject({
  /** The VM: its Hyper-V id, its protectable item's id, or the id of the replicated item protecting it. */
  target: z.string().min(1).max(2000),
  churnMBps: z.number().min(0).max(10_000),
  hotSetPercent: z.number().gt(0).max(100).optional(),
});

/** An on-premises Hyper-V VM as the emulator keeps it. */
export interface HyperVVm extends JsonObject {
  /** Its Hyper-V id (a GUID): also the name of its protectable item. */
  vmId: string;
  name: string;
  fabricId: string;
  /** The Recovery Services provider of its host. */
  providerId: string;
  hostName: string;
  cloud: string | null;
  osType: string;
  osName: string;
  generation: number;
  cpuCount: number;
  memoryMB: number;
  /** Its virtual hard disks, the OS disk first. */
  disks: { id: string; name: string; sizeBytes: number }[];
  /** Its write rate over time (oldest first). */
  churn: (ChurnPeriod & JsonObject)[];
  hotSetFraction: number;
  powerState: "Running" | "Off";
}

/** What the control surface answers about an on-premises VM. */
export interface HyperVVmView {
  /** The VM's Hyper-V id (the name of its protectable items). */
  id: string;
  name: string;
  fabricId: string;
  host: string;
  providerId: string;
  cloud: string | null;
  /** `Unknown` while its site is down (the host cannot be reached); its own state again when the site is back. */
  powerState: "Running" | "Off" | "Unknown";
  osType: string;
  generation: number;
  disks: { id: string; name: string; sizeGB: number }[];
  churnMBps: number;
  hotSetPercent: number;
}

/**
 * Hyper-V sites (DOMAIN.md §4-5, Hyper-V to Azure): the hosts of a `HyperVSite` fabric, each with
 * its Site Recovery provider (`replicationRecoveryServicesProviders`), and the VMs they run, which
 * the service discovers as protectable items of the site's protection containers. In Azure the
 * provider installed on each host registers them; here the control surface does
 * ({@link HyperVSites.registerHosts}). A host is unregistered
 * (`ReplicationRecoveryServicesProviders_Delete`, refused while its VMs are protected) or purged
 * (`_Purge`) as a job, its VMs going with it. The VMs themselves are on-premises: their power
 * state and write rate are the emulator's, seen through the control surface.
 */
export class HyperVSites {
  constructor(
    private readonly asr: AsrContext,
    private readonly fabrics: Fabrics,
    private readonly containers: Containers,
  ) {
    asr.jobs.register("asr.provider.remove", { complete: (op) => this.removeProvider(String(op.data.providerId)) });
  }

  register(router: Router): void {
    const providers = "/replicationFabrics/{fabricName}/replicationRecoveryServicesProviders";
    addAsrRoute(router, "GET", providers, "ReplicationRecoveryServicesProviders_ListByReplicationFabrics", (ctx) =>
      listUnder(this.asr.services, ctx, `${this.fabrics.require(ctx).id}/replicationRecoveryServicesProviders`, ASR_TYPES.recoveryServicesProvider, (p) =>
        this.providerView(p),
      ),
    );
    addAsrRoute(router, "GET", `${providers}/{providerName}`, "ReplicationRecoveryServicesProviders_Get", (ctx) => {
      const id = `${this.fabrics.require(ctx).id}/replicationRecoveryServicesProviders/${param(ctx, "providerName")}`;
      return jsonResponse(200, this.providerView(requireOfType(this.asr.services, id, ASR_TYPES.recoveryServicesProvider, ctx)));
    });
    addAsrRoute(router, "POST", `${providers}/{providerName}/remove`, "ReplicationRecoveryServicesProviders_Delete", (ctx) => this.unregister(ctx, false));
    addAsrRoute(router, "DELETE", `${providers}/{providerName}`, "ReplicationRecoveryServicesProviders_Purge", (ctx) => this.unregister(ctx, true));
    addAsrRoute(router, "GET", "/replicationRecoveryServicesProviders", "ReplicationRecoveryServicesProviders_List", (ctx) => {
      this.asr.vaults.requireVault(ctx);
      return jsonResponse(200, {
        value: this.asr.services.resources.list(vaultIdOf(ctx), ASR_TYPES.recoveryServicesProvider).map((p) => this.providerView(p)),
      });
    });
    const items = "/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}/replicationProtectableItems";
    addAsrRoute(router, "GET", items, "ReplicationProtectableItems_ListByReplicationProtectionContainers", (ctx) => {
      const container = this.containers.require(ctx);
      const protectedBy = this.protectingItems(container);
      return jsonResponse(200, { value: this.vmsOf(container).map((vm) => this.protectableView(container, vm, protectedBy)) });
    });
    addAsrRoute(router, "GET", `${items}/{protectableItemName}`, "ReplicationProtectableItems_Get", (ctx) => {
      const container = this.containers.require(ctx);
      const vm = this.vmsOf(container).find((v) => (v.internal as HyperVVm).vmId.toLowerCase() === param(ctx, "protectableItemName").toLowerCase());
      if (vm === undefined)
        throw new ArmError(
          404,
          "ResourceNotFound",
          `Protection container '${String(container.body.name)}' has no protectable item '${param(ctx, "protectableItemName")}'.`,
        );
      return jsonResponse(200, this.protectableView(container, vm, this.protectingItems(container)));
    });
  }

  /**
   * Unregisters a host (`ReplicationRecoveryServicesProviders_Delete`, POST `/remove`) or purges it
   * (`_Purge`, DELETE: force delete) as a job; 204 when it is not registered. Unregistering is
   * refused while VMs of the host are protected (400 `ProviderHasProtectedItems`); a purge is not.
   * When the job ends the provider and the VMs it discovered are gone (no longer protectable) and
   * the site's `customDetails.hyperVHosts` no longer lists it.
   */
  private unregister(ctx: RequestContext, purge: boolean): EmulatorResponse {
    const fabric = this.fabrics.require(ctx);
    const provider = this.provider(`${fabric.id}/replicationRecoveryServicesProviders/${param(ctx, "providerName")}`);
    if (provider === undefined) return emptyResponse(204);
    const hostName = String((provider.internal as JsonObject).hostName);
    if (!purge) {
      const protectedVms = this.protectedItemsOfProvider(provider).map((p) => (this.getVm(p.vmRecordId)?.internal as HyperVVm).name);
      if (protectedVms.length > 0)
        throw new ArmError(
          400,
          "ProviderHasProtectedItems",
          `Hyper-V host '${hostName}' cannot be unregistered while ${protectedVms.length} of its VMs are protected (${protectedVms.slice(0, 5).join(", ")}); disable their replication first, or purge the host.`,
        );
    }
    const job = this.asr.jobs.start(ctx, {
      kind: "asr.provider.remove",
      scenarioName: purge ? "PurgeRecoveryServicesProvider" : "RemoveRecoveryServicesProvider",
      friendlyName: purge ? "Purge Hyper-V host" : "Unregister Hyper-V host",
      targetObjectId: String(provider.body.name),
      targetObjectName: hostName,
      targetInstanceType: "RecoveryServicesProvider",
      tasks: configurationTasks(purge ? "Purge server" : "Unregister server"),
      data: { providerId: provider.id },
    });
    return this.asr.jobs.accepted(ctx, job);
  }

  /** Removes a provider and the VMs its host reported, and updates its site's hosts. */
  private removeProvider(providerId: string): void {
    const provider = this.provider(providerId);
    if (provider === undefined) return;
    const fabricId = providerId.slice(0, providerId.toLowerCase().indexOf("/replicationrecoveryservicesproviders/"));
    for (const vm of this.vmsOfFabric(fabricId))
      if ((vm.internal as HyperVVm).providerId.toLowerCase() === providerId.toLowerCase()) this.asr.services.resources.delete(vm.id);
    this.asr.services.resources.delete(provider.id);
    const fabric = findOfType(this.asr.services, fabricId, ASR_TYPES.fabric);
    if (fabric !== undefined) this.refreshSiteDetails(fabric);
  }

  // ------------------------------------------------------------------------------ control surface

  /**
   * Registers hosts of a Hyper-V site and the VMs they run (what the provider on each host does),
   * and the VM networks the site reports: a host registered again keeps its provider, its VMs are
   * added or updated by name (keeping their ids). 400 InvalidHyperVHosts for bad input or a fabric that is not a Hyper-V site, 404 when the fabric does not exist.
   */
  registerHosts(input: unknown): { fabricId: string; hosts: { name: string; providerId: string; vms: HyperVVmView[] }[] } {
    const data = parseInput(hyperVHostsInputSchema, input, "InvalidHyperVHosts", "Hyper-V hosts");
    const fabric = this.requireSite(data.fabricId, "InvalidHyperVHosts");
    const now = this.asr.services.now();
    for (const network of data.networks ?? []) {
      const networks = ((fabric.internal as { networks?: SiteNetwork[] }).networks ??= []);
      const known = networks.find((n) => n.friendlyName.toLowerCase() === network.friendlyName.toLowerCase());
      const name = network.name ?? known?.name ?? guidOf(fabric.id.toLowerCase(), "network", network.friendlyName.toLowerCase());
      if (known === undefined) networks.push({ name, friendlyName: network.friendlyName });
      else known.name = name;
    }
    const hosts = data.hosts.map((host) => {
      const provider = this.upsertProvider(fabric, host.name, host.cloud ?? null, host.id);
      const vms = host.vms.map((vm) => {
        const existing = this.vmsOfFabric(fabric.id).find((v) => {
          const internal = v.internal as HyperVVm;
          return internal.hostName.toLowerCase() === host.name.toLowerCase() && internal.name.toLowerCase() === vm.name.toLowerCase();
        });
        const vmId =
          vm.id ?? (existing?.internal as HyperVVm | undefined)?.vmId ?? guidOf(fabric.id.toLowerCase(), host.name.toLowerCase(), vm.name.toLowerCase());
        const previous = existing?.internal as HyperVVm | undefined;
        const churn = previous?.churn ?? [];
        if (churn.at(-1)?.bytesPerSecond !== vm.churnMBps * MB) churn.push({ from: now, bytesPerSecond: vm.churnMBps * MB });
        const internal: HyperVVm = {
          vmId,
          name: vm.name,
          fabricId: fabric.id,
          providerId: provider.id,
          hostName: host.name,
          cloud: host.cloud ?? null,
          osType: vm.osType,
          osName: vm.osName ?? (vm.osType === "Windows" ? "Windows Server 2022 Datacenter" : "Ubuntu 22.04 LTS"),
          generation: vm.generation,
          cpuCount: vm.cpuCount,
          memoryMB: vm.memoryMB,
          disks: vm.disks.map((d, index) => ({ id: d.id ?? guidOf(vmId, "disk", index), name: d.name, sizeBytes: Math.round(d.sizeGB * GIB) })),
          churn,
          hotSetFraction: vm.hotSetPercent / 100,
          powerState: previous?.powerState ?? "Running",
        };
        if (existing !== undefined) this.asr.services.resources.delete(existing.id);
        const id = `${fabric.id}/hyperVVirtualMachines/${vmId}`;
        this.asr.services.resources.put(
          ResourceStore.record(id, ASR_TYPES.hyperVVirtualMachine, { id, name: vmId, type: ASR_TYPES.hyperVVirtualMachine }, internal),
        );
        return HyperVSites.vmView(internal);
      });
      return { name: host.name, providerId: provider.id, vms };
    });
    this.refreshSiteDetails(fabric);
    return { fabricId: fabric.id, hosts };
  }

  /** Changes a VM's write rate from now on (`target`: its Hyper-V id or protectable item id; the caller resolves replicated items). */
  setChangeRate(vm: StoredResource, input: unknown): HyperVVmView {
    const data = parseInput(hyperVChangeRateInputSchema, input, "InvalidChangeRate", "Change rate");
    const internal = vm.internal as HyperVVm;
    internal.churn.push({ from: this.asr.services.now(), bytesPerSecond: data.churnMBps * MB });
    if (data.hotSetPercent !== undefined) internal.hotSetFraction = data.hotSetPercent / 100;
    return HyperVSites.vmView(internal);
  }

  /** The VM a target names: its Hyper-V id, the id of one of its protectable items, or its record's id. */
  findVm(target: string): StoredResource | undefined {
    const direct = findOfType(this.asr.services, target, ASR_TYPES.hyperVVirtualMachine);
    if (direct !== undefined) return direct;
    const guid = nameOf(target).toLowerCase();
    const vault = vaultIdOfResource(target);
    return this.asr.services.resources
      .list(vault ?? "", ASR_TYPES.hyperVVirtualMachine)
      .find(
        (vm) =>
          (vm.internal as HyperVVm).vmId.toLowerCase() === guid &&
          (vault === undefined || target.toLowerCase().startsWith((vm.internal as HyperVVm).fabricId.toLowerCase())),
      );
  }

  /** The on-premises VMs, of one site when `fabricId` is given. */
  list(fabricId?: string): HyperVVmView[] {
    const vms = fabricId === undefined ? this.asr.services.resources.ofType(ASR_TYPES.hyperVVirtualMachine) : this.vmsOfFabric(fabricId);
    return vms.map((vm) => {
      const view = HyperVSites.vmView(vm.internal as HyperVVm);
      return this.asr.services.isHyperVSiteDown(view.fabricId) ? { ...view, powerState: "Unknown" } : view;
    });
  }

  /**
   * The Hyper-V site (fabric) with this id, for the control surface: 404 FabricNotFound when there
   * is none, 400 `code` when the fabric is not a Hyper-V site.
   */
  requireSite(fabricId: string, code: string): StoredResource {
    const fabric = findOfType(this.asr.services, fabricId, ASR_TYPES.fabric);
    if (fabric === undefined) throw new ArmError(404, "FabricNotFound", `Fabric '${fabricId}' does not exist.`, "fabricId");
    const details = (fabric.body.properties as JsonObject).customDetails as JsonObject;
    if (details.instanceType !== "HyperVSite")
      throw new ArmError(400, code, `Fabric '${String(fabric.body.name)}' is not a Hyper-V site (it is '${String(details.instanceType)}').`, "fabricId");
    return fabric;
  }

  /** The open outage of a site (by its fabric id), if it is down now. */
  outageOf(fabricId: string): { from: number } | undefined {
    return this.asr.services.hyperVSiteOutages(fabricId).find((o) => o.to === null);
  }

  /** Deletes a VM on-premises (as its administrator would): it is no longer discovered, and failback cannot use it. */
  removeVm(vm: StoredResource): void {
    this.asr.services.resources.delete(vm.id);
  }

  // ------------------------------------------------------------------------------ what replication uses

  /** The VM record with this id, if it still exists. */
  getVm(id: string): StoredResource | undefined {
    return findOfType(this.asr.services, id, ASR_TYPES.hyperVVirtualMachine);
  }

  /** The VM behind a protectable item id of `container`, if it is discovered there. */
  vmOfProtectableItem(container: StoredResource, protectableItemId: string): StoredResource | undefined {
    const prefix = `${container.id}/replicationProtectableItems/`.toLowerCase();
    if (!protectableItemId.toLowerCase().startsWith(prefix)) return undefined;
    const guid = protectableItemId.slice(prefix.length).toLowerCase();
    return this.vmsOf(container).find((vm) => (vm.internal as HyperVVm).vmId.toLowerCase() === guid);
  }

  /** Bytes the VM wrote between two times. */
  written(vm: HyperVVm, from: number, to: number): number {
    return bytesWritten(vm.churn, from, to);
  }

  setPowerState(vmRecordId: string, state: HyperVVm["powerState"]): void {
    const vm = this.getVm(vmRecordId);
    if (vm !== undefined) (vm.internal as HyperVVm).powerState = state;
  }

  /** A provider (host) of a Hyper-V site, by its ARM id. */
  provider(id: string): StoredResource | undefined {
    return findOfType(this.asr.services, id, ASR_TYPES.recoveryServicesProvider);
  }

  /**
   * Creates a VM on a host from what was replicated (failback with `CreateVmIfNotFound`, or to
   * another host): a new Hyper-V id, the disks and settings of `from`, powered off.
   */
  createVm(from: HyperVVm, providerId: string, at: number): StoredResource {
    const provider = this.provider(providerId) as StoredResource;
    const fabricId = providerId.slice(0, providerId.toLowerCase().indexOf("/replicationrecoveryservicesproviders/"));
    const vmId = randomUUID();
    const internal: HyperVVm = {
      ...JSON.parse(JSON.stringify(from)),
      vmId,
      fabricId,
      providerId,
      hostName: String((provider.internal as JsonObject).hostName),
      cloud: ((provider.internal as JsonObject).cloud ?? null) as string | null,
      disks: from.disks.map((d, index) => ({ ...d, id: guidOf(vmId, "disk", index) })),
      churn: [{ from: at, bytesPerSecond: from.churn.at(-1)?.bytesPerSecond ?? 0 }],
      powerState: "Off",
    };
    const id = `${fabricId}/hyperVVirtualMachines/${vmId}`;
    const record = ResourceStore.record(id, ASR_TYPES.hyperVVirtualMachine, { id, name: vmId, type: ASR_TYPES.hyperVVirtualMachine }, internal);
    this.asr.services.resources.put(record);
    return record;
  }

  /** The id of the VM's protectable item in `containerId`. */
  static protectableItemId(containerId: string, vm: HyperVVm): string {
    return `${containerId}/replicationProtectableItems/${vm.vmId}`;
  }

  /** Whether a host's VMs show in a container: the host's cloud is the container, or it names none. */
  static inContainer(vm: HyperVVm, container: StoredResource): boolean {
    return vm.cloud === null || vm.cloud.toLowerCase() === String(container.body.name).toLowerCase();
  }

  // ------------------------------------------------------------------------------ views

  private vmsOfFabric(fabricId: string): StoredResource[] {
    return this.asr.services.resources.list(fabricId, ASR_TYPES.hyperVVirtualMachine);
  }

  private vmsOf(container: StoredResource): StoredResource[] {
    const fabricId = container.id.slice(0, container.id.toLowerCase().indexOf("/replicationprotectioncontainers/"));
    return this.vmsOfFabric(fabricId).filter((vm) => HyperVSites.inContainer(vm.internal as HyperVVm, container));
  }

  private upsertProvider(fabric: StoredResource, hostName: string, cloud: string | null, providerName: string | undefined): StoredResource {
    const existing = this.asr.services.resources
      .list(fabric.id, ASR_TYPES.recoveryServicesProvider)
      .find((p) => String((p.internal as JsonObject).hostName).toLowerCase() === hostName.toLowerCase());
    if (existing !== undefined) {
      (existing.internal as JsonObject).cloud = cloud;
      return existing;
    }
    const name = providerName ?? guidOf(fabric.id.toLowerCase(), "provider", hostName.toLowerCase());
    const id = `${fabric.id}/replicationRecoveryServicesProviders/${name}`;
    const body: JsonObject = {
      id,
      name,
      type: ASR_TYPES.recoveryServicesProvider,
      properties: {
        fabricType: "HyperVSite",
        friendlyName: hostName,
        providerVersion: PROVIDER_VERSION,
        serverVersion: "10.0.20348",
        providerVersionState: "Latest",
        fabricFriendlyName: String((fabric.body.properties as JsonObject).friendlyName),
        connectionStatus: "Connected",
        allowedScenarios: [],
        healthErrorDetails: [],
        draIdentifier: guidOf(id, "dra"),
        machineId: guidOf(id, "machine"),
        machineName: hostName,
        biosId: guidOf(id, "bios"),
      },
    };
    const record = ResourceStore.record(id, ASR_TYPES.recoveryServicesProvider, body, { hostName, cloud, registeredAt: this.asr.services.now() });
    this.asr.services.resources.put(record);
    return record;
  }

  /** Keeps the site's `customDetails.hyperVHosts` in step with its registered hosts. */
  private refreshSiteDetails(fabric: StoredResource): void {
    const hosts = this.asr.services.resources.list(fabric.id, ASR_TYPES.recoveryServicesProvider).map((p) => ({
      id: p.id,
      name: String((p.internal as JsonObject).hostName),
      marsAgentVersion: PROVIDER_VERSION,
    }));
    ((fabric.body.properties as JsonObject).customDetails as JsonObject).hyperVHosts = hosts;
  }

  /** A provider as served: connected with a heartbeat now, or, while its site is down, not connected since the outage began. */
  private providerView(provider: StoredResource): JsonValue {
    const outage = this.outageOf(provider.id.slice(0, provider.id.toLowerCase().indexOf("/replicationrecoveryservicesproviders/")));
    const properties = {
      ...(provider.body.properties as JsonObject),
      ...(outage === undefined ? {} : { connectionStatus: "NotConnected" }),
      lastHeartBeat: new Date(outage?.from ?? this.asr.services.now()).toISOString(),
      protectedItemCount: this.protectedItemsOfProvider(provider).length,
    };
    return { ...provider.body, properties };
  }

  /** The replicated items protecting VMs of a provider's host. */
  private protectedItemsOfProvider(provider: StoredResource): { itemId: string; vmRecordId: string; providerId: string }[] {
    return this.protectedItemsOf(vaultIdOfResource(provider.id) ?? "").filter((item) => item.providerId.toLowerCase() === provider.id.toLowerCase());
  }

  /** The VMs the vault's Hyper-V replicated items protect, with the item and the host. */
  private protectedItemsOf(vaultId: string): { itemId: string; vmRecordId: string; providerId: string }[] {
    return this.asr.services.resources.list(vaultId, ASR_TYPES.protectedItem).flatMap((item) => {
      const hyperV = (item.internal as { hyperV?: { vmRecordId: string } }).hyperV;
      const vm = hyperV === undefined ? undefined : this.getVm(hyperV.vmRecordId);
      return vm === undefined ? [] : [{ itemId: item.id, vmRecordId: vm.id, providerId: (vm.internal as HyperVVm).providerId }];
    });
  }

  /** The replicated item protecting each VM of the container's vault, by the VM's record id (lower case): read once per answer. */
  private protectingItems(container: StoredResource): Map<string, string> {
    return new Map(this.protectedItemsOf(vaultIdOfResource(container.id) ?? "").map((i) => [i.vmRecordId.toLowerCase(), i.itemId]));
  }

  private protectableView(container: StoredResource, vm: StoredResource, protectingItems: Map<string, string>): JsonObject {
    const internal = vm.internal as HyperVVm;
    const protectedBy = protectingItems.get(vm.id.toLowerCase());
    const id = HyperVSites.protectableItemId(container.id, internal);
    return {
      id,
      name: internal.vmId,
      type: ASR_TYPES.protectableItem,
      properties: {
        friendlyName: internal.name,
        protectionStatus: protectedBy === undefined ? "Unprotected" : "Protected",
        replicationProtectedItemId: protectedBy ?? null,
        recoveryServicesProviderId: internal.providerId,
        protectionReadinessErrors: [],
        supportedReplicationProviders: ["HyperVReplicaAzure"],
        customDetails: {
          instanceType: "HyperVVirtualMachine",
          sourceItemId: internal.vmId,
          generation: String(internal.generation),
          osDetails: HyperVSites.osDetails(internal),
          diskDetails: internal.disks.map((d, index) => ({
            maxSizeMB: Math.round(d.sizeBytes / MB),
            vhdType: index === 0 ? "OperatingSystem" : "DataDisk",
            vhdId: d.id,
            vhdName: d.name,
          })),
          hasPhysicalDisk: "NotPresent",
          hasFibreChannelAdapter: "NotPresent",
          hasSharedVhd: "NotPresent",
          hyperVHostId: internal.providerId,
        },
      },
    };
  }

  /** The guest OS as the service shows it. */
  static osDetails(vm: HyperVVm): JsonObject {
    return { osType: vm.osType, productType: vm.osName, osEdition: vm.osName, oSVersion: "", oSMajorVersion: "", oSMinorVersion: "" };
  }

  static vmView(vm: HyperVVm): HyperVVmView {
    return {
      id: vm.vmId,
      name: vm.name,
      fabricId: vm.fabricId,
      host: vm.hostName,
      providerId: vm.providerId,
      cloud: vm.cloud,
      powerState: vm.powerState,
      osType: vm.osType,
      generation: vm.generation,
      disks: vm.disks.map((d) => ({ id: d.id, name: d.name, sizeGB: d.sizeBytes / GIB })),
      churnMBps: (vm.churn.at(-1)?.bytesPerSecond ?? 0) / MB,
      hotSetPercent: vm.hotSetFraction * 100,
    };
  }
}
