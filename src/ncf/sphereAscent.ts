/**
 * Riemannian gradient ascent of a function F on the unit sphere ‖u‖ = 1: the step follows the
 * projected gradient g − ⟨g, u⟩u (the direction of the NCF flow ψ̇ = ∇𝒩(ψ) seen on the sphere,
 * which for an L-homogeneous F is ‖ψ‖^{L−2}(∇F(u) − L F(u)u)), with the retraction
 * u ← (u + η·rg)/‖u + η·rg‖ and an Armijo backtracking rule F(u⁺) ≥ F(u) + 10⁻⁴·η‖rg‖²
 * (Absil, Mahony & Sepulchre, "Optimization Algorithms on Matrix Manifolds", §4.2).
 * Near a kink the step size shrinks (the ascent chatters across the kink); the caller refines.
 */
import { nrm2 } from "../linalg/index.js";

/** F(u) and (into grad) ∇F(u). */
export type SmoothOracle = (u: Float64Array, grad: Float64Array | null) => number;

export interface SphereAscentOptions {
  /** Iteration cap (default 2000). */
  maxIter?: number;
  /** Stop when ‖rg‖ ≤ gradTol·max(1, |F|) (default 1e-11). */
  gradTol?: number;
  /** Stop when the accepted step η·‖rg‖ falls below this (default 1e-14). */
  stepTol?: number;
  /** Initial step size (default 1/‖∇F(u₀)‖ or 1). */
  eta0?: number;
}

export interface SphereAscentResult {
  u: Float64Array;
  value: number;
  /** ‖∇F(u) − ⟨∇F(u), u⟩u‖ at the end (the smooth residual; a kink point keeps it > 0). */
  riemannianGradNorm: number;
  iterations: number;
  reason: "gradient" | "step" | "maxIter";
}

function normalize(u: Float64Array): void {
  const r = nrm2(u);
  for (let i = 0; i < u.length; i++) u[i] /= r;
}

/** Projected gradient rg = g − ⟨g, u⟩u (in place into rg); returns ‖rg‖. */
function project(u: Float64Array, g: Float64Array, rg: Float64Array): number {
  let ug = 0;
  for (let i = 0; i < u.length; i++) ug += u[i] * g[i];
  for (let i = 0; i < u.length; i++) rg[i] = g[i] - ug * u[i];
  return nrm2(rg);
}

/**
 * Riemannian gradient ascent of F on the sphere from u0 (normalised first).
 *
 * Step: u ← (u + h·g_R)/‖u + h·g_R‖ with the Riemannian gradient g_R = ∇F − ⟨∇F, u⟩u, h by
 * backtracking.
 *
 * @param F - the objective: returns F(u) and writes ∇F(u) into its second argument when given
 * @param u0 - the starting point (any nonzero vector; not modified)
 * @param opts - maxIter, the tolerance on ‖g_R‖ (gradTol) and on the step (stepTol)
 * @returns the final unit u, F(u), ‖g_R‖, the iterations and why it stopped
 * @example
 * ```ts
 * import { sphereAscent } from "splitscape";
 * // max of uᵀAu on the sphere, A = diag(1, 3): u = ±e₂, value 3
 * const r = sphereAscent((u, g) => { if (g) { g[0] = 2 * u[0]; g[1] = 6 * u[1]; } return u[0] ** 2 + 3 * u[1] ** 2; }, Float64Array.of(1, 0.1));
 * console.log(r.value, Array.from(r.u));
 * ```
 */
export function sphereAscent(F: SmoothOracle, u0: Float64Array, opts: SphereAscentOptions = {}): SphereAscentResult {
  const p = u0.length;
  const maxIter = opts.maxIter ?? 2000;
  const gradTol = opts.gradTol ?? 1e-11;
  const stepTol = opts.stepTol ?? 1e-14;
  const u = Float64Array.from(u0);
  normalize(u);
  const g = new Float64Array(p);
  const rg = new Float64Array(p);
  const trial = new Float64Array(p);
  const gTrial = new Float64Array(p);
  let value = F(u, g);
  let norm = project(u, g, rg);
  let eta = opts.eta0 ?? 1 / Math.max(1e-300, norm);
  let reason: SphereAscentResult["reason"] = "maxIter";
  let it = 0;
  for (; it < maxIter; it++) {
    if (norm <= gradTol * Math.max(1, Math.abs(value))) {
      reason = "gradient";
      break;
    }
    let accepted = false;
    for (let bt = 0; bt < 60; bt++) {
      for (let i = 0; i < p; i++) trial[i] = u[i] + eta * rg[i];
      normalize(trial);
      const vt = F(trial, gTrial);
      if (vt >= value + 1e-4 * eta * norm * norm) {
        accepted = true;
        u.set(trial);
        g.set(gTrial);
        value = vt;
        break;
      }
      eta *= 0.5;
    }
    if (!accepted || eta * norm < stepTol) {
      reason = "step";
      break;
    }
    norm = project(u, g, rg);
    eta = Math.min(eta * 2, 1e6);
  }
  return { u, value, riemannianGradNorm: project(u, g, rg), iterations: it, reason };
}
