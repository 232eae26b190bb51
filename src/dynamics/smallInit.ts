// Gradient flow from a small initialisation θ(0) = δ·w₀ of a homogeneous model, integrated in
// log-norm/direction coordinates so that δ = 1e-80 neither underflows nor loses accuracy.

import { nrm2 } from "../linalg/index.js";
import type { Objective } from "../model/objective.js";
import { fmt } from "./format.js";
import { createDopri5Workspace, integrateDopri5 } from "./dopri5.js";
import type { EventSpec } from "./events.js";
import { runFlowDopri5, runFlowRk4, runGd, type FlowDopri5Options, type GradientFlowOptions, type PhaseClock } from "./flow.js";
import { createMonitor, integrationStop, monitorEnd, monitorStep, type LoopOptions, type StopReason, type TrainResult } from "./monitor.js";
import { createPoint, recordSample } from "./trajectory.js";

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
 */
export function smallInitFlow(objective: Objective, w0: Float64Array, opts: SmallInitOptions): SmallInitResult {
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
  const s0 = logDelta + Math.log(w0Norm);
  const mode = (opts.time ?? "auto") === "auto" ? (L === 2 ? "physical" : "reparametrised") : (opts.time as "physical" | "reparametrised");
  const reparam = mode === "reparametrised";
  const switchLogNorm = opts.switchLogNorm ?? Math.log(opts.switchNorm ?? 1e-3);
  const doSwitch = opts.plain !== false;
  const rtol = opts.rtol ?? 1e-8;
  const atol = opts.atol ?? 1e-12;
  const mon = createMonitor(opts, "rescaled");

  // ---- rescaled system y = [s, u_1 … u_p, (w)] ----
  const n = p + 1 + (reparam ? 1 : 0);
  const uhat = new Float64Array(p);
  const g = new Float64Array(p);
  const cache = { loss: NaN, logLoss: NaN, S: NaN, logGradNorm: NaN, evaluations: 0 };
  const field = (_tau: number, y: Float64Array, d: Float64Array): void => {
    let rr = 0;
    for (let i = 0; i < p; i++) rr += y[1 + i] * y[1 + i];
    const r = Math.sqrt(rr);
    for (let i = 0; i < p; i++) uhat[i] = y[1 + i] / r;
    const S = y[0] + Math.log(r);
    const v = evalScaled(uhat, S, g);
    cache.evaluations++;
    let ug = 0;
    let gg = 0;
    for (let i = 0; i < p; i++) {
      ug += uhat[i] * g[i];
      gg += g[i] * g[i];
    }
    const c = reparam ? 1 : Math.exp((L - 2) * S);
    d[0] = -c * ug;
    const cr = c * r;
    for (let i = 0; i < p; i++) d[1 + i] = -cr * (g[i] - ug * uhat[i]);
    if (reparam) d[p + 1] = Math.exp(-(L - 2) * (S - s0));
    cache.loss = v.loss;
    cache.logLoss = v.logLoss;
    cache.S = S;
    cache.logGradNorm = (L - 1) * S + 0.5 * Math.log(gg);
  };

  const y0 = new Float64Array(n);
  y0[0] = s0;
  for (let i = 0; i < p; i++) y0[1 + i] = w0[i] / w0Norm;
  const rtolV = new Float64Array(n).fill(rtol);
  const atolV = new Float64Array(n).fill(atol);
  rtolV[0] = 0;
  atolV[0] = rtol;
  if (reparam) atolV[p + 1] = 1e-300;

  const logNormOf = (y: Float64Array): number => {
    let rr = 0;
    for (let i = 0; i < p; i++) rr += y[1 + i] * y[1 + i];
    return y[0] + 0.5 * Math.log(rr);
  };
  const events: EventSpec[] = [];
  if (doSwitch) events.push({ name: "switch", direction: 1, terminal: true, g: (_tau, y) => logNormOf(y) - switchLogNorm });
  let tEnd = mon.maxTime;
  if (reparam) {
    tEnd = Infinity;
    const logTMax = Math.min(Math.log(mon.maxTime), mon.maxLogTime);
    if (Number.isFinite(logTMax)) {
      const wMax = Math.exp(logTMax + (L - 2) * s0);
      events.push({ name: "maxTime", direction: 1, terminal: true, g: (_tau, y) => y[p + 1] - wMax });
    }
  }
  const tOf = (tau: number, y: Float64Array): number => (reparam ? y[p + 1] * Math.exp(-(L - 2) * s0) : tau);
  const logTOf = (tau: number, y: Float64Array): number => (reparam ? Math.log(y[p + 1]) - (L - 2) * s0 : Math.log(tau));

  const ws = createDopri5Workspace(n);
  const uViewA = ws.y.subarray(1, p + 1);
  const uViewB = ws.y1.subarray(1, p + 1);
  const bufA = ws.y;
  const point = createPoint();
  const held: { reason: StopReason | null } = { reason: null };
  const res = integrateDopri5(field, 0, y0, {
    ...opts.dopri5,
    rtol: rtolV,
    atol: atolV,
    tEnd,
    events,
    workspace: ws,
    onStep: (st) => {
      // FSAL contract: the cache holds the evaluation at (st.t, st.y).
      point.step = st.step;
      point.t = tOf(st.t, st.y);
      point.logT = logTOf(st.t, st.y);
      point.phase = 0;
      point.tPhase = st.t;
      point.loss = cache.loss;
      point.logLoss = cache.logLoss;
      point.logNorm = cache.S;
      point.gradNorm = Math.exp(cache.logGradNorm);
      const u = st.y === bufA ? uViewA : uViewB;
      held.reason = monitorStep(mon, point, u, st.y[0]);
      return held.reason !== null;
    },
  });

  // Final state of the rescaled phase (an event end point is interpolated: re-evaluate there).
  const yEnd = res.y;
  const SEnd = logNormOf(yEnd);
  const r = Math.exp(SEnd - yEnd[0]);
  const uEnd = new Float64Array(p);
  for (let i = 0; i < p; i++) uEnd[i] = yEnd[1 + i] / r;
  if (res.status === "event") {
    const v = evalScaled(uEnd, SEnd, g);
    cache.evaluations++;
    point.step = res.steps;
    point.t = tOf(res.t, yEnd);
    point.logT = logTOf(res.t, yEnd);
    point.phase = 0;
    point.tPhase = res.t;
    point.loss = v.loss;
    point.logLoss = v.logLoss;
    point.logNorm = SEnd;
    point.gradNorm = Math.exp((L - 1) * SEnd) * nrm2(g);
  }
  const lastHit = res.events.length > 0 ? res.events[res.events.length - 1] : null;
  const switching = res.status === "event" && lastHit !== null && lastHit.name === "switch";

  const common = {
    stepsRescaled: res.steps,
    tau: res.t,
    timeMode: mode as "physical" | "reparametrised",
  };

  if (!switching) {
    let stop: StopReason;
    let reason: string;
    const ended = integrationStop(res, held.reason, mon);
    if (ended !== null) {
      ({ stop, reason } = ended);
    } else {
      // "done" or "event" (the time limit as a terminal event on w): the time limit was reached.
      stop = "maxTime";
      reason = `reached t = ${fmt(point.t)} in the rescaled phase (log ‖θ‖ = ${fmt(SEnd)})`;
    }
    const elapsedMs = monitorEnd(mon, point, uEnd, SEnd);
    const theta = new Float64Array(p);
    const scale = Math.exp(SEnd);
    for (let i = 0; i < p; i++) theta[i] = scale * uEnd[i];
    return {
      stop, reason, t: point.t, logT: point.logT, theta, loss: point.loss, logLoss: point.logLoss,
      gradNorm: point.gradNorm, logNorm: SEnd, steps: res.steps, evaluations: cache.evaluations,
      rejections: res.rejections, stall: res.stall, trajectory: opts.trajectory ?? null, elapsedMs,
      switched: false, tSwitch: NaN, logTSwitch: NaN, s: SEnd, u: uEnd, ...common,
    };
  }

  // ---- switch to the plain flow on θ ----
  const tSwitch = point.t;
  const logTSwitch = point.logT;
  if (opts.trajectory) recordSample(opts.trajectory, point, uEnd, SEnd);
  const thetaSwitch = new Float64Array(p);
  const scale = Math.exp(SEnd);
  for (let i = 0; i < p; i++) thetaSwitch[i] = scale * uEnd[i];
  const plain: GradientFlowOptions = { rtol, atol: 1e-12, ...(opts.plain || {}) };
  mon.stepOffset = res.steps;
  const method = plain.method ?? "dopri5";
  mon.phase = method;
  // The plain phase runs in its own time t − t_switch (t_switch ≈ δ^{−(L−2)} can be far too
  // large for float64 to resolve the O(1) steps after the escape).
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
  return {
    ...r2,
    evaluations: r2.evaluations + cache.evaluations,
    rejections: r2.rejections + res.rejections,
    switched: true,
    tSwitch,
    logTSwitch,
    s: Math.log(nTheta),
    u,
    ...common,
  };
}
