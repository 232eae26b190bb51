// Shared test data of the convex family: 1-D inputs with a bias column and exact patterns.
import { Matrix as MlMatrix, SVD, pseudoInverse } from "ml-matrix";
import { expect } from "vitest";
import {
  convexProblem, enumeratePatterns, optimalSet, solveRelu, withBias, type ConvexProblem, type OptimalSet, type ReluNetwork, type ReluSolution,
} from "../../src/convex/index.js";
import type { Matrix } from "../../src/linalg/index.js";

/** 1-D inputs x as the n×2 matrix [x, 1] (a regularised bias column). */
export function lineData(xs: readonly number[]): Matrix {
  return withBias({ rows: xs.length, cols: 1, data: Float64Array.from(xs) });
}

/** ‖θ‖² = Σ_j (‖w_j‖² + α_j²) of a scalar-output ReLU network. */
export function networkSquaredNorm(net: ReluNetwork): number {
  let s = 0;
  for (let j = 0; j < net.m; j++) {
    s += net.alpha[j] ** 2;
    for (let t = 0; t < net.D; t++) s += net.W[j * net.D + t] ** 2;
  }
  return s;
}

/** The squared-loss problem on 1-D data x with a regularised bias, all 2n patterns enumerated. */
export function oneDimensionalProblem(xs: readonly number[], ys: readonly number[], beta: number): ConvexProblem {
  const X = lineData(xs);
  return convexProblem(X, Float64Array.from(ys), beta, "square", enumeratePatterns(X));
}

/** The 1-D check setting of docs/science/convex.md §5.2: n = 6, 1-D + bias, β = 0.02. */
export function sixPointProblem(): ConvexProblem {
  return oneDimensionalProblem([-1, -0.6, -0.2, 0.3, 0.7, 1.0], [0.2, -0.5, 0.4, 0.9, -0.3, 0.6], 0.02);
}

/** n = 8, 1-D + bias, β = 0.02. */
export function eightPointProblem(): ConvexProblem {
  return oneDimensionalProblem([-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1.0], [0.5, -0.2, 0.3, -0.4, 0.6, 0.1, -0.5, 0.4], 0.02);
}

/**
 * Solve to relative gap 1e-12 (asserting < 1e-10: the optimal set needs an accurate ν*,
 * docs/science/convex.md §10.3) and compute the optimal set at the solution's ŷ.
 */
export function certifiedOptimalSet(pr: ConvexProblem): { sol: ReluSolution; os: OptimalSet } {
  const sol = solveRelu(pr, { tol: 1e-12, maxIterations: 200000 });
  expect(sol.relativeGap).toBeLessThan(1e-10);
  return { sol, os: optimalSet(pr, sol.prediction) };
}

/** ½‖f − y‖² + (β/2)Σ(‖w‖² + α²) by plain loops (independent of src/convex/network/network.ts). */
export function naiveObjective(net: ReluNetwork, pr: ConvexProblem): number {
  const { rows: n, cols: D, data } = pr.X;
  let loss = 0;
  for (let k = 0; k < n; k++) {
    let f = 0;
    for (let j = 0; j < net.m; j++) {
      let z = 0;
      for (let q = 0; q < D; q++) z += data[k * D + q] * net.W[j * D + q];
      f += net.alpha[j] * Math.max(0, z);
    }
    loss += (f - pr.y[k]) ** 2;
  }
  let pen = 0;
  for (const v of net.W) pen += v * v;
  for (const v of net.alpha) pen += v * v;
  return 0.5 * loss + 0.5 * pr.beta * pen;
}

/**
 * Vertices of {c ≥ 0 : F c = t} by trying every support with ml-matrix (rank by SVD, least
 * squares by pseudo-inverse), as sorted support strings "k1,k2,…"; a support is a vertex when its
 * residual is ≤ residualTol·‖t‖ and every weight is positive.
 */
export function bruteVertices(fits: Float64Array[], t: Float64Array, residualTol = 1e-9): string[] {
  const K = fits.length;
  const n = t.length;
  const tn = Math.hypot(...t);
  const found: string[] = [];
  for (let mask = 1; mask < 1 << K; mask++) {
    const S = [...Array(K).keys()].filter((k) => (mask >> k) & 1);
    if (S.length > n) continue;
    const F = new MlMatrix(n, S.length);
    S.forEach((k, j) => { for (let r = 0; r < n; r++) F.set(r, j, fits[k][r]); });
    const sv = new SVD(F, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
    if (Math.min(...sv) <= 1e-8 * Math.max(...sv)) continue;
    const c = pseudoInverse(F).mmul(MlMatrix.columnVector(Array.from(t))).getColumn(0);
    const r = F.mmul(MlMatrix.columnVector(c)).getColumn(0).map((v, i) => v - t[i]);
    if (Math.hypot(...r) <= residualTol * tn && c.every((v) => v > 1e-10 * c.reduce((a, b) => a + b, 0))) found.push(S.join(","));
  }
  return found.sort();
}
