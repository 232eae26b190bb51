// The prox of h_b(w) = β‖w‖ + ι_{K_b}(w) for the ReLU program's blocks, with per-block state.
//   prox_{τh}(z) = (1 − τ/‖Π_K z‖)_+ Π_K z,  K = {w : CS_b ⊙ X w ≥ 0}
// (for a closed convex cone K write w = t·e, ‖e‖ = 1, e ∈ K: the best e maximises eᵀz over
// K ∩ sphere, i.e. e = Π_K z/‖Π_K z‖; docs/science/convex.md §1.4).
//
// Π_K z = z + A_Sᵀλ (A = CS ⊙ X rows, λ ≥ 0 on the active rows S) is computed four ways, cheapest
// first (measured on the scnn demo: the nonzero blocks sit on faces with ~44–48 active rows in
// d = 50; a warm dual active-set projection costs ~0.5 ms, a from-scratch NNLS ~1–1.4 ms):
//  1. Face cache: with the last active set S (independent rows) cached as an orthonormal basis Q
//     of range(A_Sᵀ), the Cholesky factor of A_S A_Sᵀ and X Qᵀ, the candidate u = z − Qᵀ(Q z)
//     has λ = −(A_S A_Sᵀ)⁻¹ A_S z; accepted when λ ≥ 0 and X u = X z − (XQᵀ)(Q z) is feasible on
//     every row — exactly the KKT conditions of the projection. O(|S|·(d + n)).
//  2. The dual active-set method of Goldfarb & Idnani, warm-started from S: on the f64x2 wasm
//     kernel (assembly/cone.ts, coneKernel.ts) for a whole batch of blocks on every thread, or
//     in TypeScript (projectActiveSetTs, the fallback and test oracle). Measured on the demo's
//     first pricing round (500 cold projections, ~75 steps each): 646 ms in TypeScript, 153 ms
//     on the kernel with 2 threads;
//  3. if that fails (degenerate step, iteration cap): constraint generation warm-started from S —
//     add the most violated rows, solve the small NNLS min_{λ≥0} ‖z + A_Sᵀλ‖ (linalg `nnls`),
//     repeat until X u is feasible (KKT of the full NNLS, see cone.ts).
//     After 2 or 3 the cache is rebuilt from the new S when S repeated (and caching is on).
//  4. Screening for zero blocks: for any λ ≥ 0, ‖Π_K z‖ ≤ min_{t≥0} ‖z + t·q‖ with q = Aᵀλ from
//     the block's last projection; if that is ≤ τ the block is zero without projecting.
import { cholesky, choleskySolve, nnls, NotPositiveDefiniteError, nrm2, type Matrix } from "../../linalg/index.js";
import { choleskyAppendRow, choleskyDeleteRow } from "../../linalg/cholesky.js";
import { trsvRaw } from "../../linalg/triangular.js";
import { gemmRaw } from "../../linalg/gemm.js";
import { type BlockOperator, orthonormalBasis } from "../program/index.js";
import { coneKernel, type ConeKernel, runConeBatch } from "./coneKernel.js";
import type { BlockProx } from "./fista.js";

/** Default largest n for which the cone state keeps X Xᵀ (n² doubles: 32 MB at 2048). */
const GRAM_MAX_ROWS = 2048;

/** G ← X Xᵀ (n×n) by one GEMM. */
function rowGram(op: BlockOperator, G: Float64Array): Float64Array {
  const { n, d, X } = op;
  gemmRaw(false, true, n, n, d, 1, X, 0, d, X, 0, d, 0, G, 0, n);
  return G;
}

/** Violated constraints added to the working set per constraint-generation round. */
const ADD_PER_ROUND = 32;
/** Violated rows kept from a full scan as the active-set method's candidates. */
const CANDIDATES = 64;

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
  /** Projections finished by the warm primal-dual active-set iteration. */
  activeSetHits: number;
  /** Build face caches (worth it when the same block is projected every iteration, as in FISTA). */
  readonly cacheFaces: boolean;
  /** X Xᵀ (n×n) when n ≤ gramMaxRows: the active-set method reads a_cᵀa_k from it. */
  readonly gram: Float64Array | null;
  /** The wasm engine (coneKernel.ts), or null: the TS engine (projectActiveSetTs) runs. */
  readonly kernel: ConeKernel | null;
  /** Scratch of the TS engine (A_S and L: (d+1)×d; X u, candidates and their values: n; u, λ, r, a_k, S: d+1). */
  readonly scratch: {
    AS: Float64Array; L: Float64Array; xu: Float64Array; u: Float64Array; lam: Float64Array; r: Float64Array; ak: Float64Array; cand: Int32Array;
    vals: Float64Array; S: Int32Array;
  };
}

/** Which engine runs the active-set projections: the f64x2 wasm kernel (when it loads) or TS. */
export type ConeEngine = "wasm" | "ts";

/**
 * Where a block's vector and its image live: z = W[wOff..wOff+d) and X z = Zx[zOff..zOff+n),
 * overwritten by Π_K z and X Π_K z.
 */
export interface BlockSlice {
  readonly W: Float64Array;
  readonly wOff: number;
  readonly Zx: Float64Array;
  readonly zOff: number;
}

/** An active-set engine's result for one block: `kept` active rows S[sOff..sOff+kept) (−1: failed), u (d) and X u (n) at their offsets. */
interface ActiveSetResult {
  readonly kept: number;
  readonly S: Int32Array;
  readonly sOff: number;
  readonly u: Float64Array;
  readonly uOff: number;
  readonly xu: Float64Array;
  readonly xuOff: number;
}

/**
 * Fresh per-block state; X Xᵀ is kept when n ≤ gramMaxRows. `engine` "wasm" (default) uses the
 * wasm kernel when WebAssembly SIMD and shared memory are available, else the TS engine.
 */
export function coneProxState(op: BlockOperator, cacheFaces = true, gramMaxRows = GRAM_MAX_ROWS, engine: ConeEngine = "wasm"): ConeProxState {
  const { blocks: B, d, n } = op;
  const keepGram = n <= gramMaxRows;
  const kernel = engine === "wasm" ? coneKernel(op, keepGram, (G) => rowGram(op, G)) : null;
  return {
    active: Array.from({ length: B }, () => []),
    q: new Float64Array(B * d),
    faces: Array.from({ length: B }, () => null),
    projections: 0, faceHits: 0, screened: 0, activeSetHits: 0, cacheFaces,
    gram: kernel !== null ? kernel.gram : keepGram ? rowGram(op, new Float64Array(n * n)) : null,
    kernel,
    scratch: {
      AS: new Float64Array((d + 1) * d), L: new Float64Array((d + 1) * d), xu: new Float64Array(n), u: new Float64Array(d),
      lam: new Float64Array(d + 1), r: new Float64Array(d + 1), ak: new Float64Array(d), cand: new Int32Array(n),
      vals: new Float64Array(n), S: new Int32Array(d + 1),
    },
  };
}

/**
 * Π_K z by the dual active-set method of Goldfarb & Idnani (1983, "A numerically stable dual
 * method for solving strictly convex quadratic programs", Math. Prog. 27) for
 * min ½‖u − z‖² s.t. a_kᵀu ≥ 0 (a_k = CS_bk x_k), warm-started from the block's last active set.
 * State: S with λ_S ≥ 0 and u = z + A_Sᵀλ_S, A_S u = 0. Start: solve on S, drop the most negative
 * multiplier until λ_S ≥ 0. Step: take the most violated row k; along λ_k = t the pair moves by
 * u' = p = (I − P_S) a_k, λ_S' = −r, r = (A_S A_Sᵀ)⁻¹A_S a_k; the full step t = −a_kᵀu/‖p‖²
 * adds k, a shorter one drops the row j whose λ_j reaches 0 first (and k is kept pending). The
 * dual objective rises at every step, so no set repeats (no cycling). A_S A_Sᵀ = L Lᵀ is updated by
 * appending a row (l = L⁻¹A_S a_k, ‖p‖² = ‖a_k‖² − ‖l‖²) and refactored on a drop. Violations are
 * looked up among the rows violated at the last full scan; a full scan (X u) ends the method. At
 * the end λ ≥ 0 and X u feasible: the KKT conditions of the projection (cone.ts).
 * The TypeScript engine; assembly/cone.ts is the same method in f64x2 (coneKernel.ts), and this
 * stays its fallback and test oracle. In: z = at.W[at.wOff..+d), the warm set st.scratch.S[0..m0).
 * Out: u and X u in st.scratch.u, st.scratch.xu, the rows with λ > 0 in st.scratch.S; returns
 * their number, or −1 on a degenerate step or the iteration cap (the NNLS path then decides).
 */
function projectActiveSetTs(op: BlockOperator, st: ConeProxState, b: number, at: BlockSlice, tol: number, m0: number): number {
  const { d } = op;
  const { W, wOff } = at;
  const { AS, lam, S, u } = st.scratch;
  const zNorm = nrm2(W.subarray(wOff, wOff + d));
  let m = warmStartTs(op, st, b, at, m0);
  if (m < 0) return -1;
  for (let j = 0; j < d; j++) {
    let t = W[wOff + j];
    for (let c = 0; c < m; c++) t += lam[c] * AS[c * d + j];
    u[j] = t;
  }
  const search = { thr: -tol * zNorm, nCand: 0, fullScan: true };
  for (let step = 0; step < 4 * d + 40; step++) {
    const k = mostViolatedRow(op, st, b, search);
    if (k === FEASIBLE) {
      // Optimal: λ_S ≥ 0, A_S u = 0, X u feasible. Keep the rows with λ > 0.
      let kept = 0;
      for (let c = 0; c < m; c++) if (lam[c] > 0) S[kept++] = S[c];
      return kept;
    }
    if (k === RESCAN) continue;
    m = addRowTs(op, st, b, k, m);
    if (m < 0) return -1;
  }
  return -1;
}

/** mostViolatedRow's answers besides a row index: X u is feasible (after a full scan), or scan again. */
const FEASIBLE = -1;
const RESCAN = -2;

/**
 * Warm start of the TS engine: the block's previous active set S[0..m0) (st.scratch), factored
 * row by row, then made dual feasible by dropping the most negative multiplier of the equality
 * problem on S until λ_S ≥ 0. Returns |S|, or −1 on a dependent row.
 */
function warmStartTs(op: BlockOperator, st: ConeProxState, b: number, at: BlockSlice, m0: number): number {
  const { n, d, X, rowNorm } = op;
  const CS = op.coneSign!;
  const co = b * n;
  const { AS, L, lam, S } = st.scratch;
  let m = 0;
  for (let idx = 0; idx < m0; idx++) {
    if (m >= d) break;
    const k = S[idx];
    const sg = CS[co + k];
    for (let j = 0; j < d; j++) AS[m * d + j] = sg * X[k * d + j];
    S[m] = k;
    const dd = appendCholeskyRow(op, st, b, m);
    if (!(dd > 1e-24 * rowNorm[k] ** 2)) return -1;
    L[m * d + m] = Math.sqrt(dd);
    m++;
  }
  for (;;) {
    solveEquality(L, AS, m, d, at.W, at.wOff, lam);
    let worst = -1;
    for (let c = 0; c < m; c++) if (lam[c] < 0 && (worst < 0 || lam[c] < lam[worst])) worst = c;
    if (worst < 0) return m;
    removeActiveRow(L, AS, S, lam, m, d, worst);
    m--;
  }
}

/**
 * The most violated row of block b at u (st.scratch.u): among the candidate rows of the last full
 * scan, or by a full scan of X u (into st.scratch.xu) that refreshes the CANDIDATES most violated
 * rows. A row is violated when (CS_bk x_kᵀu)/‖x_k‖ < search.thr. Returns the row, FEASIBLE (a full
 * scan found none: the method ends) or RESCAN (no candidate left: scan fully next).
 */
function mostViolatedRow(op: BlockOperator, st: ConeProxState, b: number, search: { thr: number; nCand: number; fullScan: boolean }): number {
  const { n, d, X, rowNorm } = op;
  const CS = op.coneSign!;
  const co = b * n;
  const { u, xu, cand, vals } = st.scratch;
  let k = -1;
  let kv = search.thr;
  if (search.fullScan) {
    let nCand = 0;
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      let t = 0;
      for (let j = 0; j < d; j++) t += X[xo + j] * u[j];
      xu[i] = t;
      const rn = rowNorm[i];
      if (rn === 0) continue;
      const v = (CS[co + i] * t) / rn;
      if (v < search.thr) {
        cand[nCand] = i;
        vals[nCand] = v;
        nCand++;
        if (v < kv) { kv = v; k = i; }
      }
    }
    // Keep the CANDIDATES most violated rows (the next full scan finds the rest).
    search.nCand = nCand > CANDIDATES ? selectSmallest(cand, vals, nCand, CANDIDATES) : nCand;
    if (k < 0) return FEASIBLE;
  } else {
    for (let c = 0; c < search.nCand; c++) {
      const i = cand[c];
      const xo = i * d;
      let t = 0;
      for (let j = 0; j < d; j++) t += X[xo + j] * u[j];
      const v = (CS[co + i] * t) / rowNorm[i];
      if (v < kv) { kv = v; k = i; }
    }
    if (k < 0) {
      search.fullScan = true;
      return RESCAN;
    }
  }
  search.fullScan = false;
  return k;
}

/**
 * Add the violated row k to the working set of m rows: along λ_k = t the pair moves by
 * u' = p = (I − P_S) a_k, λ_S' = −r (r = (A_S A_Sᵀ)⁻¹A_S a_k); the full step t = −a_kᵀu/‖p‖² adds k,
 * a shorter one drops the row whose multiplier reaches 0 first and tries again. Returns the new
 * size of the working set, or −1 on a degenerate step or when the set would exceed d rows.
 */
function addRowTs(op: BlockOperator, st: ConeProxState, b: number, k: number, m0: number): number {
  const { n, d, X, rowNorm } = op;
  const CS = op.coneSign!;
  const { AS, L, lam, r, ak, S, u } = st.scratch;
  const sk = CS[b * n + k];
  for (let j = 0; j < d; j++) ak[j] = sk * X[k * d + j];
  let m = m0;
  let lamK = 0;
  for (let guard = 0; ; guard++) {
    if (guard > d + 2 || m >= d) return -1;
    for (let j = 0; j < d; j++) AS[m * d + j] = ak[j];
    S[m] = k;
    const pp = appendCholeskyRow(op, st, b, m);
    // r = L⁻ᵀ l (l = L[m, 0..m)).
    for (let a = 0; a < m; a++) r[a] = L[m * d + a];
    trsvRaw(true, true, false, m, L, 0, d, r, 0);
    let aku = 0;
    for (let j = 0; j < d; j++) aku += ak[j] * u[j];
    const degenerate = !(pp > 1e-24 * rowNorm[k] ** 2);
    const tFull = degenerate ? Infinity : -aku / pp;
    let tPart = Infinity;
    let drop = -1;
    for (let c = 0; c < m; c++) {
      if (r[c] > 0) {
        const t = lam[c] / r[c];
        if (t < tPart) { tPart = t; drop = c; }
      }
    }
    if (!Number.isFinite(tFull) && drop < 0) return -1;
    const t = Math.min(tFull, tPart);
    // u += t p, p = a_k − A_Sᵀ r; λ_S −= t r; λ_k += t.
    for (let j = 0; j < d; j++) u[j] += t * ak[j];
    for (let c = 0; c < m; c++) {
      const tr = t * r[c];
      const ao = c * d;
      for (let j = 0; j < d; j++) u[j] -= tr * AS[ao + j];
      lam[c] -= tr;
    }
    lamK += t;
    if (tFull <= tPart) {
      L[m * d + m] = Math.sqrt(pp);
      lam[m] = lamK;
      return m + 1;
    }
    lam[drop] = 0;
    removeActiveRow(L, AS, S, lam, m, d, drop);
    m--;
  }
}

/**
 * Append row m of the TS engine's working set (a_k = AS[m], index S[m] = k, in st.scratch) to the
 * Cholesky factor L of A_S A_Sᵀ (linalg choleskyAppendRow) for block b, with
 * a_cᵀa_k = CS_c CS_k (X Xᵀ)_{ck} when the Gram X Xᵀ is kept. Returns ‖a_k‖² − ‖l‖², the squared
 * new pivot (‖(I − P_S) a_k‖²).
 */
function appendCholeskyRow(op: BlockOperator, st: ConeProxState, b: number, m: number): number {
  const { n, d } = op;
  const CS = op.coneSign!;
  const co = b * n;
  const GX = st.gram;
  const { L, AS, S } = st.scratch;
  const k = S[m];
  const mo = m * d;
  let aa = 0;
  for (let j = 0; j < d; j++) aa += AS[mo + j] * AS[mo + j];
  const sk = CS[co + k];
  for (let c = 0; c < m; c++) {
    if (GX !== null) {
      L[mo + c] = CS[co + S[c]] * sk * GX[S[c] * n + k];
    } else {
      let t = 0;
      for (let j = 0; j < d; j++) t += AS[c * d + j] * AS[mo + j];
      L[mo + c] = t;
    }
  }
  return choleskyAppendRow(L, d, m, aa);
}

/** λ for the equality problem on the m rows of A_S: L Lᵀ λ = −A_S z (z = W[wOff..wOff+d)). */
function solveEquality(L: Float64Array, AS: Float64Array, m: number, d: number, W: Float64Array, wOff: number, lam: Float64Array): void {
  for (let a = 0; a < m; a++) {
    const ao = a * d;
    let t = 0;
    for (let j = 0; j < d; j++) t -= AS[ao + j] * W[wOff + j];
    lam[a] = t;
  }
  trsvRaw(true, false, false, m, L, 0, d, lam, 0);
  trsvRaw(true, true, false, m, L, 0, d, lam, 0);
}

/** Delete row c of the m active rows (A_S, S and λ shift up; L updated by Givens, O(m²)). */
function removeActiveRow(L: Float64Array, AS: Float64Array, S: Int32Array, lam: Float64Array, m: number, d: number, c: number): void {
  for (let i = c; i < m - 1; i++) {
    const io = i * d;
    for (let j = 0; j < d; j++) AS[io + j] = AS[io + d + j];
    lam[i] = lam[i + 1];
    S[i] = S[i + 1];
  }
  choleskyDeleteRow(L, d, m, c);
}

/**
 * Keep the `keep` entries of cand[0..count) with the smallest vals (in any order), by
 * quickselect on both arrays in place (Hoare 1961, expected O(count)); returns `keep`.
 */
function selectSmallest(cand: Int32Array, vals: Float64Array, count: number, keep: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = vals[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (vals[i] < pivot) i++;
      while (vals[j] > pivot) j--;
      if (i <= j) {
        const tv = vals[i]; vals[i] = vals[j]; vals[j] = tv;
        const tc = cand[i]; cand[i] = cand[j]; cand[j] = tc;
        i++;
        j--;
      }
    }
    if (keep - 1 <= j) hi = j;
    else if (keep - 1 >= i) lo = i;
    else break;
  }
  return keep;
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
 * Try the cached face of block b on the block at `at`: u = z − Qᵀ(Q z), λ = −(A_S A_Sᵀ)⁻¹ A_S z ≥ 0,
 * X u feasible. On success writes u and X u over z and X z and returns true.
 */
function tryFace(op: BlockOperator, st: ConeProxState, face: Face, b: number, at: BlockSlice, zNorm: number, tol: number): boolean {
  const { n, d, rowNorm } = op;
  const { W, wOff, Zx, zOff } = at;
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

/** True when no row of block b is violated at the image Zx[zOff..zOff+n): (CS_bk x_kᵀz)/‖x_k‖ ≥ thr. */
function inCone(op: BlockOperator, b: number, Zx: Float64Array, zOff: number, thr: number): boolean {
  const { n, rowNorm } = op;
  const CS = op.coneSign!;
  const co = b * n;
  for (let k = 0; k < n; k++) {
    const rn = rowNorm[k];
    if (rn !== 0 && (CS[co + k] * Zx[zOff + k]) / rn < thr) return false;
  }
  return true;
}

/**
 * The up to `cap` most violated rows of block b at the image Zx[zOff..zOff+n) (relative
 * violation (CS_bk x_kᵀz)/‖x_k‖ < −tol·zNorm), most violated first; [] when z ∈ K.
 */
function violatedRows(op: BlockOperator, b: number, Zx: Float64Array, zOff: number, zNorm: number, tol: number, cap: number): number[] {
  const { n, rowNorm } = op;
  const CS = op.coneSign!;
  const co = b * n;
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
}

/**
 * Π_K z in place for the blocks `blocks` (K_b = {w : CS_b ⊙ X w ≥ 0}): block blocks[i] has z in
 * at.W[at.wOff + i·d ..+d) and X z in at.Zx[at.zOff + i·n ..+n) on entry, Π_K z and its image on exit.
 * Updates each block's state. `tol`: a row is violated when (CS_bk x_kᵀu)/‖x_k‖ < −tol·‖z‖.
 * Blocks with z ∈ K or an accepted cached face are done here; the others go to the active-set
 * engine as one batch (wasm: on every thread of coneKernel.ts), and the NNLS path settles what it
 * could not.
 */
export function projectBlocks(op: BlockOperator, st: ConeProxState, blocks: ArrayLike<number>, at: BlockSlice, tol: number): void {
  const { n, d } = op;
  const { W, wOff, Zx, zOff } = at;
  const slot = (i: number): BlockSlice => ({ W, wOff: wOff + i * d, Zx, zOff: zOff + i * n });
  const jobs: number[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    const wo = wOff + i * d;
    const zNorm = nrm2(W.subarray(wo, wo + d));
    // z = 0, or z ∈ K: the projection is z itself (multiplier 0).
    if (zNorm === 0 || inCone(op, b, Zx, zOff + i * n, -tol * zNorm)) continue;
    const face = st.faces[b];
    if (face !== null && tryFace(op, st, face, b, slot(i), zNorm, tol)) continue;
    jobs.push(i);
  }
  const k = st.kernel;
  if (k !== null) {
    for (let t = 0; t < jobs.length; t++) {
      const i = jobs[t];
      const b = blocks[i];
      k.pat[t] = op.pattern[b];
      k.Z.set(W.subarray(wOff + i * d, wOff + i * d + d), t * d);
      const warm = st.active[b];
      const m0 = Math.min(warm.length, d);
      for (let c = 0; c < m0; c++) k.S[t * (d + 1) + c] = warm[c];
      k.M[t] = m0;
    }
    runConeBatch(k, jobs.length, tol);
    for (let t = 0; t < jobs.length; t++) {
      const i = jobs[t];
      const result = { kept: k.M[t], S: k.S, sOff: t * (d + 1), u: k.U, uOff: t * d, xu: k.XU, xuOff: t * n };
      settleBlock(op, st, blocks[i], slot(i), tol, result);
    }
    return;
  }
  const { S, u, xu } = st.scratch;
  for (const i of jobs) {
    const b = blocks[i];
    const warm = st.active[b];
    const m0 = Math.min(warm.length, d);
    for (let c = 0; c < m0; c++) S[c] = warm[c];
    const kept = projectActiveSetTs(op, st, b, slot(i), tol, m0);
    settleBlock(op, st, b, slot(i), tol, { kept, S, sOff: 0, u, uOff: 0, xu, xuOff: 0 });
  }
}

/** Π_K z in place for one block b at `at` (projectBlocks with one block). */
export function projectBlock(op: BlockOperator, st: ConeProxState, b: number, at: BlockSlice, tol: number): void {
  projectBlocks(op, st, [b], at, tol);
}

/**
 * Take an active-set result for block b (kept ≥ 0 rows, u, X u finite): write u and X u over z and
 * X z at `at`, set q = u − z and the active set (and a face cache when the set repeated);
 * otherwise (kept = −1, or a non-finite u) run the NNLS path.
 */
function settleBlock(op: BlockOperator, st: ConeProxState, b: number, at: BlockSlice, tol: number, result: ActiveSetResult): void {
  const { n, d } = op;
  const { W, wOff, Zx, zOff } = at;
  const { kept, S, sOff, u, uOff, xu, xuOff } = result;
  let finite = kept >= 0;
  for (let j = 0; j < d && finite; j++) finite = Number.isFinite(u[uOff + j]);
  if (!finite) {
    projectByNnls(op, st, b, at, tol);
    return;
  }
  const qo = b * d;
  for (let j = 0; j < d; j++) {
    st.q[qo + j] = u[uOff + j] - W[wOff + j];
    W[wOff + j] = u[uOff + j];
  }
  for (let i = 0; i < n; i++) Zx[zOff + i] = xu[xuOff + i];
  setActiveRows(op, st, b, Array.from(S.subarray(sOff, sOff + kept)));
  st.activeSetHits++;
}

/**
 * Record block b's new active rows; with face caching on, cache the face once the active set
 * repeats (it is then likely to be stable).
 */
function setActiveRows(op: BlockOperator, st: ConeProxState, b: number, keep: number[]): void {
  const prev = st.active[b];
  const same = prev.length === keep.length && keep.every((t) => prev.includes(t));
  st.active[b] = keep;
  st.faces[b] = st.cacheFaces && same ? buildFace(op, b, keep) : null;
}

/**
 * Π_K z for block b by constraint generation warm-started from its active set: add the most
 * violated rows, solve the small NNLS min_{λ≥0} ‖z + A_Sᵀλ‖ (linalg `nnls`), repeat until X u is
 * feasible (KKT of the full NNLS, see cone.ts). The fallback of the active-set engines.
 */
function projectByNnls(op: BlockOperator, st: ConeProxState, b: number, at: BlockSlice, tol: number): void {
  const { n, d, X } = op;
  const CS = op.coneSign!;
  const co = b * n;
  const { W, wOff, Zx, zOff } = at;
  const zNorm = nrm2(W.subarray(wOff, wOff + d));
  st.projections++;
  let add = violatedRows(op, b, Zx, zOff, zNorm, tol, ADD_PER_ROUND);
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
    add = violatedRows(op, b, Zx, zOff, zNorm, tol, ADD_PER_ROUND).filter((k) => !S.includes(k));
    if (add.length === 0) {
      st.q.set(p, b * d);
      setActiveRows(op, st, b, keep);
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
      projectBlock(op, st, b, { W, wOff, Zx: Z, zOff }, tol);
      const u = nrm2(W.subarray(wOff, wOff + d));
      const scale = u > tau ? 1 - tau / u : 0;
      for (let j = 0; j < d; j++) W[wOff + j] *= scale;
      for (let k = 0; k < n; k++) Z[zOff + k] *= scale;
    },
  };
}
