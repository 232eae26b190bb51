import type { Matrix } from "../../linalg/index.js";

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
