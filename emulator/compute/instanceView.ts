import type { JsonObject } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import type { StoredResource } from "../store/state.js";
import { maintenanceRedeployStatusOf } from "./maintenanceStatus.js";
import { POWER_STATE_DISPLAY, type VmInternal } from "./vmModel.js";

/** The VM's instance view as Compute serves it: placement, statuses, disks and maintenance status. */
export function instanceViewOf(vm: StoredResource, services: EmulatorServices): JsonObject {
  const internal = vm.internal as VmInternal;
  const properties = vm.body.properties as JsonObject;
  const provisioningState = String(properties.provisioningState);
  const time = new Date(internal.provisioningTime).toISOString();
  const provisioningStatus: JsonObject =
    provisioningState === "Failed" && internal.lastError !== null
      ? {
          code: `ProvisioningState/failed/${internal.lastError.code}`,
          level: "Error",
          displayStatus: "Provisioning failed",
          message: internal.lastError.message,
          time,
        }
      : {
          code: `ProvisioningState/${provisioningState.toLowerCase()}`,
          level: "Info",
          displayStatus: provisioningState === "Succeeded" ? "Provisioning succeeded" : provisioningState,
          time,
        };
  const powerState = services.isRegionDown(String(vm.body.location)) ? "unknown" : internal.powerState;
  const view: JsonObject = {
    platformUpdateDomain: internal.platformUpdateDomain,
    platformFaultDomain: internal.platformFaultDomain,
    computerName: String((properties.osProfile as JsonObject | undefined)?.computerName ?? vm.body.name),
    hyperVGeneration: "V2",
    disks: diskNames(properties).map((name) => ({
      name,
      statuses: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time }],
    })),
    statuses: [provisioningStatus, { code: `PowerState/${powerState}`, level: "Info", displayStatus: POWER_STATE_DISPLAY[powerState] }],
  };
  const maintenance = maintenanceRedeployStatusOf(internal.maintenance, services.now());
  if (maintenance !== undefined) view.maintenanceRedeployStatus = maintenance;
  return view;
}

function diskNames(properties: JsonObject): string[] {
  const storage = (properties.storageProfile ?? {}) as JsonObject;
  const osDisk = (storage.osDisk ?? {}) as JsonObject;
  const dataDisks = Array.isArray(storage.dataDisks) ? (storage.dataDisks as JsonObject[]) : [];
  return [osDisk.name, ...dataDisks.map((d) => d.name)].filter((n): n is string => typeof n === "string");
}
