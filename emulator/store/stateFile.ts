import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import type { StateChanges } from "./changeTracker.js";
import { DurableImage } from "./durableImage.js";
import { fsyncDirectory } from "./fsyncDirectory.js";
import type { StatePersistence } from "./statePersistence.js";
import type { EmulatorState } from "./state.js";
import { applyStateDelta, sortTimeline } from "./stateDelta.js";
import { StateJournal } from "./stateJournal.js";
import { StateLock, type StateLockOptions } from "./stateLock.js";
import { parseStateSnapshot } from "./stateSnapshot.js";

/** Options of {@link StateFile.open}. */
export interface StateFileOptions {
  /** Start empty: once the lock is held, the saved state (snapshot and journal) is deleted. */
  fresh?: boolean;
  /** How the lock judges a holder gone. */
  lock?: StateLockOptions;
  /** The snapshot is rewritten when the journal outgrows this many times its size. @default 4 */
  compactionFactor?: number;
  /** ...and this many bytes. @default 4 MiB */
  minCompactionBytes?: number;
}

/**
 * Persists the emulator's state in a snapshot file (the JSON state document) and an append-only
 * journal beside it (`<file>.journal`): each save appends one line with only the records that
 * changed and fsyncs it, so its cost follows the change, not the state. The snapshot is rewritten
 * (atomic replace, fsync) from what is durable when the journal outgrows it, and on close. Loading
 * replays the journal over the snapshot, ignoring a last line torn by a crash. The file is locked
 * ({@link StateLock}) while open: a second process is refused while the holder lives.
 */
export class StateFile implements StatePersistence {
  private readonly journal: StateJournal;
  private image = new DurableImage();
  private loaded = false;
  private journalBytes = 0;
  private snapshotBytes = 0;

  private constructor(
    readonly path: string,
    private readonly lock: StateLock,
    private readonly options: StateFileOptions,
  ) {
    this.journal = new StateJournal(`${path}.journal`);
  }

  /**
   * Opens (and locks) a state file; it need not exist yet. With `fresh`, deletes its saved state
   * once the lock is held.
   * @throws StateFileLockedError (`StateFileLocked`) when another live process (or another open in
   * this one) still holds it after `lock.waitMs`.
   */
  static async open(path: string, options: StateFileOptions = {}): Promise<StateFile> {
    const absolute = resolve(path);
    mkdirSync(dirname(absolute), { recursive: true });
    const lock = await StateLock.acquire(absolute, options.lock);
    const file = new StateFile(absolute, lock, options);
    if (options.fresh === true) {
      try {
        rmSync(file.journal.path, { force: true });
        rmSync(absolute, { force: true });
        fsyncDirectory(dirname(absolute));
      } catch (error) {
        lock.release();
        throw error;
      }
    }
    return file;
  }

  /** The journal file's path. */
  get journalPath(): string {
    return this.journal.path;
  }

  /**
   * The saved state: the snapshot with the journal replayed over it (a torn last line is cut off),
   * or undefined when there is none.
   * @throws RangeError when the snapshot or the journal is damaged or of another format.
   */
  load(): EmulatorState | undefined {
    const saved = readSaved(this.path, this.journal);
    if (existsSync(this.journal.path) && statSync(this.journal.path).size > saved.journalBytes) this.journal.truncate(saved.journalBytes);
    this.loaded = true;
    this.journalBytes = saved.journalBytes;
    this.snapshotBytes = saved.snapshotBytes;
    this.image = saved.state === undefined ? new DurableImage() : DurableImage.of(saved.state);
    return saved.state;
  }

  /**
   * What a state file and its journal hold now, read without locking or changing them (for tools
   * and tests that look at a file another process may be using).
   * @throws RangeError when the snapshot or the journal is damaged or of another format.
   */
  static read(path: string): EmulatorState | undefined {
    const absolute = resolve(path);
    return readSaved(absolute, new StateJournal(`${absolute}.journal`)).state;
  }

  /**
   * Appends what changed since the last save (among the records `changes` names; all when not
   * given) to the journal, and resolves once it is on disk. Nothing is written when nothing changed.
   * A failed append is cut off the journal before the error is rethrown, so the files keep the
   * state of the last save that resolved.
   */
  async save(state: EmulatorState, changes?: StateChanges): Promise<void> {
    if (!this.loaded) this.load();
    const record = this.image.diff(state, changes);
    if (record === undefined) return;
    const before = this.journalBytes;
    try {
      await this.journal.append(record.text);
    } catch (error) {
      try {
        this.journal.truncate(before);
      } catch {
        // Loading cuts off a torn last line anyway.
      }
      throw error;
    }
    record.commit();
    this.journalBytes += Buffer.byteLength(record.text);
    const threshold = Math.max(this.options.minCompactionBytes ?? 4 * 1024 * 1024, (this.options.compactionFactor ?? 4) * this.snapshotBytes);
    if (this.journalBytes > threshold) {
      try {
        await this.compact();
      } catch (error) {
        // The save is durable in the journal; the next one tries compacting again.
        process.emitWarning(`azure-dr emulator: could not rewrite the state snapshot ${this.path}: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Rewrites the snapshot from what is durable and empties the journal. A crash between the two
   * leaves the old journal over the new snapshot: replaying it ends on the same values.
   */
  async compact(): Promise<void> {
    if (!this.loaded) this.load();
    const text = this.image.snapshotText();
    await writeFileAtomic(this.path, text, { fsync: true });
    fsyncDirectory(dirname(this.path));
    this.snapshotBytes = Buffer.byteLength(text);
    this.journal.truncate(0);
    this.journalBytes = 0;
    // The next append opens the journal by its path again (it may have been replaced meanwhile).
    await this.journal.close();
  }

  /** Folds the journal into the snapshot, then releases the lock (also when folding fails). */
  async close(): Promise<void> {
    try {
      if (this.loaded && this.journalBytes > 0) await this.compact();
    } finally {
      await this.journal.close().catch(() => undefined);
      this.lock.release();
    }
  }
}

/** The snapshot with the journal's complete records replayed over it. */
function readSaved(path: string, journal: StateJournal): { state: EmulatorState | undefined; snapshotBytes: number; journalBytes: number } {
  // The journal first: a snapshot rewritten meanwhile already holds its records, and replaying them again ends on the same values.
  const { records, validBytes } = journal.read();
  const snapshot = existsSync(path) ? readSnapshot(path) : undefined;
  if (snapshot === undefined && records.length === 0) return { state: undefined, snapshotBytes: 0, journalBytes: validBytes };
  const state = snapshot?.state ?? skeleton();
  for (const record of records) applyStateDelta(state, record);
  sortTimeline(state);
  return { state: parseStateSnapshot(state), snapshotBytes: snapshot?.bytes ?? 0, journalBytes: validBytes };
}

function readSnapshot(path: string): { state: EmulatorState; bytes: number } {
  const text = readFileSync(path, "utf8");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new RangeError(`state file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return { state: parseStateSnapshot(document), bytes: Buffer.byteLength(text) };
}

/** What a journal written from an empty start is replayed over: its first record sets every small field. */
function skeleton(): EmulatorState {
  return { resources: {}, operations: {}, timeline: [] } as unknown as EmulatorState;
}
