/**
 * A step-size cap for the loss-based step in log space, calibrated on the measured sharpness
 * (the `alphaCap` option of dynamics.lossBasedGradientDescent).
 *
 * GD on log ℒ with step α, θ' = θ − α∇log ℒ(θ), is stable while α·λ_max(∇²log ℒ(θ)) < 2 (a
 * quadratic model: the error along the top eigenvector is multiplied by 1 − αλ each step). For an
 * L-homogeneous net the sharpness grows like λ_max(θ) ≈ C·‖θ‖^{2L−2} (derivation in the doc
 * comment of lossBasedGradientDescent), but the constant C depends on the data and on the
 * direction θ/‖θ‖: on margin-kkt-embedding's blobs it is 0.54 for one seed and 1.18 for another,
 * so a cap α_max·(ρ/‖θ‖)^{2L−2} with a fixed α_max·ρ^{2L−2} tuned on one data set can sit past
 * the edge (α·λ = 2.36) on the next. This cap measures C instead:
 *   α ≤ κ / (Ĉ·‖θ‖^{2L−2}),   Ĉ = |λ_max(∇²log ℒ(θ_c))| / ‖θ_c‖^{2L−2},
 * with λ_max by power iteration on finite-difference Hessian–vector products (logLossSharpness)
 * at the calibration point θ_c, re-measured whenever ‖θ‖ has moved by the factor `recalibrate`
 * from ‖θ_c‖. κ = 1 (default) puts αλ in the middle of the stable window (0, 2), where the stiff
 * mode is damped fastest. Cost: 2·iterations gradients per calibration, about log₂(‖θ‖_end/‖θ₀‖)
 * calibrations per run.
 */
import type { LossValue } from "../model/index.js";
import { logLossSharpness } from "./sharpness.js";

export interface SharpnessCapOptions {
  /** Target α·λ_max (default 1; the iteration is stable below 2). */
  readonly kappa?: number;
  /** Re-measure when ‖θ‖ leaves [‖θ_c‖/f, f·‖θ_c‖] (default f = 2). */
  readonly recalibrate?: number;
  /** Power iterations per measurement (default 60). */
  readonly iterations?: number;
  /**
   * Use these measurements, in order, instead of measuring (a run that must make the same
   * decisions as the run that recorded them, e.g. the wide net trained from Tθ₀ — its own power
   * iteration would differ by rounding, and its α with it). Measures again once they run out.
   */
  readonly replay?: readonly SharpnessCalibration[];
}

/** One measurement of the cap: at ‖θ‖ = norm, λ_max and Ĉ = |λ_max|/‖θ‖^{2L−2}. */
export interface SharpnessCalibration {
  readonly norm: number;
  readonly sharpness: number;
  readonly scaled: number;
}

/** The cap as a function of (θ, log ‖θ‖), with its measurements so far. */
export interface SharpnessCap {
  (theta: Float64Array, logNorm: number): number;
  readonly calibrations: readonly SharpnessCalibration[];
  readonly kappa: number;
  /** The cap at log ‖θ‖ with the current measurement (no recalibration; ∞ before the first). */
  peek(logNorm: number): number;
}

/**
 * The sharpness-calibrated cap α ≤ κ/(Ĉ‖θ‖^{2L−2}) for an L-homogeneous model (see the module
 * comment); `logGradient` is ∇log ℒ (marginLogGradient). The first call calibrates at θ₀. A
 * measurement of λ = 0 or a non-finite value leaves α uncapped until the next calibration.
 *
 * @param logGradient - θ ↦ ∇log ℒ(θ) (`marginLogGradient`)
 * @param homogeneity - the homogeneity order L of the model
 * @param opts - κ (target α·λ), the recalibration factor, power iterations, recorded calibrations to replay
 * @returns the cap (θ, log ‖θ‖) ↦ α_max, with its calibrations so far
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, marginLogGradient, sharpnessCap, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * const cap = sharpnessCap(marginLogGradient(net.arch, data, "exponential"), 2, { iterations: 30 });
 * const alpha = cap(net.theta, Math.log(Math.hypot(...net.theta)));
 * console.log(alpha, cap.calibrations.length); // one calibration at θ₀
 * ```
 */
export function sharpnessCap(
  logGradient: (theta: Float64Array, out: Float64Array) => LossValue, homogeneity: number, opts: SharpnessCapOptions = {},
): SharpnessCap {
  const kappa = opts.kappa ?? 1;
  const logFactor = Math.log(opts.recalibrate ?? 2);
  if (!(kappa > 0) || !(logFactor > 0)) throw new RangeError("sharpnessCap: kappa must be > 0 and recalibrate > 1");
  const power = 2 * homogeneity - 2;
  const calibrations: SharpnessCalibration[] = [];
  let logNormC = NaN;
  let logScaled = NaN;
  const replay = opts.replay ?? [];
  const peek = (logNorm: number): number => (Number.isFinite(logScaled) ? Math.exp(Math.log(kappa) - logScaled - power * logNorm) : Infinity);
  const cap = (theta: Float64Array, logNorm: number): number => {
    if (!(Math.abs(logNorm - logNormC) < logFactor)) {
      const k = calibrations.length;
      let c: SharpnessCalibration;
      if (k < replay.length) {
        c = replay[k];
      } else {
        const lambda = logLossSharpness(logGradient, theta, { homogeneity, iterations: opts.iterations });
        c = { norm: Math.exp(logNorm), sharpness: lambda, scaled: Math.abs(lambda) / Math.exp(power * logNorm) };
      }
      calibrations.push(c);
      logNormC = logNorm;
      logScaled = Math.log(c.scaled);
    }
    return peek(logNorm);
  };
  return Object.assign(cap, { calibrations, kappa, peek });
}
