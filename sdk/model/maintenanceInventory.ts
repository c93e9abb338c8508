import { z } from "zod";
import type { MaintenanceStatus } from "./maintenance.js";
import { availabilitySetIdSchema } from "./maintenanceIds.js";
import { resourceGroupNameSchema } from "./names.js";
import type { PowerState } from "./virtualMachine.js";

/**
 * Where to look for VMs in planned maintenance: the whole subscription (no field), one resource
 * group, or one availability set (by ARM id).
 */
export const maintenanceScopeSchema = z
  .strictObject({
    resourceGroup: resourceGroupNameSchema.optional(),
    availabilitySetId: availabilitySetIdSchema.optional(),
  })
  .refine((scope) => scope.resourceGroup === undefined || scope.availabilitySetId === undefined, {
    path: ["availabilitySetId"],
    message: "give a resource group or an availability set, not both",
  });

/** What a caller passes to {@link MaintenanceOperations.discover}. */
export type MaintenanceScope = z.input<typeof maintenanceScopeSchema>;

/** A VM and where it stands in planned maintenance. */
export interface MaintenanceVm {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  /** ARM id of its availability set; undefined for a single-instance VM. */
  availabilitySetId: string | undefined;
  availabilitySetName: string | undefined;
  /** Update domain within its set (Azure reports 0 for a single-instance VM). */
  updateDomain: number | undefined;
  faultDomain: number | undefined;
  /** Not in an availability set: Azure gives no guarantee about which VMs are maintained together with it. */
  singleInstance: boolean;
  powerState: PowerState;
  provisioningState: string;
  tags: Record<string, string>;
  /** Phase, both windows, whether the owner may start it now (`selfServiceAllowed`), last result. */
  maintenance: MaintenanceStatus;
}

/** The VMs of one update domain of a set. */
export interface MaintenanceUpdateDomain {
  updateDomain: number;
  vms: MaintenanceVm[];
}

/** An availability set with its VMs grouped by update domain (ascending). */
export interface MaintenanceSetGroup {
  id: string;
  name: string;
  resourceGroup: string;
  /** undefined when the set could not be read (only its members' references name it). */
  updateDomainCount: number | undefined;
  faultDomainCount: number | undefined;
  updateDomains: MaintenanceUpdateDomain[];
}

/** Planned maintenance of every VM in a scope, read at one time. */
export interface MaintenanceInventory {
  /** The backend's time of the reading: phases and `selfServiceAllowed` hold for that moment. */
  readAt: Date;
  /** The scope that was read; empty for the whole subscription. */
  scope: { resourceGroup?: string; availabilitySetId?: string };
  /** Availability sets by name, each with its VMs by update domain. */
  sets: MaintenanceSetGroup[];
  /** VMs in no availability set, by name (flagged `singleInstance`). */
  singleInstanceVms: MaintenanceVm[];
  /** Every VM of the scope, by resource group and name. */
  vms: MaintenanceVm[];
}
