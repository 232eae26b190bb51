import { fork } from "../random/index.js";
import { definitionOf } from "./registry.js";
import { validateSpec } from "./spec.js";
import type { SummaryOf } from "./summaries.js";
import type { ExperimentResult, RunContext, RunSpec, Scalar } from "./types.js";

/** Check that a run function returned the ExperimentResult shape (a bug otherwise). */
function checkResult(kind: string, r: ExperimentResult): ExperimentResult {
  const ok = r !== null && typeof r === "object" && typeof r.summary === "object" && Array.isArray(r.verdicts) && typeof r.series === "object";
  if (!ok) throw new Error(`${kind}: run() must return {summary, verdicts, series}`);
  for (const v of r.verdicts) {
    if (typeof v.claim !== "string" || typeof v.pass !== "boolean") throw new Error(`${kind}: every verdict needs a claim and a boolean pass`);
  }
  return r;
}

/**
 * Run a validated spec in memory with a given metrics sink (used by the executors and tests).
 * The result's summary has the type of the spec's kind (summaries.ts) when the kind is a literal.
 *
 * @param spec - a validated spec (`validateSpec(…).spec`): kind, seed, params with defaults filled
 * @param metric - receives each metrics record the run streams (default: dropped)
 * @param log - receives progress notes (default: dropped)
 * @returns the result: summary, verdicts (claim, measured, tolerance, pass) and series
 * @example
 * ```ts
 * import { executeExperiment, validateSpec } from "splitscape";
 * const { spec } = validateSpec({ kind: "linalg-check", seed: 1 }, "my spec");
 * const result = await executeExperiment(spec);
 * console.log(result.verdicts.every((v) => v.pass));
 * ```
 */
export async function executeExperiment<K extends string>(
  spec: RunSpec & { kind: K },
  metric: (record: Record<string, Scalar>) => void = () => {},
  log: (message: string) => void = () => {},
): Promise<ExperimentResult<SummaryOf<K>>> {
  const def = definitionOf(spec);
  const ctx: RunContext = {
    seed: spec.seed,
    rng: (stream) => fork(spec.seed, stream),
    metric,
    log,
  };
  // The registry holds each kind's definition with its summary type erased; summaries.ts names it again.
  return checkResult(spec.kind, await def.run(spec, ctx)) as ExperimentResult<SummaryOf<K>>;
}

/**
 * Run experiment `kind` in memory: `{kind, seed, params}` is validated as a spec file would be
 * (defaults filled; a bad or unknown field is an InputError naming `params.<field>`), then run.
 * For a built-in kind the result's summary is that kind's own type (no casts needed).
 *
 * @param kind - an experiment kind (`splitscape run --list` shows them), e.g. "margin-commutation"
 * @param params - the kind's parameters; omitted ones take their defaults
 * @param seed - the run's seed (default 0)
 * @returns the result: summary (typed per kind), verdicts and series
 * @example
 * ```ts
 * import { runExperiment } from "splitscape";
 * const r = await runExperiment("linalg-check", {}, 1);
 * console.log(r.verdicts.every((v) => v.pass));
 * ```
 */
export async function runExperiment<K extends string>(kind: K, params: Record<string, unknown> = {}, seed = 0): Promise<ExperimentResult<SummaryOf<K>>> {
  const { spec } = validateSpec({ kind, seed, params }, `runExperiment(${JSON.stringify(kind)})`);
  return executeExperiment({ ...spec, kind });
}
