// Shared test data of the convex family: 1-D inputs with a bias column and exact patterns.
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
