import { randomUUID } from "node:crypto";
import { fsyncSync, closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { fsyncDirectory } from "./fsyncDirectory.js";

/** Who holds a state file's lock, as its lock file says. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** The holder process's start time (`/proc/<pid>/stat`, clock ticks since boot), where the system tells it: a reused pid is not the holder. */
  processStart?: string;
  /** When it took the lock (ISO 8601). */
  since: string;
  /** Tells this holding from any other, also of the same process. */
  token: string;
}

/** Code of {@link StateFileLockedError}. */
export const STATE_FILE_LOCKED = "StateFileLocked";

/** The state file is held by another live process (or another open of this one); code `StateFileLocked`. */
export class StateFileLockedError extends Error {
  override name = "StateFileLockedError";
  readonly code = STATE_FILE_LOCKED;
  constructor(
    readonly path: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder === undefined
        ? `state file ${path} is locked by another emulator (lock file ${path}.lock; if no emulator uses the file, delete the lock file)`
        : `state file ${path} is locked: process ${holder.pid} on ${holder.hostname} since ${holder.since} is using it (lock file ${path}.lock)`,
    );
  }
}

/** Options of {@link StateLock.acquire}. */
export interface StateLockOptions {
  /** How long to wait for a live holder to let go (retrying every 100 to 500 ms) before refusing. @default 6_500 */
  waitMs?: number;
  /** A lock of another host (whose processes cannot be checked) goes stale when its holder has not refreshed it for this long. @default 600_000 (10 minutes) */
  otherHostStaleMs?: number;
  /** How often the holder refreshes its lock file's time, for other hosts. @default 30_000 */
  refreshMs?: number;
}

/** How long a lock directory of the former locking library (refreshed every second) stays valid unrefreshed. */
const LEGACY_LOCK_STALE_MS = 10_000;

/**
 * The lock that keeps a state file to one process: a file `<state file>.lock` naming its holder
 * (pid, host, process start time), created atomically (a hard link, which fails when it exists).
 * It is taken over only when its holder is gone: on this host, when no process has that pid (or
 * another process reuses it); from another host, when it was not refreshed for a long time. A
 * live holder keeps it however long its event loop stalls.
 */
export class StateLock {
  private readonly refresher: NodeJS.Timeout;

  private constructor(
    readonly lockPath: string,
    readonly holder: LockHolder,
    refreshMs: number,
  ) {
    this.refresher = setInterval(() => this.refresh(), refreshMs);
    this.refresher.unref();
  }

  /**
   * Takes the lock of `statePath`, waiting up to `waitMs` for a live holder to release it.
   * @throws StateFileLockedError (`StateFileLocked`) when a live process still holds it.
   */
  static async acquire(statePath: string, options: StateLockOptions = {}): Promise<StateLock> {
    const lockPath = `${statePath}.lock`;
    const holder: LockHolder = {
      pid: process.pid,
      hostname: hostname(),
      ...optional("processStart", procStatOf(process.pid)?.start),
      since: new Date().toISOString(),
      token: randomUUID(),
    };
    const candidate = `${lockPath}.${holder.token}.tmp`;
    writeDurably(candidate, JSON.stringify(holder));
    const deadline = Date.now() + (options.waitMs ?? 6_500);
    try {
      for (let attempt = 0; ; attempt++) {
        // Only a lock that keeps coming and going (processes racing for it) gets here that often.
        if (attempt > 100) throw new StateFileLockedError(statePath, undefined);
        try {
          createExclusively(candidate, lockPath, holder);
          fsyncDirectory(dirname(lockPath));
          return new StateLock(lockPath, holder, options.refreshMs ?? 30_000);
        } catch (error) {
          if (codeOf(error) !== "EEXIST") throw error;
        }
        const current = readLock(lockPath);
        if (current === "gone") continue;
        if (isStale(current, options.otherHostStaleMs ?? 600_000)) {
          takeOver(lockPath, current, holder.token);
          continue;
        }
        const pauseMs = Math.min(500, 100 * 2 ** attempt);
        if (Date.now() + pauseMs > deadline) throw new StateFileLockedError(statePath, current.kind === "holder" ? current.holder : undefined);
        await new Promise((done) => setTimeout(done, pauseMs));
      }
    } finally {
      rmSync(candidate, { force: true });
    }
  }

  /** Gives the lock up (when it is still this holder's). */
  release(): void {
    clearInterval(this.refresher);
    const current = readLock(this.lockPath);
    if (current !== "gone" && current.kind === "holder" && current.holder.token === this.holder.token) {
      unlinkSync(this.lockPath);
      fsyncDirectory(dirname(this.lockPath));
    }
  }

  private refresh(): void {
    try {
      const now = new Date();
      utimesSync(this.lockPath, now, now);
    } catch {
      // Only other hosts read the time; the next refresh tries again.
    }
  }
}

type LockFile =
  { kind: "holder"; holder: LockHolder; mtimeMs: number } | { kind: "legacy"; mtimeMs: number } | { kind: "unreadable"; mtimeMs: number; reason: string };

function readLock(lockPath: string): LockFile | "gone" {
  try {
    const stats = statSync(lockPath);
    if (stats.isDirectory()) return { kind: "legacy", mtimeMs: stats.mtimeMs };
    const holder = JSON.parse(readFileSync(lockPath, "utf8")) as Partial<LockHolder>;
    if (typeof holder.pid !== "number" || typeof holder.hostname !== "string" || typeof holder.token !== "string") {
      return { kind: "unreadable", mtimeMs: stats.mtimeMs, reason: "it does not name a holder" };
    }
    return { kind: "holder", holder: holder as LockHolder, mtimeMs: stats.mtimeMs };
  } catch (error) {
    if (codeOf(error) === "ENOENT") return "gone";
    if (error instanceof SyntaxError) return { kind: "unreadable", mtimeMs: 0, reason: error.message };
    throw error;
  }
}

function isStale(lock: LockFile, otherHostStaleMs: number): boolean {
  const age = Date.now() - lock.mtimeMs;
  if (lock.kind === "legacy") return age > LEGACY_LOCK_STALE_MS;
  // Lock files are written whole before they are linked in place: an unreadable one was damaged by hand; keep refusing.
  if (lock.kind === "unreadable") return false;
  const { holder } = lock;
  if (holder.hostname !== hostname()) return age > otherHostStaleMs;
  return !isAlive(holder);
}

function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists, as another user's process.
    if (codeOf(error) !== "EPERM") return false;
  }
  const stat = procStatOf(holder.pid);
  // A zombie has exited (its parent has not reaped it yet); another start time is another process under a reused pid.
  if (stat === undefined) return true;
  return stat.state !== "Z" && stat.state !== "X" && (holder.processStart === undefined || stat.start === holder.processStart);
}

/**
 * Removes the stale lock that was read, and only that one: it is moved aside first and checked,
 * and put back when another process replaced it meanwhile.
 */
function takeOver(lockPath: string, stale: LockFile, token: string): void {
  const aside = `${lockPath}.stale-${token}`;
  try {
    renameSync(lockPath, aside);
  } catch (error) {
    if (codeOf(error) === "ENOENT") return;
    throw error;
  }
  const moved = readLock(aside);
  const same =
    moved !== "gone" &&
    (stale.kind === "holder"
      ? moved.kind === "holder" && moved.holder.token === stale.holder.token
      : moved.kind === stale.kind && moved.mtimeMs === stale.mtimeMs);
  if (!same && moved !== "gone") {
    try {
      if (moved.kind === "legacy") {
        renameSync(aside, lockPath);
        return;
      }
      linkSync(aside, lockPath);
    } catch (error) {
      if (codeOf(error) !== "EEXIST" && codeOf(error) !== "ENOTEMPTY") throw error;
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

/** State (field 3) and start time in clock ticks since boot (field 22) of a process, from `/proc/<pid>/stat` where there is one. */
function procStatOf(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", start: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

/**
 * Puts the lock file in place only if there is none: a hard link of the complete file, or, where
 * the file system has no hard links, an exclusive create (briefly empty: read as unreadable, so refused).
 */
function createExclusively(candidate: string, lockPath: string, holder: LockHolder): void {
  try {
    linkSync(candidate, lockPath);
  } catch (error) {
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(codeOf(error) ?? "")) throw error;
    writeDurably(lockPath, JSON.stringify(holder));
  }
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, "wx");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
