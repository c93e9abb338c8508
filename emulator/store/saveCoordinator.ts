import type { StateChanges } from "./changeTracker.js";
import type { EmulatorState } from "./state.js";
import type { StatePersistence } from "./statePersistence.js";

/** The emulator as the {@link SaveCoordinator} sees it. */
export interface SaveSubject {
  /** Whether the state changed since the last save began. */
  readonly dirty: boolean;
  /** A save begins: clears `dirty` and hands over the state and what may have changed since the last save began. */
  begin(): { state: EmulatorState; changes: StateChanges | undefined };
  /**
   * Puts the state that is durable back in memory, dropping what was not saved.
   * @throws what reading the persistence throws.
   */
  rollBack(): void;
}

/**
 * Makes every answer wait until what it saw is durable. Saves run one at a time; changes made
 * while one runs share the next save. When a save fails, the emulator is rolled back to its last
 * durable state, and every request that saw the lost changes (those waiting for the failed save
 * and for the one queued behind it) learns it. Later requests start from the durable state; when
 * even reading it failed, each request tries again first.
 */
export class SaveCoordinator {
  /** The save that will include the changes made so far and has not begun yet. */
  private queued: Promise<void> | undefined;
  /** The save under way, which holds everything in memory while nothing changed since it began. */
  private running: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();
  /** Counts rollbacks: a save queued before one has nothing left to save. */
  private rollbacks = 0;
  private unreadable = false;

  constructor(
    private readonly persistence: StatePersistence,
    private readonly subject: SaveSubject,
  ) {}

  /**
   * Before a request is answered: when the last rollback could not read the durable state, reads
   * it now.
   * @throws what reading it throws, while it still cannot be read.
   */
  ready(): void {
    if (!this.unreadable) return;
    this.subject.rollBack();
    this.unreadable = false;
  }

  /**
   * Resolves once everything in memory now is durable: the next save when something changed,
   * else the save under way, if any.
   * @throws the save's error, after the rollback.
   */
  settle(): Promise<void> {
    if (this.subject.dirty) return this.save();
    return this.running ?? Promise.resolve();
  }

  /** Saves now (what in-process control calls changed too), sharing a save not begun yet. */
  save(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const rollbacks = this.rollbacks;
    const save: Promise<void> = this.last
      .catch(() => undefined)
      .then(async () => {
        if (this.queued === save) this.queued = undefined;
        if (rollbacks !== this.rollbacks) throw new Error("an earlier save failed, and the changes since the last durable state were rolled back");
        const { state, changes } = this.subject.begin();
        this.running = save;
        try {
          await this.persistence.save(state, changes);
        } catch (error) {
          this.rollBack();
          throw error;
        } finally {
          if (this.running === save) this.running = undefined;
        }
      });
    this.queued = save;
    this.last = save;
    return save;
  }

  private rollBack(): void {
    this.rollbacks++;
    this.queued = undefined;
    this.running = undefined;
    try {
      this.subject.rollBack();
    } catch {
      this.unreadable = true;
    }
  }
}
