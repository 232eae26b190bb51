// Dual certificates for candidates of the ReLU program (docs/science/convex.md §2,
// certificate of global optimality [R]): ν = −∇L(ŷ); s = max_{i,±} ‖Π_{K_i}(±Xᵀ D_i ν)‖; ν_f = ν·min(1, β/s) is dual
// feasible; gap = primal − (−L*(−ν_f)) ≥ 0. A proof of global optimality only when the pattern
// set is exact; with sampled patterns it certifies the subsampled problem.
import { adjoint, blockNorms, coneViolation, convexLoss, type ConvexProblem, dualFromPrediction, forward, gapReport, type GapReport, groupNorm, patternMask, predict, projectOntoCone, reluOperator, spreadDual } from "../program/index.js";

/** Options of the certificates. */
export interface CertificateOptions {
  /**
   * ‖Π_K(g)‖ ≤ ‖g‖, so a pattern with ‖g‖ ≤ exactAbove·β needs no projection for the certificate
   * (its ‖g‖ is used as the bound). Default 1 − 1e-6 (every pattern that could be active is
   * projected exactly). 0 projects all.
   */
  readonly exactAbove?: number;
}

/** The certificate of a convex point. */
export interface ConvexCertificate extends GapReport {
  /** ŷ of the candidate. */
  readonly prediction: Float64Array;
  /** ν = −∇L(ŷ). */
  readonly nu: Float64Array;
  /** ν_f = scale·ν (dual feasible). */
  readonly nuFeasible: Float64Array;
  /** Per pattern i: ‖Π_{K_i}(Xᵀ D_i ν)‖ (exact where computed, else the upper bound ‖Xᵀ D_i ν‖). */
  readonly sPlus: Float64Array;
  /** Per pattern i: ‖Π_{K_i}(−Xᵀ D_i ν)‖ (same convention). */
  readonly sMinus: Float64Array;
  /** Number of cone projections computed exactly (the others are bounds ≤ exactAbove·β). */
  readonly projections: number;
  /** True when the pattern set is exact: then gap ≤ tol proves global optimality. */
  readonly exact: boolean;
  /** Number of patterns P the maximum ran over. */
  readonly patterns: number;
  /** Max relative cone violation of the candidate, (−(2D−I)x_kᵀw)_+/(‖x_k‖‖w‖); 0 if feasible. */
  readonly infeasibility: number;
}

/**
 * The per-pattern dual constraint values ‖Π_{K_i}(±Xᵀ D_i ν)‖ for all patterns of the problem
 * (one adjoint GEMM for the g_i, then `projectOntoCone` where ‖g_i‖ > exactAbove·β).
 *
 * @param problem - the convex problem
 * @param nu - a dual vector ν, length n (e.g. `dualFromPrediction`)
 * @param opts - `exactAbove`: project exactly only where the bound ‖Xᵀ D_i ν‖ exceeds exactAbove·β
 * @returns per pattern the values for +ν and −ν, and the number of exact projections
 * @example
 * ```ts
 * import { coneDualNorms, convexLoss, convexProblem, dualFromPrediction, enumeratePatterns, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const nu = dualFromPrediction(convexLoss("square"), sol.prediction, problem.y);
 * const { sPlus, sMinus } = coneDualNorms(problem, nu);
 * console.log(Math.max(...sPlus, ...sMinus) / problem.beta); // ≤ 1 up to the gap: ν is dual feasible
 * ```
 */
export function coneDualNorms(
  problem: ConvexProblem, nu: Float64Array, opts: CertificateOptions = {},
): { sPlus: Float64Array; sMinus: Float64Array; projections: number } {
  const op = reluOperator(problem.X, problem.patterns);
  const { n, d, blocks: B } = op;
  const P = problem.patterns.count;
  const R = new Float64Array(n * B);
  spreadDual(op, nu, R);
  const G = new Float64Array(B * d);
  adjoint(op, R, G);
  const norms = blockNorms(G, B, d);
  const threshold = (opts.exactAbove ?? 1 - 1e-6) * problem.beta;
  const sPlus = new Float64Array(P);
  const sMinus = new Float64Array(P);
  let projections = 0;
  for (let b = 0; b < B; b++) {
    let v = norms[b];
    if (v > threshold && v > 0) {
      const g = G.slice(b * d, (b + 1) * d);
      v = projectOntoCone(problem.X.data, n, d, patternMask(problem.patterns, op.pattern[b]), g).norm;
      projections++;
    }
    if (b < P) sPlus[b] = v;
    else sMinus[b - P] = v;
  }
  return { sPlus, sMinus, projections };
}

/**
 * Certificate from a prediction ŷ and the candidate's primal objective value (for a network,
 * its nonconvex objective; for a convex point, L(ŷ) + β Σ‖·‖).
 *
 * @param problem - the convex problem
 * @param yhat - the candidate's prediction ŷ, length n
 * @param primalValue - the candidate's objective value (an upper bound on the optimum)
 * @param infeasibility - the candidate's relative cone violation, recorded in the certificate (default 0)
 * @param opts - `exactAbove` (see `coneDualNorms`)
 * @returns the certificate: primal, dual lower bound, gap, ν, ν_f, per-pattern dual values, `exact`
 * @example
 * ```ts
 * import { certificateFromPrediction, convexProblem, enumeratePatterns, nonconvexObjective, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const absNet = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 1), m: 2, D: 2 };
 * const F = nonconvexObjective(absNet, problem.X, problem.y, problem.beta, "square");
 * const cert = certificateFromPrediction(problem, F.prediction, F.objective);
 * console.log(cert.dualValue, "≤ optimum ≤", cert.primalValue);
 * ```
 */
export function certificateFromPrediction(
  problem: ConvexProblem, yhat: Float64Array, primalValue: number, infeasibility = 0, opts: CertificateOptions = {},
): ConvexCertificate {
  const loss = convexLoss(problem.loss);
  const nu = dualFromPrediction(loss, yhat, problem.y);
  const { sPlus, sMinus, projections } = coneDualNorms(problem, nu, opts);
  let s = 0;
  for (let i = 0; i < sPlus.length; i++) s = Math.max(s, sPlus[i], sMinus[i]);
  const nuFeasible = new Float64Array(nu.length);
  const rep = gapReport(loss, problem.y, problem.beta, primalValue, nu, s, nuFeasible);
  return {
    ...rep, prediction: yhat, nu, nuFeasible, sPlus, sMinus, projections,
    exact: problem.patterns.exact, patterns: problem.patterns.count, infeasibility,
  };
}

/**
 * Certificate of a convex point (U, V: P×d blocks over problem.patterns): ŷ = Σ D_i X(u_i − v_i),
 * primal = L(ŷ) + β Σ(‖u_i‖ + ‖v_i‖), its cone violation, and the dual certificate.
 *
 * @param problem - the convex problem
 * @param point - blocks U and V, each P × d row-major over `problem.patterns` (a solver's result)
 * @param opts - `exactAbove` (see `coneDualNorms`)
 * @returns the certificate; with exact patterns a relative gap ≤ tol proves global optimality
 * @example
 * ```ts
 * import { convexProblem, dualCertificate, enumeratePatterns, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const cert = dualCertificate(problem, sol);
 * console.log(cert.exact, cert.relativeGap, cert.infeasibility); // true, below 1e-10, 0
 * ```
 */
export function dualCertificate(problem: ConvexProblem, point: { U: Float64Array; V: Float64Array }, opts: CertificateOptions = {}): ConvexCertificate {
  const op = reluOperator(problem.X, problem.patterns);
  const { n, d, blocks: B } = op;
  const P = problem.patterns.count;
  if (point.U.length !== P * d || point.V.length !== P * d) {
    throw new RangeError(`dualCertificate: U and V must be ${P}×${d}`);
  }
  const W = new Float64Array(B * d);
  W.set(point.U, 0);
  W.set(point.V, P * d);
  const Z = new Float64Array(n * B);
  forward(op, W, Z);
  const yhat = new Float64Array(n);
  predict(op, Z, yhat);
  const loss = convexLoss(problem.loss);
  const primal = loss.value(yhat, problem.y) + problem.beta * groupNorm(W, B, d);
  const infeas = coneViolation(op, W, Z);
  return certificateFromPrediction(problem, yhat, primal, infeas, opts);
}
