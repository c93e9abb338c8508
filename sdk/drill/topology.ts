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

const storageAccountName = z.string().regex(/^[a-z0-9]{3,24}$/, "must be a storage account name (3-24 lower-case letters and digits)");
/** A Hyper-V VM's name: it is also the name of the VM failover creates in Azure. */
const hyperVVmName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be a VM name (1-64 letters, digits, '.', '_', '-')");
const hostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$/, "must be a host name (letters, digits, '.', '-')");

/** A recovery plan of the topology: boot groups of VMs (named as the topology names them) with actions. */
const planSchema = <T extends z.ZodType<string>>(member: T) =>
  z.strictObject({
    name: asrNameSchema,
    groups: z
      .array(
        z.strictObject({
          vms: z.array(member).min(1),
          before: z.array(recoveryPlanActionSchema).default([]),
          after: z.array(recoveryPlanActionSchema).default([]),
        }),
      )
      .min(1)
      .max(7),
  });

/**
 * The Hyper-V to Azure part of an estate: an on-premises site, its hosts and their VMs, replicated
 * to the vault's region under a HyperVReplicaAzure policy, and their recovery plans. Failed-over
 * VMs join `network.targetNetworkId`; test failovers use `network.testNetworkId`.
 */
export const hyperVTopologySchema = z.strictObject({
  /** The Hyper-V site (a fabric of the vault) the hosts' providers register with. */
  site: asrNameSchema,
  policy: z
    .strictObject({
      name: asrNameSchema,
      /** Copy frequency: 30 s, 5 min or 15 min. @default 300 */
      copyFrequencySeconds: z.union([z.literal(30), z.literal(300), z.literal(900)], "must be 30, 300 or 900").default(300),
      /** @default 24 */
      recoveryPointRetentionHours: z.int().min(0).max(360).default(24),
    })
    .default({ name: "hyperv-5min", copyFrequencySeconds: 300, recoveryPointRetentionHours: 24 }),
  /** Resource group (in the vault's region and subscription) where failover creates the VMs. */
  targetResourceGroup: resourceGroupNameSchema,
  /** The log storage account, in the vault's region and `targetResourceGroup` (name), where replicated changes land before they are applied. */
  logStorageAccount: storageAccountName,
  /** The Hyper-V hosts of the site and the VMs they run (each VM's disks in GB, the OS disk first; its write rate in MB/s). */
  hosts: z
    .array(
      z.strictObject({
        name: hostName,
        vms: z
          .array(
            z.strictObject({
              name: hyperVVmName,
              disksGB: z.array(z.int().min(1).max(65_536)).min(1, "needs at least the OS disk").max(64),
              churnMBps: z.number().min(0).max(10_000).optional(),
            }),
          )
          .default([]),
      }),
    )
    .min(1, "needs at least one host"),
  plans: z.array(planSchema(hyperVVmName)).default([]),
});

/**
 * An estate to drill, as a user describes it (JSON or YAML): the vault, the networks of the
 * recovery region (the one failed-over VMs join and the isolated one test failovers use), and two
 * optional parts (at least one recovery plan in all): Azure-to-Azure (the region pair, the VMs of
 * the application with their availability sets, the recovery plans) and `hyperV` (an on-premises
 * Hyper-V site replicated to the vault's region). On an emulated backend the drill builds it
 * first; on Azure it names what already exists.
 */
export const topologySchema = z
  .strictObject({
    /** The subscription the ids refer to. @default the backend's */
    subscriptionId: subscriptionIdSchema.optional(),
    /** The vault; its location defaults to `targetRegion` and is required without Azure-to-Azure VMs (Hyper-V VMs replicate to the vault's region). */
    vault: z.strictObject({ resourceGroup: resourceGroupNameSchema, name: asrNameSchema, location: regionSchema.optional() }),
    /** Azure-to-Azure: the region the VMs run in (required with `vms`). */
    sourceRegion: regionSchema.optional(),
    /** Azure-to-Azure: the region they fail over to (required with `vms`). */
    targetRegion: regionSchema.optional(),
    policy: z
      .strictObject({
        name: asrNameSchema,
        recoveryPointRetentionMinutes: z.int().min(0).max(21600).default(1440),
        appConsistentFrequencyMinutes: z.int().min(0).max(720).default(240),
      })
      .default({ name: "a2a-24h", recoveryPointRetentionMinutes: 1440, appConsistentFrequencyMinutes: 240 }),
    /** `sourceNetworkId` is the Azure-to-Azure VMs' network (required with `vms`); the other two are in the recovery region. */
    network: z.strictObject({ sourceNetworkId: vnetId.optional(), targetNetworkId: vnetId, testNetworkId: vnetId }),
    /** Azure-to-Azure: where the VMs' replicas and failed-over VMs go (required with `vms`). */
    recoveryResourceGroup: resourceGroupNameSchema.optional(),
    /** Azure-to-Azure: the cache storage account in the source region (name; created in the first VM's resource group on emulated backends; required with `vms`). */
    cacheStorageAccount: storageAccountName.optional(),
    /** Availability sets: each exists in the source region and, with the same name, in the recovery resource group. */
    availabilitySets: z
      .array(z.strictObject({ resourceGroup: resourceGroupNameSchema, name: z.string().min(1).max(80), faultDomains: z.int().min(1).max(3).default(2) }))
      .default([]),
    /** Azure-to-Azure VMs. @default none (a Hyper-V estate) */
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
      .default([]),
    /** Recovery plans of Azure-to-Azure VMs. */
    plans: z.array(planSchema(vmName)).default([]),
    /** Hyper-V to Azure. */
    hyperV: hyperVTopologySchema.optional(),
  })
  .superRefine((topology, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: "custom", path, message });
    const vms = new Set(topology.vms.map((v) => v.name.toLowerCase()));
    const sets = new Set(topology.availabilitySets.map((s) => s.name.toLowerCase()));
    topology.vms.forEach((vm, i) => {
      if (vm.availabilitySet !== undefined && !sets.has(vm.availabilitySet.toLowerCase()))
        issue(["vms", i, "availabilitySet"], `'${vm.availabilitySet}' is not in availabilitySets`);
    });
    if (topology.vms.length > 0) {
      for (const field of ["sourceRegion", "targetRegion", "recoveryResourceGroup", "cacheStorageAccount"] as const)
        if (topology[field] === undefined) issue([field], "is required with Azure-to-Azure vms");
      if (topology.network.sourceNetworkId === undefined) issue(["network", "sourceNetworkId"], "is required with Azure-to-Azure vms");
    } else if (topology.vault.location === undefined) {
      issue(["vault", "location"], "is required without Azure-to-Azure vms (Hyper-V VMs replicate to the vault's region)");
    }
    if (topology.sourceRegion !== undefined && topology.sourceRegion === topology.targetRegion) issue(["targetRegion"], "must differ from sourceRegion");
    const hyperVVms = new Set<string>();
    const hosts = new Set<string>();
    topology.hyperV?.hosts.forEach((host, h) => {
      if (hosts.has(host.name.toLowerCase())) issue(["hyperV", "hosts", h, "name"], `'${host.name}' is named twice`);
      hosts.add(host.name.toLowerCase());
      host.vms.forEach((vm, v) => {
        const name = vm.name.toLowerCase();
        if (hyperVVms.has(name) || vms.has(name)) issue(["hyperV", "hosts", h, "vms", v, "name"], `'${vm.name}' is the name of another VM of the estate`);
        hyperVVms.add(name);
      });
    });
    const seen = new Set<string>();
    const planNames = new Set<string>();
    const checkPlans = (plans: { name: string; groups: { vms: string[] }[] }[], prefix: string[], members: Set<string>, where: string): void =>
      plans.forEach((plan, p) => {
        if (planNames.has(plan.name.toLowerCase())) issue([...prefix, p, "name"], `'${plan.name}' is the name of another plan of the estate`);
        planNames.add(plan.name.toLowerCase());
        plan.groups.forEach((group, g) =>
          group.vms.forEach((name, v) => {
            const path = [...prefix, p, "groups", g, "vms", v];
            if (!members.has(name.toLowerCase())) issue(path, `'${name}' is not in ${where}`);
            if (seen.has(name.toLowerCase())) issue(path, `'${name}' is in more than one plan or group`);
            seen.add(name.toLowerCase());
          }),
        );
      });
    checkPlans(topology.plans, ["plans"], vms, "vms");
    if (topology.hyperV !== undefined) checkPlans(topology.hyperV.plans, ["hyperV", "plans"], hyperVVms, "the VMs of hyperV.hosts");
    if (planNames.size === 0 && seen.size === 0) issue(["plans"], "needs at least one recovery plan (in plans or hyperV.plans)");
  });

/** An estate as a user writes it. */
export type TopologyInput = z.input<typeof topologySchema>;
/** An estate, validated and with its defaults. */
export type Topology = z.output<typeof topologySchema>;

/** The Hyper-V part of an estate, validated and with its defaults. */
export type HyperVTopology = z.output<typeof hyperVTopologySchema>;

/** The Azure-to-Azure part of an estate, its fields all present. */
export interface A2ATopology {
  sourceRegion: string;
  targetRegion: string;
  policy: Topology["policy"];
  network: { sourceNetworkId: string; targetNetworkId: string; testNetworkId: string };
  recoveryResourceGroup: string;
  cacheStorageAccount: string;
  availabilitySets: Topology["availabilitySets"];
  vms: Topology["vms"];
  plans: Topology["plans"];
}

/** The Azure-to-Azure part of a validated estate, or undefined when it has no Azure-to-Azure VM (a Hyper-V estate). Throws nothing. */
export function a2aPart(topology: Topology): A2ATopology | undefined {
  const { sourceRegion, targetRegion, recoveryResourceGroup, cacheStorageAccount } = topology;
  const sourceNetworkId = topology.network.sourceNetworkId;
  if (topology.vms.length === 0 || sourceRegion === undefined || targetRegion === undefined || recoveryResourceGroup === undefined) return undefined;
  if (cacheStorageAccount === undefined || sourceNetworkId === undefined) return undefined;
  return {
    sourceRegion,
    targetRegion,
    policy: topology.policy,
    network: { ...topology.network, sourceNetworkId },
    recoveryResourceGroup,
    cacheStorageAccount,
    availabilitySets: topology.availabilitySets,
    vms: topology.vms,
    plans: topology.plans,
  };
}

/** Where the vault is: `vault.location`, else the Azure-to-Azure target region (validation makes one of them present). Throws nothing. */
export function vaultLocation(topology: Topology): string {
  return topology.vault.location ?? topology.targetRegion ?? "";
}

/** Every VM of the estate by name: the Azure-to-Azure VMs, then the Hyper-V ones (host by host). Throws nothing. */
export function estateVmNames(topology: Topology): string[] {
  return [...topology.vms.map((v) => v.name), ...(topology.hyperV?.hosts.flatMap((h) => h.vms.map((v) => v.name)) ?? [])];
}

/** Every recovery plan of the estate: the Azure-to-Azure ones, then the Hyper-V ones. Throws nothing. */
export function estatePlans(topology: Topology): Topology["plans"] {
  return [...topology.plans, ...(topology.hyperV?.plans ?? [])];
}

const SAMPLE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const vnet = (rg: string, name: string): string =>
  `/subscriptions/${SAMPLE_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;

/**
 * The drill's built-in estate: a two-tier shop in West Europe protected to North Europe: two web
 * VMs and two database VMs, each tier in its availability set (in both regions), one recovery
 * plan that brings the database up first, waits for a manual check, runs a DNS runbook, then
 * brings the web tier up.
 */
export const SAMPLE_TOPOLOGY = {
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
} satisfies TopologyInput;

const onPremisesVm = (name: string, disksGB: number[], churnMBps: number): HyperVTopology["hosts"][number]["vms"][number] => ({ name, disksGB, churnMBps });

/**
 * The drill's built-in Hyper-V estate: an on-premises site of two Hyper-V hosts replicating to
 * West Europe every 5 minutes: a SQL Server VM on the first host, two web VMs (one per host), and
 * one recovery plan that brings the database up first, waits for a manual check, then the web tier.
 */
export const SAMPLE_HYPERV_TOPOLOGY = {
  vault: { resourceGroup: "onprem-dr-rg", name: "onprem-vault", location: "westeurope" },
  network: {
    targetNetworkId: vnet("onprem-dr-rg", "onprem-vnet-dr"),
    testNetworkId: vnet("onprem-dr-rg", "onprem-vnet-drill"),
  },
  hyperV: {
    site: "site-onprem",
    policy: { name: "hyperv-5min", copyFrequencySeconds: 300, recoveryPointRetentionHours: 24 },
    targetResourceGroup: "onprem-dr-rg",
    logStorageAccount: "hvlogwesteurope",
    hosts: [
      { name: "hv-host-01", vms: [onPremisesVm("sql-0", [40, 200], 4), onPremisesVm("web-0", [40], 1)] },
      { name: "hv-host-02", vms: [onPremisesVm("web-1", [40], 1)] },
    ],
    plans: [
      {
        name: "onprem",
        groups: [
          { vms: ["sql-0"], after: [{ kind: "manual", name: "check-sql", description: "Check the SQL Server databases are online" }] },
          { vms: ["web-0", "web-1"] },
        ],
      },
    ],
  },
} satisfies TopologyInput;
