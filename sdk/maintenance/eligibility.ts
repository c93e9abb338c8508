import type { MaintenanceStatus, TimeWindow } from "../model/maintenance.js";
import type { MaintenanceExclusionReason } from "../model/maintenancePlan.js";

/** What an owner-driven maintenance can do with a VM, from its status: start it, wait for the maintenance under way, or leave it (and why). */
export type MaintenanceDecision = { kind: "start" } | { kind: "await" } | { kind: "leave"; reason: MaintenanceExclusionReason; detail: string };

const REASONS: Readonly<Partial<Record<MaintenanceStatus["phase"], MaintenanceExclusionReason>>> = {
  none: "noMaintenance",
  selfServiceNotYetOpen: "windowNotYetOpen",
  awaitingPlatform: "windowClosed",
  platformMaintenance: "windowClosed",
  completed: "alreadyDone",
  aborted: "excludedAfterFailure",
  retryLater: "retryLater",
};

/** Why the owner cannot start the VM's maintenance now, in words (empty when they can). */
export function refusalDetail(status: MaintenanceStatus): string {
  const window = status.selfServiceWindow;
  const message = status.lastMessage === undefined || status.lastMessage === "" ? "" : ` (${status.lastMessage})`;
  switch (status.phase) {
    case "selfServiceOpen":
      return "";
    case "selfServiceNotYetOpen":
      return `its self-service maintenance window opens at ${window?.start.toISOString() ?? "a later time"}`;
    case "awaitingPlatform":
      return `its self-service window ended at ${window?.end.toISOString() ?? "an earlier time"}; Azure will maintain it in the scheduled window${
        status.scheduledWindow === undefined ? "" : ` from ${status.scheduledWindow.start.toISOString()}`
      }`;
    case "inProgress":
      return "its maintenance is already in progress";
    case "retryLater":
      return `Azure answered its last attempt with RetryLater${message}: it cannot be started now`;
    case "platformMaintenance":
      return "the scheduled window is open; Azure is maintaining it";
    case "completed":
      return "its maintenance was already completed (it can be started once per VM)";
    case "aborted":
      return `its maintenance was aborted${message} and it was dropped from this maintenance iteration`;
    case "none":
      return "no planned maintenance is pending for it";
  }
}

/**
 * The decision for a VM from its maintenance status (DOMAIN.md §2): start it when Azure allows the
 * owner to start it now; follow it when its maintenance is under way; otherwise leave it, saying why.
 */
export function decide(status: MaintenanceStatus): MaintenanceDecision {
  if (status.phase === "selfServiceOpen" && status.selfServiceAllowed) return { kind: "start" };
  if (status.phase === "inProgress") return { kind: "await" };
  return { kind: "leave", reason: REASONS[status.phase] ?? "windowClosed", detail: refusalDetail(status) };
}

/** Whether a maintenance started at `start` and lasting `durationMs` lies within the self-service window. */
export function fitsWindow(window: TimeWindow | undefined, start: Date, durationMs: number): boolean {
  return window !== undefined && start.getTime() >= window.start.getTime() && start.getTime() + durationMs <= window.end.getTime();
}

/** The detail of a VM whose window closes before its turn (starting at `start`, lasting `durationMs`) would end. */
export function tooLateDetail(window: TimeWindow | undefined, start: Date, durationMs: number): string {
  return `its self-service window ends at ${window?.end.toISOString() ?? "an earlier time"}, before its turn would end (${new Date(
    start.getTime() + durationMs,
  ).toISOString()}, starting ${start.toISOString()})`;
}
