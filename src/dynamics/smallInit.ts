// Gradient flow from a small initialisation θ(0) = δ·w₀ of a homogeneous model, integrated in
// log-norm/direction coordinates so that δ = 1e-80 neither underflows nor loses accuracy.

import { nrm2, sliceNorm } from "../linalg/index.js";
import type { LossValue, Objective } from "../model/objective.js";
import { fmt } from "./format.js";
import { createDopri5Workspace, type Dopri5Result } from "./dopri5.js";
import type { EventSpec } from "./events.js";
import { runFlowDopri5, runFlowRk4, runGd, type FlowDopri5Options, type GradientFlowOptions, type PhaseClock } from "./flow.js";
import { createMonitor, integrationStop, monitorEnd, monitorStep, type LoopOptions, type Monitor, type StopReason, type TrainResult } from "./monitor.js";
import { integrateSegments, SlidingController, type SlidingReport } from "./sliding.js";
import type { SlidingField } from "./slidingField.js";
import { createPoint, recordSample, type TrajectoryPoint } from "./trajectory.js";

export interface SmallInitOptions extends LoopOptions {
  /** θ(0) = δ·w₀: give δ, or log δ for δ below 1e-308. */
  delta?: number;
  logDelta?: number;
  /** Tolerances of the rescaled phase (defaults 1e-8 and 1e-12; atol acts on u, ‖u‖ = 1). */
  rtol?: number;
  atol?: number;
  /** Further DOPRI5 settings of the rescaled phase. */
  dopri5?: Omit<FlowDopri5Options, "rtol" | "atol" | "events">;
  /**
   * Time variable of the rescaled phase: "physical" integrates in t; "reparametrised" in τ with
   * dτ = e^{(L−2)s} dt (see smallInitFlow). "auto" (default): physical for L = 2, else reparametrised.
   */
  time?: "auto" | "physical" | "reparametrised";
  /** Switch to the plain flow on θ when ‖θ‖ reaches this (default 1e-3) … */
  switchNorm?: number;
  /** … or when log ‖θ‖ reaches this (takes precedence). */
  switchLogNorm?: number;
  /**
   * Settings of the plain phase (method, tolerances, h, lr; default DOPRI5 with the rescaled
   * phase's rtol and atol = 1e-12), or false to stay in the rescaled coordinates to the end.
   */
  plain?: Omit<GradientFlowOptions, keyof LoopOptions | "t0"> | false;
  /**
   * The Filippov field of the model (twoLayerSlidingField), for sliding along ReLU kinks in both
   * phases (dynamics/sliding.ts); the plain phase gets it too unless `plain` sets its own.
   */
  sliding?: SlidingField | null;
}

export interface SmallInitResult extends TrainResult {
  /** Whether the run switched to the plain flow on θ. */
  switched: boolean;
  /** Physical time of the switch (NaN if none) and its log. */
  tSwitch: number;
  logTSwitch: number;
  /** Accepted steps of the rescaled phase. */
  stepsRescaled: number;
  /** Final θ = e^s·u with ‖u‖ = 1 (θ itself may underflow when the run never switched). */
  s: number;
  u: Float64Array;
  /** The rescaled phase's time variable at its end (τ, or t when physical). */
  tau: number;
  timeMode: "physical" | "reparametrised";
}

/**
 * Gradient flow θ̇ = −∇ℒ(θ) from θ(0) = δ·w₀ for an L-homogeneous model (objective.homogeneity
 * = L, with evaluateScaled). Write θ = e^{s}·u, ‖u‖ = 1, and g = e^{−(L−1)s}∇ℒ(θ) (what
 * evaluateScaled returns, computed without forming θ). Then
 *   ṡ = ⟨θ, θ̇⟩/‖θ‖² = −e^{(L−2)s}⟨u, g⟩,   u̇ = (θ̇ − ṡθ)/e^{s} = −e^{(L−2)s}(g − ⟨u, g⟩u).
 * Numerically u drifts off the sphere by the integration error; the field is evaluated at
 * û = u/‖u‖, S = s + log‖u‖ with u̇ scaled by ‖u‖, which keeps θ = e^{s}u an exact solution
 * for any ‖u‖ (and d‖u‖/dt = 0), so no projection is needed. The tolerance on s is absolute
 * (atol_s = rtol, rtol_s = 0): a relative accuracy of ‖θ‖, independent of |log δ|.
 * Time: for L = 2 the factor e^{(L−2)s} is 1 and the system is integrated in t. For L ≠ 2 the
 * early phase moves on the time scale δ^{−(L−2)}; the reparametrised mode integrates in τ with
 * dτ = e^{(L−2)s} dt (so ds/dτ = −⟨u, g⟩, du/dτ = −(g − ⟨u, g⟩u), the NCF-like flow) and
 * carries w = t·e^{(L−2)s₀} (s₀ = s(0)) as an extra component, dw/dτ = e^{−(L−2)(s−s₀)} = O(1),
 * so t = w·e^{−(L−2)s₀} and log t = log w − (L−2)s₀ stay exact; maxTime becomes a terminal event
 * on w. Switch: when log‖θ‖ reaches log(switchNorm) (located as a terminal event on the dense
 * output) the run continues with the plain flow on θ = e^{S}û from the switch time; the switch
 * time is reported. The plain phase integrates in its own time t − t_switch (reported as tPhase,
 * with t = t_switch + tPhase and log t kept exactly), since t_switch ≈ δ^{−(L−2)} may be far too
 * large for float64 to resolve its O(1) steps. Stopping rules, progress and the trajectory run
 * across both phases (log‖θ‖ is recorded as s; user metrics get (u, s)); note that at tiny
 * scales ‖∇ℒ‖ ~ δ^{L−1}, so a gradNormBelow rule would fire at once in the rescaled phase.
 *
 * @param objective - a homogeneous objective (homogeneity L and evaluateScaled, as `makeObjective` gives for bias-free ReLU-type nets)
 * @param w0 - the initial direction w₀ (scaled to δ·w₀; not modified)
 * @param opts - the scale (delta or logDelta), tolerances, time mode, the switch norm, the plain phase settings and stopping rules
 * @returns the loop's result plus whether and when the run switched to the plain flow, and the final (s, u)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, makeObjective, smallInitFlow, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.1) });
 * const objective = makeObjective(arch, data, "logistic", { mean: true });
 * const run = smallInitFlow(objective, initializeModel(arch, { seed: 2 }).theta, { delta: 1e-6, stop: { maxTime: 200 } });
 * console.log(run.switched, run.tSwitch, run.loss);
 * ```
 */
export function smallInitFlow(objective: Objective, w0: Float64Array, opts: SmallInitOptions): SmallInitResult {
  const setup = rescaledSetup(objective, w0, opts);
  const mon = createMonitor(opts, "rescaled");
  const sys = rescaledSystem(objective, setup, opts.sliding ?? null);
  const phase = runRescaledPhase(sys, setup, opts, mon);
  const end = rescaledEnd(sys, phase);
  const common = { stepsRescaled: phase.steps, tau: phase.res.t, timeMode: setup.mode };
  const p = objective.dim;
  const lastHit = phase.res.events.length > 0 ? phase.res.events[phase.res.events.length - 1] : null;
  if (!(phase.res.status === "event" && lastHit !== null && lastHit.name === "switch")) {
    let stop: StopReason;
    let reason: string;
    const ended = integrationStop(phase.res, phase.held, mon);
    if (ended !== null) {
      ({ stop, reason } = ended);
    } else {
      // "done" or "event" (the time limit as a terminal event on w): the time limit was reached.
      stop = "maxTime";
      reason = `reached t = ${fmt(phase.point.t)} in the rescaled phase (log ‖θ‖ = ${fmt(end.S)})`;
    }
    const point = phase.point;
    const elapsedMs = monitorEnd(mon, point, end.u, end.S);
    const theta = new Float64Array(p);
    const scale = Math.exp(end.S);
    for (let i = 0; i < p; i++) theta[i] = scale * end.u[i];
    return {
      stop, reason, t: point.t, logT: point.logT, theta, loss: point.loss, logLoss: point.logLoss,
      gradNorm: point.gradNorm, logNorm: end.S, steps: phase.steps, evaluations: sys.cache.evaluations,
      rejections: phase.rejections, stall: phase.res.stall, trajectory: opts.trajectory ?? null, elapsedMs,
      ...(phase.sliding ? { sliding: phase.sliding } : {}),
      switched: false, tSwitch: NaN, logTSwitch: NaN, s: end.S, u: end.u, ...common,
    };
  }
  return plainPhase(objective, opts, mon, { phase, end, rtol: setup.rtol, common, evaluations: sys.cache.evaluations });
}

/** The resolved settings of a small-initialisation run. */
interface RescaledSetup {
  readonly p: number;
  readonly L: number;
  readonly evalScaled: (u: Float64Array, s: number, g: Float64Array | null) => LossValue;
  readonly w0: Float64Array;
  readonly w0Norm: number;
  /** s₀ = log δ + log ‖w₀‖. */
  readonly s0: number;
  readonly mode: "physical" | "reparametrised";
  readonly switchLogNorm: number;
  readonly doSwitch: boolean;
  readonly rtol: number;
  readonly atol: number;
}

function rescaledSetup(objective: Objective, w0: Float64Array, opts: SmallInitOptions): RescaledSetup {
  const p = objective.dim;
  const L = objective.homogeneity;
  const evalScaled = objective.evaluateScaled?.bind(objective);
  if (L === null || !(L > 0) || !evalScaled) {
    throw new RangeError("smallInitFlow: needs a homogeneous objective (homogeneity L > 0) with evaluateScaled");
  }
  if (w0.length !== p) throw new RangeError(`smallInitFlow: w0 has length ${w0.length}, the objective dimension ${p}`);
  const w0Norm = nrm2(w0);
  if (!(w0Norm > 0) || !Number.isFinite(w0Norm)) throw new RangeError("smallInitFlow: w0 must be a finite nonzero vector");
  const logDelta = opts.logDelta ?? (opts.delta !== undefined ? Math.log(opts.delta) : NaN);
  if (!Number.isFinite(logDelta)) throw new RangeError("smallInitFlow: give delta > 0 or a finite logDelta");
  return {
    p, L, evalScaled, w0, w0Norm,
    s0: logDelta + Math.log(w0Norm),
    mode: (opts.time ?? "auto") === "auto" ? (L === 2 ? "physical" : "reparametrised") : (opts.time as "physical" | "reparametrised"),
    switchLogNorm: opts.switchLogNorm ?? Math.log(opts.switchNorm ?? 1e-3),
    doSwitch: opts.plain !== false,
    rtol: opts.rtol ?? 1e-8,
    atol: opts.atol ?? 1e-12,
  };
}

/** The rescaled system y = [s, u_1 … u_p, (w)]: its field, caches and time maps. */
interface RescaledSystem {
  readonly n: number;
  readonly field: (tau: number, y: Float64Array, d: Float64Array) => void;
  readonly cache: { loss: number; logLoss: number; S: number; logGradNorm: number; evaluations: number };
  /** log ‖θ‖ = s + log ‖u‖ of a state. */
  logNormOf(y: Float64Array): number;
  tOf(tau: number, y: Float64Array): number;
  logTOf(tau: number, y: Float64Array): number;
  readonly sliding: SlidingField | null;
  readonly setup: RescaledSetup;
}

/**
 * The field of the module comment: at û = u/‖u‖, S = s + log‖u‖, with the scaled gradient g from
 * evaluateScaled, or from the Filippov field (output scale e^{LS}) while something slides.
 */
function rescaledSystem(objective: Objective, setup: RescaledSetup, sliding: SlidingField | null): RescaledSystem {
  const { p, L, s0, evalScaled } = setup;
  const reparam = setup.mode === "reparametrised";
  const n = p + 1 + (reparam ? 1 : 0);
  const uhat = new Float64Array(p);
  const g = new Float64Array(p);
  const cache = { loss: NaN, logLoss: NaN, S: NaN, logGradNorm: NaN, evaluations: 0 };
  const field = (_tau: number, y: Float64Array, d: Float64Array): void => {
    const r = sliceNorm(y, 1, p + 1);
    for (let i = 0; i < p; i++) uhat[i] = y[1 + i] / r;
    const S = y[0] + Math.log(r);
    const v = sliding !== null && sliding.active ? sliding.evaluate(uhat, Math.exp(L * S), g) : evalScaled(uhat, S, g);
    cache.evaluations++;
    let ug = 0;
    for (let i = 0; i < p; i++) ug += uhat[i] * g[i];
    const c = reparam ? 1 : Math.exp((L - 2) * S);
    d[0] = -c * ug;
    const cr = c * r;
    for (let i = 0; i < p; i++) d[1 + i] = -cr * (g[i] - ug * uhat[i]);
    if (reparam) d[p + 1] = Math.exp(-(L - 2) * (S - s0));
    cache.loss = v.loss;
    cache.logLoss = v.logLoss;
    cache.S = S;
    cache.logGradNorm = (L - 1) * S + Math.log(nrm2(g));
  };
  return {
    n, field, cache, sliding, setup,
    logNormOf: (y) => y[0] + Math.log(sliceNorm(y, 1, p + 1)),
    tOf: (tau, y) => (reparam ? y[p + 1] * Math.exp(-(L - 2) * s0) : tau),
    logTOf: (tau, y) => (reparam ? Math.log(y[p + 1]) - (L - 2) * s0 : Math.log(tau)),
  };
}

/** What the rescaled phase ended with. */
interface RescaledPhase {
  res: Dopri5Result;
  point: TrajectoryPoint;
  held: StopReason | null;
  /** Accepted steps and rejections over all segments. */
  steps: number;
  rejections: number;
  sliding: SlidingReport | null;
}

/**
 * DOPRI5 on the rescaled system with the switch (‖θ‖ = switchNorm) and time-limit events, in
 * segments between changes of the sliding set when a Filippov field is given.
 */
function runRescaledPhase(sys: RescaledSystem, setup: RescaledSetup, opts: SmallInitOptions, mon: Monitor): RescaledPhase {
  const { p, L, s0 } = setup;
  const n = sys.n;
  const reparam = setup.mode === "reparametrised";
  const y0 = new Float64Array(n);
  y0[0] = s0;
  for (let i = 0; i < p; i++) y0[1 + i] = setup.w0[i] / setup.w0Norm;
  const rtolV = new Float64Array(n).fill(setup.rtol);
  const atolV = new Float64Array(n).fill(setup.atol);
  // the tolerance on s is absolute (a relative accuracy of ‖θ‖, independent of |log δ|)
  rtolV[0] = 0;
  atolV[0] = setup.rtol;
  if (reparam) atolV[p + 1] = 1e-300;
  const events: EventSpec[] = [];
  if (setup.doSwitch) events.push({ name: "switch", direction: 1, terminal: true, g: (_tau, y) => sys.logNormOf(y) - setup.switchLogNorm });
  let tEnd = mon.maxTime;
  if (reparam) {
    tEnd = Infinity;
    const logTMax = Math.min(Math.log(mon.maxTime), mon.maxLogTime);
    if (Number.isFinite(logTMax)) {
      const wMax = Math.exp(logTMax + (L - 2) * s0);
      events.push({ name: "maxTime", direction: 1, terminal: true, g: (_tau, y) => y[p + 1] - wMax });
    }
  }
  const ws = createDopri5Workspace(n);
  const uViewA = ws.y.subarray(1, p + 1);
  const uViewB = ws.y1.subarray(1, p + 1);
  const sliding = sys.sliding
    ? new SlidingController({
      field: sys.sliding, f: sys.field, params: (y) => y.subarray(1, p + 1), time: sys.tOf, rtol: setup.rtol, atol: setup.atol,
    }, n)
    : null;
  const point = createPoint();
  let held: StopReason | null = null;
  const run = integrateSegments(sys.field, 0, y0, {
    ...opts.dopri5, rtol: rtolV, atol: atolV, tEnd, events, workspace: ws,
  }, sliding, (st, base) => {
    // FSAL contract: the cache holds the evaluation at (st.t, st.y).
    point.step = base + st.step;
    point.t = sys.tOf(st.t, st.y);
    point.logT = sys.logTOf(st.t, st.y);
    point.phase = 0;
    point.tPhase = st.t;
    point.loss = sys.cache.loss;
    point.logLoss = sys.cache.logLoss;
    point.logNorm = sys.cache.S;
    point.gradNorm = Math.exp(sys.cache.logGradNorm);
    const u = st.y === ws.y ? uViewA : uViewB;
    held = monitorStep(mon, point, u, st.y[0]);
    return held !== null;
  });
  return { res: run.res, point, held, steps: run.steps, rejections: run.rejections, sliding: sliding?.report ?? null };
}

/** The end state (u, S) of the rescaled phase; an event end point is interpolated: re-evaluate there. */
function rescaledEnd(sys: RescaledSystem, phase: RescaledPhase): { u: Float64Array; S: number } {
  const { p, L, evalScaled } = sys.setup;
  const yEnd = phase.res.y;
  const S = sys.logNormOf(yEnd);
  const r = Math.exp(S - yEnd[0]);
  const u = new Float64Array(p);
  for (let i = 0; i < p; i++) u[i] = yEnd[1 + i] / r;
  if (phase.res.status === "event") {
    const g = new Float64Array(p);
    const v = sys.sliding !== null && sys.sliding.active ? sys.sliding.evaluate(u, Math.exp(L * S), g) : evalScaled(u, S, g);
    sys.cache.evaluations++;
    const point = phase.point;
    point.step = phase.steps;
    point.t = sys.tOf(phase.res.t, yEnd);
    point.logT = sys.logTOf(phase.res.t, yEnd);
    point.phase = 0;
    point.tPhase = phase.res.t;
    point.loss = v.loss;
    point.logLoss = v.logLoss;
    point.logNorm = S;
    point.gradNorm = Math.exp((L - 1) * S) * nrm2(g);
  }
  return { u, S };
}

/**
 * The plain phase after the switch: gradient flow on θ = e^{S}û from the switch time, in its own
 * time t − t_switch (t_switch ≈ δ^{−(L−2)} can be far too large for float64 to resolve the O(1)
 * steps after the escape).
 */
function plainPhase(
  objective: Objective, opts: SmallInitOptions, mon: Monitor,
  at: {
    phase: RescaledPhase; end: { u: Float64Array; S: number }; rtol: number; evaluations: number;
    common: Pick<SmallInitResult, "stepsRescaled" | "tau" | "timeMode">;
  },
): SmallInitResult {
  const p = objective.dim;
  const { phase, end } = at;
  const tSwitch = phase.point.t;
  const logTSwitch = phase.point.logT;
  if (opts.trajectory) recordSample(opts.trajectory, phase.point, end.u, end.S);
  const thetaSwitch = new Float64Array(p);
  const scale = Math.exp(end.S);
  for (let i = 0; i < p; i++) thetaSwitch[i] = scale * end.u[i];
  const plain: GradientFlowOptions = { rtol: at.rtol, atol: 1e-12, sliding: opts.sliding ?? null, ...(opts.plain || {}) };
  mon.stepOffset = phase.steps;
  const method = plain.method ?? "dopri5";
  mon.phase = method;
  const clock: PhaseClock = { t0: tSwitch, logT0: logTSwitch, phase: 1 };
  const r2 =
    method === "dopri5"
      ? runFlowDopri5(objective, thetaSwitch, plain, mon, clock)
      : method === "rk4"
        ? runFlowRk4(objective, thetaSwitch, plain, mon, clock)
        : runGd(objective, thetaSwitch, plain, mon, clock);
  const nTheta = nrm2(r2.theta);
  const u = new Float64Array(p);
  for (let i = 0; i < p; i++) u[i] = r2.theta[i] / nTheta;
  const sliding = mergeSliding(phase.sliding, r2.sliding ?? null);
  return {
    ...r2,
    evaluations: r2.evaluations + at.evaluations,
    rejections: r2.rejections + phase.rejections,
    ...(sliding ? { sliding } : {}),
    switched: true,
    tSwitch,
    logTSwitch,
    s: Math.log(nTheta),
    u,
    ...at.common,
  };
}

/** The sliding reports of the two phases as one (counts added, changes concatenated). */
function mergeSliding(a: SlidingReport | null, b: SlidingReport | null): SlidingReport | null {
  if (a === null || b === null) return a ?? b;
  return {
    method: a.method,
    entries: a.entries + b.entries,
    exits: a.exits + b.exits,
    segments: a.segments + b.segments,
    maxSliding: Math.max(a.maxSliding, b.maxSliding),
    slidingTime: a.slidingTime + b.slidingTime,
    slidingAtEnd: b.slidingAtEnd,
    changes: [...a.changes, ...b.changes].slice(0, 50),
  };
}
