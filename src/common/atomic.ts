import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { writeError } from "./fsErrors.js";

/**
 * Create the folder `dir` and its missing parents (as `mkdir -p`). A failure — an ancestor that
 * is a file, a read-only parent, a full disk — is an InputError naming `dir` and the cause.
 */
export function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw writeError(dir, err, true);
  }
}

/**
 * Write a file so that readers see either the old content or the whole new content, never a
 * partial one: write to a temporary sibling, then rename (atomic on POSIX within a directory).
 * Missing parent folders are created. On any failure the temporary file is removed and an
 * InputError names the path and the cause (read-only folder, a parent that is a file, a folder
 * where the file should go, a full disk).
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw writeError(path, err);
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeError(path, err);
  }
}
