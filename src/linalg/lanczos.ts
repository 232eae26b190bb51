import type { Matrix } from "./matrix.js";
import { gemmRaw } from "./gemm.js";
import { eigh } from "./eigh.js";
import { axpy, nrm2, scal } from "./blas.js";
import { rowDots, subtractCombination } from "./rowops.js";

const EPS = 2.220446049250313e-16;

/** y ← A x for a symmetric operator A (x must not be modified; y is overwritten). */
export type SymmetricMatvec = (x: Float64Array, y: Float64Array) => void;

/** Options of `lanczos`. */
export interface LanczosOptions {
  /** Eigenpairs wanted (per end for which = 'both'); default 1. Clamped to n. */
  k?: number;
  /** Which end of the spectrum: smallest or largest algebraic, or k from each end. Default 'smallest'. */
  which?: "smallest" | "largest" | "both";
  /**
   * A pair counts as converged when ‖A x − θ x‖ ≤ tol·‖A‖_est, ‖A‖_est the largest |Ritz value|
   * (and Lanczos coefficient bound) seen. Default 1e-10.
   */
  tol?: number;
  /** Maximum number of restart cycles; default 500. */
  maxIter?: number;
  /** Seed of the deterministic start vector (ignored when v0 is given); default 0. */
  seed?: number;
  /** Start vector (length n, nonzero); default: seeded uniform random. */
  v0?: Float64Array;
  /** Krylov basis size m between restarts; default min(n, max(2·wanted + 20, 40)). */
  basisSize?: number;
}

/** Result of `lanczos`. */
export interface LanczosResult {
  /** The wanted eigenvalues (Ritz values), ascending. */
  readonly values: Float64Array;
  /** n×count, column j the unit Ritz vector of values[j]. */
  readonly vectors: Matrix;
  /** True residual norms ‖A x_j − θ_j x_j‖ (recomputed with one matvec each). */
  readonly residuals: Float64Array;
  /** Absolute residual threshold used: tol·‖A‖_est. */
  readonly threshold: number;
  /** Restart cycles performed (0 when the dense path was taken). */
  readonly iterations: number;
  /** Matrix-vector products used, including the final residual checks. */
  readonly matvecs: number;
  /** All wanted pairs reached `threshold` (by the Lanczos estimate |β_m y_m|). */
  readonly converged: boolean;
}

/**
 * Extreme eigenpairs of a symmetric operator known only through y ← A x, by the thick-restart
 * Lanczos method (Wu & Simon 2000, equivalent to implicitly restarted Lanczos, Sorensen 1992;
 * Golub & Van Loan §10.1) with full reorthogonalisation (classical Gram–Schmidt twice,
 * "twice is enough", Giraud et al. 2005), so the basis stays orthonormal to working precision
 * and no spurious copies of converged eigenvalues appear.
 *
 * A cycle extends an orthonormal basis V (n×m) with A V = V H + β v_m e_mᵀ, H symmetric
 * (tridiagonal after the first cycle's start, arrowhead plus tridiagonal after a restart);
 * the Ritz pairs (θ_i, V y_i) of H have residual norms exactly |β y_{m,i}|. The restart keeps
 * the wanted Ritz vectors and as many more from the same end(s) (l = wanted + (m − wanted)/2),
 * plus v_m, and H becomes diag(θ) bordered by the coupling β y_{m,i}. When n ≤ m the operator
 * is formed densely (n matvecs) and passed to `eigh`.
 *
 * Multiplicity: in exact arithmetic a single-vector Krylov space holds one direction of each
 * eigenspace; further copies of a repeated eigenvalue enter through rounding and the random
 * restarts after breakdown. In practice they are found (a threefold smallest eigenvalue comes
 * out three times in the tests), but this is not a guarantee: certify with `eigh` when n allows.
 *
 * @param matvec - y ← A·x for the symmetric operator A (must not modify x)
 * @param n - the dimension of A
 * @param options - how many pairs (`k`), which end of the spectrum, tolerance, restart limit,
 * start vector or seed
 * @returns the wanted Ritz values ascending, their unit vectors as columns, their true residuals,
 * the threshold, the work done and whether all converged
 * @example
 * ```ts
 * import { lanczos } from "splitscape";
 * // the path-graph Laplacian of size 200, without forming it
 * const n = 200;
 * const matvec = (x: Float64Array, y: Float64Array) => {
 *   for (let i = 0; i < n; i++) y[i] = (i > 0 ? x[i] - x[i - 1] : 0) + (i < n - 1 ? x[i] - x[i + 1] : 0);
 * };
 * const { values, converged } = lanczos(matvec, n, { k: 2, which: "largest" });
 * console.log(values, converged);
 * ```
 */
export function lanczos(matvec: SymmetricMatvec, n: number, options: LanczosOptions = {}): LanczosResult {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`lanczos: n must be a non-negative integer, got ${n}`);
  const which = options.which ?? "smallest";
  const k = Math.min(options.k ?? 1, n);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`lanczos: k must be a non-negative integer, got ${options.k}`);
  const wanted = which === "both" ? Math.min(2 * k, n) : k;
  const tol = options.tol ?? 1e-10;
  const maxIter = options.maxIter ?? 500;
  const m = Math.min(n, options.basisSize ?? Math.max(2 * wanted + 20, 40));
  if (options.v0 !== undefined && options.v0.length !== n) {
    throw new RangeError(`lanczos: v0 has length ${options.v0.length}, expected ${n}`);
  }
  if (wanted === 0) return emptyResult(n);
  if (m >= n) return denseLanczos(matvec, n, k, which, tol);
  if (m < wanted + 2) throw new RangeError(`lanczos: basisSize ${m} must be at least wanted + 2 = ${wanted + 2}`);

  const V = new Float64Array((m + 1) * n); // rows 0..m−1: basis; row m: residual direction
  const H = new Float64Array(m * m);
  const w = new Float64Array(n);
  const coef = new Float64Array(m + 1);
  const rand = uniformGenerator(options.seed ?? 0);
  const row = (i: number): Float64Array => V.subarray(i * n, (i + 1) * n);
  if (options.v0 !== undefined) row(0).set(options.v0);
  else for (let t = 0; t < n; t++) V[t] = rand();
  if (!normalize(row(0))) {
    randomOrthogonal(V, 0, n, rand, coef);
  }
  let normEst = 0;
  let matvecs = 0;
  let j0 = 0;
  let iterations = 0;
  let betaM = 0;
  let ritz: { theta: Float64Array; Y: Float64Array } = { theta: new Float64Array(0), Y: new Float64Array(0) };
  let keep: number[] = [];
  let converged = false;
  for (;;) {
    iterations++;
    // Extend the basis from column j0 to m.
    for (let j = j0; j < m; j++) {
      matvec(row(j), w);
      matvecs++;
      const alpha = orthogonalize(V, j + 1, n, w, coef);
      H[j * m + j] = alpha;
      const beta = nrm2(w);
      if (!Number.isFinite(alpha + beta)) throw new RangeError("lanczos: the operator returned a non-finite vector");
      normEst = Math.max(normEst, Math.abs(alpha) + beta + (j > 0 ? Math.abs(H[j * m + j - 1]) : 0));
      const next = row(j + 1);
      if (beta <= n * EPS * normEst) {
        // Invariant subspace: continue with a fresh direction, uncoupled (β = 0).
        randomOrthogonal(V, j + 1, n, rand, coef);
        if (j === m - 1) betaM = 0;
        continue;
      }
      for (let t = 0; t < n; t++) next[t] = w[t] / beta;
      if (j + 1 < m) {
        H[j * m + j + 1] = beta;
        H[(j + 1) * m + j] = beta;
      } else {
        betaM = beta;
      }
    }
    ritz = ritzPairs(H, m);
    normEst = Math.max(normEst, Math.abs(ritz.theta[0]), Math.abs(ritz.theta[m - 1]));
    const threshold = tol * normEst;
    keep = selectEnds(m, wanted, which, k);
    converged = keep.every((i) => Math.abs(betaM * ritz.Y[(m - 1) * m + i]) <= threshold);
    if (converged || iterations >= maxIter) break;
    // Thick restart: keep l Ritz vectors at the wanted end(s), then v_m.
    const l = Math.min(m - 2, wanted + Math.floor((m - wanted) / 2));
    const kept = selectEnds(m, l, which, which === "both" ? Math.ceil(l / 2) : l);
    restart(V, H, m, n, kept, ritz, betaM);
    j0 = kept.length;
  }
  // Ritz vectors of the wanted pairs, ascending, with their true residuals.
  const count = keep.length;
  const X = ritzVectors(V, n, m, ritz.Y, keep);
  const values = new Float64Array(count);
  const residuals = new Float64Array(count);
  const vectors = new Float64Array(n * count);
  for (let c = 0; c < count; c++) {
    const x = X.subarray(c * n, (c + 1) * n);
    normalize(x);
    const theta = ritz.theta[keep[c]];
    values[c] = theta;
    matvec(x, w);
    matvecs++;
    axpy(-theta, x, w);
    residuals[c] = nrm2(w);
    for (let t = 0; t < n; t++) vectors[t * count + c] = x[t];
  }
  return {
    values, vectors: { rows: n, cols: count, data: vectors }, residuals,
    threshold: tol * normEst, iterations, matvecs, converged,
  };
}

/**
 * w ← (I − V₀..V_{cnt−1} V…ᵀ) w twice (CGS2); returns the Rayleigh coefficient of the last
 * basis vector, v_{cnt−1}ᵀ A v_{cnt−1} = sum of both passes' last coefficients.
 */
function orthogonalize(V: Float64Array, cnt: number, n: number, w: Float64Array, coef: Float64Array): number {
  let alpha = 0;
  for (let pass = 0; pass < 2; pass++) {
    rowDots(V, 0, n, cnt, w, 0, 0, coef);
    subtractCombination(V, 0, n, cnt, coef, w, 0, 0);
    alpha += coef[cnt - 1];
  }
  return alpha;
}

/** Row `i` of V ← a random unit vector orthogonal to rows 0..i−1 (a few tries). */
function randomOrthogonal(V: Float64Array, i: number, n: number, rand: () => number, coef: Float64Array): void {
  const x = V.subarray(i * n, (i + 1) * n);
  for (let attempt = 0; attempt < 10; attempt++) {
    for (let t = 0; t < n; t++) x[t] = rand();
    if (i > 0) orthogonalize(V, i, n, x, coef);
    const nx = nrm2(x);
    if (nx > 1e-8) {
      scal(1 / nx, x);
      return;
    }
  }
  throw new Error("lanczos: could not extend the basis (the basis already spans the space)");
}

/** Eigen-decomposition of the projected matrix: θ ascending, Y column-major-free (m×m rows). */
function ritzPairs(H: Float64Array, m: number): { theta: Float64Array; Y: Float64Array } {
  const r = eigh({ rows: m, cols: m, data: H.slice() }, { symmetryTol: Infinity });
  return { theta: r.values, Y: r.vectors!.data };
}

/** Indices (ascending) of `count` Ritz values at the wanted end(s); for 'both', `low` from below. */
function selectEnds(m: number, count: number, which: "smallest" | "largest" | "both", low: number): number[] {
  const out: number[] = [];
  if (which === "smallest") for (let i = 0; i < count; i++) out.push(i);
  else if (which === "largest") for (let i = m - count; i < m; i++) out.push(i);
  else {
    const lo = Math.min(low, count);
    for (let i = 0; i < lo; i++) out.push(i);
    for (let i = m - (count - lo); i < m; i++) out.push(i);
  }
  return out;
}

/** X (count×n) = rows Σ_t Y[t, keep_c] V_t, by gemm. */
function ritzVectors(V: Float64Array, n: number, m: number, Y: Float64Array, keep: number[]): Float64Array {
  const count = keep.length;
  const ysel = new Float64Array(count * m);
  for (let c = 0; c < count; c++) for (let t = 0; t < m; t++) ysel[c * m + t] = Y[t * m + keep[c]];
  const X = new Float64Array(count * n);
  gemmRaw(false, false, count, n, m, 1, ysel, 0, m, V, 0, n, 0, X, 0, n);
  return X;
}

/**
 * V ← [V Y_kept, v_m], H ← [[diag θ_kept, s], [sᵀ, ·]] with s_i = β_m Y[m−1, kept_i]
 * (Wu & Simon's thick restart).
 */
function restart(
  V: Float64Array, H: Float64Array, m: number, n: number, kept: number[],
  ritz: { theta: Float64Array; Y: Float64Array }, betaM: number,
): void {
  const l = kept.length;
  const X = ritzVectors(V, n, m, ritz.Y, kept);
  V.copyWithin(l * n, m * n, (m + 1) * n);
  V.set(X, 0);
  H.fill(0);
  for (let i = 0; i < l; i++) {
    H[i * m + i] = ritz.theta[kept[i]];
    const s = betaM * ritz.Y[(m - 1) * m + kept[i]];
    H[i * m + l] = s;
    H[l * m + i] = s;
  }
}

/** Small operators: A = [A e_0, …, A e_{n−1}] symmetrised, then `eigh`. */
function denseLanczos(
  matvec: SymmetricMatvec, n: number, k: number, which: "smallest" | "largest" | "both", tol: number,
): LanczosResult {
  const a = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    matvec(e, col);
    for (let i = 0; i < n; i++) a[i * n + j] = col[i];
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  const r = eigh({ rows: n, cols: n, data: a }, { symmetryTol: Infinity });
  const keep = selectEnds(n, which === "both" ? Math.min(2 * k, n) : k, which, k);
  const count = keep.length;
  const values = new Float64Array(count);
  const vectors = new Float64Array(n * count);
  const residuals = new Float64Array(count);
  const x = new Float64Array(n);
  const V = r.vectors!.data;
  for (let c = 0; c < count; c++) {
    const j = keep[c];
    values[c] = r.values[j];
    for (let i = 0; i < n; i++) {
      x[i] = V[i * n + j];
      vectors[i * count + c] = x[i];
    }
    matvec(x, col);
    axpy(-values[c], x, col);
    residuals[c] = nrm2(col);
  }
  let normEst = 0;
  for (const v of r.values) normEst = Math.max(normEst, Math.abs(v));
  return {
    values, vectors: { rows: n, cols: count, data: vectors }, residuals,
    threshold: tol * normEst, iterations: 0, matvecs: n + count, converged: true,
  };
}

function emptyResult(n: number): LanczosResult {
  return {
    values: new Float64Array(0), vectors: { rows: n, cols: 0, data: new Float64Array(0) },
    residuals: new Float64Array(0), threshold: 0, iterations: 0, matvecs: 0, converged: true,
  };
}

/** x ← x/‖x‖; false (x untouched) when x = 0. */
function normalize(x: Float64Array): boolean {
  const nx = nrm2(x);
  if (nx === 0 || !Number.isFinite(nx)) return false;
  scal(1 / nx, x);
  return true;
}

/** Deterministic uniform(−½, ½) numbers from a 32-bit seed (mulberry32). */
function uniformGenerator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}
