import { gemmRaw } from "./gemm.js";
import type { Matrix } from "./matrix.js";
import { applyQRaw, larfg, qr, qrPivoted, type QR } from "./qr.js";
import { trsmRaw } from "./triangular.js";

export interface LstsqOptions {
  /**
   * Relative rank threshold: singular directions with |R_ii| ≤ rcond·|R_00| (pivoted QR) are
   * treated as zero. Default max(m, n)·eps (as numpy.linalg.lstsq).
   */
  readonly rcond?: number;
  /**
   * "cod" (default): column-pivoted QR + complete orthogonal decomposition, valid for any rank
   * (LAPACK dgelsy). "qr": unpivoted blocked QR of A (m ≥ n) or Aᵀ (m < n), the fast path for
   * matrices known to have full rank (LAPACK dgels); it falls back to "cod" when a diagonal
   * entry of R is ≤ rcond·max|R_ii|. The diagonal of an unpivoted R does not reveal every
   * near rank deficiency, so use "qr" only when full rank is known.
   */
  readonly method?: "cod" | "qr";
}

interface LstsqCommon {
  /** Numerical rank used for the solution. */
  readonly rank: number;
  /** Relative threshold used (see LstsqOptions.rcond). */
  readonly rcond: number;
  /** Absolute threshold on |R_ii| that decided the rank. */
  readonly tol: number;
  /** Which factorisation produced the solution. */
  readonly method: "cod" | "qr";
}

/** Least-squares solution for one right-hand side, with the numbers that justify it. */
export interface LstsqResult extends LstsqCommon {
  /** argmin ‖A·x − b‖ of smallest norm (among solutions of the rank-`rank` problem). */
  readonly x: Float64Array;
  /** ‖b − A·x‖₂, computed from A, x and b. */
  readonly residualNorm: number;
  /** ‖Aᵀ(A·x − b)‖₂: the normal-equation residual, 0 at an exact least-squares solution. */
  readonly normalResidualNorm: number;
}

/** Least-squares solutions for the columns of B. */
export interface LstsqMatrixResult extends LstsqCommon {
  readonly x: Matrix;
  /** ‖B[:, j] − A·X[:, j]‖₂ for each column j. */
  readonly residualNorms: Float64Array;
  /** ‖Aᵀ(A·X[:, j] − B[:, j])‖₂ for each column j. */
  readonly normalResidualNorms: Float64Array;
}

/**
 * Minimum-norm least squares: x = argmin ‖x‖ over argmin ‖A·x − b‖, for any shape and rank
 * (LAPACK dgelsy; Golub & Van Loan, 4th ed., §5.4–5.5 on the complete orthogonal
 * decomposition and rank-deficient least squares):
 *   1. A·P = Q·[R11 R12; 0 R22] by column-pivoted QR; rank r = #{|R_ii| > rcond·|R_00|};
 *      R22 is dropped.
 *   2. [R11 R12] = [T11 0]·Z by Householder reflectors from the right (LAPACK dtzrzf/dlatrz),
 *      skipped when r = n.
 *   3. c = (Qᵀb)[0:r], z = T11⁻¹·c, x = P·Zᵀ·(z, 0).
 * For m < n this yields the minimum-norm solution of the underdetermined system. With
 * method "qr" a full-rank problem is solved by unpivoted QR instead (dgels).
 * The result carries the residual ‖b − Ax‖ and the normal-equation residual ‖Aᵀ(Ax − b)‖,
 * both recomputed from A. A and b are not modified.
 *
 * @param A - an m×n matrix, any shape and rank (not modified)
 * @param b - the right-hand side: a vector of length m, or an m×r Matrix B (second overload)
 * @param opts - the relative rank threshold `rcond` and the `method` ("cod" default, or "qr" when
 * A has full rank)
 * @returns the minimum-norm solution x with its rank, thresholds, method, residual ‖b − Ax‖ and
 * normal-equation residual ‖Aᵀ(Ax − b)‖ (per column for a matrix B)
 * @example
 * ```ts
 * import { fromRows, lstsq } from "splitscape";
 * // fit y = c₀ + c₁·t through (0, 1), (1, 3), (2, 5)
 * const fit = lstsq(fromRows([[1, 0], [1, 1], [1, 2]]), Float64Array.of(1, 3, 5));
 * console.log(fit.x, fit.rank, fit.residualNorm); // ≈ [1, 2], 2, ≈ 0
 * ```
 */
export function lstsq(A: Matrix, b: Float64Array, opts?: LstsqOptions): LstsqResult;
export function lstsq(A: Matrix, B: Matrix, opts?: LstsqOptions): LstsqMatrixResult;
export function lstsq(
  A: Matrix, B: Float64Array | Matrix, opts: LstsqOptions = {},
): LstsqResult | LstsqMatrixResult {
  const { rows: m, cols: n } = A;
  const isVector = B instanceof Float64Array;
  const nrhs = isVector ? 1 : B.cols;
  const bRows = isVector ? B.length : B.rows;
  if (bRows !== m) {
    throw new RangeError(`lstsq: A is ${m}×${n} but the right-hand side has ${bRows} rows`);
  }
  const bData = isVector ? B : B.data;
  const rcond = opts.rcond ?? Math.max(m, n) * Number.EPSILON;
  let sol: Solution | null = null;
  if (opts.method === "qr") sol = solveFullRank(A, bData, nrhs, rcond);
  sol ??= solveCod(A, bData, nrhs, rcond);

  const resid = new Float64Array(nrhs);
  const normal = new Float64Array(nrhs);
  residuals(A, sol.x, bData, nrhs, resid, normal);
  const common: LstsqCommon = { rank: sol.rank, rcond, tol: sol.tol, method: sol.method };
  if (isVector) {
    return { ...common, x: sol.x, residualNorm: resid[0], normalResidualNorm: normal[0] };
  }
  return { ...common, x: { rows: n, cols: nrhs, data: sol.x }, residualNorms: resid, normalResidualNorms: normal };
}

interface Solution {
  readonly x: Float64Array;
  readonly rank: number;
  readonly tol: number;
  readonly method: "cod" | "qr";
}

/** Steps 1–3 of `lstsq` (dgelsy with the |R_ii| rank rule). x is n×nrhs row-major. */
function solveCod(A: Matrix, b: Float64Array, nrhs: number, rcond: number): Solution {
  const n = A.cols;
  const f = qrPivoted(A, { rcond });
  const r = f.rank;
  const x = new Float64Array(n * nrhs);
  if (r === 0) return { x, rank: 0, tol: f.tol, method: "cod" };

  const c = b.slice();
  applyQRaw(f, true, c, 0, nrhs, nrhs);

  const a = f.qr.data; // our own copy: the RZ step may overwrite its upper trapezoid
  const tauZ = new Float64Array(r);
  if (r < n) rzFactor(a, n, r, tauZ);

  // y = (T11⁻¹·c[0:r], 0), then y ← Zᵀ·y.
  const y = new Float64Array(n * nrhs);
  y.set(c.subarray(0, r * nrhs));
  trsmRaw(false, false, false, r, nrhs, a, 0, n, y, 0, nrhs, "lstsq");
  if (r < n) applyZt(a, n, r, tauZ, y, nrhs);

  for (let j = 0; j < n; j++) {
    const dst = f.perm[j] * nrhs;
    for (let t = 0; t < nrhs; t++) x[dst + t] = y[j * nrhs + t] + 0; // + 0 turns −0 into +0
  }
  return { x, rank: r, tol: f.tol, method: "cod" };
}

/**
 * In place on the r×n upper trapezoid [R11 R12] (rows 0..r−1 of `a`, stride lda): reduce it to
 * [T11 0] by reflectors Z_i acting on entries {i} ∪ {r, …, n−1} of each row, for i = r−1 … 0
 * (LAPACK dlatrz). Z_i's vector tail is stored over row i of R12, its τ in tauZ[i].
 * Afterwards [R11 R12] = [T11 0]·Z_0·Z_1⋯Z_{r−1}.
 */
function rzFactor(a: Float64Array, lda: number, r: number, tauZ: Float64Array): void {
  const n = lda;
  const l = n - r;
  for (let i = r - 1; i >= 0; i--) {
    const ri = i * lda;
    const tau = larfg(a, ri + i, ri + r, l, 1);
    tauZ[i] = tau;
    if (tau === 0) continue;
    // Rows k < i: row_k ← row_k·Z_i, i.e. w = row_k[i] + Σ row_k[r+t]·v_t.
    for (let k = 0; k < i; k++) {
      const rk = k * lda;
      let w = a[rk + i];
      for (let t = 0; t < l; t++) w += a[rk + r + t] * a[ri + r + t];
      w *= tau;
      a[rk + i] -= w;
      for (let t = 0; t < l; t++) a[rk + r + t] -= w * a[ri + r + t];
    }
  }
}

/** y ← Z_{r−1}⋯Z_1·Z_0·y for the n×nrhs block y (the inverse of the RZ transform's product). */
function applyZt(a: Float64Array, lda: number, r: number, tauZ: Float64Array, y: Float64Array, nrhs: number): void {
  const n = lda;
  const l = n - r;
  const w = new Float64Array(nrhs);
  for (let i = 0; i < r; i++) {
    const tau = tauZ[i];
    if (tau === 0) continue;
    const ri = i * lda;
    for (let t = 0; t < nrhs; t++) w[t] = y[i * nrhs + t];
    for (let s = 0; s < l; s++) {
      const v = a[ri + r + s];
      if (v === 0) continue;
      const ys = (r + s) * nrhs;
      for (let t = 0; t < nrhs; t++) w[t] += v * y[ys + t];
    }
    for (let t = 0; t < nrhs; t++) {
      w[t] *= tau;
      y[i * nrhs + t] -= w[t];
    }
    for (let s = 0; s < l; s++) {
      const v = a[ri + r + s];
      if (v === 0) continue;
      const ys = (r + s) * nrhs;
      for (let t = 0; t < nrhs; t++) y[ys + t] -= v * w[t];
    }
  }
}

/**
 * dgels: m ≥ n: x = R⁻¹·(Qᵀb)[0:n] from A = QR; m < n: A = (QR)ᵀ from the QR of Aᵀ, and the
 * minimum-norm x = Q·(R⁻ᵀ·b, 0). Returns null (so that the caller falls back to COD) when a
 * diagonal entry of R is ≤ rcond·max|R_ii|.
 */
function solveFullRank(A: Matrix, b: Float64Array, nrhs: number, rcond: number): Solution | null {
  const { rows: m, cols: n } = A;
  const k = Math.min(m, n);
  const tall = m >= n;
  const f: QR = qr(tall ? A : transposeOf(A));
  const ld = f.qr.cols;
  let maxDiag = 0;
  for (let i = 0; i < k; i++) maxDiag = Math.max(maxDiag, Math.abs(f.qr.data[i * ld + i]));
  const tol = rcond * maxDiag;
  for (let i = 0; i < k; i++) if (!(Math.abs(f.qr.data[i * ld + i]) > tol)) return null;
  if (tall) {
    const c = b.slice();
    applyQRaw(f, true, c, 0, nrhs, nrhs);
    const x = c.slice(0, n * nrhs);
    trsmRaw(false, false, false, n, nrhs, f.qr.data, 0, ld, x, 0, nrhs, "lstsq");
    return { x, rank: n, tol, method: "qr" };
  }
  const x = new Float64Array(n * nrhs);
  x.set(b.subarray(0, m * nrhs));
  trsmRaw(false, true, false, m, nrhs, f.qr.data, 0, ld, x, 0, nrhs, "lstsq");
  applyQRaw(f, false, x, 0, nrhs, nrhs);
  return { x, rank: m, tol, method: "qr" };
}

function transposeOf(A: Matrix): Matrix {
  const { rows: r, cols: c, data } = A;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j];
  return { rows: c, cols: r, data: out };
}

/** resid[t] = ‖b_t − A·x_t‖₂ and normal[t] = ‖Aᵀ(A·x_t − b_t)‖₂ for each right-hand side t. */
function residuals(
  A: Matrix, x: Float64Array, b: Float64Array, nrhs: number, resid: Float64Array, normal: Float64Array,
): void {
  const { rows: m, cols: n } = A;
  const rmat = b.slice(); // R = B − A·X
  gemmRaw(false, false, m, nrhs, n, -1, A.data, 0, n, x, 0, nrhs, 1, rmat, 0, nrhs);
  const g = new Float64Array(n * nrhs); // G = Aᵀ·(A·X − B) = −Aᵀ·R
  gemmRaw(true, false, n, nrhs, m, -1, A.data, 0, n, rmat, 0, nrhs, 0, g, 0, nrhs);
  columnNorms(rmat, m, nrhs, resid);
  columnNorms(g, n, nrhs, normal);
}

function columnNorms(a: Float64Array, rows: number, cols: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < rows; i++) for (let t = 0; t < cols; t++) out[t] += a[i * cols + t] * a[i * cols + t];
  for (let t = 0; t < cols; t++) out[t] = Math.sqrt(out[t]);
}
