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

/** Validated problem record (RangeError on inconsistent shapes or β ≤ 0). */
export function convexProblem(X: Matrix, y: Float64Array, beta: number, loss: ConvexLossName, patterns: PatternSet): ConvexProblem {
  if (y.length !== X.rows) throw new RangeError(`convexProblem: y has ${y.length} entries, X has ${X.rows} rows`);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`convexProblem: beta must be a positive finite number, got ${beta}`);
  if (patterns.n !== X.rows || patterns.d !== X.cols) {
    throw new RangeError(`convexProblem: patterns are for ${patterns.n}×${patterns.d} data, X is ${X.rows}×${X.cols}`);
  }
  return { X, y, beta, loss, patterns };
}

/** `[X, 1]`: X with a column of ones appended (a regularised bias). */
export function withBias(X: Matrix): Matrix {
  const { rows: n, cols: d } = X;
  const out = new Float64Array(n * (d + 1));
  for (let k = 0; k < n; k++) {
    out.set(X.data.subarray(k * d, (k + 1) * d), k * (d + 1));
    out[k * (d + 1) + d] = 1;
  }
  return { rows: n, cols: d + 1, data: out };
}
