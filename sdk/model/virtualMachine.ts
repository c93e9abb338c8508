import { z } from "zod";
import { regionSchema, tagsSchema } from "./names.js";
import type { MaintenanceStatus } from "./maintenance.js";

/** Power states of a VM, as its instance view reports them. */
export type PowerState = "starting" | "running" | "stopping" | "stopped" | "deallocating" | "deallocated" | "unknown";

/** A VM as the SDK models it (what matters to availability and DR). */
export interface VirtualMachine {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  /** Unique id Azure gives the VM (stable across redeploys). */
  vmId: string | undefined;
  size: string;
  /** ARM id of its availability set, if it has one. */
  availabilitySetId: string | undefined;
  zones: string[];
  /** `Creating`, `Updating`, `Deleting`, `Succeeded` or `Failed`. */
  provisioningState: string;
  osDiskName: string | undefined;
  /** Whether its disks are managed disks (as opposed to VHDs in storage accounts). */
  managedDisks: boolean;
  networkInterfaceIds: string[];
  /** The VM's disks: the OS disk first. */
  disks: VmDisk[];
  tags: Record<string, string>;
}

/** A disk of a VM. */
export interface VmDisk {
  name: string;
  /** ARM id of the managed disk (undefined for a VHD in a storage account). */
  managedDiskId: string | undefined;
  sizeGB: number | undefined;
  /** e.g. `Premium_LRS`. */
  storageAccountType: string | undefined;
  /** LUN of a data disk; undefined for the OS disk. */
  lun: number | undefined;
}

/** A VM's live status, from its instance view. */
export interface VirtualMachineStatus {
  id: string;
  powerState: PowerState;
  provisioningState: string;
  /** Update domain within its availability set (0 for a lone VM). */
  updateDomain: number | undefined;
  /** Fault domain within its availability set (0 for a lone VM). */
  faultDomain: number | undefined;
  maintenance: MaintenanceStatus;
}

const imageSchema = z.strictObject({
  publisher: z.string().min(1),
  offer: z.string().min(1),
  sku: z.string().min(1),
  version: z.string().min(1).default("latest"),
});

const diskTypeSchema = z.enum(
  ["Standard_LRS", "StandardSSD_LRS", "Premium_LRS", "PremiumV2_LRS", "UltraSSD_LRS", "StandardSSD_ZRS", "Premium_ZRS"],
  "must be an Azure disk type such as 'Premium_LRS'",
);

/** Input of {@link VirtualMachineOperations.create}. Either `image` (with `adminUsername`) or `osDisk.attachManagedDiskId`. */
export const virtualMachineInputSchema = z
  .strictObject({
    location: regionSchema,
    /** VM size, e.g. `Standard_D2s_v5`. */
    size: z.string().regex(/^[A-Za-z0-9_]+$/, "must be a VM size such as 'Standard_D2s_v5'"),
    /** ARM id of an availability set in the same resource group; only at creation. */
    availabilitySetId: z.string().optional(),
    zone: z.enum(["1", "2", "3"], "must be '1', '2' or '3'").optional(),
    image: imageSchema.optional(),
    osDisk: z
      .strictObject({
        name: z.string().min(1).max(80).optional(),
        type: diskTypeSchema.default("Premium_LRS"),
        sizeGB: z.int().min(1).max(4095).optional(),
        /** Attach this existing managed disk as the OS disk instead of creating one from `image`. */
        attachManagedDiskId: z.string().optional(),
        osType: z.enum(["Linux", "Windows"]).optional(),
      })
      .default({ type: "Premium_LRS" }),
    dataDisks: z
      .array(z.strictObject({ lun: z.int().min(0).max(63), sizeGB: z.int().min(1).max(32767), type: diskTypeSchema.default("Premium_LRS") }))
      .max(64)
      .refine((disks) => new Set(disks.map((d) => d.lun)).size === disks.length, { message: "LUNs must be unique" })
      .default([]),
    /** ARM ids of existing network interfaces; the first is primary. */
    networkInterfaceIds: z
      .array(
        z
          .string()
          .regex(
            /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/networkInterfaces\/[^/]+$/i,
            "must be ARM ids of Microsoft.Network/networkInterfaces",
          ),
      )
      .min(1, "needs at least one network interface"),
    computerName: z.string().min(1).max(64).optional(),
    adminUsername: z.string().min(1).max(64).optional(),
    /** Never logged or stored by azure-dr; Azure never returns it. */
    adminPassword: z.string().min(12, "must be at least 12 characters").max(123).optional(),
    sshPublicKey: z.string().min(1).optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine((input, ctx) => {
    const attaching = input.osDisk.attachManagedDiskId !== undefined;
    if (attaching === (input.image !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["image"], message: "give exactly one of 'image' or 'osDisk.attachManagedDiskId'" });
    }
    if (input.image !== undefined && input.adminUsername === undefined) {
      ctx.addIssue({ code: "custom", path: ["adminUsername"], message: "is required when creating from an image" });
    }
    if (input.image !== undefined && input.adminPassword === undefined && input.sshPublicKey === undefined) {
      ctx.addIssue({ code: "custom", path: ["adminPassword"], message: "an admin password or an SSH public key is required when creating from an image" });
    }
  });

/** What a caller passes to create a VM. */
export type VirtualMachineInput = z.input<typeof virtualMachineInputSchema>;
