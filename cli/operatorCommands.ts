import { Command, InvalidArgumentError, Option } from "commander";
import {
  DrClient,
  InvalidStateError,
  SAMPLE_TOPOLOGY,
  isHyperVPlan,
  ValidationError,
  type FailoverResult,
  type HyperVProtectedVm,
  type PlanRunResult,
  type ProtectedVm,
  type RecoveryPlan,
  type ReprotectInput,
  type VaultRef,
} from "../sdk/index.js";
import { backendBanner } from "./backendBanner.js";
import { confirmOperation, processTerminal } from "./confirmation.js";
import { duration } from "./drillOutput.js";
import { EXIT, reportFailure } from "./failure.js";
import { defaultVault, readLastTopology } from "./lastTopology.js";
import { manualActionHandler, requireNoPendingManualAction } from "./manualActions.js";
import { openBackend } from "./openBackend.js";
import { resolveSettings, withBackendFlags, type CliSettings, type SettingsFlags } from "./settings.js";
import { findVmTarget, hyperVLine, hyperVRow } from "./vmTarget.js";

interface TargetFlags extends SettingsFlags {
  plan?: string;
  vm?: string;
  json?: boolean;
  yes?: boolean;
  approveManualActions?: boolean;
}

const RECOVERY_POINTS = ["Latest", "LatestProcessed", "LatestApplicationConsistent", "LatestCrashConsistent"];

/** What a command does once the client, the vault and the output are set. */
type CommandBody<F> = (context: {
  dr: DrClient;
  vault: VaultRef;
  flags: F;
  settings: CliSettings;
  print: (human: string, json: unknown) => void;
  /** Asks for a confirmation of `what` off the fake backend (see {@link confirmOperation}); call it before changing anything. */
  confirm: (what: string) => Promise<void>;
  /** The `onManualAction` of plan runs: never approves silently (see {@link manualActionHandler}). */
  onManualAction: ReturnType<typeof manualActionHandler>;
}) => Promise<void>;

/** What an operator command changes, which decides its extra flags. */
interface CommandKind {
  /** `--plan`/`--vm` (all but status). */
  target: boolean;
  /** `--yes`: it changes what runs where, confirmed off the fake backend. */
  confirms: boolean;
  /** `--approve-manual-actions`: it runs recovery plans. */
  runsPlans: boolean;
}

const EXIT_CODES =
  "Exit codes: 0 done (or done already), 1 failed or not confirmed, 2 bad input (an unknown option, a bad value, --yes missing without a terminal), 3 not allowed in the current state (a manual action waiting for approval included).";

/**
 * Adds the shared flags and runs `body` with a client: says which backend and vault it uses (on
 * stderr), prints errors with their code and what to do, and sets the exit code.
 */
function operatorCommand<F extends TargetFlags>(name: string, description: string, examples: string[], body: CommandBody<F>, kind: CommandKind): Command {
  const command = new Command(name).description(description).option("--json", "print the result as JSON");
  if (kind.target) command.option("--plan <name>", "a recovery plan").option("--vm <name or id>", "a protected VM (its name or its replicated item id)");
  if (kind.confirms) command.option("--yes", "confirm without asking (needed off the fake backend when there is no terminal)");
  if (kind.runsPlans) command.option("--approve-manual-actions", "approve every manual action of the plan as it waits (each approval is printed)");
  return withBackendFlags(command)
    .addHelpText("after", `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n${EXIT_CODES}`)
    .action(async (flags: F) => {
      let dr: DrClient | undefined;
      try {
        if (kind.target && (flags.plan === undefined) === (flags.vm === undefined))
          throw new ValidationError("plan/vm", "give either --plan <name> or --vm <name or id>");
        const settings = resolveSettings(flags);
        process.stderr.write(backendBanner(settings));
        // On the emulated backends the sample estate's vault is the last resort, as `azure-dr drill` builds it.
        const chosen = defaultVault(settings, settings.backend === "azure" ? undefined : SAMPLE_TOPOLOGY.vault);
        if (chosen === undefined)
          throw new ValidationError(
            "vault",
            "give --vault <resource-group/name> (or AZURE_DR_VAULT, or 'vault' in the config file), or run `azure-dr drill` first",
          );
        process.stderr.write(`vault: ${chosen.vault.resourceGroup}/${chosen.vault.name} (${chosen.note})\n`);
        dr = new DrClient(await openBackend(settings));
        const terminal = processTerminal();
        const write = (text: string): void => void process.stderr.write(text);
        const print = (human: string, json: unknown): void => void process.stdout.write(flags.json === true ? `${JSON.stringify(json, null, 2)}\n` : human);
        await body({
          dr,
          vault: { resourceGroup: chosen.vault.resourceGroup, name: chosen.vault.name },
          flags,
          settings,
          print,
          confirm: (what) => confirmOperation(settings, what, flags.yes === true, terminal),
          onManualAction: manualActionHandler({ approveAll: flags.approveManualActions === true, terminal, write }),
        });
        process.exitCode ??= EXIT.ok;
      } catch (error) {
        process.exitCode = reportFailure(error);
      } finally {
        await dr?.close();
      }
    });
}

/**
 * The isolated network of a test failover without `--network`: the last drilled topology's.
 * @throws ValidationError (`network`) when no drill on this backend is recorded.
 */
function testNetworkOf(settings: CliSettings): string {
  const last = readLastTopology(settings);
  if (last === undefined) throw new ValidationError("network", "give --network <isolated vnet id> (no drill on this backend is recorded here to take it from)");
  process.stderr.write(`network: ${last.testNetworkId} (the last drilled topology's test network, recorded in ${last.file})\n`);
  return last.testNetworkId;
}

/** The command as typed, for the hints that say to run it again. */
function commandLine(): string {
  return `azure-dr ${process.argv
    .slice(2)
    .filter((a) => a !== "--approve-manual-actions")
    .join(" ")}`;
}

function planLine(result: PlanRunResult): string {
  const lines = [
    `plan ${result.handle.plan}: ${result.handle.operation} ${result.state} (job ${result.handle.jobName})`,
    ...result.steps.map((s) => `  ${s.friendlyName}: ${s.state}`),
  ];
  if (result.recoveryTimeSeconds !== undefined) lines.push(`  recovery time: ${duration(result.recoveryTimeSeconds)}`);
  if (result.dataLossSeconds !== undefined) lines.push(`  data loss: ${duration(result.dataLossSeconds)}`);
  if (result.error !== undefined) lines.push(`  error: ${result.error.code}: ${result.error.message}`);
  return `${lines.join("\n")}\n`;
}

/** The region the VM runs in: the one it replicates from, or, once failed over, the one it replicated to. */
function runsIn(vm: ProtectedVm): string {
  return vm.phase === "failedOver" || vm.phase === "committed" ? vm.targetRegion : vm.sourceRegion;
}

function vmLine(vm: ProtectedVm): string {
  return `${vm.name}: ${vm.phase} (${vm.protectionStateDescription}), runs in ${runsIn(vm)}\n`;
}

function failoverLine(result: FailoverResult): string {
  return `${vmLine(result.protectedVm).trimEnd()}; data loss ${duration(result.dataLossSeconds)}\n`;
}

/** Exit code 1 when a plan's job did not succeed (the output says why); 3 when it waits at a manual action nobody approved. */
function checkRun(result: PlanRunResult): void {
  requireNoPendingManualAction(result, commandLine());
  if (result.state === "Failed" || result.state === "Cancelled") process.exitCode = EXIT.failed;
}

function recoveryPoint(value: string): string {
  if (!RECOVERY_POINTS.includes(value)) throw new InvalidArgumentError(`must be one of ${RECOVERY_POINTS.join(", ")}.`);
  return value;
}

/** `azure-dr status`: protected VMs (health, RPO, where they run) and recovery plans (state, allowed operations). */
export function statusCommand(): Command {
  return operatorCommand<TargetFlags>(
    "status",
    "Show the protected VMs (health, RPO, active location) and the recovery plans (what runs, what is allowed) of a vault.",
    ["azure-dr status", "azure-dr status --backend azure --subscription <id> --vault dr-rg/shop-vault --json"],
    async ({ dr, vault, print }) => {
      const vms: ProtectedVm[] = [];
      for await (const vm of dr.protectedVms.list(vault)) vms.push(vm);
      vms.sort((a, b) => a.name.localeCompare(b.name));
      const hyperVVms: HyperVProtectedVm[] = [];
      for await (const vm of dr.hyperV.list(vault)) hyperVVms.push(vm);
      hyperVVms.sort((a, b) => a.vmName.localeCompare(b.vmName));
      const plans: RecoveryPlan[] = [];
      for await (const plan of dr.recoveryPlans.list(vault)) plans.push(plan);
      const rows = vms.map((vm) =>
        [
          vm.name.padEnd(16),
          vm.phase.padEnd(18),
          vm.replicationHealth.padEnd(8),
          `RPO ${duration(vm.rpoSeconds)}`.padEnd(14),
          `${vm.sourceRegion} -> ${vm.targetRegion}`.padEnd(28),
          `runs in ${runsIn(vm)}`,
        ].join(" "),
      );
      const planRows = plans.map(
        (p) =>
          `${p.name}: ${p.groups.filter((g) => g.type === "Boot").length} boot group(s), ${p.groups.flatMap((g) => g.protectedVmIds).length} VM(s); ${
            p.currentScenario === undefined
              ? "no operation yet"
              : `last: ${p.currentScenario.name} ${p.currentScenario.status} (job ${p.currentScenario.jobName})`
          }; allowed: ${p.allowedOperations.join(", ") || "nothing"}`,
      );
      const hyperV = hyperVVms.length === 0 ? "" : `\n\nHyper-V VMs (${hyperVVms.length}):\n${hyperVVms.map((vm) => `  ${hyperVRow(vm)}`).join("\n")}`;
      print(
        `Vault ${vault.resourceGroup}/${vault.name}\n\nProtected VMs (${vms.length}):\n${rows.map((r) => `  ${r}`).join("\n")}${hyperV}\n\nRecovery plans (${plans.length}):\n${planRows.map((r) => `  ${r}`).join("\n")}\n`,
        { vault, protectedVms: vms, hyperVVms, recoveryPlans: plans },
      );
    },
    { target: false, confirms: false, runsPlans: false },
  );
}

/** `azure-dr test-failover` and `azure-dr cleanup`. */
export function testFailoverCommands(): Command[] {
  const test = operatorCommand<TargetFlags & { network?: string }>(
    "test-failover",
    "Test-fail over a plan or a VM into an isolated network (production and replication go on); clean up with `azure-dr cleanup`.",
    [
      "azure-dr test-failover --plan shop --network /subscriptions/.../virtualNetworks/drill-vnet --approve-manual-actions",
      "azure-dr test-failover --vm web-1   # the isolated network of the last drilled topology",
    ],
    async ({ dr, vault, flags, settings, print, onManualAction }) => {
      const networkId = flags.network ?? testNetworkOf(settings);
      if (flags.plan !== undefined) {
        const result = await dr.recoveryPlans.testFailover(vault, flags.plan, { networkId }, { onManualAction });
        print(planLine(result), result);
        return checkRun(result);
      }
      const target = await findVmTarget(dr, vault, flags.vm ?? "");
      if (target.kind === "hyperV") {
        const result = await dr.hyperV.testFailover(target.vm.id, { networkId });
        return print(hyperVLine(result), result);
      }
      const result = await dr.failover.test(target.vm.id, { networkId });
      print(vmLine(result), result);
    },
    { target: true, confirms: false, runsPlans: true },
  ).option("--network <id>", "the isolated virtual network the test VMs join (default: the last drilled topology's)");
  const cleanup = operatorCommand<TargetFlags>(
    "cleanup",
    "Clean up a test failover: the test VMs are deleted.",
    ["azure-dr cleanup --plan shop"],
    async ({ dr, vault, flags, print }) => {
      if (flags.plan !== undefined) {
        const result = await dr.recoveryPlans.cleanupTest(vault, flags.plan);
        print(planLine(result), result);
        return checkRun(result);
      }
      const target = await findVmTarget(dr, vault, flags.vm ?? "");
      if (target.kind === "hyperV") {
        const vm = await dr.hyperV.cleanupTest(target.vm.id);
        return print(hyperVLine(vm), vm);
      }
      const vm = await dr.failover.cleanupTest(target.vm.id);
      print(vmLine(vm), vm);
    },
    { target: true, confirms: false, runsPlans: false },
  );
  return [test, cleanup];
}

interface FailoverFlags extends TargetFlags {
  planned?: boolean;
  unplanned?: boolean;
  recoveryPoint?: string;
  dataSync?: "ForDownTime" | "ForSynchronization";
  createVm?: boolean;
}

/**
 * A Hyper-V VM's failover to Azure (`--planned` or `--unplanned`, from the latest data Azure
 * received) or failback on-premises (always planned: `--data-sync`, `--create-vm`); returns what to print.
 */
async function hyperVFailover(dr: DrClient, vm: HyperVProtectedVm, name: "failover" | "failback", flags: FailoverFlags): Promise<[string, unknown]> {
  if (flags.recoveryPoint !== undefined)
    throw new ValidationError("recovery-point", "a Hyper-V VM fails over from the latest data Azure received (change the point before commit with the SDK)");
  if (name === "failover") {
    if (flags.dataSync !== undefined || flags.createVm === true)
      throw new ValidationError(flags.dataSync === undefined ? "create-vm" : "data-sync", "is for the failback of a Hyper-V VM");
    const result = await dr.hyperV.failover(vm.id, { kind: flags.planned === true ? "planned" : "unplanned" });
    return [`${hyperVLine(result.protectedVm).trimEnd()}; data loss ${duration(result.dataLossSeconds)}\n`, result];
  }
  if (flags.unplanned === true) throw new ValidationError("unplanned", "a Hyper-V VM fails back with a planned failover only");
  const result = await dr.hyperV.failback(vm.id, {
    ...(flags.dataSync === undefined ? {} : { dataSync: flags.dataSync }),
    ...(flags.createVm === true ? { createVmIfNotFound: true } : {}),
  });
  return [hyperVLine(result.protectedVm), result];
}

/** `azure-dr failover` and `azure-dr failback` (the same operation, in the direction the VMs are protected now). */
export function failoverCommands(): Command[] {
  const make = (name: "failover" | "failback"): Command =>
    operatorCommand<FailoverFlags>(
      name,
      name === "failover"
        ? "Fail a plan or a VM over to its recovery region: --planned (sources shut down first, no data loss) or --unplanned (from a recovery point). Commit with `azure-dr commit`."
        : "Fail back a plan or a VM that was reprotected from its recovery region: a failover in the reverse direction (planned by default). Then commit and reprotect.",
      name === "failover"
        ? [
            "azure-dr failover --plan shop --planned",
            "azure-dr failover --plan shop --unplanned --recovery-point LatestApplicationConsistent",
            "azure-dr failover --vm web-1 --unplanned",
          ]
        : ["azure-dr failback --plan shop", "azure-dr failback --vm web-1 --unplanned --recovery-point LatestProcessed"],
      async ({ dr, vault, flags, print, confirm, onManualAction }) => {
        if (flags.planned === true && flags.unplanned === true) throw new ValidationError("planned/unplanned", "give one of --planned and --unplanned");
        const planned = name === "failback" ? flags.unplanned !== true : flags.planned === true;
        if (name === "failover" && flags.planned !== true && flags.unplanned !== true)
          throw new ValidationError("planned/unplanned", "say --planned (no data loss, needs the source region) or --unplanned (from a recovery point)");
        if (planned && flags.recoveryPoint !== undefined)
          throw new ValidationError("recovery-point", "a planned failover syncs the latest data; it takes no recovery point");
        const input = planned
          ? ({ kind: "planned" } as const)
          : ({ kind: "unplanned", ...(flags.recoveryPoint === undefined ? {} : { recoveryPoint: flags.recoveryPoint }) } as {
              kind: "unplanned";
              recoveryPoint?: "Latest";
            });
        const done = name === "failover" ? "failed over" : "failed back";
        if (flags.plan !== undefined) {
          const plan = await dr.recoveryPlans.get(vault, flags.plan);
          const hyperVFailback = name === "failback" && isHyperVPlan(plan);
          if (hyperVFailback && flags.unplanned === true) throw new ValidationError("unplanned", "Hyper-V VMs fail back with a planned failover only");
          if (!hyperVFailback && (flags.dataSync !== undefined || flags.createVm === true))
            throw new ValidationError(flags.dataSync === undefined ? "create-vm" : "data-sync", "is for the failback of Hyper-V VMs");
          if (name === "failback" && !hyperVFailback)
            requireReverse(plan.groups.flatMap((g) => g.protectedVmIds).length > 0 && !samePrimary(plan), `plan ${plan.name}`);
          const required = hyperVFailback ? "Failback" : planned ? "PlannedFailover" : "UnplannedFailover";
          const earlier = await earlierFailover(dr, plan, name, required);
          // Failed over already: the plan does not allow the operation, so the SDK starts nothing; it reports a run of the same kind, and refuses another kind (InvalidState).
          if (earlier === undefined) {
            const vmCount = plan.groups.flatMap((g) => g.protectedVmIds).length;
            await confirm(
              `${hyperVFailback ? "failback on-premises" : `${planned ? "planned" : "unplanned"} ${name}`} of recovery plan ${plan.name} (${vmCount} VMs)`,
            );
          }
          const result = hyperVFailback
            ? await dr.recoveryPlans.failback(
                vault,
                flags.plan,
                { ...(flags.dataSync === undefined ? {} : { dataSync: flags.dataSync }), ...(flags.createVm === true ? { createVmIfNotFound: true } : {}) },
                { onManualAction },
              )
            : await dr.recoveryPlans.failover(vault, flags.plan, input, { onManualAction });
          if (earlier !== undefined && result.handle.jobName === earlier.jobName) {
            const text = `plan ${plan.name}: already ${done} (${earlier.scenario} ${result.state}, job ${earlier.jobName}); nothing was done. Next: azure-dr commit --plan ${plan.name}\n`;
            return print(text, { alreadyDone: true, result });
          }
          print(planLine(result), result);
          return checkRun(result);
        }
        const target = await findVmTarget(dr, vault, flags.vm ?? "");
        if (target.kind === "hyperV") {
          const vm = target.vm;
          const already = name === "failover" ? ["failedOver", "committed"] : ["failedBack", "failbackCommitted"];
          if (already.includes(vm.phase))
            return print(`${vm.vmName}: already ${done} (${vm.protectionStateDescription}); nothing was done\n`, { alreadyDone: true, vm });
          await confirm(
            `${name === "failover" ? `${planned ? "planned" : "unplanned"} failover to Azure` : "failback on-premises"} of Hyper-V VM ${vm.vmName}`,
          );
          return print(...(await hyperVFailover(dr, vm, name, flags)));
        }
        if (flags.dataSync !== undefined || flags.createVm === true)
          throw new ValidationError(flags.dataSync === undefined ? "create-vm" : "data-sync", "is for the failback of a Hyper-V VM");
        const vm = target.vm;
        if (name === "failover" && (vm.phase === "failedOver" || vm.phase === "committed"))
          // Azure records an Azure-to-Azure VM's planned failover as an unplanned one with the source shut down first: the kind cannot be told apart afterwards.
          return print(
            `${vm.name}: already failed over (${vm.protectionStateDescription}), runs in ${runsIn(vm)}; nothing was done (Azure does not record whether a VM's failover was planned)\n`,
            { alreadyDone: true, protectedVm: vm },
          );
        if (name === "failback") requireReverse(vm.activeLocation === "Recovery" && vm.phase === "protected", vm.name);
        await confirm(`${planned ? "planned" : "unplanned"} ${name} of VM ${vm.name}`);
        const result = await dr.failover.failover(vm.id, input);
        print(failoverLine(result), result);
      },
      { target: true, confirms: true, runsPlans: true },
    )
      .option("--planned", "shut the sources down first and sync: no data loss")
      .option("--unplanned", "recover from a recovery point (the source region may be down)")
      .addOption(new Option("--recovery-point <type>", `with --unplanned: ${RECOVERY_POINTS.join(", ")} (default Latest)`).argParser(recoveryPoint))
      .addOption(
        new Option("--data-sync <option>", "failback of a Hyper-V VM: ForDownTime (sync while the Azure VM runs; default) or ForSynchronization").choices([
          "ForDownTime",
          "ForSynchronization",
        ]),
      )
      .option("--create-vm", "failback of a Hyper-V VM: create it on-premises when it no longer exists");
  return [make("failover"), make("failback")];
}

function samePrimary(plan: RecoveryPlan): boolean {
  const first = plan.groups.flatMap((g) => g.protectedVmIds)[0] ?? "";
  return first.toLowerCase().startsWith(`${plan.primaryFabricId.toLowerCase()}/`);
}

function requireReverse(reverse: boolean, what: string): void {
  if (!reverse) {
    throw new InvalidStateError(
      `${what} is not protected in the reverse direction: nothing to fail back; fail over, commit and reprotect first (azure-dr status shows where it stands)`,
      { azureCode: "InvalidFailoverDirection" },
    );
  }
}

const FAILOVER_SCENARIOS = ["PlannedFailover", "UnplannedFailover"];

/**
 * The plan's last run when it is a failover (or, for `failback` of a Hyper-V plan, a failback) that
 * succeeded and the operation asked for is not allowed now: the plan is failed over already (of
 * the same kind or not: the SDK tells). A Hyper-V plan's failover and failback are both planned
 * failovers, told apart by where its VMs run.
 */
async function earlierFailover(
  dr: DrClient,
  plan: RecoveryPlan,
  name: "failover" | "failback",
  required: string,
): Promise<{ scenario: string; jobName: string } | undefined> {
  const last = plan.currentScenario;
  if (last === undefined || !FAILOVER_SCENARIOS.includes(last.name) || last.status !== "Succeeded" || plan.allowedOperations.includes(required))
    return undefined;
  if (isHyperVPlan(plan)) {
    const first = plan.groups.flatMap((g) => g.protectedVmIds)[0];
    if (first === undefined) return undefined;
    const vm = await dr.hyperV.get(first);
    if (vm.activeLocation !== (name === "failback" ? "Primary" : "Recovery")) return undefined;
  }
  return { scenario: last.name, jobName: last.jobName };
}

/** `azure-dr commit`. */
export function commitCommand(): Command {
  return operatorCommand<TargetFlags>(
    "commit",
    "Commit the failover of a plan or a VM: final; recovery points are deleted. Reprotect next.",
    [
      "azure-dr commit --plan shop",
      "azure-dr commit --vm web-1",
      "azure-dr commit --plan shop --backend azure --subscription <id> --vault dr-rg/shop-vault --yes",
    ],
    async ({ dr, vault, flags, print, confirm }) => {
      if (flags.plan !== undefined) {
        await confirm(`commit of the failover of recovery plan ${flags.plan} (final: recovery points are deleted)`);
        const result = await dr.recoveryPlans.commit(vault, flags.plan);
        print(planLine(result), result);
        return checkRun(result);
      }
      const target = await findVmTarget(dr, vault, flags.vm ?? "");
      await confirm(`commit of the failover of VM ${target.kind === "hyperV" ? target.vm.vmName : target.vm.name} (final: recovery points are deleted)`);
      if (target.kind === "hyperV") {
        const vm = await dr.hyperV.commit(target.vm.id);
        return print(hyperVLine(vm), vm);
      }
      const vm = await dr.failover.commit(target.vm.id);
      print(vmLine(vm), vm);
    },
    { target: true, confirms: true, runsPlans: false },
  );
}

interface ReprotectFlags extends TargetFlags {
  targetResourceGroup?: string;
  targetStorageAccount?: string;
  cacheStorageAccount?: string;
  availabilitySet?: string;
  wait: boolean;
}

/** `azure-dr reprotect`, with the target settings a user may choose. */
export function reprotectCommand(): Command {
  return operatorCommand<ReprotectFlags>(
    "reprotect",
    "Reprotect a plan (its VMs in group order) or a VM after a committed failover: they replicate back, ready to fail back. The target network cannot change here (change the network mapping).",
    [
      "azure-dr reprotect --plan shop",
      "azure-dr reprotect --vm web-1 --target-resource-group /subscriptions/<sub>/resourceGroups/shop-rg --availability-set /subscriptions/<sub>/resourceGroups/shop-rg/providers/Microsoft.Compute/availabilitySets/web-avset",
    ],
    async ({ dr, vault, flags, print, confirm }) => {
      if (flags.targetStorageAccount !== undefined)
        throw new ValidationError(
          "target-storage-account",
          "Azure-to-Azure VMs with managed disks replicate to managed replica disks: there is no target storage account to choose (use --cache-storage-account for the cache)",
        );
      const settings: ReprotectInput = {
        ...(flags.targetResourceGroup === undefined ? {} : { recoveryResourceGroupId: flags.targetResourceGroup }),
        ...(flags.cacheStorageAccount === undefined ? {} : { cacheStorageAccountId: flags.cacheStorageAccount }),
        ...(flags.availabilitySet === undefined ? {} : { recoveryAvailabilitySetId: flags.availabilitySet }),
      };
      if (flags.plan !== undefined) {
        const plan = await dr.recoveryPlans.get(vault, flags.plan);
        const ids = plan.groups.flatMap((g) => g.protectedVmIds);
        if (isHyperVPlan(plan) && Object.keys(settings).length > 0)
          throw new ValidationError("plan", `plan ${plan.name} holds Hyper-V VMs: they replicate to Azure again with the settings they had`);
        await confirm(`reprotect of recovery plan ${plan.name} (${ids.length} VMs replicate back over their original disks)`);
        if (isHyperVPlan(plan)) {
          await dr.recoveryPlans.reprotect(vault, flags.plan);
          const vms = await Promise.all(ids.map((id) => (flags.wait ? dr.hyperV.waitForProtection(id) : dr.hyperV.get(id))));
          return print(vms.map(hyperVLine).join(""), vms);
        }
        const reprotected = await dr.recoveryPlans.reprotect(vault, flags.plan, Object.fromEntries(ids.map((id) => [id, settings])));
        const vms = await Promise.all(
          reprotected.groups.flatMap((g) => g.protectedVmIds).map((id) => (flags.wait ? dr.protectedVms.waitForProtection(id) : dr.protectedVms.get(id))),
        );
        print(vms.map(vmLine).join(""), vms);
        return;
      }
      const target = await findVmTarget(dr, vault, flags.vm ?? "");
      if (target.kind === "hyperV" && Object.keys(settings).length > 0)
        throw new ValidationError(
          "vm",
          `${target.vm.vmName} is a Hyper-V VM: it replicates to Azure again with the settings it had; the target flags are for Azure-to-Azure VMs`,
        );
      await confirm(`reprotect of VM ${target.kind === "hyperV" ? target.vm.vmName : target.vm.name} (it replicates back over its original disks)`);
      if (target.kind === "hyperV") {
        const reprotected = await dr.hyperV.reprotect(target.vm.id);
        const result = flags.wait ? await dr.hyperV.waitForProtection(reprotected.id) : reprotected;
        return print(hyperVLine(result), result);
      }
      const vm = target.vm;
      const reprotected = await dr.protectedVms.reprotect(vm.id, settings);
      const result = flags.wait ? await dr.protectedVms.waitForProtection(reprotected.id) : reprotected;
      print(vmLine(result), result);
    },
    { target: true, confirms: true, runsPlans: false },
  )
    .option("--target-resource-group <id>", "resource group for the replica in the region replicated to (default: the original VM's)")
    .option("--target-storage-account <id>", "refused for managed-disk VMs (they replicate to managed replica disks)")
    .option("--cache-storage-account <id>", "cache storage account in the region the VM runs in now (default: created)")
    .option("--availability-set <id>", "availability set in the region replicated to (default: the original VM's)")
    .option("--no-wait", "return once reprotect started, without waiting for the initial replication back");
}
