/**
 * Section 1 of `inspect`: stationarity and curvature of F (objective.ts) at θ.
 *
 *  - ‖∇F‖ against the scale of its terms (objective.ts, gradientScales): stationary when
 *    ‖∇F‖ ≤ gradTol·scale, or — the square loss at an interpolating fit, where the residuals
 *    themselves are at rounding level and so is `scale` — when ‖∇F‖ ≤ the rounding floor.
 *  - The extreme eigenvalues of ∇²F: all of them by `eigh` up to DENSE_HESSIAN_MAX parameters,
 *    beyond that the smallest and largest by thick-restart Lanczos on exact Hessian–vector
 *    products (linalg/lanczos.ts), with their residuals.
 *  - Eigenvalues with |λ| ≤ τ = hessianRelTol·max|λ| count as zero (plateau's convention).
 *  - Verdict: "not stationary" (‖∇F‖ > gradTol·scale); else "strict saddle" when λ_min < −τ and
 *    the step along the eigenvector v really lowers F; "minimum" when λ_min > τ (∇²F ≻ 0, a
 *    strict local minimum); otherwise "undetermined" (∇²F ⪰ 0 singular: second order does not
 *    decide — symmetries such as the ReLU rescaling put zeros there without weight decay).
 *  - The negative-curvature check follows v: ΔF(±t) = F(θ ± tv) − F(θ) for t = 2^{−s}; the even
 *    part ½(ΔF(t) + ΔF(−t)) = ½λ_min t² + O(t⁴) removes the gradient term and the odd orders,
 *    and the largest t whose even part is within 25% of ½λ_min t² with min ΔF < 0 is reported.
 */
import { eigh, lanczos } from "../linalg/index.js";
import type { Model, ModelData } from "../model/index.js";
import { HESSIAN_REL_TOL, DENSE_HESSIAN_MAX, inertiaOfEigenvalues, type Inertia } from "../plateau/index.js";
import {
  gradientScales, objectiveGradient, objectiveHessian, objectiveHessianOperator, objectiveValue, type ObjectiveSpec,
} from "./objective.js";

/** Default relative stationarity tolerance: ‖∇F‖ ≤ 1e-8·scale. */
export const INSPECT_GRAD_TOL = 1e-8;

export type StationarityVerdict = "minimum" | "strict saddle" | "not stationary" | "undetermined";

/** The measured extreme spectrum of ∇²F. */
export interface CurvatureMeasurement {
  readonly method: "eigh" | "lanczos";
  readonly minEigenvalue: number;
  readonly maxEigenvalue: number;
  /** Unit eigenvector of minEigenvalue (sign: largest-magnitude entry positive). */
  readonly minEigenvector: Float64Array;
  /** All eigenvalues ascending (eigh only). */
  readonly eigenvalues: Float64Array | null;
  /** In(∇²F) at the threshold (eigh only). */
  readonly inertia: Inertia | null;
  /** τ = relTol·max|λ|. */
  readonly threshold: number;
  readonly relTol: number;
  /** Lanczos: residual norms ‖Hv − λv‖ of the two pairs and whether they converged. */
  readonly residuals: number[] | null;
  readonly converged: boolean;
}

/** A followed negative-curvature direction. */
export interface CurvatureCheck {
  readonly t: number;
  /** min over ±t of F(θ ± tv) − F(θ). */
  readonly deltaObjective: number;
  /** ½(ΔF(t) + ΔF(−t)). */
  readonly evenPart: number;
  /** ½λ_min t². */
  readonly predicted: number;
  readonly lowers: boolean;
}

export interface StationaritySection {
  readonly applies: true;
  readonly verdict: StationarityVerdict;
  /** Why the verdict is what it is, in words. */
  readonly reason: string;
  /** Size limit and what was done. */
  readonly limit: string;
  readonly objective: number;
  readonly loss: number;
  readonly penalty: number;
  readonly gradientNorm: number;
  readonly gradientScale: number;
  /** The rounding floor of ∇F (square loss; 0 otherwise), objective.ts. */
  readonly gradientFloor: number;
  /** ‖∇F‖/scale. */
  readonly relativeGradient: number;
  readonly gradTol: number;
  readonly stationary: boolean;
  readonly curvature: CurvatureMeasurement;
  /** Present when λ_min < −τ. */
  readonly negativeCurvature: { readonly eigenvalue: number; readonly direction: Float64Array; readonly check: CurvatureCheck } | null;
}

export interface StationarityOptions {
  readonly gradTol?: number;
  readonly hessianRelTol?: number;
  readonly denseMax?: number;
}

/** Make the largest-magnitude entry positive (eigenvectors are defined up to sign). */
export function canonicalSign(v: Float64Array): Float64Array {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[k])) k = i;
  if (v[k] < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i];
  return v;
}

/**
 * Extreme spectrum of ∇²F: all eigenvalues by `eigh` up to denseMax parameters (with the inertia
 * at τ = relTol·max|λ|), beyond that the smallest and largest eigenpairs by thick-restart Lanczos on
 * exact Hessian–vector products, with their residuals.
 *
 * @param model - the network
 * @param data - inputs X and targets Y (a Dataset or `{X, Y}`)
 * @param spec - the objective: loss, mean, β
 * @param relTol - eigenvalues with |λ| ≤ relTol·max|λ| count as zero (default HESSIAN_REL_TOL, plateau's convention)
 * @param denseMax - the largest p handled densely (default DENSE_HESSIAN_MAX)
 * @returns λ_min with its unit eigenvector (largest-magnitude entry positive), λ_max, the method, and — eigh only — all eigenvalues and the inertia; — Lanczos only — residuals and convergence
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, measureCurvature } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const c = measureCurvature(net, data, { loss: "logistic" });
 * console.log(c.method, c.minEigenvalue, c.maxEigenvalue, c.inertia);
 * ```
 */
export function measureCurvature(model: Model, data: ModelData, spec: ObjectiveSpec, relTol = HESSIAN_REL_TOL, denseMax = DENSE_HESSIAN_MAX): CurvatureMeasurement {
  const p = model.theta.length;
  if (p <= denseMax) {
    const e = eigh(objectiveHessian(model, data, spec));
    const m = inertiaOfEigenvalues(e.values, relTol);
    const v = new Float64Array(p);
    for (let i = 0; i < p; i++) v[i] = e.vectors!.data[i * p];
    return {
      method: "eigh", minEigenvalue: e.values[0], maxEigenvalue: e.values[p - 1], minEigenvector: canonicalSign(v),
      eigenvalues: e.values, inertia: m.inertia, threshold: m.threshold, relTol, residuals: null, converged: true,
    };
  }
  const res = lanczos(objectiveHessianOperator(model, data, spec), p, { k: 1, which: "both" });
  const lo = res.values[0];
  const hi = res.values[res.values.length - 1];
  const v = new Float64Array(p);
  for (let i = 0; i < p; i++) v[i] = res.vectors.data[i * res.vectors.cols];
  return {
    method: "lanczos", minEigenvalue: lo, maxEigenvalue: hi, minEigenvector: canonicalSign(v), eigenvalues: null, inertia: null,
    threshold: relTol * Math.max(Math.abs(lo), Math.abs(hi)), relTol, residuals: Array.from(res.residuals), converged: res.converged,
  };
}

/**
 * Follow the unit direction v with predicted curvature mu < 0: ΔF(±t) = F(θ ± tv) − F(θ) for
 * t = 2^{−s}, s = 0…40; the even part ½(ΔF(t) + ΔF(−t)) = ½μt² + O(t⁴) removes the gradient term
 * and the odd orders. The largest t whose even part is within 25% of ½μt² with min ΔF < 0 is
 * returned (else the best step found).
 *
 * @param model - the network at θ
 * @param data - inputs X and targets Y
 * @param spec - the objective: loss, mean, β
 * @param v - a unit direction in parameter space (length p), e.g. the eigenvector of λ_min
 * @param mu - the curvature predicted along v (vᵀ∇²F v, negative)
 * @returns the step t, min ΔF over ±t, the even part, the prediction ½μt² and whether F was lowered
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, followNegativeCurvature, measureCurvature } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const spec = { loss: "logistic" as const };
 * const c = measureCurvature(net, data, spec);
 * if (c.minEigenvalue < 0) console.log(followNegativeCurvature(net, data, spec, c.minEigenvector, c.minEigenvalue));
 * ```
 */
export function followNegativeCurvature(model: Model, data: ModelData, spec: ObjectiveSpec, v: Float64Array, mu: number): CurvatureCheck {
  const F0 = objectiveValue(model, data, spec).objective;
  const at = (t: number): number => {
    const theta = model.theta.slice();
    for (let i = 0; i < theta.length; i++) theta[i] += t * v[i];
    return objectiveValue({ arch: model.arch, theta }, data, spec).objective - F0;
  };
  let best: CurvatureCheck | null = null;
  for (let s = 0; s <= 40; s++) {
    const t = 2 ** -s;
    const plus = at(t);
    const minus = at(-t);
    const even = 0.5 * (plus + minus);
    const predicted = 0.5 * mu * t * t;
    const rec = { t, deltaObjective: Math.min(plus, minus), evenPart: even, predicted, lowers: Math.min(plus, minus) < 0 };
    if (rec.lowers && Math.abs(even / predicted - 1) <= 0.25) return rec;
    if (best === null || (rec.lowers && !best.lowers)) best = rec;
  }
  return best!;
}

/**
 * Section 1 of inspect: gradient, extreme curvature, negative-curvature direction and the verdict
 * (see the file comment): "not stationary" when ‖∇F‖ > gradTol·scale (and above the square loss's
 * rounding floor); else "strict saddle" when λ_min < −τ and stepping along its eigenvector lowers F,
 * "minimum" when λ_min > τ, otherwise "undetermined".
 *
 * @param model - the network
 * @param data - inputs X and targets Y
 * @param spec - the objective: loss, mean, β
 * @param opts - gradTol (default INSPECT_GRAD_TOL), hessianRelTol, denseMax
 * @returns the verdict with its reason, F and its parts, ‖∇F‖ against its scale and floor, the curvature measured and the negative-curvature check
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, stationaritySection } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const s = stationaritySection(net, data, { loss: "logistic", beta: 1e-3 });
 * console.log(s.verdict, s.reason);
 * ```
 */
export function stationaritySection(model: Model, data: ModelData, spec: ObjectiveSpec, opts: StationarityOptions = {}): StationaritySection {
  const gradTol = opts.gradTol ?? INSPECT_GRAD_TOL;
  const denseMax = opts.denseMax ?? DENSE_HESSIAN_MAX;
  const g = objectiveGradient(model, data, spec);
  let g2 = 0;
  for (const x of g.gradient) g2 += x * x;
  const gradientNorm = Math.sqrt(g2);
  const { scale, roundingFloor } = gradientScales(model, data, spec);
  const relativeGradient = scale > 0 ? gradientNorm / scale : gradientNorm === 0 ? 0 : Infinity;
  const atRounding = relativeGradient > gradTol && gradientNorm <= roundingFloor;
  const stationary = relativeGradient <= gradTol || atRounding;
  const curvature = measureCurvature(model, data, spec, opts.hessianRelTol ?? HESSIAN_REL_TOL, denseMax);
  const tau = curvature.threshold;
  const negative = curvature.minEigenvalue < -tau;
  const negativeCurvature = negative
    ? { eigenvalue: curvature.minEigenvalue, direction: curvature.minEigenvector, check: followNegativeCurvature(model, data, spec, curvature.minEigenvector, curvature.minEigenvalue) }
    : null;
  const p = model.theta.length;
  const limit = p <= denseMax
    ? `dense Hessian and all ${p} eigenvalues (eigh; dense up to p = ${denseMax})`
    : `p = ${p} > ${denseMax}: extreme eigenpairs by Lanczos on exact Hessian–vector products (no inertia)`;
  let verdict: StationarityVerdict;
  let reason: string;
  if (!stationary) {
    verdict = "not stationary";
    reason = `‖∇F‖/scale = ${relativeGradient.toExponential(2)} > ${gradTol}`;
  } else if (negativeCurvature !== null) {
    verdict = negativeCurvature.check.lowers ? "strict saddle" : "undetermined";
    reason = negativeCurvature.check.lowers
      ? `λ_min = ${curvature.minEigenvalue.toExponential(3)} < −τ = ${(-tau).toExponential(2)}; F drops by ${(-negativeCurvature.check.deltaObjective).toExponential(2)} at t = ${negativeCurvature.check.t} along its eigenvector`
      : `λ_min = ${curvature.minEigenvalue.toExponential(3)} < −τ, but no step along its eigenvector lowered F`;
  } else if (curvature.minEigenvalue > tau) {
    verdict = "minimum";
    reason = `∇²F ≻ 0: λ_min = ${curvature.minEigenvalue.toExponential(3)} > τ = ${tau.toExponential(2)} (a strict local minimum)`;
  } else {
    verdict = "undetermined";
    const zeros = curvature.inertia ? `${curvature.inertia.zero} eigenvalue(s)` : "λ_min";
    reason = `∇²F ⪰ 0 but singular: ${zeros} within τ = ${tau.toExponential(2)} of 0; second order does not decide`;
  }
  if (atRounding) reason += `; stationary to rounding: ‖∇F‖ = ${gradientNorm.toExponential(2)} ≤ its rounding floor ${roundingFloor.toExponential(2)} (the residuals are at rounding level)`;
  return {
    applies: true, verdict, reason, limit, objective: g.objective, loss: g.loss, penalty: g.penalty,
    gradientNorm, gradientScale: scale, gradientFloor: roundingFloor, relativeGradient, gradTol, stationary, curvature, negativeCurvature,
  };
}
