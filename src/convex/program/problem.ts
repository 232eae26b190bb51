// The problem record of the convex reformulation (docs/science/convex.md §1.3):
//   (C)  min_{u_i, v_i ∈ K_i}  L(Σ_i D_i X (u_i − v_i), y) + β Σ_i (‖u_i‖ + ‖v_i‖),
// K_i = {w : (2D_i − I) X w ≥ 0}; the gated ReLU relaxation drops the cones and keeps one block
// w_i per pattern: min L(Σ_i D_i X w_i, y) + β Σ_i ‖w_i‖.
import type { Matrix } from "../../linalg/index.js";
import type { ConvexLossName } from "./loss.js";
import type { PatternSet } from "./patterns.js";

export interface ConvexProblem {
  /** n×d data; a bias is a column of ones (see `withBias`), then it is regularised. */
  readonly X: Matrix;
  /** n targets (labels ±1 for the logistic loss). */
  readonly y: Float64Array;
  /** Weight decay β > 0 in the sum convention (scnn's λ = β/n). */
  readonly beta: number;
  readonly loss: ConvexLossName;
  readonly patterns: PatternSet;
}

/**
 * Validated problem record (RangeError on inconsistent shapes or β ≤ 0).
 *
 * @param X - the data, n × d (append a ones column with `withBias` for a bias)
 * @param y - the n targets
 * @param beta - the weight-decay β > 0
 * @param loss - "square" or "logistic"
 * @param patterns - the activation patterns (`enumeratePatterns`, or sampled)
 * @returns the problem record the solvers take
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, withBias } from "splitscape";
 * const x = [-1, -0.35, 0.2, 1];
 * const X = withBias({ rows: 4, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t)), 0.05, "square", enumeratePatterns(X));
 * console.log(problem.patterns.count);
 * ```
 */
export function convexProblem(X: Matrix, y: Float64Array, beta: number, loss: ConvexLossName, patterns: PatternSet): ConvexProblem {
  if (y.length !== X.rows) throw new RangeError(`convexProblem: y has ${y.length} entries, X has ${X.rows} rows`);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`convexProblem: beta must be a positive finite number, got ${beta}`);
  if (patterns.n !== X.rows || patterns.d !== X.cols) {
    throw new RangeError(`convexProblem: patterns are for ${patterns.n}×${patterns.d} data, X is ${X.rows}×${X.cols}`);
  }
  return { X, y, beta, loss, patterns };
}

/**
 * `[X, 1]`: X with a column of ones appended (a regularised bias).
 *
 * @param X - n × d
 * @returns n × (d + 1), the last column all ones
 * @example
 * ```ts
 * import { withBias } from "splitscape";
 * const X = withBias({ rows: 2, cols: 1, data: Float64Array.from([0.5, -1]) });
 * console.log(Array.from(X.data)); // [0.5, 1, -1, 1]
 * ```
 */
export function withBias(X: Matrix): Matrix {
  const { rows: n, cols: d } = X;
  const out = new Float64Array(n * (d + 1));
  for (let k = 0; k < n; k++) {
    out.set(X.data.subarray(k * d, (k + 1) * d), k * (d + 1));
    out[k * (d + 1) + d] = 1;
  }
  return { rows: n, cols: d + 1, data: out };
}
