import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, truncateSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDirectory } from "./fsyncDirectory.js";
import type { StateDelta } from "./stateDelta.js";

/** What a journal file holds. */
export interface JournalContents {
  records: StateDelta[];
  /** Length in bytes of the complete records (what a torn last line is cut back to). */
  validBytes: number;
}

/**
 * The append-only journal beside a state file: one JSON record per line, each the changes of one
 * save. A save appends its line and fsyncs it before it resolves; a crash can only tear the last
 * line, which reading ignores.
 */
export class StateJournal {
  /** Kept open between appends (opened in append mode: each write lands at the end, also after a truncation). */
  private handle: FileHandle | undefined;

  constructor(readonly path: string) {}

  /**
   * Reads the complete records. A last line without its newline, or that is not JSON, was torn by
   * a crash mid-append (never acknowledged) and is left out.
   * @throws RangeError when an earlier line is not a JSON record: the journal was damaged.
   */
  read(): JournalContents {
    if (!existsSync(this.path)) return { records: [], validBytes: 0 };
    if (!statSync(this.path).isFile()) throw new RangeError(`state journal ${this.path} is not a regular file`);
    const bytes = readFileSync(this.path);
    const records: StateDelta[] = [];
    let start = 0;
    let validBytes = 0;
    while (start < bytes.length) {
      const end = bytes.indexOf(0x0a, start);
      const last = end === -1 || end === bytes.length - 1;
      if (end === -1) break;
      let record: unknown;
      try {
        record = JSON.parse(bytes.toString("utf8", start, end));
      } catch (error) {
        if (last) break;
        throw new RangeError(`state journal ${this.path} is damaged at byte ${start}: ${(error as Error).message}`, { cause: error });
      }
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        throw new RangeError(`state journal ${this.path} is damaged at byte ${start}: a record must be a JSON object`);
      }
      records.push(record as StateDelta);
      start = end + 1;
      validBytes = start;
    }
    return { records, validBytes };
  }

  /** Cuts the file back to `length` bytes (a torn or failed append), durably. */
  truncate(length: number): void {
    if (!existsSync(this.path)) return;
    truncateSync(this.path, length);
    const fd = openSync(this.path, "r+");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Appends one record's line and resolves once it is on disk (fdatasync, which includes the file's new length). */
  async append(line: string): Promise<void> {
    let handle = this.handle;
    if (handle === undefined) {
      const created = !existsSync(this.path);
      handle = await open(this.path, "a");
      this.handle = handle;
      if (created) fsyncDirectory(dirname(this.path));
    }
    try {
      await handle.writeFile(line, "utf8");
      await handle.datasync();
    } catch (error) {
      // A failed descriptor is not reused: the next append opens the file again.
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  /** Closes the file kept open for appends. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
