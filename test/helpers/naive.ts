import type { Matrix } from "../../src/linalg/index.js";

/** Naive triple-loop product op(A)·op(B): a test oracle independent of gemm. */
export function naiveProduct(A: Matrix, B: Matrix, tA = false, tB = false): Matrix {
  const m = tA ? A.cols : A.rows;
  const k = tA ? A.rows : A.cols;
  const n = tB ? B.rows : B.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += (tA ? A.data[p * A.cols + i] : A.data[i * A.cols + p]) * (tB ? B.data[j * B.cols + p] : B.data[p * B.cols + j]);
      }
      out[i * n + j] = s;
    }
  }
  return { rows: m, cols: n, data: out };
}
