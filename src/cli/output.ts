// Command output: one JSON object (--json) or human-readable lines on stdout. No library
// imports, so that the start-up and failure paths do not load the library.
/**
 * JSON.stringify replacer for command output: typed arrays become plain arrays, non-finite
 * numbers become the strings "NaN", "Infinity", "-Infinity" (JSON has no literal for them),
 * bigints become decimal strings.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** The text `printJson` writes: indented JSON (see jsonReplacer) and a newline. */
export function formatJson(obj: unknown): string {
  return `${JSON.stringify(obj, jsonReplacer, 2)}\n`;
}

/** Print one JSON object on stdout (the whole output of a command run with --json). */
export function printJson(obj: unknown): void {
  process.stdout.write(formatJson(obj));
}

/** Print human-readable lines on stdout. */
export function printLines(...lines: string[]): void {
  process.stdout.write(lines.map((l) => `${l}\n`).join(""));
}

