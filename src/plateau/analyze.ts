/**
 * The whole plateau analysis of one unit: refine θ* to a stationary point, compute H_red (the
 * Hessian of the unsplit network at θ*) and the inner Hessian H_j, classify every split point
 * θ_λ by the rules (classify.ts), and verify each class against the full Hessian of the wide
 * network at θ_λ and, for claimed saddles, a followed descent direction (verify.ts). Every
 * disagreement is listed in `disagreements`; none is dropped.
 */
import type { LossName, LossOptions, Model, ModelData } from "../model/index.js";
import { hessian, lossAndGradient, twoLayerParts } from "../model/index.js";
import { nrm2 } from "../linalg/index.js";
import { classifySplitPoint, isSureSaddle, LAMBDA_ZERO_TOL, type EscapeRoute, type SplitClass, type UndecidedCondition } from "./classify.js";
import { nullCubic, type NullCubic } from "./cubic.js";
import { formatInertia, sameInertia, type Inertia } from "./inertia.js";
import { innerHessian, INNER_REL_TOL, type InnerHessian } from "./innerHessian.js";
import { gradientScale, refineStationaryPoint, STATIONARY_REL_TOL, type RefineOptions, type RefinementReport } from "./refine.js";
import { childIndices, requireScalarTwoLayer, requireSmoothActivation, splitUnitCopyDivide } from "./split.js";
import {
  cubicLineProbe, cubicPlateauProbe, descentAlongEigenvector, HESSIAN_REL_TOL, measureHessian, measureSpectrum, quarticProbe,
  type DescentReport, type HessianMeasurement,
} from "./verify.js";

/** The plateau move η of a "cubic-plateau" escape (a share of a_j moved between two children). */
export const PLATEAU_MOVE = 0.05;

export interface PlateauOptions extends LossOptions {
  /** The unit j to split (0-based). */
  unit: number;
  /** Split coefficient vectors λ (each of length k, Σ λ_l = 1). */
  lambdas: readonly (readonly number[])[];
  /** Refine θ to a stationary point first (default true). */
  refine?: boolean;
  refineOptions?: Omit<RefineOptions, "mean">;
  /** Relative zero threshold for In(H_j) (default INNER_REL_TOL). */
  innerRelTol?: number;
  /** Relative zero threshold for In(H_red) and In(∇²L(θ_λ)) (default HESSIAN_REL_TOL). */
  hessianRelTol?: number;
  /** |λ_l| ≤ this is a zero weight (default LAMBDA_ZERO_TOL). */
  lambdaZeroTol?: number;
  /** Dense spectra up to this many parameters (verify.ts). */
  denseMax?: number;
  /** Where the model came from, for InputErrors (default "model"). */
  source?: string;
}

/** One split point: the rules' class and prediction, the measurement, and the verdict. */
export interface SplitPointReport {
  readonly lambda: number[];
  readonly cls: SplitClass;
  readonly reason: string;
  readonly sureSaddle: boolean;
  readonly predictedInertia: Inertia;
  /** null when only Lanczos extremes were measured. */
  readonly measuredInertia: Inertia | null;
  readonly minEigenvalue: number;
  readonly threshold: number;
  readonly nonzeroMargin: number;
  readonly zeroMargin: number;
  /** For claimed saddles: the escape route the rules give, and the followed direction with ΔL. */
  readonly escape?: EscapeRoute;
  readonly descent?: DescentReport;
  /** For "undetermined": the condition that would decide it. */
  readonly undecided?: UndecidedCondition;
  readonly agrees: boolean;
  /** What disagreed, in words (absent when everything agrees). */
  readonly disagreement?: string;
  /** The wide model's eigenvalues (dense only), ascending. */
  readonly eigenvalues: Float64Array | null;
}

export interface PlateauAnalysis {
  readonly unit: number;
  readonly loss: LossName;
  /** The stationary point θ* used (refined, or as given). */
  readonly model: Model;
  readonly refinement: RefinementReport | null;
  readonly gradientNorm: number;
  /** The stationarity tolerance relTol·scale (refine.ts). */
  readonly gradientTolerance: number;
  readonly stationary: boolean;
  readonly inner: InnerHessian;
  /** T_j on null(H_j) (§5.7); null when H_j is nonsingular (second order decides). */
  readonly cubic: NullCubic | null;
  readonly reduced: HessianMeasurement;
  readonly points: SplitPointReport[];
  readonly disagreements: string[];
  /** Stationary and every point agrees. */
  readonly ok: boolean;
}

/** The unsplit stationary point, the unit split and the spectra every split point shares. */
export interface SplitContext {
  /** θ*, stationary. */
  readonly model: Model;
  readonly data: ModelData;
  readonly loss: LossName;
  readonly unit: number;
  /** The inner Hessian H_j of the unit at θ*. */
  readonly inner: InnerHessian;
  /** In(H_red), the inertia of the Hessian of the unsplit network at θ*. */
  readonly reducedInertia: Inertia;
  /** T_j on null(H_j) when H_j is singular (nullCubic); absent: degenerate cases stay undetermined. */
  readonly cubic?: NullCubic | null;
}

/**
 * Classify and verify one split point θ_λ of the stationary model θ*.
 *
 * `analyzePlateau` calls it for every λ; call it directly to classify points one at a time
 * (the lab's class maps do).
 *
 * @param at - θ* (stationary), the data, loss and unit, with H_j and In(H_red) computed once
 * @param lambda - the split coefficients λ of the point
 * @param opts - the plateau options apart from unit and lambdas (tolerances, probes, `mean`)
 * @returns the class with its reason, predicted and measured inertia, and the descent found for a saddle
 * @example
 * ```ts
 * import { analyzeSplitPoint, designStationaryPoint, innerHessian, makeActivation, measureHessian } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const inner = innerHessian(model, data, "square", 0);
 * const reducedInertia = measureHessian(model, data, "square").inertia!;
 * const point = analyzeSplitPoint({ model, data, loss: "square", unit: 0, inner, reducedInertia }, [0.3, 0.7]);
 * console.log(point.cls, point.predictedInertia, point.measuredInertia);
 * ```
 */
export function analyzeSplitPoint(at: SplitContext, lambda: readonly number[], opts: Omit<PlateauOptions, "unit" | "lambdas"> = {}): SplitPointReport {
  const { model, data, loss, unit, inner, reducedInertia } = at;
  const lossOpts: LossOptions = { mean: opts.mean };
  const zeroTol = opts.lambdaZeroTol ?? LAMBDA_ZERO_TOL;
  const c = classifySplitPoint(reducedInertia, inner.inertia.inertia, lambda, zeroTol, at.cubic ?? undefined);
  const wide = splitUnitCopyDivide(model, unit, lambda);
  const meas = measureHessian(wide, data, loss, { ...lossOpts, relTol: opts.hessianRelTol, denseMax: opts.denseMax });
  const problems: string[] = [];
  if (meas.inertia !== null && !sameInertia(meas.inertia, c.predictedInertia)) {
    problems.push(`inertia: predicted ${formatInertia(c.predictedInertia)}, measured ${formatInertia(meas.inertia)}`);
  }
  if (meas.inertia === null) {
    const negMeasured = meas.minEigenvalue < -meas.threshold;
    if (negMeasured !== (c.predictedInertia.negative > 0)) problems.push(`sign of λ_min: predicted ${c.predictedInertia.negative > 0 ? "negative" : "≥ 0"}, measured ${meas.minEigenvalue}`);
  }
  const descent = c.escape ? followEscape(at, wide, lambda, c.escape, meas, lossOpts) : undefined;
  if (descent && !descent.lowers) problems.push(`claimed ${c.cls}, but the ${descent.kind} step did not lower the loss (ΔL = ${descent.deltaLoss})`);
  return {
    lambda: lambda.slice(),
    cls: c.cls,
    reason: c.reason,
    sureSaddle: isSureSaddle(inner.inertia.inertia, lambda, zeroTol),
    predictedInertia: c.predictedInertia,
    measuredInertia: meas.inertia,
    minEigenvalue: meas.minEigenvalue,
    threshold: meas.threshold,
    nonzeroMargin: meas.nonzeroMargin,
    zeroMargin: meas.zeroMargin,
    ...(c.escape ? { escape: c.escape } : {}),
    ...(descent ? { descent } : {}),
    ...(c.undecided ? { undecided: c.undecided } : {}),
    agrees: problems.length === 0,
    ...(problems.length ? { disagreement: problems.join("; ") } : {}),
    eigenvalues: meas.eigenvalues,
  };
}

/** Follow a saddle's escape route at θ_λ (the wide network `wide`) and measure ΔL. */
function followEscape(at: SplitContext, wide: Model, lambda: readonly number[], escape: EscapeRoute, meas: HessianMeasurement, lossOpts: LossOptions): DescentReport {
  const { data, loss, unit, inner } = at;
  const arch = requireScalarTwoLayer(wide, "plateau");
  const kids = childIndices(arch.m - lambda.length + 1, unit, lambda.length);
  switch (escape.kind) {
    case "negative-curvature":
      return descentAlongEigenvector(wide, data, loss, meas.minEigenvector, meas.minEigenvalue, lossOpts);
    case "quartic-probe": {
      // ξ: the eigenvector of H_j of largest |μ|; q = ξᵀH_jξ/a_j = μ/a_j.
      const n = inner.eigenvalues.length;
      const top = Math.abs(inner.eigenvalues[0]) >= Math.abs(inner.eigenvalues[n - 1]) ? 0 : n - 1;
      const xi = new Float64Array(n);
      for (let s = 0; s < n; s++) xi[s] = inner.eigenvectors.data[s * n + top];
      const q = inner.eigenvalues[top] / inner.outputWeight;
      // Put the exact zero weight on that child (λ_l within zeroTol of 0).
      const probeModel = { arch: wide.arch, theta: wide.theta.slice() };
      twoLayerParts(arch, probeModel.theta).a[kids[escape.child]] = 0;
      return quarticProbe(probeModel, data, loss, { child: kids[escape.child], xi, q, outputCurvature: inner.outputCurvature }, lossOpts);
    }
    case "cubic-line":
    case "cubic-plateau": {
      const cubic = at.cubic!;
      const dir = { children: kids, lambdas: lambda, outputWeight: inner.outputWeight, v: cubic.direction, cubicValue: cubic.value };
      return escape.kind === "cubic-line"
        ? cubicLineProbe(wide, data, loss, dir, escape.coefficients, lossOpts)
        : cubicPlateauProbe(wide, data, loss, dir, { from: escape.from, to: escape.to, eta: PLATEAU_MOVE }, lossOpts);
    }
  }
}

/**
 * Refine (optionally), then classify and verify every split point θ_λ of unit j. `ok` is false
 * when the refinement missed its tolerance or any point disagrees with its measurement.
 * InputError for a non-smooth activation (requireSmoothActivation).
 *
 * @param model - a smooth two-layer network (tanh, sigmoid, softplus, gelu, swish, erf, …)
 * @param data - inputs and targets
 * @param loss - the loss of L (the plateau rules are for "square")
 * @param opts - the unit j to split, the λ points, and refinement settings
 * @returns stationarity, every split point's class with predicted and measured inertia, and `ok`
 * @example
 * ```ts
 * import { analyzePlateau, designStationaryPoint, lambdaLine, makeActivation } from "splitscape";
 * const design = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const a = analyzePlateau(design.model, design.data, "square", { unit: 0, lambdas: lambdaLine(-0.5, 1.5, 5) });
 * console.log(a.stationary, a.points.map((p) => p.cls), a.ok);
 * ```
 */
export function analyzePlateau(model: Model, data: ModelData, loss: LossName, opts: PlateauOptions): PlateauAnalysis {
  const arch = requireScalarTwoLayer(model, "plateau");
  requireSmoothActivation(arch, opts.source ?? "model");
  const { unit } = opts;
  if (!(Number.isInteger(unit) && unit >= 0 && unit < arch.m)) throw new RangeError(`plateau: unit ${unit} is not in [0, ${arch.m})`);
  const lossOpts: LossOptions = { mean: opts.mean };
  const refinement = opts.refine === false ? null : refineStationaryPoint(model, data, loss, { ...opts.refineOptions, ...lossOpts });
  const star = refinement ? refinement.model : model;
  const inner = innerHessian(star, data, loss, unit, { ...lossOpts, relTol: opts.innerRelTol ?? INNER_REL_TOL });
  const reduced = measureSpectrum(hessian(star, data, loss, lossOpts), opts.hessianRelTol ?? HESSIAN_REL_TOL);
  const cubic = inner.inertia.inertia.zero > 0 ? nullCubic(star, data, loss, inner, { ...lossOpts, relTol: opts.innerRelTol }) : null;
  const disagreements: string[] = [];
  const relTol = opts.refineOptions?.relTol ?? STATIONARY_REL_TOL;
  const gradientNorm = refinement ? refinement.gradientNorm : nrm2(lossAndGradient(star, data, loss, lossOpts).gradient!);
  const gradientTolerance = refinement ? refinement.tolerance : relTol * gradientScale(star, data, loss, lossOpts);
  const stationary = gradientNorm <= gradientTolerance;
  if (!stationary) {
    disagreements.push(`stationarity: ‖∇L‖ = ${gradientNorm} > ${gradientTolerance} (= ${relTol}·scale)${refinement ? ` after ${refinement.iterations} LM iteration(s)` : " (not refined)"}`);
  }
  if (inner.outputWeight === 0) disagreements.push(`unit ${unit} has a_j = 0: the split does not create a plateau of this kind`);
  const points = opts.lambdas.map((lambda) => {
    const r = analyzeSplitPoint({ model: star, data, loss, unit, inner, reducedInertia: reduced.inertia!, cubic }, lambda, opts);
    if (!r.agrees) disagreements.push(`λ = (${r.lambda.join(", ")}): ${r.disagreement}`);
    return r;
  });
  return {
    unit,
    loss,
    model: star,
    refinement,
    gradientNorm,
    gradientTolerance,
    stationary,
    inner,
    cubic,
    reduced,
    points,
    disagreements,
    ok: disagreements.length === 0,
  };
}
