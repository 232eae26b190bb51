import { join } from "node:path";
import { InputError, InterruptedError, stamped, stampedFigure } from "../common/index.js";
import { checkSweepCells } from "../common/limits.js";
import { ensureFolder, writeFileAtomic } from "../common/atomic.js";
import { renderFigure, renderReportHtml, type ReportFigure } from "../report/index.js";
import type { CellOutcome, CellTask } from "./cellTask.js";
import { currentEnvironment } from "./environment.js";
import { expandGrid, gridSize, type GridCell } from "./grid.js";
import { canonicalJson, shortHash } from "./hash.js";
import { toJsonText, writeJsonAtomic } from "./json.js";
import { runCells, poolMode } from "./pool.js";
import { FIGURES_DIR, isComplete, markComplete, markIncomplete, readRunJson, REPORT_FILE, RESULT_FILE } from "./runFolder.js";
import { definitionOf, specRecord } from "./runner.js";
import { validateParams, type Grid, type LoadedSpec } from "./spec.js";
import { aggregateVerdicts, summaryColumns, summaryCsv, summaryFigures, summaryRow, type SummaryRow } from "./summary.js";
import type { ExperimentResult } from "./types.js";

/**
 * Sweeps: a spec with a grid runs once per grid cell, on the worker pool (pool.ts). Layout:
 *   <outDir>/sweep-<kind>-<hash>/      hash of the base spec AND the grid (kind, seed, params,
 *                                      grid): two sweeps of different grids never share a folder
 *     INCOMPLETE                       until the summary is written
 *     sweep.json                       the spec, the grid and the cells (hash → values)
 *     cells/<cell hash>/               one run folder per cell (no figures)
 *     summary.csv, summary.json        one row per cell of the grid
 *     figures/, report.html            summary figures and report
 * Resumable: a cell whose folder is complete (runFolder.isComplete) is not run again; its
 * numbers are read back from its result.json. Resuming checks sweep.json: a folder made by
 * another spec or grid is refused (exit 2), never overwritten. Grids larger than
 * `maxCells` (default 1000) are refused before anything is expanded or written.
 */

/** Options of runSweep. */
export interface SweepOptions {
  /** Parent folder of the sweep folder (default "runs"). */
  outDir?: string;
  /** Use exactly this sweep folder. */
  dir?: string;
  /** Worker threads (default 2). */
  workers?: number;
  /** Worker script, or null for in-process (see pool.ts). */
  workerUrl?: URL | string | null;
  /** Called once the cells to run are known. */
  onPlan?: (plan: { total: number; toRun: number; reused: number; mode: "threads" | "in-process"; dir: string }) => void;
  /** Called as each cell finishes. */
  onProgress?: (outcome: CellOutcome) => void;
  /** The largest grid that runs (default DEFAULT_MAX_SWEEP_CELLS = 1000; the CLI's --max-cells). */
  maxCells?: number;
  /** Aborting interrupts the sweep (Ctrl-C): the folder stays INCOMPLETE, a re-run resumes it. */
  signal?: AbortSignal;
}

/** What a sweep produced. */
export interface SweepOutcome {
  dir: string;
  cells: number;
  ran: number;
  reused: number;
  failed: number;
  rows: SummaryRow[];
  /** True when every cell ran and every verdict of every cell passed. */
  pass: boolean;
  mode: SweepMode;
}

/** Where a sweep's cells ran: worker threads, this thread, or workers pulling from a Redis queue. */
export type SweepMode = "threads" | "in-process" | "queue";

/** What identifies a sweep: its base spec and its grid (the content of the folder key). */
function sweepIdentity(loaded: LoadedSpec): { kind: string; seed: number; params: Record<string, unknown>; grid: Grid } {
  const { kind, seed, params } = loaded.spec;
  return { kind, seed, params, grid: loaded.grid ?? {} };
}

/** The default folder name of a sweep: kind and the hash of its base spec and grid. */
export function sweepFolderName(loaded: LoadedSpec): string {
  return `sweep-${loaded.spec.kind}-${shortHash(sweepIdentity(loaded))}`;
}

/** A grid in a few words: `seed × 3, n × 2`. */
function describeGrid(grid: unknown): string {
  return Object.entries((grid ?? {}) as Grid).map(([axis, values]) => `${axis} × ${Array.isArray(values) ? values.length : "?"}`).join(", ") || "no grid";
}

/**
 * InputError if `dir` holds a sweep made by another spec or grid (its sweep.json differs):
 * resuming there would mix two sweeps and replace the other's summary.
 */
function checkResumable(dir: string, loaded: LoadedSpec): void {
  const previous = readRunJson<{ spec?: { kind?: string; seed?: number; params?: unknown }; grid?: unknown }>(dir, "sweep.json");
  if (previous === undefined) return;
  const theirs = { kind: previous.spec?.kind, seed: previous.spec?.seed, params: previous.spec?.params, grid: previous.grid ?? {} };
  const ours = sweepIdentity(loaded);
  if (canonicalJson(theirs) === canonicalJson(ours)) return;
  const what = theirs.kind !== ours.kind ? `kind (${String(theirs.kind)})`
    : canonicalJson(theirs.grid) !== canonicalJson(ours.grid) ? `grid (${describeGrid(theirs.grid)})`
      : "seed or params";
  throw new InputError(dir, `holds a sweep of a different ${what}; resuming would mix two sweeps: give another --dir, or leave --dir out to use ${sweepFolderName(loaded)}`, "sweep.json");
}

function reusedOutcome(cell: GridCell, dir: string): CellOutcome {
  const r = readRunJson<ExperimentResult>(dir, RESULT_FILE)!;
  return { id: cell.hash, ok: true, summary: r.summary, verdicts: r.verdicts, pass: r.verdicts.every((v) => v.pass), seconds: 0 };
}

/** Where a sweep is and what is left to do (prepareSweep), shared by the local pool and the queue. */
export interface PreparedSweep {
  loaded: LoadedSpec;
  grid: Grid;
  /** The sweep folder. */
  dir: string;
  /** Every cell of the grid, in expansion order. */
  cells: GridCell[];
  /** Cells whose folders are complete (not run again). */
  finished: GridCell[];
  /** The other cells, to run into cells/<hash>/. */
  tasks: CellTask[];
}

/** A cell's folder in a sweep folder: `<dir>/cells/<cell hash>`. */
export function cellFolder(dir: string, cell: GridCell): string {
  return join(dir, "cells", cell.hash);
}

/**
 * Step 1 of a sweep: check the grid's size, expand it, open (or resume) the sweep folder —
 * INCOMPLETE and sweep.json — and split the cells into finished ones and tasks.
 */
export function prepareSweep(loaded: LoadedSpec, opts: Pick<SweepOptions, "outDir" | "dir" | "maxCells"> = {}): PreparedSweep {
  const { spec, source } = loaded;
  definitionOf(spec);
  const grid = loaded.grid ?? {};
  checkSweepCells(source, gridSize(grid), opts.maxCells);
  const cells = expandGrid(spec, grid, (p) => validateParams(spec.kind, p, source, ["grid"]));
  const dir = opts.dir ?? join(opts.outDir ?? "runs", sweepFolderName(loaded));
  checkResumable(dir, loaded);
  ensureFolder(join(dir, "cells"));
  markIncomplete(dir, `sweep running since ${new Date().toISOString()}`);
  writeJsonAtomic(join(dir, "sweep.json"), stamped("sweep", { spec: specRecord(spec), grid, cells: cells.map((c) => ({ cell: c.hash, ...c.values })) }));
  const finished = cells.filter((c) => isComplete(cellFolder(dir, c)));
  const tasks: CellTask[] = cells.filter((c) => !isComplete(cellFolder(dir, c))).map((c) => ({ id: c.hash, spec: c.spec, dir: cellFolder(dir, c) }));
  return { loaded, grid, dir, cells, finished, tasks };
}

/** Mark an interrupted sweep INCOMPLETE with why and how far it got; the error to throw (its message `message`). */
export function interruptSweep(sweep: PreparedSweep, why: string, message?: string): InterruptedError {
  const finishedNow = sweep.cells.filter((c) => isComplete(cellFolder(sweep.dir, c))).length;
  markIncomplete(sweep.dir, `${why} at ${new Date().toISOString()}: ${finishedNow} of ${sweep.cells.length} cells finished, no summary; run the same sweep again to resume`);
  return new InterruptedError(sweep.dir, message);
}

/**
 * Step 3 of a sweep (after its tasks ran, `ran` in any order): summary.csv/json, summary
 * figures, report.html, and the removal of INCOMPLETE.
 */
export async function finishSweep(sweep: PreparedSweep, ran: readonly CellOutcome[], mode: SweepMode): Promise<SweepOutcome> {
  const { loaded: { spec }, grid, dir, cells, finished } = sweep;
  const def = definitionOf(spec);
  const byId = new Map<string, CellOutcome>(ran.map((o) => [o.id, o]));
  const reusedIds = new Set(finished.map((c) => c.hash));
  const outcomes = cells.map((c) => byId.get(c.hash) ?? reusedOutcome(c, cellFolder(dir, c)));
  const rows = cells.map((c, i) => summaryRow(c, outcomes[i], reusedIds.has(c.hash)));

  writeJsonAtomic(join(dir, "summary.json"), stamped("summary", { kind: spec.kind, grid, columns: summaryColumns(rows), rows }));
  writeFileAtomic(join(dir, "summary.csv"), summaryCsv(rows));

  const figures: ReportFigure[] = [];
  for (const f of summaryFigures(rows, Object.keys(grid))) {
    const { svg, png } = await renderFigure(f.vegaLite);
    const stem = join(dir, FIGURES_DIR, f.name);
    writeFileAtomic(`${stem}.vl.json`, toJsonText(stampedFigure(f.vegaLite)));
    writeFileAtomic(`${stem}.svg`, svg);
    writeFileAtomic(`${stem}.png`, png);
    figures.push({ title: f.title, svg, file: `${FIGURES_DIR}/${f.name}.png` });
  }
  const verdicts = aggregateVerdicts(outcomes);
  const failed = outcomes.filter((o) => !o.ok).length;
  const html = renderReportHtml({
    title: `Sweep: ${spec.title ?? def.title}`,
    subtitle: `${spec.kind} · ${cells.length} cells over ${Object.keys(grid).join(" × ") || "(no grid)"} · summary in summary.csv`,
    sections: [{ heading: "Claims over all cells", verdicts, figures, spec: { ...specRecord(spec), grid } }],
    environment: currentEnvironment(),
  });
  writeFileAtomic(join(dir, REPORT_FILE), html);
  markComplete(dir);
  return {
    dir,
    cells: cells.length,
    ran: sweep.tasks.length,
    reused: finished.length,
    failed,
    rows,
    pass: failed === 0 && outcomes.every((o) => o.ok && o.pass),
    mode,
  };
}

/**
 * Run a validated spec's grid on this machine's worker pool (a spec without a grid is a one-cell
 * sweep) into `<outDir>/sweep-<kind>-<hash>/`: one run folder per cell under cells/ (a cell
 * finished by an earlier sweep is reused, not re-run), summary.csv/.json, summary figures and
 * report.html. From TypeScript sources the cells run in this thread; from dist/ on worker threads.
 *
 * @param loaded - a validated spec with its grid (validateSpec or loadSpec)
 * @param opts - outDir (default "runs") or dir, workers (default 2), maxCells, onPlan/onProgress callbacks, signal
 * @returns the folder, the counts of cells (total, ran, reused, failed), the summary rows, whether everything passed and where the cells ran
 * @example
 * ```ts
 * import { runSweep, validateSpec } from "splitscape";
 * const loaded = validateSpec({ kind: "linalg-check", grid: { seed: [1, 2] } }, "my sweep");
 * const o = await runSweep(loaded, { outDir: "runs", onProgress: (c) => console.log(c.id, c.ok) });
 * console.log(o.dir, `${o.ran} ran, ${o.reused} reused`, o.pass);
 * ```
 */
export async function runSweep(loaded: LoadedSpec, opts: SweepOptions = {}): Promise<SweepOutcome> {
  const sweep = prepareSweep(loaded, opts);
  const { tasks } = sweep;
  const mode = tasks.length === 0 ? "in-process" : poolMode({ workerUrl: opts.workerUrl });
  opts.onPlan?.({ total: sweep.cells.length, toRun: tasks.length, reused: sweep.finished.length, mode, dir: sweep.dir });
  let ran: CellOutcome[];
  try {
    ran = await runCells(tasks, { workers: opts.workers, workerUrl: opts.workerUrl, onDone: opts.onProgress, signal: opts.signal });
  } catch (err) {
    if (!(err instanceof InterruptedError)) throw err;
    throw interruptSweep(sweep, "interrupted (SIGINT)");
  }
  return finishSweep(sweep, ran, mode);
}
