// Trajectory recording with thinning: keep samples roughly log-spaced in time, loss and norm,
// under a cap, without allocating per step.

/** One point of a training run, as the loops report it (a reused, mutable record). */
export interface TrajectoryPoint {
  /** Accepted steps so far. */
  step: number;
  /** Flow time t (Σ η for GD-type methods; may be +∞ when only logT is representable). */
  t: number;
  /** log t (−∞ at t = 0); the loss-based step and the small-initialisation phase keep it exactly. */
  logT: number;
  loss: number;
  logLoss: number;
  /** log ‖θ‖ (= s for θ = e^s·u with ‖u‖ = 1). */
  logNorm: number;
  /** ‖∇ℒ(θ)‖ (may underflow to 0 at tiny scales; the flow itself never forms it there). */
  gradNorm: number;
  /**
   * Index of the phase of a multi-phase run (small initialisation: 0 rescaled, 1 plain; else 0)
   * and the time variable of that phase measured from its start (τ in a reparametrised phase;
   * t − t_switch after a switch, which t itself may not resolve when t_switch ≈ δ^{−(L−2)} is huge).
   */
  phase: number;
  tPhase: number;
}

/** A fresh point with every field NaN except step 0. */
export function createPoint(): TrajectoryPoint {
  return { step: 0, t: NaN, logT: NaN, loss: NaN, logLoss: NaN, logNorm: NaN, gradNorm: NaN, phase: 0, tPhase: NaN };
}

/** User metrics computed from θ at every recorded sample (not per step). */
export interface TrajectoryMetrics {
  readonly names: readonly string[];
  /**
   * Write one value per name into `out`. The parameters are θ = e^{logScale}·theta: logScale is 0
   * in plain phases and s in the rescaled small-initialisation phase (theta then has norm ≈ 1).
   */
  compute(theta: Float64Array, logScale: number, out: Float64Array, point: Readonly<TrajectoryPoint>): void;
}

export interface TrajectoryOptions {
  /** Cap on stored samples (≥ 4, default 2048); when full, every other sample is dropped. */
  maxSamples?: number;
  /** Record when |Δ log t| since the last sample reaches this (default 0.02: ≈ 115 per decade). */
  dLogT?: number;
  /** Record when |Δ log ℒ| reaches this (default 0.05). */
  dLogLoss?: number;
  /** Record when |Δ log ‖θ‖| reaches this (default 0.5). */
  dLogNorm?: number;
  metrics?: TrajectoryMetrics;
}

/**
 * Recorded samples, column-wise, plus the thinning state. Plain data: the loops append through
 * `offerSample`/`recordSample`; `trajectoryColumns` exports a JSON-friendly copy.
 * Thinning rule: a sample is kept when it is the first, or when log t, log ℒ or log ‖θ‖ moved by
 * at least dLogT, dLogLoss, dLogNorm since the last kept sample, or when forced (the last point
 * of a run, a phase switch). When the buffer is full, the samples at odd positions are dropped
 * (the first stays) and the three thresholds double, so the spacing stays uniform in the log
 * scales over the whole run.
 */
export interface Trajectory {
  readonly capacity: number;
  count: number;
  step: Float64Array;
  t: Float64Array;
  logT: Float64Array;
  loss: Float64Array;
  logLoss: Float64Array;
  logNorm: Float64Array;
  gradNorm: Float64Array;
  phase: Float64Array;
  tPhase: Float64Array;
  readonly metricNames: readonly string[];
  /** count × metricNames.length, row-major. */
  metricValues: Float64Array;
  readonly metrics: TrajectoryMetrics | null;
  dLogT: number;
  dLogLoss: number;
  dLogNorm: number;
  /** How many times the buffer was halved. */
  decimations: number;
}

/**
 * An empty trajectory with preallocated columns.
 *
 * Pass it as `trajectory` in the options of a training loop; read it with `trajectoryColumns`.
 *
 * @param opts - capacity (maxSamples), the thinning thresholds in log t, log ℒ, log ‖θ‖, and user metrics
 * @returns the empty trajectory (count 0)
 * @example
 * ```ts
 * import { createTrajectory, gradientFlow, initializeModel, makeActivation, makeBuiltin, makeObjective, trajectoryColumns, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("tanh") });
 * const trajectory = createTrajectory({ maxSamples: 200 });
 * gradientFlow(makeObjective(arch, data, "logistic", { mean: true }), initializeModel(arch, { seed: 2 }).theta, { stop: { maxTime: 50 }, trajectory });
 * console.log(trajectoryColumns(trajectory).logLoss);
 * ```
 */
export function createTrajectory(opts: TrajectoryOptions = {}): Trajectory {
  const capacity = Math.max(4, Math.floor(opts.maxSamples ?? 2048));
  const metrics = opts.metrics ?? null;
  const m = metrics ? metrics.names.length : 0;
  const col = () => new Float64Array(capacity);
  return {
    capacity,
    count: 0,
    step: col(), t: col(), logT: col(), loss: col(), logLoss: col(), logNorm: col(), gradNorm: col(),
    phase: col(), tPhase: col(),
    metricNames: metrics ? [...metrics.names] : [],
    metricValues: new Float64Array(capacity * m),
    metrics,
    dLogT: opts.dLogT ?? 0.02,
    dLogLoss: opts.dLogLoss ?? 0.05,
    dLogNorm: opts.dLogNorm ?? 0.5,
    decimations: 0,
  };
}

function moved(a: number, b: number, d: number): boolean {
  if (a === b) return false;
  // −∞ → finite (the first step after t = 0) counts as a move; NaN never does.
  const diff = Math.abs(a - b);
  return diff >= d;
}

/** Would `point` be recorded (thresholds only)? */
export function wantsSample(tr: Trajectory, point: Readonly<TrajectoryPoint>): boolean {
  const k = tr.count - 1;
  if (k < 0) return true;
  return (
    moved(point.logT, tr.logT[k], tr.dLogT) ||
    moved(point.logLoss, tr.logLoss[k], tr.dLogLoss) ||
    moved(point.logNorm, tr.logNorm[k], tr.dLogNorm)
  );
}

function decimate(tr: Trajectory): void {
  const m = tr.metricNames.length;
  let j = 0;
  for (let i = 0; i < tr.count; i += 2, j++) {
    tr.step[j] = tr.step[i];
    tr.t[j] = tr.t[i];
    tr.logT[j] = tr.logT[i];
    tr.loss[j] = tr.loss[i];
    tr.logLoss[j] = tr.logLoss[i];
    tr.logNorm[j] = tr.logNorm[i];
    tr.gradNorm[j] = tr.gradNorm[i];
    tr.phase[j] = tr.phase[i];
    tr.tPhase[j] = tr.tPhase[i];
    for (let c = 0; c < m; c++) tr.metricValues[j * m + c] = tr.metricValues[i * m + c];
  }
  tr.count = j;
  tr.dLogT *= 2;
  tr.dLogLoss *= 2;
  tr.dLogNorm *= 2;
  tr.decimations++;
}

/**
 * Append `point` unconditionally (halving the buffer first if it is full), computing the user
 * metrics from θ = e^{logScale}·theta. Skips an exact duplicate of the last sample (same step
 * and t). Returns true if a sample was added.
 */
export function recordSample(tr: Trajectory, point: Readonly<TrajectoryPoint>, theta: Float64Array, logScale = 0): boolean {
  const k = tr.count - 1;
  if (k >= 0 && tr.step[k] === point.step && tr.tPhase[k] === point.tPhase && tr.phase[k] === point.phase) return false;
  if (tr.count >= tr.capacity) decimate(tr);
  const i = tr.count;
  tr.step[i] = point.step;
  tr.t[i] = point.t;
  tr.logT[i] = point.logT;
  tr.loss[i] = point.loss;
  tr.logLoss[i] = point.logLoss;
  tr.logNorm[i] = point.logNorm;
  tr.gradNorm[i] = point.gradNorm;
  tr.phase[i] = point.phase;
  tr.tPhase[i] = point.tPhase;
  const m = tr.metricNames.length;
  if (tr.metrics && m > 0) tr.metrics.compute(theta, logScale, tr.metricValues.subarray(i * m, (i + 1) * m), point);
  tr.count = i + 1;
  return true;
}

/** Record `point` if the thinning rule asks for it; returns true if recorded. */
export function offerSample(tr: Trajectory, point: Readonly<TrajectoryPoint>, theta: Float64Array, logScale = 0): boolean {
  if (!wantsSample(tr, point)) return false;
  return recordSample(tr, point, theta, logScale);
}

/** JSON-friendly copy of the recorded samples (norm = e^{logNorm}, which may underflow to 0). */
export interface TrajectoryColumns {
  step: number[];
  t: number[];
  logT: number[];
  loss: number[];
  logLoss: number[];
  norm: number[];
  logNorm: number[];
  gradNorm: number[];
  phase: number[];
  tPhase: number[];
  metrics: Record<string, number[]>;
}

/**
 * The recorded samples of `tr` as plain arrays, one per column (step, t, log t, ℒ, log ℒ, ‖θ‖,
 * log ‖θ‖, ‖∇ℒ‖, phase, phase time) plus one array per user metric: a JSON-friendly copy.
 *
 * @param tr - a trajectory filled by a training loop
 * @returns the columns, each of length `tr.count`
 * @example
 * ```ts
 * import { createTrajectory, gradientDescent, initializeModel, makeActivation, makeBuiltin, makeObjective, trajectoryColumns, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") });
 * const trajectory = createTrajectory();
 * gradientDescent(makeObjective(arch, data, "exponential", { mean: true }), initializeModel(arch, { seed: 1 }).theta, { lr: 0.1, stop: { maxSteps: 500 }, trajectory });
 * const cols = trajectoryColumns(trajectory);
 * console.log(cols.step.length, cols.loss.at(-1));
 * ```
 */
export function trajectoryColumns(tr: Trajectory): TrajectoryColumns {
  const n = tr.count;
  const take = (a: Float64Array) => Array.from(a.subarray(0, n));
  const m = tr.metricNames.length;
  const metrics: Record<string, number[]> = {};
  tr.metricNames.forEach((name, c) => {
    const col: number[] = new Array(n);
    for (let i = 0; i < n; i++) col[i] = tr.metricValues[i * m + c];
    metrics[name] = col;
  });
  return {
    step: take(tr.step),
    t: take(tr.t),
    logT: take(tr.logT),
    loss: take(tr.loss),
    logLoss: take(tr.logLoss),
    norm: take(tr.logNorm).map(Math.exp),
    logNorm: take(tr.logNorm),
    gradNorm: take(tr.gradNorm),
    phase: take(tr.phase),
    tPhase: take(tr.tPhase),
    metrics,
  };
}
