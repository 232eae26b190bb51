// The restricted master problem of column generation over ReLU atoms (square loss):
//   min_{c ≥ 0}  ½‖Σ_j c_j a_j − y‖² + β Σ_j c_j,
// a_j = s_b D_b X u_j ∈ ℝⁿ for a unit direction u_j ∈ K_b of block b. Any c ≥ 0 gives the feasible
// point w_b = Σ_{j∈b} c_j u_j of the ReLU program (K_b is a convex cone) with penalty
// β‖w_b‖ ≤ β Σ_{j∈b} c_j, so the master value is an upper bound on the optimum (docs/science/convex.md §1.3;
// the atoms are the extreme points of the gauge ball of the program).
//
// Solved exactly by the active-set method of Lawson & Hanson (Solving Least Squares Problems,
// 1974, ch. 23) in Gram form: the passive set P holds c_P = (A_P A_Pᵀ)⁻¹(A_P y − β1) > 0; atoms
// enter by largest reduced gain w_j = a_jᵀr − β (r = y − Σ c_j a_j), leave when their coefficient
// reaches 0 on the segment to the unconstrained solution. The Gram matrix G = A Aᵀ of all atoms
// is kept (new atoms' rows by one GEMM when a solve starts), so the reduced gains
// w = A y − G c − β and the dot products of an entering atom cost O(count·|P|) and O(|P|), not
// O(n·count); the Cholesky factor of A_P A_Pᵀ is updated by appending rows and by Givens
// rotations on removal. Atoms enter in batches of up to BATCH by gain; one that cannot enter in a
// batch (dependent without decrease, or leaving at once) is deferred and tried alone at the end,
// at the optimum on P, where the tests are exact. (On the scnn demo the late rounds bring ~170
// near-duplicates of passive atoms per round: one-at-a-time entry after the first such event
// cost ~100 outer iterations per solve.)
import { nrm2 } from "../../linalg/index.js";
import { choleskyAppendRow, choleskyDeleteRow } from "../../linalg/cholesky.js";
import { trsvRaw } from "../../linalg/triangular.js";
import { gemmRaw } from "../../linalg/gemm.js";

/** Atoms, coefficients and the factorised passive set of the master problem. */
export interface AtomMaster {
  readonly n: number;
  readonly d: number;
  /** Number of atoms. */
  count: number;
  /** Atom images a_j (count×n, row-major; capacity grows). */
  A: Float64Array;
  /** Atom directions u_j (count×d). */
  U: Float64Array;
  /** Block of each atom. */
  block: Int32Array;
  /** Coefficients c_j ≥ 0. */
  c: Float64Array;
  /** a_jᵀy. */
  aty: Float64Array;
  /** ‖a_j‖². */
  aa: Float64Array;
  /** Gram matrix a_iᵀa_j (capacity×capacity, row stride = capacity); rows < gramCount are filled. */
  G: Float64Array;
  gramCount: number;
  /** Passive atoms in factor order. */
  passive: number[];
  /** Cholesky factor of A_P A_Pᵀ (lower, row stride `ldL`). */
  L: Float64Array;
  ldL: number;
  /** r = y − Σ c_j a_j. */
  readonly r: Float64Array;
  readonly y: Float64Array;
}

export function atomMaster(y: Float64Array, d: number): AtomMaster {
  const n = y.length;
  const cap = 64;
  return {
    n, d, count: 0,
    A: new Float64Array(cap * n), U: new Float64Array(cap * d), block: new Int32Array(cap),
    c: new Float64Array(cap), aty: new Float64Array(cap), aa: new Float64Array(cap),
    G: new Float64Array(cap * cap), gramCount: 0,
    passive: [], L: new Float64Array(64 * 64), ldL: 64,
    r: y.slice(), y,
  };
}

function grow(m: AtomMaster, need: number): void {
  const cap = m.block.length;
  if (need <= cap) return;
  const nc = Math.max(need, 2 * cap);
  const re = (a: Float64Array, w: number): Float64Array => {
    const o = new Float64Array(nc * w);
    o.set(a.subarray(0, m.count * w));
    return o;
  };
  m.A = re(m.A, m.n);
  m.U = re(m.U, m.d);
  m.c = re(m.c, 1);
  m.aty = re(m.aty, 1);
  m.aa = re(m.aa, 1);
  const b = new Int32Array(nc);
  b.set(m.block.subarray(0, m.count));
  m.block = b;
  const G = new Float64Array(nc * nc);
  for (let i = 0; i < m.gramCount; i++) G.set(m.G.subarray(i * cap, i * cap + m.count), i * nc);
  m.G = G;
}

/**
 * Fill the Gram rows of the atoms added since the last call: G[j, 0..count) = A_j Aᵀ for
 * j ≥ gramCount by one GEMM, mirrored into the columns of the older rows.
 */
function syncGram(m: AtomMaster): void {
  const { n, count } = m;
  const g0 = m.gramCount;
  if (g0 === count) return;
  const ld = m.block.length;
  gemmRaw(false, true, count - g0, count, n, 1, m.A, g0 * n, n, m.A, 0, n, 0, m.G, g0 * ld, ld);
  for (let i = 0; i < g0; i++) for (let j = g0; j < count; j++) m.G[i * ld + j] = m.G[j * ld + i];
  m.gramCount = count;
}

/** Add the atom of block `b` with unit direction u (image a = s_b D_b X u given). Returns its index. */
export function addAtom(m: AtomMaster, b: number, u: Float64Array, uOff: number, a: Float64Array, aOff: number): number {
  grow(m, m.count + 1);
  const j = m.count++;
  const { n, d } = m;
  let ty = 0;
  let tt = 0;
  for (let k = 0; k < n; k++) {
    const v = a[aOff + k];
    m.A[j * n + k] = v;
    ty += v * m.y[k];
    tt += v * v;
  }
  for (let i = 0; i < d; i++) m.U[j * d + i] = u[uOff + i];
  m.block[j] = b;
  m.c[j] = 0;
  m.aty[j] = ty;
  m.aa[j] = tt;
  return j;
}

/** Drop atoms with c_j = 0 that are not passive, keeping the order of the rest (indices change). */
export function pruneAtoms(m: AtomMaster): void {
  const { n, d } = m;
  const inP = new Uint8Array(m.count);
  for (const j of m.passive) inP[j] = 1;
  const map = new Int32Array(m.count).fill(-1);
  let t = 0;
  for (let j = 0; j < m.count; j++) {
    if (!(inP[j] || m.c[j] > 0)) continue;
    map[j] = t;
    if (t !== j) {
      m.A.copyWithin(t * n, j * n, (j + 1) * n);
      m.U.copyWithin(t * d, j * d, (j + 1) * d);
      m.block[t] = m.block[j];
      m.c[t] = m.c[j];
      m.aty[t] = m.aty[j];
      m.aa[t] = m.aa[j];
    }
    t++;
  }
  // Compact G in place: (t, t') ≤ (j, j') in row-major order, so no unread entry is overwritten.
  const ld = m.block.length;
  for (let j = 0; j < m.gramCount; j++) {
    const tj = map[j];
    if (tj < 0) continue;
    for (let i = 0; i < m.gramCount; i++) if (map[i] >= 0) m.G[tj * ld + map[i]] = m.G[j * ld + i];
  }
  let g = 0;
  for (let j = 0; j < m.gramCount; j++) if (map[j] >= 0) g++;
  m.gramCount = g;
  m.count = t;
  m.passive = m.passive.map((j) => map[j]);
}

/** The master objective ½‖r‖² + β Σ c_j. */
export function masterValue(m: AtomMaster, beta: number): number {
  let s = 0;
  for (let k = 0; k < m.n; k++) s += m.r[k] * m.r[k];
  let c = 0;
  for (let j = 0; j < m.count; j++) c += m.c[j];
  return 0.5 * s + beta * c;
}

/** r = y − Σ_{j∈P} c_j a_j. */
function updateResidual(m: AtomMaster): void {
  const { n, r, y, A, c } = m;
  r.set(y);
  for (const j of m.passive) {
    const cj = c[j];
    const o = j * n;
    for (let k = 0; k < n; k++) r[k] -= cj * A[o + k];
  }
}

/**
 * An entering atom whose component orthogonal to the passive atoms has squared norm below this
 * fraction of ‖a_j‖² counts as dependent (pivoted in, see pivotDependent): keeps cond(L) ≲ 1e5·‖a‖.
 */
const DEPENDENT = 1e-10;

/** Atoms entering per batch (each appended to the factor in turn, before one solve on P). */
const BATCH = 64;

/**
 * Solve the master exactly from the current passive set (warm start; its coefficients need not be
 * optimal on P: they are first moved to the optimum on P by descendOnPassive). Returns the number of
 * atoms moved into the passive set. `tol` is the relative entry threshold: atom j enters when
 * w_j > tol·(β + ‖a_j‖·‖y‖).
 */
export function solveMaster(m: AtomMaster, beta: number, tol = 1e-12): number {
  let entered = 0;
  const yNorm = nrm2(m.y);
  const w = new Float64Array(m.count);
  const tabu = new Uint8Array(m.count);
  const deferred = new Uint8Array(m.count);
  syncGram(m);
  const ld = m.block.length;
  const count = m.count;
  const inP = new Uint8Array(count);
  // The warm start need not be optimal on P (resetPassive, a previous solve's pivots): without this
  // a solve in which no atom enters would return its coefficients unchanged.
  descendOnPassive(m, beta, { batch: [], tabu, deferred });
  for (let outer = 0; outer < 4 * count + 20; outer++) {
    // w = A r − β = A y − Σ_{i∈P} c_i G[i, ·] − β (c_i = 0 off P; G symmetric).
    inP.fill(0);
    for (let j = 0; j < count; j++) w[j] = m.aty[j] - beta;
    for (const i of m.passive) {
      inP[i] = 1;
      const ci = m.c[i];
      const gi = i * ld;
      for (let j = 0; j < count; j++) w[j] -= ci * m.G[gi + j];
    }
    let cand: number[] = [];
    const late: number[] = [];
    for (let j = 0; j < count; j++) {
      if (!inP[j] && !tabu[j] && w[j] > tol * (beta + Math.sqrt(m.aa[j]) * yNorm)) (deferred[j] ? late : cand).push(j);
    }
    // Deferred atoms (dependent ones that found no decrease while entering in a batch) are tried
    // alone, once no other atom has a positive gain: at the optimum on P the pivot test is exact.
    let size = BATCH;
    if (cand.length === 0) {
      if (late.length === 0) break;
      cand = late;
      size = 1;
    }
    cand.sort((a, b) => w[b] - w[a]);
    const batch = cand.slice(0, size);
    let added = 0;
    for (let t = 0; t < batch.length; t++) {
      const j = batch[t];
      const dot = (i: number): number => m.G[j * ld + i];
      if (appendPassive(m, j, dot) || pivotIn(m, j, dot)) {
        added++;
        entered++;
      } else if (batch.length === 1) {
        tabu[j] = 1; // dependent with no decrease at the optimum on P: cannot enter
      } else {
        deferred[j] = 1;
      }
    }
    if (added > 0) descendOnPassive(m, beta, { batch, tabu, deferred });
  }
  updateResidual(m);
  return entered;
}

/** Entry bookkeeping of solveMaster for descendOnPassive: the batch just entered, its flags. */
interface EntryState {
  readonly batch: readonly number[];
  readonly tabu: Uint8Array;
  readonly deferred: Uint8Array;
}

/**
 * The inner loop of Lawson & Hanson (1974, ch. 23, steps 6–11): from c > 0 on P, move toward the
 * unconstrained solution s = (A_P A_Pᵀ)⁻¹(A_P y − β1) on P; if some s_i ≤ 0, stop where the first
 * coefficient reaches 0 (step α = min c_i/(c_i − s_i)), drop that atom (and any other at 0) and
 * repeat; end with c_P = s > 0, optimal on the final P. Every step but the last removes at least
 * the blocking atom, so |P₀| + 1 solves suffice (the bound is fixed at entry: P shrinks meanwhile).
 * An atom of `batch` leaving at the first step is deferred (tabu if it entered alone with no step).
 */
function descendOnPassive(m: AtomMaster, beta: number, { batch, tabu, deferred }: EntryState): void {
  const maxSteps = m.passive.length + 1;
  for (let inner = 0; inner < maxSteps; inner++) {
    const s = solvePassive(m, beta);
    const P = m.passive;
    let alpha = 1;
    let blocking = -1;
    for (let i = 0; i < P.length; i++) {
      if (s[i] <= 0) {
        const cj = m.c[P[i]];
        const a = cj > 0 ? cj / (cj - s[i]) : 0; // in [0, 1]; an atom already at 0 blocks at once
        if (blocking < 0 || a < alpha) { alpha = a; blocking = i; }
      }
    }
    if (blocking < 0) {
      for (let i = 0; i < P.length; i++) m.c[P[i]] = s[i];
      return;
    }
    for (let i = 0; i < P.length; i++) m.c[P[i]] += alpha * (s[i] - m.c[P[i]]);
    for (let i = P.length - 1; i >= 0; i--) {
      // The blocking atom leaves even if rounding left its coefficient a little above 0.
      if (i === blocking || (s[i] <= 0 && m.c[P[i]] <= 1e-15 * Math.abs(s[i]))) {
        // An atom of this batch leaving at once is deferred: it is tried again alone once no
        // other atom can enter (Lawson & Hanson's order from there, which cannot cycle; every
        // atom is deferred at most once per solve). One that leaves alone without any
        // progress (rounding) is dropped from this solve.
        if (inner === 0 && batch.includes(P[i])) {
          if (batch.length === 1 && alpha === 0) tabu[P[i]] = 1;
          else deferred[P[i]] = 1;
        }
        m.c[P[i]] = 0;
        removePassive(m, i);
      }
    }
  }
}

/**
 * Move the master to the coefficients `c` (count entries, c ≥ 0): the passive set becomes the
 * atoms with c_j > 0, its factor is rebuilt by appending their Gram rows in turn (O(|P|³/3)),
 * and r = y − Σ c_j a_j. Used to jump to a point known to be better than the current one (e.g.
 * each block's atoms replaced by their merged atom: same ŷ, smaller Σ c) without one simplex
 * pivot per atom. Returns false and leaves the master unchanged if those atoms are (numerically)
 * dependent.
 */
export function resetPassive(m: AtomMaster, c: Float64Array): boolean {
  syncGram(m);
  const ld = m.block.length;
  const passive = m.passive;
  const cOld = m.c.slice(0, m.count);
  m.passive = [];
  for (let j = 0; j < m.count; j++) {
    m.c[j] = c[j];
    if (!(c[j] > 0)) continue;
    if (!appendPassive(m, j, (i) => m.G[j * ld + i])) {
      // Restore: coefficients, P, and its factor (rebuilt by the same appends).
      m.c.set(cOld);
      m.passive = [];
      for (const i of passive) appendPassive(m, i, (t) => m.G[i * ld + t]);
      return false;
    }
  }
  updateResidual(m);
  return true;
}

/** Append atom j to P (a new row of L); false if it is (numerically) dependent on P. */
function appendPassive(m: AtomMaster, j: number, dot: (i: number) => number): boolean {
  const p = m.passive.length;
  if (p + 1 > m.ldL) {
    const ld = 2 * m.ldL;
    const L = new Float64Array(ld * ld);
    for (let i = 0; i < p; i++) L.set(m.L.subarray(i * m.ldL, i * m.ldL + i + 1), i * ld);
    m.L = L;
    m.ldL = ld;
  }
  const { L, ldL } = m;
  for (let c = 0; c < p; c++) L[p * ldL + c] = dot(m.passive[c]);
  const dd = choleskyAppendRow(L, ldL, p, m.aa[j]);
  if (!(dd > DEPENDENT * m.aa[j])) return false;
  L[p * ldL + p] = Math.sqrt(dd);
  m.passive.push(j);
  return true;
}

/**
 * Atom j is (numerically) dependent on P: a_j = A_Pᵀz with z = (A_P A_Pᵀ)⁻¹A_P a_j (row |P| of L
 * holds l = L⁻¹A_P a_j from the failed append). Moving c_j += t, c_P −= t z keeps ŷ and changes
 * the objective by β t (1 − 1ᵀz), a decrease when 1ᵀz > 1 (a merged atom, say); t stops where
 * the first c_i reaches 0 and that atom leaves P (a simplex pivot). Returns false if there is no
 * decrease or nothing blocks.
 */
function pivotDependent(m: AtomMaster, j: number): boolean {
  const { L, ldL } = m;
  const p = m.passive.length;
  const z = L.slice(p * ldL, p * ldL + p);
  trsvRaw(true, true, false, p, L, 0, ldL, z, 0);
  let sum = 0;
  for (let a = 0; a < p; a++) sum += z[a];
  if (!(sum > 1 + 1e-12)) return false;
  let t = Infinity;
  let leave = -1;
  for (let a = 0; a < p; a++) {
    if (z[a] > 0) {
      const v = m.c[m.passive[a]] / z[a];
      if (v < t) { t = v; leave = a; }
    }
  }
  if (leave < 0) return false;
  for (let a = 0; a < p; a++) m.c[m.passive[a]] = Math.max(0, m.c[m.passive[a]] - t * z[a]);
  m.c[m.passive[leave]] = 0;
  m.c[j] = t;
  removePassive(m, leave);
  return true;
}

/**
 * pivotDependent, then append j; if j is still dependent afterwards, restores P, their
 * coefficients and the p rows of L in use (the pivot touches nothing else).
 */
function pivotIn(m: AtomMaster, j: number, dot: (i: number) => number): boolean {
  const passive = m.passive.slice();
  const c = passive.map((i) => m.c[i]);
  const L = m.L.slice(0, passive.length * m.ldL);
  if (pivotDependent(m, j) && appendPassive(m, j, dot)) return true;
  m.passive = passive;
  passive.forEach((i, a) => { m.c[i] = c[a]; });
  m.c[j] = 0;
  m.L.set(L);
  return false;
}

/** Remove position i of P; L updated by Givens rotations (O(|P|²)). */
function removePassive(m: AtomMaster, i: number): void {
  choleskyDeleteRow(m.L, m.ldL, m.passive.length, i);
  m.passive.splice(i, 1);
}

/** s = (A_P A_Pᵀ)⁻¹(A_P y − β1) in passive order. */
function solvePassive(m: AtomMaster, beta: number): Float64Array {
  const { L, ldL } = m;
  const p = m.passive.length;
  const s = Float64Array.from(m.passive, (j) => m.aty[j] - beta);
  trsvRaw(true, false, false, p, L, 0, ldL, s, 0);
  trsvRaw(true, true, false, p, L, 0, ldL, s, 0);
  return s;
}
