/**
 * `splitscape plateau --model M --data D --unit j [--k K] [--lambda l1,…,lK]… [--loss L] [--json]`:
 * refine the model to a stationary point (‖∇L‖ ≤ 1e-12·scale, Levenberg–Marquardt), compute
 * the inner Hessian H_j of unit j and the Hessian H_red, classify every split point θ_λ by the
 * rules of docs/science/plateau.md §5, and check each against the full Hessian of the wide network
 * (inertia) and, for saddles, a followed descent direction. Exit 1 when the refinement misses
 * its tolerance or any prediction disagrees with its measurement (the JSON still says what).
 * Inertias are printed as [n₊, n₋, n₀].
 */
import { Option, type Command } from "commander";
import { InputError } from "../../common/index.js";
import { checkDenseHessian } from "../../common/limits.js";
import { checkOutputFile } from "../../common/outputPath.js";
import { LOSS_NAMES, isLossName, paramCount, saveModel, type LossName } from "../../model/index.js";
import {
  analyzePlateau, formatInertia, inertiaTriple, lambdaLine, simplexGrid, type EscapeRoute, type PlateauAnalysis, type UndecidedCondition,
} from "../../plateau/index.js";
import {
  labelColsOption, legacyOutputOption, loadModelArg, outFileOption, parseIntOption, printJson, printLines, resolveDataset, resolveOutFile,
} from "../io.js";
import { checkModelAgainstData } from "./eval.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";

/** Children of the split when neither --k nor --lambda says (written once: help and behaviour). */
const PLATEAU_DEFAULT_K = 2;

interface PlateauCliOptions {
  model: string;
  data: string;
  unit: string;
  k?: string;
  lambda?: string[];
  loss: string;
  mean?: boolean;
  refine: boolean;
  out?: string;
  /** The old spelling of --out (hidden, one release). */
  output?: string;
  force?: boolean;
  labelCols?: string;
  json?: boolean;
}

/** The JSON object printed by `plateau --json`. */
export interface PlateauCliResult {
  model: string;
  data: string;
  unit: number;
  k: number;
  loss: LossName;
  gradientNorm: number;
  gradientTolerance: number;
  stationary: boolean;
  refinement: {
    converged: boolean; iterations: number; initialGradientNorm: number; gradientNorm: number;
    scale: number; relTol: number; tolerance: number; displacement: number; loss: number; gradientNorms: number[];
  } | null;
  innerHessianEigenvalues: Float64Array;
  innerHessianInertia: [number, number, number];
  innerHessianThreshold: number;
  /** Σ_i |a_j r_i σ″(z_i)| ‖x̃_i‖²: the threshold is 1e-10 of it. */
  innerHessianTermScale: number;
  /**
   * T_j = Σ_i r_i σ‴(z_i) x̃_i⊗x̃_i⊗x̃_i on null(H_j) when H_j is singular (docs/science/plateau.md §5.7):
   * its Frobenius norm, threshold (1e-10·Σ|r_i σ‴(z_i)|‖x̃_i‖³), whether it vanishes, and the unit
   * direction v ∈ null(H_j) with the largest T_j[v, v, v] found; null when H_j is nonsingular.
   */
  innerNullCubic: { nullity: number; norm: number; threshold: number; termScale: number; vanishes: boolean; direction: Float64Array; value: number } | null;
  reducedInertia: [number, number, number];
  reducedThreshold: number;
  reducedMinEigenvalue: number;
  points: Array<{
    lambda: number[];
    class: string;
    reason: string;
    sureSaddle: boolean;
    predictedInertia: [number, number, number];
    measuredInertia: [number, number, number] | null;
    minEigenvalue: number;
    threshold: number;
    agrees: boolean;
    disagreement?: string;
    /** Saddles: the escape route of the rules (classify.ts EscapeRoute). */
    escape?: EscapeRoute;
    descent?: { kind: string; t: number; deltaLoss: number; evenPart: number; oddPart?: number; plateauMove?: number; predicted: number; lowers: boolean };
    /** "undetermined": the condition that would decide it (classify.ts UndecidedCondition). */
    undecided?: UndecidedCondition;
  }>;
  disagreements: string[];
  ok: boolean;
}

/** Parse "l1,l2,…" into numbers; InputError naming the option. */
export function parseLambda(raw: string, k: number | undefined): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  const v = parts.map(Number);
  if (parts.some((s) => s === "") || v.some((x) => !Number.isFinite(x))) {
    throw new InputError("--lambda", `expected comma-separated numbers l1,…,lk, got ${JSON.stringify(raw)}`);
  }
  if (k !== undefined && v.length !== k) throw new InputError("--lambda", `expected k = ${k} numbers, got ${v.length} in ${JSON.stringify(raw)}`);
  if (v.length < 2) throw new InputError("--lambda", `a split needs at least 2 children, got ${JSON.stringify(raw)}`);
  const s = v.reduce((a, b) => a + b, 0);
  if (Math.abs(s - 1) > 1e-12 * Math.max(1, ...v.map(Math.abs))) throw new InputError("--lambda", `the coefficients must sum to 1, got Σ = ${s} in ${JSON.stringify(raw)}`);
  return v;
}

/** Default λ's: the line t ∈ {−0.5, −0.25, …, 1.5} (k = 2), the simplex grid N = 4 (k = 3), else a few. */
export function defaultLambdas(k: number): number[][] {
  if (k === 2) return lambdaLine(-0.5, 1.5, 9);
  if (k === 3) return simplexGrid(4);
  const uniform = Array.from({ length: k }, () => 1 / k);
  const vertex = Array.from({ length: k }, (_, i) => (i === 0 ? 1 : 0));
  const negative = Array.from({ length: k }, (_, i) => (i === 0 ? 1.5 : i === 1 ? -0.5 : 0));
  return [uniform, vertex, negative];
}

/** The JSON record of an analysis. */
export function plateauResult(a: PlateauAnalysis, model: string, data: string, k: number): PlateauCliResult {
  const ref = a.refinement;
  return {
    model,
    data,
    unit: a.unit,
    k,
    loss: a.loss,
    gradientNorm: a.gradientNorm,
    gradientTolerance: a.gradientTolerance,
    stationary: a.stationary,
    refinement: ref && {
      converged: ref.converged, iterations: ref.iterations, initialGradientNorm: ref.initialGradientNorm, gradientNorm: ref.gradientNorm,
      scale: ref.scale, relTol: ref.relTol, tolerance: ref.tolerance, displacement: ref.displacement, loss: ref.loss,
      gradientNorms: [ref.initialGradientNorm, ...ref.steps.filter((s) => s.accepted).map((s) => s.gradientNorm)],
    },
    innerHessianEigenvalues: a.inner.eigenvalues,
    innerHessianInertia: inertiaTriple(a.inner.inertia.inertia),
    innerHessianThreshold: a.inner.inertia.threshold,
    innerHessianTermScale: a.inner.termScale,
    innerNullCubic: a.cubic && {
      nullity: a.cubic.nullity, norm: a.cubic.norm, threshold: a.cubic.threshold, termScale: a.cubic.termScale,
      vanishes: a.cubic.vanishes, direction: a.cubic.direction, value: a.cubic.value,
    },
    reducedInertia: inertiaTriple(a.reduced.inertia!),
    reducedThreshold: a.reduced.threshold,
    reducedMinEigenvalue: a.reduced.minEigenvalue,
    points: a.points.map((p) => ({
      lambda: p.lambda,
      class: p.cls,
      reason: p.reason,
      sureSaddle: p.sureSaddle,
      predictedInertia: inertiaTriple(p.predictedInertia),
      measuredInertia: p.measuredInertia && inertiaTriple(p.measuredInertia),
      minEigenvalue: p.minEigenvalue,
      threshold: p.threshold,
      agrees: p.agrees,
      ...(p.disagreement ? { disagreement: p.disagreement } : {}),
      ...(p.escape ? { escape: p.escape } : {}),
      ...(p.descent ? {
        descent: {
          kind: p.descent.kind, t: p.descent.t, deltaLoss: p.descent.deltaLoss, evenPart: p.descent.evenPart,
          ...(p.descent.oddPart !== undefined ? { oddPart: p.descent.oddPart } : {}),
          ...(p.descent.plateauMove !== undefined ? { plateauMove: p.descent.plateauMove } : {}),
          predicted: p.descent.predicted, lowers: p.descent.lowers,
        },
      } : {}),
      ...(p.undecided ? { undecided: p.undecided } : {}),
    })),
    disagreements: a.disagreements,
    ok: a.ok,
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x === 0 ? "0" : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toPrecision(4) : x.toExponential(3);
}

/** What would decide an undetermined point, in words (the JSON carries the typed condition). */
const UNDECIDED_TEXT: Record<UndecidedCondition["kind"], string> = {
  "reduced-degenerate": "the higher-order terms of the unsplit network at θ* (H_red singular)",
  "cubic-not-computed": "T_j on null(H_j) (not computed)",
  "quartic-form": "the fourth-order form on the Hessian kernel (T_j = 0 on null(H_j))",
};

/** Human summary. */
export function formatPlateau(a: PlateauAnalysis): string[] {
  const lines = [
    `stationarity  ‖∇L‖ = ${fmt(a.gradientNorm)} (tolerance ${fmt(a.gradientTolerance)}${a.refinement ? `, ${a.refinement.iterations} LM iteration(s)` : ", not refined"}) ${a.stationary ? "ok" : "MISSED"}`,
    `H_j (unit ${a.unit})   eigenvalues [${Array.from(a.inner.eigenvalues, fmt).join(", ")}], inertia ${formatInertia(a.inner.inertia.inertia)} (|μ| ≤ ${fmt(a.inner.inertia.threshold)} is zero)`,
    `H_red         inertia ${formatInertia(a.reduced.inertia!)}, λ_min = ${fmt(a.reduced.minEigenvalue)}`,
    ...(a.cubic ? [`T_j on null(H_j) (dim ${a.cubic.nullity})  ‖T_N‖ = ${fmt(a.cubic.norm)} (zero at ≤ ${fmt(a.cubic.threshold)}): ${a.cubic.vanishes ? "vanishes, the fourth order decides" : `max T_j[v,v,v] = ${fmt(a.cubic.value)}, the cubic decides`}`] : []),
  ];
  for (const p of a.points) {
    const meas = p.measuredInertia ? formatInertia(p.measuredInertia) : "n/a";
    const desc = p.descent ? `  ΔL = ${fmt(p.descent.deltaLoss)} (${p.descent.kind}, t = ${fmt(p.descent.t)}${p.descent.plateauMove !== undefined ? `, η = ${fmt(p.descent.plateauMove)}` : ""})` : p.undecided ? `  decided by: ${UNDECIDED_TEXT[p.undecided.kind]}` : "";
    lines.push(`λ = (${p.lambda.map(fmt).join(", ")})  ${p.cls.padEnd(19)} predicted ${formatInertia(p.predictedInertia)} measured ${meas}${desc}${p.agrees ? "" : "  DISAGREES: " + p.disagreement}`);
  }
  lines.push(a.ok ? "all predictions agree with the full Hessian" : `${a.disagreements.length} problem(s): ${a.disagreements.join("; ")}`);
  return lines;
}

function runPlateau(opts: PlateauCliOptions): void {
  if (!isLossName(opts.loss)) throw new InputError("--loss", `unknown loss ${JSON.stringify(opts.loss)}; allowed: ${LOSS_NAMES.join(", ")}`);
  const output = resolveOutFile(opts, false);
  if (output !== undefined) checkOutputFile(output, { option: "-o/--out", inputs: [opts.model, opts.data], force: opts.force });
  const model = loadModelArg(opts.model, opts);
  const ds = resolveDataset(opts.data, opts);
  checkModelAgainstData(model, opts.model, ds, opts.loss);
  if (model.arch.kind !== "two-layer" || model.arch.k !== 1) {
    throw new InputError(opts.model, "plateau needs a two-layer network with a scalar output", "kind");
  }
  const unit = parseIntOption("--unit", opts.unit, 0, model.arch.m - 1)!;
  let k = parseIntOption("--k", opts.k, 2, 64);
  const given = (opts.lambda ?? []).map((raw) => parseLambda(raw, k));
  if (k === undefined) k = given.length ? given[0].length : PLATEAU_DEFAULT_K;
  for (const l of given) if (l.length !== k) throw new InputError("--lambda", `every --lambda needs the same number of entries (${k})`);
  const lambdas = given.length ? given : defaultLambdas(k);
  // The full Hessian of the wide network (k − 1 more units) is formed densely at every point.
  checkDenseHessian(opts.model, paramCount({ ...model.arch, m: model.arch.m + k - 1 }), ds.X.rows);
  const a = analyzePlateau(model, ds, opts.loss, { unit, lambdas, mean: opts.mean, refine: opts.refine, source: opts.model });
  // The refined model is a result: written only when every check passed.
  if (output !== undefined && a.ok) saveModel(output, a.model);
  const note = output === undefined ? [] : [a.ok ? `refined model → ${output}` : `refined model NOT written to ${output}: the checks above failed`];
  if (opts.json) printJson({ ...plateauResult(a, opts.model, ds.source, k), output: output ?? null, written: output !== undefined && a.ok });
  else printLines(...formatPlateau(a), ...note);
  if (!a.ok) process.exitCode = EXIT_TOLERANCE;
}

/** Register `plateau` on the program. */
export function registerPlateau(program: Command): void {
  program
    .command("plateau")
    .description("stationarity, inner Hessian and classification of the split points of a unit, checked against the full Hessian")
    .requiredOption("--model <M>", "model file (.json): a two-layer network with a smooth activation and a scalar output")
    .requiredOption("--data <D>", "dataset: .json or .csv file, or builtin:NAME?key=value&…")
    .requiredOption("--unit <j>", "the unit to split (0-based)")
    .option("--k <K>", `number of children (default ${PLATEAU_DEFAULT_K}, or the length of --lambda)`)
    .option("--lambda <l1,…,lK>", "split coefficients summing to 1 (repeat for several points; default a λ-line or simplex grid)", (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option("--loss <L>", "loss").choices([...LOSS_NAMES]).default("square"))
    .option("--mean", "mean over samples instead of the sum")
    .option("--no-refine", "use the model as given (no Levenberg–Marquardt refinement)")
    .addOption(outFileOption("the refined model θ* (.json); written only when every check passes"))
    .addOption(legacyOutputOption())
    .option("--force", "allow -o/--out to be the input model (overwrite it)")
    .addOption(labelColsOption())
    .option("--json", "print one JSON object")
    .action((opts: PlateauCliOptions) => runPlateau(opts));
}
