import type { Arena } from "./arena.js";
import type { SecularRegions } from "./kernels/secular.js";
import { hypot } from "./tridiagonalize.js";

/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix T (diagonal d, off-diagonal e).
 * Internal to `eigh`. Eigenvectors are stored as the ROWS of a row-major n×n region (`zt`)
 * (zt[i·n + j] = component j of eigenvector i), so that every rotation and every gather touches
 * contiguous memory.
 */

const EPS = 2.220446049250313e-16;
/** Subproblems up to this size are solved by implicit QL (LAPACK dstedc's SMLSIZ is 25). */
const LEAF = 32;

/**
 * Eigenvalues of T, ascending, by the root-free QL/QR algorithm of Pal, Walker and Kahan
 * (LAPACK dsterf; Parlett, The Symmetric Eigenvalue Problem, §8.15): the implicitly shifted
 * QL (or QR, chosen per block so the iteration chases towards the end with the larger |d|)
 * iteration carried on d and e² with no square roots in the inner loop, about half the cost of
 * the rotation-based implicit QL. Each unreduced block (split where |e_i| ≤ ε√|d_i d_{i+1}|) is
 * scaled into [√safmin/ε², √safmax/3] so that e² neither overflows nor underflows. Backward
 * stable: each eigenvalue is exact for a T + δT with ‖δT‖ = O(ε‖T‖). Overwrites d by the
 * eigenvalues (and returns it) and destroys e. Throws after 30n inner iterations (never
 * observed: the Wilkinson-type shift converges cubically).
 */
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  if (n <= 1) return d;
  // e2 holds e² of the block being iterated (one spare slot so that e2[n − 1] exists).
  const e2 = new Float64Array(n);
  e2.set(e.subarray(0, n - 1));
  const maxIterations = 30 * n;
  let iterations = 0;
  let l1 = 0;
  while (l1 < n) {
    if (l1 > 0) e2[l1 - 1] = 0;
    let m = l1;
    for (; m < n - 1; m++) {
      if (Math.abs(e2[m]) <= Math.sqrt(Math.abs(d[m])) * Math.sqrt(Math.abs(d[m + 1])) * PWK_EPS) {
        e2[m] = 0;
        break;
      }
    }
    const lo = l1;
    const hi = m;
    l1 = m + 1;
    if (hi === lo) continue;
    iterations = pwkBlock(d, e2, lo, hi, iterations, maxIterations);
  }
  d.sort();
  return d;
}

/** LAPACK's relative machine precision (unit roundoff 2⁻⁵³) and the scaling bounds of dsterf. */
const PWK_EPS = 2 ** -53;
const PWK_EPS2 = PWK_EPS * PWK_EPS;
const SAFMIN = 2.2250738585072014e-308;
const SSFMAX = Math.sqrt(1 / SAFMIN) / 3;
const SSFMIN = Math.sqrt(SAFMIN) / PWK_EPS2;

/**
 * dsterf on the unreduced block d[lo..hi], e[lo..hi) (e on entry, squared here): scale, choose
 * QL or QR, iterate until every eigenvalue of the block is found, unscale. Returns the updated
 * iteration count.
 */
function pwkBlock(d: Float64Array, e2: Float64Array, lo: number, hi: number, iterations: number, maxIterations: number): number {
  let anorm = 0;
  for (let i = lo; i <= hi; i++) anorm = Math.max(anorm, Math.abs(d[i]));
  for (let i = lo; i < hi; i++) anorm = Math.max(anorm, Math.abs(e2[i]));
  if (anorm === 0) return iterations;
  const scale = anorm > SSFMAX ? SSFMAX / anorm : anorm < SSFMIN ? SSFMIN / anorm : 1;
  if (scale !== 1) {
    for (let i = lo; i <= hi; i++) d[i] *= scale;
    for (let i = lo; i < hi; i++) e2[i] *= scale;
  }
  for (let i = lo; i < hi; i++) e2[i] *= e2[i];
  const it = Math.abs(d[hi]) < Math.abs(d[lo])
    ? pwkQR(d, e2, hi, lo, iterations, maxIterations)
    : pwkQL(d, e2, lo, hi, iterations, maxIterations);
  if (scale !== 1) for (let i = lo; i <= hi; i++) d[i] /= scale;
  return it;
}

function noConvergence(): never {
  throw new Error("tridiagonal eigenvalues (Pal–Walker–Kahan): no convergence after 30n iterations");
}

/** The QL branch of dsterf: eigenvalues found from d[l] upwards to d[lend]. */
function pwkQL(d: Float64Array, e2: Float64Array, l: number, lend: number, iterations: number, maxIterations: number): number {
  while (l <= lend) {
    let m = l;
    for (; m < lend; m++) if (Math.abs(e2[m]) <= PWK_EPS2 * Math.abs(d[m] * d[m + 1])) break;
    if (m < lend) e2[m] = 0;
    const p = d[l];
    if (m === l) {
      l++;
      continue;
    }
    if (m === l + 1) {
      const [rt1, rt2] = eig2(d[l], Math.sqrt(e2[l]), d[l + 1]);
      d[l] = rt1;
      d[l + 1] = rt2;
      e2[l] = 0;
      l += 2;
      continue;
    }
    if (++iterations > maxIterations) noConvergence();
    const rte = Math.sqrt(e2[l]);
    let sigma = (d[l + 1] - p) / (2 * rte);
    const r = hypot(sigma, 1);
    sigma = p - rte / (sigma + (sigma >= 0 ? r : -r));
    let c = 1;
    let s = 0;
    let gamma = d[m] - sigma;
    let pp = gamma * gamma;
    for (let i = m - 1; i >= l; i--) {
      const bb = e2[i];
      const rr = pp + bb;
      if (i !== m - 1) e2[i + 1] = s * rr;
      const oldc = c;
      // 1/c = rr/pp is formed beside c (not after it): one division less on the loop's chain.
      const cinv = rr / pp;
      c = pp / rr;
      s = bb / rr;
      const oldgam = gamma;
      const alpha = d[i];
      gamma = c * (alpha - sigma) - s * oldgam;
      d[i + 1] = oldgam + (alpha - gamma);
      pp = c > SAFMIN ? gamma * gamma * cinv : c !== 0 ? (gamma * gamma) / c : oldc * bb;
    }
    e2[l] = s * pp;
    d[l] = sigma + gamma;
  }
  return iterations;
}

/** The QR branch of dsterf: eigenvalues found from d[l] downwards to d[lend] (lend < l). */
function pwkQR(d: Float64Array, e2: Float64Array, l: number, lend: number, iterations: number, maxIterations: number): number {
  while (l >= lend) {
    let m = l;
    for (; m > lend; m--) if (Math.abs(e2[m - 1]) <= PWK_EPS2 * Math.abs(d[m] * d[m - 1])) break;
    if (m > lend) e2[m - 1] = 0;
    const p = d[l];
    if (m === l) {
      l--;
      continue;
    }
    if (m === l - 1) {
      const [rt1, rt2] = eig2(d[l], Math.sqrt(e2[l - 1]), d[l - 1]);
      d[l] = rt1;
      d[l - 1] = rt2;
      e2[l - 1] = 0;
      l -= 2;
      continue;
    }
    if (++iterations > maxIterations) noConvergence();
    const rte = Math.sqrt(e2[l - 1]);
    let sigma = (d[l - 1] - p) / (2 * rte);
    const r = hypot(sigma, 1);
    sigma = p - rte / (sigma + (sigma >= 0 ? r : -r));
    let c = 1;
    let s = 0;
    let gamma = d[m] - sigma;
    let pp = gamma * gamma;
    for (let i = m; i < l; i++) {
      const bb = e2[i];
      const rr = pp + bb;
      if (i !== m) e2[i - 1] = s * rr;
      const oldc = c;
      const cinv = rr / pp;
      c = pp / rr;
      s = bb / rr;
      const oldgam = gamma;
      const alpha = d[i + 1];
      gamma = c * (alpha - sigma) - s * oldgam;
      d[i] = oldgam + (alpha - gamma);
      pp = c > SAFMIN ? gamma * gamma * cinv : c !== 0 ? (gamma * gamma) / c : oldc * bb;
    }
    e2[l - 1] = s * pp;
    d[l] = sigma + gamma;
  }
  return iterations;
}

/**
 * Eigenvalues of the 2×2 symmetric [[a, b], [b, c]] (LAPACK dlae2): [rt1, rt2] with |rt1| ≥ |rt2|,
 * the smaller one from the determinant so it keeps its relative accuracy.
 */
function eig2(a: number, b: number, c: number): [number, number] {
  const sm = a + c;
  const df = a - c;
  const adf = Math.abs(df);
  const tb = b + b;
  const ab = Math.abs(tb);
  const [acmx, acmn] = Math.abs(a) > Math.abs(c) ? [a, c] : [c, a];
  const rt = adf > ab ? adf * Math.sqrt(1 + (ab / adf) ** 2) : adf < ab ? ab * Math.sqrt(1 + (adf / ab) ** 2) : ab * Math.SQRT2;
  if (sm === 0) return [0.5 * rt, -0.5 * rt];
  const rt1 = sm < 0 ? 0.5 * (sm - rt) : 0.5 * (sm + rt);
  return [rt1, (acmx / rt1) * acmn - (b / rt1) * b];
}

/**
 * Eigenvalues of T, ascending, by the implicit QL algorithm with Wilkinson shifts
 * (Golub & Van Loan §8.3.5; EISPACK tql1 / Numerical Recipes tqli), O(n²): the previous
 * eigenvalue path, kept as an independent check of tridiagonalEigenvalues.
 * Overwrites d by the eigenvalues and destroys e.
 */
export function tridiagonalEigenvaluesQL(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  const ee = new Float64Array(n);
  ee.set(e.subarray(0, Math.max(n - 1, 0)));
  implicitQL(d, 0, n, ee, null, 0, 0);
  d.sort();
  return d;
}

/** Result of `tridiagonalEigh` (the eigenvectors are in the arena, see there). */
export interface TridiagonalEigen {
  /** Eigenvalues (length n), NOT globally sorted: use `order`. */
  readonly values: Float64Array;
  /** Permutation sorting the eigenvalues ascending: values[order[0]] ≤ values[order[1]] ≤ …. */
  readonly order: Int32Array;
}

/** Arena doubles tridiagonalEigh needs besides its n×n output: its merge workspaces (3n²). */
export function tridiagonalEighWorkspace(n: number): number {
  return 3 * n * n + 6 * n;
}

/**
 * The merge workspaces, offsets in the arena: OUT (m×m, the merged vectors before sorting),
 * GB (the gathered rows of one half), and the secular problem (its vectors and Uᵀ, k×k: row i
 * the eigenvector of root i, columns ordered by support).
 */
interface MergeWork {
  readonly ar: Arena;
  readonly h: Float64Array;
  readonly out: number;
  readonly gb: number;
  /** The secular problem's vectors (n each) and Uᵀ (in the U region). */
  readonly sec: SecularRegions;
}

/**
 * Eigenvalues and eigenvectors of T by Cuppen's divide and conquer (LAPACK dstedc/dlaed0–3;
 * Cuppen 1981, Gu & Eisenstat 1995; Golub & Van Loan §8.4.4): T first splits at negligible
 * off-diagonals |e_i| ≤ ε√|d_i d_{i+1}|; each unreduced block is scaled to max-norm 1 and
 * torn as T = diag(T₁, T₂) + ρ v vᵀ, the halves are solved recursively (implicit QL below
 * LEAF), and the merge solves D + ρ z zᵀ: deflation of tiny z_j and of close pairs d_i ≈ d_j
 * (one Givens rotation each), secular equation for the rest, ẑ recomputed from the computed
 * roots by Löwner's formula (Gu–Eisenstat) so the eigenvectors (D − λ_i)⁻¹ ẑ are orthogonal to
 * working precision however clustered the eigenvalues, and finally Q ← Q·U by gemm,
 * exploiting the 2×2 block structure of Q (≤ 4n³/3 flops in gemm, less with deflation).
 * The eigenvectors are written as the ROWS of the n×n region at offset Z of `ar` (row i = the
 * unit eigenvector of values[i]); the merges work in tridiagonalEighWorkspace(n) more doubles of
 * the arena, so that no merge allocates and every product runs on resident operands.
 * `d` and `e` are overwritten.
 */
export function tridiagonalEigh(ar: Arena, d: Float64Array, e: Float64Array, Z: number): TridiagonalEigen {
  const n = d.length;
  const h = ar.heap;
  h.fill(0, Z, Z + n * n);
  const out = ar.alloc(n * n);
  const ut = ar.alloc(n * n);
  const gb = ar.alloc(n * n);
  const v = ar.alloc(6 * n);
  const sec: SecularRegions = { d: v, z: v + n, slot: v + 2 * n, org: v + 3 * n, tau: v + 4 * n, zh: v + 5 * n, ut };
  const wk: MergeWork = { ar, h, out, gb, sec };
  let start = 0;
  for (let i = 0; i < n; i++) {
    const split = i === n - 1 || Math.abs(e[i]) <= EPS * Math.sqrt(Math.abs(d[i])) * Math.sqrt(Math.abs(d[i + 1]));
    if (!split) continue;
    const m = i + 1 - start;
    if (m === 1) {
      h[Z + start * n + start] = 1;
    } else {
      let scale = 0;
      for (let j = start; j <= i; j++) scale = Math.max(scale, Math.abs(d[j]));
      for (let j = start; j < i; j++) scale = Math.max(scale, Math.abs(e[j]));
      for (let j = start; j <= i; j++) d[j] /= scale;
      for (let j = start; j < i; j++) e[j] /= scale;
      divideAndConquer(wk, d, e, Z, n, start, m);
      for (let j = start; j <= i; j++) d[j] *= scale;
    }
    start = i + 1;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((p, q) => d[p] - d[q]);
  return { values: d, order };
}

/** Eigen-decomposition of the tridiagonal block [off, off+m) into the diagonal block of the rows at Z (stride ld). */
function divideAndConquer(wk: MergeWork, d: Float64Array, e: Float64Array, Z: number, ld: number, off: number, m: number): void {
  const h = wk.h;
  if (m <= LEAF) {
    for (let i = 0; i < m; i++) {
      const r = Z + (off + i) * ld + off;
      h.fill(0, r, r + m);
      h[r + i] = 1;
    }
    const ee = new Float64Array(m);
    ee.set(e.subarray(off, off + m - 1));
    implicitQL(d, off, m, ee, h, Z + off * ld + off, ld);
    sortRows(d, h, Z, ld, off, m);
    return;
  }
  const n1 = m >> 1;
  const beta = e[off + n1 - 1];
  const ab = Math.abs(beta);
  d[off + n1 - 1] -= ab;
  d[off + n1] -= ab;
  divideAndConquer(wk, d, e, Z, ld, off, n1);
  divideAndConquer(wk, d, e, Z, ld, off + n1, m - n1);
  merge(wk, d, Z, ld, off, m, n1, beta);
}

/**
 * One merge (dlaed1/dlaed2/dlaed3): rows off..off+m−1 of the block at Z hold the eigenvectors of
 * diag(T₁, T₂) (eigenvalues d, each half ascending); on exit they hold those of
 * diag(T₁, T₂) + |β| v vᵀ, v = e_{n1−1} + sign(β) e_{n1}, sorted ascending, with d updated.
 */
function merge(wk: MergeWork, d: Float64Array, Z: number, ld: number, off: number, m: number, n1: number, beta: number): void {
  const h = wk.h;
  const row = (j: number): number => Z + (off + j) * ld + off;
  // z = Qᵀ v / √2 and ρ = 2|β| (so that ‖z‖ = 1).
  const z = new Float64Array(m);
  const sgn = beta >= 0 ? 1 : -1;
  for (let j = 0; j < n1; j++) z[j] = h[row(j) + n1 - 1] * Math.SQRT1_2;
  for (let j = n1; j < m; j++) z[j] = sgn * h[row(j) + n1] * Math.SQRT1_2;
  const rho = 2 * Math.abs(beta);
  const ds = d.slice(off, off + m);
  // Ascending order of the two sorted halves.
  const idx = new Int32Array(m);
  for (let a = 0, b = n1, t = 0; t < m; t++) {
    if (b >= m || (a < n1 && ds[a] <= ds[b])) idx[t] = a++;
    else idx[t] = b++;
  }
  let dmax = 0;
  let zmax = 0;
  for (let j = 0; j < m; j++) {
    dmax = Math.max(dmax, Math.abs(ds[j]));
    zmax = Math.max(zmax, Math.abs(z[j]));
  }
  // Deflation tolerance of dlaed2 (LAPACK's eps is half of ours).
  const tol = 4 * EPS * Math.max(dmax, zmax);
  // Support of each row: 1 = first half only, 2 = second half only, 3 = both (after a rotation).
  const kind = new Uint8Array(m);
  for (let j = 0; j < m; j++) kind[j] = j < n1 ? 1 : 2;
  const nd: number[] = [];
  const deflated: number[] = [];
  if (rho * zmax > tol) {
    let pj = -1;
    for (let t = 0; t < m; t++) {
      const nj = idx[t];
      if (rho * Math.abs(z[nj]) <= tol) {
        deflated.push(nj);
        continue;
      }
      if (pj < 0) {
        pj = nj;
        continue;
      }
      const tau = hypot(z[nj], z[pj]);
      const c = z[nj] / tau;
      const s = -z[pj] / tau;
      if (Math.abs((ds[nj] - ds[pj]) * c * s) <= tol) {
        // Rotate the pair so that z[pj] = 0: pj deflates, nj carries the combined weight.
        z[nj] = tau;
        z[pj] = 0;
        if (kind[nj] !== kind[pj]) kind[nj] = 3;
        rotateRows(h, row(pj), row(nj), m, c, s);
        const dp = ds[pj];
        const dn = ds[nj];
        ds[pj] = dp * c * c + dn * s * s;
        ds[nj] = dp * s * s + dn * c * c;
        deflated.push(pj);
      } else {
        nd.push(pj);
      }
      pj = nj;
    }
    if (pj >= 0) nd.push(pj);
  } else {
    for (let t = 0; t < m; t++) deflated.push(idx[t]);
  }
  const k = nd.length;
  // Final eigenvalues: nondeflated roots first (slots 0..k−1), then the deflated ones; the
  // vectors in the same slots of OUT (m×m).
  const vals = new Float64Array(m);
  const out = wk.out;
  if (k > 0) {
    const sec = wk.sec;
    for (let j = 0; j < k; j++) {
      h[sec.d + j] = ds[nd[j]];
      h[sec.z + j] = z[nd[j]];
    }
    // Columns of Uᵀ ordered by support — kind 1, then 3, then 2 — so that each half's product
    // takes one contiguous range of them (dlaed2's column types).
    const slot = new Int32Array(k);
    let c1 = 0;
    let c3 = 0;
    for (let j = 0; j < k; j++) {
      const t = kind[nd[j]];
      if (t === 1) c1++;
      else if (t === 3) c3++;
    }
    const next = [0, 0, c1 + c3, c1];
    for (let j = 0; j < k; j++) {
      slot[j] = next[kind[nd[j]]]++;
      h[sec.slot + j] = slot[j];
    }
    wk.ar.secular(k, rho, sec);
    for (let i = 0; i < k; i++) vals[i] = h[sec.d + h[sec.org + i]] + h[sec.tau + i];
    mergeVectors(wk, Z, ld, off, m, n1, nd, slot, k, c1, c3);
  }
  for (let t = 0; t < deflated.length; t++) {
    const j = deflated[t];
    vals[k + t] = ds[j];
    h.copyWithin(out + (k + t) * m, row(j), row(j) + m);
  }
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((p, q) => vals[p] - vals[q]);
  for (let i = 0; i < m; i++) {
    const src = order[i];
    d[off + i] = vals[src];
    h.copyWithin(row(i), out + src * m, out + src * m + m);
  }
}

/**
 * New eigenvectors (rows 0..k−1 of OUT, m wide) = Uᵀ · Z_nd, with Z_nd the nondeflated rows of
 * the block. Rows supported on the first half only contribute to columns [0, n1), those on the
 * second half to [n1, m), so two gemms of sizes k×n1×(c1 + c3) and k×n2×(c3 + c2) do the work,
 * on the contiguous column ranges of Uᵀ (slots: kind 1, 3, 2) and the half's rows gathered into GB.
 */
function mergeVectors(
  wk: MergeWork, Z: number, ld: number, off: number, m: number, n1: number,
  nd: number[], slot: Int32Array, k: number, c1: number, c3: number,
): void {
  const { ar, h, out, gb } = wk;
  const ut = wk.sec.ut;
  const n2 = m - n1;
  // [first slot, count, first column, width] of each half.
  const halves: [number, number, number, number][] = [[0, c1 + c3, 0, n1], [c1, k - c1, n1, n2]];
  for (const [first, count, lo, width] of halves) {
    if (count === 0) {
      for (let i = 0; i < k; i++) h.fill(0, out + i * m + lo, out + i * m + lo + width);
      continue;
    }
    for (let j = 0; j < k; j++) {
      const t = slot[j] - first;
      if (t < 0 || t >= count) continue;
      const from = Z + (off + nd[j]) * ld + off + lo;
      h.copyWithin(gb + t * width, from, from + width);
    }
    ar.gemm(false, false, k, width, count, 1, ut + first, k, gb, width, 0, out + lo, m);
  }
}

/** Rows x, y (length len, offsets into z) ← (c x + s y, c y − s x) (BLAS drot). */
function rotateRows(z: Float64Array, x: number, y: number, len: number, c: number, s: number): void {
  for (let t = 0; t < len; t++) {
    const a = z[x + t];
    const b = z[y + t];
    z[x + t] = c * a + s * b;
    z[y + t] = c * b - s * a;
  }
}

/** Selection sort of d[off..off+m) ascending, swapping the matching rows of the block at Z (stride ld). */
function sortRows(d: Float64Array, h: Float64Array, Z: number, ld: number, off: number, m: number): void {
  for (let i = 0; i < m - 1; i++) {
    let p = i;
    for (let j = i + 1; j < m; j++) if (d[off + j] < d[off + p]) p = j;
    if (p === i) continue;
    const t = d[off + i];
    d[off + i] = d[off + p];
    d[off + p] = t;
    const ri = Z + (off + i) * ld + off;
    const rp = Z + (off + p) * ld + off;
    for (let c = 0; c < m; c++) {
      const x = h[ri + c];
      h[ri + c] = h[rp + c];
      h[rp + c] = x;
    }
  }
}

/**
 * Implicit QL with Wilkinson shifts on the tridiagonal block d[off..off+m), e[0..m−1) (a local
 * copy with one spare slot), accumulating the rotations into the m×m block of z whose first
 * entry is at z0 (row stride ld) when z is given. Unsorted on exit. Throws after 60 sweeps on one eigenvalue
 * (never observed; the shift gives cubic convergence).
 */
function implicitQL(
  d: Float64Array, off: number, m: number, e: Float64Array,
  z: Float64Array | null, z0: number, ld: number,
): void {
  if (m > 0) e[m - 1] = 0;
  for (let l = 0; l < m; l++) {
    let iter = 0;
    for (;;) {
      let mm = l;
      for (; mm < m - 1; mm++) {
        const dd = Math.abs(d[off + mm]) + Math.abs(d[off + mm + 1]);
        if (Math.abs(e[mm]) <= EPS * dd) break;
      }
      if (mm === l) break;
      if (++iter > 60) throw new Error("tridiagonal QL: no convergence after 60 sweeps");
      let g = (d[off + l + 1] - d[off + l]) / (2 * e[l]);
      let r = hypot(g, 1);
      g = d[off + mm] - d[off + l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let underflow = false;
      for (let i = mm - 1; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[off + i + 1] -= p;
          e[mm] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[off + i + 1] - p;
        r = (d[off + i] - g) * s + 2 * c * b;
        p = s * r;
        d[off + i + 1] = g + p;
        g = c * r - b;
        if (z !== null) {
          const ri = z0 + i * ld;
          const rn = ri + ld;
          for (let t = 0; t < m; t++) {
            const zi = z[ri + t];
            const zn = z[rn + t];
            z[rn + t] = s * zi + c * zn;
            z[ri + t] = c * zi - s * zn;
          }
        }
      }
      if (underflow) continue;
      d[off + l] -= p;
      e[l] = g;
      e[mm] = 0;
    }
  }
}
