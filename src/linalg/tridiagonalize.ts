import { nrm2 } from "./blas.js";
import { gemmRaw } from "./gemm.js";
import { rowDots, subtractCombination } from "./rowops.js";

/**
 * Householder reduction of a symmetric matrix to tridiagonal form, and the back-transformation
 * of vectors by the accumulated orthogonal factor. Internal to `eigh`.
 *
 * Storage: the symmetric n×n matrix is row-major and only its upper triangle (row r, columns
 * c ≥ r) is read or written. Row r of that triangle is column r of the lower triangle, so this
 * is LAPACK's `uplo = 'L'` algorithm read in column-major order: every Householder vector,
 * every w-vector and every row update is a contiguous run of memory.
 */

/**
 * Reflector panel width of the reduction. LAPACK's default is 32; 16 measured ~6% faster here
 * (n = 200…1000), where the panel's level-2 corrections run in JS.
 */
const PANEL = 16;
/** Height of the row tiles of the trailing rank-2k update (bounds the gemm waste below the diagonal). */
const UPDATE_TILE = 96;
/** Reflectors per block of the back-transformation (compact WY). */
const BACK_BLOCK = 64;

/**
 * Longest packed triangle kept in a plain JS array: V8 allocates `new Array(len)` with fast
 * (non-dictionary) elements only up to 2²⁵ entries; beyond (n ≥ 8192) a Float64Array is used.
 */
const FAST_ARRAY_MAX = 2 ** 25;

const SAFMIN = 2.2250738585072014e-308;
const EPS = 2.220446049250313e-16;

/** Result of `tridiagonalize`: T = Qᵀ A Q with Q = H_0 H_1 ⋯ H_{n−2}, H_i = I − τ_i v_i v_iᵀ. */
export interface Tridiagonal {
  readonly n: number;
  /** Diagonal of T (length n). */
  readonly d: Float64Array;
  /** Off-diagonal of T (length max(n − 1, 0)): e[i] = T[i, i+1] = T[i+1, i]. */
  readonly e: Float64Array;
  /** τ_i of each reflector (length max(n − 1, 0)). */
  readonly tau: Float64Array;
  /**
   * The reflectors: row i of this n×n row-major array holds v_i in columns i+1..n−1, with
   * v_i[i+1] = 1 stored explicitly (and v_i = 0 in columns ≤ i, not stored).
   */
  readonly h: Float64Array;
}

/**
 * Reduce a symmetric matrix to tridiagonal form by Householder reflections, blocked as LAPACK
 * dsytrd/dlatrd (lower) [Golub & Van Loan, Matrix Computations, 4th ed., §8.3.1; Dongarra,
 * Sorensen & Hammarling 1989]: a panel of PANEL reflectors is built with level-2 operations
 * (one symmetric matrix-vector product per column: 2n³/3 flops, the half outside gemm),
 * then the trailing matrix receives the rank-2·PANEL update A ← A − V Wᵀ − W Vᵀ through gemmRaw,
 * tile by tile along the upper triangle. Flops: 4n³/3, half of them in gemm.
 *
 * `a` (n×n row-major, upper triangle significant) is overwritten by the reflectors and becomes
 * the `h` of the result. The caller scales A so that its entries are O(1) (no overflow in norms).
 */
export function tridiagonalize(a: Float64Array, n: number): Tridiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const tau = new Float64Array(Math.max(n - 1, 0));
  const vw = new Float64Array(2 * PANEL * n);
  const swapped = new Float64Array(2 * PANEL * n);
  const v = new Float64Array(n);
  const y = new Float64Array(n);
  const coef = new Float64Array(2 * PANEL);
  const dots = new Float64Array(2 * PANEL);
  const packedLength = (n * (n + 1)) / 2;
  const trailing: PackedUpper = {
    n,
    a: packedLength <= FAST_ARRAY_MAX ? doubleArray(packedLength) : new Float64Array(packedLength),
    x: doubleArray(n),
    y: doubleArray(n),
  };
  for (let k0 = 0; k0 < n; k0 += PANEL) {
    const b = Math.min(PANEL, n - k0);
    packUpper(a, trailing, k0 + 1);
    reducePanel(a, n, k0, b, d, e, tau, vw, v, y, coef, dots, trailing);
    if (k0 + b < n) trailingUpdate(a, n, k0 + b, b, vw, swapped);
  }
  return { n, d, e, tau, h: a };
}

/**
 * dlatrd (lower) on columns k0..k0+b−1: builds reflectors v_i (rows of `a`) and the matching
 * w_i = τ_i (A_i v_i) − ½ τ_i² (v_iᵀ A_i v_i) v_i, where A_i is the current trailing matrix,
 * known only as the stored one minus the panel's rank-2 corrections Σ_p v_p w_pᵀ + w_p v_pᵀ.
 * `vw` (2b×n) receives v_p and w_p as its rows 2p and 2p+1 (global column index).
 */
function reducePanel(
  a: Float64Array, n: number, k0: number, b: number,
  d: Float64Array, e: Float64Array, tau: Float64Array,
  vw: Float64Array, v: Float64Array, y: Float64Array, coef: Float64Array, dots: Float64Array,
  trailing: PackedUpper,
): void {
  const { x: xs, y: ys } = trailing;
  for (let j = 0; j < b; j++) {
    const i = k0 + j;
    const ri = i * n;
    // Bring row i (= column i of the lower triangle) up to date: a_i −= Σ_p v_p w_p[i] + w_p v_p[i].
    for (let p = 0; p < j; p++) {
      coef[2 * p] = vw[(2 * p + 1) * n + i];
      coef[2 * p + 1] = vw[2 * p * n + i];
    }
    subtractCombination(vw, n, 2 * j, coef, a, ri, i);
    d[i] = a[ri + i];
    if (i >= n - 1) break;
    // Reflector annihilating a[i, i+2..n−1].
    const t = householder(a, ri + i + 1, n - i - 1);
    e[i] = a[ri + i + 1];
    a[ri + i + 1] = 1;
    tau[i] = t;
    const s = i + 1;
    const vj = 2 * j * n;
    const wj = vj + n;
    for (let c = s; c < n; c++) {
      v[c] = a[ri + c];
      vw[vj + c] = v[c];
    }
    if (t === 0) {
      vw.fill(0, wj + s, wj + n);
      continue;
    }
    for (let c = s; c < n; c++) xs[c] = v[c];
    symvPacked(trailing, s);
    for (let c = s; c < n; c++) y[c] = ys[c];
    // y −= Σ_p v_p (w_pᵀ v) + w_p (v_pᵀ v).
    rowDots(vw, n, 2 * j, v, s, dots);
    for (let p = 0; p < j; p++) {
      coef[2 * p] = dots[2 * p + 1];
      coef[2 * p + 1] = dots[2 * p];
    }
    subtractCombination(vw, n, 2 * j, coef, y, 0, s);
    let vy = 0;
    for (let c = s; c < n; c++) vy += v[c] * y[c];
    const alpha = -0.5 * t * t * vy;
    for (let c = s; c < n; c++) vw[wj + c] = t * y[c] + alpha * v[c];
  }
}

/**
 * A(s:n, s:n) ← A − Σ_p v_p w_pᵀ + w_p v_pᵀ on the upper triangle (LAPACK dsyr2k in gemm form):
 * C −= Xᵀ Y with X = vw (rows v_0, w_0, v_1, w_1, …) and Y the same rows pairwise swapped,
 * one gemm of inner dimension 2b per tile of UPDATE_TILE rows.
 */
function trailingUpdate(a: Float64Array, n: number, s: number, b: number, vw: Float64Array, swapped: Float64Array): void {
  const len = n - s;
  for (let q = 0; q < 2 * b; q++) {
    const src = (q ^ 1) * n + s;
    swapped.set(vw.subarray(src, src + len), q * len);
  }
  for (let r0 = s; r0 < n; r0 += UPDATE_TILE) {
    const rows = Math.min(UPDATE_TILE, n - r0);
    gemmRaw(true, false, rows, n - r0, 2 * b, -1, vw, r0, n, swapped, r0 - s, len, 1, a, r0 * n + r0, n);
  }
}

/**
 * The trailing matrix as read by a panel's symmetric matrix-vector products: the upper triangle
 * packed row by row (entry (r, c), c ≥ r, at r·n − r(r−1)/2 + c − r) in a plain array of doubles,
 * refreshed from the Float64Array after each trailing update. Why a copy: once any ArrayBuffer in
 * the process has been detached (wasm memory.grow, a postMessage transfer, some loaders such as
 * tsx), V8 guards each Float64Array access with a detached-buffer check; plain double arrays
 * carry none. This loop, the level-2 half of the reduction, then runs ~35% faster on the copy
 * (n = 1000: 127 → 83 ms in all) and the whole reduction ~15% faster; in a process that never
 * detached a buffer the refreshes (Σ (n − k0)²/2 ≈ n³/(6·PANEL) doubles) cost it ~4% instead.
 */
interface PackedUpper {
  readonly n: number;
  readonly a: number[] | Float64Array;
  /** The vector multiplied (entries s..n−1 used). */
  readonly x: number[];
  /** The product (entries s..n−1 written). */
  readonly y: number[];
}

/** A plain JS array of `len` doubles (holey until written; only written entries are read). */
function doubleArray(len: number): number[] {
  const out = new Array<number>(len);
  if (len > 0) out[0] = 0.5; // double elements from the start
  return out;
}

/** Copy rows from..n−1 of the upper triangle of `a` (n×n row-major) into the packed triangle. */
function packUpper(a: Float64Array, p: PackedUpper, from: number): void {
  const { n, a: dst } = p;
  for (let r = from; r < n; r++) {
    const src = r * n;
    const off = r * n - ((r * (r - 1)) >>> 1) - r;
    for (let c = r; c < n; c++) dst[off + c] = a[src + c];
  }
}

/**
 * y[s..n) ← A(s:n, s:n) · x[s..n) for the packed symmetric trailing matrix (BLAS dspmv). Four
 * rows at a time: each stored entry a[r, c] (c > r) is used twice, as y[r] += a·x[c] and
 * y[c] += a·x[r], so the triangle is streamed once at 4 flops per entry.
 */
function symvPacked(p: PackedUpper, s: number): void {
  const { n, a, x: v, y } = p;
  for (let c = s; c < n; c++) y[c] = 0;
  let r = s;
  for (; r + 3 < n; r += 4) {
    // Row r + q starts at r0 + (its column index), the packed rows shrinking by one each.
    const r0 = r * n - ((r * (r - 1)) >>> 1) - r;
    const r1 = r0 + n - r - 1;
    const r2 = r1 + n - r - 2;
    const r3 = r2 + n - r - 3;
    const x0 = v[r];
    const x1 = v[r + 1];
    const x2 = v[r + 2];
    const x3 = v[r + 3];
    // The 4×4 diagonal block.
    const a01 = a[r0 + r + 1];
    const a02 = a[r0 + r + 2];
    const a03 = a[r0 + r + 3];
    const a12 = a[r1 + r + 2];
    const a13 = a[r1 + r + 3];
    const a23 = a[r2 + r + 3];
    let t0 = a[r0 + r] * x0 + a01 * x1 + a02 * x2 + a03 * x3;
    let t1 = a01 * x0 + a[r1 + r + 1] * x1 + a12 * x2 + a13 * x3;
    let t2 = a02 * x0 + a12 * x1 + a[r2 + r + 2] * x2 + a23 * x3;
    let t3 = a03 * x0 + a13 * x1 + a23 * x2 + a[r3 + r + 3] * x3;
    for (let c = r + 4; c < n; c++) {
      const b0 = a[r0 + c];
      const b1 = a[r1 + c];
      const b2 = a[r2 + c];
      const b3 = a[r3 + c];
      const vc = v[c];
      t0 += b0 * vc;
      t1 += b1 * vc;
      t2 += b2 * vc;
      t3 += b3 * vc;
      y[c] += b0 * x0 + b1 * x1 + (b2 * x2 + b3 * x3);
    }
    y[r] += t0;
    y[r + 1] += t1;
    y[r + 2] += t2;
    y[r + 3] += t3;
  }
  for (; r < n; r++) {
    const ro = r * n - ((r * (r - 1)) >>> 1) - r;
    const xr = v[r];
    let t = a[ro + r] * xr;
    for (let c = r + 1; c < n; c++) {
      const arc = a[ro + c];
      t += arc * v[c];
      y[c] += arc * xr;
    }
    y[r] += t;
  }
}

/**
 * Elementary reflector (LAPACK dlarfg) for x = a[off..off+len): finds τ, β and v with
 * (I − τ v vᵀ) x = β e₁, v[0] = 1; overwrites a[off] by β and a[off+1..] by v[1..]; returns τ
 * (0 when x[1..] is already zero, H = I).
 */
function householder(a: Float64Array, off: number, len: number): number {
  if (len <= 1) return 0;
  let alpha = a[off];
  let xnorm = nrm2(a.subarray(off + 1, off + len));
  if (xnorm === 0) return 0;
  let beta = -Math.sign(alpha || 1) * hypot(alpha, xnorm);
  // Rescale tiny vectors so that 1/(α − β) cannot overflow (dlarfg's safmin loop).
  const rsafmn = EPS / SAFMIN;
  let knt = 0;
  while (Math.abs(beta) < SAFMIN / EPS && knt < 20) {
    knt++;
    for (let c = off + 1; c < off + len; c++) a[c] *= rsafmn;
    beta *= rsafmn;
    alpha *= rsafmn;
  }
  if (knt > 0) {
    xnorm = nrm2(a.subarray(off + 1, off + len));
    beta = -Math.sign(alpha || 1) * hypot(alpha, xnorm);
  }
  const t = (beta - alpha) / beta;
  const scal = 1 / (alpha - beta);
  for (let c = off + 1; c < off + len; c++) a[c] *= scal;
  for (let j = 0; j < knt; j++) beta *= SAFMIN / EPS;
  a[off] = beta;
  return t;
}

/** √(a² + b²) without overflow or destructive underflow. */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const big = x > y ? x : y;
  if (big === 0 || big === Infinity) return big;
  const small = x > y ? y : x;
  const r = small / big;
  return big * Math.sqrt(1 + r * r);
}

/**
 * Vt ← Zt · Qᵀ for the Q of `tri`, i.e. V = Q Z with the rows of Zt (r×n row-major) as the
 * vectors: eigenvectors of T become eigenvectors of A. Q = Q_0 Q_1 ⋯ is applied block by
 * block in compact WY form, Q_blk = I − Y T_blk Yᵀ (LAPACK dlarft forward/columnwise and
 * dlarfb; Schreiber & Van Loan 1989), so each block costs three gemmRaw calls:
 * M = Zt Y, M ← M T_blkᵀ, Zt −= M Yᵀ. Flops: 2 r n².
 */
export function applyQTransposeRight(tri: Tridiagonal, zt: Float64Array, r: number): void {
  const { n, h, tau } = tri;
  const nref = n - 1;
  if (nref <= 0 || r === 0) return;
  const yt = new Float64Array(BACK_BLOCK * n);
  const tm = new Float64Array(BACK_BLOCK * BACK_BLOCK);
  const m1 = new Float64Array(r * BACK_BLOCK);
  const m2 = new Float64Array(r * BACK_BLOCK);
  const gram = new Float64Array(BACK_BLOCK * BACK_BLOCK);
  const lastStart = Math.floor((nref - 1) / BACK_BLOCK) * BACK_BLOCK;
  for (let k0 = lastStart; k0 >= 0; k0 -= BACK_BLOCK) {
    const b = Math.min(BACK_BLOCK, nref - k0);
    const len = n - k0 - 1;
    // Yt (b×len): row p is v_{k0+p} on columns k0+1.., zero left of its unit entry.
    for (let p = 0; p < b; p++) {
      const row = p * len;
      const src = (k0 + p) * n + k0 + 1;
      for (let c = 0; c < p; c++) yt[row + c] = 0;
      for (let c = p; c < len; c++) yt[row + c] = h[src + c];
    }
    // T (b×b upper triangular): T[0:i, i] = −τ_i T[0:i, 0:i] (Y[:, 0:i]ᵀ y_i), T[i, i] = τ_i,
    // with the Gram matrix YᵀY (upper triangle used) from one gemm.
    gemmRaw(false, true, b, b, len, 1, yt, 0, len, yt, 0, len, 0, gram, 0, b);
    tm.fill(0, 0, b * b);
    for (let i = 0; i < b; i++) {
      const ti = tau[k0 + i];
      tm[i * b + i] = ti;
      if (ti === 0) continue;
      for (let q = 0; q < i; q++) {
        let s = 0;
        for (let p = q; p < i; p++) s += tm[q * b + p] * gram[p * b + i];
        tm[q * b + i] = -ti * s;
      }
    }
    gemmRaw(false, true, r, b, len, 1, zt, k0 + 1, n, yt, 0, len, 0, m1, 0, b);
    gemmRaw(false, true, r, b, b, 1, m1, 0, b, tm, 0, b, 0, m2, 0, b);
    gemmRaw(false, false, r, len, b, -1, m2, 0, b, yt, 0, len, 1, zt, k0 + 1, n);
  }
}
