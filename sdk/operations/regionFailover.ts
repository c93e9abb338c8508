import type { SiteRecoveryGateway } from "../azure/siteRecoveryGateway.js";
import { isDrError } from "../errors.js";
import { logger } from "../logger.js";
import type { PlanRunResult } from "../model/planRun.js";
import type { RecoveryPlan } from "../model/recoveryPlan.js";
import type { VaultRef } from "../model/vault.js";
import { PlanRuns, type PlanRunOptions } from "./planRuns.js";

/** Options of the region-outage runbook. */
export interface RegionFailoverOptions extends Omit<PlanRunOptions, "onProgress"> {
  /** Which point each VM is recovered from. @default "Latest" (with the region down: the newest point the service has) */
  recoveryPoint?: "Latest" | "LatestProcessed" | "LatestApplicationConsistent" | "LatestCrashConsistent";
  /** Called on every reading of each plan's job. */
  onProgress?: (plan: string, progress: Parameters<NonNullable<PlanRunOptions["onProgress"]>>[0]) => void;
}

/** What the runbook did for one plan. */
export interface RegionFailoverPlanReport {
  plan: string;
  /** `recovered`: every VM is up in the other region; `partial`: some are; `failed`: none; `skipped`: the plan was not failed over (see `reason`). */
  outcome: "recovered" | "partial" | "failed" | "skipped";
  reason: string | undefined;
  /** VMs up in the other region, with the data they lost. */
  recovered: { name: string; group: number; dataLossSeconds: number | undefined; upAt: Date | undefined }[];
  /** VMs of the plan not recovered, with why. */
  lost: { name: string; reason: string }[];
  /** VMs of the plan that had failed over before this run (left out of it). */
  alreadyFailedOver: string[];
  result: PlanRunResult | undefined;
}

/** What the region-outage runbook did. */
export interface RegionFailoverReport {
  region: string;
  plans: RegionFailoverPlanReport[];
  /** The largest data loss among the recovered VMs, in seconds. */
  dataLossSeconds: number | undefined;
  /** The longest time until a plan's last group was up, in seconds. */
  recoveryTimeSeconds: number | undefined;
}

/** Fails over one plan (the runbook's step for each plan). */
export type PlanFailoverStep = (plan: RecoveryPlan, options: PlanRunOptions) => Promise<PlanRunResult>;

/** What the site-outage runbook did: the region report's figures, for an on-premises Hyper-V site. */
export type SiteFailoverReport = Omit<RegionFailoverReport, "region"> & { site: string };

/**
 * The region-outage runbook: every recovery plan of the vault whose VMs run in `region` now is
 * failed over (unplanned, in parallel across plans), and the report says per plan which VMs were
 * recovered, with their data loss, and which were lost and why. Plans that do not run in the region
 * are left alone; plans that cannot fail over are reported `skipped` with the reason.
 */
export async function failoverRegion(
  asr: SiteRecoveryGateway,
  vault: VaultRef,
  region: string,
  failoverPlan: PlanFailoverStep,
  options: RegionFailoverOptions,
): Promise<RegionFailoverReport> {
  const fabrics = await asr.listFabrics(vault);
  const locationOf = (fabricId: string): string | undefined => fabrics.find((f) => f.id.toLowerCase() === fabricId.toLowerCase())?.location;
  const plans: RecoveryPlan[] = [];
  for await (const plan of asr.listRecoveryPlans(vault)) {
    const source = PlanRuns.direction(plan) === "PrimaryToRecovery" ? plan.primaryFabricId : plan.recoveryFabricId;
    if (locationOf(source)?.toLowerCase() === region.toLowerCase()) plans.push(plan);
  }
  logger.info(`region ${region} is down: failing over ${plans.length} recovery plan(s): ${plans.map((p) => p.name).join(", ")}`);
  return { region, ...(await failoverPlans(plans, failoverPlan, options)) };
}

/**
 * The site-outage runbook (Hyper-V to Azure): every recovery plan of the vault whose VMs replicate
 * from the site `siteId` is failed over to Azure (unplanned, in parallel across plans), with the same
 * report as {@link failoverRegion}; plans already failed over are reported `skipped`.
 */
export async function failoverSite(
  asr: SiteRecoveryGateway,
  vault: VaultRef,
  siteId: string,
  failoverPlan: PlanFailoverStep,
  options: RegionFailoverOptions,
): Promise<SiteFailoverReport> {
  const plans: RecoveryPlan[] = [];
  for await (const plan of asr.listRecoveryPlans(vault)) if (plan.primaryFabricId.toLowerCase() === siteId.toLowerCase()) plans.push(plan);
  const site = siteId.slice(siteId.lastIndexOf("/") + 1);
  logger.info(`site ${site} is down: failing over ${plans.length} recovery plan(s) to Azure: ${plans.map((p) => p.name).join(", ")}`);
  return { site, ...(await failoverPlans(plans, failoverPlan, options)) };
}

/** Fails the plans over in parallel and reports per plan, with the largest data loss and recovery time. */
async function failoverPlans(
  plans: RecoveryPlan[],
  failoverPlan: PlanFailoverStep,
  options: RegionFailoverOptions,
): Promise<Omit<RegionFailoverReport, "region">> {
  const reports = await Promise.all(
    plans.map(async (plan): Promise<RegionFailoverPlanReport> => {
      const names = plan.groups.flatMap((g) => g.protectedVmIds).map((id) => id.slice(id.lastIndexOf("/") + 1));
      try {
        const result = await failoverPlan(plan, {
          ...(options.onManualAction === undefined ? {} : { onManualAction: options.onManualAction }),
          ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
          ...(options.timeoutInMs === undefined ? {} : { timeoutInMs: options.timeoutInMs }),
          onProgress: (progress) => options.onProgress?.(plan.name, progress),
        });
        return planReport(plan.name, names, result);
      } catch (error) {
        if (!isDrError(error) || error.code !== "InvalidState") throw error;
        return { plan: plan.name, outcome: "skipped", reason: error.message, recovered: [], lost: [], alreadyFailedOver: [], result: undefined };
      }
    }),
  );
  const losses = reports.flatMap((r) => r.recovered.flatMap((v) => (v.dataLossSeconds === undefined ? [] : [v.dataLossSeconds])));
  const times = reports.flatMap((r) => (r.result?.recoveryTimeSeconds === undefined ? [] : [r.result.recoveryTimeSeconds]));
  return {
    plans: reports,
    dataLossSeconds: losses.length === 0 ? undefined : Math.max(...losses),
    recoveryTimeSeconds: times.length === 0 ? undefined : Math.max(...times),
  };
}

function planReport(plan: string, names: string[], result: PlanRunResult): RegionFailoverPlanReport {
  const inRun = new Set(result.items.map((i) => i.name.toLowerCase()));
  const up = result.items.filter((i) => i.upAt !== undefined);
  const reason = result.error === undefined ? `the plan's job is ${result.state}` : `${result.error.code}: ${result.error.message}`;
  const lost = result.items.filter((i) => i.upAt === undefined).map((i) => ({ name: i.name, reason }));
  return {
    plan,
    outcome: lost.length === 0 ? "recovered" : up.length === 0 ? "failed" : "partial",
    reason: lost.length === 0 ? undefined : reason,
    recovered: up.map((i) => ({ name: i.name, group: i.group, dataLossSeconds: i.dataLossSeconds, upAt: i.upAt })),
    lost,
    alreadyFailedOver: names.filter((n) => !inRun.has(n.toLowerCase())),
    result,
  };
}
