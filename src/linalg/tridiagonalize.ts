import type { Arena } from "./arena.js";
import type { ReductionKernels } from "./kernels/reductionSession.js";
import type { ReflectorBlock } from "./kernels/reflectorRows.js";
import { nrm2 } from "./blas.js";

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
 * Reflector panel width (LAPACK's default is 32). The rank-2·PANEL trailing update reads and
 * writes the whole trailing triangle once per panel, so a narrow panel makes it memory-bound,
 * and then two threads update no faster than one: at n = 1000, PANEL = 8 took 34 ms of update
 * on one thread and on two; 32 takes 30 ms and 20 ms (64: 28 and 19 ms, with a slower panel).
 * The panel's level-2 corrections cost ∝ PANEL per column, in the f64x2 kernels (panelDots,
 * panelCombinations). Update tiles of 64, 96 and 128 rows were within the noise.
 */
const PANEL = 32;
/** Height of the row tiles of the trailing rank-2k update (bounds the gemm waste below the diagonal). */
const UPDATE_TILE = 96;
/** Reflectors per block of the back-transformation (compact WY). */
const BACK_BLOCK = 64;

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
   * The reflectors, in the arena: row i of the n×n region at offset `h` holds v_i in columns
   * i+1..n−1, with v_i[i+1] = 1 stored explicitly (v_i = 0 in columns ≤ i, not stored).
   */
  readonly h: number;
}

/** Arena doubles tridiagonalize needs besides the matrix itself: the panel and its products. */
export function tridiagonalizeWorkspace(n: number): number {
  return 4 * PANEL * n + n + 6 * PANEL;
}

/**
 * Reduce a symmetric matrix to tridiagonal form by Householder reflections, blocked as LAPACK
 * dsytrd/dlatrd (lower) [Golub & Van Loan, Matrix Computations, 4th ed., §8.3.1; Dongarra,
 * Sorensen & Hammarling 1989]: a panel of PANEL reflectors is built with level-2 operations
 * (one symmetric matrix-vector product per column — the f64x2 kernel: 2n³/3 flops, the half
 * outside gemm), then the trailing matrix receives the rank-2·PANEL update A ← A − V Wᵀ − W Vᵀ
 * by gemm, tile by tile along the upper triangle. Flops: 4n³/3, half of them in gemm. The
 * matrix, the panel and its products stay resident in the arena for the whole reduction: no
 * operand is copied per call. Both kernels come from Arena.reduction: in wasm, for n ≥
 * REDUCTION_PARALLEL_MIN, they run on the worker pool (the products in fixed row chunks summed
 * in a fixed order, the update in its row tiles), the same bits on any number of threads.
 *
 * A is the n×n region at offset `A` of `ar` (row-major, upper triangle significant), with
 * max|a_ij| within 2^±100 (eigh scales it there), so that no norm overflows or underflows; it is
 * overwritten by the reflectors (the result's `h`). Workspace: tridiagonalizeWorkspace(n)
 * doubles of the arena.
 */
export function tridiagonalize(ar: Arena, A: number, n: number): Tridiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const tau = new Float64Array(Math.max(n - 1, 0));
  const VW = ar.alloc(2 * PANEL * n);
  const SW = ar.alloc(2 * PANEL * n);
  const Y = ar.alloc(n);
  const dots = ar.alloc(2 * PANEL);
  const coef = ar.alloc(2 * PANEL);
  const coefNext = ar.alloc(2 * PANEL);
  ar.reduction(n, 2 * PANEL, UPDATE_TILE, (kernels) => {
    const p: Panel = {
      ar, kernels, n, A, VW, SW, Y, coef, coefNext, dots,
    };
    for (let k0 = 0; k0 < n; k0 += PANEL) {
      const b = Math.min(PANEL, n - k0);
      reducePanel(p, k0, b, d, e, tau);
      if (k0 + b < n) trailingUpdate(p, k0 + b, b);
    }
  });
  return { n, d, e, tau, h: A };
}

/**
 * The arena regions of a reduction: A (n×n), the panel rows VW and their swap SW (2·PANEL×n), y,
 * and the panel's dot products and combination coefficients (2·PANEL each).
 */
interface Panel {
  readonly ar: Arena;
  readonly kernels: ReductionKernels;
  readonly n: number;
  readonly A: number;
  readonly VW: number;
  readonly SW: number;
  readonly Y: number;
  readonly coef: number;
  readonly coefNext: number;
  readonly dots: number;
}

/**
 * dlatrd (lower) on columns k0..k0+b−1: builds reflectors v_i (rows of A) and the matching
 * w_i = τ_i (A_i v_i) − ½ τ_i² (v_iᵀ A_i v_i) v_i, where A_i is the current trailing matrix,
 * known only as the stored one minus the panel's rank-2 corrections Σ_p v_p w_pᵀ + w_p v_pᵀ.
 * VW (2b×n) receives v_p and w_p as its rows 2p and 2p+1 (global column index); v_i is also the
 * x of the symmetric product. The stored rows > i are still those of the panel's start, so
 * the symmetric product reads the stored trailing matrix directly; row i + 1 is brought up to date inside
 * the passes of column i (see columnPasses), so each column streams the panel's rows twice:
 * once for the dots VWᵀv, once for the corrections of y and of the next row together.
 */
function reducePanel(p: Panel, k0: number, b: number, d: Float64Array, e: Float64Array, tau: Float64Array): void {
  const { ar, n, A, VW, Y, dots } = p;
  const h = ar.heap;
  for (let j = 0; j < b; j++) {
    const i = k0 + j;
    const ri = A + i * n;
    d[i] = h[ri + i];
    if (i >= n - 1) break;
    // Reflector annihilating a[i, i+2..n−1].
    const t = householder(h, ri + i + 1, n - i - 1);
    e[i] = h[ri + i + 1];
    h[ri + i + 1] = 1;
    tau[i] = t;
    const s = i + 1;
    const vj = VW + 2 * j * n;
    h.copyWithin(vj + s, ri + s, ri + n);
    // The next row, when it belongs to this panel, is updated by the column's passes.
    const next = j + 1 < b ? ri + n : -1;
    if (t === 0) {
      h.fill(0, vj + n + s, vj + 2 * n);
      h.fill(0, Y + s, Y + n);
      h.fill(0, dots, dots + 2 * j);
    } else {
      p.kernels.symv(n, A, n, s, vj, Y);
      ar.panelDots(VW, n, 2 * j, vj, s, dots);
    }
    columnPasses(p, j, s, t, next);
  }
}

/**
 * The level-2 passes of panel column j (reflector v = VW row 2j, τ = t, y = A_stored v in Y,
 * dots = VW_qᵀ v for the panel's earlier rows q < 2j), over the columns [s, n):
 *   y ← y − Σ_p v_p (w_pᵀ v) + w_p (v_pᵀ v)               (y = A_i v),
 *   w ← τ y − ½ τ² (vᵀy) v                                (VW row 2j + 1),
 *   next ← next − Σ_{p≤j} v_p w_p[s] + w_p v_p[s]          (row s of A, when next ≥ 0),
 * the earlier columns' part of `next` in the same sweep over the panel rows as y's correction.
 */
function columnPasses(p: Panel, j: number, s: number, t: number, next: number): void {
  const { ar, n, VW, Y, coef, dots, coefNext } = p;
  const h = ar.heap;
  const vj = VW + 2 * j * n;
  const wj = vj + n;
  for (let q = 0; q < j; q++) {
    h[coef + 2 * q] = h[dots + 2 * q + 1];
    h[coef + 2 * q + 1] = h[dots + 2 * q];
    h[coefNext + 2 * q] = h[VW + (2 * q + 1) * n + s];
    h[coefNext + 2 * q + 1] = h[VW + 2 * q * n + s];
  }
  ar.panelCombinations(VW, n, 2 * j, coef, Y, next >= 0 ? coefNext : -1, next, s);
  let vy = 0;
  for (let c = s; c < n; c++) vy += h[vj + c] * h[Y + c];
  const alpha = -0.5 * t * t * vy;
  if (next < 0) {
    for (let c = s; c < n; c++) h[wj + c] = t * h[Y + c] + alpha * h[vj + c];
    return;
  }
  // v[s] = 1, so the new column's part of row s is w[s]·v + w.
  const ws = t * h[Y + s] + alpha * h[vj + s];
  for (let c = s; c < n; c++) {
    const w = t * h[Y + c] + alpha * h[vj + c];
    h[wj + c] = w;
    h[next + c] -= ws * h[vj + c] + w;
  }
}

/**
 * A(s:n, s:n) ← A − Σ_p v_p w_pᵀ + w_p v_pᵀ on the upper triangle (LAPACK dsyr2k in gemm form):
 * C −= Xᵀ Y with X = VW (rows v_0, w_0, v_1, w_1, …) and Y the same rows pairwise swapped
 * (SW, compact with row length n − s), one gemm of inner dimension 2b per tile of UPDATE_TILE rows.
 */
function trailingUpdate(p: Panel, s: number, b: number): void {
  const { ar, n, A, VW, SW } = p;
  const h = ar.heap;
  const len = n - s;
  for (let q = 0; q < 2 * b; q++) {
    const src = VW + (q ^ 1) * n + s;
    h.copyWithin(SW + q * len, src, src + len);
  }
  p.kernels.update(n, A, s, 2 * b, VW, SW, UPDATE_TILE);
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

/** Arena doubles applyQTransposeRight needs besides the vectors (n columns; r vectors). */
export function backTransformWorkspace(n: number, _r: number): number {
  // The Gram matrix YtYtᵀ, every block's Yt (b × len) and T (b × b), and 8 doubles of each
  // region's 64-byte alignment (so that the caller's alloc count need not grow with n).
  let doubles = BACK_BLOCK * BACK_BLOCK + 8;
  for (const [k0, b] of backBlocks(n)) doubles += b * (n - k0 - 1) + b * b + 16;
  return doubles;
}

/** The blocks [k0, b] of the back-transformation, in the order they are applied (last first). */
function backBlocks(n: number): [number, number][] {
  const nref = n - 1;
  const blocks: [number, number][] = [];
  if (nref <= 0) return blocks;
  for (let k0 = Math.floor((nref - 1) / BACK_BLOCK) * BACK_BLOCK; k0 >= 0; k0 -= BACK_BLOCK) blocks.push([k0, Math.min(BACK_BLOCK, nref - k0)]);
  return blocks;
}

/**
 * Zt ← Zt · Qᵀ for the Q of `tri`, i.e. V = Q Z with the rows of Zt (r×n row-major, resident at
 * offset Z of `ar`) as the vectors: eigenvectors of T become eigenvectors of A. Q = Q_0 Q_1 ⋯
 * is applied block by block in compact WY form, Q_blk = I − Y T_blk Yᵀ (LAPACK dlarft
 * forward/columnwise and dlarfb; Schreiber & Van Loan 1989): all blocks' Yt and T are formed
 * first, then Arena.reflectorsRight applies them (three gemms a block on the resident Zt:
 * M = Zt Y, M ← M T_blkᵀ, Zt −= M Yᵀ). Flops: 2 r n². Workspace: backTransformWorkspace(n, r)
 * doubles of the arena.
 */
export function applyQTransposeRight(ar: Arena, tri: Tridiagonal, Z: number, r: number): void {
  const { n } = tri;
  const plan = backBlocks(n);
  if (plan.length === 0 || r === 0) return;
  const G = ar.alloc(BACK_BLOCK * BACK_BLOCK);
  const blocks = plan.map(([k0, b]) => reflectorBlock(ar, tri, k0, b, G));
  ar.reflectorsRight(Z, r, n, blocks);
}

/**
 * The block of reflectors k0..k0+b−1 of `tri` in the arena: Yt (b × len, len = n − k0 − 1; row p
 * is v_{k0+p} on the columns k0+1.., zero left of its unit entry) and T (b×b upper triangular):
 * T[0:i, i] = −τ_i T[0:i, 0:i] (Y[:, 0:i]ᵀ y_i), T[i, i] = τ_i, with the Gram matrix YᵀY (upper
 * triangle used) from one gemm into G (b×b of scratch).
 */
function reflectorBlock(ar: Arena, tri: Tridiagonal, k0: number, b: number, G: number): ReflectorBlock {
  const { n, h: R, tau } = tri;
  const h = ar.heap;
  const len = n - k0 - 1;
  const yt = ar.alloc(b * len);
  for (let q = 0; q < b; q++) {
    const row = yt + q * len;
    const src = R + (k0 + q) * n + k0 + 1;
    h.fill(0, row, row + q);
    h.copyWithin(row + q, src + q, src + len);
  }
  ar.gemm(false, true, b, b, len, 1, yt, len, yt, len, 0, G, b);
  const t = ar.alloc(b * b);
  h.fill(0, t, t + b * b);
  for (let i = 0; i < b; i++) {
    const ti = tau[k0 + i];
    h[t + i * b + i] = ti;
    if (ti === 0) continue;
    for (let q = 0; q < i; q++) {
      let sum = 0;
      for (let c = q; c < i; c++) sum += h[t + q * b + c] * h[G + c * b + i];
      h[t + q * b + i] = -ti * sum;
    }
  }
  return { k0, b, yt, t };
}
