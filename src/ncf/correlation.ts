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
 *
 * @param prob - the NCF problem
 * @returns a function (u, grad) ↦ 𝒩(u) that writes ∇𝒩(u) into `grad` when given (length p)
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfEvaluator, ncfProblem, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const ev = ncfEvaluator(prob);
 * const u = new Float64Array(prob.p).fill(1 / Math.sqrt(prob.p));
 * const grad = new Float64Array(prob.p);
 * console.log(ev(u, grad), grad[0]);
 * ```
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

/**
 * 𝒩(u) = c·Σ_i y_i H(x_i; u).
 *
 * @param prob - the NCF problem
 * @param u - the parameters u (length p; any norm: 𝒩 is L-homogeneous)
 * @returns 𝒩(u)
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfProblem, neuralCorrelation, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("relu") }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const u = new Float64Array(prob.p).fill(0.2);
 * console.log(neuralCorrelation(prob, u) * 4, neuralCorrelation(prob, u.map((v) => 2 * v))); // equal: L = 2
 * ```
 */
export function neuralCorrelation(prob: NcfProblem, u: Float64Array): number {
  return ncfEvaluator(prob)(u, null);
}

/**
 * ∇𝒩(u) = c·Σ_i y_i ∇_u H(x_i; u) (the output VJP with cotangent c·y); returns {value, gradient}.
 *
 * @param prob - the NCF problem
 * @param u - the parameters u (length p)
 * @returns 𝒩(u) as `value` and ∇𝒩(u) as `gradient` (a new array of length p)
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfProblem, neuralCorrelationGradient, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const u = new Float64Array(prob.p).fill(0.2);
 * const { value, gradient } = neuralCorrelationGradient(prob, u);
 * console.log(gradient.reduce((s, g, k) => s + g * u[k], 0), 2 * value); // Euler: ⟨u, ∇𝒩⟩ = L·𝒩
 * ```
 */
export function neuralCorrelationGradient(prob: NcfProblem, u: Float64Array): { value: number; gradient: Float64Array } {
  const gradient = new Float64Array(prob.p);
  const value = ncfEvaluator(prob)(u, gradient);
  return { value, gradient };
}

/**
 * Outputs H(x_i; u) for all samples (a permutation- and sign-symmetry-invariant fingerprint of u).
 *
 * @param prob - the NCF problem
 * @param u - the parameters u (length p)
 * @returns H(x_i; u) for the n samples
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfOutputs, ncfProblem, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("relu") }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * console.log(ncfOutputs(prob, new Float64Array(prob.p).fill(0.2)).length); // 20
 * ```
 */
export function ncfOutputs(prob: NcfProblem, u: Float64Array): Float64Array {
  const F = new Float64Array(prob.n);
  if (prob.n > 0) forwardInto(createWorkspace(prob.arch, prob.n), u, prob.X, prob.n, F);
  return F;
}
