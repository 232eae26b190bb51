import type { LoadedSpec, SweepOutcome } from "../../experiments/index.js";
import { DEFAULT_MAX_SWEEP_CELLS } from "../../common/index.js";
import { formatNumber, formatTable } from "../../report/index.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";
import { parseIntOption, printJson, printLines } from "../io.js";

/** What the local and the queued `sweep` share: options, defaults and the printed outcome. */

/** The defaults of `sweep`, written once (help text and behaviour). */
export const SWEEP_DEFAULTS = { workers: 2, maxCells: DEFAULT_MAX_SWEEP_CELLS } as const;

/** The options of `splitscape sweep`. */
export interface SweepCommandOptions {
  out: string;
  dir?: string;
  workers?: string;
  maxCells?: string;
  json?: boolean;
  progress?: boolean;
  queue?: string;
  attempts?: string;
  status?: string;
  cancel?: string;
}

/** The --max-cells option (default SWEEP_DEFAULTS.maxCells). */
export function parseMaxCells(opts: SweepCommandOptions): number {
  return parseIntOption("--max-cells", opts.maxCells, 1, Number.MAX_SAFE_INTEGER) ?? SWEEP_DEFAULTS.maxCells;
}

/**
 * Print a finished sweep, local or queued: a table of the cells, the failed cells with their
 * errors, and where the summary and the report are (or one JSON object); exit 1 unless every
 * cell ran and passed.
 */
export function printSweepOutcome(loaded: LoadedSpec, o: SweepOutcome, json: boolean, extra: Record<string, unknown> = {}): void {
  if (!o.pass) process.exitCode = EXIT_TOLERANCE;
  if (json) {
    printJson({ dir: o.dir, cells: o.cells, ran: o.ran, reused: o.reused, failed: o.failed, pass: o.pass, mode: o.mode, ...extra, summary: `${o.dir}/summary.csv`, report: `${o.dir}/report.html`, rows: o.rows });
    return;
  }
  const axes = Object.keys(loaded.grid ?? {}).filter((a) => a !== "seed");
  const value = (v: unknown): string => (typeof v === "number" ? formatNumber(v) : String(v));
  const rows = o.rows.map((r) => [String(r.cell), String(r.seed), ...axes.map((a) => value(r[a])), String(r.status), `${r.passed}/${r.total}`, r.pass ? "PASS" : "FAIL"]);
  const failures = o.rows.filter((r) => r.status === "failed").map((r) => `failed: cell ${r.cell} (${["seed", ...axes].map((a) => `${a} = ${value(r[a])}`).join(", ")}): ${String(r.error)}`);
  printLines(
    formatTable(["cell", "seed", ...axes, "status", "verdicts", "result"], rows),
    "",
    ...failures,
    `${o.cells} cells: ${o.ran} run, ${o.reused} reused, ${o.failed} failed`,
    `summary: ${o.dir}/summary.csv (and summary.json); report: ${o.dir}/report.html`,
  );
}
