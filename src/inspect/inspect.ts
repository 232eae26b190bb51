/**
 * `inspectNetwork(model, data, options)`: one report card for a trained network — every analysis
 * of the four results that applies to it, each with its certificate, its size limit and, when it
 * does not apply, why (one line). Pure: no files, no printing; plain data and typed arrays, so
 * it runs in a worker and its result can be posted back. The sections:
 *   1 stationarity and curvature (stationarity.ts)   2 redundancy (redundancy.ts)
 *   3 max-margin (margin.ts)                          4 convex certificate (convex.ts)
 *   5 plateau (plateau.ts)
 * Each section's numbers are checked where an independent check exists (the self-checks: the
 * negative-curvature step, the convex objective against the model's, each descent neuron's
 * actual drop, the plateau inertia against the measured one); `checksPass` says whether all held.
 */
import { InputError } from "../common/errors.js";
import type { LossName, Model, ModelData } from "../model/index.js";
import {
  checkModelData, describeArchitecture, formatActivation, homogeneityOrder, inputDim, isMarginLoss, outputDim, paramCount, piecewiseLinearSlope,
} from "../model/index.js";
import { atLeast, atMost, equals, formatNumber, type Verdict } from "../report/index.js";
import { CONVEX_TOL, convexNotApplicable, convexSection, type ConvexSection } from "./convex.js";
import { marginNotApplicable, marginSection, type MarginSection } from "./margin.js";
import type { ObjectiveSpec } from "./objective.js";
import { plateauNotApplicable, plateauSection, type PlateauSection } from "./plateau.js";
import { redundancySection, type RedundancySection } from "./redundancy.js";
import { stationaritySection, type StationaritySection } from "./stationarity.js";

export interface InspectOptions {
  readonly loss: LossName;
  /** Mean over samples instead of the sum (default false). */
  readonly mean?: boolean;
  /** Weight decay β ≥ 0 (default 0). */
  readonly beta?: number;
  /** Section 2's angle tolerance (radians). */
  readonly angleTol?: number;
  /** Section 1's relative stationarity tolerance. */
  readonly gradTol?: number;
  /** Dense Hessians up to this many parameters (section 1). */
  readonly denseMax?: number;
  /** Wall-clock budget of section 4's F* solve, seconds (default CONVEX_SOLVE_SECONDS). */
  readonly convexSeconds?: number;
}

/** A section that does not apply, and why. */
export interface NotApplicable {
  readonly applies: false;
  readonly reason: string;
}

/** What was detected about the network and the problem. */
export interface InspectFacts {
  readonly architecture: string;
  readonly kind: Model["arch"]["kind"];
  readonly activation: string;
  readonly p: number;
  readonly n: number;
  readonly d: number;
  readonly k: number;
  /** Order L of homogeneity in θ, or null. */
  readonly homogeneity: number | null;
  readonly piecewiseLinear: boolean;
  readonly task: "classification" | "regression";
  readonly loss: LossName;
  readonly convention: "sum" | "mean";
  readonly beta: number;
}

/** One row of the verdict table. */
export interface SummaryRow {
  readonly section: string;
  readonly verdict: string;
  /** The number behind the verdict, in words with its value. */
  readonly measure: string;
  readonly tolerance: string;
}

export interface InspectReport {
  readonly facts: InspectFacts;
  readonly stationarity: StationaritySection;
  readonly redundancy: RedundancySection | NotApplicable;
  readonly margin: MarginSection | NotApplicable;
  readonly convex: ConvexSection | NotApplicable;
  readonly plateau: PlateauSection | NotApplicable;
  readonly summary: SummaryRow[];
  /** Self-checks per section (independent checks of the numbers reported). */
  readonly checks: Record<"stationarity" | "redundancy" | "margin" | "convex" | "plateau", Verdict[]>;
  readonly checksPass: boolean;
}

export const SECTION_TITLES = {
  stationarity: "1 Stationarity and curvature",
  redundancy: "2 Redundancy (embedding principle backwards)",
  margin: "3 Max-margin",
  convex: "4 Convex certificate",
  plateau: "5 Plateau",
} as const;

function na(reason: string): NotApplicable {
  return { applies: false, reason };
}

function e2(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

function facts(model: Model, data: ModelData, opts: InspectOptions): InspectFacts {
  const arch = model.arch;
  return {
    architecture: describeArchitecture(arch), kind: arch.kind, activation: formatActivation(arch.activation),
    p: paramCount(arch), n: data.X.rows, d: inputDim(arch), k: outputDim(arch), homogeneity: homogeneityOrder(arch),
    piecewiseLinear: piecewiseLinearSlope(arch.activation) !== null, task: isMarginLoss(opts.loss) ? "classification" : "regression",
    loss: opts.loss, convention: opts.mean ? "mean" : "sum", beta: opts.beta ?? 0,
  };
}

/** Stationary only by the rounding floor (an interpolating fit, stationarity.ts). */
function atRoundingFloor(st: InspectReport["stationarity"]): boolean {
  return st.stationary && st.relativeGradient > st.gradTol;
}

function summaryRows(r: Omit<InspectReport, "summary" | "checks" | "checksPass">): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const st = r.stationarity;
  rows.push({
    section: "stationarity", verdict: st.verdict,
    measure: atRoundingFloor(st)
      ? `‖∇F‖ = ${e2(st.gradientNorm)} ≤ rounding floor ${e2(st.gradientFloor)}; λ ∈ [${e2(st.curvature.minEigenvalue)}, ${e2(st.curvature.maxEigenvalue)}]`
      : `‖∇F‖/scale = ${e2(st.relativeGradient)}; λ ∈ [${e2(st.curvature.minEigenvalue)}, ${e2(st.curvature.maxEigenvalue)}]`,
    tolerance: `${atRoundingFloor(st) ? "grad ≤ its rounding floor" : `grad ≤ ${formatNumber(st.gradTol)}`}, |λ| ≤ ${e2(st.curvature.threshold)} is 0`,
  });
  const red = r.redundancy;
  rows.push(red.applies
    ? { section: "redundancy", verdict: red.verdict, measure: `width ${red.width} → ${red.mergedWidth}, function error ${e2(Math.max(red.functionError.data.relative, red.functionError.random.relative))}`, tolerance: `${red.criterion === "identical" ? "distance" : "angle"} ≤ ${formatNumber(red.angleTol)}` }
    : { section: "redundancy", verdict: "n/a", measure: red.reason, tolerance: "" });
  const mg = r.margin;
  rows.push(mg.applies
    ? { section: "max-margin", verdict: mg.verdict, measure: mg.kkt?.epsilonRelative != null ? `γ̄ = ${mg.margins.normalizedMargin.toPrecision(4)}, ε/‖θ̂‖ = ${e2(mg.kkt.epsilonRelative)}, δ = ${e2(mg.kkt.delta ?? NaN)}` : `γ̄ = ${mg.margins.normalizedMargin.toPrecision(4)}`, tolerance: `ε/‖θ̂‖ ≤ ${formatNumber(mg.tol)}` }
    : { section: "max-margin", verdict: "n/a", measure: mg.reason, tolerance: "" });
  const cv = r.convex;
  rows.push(cv.applies
    ? { section: "convex", verdict: cv.verdict, measure: `gap ${e2(cv.relativeGap)} (rel.)${cv.optimum ? `, F − F* = ${e2(cv.improvement!)}` : ""}${cv.mStar !== null ? `, m* = ${cv.mStar}` : ""}`, tolerance: `tests ${formatNumber(CONVEX_TOL)}${cv.exactPatterns ? ", exact patterns" : ", sampled patterns"}` }
    : { section: "convex", verdict: "n/a", measure: cv.reason, tolerance: "" });
  const pl = r.plateau;
  rows.push(pl.applies
    ? { section: "plateau", verdict: pl.verdict, measure: pl.groups.map((g) => `unit ${g.unit}: In(H_j) = (${g.innerInertia.positive}, ${g.innerInertia.negative}, ${g.innerInertia.zero}), λ = (${g.lambda.map((x) => x.toPrecision(4)).join(", ")})`).join("; "), tolerance: `inertia predicted ${pl.agrees === null ? "" : pl.agrees ? "= measured" : "≠ measured"}` }
    : { section: "plateau", verdict: "n/a", measure: pl.reason, tolerance: "" });
  return rows;
}

function selfChecks(r: Omit<InspectReport, "summary" | "checks" | "checksPass">): InspectReport["checks"] {
  const st: Verdict[] = [];
  if (r.stationarity.curvature.method === "lanczos") st.push(equals("Lanczos converged for the extreme eigenpairs", r.stationarity.curvature.converged, true));
  const nc = r.stationarity.negativeCurvature;
  if (nc !== null && r.stationarity.stationary) {
    st.push(atMost("negative curvature is real: |even part of ΔF / (½λ_min t²) − 1| along the eigenvector", Math.abs(nc.check.evenPart / nc.check.predicted - 1), 0.25, `t = ${nc.check.t}`));
  }
  const red: Verdict[] = [];
  if (r.redundancy.applies && r.redundancy.verdict === "exact split") {
    red.push(atMost("the merged network computes the same function (max relative output error, data and random inputs)", Math.max(r.redundancy.functionError.data.relative, r.redundancy.functionError.random.relative), 1e-12));
  }
  const cv: Verdict[] = [];
  if (r.convex.applies) {
    const c = r.convex;
    cv.push(atMost("the convex code and the model's loss agree on F(θ) (relative)", c.objectiveAgreement, 1e-12));
    if (c.optimum !== null) {
      cv.push(atLeast("F(θ) is not below the certified lower bound of the optimum: (F(θ) − dual bound)/|F(θ)|", (c.objective - c.optimum.dualValue) / Math.abs(c.objective), -1e-12));
    }
    c.descentNeurons.forEach((dn, i) => cv.push(equals(`descent neuron ${i + 1} (pattern ${dn.pattern}, σ = ${dn.sign > 0 ? "+" : "−"}) lowers F when added`, dn.lowers, true, `t = ${dn.t}: ΔF = ${e2(dn.deltaObjective)}, predicted t·rate = ${e2(dn.predicted)}`)));
  }
  const pl: Verdict[] = [];
  if (r.plateau.applies && r.plateau.agrees !== null) {
    const f = (i: { positive: number; negative: number; zero: number }): string => `(${i.positive}, ${i.negative}, ${i.zero})`;
    pl.push(equals("predicted In(∇²L) = In(H_red) + Σ_g [In(Q_λ) + (0, 0, k − 1)] equals the measured inertia", f(r.plateau.measuredInertia!), f(r.plateau.predictedInertia)));
  }
  return { stationarity: st, redundancy: red, margin: [], convex: cv, plateau: pl };
}

/**
 * Inspect `model` on `data`: one report card — stationarity and curvature, redundancy (the
 * embedding principle backwards), max-margin, the convex certificate and the plateau class, each
 * with its certificate and size limit or, when it does not apply, why (see the file comment);
 * what `splitscape inspect` computes. Pure: no files, no printing. RangeError when the model and
 * data do not fit; user-facing validation (labels, options) belongs to the caller.
 *
 * @param model - a two-layer or mlp network (conv and parallel three-layer models are InputErrors)
 * @param data - inputs X (n×d) and targets Y (n×k): a Dataset or `{X, Y}`
 * @param opts - loss, mean (default false), β (default 0), and the sections' tolerances and budgets (angleTol, gradTol, denseMax, convexSeconds)
 * @returns the facts detected, the five sections (or why each does not apply), the verdict table rows and the self-checks with `checksPass`
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, formatInspectTable, inspectNetwork } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const report = inspectNetwork(net, data, { loss: "logistic", beta: 1e-3 });
 * console.log(formatInspectTable(report), report.checksPass);
 * ```
 */
export function inspectNetwork(model: Model, data: ModelData, opts: InspectOptions): InspectReport {
  checkModelData(model, data);
  if (model.arch.kind === "conv" || model.arch.kind === "parallel-three-layer") {
    throw new InputError("--model", `inspect does not support ${describeArchitecture(model.arch)} models yet (two-layer and mlp models only)`);
  }
  const spec: ObjectiveSpec = { loss: opts.loss, mean: opts.mean, beta: opts.beta };
  const stationarity = stationaritySection(model, data, spec, { gradTol: opts.gradTol, denseMax: opts.denseMax });
  const red = redundancySection(model, data, opts.angleTol);
  const redundancy = red ?? na("the network has no hidden layer");
  const marginWhy = marginNotApplicable(model, opts.loss);
  const margin = marginWhy === null ? marginSection(model, data, opts.loss as Exclude<LossName, "square">) : na(marginWhy);
  const convexWhy = convexNotApplicable(model, spec);
  const convex = convexWhy === null ? convexSection(model, data, spec, opts.convexSeconds) : na(convexWhy);
  const plateauWhy = plateauNotApplicable(model, opts.beta ?? 0, stationarity, red);
  const plateau = plateauWhy === null ? plateauSection(data, opts.loss, opts.mean ?? false, stationarity, red!) : na(plateauWhy);
  const base = { facts: facts(model, data, opts), stationarity, redundancy, margin, convex, plateau };
  const checks = selfChecks(base);
  const checksPass = Object.values(checks).every((list) => list.every((v) => v.pass));
  return { ...base, summary: summaryRows(base), checks, checksPass };
}
