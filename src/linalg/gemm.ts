import type { Matrix } from "./matrix.js";

/**
 * General matrix multiply on raw row-major storage (BLAS dgemm, row-major):
 *   C[m×n] ← α · op(A) · op(B) + β · C,   op(X) = X or Xᵀ.
 * `a` holds op(A) as an (m×k) matrix when !transA, or a (k×m) matrix when transA, starting at
 * `aOff` with row stride `lda`; likewise `b` (k×n, or n×k when transB) and `c` (m×n, stride ldc).
 * β = 0 overwrites C without reading it (NaN in C does not propagate), as in BLAS.
 *
 * PLACEHOLDER: plain TypeScript; the wasm SIMD dispatch replaces the body for large sizes.
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
  gemmReference(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
}

/** The TypeScript GEMM (same contract as gemmRaw): used for tiny sizes and as the test oracle. */
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

/** C ← α·op(A)·op(B) + β·C on Matrix records (shapes checked). */
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

/** op(A)·op(B) as a new matrix. */
export function matmul(A: Matrix, B: Matrix, transA = false, transB = false): Matrix {
  const m = transA ? A.cols : A.rows;
  const n = transB ? B.rows : B.cols;
  const C: Matrix = { rows: m, cols: n, data: new Float64Array(m * n) };
  gemm(transA, transB, 1, A, B, 0, C);
  return C;
}
