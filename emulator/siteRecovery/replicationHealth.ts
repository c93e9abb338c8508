import { z } from "zod";
import { ArmError } from "../arm/armError.js";
import { parseInput } from "../arm/parseInput.js";
import type { JsonObject, JsonValue } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import type { StoredResource } from "../store/state.js";
import { copyDurationMs } from "./replicationModel.js";

const MINUTE = 60_000;
/** Retry offsets after the first failed attempt (DOMAIN.md §4), then every 30 minutes. */
export const RETRY_OFFSETS_MS = [1, 2, 4, 8, 10].map((m) => m * MINUTE);
const RETRY_EVERY_MS = 30 * MINUTE;
/** Resync is needed when pending changes reach this share of the disks' size. */
export const RESYNC_THRESHOLD = 0.5;
/** Hour (UTC) at which an automatic resync starts: outside office hours. */
export const RESYNC_HOUR_UTC = 22;

/** A replication failure as the control surface takes it. */
export const replicationFaultSchema = z.strictObject({
  /** The replicated item (its ARM id), or the source VM's ARM id. */
  target: z.string().min(1),
  /** Recoverable errors (network, low disk, low memory) are retried with back-off; others make the item Critical until repaired. @default true */
  recoverable: z.boolean().default(true),
  /** How long the cause lasts, for a recoverable error (absent: until removed). */
  durationMs: z.number().int().min(0).optional(),
  code: z.string().min(1).max(40).optional(),
  message: z.string().min(1).max(500).optional(),
  /** How fast the source disks change while nothing is sent, in MB/s. @default 5 */
  churnMBps: z.number().positive().max(10_000).default(5),
});

/** The failure state of an item. */
export interface ReplicationFault extends JsonObject {
  code: string;
  message: string;
  recoverable: boolean;
  startedAt: number;
  /** When the cause goes away (recoverable); null: it stays until repaired. */
  causeEndsAt: number | null;
  churnBytesPerSecond: number;
  retries: number;
  lastRetryAt: number | null;
  resyncRequiredAt: number | null;
  resyncStartedAt: number | null;
  resyncEndsAt: number | null;
}

/** What the health rules need of an item. */
export interface HealthSubject extends JsonObject {
  lifecycleId: string;
  phase: string;
  outages: { from: number; to: number | null }[];
  disks: { diskCapacityInBytes: number }[];
  fault: ReplicationFault | null;
}

/**
 * Replication health (DOMAIN.md §4): a failure stops delta replication (no new recovery points,
 * RPO grows); recoverable errors are retried at 1, 2, 4, 8 and 10 minutes after the first attempt,
 * then every 30 minutes, and replication resumes at the first retry after the cause is gone;
 * non-recoverable errors are not retried and make the item Critical. Pending changes grow with
 * the churn; at half the disks' size the item needs a resync, which starts outside office hours
 * (22:00 UTC) or by hand (`repairReplication`) and sends only the differing blocks.
 */
export class ReplicationHealth {
  constructor(
    private readonly services: EmulatorServices,
    private readonly find: (itemId: string) => StoredResource | undefined,
  ) {
    services.scheduler.on("asr.health.retry", (data, at) => this.retry(String(data.itemId), String(data.lifecycleId), at));
    services.scheduler.on("asr.health.resyncRequired", (data, at) => this.resyncRequired(String(data.itemId), String(data.lifecycleId), at));
    services.scheduler.on("asr.health.resyncDone", (data, at) => this.resyncDone(String(data.itemId), String(data.lifecycleId), at));
  }

  /** Starts a failure on a protected item; 400 InvalidReplicationFault for bad input, 409 unless the item is protected and healthy. */
  inject(item: StoredResource, input: unknown): ReplicationFault {
    const data = parseInput(replicationFaultSchema, input, "InvalidReplicationFault", "Replication fault");
    const subject = item.internal as HealthSubject;
    if (subject.phase !== "Protected")
      throw new ArmError(
        409,
        "ItemNotProtected",
        `Replicated item '${String(item.body.name)}' is not protected (phase ${subject.phase}); only delta replication can fail this way.`,
      );
    if (subject.fault !== null) throw new ArmError(409, "FaultAlreadyActive", `Replicated item '${String(item.body.name)}' already has a replication failure.`);
    const now = this.services.now();
    const fault: ReplicationFault = {
      code: data.code ?? (data.recoverable ? "151037" : "150172"),
      message:
        data.message ??
        (data.recoverable
          ? "Site Recovery could not reach its service endpoints from the virtual machine (network error)."
          : "The replica disk chain is broken; replication cannot continue."),
      recoverable: data.recoverable,
      startedAt: now,
      causeEndsAt: data.recoverable && data.durationMs !== undefined ? now + data.durationMs : null,
      churnBytesPerSecond: data.churnMBps * 1024 * 1024,
      retries: 0,
      lastRetryAt: null,
      resyncRequiredAt: null,
      resyncStartedAt: null,
      resyncEndsAt: null,
    };
    subject.fault = fault;
    subject.outages.push({ from: now, to: null });
    const ref = { itemId: item.id, lifecycleId: subject.lifecycleId };
    if (fault.recoverable) this.services.scheduler.schedule(now + (RETRY_OFFSETS_MS[0] as number), "asr.health.retry", ref);
    const threshold = (RESYNC_THRESHOLD * totalBytes(subject)) / fault.churnBytesPerSecond;
    this.services.scheduler.schedule(now + Math.ceil(threshold * 1000), "asr.health.resyncRequired", ref);
    return fault;
  }

  /** Ends a recoverable failure's cause now (the next retry then succeeds). */
  clearCause(item: StoredResource): void {
    const fault = (item.internal as HealthSubject).fault;
    if (fault !== null) fault.causeEndsAt = Math.min(fault.causeEndsAt ?? Infinity, this.services.now());
  }

  /** Whether `repairReplication` is allowed now: a resync is required, or a non-recoverable error waits for the administrator. */
  canRepair(subject: HealthSubject): boolean {
    const fault = subject.fault;
    return fault !== null && fault.resyncStartedAt === null && (fault.resyncRequiredAt !== null || !fault.recoverable);
  }

  /** Starts a resync now (by hand); it ends when the differing blocks are sent. */
  startResync(item: StoredResource, at: number): number {
    const subject = item.internal as HealthSubject;
    const fault = subject.fault;
    if (fault === null || !this.canRepair(subject)) {
      throw new ArmError(
        400,
        "OperationNotAllowed",
        `Replicated item '${String(item.body.name)}' does not need a resync (allowed operations do not include RepairReplication).`,
      );
    }
    fault.causeEndsAt = Math.min(fault.causeEndsAt ?? at, at);
    fault.resyncStartedAt = at;
    fault.resyncEndsAt = at + copyDurationMs(Math.min(pendingBytes(subject, at), totalBytes(subject)), this.services.settings.replicationBandwidthMBps);
    this.services.scheduler.schedule(fault.resyncEndsAt, "asr.health.resyncDone", { itemId: item.id, lifecycleId: subject.lifecycleId });
    return fault.resyncEndsAt - at;
  }

  /** Fields of the served item that health decides. */
  view(
    subject: HealthSubject,
    now: number,
  ): {
    replicationHealth: string;
    healthErrors: JsonValue[];
    allowedExtra: string[];
    resyncRequired: boolean;
    pendingMB: number;
    resyncPercent: number | null;
  } {
    const fault = subject.fault;
    if (fault === null) return { replicationHealth: "Normal", healthErrors: [], allowedExtra: [], resyncRequired: false, pendingMB: 0, resyncPercent: null };
    const resyncRequired = fault.resyncRequiredAt !== null;
    const errors: JsonValue[] = [healthError(fault.code, fault.message, fault.recoverable ? "Warning" : "Error", fault.startedAt, fault.recoverable)];
    if (resyncRequired) {
      errors.push(
        healthError("150110", "Pending changes reached half the disks' size; the VM must be resynchronized.", "Error", fault.resyncRequiredAt as number, true),
      );
    }
    const resyncPercent =
      fault.resyncStartedAt !== null && fault.resyncEndsAt !== null
        ? Math.min(100, Math.floor(((now - fault.resyncStartedAt) / Math.max(1, fault.resyncEndsAt - fault.resyncStartedAt)) * 100))
        : null;
    return {
      replicationHealth: !fault.recoverable || resyncRequired ? "Critical" : "Warning",
      healthErrors: errors,
      allowedExtra: this.canRepair(subject) ? ["RepairReplication"] : [],
      resyncRequired,
      pendingMB: Math.floor(pendingBytes(subject, now) / (1024 * 1024)),
      resyncPercent,
    };
  }

  private subjectOf(itemId: string, lifecycleId: string): { item: StoredResource; subject: HealthSubject; fault: ReplicationFault } | undefined {
    const item = this.find(itemId);
    const subject = item?.internal as HealthSubject | undefined;
    if (item === undefined || subject === undefined || subject.lifecycleId !== lifecycleId || subject.fault === null) return undefined;
    return { item, subject, fault: subject.fault };
  }

  private retry(itemId: string, lifecycleId: string, at: number): void {
    const found = this.subjectOf(itemId, lifecycleId);
    if (found === undefined || found.fault.resyncStartedAt !== null) return;
    const { subject, fault } = found;
    fault.retries++;
    fault.lastRetryAt = at;
    const causeGone = fault.causeEndsAt !== null && at >= fault.causeEndsAt;
    if (causeGone && fault.resyncRequiredAt === null) {
      this.recover(subject, at);
      return;
    }
    if (causeGone) return;
    const offset = RETRY_OFFSETS_MS[fault.retries] ?? (RETRY_OFFSETS_MS.at(-1) as number) + (fault.retries - RETRY_OFFSETS_MS.length + 1) * RETRY_EVERY_MS;
    this.services.scheduler.schedule(fault.startedAt + offset, "asr.health.retry", { itemId, lifecycleId });
  }

  private resyncRequired(itemId: string, lifecycleId: string, at: number): void {
    const found = this.subjectOf(itemId, lifecycleId);
    if (found === undefined || found.fault.resyncRequiredAt !== null) return;
    found.fault.resyncRequiredAt = at;
    const next = new Date(at);
    next.setUTCHours(RESYNC_HOUR_UTC, 0, 0, 0);
    if (next.getTime() <= at) next.setUTCDate(next.getUTCDate() + 1);
    this.services.scheduler.schedule(next.getTime(), "asr.health.autoResync", { itemId, lifecycleId });
  }

  /** Registered by the owner of the items so the automatic resync runs as the same job a manual one does. */
  onAutoResync(handler: (item: StoredResource, at: number) => void): void {
    this.services.scheduler.on("asr.health.autoResync", (data, at) => {
      const found = this.subjectOf(String(data.itemId), String(data.lifecycleId));
      if (found === undefined || !found.fault.recoverable || !this.canRepair(found.subject)) return;
      if (found.fault.causeEndsAt !== null && at >= found.fault.causeEndsAt) handler(found.item, at);
      else this.services.scheduler.schedule(at + 24 * 60 * MINUTE, "asr.health.autoResync", data);
    });
  }

  private resyncDone(itemId: string, lifecycleId: string, at: number): void {
    const found = this.subjectOf(itemId, lifecycleId);
    if (found === undefined || found.fault.resyncEndsAt === null || at < found.fault.resyncEndsAt) return;
    this.recover(found.subject, at);
  }

  private recover(subject: HealthSubject, at: number): void {
    const open = subject.outages.find((o) => o.to === null);
    if (open !== undefined) open.to = at;
    subject.fault = null;
  }
}

function totalBytes(subject: HealthSubject): number {
  return subject.disks.reduce((sum, d) => sum + d.diskCapacityInBytes, 0);
}

function pendingBytes(subject: HealthSubject, now: number): number {
  const fault = subject.fault;
  if (fault === null) return 0;
  const until = fault.resyncStartedAt ?? now;
  return Math.max(0, ((until - fault.startedAt) / 1000) * fault.churnBytesPerSecond);
}

function healthError(code: string, message: string, level: string, at: number, recoverable: boolean): JsonObject {
  return {
    errorSource: "Replication",
    errorType: "Replication",
    errorLevel: level,
    errorCategory: "Replication",
    errorCode: code,
    summaryMessage: message,
    errorMessage: message,
    possibleCauses: recoverable ? "A transient condition on the source VM or its network." : "The replica is no longer consistent with the source.",
    recommendedAction: recoverable
      ? "Site Recovery retries automatically; check outbound connectivity if it persists."
      : "Resynchronize the VM (repair replication) or disable and re-enable replication.",
    creationTimeUtc: new Date(at).toISOString(),
    customerResolvability: recoverable ? "NotAllowed" : "Allowed",
    innerHealthErrors: [],
  };
}
