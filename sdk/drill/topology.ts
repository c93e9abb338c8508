import { z } from "zod";
import { recoveryPlanActionSchema } from "../model/recoveryPlan.js";
import { regionSchema, resourceGroupNameSchema, subscriptionIdSchema } from "../model/names.js";
import { asrNameSchema } from "../model/vault.js";

const vnetId = z
  .string()
  .regex(
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i,
    "must be the ARM id of a Microsoft.Network/virtualNetworks",
  );
const vmName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/, "must be a VM name (letters, digits, hyphens)");

/**
 * An estate to drill, as a user describes it (JSON or YAML): the vault, the region pair, the
 * networks (including the isolated one test failovers use), the VMs of the application by tier
 * with their availability sets, and the recovery plans. On an emulated backend the drill builds
 * it first; on Azure it names what already exists.
 */
export const topologySchema = z
  .strictObject({
    /** The subscription the ids refer to. @default the backend's */
    subscriptionId: subscriptionIdSchema.optional(),
    vault: z.strictObject({ resourceGroup: resourceGroupNameSchema, name: asrNameSchema, location: regionSchema.optional() }),
    sourceRegion: regionSchema,
    targetRegion: regionSchema,
    policy: z
      .strictObject({
        name: asrNameSchema,
        recoveryPointRetentionMinutes: z.int().min(0).max(21600).default(1440),
        appConsistentFrequencyMinutes: z.int().min(0).max(720).default(240),
      })
      .default({ name: "a2a-24h", recoveryPointRetentionMinutes: 1440, appConsistentFrequencyMinutes: 240 }),
    network: z.strictObject({ sourceNetworkId: vnetId, targetNetworkId: vnetId, testNetworkId: vnetId }),
    /** Where the VMs' replicas and failed-over VMs go. */
    recoveryResourceGroup: resourceGroupNameSchema,
    /** The cache storage account in the source region (name; created in the first VM's resource group on emulated backends). */
    cacheStorageAccount: z.string().regex(/^[a-z0-9]{3,24}$/, "must be a storage account name (3-24 lower-case letters and digits)"),
    /** Availability sets: each exists in the source region and, with the same name, in the recovery resource group. */
    availabilitySets: z
      .array(z.strictObject({ resourceGroup: resourceGroupNameSchema, name: z.string().min(1).max(80), faultDomains: z.int().min(1).max(3).default(2) }))
      .default([]),
    vms: z
      .array(
        z.strictObject({
          resourceGroup: resourceGroupNameSchema,
          name: vmName,
          size: z.string().default("Standard_D2s_v5"),
          osDiskGB: z.int().min(1).max(4095).default(64),
          availabilitySet: z.string().optional(),
        }),
      )
      .min(1, "needs at least one VM"),
    plans: z
      .array(
        z.strictObject({
          name: asrNameSchema,
          groups: z
            .array(
              z.strictObject({
                vms: z.array(vmName).min(1),
                before: z.array(recoveryPlanActionSchema).default([]),
                after: z.array(recoveryPlanActionSchema).default([]),
              }),
            )
            .min(1)
            .max(7),
        }),
      )
      .min(1, "needs at least one recovery plan"),
  })
  .superRefine((topology, ctx) => {
    const vms = new Set(topology.vms.map((v) => v.name.toLowerCase()));
    const sets = new Set(topology.availabilitySets.map((s) => s.name.toLowerCase()));
    topology.vms.forEach((vm, i) => {
      if (vm.availabilitySet !== undefined && !sets.has(vm.availabilitySet.toLowerCase()))
        ctx.addIssue({ code: "custom", path: ["vms", i, "availabilitySet"], message: `'${vm.availabilitySet}' is not in availabilitySets` });
    });
    const seen = new Set<string>();
    topology.plans.forEach((plan, p) =>
      plan.groups.forEach((group, g) =>
        group.vms.forEach((name, v) => {
          const path = ["plans", p, "groups", g, "vms", v];
          if (!vms.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path, message: `'${name}' is not in vms` });
          if (seen.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path, message: `'${name}' is in more than one plan or group` });
          seen.add(name.toLowerCase());
        }),
      ),
    );
    if (topology.sourceRegion === topology.targetRegion) ctx.addIssue({ code: "custom", path: ["targetRegion"], message: "must differ from sourceRegion" });
  });

/** An estate as a user writes it. */
export type TopologyInput = z.input<typeof topologySchema>;
/** An estate, validated and with its defaults. */
export type Topology = z.output<typeof topologySchema>;

const SAMPLE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const vnet = (rg: string, name: string): string =>
  `/subscriptions/${SAMPLE_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;

/**
 * The drill's built-in estate: a two-tier shop in West Europe protected to North Europe: two web
 * VMs and two database VMs, each tier in its availability set (in both regions), one recovery
 * plan that brings the database up first, waits for a manual check, runs a DNS runbook, then
 * brings the web tier up.
 */
export const SAMPLE_TOPOLOGY: TopologyInput = {
  vault: { resourceGroup: "dr-rg", name: "shop-vault", location: "northeurope" },
  sourceRegion: "westeurope",
  targetRegion: "northeurope",
  network: {
    sourceNetworkId: vnet("shop-rg", "shop-vnet"),
    targetNetworkId: vnet("shop-rg-dr", "shop-vnet-dr"),
    testNetworkId: vnet("shop-rg-dr", "shop-vnet-drill"),
  },
  recoveryResourceGroup: "shop-rg-dr",
  cacheStorageAccount: "shopcachewesteurope",
  availabilitySets: [
    { resourceGroup: "shop-rg", name: "web-avset" },
    { resourceGroup: "shop-rg", name: "db-avset" },
  ],
  vms: [
    { resourceGroup: "shop-rg", name: "db-1", size: "Standard_E4s_v5", osDiskGB: 128, availabilitySet: "db-avset" },
    { resourceGroup: "shop-rg", name: "db-2", size: "Standard_E4s_v5", osDiskGB: 128, availabilitySet: "db-avset" },
    { resourceGroup: "shop-rg", name: "web-1", size: "Standard_D2s_v5", osDiskGB: 64, availabilitySet: "web-avset" },
    { resourceGroup: "shop-rg", name: "web-2", size: "Standard_D2s_v5", osDiskGB: 64, availabilitySet: "web-avset" },
  ],
  plans: [
    {
      name: "shop",
      groups: [
        { vms: ["db-1", "db-2"], after: [{ kind: "manual", name: "check-db", description: "Check the database replicas are consistent" }] },
        {
          vms: ["web-1", "web-2"],
          before: [
            {
              kind: "runbook",
              name: "switch-dns",
              runbookId: `/subscriptions/${SAMPLE_SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.Automation/automationAccounts/ops/runbooks/switch-dns`,
              fabricLocation: "Recovery",
              failoverTypes: ["PlannedFailover", "UnplannedFailover"],
            },
          ],
        },
      ],
    },
  ],
};
