/**
 * The NCF flow ψ̇ = ∇𝒩(ψ), ψ(0) = w₀ (docs/science/small-init.md §2.2), in direction/log-norm coordinates
 * u = ψ/‖ψ‖, ρ = log‖ψ‖:
 *   du/dτ = ∇𝒩(u) − L𝒩(u)u,   dρ/dτ = L𝒩(u),   dτ = ‖ψ‖^{L−2}dt
 * (τ = t for L = 2). Integrated by classical RK4 with a fixed step (the field is discontinuous
 * across kinks, where adaptive steppers stall; RK4 chatters within O(h) of the kink face), with
 * u renormalised after each step. Small-δ gradient flow follows w(t) ≈ δ·ψ(t) (Kumar & Haupt).
 */
import { cosine, nrm2 } from "../linalg/index.js";
import type { NcfEvaluator } from "./correlation.js";

export interface NcfFlowSample {
  tau: number;
  /** log‖ψ(τ)‖. */
  logNorm: number;
  value: number;
  u: Float64Array;
}

export interface NcfFlowResult {
  /** u(τ_end), the approximate limit direction. */
  u: Float64Array;
  value: number;
  logNorm: number;
  tau: number;
  /** Samples every `sampleEvery` τ (copies of u). */
  samples: NcfFlowSample[];
}

/**
 * Integrate the NCF flow direction from w₀ up to τ = tEnd with step h (default 1e-3·… see below).
 *
 * The direction ψ of the early small-initialisation flow: ψ̇ = ∇𝒩(ψ), integrated by RK4 on the
 * unit direction u = ψ/‖ψ‖ and log‖ψ‖ (u̇ = ‖ψ‖^{L−2}(∇𝒩(u) − L𝒩(u)u) in the flow time τ).
 *
 * @param ev - the NCF evaluator
 * @param L - the homogeneity order of the problem
 * @param w0 - the initial direction (any nonzero vector)
 * @param opts - the end τ (tEnd), the RK4 step h and the sampling interval in τ
 * @returns the final u, 𝒩(u), log‖ψ‖ and τ, with the samples
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfEvaluator, ncfFlow, ncfProblem, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const flow = ncfFlow(ncfEvaluator(prob), prob.L, new Float64Array(prob.p).fill(0.1), { tEnd: 60 });
 * console.log(flow.value, flow.samples.length); // 𝒩 at the end: the flow settles at a KKT point of 𝒩 on the sphere
 * ```
 */
export function ncfFlow(
  ev: NcfEvaluator, L: number, w0: Float64Array, opts: { tEnd: number; h?: number; sampleEvery?: number },
): NcfFlowResult {
  const p = w0.length;
  const u = Float64Array.from(w0);
  let n0 = nrm2(u);
  for (let k = 0; k < p; k++) u[k] /= n0;
  let rho = Math.log(n0);
  const g = new Float64Array(p);
  const k1 = new Float64Array(p + 1);
  const k2 = new Float64Array(p + 1);
  const k3 = new Float64Array(p + 1);
  const k4 = new Float64Array(p + 1);
  const tmp = new Float64Array(p);
  const field = (x: Float64Array, out: Float64Array): number => {
    const v = ev(x, g);
    for (let k = 0; k < p; k++) out[k] = g[k] - L * v * x[k];
    out[p] = L * v;
    return v;
  };
  // Step: a fraction of the time scale 1/(L·max|𝒩|) ~ 1/‖∇𝒩(u₀)‖.
  field(u, k1);
  const gn = nrm2(g);
  const h = opts.h ?? Math.min(0.01, 0.02 / Math.max(gn, 1e-12));
  const every = opts.sampleEvery ?? opts.tEnd / 400;
  const samples: NcfFlowSample[] = [];
  let tau = 0;
  let nextSample = 0;
  let value = ev(u, null);
  while (tau < opts.tEnd) {
    if (tau >= nextSample) {
      samples.push({ tau, logNorm: rho, value, u: Float64Array.from(u) });
      nextSample += every;
    }
    const hs = Math.min(h, opts.tEnd - tau);
    field(u, k1);
    for (let k = 0; k < p; k++) tmp[k] = u[k] + 0.5 * hs * k1[k];
    field(tmp, k2);
    for (let k = 0; k < p; k++) tmp[k] = u[k] + 0.5 * hs * k2[k];
    field(tmp, k3);
    for (let k = 0; k < p; k++) tmp[k] = u[k] + hs * k3[k];
    field(tmp, k4);
    for (let k = 0; k < p; k++) u[k] += (hs / 6) * (k1[k] + 2 * k2[k] + 2 * k3[k] + k4[k]);
    rho += (hs / 6) * (k1[p] + 2 * k2[p] + 2 * k3[p] + k4[p]);
    n0 = nrm2(u);
    for (let k = 0; k < p; k++) u[k] /= n0;
    tau += hs;
    value = ev(u, null);
  }
  samples.push({ tau, logNorm: rho, value, u: Float64Array.from(u) });
  return { u, value, logNorm: rho, tau, samples };
}

/**
 * The escape time predicted by the NCF flow itself (refines escapeTime by the time the flow
 * needs to align): with w(t) ≈ δ·ψ and, in the flow's time τ, log‖ψ(τ)‖ = ρ_ψ(τ),
 *   L = 2:  t(ρ) = τ* with log δ + ρ_ψ(τ*) = log ρ;
 *   L > 2:  t(ρ) = δ^{−(L−2)}·∫_0^{τ*} e^{−(L−2)ρ_ψ(τ)} dτ   (dt = ‖w‖^{−(L−2)}dτ),
 * so that for L > 2 the escape time scales like δ^{−(L−2)} with the constant
 * C_ψ = ∫_0^∞ e^{−(L−2)ρ_ψ} dτ ≥ 1/(L(L−2)𝒩*) (equality only if w₀ is already a maximiser).
 * The integral is a trapezoid rule on the flow samples (sample finely); beyond the last sample
 * ρ_ψ is extrapolated at its final rate L·𝒩(u_end). Returns log t (exact for tiny δ).
 * With a loss factor λ (½ for the logistic loss, −ℓ′(0)) the early flow is ψ̇ = λ∇𝒩(ψ): t is
 * divided by λ.
 *
 * @param flow - an NCF flow (ncfFlow), sampled finely
 * @param L - the homogeneity order
 * @param logDelta - log δ, the initial scale
 * @param level - the escape level ρ on ‖w‖ (default 1)
 * @param lambda - the loss factor λ (lossFactor; default 1)
 * @returns the predicted escape time t and log t
 * @example
 * ```ts
 * import { escapeTime, makeActivation, makeBuiltin, ncfEvaluator, ncfFlow, ncfFlowEscapeTime, ncfProblem, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const flow = ncfFlow(ncfEvaluator(prob), 2, new Float64Array(prob.p).fill(0.1), { tEnd: 60 });
 * const logDelta = Math.log(1e-6);
 * console.log(ncfFlowEscapeTime(flow, 2, logDelta).t, escapeTime({ ncfStar: flow.value, L: 2, logDelta }).t); // the flow's is later
 * ```
 */
export function ncfFlowEscapeTime(flow: NcfFlowResult, L: number, logDelta: number, level = 1, lambda = 1): { t: number; logT: number } {
  const r = flowEscapeUnscaled(flow, L, logDelta, level);
  return { t: r.t / lambda, logT: r.logT - Math.log(lambda) };
}

function flowEscapeUnscaled(flow: NcfFlowResult, L: number, logDelta: number, level: number): { t: number; logT: number } {
  const S = flow.samples;
  const target = Math.log(level) - logDelta;
  const last = S[S.length - 1];
  const rate = L * last.value;
  if (L === 2) {
    for (let k = 1; k < S.length; k++) {
      if (S[k].logNorm >= target) {
        const f = (target - S[k - 1].logNorm) / (S[k].logNorm - S[k - 1].logNorm);
        const t = S[k - 1].tau + f * (S[k].tau - S[k - 1].tau);
        return { t, logT: Math.log(t) };
      }
    }
    const t = last.tau + (target - last.logNorm) / rate;
    return { t, logT: Math.log(t) };
  }
  const q = L - 2;
  let integral = 0;
  for (let k = 1; k < S.length; k++) {
    const a = S[k - 1];
    const b = S[k];
    if (b.logNorm >= target) {
      const f = (target - a.logNorm) / (b.logNorm - a.logNorm);
      const tau = f * (b.tau - a.tau);
      integral += 0.5 * tau * (Math.exp(-q * a.logNorm) + Math.exp(-q * target));
      return { t: Math.exp(-q * logDelta) * integral, logT: -q * logDelta + Math.log(integral) };
    }
    integral += 0.5 * (b.tau - a.tau) * (Math.exp(-q * a.logNorm) + Math.exp(-q * b.logNorm));
  }
  const dTau = (target - last.logNorm) / rate;
  integral += (Math.exp(-q * last.logNorm) * -Math.expm1(-q * rate * dTau)) / (q * rate);
  return { t: Math.exp(-q * logDelta) * integral, logT: -q * logDelta + Math.log(integral) };
}

/**
 * The flow's alignment cos(u(τ), û) with a direction û and its lag at flow time τ (the samples
 * up to the last one not after τ): lag = max over those samples of τ_s − (log‖·‖_s − log‖·‖_0)/(2𝒩*),
 * how far the flow's time runs ahead of the norm growth at rate 2𝒩* (docs/science/small-init.md §4).
 *
 * @param flow - an NCF flow (ncfFlow)
 * @param uHat - the unit direction û to compare with
 * @param tau - the flow time τ
 * @param ncfStar - 𝒩*, the rate of the norm growth
 * @returns cos(u(τ), û) and the lag
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfEvaluator, ncfFlow, ncfFlowAlignment, ncfProblem, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const flow = ncfFlow(ncfEvaluator(prob), 2, new Float64Array(prob.p).fill(0.1), { tEnd: 60 });
 * console.log(ncfFlowAlignment(flow, flow.u, 30, flow.value));
 * ```
 */
export function ncfFlowAlignment(flow: NcfFlowResult, uHat: Float64Array, tau: number, ncfStar: number): { alignment: number; lag: number } {
  let lag = 0;
  let alignment = NaN;
  const s0 = flow.samples[0].logNorm;
  for (const s of flow.samples) {
    if (s.tau > tau) break;
    lag = Math.max(lag, s.tau - (s.logNorm - s0) / (2 * ncfStar));
    alignment = cosine(s.u, uHat);
  }
  return { alignment, lag };
}
