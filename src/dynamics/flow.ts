// Gradient flow θ̇ = −∇ℒ(θ) on an Objective, through DOPRI5, fixed-step RK4 or plain GD.

import { nrm2 } from "../linalg/index.js";
import type { Objective } from "../model/objective.js";
import { fmt } from "./format.js";
import { createDopri5Workspace, type Dopri5Options } from "./dopri5.js";
import { frozenStop, sameVector, stepChanges, type FrozenStop } from "./frozen.js";
import { createMonitor, integrationStop, logAddExp, monitorEnd, monitorStep, type LoopOptions, type Monitor, type StopReason, type TrainResult } from "./monitor.js";
import { integrateSegments, SlidingController, type SlidingReport } from "./sliding.js";
import type { SlidingField } from "./slidingField.js";
import { createPoint, type TrajectoryPoint } from "./trajectory.js";
import type { StallInfo } from "./types.js";

export type FlowMethod = "dopri5" | "rk4" | "gd";

/** DOPRI5 settings a gradient flow passes through (tEnd comes from stop.maxTime). */
export type FlowDopri5Options = Omit<Dopri5Options, "tEnd" | "onStep" | "workspace" | "out">;

export interface GradientFlowOptions extends LoopOptions {
  /** Integrator (default "dopri5"). */
  method?: FlowMethod;
  /** DOPRI5 tolerances (defaults 1e-8, 1e-12: pick atol at the scale of θ). */
  rtol?: number;
  atol?: number;
  /** Further DOPRI5 settings (hMax, events, stagnation guard, rejection caps, …). */
  dopri5?: FlowDopri5Options;
  /** RK4 step size (required for method "rk4"). */
  h?: number;
  /** GD learning rate η: a number, or a function of the step index and the current point. */
  lr?: number | ((step: number, point: Readonly<TrajectoryPoint>) => number);
  /** Initial time (default 0). */
  t0?: number;
  /**
   * The Filippov field of a two-layer ReLU / leaky-ReLU net (twoLayerSlidingField) built on the
   * same model, data and loss as the objective: with it, DOPRI5 detects sliding along kinks and
   * integrates it (dynamics/sliding.ts); the result's `sliding` says what it did.
   */
  sliding?: SlidingField | null;
}

/** Vector field −∇ℒ that caches the loss of its last evaluation. */
interface FlowField {
  f: (t: number, theta: Float64Array, dtheta: Float64Array) => void;
  loss: number;
  logLoss: number;
  evaluations: number;
}

/** −∇ℒ by the objective, or by the Filippov field while some surface slides or is held. */
function flowField(objective: Objective, sliding: SlidingField | null = null): FlowField {
  const field: FlowField = {
    loss: NaN,
    logLoss: NaN,
    evaluations: 0,
    f: (_t, theta, dtheta) => {
      const v = sliding !== null && sliding.active ? sliding.evaluate(theta, 1, dtheta) : objective.evaluate(theta, dtheta);
      field.loss = v.loss;
      field.logLoss = v.logLoss;
      field.evaluations++;
      const n = dtheta.length;
      for (let i = 0; i < n; i++) dtheta[i] = -dtheta[i];
    },
  };
  return field;
}

function safeLog(x: number): number {
  return x > 0 ? Math.log(x) : x === 0 ? -Infinity : NaN;
}

/**
 * Where a phase sits in time: the phase integrates its own local time from 0 and reports
 * t = t0 + local, log t = log(e^{logT0} + local) (exact even when t0 is huge or overflows).
 */
export interface PhaseClock {
  t0: number;
  logT0: number;
  phase: number;
}

/** The clock of a run starting at t0. */
export function startClock(t0: number, phase = 0): PhaseClock {
  return { t0, logT0: safeLog(t0), phase };
}

/** Step count and time of a point of a phase: t = t0 + local, log t exact (see PhaseClock). */
function setTime(p: TrajectoryPoint, clock: PhaseClock, step: number, local: number): void {
  p.step = step;
  p.t = clock.t0 + local;
  p.logT = clock.t0 === 0 ? safeLog(local) : logAddExp(clock.logT0, safeLog(local));
  p.tPhase = local;
  p.phase = clock.phase;
}

/** Loss, log-loss, log ‖θ‖ and ‖∇ℒ‖ of a point. */
function setState(p: TrajectoryPoint, loss: number, logLoss: number, theta: Float64Array, gradNorm: number): void {
  p.loss = loss;
  p.logLoss = logLoss;
  p.logNorm = safeLog(nrm2(theta));
  p.gradNorm = gradNorm;
}

/** How a phase ended, with its counts. */
interface PhaseEnd {
  stop: StopReason;
  reason: string;
  evaluations: number;
  rejections: number;
  stall: StallInfo | null;
  sliding?: SlidingReport | null;
}

function result(mon: Monitor, point: TrajectoryPoint, theta: Float64Array, end: PhaseEnd): TrainResult {
  const elapsedMs = monitorEnd(mon, point, theta);
  return {
    stop: end.stop, reason: end.reason, t: point.t, logT: point.logT, theta, loss: point.loss, logLoss: point.logLoss,
    gradNorm: point.gradNorm, logNorm: point.logNorm, steps: point.step, evaluations: end.evaluations,
    rejections: end.rejections, stall: end.stall, trajectory: mon.opts.trajectory ?? null, elapsedMs,
    ...(end.sliding ? { sliding: end.sliding } : {}),
  };
}

/** Local end time of a phase: maxTime − t0 (∞ without a time limit). */
function localEnd(mon: Monitor, clock: PhaseClock): number {
  return mon.maxTime === Infinity ? Infinity : mon.maxTime - clock.t0;
}

/**
 * DOPRI5 gradient flow under an existing monitor (shared with small-initialisation runs). An
 * accepted step that leaves θ bitwise unchanged ends the run (dynamics/frozen.ts): "fixedPoint"
 * at an exact stationary point, "stalled" (cause "underflow") where ℒ and ∇ℒ underflowed. With
 * opts.sliding the integration runs in segments between changes of the sliding set
 * (dynamics/sliding.ts), each restarted at the located switching point.
 */
export function runFlowDopri5(objective: Objective, theta0: Float64Array, opts: GradientFlowOptions, mon: Monitor, clock: PhaseClock): TrainResult {
  const p = objective.dim;
  const field = flowField(objective, opts.sliding ?? null);
  const sliding = opts.sliding
    ? new SlidingController({ field: opts.sliding, f: field.f, params: (y) => y, rtol: opts.rtol ?? 1e-8, atol: opts.atol ?? 1e-12 }, p)
    : null;
  const point = createPoint();
  const held: { reason: StopReason | null; frozen: FrozenStop | null } = { reason: null, frozen: null };
  const tEnd = localEnd(mon, clock);
  const previous = Float64Array.from(theta0);
  const run = integrateSegments(field.f, 0, theta0, {
    rtol: opts.rtol,
    atol: opts.atol,
    maxSteps: Math.max(1_000_000, Number.isFinite(mon.maxSteps) ? 3 * mon.maxSteps : 0),
    ...opts.dopri5,
    tEnd,
    workspace: createDopri5Workspace(p),
  }, sliding, (s, base) => {
    if (s.step > 0 && sameVector(previous, s.y)) {
      // The step moved t but not θ: stop at the previous point (still in `point`).
      held.frozen = frozenStop(mon, point, s.h, "gradient-flow");
      return true;
    }
    previous.set(s.y);
    // FSAL contract: f was last evaluated at (s.t, s.y), so the cached loss belongs to it.
    setTime(point, clock, base + s.step + mon.stepOffset, s.t);
    setState(point, field.loss, field.logLoss, s.y, nrm2(s.dydt));
    if (s.t === tEnd) point.t = mon.maxTime;
    held.reason = monitorStep(mon, point, s.y);
    return held.reason !== null;
  });
  const res = run.res;
  const theta = res.y;
  const counts = { evaluations: field.evaluations, rejections: run.rejections, sliding: sliding?.report ?? null };
  if (held.frozen) return result(mon, point, theta, { ...held.frozen, ...counts });
  const ended = integrationStop(res, held.reason, mon);
  if (ended !== null) return result(mon, point, theta, { ...ended, ...counts, stall: res.stall });
  if (res.status === "done") return result(mon, point, theta, { stop: "maxTime", reason: `reached t = ${fmt(point.t)}`, ...counts, stall: null });
  // A terminal event: the final state is interpolated, evaluate the loss there.
  const g = new Float64Array(p);
  const v = objective.evaluate(theta, g);
  counts.evaluations = field.evaluations + 1;
  setTime(point, clock, run.steps + mon.stepOffset, res.t);
  setState(point, v.loss, v.logLoss, theta, nrm2(g));
  return result(mon, point, theta, { stop: "event", reason: res.reason, ...counts, stall: null });
}

/** Fixed-step RK4 gradient flow under an existing monitor; the last step lands on maxTime. */
export function runFlowRk4(objective: Objective, theta0: Float64Array, opts: GradientFlowOptions, mon: Monitor, clock: PhaseClock): TrainResult {
  const h = opts.h;
  if (h === undefined || !(h > 0)) throw new RangeError("gradientFlow: method rk4 needs a step h > 0");
  const p = objective.dim;
  const field = flowField(objective);
  const y = Float64Array.from(theta0);
  const yt = new Float64Array(p);
  const k1 = new Float64Array(p);
  const k2 = new Float64Array(p);
  const k3 = new Float64Array(p);
  const k4 = new Float64Array(p);
  const point = createPoint();
  const tEnd = localEnd(mon, clock);
  const end = (stop: StopReason, reason: string, stall: StallInfo | null = null): TrainResult =>
    result(mon, point, y, { stop, reason, evaluations: field.evaluations, rejections: 0, stall });
  let t = 0;
  for (let step = 0; ; step++) {
    field.f(t, y, k1);
    setTime(point, clock, step + mon.stepOffset, t);
    setState(point, field.loss, field.logLoss, y, nrm2(k1));
    if (t === tEnd) point.t = mon.maxTime;
    const stop = monitorStep(mon, point, y);
    if (stop !== null) return end(stop, mon.detail);
    const remaining = tEnd - t;
    const hk = remaining < h * (1 + 1e-12) ? remaining : h;
    const half = 0.5 * hk;
    for (let i = 0; i < p; i++) yt[i] = y[i] + half * k1[i];
    field.f(t + half, yt, k2);
    for (let i = 0; i < p; i++) yt[i] = y[i] + half * k2[i];
    field.f(t + half, yt, k3);
    for (let i = 0; i < p; i++) yt[i] = y[i] + hk * k3[i];
    field.f(t + hk, yt, k4);
    const c = hk / 6;
    let changed = false;
    for (let i = 0; i < p; i++) {
      const old = y[i];
      y[i] = old + c * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i]);
      if (y[i] !== old) changed = true;
    }
    if (!changed) {
      // y is the state of `point` (nothing moved): stop there.
      const fz = frozenStop(mon, point, hk, "RK4");
      return end(fz.stop, fz.reason, fz.stall);
    }
    t = hk === remaining ? tEnd : t + hk;
  }
}

/**
 * Plain gradient descent θ ← θ − η∇ℒ(θ) under an existing monitor. Time is t = Σ η (GD is the
 * explicit Euler method of the flow, summed with Kahan compensation); a step that would pass
 * maxTime is not taken; a step that changes no component of θ ends the run (frozen.ts).
 */
export function runGd(objective: Objective, theta0: Float64Array, opts: GradientFlowOptions, mon: Monitor, clock: PhaseClock): TrainResult {
  const lr = opts.lr;
  if (lr === undefined) throw new RangeError("gradientDescent: a learning rate lr is required");
  const p = objective.dim;
  const theta = Float64Array.from(theta0);
  const g = new Float64Array(p);
  const point = createPoint();
  const tEnd = localEnd(mon, clock);
  let t = 0;
  let tComp = 0; // Kahan compensation: t = Σ η stays exact to rounding over 1e6+ steps
  let evaluations = 0;
  const end = (stop: StopReason, reason: string, stall: StallInfo | null = null): TrainResult =>
    result(mon, point, theta, { stop, reason, evaluations, rejections: 0, stall });
  for (let step = 0; ; step++) {
    const v = objective.evaluate(theta, g);
    evaluations++;
    setTime(point, clock, step + mon.stepOffset, t);
    setState(point, v.loss, v.logLoss, theta, nrm2(g));
    const stop = monitorStep(mon, point, theta);
    if (stop !== null) return end(stop, mon.detail);
    const eta = typeof lr === "number" ? lr : lr(step, point);
    if (t + eta > tEnd * (1 + 1e-12) + 1e-300) {
      return end("maxTime", `the next step (η = ${eta}) would pass maxTime = ${mon.maxTime}`);
    }
    if (!stepChanges(theta, g, eta)) {
      const fz = frozenStop(mon, point, eta, "GD");
      return end(fz.stop, fz.reason, fz.stall);
    }
    const dt = eta - tComp;
    const tNew = t + dt;
    tComp = tNew - t - dt;
    t = tNew;
  }
}

/**
 * Gradient flow θ̇ = −∇ℒ(θ), θ(t0) = θ0, on an Objective, until a stopping rule fires.
 * - "dopri5" (default): adaptive Dormand–Prince 5(4) (see integrateDopri5); the loss and
 *   ‖∇ℒ‖ of each accepted point come for free from the FSAL stage (no extra evaluations).
 * - "rk4": classical RK4 with fixed step h (4 evaluations per step, the first also gives the
 *   monitored loss).
 * - "gd": θ_{k+1} = θ_k − η∇ℒ(θ_k), t_{k+1} = t_k + η (the explicit Euler method of the flow).
 * Stopping rules (opts.stop): maxTime (hit exactly by dopri5/rk4), maxSteps, loss level (in log
 * space), gradient norm, parameter norm, wall clock; opts.onStep can stop too. Progress is
 * reported at most every progressIntervalMs (default 100 ms), plus a final report.
 * With no maxTime, maxSteps, loss/gradient/norm level or wall-clock limit the loop runs until
 * the integrator gives up — give at least one.
 *
 * @param objective - the loss ℒ(θ) and its gradient (e.g. from `makeObjective`)
 * @param theta0 - the initial parameters θ(t0) (not modified; length objective.dim)
 * @param opts - method ("dopri5", "rk4", "gd"), tolerances or step, stopping rules, progress callback, trajectory
 * @returns the stop reason, final time, θ, ℒ, log ℒ, ‖∇ℒ‖, log ‖θ‖, steps and evaluations
 * @example
 * ```ts
 * import { gradientFlow, initializeModel, makeActivation, makeBuiltin, makeObjective, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("tanh") });
 * const objective = makeObjective(arch, data, "logistic", { mean: true });
 * const run = gradientFlow(objective, initializeModel(arch, { seed: 2 }).theta, { rtol: 1e-8, atol: 1e-10, stop: { maxTime: 100 } });
 * console.log(run.stop, run.t, run.loss);
 * ```
 */
export function gradientFlow(objective: Objective, theta0: Float64Array, opts: GradientFlowOptions = {}): TrainResult {
  if (theta0.length !== objective.dim) {
    throw new RangeError(`gradientFlow: θ0 has length ${theta0.length}, the objective dimension ${objective.dim}`);
  }
  const method = opts.method ?? "dopri5";
  const mon = createMonitor(opts, method);
  const clock = startClock(opts.t0 ?? 0);
  if (method === "dopri5") return runFlowDopri5(objective, theta0, opts, mon, clock);
  if (method === "rk4") return runFlowRk4(objective, theta0, opts, mon, clock);
  return runGd(objective, theta0, opts, mon, clock);
}

/**
 * Plain gradient descent θ_{k+1} = θ_k − η_k ∇ℒ(θ_k) (η constant or a schedule), with the
 * stopping rules, progress and recording of `gradientFlow` (t = Σ η_k). After k steps on
 * ℒ = ½ θᵀAθ, θ_k = (I − ηA)^k θ_0.
 *
 * @param objective - the loss ℒ(θ) and its gradient (e.g. from `makeObjective`)
 * @param theta0 - the initial parameters θ₀ (not modified)
 * @param opts - the learning rate `lr` (a number or a schedule), stopping rules, progress callback, trajectory
 * @returns the stop reason, time t = Σ η_k, θ, ℒ, ‖∇ℒ‖, steps and evaluations
 * @example
 * ```ts
 * import { gradientDescent, initializeModel, makeActivation, makeBuiltin, makeObjective, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.01) });
 * const objective = makeObjective(arch, data, "exponential", { mean: true });
 * const run = gradientDescent(objective, initializeModel(arch, { seed: 2 }).theta, { lr: 0.1, stop: { maxSteps: 2000 } });
 * console.log(run.steps, run.logLoss);
 * ```
 */
export function gradientDescent(
  objective: Objective,
  theta0: Float64Array,
  opts: Omit<GradientFlowOptions, "method"> & { lr: GradientFlowOptions["lr"] },
): TrainResult {
  return gradientFlow(objective, theta0, { ...opts, method: "gd" });
}
