import { spawnSync } from "node:child_process";
import { Command, InvalidArgumentError, Option } from "commander";
import {
  DrClient,
  InvalidStateError,
  ValidationError,
  formatResourceId,
  type MaintenanceInventory,
  type MaintenancePlan,
  type MaintenancePlanInput,
  type MaintenanceRunEvent,
  type MaintenanceRunReport,
  type MaintenanceVm,
  type PlannedVm,
} from "../sdk/index.js";
import { backendBanner } from "./backendBanner.js";
import { confirmOperation } from "./confirmation.js";
import { EXIT, reportFailure } from "./failure.js";
import { openBackend } from "./openBackend.js";
import { resolveSettings, withBackendFlags, type CliSettings, type SettingsFlags } from "./settings.js";

interface ScopeFlags extends SettingsFlags {
  resourceGroup?: string;
  availabilitySet?: string[];
  json?: boolean;
}

interface PlanFlags extends ScopeFlags {
  vm?: string[];
  order?: string;
  exclude?: string[];
  batch: "vm" | "update-domain";
  gapVms?: number;
  gapUpdateDomains?: number;
  expectedDuration?: number;
}

interface RunFlags extends PlanFlags {
  healthCheck?: string;
  dryRun?: boolean;
  readyTimeout?: number;
  yes?: boolean;
}

/** What a subcommand does once the client and the output are set; resolves with the exit code. */
type Body<F> = (context: { dr: DrClient; flags: F; settings: CliSettings; out: (text: string) => void; signal: AbortSignal }) => Promise<number>;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Commander parser of a duration: `90s`, `5m`, `1h`, `250ms`; a bare number is minutes. */
function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError("must be a duration such as 90s, 5m or 1h (a bare number is minutes).");
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? "m"] ?? 60_000));
}

/** Commander collector of a repeatable flag that also takes comma-separated values. */
function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== ""),
  ];
}

function when(at: Date | undefined): string {
  return at === undefined ? "-" : `${at.toISOString().slice(0, 16).replace("T", " ")}Z`;
}

function span(ms: number): string {
  if (ms === 0) return "0";
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** Columns padded to their widest cell. */
function table(rows: string[][], indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd()).join("\n");
}

function where(vm: PlannedVm): string {
  return vm.availabilitySetName === undefined ? "single instance" : `${vm.availabilitySetName} UD ${vm.updateDomain ?? 0}`;
}

/** Adds the backend flags and runs `body` with a client; errors are printed with their code and what to do. */
function subcommand<F extends ScopeFlags>(name: string, description: string, examples: string[], body: Body<F>): Command {
  const command = new Command(name)
    .description(description)
    .option("--resource-group <name>", "the resource group (VM and set names are looked up in it)")
    .option("--json", "print the result as JSON (progress goes to stderr)");
  return withBackendFlags(command)
    .addHelpText(
      "after",
      `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\nExit codes: 0 done, 1 failed or not confirmed, 2 bad input (an unknown option, a bad value, --yes missing without a terminal), 3 nothing can be maintained now, 130 stopped (Ctrl-C).`,
    )
    .action(async (flags: F) => {
      const controller = new AbortController();
      const onSigint = (): void => {
        if (controller.signal.aborted) process.exit(EXIT.interrupted);
        process.stderr.write("\nCtrl-C: stopping after the current poll (a maintenance under way goes on in Azure); Ctrl-C again quits at once.\n");
        controller.abort();
      };
      process.on("SIGINT", onSigint);
      let dr: DrClient | undefined;
      try {
        const settings = resolveSettings(flags);
        process.stderr.write(backendBanner(settings));
        dr = new DrClient(await openBackend(settings));
        const out = (text: string): void => void (flags.json === true ? process.stderr : process.stdout).write(text);
        process.exitCode = await body({ dr, flags, settings, out, signal: controller.signal });
      } catch (error) {
        process.exitCode = reportFailure(error);
      } finally {
        process.off("SIGINT", onSigint);
        await dr?.close();
      }
    });
}

function json(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A VM or availability set flag as an ARM id: ids as given, names in `--resource-group`. */
function idOf(dr: DrClient, flags: ScopeFlags, value: string, type: "virtualMachines" | "availabilitySets", flag: string): string {
  if (value.startsWith("/")) return value;
  if (flags.resourceGroup === undefined) throw new ValidationError(flag, `'${value}' is a name: give --resource-group <name> with it, or the ARM id`);
  return formatResourceId({ subscriptionId: dr.backend.subscriptionId, resourceGroup: flags.resourceGroup, provider: "Microsoft.Compute", type, name: value });
}

function statusTable(inventory: MaintenanceInventory): string {
  const header = ["UD", "VM", "power", "maintenance", "start now", "self-service window", "scheduled window", "last result"];
  const row = (vm: MaintenanceVm, ud: string): string[] => [
    ud,
    vm.name,
    vm.powerState,
    vm.maintenance.phase,
    vm.maintenance.selfServiceAllowed ? "yes" : "no",
    vm.maintenance.selfServiceWindow === undefined ? "-" : `${when(vm.maintenance.selfServiceWindow.start)} -> ${when(vm.maintenance.selfServiceWindow.end)}`,
    vm.maintenance.scheduledWindow === undefined ? "-" : `${when(vm.maintenance.scheduledWindow.start)} -> ${when(vm.maintenance.scheduledWindow.end)}`,
    `${vm.maintenance.lastResultCode}${vm.maintenance.lastMessage === undefined ? "" : `: ${vm.maintenance.lastMessage}`}`,
  ];
  const scope = inventory.scope.availabilitySetId ?? inventory.scope.resourceGroup ?? "the subscription";
  const parts = [`Planned maintenance in ${scope}, read at ${when(inventory.readAt)}: ${inventory.vms.length} VM(s)`];
  for (const set of inventory.sets) {
    parts.push(
      `\nAvailability set ${set.name} (${set.resourceGroup}, ${set.updateDomainCount ?? "?"} update domains, ${set.faultDomainCount ?? "?"} fault domains)`,
    );
    const rows = set.updateDomains.flatMap((domain) => domain.vms.map((vm) => row(vm, String(domain.updateDomain))));
    parts.push(rows.length === 0 ? "  no VM" : table([header, ...rows]));
  }
  if (inventory.singleInstanceVms.length > 0) {
    parts.push("\nSingle-instance VMs (in no availability set: Azure gives no guarantee of which VMs are maintained together)");
    parts.push(table([header, ...inventory.singleInstanceVms.map((vm) => row(vm, "-"))]));
  }
  return `${parts.join("\n")}\n`;
}

function planText(plan: MaintenancePlan): string {
  const count = plan.steps.reduce((n, step) => n + step.vms.length, 0);
  const pace = plan.settings.batch === "vm" ? "one VM at a time" : "one update domain at a time";
  const lines = [
    `Maintenance plan: ${count} VM(s) in ${plan.steps.length} step(s), ${pace}, never two update domains of a set at once; made ${when(plan.createdAt)}, estimated end ${when(plan.estimatedEnd)}`,
  ];
  if (plan.steps.length > 0) {
    const rows = plan.steps.map((step) => [
      String(step.index),
      when(step.estimatedStart),
      step.gapKind === "none" ? "-" : `${span(step.gapBeforeMs)} (${step.gapKind === "betweenVms" ? "between VMs" : "between update domains"})`,
      step.action === "await" ? "await (under way)" : "perform",
      step.vms.map((vm) => `${vm.name} (${where(vm)})`).join(", "),
    ]);
    lines.push(table([["step", "start (est.)", "gap before", "action", "VMs"], ...rows]));
  }
  if (plan.excluded.length > 0) {
    lines.push(`Left out (${plan.excluded.length}):`);
    lines.push(table(plan.excluded.map((e) => [e.vm.name, where(e.vm), e.reason, e.detail])));
  }
  return `${lines.join("\n")}\n`;
}

function planInput(dr: DrClient, flags: PlanFlags): MaintenancePlanInput {
  const vms = (flags.vm ?? []).map((v) => idOf(dr, flags, v, "virtualMachines", "vm"));
  const sets = (flags.availabilitySet ?? []).map((s) => idOf(dr, flags, s, "availabilitySets", "availability-set"));
  if (vms.length === 0 && sets.length === 0 && flags.resourceGroup === undefined)
    throw new ValidationError("resource-group", "say what to maintain: --resource-group <name>, --availability-set <name or id> or --vm <name or id>");
  const order =
    flags.order === undefined || flags.order === "update-domain"
      ? ("updateDomain" as const)
      : list(flags.order).map((tier) => (tier.includes("+") ? tier.split("+").filter((s) => s !== "") : tier));
  return {
    ...(vms.length === 0 ? {} : { virtualMachineIds: vms }),
    ...(sets.length === 0 ? {} : { availabilitySetIds: sets }),
    ...(vms.length === 0 && sets.length === 0 && flags.resourceGroup !== undefined ? { resourceGroup: flags.resourceGroup } : {}),
    order,
    exclude: flags.exclude ?? [],
    batch: flags.batch === "update-domain" ? "updateDomain" : "vm",
    ...(flags.gapVms === undefined ? {} : { gapBetweenVmsMs: flags.gapVms }),
    ...(flags.gapUpdateDomains === undefined ? {} : { gapBetweenUpdateDomainsMs: flags.gapUpdateDomains }),
    ...(flags.expectedDuration === undefined ? {} : { expectedDurationMs: flags.expectedDuration }),
  };
}

function withPlanFlags(command: Command): Command {
  return command
    .option("--availability-set <name or id>", "maintain the VMs of this set (repeatable, or comma-separated)", list)
    .option("--vm <name or id>", "maintain this VM (repeatable, or comma-separated)", list)
    .option("--order <tiers>", "update-domain (default), or tiers in order, comma-separated: set or VM names, ids, tag:<name>=<value>; join a tier with +")
    .option("--exclude <names>", "leave these VMs or sets out (repeatable, or comma-separated)", list)
    .addOption(
      new Option("--batch <kind>", "vm: one VM per step; update-domain: the VMs of an update domain together").choices(["vm", "update-domain"]).default("vm"),
    )
    .option("--gap-vms <duration>", "wait between two steps in the same update domain (default 0)", duration)
    .option("--gap-update-domains <duration>", "wait before a step that takes down another update domain (default 30m)", duration)
    .option("--expected-duration <duration>", "how long one VM's maintenance is expected to take, for the windows (default 15m)", duration);
}

/** Exit code of a run that has nothing to do: 0 when everything is done already, 3 when nothing can be maintained now. */
function nothingToRun(plan: MaintenancePlan): number {
  if (plan.excluded.every((e) => e.reason === "alreadyDone")) return EXIT.ok;
  throw new InvalidStateError(
    `nothing can be maintained now: ${plan.excluded.map((e) => `${e.vm.name} (${e.reason})`).join(", ") || "no VM matched"}. \`azure-dr maintenance status\` shows the windows.`,
  );
}

/** One line per run event that a person wants to see. */
function progressLine(event: MaintenanceRunEvent): string | undefined {
  const at = when(event.at).slice(11);
  switch (event.type) {
    case "waiting":
      return `${at} waiting ${span(event.ms)} (${event.gapKind === "betweenVms" ? "between VMs" : "between update domains"}) before step ${event.step}`;
    case "step-started":
      return `${at} step ${event.step}: ${event.vms.join(", ")}`;
    case "vm-started":
      return `${at}   ${event.vm}: maintenance started`;
    case "vm-awaiting":
      return `${at}   ${event.vm}: maintenance under way, following it`;
    case "vm-ended":
      return `${at}   ${event.vm}: ${event.outcome}${event.detail === undefined || event.detail === "maintained" ? "" : ` (${event.detail})`}`;
    case "health-check":
      return `${at}   health check: ${event.passed ? "passed" : "FAILED"}`;
    case "step-ended":
      return event.state === "done" || event.state === "skipped" ? undefined : `${at} step ${event.step} ${event.state}`;
    case "run-ended":
      return undefined;
  }
}

function reportText(report: MaintenanceRunReport): string {
  const counts = new Map<string, number>();
  for (const vm of report.vms) counts.set(vm.outcome, (counts.get(vm.outcome) ?? 0) + 1);
  const lines = [
    `\nMaintenance run ${report.outcome} (${when(report.startedAt)} -> ${when(report.endedAt)}): ${[...counts].map(([outcome, n]) => `${n} ${outcome}`).join(", ") || "no VM"}`,
    table(report.vms.map((vm) => [String(vm.step), vm.vm.name, where(vm.vm), vm.outcome, vm.startedByThisRun ? "started by this run" : "", vm.detail ?? ""])),
  ];
  if (report.failure !== undefined) lines.push(`Stopped at step ${report.failure.step}: ${report.failure.code}: ${report.failure.message}`);
  for (const step of report.nextSteps) lines.push(`Next: ${step}`);
  return `${lines.join("\n")}\n`;
}

function shellHealthCheck(command: string, toStderr: boolean): (request: { step: number; vms: PlannedVm[] }) => boolean {
  return ({ step, vms }) => {
    const result = spawnSync(command, {
      shell: true,
      stdio: ["ignore", toStderr ? 2 : "inherit", "inherit"],
      env: { ...process.env, AZURE_DR_MAINTENANCE_STEP: String(step), AZURE_DR_MAINTENANCE_VMS: vms.map((vm) => vm.name).join(",") },
    });
    return result.status === 0;
  };
}

/** `azure-dr maintenance status | plan | run`: planned maintenance of VMs, owner-driven, one update domain at a time. */
export function maintenanceCommand(): Command {
  const status = subcommand<ScopeFlags>(
    "status",
    "Show each VM's planned maintenance: both windows, whether you may start it now, the last result; by availability set and update domain.",
    ["azure-dr maintenance status --resource-group shop-rg", "azure-dr maintenance status --resource-group shop-rg --availability-set web-as --json"],
    async ({ dr, flags }) => {
      const sets = flags.availabilitySet ?? [];
      if (sets.length > 1) throw new ValidationError("availability-set", "status takes one availability set (or none)");
      const set = sets[0] === undefined ? undefined : idOf(dr, flags, sets[0], "availabilitySets", "availability-set");
      const inventory = await dr.maintenance.discover(
        set === undefined ? (flags.resourceGroup === undefined ? {} : { resourceGroup: flags.resourceGroup }) : { availabilitySetId: set },
      );
      if (flags.json === true) json(inventory);
      else process.stdout.write(statusTable(inventory));
      return EXIT.ok;
    },
  ).option("--availability-set <name or id>", "only this availability set", list);

  const plan = subcommand<PlanFlags>(
    "plan",
    "Plan owner-started maintenance: which VMs, in which order, when; never two update domains of a set at once; every VM left out with its reason. Changes nothing.",
    [
      "azure-dr maintenance plan --resource-group shop-rg",
      "azure-dr maintenance plan --resource-group shop-rg --order web-as,db-as --gap-update-domains 45m",
      "azure-dr maintenance plan --resource-group shop-rg --vm web-1,web-0,db-0 --order web-1,web-0,db-0 --json > plan.json",
    ],
    async ({ dr, flags }) => {
      const made = await dr.maintenance.plan(planInput(dr, flags));
      if (flags.json === true) json(made);
      else process.stdout.write(planText(made));
      return EXIT.ok;
    },
  );

  const run = subcommand<RunFlags>(
    "run",
    "Plan and run owner-started maintenance (performMaintenance), step by step, waiting for each VM to be back and for your health check; stops at the first failure. Run it again after a stop: what is done is skipped, nothing is started twice.",
    [
      "azure-dr maintenance run --resource-group shop-rg --dry-run",
      "azure-dr maintenance run --resource-group shop-rg --order web-as,db-as --health-check ./smoke-test.sh",
      "azure-dr maintenance run --backend azure --subscription <id> --resource-group shop-rg --gap-vms 10m --json",
    ],
    async ({ dr, flags, settings, out, signal }) => {
      const made = await dr.maintenance.plan(planInput(dr, flags));
      if (flags.dryRun === true) {
        if (flags.json === true) json({ dryRun: true, plan: made });
        else process.stdout.write(`${planText(made)}Dry run: nothing was started.\n`);
        return made.steps.length === 0 ? nothingToRun(made) : EXIT.ok;
      }
      if (made.steps.length === 0) {
        out(planText(made));
        return nothingToRun(made);
      }
      out(planText(made));
      const count = made.steps.reduce((n, step) => n + step.vms.length, 0);
      await confirmOperation(
        settings,
        `maintenance of ${count} VM(s) in ${made.steps.length} step(s) (each VM is redeployed: it restarts)`,
        flags.yes === true,
      );
      const report = await dr.maintenance.run(made, {
        abortSignal: signal,
        onEvent: (event) => {
          const line = progressLine(event);
          if (line !== undefined) out(`${line}\n`);
        },
        ...(flags.healthCheck === undefined ? {} : { healthCheck: shellHealthCheck(flags.healthCheck, flags.json === true) }),
        ...(flags.readyTimeout === undefined ? {} : { readyTimeoutMs: flags.readyTimeout }),
      });
      if (flags.json === true) json(report);
      else process.stdout.write(reportText(report));
      return report.outcome === "completed" ? EXIT.ok : report.outcome === "stopped" ? EXIT.interrupted : EXIT.failed;
    },
  )
    .option("--health-check <command>", "a shell command run after each step (env AZURE_DR_MAINTENANCE_STEP, AZURE_DR_MAINTENANCE_VMS); non-zero stops the run")
    .option("--dry-run", "show the plan, start nothing")
    .option("--yes", "confirm without asking (needed off the fake backend when there is no terminal)")
    .option("--ready-timeout <duration>", "how long a VM may take to be back after its maintenance (default 30m)", duration);

  return new Command("maintenance")
    .description("Planned maintenance: see the windows, plan and run owner-started maintenance one update domain at a time.")
    .addCommand(status)
    .addCommand(withPlanFlags(plan))
    .addCommand(withPlanFlags(run));
}
