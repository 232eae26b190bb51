// The block-linear map of the convex programs, ŷ = Σ_b s_b D_{p(b)} X w_b, evaluated with GEMMs
// on our wasm kernel in a block-major layout: Z = W Xᵀ (B×n, row b = (X w_b)ᵀ, contiguous per
// block), ŷ = Σ_b SM_b ⊙ Z_b with the signed masks SM_bk = s_b (D_{p(b)})_kk; the adjoint of a
// B×n matrix R is G = R X (B×d). The cone values of the ReLU program, ((2D_{p(b)} − I) X w_b)_k,
// are CS_bk Z_bk with CS = 2D − 1: the same Z serves the prediction and the constraints.
// (Block-major Z: both GEMMs measured ~1.5× faster than the n×B layout at n = 1000, B = 500,
// d = 50, and every per-block pass is contiguous.)
import { type Matrix, nrm2 } from "../../linalg/index.js";
import { gemmRaw } from "../../linalg/gemm.js";
import type { PatternSet } from "./patterns.js";

/** Blocks b = 0..B−1, each a vector w_b ∈ ℝᵈ, block b uses pattern `pattern[b]` with sign `sign[b]`. */
export interface BlockOperator {
  readonly n: number;
  readonly d: number;
  /** Number of blocks B. */
  readonly blocks: number;
  /** X, n×d row-major. */
  readonly X: Float64Array;
  /** ‖x_k‖ for every row. */
  readonly rowNorm: Float64Array;
  /** B×n: s_b·(D_{p(b)})_kk. */
  readonly signedMask: Float64Array;
  /** B×n: 2(D_{p(b)})_kk − 1, the signs of the cone constraints (ReLU); null for gated ReLU. */
  readonly coneSign: Float64Array | null;
  readonly pattern: Int32Array;
  readonly sign: Int8Array;
}

/**
 * The ReLU program's operator over patterns D_1..D_P: blocks 0..P−1 are u_i (sign +1), blocks
 * P..2P−1 are v_i (sign −1), both constrained to K_i = {w : (2D_i − I) X w ≥ 0}.
 */
export function reluOperator(X: Matrix, patterns: PatternSet): BlockOperator {
  return buildOperator(X, patterns, true);
}

/** The gated ReLU program's operator: one unconstrained block w_i per pattern, sign +1. */
export function gatedOperator(X: Matrix, patterns: PatternSet): BlockOperator {
  return buildOperator(X, patterns, false);
}

function buildOperator(X: Matrix, patterns: PatternSet, relu: boolean): BlockOperator {
  const n = X.rows;
  const d = X.cols;
  if (patterns.n !== n || patterns.d !== d) {
    throw new RangeError(`operator: patterns are for ${patterns.n}×${patterns.d} data, X is ${n}×${d}`);
  }
  const P = patterns.count;
  const B = relu ? 2 * P : P;
  const pattern = new Int32Array(B);
  const sign = new Int8Array(B);
  for (let b = 0; b < B; b++) {
    pattern[b] = b % P;
    sign[b] = b < P ? 1 : -1;
  }
  const SM = new Float64Array(B * n);
  const CS = relu ? new Float64Array(B * n) : null;
  const masks = patterns.masks;
  for (let b = 0; b < B; b++) {
    const m0 = pattern[b] * n;
    const s = sign[b];
    for (let k = 0; k < n; k++) {
      const m = masks[m0 + k];
      SM[b * n + k] = s * m;
      if (CS !== null) CS[b * n + k] = 2 * m - 1;
    }
  }
  const rowNorm = new Float64Array(n);
  for (let k = 0; k < n; k++) rowNorm[k] = nrm2(X.data.subarray(k * d, (k + 1) * d));
  return { n, d, blocks: B, X: X.data, rowNorm, signedMask: SM, coneSign: CS, pattern, sign };
}

/** Z ← W Xᵀ (B×n), W is B×d row-major: row b of Z is (X w_b)ᵀ. */
export function forward(op: BlockOperator, W: Float64Array, Z: Float64Array): void {
  gemmRaw(false, true, op.blocks, op.n, op.d, 1, W, 0, op.d, op.X, 0, op.d, 0, Z, 0, op.n);
}

/** G ← R X (B×d), R is B×n row-major: row b of G is Xᵀ r_b. */
export function adjoint(op: BlockOperator, R: Float64Array, G: Float64Array): void {
  gemmRaw(false, false, op.blocks, op.d, op.n, 1, R, 0, op.n, op.X, 0, op.d, 0, G, 0, op.d);
}

/** ŷ = Σ_b SM_b ⊙ Z_b. */
export function predict(op: BlockOperator, Z: Float64Array, yhat: Float64Array): void {
  const { n, blocks: B, signedMask: SM } = op;
  yhat.fill(0);
  for (let b = 0; b < B; b++) {
    const o = b * n;
    for (let k = 0; k < n; k++) yhat[k] += SM[o + k] * Z[o + k];
  }
}

/** ŷ = Σ_b s_b D_{p(b)} X w_b for a block matrix W (allocates; not for inner loops). */
export function predictFromBlocks(op: BlockOperator, W: Float64Array): Float64Array {
  const Z = new Float64Array(op.blocks * op.n);
  forward(op, W, Z);
  const yhat = new Float64Array(op.n);
  predict(op, Z, yhat);
  return yhat;
}

/** R_b = SM_b ⊙ ν (the adjoint input of the dual vector ν: G_b = s_b Xᵀ D_{p(b)} ν). */
export function spreadDual(op: BlockOperator, nu: Float64Array, R: Float64Array): void {
  const { n, blocks: B, signedMask: SM } = op;
  for (let b = 0; b < B; b++) {
    const o = b * n;
    for (let k = 0; k < n; k++) R[o + k] = SM[o + k] * nu[k];
  }
}

/** ‖w_b‖ for every block of a B×d matrix. */
export function blockNorms(W: Float64Array, B: number, d: number, out: Float64Array = new Float64Array(B)): Float64Array {
  for (let b = 0; b < B; b++) out[b] = nrm2(W.subarray(b * d, (b + 1) * d));
  return out;
}

/** Σ_b ‖w_b‖ (the group-lasso penalty without β). */
export function groupNorm(W: Float64Array, B: number, d: number): number {
  let t = 0;
  for (let b = 0; b < B; b++) t += nrm2(W.subarray(b * d, (b + 1) * d));
  return t;
}

/**
 * Max relative cone violation of the blocks of W (B×d, Z = W Xᵀ): max over nonzero blocks b and
 * rows k of (−CS_bk Z_bk)_+ / (‖x_k‖·‖w_b‖); 0 for gated operators.
 */
export function coneViolation(op: BlockOperator, W: Float64Array, Z: Float64Array): number {
  const CS = op.coneSign;
  if (CS === null) return 0;
  const { n, d, blocks: B, rowNorm } = op;
  const wn = blockNorms(W, B, d);
  let v = 0;
  for (let b = 0; b < B; b++) {
    if (wn[b] === 0) continue;
    const o = b * n;
    for (let k = 0; k < n; k++) {
      const c = CS[o + k] * Z[o + k];
      if (c < 0 && rowNorm[k] > 0) v = Math.max(v, -c / (rowNorm[k] * wn[b]));
    }
  }
  return v;
}

/**
 * The fields of a ReLU-program point shared by the solvers' results: U and V (the first and last
 * P blocks of W), the number of nonzero blocks, and the relative cone violation (coneViolation).
 */
export function reluPointFields(op: BlockOperator, W: Float64Array, Z: Float64Array): {
  U: Float64Array; V: Float64Array; activeNeurons: number; infeasibility: number;
} {
  const { d, blocks: B } = op;
  const P = B / 2;
  const norms = blockNorms(W, B, d);
  let active = 0;
  for (let b = 0; b < B; b++) if (norms[b] > 0) active++;
  return { U: W.slice(0, P * d), V: W.slice(P * d, B * d), activeNeurons: active, infeasibility: coneViolation(op, W, Z) };
}
