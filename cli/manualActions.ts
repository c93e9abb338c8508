import type { ManualActionRequest, PlanRunResult } from "../sdk/index.js";
import { askYesNo, type Terminal } from "./confirmation.js";
import { CliStop } from "./failure.js";

/** How a plan run's manual actions are approved: by `--approve-manual-actions`, by a person at the terminal, or not at all. */
export interface ManualActionPolicy {
  /** `--approve-manual-actions`: every manual action is approved, and each approval is printed. */
  approveAll: boolean;
  terminal: Terminal;
  /** Where each manual action and its approval is said (stderr). */
  write: (text: string) => void;
}

/** What was decided for one manual action, as the CLI says it. */
export type ManualActionDecision =
  "approved automatically (emulated backend)" | "approved by --approve-manual-actions" | "approved at the terminal" | "not approved";

/**
 * Decides one manual action, never silently on Azure: approved by itself only on an emulated
 * backend (`emulated`, the drill's), else by `--approve-manual-actions`, else by a `y` to
 * `question` at the terminal; otherwise not approved.
 */
export async function decideManualAction(
  policy: Pick<ManualActionPolicy, "approveAll" | "terminal"> & { emulated?: boolean },
  question: string,
): Promise<ManualActionDecision> {
  if (policy.emulated === true) return "approved automatically (emulated backend)";
  if (policy.approveAll) return "approved by --approve-manual-actions";
  if (policy.terminal.interactive && (await askYesNo(policy.terminal, question))) return "approved at the terminal";
  return "not approved";
}

/**
 * The `onManualAction` of a plan run from the CLI: never approves silently. Each action that
 * waits is printed; it is approved by `--approve-manual-actions` (said so) or by a `y` at the
 * terminal; otherwise the run stops waiting and the plan's job stays suspended at the action.
 */
export function manualActionHandler(policy: ManualActionPolicy): (request: ManualActionRequest) => Promise<boolean> {
  return async ({ handle, step }) => {
    policy.write(`plan ${handle.plan}: waits at ${step.friendlyName}\n`);
    const decision = await decideManualAction(policy, `plan ${handle.plan}: is the manual action done? Resume the plan?`);
    const approved = decision !== "not approved";
    // Without a terminal nobody was asked: the stop that follows says what to do.
    if (approved || policy.terminal.interactive)
      policy.write(`plan ${handle.plan}: ${step.friendlyName} ${decision}; the plan ${approved ? "goes on" : "waits"}\n`);
    return approved;
  };
}

/**
 * Stops with exit code 3 when a plan run ended waiting at a manual action, saying which and how to approve it.
 * @throws CliStop `ManualActionPending`.
 */
export function requireNoPendingManualAction(result: PlanRunResult, command: string): void {
  if (result.state !== "WaitingForUser") return;
  const waiting = result.steps.find((s) => s.state === "Suspended")?.friendlyName ?? "a manual action";
  throw new CliStop(
    "ManualActionPending",
    `plan ${result.handle.plan} waits at ${waiting} (job ${result.handle.jobName}); nothing approved it`,
    `do the action, then approve it: run \`${command} --approve-manual-actions\` (it follows the same job and resumes it), or run the command on a terminal and answer y`,
  );
}
