import type { Matrix } from "./matrix.js";
import { gemmThreadedExtraBytes, gemmThreadedRun, gemmThreadedScratchBytes, GEMM_MIN_THREAD_ROWS } from "./kernels/gemmThreads.js";
import { threadCount } from "./kernels/pool.js";
import { GEMM_OPERAND_BYTES, wasmGemm } from "./kernels/wasm.js";

/**
 * Products with m·n·k below this many multiply-adds run in TypeScript (`gemmRawTs`), larger
 * ones in the wasm SIMD kernel. Measured with `npm run bench -- gemm-crossover` (forced wasm
 * path incl. copies vs TS kernel, t_ts/t_wasm): 5³ 0.78, 6³ 1.3, 8³ 2.1, 16³ 5.3, 32³ 7.4;
 * 3×40×3 2.2, 2×32×32 2.0. Single-row products (m = 1, a vector-matrix product) stay in TS:
 * copying B into wasm memory costs as much as the product (1×64×64: 1.1, 1×1×512: 0.32).
 */
export const GEMM_WASM_MIN_WORK = 200;

/**
 * Operands of one wasm call are kept below this many bytes; larger products are split in halves
 * along their largest dimension (C blocks, or the inner dimension with β = 1 for the second
 * half). The kernel's memory is created with room for this plus the packing workspace
 * (kernels/wasm.ts, GEMM_INITIAL_PAGES), so it never grows: growth would detach its buffer and
 * slow every typed-array loop in the process.
 */
export const GEMM_WASM_MAX_BYTES = GEMM_OPERAND_BYTES;

/**
 * Products with m·n·k at least this many multiply-adds run on several threads (the caller and
 * the worker pool, SPLITSCAPE_THREADS − 1 workers; see kernels/gemmThreads.ts), smaller ones on
 * the calling thread. Measured: a worker round trip (post, run, flag, wake) costs 38 µs median,
 * 71 µs at the 90th percentile (2000 empty runs on a 2-core AMD EPYC under a load average of 16),
 * and 160³ multiply-adds took ≈ 0.3 ms on one thread there. With the fused kernel on the 2-core
 * Intel Xeon (0.37 ms for 160³), two threads ran n = 160 at 0.88× one thread and n = 192 at 1.09×
 * (`npm run bench -- gemm-threads`, n = 128…512, all threads vs one, side by side, at a load
 * average of 1.3): hence 192³. The crossover needs an idle machine to measure: at a load average
 * of 16 on 2 cores a second thread cannot help.
 */
export const GEMM_PARALLEL_MIN_WORK = 192 ** 3;

/**
 * Threads gemmRaw uses for an m×n×k product: 1 below GEMM_PARALLEL_MIN_WORK, without the
 * shared-memory kernel, or for fewer than 2·GEMM_MIN_THREAD_ROWS rows; else threadCount()
 * (which validates SPLITSCAPE_THREADS), at most one per GEMM_MIN_THREAD_ROWS rows of C.
 * Whatever it returns, the product is bitwise the same.
 *
 * @param m - rows of C
 * @param n - columns of C
 * @param k - the inner dimension
 * @returns the number of threads a product of this size runs on (1 for small ones)
 * @example
 * ```ts
 * import { gemmThreads } from "splitscape";
 * console.log(gemmThreads(64, 64, 64), gemmThreads(1024, 1024, 1024)); // 1, then up to threadCount()
 * ```
 */
export function gemmThreads(m: number, n: number, k: number): number {
  if (m * n * k < GEMM_PARALLEL_MIN_WORK || m < 2 * GEMM_MIN_THREAD_ROWS) return 1;
  const w = wasmGemm();
  if (w === null || w.shared === null) return 1;
  return Math.min(threadCount(), Math.floor(m / GEMM_MIN_THREAD_ROWS));
}

/** Which engine runs large products in this realm: the wasm SIMD kernel or the TS fallback. */
export type GemmBackend = "wasm-simd" | "ts";

/**
 * "wasm-simd" when the SIMD kernel loaded (used for m ≥ 2, m·n·k ≥ GEMM_WASM_MIN_WORK), else "ts".
 *
 * @returns "wasm-simd" or "ts": the engine of the large products in this realm (for labelling
 * benchmark results and run environments)
 * @example
 * ```ts
 * import { gemmBackend } from "splitscape";
 * console.log(`large products run on ${gemmBackend()}`);
 * ```
 */
export function gemmBackend(): GemmBackend {
  return wasmGemm() === null ? "ts" : "wasm-simd";
}

/**
 * The engine gemmRaw uses for an m×n×k product with this α: "wasm-simd" when the kernel is
 * loaded, α ≠ 0, m ≥ 2 and m·n·k ≥ GEMM_WASM_MIN_WORK; otherwise "ts".
 *
 * @param m - rows of C
 * @param n - columns of C
 * @param k - the inner dimension
 * @param alpha - the scalar α of the product (default 1; α = 0 never goes to wasm)
 * @returns the engine that product uses, so that a benchmark can say which one it timed
 * @example
 * ```ts
 * import { gemmDispatch } from "splitscape";
 * console.log(gemmDispatch(4, 4, 4), gemmDispatch(256, 256, 256)); // "ts", and "wasm-simd" when it loaded
 * ```
 */
export function gemmDispatch(m: number, n: number, k: number, alpha = 1): GemmBackend {
  if (m > 1 && m * n * k >= GEMM_WASM_MIN_WORK && alpha !== 0) return gemmBackend();
  return "ts";
}

/**
 * General matrix multiply on raw row-major storage (BLAS dgemm, row-major):
 *   C[m×n] ← α · op(A) · op(B) + β · C,   op(X) = X or Xᵀ.
 * `a` holds op(A) as an (m×k) matrix when !transA, or a (k×m) matrix when transA, starting at
 * `aOff` with row stride `lda`; likewise `b` (k×n, or n×k when transB) and `c` (m×n, stride ldc).
 * β = 0 overwrites C without reading it (NaN in C does not propagate), as in BLAS; α = 0 or
 * k = 0 reads neither A nor B. Dispatch (`gemmDispatch`): the wasm SIMD kernel (`gemmRawWasm`)
 * for m ≥ 2 and m·n·k ≥ GEMM_WASM_MIN_WORK, else (or if wasm cannot run) `gemmRawTs`.
 * Throws RangeError if a shape, stride or offset does not fit its array.
 */
export function gemmRaw(
  transA: boolean, transB: boolean,
  m: number, n: number, k: number,
  alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  beta: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  checkGemmOperands(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
  if (m === 0 || n === 0) return;
  if (gemmDispatch(m, n, k, alpha) === "wasm-simd" &&
    gemmRawWasm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) {
    return;
  }
  gemmRawTs(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
}

/**
 * The wasm SIMD path of gemmRaw, for any size (same contract, no argument checks):
 *   C ← α·op(A)·op(B) + β·C.
 * Copies op's stored operands compactly into wasm memory (C only when β ≠ 0), runs the packed
 * 4×4 f64x2 kernel — on gemmThreads(m, n, k) threads, bitwise the same result — and copies C
 * back. Returns false, leaving C untouched, when the wasm kernel is unavailable or its memory
 * cannot grow; the caller then uses `gemmRawTs`.
 */
export function gemmRawWasm(
  transA: boolean, transB: boolean,
  m: number, n: number, k: number,
  alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  beta: number,
  c: Float64Array, cOff: number, ldc: number,
): boolean {
  const w = wasmGemm();
  if (w === null) return false;
  if (m === 0 || n === 0) return true;
  if (alpha === 0 || k === 0) {
    gemmRawTs(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    return true;
  }
  const threads = gemmThreads(m, n, k);
  const bytes = 8 * (m * k + k * n + m * n) + (threads > 1 ? gemmThreadedExtraBytes(w, n, k) : 0);
  if (bytes > GEMM_WASM_MAX_BYTES - w.top && Math.max(m, n, k) > 1) {
    // Split the largest dimension; the first half is the larger, so if its memory could be
    // reserved, the second half's can too (C is never left half-updated by a failed reserve).
    if (k >= m && k >= n) {
      const k1 = k - (k >> 1);
      if (!gemmRawWasm(transA, transB, m, n, k1, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) {
        return false;
      }
      const a2 = transA ? aOff + k1 * lda : aOff + k1;
      const b2 = transB ? bOff + k1 : bOff + k1 * ldb;
      return gemmRawWasm(transA, transB, m, n, k - k1, alpha, a, a2, lda, b, b2, ldb, 1, c, cOff, ldc);
    }
    if (m >= n) {
      const m1 = m - (m >> 1);
      if (!gemmRawWasm(transA, transB, m1, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) {
        return false;
      }
      const a2 = transA ? aOff + m1 : aOff + m1 * lda;
      return gemmRawWasm(transA, transB, m - m1, n, k, alpha, a, a2, lda, b, bOff, ldb, beta, c, cOff + m1 * ldc, ldc);
    }
    const n1 = n - (n >> 1);
    if (!gemmRawWasm(transA, transB, m, n1, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) {
      return false;
    }
    const b2 = transB ? bOff + n1 * ldb : bOff + n1;
    return gemmRawWasm(transA, transB, m, n - n1, k, alpha, a, aOff, lda, b, b2, ldb, beta, c, cOff + n1, ldc);
  }

  // Layout in wasm memory (byte addresses): A | B | C | packing workspace.
  const aRows = transA ? k : m;
  const aCols = transA ? m : k;
  const bRows = transB ? n : k;
  const bCols = transB ? k : n;
  const pA = 0;
  const pB = pA + 8 * m * k;
  const pC = pB + 8 * k * n;
  const pW = (pC + 8 * m * n + 63) & ~63;
  const workBytes = threads > 1
    ? gemmThreadedExtraBytes(w, n, k) + gemmThreadedScratchBytes(w)
    : w.exports.workBytes(m, n, k);
  const base = w.reserve(pW + workBytes);
  if (base === 0) return false;
  const heap = w.heapF64();
  copyRows(a, aOff, lda, aRows, aCols, heap, (base + pA) / 8);
  copyRows(b, bOff, ldb, bRows, bCols, heap, (base + pB) / 8);
  if (beta !== 0) copyRows(c, cOff, ldc, m, n, heap, (base + pC) / 8);
  const ta = transA ? 1 : 0;
  const tb = transB ? 1 : 0;
  const done = threads > 1 && gemmThreadedRun(
    w, threads, transA, transB, m, n, k, alpha, base + pA, aCols, base + pB, bCols, beta, base + pC, n,
    base + pW, base + pW + gemmThreadedExtraBytes(w, n, k),
  );
  if (!done) {
    // One thread (or a worker failed: restore C and recompute here).
    if (threads > 1 && beta !== 0) copyRows(c, cOff, ldc, m, n, heap, (base + pC) / 8);
    w.exports.gemm(ta, tb, m, n, k, alpha, base + pA, aCols, base + pB, bCols, beta, base + pC, n, base + pW);
  }
  copyRows(heap, (base + pC) / 8, n, m, n, c, cOff, ldc);
  return true;
}

/**
 * dst[d + i·ldd + j] = src[off + i·ld + j] for i < rows, j < cols (copy of a strided view;
 * ldd defaults to cols, a compact copy).
 */
function copyRows(
  src: Float64Array, off: number, ld: number, rows: number, cols: number,
  dst: Float64Array, d: number, ldd = cols,
): void {
  if (rows === 1 || (ld === cols && ldd === cols)) {
    dst.set(src.subarray(off, off + (rows - 1) * ld + cols), d);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const s = off + i * ld;
    const t = d + i * ldd;
    if (cols >= 16) dst.set(src.subarray(s, s + cols), t);
    else for (let j = 0; j < cols; j++) dst[t + j] = src[s + j];
  }
}

/**
 * The TypeScript GEMM used below the crossover (same contract as gemmRaw, no checks):
 *   C ← β·C, then C[i,:] += Σ_p α·op(A)[i,p]·op(B)[p,:]  (row-axpy form, 4 p's per pass) when
 * !transB, or C[i,j] += α·⟨op(A)[i,:], B[j,:]⟩ (contiguous dot form) when transB.
 */
export function gemmRawTs(
  transA: boolean, transB: boolean,
  m: number, n: number, k: number,
  alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  beta: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * ldc;
    if (beta === 0) for (let j = 0; j < n; j++) c[ci + j] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j] *= beta;
  }
  if (alpha === 0 || k === 0) return;
  // op(A)[i, p] = a[aOff + i·si + p·sp]
  const si = transA ? 1 : lda;
  const sp = transA ? lda : 1;
  if (!transB) {
    for (let i = 0; i < m; i++) {
      const ci = cOff + i * ldc;
      const ai = aOff + i * si;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const a0 = alpha * a[ai + p * sp];
        const a1 = alpha * a[ai + (p + 1) * sp];
        const a2 = alpha * a[ai + (p + 2) * sp];
        const a3 = alpha * a[ai + (p + 3) * sp];
        const b0 = bOff + p * ldb;
        const b1 = b0 + ldb;
        const b2 = b1 + ldb;
        const b3 = b2 + ldb;
        for (let j = 0; j < n; j++) {
          c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
        }
      }
      for (; p < k; p++) {
        const ap = alpha * a[ai + p * sp];
        const bp = bOff + p * ldb;
        for (let j = 0; j < n; j++) c[ci + j] += ap * b[bp + j];
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ci = cOff + i * ldc;
      const ai = aOff + i * si;
      for (let j = 0; j < n; j++) {
        const bj = bOff + j * ldb;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p * sp] * b[bj + p];
        c[ci + j] += alpha * s;
      }
    }
  }
}

/** The plain TypeScript GEMM (same contract as gemmRaw): the test oracle, kept simple. */
export function gemmReference(
  transA: boolean, transB: boolean,
  m: number, n: number, k: number,
  alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  beta: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * ldc;
    if (beta === 0) for (let j = 0; j < n; j++) c[ci + j] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j] *= beta;
    if (alpha === 0) continue;
    for (let p = 0; p < k; p++) {
      const aip = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
      if (aip === 0) continue;
      if (!transB) {
        const bp = bOff + p * ldb;
        for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
      } else {
        for (let j = 0; j < n; j++) c[ci + j] += aip * b[bOff + j * ldb + p];
      }
    }
  }
}

/**
 * C ← α·op(A)·op(B) + β·C on Matrix records (shapes checked).
 *
 * The product runs on the wasm SIMD kernel (threaded for large sizes) or the TypeScript
 * fallback, as gemmDispatch says; the thread count does not change the result's bits.
 *
 * @param transA - use Aᵀ for op(A)
 * @param transB - use Bᵀ for op(B)
 * @param alpha - the scalar α (0 reads neither A nor B)
 * @param A - op(A) is m×k
 * @param B - op(B) is k×n
 * @param beta - the scalar β (0 overwrites C without reading it)
 * @param C - the m×n result, updated in place; the shapes are checked (RangeError)
 * @example
 * ```ts
 * import { fromRows, gemm, zeros } from "splitscape";
 * const A = fromRows([[1, 2], [3, 4]]);
 * const C = zeros(2, 2);
 * gemm(false, true, 1, A, A, 0, C); // C = A·Aᵀ = [[5, 11], [11, 25]]
 * ```
 */
export function gemm(
  transA: boolean, transB: boolean, alpha: number, A: Matrix, B: Matrix, beta: number, C: Matrix,
): void {
  const m = transA ? A.cols : A.rows;
  const k = transA ? A.rows : A.cols;
  const kb = transB ? B.cols : B.rows;
  const n = transB ? B.rows : B.cols;
  if (k !== kb || C.rows !== m || C.cols !== n) {
    throw new RangeError(
      `gemm: op(A) is ${m}×${k}, op(B) is ${kb}×${n}, C is ${C.rows}×${C.cols}`,
    );
  }
  gemmRaw(transA, transB, m, n, k, alpha, A.data, 0, A.cols, B.data, 0, B.cols, beta, C.data, 0, C.cols);
}

/**
 * op(A)·op(B) as a new matrix.
 *
 * @param A - the left factor (op(A) is m×k)
 * @param B - the right factor (op(B) is k×n)
 * @param transA - use Aᵀ (default false)
 * @param transB - use Bᵀ (default false)
 * @returns the new m×n product op(A)·op(B)
 * @example
 * ```ts
 * import { fromRows, matmul, toRows } from "splitscape";
 * const X = fromRows([[1, 0], [1, 1], [0, 2]]);
 * console.log(toRows(matmul(X, X, true))); // XᵀX = [[2, 1], [1, 5]]
 * ```
 */
export function matmul(A: Matrix, B: Matrix, transA = false, transB = false): Matrix {
  const m = transA ? A.cols : A.rows;
  const n = transB ? B.rows : B.cols;
  const C: Matrix = { rows: m, cols: n, data: new Float64Array(m * n) };
  gemm(transA, transB, 1, A, B, 0, C);
  return C;
}

/**
 * Gram matrix G = AᵀA (n×n for an m×n A), G[i,j] = Σ_p A[p,i]·A[p,j], via gemmRaw with the
 * upper triangle mirrored onto the lower so G is exactly symmetric. Writes into `out` if given.
 *
 * @param A - an m×n matrix
 * @param out - an n×n matrix to write into (optional; shape checked)
 * @returns G = AᵀA, exactly symmetric (`out` when given)
 * @example
 * ```ts
 * import { fromRows, gram } from "splitscape";
 * const G = gram(fromRows([[1, 2], [3, 4]]));
 * console.log(G.data); // Float64Array [10, 14, 14, 20]
 * ```
 */
export function gram(A: Matrix, out?: Matrix): Matrix {
  const n = A.cols;
  const G: Matrix = out ?? { rows: n, cols: n, data: new Float64Array(n * n) };
  if (G.rows !== n || G.cols !== n) {
    throw new RangeError(`gram: A is ${A.rows}×${n}, out is ${G.rows}×${G.cols}`);
  }
  gemmRaw(true, false, n, n, A.rows, 1, A.data, 0, n, A.data, 0, n, 0, G.data, 0, n);
  const g = G.data;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i];
  }
  return G;
}

/**
 * Matrix-vector product on raw storage (BLAS dgemv, row-major): A is m×n at `aOff`, row stride
 * `lda`;
 *   !trans: y[i] ← α·Σ_j A[i,j]·x[j] + β·y[i]   (x has n entries, y has m)
 *    trans: y[j] ← α·Σ_i A[i,j]·x[i] + β·y[j]   (x has m entries, y has n)
 * Vector entry t lives at `xOff + t·incx` (likewise y); increments must be nonzero.
 * β = 0 overwrites y without reading it; α = 0 reads neither A nor x.
 */
export function gemvRaw(
  trans: boolean, m: number, n: number, alpha: number,
  a: Float64Array, aOff: number, lda: number,
  x: Float64Array, xOff: number, incx: number,
  beta: number,
  y: Float64Array, yOff: number, incy: number,
): void {
  const ny = trans ? n : m;
  const nx = trans ? m : n;
  checkVector("gemv: x", x, xOff, incx, nx);
  checkVector("gemv: y", y, yOff, incy, ny);
  if (m > 0 && n > 0) checkView("gemv: A", a, aOff, lda, m, n);
  for (let t = 0; t < ny; t++) {
    const yi = yOff + t * incy;
    y[yi] = beta === 0 ? 0 : beta === 1 ? y[yi] : beta * y[yi];
  }
  if (alpha === 0 || nx === 0) return;
  if (!trans) {
    for (let i = 0; i < m; i++) {
      const ai = aOff + i * lda;
      let s = 0;
      if (incx === 1) for (let j = 0; j < n; j++) s += a[ai + j] * x[xOff + j];
      else for (let j = 0; j < n; j++) s += a[ai + j] * x[xOff + j * incx];
      y[yOff + i * incy] += alpha * s;
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ai = aOff + i * lda;
      const xi = alpha * x[xOff + i * incx];
      if (incy === 1) for (let j = 0; j < n; j++) y[yOff + j] += xi * a[ai + j];
      else for (let j = 0; j < n; j++) y[yOff + j * incy] += xi * a[ai + j];
    }
  }
}

/**
 * y ← α·op(A)·x + β·y on a Matrix and dense vectors (shapes checked); see gemvRaw.
 *
 * @param trans - use Aᵀ
 * @param alpha - the scalar α
 * @param A - an m×n matrix
 * @param x - the input vector: n entries (m when trans)
 * @param beta - the scalar β (0 overwrites y without reading it)
 * @param y - the output vector, updated in place: m entries (n when trans); lengths are checked
 * @example
 * ```ts
 * import { fromRows, gemv } from "splitscape";
 * const y = new Float64Array(2);
 * gemv(false, 1, fromRows([[1, 2], [3, 4]]), Float64Array.of(1, 1), 0, y); // y = [3, 7]
 * ```
 */
export function gemv(
  trans: boolean, alpha: number, A: Matrix, x: Float64Array, beta: number, y: Float64Array,
): void {
  const nx = trans ? A.rows : A.cols;
  const ny = trans ? A.cols : A.rows;
  if (x.length !== nx || y.length !== ny) {
    throw new RangeError(
      `gemv: op(A) is ${ny}×${nx}, x has ${x.length} entries, y has ${y.length}`,
    );
  }
  gemvRaw(trans, A.rows, A.cols, alpha, A.data, 0, A.cols, x, 0, 1, beta, y, 0, 1);
}

function checkGemmOperands(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  if (!(isCount(m) && isCount(n) && isCount(k))) {
    throw new RangeError(`gemm: sizes must be non-negative integers, got m=${m} n=${n} k=${k}`);
  }
  if (m === 0 || n === 0) return;
  checkView("gemm: C", c, cOff, ldc, m, n);
  if (k === 0) return;
  if (transA) checkView("gemm: A", a, aOff, lda, k, m);
  else checkView("gemm: A", a, aOff, lda, m, k);
  if (transB) checkView("gemm: B", b, bOff, ldb, n, k);
  else checkView("gemm: B", b, bOff, ldb, k, n);
}

/** A rows×cols view at off with row stride ld (rows, cols ≥ 1) must lie inside the array. */
function checkView(what: string, x: Float64Array, off: number, ld: number, rows: number, cols: number): void {
  if (!(Number.isInteger(off) && off >= 0 && Number.isInteger(ld) && (ld >= cols || rows === 1) &&
    off + (rows - 1) * ld + cols <= x.length)) {
    throw new RangeError(
      `${what}: a ${rows}×${cols} view at offset ${off} with stride ${ld} does not fit an array of ${x.length}`,
    );
  }
}

function checkVector(what: string, x: Float64Array, off: number, inc: number, len: number): void {
  if (len === 0) return;
  const last = off + (len - 1) * inc;
  if (!(Number.isInteger(off) && Number.isInteger(inc) && inc !== 0 && off >= 0 && off < x.length &&
    last >= 0 && last < x.length)) {
    throw new RangeError(`${what}: ${len} entries at offset ${off} step ${inc} do not fit an array of ${x.length}`);
  }
}

function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}
