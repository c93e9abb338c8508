import { z } from "zod";
import { availabilitySetIdSchema, vmIdSchema } from "./maintenanceIds.js";
import { resourceGroupNameSchema, virtualMachineNameSchema } from "./names.js";

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** A time: a Date, or an ISO 8601 string as a plan written to JSON holds it. */
const timeSchema = z.union([z.date(), z.iso.datetime({ offset: true }).transform((text) => new Date(text))]);
const durationSchema = (max: number, min = 0): z.ZodType<number, number> =>
  z.int("must be a whole number of milliseconds").min(min, `must be ${min} ms to ${max} ms`).max(max, `must be ${min} ms to ${max} ms`);

/**
 * Names VMs in an order or an exclusion: a VM or availability set by name or ARM id (names compared
 * case-insensitively), or every VM with a tag, as `tag:<name>=<value>`.
 */
export const maintenanceSelectorSchema = z
  .string()
  .min(1, "must not be empty")
  .max(1024, "must be at most 1024 characters")
  .refine((selector) => !selector.startsWith("tag:") || /^tag:[^=]+=/.test(selector), { message: "a tag selector is written tag:<name>=<value>" });

/** How VMs are ordered: by update domain, or in tiers the owner gives (each tier a selector or a list of them). */
const orderSchema = z.union([
  z.literal("updateDomain"),
  z
    .array(z.union([maintenanceSelectorSchema, z.array(maintenanceSelectorSchema).min(1, "a tier names at least one VM or set").max(1000)]))
    .min(1, "names at least one tier")
    .max(1000),
]);

/** Input of {@link MaintenanceOperations.plan}: which VMs, in which order, at which pace. */
export const maintenancePlanInputSchema = z
  .strictObject({
    /** VMs to maintain, by ARM id. */
    virtualMachineIds: z.array(vmIdSchema).max(2000).optional(),
    /** Availability sets whose VMs to maintain, by ARM id. */
    availabilitySetIds: z.array(availabilitySetIdSchema).max(500).optional(),
    /** Maintain every VM of this resource group. */
    resourceGroup: resourceGroupNameSchema.optional(),
    /**
     * `updateDomain` (default): update domain 0 of every set, then 1, ...; single-instance VMs last.
     * Or tiers in the order to follow, e.g. `["app-as", "db-as"]` (app tier before database tier) or
     * `["web-1", "web-0", "web-2"]`; within a tier, by update domain. VMs no tier names are left out.
     */
    order: orderSchema.default("updateDomain"),
    /** VMs to leave out (selectors). */
    exclude: z.array(maintenanceSelectorSchema).max(1000).default([]),
    /** `vm` (default): one VM per step; `updateDomain`: the VMs of one update domain (per set) together. */
    batch: z.enum(["vm", "updateDomain"], "must be 'vm' or 'updateDomain'").default("vm"),
    /** Wait between two steps in the same update domain (or of single-instance VMs). @default 0 */
    gapBetweenVmsMs: durationSchema(DAY_MS).default(0),
    /** Wait before a step that takes down another update domain. @default 30 minutes (what Azure itself waits) */
    gapBetweenUpdateDomainsMs: durationSchema(7 * DAY_MS).default(30 * MINUTE_MS),
    /** How long one VM's maintenance is expected to take, for the schedule and the windows. @default 15 minutes */
    expectedDurationMs: durationSchema(DAY_MS, MINUTE_MS).default(15 * MINUTE_MS),
  })
  .refine((input) => (input.virtualMachineIds?.length ?? 0) + (input.availabilitySetIds?.length ?? 0) > 0 || input.resourceGroup !== undefined, {
    path: ["virtualMachineIds"],
    message: "name the VMs to maintain: virtualMachineIds, availabilitySetIds or resourceGroup",
  });

/** What a caller passes to plan maintenance. */
export type MaintenancePlanInput = z.input<typeof maintenancePlanInputSchema>;

/**
 * Why a VM is left out of a plan (or skipped by a run):
 * - `noMaintenance`: no maintenance is announced for it (no window);
 * - `windowNotYetOpen` / `windowClosed`: its self-service window opens later / is over (Azure does it in the scheduled window);
 * - `windowClosesBeforeTurn`: its window closes before its turn would end;
 * - `alreadyDone`: its maintenance was completed;
 * - `excludedAfterFailure`: its maintenance was aborted (Azure dropped it from the wave), or it failed in this run;
 * - `retryLater`: Azure answered the last attempt with `RetryLater`: not startable for now;
 * - `oneDomainRule`: another update domain of its set is in maintenance: starting it would take two down at once;
 * - `notInOrder`: the owner's order does not name it;
 * - `excludedByUser`: the owner excluded it.
 */
export const maintenanceExclusionReasonSchema = z.enum([
  "noMaintenance",
  "windowNotYetOpen",
  "windowClosed",
  "windowClosesBeforeTurn",
  "alreadyDone",
  "excludedAfterFailure",
  "retryLater",
  "oneDomainRule",
  "notInOrder",
  "excludedByUser",
]);

/** Why a VM is left out; see {@link maintenanceExclusionReasonSchema}. */
export type MaintenanceExclusionReason = z.output<typeof maintenanceExclusionReasonSchema>;

/** A VM as a plan names it. */
export const plannedVmSchema = z.strictObject({
  id: vmIdSchema,
  name: virtualMachineNameSchema,
  resourceGroup: resourceGroupNameSchema,
  availabilitySetId: availabilitySetIdSchema.optional(),
  availabilitySetName: z.string().max(80).optional(),
  updateDomain: z.int().min(0).max(19).optional(),
  /** Its self-service window when the plan was made. */
  selfServiceWindow: z.strictObject({ start: timeSchema, end: timeSchema }).optional(),
});

/** A VM as a plan names it. */
export type PlannedVm = z.output<typeof plannedVmSchema>;

/** One step of a plan: VMs started (or, when already under way, awaited) together, after a gap. */
export const maintenancePlanStepSchema = z.strictObject({
  /** 1-based. */
  index: z.int().min(1),
  /** `perform`: start their maintenance; `await`: their maintenance is under way (e.g. started by a run that stopped): wait for it. */
  action: z.enum(["perform", "await"]),
  /** Which tier of the order it belongs to (0-based; the `await` step has tier 0). */
  tier: z.int().min(0),
  vms: z.array(plannedVmSchema).min(1).max(2000),
  /** What is waited before it, and why. */
  gapBeforeMs: z.int().min(0),
  gapKind: z.enum(["none", "betweenVms", "betweenUpdateDomains"]),
  estimatedStart: timeSchema,
  estimatedEnd: timeSchema,
});

/** One step of a plan. */
export type MaintenancePlanStep = z.output<typeof maintenancePlanStepSchema>;

/** A VM left out of a plan, with why. */
export const maintenanceExclusionSchema = z.strictObject({
  vm: plannedVmSchema,
  reason: maintenanceExclusionReasonSchema,
  /** Says why in words, e.g. "its self-service window ends at ..., before its turn ends (...)". */
  detail: z.string().min(1).max(2000),
});

/** A VM left out of a plan. */
export type MaintenanceExclusion = z.output<typeof maintenanceExclusionSchema>;

/**
 * A maintenance plan: plain data (it can be written to JSON, reviewed, and given to
 * {@link MaintenanceOperations.run} later or by another process). Steps run one after the other;
 * a step never holds two update domains of one set; every VM it leaves out is listed with why.
 */
export const maintenancePlanSchema = z.strictObject({
  kind: z.literal("azure-dr/maintenance-plan"),
  /** The backend's time when it was made: windows and estimates count from there. */
  createdAt: timeSchema,
  settings: z.strictObject({
    batch: z.enum(["vm", "updateDomain"]),
    gapBetweenVmsMs: durationSchema(DAY_MS),
    gapBetweenUpdateDomainsMs: durationSchema(7 * DAY_MS),
    expectedDurationMs: durationSchema(DAY_MS, MINUTE_MS),
  }),
  steps: z.array(maintenancePlanStepSchema).max(5000),
  excluded: z.array(maintenanceExclusionSchema).max(10_000),
  /** When the last step is expected to end (createdAt when there is no step). */
  estimatedEnd: timeSchema,
});

/** A maintenance plan; see {@link maintenancePlanSchema}. */
export type MaintenancePlan = z.output<typeof maintenancePlanSchema>;

/** A maintenance plan as a run takes it: as made, or read back from JSON (times as ISO 8601 strings). */
export type MaintenancePlanDocument = z.input<typeof maintenancePlanSchema>;

/** The plan's pacing, as {@link maintenancePlanSchema} keeps it. */
export type MaintenancePlanSettings = MaintenancePlan["settings"];
