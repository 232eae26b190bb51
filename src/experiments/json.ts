import { writeFileAtomic } from "../common/atomic.js";

/**
 * JSON for run folders: non-finite numbers become the strings "NaN", "Infinity", "-Infinity"
 * (JSON has no literal for them), typed arrays become arrays; files end with a newline and are
 * written atomically.
 */

/** JSON.stringify replacer used for every file of a run folder. */
export function runJsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** Indented JSON text with a trailing newline. */
export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, runJsonReplacer, 2)}\n`;
}

/** Write `value` as JSON to `path` atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, toJsonText(value));
}
