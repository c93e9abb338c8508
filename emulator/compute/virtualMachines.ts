import { randomUUID } from "node:crypto";
import { ArmError, invalidParameter, resourceNotFound } from "../arm/armError.js";
import type { OperationRecord } from "../arm/operationRecord.js";
import { pageOf } from "../arm/paging.js";
import { jsonBody, param, type RequestContext } from "../arm/requestContext.js";
import { emptyResponse, jsonResponse } from "../arm/responses.js";
import type { Router } from "../arm/router.js";
import { isJsonObject, type EmulatorResponse, type JsonObject, type JsonValue } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import { ResourceStore } from "../store/resourceStore.js";
import type { StoredResource } from "../store/state.js";
import type { AvailabilitySetInternal, AvailabilitySets } from "./availabilitySets.js";
import { COMPUTE_API_VERSIONS, COMPUTE_RG_TEMPLATE, COMPUTE_SUB_TEMPLATE, VIRTUAL_MACHINE_TYPE, normalizeLocation, resourceGroupScope } from "./computeApi.js";
import type { ComputeLro } from "./computeLro.js";
import { instanceViewOf } from "./instanceView.js";
import { checkVirtualMachineName, itemIdFromPath } from "./names.js";
import { requireLocation } from "./regions.js";
import { checkTags, objectField, propertyChangeNotAllowed } from "./validation.js";
import type { VmInternal, VmProvisioningState } from "./vmModel.js";

const CREATE_MS = 90_000;
const UPDATE_MS = 20_000;
const DELETE_MS = 60_000;
const AVAILABILITY_SET_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/availabilitySets\/([^/]+)$/i;

/** Properties a client may send that the service never stores (secrets) or always computes. */
const SECRET_OS_PROFILE_FIELDS = ["adminPassword", "customData"];

/**
 * Microsoft.Compute/virtualMachines: create/update/get/list/delete and the instance view.
 * Creation, update and deletion are long-running; a VM joins an availability set only at creation,
 * from the same resource group, and is placed round-robin over the set's update and fault domains.
 */
export class VirtualMachines {
  constructor(
    private readonly services: EmulatorServices,
    private readonly lro: ComputeLro,
    private readonly availabilitySets: AvailabilitySets,
  ) {
    services.operations.register("compute.vm.create", {
      complete: (op, at) => this.settle(op, at, (vm) => ((vm.internal as VmInternal).powerState = "running")),
      failed: (op, at, error) => this.markFailed(op, at, error),
    });
    services.operations.register("compute.vm.update", {
      complete: (op, at) => this.settle(op, at, () => undefined),
      failed: (op, at, error) => this.markFailed(op, at, error),
    });
    services.operations.register("compute.vm.delete", {
      complete: (op) => this.remove(op.resourceId),
      failed: (op, at, error) => this.markFailed(op, at, error),
    });
  }

  register(router: Router): void {
    const item = `${COMPUTE_RG_TEMPLATE}/virtualMachines/{vmName}`;
    const add = (method: string, template: string, operationId: string, handler: (ctx: RequestContext) => EmulatorResponse): void =>
      router.add({ method, template, operationId, apiVersions: COMPUTE_API_VERSIONS, resourceType: "virtualMachines", handler });
    add("PUT", item, "VirtualMachines_CreateOrUpdate", (ctx) => this.createOrUpdate(ctx));
    add("PATCH", item, "VirtualMachines_Update", (ctx) => this.update(ctx));
    add("GET", item, "VirtualMachines_Get", (ctx) => jsonResponse(200, this.view(this.require(ctx), ctx.url.searchParams.get("$expand"))));
    add("DELETE", item, "VirtualMachines_Delete", (ctx) => this.delete(ctx));
    add("GET", `${item}/instanceView`, "VirtualMachines_InstanceView", (ctx) => jsonResponse(200, instanceViewOf(this.require(ctx), this.services)));
    add("GET", `${COMPUTE_RG_TEMPLATE}/virtualMachines`, "VirtualMachines_List", (ctx) =>
      this.list(ctx, resourceGroupScope(param(ctx, "subscriptionId"), param(ctx, "resourceGroupName"))),
    );
    add("GET", `${COMPUTE_SUB_TEMPLATE}/virtualMachines`, "VirtualMachines_ListAll", (ctx) => this.list(ctx, `/subscriptions/${param(ctx, "subscriptionId")}`));
    add("GET", `${COMPUTE_SUB_TEMPLATE}/locations/{location}/virtualMachines`, "VirtualMachines_ListByLocation", (ctx) =>
      this.list(ctx, `/subscriptions/${param(ctx, "subscriptionId")}`, normalizeLocation(param(ctx, "location"))),
    );
  }

  /** The VM named by the request's path; 404 ResourceNotFound when it does not exist. */
  require(ctx: RequestContext): StoredResource {
    const stored = this.get(this.idOf(ctx));
    if (stored === undefined) throw resourceNotFound(VIRTUAL_MACHINE_TYPE, param(ctx, "vmName"), param(ctx, "resourceGroupName"));
    return stored;
  }

  get(id: string): StoredResource | undefined {
    const stored = this.services.resources.get(id);
    return stored?.type === VIRTUAL_MACHINE_TYPE.toLowerCase() ? stored : undefined;
  }

  /**
   * Creates a running VM on the service's own behalf (Site Recovery's test and failover VMs):
   * provisioned at once, in the given availability set or zone, with managed disks named after it.
   */
  materialize(spec: {
    id: string;
    location: string;
    template: JsonObject;
    availabilitySetId?: string;
    zone?: string;
    networkId?: string;
    tags?: Record<string, string>;
  }): StoredResource {
    const name = spec.id.slice(spec.id.lastIndexOf("/") + 1);
    const [, subscriptionId, resourceGroup] = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(spec.id) ?? [];
    const properties = JSON.parse(JSON.stringify(spec.template)) as JsonObject;
    for (const readOnly of ["vmId", "provisioningState", "timeCreated", "availabilitySet", "instanceView", "userData", "osProfile"])
      delete properties[readOnly];
    const storage = (properties.storageProfile ?? {}) as JsonObject;
    const osDisk = (storage.osDisk ?? {}) as JsonObject;
    properties.storageProfile = {
      osDisk: {
        osType: osDisk.osType ?? "Linux",
        name: `${name}_OsDisk`,
        createOption: "Attach",
        diskSizeGB: osDisk.diskSizeGB ?? 30,
        managedDisk: { id: `/subscriptions/${subscriptionId ?? ""}/resourceGroups/${resourceGroup ?? ""}/providers/Microsoft.Compute/disks/${name}_OsDisk` },
      },
      dataDisks: [],
    };
    // The service creates the VM's own NIC next to it (in the chosen network), never reusing the source's.
    properties.networkProfile = {
      networkInterfaces: [
        {
          id: `/subscriptions/${subscriptionId ?? ""}/resourceGroups/${resourceGroup ?? ""}/providers/Microsoft.Network/networkInterfaces/${name}-nic`,
          primary: true,
        },
      ],
    };
    const set = spec.availabilitySetId === undefined ? undefined : this.availabilitySets.get(spec.availabilitySetId);
    const now = this.services.now();
    const body: JsonObject = {
      name,
      id: spec.id,
      type: VIRTUAL_MACHINE_TYPE,
      location: spec.location,
      // Microsoft.Network is not modelled: the network the NIC joins is shown as a tag.
      tags: { ...(spec.tags ?? {}), ...(spec.networkId === undefined ? {} : { "azure-dr:virtual-network": spec.networkId }) },
      ...(spec.zone === undefined ? {} : { zones: [spec.zone] }),
      etag: '"1"',
      properties: {
        ...properties,
        ...(set === undefined ? {} : { availabilitySet: { id: set.id } }),
        vmId: randomUUID(),
        provisioningState: "Succeeded",
        timeCreated: new Date(now).toISOString(),
      },
    };
    const internal: VmInternal = {
      powerState: "running",
      activeAction: null,
      activeOperationId: null,
      ...(set === undefined ? { platformUpdateDomain: 0, platformFaultDomain: 0 } : place(set)),
      hostGeneration: 1,
      provisioningTime: now,
      lastError: null,
      maintenance: null,
    };
    const vm = ResourceStore.record(spec.id, VIRTUAL_MACHINE_TYPE, body, internal);
    this.services.resources.put(vm);
    if (set !== undefined) ((set.body.properties as JsonObject).virtualMachines as JsonValue[]).push({ id: spec.id });
    return vm;
  }

  /** Removes a VM on the service's own behalf (and its availability set membership). */
  dematerialize(id: string): void {
    this.remove(id);
  }

  /** Sets a VM's power state on the service's own behalf (e.g. Site Recovery shutting the source down). */
  setPowerState(id: string, state: VmInternal["powerState"]): void {
    const vm = this.get(id);
    if (vm !== undefined) (vm.internal as VmInternal).powerState = state;
  }

  /** 409 Conflict when another operation is under way; 503 when the VM's region is down. */
  assertActionable(vm: StoredResource, action: string): void {
    const internal = vm.internal as VmInternal;
    if (this.services.isRegionDown(String(vm.body.location))) {
      throw new ArmError(503, "ServiceUnavailable", `The service is unavailable in region '${String(vm.body.location)}'. Please retry later.`);
    }
    if (internal.activeAction !== null) {
      throw new ArmError(
        409,
        "Conflict",
        `Operation '${action}' is not allowed on VM '${String(vm.body.name)}' since the VM is already running operation '${internal.activeAction}'.`,
      );
    }
  }

  /** Marks `action` under way on the VM with its operation. */
  begin(vm: StoredResource, action: string, operation: OperationRecord, provisioningState: VmProvisioningState): void {
    const internal = vm.internal as VmInternal;
    internal.activeAction = action;
    internal.activeOperationId = operation.id;
    this.setProvisioning(vm, provisioningState, operation.startTime);
  }

  /** Ends the VM's operation successfully at `at`, applying `effect`. */
  settle(operation: OperationRecord, at: number, effect: (vm: StoredResource) => void): void {
    const vm = this.get(operation.resourceId);
    if (vm === undefined) return;
    effect(vm);
    const internal = vm.internal as VmInternal;
    internal.activeAction = null;
    internal.activeOperationId = null;
    internal.lastError = null;
    this.setProvisioning(vm, "Succeeded", at);
  }

  /** Ends the VM's operation as failed: the VM keeps its power state, provisioning shows the error. */
  markFailed(operation: OperationRecord, at: number, error: { code: string; message: string }): void {
    const vm = this.get(operation.resourceId);
    if (vm === undefined) return;
    const internal = vm.internal as VmInternal;
    internal.activeAction = null;
    internal.activeOperationId = null;
    internal.lastError = { code: error.code, message: error.message };
    this.setProvisioning(vm, "Failed", at);
  }

  private setProvisioning(vm: StoredResource, state: VmProvisioningState, at: number): void {
    (vm.body.properties as JsonObject).provisioningState = state;
    (vm.internal as VmInternal).provisioningTime = at;
  }

  private idOf(ctx: RequestContext): string {
    return itemIdFromPath(ctx, "virtualMachines", "vmName", checkVirtualMachineName);
  }

  private createOrUpdate(ctx: RequestContext): EmulatorResponse {
    const id = this.idOf(ctx);
    const input = jsonBody(ctx);
    const location = requireLocation(input.location, VIRTUAL_MACHINE_TYPE);
    const tags = checkTags(input.tags);
    const properties = objectField(input, "properties");
    const existing = this.get(id);
    if (existing !== undefined) return this.replace(ctx, existing, location, tags, properties);
    if (this.services.isRegionDown(location)) {
      throw new ArmError(503, "ServiceUnavailable", `The service is unavailable in region '${location}'. Please retry later.`);
    }
    checkVmProfiles(properties);
    const set = this.availabilitySetFor(ctx, properties, location);
    const placement = set === undefined ? { platformUpdateDomain: 0, platformFaultDomain: 0 } : place(set);
    const stored = withManagedDiskIds(sanitize(properties), param(ctx, "subscriptionId"), param(ctx, "resourceGroupName"), param(ctx, "vmName"));
    const body: JsonObject = {
      name: param(ctx, "vmName"),
      id,
      type: VIRTUAL_MACHINE_TYPE,
      location,
      ...(tags === undefined ? {} : { tags }),
      ...(Array.isArray(input.zones) ? { zones: input.zones } : {}),
      etag: '"1"',
      properties: {
        ...stored,
        ...(set === undefined ? {} : { availabilitySet: { id: set.id } }),
        vmId: randomUUID(),
        provisioningState: "Creating",
        timeCreated: new Date(this.services.now()).toISOString(),
      },
    };
    const internal: VmInternal = {
      powerState: "starting",
      activeAction: null,
      activeOperationId: null,
      ...placement,
      hostGeneration: 1,
      provisioningTime: this.services.now(),
      lastError: null,
      maintenance: null,
    };
    const vm = ResourceStore.record(id, VIRTUAL_MACHINE_TYPE, body, internal);
    this.services.resources.put(vm);
    if (set !== undefined) ((set.body.properties as JsonObject).virtualMachines as JsonValue[]).push({ id });
    const operation = this.lro.start(ctx, {
      kind: "compute.vm.create",
      subscriptionId: param(ctx, "subscriptionId"),
      location,
      resourceId: id,
      durationMs: CREATE_MS,
      data: { returnsResource: true },
    });
    this.begin(vm, "create", operation, "Creating");
    return jsonResponse(201, this.view(vm, null), this.lro.headers(ctx, operation, false));
  }

  private replace(
    ctx: RequestContext,
    vm: StoredResource,
    location: string,
    tags: Record<string, string> | undefined,
    properties: JsonObject,
  ): EmulatorResponse {
    if (vm.body.location !== location) {
      throw new ArmError(
        409,
        "InvalidResourceLocation",
        `The resource '${String(vm.body.name)}' already exists in location '${String(vm.body.location)}' in resource group '${param(ctx, "resourceGroupName")}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
      );
    }
    const current = vm.body.properties as JsonObject;
    const wantedSet = (objectField(properties, "availabilitySet").id ?? null) as JsonValue;
    const currentSet = (objectField(current, "availabilitySet").id ?? null) as JsonValue;
    if (String(wantedSet).toLowerCase() !== String(currentSet).toLowerCase()) throw propertyChangeNotAllowed("availabilitySet");
    checkVmProfiles({ ...current, ...properties });
    this.assertActionable(vm, "update");
    vm.body.properties = { ...current, ...keepDiskIdentity(current, sanitize(properties)) };
    if (tags !== undefined) vm.body.tags = tags;
    return this.startUpdate(ctx, vm, 200, false);
  }

  private update(ctx: RequestContext): EmulatorResponse {
    const vm = this.require(ctx);
    const input = jsonBody(ctx);
    const tags = checkTags(input.tags);
    const properties = objectField(input, "properties");
    if (properties.availabilitySet !== undefined) {
      const wanted = String(objectField(properties, "availabilitySet").id ?? "").toLowerCase();
      const current = String(objectField(vm.body.properties as JsonObject, "availabilitySet").id ?? "").toLowerCase();
      if (wanted !== current) throw propertyChangeNotAllowed("availabilitySet");
    }
    checkVmProfiles({ ...(vm.body.properties as JsonObject), ...properties });
    this.assertActionable(vm, "update");
    const current = vm.body.properties as JsonObject;
    vm.body.properties = { ...current, ...keepDiskIdentity(current, sanitize(properties)) };
    if (tags !== undefined) vm.body.tags = tags;
    return this.startUpdate(ctx, vm, 200, false);
  }

  private startUpdate(ctx: RequestContext, vm: StoredResource, status: number, withLocation: boolean): EmulatorResponse {
    vm.body.etag = `"${Number.parseInt(String(vm.body.etag ?? '"0"').replace(/"/g, ""), 10) + 1}"`;
    const operation = this.lro.start(ctx, {
      kind: "compute.vm.update",
      subscriptionId: param(ctx, "subscriptionId"),
      location: String(vm.body.location),
      resourceId: vm.id,
      durationMs: UPDATE_MS,
      data: { returnsResource: true },
    });
    this.begin(vm, "update", operation, "Updating");
    return jsonResponse(status, this.view(vm, null), this.lro.headers(ctx, operation, withLocation));
  }

  private delete(ctx: RequestContext): EmulatorResponse {
    const vm = this.get(this.idOf(ctx));
    if (vm === undefined) return emptyResponse(204);
    const internal = vm.internal as VmInternal;
    if (internal.activeAction === "delete") throw new ArmError(409, "Conflict", `VM '${String(vm.body.name)}' is already being deleted.`);
    if (this.services.isRegionDown(String(vm.body.location))) {
      throw new ArmError(503, "ServiceUnavailable", `The service is unavailable in region '${String(vm.body.location)}'. Please retry later.`);
    }
    const operation = this.lro.start(ctx, {
      kind: "compute.vm.delete",
      subscriptionId: param(ctx, "subscriptionId"),
      location: String(vm.body.location),
      resourceId: vm.id,
      durationMs: DELETE_MS,
    });
    this.begin(vm, "delete", operation, "Deleting");
    internal.powerState = "stopping";
    return this.lro.accepted(ctx, operation);
  }

  private remove(id: string): void {
    const vm = this.get(id);
    if (vm === undefined) return;
    const setId = objectField(vm.body.properties as JsonObject, "availabilitySet").id;
    const set = typeof setId === "string" ? this.availabilitySets.get(setId) : undefined;
    if (set !== undefined) {
      const properties = set.body.properties as JsonObject;
      properties.virtualMachines = (properties.virtualMachines as JsonObject[]).filter((m) => String(m.id).toLowerCase() !== id.toLowerCase());
    }
    this.services.resources.delete(id);
  }

  private list(ctx: RequestContext, scope: string, location?: string): EmulatorResponse {
    const expand = ctx.url.searchParams.get("$expand");
    const statusOnly = ctx.url.searchParams.get("statusOnly") === "true";
    const items = this.services.resources
      .list(scope, VIRTUAL_MACHINE_TYPE)
      .filter((vm) => location === undefined || vm.body.location === location)
      .map((vm) => this.view(vm, statusOnly ? "instanceView" : expand));
    return jsonResponse(200, pageOf(ctx, items, this.services.settings.pageSize));
  }

  /** The VM as served: `userData` only with `$expand=userData`, the instance view only with `$expand=instanceView`. */
  view(vm: StoredResource, expand: string | null): JsonObject {
    const wanted = expand?.toLowerCase();
    const { userData, ...properties } = vm.body.properties as JsonObject;
    if (wanted === "userdata" && userData !== undefined) properties.userData = userData;
    if (wanted === "instanceview") properties.instanceView = instanceViewOf(vm, this.services);
    return { ...vm.body, properties };
  }

  private availabilitySetFor(ctx: RequestContext, properties: JsonObject, location: string): StoredResource | undefined {
    const reference = objectField(properties, "availabilitySet", "properties.availabilitySet");
    if (reference.id === undefined || reference.id === null) return undefined;
    const setId = String(reference.id);
    const match = AVAILABILITY_SET_ID.exec(setId);
    if (match === null)
      throw invalidParameter(
        "properties.availabilitySet.id",
        `The availability set id '${setId}' is not a valid Microsoft.Compute/availabilitySets resource id.`,
      );
    const [, subscriptionId, resourceGroup] = match as unknown as [string, string, string];
    if (
      subscriptionId.toLowerCase() !== param(ctx, "subscriptionId").toLowerCase() ||
      resourceGroup.toLowerCase() !== param(ctx, "resourceGroupName").toLowerCase()
    ) {
      throw invalidParameter(
        "properties.availabilitySet.id",
        `Availability set '${setId}' is not in resource group '${param(ctx, "resourceGroupName")}'. A virtual machine can only join an availability set of its own resource group.`,
      );
    }
    const set = this.availabilitySets.get(setId);
    if (set === undefined)
      throw new ArmError(404, "NotFound", `The entity was not found. Availability set '${setId}' does not exist.`, "properties.availabilitySet.id");
    if (set.body.location !== location) {
      throw invalidParameter(
        "properties.availabilitySet.id",
        `Availability set '${setId}' is in location '${String(set.body.location)}', not in the virtual machine's location '${location}'.`,
      );
    }
    const managed = usesManagedDisks(properties);
    const aligned = (set.body.sku as JsonObject).name === "Aligned";
    if (managed !== aligned) {
      throw invalidParameter(
        "properties.availabilitySet.id",
        managed
          ? "Addition of a VM with managed disks to non-managed Availability Set is not supported. Please create an Availability Set with 'Aligned' SKU in order to add a VM with managed disks to it."
          : "Addition of a VM with blob based disks to managed Availability Set is not supported. Please create an Availability Set with 'Classic' SKU in order to add a VM with blob based disks to it.",
      );
    }
    return set;
  }
}

function place(set: StoredResource): { platformUpdateDomain: number; platformFaultDomain: number } {
  const internal = set.internal as AvailabilitySetInternal;
  const properties = set.body.properties as JsonObject;
  const index = internal.placements++;
  return {
    platformUpdateDomain: index % (properties.platformUpdateDomainCount as number),
    platformFaultDomain: index % (properties.platformFaultDomainCount as number),
  };
}

/** Checks the profiles Compute requires to create a VM (400 InvalidParameter naming the missing one). */
function checkVmProfiles(properties: JsonObject): void {
  const hardware = objectField(properties, "hardwareProfile", "properties.hardwareProfile");
  if (typeof hardware.vmSize !== "string" || hardware.vmSize === "") {
    throw invalidParameter("hardwareProfile.vmSize", "Required parameter 'hardwareProfile.vmSize' is missing (null).");
  }
  const storage = objectField(properties, "storageProfile", "properties.storageProfile");
  const osDisk = objectField(storage, "osDisk", "storageProfile.osDisk");
  const fromImage = storage.imageReference !== undefined;
  if (!fromImage && osDisk.createOption === undefined) {
    throw invalidParameter(
      "storageProfile",
      "Required parameter 'storageProfile.imageReference' or 'storageProfile.osDisk' with createOption 'Attach' is missing (null).",
    );
  }
  if (osDisk.createOption !== undefined && !["FromImage", "Attach", "Empty", "Copy", "Restore"].includes(String(osDisk.createOption))) {
    throw invalidParameter(
      "storageProfile.osDisk.createOption",
      `The value '${String(osDisk.createOption)}' of parameter 'storageProfile.osDisk.createOption' is not valid.`,
    );
  }
  if (fromImage) {
    const os = objectField(properties, "osProfile", "properties.osProfile");
    if (typeof os.adminUsername !== "string" || os.adminUsername === "") {
      throw invalidParameter("osProfile", "Required parameter 'osProfile' is missing (null).");
    }
  }
  const network = objectField(properties, "networkProfile", "properties.networkProfile");
  const nics = network.networkInterfaces;
  const nicConfigs = network.networkInterfaceConfigurations;
  if (!(Array.isArray(nics) && nics.length > 0) && !(Array.isArray(nicConfigs) && nicConfigs.length > 0)) {
    throw invalidParameter("networkProfile", "Required parameter 'networkProfile' is missing (null).");
  }
}

function usesManagedDisks(properties: JsonObject): boolean {
  const storage = objectField(properties, "storageProfile");
  const osDisk = objectField(storage, "osDisk");
  return osDisk.vhd === undefined;
}

/** Default OS disk size (GiB) of a marketplace image when the request gives none. */
const DEFAULT_OS_DISK_GB = 30;

/**
 * Fills what Azure sets on the managed disks it creates: each disk's name, id and size (the OS
 * disk from an image gets 30 GiB unless sized), as served by a VM GET.
 */
function withManagedDiskIds(properties: JsonObject, subscriptionId: string, resourceGroup: string, vmName: string): JsonObject {
  const storage = properties.storageProfile as JsonObject | undefined;
  if (storage === undefined) return properties;
  const diskId = (name: string): string => `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/disks/${name}`;
  const fill = (disk: JsonObject, fallbackName: string, fallbackSize: number | undefined): void => {
    if (disk.vhd !== undefined) return;
    disk.name ??= fallbackName;
    const managed = (disk.managedDisk ??= {}) as JsonObject;
    managed.id ??= diskId(String(disk.name));
    if (fallbackSize !== undefined) disk.diskSizeGB ??= fallbackSize;
  };
  const osDisk = storage.osDisk as JsonObject | undefined;
  if (osDisk !== undefined) fill(osDisk, `${vmName}_OsDisk_1`, storage.imageReference === undefined ? undefined : DEFAULT_OS_DISK_GB);
  if (Array.isArray(storage.dataDisks)) {
    for (const disk of storage.dataDisks as JsonObject[]) fill(disk, `${vmName}_DataDisk_${String(disk.lun)}`, undefined);
  }
  return properties;
}

/**
 * An update (PUT again, as a resumed deployment sends it, or PATCH) that restates the storage
 * profile without what Azure filled in keeps the VM's disks: Azure never recreates the disks of an
 * existing VM, so each disk keeps its name, managed disk id and size unless the request names them.
 * Data disks are matched by LUN; a disk at a new LUN is stored as the request gives it.
 */
function keepDiskIdentity(current: JsonObject, requested: JsonObject): JsonObject {
  const wanted = requested.storageProfile;
  const existing = current.storageProfile;
  if (!isJsonObject(wanted) || !isJsonObject(existing)) return requested;
  const keep = (from: JsonValue | undefined, to: JsonObject): void => {
    if (!isJsonObject(from) || to.vhd !== undefined) return;
    if (from.name !== undefined) to.name ??= from.name;
    if (from.diskSizeGB !== undefined) to.diskSizeGB ??= from.diskSizeGB;
    const fromManaged = from.managedDisk;
    if (isJsonObject(fromManaged) && fromManaged.id !== undefined) {
      const managed = (isJsonObject(to.managedDisk) ? to.managedDisk : (to.managedDisk = {})) as JsonObject;
      managed.id ??= fromManaged.id;
    }
  };
  if (isJsonObject(wanted.osDisk)) keep(existing.osDisk, wanted.osDisk);
  if (Array.isArray(wanted.dataDisks) && Array.isArray(existing.dataDisks)) {
    for (const disk of wanted.dataDisks) {
      if (isJsonObject(disk))
        keep(
          existing.dataDisks.find((d) => isJsonObject(d) && d.lun === disk.lun),
          disk,
        );
    }
  }
  return requested;
}

/** Drops what Azure never stores or serves back (secrets) and what only the service sets. */
function sanitize(properties: JsonObject): JsonObject {
  const copy = JSON.parse(JSON.stringify(properties)) as JsonObject;
  for (const readOnly of ["provisioningState", "instanceView", "vmId", "timeCreated"]) delete copy[readOnly];
  const os = copy.osProfile;
  if (os !== undefined && os !== null && typeof os === "object" && !Array.isArray(os)) {
    for (const secret of SECRET_OS_PROFILE_FIELDS) delete os[secret];
  }
  return copy;
}
