/**
 * Gradient flow from a small initialisation θ(0) = δ·w₀ (δ down to 1e-80), tracking log‖θ(t)‖,
 * the loss and the alignment cos(θ(t)/‖θ(t)‖, û) with û the limit of the NCF flow from w₀, and
 * the observed escape time: the first t with ‖θ(t)‖ ≥ ρ, by linear interpolation of log‖θ‖
 * between steps (docs/science/small-init.md §3.1 and §3.2).
 *
 * Integrators: "rk4" (default) integrates the rescaled system of dynamics.smallInitFlow,
 * θ = e^s·u with g = e^{−(L−1)s}∇ℒ(θ) from objective.evaluateScaled (no underflow),
 *   ds/dτ = −⟨u, g⟩,  du/dτ = −(g − ⟨u, g⟩u),  dt = e^{−(L−2)s}dτ   (τ = t for L = 2),
 * by classical RK4 with a fixed step in τ and u renormalised after each step, for the whole run
 * (the rescaled form is exact at every scale). A fixed step is used because the field jumps
 * across ReLU kinks, where the trajectory slides: "dopri5" (dynamics.smallInitFlow) agrees with
 * it up to the escape (reference experiment: escape times within 1e-5, alignments within 2e-4),
 * but after the escape its plain phase chatters along kinks with micro-steps and exhausted its
 * 1e6-step cap before t = 25 on the reference experiment; use stopNorm to end runs early.
 */
import { cosine, nrm2, sliceNorm } from "../linalg/index.js";
import { smallInitFlow } from "../dynamics/index.js";
import type { Objective } from "../model/index.js";

export interface SmallInitSample {
  t: number;
  logNorm: number;
  loss: number;
  logLoss: number;
  alignment: number;
}

export interface SmallInitEscape {
  logDelta: number;
  /** Observed first time with ‖θ‖ ≥ level (NaN if never within tMax). */
  tEscape: number;
  /** cos(θ/‖θ‖, û) at tEscape (interpolated). */
  alignmentAtEscape: number;
  /** The trained network at the first recorded point with ‖θ‖ ≥ level: θ = e^{logNorm}·u (null if never). */
  escapePoint: { u: Float64Array; logNorm: number } | null;
  level: number;
  /** Thinned samples (at most `maxSamples`). */
  samples: SmallInitSample[];
  tEnd: number;
  lossEnd: number;
  logNormEnd: number;
  /** Any NaN/±∞ in log‖θ‖, the alignment or the loss along the run. */
  anyNonFinite: boolean;
  stop: string;
  steps: number;
  integrator: "rk4" | "dopri5";
}

export interface SmallInitEscapeOptions {
  logDelta: number;
  /** End time (physical t). */
  tMax: number;
  /** Escape level ρ (default 1e-2, as in the note). */
  level?: number;
  maxSamples?: number;
  integrator?: "rk4" | "dopri5";
  /** Stop once ‖θ‖ ≥ stopNorm (default: run to tMax). */
  stopNorm?: number;
  /** RK4 step in τ (default 2e-3); DOPRI5 rtol (default 1e-8). */
  h?: number;
  rtol?: number;
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Run gradient flow on `objective` (homogeneous, with evaluateScaled) from δ·w₀ to tMax, tracking
 * the quantities above against the unit direction uHat.
 *
 * @param objective - a homogeneous objective with evaluateScaled (makeObjective on a bias-free net)
 * @param w0 - the initial direction w₀ (θ(0) = δ·w₀)
 * @param uHat - the unit direction to track the alignment with (e.g. the NCF flow's end)
 * @param opts - log δ, tMax, the level ρ, the integrator (rk4 or dopri5) with h or rtol, stopNorm, maxSamples
 * @returns the escape time, the alignment at escape, the escape point, the samples and the end state
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, makeObjective, ncfEvaluator, ncfFlow, ncfProblem, smallInitEscape, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:sin?n=20&d=5&seed=3");
 * const arch = twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) });
 * const w0 = new Float64Array(24).fill(0.1);
 * const flow = ncfFlow(ncfEvaluator(ncfProblem(arch, data)), 2, w0, { tEnd: 60 });
 * const e = smallInitEscape(makeObjective(arch, data, "square"), w0, flow.u, { logDelta: Math.log(1e-4), tMax: 30, stopNorm: 0.05 });
 * console.log(e.tEscape, e.alignmentAtEscape);
 * ```
 */
export function smallInitEscape(objective: Objective, w0: Float64Array, uHat: Float64Array, opts: SmallInitEscapeOptions): SmallInitEscape {
  const level = opts.level ?? 1e-2;
  const logLevel = Math.log(level);
  const all: SmallInitSample[] = [];
  let anyNonFinite = false;
  let tEscape = NaN;
  let alignEscape = NaN;
  let escapePoint: { u: Float64Array; logNorm: number } | null = null;
  let prev: SmallInitSample | null = null;
  const offer = (cur: SmallInitSample, u: Float64Array): void => {
    if (!Number.isFinite(cur.logNorm) || !Number.isFinite(cur.alignment) || Number.isNaN(cur.loss) || Number.isNaN(cur.logLoss)) anyNonFinite = true;
    if (Number.isNaN(tEscape) && cur.logNorm >= logLevel) {
      const nu = nrm2(u);
      escapePoint = { u: u.map((x) => x / nu), logNorm: cur.logNorm };
      if (prev && prev.logNorm < logLevel) {
        const f = (logLevel - prev.logNorm) / (cur.logNorm - prev.logNorm);
        tEscape = prev.t + f * (cur.t - prev.t);
        alignEscape = prev.alignment + f * (cur.alignment - prev.alignment);
      } else {
        tEscape = cur.t;
        alignEscape = cur.alignment;
      }
    }
    all.push(cur);
    prev = cur;
  };
  const integrator = opts.integrator ?? "rk4";
  let tEnd: number;
  let lossEnd: number;
  let logNormEnd: number;
  let stop: string;
  let steps: number;
  if (integrator === "dopri5") {
    const res = smallInitFlow(objective, w0, {
      logDelta: opts.logDelta, rtol: opts.rtol ?? 1e-8, atol: 1e-12, stop: { maxTime: opts.tMax, ...(opts.stopNorm ? { normAbove: opts.stopNorm } : {}) },
      onStep: (pt, theta) => offer({ t: pt.t, logNorm: pt.logNorm, loss: pt.loss, logLoss: pt.logLoss, alignment: cosine(theta, uHat) }, theta),
    });
    ({ t: tEnd, loss: lossEnd, logNorm: logNormEnd, stop, steps } = res);
  } else {
    const r = smallInitTrajectory(objective, w0, opts, (pt) =>
      offer({ t: pt.t, logNorm: pt.logNorm, loss: pt.loss, logLoss: pt.logLoss, alignment: cosine(pt.u, uHat) }, pt.u));
    ({ tEnd, lossEnd, logNormEnd, stop, steps } = r);
  }
  const maxS = opts.maxSamples ?? 400;
  const stride = Math.max(1, Math.ceil(all.length / maxS));
  const samples = all.filter((_, i) => i % stride === 0 || i === all.length - 1);
  return { logDelta: opts.logDelta, tEscape, alignmentAtEscape: alignEscape, escapePoint, level, samples, tEnd, lossEnd, logNormEnd, anyNonFinite, stop, steps, integrator };
}

/** One recorded point of smallInitTrajectory: θ = e^{logNorm}·u with ‖u‖ = 1 (u is a reused buffer). */
export interface SmallInitPoint {
  t: number;
  logNorm: number;
  u: Float64Array;
  loss: number;
  logLoss: number;
}

/**
 * Gradient flow θ̇ = −∇ℒ(θ) from θ(0) = e^{logDelta}·w₀ in the rescaled coordinates θ = e^s·u
 * (the system of dynamics.smallInitFlow, see the module comment) by fixed-step RK4 in τ, with
 * dt = e^{−(L−2)s}dτ accumulated in log space. Calls onPoint at τ = 0, every `every` steps, at
 * crossings of log‖θ‖ = log ρ − 0.5 and log ρ, and at the end.
 *
 * @param objective - a homogeneous objective with evaluateScaled
 * @param w0 - the initial direction w₀
 * @param opts - log δ, tMax, the RK4 step h in τ, the level ρ, the sampling interval `every` and stopNorm
 * @param onPoint - called with (t, log‖θ‖, u, ℒ, log ℒ) at each reported point
 * @returns the end time, loss, log‖θ‖, why it stopped and the steps
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, makeObjective, smallInitTrajectory, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) });
 * const objective = makeObjective(arch, makeBuiltin("builtin:sin?n=20&d=5&seed=3"), "square");
 * const end = smallInitTrajectory(objective, new Float64Array(24).fill(0.1), { logDelta: Math.log(1e-4), tMax: 30, every: 1000 }, (pt) => console.log(pt.t, pt.logNorm));
 * console.log(end.stop, end.lossEnd);
 * ```
 */
export function smallInitTrajectory(
  objective: Objective, w0: Float64Array,
  opts: { logDelta: number; tMax: number; h?: number; level?: number; every?: number; stopNorm?: number },
  onPoint: (pt: SmallInitPoint) => void,
): { tEnd: number; lossEnd: number; logNormEnd: number; stop: string; steps: number } {
  const L = objective.homogeneity;
  const evalScaled = objective.evaluateScaled?.bind(objective);
  if (L === null || !evalScaled) throw new RangeError("smallInitEscape: needs a homogeneous objective with evaluateScaled");
  const p = objective.dim;
  const y = new Float64Array(p + 1); // [u, s]
  const n0 = nrm2(w0);
  for (let k = 0; k < p; k++) y[k] = w0[k] / n0;
  y[p] = opts.logDelta + Math.log(n0);
  const g = new Float64Array(p);
  const xh = new Float64Array(p);
  const k1 = new Float64Array(p + 1);
  const k2 = new Float64Array(p + 1);
  const k3 = new Float64Array(p + 1);
  const k4 = new Float64Array(p + 1);
  const tmp = new Float64Array(p + 1);
  let last = { loss: NaN, logLoss: NaN };
  // Field in τ at (x, s): evaluated at x̂ = x/‖x‖, S = s + log‖x‖ (θ = e^s·x = e^S·x̂ exactly).
  const field = (x: Float64Array, out: Float64Array): number => {
    const nx = sliceNorm(x, 0, p);
    for (let k = 0; k < p; k++) xh[k] = x[k] / nx;
    const S = x[p] + Math.log(nx);
    last = evalScaled(xh, S, g);
    let ug = 0;
    for (let k = 0; k < p; k++) ug += xh[k] * g[k];
    for (let k = 0; k < p; k++) out[k] = -nx * (g[k] - ug * xh[k]);
    out[p] = -ug;
    return S;
  };
  const h = opts.h ?? 2e-3;
  const logTMax = Math.log(opts.tMax);
  let logT = -Infinity;
  let steps = 0;
  const uOut = new Float64Array(p);
  const sample = (): void => {
    const S = field(y, k1);
    uOut.set(xh);
    onPoint({ t: Math.exp(logT), logNorm: S, u: uOut, loss: last.loss, logLoss: last.logLoss });
  };
  sample();
  const every = opts.every ?? Math.max(1, Math.round(0.01 / h));
  const logStop = Math.log(opts.stopNorm ?? Infinity);
  while (logT < logTMax && steps < 1e7 && y[p] < logStop) {
    // dt = e^{−(L−2)s} dτ, accumulated in log space (exact for L > 2 and δ = 1e-80).
    const S0 = field(y, k1);
    for (let k = 0; k <= p; k++) tmp[k] = y[k] + 0.5 * h * k1[k];
    field(tmp, k2);
    for (let k = 0; k <= p; k++) tmp[k] = y[k] + 0.5 * h * k2[k];
    field(tmp, k3);
    for (let k = 0; k <= p; k++) tmp[k] = y[k] + h * k3[k];
    field(tmp, k4);
    for (let k = 0; k <= p; k++) y[k] += (h / 6) * (k1[k] + 2 * k2[k] + 2 * k3[k] + k4[k]);
    const nx = sliceNorm(y, 0, p);
    for (let k = 0; k < p; k++) y[k] /= nx;
    y[p] += Math.log(nx);
    // trapezoid in log space for ∫ e^{−(L−2)S} dτ over the step
    const S1 = y[p];
    const logDt = L === 2 ? Math.log(h) : Math.log(h / 2) + logAdd(-(L - 2) * S0, -(L - 2) * S1);
    logT = logAdd(logT, logDt);
    steps++;
    const crossing = prevBelow(S0, S1, opts.level ?? 1e-2);
    if (steps % every === 0 || crossing || logT >= logTMax) sample();
  }
  field(y, k1);
  return { tEnd: Math.exp(logT), lossEnd: last.loss, logNormEnd: y[p], stop: logT >= logTMax ? "maxTime" : y[p] >= logStop ? "norm" : "maxSteps", steps };
}

function prevBelow(S0: number, S1: number, level: number): boolean {
  const l = Math.log(level);
  return (S0 < l && S1 >= l) || (S0 < l - 0.5 && S1 >= l - 0.5);
}
