import { z } from "zod";
import { ArmError } from "../arm/armError.js";
import { parseInput } from "../arm/parseInput.js";
import type { JsonObject, JsonValue } from "../arm/types.js";
import type { EmulatorServices } from "../services.js";
import type { StoredResource } from "../store/state.js";
import { guidOf } from "./asrApi.js";
import { copyDurationMs, differingBlocks, type DifferingBlocks } from "./replicationModel.js";

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
  /** How fast the source disks change while nothing is sent, in MB/s. @default the VM's write rate (Hyper-V), else 5 */
  churnMBps: z.number().positive().max(10_000).optional(),
});

/** How fast an A2A VM's disks change while a failure stops replication, unless the fault says. */
const DEFAULT_CHURN_BYTES_PER_SECOND = 5 * 1024 * 1024;
/** How many health events an item keeps (the oldest go first). */
const MAX_EVENTS = 200;

/** The failure state of an item. */
export interface ReplicationFault extends JsonObject {
  code: string;
  message: string;
  recoverable: boolean;
  startedAt: number;
  /** When the cause goes away (recoverable); null: it stays until repaired. */
  causeEndsAt: number | null;
  churnBytesPerSecond: number;
  /** Share of the disks the writes land on: how many blocks differ for a given amount of writes. */
  hotSetFraction?: number;
  retries: number;
  lastRetryAt: number | null;
  resyncRequiredAt: number | null;
  resyncStartedAt: number | null;
  resyncEndsAt: number | null;
  /** What the resync sends (set when it starts). */
  resync?: (DifferingBlocks & JsonObject) | null;
  /** The on-premises Hyper-V site (fabric id) whose outage is the cause, when it is one; its return ends the cause. */
  siteOutage?: string | null;
  /** What the health error gives as possible causes and recommended action, when the cause is known. */
  possibleCauses?: string;
  recommendedAction?: string;
}

/** Something that happened to an item's replication, as `replicationEvents` shows it. */
export interface HealthEvent extends JsonObject {
  name: string;
  type: HealthEventType;
  severity: "Info" | "Warning" | "Critical";
  at: number;
  description: string;
  /** The health error code it is about, if any. */
  code: string | null;
}

/** The kinds of replication health event. */
export type HealthEventType = "ReplicationFailed" | "ReplicationRetryFailed" | "ReplicationResumed" | "ResyncRequired" | "ResyncStarted" | "ResyncCompleted";

/** What the health rules need of an item. */
export interface HealthSubject extends JsonObject {
  lifecycleId: string;
  phase: string;
  outages: { from: number; to: number | null }[];
  disks: { diskCapacityInBytes: number }[];
  fault: ReplicationFault | null;
  /** The item's health events, oldest first (absent until the first). */
  events?: HealthEvent[];
}

/** What a resync sends and how long it takes. */
export interface ResyncPlan extends DifferingBlocks {
  durationMs: number;
  /** The changes logged while replication was stopped (what a full resend would have been). */
  pendingBytes: number;
}

/** How an item's source writes while replication is stopped, when the fault does not say. */
export interface WriteProfile {
  churnBytesPerSecond?: number;
  hotSetFraction?: number;
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
    /** How the item's source writes (Hyper-V VMs have their own rate); absent: 5 MB/s over the whole disks. */
    private readonly writeProfile: (item: StoredResource) => WriteProfile = () => ({}),
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
    const profile = this.writeProfile(item);
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
      churnBytesPerSecond: data.churnMBps === undefined ? (profile.churnBytesPerSecond ?? DEFAULT_CHURN_BYTES_PER_SECOND) : data.churnMBps * 1024 * 1024,
      hotSetFraction: profile.hotSetFraction ?? 1,
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
    if (fault.churnBytesPerSecond > 0) {
      const threshold = (RESYNC_THRESHOLD * totalBytes(subject)) / fault.churnBytesPerSecond;
      this.services.scheduler.schedule(now + Math.ceil(threshold * 1000), "asr.health.resyncRequired", ref);
    }
    record(
      subject,
      "ReplicationFailed",
      fault.recoverable ? "Warning" : "Critical",
      now,
      fault.code,
      fault.recoverable
        ? `Replication failed: ${fault.message} (${fault.code}). Site Recovery retries in ${(RETRY_OFFSETS_MS[0] as number) / MINUTE} minute(s).`
        : `Replication failed: ${fault.message} (${fault.code}). The error is not recoverable: it is not retried until an administrator repairs replication.`,
    );
    return fault;
  }

  /** Ends a recoverable failure's cause now (the next retry then succeeds). */
  clearCause(item: StoredResource): void {
    const fault = (item.internal as HealthSubject).fault;
    if (fault !== null) fault.causeEndsAt = Math.min(fault.causeEndsAt ?? Infinity, this.services.now());
  }

  /**
   * The cause of an item's failure ended at `at` and Site Recovery retries at once (e.g. the
   * providers of its Hyper-V site reconnect): replication resumes, unless pending changes reached
   * the resync threshold meanwhile (then the item waits for its resync, by hand or outside office hours).
   */
  resumeNow(item: StoredResource, at: number): void {
    const subject = item.internal as HealthSubject;
    const fault = subject.fault;
    if (fault === null) return;
    fault.causeEndsAt = Math.min(fault.causeEndsAt ?? at, at);
    this.retry(item.id, subject.lifecycleId, at);
  }

  /** Whether `repairReplication` is allowed now: a resync is required, or a non-recoverable error waits for the administrator. */
  canRepair(subject: HealthSubject): boolean {
    const fault = subject.fault;
    return fault !== null && fault.resyncStartedAt === null && (fault.resyncRequiredAt !== null || !fault.recoverable);
  }

  /**
   * Starts a resync at `at` (by hand, or by the service outside office hours): source and replica are
   * split into fixed-size blocks whose checksums are compared, and only the blocks that differ are
   * sent; it ends when they are.
   */
  startResync(item: StoredResource, at: number): ResyncPlan {
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
    const pending = pendingBytes(subject, at);
    const differing = differingBlocks(pending, totalBytes(subject), fault.hotSetFraction ?? 1);
    const durationMs = copyDurationMs(differing.bytes, this.services.settings.replicationBandwidthMBps);
    fault.resyncStartedAt = at;
    fault.resyncEndsAt = at + durationMs;
    fault.resync = { ...differing };
    this.services.scheduler.schedule(fault.resyncEndsAt, "asr.health.resyncDone", { itemId: item.id, lifecycleId: subject.lifecycleId });
    record(
      subject,
      "ResyncStarted",
      "Info",
      at,
      null,
      `Resynchronization started: ${differing.blocks} of ${differing.totalBlocks} blocks differ (${mb(differing.bytes)} MB to send; ${mb(pending)} MB of changes were logged).`,
    );
    return { ...differing, durationMs, pendingBytes: pending };
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
    const errors: JsonValue[] = [healthError(fault.code, fault.message, fault.recoverable ? "Warning" : "Error", fault.startedAt, fault.recoverable, fault)];
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
      record(subject, "ReplicationResumed", "Info", at, fault.code, `Replication resumed at retry ${fault.retries}.`);
      this.recover(subject, at);
      return;
    }
    if (causeGone) return;
    const offset = RETRY_OFFSETS_MS[fault.retries] ?? (RETRY_OFFSETS_MS.at(-1) as number) + (fault.retries - RETRY_OFFSETS_MS.length + 1) * RETRY_EVERY_MS;
    this.services.scheduler.schedule(fault.startedAt + offset, "asr.health.retry", { itemId, lifecycleId });
    record(
      subject,
      "ReplicationRetryFailed",
      "Warning",
      at,
      fault.code,
      `Retry ${fault.retries} of replication failed: ${fault.message} (${fault.code}). Next retry at ${new Date(fault.startedAt + offset).toISOString()}.`,
    );
  }

  private resyncRequired(itemId: string, lifecycleId: string, at: number): void {
    const found = this.subjectOf(itemId, lifecycleId);
    if (found === undefined || found.fault.resyncRequiredAt !== null) return;
    found.fault.resyncRequiredAt = at;
    record(
      found.subject,
      "ResyncRequired",
      "Critical",
      at,
      "150110",
      `Pending changes reached half the disks' size (${mb(pendingBytes(found.subject, at))} MB): the VM must be resynchronized (by hand, or from ${RESYNC_HOUR_UTC}:00 UTC once the cause is gone).`,
    );
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
    record(
      found.subject,
      "ResyncCompleted",
      "Info",
      at,
      null,
      `Resynchronization completed: ${mb(found.fault.resync?.bytes ?? 0)} MB sent (the differing blocks only); delta replication resumed.`,
    );
    this.recover(found.subject, at);
  }

  private recover(subject: HealthSubject, at: number): void {
    const open = subject.outages.find((o) => o.to === null);
    if (open !== undefined) open.to = at;
    subject.fault = null;
  }
}

/** Adds a health event to the item (keeping the last {@link MAX_EVENTS}). */
function record(subject: HealthSubject, type: HealthEventType, severity: HealthEvent["severity"], at: number, code: string | null, description: string): void {
  const events = (subject.events ??= []);
  events.push({ name: guidOf(subject.lifecycleId, "event", at, type, events.length), type, severity, at, description, code });
  if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
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

function healthError(
  code: string,
  message: string,
  level: string,
  at: number,
  recoverable: boolean,
  known: Pick<ReplicationFault, "possibleCauses" | "recommendedAction"> = {},
): JsonObject {
  return {
    errorSource: "Replication",
    errorType: "Replication",
    errorLevel: level,
    errorCategory: "Replication",
    errorCode: code,
    summaryMessage: message,
    errorMessage: message,
    possibleCauses:
      known.possibleCauses ?? (recoverable ? "A transient condition on the source VM or its network." : "The replica is no longer consistent with the source."),
    recommendedAction:
      known.recommendedAction ??
      (recoverable
        ? "Site Recovery retries automatically; check outbound connectivity if it persists."
        : "Resynchronize the VM (repair replication) or disable and re-enable replication."),
    creationTimeUtc: new Date(at).toISOString(),
    customerResolvability: recoverable ? "NotAllowed" : "Allowed",
    innerHealthErrors: [],
  };
}
