// Gap-safe sphere screening for the gated ReLU group lasso (Ndiaye, Fercoq, Gramfort & Salmon
// 2017, "Gap Safe screening rules for sparsity enforcing penalties", JMLR 18(128): the gap-safe
// sphere and its group-lasso case; docs/science/convex.md §9.1).
//
// The dual is  max_ν D(ν) = −L*(−ν)  s.t.  ‖Xᵀ D_i ν‖ ≤ β for all i, and D is γ-strongly concave
// with γ = 1/ℓ''_max (ℓ is ℓ''_max-smooth ⟺ ℓ* is 1/ℓ''_max-strongly convex). For a dual-feasible
// θ and any primal point with value P, the dual optimum ν* (unique) satisfies
//     (γ/2)‖θ − ν*‖² ≤ D(ν*) − D(θ) ≤ P − D(θ),   so   ‖θ − ν*‖ ≤ r = √(2(P − D(θ))/γ).
// At an optimum, w_i ≠ 0 forces ‖Xᵀ D_i ν*‖ = β (KKT), and ‖Xᵀ D_i ν*‖ ≤ ‖Xᵀ D_i θ‖ + ‖D_i X‖₂ r.
// Hence   ‖Xᵀ D_i θ‖ + σ_i r < β  with σ_i ≥ ‖D_i X‖₂   ⇒   w_i = 0 at every optimum.
import { eigvalsh, type Matrix, zeros } from "../../linalg/index.js";
import { gemmRaw, gemvRaw } from "../../linalg/gemm.js";
import type { MaskedBlocks } from "./maskedBlocks.js";

/** r = √(2·gap·ℓ''_max): every dual optimum lies within r of a feasible θ whose gap is `gap`. */
export function gapSafeRadius(gap: number, curvature: number): number {
  return Math.sqrt(2 * Math.max(gap, 0) * curvature);
}

/**
 * Upper bounds σ_b ≥ ‖D_b X‖₂ for every block: min(‖X‖₂ bound, ‖D_b X‖_F). The spectral norm of
 * X comes from the eigenvalues of XᵀX (d×d) with a slack of 4(n + d)·ε·trace(XᵀX), which covers
 * the Gram product's and the symmetric eigensolver's rounding (both ≲ (n + d)·ε·‖XᵀX‖).
 */
export function blockSpectralBounds(op: MaskedBlocks, Xm: Matrix): Float64Array {
  const { n, d, count: B, masks } = op;
  const X = Xm.data;
  const gram = zeros(d, d);
  gemmRaw(true, false, d, d, n, 1, X, 0, d, X, 0, d, 0, gram.data, 0, d);
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) gram.data[b * d + a] = gram.data[a * d + b];
  const rowSq = new Float64Array(n);
  let trace = 0;
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[k * d + j] ** 2;
    rowSq[k] = s;
    trace += s;
  }
  let lmax = 0;
  for (const v of eigvalsh(gram)) lmax = Math.max(lmax, v);
  const sigmaX = Math.sqrt(lmax + 4 * (n + d) * Number.EPSILON * trace);
  // ‖D_b X‖_F² = Σ_k m_bk ‖x_k‖²: one matrix-vector product with the masks.
  const frob = new Float64Array(B);
  gemvRaw(false, B, n, 1, masks, 0, n, rowSq, 0, 1, 0, frob, 0, 1);
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) out[b] = Math.min(sigmaX, Math.sqrt(frob[b]) * (1 + 4 * n * Number.EPSILON));
  return out;
}

/**
 * The gap-safe test for every block: screened[b] = 1 when score_b + σ_b·r < β, where score_b =
 * ‖Xᵀ D_b θ‖ for the feasible dual point θ whose gap gave r. Returns the number screened.
 */
export function gapSafeScreen(scores: Float64Array, sigma: Float64Array, radius: number, beta: number, screened: Uint8Array): number {
  let count = 0;
  for (let b = 0; b < scores.length; b++) {
    if (scores[b] + sigma[b] * radius < beta) {
      screened[b] = 1;
      count++;
    } else {
      screened[b] = 0;
    }
  }
  return count;
}
