import { type Matrix, transposeRaw } from "./matrix.js";
import { type Arena, withArena } from "./arena.js";
import { nrm2 } from "./blas.js";
import { applyQTransposeRight, backTransformWorkspace, tridiagonalize, tridiagonalizeWorkspace } from "./tridiagonalize.js";
import { tridiagonalEigh, tridiagonalEighWorkspace } from "./tridiagonal.js";

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
/** Rows per block of the Gram matrix's upper triangle (syrk by blocks of gemm). */
const GRAM_BLOCK = 64;
/**
 * A sweep recomputes the whole Gram matrix when more than this fraction of the rows changed in
 * the previous sweep; else only the dot products of the changed rows with all rows (one thin gemm).
 */
const FULL_GRAM_FRACTION = 1 / 3;

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
 * A sweep visits only the pairs with a row that changed in the previous sweep (the others were
 * found orthogonal and have not moved since), screening them with dot products from one gemm
 * at the sweep's start — the whole Gram matrix's upper triangle, or only the changed rows
 * against all once few changed — and re-checking exactly the pairs that touch a row rotated
 * earlier in the sweep. B, W and the Gram matrix stay resident in one arena (arena.ts).
 *
 * @param A - an m×n matrix, any shape (not modified)
 * @param options - `vectors`: "thin" (default) for U and V, "none" for the singular values only
 * @returns σ descending, U (m×r) and V (n×r) with A = U·diag(σ)·Vᵀ, and the sweep statistics
 * @example
 * ```ts
 * import { fromRows, svd } from "splitscape";
 * const { values, U, V } = svd(fromRows([[3, 0], [0, -2], [0, 0]]));
 * console.log(values, U!.rows, V!.rows); // ≈ [3, 2], 3, 2
 * ```
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
  const scale = 2 ** e;
  const eighStages = r >= PRECONDITION_MIN ? preconditionWorkspace(r) : 0;
  return withArena(2 * r * len + 3 * r * r + eighStages, 5, (ar) => {
    const h = ar.heap;
    // BT: r×len, row i = column i of the tall matrix (Aᵀ when m ≥ n, A itself when m < n).
    const BT = ar.alloc(r * len);
    if (tall) {
      transposeRaw(data, 0, m, n, h, BT, h1);
      for (let i = 0; i < m * n; i++) h[BT + i] *= h2;
    } else {
      for (let i = 0; i < m * n; i++) h[BT + i] = data[i] * h1 * h2;
    }
    const G = ar.alloc(r * r);
    const scratch = ar.alloc(r * len);
    // WT: r×r, row i = the i-th right (short-side) vector being accumulated.
    let WT = -1;
    if (r >= PRECONDITION_MIN) {
      WT = ar.alloc(r * r);
      precondition(ar, BT, r, len, G, WT, scratch);
    } else if (wantVectors) {
      WT = ar.alloc(r * r);
      h.fill(0, WT, WT + r * r);
      for (let i = 0; i < r; i++) h[WT + i * r + i] = 1;
    }
    const { sweeps, converged } = jacobiSweeps(ar, BT, r, len, wantVectors ? WT : -1, tolerance, G, scratch);
    // σ_i = ‖b_i‖, sorted descending.
    const sigma = new Float64Array(r);
    for (let i = 0; i < r; i++) sigma[i] = nrm2(h.subarray(BT + i * len, BT + (i + 1) * len));
    const order = Array.from({ length: r }, (_, i) => i).sort((p, q) => sigma[q] - sigma[p]);
    const values = new Float64Array(r);
    for (let i = 0; i < r; i++) values[i] = sigma[order[i]] * scale;
    if (!wantVectors) return { values, U: null, V: null, sweeps, tolerance, converged };
    // Long side: normalised b_i (completed where σ_i = 0); short side: rows of WT. Both are
    // transposes with the rows in `order`: gather the rows (normalised) into scratch, then a
    // tiled transpose.
    const long = new Float64Array(len * r);
    const short = new Float64Array(r * r);
    const zero: number[] = [];
    for (let k = 0; k < r; k++) {
      const i = order[k];
      const s = sigma[i];
      if (s === 0) {
        zero.push(k);
        h.fill(0, scratch + k * len, scratch + (k + 1) * len);
      } else {
        for (let t = 0; t < len; t++) h[scratch + k * len + t] = h[BT + i * len + t] / s;
      }
    }
    transposeRaw(h, scratch, r, len, long, 0);
    for (let k = 0; k < r; k++) h.copyWithin(scratch + k * r, WT + order[k] * r, WT + (order[k] + 1) * r);
    transposeRaw(h, scratch, r, r, short, 0);
    if (zero.length > 0) completeOrthonormal(long, len, r, zero);
    const L: Matrix = { rows: len, cols: r, data: long };
    const S: Matrix = { rows: r, cols: r, data: short };
    return tall
      ? { values, U: L, V: S, sweeps, tolerance, converged }
      : { values, U: S, V: L, sweeps, tolerance, converged };
  });
}

/**
 * Singular values of A, descending (`svd(A, { vectors: 'none' }).values`).
 *
 * @param A - an m×n matrix (not modified)
 * @returns the min(m, n) singular values, descending
 * @example
 * ```ts
 * import { fromRows, singularValues } from "splitscape";
 * console.log(singularValues(fromRows([[1, 1], [1, 1]]))); // ≈ [2, 0]
 * ```
 */
export function singularValues(A: Matrix): Float64Array {
  return svd(A, { vectors: "none" }).values;
}

/**
 * Numerical rank: the number of singular values above `tol`, by default
 * σ_max · max(m, n) · ε (the convention of NumPy's matrix_rank and MATLAB's rank).
 *
 * @param A - an m×n matrix (not modified)
 * @param tol - the absolute threshold on singular values (default σ_max·max(m, n)·ε)
 * @returns the number of singular values above `tol`
 * @example
 * ```ts
 * import { fromRows, rank } from "splitscape";
 * console.log(rank(fromRows([[1, 2], [2, 4], [3, 6]]))); // 1
 * ```
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
 * G ← the upper triangle of BT·BTᵀ (r×r, entries (p, q ≥ p)): one gemm per block of GRAM_BLOCK
 * rows against the rows from the block on (LAPACK dsyrk by blocks; about half the flops of the
 * full product).
 */
function gramUpper(ar: Arena, BT: number, r: number, len: number, G: number): void {
  for (let i0 = 0; i0 < r; i0 += GRAM_BLOCK) {
    const rows = Math.min(GRAM_BLOCK, r - i0);
    ar.gemm(false, true, rows, r - i0, len, 1, BT + i0 * len, len, BT + i0 * len, len, 0, G + i0 * r + i0, r);
  }
}

/**
 * BT ← Wᵀ·BT with W the eigenvectors of the Gram matrix BT·BTᵀ ordered by descending
 * eigenvalue; WT ← Wᵀ (r×r), the short-side vectors so far. The Gram matrix's upper triangle
 * (gramUpper, in G) goes through eigh's stages on this arena — the Householder reduction in
 * place, divide and conquer, the back-transformation — with the eigenvectors as the rows of
 * `scratch` (r×len ≥ r×r), so neither it nor its eigenvectors are copied or transposed. (eigh's
 * power-of-two scaling is not needed: B is scaled to max|b| < 2, so |G| ≤ 4·len.) Arena:
 * preconditionWorkspace(r) doubles besides G, WT and scratch.
 */
function precondition(ar: Arena, BT: number, r: number, len: number, G: number, WT: number, scratch: number): void {
  const h = ar.heap;
  gramUpper(ar, BT, r, len, G);
  const tri = tridiagonalize(ar, G, r);
  const { order } = tridiagonalEigh(ar, tri.d, tri.e, scratch);
  applyQTransposeRight(ar, tri, scratch, r);
  // WT row i = the eigenvector of the i-th largest eigenvalue.
  for (let i = 0; i < r; i++) {
    const from = scratch + order[r - 1 - i] * r;
    h.copyWithin(WT + i * r, from, from + r);
  }
  ar.gemm(false, false, r, len, r, 1, WT, r, BT, len, 0, scratch, len);
  h.copyWithin(BT, scratch, scratch + r * len);
}

/** Arena doubles of precondition's eigh stages on an r×r Gram matrix (and their allocs' alignment). */
function preconditionWorkspace(r: number): number {
  return tridiagonalizeWorkspace(r) + tridiagonalEighWorkspace(r) + backTransformWorkspace(r, r) + 8 * PRECONDITION_ALLOCS;
}

/** Regions the eigh stages allocate (tridiagonalize 6, tridiagonalEigh 4, applyQTransposeRight 1; its blocks pad themselves). */
const PRECONDITION_ALLOCS = 11;

/**
 * Cyclic one-sided Jacobi on the rows of BT (r×len) until a sweep rotates nothing (see svd's
 * comment): sweep k visits the pairs with a row that changed in sweep k − 1 (all pairs in the
 * first); a pair of rows that no rotation has touched yet in this sweep is judged from the dot
 * products computed at its start (G: the Gram matrix's upper triangle, or the changed rows
 * against all, C×r in G), any other pair from an exact dot product. The rotation of rows p, q
 * with α = ‖b_p‖², β = ‖b_q‖², γ = b_pᵀb_q is the Rutishauser one: ζ = (β − α)/2γ,
 * t = sign(ζ)/(|ζ| + √(1+ζ²)), c = 1/√(1+t²), s = c t. WT (when ≥ 0) receives the same rotations.
 * `scratch` (r×len) holds the changed rows for the thin gemm.
 */
function jacobiSweeps(
  ar: Arena, BT: number, r: number, len: number, WT: number, tol: number, G: number, scratch: number,
): { sweeps: number; converged: boolean } {
  const h = ar.heap;
  const nrm = new Float64Array(r);
  const dirty = new Uint8Array(r);
  let changed = new Uint8Array(r).fill(1);
  let next = new Uint8Array(r);
  const pos = new Int32Array(r);
  const exact = new Float64Array(3);
  for (let sweep = 1; sweep <= MAX_SWEEPS; sweep++) {
    // The dot products of this sweep's start: full (upper triangle) or the changed rows.
    let count = 0;
    for (let i = 0; i < r; i++) if (changed[i] === 1) pos[i] = count++;
    const full = count > FULL_GRAM_FRACTION * r;
    if (full) {
      gramUpper(ar, BT, r, len, G);
    } else {
      for (let i = 0; i < r; i++) if (changed[i] === 1) h.copyWithin(scratch + pos[i] * len, BT + i * len, BT + (i + 1) * len);
      ar.gemm(false, true, count, r, len, 1, scratch, len, BT, len, 0, G, r);
    }
    const dotAt = (p: number, q: number): number =>
      full ? h[G + p * r + q] : changed[p] === 1 ? h[G + pos[p] * r + q] : h[G + pos[q] * r + p];
    for (let i = 0; i < r; i++) {
      if (!full && changed[i] === 0) continue;
      nrm[i] = dotAt(i, i);
      if (nrm[i] < TINY_SQUARED) {
        nrm[i] = 0;
        h.fill(0, BT + i * len, BT + (i + 1) * len);
      }
    }
    dirty.fill(0);
    next.fill(0);
    let rotations = 0;
    for (let p = 0; p < r - 1; p++) {
      const po = BT + p * len;
      for (let q = p + 1; q < r; q++) {
        if (changed[p] === 0 && changed[q] === 0) continue; // orthogonal, and unmoved since
        let alpha = nrm[p];
        let beta = nrm[q];
        if (alpha === 0 || beta === 0) continue;
        let gamma: number;
        if (dirty[p] === 0 && dirty[q] === 0) {
          gamma = dotAt(p, q);
          if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        }
        // Exact values for the decision and the rotation.
        const qo = BT + q * len;
        ar.dots3(po, qo, len, exact);
        alpha = exact[0];
        beta = exact[1];
        gamma = exact[2];
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        const zeta = (beta - alpha) / (2 * gamma);
        const az = Math.abs(zeta);
        const t = az > 1e150 ? 0.5 / zeta : Math.sign(zeta || 1) / (az + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        ar.rotatePair(po, qo, len, c, s, exact);
        nrm[p] = exact[0];
        nrm[q] = exact[1];
        if (WT >= 0) ar.rotatePair(WT + p * r, WT + q * r, r, c, s, null);
        dirty[p] = 1;
        dirty[q] = 1;
        next[p] = 1;
        next[q] = 1;
        rotations++;
      }
    }
    if (rotations === 0) return { sweeps: sweep, converged: true };
    [changed, next] = [next, changed];
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
