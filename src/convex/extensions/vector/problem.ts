// The vector-output problem (docs/science/convex.md §8.1):
//   (NC_c)  min_θ L(F, Y) + (β/2) Σ_j (‖w_j‖² + ‖α_j‖²),  F = f_θ(X) = Σ_j (X w_j)_+ α_jᵀ ∈ ℝ^{n×c},
// its data, targets, weight decay, loss and patterns, validated once.
import type { Matrix } from "../../../linalg/index.js";
import type { PatternSet } from "../../program/index.js";
import { VECTOR_LOSSES, type VectorLossName } from "./losses.js";

/** Data, targets, weight decay, loss and patterns of the vector-output problem. */
export interface VectorProblem {
  /** n×D data in the convex program's input space (a bias is a column of ones, see withBias). */
  readonly X: Matrix;
  /** n×c targets (for "softmax": rows in the probability simplex). */
  readonly Y: Matrix;
  readonly beta: number;
  readonly loss: VectorLossName;
  readonly patterns: PatternSet;
}

/**
 * Validated problem record: RangeError on inconsistent shapes, β ≤ 0, non-finite data or bad labels.
 *
 * @param X - the data in X̃-space, n × D (`withBias` for a bias)
 * @param Y - the targets, n × c (softmax: rows in the probability simplex)
 * @param beta - the weight decay β > 0
 * @param loss - "square" or "softmax"
 * @param patterns - the activation patterns of X
 * @returns the validated problem record
 * @example
 * ```ts
 * import { enumeratePatterns, vectorProblem, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(x.flatMap((t) => [Math.abs(t), Math.max(t, 0)])) };
 * const problem = vectorProblem(X, Y, 0.05, "square", enumeratePatterns(X));
 * console.log(problem.Y.cols, problem.patterns.count); // 2 10
 * ```
 */
export function vectorProblem(X: Matrix, Y: Matrix, beta: number, loss: VectorLossName, patterns: PatternSet): VectorProblem {
  checkVectorData("vectorProblem", X, Y, loss);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`vectorProblem: beta must be a positive finite number, got ${beta}`);
  if (patterns.n !== X.rows || patterns.d !== X.cols) {
    throw new RangeError(`vectorProblem: patterns are for ${patterns.n}×${patterns.d} data, X is ${X.rows}×${X.cols}`);
  }
  return { X, Y, beta, loss, patterns };
}

/** RangeError (prefixed by `where`) unless X and Y are finite, of matching rows, and Y fits the loss. */
export function checkVectorData(where: string, X: Matrix, Y: Matrix, loss: VectorLossName): void {
  if (!(VECTOR_LOSSES as readonly string[]).includes(loss)) throw new RangeError(`${where}: unknown loss ${JSON.stringify(loss)}`);
  if (Y.rows !== X.rows) throw new RangeError(`${where}: Y has ${Y.rows} rows, X has ${X.rows}`);
  if (Y.cols < 1) throw new RangeError(`${where}: Y needs at least one column`);
  if (!X.data.every(Number.isFinite) || !Y.data.every(Number.isFinite)) throw new RangeError(`${where}: X and Y must be finite`);
  if (loss === "softmax") checkSimplexRows(where, Y);
}

/** Softmax targets: c ≥ 2 and every row in the probability simplex (entries ≥ 0, sum 1 to 1e-12). */
function checkSimplexRows(where: string, Y: Matrix): void {
  if (Y.cols < 2) throw new RangeError(`${where}: the softmax loss needs c ≥ 2 outputs`);
  for (let k = 0; k < Y.rows; k++) {
    let s = 0;
    for (let o = 0; o < Y.cols; o++) {
      const v = Y.data[k * Y.cols + o];
      if (v < 0) throw new RangeError(`${where}: softmax targets must be ≥ 0, row ${k} has ${v}`);
      s += v;
    }
    if (Math.abs(s - 1) > 1e-12) throw new RangeError(`${where}: softmax target rows must sum to 1, row ${k} sums to ${s}`);
  }
}
