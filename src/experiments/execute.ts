import { fork } from "../random/index.js";
import { definitionOf } from "./registry.js";
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

/** Run an experiment in memory with a given metrics sink (used by the executors and tests). */
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
