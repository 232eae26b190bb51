/**
 * Errors that a user caused (bad file, bad field, bad option). The CLI prints the message
 * and exits with code 2; nothing else in the library uses exit codes.
 */
export class InputError extends Error {
  /** Where the problem is: a file path, `builtin:NAME`, or a command-line option. */
  readonly source: string;
  /** The field, row/column or option inside the source, if any. */
  readonly field?: string;

  constructor(source: string, message: string, field?: string) {
    super(`${source}${field ? `: ${field}` : ""}: ${message}`);
    this.name = "InputError";
    this.source = source;
    this.field = field;
  }
}

/** True for finite float64 numbers (not NaN, not ±Infinity). */
export function isFiniteNumber(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/**
 * The user interrupted a command (SIGINT). `folder` is the run folder left behind, marked
 * INCOMPLETE with what it holds; the CLI names it in one line and exits with 130.
 */
export class InterruptedError extends Error {
  readonly folder: string | null;

  constructor(folder: string | null, message = "interrupted") {
    super(message);
    this.name = "InterruptedError";
    this.folder = folder;
  }
}
