import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { parse as parseYaml } from "yaml";
import {
  DrClient,
  SAMPLE_HYPERV_TOPOLOGY,
  SAMPLE_TOPOLOGY,
  ValidationError,
  estatePlans,
  estateVmNames,
  provisionEstate,
  runDrill,
  topologySchema,
  validate,
  type DrillReport,
  type Topology,
  type TopologyInput,
} from "../sdk/index.js";
import { backendBanner } from "./backendBanner.js";
import { confirmOperation, processTerminal } from "./confirmation.js";
import { decideManualAction, type ManualActionDecision } from "./manualActions.js";
import { DrillProgress, summary } from "./drillOutput.js";
import { CliStop, EXIT, reportFailure } from "./failure.js";
import { renderHtmlReport } from "./htmlReport.js";
import { recordLastTopology } from "./lastTopology.js";
import { openBackend } from "./openBackend.js";
import { resolveSettings, withBackendFlags, type SettingsFlags } from "./settings.js";

interface DrillFlags extends SettingsFlags {
  topology?: string;
  sample?: string;
  plan?: string[];
  full?: boolean;
  check?: string;
  testNetwork?: string;
  maxRpo: number;
  out: string;
  json?: boolean;
  fresh?: boolean;
  yes?: boolean;
  approveManualActions?: boolean;
}

/** A manual action the drill met, and what became of it. */
interface ManualActionRecord {
  plan: string;
  action: string;
  decision: ManualActionDecision;
}

/** Reads a topology file (JSON, or YAML for .yaml/.yml) and validates it; errors name the file and the field. */
export function loadTopology(path: string): Topology {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ValidationError("topology", `cannot read ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = [".yaml", ".yml"].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`topology ${path}`, `is not valid ${extname(path).toLowerCase() === ".json" ? "JSON" : "YAML"}: ${(error as Error).message}`);
  }
  return validate(topologySchema, document, `topology(${path})`);
}

/** The built-in estates `--sample` names. */
const SAMPLES = { shop: SAMPLE_TOPOLOGY, hyperv: SAMPLE_HYPERV_TOPOLOGY } satisfies Record<string, TopologyInput>;

function isSampleName(name: string): name is keyof typeof SAMPLES {
  return Object.hasOwn(SAMPLES, name);
}

/** How the drill's record names the estate: the topology file, or `sample <name>`. */
function topologyLabel(flags: DrillFlags): string {
  return flags.topology === undefined ? `sample ${(flags.sample ?? "shop").toLowerCase()}` : resolve(flags.topology);
}

/** The estate the flags name: `--topology`'s file, or a built-in sample (`--sample`, default the shop). */
function topologyOf(flags: DrillFlags): Topology {
  if (flags.topology !== undefined && flags.sample !== undefined)
    throw new ValidationError("sample", "cannot be combined with --topology: drill either your estate or a built-in one");
  if (flags.topology !== undefined) return loadTopology(flags.topology);
  const name = (flags.sample ?? "shop").toLowerCase();
  if (!isSampleName(name)) throw new ValidationError("sample", `must be one of: ${Object.keys(SAMPLES).join(", ")} (not '${flags.sample ?? ""}')`);
  return topologySchema.parse(SAMPLES[name]);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a whole number of seconds.");
  return n;
}

/** `azure-dr drill`: a disaster-recovery drill of the estate's recovery plans, with a report. */
export function drillCommand(): Command {
  const command = new Command("drill")
    .description(
      "Run a disaster-recovery drill: readiness checks, a test failover of each recovery plan (Azure to Azure or Hyper-V to Azure) into an isolated network, your checks, cleanup; with --full the whole cycle (failover, commit, reprotect, failback, commit, reprotect; Hyper-V plans: failover, commit, failback, commit, reprotect). Writes drill-report.json and drill-report.html.",
    )
    .option("--topology <file>", "the estate (JSON or YAML); on the fake backend it is built first (default: the built-in sample shop)")
    .option(
      "--sample <name>",
      "drill a built-in estate instead of --topology: shop (Azure to Azure, the default) or hyperv (an on-premises Hyper-V site to Azure)",
    )
    .option("--plan <name...>", "drill only these recovery plans (default: all plans of the vault)")
    .option("--full", "after the rehearsal, fail over, commit, reprotect, fail back, commit and reprotect back")
    .option("--check <command>", "a shell command run while the test VMs are up (env AZURE_DR_PLAN, AZURE_DR_TEST_NETWORK); non-zero fails the plan")
    .option("--test-network <id>", "the isolated virtual network for test failovers (default: the topology's testNetworkId)")
    .option("--max-rpo <seconds>", "largest RPO a VM may show for its plan to be ready", seconds, 900)
    .option("--out <dir>", "where to write drill-report.json and drill-report.html", ".")
    .option("--json", "print the report as JSON on stdout (progress goes to stderr)")
    .option("--fresh", "fake backend: start from a fresh estate (forget the state file)")
    .option("--yes", "with --full off the fake backend: confirm the real failover without asking")
    .option(
      "--approve-manual-actions",
      "azure backend: approve every manual action of the plans as it waits (on the emulated backends the drill approves them itself and says so)",
    );
  return withBackendFlags(command)
    .addHelpText(
      "after",
      `
Examples:
  $ azure-dr drill --fresh                        # the sample estate on the embedded emulator
  $ azure-dr drill --fresh --sample hyperv --full # the sample Hyper-V site, failed over to Azure and back
  $ azure-dr drill --full --topology estate.yaml  # your estate, the whole cycle, offline
  $ azure-dr drill --backend azure --subscription <id> --vault dr-rg/shop-vault --test-network <vnet id> --approve-manual-actions
The drill records the vault and test network it drilled (last-topology.json beside the state file): the
other commands default to them. On the fake backend and an emulator server it approves manual actions
itself (a rehearsal: nobody is there to do them) and says so; on Azure they wait for a "y" at the
terminal or --approve-manual-actions. --full off the fake backend asks "Proceed? [y/N]" (or --yes).
Exit codes: 0 passed, 1 failed or not confirmed, 2 bad input (an unknown option, --yes missing without a terminal),
3 not ready / invalid state / a manual action not approved, 130 stopped (Ctrl-C).`,
    )
    .action(async (flags: DrillFlags) => {
      process.exitCode = await drill(flags);
    });
}

async function drill(flags: DrillFlags): Promise<number> {
  const progressOut = (text: string): void => void (flags.json === true ? process.stderr : process.stdout).write(text);
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    process.stderr.write("\nCtrl-C: stopping the drill after the current poll (jobs under way go on in Azure); Ctrl-C again quits at once.\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  let dr: DrClient | undefined;
  try {
    const settings = resolveSettings(flags);
    process.stderr.write(backendBanner(settings));
    const topology = topologyOf(flags);
    const vault = settings.vault ?? { resourceGroup: topology.vault.resourceGroup, name: topology.vault.name };
    const terminal = processTerminal();
    if (flags.full === true)
      await confirmOperation(
        settings,
        `a full drill of vault ${vault.resourceGroup}/${vault.name} (real failover, commit, reprotect and failback)`,
        flags.yes === true,
        terminal,
      );
    const backend = await openBackend(settings, { fresh: flags.fresh === true });
    dr = new DrClient(backend);
    if (backend.kind !== "azure") {
      progressOut(
        `Building the estate on the ${backend.kind} backend (vault ${vault.name}, ${estateVmNames(topology).length} VMs, ${estatePlans(topology).length} plan(s))...\n`,
      );
      const started = Date.now();
      const estate = await provisionEstate(dr, topology, backend.subscriptionId, (message) =>
        progressOut(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] estate: ${message}\n`),
      );
      if (estate.existed) progressOut(`The estate is there already (state ${settings.stateFile}).\n`);
    } else if (flags.topology !== undefined && topology.hyperV !== undefined) {
      // On Azure nothing is built: the Hyper-V site, hosts and protected VMs the topology names must exist.
      await provisionEstate(dr, { ...topology, vault: { ...topology.vault, ...vault } }, backend.subscriptionId);
    }
    const testNetworkId = flags.testNetwork ?? topology.network.testNetworkId;
    recordLastTopology(settings, { vault, testNetworkId, topology: topologyLabel(flags) }, new Date());
    const progress = new DrillProgress(dr.clock.now(), progressOut);
    const manualActions: ManualActionRecord[] = [];
    const clock = dr.clock;
    const onManualAction = async (plan: string, action: string): Promise<boolean> => {
      const decision = await decideManualAction(
        { emulated: backend.kind !== "azure", approveAll: flags.approveManualActions === true, terminal },
        `plan ${plan}: ${action} waits: is it done? Resume the plan?`,
      );
      manualActions.push({ plan, action, decision });
      progress.note(clock.now(), `${plan}: ${action}: ${decision}${decision === "not approved" ? "; the plan stops waiting" : "; the plan goes on"}`);
      return decision !== "not approved";
    };
    const report = await runDrill(dr, {
      vault,
      backend: backend.kind,
      testNetworkId,
      full: flags.full === true,
      maxRpoSeconds: flags.maxRpo,
      ...(flags.plan === undefined ? {} : { plans: flags.plan }),
      ...(flags.topology === undefined && backend.kind === "azure" ? {} : { applicationVms: estateVmNames(topology) }),
      ...(flags.check === undefined ? {} : { userChecks: async (plan) => userCheck(flags.check as string, plan, testNetworkId) }),
      onManualAction,
      onEvent: (event) => progress.on(event),
      abortSignal: controller.signal,
    });
    const files = writeReports(report, manualActions, flags.out);
    if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...report, manualActions }, null, 2)}\n`);
    else process.stdout.write(`${summary(report)}${manualActionSummary(manualActions)}\nReports: ${files.join(", ")}\n`);
    if (report.outcome === "stopped") return EXIT.interrupted;
    const pending = manualActions.filter((m) => m.decision === "not approved");
    if (pending.length > 0)
      return reportFailure(
        new CliStop(
          "ManualActionPending",
          `manual action(s) not approved: ${pending.map((m) => `${m.plan}: ${m.action}`).join("; ")}`,
          "clean up as the next steps say, then run the drill again on a terminal (answer y once each action is done) or with --approve-manual-actions",
        ),
      );
    if (report.outcome === "passed") return EXIT.ok;
    return report.plans.every((p) => p.outcome === "not-ready") ? EXIT.invalidState : EXIT.failed;
  } catch (error) {
    return reportFailure(error);
  } finally {
    process.off("SIGINT", onSigint);
    await dr?.close();
  }
}

function userCheck(command: string, plan: string, testNetworkId: string): boolean {
  const result = spawnSync(command, {
    shell: true,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, AZURE_DR_PLAN: plan, AZURE_DR_TEST_NETWORK: testNetworkId },
  });
  return result.status === 0;
}

/** The summary's lines about manual actions: which were approved and by what (never silently). */
function manualActionSummary(records: ManualActionRecord[]): string {
  if (records.length === 0) return "";
  return `\nManual actions:\n${records.map((m) => `  ${m.plan}: ${m.action}: ${m.decision}`).join("\n")}\n`;
}

function writeReports(report: DrillReport, manualActions: ManualActionRecord[], dir: string): string[] {
  mkdirSync(resolve(dir), { recursive: true });
  const json = join(dir, "drill-report.json");
  const html = join(dir, "drill-report.html");
  writeFileSync(json, `${JSON.stringify({ ...report, manualActions }, null, 2)}\n`);
  writeFileSync(html, renderHtmlReport(report));
  return [json, html];
}
