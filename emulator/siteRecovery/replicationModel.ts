/** A period in which replication did not send data (a failure until it was retried successfully). */
export interface ReplicationOutage {
  from: number;
  /** When replication resumed; null while it is still down. */
  to: number | null;
}

/** A recovery point as the model derives it. */
export interface ModelledRecoveryPoint {
  time: number;
  type: "CrashConsistent" | "ApplicationConsistent";
}

/** What recovery points depend on. */
export interface RecoveryPointInputs {
  now: number;
  /** When the first recovery point was taken (end of the initial replication). */
  since: number;
  outages: readonly ReplicationOutage[];
  retentionMinutes: number;
  /** 0 when app-consistent snapshots are off. */
  appConsistentFrequencyMinutes: number;
  crashConsistentFrequencyMinutes: number;
  /** Thin crash-consistent points older than two hours as the A2A FAQ says. @default true */
  thin?: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function inOutage(time: number, outages: readonly ReplicationOutage[]): boolean {
  return outages.some((o) => time >= o.from && (o.to === null || time < o.to));
}

/**
 * How far apart Azure keeps crash-consistent points older than two hours, by retention
 * (A2A FAQ): up to 1 day hourly; 2-7 days every 2 hours; 8-15 days every 2 hours for the last
 * 7 days, every 4 hours before that.
 */
function spacingFor(age: number, retentionMinutes: number): number {
  if (age <= 2 * HOUR) return 0;
  if (retentionMinutes <= 24 * 60) return HOUR;
  if (retentionMinutes <= 7 * 24 * 60) return 2 * HOUR;
  return age <= 7 * DAY ? 2 * HOUR : 4 * HOUR;
}

/**
 * The recovery points that exist at `now`: crash-consistent every `crashConsistentFrequencyMinutes`
 * and app-consistent every `appConsistentFrequencyMinutes` from `since`, none while replication was
 * down, pruned to the retention as Azure prunes them; newest first. Retention 0 keeps only the latest.
 */
export function recoveryPointsAt(inputs: RecoveryPointInputs): ModelledRecoveryPoint[] {
  const { now, since, outages, retentionMinutes, appConsistentFrequencyMinutes, crashConsistentFrequencyMinutes } = inputs;
  if (now < since) return [];
  const oldest = retentionMinutes === 0 ? now : Math.max(since, now - retentionMinutes * MINUTE);
  const points: ModelledRecoveryPoint[] = [];
  const appStep = appConsistentFrequencyMinutes * MINUTE;
  const appTimes = new Set<number>();
  if (appStep > 0) {
    for (let k = Math.ceil((oldest - since) / appStep), t = since + k * appStep; t <= now; k++, t = since + k * appStep) {
      if (!inOutage(t, outages)) {
        points.push({ time: t, type: "ApplicationConsistent" });
        appTimes.add(t);
      }
    }
  }
  const crashStep = crashConsistentFrequencyMinutes * MINUTE;
  for (let k = Math.ceil((oldest - since) / crashStep), t = since + k * crashStep; t <= now; k++, t = since + k * crashStep) {
    if (appTimes.has(t) || inOutage(t, outages)) continue;
    const spacing = inputs.thin === false ? 0 : spacingFor(now - t, retentionMinutes);
    if (spacing > 0 && (t - since) % spacing !== 0) continue;
    points.push({ time: t, type: "CrashConsistent" });
  }
  points.sort((a, b) => b.time - a.time);
  return retentionMinutes === 0 ? points.slice(0, 1) : points;
}

/** Seconds of data at risk at `now`: time since the latest point (any type), or undefined before the first. */
export function rpoSecondsAt(inputs: RecoveryPointInputs): number | undefined {
  const latest = recoveryPointsAt({ ...inputs, retentionMinutes: Math.max(inputs.retentionMinutes, 60) })[0];
  return latest === undefined ? undefined : Math.floor((inputs.now - latest.time) / 1000);
}

/** Percentage (0-100, whole) of an initial replication running from `start` to `end`, at `now`. */
export function initialReplicationPercent(start: number, end: number, now: number): number {
  if (end <= start) return 100;
  return Math.max(0, Math.min(100, Math.floor(((now - start) / (end - start)) * 100)));
}

/** Milliseconds to copy `bytes` at `bandwidthMBps` megabytes per second (at least `minimumMs`: one minute unless told). */
export function copyDurationMs(bytes: number, bandwidthMBps: number, minimumMs = MINUTE): number {
  return Math.max(minimumMs, Math.ceil((bytes / (bandwidthMBps * 1024 * 1024)) * 1000));
}

/** A VM's write rate from `from` on (until the next period of its history). */
export interface ChurnPeriod {
  from: number;
  bytesPerSecond: number;
}

/** Bytes a VM wrote between `from` and `to`, from its write-rate history (oldest first). */
export function bytesWritten(history: readonly ChurnPeriod[], from: number, to: number): number {
  let total = 0;
  history.forEach((period, index) => {
    const start = Math.max(from, period.from);
    const end = Math.min(to, history[index + 1]?.from ?? Infinity);
    if (end > start) total += ((end - start) / 1000) * period.bytesPerSecond;
  });
  return total;
}

/** Size of the fixed blocks whose checksums a resynchronization compares (inferred: Azure does not publish it). */
export const RESYNC_BLOCK_BYTES = 1024 * 1024;

/** How much of a disk differs from its replica: whole blocks, and their bytes. */
export interface DifferingBlocks {
  blocks: number;
  totalBlocks: number;
  bytes: number;
}

/**
 * The blocks that differ between a disk and its replica after `writtenBytes` of writes that were not
 * replicated, the writes landing uniformly at random on a hot set (`hotSetFraction` of the disk):
 * the expected number of distinct blocks written, `H × (1 − e^(−w/H))` for a hot set of H blocks and
 * w blocks written, in whole blocks. Rewriting a block does not make it differ twice, so this is at
 * most the hot set and never more than what was written.
 */
export function differingBlocks(writtenBytes: number, diskBytes: number, hotSetFraction = 1): DifferingBlocks {
  const totalBlocks = Math.ceil(diskBytes / RESYNC_BLOCK_BYTES);
  const hotBlocks = Math.max(1, Math.round(totalBlocks * Math.min(1, Math.max(0, hotSetFraction))));
  const written = writtenBytes / RESYNC_BLOCK_BYTES;
  const blocks = written <= 0 ? 0 : Math.min(totalBlocks, Math.ceil(hotBlocks * -Math.expm1(-written / hotBlocks)));
  return { blocks, totalBlocks, bytes: blocks * RESYNC_BLOCK_BYTES };
}

/**
 * The time of the last delta replication cycle at or before `now`: cycles run every `intervalMs`
 * from `since`, none while replication was down (a cycle due during an outage is skipped).
 */
export function lastCycleAt(now: number, since: number, intervalMs: number, outages: readonly ReplicationOutage[]): number | undefined {
  if (now < since) return undefined;
  for (let t = since + Math.floor((now - since) / intervalMs) * intervalMs; t >= since; t -= intervalMs) {
    const outage = outages.find((o) => t >= o.from && (o.to === null || t < o.to));
    if (outage === undefined) return t;
    // Skip back to the last cycle before this outage began.
    t = since + Math.ceil((outage.from - since) / intervalMs) * intervalMs;
  }
  return undefined;
}
