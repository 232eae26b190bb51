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
    // z ∈ K: the projection is z itself (multiplier 0).
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
