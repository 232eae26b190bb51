/**
 * Roots and eigenvectors of the secular equation of a symmetric rank-one modification
 * D + ρ z zᵀ: the TypeScript engine, and the reference of the wasm one (kernels/secular.ts).
 * Internal to the divide-and-conquer tridiagonal eigensolver.
 */

import type { SecularRegions } from "./kernels/secular.js";

const EPS = 2.220446049250313e-16;
const MAX_ITER = 100;

/**
 * All k roots λ_0 < … < λ_{k−1} of g(λ) = 1/ρ + Σ_j z_j² / (d_j − λ) = 0, the eigenvalues of
 * D + ρ z zᵀ, for d strictly ascending, every z_j ≠ 0 and ρ > 0 (so λ_i ∈ (d_i, d_{i+1}) and
 * λ_{k−1} ∈ (d_{k−1}, d_{k−1} + ρ‖z‖²)).
 *
 * Each root is returned as an origin pole `org[i]` and an offset `tau[i]`, λ_i = d[org] + τ_i,
 * with the origin the pole nearer to the root, so that every difference d_j − λ_i can be
 * formed as (d_j − d_org) − τ_i to full relative accuracy, which the eigenvectors need
 * (LAPACK dlaed4; Li 1993, Gu & Eisenstat 1994).
 *
 * Iteration: the two nearest poles are kept exact and the rest of g is folded into their
 * weights ("middle way" of Li 1993: ψ(τ+η) ≈ ψ + s/(a−η) − s/a with s = a²ψ′, likewise φ), the
 * resulting quadratic is solved for the step, and a bracket [lo, hi] around the root, updated
 * from the sign of g at every iterate, falls back to bisection when a step leaves it. Stops
 * when |g| is below its rounding-error bound or the bracket is a few ulps wide.
 */
export function secularRoots(
  k: number, d: Float64Array, z: Float64Array, rho: number, org: Int32Array, tau: Float64Array,
): void {
  const delta = new Float64Array(k);
  const z2 = new Float64Array(k);
  let zz = 0;
  for (let j = 0; j < k; j++) {
    z2[j] = z[j] * z[j];
    zz += z2[j];
  }
  if (k === 1) {
    org[0] = 0;
    tau[0] = rho * z2[0];
    return;
  }
  const rhoinv = 1 / rho;
  for (let i = 0; i < k; i++) {
    let o: number;
    let lo: number;
    let hi: number;
    let t: number;
    const last = i === k - 1;
    if (!last) {
      const mid = 0.5 * (d[i + 1] - d[i]);
      for (let j = 0; j < k; j++) delta[j] = d[j] - d[i];
      poleSums(z2, delta, 0, k, mid);
      const g = rhoinv + SUMS[0];
      if (g >= 0) {
        o = i;
        lo = 0;
        hi = mid;
        t = 0.5 * mid;
      } else {
        o = i + 1;
        for (let j = 0; j < k; j++) delta[j] = d[j] - d[i + 1];
        lo = delta[i];
        hi = 0;
        t = 0.5 * delta[i];
      }
    } else {
      o = k - 1;
      for (let j = 0; j < k; j++) delta[j] = d[j] - d[k - 1];
      lo = 0;
      hi = rho * zz * (1 + 8 * EPS);
      t = lastRootGuess(k, delta, z2, rhoinv, hi);
    }
    // Poles kept exact in the model: left (index i) and right (i+1); for the last root both
    // lie to the left of it (indices k−2 and k−1).
    const pl = last ? k - 2 : i;
    const pr = last ? k - 1 : i + 1;
    for (let it = 0; it < MAX_ITER; it++) {
      poleSums(z2, delta, 0, pl + 1, t);
      const psi = SUMS[0];
      const dpsi = SUMS[1];
      poleSums(z2, delta, pl + 1, k, t);
      const phi = SUMS[0];
      const dphi = SUMS[1];
      const g = rhoinv + psi + phi;
      const err = 8 * (Math.abs(phi) + Math.abs(psi) + rhoinv) + Math.abs(t) * (dpsi + dphi);
      if (Math.abs(g) <= EPS * err) break;
      if (g < 0) lo = t;
      else hi = t;
      if (hi - lo <= 4 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) break;
      // Two-pole model m(η) = c + s/(a − η) + S/(b − η), matching g and g′ at t.
      const a = delta[pl] - t;
      const b = delta[pr] - t;
      const s = a * a * dpsi;
      const S = b * b * dphi;
      const c = g - s / a - S / b;
      // c η² − B η + C = 0.
      const B = c * (a + b) + s + S;
      const C = c * a * b + s * b + S * a;
      let eta = NaN;
      if (c === 0) {
        eta = C / B;
      } else {
        const disc = Math.max(B * B - 4 * c * C, 0);
        const q = 0.5 * (B + (B >= 0 ? 1 : -1) * Math.sqrt(disc));
        const e1 = q / c;
        const e2 = q === 0 ? NaN : C / q;
        // The wanted root lies between the poles (a, b), or right of b for the last root.
        const lo2 = last ? b : a;
        const hi2 = last ? Infinity : b;
        if (e1 > lo2 && e1 < hi2) eta = e1;
        else if (e2 > lo2 && e2 < hi2) eta = e2;
      }
      let tn = t + eta;
      if (!(tn > lo && tn < hi)) {
        tn = 0.5 * (lo + hi);
        if (!(tn > lo && tn < hi)) break; // bracket exhausted: lo and hi are adjacent doubles
      }
      if (tn === t) break;
      t = tn;
    }
    org[i] = o;
    tau[i] = t;
  }
}

/** poleSums' result: (Σ q_j, Σ q_j r_j). */
const SUMS = new Float64Array(2);

/**
 * SUMS ← (Σ_{j∈[lo,hi)} q_j, Σ q_j r_j) with r_j = 1/(δ_j − t), q_j = z_j² r_j: the terms with
 * j − lo even and those with j − lo odd summed apart, added, then the last term when hi − lo is
 * odd — the order of the wasm kernel's two f64x2 lanes (assembly/gemm.ts poleSums), so that both
 * engines give the same bits.
 */
function poleSums(z2: Float64Array, delta: Float64Array, lo: number, hi: number, t: number): void {
  let s0 = 0;
  let s1 = 0;
  let d0 = 0;
  let d1 = 0;
  let j = lo;
  for (; j + 1 < hi; j += 2) {
    const r0 = 1 / (delta[j] - t);
    const r1 = 1 / (delta[j + 1] - t);
    const q0 = z2[j] * r0;
    const q1 = z2[j + 1] * r1;
    s0 += q0;
    s1 += q1;
    d0 += q0 * r0;
    d1 += q1 * r1;
  }
  let s = s0 + s1;
  let ds = d0 + d1;
  if (j < hi) {
    const r = 1 / (delta[j] - t);
    const q = z2[j] * r;
    s += q;
    ds += q * r;
  }
  SUMS[0] = s;
  SUMS[1] = ds;
}

/**
 * Starting point for the last root: the root of the model that keeps the last pole exact and
 * replaces the others by their value at the bracket's right end (a rational Newton start that
 * lies inside the bracket).
 */
function lastRootGuess(k: number, delta: Float64Array, z2: Float64Array, rhoinv: number, hi: number): number {
  // g(t) ≈ rhoinv + Σ_{j<k−1} z_j²/(δ_j − hi) + z²_{k−1}/(−t)  ⇒  t = z²_{k−1} / (rhoinv + rest).
  poleSums(z2, delta, 0, k - 1, hi);
  const den = rhoinv + SUMS[0];
  const t = den > 0 ? z2[k - 1] / den : 0.5 * hi;
  return t > 0 && t < hi ? t : 0.5 * hi;
}

/**
 * The eigenvectors of D + ρ z zᵀ from its roots (secularRoots's org and τ in `r`, as doubles in
 * h): ẑ recomputed by Löwner's formula
 *   ẑ_j² = Π_i (λ_i − d_j) / (ρ Π_{i≠j} (d_i − d_j)),   sign(ẑ_j) = sign(z_j)
 * (Gu & Eisenstat 1994; LAPACK dlaed3), evaluated as a product of O(1) ratios, so that the
 * vectors u_i = (D − λ_i)⁻¹ ẑ / ‖·‖ are orthogonal to working precision however clustered the
 * roots; every d_j − λ_i is formed as (d_j − d_{org_i}) − τ_i. Writes ẑ to r.zh and u_i to row
 * i of Uᵀ at r.ut (k×k; component j at column r.slot[j]). The reference of assembly/gemm.ts
 * lownerRange and secularVectorRange.
 */
export function secularVectors(h: Float64Array, k: number, rho: number, r: SecularRegions): void {
  const { d, z, org, tau, zh, slot, ut } = r;
  const gap = (j: number, i: number): number => h[d + j] - h[d + h[org + i]] - h[tau + i];
  for (let j = 0; j < k; j++) {
    const dj = h[d + j];
    // (λ_{k−1} − d_j)/ρ · Π_{i<j} (λ_i − d_j)/(d_i − d_j) · Π_{i>j} (λ_{i−1} − d_j)/(d_i − d_j)
    let p = -gap(j, k - 1) / rho;
    for (let i = 0; i < j; i++) p *= -gap(j, i) / (h[d + i] - dj);
    for (let i = j + 1; i < k; i++) p *= -gap(j, i - 1) / (h[d + i] - dj);
    const a = Math.sqrt(Math.max(p, 0));
    h[zh + j] = h[z + j] >= 0 ? a : -a;
  }
  for (let i = 0; i < k; i++) {
    const row = ut + i * k;
    let norm = 0;
    for (let j = 0; j < k; j++) {
      const x = h[zh + j] / gap(j, i);
      h[row + h[slot + j]] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let c = 0; c < k; c++) h[row + c] = inv * h[row + c];
  }
}
