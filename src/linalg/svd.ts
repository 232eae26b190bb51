import type { Matrix } from "./matrix.js";
import { nrm2 } from "./blas.js";
import { gemmRaw } from "./gemm.js";
import { eigh } from "./eigh.js";

const EPS = 2.220446049250313e-16;
const MAX_SWEEPS = 60;
/**
 * Columns of the scaled matrix (max|a| ∈ [1, 2)) with ‖b‖ < 2⁻⁵⁰⁰ are set to zero: their squared
 * norms would underflow and hide them from the pair test. Dropping them perturbs A by less than
 * 2⁻⁵⁰⁰·‖A‖ (backward stable); their σ become exact zeros with completed singular vectors.
 */
const TINY_SQUARED = 2 ** -1000;
/** Below this many vectors the Gram-matrix preconditioning does not pay for itself. */
const PRECONDITION_MIN = 12;

/** Options of `svd`. */
export interface SvdOptions {
  /** 'thin' (default): U (m×r) and V (n×r), r = min(m, n); 'none': singular values only. */
  vectors?: "none" | "thin";
}

/** Result of `svd`: A = U diag(σ) Vᵀ. */
export interface SvdResult {
  /** Singular values σ_0 ≥ σ_1 ≥ … ≥ σ_{r−1} ≥ 0, r = min(m, n). */
  readonly values: Float64Array;
  /** m×r, orthonormal columns (null for vectors: 'none'). */
  readonly U: Matrix | null;
  /** n×r, orthonormal columns (null for vectors: 'none'). */
  readonly V: Matrix | null;
  /** Jacobi sweeps performed (the last one found every pair orthogonal). */
  readonly sweeps: number;
  /** Pair tolerance used: columns p, q count as orthogonal when |b_pᵀb_q| ≤ tol·‖b_p‖‖b_q‖. */
  readonly tolerance: number;
  /** False only if MAX_SWEEPS sweeps did not reach `tolerance` (never observed). */
  readonly converged: boolean;
}

/**
 * Singular value decomposition A = U Σ Vᵀ of an m×n matrix (thin: r = min(m, n) columns) by
 * one-sided Jacobi (Hestenes 1958; Demmel & Veselić 1992; Drmač & Veselić 2008, LAPACK dgesvj):
 * the r columns of B = A (or of Aᵀ when m < n) are rotated in pairs until every pair is
 * orthogonal to `tolerance` = √len·ε relative to the pair's norms; then σ_i = ‖b_i‖,
 * u_i = b_i/σ_i, and the accumulated rotations give V. Because orthogonality is relative,
 * the small singular values are determined to high relative accuracy whenever A = B·D with
 * B well conditioned, and U is orthonormal to O(√m·ε) even for σ_i near zero; exact zeros
 * get an orthonormal completion. Backward stable in every case.
 *
 * Speed: B is first preconditioned by the eigenvectors W of the Gram matrix BᵀB (B ← BW;
 * gemm + eigh), which leaves it orthogonal up to O(ε‖A‖²/(σ_pσ_q)), so few sweeps remain.
 * Each sweep screens all pairs with one Gram matrix from gemm and rotates only pairs that
 * fail; pairs touching a column rotated earlier in the sweep are re-checked exactly.
 */
export function svd(A: Matrix, options: SvdOptions = {}): SvdResult {
  const wantVectors = (options.vectors ?? "thin") === "thin";
  const { rows: m, cols: n, data } = A;
  if (data.length !== m * n) throw new RangeError(`svd: data length ${data.length} ≠ ${m}×${n}`);
  let amax = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isFinite(x)) throw new RangeError(`svd: non-finite entry at (${Math.floor(i / n)}, ${i % n})`);
    amax = Math.max(amax, Math.abs(x));
  }
  const tall = m >= n;
  const r = Math.min(m, n);
  const len = Math.max(m, n);
  const tolerance = Math.sqrt(Math.max(len, 1)) * EPS;
  if (r === 0 || amax === 0) return zeroResult(m, n, r, wantVectors, tolerance);
  // Exact power-of-two scaling to max|a| ∈ [1, 2): squared norms cannot overflow.
  const e = Math.floor(Math.log2(amax));
  const h1 = 2 ** Math.trunc(-e / 2);
  const h2 = 2 ** (-e - Math.trunc(-e / 2));
  // bt: r×len, row i = column i of the tall matrix (Aᵀ when m ≥ n, A itself when m < n).
  const bt = new Float64Array(r * len);
  if (tall) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) bt[j * m + i] = data[i * n + j] * h1 * h2;
  } else {
    for (let i = 0; i < m * n; i++) bt[i] = data[i] * h1 * h2;
  }
  // wt: r×r, row i = the i-th right (short-side) vector being accumulated.
  let wt: Float64Array | null = null;
  if (r >= PRECONDITION_MIN) {
    wt = precondition(bt, r, len);
  } else if (wantVectors) {
    wt = new Float64Array(r * r);
    for (let i = 0; i < r; i++) wt[i * r + i] = 1;
  }
  const { sweeps, converged } = jacobiSweeps(bt, r, len, wantVectors ? wt : null, tolerance);
  // σ_i = ‖b_i‖, sorted descending.
  const sigma = new Float64Array(r);
  for (let i = 0; i < r; i++) sigma[i] = nrm2(bt.subarray(i * len, (i + 1) * len));
  const order = Array.from({ length: r }, (_, i) => i).sort((p, q) => sigma[q] - sigma[p]);
  const values = new Float64Array(r);
  const scale = 2 ** e;
  for (let i = 0; i < r; i++) values[i] = sigma[order[i]] * scale;
  if (!wantVectors) return { values, U: null, V: null, sweeps, tolerance, converged };
  // Long side: normalised b_i (completed where σ_i = 0); short side: rows of wt.
  const long = new Float64Array(len * r);
  const short = new Float64Array(r * r);
  const zero: number[] = [];
  for (let k = 0; k < r; k++) {
    const i = order[k];
    const s = sigma[i];
    if (s === 0) zero.push(k);
    else for (let t = 0; t < len; t++) long[t * r + k] = bt[i * len + t] / s;
    for (let t = 0; t < r; t++) short[t * r + k] = wt![i * r + t];
  }
  if (zero.length > 0) completeOrthonormal(long, len, r, zero);
  const L: Matrix = { rows: len, cols: r, data: long };
  const S: Matrix = { rows: r, cols: r, data: short };
  return tall
    ? { values, U: L, V: S, sweeps, tolerance, converged }
    : { values, U: S, V: L, sweeps, tolerance, converged };
}

/** Singular values of A, descending (`svd(A, { vectors: 'none' }).values`). */
export function singularValues(A: Matrix): Float64Array {
  return svd(A, { vectors: "none" }).values;
}

/**
 * Numerical rank: the number of singular values above `tol`, by default
 * σ_max · max(m, n) · ε (the convention of NumPy's matrix_rank and MATLAB's rank).
 */
export function rank(A: Matrix, tol?: number): number {
  const s = singularValues(A);
  if (s.length === 0) return 0;
  const t = tol ?? s[0] * Math.max(A.rows, A.cols) * EPS;
  let k = 0;
  while (k < s.length && s[k] > t) k++;
  return k;
}

/**
 * B ← Wᵀ-rotated rows with W the eigenvectors of the Gram matrix G = Bt Btᵀ ordered by
 * descending eigenvalue; returns Wt = Wᵀ (r×r), the short-side vectors so far.
 */
function precondition(bt: Float64Array, r: number, len: number): Float64Array {
  const g = new Float64Array(r * r);
  gemmRaw(false, true, r, r, len, 1, bt, 0, len, bt, 0, len, 0, g, 0, r);
  const { vectors } = eigh({ rows: r, cols: r, data: g }, { symmetryTol: Infinity });
  const w = vectors!.data;
  // Wt row i = eigenvector of the i-th largest eigenvalue (column r−1−i of W).
  const wt = new Float64Array(r * r);
  for (let i = 0; i < r; i++) for (let t = 0; t < r; t++) wt[i * r + t] = w[t * r + (r - 1 - i)];
  const rotated = new Float64Array(r * len);
  gemmRaw(false, false, r, len, r, 1, wt, 0, r, bt, 0, len, 0, rotated, 0, len);
  bt.set(rotated);
  return wt;
}

/**
 * Cyclic one-sided Jacobi on the rows of bt (r×len) until a sweep rotates nothing. Each sweep
 * starts with the Gram matrix of the rows (one gemm); a pair of rows that no rotation has
 * touched yet in this sweep is judged from it, any other pair from an exact dot product.
 * The rotation of rows p, q with α = ‖b_p‖², β = ‖b_q‖², γ = b_pᵀb_q is the Rutishauser one:
 * ζ = (β − α)/2γ, t = sign(ζ)/(|ζ| + √(1+ζ²)), c = 1/√(1+t²), s = c t.
 */
function jacobiSweeps(
  bt: Float64Array, r: number, len: number, wt: Float64Array | null, tol: number,
): { sweeps: number; converged: boolean } {
  const g = new Float64Array(r * r);
  const nrm = new Float64Array(r);
  const dirty = new Uint8Array(r);
  for (let sweep = 1; sweep <= MAX_SWEEPS; sweep++) {
    gemmRaw(false, true, r, r, len, 1, bt, 0, len, bt, 0, len, 0, g, 0, r);
    for (let i = 0; i < r; i++) {
      nrm[i] = g[i * r + i];
      if (nrm[i] < TINY_SQUARED) {
        nrm[i] = 0;
        bt.fill(0, i * len, (i + 1) * len);
      }
    }
    dirty.fill(0);
    let rotations = 0;
    for (let p = 0; p < r - 1; p++) {
      const po = p * len;
      for (let q = p + 1; q < r; q++) {
        let alpha = nrm[p];
        let beta = nrm[q];
        if (alpha === 0 || beta === 0) continue;
        let gamma: number;
        if (dirty[p] === 0 && dirty[q] === 0) {
          gamma = g[p * r + q];
          if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        }
        // Exact values for the decision and the rotation.
        const qo = q * len;
        let sa = 0;
        let sb = 0;
        let sg = 0;
        for (let t = 0; t < len; t++) {
          const x = bt[po + t];
          const y = bt[qo + t];
          sa += x * x;
          sb += y * y;
          sg += x * y;
        }
        alpha = sa;
        beta = sb;
        gamma = sg;
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        const zeta = (beta - alpha) / (2 * gamma);
        const az = Math.abs(zeta);
        const t = az > 1e150 ? 0.5 / zeta : Math.sign(zeta || 1) / (az + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        let np = 0;
        let nq = 0;
        for (let k = 0; k < len; k++) {
          const x = bt[po + k];
          const y = bt[qo + k];
          const xn = c * x - s * y;
          const yn = s * x + c * y;
          bt[po + k] = xn;
          bt[qo + k] = yn;
          np += xn * xn;
          nq += yn * yn;
        }
        nrm[p] = np;
        nrm[q] = nq;
        if (wt !== null) {
          const pw = p * r;
          const qw = q * r;
          for (let k = 0; k < r; k++) {
            const x = wt[pw + k];
            const y = wt[qw + k];
            wt[pw + k] = c * x - s * y;
            wt[qw + k] = s * x + c * y;
          }
        }
        dirty[p] = 1;
        dirty[q] = 1;
        rotations++;
      }
    }
    if (rotations === 0) return { sweeps: sweep, converged: true };
  }
  return { sweeps: MAX_SWEEPS, converged: false };
}

/**
 * Columns `cols` of the len×r row-major `u` (zero so far) become unit vectors orthogonal to
 * all other columns: Gram–Schmidt, twice, of standard basis vectors, keeping the first whose
 * residual exceeds 1/2 (one always does while fewer than len columns are taken).
 */
function completeOrthonormal(u: Float64Array, len: number, r: number, cols: number[]): void {
  const zeroSet = new Set(cols);
  const x = new Float64Array(len);
  let basis = 0;
  for (const k of cols) {
    for (; basis < len; basis++) {
      x.fill(0);
      x[basis] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < r; j++) {
          if (j === k || zeroSet.has(j)) continue;
          let d = 0;
          for (let t = 0; t < len; t++) d += u[t * r + j] * x[t];
          for (let t = 0; t < len; t++) x[t] -= d * u[t * r + j];
        }
      }
      const nx = nrm2(x);
      if (nx > 0.5) {
        for (let t = 0; t < len; t++) u[t * r + k] = x[t] / nx;
        zeroSet.delete(k);
        basis++;
        break;
      }
    }
  }
}

function zeroResult(m: number, n: number, r: number, wantVectors: boolean, tolerance: number): SvdResult {
  const values = new Float64Array(r);
  if (!wantVectors) return { values, U: null, V: null, sweeps: 0, tolerance, converged: true };
  // A = 0 (or r = 0): U and V are the leading columns of the identities.
  const U: Matrix = { rows: m, cols: r, data: new Float64Array(m * r) };
  const V: Matrix = { rows: n, cols: r, data: new Float64Array(n * r) };
  for (let i = 0; i < r; i++) {
    U.data[i * r + i] = 1;
    V.data[i * r + i] = 1;
  }
  return { values, U, V, sweeps: 0, tolerance, converged: true };
}
