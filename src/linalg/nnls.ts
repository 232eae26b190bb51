import type { Matrix } from "./matrix.js";

export interface NnlsOptions {
  /**
   * Maximum number of inner (feasibility-restoring) iterations. Default max(3n, 10), the
   * limit of Lawson & Hanson's NNLS code (3n) with a floor for tiny n.
   */
  readonly maxIterations?: number;
  /**
   * Relative entry threshold: column j may enter the passive set only if its dual
   * w_j = a_jᵀ(b − Ax) exceeds tol·‖a_j‖·‖b‖. Default 10·max(m, n)·eps: the rounding level of
   * w_j, which scales with the column's norm (so badly scaled columns are treated alike).
   */
  readonly tol?: number;
}

/** The NNLS solution and the numbers that certify it. */
export interface NnlsResult {
  /** argmin ‖A·x − b‖₂ subject to x ≥ 0; entries outside the passive set are exactly 0. */
  readonly x: Float64Array;
  /** ‖A·x − b‖₂, recomputed from A, x and b. */
  readonly residualNorm: number;
  /** The dual vector w = Aᵀ(b − A·x), recomputed from A. At the optimum w ≤ 0, w_j = 0 where x_j > 0. */
  readonly dual: Float64Array;
  /** max over x_j = 0 of max(w_j, 0): violation of dual feasibility. */
  readonly dualInfeasibility: number;
  /** max over x_j > 0 of |w_j|: violation of stationarity on the passive set. */
  readonly stationarity: number;
  /** |xᵀw|: violation of complementarity (≤ ‖x‖₁·stationarity). */
  readonly complementarity: number;
  /**
   * ‖min(x, ∇f)‖_∞ with ∇f = Aᵀ(Ax − b) = −w: the projected-gradient (natural residual) KKT
   * measure, 0 exactly at a KKT point. Absolute (it scales with ‖a_j‖·‖b‖): its rounding
   * level is about tol·max_j‖a_j‖·(‖|A||x|‖ + ‖b‖).
   */
  readonly kktResidual: number;
  /** Indices of the passive set {j : x_j > 0}, increasing. */
  readonly passive: Int32Array;
  /** Inner iterations used. */
  readonly iterations: number;
  /** Outer iterations (columns moved into the passive set). */
  readonly outerIterations: number;
  /** False if the iteration limit stopped the solver (x is then feasible but not optimal). */
  readonly converged: boolean;
  /** The relative entry threshold used (see NnlsOptions.tol). */
  readonly tol: number;
}

/** Lawson & Hanson's test on a new column: its new diagonal must exceed 1% of its projection. */
const INDEPENDENCE_FACTOR = 0.01;

/**
 * Non-negative least squares, min ‖A·x − b‖₂ s.t. x ≥ 0, by the active-set algorithm of
 * Lawson & Hanson (Solving Least Squares Problems, 1974, ch. 23, Algorithm NNLS), following
 * their Fortran code: the passive columns are kept triangularised in place by Householder
 * transformations applied to A and b (which therefore never need Q), columns leave the passive
 * set by Givens rotations that restore the triangle. Each step:
 *   1. w = Aᵀ(b − Ax) on the zero set Z; stop if Z is empty, |P| = m, or no w_j exceeds
 *      tol·‖a_j‖·‖b‖.
 *   2. Move the column t of largest w_t/‖a_t‖ into P (Lawson & Hanson take the largest w_t;
 *      normalising makes the path invariant under column scaling — it is their algorithm run
 *      on A·diag(1/‖a_j‖) — and any t with w_t > 0 keeps their finite-termination proof), unless (degeneracy safeguards) it is
 *      numerically dependent on P (its new diagonal ≤ 1% of its projection onto span P — this is
 *      what handles repeated and zero columns) or its unconstrained coefficient is ≤ 0; then
 *      try the next largest w.
 *   3. z = argmin ‖A_P·z − b‖; while some z_j ≤ 0: step x ← x + α(z − x) to the boundary, move
 *      every j with x_j ≤ 0 back to Z, recompute z.
 * Converges in finitely many steps; the result reports the KKT conditions recomputed from A:
 * w ≤ 0 on Z, w = 0 on P. A and b are not modified.
 *
 * @param A - an m×n matrix (not modified)
 * @param b - the target vector, length m
 * @param opts - the iteration limit and the relative entry threshold `tol`
 * @returns x ≥ 0 with the residual, the dual w and the KKT measures recomputed from A, the passive
 * set, iteration counts and whether it converged
 * @example
 * ```ts
 * import { fromRows, nnls } from "splitscape";
 * const r = nnls(fromRows([[1, 0], [0, 1]]), Float64Array.of(2, -1));
 * console.log(r.x, r.converged); // Float64Array [2, 0] true
 * ```
 */
export function nnls(A: Matrix, b: Float64Array, opts: NnlsOptions = {}): NnlsResult {
  const { rows: m, cols: n } = A;
  if (b.length !== m) throw new RangeError(`nnls: A is ${m}×${n} but b has length ${b.length}`);
  for (let i = 0; i < A.data.length; i++) {
    if (!Number.isFinite(A.data[i])) throw new RangeError(`nnls: A has a non-finite entry at ${Math.floor(i / n)}, ${i % n}`);
  }
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(b[i])) throw new RangeError(`nnls: b has a non-finite entry at ${i}`);
  }

  // Working copies: at holds Aᵀ (row j = column j of A, contiguous), bw holds b.
  const at = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = A.data[i * n + j];
  const bw = b.slice();

  let bNorm = 0;
  for (let i = 0; i < m; i++) bNorm += b[i] * b[i];
  bNorm = Math.sqrt(bNorm);
  const tol = opts.tol ?? 10 * Math.max(m, n) * Number.EPSILON;
  // colScale[j] = ‖a_j‖: entry thresholds tol·‖a_j‖·‖b‖ and the scale-invariant choice below.
  const colScale = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += at[j * m + i] * at[j * m + i];
    colScale[j] = Math.sqrt(s);
  }
  const maxIterations = opts.maxIterations ?? Math.max(3 * n, 10);

  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const zz = new Float64Array(m);
  // index[0..nsetp) is the passive set P (in triangular order), index[nsetp..n) the zero set Z.
  const index = new Int32Array(n);
  for (let j = 0; j < n; j++) index[j] = j;
  let nsetp = 0;
  let iterations = 0;
  let outer = 0;
  let converged = true;

  outerLoop: while (true) {
    if (nsetp >= n || nsetp >= m) break;
    // Step 1: dual on Z, in the transformed coordinates (rows ≥ nsetp carry the residual).
    for (let iz = nsetp; iz < n; iz++) {
      const j = index[iz];
      let s = 0;
      for (let l = nsetp; l < m; l++) s += at[j * m + l] * bw[l];
      w[j] = s;
    }
    // Step 2: find an admissible entering column.
    let izmax = -1;
    let up = 0;
    while (true) {
      let best = 0;
      izmax = -1;
      for (let iz = nsetp; iz < n; iz++) {
        const j = index[iz];
        const cj = colScale[j];
        if (w[j] > tol * cj * bNorm && w[j] > best * cj) {
          best = w[j] / cj;
          izmax = iz;
        }
      }
      if (izmax < 0) break outerLoop;
      const j = index[izmax];
      const row = j * m;
      const asave = at[row + nsetp];
      up = h12Construct(at, row, nsetp, m);
      let unorm = 0;
      for (let l = 0; l < nsetp; l++) unorm += at[row + l] * at[row + l];
      unorm = Math.sqrt(unorm);
      if (unorm + Math.abs(at[row + nsetp]) * INDEPENDENCE_FACTOR - unorm > 0) {
        zz.set(bw);
        h12Apply(at, row, nsetp, m, up, zz, 0);
        const ztest = zz[nsetp] / at[row + nsetp];
        if (ztest > 0) break;
      }
      at[row + nsetp] = asave; // h12Construct changed only the pivot entry
      w[j] = 0;
    }
    // Accept column j = index[izmax] into P.
    outer++;
    const j = index[izmax];
    const row = j * m;
    bw.set(zz);
    index[izmax] = index[nsetp];
    index[nsetp] = j;
    const pivot = nsetp;
    nsetp++;
    for (let iz = nsetp; iz < n; iz++) h12Apply(at, row, pivot, m, up, at, index[iz] * m);
    for (let l = nsetp; l < m; l++) at[row + l] = 0;
    w[j] = 0;
    solveTriangle(at, m, index, nsetp, bw, zz);

    // Step 3: restore feasibility.
    while (true) {
      iterations++;
      if (iterations > maxIterations) {
        converged = false;
        break outerLoop;
      }
      let alpha = 2;
      let jj = -1;
      for (let ip = 0; ip < nsetp; ip++) {
        if (zz[ip] <= 0) {
          const l = index[ip];
          const t = -x[l] / (zz[ip] - x[l]);
          if (alpha > t) {
            alpha = t;
            jj = ip;
          }
        }
      }
      if (jj < 0) break; // all z > 0: accept z
      for (let ip = 0; ip < nsetp; ip++) {
        const l = index[ip];
        x[l] += alpha * (zz[ip] - x[l]);
      }
      // Move index[jj], then every other passive j with x_j ≤ 0, back to Z.
      while (jj >= 0) {
        nsetp = removeFromPassive(at, m, n, index, nsetp, jj, bw, x);
        jj = -1;
        for (let ip = 0; ip < nsetp; ip++) {
          if (x[index[ip]] <= 0) {
            jj = ip;
            break;
          }
        }
      }
      solveTriangle(at, m, index, nsetp, bw, zz);
    }
    for (let ip = 0; ip < nsetp; ip++) x[index[ip]] = zz[ip];
  }

  return certify(A, b, x, iterations, outer, converged, tol);
}

/**
 * Lawson & Hanson's H12, mode 1: construct the Householder transformation that zeroes entries
 * p+1..m−1 of the vector u = at[row..row+m) against pivot p. Only u[p] changes (to s =
 * −sign(u_p)·‖u[p:]‖); the returned `up` = u_p − s completes the vector (up, u[p+1:]).
 */
function h12Construct(u: Float64Array, row: number, p: number, m: number): number {
  let cl = Math.abs(u[row + p]);
  for (let l = p + 1; l < m; l++) cl = Math.max(cl, Math.abs(u[row + l]));
  if (cl <= 0) return 0;
  const clinv = 1 / cl;
  let sm = 0;
  for (let l = p; l < m; l++) {
    const t = u[row + l] * clinv;
    sm += t * t;
  }
  let s = cl * Math.sqrt(sm);
  if (u[row + p] > 0) s = -s;
  const up = u[row + p] - s;
  u[row + p] = s;
  return up;
}

/** H12, mode 2: apply the transformation of (u, up) with pivot p to the vector c[cOff..cOff+m). */
function h12Apply(u: Float64Array, row: number, p: number, m: number, up: number, c: Float64Array, cOff: number): void {
  const bb = up * u[row + p];
  if (bb >= 0) return;
  let sm = c[cOff + p] * up;
  for (let l = p + 1; l < m; l++) sm += c[cOff + l] * u[row + l];
  if (sm === 0) return;
  sm /= bb;
  c[cOff + p] += sm * up;
  for (let l = p + 1; l < m; l++) c[cOff + l] += sm * u[row + l];
}

/** zz[0..nsetp) ← R⁻¹·bw[0..nsetp), R[l][ip] = at[index[ip]·m + l] upper triangular. */
function solveTriangle(at: Float64Array, m: number, index: Int32Array, nsetp: number, bw: Float64Array, zz: Float64Array): void {
  for (let i = 0; i < nsetp; i++) zz[i] = bw[i];
  for (let ip = nsetp - 1; ip >= 0; ip--) {
    const col = index[ip] * m;
    const z = zz[ip] / at[col + ip];
    zz[ip] = z;
    for (let ii = 0; ii < ip; ii++) zz[ii] -= at[col + ii] * z;
  }
}

/**
 * Remove passive position jj: set its x to 0, shift the later passive columns left and restore
 * the triangle with Givens rotations on rows (jj..nsetp−1) of the transformed A and b.
 * Returns the new nsetp.
 */
function removeFromPassive(
  at: Float64Array, m: number, n: number, index: Int32Array, nsetp: number, jj: number,
  bw: Float64Array, x: Float64Array,
): number {
  const i = index[jj];
  x[i] = 0;
  for (let j = jj + 1; j < nsetp; j++) {
    const ii = index[j];
    index[j - 1] = ii;
    const ci = ii * m;
    // Givens rotation (Lawson & Hanson's G1) zeroing at[ii][j] against at[ii][j − 1].
    const a = at[ci + j - 1];
    const bv = at[ci + j];
    let c: number;
    let s: number;
    let sig: number;
    if (Math.abs(a) > Math.abs(bv)) {
      const xr = bv / a;
      const yr = Math.sqrt(1 + xr * xr);
      c = (a >= 0 ? 1 : -1) / yr;
      s = c * xr;
      sig = Math.abs(a) * yr;
    } else if (bv !== 0) {
      const xr = a / bv;
      const yr = Math.sqrt(1 + xr * xr);
      s = (bv >= 0 ? 1 : -1) / yr;
      c = s * xr;
      sig = Math.abs(bv) * yr;
    } else {
      c = 0;
      s = 1;
      sig = 0;
    }
    at[ci + j - 1] = sig;
    at[ci + j] = 0;
    for (let l = 0; l < n; l++) {
      if (l === ii) continue;
      const cl = l * m;
      const t = at[cl + j - 1];
      at[cl + j - 1] = c * t + s * at[cl + j];
      at[cl + j] = -s * t + c * at[cl + j];
    }
    const t = bw[j - 1];
    bw[j - 1] = c * t + s * bw[j];
    bw[j] = -s * t + c * bw[j];
  }
  const last = nsetp - 1;
  index[last] = i;
  return last;
}

/** Recompute residual, dual and KKT measures from the original A and b. */
function certify(
  A: Matrix, b: Float64Array, x: Float64Array, iterations: number, outer: number, converged: boolean, tol: number,
): NnlsResult {
  const { rows: m, cols: n, data } = A;
  const r = b.slice(); // r = b − A·x
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += data[i * n + j] * x[j];
    r[i] -= s;
  }
  let rr = 0;
  for (let i = 0; i < m; i++) rr += r[i] * r[i];
  const dual = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const ri = r[i];
    if (ri === 0) continue;
    for (let j = 0; j < n; j++) dual[j] += data[i * n + j] * ri;
  }
  let dualInfeasibility = 0;
  let stationarity = 0;
  let complementarity = 0;
  let kkt = 0;
  let np = 0;
  for (let j = 0; j < n; j++) {
    const wj = dual[j];
    if (x[j] > 0) {
      np++;
      stationarity = Math.max(stationarity, Math.abs(wj));
      complementarity += x[j] * wj;
    } else {
      dualInfeasibility = Math.max(dualInfeasibility, Math.max(wj, 0));
    }
    kkt = Math.max(kkt, Math.abs(Math.min(x[j], -wj)));
  }
  const passive = new Int32Array(np);
  for (let j = 0, p = 0; j < n; j++) if (x[j] > 0) passive[p++] = j;
  return {
    x,
    residualNorm: Math.sqrt(rr),
    dual,
    dualInfeasibility,
    stationarity,
    complementarity: Math.abs(complementarity),
    kktResidual: kkt,
    passive,
    iterations,
    outerIterations: outer,
    converged,
    tol,
  };
}
