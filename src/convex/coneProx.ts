// The prox of h_b(w) = β‖w‖ + ι_{K_b}(w) for the ReLU program's blocks, with per-block state.
//   prox_{τh}(z) = (1 − τ/‖Π_K z‖)_+ Π_K z,  K = {w : CS_b ⊙ X w ≥ 0}
// (for a closed convex cone K write w = t·e, ‖e‖ = 1, e ∈ K: the best e maximises eᵀz over
// K ∩ sphere, i.e. e = Π_K z/‖Π_K z‖; science/convex.md, "(D)").
//
// Π_K z = z + A_Sᵀλ (A = CS ⊙ X rows, λ ≥ 0 on the active rows S) is computed three ways, cheapest
// first (measured on the scnn demo: the nonzero blocks sit on faces with ~44 active rows in
// d = 50, so a from-scratch NNLS per block and iteration cost ~1 ms):
//  1. Face cache: with the last active set S (independent rows) cached as an orthonormal basis Q
//     of range(A_Sᵀ), the Cholesky factor of A_S A_Sᵀ and X Qᵀ, the candidate u = z − Qᵀ(Q z)
//     has λ = −(A_S A_Sᵀ)⁻¹ A_S z; accepted when λ ≥ 0 and X u = X z − (XQᵀ)(Q z) is feasible on
//     every row — exactly the KKT conditions of the projection. O(|S|·(d + n)).
//  2. Constraint generation (warm-started from S): add the most violated rows, solve the small
//     NNLS min_{λ≥0} ‖z + A_Sᵀλ‖ (linalg `nnls`), repeat until X u is feasible (KKT of the full
//     NNLS, see cone.ts). The cache is rebuilt from the new S.
//  3. Screening for zero blocks: for any λ ≥ 0, ‖Π_K z‖ ≤ min_{t≥0} ‖z + t·q‖ with q = Aᵀλ from
//     the block's last projection; if that is ≤ τ the block is zero without projecting.
import { cholesky, choleskySolve, gemmRaw, nnls, NotPositiveDefiniteError, type Matrix } from "../linalg/index.js";
import { orthonormalBasis } from "./arrangement.js";
import type { BlockProx } from "./fista.js";
import type { BlockOperator } from "./operator.js";

/** Violated constraints added to the working set per constraint-generation round. */
const ADD_PER_ROUND = 32;

/** Cached face of one block: an orthonormal basis of range(A_Sᵀ) and factors. */
interface Face {
  /** Active rows S. */
  rows: Int32Array;
  /** A_S (|S|×d). */
  AS: Float64Array;
  /** Cholesky factor of A_S A_Sᵀ. */
  L: Matrix;
  /** Q: |S|×d, orthonormal rows spanning range(A_Sᵀ); Π_face z = z − Qᵀ(Q z). */
  Q: Float64Array;
  /** X Qᵀ (n×|S|). */
  XQ: Float64Array;
}

/** Per-block state of the cone prox. */
export interface ConeProxState {
  /** Working set (constraint rows) of each block. */
  readonly active: number[][];
  /** q_b = A_bᵀλ_b from the last projection (B×d), zero when none. */
  readonly q: Float64Array;
  readonly faces: (Face | null)[];
  /** Face of the last Gram-space projection (rows, A_S, Cholesky factor of A_S A_Sᵀ). */
  readonly gramFaces: (GramFace | null)[];
  /** Projections by constraint generation (the expensive path). */
  projections: number;
  /** Projections accepted from the face cache. */
  faceHits: number;
  /** Blocks set to zero by the multiplier screen. */
  screened: number;
}

export function coneProxState(op: BlockOperator): ConeProxState {
  const B = op.blocks;
  return {
    active: Array.from({ length: B }, () => []),
    q: new Float64Array(B * op.d),
    faces: Array.from({ length: B }, () => null),
    gramFaces: Array.from({ length: B }, () => null),
    projections: 0, faceHits: 0, screened: 0,
  };
}

/** min_{t≥0} ‖g + t q‖ for a multiplier direction q (an upper bound on ‖Π_K g‖). */
export function multiplierBound(g: Float64Array, gOff: number, q: Float64Array, qOff: number, d: number): number {
  let gg = 0;
  let gq = 0;
  let qq = 0;
  for (let j = 0; j < d; j++) {
    const a = g[gOff + j];
    const c = q[qOff + j];
    gg += a * a;
    gq += a * c;
    qq += c * c;
  }
  if (gq >= 0 || qq === 0) return Math.sqrt(gg);
  return Math.sqrt(Math.max(0, gg - (gq * gq) / qq));
}

function buildFace(op: BlockOperator, b: number, S: number[]): Face | null {
  const { n, d, X } = op;
  const CS = op.coneSign!;
  const m = S.length;
  if (m === 0 || m >= d) return null;
  const AS = new Float64Array(m * d);
  const rows: Float64Array[] = [];
  for (let c = 0; c < m; c++) {
    const k = S[c];
    const sg = CS[b * n + k];
    for (let j = 0; j < d; j++) AS[c * d + j] = sg * X[k * d + j];
    rows.push(AS.slice(c * d, (c + 1) * d));
  }
  const range = orthonormalBasis(rows, 1e-10);
  if (range.length !== m) return null; // dependent rows: λ not unique, use the NNLS path
  const G = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let c = 0; c <= a; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += AS[a * d + j] * AS[c * d + j];
      G[a * m + c] = s;
      G[c * m + a] = s;
    }
  }
  let L: Matrix;
  try {
    L = cholesky({ rows: m, cols: m, data: G });
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) return null;
    throw e;
  }
  const Q = new Float64Array(m * d);
  for (let c = 0; c < m; c++) Q.set(range[c], c * d);
  const XQ = new Float64Array(n * m);
  gemmRaw(false, true, n, m, d, 1, X, 0, d, Q, 0, d, 0, XQ, 0, m);
  return { rows: Int32Array.from(S), AS, L, Q, XQ };
}

/**
 * Try the cached face: u = z − Qᵀ(Q z), λ = −(A_S A_Sᵀ)⁻¹ A_S z ≥ 0, X u feasible. On success
 * writes u and X u and returns true.
 */
function tryFace(
  op: BlockOperator, st: ConeProxState, face: Face, b: number, W: Float64Array, wOff: number, Zx: Float64Array, zOff: number,
  zNorm: number, tol: number,
): boolean {
  const { n, d, rowNorm } = op;
  const CS = op.coneSign!;
  const m = face.rows.length;
  const az = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += face.AS[c * d + j] * W[wOff + j];
    az[c] = s;
  }
  const mu = choleskySolve(face.L, az);
  // λ = −μ must be ≥ 0 (up to rounding).
  for (let c = 0; c < m; c++) if (mu[c] > tol * zNorm) return false;
  const y = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += face.Q[c * d + j] * W[wOff + j];
    y[c] = s;
  }
  const thr = -tol * zNorm;
  const co = b * n;
  for (let k = 0; k < n; k++) {
    let s = Zx[zOff + k];
    for (let c = 0; c < m; c++) s -= face.XQ[k * m + c] * y[c];
    const rn = rowNorm[k];
    if (rn > 0 && (CS[co + k] * s) / rn < thr) return false;
  }
  // Accept: q = u − z = −Qᵀy = A_Sᵀλ.
  const qo = b * d;
  for (let j = 0; j < d; j++) {
    let t = 0;
    for (let c = 0; c < m; c++) t += face.Q[c * d + j] * y[c];
    st.q[qo + j] = -t;
    W[wOff + j] -= t;
  }
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let c = 0; c < m; c++) s += face.XQ[k * m + c] * y[c];
    Zx[zOff + k] -= s;
  }
  st.faceHits++;
  return true;
}

/**
 * Π_K z in place for block b (K = {w : CS_b ⊙ X w ≥ 0}): W[wOff..wOff+d) holds z and
 * Zx[zOff..zOff+n) holds X z on entry, Π_K z and its image on exit. Updates the block's state.
 * `tol`: a row is violated when (CS_bk x_kᵀu)/‖x_k‖ < −tol·‖z‖.
 */
export function projectBlock(
  op: BlockOperator, st: ConeProxState, b: number, W: Float64Array, wOff: number, Zx: Float64Array, zOff: number, tol: number,
): void {
  const K = rowGram(op);
  // Warm (a previous active set): Gram-space Lawson–Hanson. Cold: constraint generation with
  // many rows per round (measured on the scnn demo: 1 ms vs 3.2 ms per cold projection), then
  // the face is cached for the next call.
  if (K !== null && st.active[b].length > 0 && projectBlockGram(op, K, st, b, W, wOff, Zx, zOff, tol)) return;
  projectBlockGeneric(op, st, b, W, wOff, Zx, zOff, tol);
  if (K !== null) st.gramFaces[b] = buildGramFace(op, K, b, st.active[b]);
}

/** The constraint-generation path of projectBlock (Lawson–Hanson NNLS per round, face cache). */
function projectBlockGeneric(
  op: BlockOperator, st: ConeProxState, b: number, W: Float64Array, wOff: number, Zx: Float64Array, zOff: number, tol: number,
): void {
  const { n, d, X, rowNorm } = op;
  const CS = op.coneSign!;
  const co = b * n;
  let zNorm = 0;
  for (let j = 0; j < d; j++) zNorm += W[wOff + j] ** 2;
  zNorm = Math.sqrt(zNorm);
  if (zNorm === 0) return;
  const violated = (cap: number): number[] => {
    const rows: number[] = [];
    const vals: number[] = [];
    const thr = -tol * zNorm;
    for (let k = 0; k < n; k++) {
      const rn = rowNorm[k];
      if (rn === 0) continue;
      const c = (CS[co + k] * Zx[zOff + k]) / rn;
      if (c < thr) { rows.push(k); vals.push(c); }
    }
    if (rows.length <= cap) return rows;
    const order = rows.map((_, i) => i).sort((a, c) => vals[a] - vals[c]);
    return order.slice(0, cap).map((i) => rows[i]);
  };
  let add = violated(ADD_PER_ROUND);
  if (add.length === 0) {
    // z ∈ K: the projection is z itself (multiplier 0, no active rows).
    st.active[b] = [];
    return;
  }
  const face = st.faces[b];
  if (face !== null && tryFace(op, st, face, b, W, wOff, Zx, zOff, zNorm, tol)) return;
  st.projections++;
  const z = W.slice(wOff, wOff + d);
  const zx = Zx.slice(zOff, zOff + n);
  const S = st.active[b].slice();
  for (const k of add) if (!S.includes(k)) S.push(k);
  const p = new Float64Array(d);
  const rhs = new Float64Array(d);
  for (let j = 0; j < d; j++) rhs[j] = -z[j];
  for (let round = 0; round <= n; round++) {
    const m = S.length;
    const M = new Float64Array(d * m);
    for (let c = 0; c < m; c++) {
      const k = S[c];
      const sg = CS[co + k];
      for (let j = 0; j < d; j++) M[j * m + c] = sg * X[k * d + j];
    }
    const lam = nnls({ rows: d, cols: m, data: M }, rhs).x;
    p.fill(0);
    for (let c = 0; c < m; c++) {
      if (lam[c] === 0) continue;
      for (let j = 0; j < d; j++) p[j] += lam[c] * M[j * m + c];
    }
    for (let j = 0; j < d; j++) W[wOff + j] = z[j] + p[j];
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += X[k * d + j] * p[j];
      Zx[zOff + k] = zx[k] + s;
    }
    const keep: number[] = [];
    for (let c = 0; c < m; c++) if (lam[c] > 0) keep.push(S[c]);
    add = violated(ADD_PER_ROUND).filter((k) => !S.includes(k));
    if (add.length === 0) {
      // Cache the face only once the active set repeats (it is then likely to be stable).
      const prev = st.active[b];
      const same = prev.length === keep.length && keep.every((k) => prev.includes(k));
      st.active[b] = keep;
      st.q.set(p, b * d);
      st.faces[b] = same ? buildFace(op, b, keep) : null;
      return;
    }
    S.length = 0;
    S.push(...keep, ...add);
  }
}

/** The BlockProx of the ReLU program: screen, project (face cache / NNLS), shrink. */
export function coneProx(op: BlockOperator, st: ConeProxState, tol: number): BlockProx {
  const { n, d } = op;
  return {
    block(b, W, wOff, Z, zOff, tau) {
      if (multiplierBound(W, wOff, st.q, b * d, d) <= tau) {
        for (let j = 0; j < d; j++) W[wOff + j] = 0;
        for (let k = 0; k < n; k++) Z[zOff + k] = 0;
        st.screened++;
        return;
      }
      projectBlock(op, st, b, W, wOff, Z, zOff, tol);
      let s = 0;
      for (let j = 0; j < d; j++) s += W[wOff + j] ** 2;
      const u = Math.sqrt(s);
      const scale = u > tau ? 1 - tau / u : 0;
      for (let j = 0; j < d; j++) W[wOff + j] *= scale;
      for (let k = 0; k < n; k++) Z[zOff + k] *= scale;
    },
  };
}

/**
 * The cone-prox state of the sub-operator over `blocks` (subOperator), sharing the per-block
 * working sets and faces of `st` (faces depend only on a block's cone, which the sub-operator
 * keeps). Write it back with `mergeConeState`.
 */
export function restrictConeState(st: ConeProxState, d: number, blocks: ArrayLike<number>): ConeProxState {
  const m = blocks.length;
  const q = new Float64Array(m * d);
  const active: number[][] = [];
  const faces: (Face | null)[] = [];
  const gramFaces: (GramFace | null)[] = [];
  for (let t = 0; t < m; t++) {
    const b = blocks[t];
    q.set(st.q.subarray(b * d, (b + 1) * d), t * d);
    active.push(st.active[b]);
    faces.push(st.faces[b]);
    gramFaces.push(st.gramFaces[b]);
  }
  return { active, q, faces, gramFaces, projections: 0, faceHits: 0, screened: 0 };
}

/** Copy the per-block state of a restricted state `sub` (over `blocks`) back into `st`, adding its counters. */
export function mergeConeState(st: ConeProxState, sub: ConeProxState, d: number, blocks: ArrayLike<number>): void {
  for (let t = 0; t < blocks.length; t++) {
    const b = blocks[t];
    st.q.set(sub.q.subarray(t * d, (t + 1) * d), b * d);
    st.active[b] = sub.active[t];
    st.faces[b] = sub.faces[t];
    st.gramFaces[b] = sub.gramFaces[t];
  }
  st.projections += sub.projections;
  st.faceHits += sub.faceHits;
  st.screened += sub.screened;
  sub.projections = 0;
  sub.faceHits = 0;
  sub.screened = 0;
}

/** Largest n for which the row Gram matrix X Xᵀ (n² doubles) is formed for the fast projection. */
export const GRAM_MAX_ROWS = 4096;

const gramCache = new WeakMap<Float64Array, Float64Array>();

/** K = X Xᵀ (n×n, one GEMM), cached per data matrix; null when n > GRAM_MAX_ROWS. */
export function rowGram(op: BlockOperator): Float64Array | null {
  const { n, d, X } = op;
  if (n > GRAM_MAX_ROWS) return null;
  let K = gramCache.get(X);
  if (K === undefined || K.length !== n * n) {
    K = new Float64Array(n * n);
    gemmRaw(false, true, n, n, d, 1, X, 0, d, X, 0, d, 0, K, 0, n);
    gramCache.set(X, K);
  }
  return K;
}

/** Scratch of the Gram-space projection, grown on demand (no allocation per call). */
const scratch = {
  xu: new Float64Array(0), lam: new Float64Array(0), zeta: new Float64Array(0), rhs: new Float64Array(0),
  L: new Float64Array(0), rows: new Int32Array(0), cand: new Int32Array(0), candVal: new Float64Array(0),
};

function ensureScratch(n: number): void {
  if (scratch.xu.length >= n) return;
  scratch.xu = new Float64Array(n);
  scratch.lam = new Float64Array(n);
  scratch.zeta = new Float64Array(n);
  scratch.rhs = new Float64Array(n);
  scratch.rows = new Int32Array(n);
  scratch.cand = new Int32Array(n);
  scratch.candVal = new Float64Array(n);
}

/**
 * Solve M_PP ζ = rhs_P for the rows P (M_kl = c_k c_l K_kl) by a row-by-row Cholesky factor that
 * drops numerically dependent rows (pivot ≤ 1e-12·M_kk); returns the new count (rows, rhs and
 * the companion multipliers lam compacted in place; ζ in scratch.zeta).
 */
function solveRows(
  K: Float64Array, n: number, cs: Float64Array, co: number, rows: Int32Array, m: number, rhs: Float64Array, lam: Float64Array,
): number {
  if (scratch.L.length < m * m) scratch.L = new Float64Array(Math.max(m * m, 64));
  const L = scratch.L;
  let r = 0;
  for (let i = 0; i < m; i++) {
    const ki = rows[i];
    const ci = cs[co + ki];
    rows[r] = ki;
    rhs[r] = rhs[i];
    lam[r] = lam[i];
    // Row r of L against the kept rows 0..r−1.
    for (let j = 0; j < r; j++) {
      const kj = rows[j];
      let s = ci * cs[co + kj] * K[ki * n + kj];
      for (let p = 0; p < j; p++) s -= L[r * m + p] * L[j * m + p];
      L[r * m + j] = s / L[j * m + j];
    }
    const dii = K[ki * n + ki];
    let piv = dii;
    for (let p = 0; p < r; p++) piv -= L[r * m + p] ** 2;
    if (!(piv > 1e-12 * dii)) continue; // dependent on the kept rows: drop
    L[r * m + r] = Math.sqrt(piv);
    r++;
  }
  const z = scratch.zeta;
  for (let i = 0; i < r; i++) {
    let s = rhs[i];
    for (let p = 0; p < i; p++) s -= L[i * m + p] * z[p];
    z[i] = s / L[i * m + i];
  }
  for (let i = r - 1; i >= 0; i--) {
    let s = z[i];
    for (let p = i + 1; p < r; p++) s -= L[p * m + i] * z[p];
    z[i] = s / L[i * m + i];
  }
  return r;
}

/** Rows added per round of the Gram-space projection (bounded by the free dimensions). */
const GRAM_ADD_PER_ROUND = 16;

/**
 * Π_K z for block b in the row space (the fast path of projectBlock): the dual NNLS
 * min_{λ≥0} ½‖z + A_Pᵀλ‖² (A = CS_b ⊙ X) by Lawson–Hanson active-set steps expressed through the
 * row Gram matrix K = X Xᵀ: (A_P A_Pᵀ)_kl = c_k c_l K_kl, A_P z = c_P ⊙ (Xz)_P and the image
 * X u = Xz + K_{:,P}(c_P ⊙ λ_P), so a feasibility check of all n rows costs n·|P| and no product
 * with X is formed. Warm start: the passive set is the block's last active set (negative
 * multipliers dropped until the solve is positive). Stops at the KKT point (λ ≥ 0, c ⊙ Xu ≥ −tol
 * on every row, λ > 0 only on rows with c_k (Xu)_k = 0 by the passive solve), which is Π_K z.
 * Returns false (nothing written) if it does not terminate within its round limit.
 */
function projectBlockGram(
  op: BlockOperator, K: Float64Array, st: ConeProxState, b: number, W: Float64Array, wOff: number, Zx: Float64Array, zOff: number,
  tol: number,
): boolean {
  const { n, d, X, rowNorm } = op;
  const CS = op.coneSign!;
  const co = b * n;
  let zNorm = 0;
  for (let j = 0; j < d; j++) zNorm += W[wOff + j] ** 2;
  zNorm = Math.sqrt(zNorm);
  if (zNorm === 0) return true;
  ensureScratch(n);
  const { xu, lam, rhs, rows, cand, candVal } = scratch;
  const thr = -tol * zNorm;
  // Quick exit: z ∈ K.
  let inside = true;
  for (let k = 0; k < n; k++) {
    const rn = rowNorm[k];
    if (rn > 0 && (CS[co + k] * Zx[zOff + k]) / rn < thr) { inside = false; break; }
  }
  if (inside) {
    st.active[b] = [];
    st.q.fill(0, b * d, (b + 1) * d);
    st.gramFaces[b] = EMPTY_FACE;
    return true;
  }
  const warm = st.active[b];
  let m = 0;
  for (const k of warm) if (rowNorm[k] > 0) rows[m++] = k;
  // Passive solve with negatives dropped until positive (a feasible Lawson–Hanson start).
  const passiveSolve = (): void => {
    for (;;) {
      for (let i = 0; i < m; i++) rhs[i] = -CS[co + rows[i]] * Zx[zOff + rows[i]];
      m = solveRows(K, n, CS, co, rows, m, rhs, lam);
      let r = 0;
      const z = scratch.zeta;
      for (let i = 0; i < m; i++) if (z[i] > 0) { rows[r] = rows[i]; lam[r] = z[i]; r++; }
      if (r === m) return;
      m = r;
    }
  };
  passiveSolve();
  let warmHit = true;
  let addLimit = GRAM_ADD_PER_ROUND;
  for (let round = 0; round < 4 * n + 10; round++) {
    // X u = X z + K_{:,P}(c_P λ_P) and the most violated rows off P.
    for (let k = 0; k < n; k++) xu[k] = Zx[zOff + k];
    for (let i = 0; i < m; i++) {
      const kp = rows[i];
      const w = CS[co + kp] * lam[i];
      const ko = kp * n;
      for (let k = 0; k < n; k++) xu[k] += w * K[ko + k];
    }
    let nc = 0;
    for (let k = 0; k < n; k++) {
      const rn = rowNorm[k];
      if (rn === 0) continue;
      const c = (CS[co + k] * xu[k]) / rn;
      if (c < thr) { cand[nc] = k; candVal[nc] = c; nc++; }
    }
    // Exclude passive rows (rounding-level violations on P cannot be improved).
    let nv = 0;
    for (let i = 0; i < nc; i++) {
      let inP = false;
      for (let p = 0; p < m; p++) if (rows[p] === cand[i]) { inP = true; break; }
      if (!inP) { cand[nv] = cand[i]; candVal[nv] = candVal[i]; nv++; }
    }
    if (nv === 0) {
      // KKT: write u, X u and the state.
      const qo = b * d;
      st.q.fill(0, qo, qo + d);
      const act: number[] = [];
      for (let i = 0; i < m; i++) {
        const kp = rows[i];
        act.push(kp);
        const w = CS[co + kp] * lam[i];
        for (let j = 0; j < d; j++) st.q[qo + j] += w * X[kp * d + j];
      }
      for (let j = 0; j < d; j++) W[wOff + j] += st.q[qo + j];
      for (let k = 0; k < n; k++) Zx[zOff + k] = xu[k];
      st.active[b] = act;
      const f = st.gramFaces[b];
      if (f === null || f.rows.length !== m || act.some((k, i) => f.rows[i] !== k)) st.gramFaces[b] = buildGramFace(op, K, b, act);
      if (warmHit) st.faceHits++;
      else st.projections++;
      return true;
    }
    warmHit = false;
    // Add the most violated rows (at most the free dimensions, at least one).
    const addCount = Math.min(nv, Math.max(1, Math.min(addLimit, d - m)));
    const firstAdded = m;
    for (let a = 0; a < addCount; a++) {
      let best = a;
      for (let i = a + 1; i < nv; i++) if (candVal[i] < candVal[best]) best = i;
      const tk = cand[a]; cand[a] = cand[best]; cand[best] = tk;
      const tv = candVal[a]; candVal[a] = candVal[best]; candVal[best] = tv;
      rows[m] = cand[a];
      lam[m] = 0;
      m++;
    }
    // Lawson–Hanson inner loop: move towards the passive solution, dropping rows that hit zero.
    for (let inner = 0; inner <= n; inner++) {
      for (let i = 0; i < m; i++) rhs[i] = -CS[co + rows[i]] * Zx[zOff + rows[i]];
      m = solveRows(K, n, CS, co, rows, m, rhs, lam);
      const z = scratch.zeta;
      let alpha = 1;
      for (let i = 0; i < m; i++) {
        if (z[i] <= 0) {
          const a = lam[i] / (lam[i] - z[i]);
          if (a < alpha) alpha = a;
        }
      }
      let q = 0;
      for (let i = 0; i < m; i++) {
        const v = lam[i] + alpha * (z[i] - lam[i]);
        if (alpha < 1 && v <= 1e-15 * Math.abs(lam[i] + z[i])) continue;
        if (v <= 0) continue;
        rows[q] = rows[i];
        lam[q] = v;
        q++;
      }
      m = q;
      if (alpha >= 1) break;
    }
    // If none of the added rows survived, add one at a time (Lawson–Hanson: a single entering
    // row with a positive dual always survives).
    let survived = false;
    for (let i = 0; i < m && !survived; i++) for (let a = 0; a < addCount; a++) if (rows[i] === cand[a]) { survived = true; break; }
    if (!survived) addLimit = 1;
    void firstAdded;
  }
  return false;
}

/** Drop steps tried on a cached face before the exact projection (coneFaceProx). */
const FACE_REPAIRS = 3;

/** A block's face for the GEMM-verified prox: Π_face z = z + A_Sᵀλ, λ = −(A_S A_Sᵀ)⁻¹ A_S z. */
export interface GramFace {
  readonly rows: Int32Array;
  /** A_S (m×d), rows c_k x_kᵀ. */
  readonly AS: Float64Array;
  /** Lower Cholesky factor of A_S A_Sᵀ (m×m). */
  readonly L: Float64Array;
}

const EMPTY_FACE: GramFace = { rows: new Int32Array(0), AS: new Float64Array(0), L: new Float64Array(0) };

/** The face of the rows `act` (independent rows, from a projection's passive set); null if dependent. */
export function buildGramFaceFromRows(op: BlockOperator, K: Float64Array, b: number, act: number[]): GramFace | null {
  return buildGramFace(op, K, b, act);
}

function buildGramFace(op: BlockOperator, K: Float64Array, b: number, act: number[]): GramFace | null {
  const { n, d, X } = op;
  const CS = op.coneSign!;
  const co = b * n;
  const m = act.length;
  if (m === 0) return EMPTY_FACE;
  const rows = Int32Array.from(act);
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const ki = rows[i];
    for (let j = 0; j <= i; j++) {
      const kj = rows[j];
      let s = CS[co + ki] * CS[co + kj] * K[ki * n + kj];
      for (let p = 0; p < j; p++) s -= L[i * m + p] * L[j * m + p];
      if (j < i) L[i * m + j] = s / L[j * m + j];
      else {
        if (!(s > 1e-12 * K[ki * n + ki])) return null;
        L[i * m + i] = Math.sqrt(s);
      }
    }
  }
  const AS = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    const k = rows[i];
    const c = CS[co + k];
    for (let j = 0; j < d; j++) AS[i * d + j] = c * X[k * d + j];
  }
  return { rows, AS, L };
}

const faceScratch = { lam: new Float64Array(0) };

/** Set by faceBound: true when its multipliers needed no clipping. */
export let faceBoundClean = false;

/**
 * λ = −(A_S A_Sᵀ)⁻¹ A_S z on the block's face (into faceScratch.lam); false if some λ_i < 0
 * beyond rounding (then the face is not the projection's).
 */
function faceMultipliers(face: GramFace, z: Float64Array, zOff: number, d: number, clip: boolean): boolean {
  const m = face.rows.length;
  if (faceScratch.lam.length < m) faceScratch.lam = new Float64Array(Math.max(m, 64));
  const lam = faceScratch.lam;
  const { AS, L } = face;
  let scale = 0;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += AS[i * d + j] * z[zOff + j];
    lam[i] = -s;
    scale = Math.max(scale, Math.abs(s));
  }
  for (let i = 0; i < m; i++) {
    let s = lam[i];
    for (let p = 0; p < i; p++) s -= L[i * m + p] * lam[p];
    lam[i] = s / L[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = lam[i];
    for (let p = i + 1; p < m; p++) s -= L[p * m + i] * lam[p];
    lam[i] = s / L[i * m + i];
  }
  let ok = true;
  for (let i = 0; i < m; i++) {
    if (lam[i] < 0) {
      if (lam[i] < -1e-12 * (scale + 1e-300)) ok = false;
      if (clip || lam[i] >= -1e-12 * (scale + 1e-300)) lam[i] = 0;
    }
  }
  return ok;
}

/**
 * An upper bound on ‖Π_K g‖ for block b from its cached face: ‖g + A_Sᵀλ‖ with λ the face
 * multipliers clipped at 0 (any λ ≥ 0 bounds ‖Π_K g‖ = min_{λ≥0} ‖g + Aᵀλ‖ from above; Moreau).
 * Infinity when the block has no face. `faceBoundClean` tells whether no multiplier was clipped
 * (the bound is then the projection onto the face's span, usually exact).
 */
export function faceBound(st: ConeProxState, b: number, g: Float64Array, gOff: number, d: number): number {
  const face = st.gramFaces[b];
  faceBoundClean = false;
  if (face === null) return Infinity;
  const m = face.rows.length;
  let s = 0;
  if (m === 0) {
    for (let j = 0; j < d; j++) s += g[gOff + j] ** 2;
    faceBoundClean = true;
    return Math.sqrt(s);
  }
  faceBoundClean = faceMultipliers(face, g, gOff, d, true);
  const lam = faceScratch.lam;
  for (let j = 0; j < d; j++) {
    let t = g[gOff + j];
    for (let i = 0; i < m; i++) t += lam[i] * face.AS[i * d + j];
    s += t * t;
  }
  return Math.sqrt(s);
}

/**
 * The BlockProx of the ReLU program in GEMM-image mode (fista.ts `imageByGemm`): screen by the
 * multiplier bound; project onto the block's cached face (O(|S|·(d + |S|)), no product with X);
 * shrink. After FISTA forms Zn = Wn Xᵀ, `verify` checks every row of every face-projected block
 * against its image (O(n) per block) and redoes a failed block by the exact projection
 * (projectBlock, warm-started, which also refreshes the face) — so every accepted prox is exact.
 */
export function coneFaceProx(op: BlockOperator, st: ConeProxState, tol: number): BlockProx {
  const { n, d, X, blocks: B, rowNorm } = op;
  const CS = op.coneSign!;
  const unverified = new Uint8Array(B);
  const xz = new Float64Array(n);
  const K = rowGram(op);
  const exactProx = (b: number, W: Float64Array, wOff: number, tau: number): number => {
    for (let k = 0; k < n; k++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += X[k * d + j] * W[wOff + j];
      xz[k] = t;
    }
    projectBlock(op, st, b, W, wOff, xz, 0, tol);
    let s = 0;
    for (let j = 0; j < d; j++) s += W[wOff + j] ** 2;
    const u = Math.sqrt(s);
    const scale = u > tau ? 1 - tau / u : 0;
    for (let j = 0; j < d; j++) W[wOff + j] *= scale;
    return scale;
  };
  return {
    imageByGemm: true,
    block(b, W, wOff, _Z, _zOff, tau, zNorm) {
      unverified[b] = 0;
      if (zNorm === 0) return;
      if (multiplierBound(W, wOff, st.q, b * d, d) <= tau) {
        for (let j = 0; j < d; j++) W[wOff + j] = 0;
        st.screened++;
        return;
      }
      let face = st.gramFaces[b];
      let onFace = face !== null && faceMultipliers(face, W, wOff, d, false);
      // Face repair (Lawson–Hanson's drop step without the search over all rows): rows with
      // negative multipliers leave the face, which is refactored (O(|S|³), no product with X);
      // the GEMM verification below decides whether the result is the projection.
      for (let rep = 0; !onFace && face !== null && face.rows.length > 0 && K !== null && rep < FACE_REPAIRS; rep++) {
        const keep: number[] = [];
        for (let i = 0; i < face.rows.length; i++) if (faceScratch.lam[i] >= 0) keep.push(face.rows[i]);
        face = buildGramFace(op, K, b, keep);
        st.gramFaces[b] = face;
        st.active[b] = keep;
        onFace = face !== null && faceMultipliers(face, W, wOff, d, false);
      }
      if (face !== null && onFace) {
        const m = face.rows.length;
        const lam = faceScratch.lam;
        const qo = b * d;
        let s = 0;
        for (let j = 0; j < d; j++) {
          let t = 0;
          for (let i = 0; i < m; i++) t += lam[i] * face.AS[i * d + j];
          st.q[qo + j] = t;
          const u = W[wOff + j] + t;
          W[wOff + j] = u;
          s += u * u;
        }
        const u = Math.sqrt(s);
        const scale = u > tau ? 1 - tau / u : 0;
        for (let j = 0; j < d; j++) W[wOff + j] *= scale;
        unverified[b] = scale > 0 ? 1 : 0;
        st.faceHits++;
        return;
      }
      exactProx(b, W, wOff, tau);
    },
    verify(Wn, Zn, Wy, G, eta, tau) {
      for (let b = 0; b < B; b++) {
        if (unverified[b] === 0) continue;
        unverified[b] = 0;
        const wo = b * d;
        const zo = b * n;
        let s = 0;
        for (let j = 0; j < d; j++) s += Wn[wo + j] ** 2;
        const thr = -tol * Math.sqrt(s);
        let ok = true;
        for (let k = 0; k < n; k++) {
          const rn = rowNorm[k];
          if (rn > 0 && (CS[zo + k] * Zn[zo + k]) / rn < thr) { ok = false; break; }
        }
        if (ok) continue;
        // Redo from the prox input z = y − η∇f.
        for (let j = 0; j < d; j++) Wn[wo + j] = Wy[wo + j] - eta * G[wo + j];
        const scale = exactProx(b, Wn, wo, tau);
        for (let k = 0; k < n; k++) Zn[zo + k] = scale * xz[k];
      }
    },
  };
}
