/**
 * Accurate dot products for checking GEMM: Dot2 of Ogita, Rump & Oishi (SIAM J. Sci. Comput.
 * 26, 2005), built from error-free transformations (TwoSum; TwoProduct by Veltkamp/Dekker
 * splitting, no FMA needed). The result is as accurate as if computed in twice the working
 * precision and then rounded: |dot2 − xᵀy| ≤ ε|xᵀy| + γ²_n Σ|x_i y_i|, so for GEMM checks it
 * stands in for the exact product.
 */

const SPLITTER = 134217729; // 2^27 + 1

/** Accurate Σ_p x[xOff + p·xInc] · y[yOff + p·yInc] for p < k. */
export function dot2(k: number, x: Float64Array, xOff: number, xInc: number, y: Float64Array, yOff: number, yInc: number): number {
  let s = 0;
  let c = 0;
  for (let p = 0; p < k; p++) {
    const a = x[xOff + p * xInc];
    const b = y[yOff + p * yInc];
    // TwoProduct: a·b = h + l exactly.
    const h = a * b;
    const ta = SPLITTER * a;
    const a1 = ta - (ta - a);
    const a2 = a - a1;
    const tb = SPLITTER * b;
    const b1 = tb - (tb - b);
    const b2 = b - b1;
    const l = a2 * b2 - (((h - a1 * b1) - a2 * b1) - a1 * b2);
    // TwoSum: s + h = t + e exactly.
    const t = s + h;
    const z = t - s;
    const e = (s - (t - z)) + (h - z);
    s = t;
    c += e + l;
  }
  return s + c;
}

/** C* = A·B (row-major, A m×k, B k×n) with every entry by dot2. */
export function accurateProduct(m: number, n: number, k: number, a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[i * n + j] = dot2(k, a, i * k, 1, b, j, n);
  return c;
}
