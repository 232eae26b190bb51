import { join } from "node:path";
import { fork } from "../random/index.js";
import type { ReportSection } from "../report/index.js";
import { VERSION } from "../version.js";
import { currentEnvironment, type Environment } from "./environment.js";
import { writeJsonAtomic } from "./json.js";
import { writeFigures, writeRunReport } from "./outputs.js";
import { getExperiment } from "./registry.js";
import {
  createRunFolder,
  markComplete,
  markIncomplete,
  openMetrics,
  resetRunFolder,
  RESULT_FILE,
  RUN_FILE,
  runId,
  SPEC_FILE,
} from "./runFolder.js";
import type { ExperimentDefinition, ExperimentResult, RunContext, RunSpec, Scalar } from "./types.js";

/**
 * Running one experiment into a run folder (see runFolder.ts for the layout and the
 * completeness rule). The order of writes is: INCOMPLETE, spec.json, metrics.jsonl (streamed
 * while running), result.json, figures, report.html, run.json, and last the removal of
 * INCOMPLETE. If the experiment throws, INCOMPLETE is rewritten with the error, no result.json
 * is written, and a RunFailedError carrying the folder is thrown.
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

/** The definition of a validated spec's kind (throws if the kind vanished from the registry). */
export function definitionOf(spec: RunSpec): ExperimentDefinition {
  const def = getExperiment(spec.kind);
  if (!def) throw new Error(`experiment kind ${spec.kind} is not registered`);
  return def;
}

/** spec.json content: the spec with defaults filled and the splitscape version. */
export function specRecord(spec: RunSpec): RunSpec & { splitscape: string } {
  return { kind: spec.kind, seed: spec.seed, ...(spec.title !== undefined ? { title: spec.title } : {}), params: spec.params, splitscape: VERSION };
}

/** Check that a run function returned the ExperimentResult shape (a bug otherwise). */
function checkResult(kind: string, r: ExperimentResult): ExperimentResult {
  const ok = r !== null && typeof r === "object" && typeof r.summary === "object" && Array.isArray(r.verdicts) && typeof r.series === "object";
  if (!ok) throw new Error(`${kind}: run() must return {summary, verdicts, series}`);
  for (const v of r.verdicts) {
    if (typeof v.claim !== "string" || typeof v.pass !== "boolean") throw new Error(`${kind}: every verdict needs a claim and a boolean pass`);
  }
  return r;
}

/** Run an experiment in memory with a given metrics sink (used by runToFolder and tests). */
export async function executeExperiment(
  spec: RunSpec,
  metric: (record: Record<string, Scalar>) => void = () => {},
  log: (message: string) => void = () => {},
): Promise<ExperimentResult> {
  const def = definitionOf(spec);
  const ctx: RunContext = {
    seed: spec.seed,
    rng: (stream) => fork(spec.seed, stream),
    metric,
    log,
  };
  return checkResult(spec.kind, await def.run(spec, ctx));
}

/** Run a validated spec into a new run folder (or `opts.dir`). */
export async function runToFolder(spec: RunSpec, opts: RunOptions = {}): Promise<RunOutcome> {
  const def = definitionOf(spec);
  const started = new Date();
  const id = opts.dir ? (opts.dir.split(/[\\/]/).filter(Boolean).pop() ?? spec.kind) : runId(spec, started);
  const dir = opts.dir ? resetRunFolder(opts.dir) : createRunFolder(opts.outDir ?? "runs", id);
  writeJsonAtomic(join(dir, SPEC_FILE), specRecord(spec));
  const metrics = openMetrics(dir);
  let result: ExperimentResult;
  try {
    result = await executeExperiment(spec, (r) => metrics.write(r), opts.log);
  } catch (err) {
    metrics.close();
    markIncomplete(dir, `failed at ${new Date().toISOString()}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    throw new RunFailedError(dir, err);
  }
  metrics.close();
  writeJsonAtomic(join(dir, RESULT_FILE), result);
  const environment: Environment = currentEnvironment(started);
  let section: ReportSection | undefined;
  if (opts.render ?? true) {
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
  writeJsonAtomic(join(dir, RUN_FILE), { id, kind: spec.kind, status: "complete", pass, started: started.toISOString(), finished: finished.toISOString(), seconds, metrics: metrics.count, environment });
  markComplete(dir);
  return { dir, id, spec, result, pass, seconds, ...(section ? { section } : {}) };
}
