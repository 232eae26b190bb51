import { readFileSync } from "node:fs";
import { InputError } from "../common/errors.js";

/** The bytes of a file; a missing or unreadable file is an InputError naming it. */
export function readFileBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(path, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, expected a file" : `cannot read the file (${(err as Error).message})`);
  }
}
