import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "./errors.js";

/**
 * File-system failures in words. A failed read or write becomes an InputError (exit 2 in the
 * CLI) whose message names the path and the cause a person can act on — "the folder out is
 * read-only", "out/a is a file, not a folder", "is a folder, expected a file name" — instead of
 * Node's `EACCES: permission denied, open 'out/.x.json.123.tmp'`.
 */

/** The errno code of a Node system error ("EACCES", "ENOENT", …), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** True for a Node system error (one with an errno code such as EACCES or ENOSPC). */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof errnoCode(err) === "string" && /^E[A-Z0-9]+$/.test(errnoCode(err)!);
}

/** What is at `path`: "missing", "file" (anything but a folder) or "folder"; stat errors read as missing. */
export function pathKind(path: string): "missing" | "file" | "folder" {
  try {
    return statSync(path).isDirectory() ? "folder" : "file";
  } catch {
    return "missing";
  }
}

/** The nearest ancestor of `path` (itself excluded) that exists, and what it is. */
export function nearestExistingAncestor(path: string): { path: string; kind: "file" | "folder" } {
  let p = resolve(path);
  for (;;) {
    const parent = dirname(p);
    if (parent === p) return { path: p, kind: "folder" };
    p = parent;
    const kind = pathKind(p);
    if (kind !== "missing") return { path: p, kind };
  }
}

/** True when this process may create entries in the folder `dir`. */
export function isWritableFolder(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A cause from the errno code alone, e.g. "no space left on the device (ENOSPC)". */
export function describeSystemError(err: unknown): string {
  const code = errnoCode(err);
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied (EACCES)";
    case "EROFS":
      return "the file system is read-only (EROFS)";
    case "ENOSPC":
      return "no space left on the device (ENOSPC)";
    case "EDQUOT":
      return "the disk quota is exhausted (EDQUOT)";
    case "ENAMETOOLONG":
      return "the name is too long (ENAMETOOLONG)";
    case "EMFILE":
    case "ENFILE":
      return "too many open files (EMFILE)";
    case "EIO":
      return "an input/output error of the device (EIO)";
    default: {
      // Node's text is "CODE: description, syscall 'path'": keep the description and the code.
      const msg = err instanceof Error ? err.message : String(err);
      const m = /^([A-Z0-9]+): ([^,]+)/.exec(msg);
      return m ? `${m[2]} (${m[1]})` : msg;
    }
  }
}

/**
 * Why writing `path` (a file, or with `folder` a folder to create) fails or failed, as a phrase
 * naming the culprit: the path is a folder, an ancestor is a file, the folder is read-only, …
 * The file system is inspected first; `err` (if given) supplies the cause when it is something
 * else (a full disk, a read-only mount).
 */
export function writeFailureCause(path: string, err?: unknown, folder = false): string {
  const code = errnoCode(err);
  if (code === "EROFS" || code === "ENOSPC" || code === "EDQUOT" || code === "ENAMETOOLONG" || code === "EIO") return describeSystemError(err);
  const here = pathKind(path);
  if (!folder && here === "folder") return "it is a folder, expected a file name";
  if (folder && here === "file") return "it is a file, expected a folder";
  if (folder && here === "folder") {
    if (!isWritableFolder(path)) return "the folder is read-only (permission denied)";
    return err === undefined ? "" : describeSystemError(err);
  }
  const anc = nearestExistingAncestor(path);
  if (anc.kind === "file") return `${anc.path} is a file, not a folder`;
  if (!isWritableFolder(anc.path)) return `the folder ${anc.path} is read-only (permission denied)`;
  if (here === "file" && (code === "EACCES" || code === "EPERM")) return "the file is read-only (permission denied)";
  return err === undefined ? "" : describeSystemError(err);
}

/** The InputError for a failed write of `path` (one line: the path and the cause). */
export function writeError(path: string, err: unknown, folder = false): InputError {
  const cause = writeFailureCause(path, err, folder) || describeSystemError(err);
  return new InputError(path, `cannot write ${folder ? "the folder" : "the file"}: ${cause}`);
}

/** The InputError for a failed read of `path`, `what` naming what was expected ("a model file"). */
export function readError(path: string, err: unknown, what: string): InputError {
  const code = errnoCode(err);
  if (code === "ENOENT") {
    const anc = nearestExistingAncestor(path);
    const where = anc.kind === "file" ? ` (${anc.path} is a file, not a folder)` : "";
    return new InputError(path, `no such file${where}, expected ${what}`);
  }
  if (code === "ENOTDIR") return new InputError(path, `no such file (${nearestExistingAncestor(path).path} is a file, not a folder), expected ${what}`);
  if (code === "EISDIR") return new InputError(path, `is a folder, expected ${what}`);
  if (code === "EACCES" || code === "EPERM") return new InputError(path, `cannot read the file: permission denied, expected ${what}`);
  return new InputError(path, `cannot read the file: ${describeSystemError(err)}`);
}
