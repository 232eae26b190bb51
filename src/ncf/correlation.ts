/**
 * The neural correlation function (NCF) and its gradient (docs/science/small-init.md §2):
 *   𝒩(u) = c·Σ_i y_i H(x_i; u),   ∇𝒩(u) = c·Σ_i y_i ∇_u H(x_i; u) = outputVjp(u, c·y),
 * with H the network output and c the sum/mean factor. Near the origin −∇ℒ(w) = ∇𝒩(w) + O(‖w‖³)
 * for the square loss (½∇𝒩 for the logistic loss), Kumar & Haupt (TMLR 2024, arXiv 2402.09226).
 * At a ReLU kink the gradient is the one of the model layer's convention (left derivative).
 */
import { createWorkspace, forwardInto, vjpInto } from "../model/network.js";
import type { NcfProblem } from "./problem.js";

/** 𝒩 and (into `grad`, when given) ∇𝒩 at u; returns 𝒩(u). */
export type NcfEvaluator = (u: Float64Array, grad: Float64Array | null) => number;

/**
 * An evaluator of 𝒩 and ∇𝒩 for repeated calls (owns a model workspace and output buffers;
 * not re-entrant). 𝒩(u) = c·Σ_i y_i H(x_i; u); ∇𝒩(u) = outputVjp(u, c·y).
 */
export function ncfEvaluator(prob: NcfProblem): NcfEvaluator {
  const { n, X, y, scale, p } = prob;
  const ws = createWorkspace(prob.arch, Math.max(1, n));
  const F = new Float64Array(Math.max(1, n));
  const R = new Float64Array(Math.max(1, n));
  for (let i = 0; i < n; i++) R[i] = scale * y[i];
  return (u, grad) => {
    if (u.length !== p) throw new RangeError(`ncf: u has ${u.length} entries, expected ${p}`);
    if (n === 0) {
      grad?.fill(0);
      return 0;
    }
    forwardInto(ws, u, X, n, F);
    let v = 0;
    for (let i = 0; i < n; i++) v += R[i] * F[i];
    if (grad) vjpInto(ws, u, X, n, R, grad);
    return v;
  };
}

/** 𝒩(u) = c·Σ_i y_i H(x_i; u). */
export function neuralCorrelation(prob: NcfProblem, u: Float64Array): number {
  return ncfEvaluator(prob)(u, null);
}

/** ∇𝒩(u) = c·Σ_i y_i ∇_u H(x_i; u) (the output VJP with cotangent c·y); returns {value, gradient}. */
export function neuralCorrelationGradient(prob: NcfProblem, u: Float64Array): { value: number; gradient: Float64Array } {
  const gradient = new Float64Array(prob.p);
  const value = ncfEvaluator(prob)(u, gradient);
  return { value, gradient };
}

/** Outputs H(x_i; u) for all samples (a permutation- and sign-symmetry-invariant fingerprint of u). */
export function ncfOutputs(prob: NcfProblem, u: Float64Array): Float64Array {
  const F = new Float64Array(prob.n);
  if (prob.n > 0) forwardInto(createWorkspace(prob.arch, prob.n), u, prob.X, prob.n, F);
  return F;
}
