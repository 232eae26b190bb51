// Stopping rules, throttled progress reports and trajectory recording shared by the training
// loops (gradient flow, GD, SGD, loss-based step, small initialisation).

import type { SlidingReport } from "./sliding.js";
import type { IntegrationStatus, StallInfo } from "./types.js";
import { offerSample, recordSample, type Trajectory, type TrajectoryPoint } from "./trajectory.js";

/**
 * When to stop a training loop; every rule is optional and the first one met wins. Rules are
 * checked at accepted points (after each accepted step of an adaptive integrator), except
 * maxTime, which DOPRI5 and RK4 hit exactly (the last step is shortened).
 */
export interface StopRules {
  /** Flow time t ≥ maxTime (GD-type loops stop before a step that would pass it). */
  maxTime?: number;
  /** log t ≥ maxLogTime (for runs whose time overflows, e.g. the loss-based step). */
  maxLogTime?: number;
  /** Accepted steps ≥ maxSteps. */
  maxSteps?: number;
  /** ℒ ≤ lossBelow, compared as log ℒ ≤ log(lossBelow), so 1e-300 works. */
  lossBelow?: number;
  /** log ℒ ≤ logLossBelow (levels below 1e-308). */
  logLossBelow?: number;
  /** ‖∇ℒ(θ)‖ ≤ gradNormBelow. */
  gradNormBelow?: number;
  /** ‖θ‖ ≥ normAbove, compared as log ‖θ‖ ≥ log(normAbove). */
  normAbove?: number;
  /** log ‖θ‖ ≥ logNormAbove. */
  logNormAbove?: number;
  /** Wall-clock budget in milliseconds. */
  maxWallMs?: number;
}

/**
 * Why a training loop ended. "fixedPoint": a step left θ bitwise unchanged although ℒ is
 * representable — ∇ℒ = 0 exactly, or the update is below half an ulp of every component — so θ
 * is a fixed point of the float64 iteration (dynamics/frozen.ts). "stalled": the integrator gave
 * up, or θ froze because ℒ and ∇ℒ underflowed (StallInfo.cause "underflow").
 */
export type StopReason =
  | "maxTime"
  | "maxSteps"
  | "loss"
  | "gradNorm"
  | "norm"
  | "wallClock"
  | "callback"
  | "event"
  | "stalled"
  | "fixedPoint"
  | "nonFinite";

/** What the progress callback receives (one reused object: copy what you keep). */
export interface Progress {
  readonly step: number;
  readonly t: number;
  readonly logT: number;
  readonly loss: number;
  readonly logLoss: number;
  readonly logNorm: number;
  readonly gradNorm: number;
  readonly elapsedMs: number;
  /** Estimated completion in [0, 1]: the furthest-advanced of the finite stopping rules (NaN if none). */
  readonly fraction: number;
  /** A label of the current phase ("dopri5", "gd", "rescaled", …). */
  readonly phase: string;
  /** True for the one report made when the loop ends. */
  readonly final: boolean;
}

/** Options every training loop accepts. */
export interface LoopOptions {
  stop?: StopRules;
  /** Called at most once per progressIntervalMs while running, plus once at the end (final = true). */
  onProgress?: (p: Progress) => void;
  /** Minimum interval between progress reports (default 100 ms). */
  progressIntervalMs?: number;
  /** Where to record thinned samples (see createTrajectory). */
  trajectory?: Trajectory;
  /**
   * Called at every accepted point (the last one included) with the point and
   * θ = e^{logScale}·theta (logScale ≠ 0 only in the rescaled small-initialisation phase);
   * return true to stop (reason "callback"). Read only; copy what you keep.
   */
  onStep?: (point: Readonly<TrajectoryPoint>, theta: Float64Array, logScale: number) => boolean | void;
  /** Clock in milliseconds (default performance.now); injectable for tests. */
  now?: () => number;
}

/** Common result of the training loops. */
export interface TrainResult {
  stop: StopReason;
  reason: string;
  t: number;
  logT: number;
  theta: Float64Array;
  loss: number;
  logLoss: number;
  gradNorm: number;
  logNorm: number;
  steps: number;
  evaluations: number;
  /** Rejected attempts (adaptive steps, or rolled-back loss-based steps). */
  rejections: number;
  stall: StallInfo | null;
  trajectory: Trajectory | null;
  elapsedMs: number;
  /** DOPRI5 flows given a Filippov field: what was done about sliding along kinks. */
  sliding?: SlidingReport;
}

/** Resolved rules and running state of one loop (shared across phases of a run). */
export interface Monitor {
  readonly opts: LoopOptions;
  readonly maxTime: number;
  readonly maxLogTime: number;
  readonly maxSteps: number;
  readonly logLossTarget: number;
  readonly gradNormTarget: number;
  readonly logNormMax: number;
  readonly maxWallMs: number;
  readonly now: () => number;
  readonly start: number;
  lastProgress: number;
  logLoss0: number;
  phase: string;
  /** Added to loop-local step counts (for runs made of phases). */
  stepOffset: number;
  progress: {
    step: number; t: number; logT: number; loss: number; logLoss: number; logNorm: number;
    gradNorm: number; elapsedMs: number; fraction: number; phase: string; final: boolean;
  };
  /** Human-readable detail of the last rule that fired. */
  detail: string;
}

const defaultNow = (): number => performance.now();

/** Resolve the rules of `opts` into a monitor. */
export function createMonitor(opts: LoopOptions, phase: string): Monitor {
  const s = opts.stop ?? {};
  const now = opts.now ?? defaultNow;
  const logLossTarget = Math.max(
    s.logLossBelow ?? -Infinity,
    s.lossBelow !== undefined ? Math.log(s.lossBelow) : -Infinity,
  );
  const logNormMax = Math.min(
    s.logNormAbove ?? Infinity,
    s.normAbove !== undefined ? Math.log(s.normAbove) : Infinity,
  );
  const start = now();
  return {
    opts,
    maxTime: s.maxTime ?? Infinity,
    maxLogTime: s.maxLogTime ?? Infinity,
    maxSteps: s.maxSteps ?? Infinity,
    logLossTarget,
    gradNormTarget: s.gradNormBelow ?? -Infinity,
    logNormMax,
    maxWallMs: s.maxWallMs ?? Infinity,
    now,
    start,
    lastProgress: start,
    logLoss0: NaN,
    phase,
    stepOffset: 0,
    progress: {
      step: 0, t: 0, logT: -Infinity, loss: NaN, logLoss: NaN, logNorm: NaN, gradNorm: NaN,
      elapsedMs: 0, fraction: NaN, phase, final: false,
    },
    detail: "",
  };
}

/** The stopping rule met at `point`, or null. Sets mon.detail. */
export function checkStop(mon: Monitor, point: Readonly<TrajectoryPoint>, elapsedMs: number): StopReason | null {
  if (!Number.isFinite(point.logLoss) && !(point.logLoss === -Infinity)) {
    mon.detail = `non-finite loss (log ℒ = ${point.logLoss}) at t = ${point.t}`;
    return "nonFinite";
  }
  if (Number.isNaN(point.gradNorm) || Number.isNaN(point.logNorm)) {
    mon.detail = `non-finite gradient or parameters at t = ${point.t}`;
    return "nonFinite";
  }
  if (point.logLoss <= mon.logLossTarget) {
    mon.detail = `loss reached the level: log ℒ = ${point.logLoss} ≤ ${mon.logLossTarget}`;
    return "loss";
  }
  if (point.gradNorm <= mon.gradNormTarget) {
    mon.detail = `gradient norm ${point.gradNorm} ≤ ${mon.gradNormTarget}`;
    return "gradNorm";
  }
  if (point.logNorm >= mon.logNormMax) {
    mon.detail = `parameter norm reached the level: log ‖θ‖ = ${point.logNorm} ≥ ${mon.logNormMax}`;
    return "norm";
  }
  // t may overflow to +∞ in log-time runs (the loss-based step reaches log t ≈ 1e3): without a
  // finite limit only maxLogTime can fire.
  if ((mon.maxTime < Infinity && point.t >= mon.maxTime) || point.logT >= mon.maxLogTime) {
    mon.detail = `reached the time limit at t = ${point.t} (log t = ${point.logT})`;
    return "maxTime";
  }
  if (point.step >= mon.maxSteps) {
    mon.detail = `took ${point.step} steps (the cap)`;
    return "maxSteps";
  }
  if (elapsedMs >= mon.maxWallMs) {
    mon.detail = `wall-clock budget of ${mon.maxWallMs} ms used up at t = ${point.t}`;
    return "wallClock";
  }
  return null;
}

function fillProgress(mon: Monitor, point: Readonly<TrajectoryPoint>, elapsedMs: number, final: boolean): void {
  const p = mon.progress;
  p.step = point.step;
  p.t = point.t;
  p.logT = point.logT;
  p.loss = point.loss;
  p.logLoss = point.logLoss;
  p.logNorm = point.logNorm;
  p.gradNorm = point.gradNorm;
  p.elapsedMs = elapsedMs;
  p.phase = mon.phase;
  p.final = final;
  let frac = NaN;
  const take = (x: number) => {
    if (Number.isFinite(x)) frac = Number.isNaN(frac) ? x : Math.max(frac, x);
  };
  if (Number.isFinite(mon.maxTime) && mon.maxTime > 0) take(point.t / mon.maxTime);
  if (Number.isFinite(mon.maxLogTime) && Number.isFinite(point.logT) && mon.maxLogTime > 0) take(point.logT / mon.maxLogTime);
  if (Number.isFinite(mon.maxSteps)) take(point.step / mon.maxSteps);
  if (Number.isFinite(mon.maxWallMs)) take(elapsedMs / mon.maxWallMs);
  if (Number.isFinite(mon.logLossTarget) && Number.isFinite(mon.logLoss0) && mon.logLoss0 > mon.logLossTarget) {
    take((mon.logLoss0 - point.logLoss) / (mon.logLoss0 - mon.logLossTarget));
  }
  p.fraction = Number.isNaN(frac) ? NaN : Math.min(1, Math.max(0, frac));
}

/**
 * The per-point work of a loop: offer the point to the trajectory, report progress when the
 * interval has passed, check the stopping rules and the user's onStep. Returns the reason to
 * stop, or null. No allocation unless a sample is recorded.
 */
export function monitorStep(mon: Monitor, point: Readonly<TrajectoryPoint>, theta: Float64Array, logScale = 0): StopReason | null {
  if (Number.isNaN(mon.logLoss0)) mon.logLoss0 = point.logLoss;
  const tr = mon.opts.trajectory;
  if (tr) offerSample(tr, point, theta, logScale);
  const onProgress = mon.opts.onProgress;
  // Read the clock only when something needs it.
  const now = onProgress || mon.maxWallMs !== Infinity ? mon.now() : mon.start;
  const elapsed = now - mon.start;
  if (onProgress && now - mon.lastProgress >= (mon.opts.progressIntervalMs ?? 100)) {
    mon.lastProgress = now;
    fillProgress(mon, point, elapsed, false);
    onProgress(mon.progress);
  }
  const reason = checkStop(mon, point, elapsed);
  // onStep sees every accepted point, the last one included.
  const asked = mon.opts.onStep ? mon.opts.onStep(point, theta, logScale) === true : false;
  if (reason !== null) return reason;
  if (asked) {
    mon.detail = `stopped by onStep at t = ${point.t}`;
    return "callback";
  }
  return null;
}

/** End of a loop: record the last point (forced) and make the final progress report. */
export function monitorEnd(mon: Monitor, point: Readonly<TrajectoryPoint>, theta: Float64Array, logScale = 0): number {
  const tr = mon.opts.trajectory;
  if (tr) recordSample(tr, point, theta, logScale);
  const elapsed = mon.now() - mon.start;
  if (mon.opts.onProgress) {
    fillProgress(mon, point, elapsed, true);
    mon.opts.onProgress(mon.progress);
  }
  return elapsed;
}

/** log(e^a + e^b) without overflow (a, b may be −∞). */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * The stop reason of a loop driven by an adaptive integration that ended with `status` for the
 * statuses every loop treats alike: "stopped" (a monitor rule or callback, `held` says which),
 * "maxSteps", and "stalled" (a non-finite value is reported as "nonFinite"). Returns null for
 * "done" and "event", whose meaning depends on the loop.
 */
export function integrationStop(
  res: { status: IntegrationStatus; reason: string; stall: StallInfo | null }, held: StopReason | null, mon: Monitor,
): { stop: StopReason; reason: string } | null {
  switch (res.status) {
    case "stopped":
      return { stop: held ?? "callback", reason: mon.detail };
    case "maxSteps":
      return { stop: "maxSteps", reason: res.reason };
    case "stalled":
      return { stop: res.stall?.cause === "nonFinite" ? "nonFinite" : "stalled", reason: res.reason };
    default:
      return null;
  }
}
