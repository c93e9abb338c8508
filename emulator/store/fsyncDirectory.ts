import { closeSync, fsyncSync, openSync } from "node:fs";

/**
 * Makes a directory's entries durable (a file created, renamed or removed in it). Platforms that
 * cannot open a directory (Windows) have nothing to sync, and are skipped.
 */
export function fsyncDirectory(directory: string): void {
  let fd: number;
  try {
    fd = openSync(directory, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!["EISDIR", "EINVAL", "EPERM", "EBADF"].includes(String((error as { code?: unknown }).code))) throw error;
  } finally {
    closeSync(fd);
  }
}
