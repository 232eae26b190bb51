import { gemmRaw } from "./gemm.js";
import type { Matrix } from "./matrix.js";

/**
 * A Householder QR factorisation A = Q·R in LAPACK's compact form (dgeqrf): `qr` is m×n with R
 * on and above the diagonal and, below the diagonal of column j, the tail of the Householder
 * vector v_j (whose leading entry v_j[j] = 1 is implicit and entries above j are 0);
 * Q = H_0·H_1⋯H_{k−1}, H_j = I − tau[j]·v_j·v_jᵀ, k = min(m, n).
 */
export interface QR {
  readonly qr: Matrix;
  readonly tau: Float64Array;
}

/**
 * Column-pivoted QR: A·P = Q·R, where column j of A·P is column perm[j] of A, |R_00| ≥ |R_11| ≥ …
 * (in exact arithmetic), and `rank` is the number of leading diagonal entries with |R_ii| > tol.
 */
export interface PivotedQR extends QR {
  /** Column j of A·P is column perm[j] of A. */
  readonly perm: Int32Array;
  /** Numerical rank: #{leading i : |R_ii| > tol}. */
  readonly rank: number;
  /** The absolute threshold used for the rank. */
  readonly tol: number;
}

export interface PivotedQROptions {
  /** Relative rank threshold: tol = rcond·|R_00|. Default max(m, n)·eps. */
  readonly rcond?: number;
  /** Absolute rank threshold; overrides rcond. */
  readonly tol?: number;
}

/** Panel width of the blocked QR and of the blocked application of Q. */
const QR_BLOCK = 32;
/** Below this min(m, n) (or with fewer than this many columns to update) QR runs unblocked. */
const QR_CROSSOVER = 96;
/** Right-hand sides below which Q is applied reflector by reflector rather than in blocks. */
const APPLY_BLOCK_MIN_COLS = 8;

/**
 * Householder QR of an m×n matrix (LAPACK dgeqrf; Golub & Van Loan, 4th ed., Alg. 5.2.1 and the
 * compact WY block form of §5.2, Schreiber & Van Loan 1989). For min(m, n) ≥ 96 panels of 32 columns are factored unblocked
 * (dgeqr2), their reflectors gathered into a compact WY form H = I − V·T·Vᵀ (dlarft, forward,
 * columnwise), and the trailing matrix updated by GEMMs (dlarfb). Each reflector is generated as
 * in dlarfg: β = −sign(α)·‖(α, x)‖, τ = (β − α)/β, v = (1, x/(α − β)), so H·(α, x) = (β, 0) and
 * τ = 0 when x = 0. Backward stable: Q·R = A + E with ‖E‖_F ≲ c·m·n·eps·‖A‖_F.
 * Returns a new compact factorisation; A is not modified.
 *
 * @param A - an m×n matrix, any shape (not modified)
 * @returns the compact factorisation (R and the Householder vectors in `qr`, their τ in `tau`), to
 * pass to qrR, qrQ, qrApplyQ, qrApplyQt
 * @example
 * ```ts
 * import { fromRows, qr, qrQ, qrR, matmul } from "splitscape";
 * const A = fromRows([[3, 1], [4, 2], [0, 2]]);
 * const f = qr(A);
 * console.log(matmul(qrQ(f), qrR(f)).data); // ≈ A.data
 * ```
 */
export function qr(A: Matrix): QR {
  const { rows: m, cols: n } = A;
  const a = A.data.slice();
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  if (k < QR_CROSSOVER || n - QR_BLOCK < QR_BLOCK) {
    geqr2(a, m, n, 0, k, n, tau, new Float64Array(n));
  } else {
    const nb = QR_BLOCK;
    const work = new Float64Array(n);
    const V = new Float64Array(m * nb);
    const T = new Float64Array(nb * nb);
    const W = new Float64Array(nb * n);
    for (let j0 = 0; j0 < k; j0 += nb) {
      const jb = Math.min(nb, k - j0);
      geqr2(a, m, n, j0, j0 + jb, j0 + jb, tau, work);
      const rest = n - j0 - jb;
      if (rest > 0) {
        const rows = m - j0;
        gatherV(a, n, m, j0, jb, V);
        formT(V, rows, jb, tau, j0, T, W);
        larfb(true, V, T, rows, jb, a, j0 * n + j0 + jb, n, rest, W);
      }
    }
  }
  return { qr: { rows: m, cols: n, data: a }, tau };
}

/**
 * The upper trapezoidal factor R: k×n with k = min(m, n) (thin, default), or m×n with zero rows
 * below when `full`.
 *
 * @param f - a factorisation from qr (or qrPivoted)
 * @param opts - `full: true` for the m×n R with zero rows below; default the thin k×n R
 * @returns R as a new matrix
 * @example
 * ```ts
 * import { fromRows, qr, qrR } from "splitscape";
 * const R = qrR(qr(fromRows([[3, 1], [4, 2]])));
 * console.log(Math.abs(R.data[0])); // ‖first column‖ = 5
 * ```
 */
export function qrR(f: QR, opts: { full?: boolean } = {}): Matrix {
  const { rows: m, cols: n, data } = f.qr;
  const k = Math.min(m, n);
  const r = opts.full ? m : k;
  const out = new Float64Array(r * n);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < n; j++) out[i * n + j] = data[i * n + j];
  }
  return { rows: r, cols: n, data: out };
}

/**
 * The orthogonal factor Q = H_0⋯H_{k−1}, explicitly (LAPACK dorgqr): thin m×k (default, k =
 * min(m, n)) or full m×m. Formed backwards from the identity so that block j only touches
 * rows and columns ≥ j; blocked like `qr` for large sizes.
 *
 * @param f - a factorisation from qr (or qrPivoted)
 * @param opts - `full: true` for the m×m Q; default the thin m×k Q
 * @returns Q with orthonormal columns, as a new matrix
 * @example
 * ```ts
 * import { fromRows, qr, qrQ } from "splitscape";
 * const Q = qrQ(qr(fromRows([[1], [1]])), { full: true }); // 2×2: a basis with the direction (1, 1)/√2 first
 * console.log(Q.rows, Q.cols);
 * ```
 */
export function qrQ(f: QR, opts: { full?: boolean } = {}): Matrix {
  const m = f.qr.rows;
  const k = f.tau.length;
  const p = opts.full ? m : k;
  const q = new Float64Array(m * p);
  for (let i = 0; i < p; i++) q[i * p + i] = 1;
  applyQRaw(f, false, q, 0, p, p, true);
  return { rows: m, cols: p, data: q };
}

/**
 * Qᵀ·B without forming Q (LAPACK dormqr, SIDE = 'L', TRANS = 'T'): applies H_0, H_1, … in turn.
 * B has m rows (or is a vector of length m); returns a new array.
 *
 * @param f - a factorisation of an m×n matrix from qr
 * @param b - a vector of length m, or a Matrix B with m rows (second overload)
 * @returns Qᵀ·b as a new vector (or matrix)
 * @example
 * ```ts
 * import { fromRows, qr, qrApplyQt } from "splitscape";
 * const f = qr(fromRows([[3], [4]]));
 * console.log(qrApplyQt(f, Float64Array.of(3, 4))); // ≈ [±5, 0]
 * ```
 */
export function qrApplyQt(f: QR, b: Float64Array): Float64Array;
export function qrApplyQt(f: QR, B: Matrix): Matrix;
export function qrApplyQt(f: QR, B: Float64Array | Matrix): Float64Array | Matrix {
  return applyQPublic(f, true, B, "qrApplyQt");
}

/**
 * Q·B without forming Q (LAPACK dormqr, SIDE = 'L', TRANS = 'N'); returns a new array.
 *
 * @param f - a factorisation of an m×n matrix from qr
 * @param b - a vector of length m, or a Matrix B with m rows (second overload)
 * @returns Q·b as a new vector (or matrix)
 * @example
 * ```ts
 * import { fromRows, qr, qrApplyQ, qrApplyQt } from "splitscape";
 * const f = qr(fromRows([[1, 2], [3, 4], [5, 6]]));
 * const b = Float64Array.of(1, 2, 3);
 * console.log(qrApplyQ(f, qrApplyQt(f, b))); // ≈ b (Q is orthogonal)
 * ```
 */
export function qrApplyQ(f: QR, b: Float64Array): Float64Array;
export function qrApplyQ(f: QR, B: Matrix): Matrix;
export function qrApplyQ(f: QR, B: Float64Array | Matrix): Float64Array | Matrix {
  return applyQPublic(f, false, B, "qrApplyQ");
}

/**
 * Householder QR with column pivoting, A·P = Q·R (LAPACK dgeqp3 with the unblocked dlaqp2
 * kernel; Golub & Van Loan, 4th ed., Alg. 5.4.1; Businger & Golub 1965). At step i the remaining
 * column of largest partial norm is swapped to position i. Partial norms are downdated,
 * ν_j ← ν_j·√(1 − (r_ij/ν_j)²), and recomputed from scratch when the downdate has lost too
 * much: when (1 − (r_ij/ν_j)²)·(ν_j/ν̂_j)² ≤ √eps, with ν̂_j the norm at the last recomputation
 * (the safeguard of Drmač & Bujanović, LAPACK Working Note 176).
 *
 * The numerical rank is the number of leading |R_ii| above tol = opts.tol, or rcond·|R_00|
 * with rcond = max(m, n)·eps by default. Returns a new factorisation; A is not modified.
 *
 * @param A - an m×n matrix (not modified)
 * @param opts - the rank threshold: relative `rcond` or absolute `tol`
 * @returns the compact factorisation with the permutation `perm`, the numerical `rank` and the
 * threshold used
 * @example
 * ```ts
 * import { fromRows, qrPivoted } from "splitscape";
 * const f = qrPivoted(fromRows([[1, 2, 3], [2, 4, 6]])); // rank 1
 * console.log(f.rank, f.perm); // 1, the largest column first
 * ```
 */
export function qrPivoted(A: Matrix, opts: PivotedQROptions = {}): PivotedQR {
  const { rows: m, cols: n } = A;
  const a = A.data.slice();
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  const perm = new Int32Array(n);
  for (let j = 0; j < n; j++) perm[j] = j;
  const vn1 = new Float64Array(n);
  const vn2 = new Float64Array(n);
  const work = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    vn1[j] = nrm2Strided(a, j, m, n);
    vn2[j] = vn1[j];
  }
  const tol3z = Math.sqrt(Number.EPSILON);
  for (let i = 0; i < k; i++) {
    let pvt = i;
    for (let j = i + 1; j < n; j++) if (vn1[j] > vn1[pvt]) pvt = j;
    if (pvt !== i) {
      for (let r = 0; r < m; r++) {
        const t = a[r * n + i];
        a[r * n + i] = a[r * n + pvt];
        a[r * n + pvt] = t;
      }
      const tp = perm[i];
      perm[i] = perm[pvt];
      perm[pvt] = tp;
      vn1[pvt] = vn1[i];
      vn2[pvt] = vn2[i];
    }
    tau[i] = larfg(a, i * n + i, (i + 1) * n + i, m - i - 1, n);
    applyReflectorToColumns(a, n, m, i, tau[i], a, n, i + 1, n, work);
    // Downdate the partial norms of the remaining columns (dlaqp2).
    for (let j = i + 1; j < n; j++) {
      if (vn1[j] === 0) continue;
      const ratio = Math.abs(a[i * n + j]) / vn1[j];
      const temp = Math.max(0, 1 - ratio * ratio);
      const q = vn1[j] / vn2[j];
      if (temp * q * q <= tol3z) {
        vn1[j] = i + 1 < m ? nrm2Strided(a, (i + 1) * n + j, m - i - 1, n) : 0;
        vn2[j] = vn1[j];
      } else {
        vn1[j] *= Math.sqrt(temp);
      }
    }
  }
  const r00 = k > 0 ? Math.abs(a[0]) : 0;
  const tol = opts.tol ?? (opts.rcond ?? Math.max(m, n) * Number.EPSILON) * r00;
  let rank = 0;
  while (rank < k && Math.abs(a[rank * n + rank]) > tol) rank++;
  return { qr: { rows: m, cols: n, data: a }, tau, perm, rank, tol };
}

/**
 * Orthonormal basis of null(A) for an m×n matrix A, as the rows of an (n − r)×n matrix N
 * (A·Nᵀ = 0, N·Nᵀ = I). From the column-pivoted QR of Aᵀ = Q·R·Pᵀ (`qrPivoted`, numerical rank r
 * by `opts`): range(Aᵀ) is spanned by Q's first r columns, so null(A) = range(Aᵀ)^⊥ by the last
 * n − r columns of the full Q (Golub & Van Loan, 4th ed., §5.4.1).
 *
 * @param A - an m×n matrix (not modified)
 * @param opts - the rank threshold of the pivoted QR: relative `rcond` or absolute `tol`
 * @returns an (n − r)×n matrix whose rows are an orthonormal basis of null(A)
 * @example
 * ```ts
 * import { fromRows, nullSpace } from "splitscape";
 * const N = nullSpace(fromRows([[1, 1, 0]]));
 * console.log(N.rows, N.cols); // 2 3 (e.g. ±(1, −1, 0)/√2 and ±(0, 0, 1))
 * ```
 */
export function nullSpace(A: Matrix, opts: PivotedQROptions = {}): Matrix {
  const { rows: m, cols: n } = A;
  if (m === 0) {
    const I = new Float64Array(n * n);
    for (let i = 0; i < n; i++) I[i * n + i] = 1;
    return { rows: n, cols: n, data: I };
  }
  const At = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) At[j * m + i] = A.data[i * n + j];
  const f = qrPivoted({ rows: n, cols: m, data: At }, opts);
  const Q = qrQ(f, { full: true });
  const k = n - f.rank;
  const N = new Float64Array(k * n);
  for (let c = 0; c < k; c++) for (let j = 0; j < n; j++) N[c * n + j] = Q.data[j * n + f.rank + c];
  return { rows: k, cols: n, data: N };
}

// ---------------------------------------------------------------------------------------------
// Kernels shared with lstsq (not part of the public face).

/**
 * Generate an elementary reflector (LAPACK dlarfg): given α = a[alphaIdx] and x = the `len`
 * entries of `a` from xOff with stride `inc`, overwrite α with β and x with v's tail, where
 * H = I − τ·(1, v)·(1, v)ᵀ maps (α, x) to (β, 0). Returns τ (0 when x = 0, H = I).
 */
export function larfg(a: Float64Array, alphaIdx: number, xOff: number, len: number, inc: number): number {
  if (len <= 0) return 0;
  const xnorm = nrm2Strided(a, xOff, len, inc);
  if (xnorm === 0) return 0;
  const alpha = a[alphaIdx];
  const h = Math.hypot(alpha, xnorm);
  const beta = alpha >= 0 ? -h : h;
  const tau = (beta - alpha) / beta;
  const scale = 1 / (alpha - beta);
  for (let i = 0, p = xOff; i < len; i++, p += inc) a[p] *= scale;
  a[alphaIdx] = beta;
  return tau;
}

/**
 * 2-norm of `len` entries of x from `off` with stride `inc`, without overflow or harmful
 * underflow: a plain sum of squares, redone with scaling (as dnrm2) only when it is not safe.
 */
export function nrm2Strided(x: Float64Array, off: number, len: number, inc: number): number {
  let s = 0;
  for (let i = 0, p = off; i < len; i++, p += inc) s += x[p] * x[p];
  if (s > 1e-290 && s < 1e290) return Math.sqrt(s);
  if (s === 0) {
    // Either all zero, or every square underflowed: check before concluding.
    let any = false;
    for (let i = 0, p = off; i < len; i++, p += inc) if (x[p] !== 0) any = true;
    if (!any) return 0;
  }
  if (Number.isNaN(s)) return NaN;
  let scale = 0;
  for (let i = 0, p = off; i < len; i++, p += inc) scale = Math.max(scale, Math.abs(x[p]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let t = 0;
  for (let i = 0, p = off; i < len; i++, p += inc) {
    const y = x[p] / scale;
    t += y * y;
  }
  return scale * Math.sqrt(t);
}

/**
 * Apply H_j = I − τ·v·vᵀ (v stored in column j of the compact `qr`, rows j..m, stride lda) to
 * columns [c0, c1) of the m-row block `c` (row stride ldc), rows j..m:
 *   w = vᵀ·C, C ← C − τ·v·wᵀ.
 * `work` must hold at least c1 entries. Loops run along contiguous rows of C.
 */
export function applyReflectorToColumns(
  qr: Float64Array, lda: number, m: number, j: number, tau: number,
  c: Float64Array, ldc: number, c0: number, c1: number, work: Float64Array,
): void {
  if (tau === 0 || c1 <= c0) return;
  const rj = j * ldc;
  for (let col = c0; col < c1; col++) work[col] = c[rj + col];
  for (let i = j + 1; i < m; i++) {
    const vi = qr[i * lda + j];
    if (vi === 0) continue;
    const ri = i * ldc;
    for (let col = c0; col < c1; col++) work[col] += vi * c[ri + col];
  }
  for (let col = c0; col < c1; col++) {
    work[col] *= tau;
    c[rj + col] -= work[col];
  }
  for (let i = j + 1; i < m; i++) {
    const vi = qr[i * lda + j];
    if (vi === 0) continue;
    const ri = i * ldc;
    for (let col = c0; col < c1; col++) c[ri + col] -= vi * work[col];
  }
}

/**
 * In place C ← Qᵀ·C (trans) or Q·C, C an m×ncols row-major block at cOff with row stride ldc.
 * `fromIdentity`: C started as the identity's first columns (qrQ), so block j only needs
 * columns ≥ j (dorgqr's saving); only valid with trans = false.
 */
export function applyQRaw(
  f: QR, trans: boolean, c: Float64Array, cOff: number, ldc: number, ncols: number, fromIdentity = false,
): void {
  const { rows: m, cols: n, data: a } = f.qr;
  const k = f.tau.length;
  if (k === 0 || ncols === 0) return;
  const blocked = ncols >= APPLY_BLOCK_MIN_COLS && k >= QR_CROSSOVER;
  if (!blocked) {
    const work = new Float64Array(ncols);
    const sub = cOff === 0 ? c : c.subarray(cOff);
    for (let s = 0; s < k; s++) {
      const j = trans ? s : k - 1 - s;
      const c0 = fromIdentity ? j : 0;
      applyReflectorToColumns(a, n, m, j, f.tau[j], sub, ldc, c0, ncols, work);
    }
    return;
  }
  const nb = QR_BLOCK;
  const V = new Float64Array(m * nb);
  const T = new Float64Array(nb * nb);
  const W = new Float64Array(nb * Math.max(ncols, nb));
  const nBlocks = Math.ceil(k / nb);
  for (let s = 0; s < nBlocks; s++) {
    const blk = trans ? s : nBlocks - 1 - s;
    const j0 = blk * nb;
    const jb = Math.min(nb, k - j0);
    const rows = m - j0;
    const c0 = fromIdentity ? j0 : 0;
    gatherV(a, n, m, j0, jb, V);
    formT(V, rows, jb, f.tau, j0, T, W);
    larfb(trans, V, T, rows, jb, c, cOff + j0 * ldc + c0, ldc, ncols - c0, W);
  }
}

// ---------------------------------------------------------------------------------------------

function applyQPublic(f: QR, trans: boolean, B: Float64Array | Matrix, where: string): Float64Array | Matrix {
  const m = f.qr.rows;
  if (B instanceof Float64Array) {
    if (B.length !== m) throw new RangeError(`${where}: Q is ${m}×${m} but b has length ${B.length}`);
    const x = B.slice();
    applyQRaw(f, trans, x, 0, 1, 1);
    return x;
  }
  if (B.rows !== m) throw new RangeError(`${where}: Q is ${m}×${m} but B is ${B.rows}×${B.cols}`);
  const X = B.data.slice();
  applyQRaw(f, trans, X, 0, B.cols, B.cols);
  return { rows: m, cols: B.cols, data: X };
}

/**
 * Unblocked Householder QR (LAPACK dgeqr2) of columns [j0, j1) of the m×lda matrix a, each
 * reflector applied to the columns up to cEnd (the panel, or the whole matrix).
 */
function geqr2(
  a: Float64Array, m: number, lda: number, j0: number, j1: number, cEnd: number,
  tau: Float64Array, work: Float64Array,
): void {
  for (let j = j0; j < j1; j++) {
    tau[j] = larfg(a, j * lda + j, (j + 1) * lda + j, m - j - 1, lda);
    applyReflectorToColumns(a, lda, m, j, tau[j], a, lda, j + 1, cEnd, work);
  }
}

/** Copy reflectors j0..j0+jb−1 into the dense unit-lower-trapezoidal (m−j0)×jb block V (ld jb). */
function gatherV(a: Float64Array, lda: number, m: number, j0: number, jb: number, V: Float64Array): void {
  for (let r = 0; r < m - j0; r++) {
    const row = (j0 + r) * lda + j0;
    for (let c = 0; c < jb; c++) {
      V[r * jb + c] = r > c ? a[row + c] : r === c ? 1 : 0;
    }
  }
}

/**
 * The upper triangular T of the compact WY form H_{j0}⋯H_{j0+jb−1} = I − V·T·Vᵀ (LAPACK dlarft,
 * DIRECT = 'F', STOREV = 'C'): T_ii = τ_i, T[0:i, i] = −τ_i·T[0:i, 0:i]·(V[:, 0:i]ᵀ·v_i).
 * The Gram matrix VᵀV goes through GEMM; `G` (≥ jb² entries) is scratch.
 */
function formT(V: Float64Array, rows: number, jb: number, tau: Float64Array, j0: number, T: Float64Array, G: Float64Array): void {
  gemmRaw(true, false, jb, jb, rows, 1, V, 0, jb, V, 0, jb, 0, G, 0, jb);
  T.fill(0, 0, jb * jb);
  for (let i = 0; i < jb; i++) {
    const ti = tau[j0 + i];
    T[i * jb + i] = ti;
    if (ti === 0) continue;
    for (let r = 0; r < i; r++) {
      let s = 0;
      for (let c = r; c < i; c++) s += T[r * jb + c] * G[c * jb + i];
      T[r * jb + i] = -ti * s;
    }
  }
}

/**
 * Apply the block reflector I − V·T·Vᵀ (or its transpose I − V·Tᵀ·Vᵀ when trans) to the
 * rows×ncols block C at cOff (LAPACK dlarfb, SIDE = 'L', forward, columnwise):
 *   W = Vᵀ·C, W ← op(T)·W, C ← C − V·W.
 * W needs jb·ncols entries.
 */
function larfb(
  trans: boolean, V: Float64Array, T: Float64Array, rows: number, jb: number,
  c: Float64Array, cOff: number, ldc: number, ncols: number, W: Float64Array,
): void {
  if (ncols <= 0) return;
  gemmRaw(true, false, jb, ncols, rows, 1, V, 0, jb, c, cOff, ldc, 0, W, 0, ncols);
  if (trans) {
    // W ← Tᵀ·W (Tᵀ lower): row i reads rows ≤ i, so go downwards.
    for (let i = jb - 1; i >= 0; i--) {
      const wi = i * ncols;
      const tii = T[i * jb + i];
      for (let col = 0; col < ncols; col++) W[wi + col] *= tii;
      for (let r = 0; r < i; r++) {
        const t = T[r * jb + i];
        if (t === 0) continue;
        const wr = r * ncols;
        for (let col = 0; col < ncols; col++) W[wi + col] += t * W[wr + col];
      }
    }
  } else {
    // W ← T·W (T upper): row i reads rows ≥ i, so go upwards.
    for (let i = 0; i < jb; i++) {
      const wi = i * ncols;
      const tii = T[i * jb + i];
      for (let col = 0; col < ncols; col++) W[wi + col] *= tii;
      for (let r = i + 1; r < jb; r++) {
        const t = T[i * jb + r];
        if (t === 0) continue;
        const wr = r * ncols;
        for (let col = 0; col < ncols; col++) W[wi + col] += t * W[wr + col];
      }
    }
  }
  gemmRaw(false, false, rows, ncols, jb, -1, V, 0, jb, W, 0, ncols, 1, c, cOff, ldc);
}
