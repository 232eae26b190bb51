// The zero network as the global optimum (docs/science/convex.md §2
// at ŷ = 0). With ν₀ = −∇L(0) (square loss: y; logistic: y/2) and
//   β₀ = s(ν₀) = max_{i,±} ‖Π_{K_i}(±Xᵀ D_i ν₀)‖,
// ν₀ is dual feasible exactly when β ≥ β₀, and then −L*(−ν₀) = −⟨ν₀, 0⟩ + L(0) = L(0) (the
// Fenchel–Young equality at ŷ = 0, ν₀ = −∇L(0)): the zero network's gap is 0, so f = 0 is the global
// optimum with F* = L(0) in closed form and m* = M* = 0. For β < β₀ a neuron on the direction
// attaining β₀ lowers the objective (descentNeurons), so β₀ is the largest weight decay with a
// nonzero optimum. With sampled patterns β₀ is the bound over them (a lower bound on the true one).
import { type ConvexProblem, convexLoss } from "../program/index.js";
import { certificateFromPrediction, type ConvexCertificate } from "./certificate.js";

/** The closed-form optimum at large β. */
export interface ZeroOptimum {
  /** β₀ = s(ν₀), every pattern's cone projection computed exactly. */
  readonly betaZero: number;
  /** β ≥ β₀: the zero network is optimal (a proof of global optimality when the patterns are exact). */
  readonly zeroOptimal: boolean;
  /** L(0) = F* when zeroOptimal. */
  readonly value: number;
  /** The certificate of ŷ = 0 with primal value L(0) (gap 0 up to rounding when zeroOptimal). */
  readonly certificate: ConvexCertificate;
}

/**
 * β₀ = s(−∇L(0)) of the problem and the certificate of the zero network (file comment).
 *
 * @param problem - the convex problem
 * @returns β₀, whether the zero network is optimal at problem.beta, L(0) and the certificate of ŷ = 0
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, withBias, zeroOptimum } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const z = zeroOptimum(problem);
 * console.log(z.betaZero, z.zeroOptimal); // above β₀ the best network is f = 0
 * ```
 */
export function zeroOptimum(problem: ConvexProblem): ZeroOptimum {
  const zero = new Float64Array(problem.y.length);
  const value = convexLoss(problem.loss).value(zero, problem.y);
  const certificate = certificateFromPrediction(problem, zero, value, 0, { exactAbove: 0 });
  return { betaZero: certificate.s, zeroOptimal: problem.beta >= certificate.s, value, certificate };
}
