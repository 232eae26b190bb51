import { gemmRaw } from "./gemm.js";
import type { Matrix } from "./matrix.js";
import { trsmRaw, trsvRaw } from "./triangular.js";

/** Thrown when a Cholesky pivot is not positive: A is not (numerically) positive definite. */
export class NotPositiveDefiniteError extends Error {
  /** 0-based index j of the failing pivot: the leading j×j block factored, the (j+1)×(j+1) did not. */
  readonly pivot: number;
  /** The pivot value a_jj − Σ_{p<j} l_jp² that was ≤ 0 (or NaN). */
  readonly value: number;

  constructor(pivot: number, value: number) {
    super(
      `cholesky: matrix is not positive definite: pivot ${pivot} is ${value}` +
        (Number.isNaN(value) ? " (the input contains NaN or ±Infinity)" : ""),
    );
    this.name = "NotPositiveDefiniteError";
    this.pivot = pivot;
    this.value = value;
  }
}

/** Block size of the blocked factorisation; below it the unblocked kernel runs alone. */
const CHOL_BLOCK = 64;

/**
 * Cholesky factor of a symmetric positive definite A: the lower triangular L with positive
 * diagonal such that A = L·Lᵀ (LAPACK dpotrf, UPLO = 'L'). Only the lower triangle of A is read.
 * Returns a new matrix (upper triangle zero); A is not modified.
 *
 * Algorithm: blocked left-looking Cholesky (the dpotrf variant; Golub & Van Loan, 4th ed.,
 * §4.2, block Cholesky): for each block column k, update the diagonal block and the panel below it by the
 * already-computed columns with two GEMMs, factor the diagonal block by the row-oriented
 * (Cholesky–Banachiewicz) kernel, then solve the panel against its transpose.
 * Backward stable: the computed L satisfies L·Lᵀ = A + E with ‖E‖ ≲ c·n·eps·‖A‖.
 *
 * Throws NotPositiveDefiniteError with the failing pivot's index and value if a pivot is ≤ 0
 * or NaN.
 *
 * @param A - a symmetric positive definite n×n matrix (only the lower triangle is read); not modified
 * @returns the lower triangular L with L·Lᵀ = A (upper triangle zero)
 * @example
 * ```ts
 * import { cholesky, fromRows, toRows } from "splitscape";
 * console.log(toRows(cholesky(fromRows([[4, 2], [2, 5]])))); // [[2, 0], [1, 2]]
 * ```
 */
export function cholesky(A: Matrix): Matrix {
  checkSquare(A, "cholesky");
  return choleskyInPlace({ rows: A.rows, cols: A.cols, data: A.data.slice() });
}

/**
 * In-place variant of `cholesky`: overwrites A with L (upper triangle set to zero) and returns
 * A. On NotPositiveDefiniteError, A holds a partially factored state.
 *
 * @param A - a symmetric positive definite n×n matrix, overwritten by its factor
 * @returns A itself, now holding L
 * @example
 * ```ts
 * import { choleskyInPlace, fromRows } from "splitscape";
 * const A = fromRows([[9, 3], [3, 5]]);
 * choleskyInPlace(A); // A = [[3, 0], [1, 2]]
 * ```
 */
export function choleskyInPlace(A: Matrix): Matrix {
  checkSquare(A, "choleskyInPlace");
  const n = A.rows;
  const a = A.data;
  for (let k0 = 0; k0 < n; k0 += CHOL_BLOCK) {
    const k1 = Math.min(n, k0 + CHOL_BLOCK);
    const kb = k1 - k0;
    if (k0 > 0) {
      // A[k0:k1, k0:k1] −= L[k0:k1, 0:k0]·L[k0:k1, 0:k0]ᵀ (the upper part of the block is scratch)
      gemmRaw(false, true, kb, kb, k0, -1, a, k0 * n, n, a, k0 * n, n, 1, a, k0 * n + k0, n);
    }
    factorDiagonalBlock(a, n, k0, kb);
    if (k1 < n) {
      if (k0 > 0) {
        // A[k1:n, k0:k1] −= L[k1:n, 0:k0]·L[k0:k1, 0:k0]ᵀ
        gemmRaw(false, true, n - k1, kb, k0, -1, a, k1 * n, n, a, k0 * n, n, 1, a, k1 * n + k0, n);
      }
      solvePanel(a, n, k0, kb, k1);
    }
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return A;
}

/**
 * Solve A·X = B given the Cholesky factor L of A (LAPACK dpotrs): forward substitution with L,
 * then back substitution with Lᵀ. Vector or matrix right-hand side; returns a new array.
 *
 * @param L - the Cholesky factor of A (from cholesky)
 * @param b - the right-hand side: a vector of length n, or an n×r Matrix B (second overload)
 * @returns x = A⁻¹·b, a new vector (or matrix for a matrix B)
 * @example
 * ```ts
 * import { cholesky, choleskySolve, fromRows } from "splitscape";
 * const L = cholesky(fromRows([[4, 2], [2, 5]]));
 * console.log(choleskySolve(L, Float64Array.of(6, 7))); // Float64Array [1, 1]
 * ```
 */
export function choleskySolve(L: Matrix, b: Float64Array): Float64Array;
export function choleskySolve(L: Matrix, B: Matrix): Matrix;
export function choleskySolve(L: Matrix, B: Float64Array | Matrix): Float64Array | Matrix {
  checkSquare(L, "choleskySolve");
  const n = L.rows;
  if (B instanceof Float64Array) {
    if (B.length !== n) throw new RangeError(`choleskySolve: L is ${n}×${n} but b has length ${B.length}`);
    const x = B.slice();
    trsvRaw(true, false, false, n, L.data, 0, n, x, 0, "choleskySolve");
    trsvRaw(true, true, false, n, L.data, 0, n, x, 0, "choleskySolve");
    return x;
  }
  if (B.rows !== n) throw new RangeError(`choleskySolve: L is ${n}×${n} but B is ${B.rows}×${B.cols}`);
  const X: Matrix = { rows: n, cols: B.cols, data: B.data.slice() };
  trsmRaw(true, false, false, n, B.cols, L.data, 0, n, X.data, 0, B.cols, "choleskySolve");
  trsmRaw(true, true, false, n, B.cols, L.data, 0, n, X.data, 0, B.cols, "choleskySolve");
  return X;
}

/**
 * log det A = 2·Σ log L_ii from the Cholesky factor L of A.
 *
 * @param L - the Cholesky factor of A (its diagonal is read)
 * @returns log det A (finite even where det A would overflow or underflow)
 * @example
 * ```ts
 * import { cholesky, choleskyLogDet, fromRows } from "splitscape";
 * console.log(choleskyLogDet(cholesky(fromRows([[4, 2], [2, 5]])))); // log 16 ≈ 2.7726
 * ```
 */
export function choleskyLogDet(L: Matrix): number {
  checkSquare(L, "choleskyLogDet");
  let s = 0;
  for (let i = 0; i < L.rows; i++) s += Math.log(L.data[i * L.cols + i]);
  return 2 * s;
}

export interface ShiftedCholeskyOptions {
  /** Maximum number of shifts tried after the unshifted attempt. Default 40. */
  readonly maxAttempts?: number;
  /** Factor by which the jitter grows between attempts. Default 10. */
  readonly growth?: number;
  /** First jitter δ₀. Default n·eps·max(max_i |a_ii|, tiny). */
  readonly initialJitter?: number;
}

export interface ShiftedCholesky {
  /** Lower triangular factor with L·Lᵀ = A + shift·I. */
  readonly L: Matrix;
  /** The diagonal shift that was added (0 if A itself was positive definite). */
  readonly shift: number;
  /** Number of factorisations attempted (1 if no shift was needed). */
  readonly attempts: number;
}

/**
 * Cholesky with diagonal jitter ("modified" Cholesky by trial shifts, as in Nocedal & Wright,
 * 2nd ed., Alg. 3.3, "Cholesky with added multiple of the identity"): factor A; if that fails,
 * factor A + τ_k·I with τ_k = max(0, −min_i a_ii) + δ₀·growthᵏ, k = 0, 1, …, and return the first
 * success together with the shift. The shift says how far A was from positive definite (at
 * most within the factor `growth`). Throws the last NotPositiveDefiniteError if every attempt
 * fails (e.g. the input contains NaN).
 *
 * @param A - a symmetric n×n matrix, perhaps indefinite or singular (not modified)
 * @param opts - the number of attempts, jitter growth and first jitter
 * @returns the factor L of A + shift·I, the shift (0 when A is positive definite) and the attempts
 * @example
 * ```ts
 * import { choleskyWithShift, fromRows } from "splitscape";
 * const { L, shift } = choleskyWithShift(fromRows([[1, 1], [1, 1]])); // singular
 * console.log(shift > 0, L.rows); // true 2
 * ```
 */
export function choleskyWithShift(A: Matrix, opts: ShiftedCholeskyOptions = {}): ShiftedCholesky {
  checkSquare(A, "choleskyWithShift");
  const n = A.rows;
  const maxAttempts = opts.maxAttempts ?? 40;
  const growth = opts.growth ?? 10;
  let minDiag = Infinity;
  let maxAbsDiag = 0;
  for (let i = 0; i < n; i++) {
    const d = A.data[i * n + i];
    minDiag = Math.min(minDiag, d);
    maxAbsDiag = Math.max(maxAbsDiag, Math.abs(d));
  }
  const delta0 = opts.initialJitter ?? Math.max(n, 1) * Number.EPSILON * Math.max(maxAbsDiag, Number.MIN_VALUE);
  const base = Math.max(0, -minDiag);
  const work: Matrix = { rows: n, cols: n, data: new Float64Array(n * n) };
  let lastError: unknown;
  for (let attempt = 0; attempt <= maxAttempts; attempt++) {
    const shift = attempt === 0 ? 0 : base + delta0 * Math.pow(growth, attempt - 1);
    work.data.set(A.data);
    if (shift !== 0) for (let i = 0; i < n; i++) work.data[i * n + i] += shift;
    try {
      choleskyInPlace(work);
      return { L: work, shift, attempts: attempt + 1 };
    } catch (e) {
      if (!(e instanceof NotPositiveDefiniteError)) throw e;
      lastError = e;
    }
  }
  throw lastError;
}

/** Unblocked row-oriented Cholesky of the kb×kb diagonal block at (k0, k0) (LAPACK dpotf2). */
function factorDiagonalBlock(a: Float64Array, n: number, k0: number, kb: number): void {
  for (let i = 0; i < kb; i++) {
    const ri = (k0 + i) * n + k0;
    for (let j = 0; j < i; j++) {
      const rj = (k0 + j) * n + k0;
      let s = a[ri + j];
      for (let p = 0; p < j; p++) s -= a[ri + p] * a[rj + p];
      a[ri + j] = s / a[rj + j];
    }
    let d = a[ri + i];
    for (let p = 0; p < i; p++) d -= a[ri + p] * a[ri + p];
    if (!(d > 0)) throw new NotPositiveDefiniteError(k0 + i, d);
    a[ri + i] = Math.sqrt(d);
  }
}

/** A[k1:n, k0:k0+kb] ← A[k1:n, k0:k0+kb]·L11⁻ᵀ, row by row (forward substitution per row). */
function solvePanel(a: Float64Array, n: number, k0: number, kb: number, k1: number): void {
  for (let i = k1; i < n; i++) {
    const ri = i * n + k0;
    for (let j = 0; j < kb; j++) {
      const rj = (k0 + j) * n + k0;
      let s = a[ri + j];
      for (let p = 0; p < j; p++) s -= a[ri + p] * a[rj + p];
      a[ri + j] = s / a[rj + j];
    }
  }
}

function checkSquare(A: Matrix, where: string): void {
  if (A.rows !== A.cols) throw new RangeError(`${where}: matrix is ${A.rows}×${A.cols}, not square`);
}

/**
 * Append a row and column to A = L·Lᵀ (m×m lower triangular, row stride ld, room for row m): on
 * entry L[m, 0..m) holds v, the new row's entries A[m, 0..m) (a_iᵀa for a Gram matrix); on exit
 * it holds l = L⁻¹v (forward substitution). Returns α − ‖l‖² with α = A[m, m]: the square of the
 * new diagonal, ≤ 0 (or tiny) when the new row is dependent on the old ones. The caller sets
 * L[m, m] = √(α − ‖l‖²) when it keeps the row. O(m²). (Golub & Van Loan, 4th ed., §4.2.)
 */
export function choleskyAppendRow(L: Float64Array, ld: number, m: number, alpha: number): number {
  const mo = m * ld;
  let ll = 0;
  for (let c = 0; c < m; c++) {
    const co = c * ld;
    let t = L[mo + c];
    for (let q = 0; q < c; q++) t -= L[co + q] * L[mo + q];
    const v = t / L[co + c];
    L[mo + c] = v;
    ll += v * v;
  }
  return alpha - ll;
}

/**
 * Delete row and column i of A = L·Lᵀ in the factor: L (m×m lower triangular, row stride ld,
 * in place) becomes the (m−1)×(m−1) factor of A without row/column i. Removing row i of L leaves
 * one superdiagonal entry in each later row; Givens rotations of columns (j, j+1), j ≥ i, zero
 * them (L·G·Gᵀ·Lᵀ = A), keeping positive diagonals. O((m − i)²). (Golub & Van Loan, 4th ed.,
 * §6.5.4, "deleting a column" of a QR factorisation, applied to Lᵀ.)
 */
export function choleskyDeleteRow(L: Float64Array, ld: number, m: number, i: number): void {
  for (let a = i; a < m - 1; a++) for (let q = 0; q <= a + 1; q++) L[a * ld + q] = L[(a + 1) * ld + q];
  for (let j = i; j < m - 1; j++) {
    const x0 = L[j * ld + j];
    const y0 = L[j * ld + j + 1];
    const h = Math.hypot(x0, y0);
    const cs = x0 / h;
    const sn = y0 / h;
    for (let a = j; a < m - 1; a++) {
      const x = L[a * ld + j];
      const y = L[a * ld + j + 1];
      L[a * ld + j] = cs * x + sn * y;
      L[a * ld + j + 1] = -sn * x + cs * y;
    }
  }
}
