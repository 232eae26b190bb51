/**
 * The loss-based step of Lyu & Li (ICLR 2020) computed entirely in log space, for training far
 * into the margin-maximising regime: with η_k = α_k/ℒ(θ_k) the update is
 *   θ_{k+1} = θ_k − α_k ∇ℒ(θ_k)/ℒ(θ_k) = θ_k − α_k ∇log ℒ(θ_k),
 * and ∇ℒ/ℒ is finite even when ℒ and ∇ℒ underflow (model.normalizedGradient forms it from
 * log-space per-sample weights). Acceptance as in dynamics.lossBasedGradientDescent: accept if
 * log ℒ does not increase (α ← α·2^{1/5}, capped at alphaMax), else roll back (α ← α/2^{1/10}).
 * dynamics/lossStep evaluates ∇ℒ in linear scale, so it stops moving once ℒ < ~1e-308 (margins
 * ≳ 700); this loop does not. Written here because that limit matters for KKT certificates.
 */
import type { LossName, Model, ModelData } from "../model/index.js";
import { normalizedGradient } from "../model/index.js";

export interface LogSpaceStepOptions {
  /** Steps (accepted). */
  readonly steps: number;
  readonly alpha0?: number;
  readonly alphaMax?: number;
  readonly grow?: number;
  readonly shrink?: number;
  /** Give up after this many rejections in a row (default 200). */
  readonly maxConsecutiveRejections?: number;
  /** Stop when ‖θ‖ exceeds this (default 1e8: margins ~‖θ‖^L stay far from overflow). */
  readonly maxNorm?: number;
  /** Called at step 0 and after every accepted step with the current θ (read only). */
  readonly onStep?: (step: number, theta: Float64Array, logLoss: number) => void;
}

export interface LogSpaceStepResult {
  readonly theta: Float64Array;
  readonly logLoss: number;
  readonly steps: number;
  readonly rejections: number;
  readonly alpha: number;
  readonly stalled: boolean;
  /** Why the loop ended. */
  readonly stop: "steps" | "norm" | "stalled";
}

/**
 * Loss-based GD θ ← θ − α∇log ℒ(θ) (= θ − (α/ℒ)∇ℒ) with Lyu & Li's α adaptation, in log space
 * (see the file comment). ℒ is the sum over samples of a margin loss.
 */
export function logSpaceLossBasedDescent(model: Model, data: ModelData, loss: Exclude<LossName, "square">, opts: LogSpaceStepOptions): LogSpaceStepResult {
  const grow = opts.grow ?? 2 ** (1 / 5);
  const shrink = opts.shrink ?? 2 ** (1 / 10);
  const alphaMax = opts.alphaMax ?? Infinity;
  const maxRej = opts.maxConsecutiveRejections ?? 200;
  const maxNorm = opts.maxNorm ?? 1e8;
  let alpha = opts.alpha0 ?? 0.1;
  let theta = Float64Array.from(model.theta);
  let cur = normalizedGradient({ arch: model.arch, theta }, data, loss);
  opts.onStep?.(0, theta, cur.logLoss);
  let steps = 0;
  let rejections = 0;
  let consecutive = 0;
  const trial = new Float64Array(theta.length);
  while (steps < opts.steps) {
    for (let i = 0; i < theta.length; i++) trial[i] = theta[i] - alpha * cur.direction[i];
    const next = normalizedGradient({ arch: model.arch, theta: trial }, data, loss);
    if (next.logLoss <= cur.logLoss) {
      theta = Float64Array.from(trial);
      cur = next;
      steps++;
      consecutive = 0;
      alpha = Math.min(alphaMax, alpha * grow);
      opts.onStep?.(steps, theta, cur.logLoss);
      let n2 = 0;
      for (let i = 0; i < theta.length; i++) n2 += theta[i] * theta[i];
      if (Math.sqrt(n2) > maxNorm) return { theta, logLoss: cur.logLoss, steps, rejections, alpha, stalled: false, stop: "norm" };
    } else {
      rejections++;
      consecutive++;
      alpha /= shrink;
      if (consecutive >= maxRej) return { theta, logLoss: cur.logLoss, steps, rejections, alpha, stalled: true, stop: "stalled" };
    }
  }
  return { theta, logLoss: cur.logLoss, steps, rejections, alpha, stalled: false, stop: "steps" };
}
