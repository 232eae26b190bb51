import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "./errors.js";
import { pathKind, writeFailureCause } from "./fsErrors.js";

/**
 * Checks of an output path made BEFORE a command computes anything, so that a long run never
 * ends in "cannot write", and so that a command never overwrites one of its own inputs. The
 * write itself (writeFileAtomic) still reports what changed in between.
 */

/** Options of checkOutputFile. */
export interface OutputFileCheck {
  /** The option that named the path (for an empty path), e.g. "-o/--out". */
  option: string;
  /** The command's input files: writing onto one of them needs `force`. */
  inputs?: ReadonlyArray<string | undefined>;
  /** `--force` was given: an input may be overwritten. */
  force?: boolean;
}

/** The canonical form of a path for comparing files: its real path if it exists, else absolute. */
export function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** True when `a` and `b` name the same file (after symbolic links). */
export function sameFile(a: string, b: string): boolean {
  return canonicalPath(a) === canonicalPath(b);
}

/**
 * InputError unless `path` can be written as a file: not empty, not an existing folder, no
 * ancestor that is a file, the nearest existing folder writable, and not one of `inputs`
 * (unless `force`). Missing folders on the way are fine: the write creates them.
 */
export function checkOutputFile(path: string, check: OutputFileCheck): void {
  if (path.trim() === "") throw new InputError(check.option, "empty path, expected an output file name");
  const cause = writeFailureCause(path);
  if (cause !== "") throw new InputError(path, `cannot write the file: ${cause}`);
  if (!check.force && pathKind(path) === "file") {
    const input = (check.inputs ?? []).find((p) => p !== undefined && p !== "" && sameFile(p, path));
    if (input !== undefined) {
      throw new InputError(path, "is also an input of this command; writing would overwrite it (choose another output file, or pass --force)");
    }
  }
}

/** InputError unless the folder `dir` exists and is writable or can be created (as mkdir -p would). */
export function checkOutputFolder(dir: string, option: string): void {
  if (dir.trim() === "") throw new InputError(option, "empty path, expected a folder");
  const cause = writeFailureCause(dir, undefined, true);
  if (cause !== "") throw new InputError(dir, `cannot write the folder: ${cause}`);
}
