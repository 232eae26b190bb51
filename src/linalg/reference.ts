/**
 * Slow, accurate reference computations that check the fast kernels of linalg/ (the
 * `linalg-check` experiment and tests): an accurate dot product and GEMM (Dot2), and the
 * eigenvalues of a symmetric matrix by cyclic Jacobi rotations. Independent of the kernels they
 * check: no blocking, no SIMD, no shared code.
 */
import type { Matrix } from "./matrix.js";

// ---- Dot2 ----------------------------------------------------------------------------------
/*
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

// ---- Jacobi eigenvalues ---------------------------------------------------------------------

/**
 * Eigenvalues of a symmetric matrix by the cyclic Jacobi method (Golub & Van Loan §8.5.3):
 * plane rotations zero one off-diagonal entry at a time, sweeping over all pairs until the
 * off-diagonal mass is below 1e-17·‖A‖_F (or 30 sweeps). Slow (≈ 6n³ flops per sweep) but
 * simple and highly accurate — an independent oracle for the fast kernels in linalg/.
 * Returns the eigenvalues ascending.
 */
export function jacobiEigenvalues(A: Matrix): Float64Array {
  const n = A.rows;
  if (A.cols !== n) throw new RangeError(`jacobiEigenvalues: matrix is ${A.rows}×${A.cols}, not square`);
  const a = A.data.slice();
  let fro = 0;
  for (const v of a) fro += v * v;
  const target = 1e-34 * fro; // (1e-17 ‖A‖_F)²
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p * n + q] * a[p * n + q];
    if (off <= target) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // Rotation J (c at (p,p),(q,q); s at (p,q); −s at (q,p)) with (JᵀAJ)_pq = 0.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          // columns p, q: A ← A J
          const arp = a[r * n + p];
          const arq = a[r * n + q];
          a[r * n + p] = c * arp - s * arq;
          a[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          // rows p, q: A ← Jᵀ A
          const apr = a[p * n + r];
          const aqr = a[q * n + r];
          a[p * n + r] = c * apr - s * aqr;
          a[q * n + r] = s * apr + c * aqr;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return values.sort();
}
