import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { InputError, readFormat, unstamped, type FormatName } from "../common/index.js";
import { readTextInput } from "../common/textInput.js";
import { ensureFolder, writeFileAtomic } from "../common/atomic.js";
import { writeError } from "../common/fsErrors.js";
import { shortHash } from "./hash.js";
import { runJsonReplacer } from "./json.js";
import type { RunSpec, Scalar } from "./types.js";

/**
 * Run folders `runs/<id>/`:
 *   INCOMPLETE      present from creation until everything else is written (removed last);
 *                   holds why the run is incomplete ("running since …" or the error)
 *   spec.json       the spec with defaults filled and the splitscape version
 *   metrics.jsonl   streamed records, one JSON object per line
 *   result.json     the ExperimentResult (deterministic: same spec → same bytes)
 *   run.json        id, status, start/finish times, environment (not deterministic)
 *   figures/        NAME.svg, NAME.png and NAME.vl.json (the Vega-Lite spec) per figure
 *   report.html     the self-contained report
 * Every file except metrics.jsonl is written atomically (temp file + rename). A folder is
 * complete exactly when result.json exists and INCOMPLETE does not, so an interrupted run —
 * whatever it was writing — never reads as complete.
 */

export const INCOMPLETE = "INCOMPLETE";
export const SPEC_FILE = "spec.json";
export const RESULT_FILE = "result.json";
export const RUN_FILE = "run.json";
export const METRICS_FILE = "metrics.jsonl";
export const REPORT_FILE = "report.html";
export const FIGURES_DIR = "figures";

/** `20250102T030405Z` for a date (UTC, second resolution). */
export function timeStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** The id of a run: kind, UTC time stamp and a short hash of the spec. */
export function runId(spec: RunSpec, now: Date = new Date()): string {
  return `${spec.kind}-${timeStamp(now)}-${specHash(spec)}`;
}

/** The short hash of a spec's content (kind, seed, params): equal specs, equal hashes. */
export function specHash(spec: RunSpec): string {
  return shortHash({ kind: spec.kind, seed: spec.seed, params: spec.params });
}

/**
 * Create `parent/<id>` (or `<id>-2`, `-3`, … if it exists) with the INCOMPLETE marker in it,
 * and return its path.
 */
export function createRunFolder(parent: string, id: string): string {
  ensureFolder(parent);
  for (let k = 1; ; k++) {
    const dir = join(parent, k === 1 ? id : `${id}-${k}`);
    try {
      mkdirSync(dir); // fails if it exists: two runs never share a folder
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw writeError(dir, err, true);
    }
    markIncomplete(dir, `running since ${new Date().toISOString()}\n`);
    return dir;
  }
}

/** Prepare an existing or new folder at exactly `dir` (sweep cells, tour sections) as a fresh run. */
export function resetRunFolder(dir: string): string {
  ensureFolder(dir);
  markIncomplete(dir, `running since ${new Date().toISOString()}\n`);
  for (const f of [RESULT_FILE, RUN_FILE, METRICS_FILE, REPORT_FILE]) rmSync(join(dir, f), { force: true });
  return dir;
}

/** Write (or rewrite) the INCOMPLETE marker with a reason. */
export function markIncomplete(dir: string, reason: string): void {
  writeFileAtomic(join(dir, INCOMPLETE), reason.endsWith("\n") ? reason : `${reason}\n`);
}

/** Remove the INCOMPLETE marker: the last step of a run. */
export function markComplete(dir: string): void {
  rmSync(join(dir, INCOMPLETE), { force: true });
}

/**
 * True when the run in `dir` finished: result.json exists and INCOMPLETE does not.
 *
 * @param dir - a run folder (or a sweep cell's folder)
 * @returns whether the run finished (a failed or interrupted run keeps its INCOMPLETE marker)
 * @example
 * ```ts
 * import { isComplete, runToFolder, validateSpec } from "splitscape";
 * const { dir } = await runToFolder(validateSpec({ kind: "linalg-check" }, "spec").spec, { outDir: "runs" });
 * console.log(isComplete(dir)); // true
 * ```
 */
export function isComplete(dir: string): boolean {
  return existsSync(join(dir, RESULT_FILE)) && !existsSync(join(dir, INCOMPLETE));
}

/**
 * The INCOMPLETE marker's text, or null when the run is complete or has no marker.
 *
 * @param dir - a run folder
 * @returns the marker's text (why the run did not finish: the error, or "interrupted …"), trimmed; null when there is no marker
 * @example
 * ```ts
 * import { incompleteReason } from "splitscape";
 * const why = incompleteReason("runs/linalg-check-20260101-000000-abcdef12");
 * if (why !== null) console.log(`did not finish: ${why}`);
 * ```
 */
export function incompleteReason(dir: string): string | null {
  const p = join(dir, INCOMPLETE);
  return existsSync(p) ? readFileSync(p, "utf8").trim() : null;
}

/** A streaming metrics.jsonl writer: each record is one line, written through immediately. */
export interface MetricsSink {
  write(record: Record<string, Scalar>): void;
  close(): void;
  /** Number of records written. */
  readonly count: number;
}

/** Open (truncate) `dir/metrics.jsonl` for streaming. */
export function openMetrics(dir: string): MetricsSink {
  const fd = openSync(join(dir, METRICS_FILE), "w");
  let open = true;
  let count = 0;
  return {
    write(record) {
      if (!open) throw new Error("metrics.jsonl is closed");
      writeSync(fd, `${JSON.stringify(record, runJsonReplacer)}\n`);
      count++;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
    get count() {
      return count;
    },
  };
}

/** Reviver undoing runJsonReplacer's non-finite numbers ("NaN", "Infinity", "-Infinity"). */
export function runJsonReviver(_key: string, value: unknown): unknown {
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return value;
}

/** The format of each JSON file a run, sweep or tour folder holds (common/format.ts). */
const RUN_FILE_FORMATS: Readonly<Record<string, FormatName>> = {
  [SPEC_FILE]: "spec", [RESULT_FILE]: "result", [RUN_FILE]: "run", "sweep.json": "sweep", "summary.json": "summary", "tour.json": "tour",
  "trajectory.json": "trajectory", "inspect.json": "inspect", "slice.json": "slice", "initial.json": "model", "final.json": "model", "merged.json": "model",
};

/**
 * Read a JSON file of a run folder (undefined if missing). Non-finite numbers, stored as
 * strings, come back as numbers, so a result read back equals the one computed. The format
 * stamp is checked (a file from a newer format is an InputError naming the version this
 * splitscape reads; an unstamped one is version 1) and removed from the value returned.
 *
 * @param dir - a run, sweep or tour folder
 * @param file - the file's name in it, e.g. RESULT_FILE ("result.json"), SPEC_FILE, RUN_FILE, "summary.json"
 * @returns the parsed value without its format stamp (typed as `T`, unchecked), or undefined when the file does not exist; an InputError naming the file when it is damaged
 * @example
 * ```ts
 * import { readRunJson, RESULT_FILE, runToFolder, validateSpec, type ExperimentResult } from "splitscape";
 * const { dir } = await runToFolder(validateSpec({ kind: "linalg-check" }, "spec").spec, { outDir: "runs" });
 * const result = readRunJson<ExperimentResult>(dir, RESULT_FILE);
 * console.log(result?.verdicts.map((v) => `${v.claim}: ${v.pass}`));
 * ```
 */
export function readRunJson<T>(dir: string, file: string): T | undefined {
  const p = join(dir, file);
  if (!existsSync(p)) return undefined;
  const text = readTextInput(p, { what: `a run folder's ${file}` });
  let value: unknown;
  try {
    value = JSON.parse(text, runJsonReviver);
  } catch (err) {
    throw new InputError(p, `not valid JSON (${(err as Error).message}): the file is damaged or was cut short; re-run the experiment to write it again`);
  }
  const name = RUN_FILE_FORMATS[file];
  if (name === undefined || !readFormat(value, name, p).stamped) return value as T;
  return unstamped(value as object) as T;
}
