// The duality-gap certificate of a vector-output prediction (docs/science/convex.md §8.1):
// Λ = −∇L(F), s ≤ the upper bound of vectorDualNorm, Λ_f = Λ·min(1, β/s) is dual feasible and
// −L*(−Λ_f) ≤ optimum ≤ primal (weak duality: L(F) ≥ −L*(−Λ) − ⟨Λ, F⟩ and
// ⟨Λ, F⟩ = Σ_j α_jᵀΛᵀ(Xw_j)_+ ≤ s Σ_j ‖α_j‖‖w_j‖ ≤ β Σ_j ‖α_j‖‖w_j‖, so this holds at every width).
import type { Matrix } from "../../../linalg/index.js";
import { CERTIFY_TOL } from "../../program/index.js";
import { vectorDualNorm, type VectorDualNorm } from "./dualNorm.js";
import { vectorLossDualValue, vectorLossValue } from "./losses.js";
import type { VectorProblem } from "./problem.js";

/** Options of the vector certificates. */
export interface VectorCertificateOptions {
  /** Relative tolerance of the equality/inequality tests. Default 1e-6. */
  readonly tol?: number;
  /** Relative tolerance of the bounds on s (vectorDualNorm's tol). Default min(1e-8, tol/100). */
  readonly normTol?: number;
  /** Passed to vectorDualNorm. */
  readonly maxEvaluations?: number;
  readonly coverMaxDim?: number;
  readonly rankTol?: number;
}

/** The duality-gap certificate of a prediction F. */
export interface VectorCertificate {
  readonly primalValue: number;
  /** −L*(−Λ_f), a lower bound on the optimum of (NC_c) at any width. */
  readonly dualValue: number;
  readonly gap: number;
  readonly relativeGap: number;
  /** The upper bound on s(Λ) used to scale Λ (so Λ_f is provably feasible). */
  readonly s: number;
  /** The attained lower bound on s(Λ). */
  readonly sLower: number;
  /** min(1, β/s). */
  readonly scale: number;
  readonly prediction: Matrix;
  readonly Lambda: Matrix;
  readonly LambdaFeasible: Matrix;
  readonly norm: VectorDualNorm;
  /**
   * "feasible": s_upper ≤ β(1 + tol) (no neuron can be added with profit); "infeasible":
   * s_lower > β(1 + tol) (a direction u exists that lowers the objective, whatever the patterns);
   * "undecided": the bounds straddle β (the certificate is inconclusive).
   */
  readonly dualFeasibility: "feasible" | "infeasible" | "undecided";
  /** The pattern set is exact: only then is a small gap a proof of global optimality. */
  readonly exact: boolean;
  readonly patterns: number;
  /** nc + 1: the width from which the optimal set is connected (docs/science/convex.md §8.1). */
  readonly connectivityWidth: number;
}

/**
 * The width nc + 1 from which the optimal set of (NC_c) is connected (docs/science/convex.md §8.1).
 *
 * @param n - number of samples
 * @param c - number of outputs
 * @returns nc + 1
 * @example
 * ```ts
 * import { vectorConnectivityWidth } from "splitscape";
 * console.log(vectorConnectivityWidth(5, 2)); // 11
 * ```
 */
export function vectorConnectivityWidth(n: number, c: number): number {
  return n * c + 1;
}

/**
 * Certificate of a prediction F with primal value `primalValue`: Λ = −∇L(F), s ≤ upper bound of
 * vectorDualNorm, Λ_f = Λ·min(1, β/s), gap = primal − (−L*(−Λ_f)) ≥ 0.
 *
 * @param problem - the vector-output problem
 * @param F - the candidate's prediction, n × c
 * @param primalValue - the candidate's objective value (an upper bound on the optimum)
 * @param opts - tolerance and budget of the dual norm
 * @returns primal, dual and gap with bounds on s(Λ), Λ and Λ_f, dual feasibility, `exact`
 * @example
 * ```ts
 * import { enumeratePatterns, solveVectorByAtoms, vectorCertificateFromPrediction, vectorObjective, vectorProblem, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(x.flatMap((t) => [Math.abs(t), Math.max(t, 0)])) };
 * const problem = vectorProblem(X, Y, 0.05, "square", enumeratePatterns(X));
 * const net = solveVectorByAtoms(problem).network;
 * const F = vectorObjective(net, X, Y, problem.beta);
 * const cert = vectorCertificateFromPrediction(problem, F.prediction, F.objective);
 * console.log(cert.relativeGap, cert.dualFeasibility); // small, feasible
 * ```
 */
export function vectorCertificateFromPrediction(
  problem: VectorProblem, F: Matrix, primalValue: number, opts: VectorCertificateOptions = {},
): VectorCertificate {
  const { Y, beta, loss, X } = problem;
  const c = Y.cols;
  if (F.rows !== Y.rows || F.cols !== c) throw new RangeError(`vectorCertificate: prediction is ${F.rows}×${F.cols}, Y is ${Y.rows}×${c}`);
  const tol = opts.tol ?? CERTIFY_TOL;
  const grad = new Float64Array(F.data.length);
  vectorLossValue(loss, F.data, Y.data, c, grad);
  const Lambda: Matrix = { rows: Y.rows, cols: c, data: grad.map((v) => -v) };
  const norm = vectorDualNorm(X, problem.patterns, Lambda, {
    tol: opts.normTol ?? Math.min(1e-8, tol / 100), maxEvaluations: opts.maxEvaluations, coverMaxDim: opts.coverMaxDim, rankTol: opts.rankTol,
  });
  const s = norm.upper;
  const scale = s > beta ? beta / s : 1;
  const nf = Lambda.data.map((v) => v * scale);
  const dualValue = vectorLossDualValue(loss, nf, Y.data, c);
  const gap = primalValue - dualValue;
  const relativeGap = primalValue === 0 && gap === 0 ? 0 : gap / Math.max(Math.abs(primalValue), Number.MIN_VALUE);
  const dualFeasibility = s <= beta * (1 + tol) ? "feasible" : norm.lower > beta * (1 + tol) ? "infeasible" : "undecided";
  return {
    primalValue, dualValue, gap, relativeGap, s, sLower: norm.lower, scale, prediction: F, Lambda,
    LambdaFeasible: { rows: Y.rows, cols: c, data: nf }, norm, dualFeasibility,
    exact: problem.patterns.exact, patterns: problem.patterns.count, connectivityWidth: vectorConnectivityWidth(Y.rows, c),
  };
}
