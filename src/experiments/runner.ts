import { join } from "node:path";
import { InterruptedError, stamped } from "../common/index.js";
import type { ReportSection } from "../report/index.js";
import { VERSION } from "../version.js";
import { currentEnvironment, type Environment } from "./environment.js";
import { inProcessExecutor, type Execution, type ExperimentExecutor } from "./executor.js";
import { writeJsonAtomic } from "./json.js";
import { writeFigures, writeRunReport } from "./outputs.js";
import { definitionOf } from "./registry.js";
import { createRunFolder, markComplete, markIncomplete, resetRunFolder, RESULT_FILE, RUN_FILE, runId, SPEC_FILE } from "./runFolder.js";
import type { ExperimentResult, RunSpec } from "./types.js";

export { definitionOf } from "./registry.js";
export { executeExperiment } from "./execute.js";

/**
 * Running one experiment into a run folder (see runFolder.ts for the layout and the
 * completeness rule). The order of writes is: INCOMPLETE, spec.json, metrics.jsonl (streamed
 * while running), result.json, figures, report.html, run.json, and last the removal of
 * INCOMPLETE. If the experiment throws, INCOMPLETE is rewritten with the error, no result.json
 * is written, and a RunFailedError carrying the folder is thrown. If the run's signal is
 * aborted (Ctrl-C; worker executors only), INCOMPLETE says so and InterruptedError(dir) is thrown.
 */

/** Options of runToFolder. */
export interface RunOptions {
  /** Parent folder of the new run folder `<parent>/<id>/` (default "runs"). */
  outDir?: string;
  /** Use exactly this folder instead (sweep cells and tour sections); it is reset first. */
  dir?: string;
  /** Render figures and report.html (default true; sweep cells skip them). */
  render?: boolean;
  /** Progress notes of the experiment (ctx.log); default: discarded. */
  log?: (message: string) => void;
  /** Where the computation runs (default in this thread; the CLI uses a worker). */
  executor?: ExperimentExecutor;
  /** Aborting interrupts the run (worker executors): the folder stays INCOMPLETE. */
  signal?: AbortSignal;
}

/** What a finished run produced. */
export interface RunOutcome {
  dir: string;
  id: string;
  spec: RunSpec;
  result: ExperimentResult;
  /** True when every verdict passed. */
  pass: boolean;
  /** The run's report section (figures inlined), when rendered. */
  section?: ReportSection;
  seconds: number;
}

/** The experiment threw; its folder is left marked INCOMPLETE with the error. */
export class RunFailedError extends Error {
  readonly dir: string;
  override readonly cause: unknown;
  constructor(dir: string, cause: unknown) {
    super(`the run in ${dir} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "RunFailedError";
    this.dir = dir;
    this.cause = cause;
  }
}

/** spec.json content: the spec with defaults filled and the splitscape version. */
export function specRecord(spec: RunSpec): RunSpec & { splitscape: string } {
  return { kind: spec.kind, seed: spec.seed, ...(spec.title !== undefined ? { title: spec.title } : {}), params: spec.params, splitscape: VERSION };
}

/** Step 1: the run folder (new, or `opts.dir` reset) with INCOMPLETE and spec.json. */
function openRun(spec: RunSpec, opts: RunOptions, started: Date): { dir: string; id: string } {
  const id = opts.dir ? (opts.dir.split(/[\\/]/).filter(Boolean).pop() ?? spec.kind) : runId(spec, started);
  const dir = opts.dir ? resetRunFolder(opts.dir) : createRunFolder(opts.outDir ?? "runs", id);
  writeJsonAtomic(join(dir, SPEC_FILE), stamped("spec", specRecord(spec)));
  return { dir, id };
}

/** Step 2: compute the result (metrics streamed); a failure or an interrupt leaves INCOMPLETE saying which. */
async function computeRun(spec: RunSpec, dir: string, opts: RunOptions): Promise<Execution> {
  const executor = opts.executor ?? inProcessExecutor;
  try {
    return await executor.run(spec, dir, { log: opts.log, signal: opts.signal });
  } catch (err) {
    if (err instanceof InterruptedError) {
      markIncomplete(dir, `interrupted (SIGINT) at ${new Date().toISOString()}: no result.json; metrics.jsonl holds the records streamed so far`);
      throw new InterruptedError(dir);
    }
    markIncomplete(dir, `failed at ${new Date().toISOString()}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    throw new RunFailedError(dir, err);
  }
}

/** Step 3: result.json, figures and report.html, run.json, and the removal of INCOMPLETE. */
async function finishRun(spec: RunSpec, dir: string, id: string, execution: Execution, started: Date, render: boolean): Promise<RunOutcome> {
  const def = definitionOf(spec);
  const { result } = execution;
  writeJsonAtomic(join(dir, RESULT_FILE), stamped("result", result));
  const environment: Environment = currentEnvironment(started);
  let section: ReportSection | undefined;
  if (render) {
    try {
      section = await writeFigures(dir, def, spec, result);
      writeRunReport(dir, section, environment, `run ${id}`);
    } catch (err) {
      // result.json is whole, but the folder stays INCOMPLETE; `splitscape report` can retry.
      markIncomplete(dir, `rendering failed at ${new Date().toISOString()}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      throw err;
    }
  }
  const finished = new Date();
  const seconds = (finished.getTime() - started.getTime()) / 1000;
  const pass = result.verdicts.every((v) => v.pass);
  writeJsonAtomic(join(dir, RUN_FILE), stamped("run", { id, kind: spec.kind, status: "complete", pass, started: started.toISOString(), finished: finished.toISOString(), seconds, metrics: execution.metrics, environment }));
  markComplete(dir);
  return { dir, id, spec, result, pass, seconds, ...(section ? { section } : {}) };
}

/**
 * Run a validated spec into a new run folder (or `opts.dir`).
 *
 * @param spec - a validated spec (`validateSpec(…).spec`)
 * @param opts - parent folder (`outDir`, default "runs") or the exact folder (`dir`), executor, rendering
 * @returns the run folder, its id, the result and whether every claim passed
 * @example
 * ```ts
 * import { runToFolder, validateSpec } from "splitscape";
 * const outcome = await runToFolder(validateSpec({ kind: "linalg-check", seed: 1 }, "my spec").spec, { outDir: "runs" });
 * console.log(outcome.dir, outcome.pass);
 * ```
 */
export async function runToFolder(spec: RunSpec, opts: RunOptions = {}): Promise<RunOutcome> {
  definitionOf(spec);
  const started = new Date();
  const { dir, id } = openRun(spec, opts, started);
  const execution = await computeRun(spec, dir, opts);
  return finishRun(spec, dir, id, execution, started, opts.render ?? true);
}
