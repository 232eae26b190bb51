import { gemmRaw } from "./gemm.js";
import type { Matrix } from "./matrix.js";

/** Thrown when a triangular factor has an exactly zero (or non-finite) diagonal entry. */
export class SingularMatrixError extends Error {
  /** Row/column index of the offending diagonal entry. */
  readonly index: number;
  /** Its value (0, ±Infinity or NaN). */
  readonly value: number;

  constructor(where: string, index: number, value: number) {
    super(`${where}: triangular matrix is singular: diagonal entry ${index} is ${value}`);
    this.name = "SingularMatrixError";
    this.index = index;
    this.value = value;
  }
}

/** Which triangle of T is used and how (BLAS dtrsm/dtrsv UPLO, TRANS, DIAG). */
export interface TriangularOptions {
  /** T is lower triangular (only its lower triangle is read); otherwise upper. */
  readonly lower: boolean;
  /** Solve with Tᵀ instead of T. Default false. */
  readonly trans?: boolean;
  /** Treat the diagonal as all ones (it is not read). Default false. */
  readonly unitDiagonal?: boolean;
}

/** Below this many rows the blocked triangular solve is not worth the GEMM call overhead. */
const TRSM_BLOCK = 64;

/**
 * Solve op(T)·X = B for X, with T n×n triangular and op(T) = T or Tᵀ (BLAS dtrsv for a vector
 * right-hand side, dtrsm with SIDE = 'L' for a matrix one). Forward substitution when op(T) is
 * lower, back substitution when it is upper (Golub & Van Loan, 4th ed., Alg. 3.1.1–3.1.2); for
 * n > 64 and at least 4 right-hand sides the matrix case is blocked so that the bulk of the work,
 *   X[blk] ← B[blk] − op(T)[blk, done]·X[done],
 * goes through GEMM (Golub & Van Loan §3.1, block substitution). Only the relevant triangle of
 * T is read. Returns a new vector or matrix; T and B are not modified.
 *
 * Throws SingularMatrixError if a used diagonal entry is 0 or not finite (not when
 * unitDiagonal). Near-singular diagonals are not detected: the caller judges conditioning.
 *
 * @param T - the n×n triangular matrix (only the triangle named by `opts.lower` is read)
 * @param b - the right-hand side: a vector of length n, or an n×r Matrix B (second overload)
 * @param opts - which triangle (`lower`), whether to solve with Tᵀ (`trans`), unit diagonal
 * @returns x = op(T)⁻¹·b, a new vector (or matrix for a matrix B)
 * @example
 * ```ts
 * import { fromRows, solveTriangular } from "splitscape";
 * const L = fromRows([[2, 0], [1, 1]]);
 * console.log(solveTriangular(L, Float64Array.of(2, 3), { lower: true })); // Float64Array [1, 2]
 * ```
 */
export function solveTriangular(T: Matrix, b: Float64Array, opts: TriangularOptions): Float64Array;
export function solveTriangular(T: Matrix, B: Matrix, opts: TriangularOptions): Matrix;
export function solveTriangular(
  T: Matrix, B: Float64Array | Matrix, opts: TriangularOptions,
): Float64Array | Matrix {
  const n = T.rows;
  if (T.cols !== n) throw new RangeError(`solveTriangular: T is ${T.rows}×${T.cols}, not square`);
  const trans = opts.trans ?? false;
  const unit = opts.unitDiagonal ?? false;
  if (B instanceof Float64Array) {
    if (B.length !== n) throw new RangeError(`solveTriangular: T is ${n}×${n} but b has length ${B.length}`);
    const x = B.slice();
    trsvRaw(opts.lower, trans, unit, n, T.data, 0, n, x, 0, "solveTriangular");
    return x;
  }
  if (B.rows !== n) throw new RangeError(`solveTriangular: T is ${n}×${n} but B is ${B.rows}×${B.cols}`);
  const X: Matrix = { rows: n, cols: B.cols, data: B.data.slice() };
  trsmRaw(opts.lower, trans, unit, n, B.cols, T.data, 0, n, X.data, 0, B.cols, "solveTriangular");
  return X;
}

/**
 * Raw in-place triangular solve with a vector (BLAS dtrsv): x ← op(T)⁻¹·x, where T is the n×n
 * triangle of `t` at `tOff` with row stride `ldt` and x is n contiguous entries of `x` at `xOff`.
 * Row-oriented dot products when op(T) = T, column-oriented axpys when op(T) = Tᵀ, so every
 * inner loop runs over a contiguous row of T. Throws SingularMatrixError (tagged `where`).
 */
export function trsvRaw(
  lower: boolean, trans: boolean, unit: boolean, n: number,
  t: Float64Array, tOff: number, ldt: number,
  x: Float64Array, xOff: number,
  where = "trsv",
): void {
  if (!unit) checkDiagonal(n, t, tOff, ldt, where);
  if (!trans) {
    if (lower) {
      for (let i = 0; i < n; i++) {
        const ti = tOff + i * ldt;
        let s = x[xOff + i];
        for (let k = 0; k < i; k++) s -= t[ti + k] * x[xOff + k];
        x[xOff + i] = unit ? s : s / t[ti + i];
      }
    } else {
      for (let i = n - 1; i >= 0; i--) {
        const ti = tOff + i * ldt;
        let s = x[xOff + i];
        for (let k = i + 1; k < n; k++) s -= t[ti + k] * x[xOff + k];
        x[xOff + i] = unit ? s : s / t[ti + i];
      }
    }
  } else if (lower) {
    // Lᵀ is upper: x_k is final once all rows below k have been eliminated.
    for (let k = n - 1; k >= 0; k--) {
      const tk = tOff + k * ldt;
      const xk = unit ? x[xOff + k] : x[xOff + k] / t[tk + k];
      x[xOff + k] = xk;
      if (xk !== 0) for (let i = 0; i < k; i++) x[xOff + i] -= t[tk + i] * xk;
    }
  } else {
    // Uᵀ is lower.
    for (let k = 0; k < n; k++) {
      const tk = tOff + k * ldt;
      const xk = unit ? x[xOff + k] : x[xOff + k] / t[tk + k];
      x[xOff + k] = xk;
      if (xk !== 0) for (let i = k + 1; i < n; i++) x[xOff + i] -= t[tk + i] * xk;
    }
  }
}

/**
 * Raw in-place triangular solve with several right-hand sides (BLAS dtrsm, SIDE = 'L'):
 * B ← op(T)⁻¹·B, with T the n×n triangle at `tOff` (row stride ldt) and B an n×nrhs row-major
 * block at `bOff` (row stride ldb). Blocked through gemmRaw for n > 64.
 */
export function trsmRaw(
  lower: boolean, trans: boolean, unit: boolean, n: number, nrhs: number,
  t: Float64Array, tOff: number, ldt: number,
  b: Float64Array, bOff: number, ldb: number,
  where = "trsm",
): void {
  if (!unit) checkDiagonal(n, t, tOff, ldt, where);
  if (nrhs === 0 || n === 0) return;
  const effLower = lower !== trans; // op(T) is lower triangular
  if (n <= TRSM_BLOCK || nrhs < 4) {
    trsmUnblocked(effLower, trans, unit, 0, n, nrhs, t, tOff, ldt, b, bOff, ldb);
    return;
  }
  if (effLower) {
    for (let i0 = 0; i0 < n; i0 += TRSM_BLOCK) {
      const i1 = Math.min(n, i0 + TRSM_BLOCK);
      if (i0 > 0) {
        // B[i0:i1] −= op(T)[i0:i1, 0:i0] · X[0:i0]
        const aOff = trans ? tOff + i0 : tOff + i0 * ldt; // T[0, i0] (read transposed) or T[i0, 0]
        gemmRaw(trans, false, i1 - i0, nrhs, i0, -1, t, aOff, ldt, b, bOff, ldb, 1, b, bOff + i0 * ldb, ldb);
      }
      trsmUnblocked(true, trans, unit, i0, i1, nrhs, t, tOff, ldt, b, bOff, ldb);
    }
  } else {
    const nBlocks = Math.ceil(n / TRSM_BLOCK);
    for (let blk = nBlocks - 1; blk >= 0; blk--) {
      const i0 = blk * TRSM_BLOCK;
      const i1 = Math.min(n, i0 + TRSM_BLOCK);
      if (i1 < n) {
        // B[i0:i1] −= op(T)[i0:i1, i1:n] · X[i1:n]
        const aOff = trans ? tOff + i1 * ldt + i0 : tOff + i0 * ldt + i1; // T[i1, i0]ᵀ or T[i0, i1]
        gemmRaw(trans, false, i1 - i0, nrhs, n - i1, -1, t, aOff, ldt, b, bOff + i1 * ldb, ldb, 1, b, bOff + i0 * ldb, ldb);
      }
      trsmUnblocked(false, trans, unit, i0, i1, nrhs, t, tOff, ldt, b, bOff, ldb);
    }
  }
}

/**
 * Substitution restricted to the diagonal block rows/cols [i0, i1) of op(T): rows of B outside
 * the block are assumed already eliminated. Inner loops are axpys over contiguous rows of B.
 */
function trsmUnblocked(
  effLower: boolean, trans: boolean, unit: boolean, i0: number, i1: number, nrhs: number,
  t: Float64Array, tOff: number, ldt: number,
  b: Float64Array, bOff: number, ldb: number,
): void {
  if (effLower) {
    for (let i = i0; i < i1; i++) {
      const bi = bOff + i * ldb;
      for (let k = i0; k < i; k++) {
        const tik = trans ? t[tOff + k * ldt + i] : t[tOff + i * ldt + k];
        if (tik === 0) continue;
        const bk = bOff + k * ldb;
        for (let j = 0; j < nrhs; j++) b[bi + j] -= tik * b[bk + j];
      }
      if (!unit) {
        const d = t[tOff + i * ldt + i];
        for (let j = 0; j < nrhs; j++) b[bi + j] /= d;
      }
    }
  } else {
    for (let i = i1 - 1; i >= i0; i--) {
      const bi = bOff + i * ldb;
      for (let k = i + 1; k < i1; k++) {
        const tik = trans ? t[tOff + k * ldt + i] : t[tOff + i * ldt + k];
        if (tik === 0) continue;
        const bk = bOff + k * ldb;
        for (let j = 0; j < nrhs; j++) b[bi + j] -= tik * b[bk + j];
      }
      if (!unit) {
        const d = t[tOff + i * ldt + i];
        for (let j = 0; j < nrhs; j++) b[bi + j] /= d;
      }
    }
  }
}

function checkDiagonal(n: number, t: Float64Array, tOff: number, ldt: number, where: string): void {
  for (let i = 0; i < n; i++) {
    const d = t[tOff + i * ldt + i];
    if (d === 0 || !Number.isFinite(d)) throw new SingularMatrixError(where, i, d);
  }
}
