// One training run of a model on a dataset by one of the dynamics/ methods: the library side of
// `splitscape train` (no I/O here; the command writes the run folder).

import type { Dataset } from "../data/index.js";
import {
  createTrajectory, gradientFlow, lossBasedGradientDescent, sgd, smallInitFlow, trajectoryColumns, twoLayerSlidingField,
  type LossBasedStepOptions, type LoopOptions, type Progress, type StopRules, type TrainResult, type TrajectoryColumns, type TrajectoryMetrics,
} from "../dynamics/index.js";
import { nrm2 } from "../linalg/index.js";
import { marginLogGradient, sharpnessCap } from "../margin/index.js";
import {
  homogeneityOrder, isMarginLoss, makeObjective, minMargin, type LossName, type Model,
} from "../model/index.js";

export const TRAIN_METHODS = ["flow", "rk4", "gd", "sgd", "loss-based"] as const;
export type TrainMethod = (typeof TRAIN_METHODS)[number];

/**
 * Below this initial norm, gradient flow of a homogeneous model runs the rescaled
 * small-initialisation system θ = e^s·u (dynamics/smallInitFlow) until ‖θ‖ reaches 1e-3, so
 * that outputs of order ‖θ‖^L never underflow (docs/science/small-init.md §6.1).
 */
export const SMALL_INIT_NORM = 1e-6;

export interface TrainSettings {
  method: TrainMethod;
  loss: LossName;
  mean: boolean;
  /** Step size for gd / sgd, base step α₀ for loss-based. */
  lr: number;
  /** Fixed step for rk4. */
  h: number;
  /** DOPRI5 tolerances for flow. */
  rtol: number;
  atol: number;
  /** SGD batch size and the seed of its batch order. */
  batchSize: number;
  batchSeed: number;
  stop: StopRules;
  /** Cap on stored trajectory samples. */
  maxSamples: number;
}

export interface TrainOutcome {
  /** Which integrator actually ran ("small-init" when flow switched to the rescaled system). */
  integrator: string;
  final: Model;
  result: TrainResult;
  trajectory: TrajectoryColumns;
  /** Homogeneity order L of the model, or null. */
  homogeneity: number | null;
  /** Small-initialisation runs: time at which ‖θ‖ reached the switch level. */
  tSwitch?: number;
  /** How the method was run (e.g. the loss-based step rule), for result.json. */
  integration: Record<string, unknown>;
}

/** Safeguards of the loss-based step on homogeneous nets (see lossBasedGradientDescent). */
export const LOSS_BASED_MAX_STEP_RATIO = 0.1;
export const LOSS_BASED_MAX_LOG_LOSS_DROP = 10;

/**
 * Metrics recorded with each trajectory sample: for margin losses the minimum margin
 * q_min = min_k y_k f(x_k) and, for L-homogeneous models, the normalised margin
 * γ̄ = q_min/‖θ‖^L (docs/science/embedding.md §1.2).
 */
function marginMetrics(model: Model, ds: Dataset, L: number | null): TrajectoryMetrics {
  const names = L === null ? ["qmin"] : ["qmin", "normalizedMargin"];
  const probe: Model = { arch: model.arch, theta: new Float64Array(model.theta.length) };
  return {
    names,
    compute(theta, logScale, out) {
      const f = Math.exp(logScale);
      for (let i = 0; i < theta.length; i++) probe.theta[i] = theta[i] * f;
      const q = minMargin(probe, ds);
      out[0] = q;
      if (L !== null) out[1] = q / Math.pow(nrm2(probe.theta), L);
    },
  };
}

/** Callbacks of trainModel. */
export interface TrainHooks {
  /** Throttled progress reports (see dynamics' LoopOptions). */
  onProgress?: (p: Progress) => void;
  /**
   * Asked at every accepted step; true stops the run there (reason "callback"), keeping the
   * trajectory and θ so far. The CLI's Ctrl-C handling reads a shared flag here.
   */
  shouldStop?: () => boolean;
}

/**
 * Train `model` on `ds` with the settings; progress goes to `hooks.onProgress` (throttled).
 *
 * @param model - the starting network (not modified)
 * @param ds - the training data
 * @param s - method (flow, rk4, gd, sgd, loss-based), loss, step settings and stopping rules
 * @param hooks - progress callback, or `{ onProgress, signal, … }`
 * @returns the trained model (`final`), the run's `result` (stop reason, steps, loss, ‖∇ℒ‖, …) and its trajectory
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, trainModel, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.01) }), { seed: 2 });
 * const { final, result } = trainModel(net, data, {
 *   method: "gd", loss: "exponential", mean: true, lr: 0.1, h: 0.1, rtol: 1e-8, atol: 1e-10,
 *   batchSize: 40, batchSeed: 0, stop: { maxSteps: 2000 }, maxSamples: 100,
 * });
 * console.log(result.stop, result.logLoss, final.theta.length);
 * ```
 */
export function trainModel(model: Model, ds: Dataset, s: TrainSettings, hooks: TrainHooks | ((p: Progress) => void) = {}): TrainOutcome {
  const { onProgress, shouldStop } = typeof hooks === "function" ? { onProgress: hooks, shouldStop: undefined } : hooks;
  const objective = makeObjective(model.arch, ds, s.loss, { mean: s.mean });
  const L = homogeneityOrder(model.arch);
  const trajectory = createTrajectory({
    maxSamples: s.maxSamples,
    metrics: isMarginLoss(s.loss) ? marginMetrics(model, ds, L) : undefined,
  });
  const loop: LoopOptions = { stop: s.stop, trajectory, onProgress, ...(shouldStop ? { onStep: () => shouldStop() } : {}) };
  const theta0 = model.theta.slice();
  const norm0 = nrm2(theta0);
  let result: TrainResult;
  let integrator: string = s.method;
  let tSwitch: number | undefined;
  let integration: Record<string, unknown> = {};
  switch (s.method) {
    case "flow": {
      // two-layer ReLU / leaky ReLU: integrate sliding along kinks (Filippov, dynamics/sliding.ts)
      const sliding = model.arch.kind === "two-layer" ? twoLayerSlidingField(model.arch, ds, s.loss, { mean: s.mean }) : null;
      if (L !== null && norm0 > 0 && norm0 < SMALL_INIT_NORM) {
        const u = theta0.map((v) => v / norm0);
        const r = smallInitFlow(objective, u, { ...loop, logDelta: Math.log(norm0), rtol: s.rtol, atol: s.atol, sliding });
        integrator = "small-init";
        tSwitch = r.tSwitch;
        result = r;
      } else {
        result = gradientFlow(objective, theta0, { ...loop, method: "dopri5", rtol: s.rtol, atol: s.atol, sliding });
        integrator = "dopri5";
      }
      integration = {
        kinks: sliding === null
          ? "none handled (smooth activation, or not a two-layer net: DOPRI5 steps across kinks and reports a stall if it chatters)"
          : "Filippov sliding: crossings of a ReLU kink w_jᵀx_i = 0 are located on the dense output; where both sides push into the kink the flow continues on the sliding field (event-located switch)",
        sliding: result.sliding ?? null,
      };
      break;
    }
    case "rk4":
      result = gradientFlow(objective, theta0, { ...loop, method: "rk4", h: s.h });
      break;
    case "gd":
      result = gradientFlow(objective, theta0, { ...loop, method: "gd", lr: s.lr });
      break;
    case "sgd":
      result = sgd(objective, theta0, { ...loop, lr: s.lr, batchSize: s.batchSize, seed: s.batchSeed });
      break;
    case "loss-based": {
      const run = lossBased(model, ds, s, L);
      result = lossBasedGradientDescent(objective, theta0, { ...loop, ...run.options });
      integration = run.describe();
      break;
    }
  }
  return {
    integrator,
    final: { arch: model.arch, theta: result.theta },
    result,
    trajectory: trajectoryColumns(trajectory),
    homogeneity: L,
    tSwitch,
    integration,
  };
}

/**
 * Options of the loss-based step for `train`. Margin losses work in log space (θ' = θ − α∇log ℒ:
 * Lyu & Li's η = α/ℒ without forming ℒ, which underflows past margins ≈ 745 and would freeze θ);
 * homogeneous nets add the step caps that keep the iteration stable as ‖θ‖ grows: α ≤
 * κ/λ_max(∇²log ℒ) with the sharpness measured now and then (margin.sharpnessCap, κ = 1), a
 * step ≤ 0.1‖θ‖, and a drop of log ℒ ≤ 10 per step. The square loss keeps the linear-scale step.
 */
function lossBased(model: Model, ds: Dataset, s: TrainSettings, L: number | null): {
  options: LossBasedStepOptions; describe: () => Record<string, unknown>;
} {
  if (!isMarginLoss(s.loss)) {
    return { options: { alpha0: s.lr }, describe: () => ({ stepRule: "loss-based step η = α/ℒ on ∇ℒ (linear scale)" }) };
  }
  const logGradient = marginLogGradient(model.arch, ds, s.loss as Exclude<LossName, "square">, { mean: s.mean });
  if (L === null) {
    return { options: { alpha0: s.lr, logGradient }, describe: () => ({ stepRule: "loss-based step in log space: θ' = θ − α∇log ℒ (η = α/ℒ)" }) };
  }
  const cap = sharpnessCap(logGradient, L);
  return {
    options: {
      alpha0: s.lr, logGradient, alphaCap: cap, maxStepRatio: LOSS_BASED_MAX_STEP_RATIO, maxLogLossDecrease: LOSS_BASED_MAX_LOG_LOSS_DROP,
    },
    describe: () => ({
      stepRule: `loss-based step in log space: θ' = θ − α∇log ℒ (η = α/ℒ), α ≤ κ/λ_max(∇²log ℒ) with κ = ${cap.kappa} ` +
        `(sharpness re-measured as ‖θ‖ doubles), step ≤ ${LOSS_BASED_MAX_STEP_RATIO}‖θ‖, log ℒ drop ≤ ${LOSS_BASED_MAX_LOG_LOSS_DROP} per step`,
      sharpnessCalibrations: cap.calibrations.map((c) => ({ norm: c.norm, sharpness: c.sharpness, scaled: c.scaled })),
    }),
  };
}
