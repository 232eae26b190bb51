import { identity, type Matrix } from "./matrix.js";
import { gemmRaw } from "./gemm.js";
import { type Arena, withArena } from "./arena.js";
import { applyQTransposeRight, backTransformWorkspace, tridiagonalize, tridiagonalizeWorkspace } from "./tridiagonalize.js";
import { tridiagonalEigenvalues, tridiagonalEigh, tridiagonalEighWorkspace } from "./tridiagonal.js";

/** Options of `eigh`. */
export interface EighOptions {
  /** Compute the eigenvectors (default true). */
  vectors?: boolean;
  /**
   * Largest accepted asymmetry max|a_ij − a_ji| / max|a_ij| (default 1e-8). The routine works
   * on the symmetric part (A + Aᵀ)/2; pass Infinity to symmetrise anything without checking.
   */
  symmetryTol?: number;
}

/** Result of `eigh`. */
export interface EighResult {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** n×n matrix whose column j is the unit eigenvector of values[j] (null when not asked for). */
  readonly vectors: Matrix | null;
  /** Measured max|a_ij − a_ji| / max|a_ij| of the input (0 for an exactly symmetric A). */
  readonly asymmetry: number;
}

/**
 * Eigen-decomposition A = V diag(λ) Vᵀ of a real symmetric matrix, eigenvalues ascending and V
 * orthogonal (LAPACK dsyevd's route; Golub & Van Loan §8.3–8.4):
 *  1. scale A by a power of two to max-norm ≈ 1 when max|a_ij| ∉ [2⁻¹⁰⁰, 2¹⁰⁰] (exact; keeps
 *     norms clear of over/underflow),
 *  2. Householder tridiagonalisation T = Qᵀ A Q, blocked so half its 4n³/3 flops are gemm,
 *  3. T = Z Λ Zᵀ by divide and conquer (implicit QL for the values alone),
 *  4. V = Q Z by blocked (compact-WY) reflectors, 2n³ gemm flops.
 * Backward stable: the computed pairs satisfy ‖A − VΛVᵀ‖ = O(nε‖A‖) and ‖VᵀV − I‖ = O(nε),
 * also for repeated and clustered eigenvalues. Throws RangeError for a non-square, non-finite
 * or (beyond `symmetryTol`) asymmetric input.
 *
 * @param A - a real symmetric n×n matrix (its symmetric part is used; not modified)
 * @param options - whether to compute eigenvectors (default yes) and the accepted asymmetry
 * @returns the eigenvalues ascending, the eigenvectors as columns (or null) and the measured
 * asymmetry of A
 * @example
 * ```ts
 * import { eigh, fromRows } from "splitscape";
 * const { values, vectors } = eigh(fromRows([[2, 1], [1, 2]]));
 * console.log(values, vectors!.rows); // ≈ [1, 3], 2
 * ```
 */
export function eigh(A: Matrix, options: EighOptions = {}): EighResult {
  const wantVectors = options.vectors ?? true;
  const n = checkSquare(A, "eigh");
  const symmetryTol = options.symmetryTol ?? 1e-8;
  if (n === 0) {
    return { values: new Float64Array(0), vectors: wantVectors ? { rows: 0, cols: 0, data: new Float64Array(0) } : null, asymmetry: 0 };
  }
  // One arena for the whole computation: A (then its reflectors), and for the vectors the
  // eigenvectors of T, resident from the merges through the back-transformation.
  const doubles = n * n + tridiagonalizeWorkspace(n) +
    (wantVectors ? n * n + tridiagonalEighWorkspace(n) + backTransformWorkspace(n, n) : 0);
  return withArena(doubles, 16, (ar) => {
    const Ah = ar.alloc(n * n);
    const { asymmetry, amax } = symmetrizeChecked(A, symmetryTol, ar, Ah);
    if (amax === 0) {
      // A = 0: λ = 0, V = I.
      return { values: new Float64Array(n), vectors: wantVectors ? identity(n) : null, asymmetry };
    }
    // Scaling by 2^−e (max-norm in [1, 2)) keeps norms clear of over/underflow. It is exact and
    // every step commutes with it, so within 2^±SCALE_FREE it would change nothing: skipped there.
    const e = Math.floor(Math.log2(amax));
    const scale = Math.abs(e) <= SCALE_FREE ? 1 : 2 ** e;
    if (scale !== 1) symmetrizeInto(A, 2 ** Math.trunc(-e / 2), 2 ** (-e - Math.trunc(-e / 2)), ar.heap, Ah);
    const tri = tridiagonalize(ar, Ah, n);
    if (!wantVectors) {
      const values = tridiagonalEigenvalues(tri.d, tri.e);
      for (let i = 0; i < n; i++) values[i] *= scale;
      return { values, vectors: null, asymmetry };
    }
    const Z = ar.alloc(n * n);
    const te = tridiagonalEigh(ar, tri.d, tri.e, Z);
    applyQTransposeRight(ar, tri, Z, n);
    const values = new Float64Array(n);
    for (let j = 0; j < n; j++) values[j] = te.values[te.order[j]] * scale;
    return { values, vectors: { rows: n, cols: n, data: transposeRows(ar.heap, Z, n, te.order) }, asymmetry };
  });
}

/**
 * Eigenvalues of a real symmetric matrix, ascending: `eigh(A, { vectors: false }).values`.
 *
 * @param A - a real symmetric n×n matrix (not modified)
 * @param options - the accepted asymmetry (`symmetryTol`)
 * @returns the eigenvalues, ascending
 * @example
 * ```ts
 * import { eigvalsh, fromRows } from "splitscape";
 * console.log(eigvalsh(fromRows([[0, 1], [1, 0]]))); // ≈ [-1, 1]
 * ```
 */
export function eigvalsh(A: Matrix, options: Omit<EighOptions, "vectors"> = {}): Float64Array {
  return eigh(A, { ...options, vectors: false }).values;
}

/** Quality numbers of an eigen-decomposition, for tests and reports. */
export interface EighCheck {
  /** ‖A V − V Λ‖_F / ‖A‖_F (0 when A = 0). */
  readonly residual: number;
  /** ‖Vᵀ V − I‖_F. */
  readonly orthogonality: number;
}

/**
 * Residual and loss of orthogonality of `result` for A (two gemms, 4n³ flops): a backward-stable
 * solver gives both O(nε).
 *
 * @param A - the matrix that was decomposed
 * @param result - its decomposition from eigh, with eigenvectors (RangeError without)
 * @returns the relative residual ‖AV − VΛ‖_F/‖A‖_F and the orthogonality loss ‖VᵀV − I‖_F
 * @example
 * ```ts
 * import { eigh, eighCheck, fromRows } from "splitscape";
 * const A = fromRows([[4, 1, 0], [1, 3, 1], [0, 1, 2]]);
 * const { residual, orthogonality } = eighCheck(A, eigh(A));
 * console.log(residual < 1e-14, orthogonality < 1e-14);
 * ```
 */
export function eighCheck(A: Matrix, result: EighResult): EighCheck {
  const V = result.vectors;
  if (V === null) throw new RangeError("eighCheck: the result has no eigenvectors");
  const n = A.rows;
  const r = V.cols;
  const av = new Float64Array(n * r);
  gemmRaw(false, false, n, r, n, 1, A.data, 0, n, V.data, 0, r, 0, av, 0, r);
  // Sums of squares of entries divided by max|a_ij|, so huge or tiny matrices do not overflow.
  let amax = 0;
  for (let i = 0; i < n * n; i++) amax = Math.max(amax, Math.abs(A.data[i]));
  const inv = amax === 0 ? 1 : 1 / amax;
  let res = 0;
  let anorm = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < r; j++) {
      const t = (av[i * r + j] - V.data[i * r + j] * result.values[j]) * inv;
      res += t * t;
    }
  }
  for (let i = 0; i < n * n; i++) anorm += (A.data[i] * inv) ** 2;
  const g = new Float64Array(r * r);
  gemmRaw(true, false, r, r, n, 1, V.data, 0, r, V.data, 0, r, 0, g, 0, r);
  let orth = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) {
      const t = g[i * r + j] - (i === j ? 1 : 0);
      orth += t * t;
    }
  }
  return { residual: amax === 0 ? Math.sqrt(res) : Math.sqrt(res / anorm), orthogonality: Math.sqrt(orth) };
}

function checkSquare(A: Matrix, who: string): number {
  if (A.rows !== A.cols) throw new RangeError(`${who}: matrix must be square, got ${A.rows}×${A.cols}`);
  if (A.data.length !== A.rows * A.cols) throw new RangeError(`${who}: data length ${A.data.length} ≠ ${A.rows}×${A.cols}`);
  return A.rows;
}

/** Tile size of symmetrizeInto: a 32×32 tile and its transpose stay in L1. */
const TILE = 32;

/**
 * max|a_ij| for which eigh leaves A unscaled (2^±SCALE_FREE): entries, their squares and sums
 * of n² squares stay far from overflow and underflow.
 */
const SCALE_FREE = 100;

/**
 * Copies A into the arena region `at` and makes its upper triangle the symmetric part's,
 * ½a_ij + ½a_ji (j ≥ i, Arena.symmetrize: one pass by tiles, each a_ji read beside a_ij); returns
 * max|a_ij| and the measured asymmetry max|a_ij − a_ji| / max|a_ij|, after checking that every
 * entry is finite and the asymmetry is within `symmetryTol` (RangeError otherwise).
 */
function symmetrizeChecked(A: Matrix, symmetryTol: number, ar: Arena, at: number): { asymmetry: number; amax: number } {
  const n = A.rows;
  ar.heap.set(A.data, at);
  const stats = new Float64Array(3);
  ar.symmetrize(n, at, stats);
  const [amax, asym, nan] = stats;
  if (nan !== 0 || !Number.isFinite(amax)) {
    throw new RangeError("eigh: matrix has a non-finite entry");
  }
  const asymmetry = amax === 0 ? 0 : asym / amax;
  if (asymmetry > symmetryTol) {
    throw new RangeError(`eigh: matrix is not symmetric (max|a_ij − a_ji|/max|a_ij| = ${asymmetry.toExponential(2)} > ${symmetryTol})`);
  }
  return { asymmetry, amax };
}

/** dst[off + i·n + j] = ½(a_ij + a_ji)·h1·h2 for j ≥ i: the scaled symmetric part's upper triangle. */
function symmetrizeInto(A: Matrix, h1: number, h2: number, dst: Float64Array, off: number): void {
  const n = A.rows;
  const a = A.data;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(i0 + TILE, n);
    for (let j0 = i0; j0 < n; j0 += TILE) {
      const j1 = Math.min(j0 + TILE, n);
      for (let i = i0; i < i1; i++) {
        const o = off + i * n;
        for (let j = Math.max(i, j0); j < j1; j++) dst[o + j] = 0.5 * (a[i * n + j] * h1 * h2 + a[j * n + i] * h1 * h2);
      }
    }
  }
}

/** V[r, j] = Vt[order[j], r] for the n×n Vt at offset `vt` of h: its rows become the columns of V, in `order`. */
function transposeRows(h: Float64Array, vt: number, n: number, order: Int32Array): Float64Array {
  const out = new Float64Array(n * n);
  const B = 32;
  for (let j0 = 0; j0 < n; j0 += B) {
    const j1 = Math.min(j0 + B, n);
    for (let r0 = 0; r0 < n; r0 += B) {
      const r1 = Math.min(r0 + B, n);
      for (let j = j0; j < j1; j++) {
        const src = vt + order[j] * n;
        for (let r = r0; r < r1; r++) out[r * n + j] = h[src + r];
      }
    }
  }
  return out;
}
