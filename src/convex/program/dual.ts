// The dual side shared by solvers and certificates: ν = −∇L(ŷ), the feasible rescaling
// ν_f = ν·min(1, β/s), the dual objective and the duality gap. Source: docs/science/convex.md §2,
// certificate of global optimality: for any ν and s ≥ max_i ‖Π_{K_i}(±Xᵀ D_i ν)‖ (ReLU) or
// s ≥ max_i ‖Xᵀ D_i ν‖ (gated ReLU), ν_f is dual feasible and −L*(−ν_f) ≤ optimum ≤ primal.
import type { ConvexLoss } from "./loss.js";

/** The numbers of a duality-gap certificate. */
export interface GapReport {
  /** Primal objective L(ŷ) + β Σ‖·‖ of the candidate. */
  readonly primalValue: number;
  /** Dual objective −L*(−ν_f) of the feasible rescaled dual point (a lower bound on the optimum). */
  readonly dualValue: number;
  /** primal − dual ≥ 0 (up to rounding). */
  readonly gap: number;
  /** gap / max(|primal|, tiny): the tolerance of every solver refers to this. */
  readonly relativeGap: number;
  /** s: the dual constraint value max ‖Π_K(±Xᵀ D ν)‖ (or an upper bound on it, see `sExact`). */
  readonly s: number;
  /** min(1, β/s): ν_f = scale·ν. */
  readonly scale: number;
}

/**
 * ν = −∇L(ŷ) (written into `out`).
 *
 * @param loss - the loss (`convexLoss(name)`)
 * @param yhat - the prediction ŷ, length n
 * @param y - the targets, length n
 * @param out - optional output buffer of length n, overwritten
 * @returns the dual direction ν = −∇L(ŷ) (`out` when given); for the square loss the residual y − ŷ
 * @example
 * ```ts
 * import { convexLoss, dualFromPrediction } from "splitscape";
 * const nu = dualFromPrediction(convexLoss("square"), Float64Array.of(0.5, 1), Float64Array.of(1, 1));
 * console.log(Array.from(nu)); // [0.5, -0]: the residual y − ŷ
 * ```
 */
export function dualFromPrediction(loss: ConvexLoss, yhat: Float64Array, y: Float64Array, out: Float64Array = new Float64Array(y.length)): Float64Array {
  loss.valueAndGradient(yhat, y, out);
  for (let k = 0; k < out.length; k++) out[k] = -out[k];
  return out;
}

/**
 * Gap report for a primal value and a dual direction ν with constraint value s:
 * ν_f = ν·min(1, β/s), dual = −L*(−ν_f), gap = primal − dual, relative gap = gap/|primal|.
 */
export function gapReport(loss: ConvexLoss, y: Float64Array, beta: number, primalValue: number, nu: Float64Array, s: number, scratch?: Float64Array): GapReport {
  const scale = s > beta ? beta / s : 1;
  const nf = scratch ?? new Float64Array(nu.length);
  for (let k = 0; k < nu.length; k++) nf[k] = scale * nu[k];
  const dualValue = loss.dualValue(nf, y);
  const gap = primalValue - dualValue;
  const denom = Math.max(Math.abs(primalValue), Number.MIN_VALUE);
  return { primalValue, dualValue, gap, relativeGap: primalValue === 0 && gap === 0 ? 0 : gap / denom, s, scale };
}
