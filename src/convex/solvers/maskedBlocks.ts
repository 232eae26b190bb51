// The gated ReLU map in prediction space, for a subset of the patterns (a working set):
//   ŷ = Σ_b D_b X w_b,  i.e.  ŷ_k = ⟨x_k, u_k⟩ with U = Mᵀ W  (n×d),
//   its adjoint  g_b = Xᵀ D_b r,  i.e.  G = M (diag(r) X)  (B×d),
// with M the B×n 0/1 mask matrix (row b = diag(D_b)). Both are one GEMM with the constant M and
// only O(n·d + B·d) element-wise work, where the block-major form Z = W Xᵀ of
// program/operator.ts (which the cone constraints of the ReLU program need) touches B×n entries
// several times per FISTA step. Row b of M is pattern `index[b]` of the full problem.
import { type Matrix } from "../../linalg/index.js";
import { gemmRaw } from "../../linalg/gemm.js";
import type { PatternSet } from "../program/index.js";

/** A set of B gated blocks of one data matrix. */
export interface MaskedBlocks {
  readonly n: number;
  readonly d: number;
  /** Number of blocks B. */
  readonly count: number;
  /** X, n×d row-major (shared, not copied). */
  readonly X: Float64Array;
  /** B×n row-major 0/1: masks[b·n + k] = (D_b)_kk. */
  readonly masks: Float64Array;
  /** The pattern (row of the full problem's PatternSet) of each block. */
  readonly index: Int32Array;
}

/** All P patterns of `patterns` as blocks, in order. */
export function maskedBlocks(X: Matrix, patterns: PatternSet): MaskedBlocks {
  const { rows: n, cols: d } = X;
  if (patterns.n !== n || patterns.d !== d) {
    throw new RangeError(`maskedBlocks: patterns are for ${patterns.n}×${patterns.d} data, X is ${n}×${d}`);
  }
  const masks = new Float64Array(patterns.masks.length);
  const src = patterns.masks;
  for (let i = 0; i < src.length; i++) masks[i] = src[i];
  const index = new Int32Array(patterns.count);
  for (let i = 0; i < index.length; i++) index[i] = i;
  return { n, d, count: patterns.count, X: X.data, masks, index };
}

/** The blocks `rows` (positions in `op`, any order) of `op`, their masks copied. */
export function restrictBlocks(op: MaskedBlocks, rows: ArrayLike<number>): MaskedBlocks {
  const { n } = op;
  const masks = new Float64Array(rows.length * n);
  const index = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const b = rows[i];
    masks.set(op.masks.subarray(b * n, (b + 1) * n), i * n);
    index[i] = op.index[b];
  }
  return { n, d: op.d, count: rows.length, X: op.X, masks, index };
}

/** ŷ ← Σ_b D_b X w_b for W (B×d); `U` (n×d) is scratch. One GEMM (n×B·B×d). */
export function predictMasked(op: MaskedBlocks, W: Float64Array, U: Float64Array, yhat: Float64Array): void {
  const { n, d, count: B, X } = op;
  gemmRaw(true, false, n, d, B, 1, op.masks, 0, n, W, 0, d, 0, U, 0, d);
  for (let k = 0; k < n; k++) {
    const o = k * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += X[o + j] * U[o + j];
    yhat[k] = s;
  }
}

/** G ← (Xᵀ D_b r)_b (B×d) for r ∈ ℝⁿ; `RX` (n×d) is scratch. One GEMM (B×n·n×d). */
export function adjointMasked(op: MaskedBlocks, r: Float64Array, RX: Float64Array, G: Float64Array): void {
  const { n, d, count: B, X } = op;
  for (let k = 0; k < n; k++) {
    const o = k * d;
    const rk = r[k];
    for (let j = 0; j < d; j++) RX[o + j] = rk * X[o + j];
  }
  gemmRaw(false, false, B, d, n, 1, op.masks, 0, n, RX, 0, d, 0, G, 0, d);
}
