import { linePlot, type FigureSpec, type Verdict } from "../report/index.js";
import type { CellOutcome } from "./cellTask.js";
import type { GridCell } from "./grid.js";
import type { Scalar } from "./types.js";

/**
 * The summary table of a sweep: one row per cell with its grid values, status, verdict counts
 * and summary numbers; written as CSV and JSON, and drawn as summary figures (each numeric
 * summary quantity against the first numeric grid axis, one line per seed).
 */

/** One row of the summary table. */
export type SummaryRow = Record<string, Scalar>;

/** Grid values that are lists or objects appear in tables as their JSON text. */
function asScalar(v: unknown): Scalar {
  return typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? v : JSON.stringify(v);
}

/** A cell's summary row; `reused` cells were finished by an earlier sweep. */
export function summaryRow(cell: GridCell, outcome: CellOutcome, reused: boolean): SummaryRow {
  const row: SummaryRow = { cell: cell.hash, seed: cell.spec.seed };
  for (const [axis, v] of Object.entries(cell.values)) row[axis] = asScalar(v);
  if (!outcome.ok) return { ...row, status: "failed", pass: false, passed: 0, total: 0, error: outcome.error };
  const passed = outcome.verdicts.filter((v) => v.pass).length;
  row.status = reused ? "reused" : "done";
  row.pass = outcome.pass;
  row.passed = passed;
  row.total = outcome.verdicts.length;
  for (const [k, v] of Object.entries(outcome.summary)) if (!(k in row)) row[k] = v;
  return row;
}

/**
 * All column names of a sweep's summary table, in first-appearance order.
 *
 * @param rows - summary rows (SweepOutcome.rows, or summary.json's rows)
 * @returns the union of the rows' keys, each once
 * @example
 * ```ts
 * import { summaryColumns } from "splitscape";
 * console.log(summaryColumns([{ cell: "a1", seed: 0, loss: 0.5 }, { cell: "b2", seed: 1, error: "diverged" }]));
 * // ["cell", "seed", "loss", "error"]
 * ```
 */
export function summaryColumns(rows: readonly SummaryRow[]): string[] {
  const cols: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

function csvField(v: Scalar | undefined): string {
  if (v === undefined) return "";
  const s = typeof v === "number" ? String(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The table as CSV (header row, then one line per row; numbers in full precision), as a sweep
 * writes summary.csv. Fields holding commas, quotes or line breaks are quoted (RFC 4180); a row
 * without a column leaves it empty.
 *
 * @param rows - summary rows (SweepOutcome.rows)
 * @returns the CSV text, ending with a newline
 * @example
 * ```ts
 * import { summaryCsv } from "splitscape";
 * console.log(summaryCsv([{ cell: "a1", seed: 0, loss: 0.5 }, { cell: "b2", seed: 1, loss: 0.25 }]));
 * ```
 */
export function summaryCsv(rows: readonly SummaryRow[]): string {
  const cols = summaryColumns(rows);
  return [cols.map(csvField).join(","), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(","))].join("\n") + "\n";
}

/**
 * Aggregate verdicts over cells: one verdict per claim, "passed in k/N cells" (claims are
 * matched by their text; cells that failed to run count as not passed).
 *
 * @param outcomes - the cells' outcomes (as runSweep's `onProgress` receives them)
 * @returns one verdict per claim (pass when it passed in every cell and no cell failed), plus "every cell runs to completion" when some cell failed
 * @example
 * ```ts
 * import { aggregateVerdicts, atMost, type CellOutcome } from "splitscape";
 * const outcomes: CellOutcome[] = [
 *   { id: "a", ok: true, summary: {}, verdicts: [atMost("error ≤ 1e-9", 1e-12, 1e-9)], pass: true, seconds: 0.1 },
 *   { id: "b", ok: true, summary: {}, verdicts: [atMost("error ≤ 1e-9", 1e-6, 1e-9)], pass: false, seconds: 0.1 },
 * ];
 * console.log(aggregateVerdicts(outcomes)); // [{ claim: "error ≤ 1e-9", measured: "1/2 cells", … pass: false }]
 * ```
 */
export function aggregateVerdicts(outcomes: readonly CellOutcome[]): Verdict[] {
  const claims = new Map<string, { pass: number; total: number }>();
  for (const o of outcomes) {
    if (!o.ok) continue;
    for (const v of o.verdicts) {
      const c = claims.get(v.claim) ?? { pass: 0, total: 0 };
      c.pass += v.pass ? 1 : 0;
      c.total += 1;
      claims.set(v.claim, c);
    }
  }
  const failedRuns = outcomes.filter((o) => !o.ok).length;
  const out: Verdict[] = [...claims].map(([claim, c]) => ({ claim, measured: `${c.pass}/${c.total} cells`, tolerance: "all cells", pass: c.pass === c.total && failedRuns === 0 }));
  if (failedRuns > 0) out.push({ claim: "every cell runs to completion", measured: `${failedRuns} failed`, tolerance: "0 failed", pass: false });
  return out;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 60);
}

/**
 * Summary figures: each numeric summary quantity (at most `maxFigures`) against the first
 * numeric grid axis other than the seed (or the seed itself), one line per seed; log axes when
 * the values are positive and span more than two decades.
 *
 * @param rows - summary rows (failed cells are skipped)
 * @param axes - the grid's axis names, in order (they are not plotted as quantities)
 * @param maxFigures - the most figures made (default 8)
 * @returns Vega-Lite line plots named `sweep-<quantity>-vs-<axis>` (renderFigure draws them); empty when no cell succeeded
 * @example
 * ```ts
 * import { renderFigure, summaryFigures } from "splitscape";
 * const rows = [1, 2, 4].map((n) => ({ cell: `c${n}`, seed: 0, status: "done", n, loss: 1 / n }));
 * for (const f of summaryFigures(rows, ["n"])) console.log(f.name, (await renderFigure(f.vegaLite)).svg.length);
 * ```
 */
export function summaryFigures(rows: readonly SummaryRow[], axes: readonly string[], maxFigures = 8): FigureSpec[] {
  const ok = rows.filter((r) => r.status !== "failed");
  if (ok.length === 0) return [];
  const numericAxis = axes.find((a) => a !== "seed" && ok.every((r) => typeof r[a] === "number"));
  const x = numericAxis ?? "seed";
  const skip = new Set(["cell", "seed", "status", "pass", "passed", "total", ...axes]);
  const metrics = summaryColumns(ok).filter((c) => !skip.has(c) && ok.every((r) => typeof r[c] === "number" && Number.isFinite(r[c] as number)));
  const multiSeed = x !== "seed" && new Set(ok.map((r) => r.seed)).size > 1;
  const wide = (field: string): boolean => {
    const v = ok.map((r) => r[field] as number);
    return v.every((t) => t > 0) && Math.max(...v) / Math.min(...v) > 100;
  };
  return metrics.slice(0, maxFigures).map((m) => {
    const data = ok.map((r) => ({ [x]: r[x] as number, [m]: r[m] as number, seed: `seed ${r.seed}` }));
    return {
      name: `sweep-${safeName(m)}-vs-${safeName(x)}`,
      title: `${m} against ${x}`,
      vegaLite: linePlot({ data, x, y: m, ...(multiSeed ? { series: "seed" } : {}), logX: wide(x), logY: wide(m) }),
    };
  });
}
