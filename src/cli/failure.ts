import { CommanderError } from "commander";
import { InputError, InterruptedError } from "../common/index.js";
import { describeSystemError, isSystemError } from "../common/fsErrors.js";
import { EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK } from "./exitCodes.js";
import { formatJson } from "./output.js";

/**
 * How a command that failed tells the user: one line on stderr, `splitscape: <where>: <what>`,
 * never a stack trace for a user's mistake, and with `--json` also one object on stdout,
 * `{"error": {"code", "message", "file", "field", …}}`, so a script reading stdout always gets
 * JSON. Errors that are not the user's (bugs) are rethrown: bin/splitscape.js prints their stack.
 */

/** The `error` member of the JSON printed for a failure. */
export interface JsonFailure {
  /** The exit code (2 bad input, 130 interrupted). */
  code: number;
  /** The same text as the stderr line, without the `splitscape: ` prefix. */
  message: string;
  /** The file (or builtin address) at fault, or null. */
  file: string | null;
  /** The field, row or key inside it, or null. */
  field: string | null;
  /** The command-line option at fault, or null. */
  option: string | null;
  /** Interrupted runs: the run folder left behind (marked INCOMPLETE). */
  folder?: string | null;
}

/** True when the command line asks for JSON output (`--json` before any `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  for (const a of argv.slice(2)) {
    if (a === "--") return false;
    if (a === "--json") return true;
  }
  return false;
}

/** The subcommand named on the command line (for "see splitscape X --help"), or "". */
function commandName(argv: readonly string[], known: readonly string[]): string {
  const words = argv.slice(2).filter((a) => !a.startsWith("-"));
  const first = words.find((w) => known.includes(w));
  if (first === undefined) return "";
  const i = words.indexOf(first);
  return first === "data" && words[i + 1] !== undefined ? `data ${words[i + 1]}` : first;
}

/** The failure record of an InputError: an option (`--x`), a file, and a field. */
function inputFailure(err: InputError): JsonFailure {
  // Options (`--init`, `-o/--out`), positional names (`<dataset>`, `run`, `spec`) and environment variables are not files.
  const isOption = /^-|^<.*>$|^[A-Z][A-Z0-9_]+$|^(run|spec|path)$/.test(err.source);
  return {
    code: EXIT_INPUT,
    message: err.message,
    file: isOption ? null : err.source,
    field: err.field ?? null,
    option: isOption ? err.source : null,
  };
}

/** The failure record of a commander usage error (unknown option, missing argument, …). */
function usageFailure(err: CommanderError, argv: readonly string[], commands: readonly string[]): JsonFailure {
  const text = err.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
  const cmd = commandName(argv, commands);
  const option = /'(-[^' ]+)/.exec(text)?.[1] ?? null;
  return { code: EXIT_INPUT, message: `${text} (see splitscape${cmd ? ` ${cmd}` : ""} --help)`, file: null, field: null, option };
}

/** Print a failure: the stderr line, and the JSON object when asked for. */
function printFailure(f: JsonFailure, json: boolean): void {
  process.stderr.write(`splitscape: ${f.message}\n`);
  if (json) process.stdout.write(formatJson({ error: f }));
}

/**
 * Report `err` as the CLI does and return the exit code; rethrow errors that are bugs.
 * `commands` are the subcommand names (for the usage hint).
 */
export function reportFailure(err: unknown, argv: readonly string[], commands: readonly string[]): number {
  const json = wantsJson(argv);
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT_OK;
    if (err.code === "commander.executeSubCommandAsync") throw err;
    printFailure(usageFailure(err, argv, commands), json);
    return EXIT_INPUT;
  }
  if (err instanceof InputError) {
    printFailure(inputFailure(err), json);
    return EXIT_INPUT;
  }
  if (err instanceof InterruptedError) {
    const message = err.folder === null
      ? `${err.message}`
      : `${err.message}; the incomplete run folder is ${err.folder} (its INCOMPLETE file says what it holds)`;
    printFailure({ code: EXIT_INTERRUPTED, message, file: null, field: null, option: null, folder: err.folder }, json);
    return EXIT_INTERRUPTED;
  }
  // A file-system failure that escaped a command's own checks is still the environment's
  // doing (a path, a permission, a full disk): name the path and the cause, exit 2.
  if (isSystemError(err) && typeof err.path === "string") {
    printFailure(inputFailure(new InputError(err.path, describeSystemError(err))), json);
    return EXIT_INPUT;
  }
  throw err;
}
