import { readFileSync, statSync } from "node:fs";
import { InputError } from "./errors.js";
import { readError } from "./fsErrors.js";
import { formatBytes, MAX_TEXT_INPUT_BYTES } from "./limits.js";

/**
 * Reading a user's text file (dataset, model, spec, gates): one place that says what is wrong
 * with the path, refuses files too large to hold as one string, and drops a UTF-8 byte-order
 * mark (editors on Windows write one; JSON.parse rejects it).
 */

/** The byte-order mark U+FEFF. */
const BOM = "\uFEFF";

/** `text` without a leading byte-order mark. */
export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** Options of readTextInput. */
export interface TextInputOptions {
  /** What the file should be, for messages: "a model file (.json)". */
  what: string;
  /** The option that named the path, for an empty path: "--model". */
  option?: string;
}

/**
 * The text of the file at `path` (UTF-8, byte-order mark removed). InputError for an empty
 * path, a missing file or folder, a folder, a file that cannot be read, or one larger than
 * MAX_TEXT_INPUT_BYTES.
 */
export function readTextInput(path: string, opts: TextInputOptions): string {
  if (path.trim() === "") throw new InputError(opts.option ?? "path", `empty path, expected ${opts.what}`);
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputError(path, `is a folder, expected ${opts.what}`);
    size = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw readError(path, err, opts.what);
  }
  if (size > MAX_TEXT_INPUT_BYTES) {
    throw new InputError(path, `the file has ${formatBytes(size)}, more than the ${formatBytes(MAX_TEXT_INPUT_BYTES)} a text input may have (it is read as one string)`);
  }
  try {
    return stripBom(readFileSync(path, "utf8"));
  } catch (err) {
    throw readError(path, err, opts.what);
  }
}
