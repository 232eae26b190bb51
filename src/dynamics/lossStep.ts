// GD with the loss-based step size of Lyu & Li (2020) for long-time margin maximisation.

import { nrm2 } from "../linalg/index.js";
import type { Objective } from "../model/objective.js";
import { createMonitor, logAddExp, monitorEnd, monitorStep, type LoopOptions, type StopReason, type TrainResult } from "./monitor.js";
import { createPoint } from "./trajectory.js";
import type { StallInfo } from "./types.js";

export interface LossBasedStepOptions extends LoopOptions {
  /** Initial α₀ (default 0.1). */
  alpha0?: number;
  /**
   * "inverseLoss" (default): η = α/ℒ, Lyu & Li's natural parametrisation (the step in θ then
   * stays of size ≈ α‖∇ℒ‖/ℒ as ℒ → 0). "constant": η = α (plain GD with the same adaptation).
   */
  scaling?: "inverseLoss" | "constant";
  /** Factor applied to α after an accepted step (default 2^{1/5}). */
  grow?: number;
  /** Divisor applied to α after a rejected step (default 2^{1/10}). */
  shrink?: number;
  /** Cap on η (default 1e300; keeps η finite when 1/ℒ overflows). */
  etaMax?: number;
  /**
   * Cap on α (default ∞). Set it when every step along −∇ℒ raises all margins (e.g. data whose
   * vectors y_k x_k have pairwise non-negative inner products): the loss then never increases,
   * no step is rolled back, α grows by 2^{1/5} per step without bound and the direction jitters
   * instead of converging. With η = α/ℒ, α is roughly the step length in θ per unit ‖∇ log ℒ‖.
   */
  alphaMax?: number;
  /** Stall after this many rejections in a row (default 200: α shrinks by 2^{-20}). */
  maxConsecutiveRejections?: number;
}

export interface LossBasedStepResult extends TrainResult {
  /** Current α and the step η it gives at the final point. */
  alpha: number;
  eta: number;
}

/**
 * Gradient descent with the loss-based step of Lyu & Li, "Gradient descent maximizes the
 * margin of homogeneous neural networks" (ICLR 2020), used there to reach the slow,
 * logarithmic regime of margin maximisation. splitscape's exact rule:
 *   η_k = min(η_max, α_k / ℒ(θ_k))   ("inverseLoss"; α_k itself for "constant"),
 *   θ' = θ_k − η_k ∇ℒ(θ_k);
 *   if log ℒ(θ') ≤ log ℒ(θ_k) (compared in log space, so 1e-300 losses work):
 *     accept: θ_{k+1} = θ', t_{k+1} = t_k + η_k, α_{k+1} = min(α_max, α_k·2^{1/5});
 *   else (loss increased, or non-finite): reject — roll θ back to θ_k (its gradient is kept, no
 *     re-evaluation) and α_k ← α_k / 2^{1/10}, then retry.
 * η = exp(log α − log ℒ) is formed in log space, then capped at η_max (default 1e300) so that it
 * stays finite when 1/ℒ overflows; α may be capped too (alphaMax, see there). Time is t = Σ η (the GD/flow time); log t is
 * accumulated exactly by log-sum-exp so it stays finite when t overflows. One objective
 * evaluation per attempt; no allocation per step. Note: once ℒ underflows below ~1e-308 the
 * gradient of a float64 objective underflows too and the iteration stalls with reason "gradNorm"
 * (level 0) or "stalled".
 */
export function lossBasedGradientDescent(objective: Objective, theta0: Float64Array, opts: LossBasedStepOptions = {}): LossBasedStepResult {
  const p = objective.dim;
  if (theta0.length !== p) throw new RangeError(`lossBasedGradientDescent: θ0 has length ${theta0.length}, the objective dimension ${p}`);
  const inverse = (opts.scaling ?? "inverseLoss") === "inverseLoss";
  const grow = opts.grow ?? 2 ** (1 / 5);
  const shrink = opts.shrink ?? 2 ** (1 / 10);
  const etaMax = opts.etaMax ?? 1e300;
  const logEtaMax = Math.log(etaMax);
  const alphaMax = opts.alphaMax ?? Infinity;
  const maxConsec = opts.maxConsecutiveRejections ?? 200;
  const mon = createMonitor(opts, "loss-based GD");

  let theta = Float64Array.from(theta0);
  let thetaNew = new Float64Array(p);
  let g = new Float64Array(p);
  let gNew = new Float64Array(p);
  let alpha = opts.alpha0 ?? 0.1;
  let v = objective.evaluate(theta, g);
  let evaluations = 1;
  let rejections = 0;
  let consecutive = 0;
  let logT = -Infinity;
  let eta = NaN;
  let stall: StallInfo | null = null;
  const point = createPoint();
  let stop: StopReason;

  for (let step = 0; ; ) {
    point.step = step;
    point.logT = logT;
    point.t = Math.exp(logT);
    point.tPhase = point.t;
    point.loss = v.loss;
    point.logLoss = v.logLoss;
    point.logNorm = Math.log(nrm2(theta));
    point.gradNorm = nrm2(g);
    const s = monitorStep(mon, point, theta);
    if (s !== null) {
      stop = s;
      break;
    }
    // Attempt steps until one decreases the loss.
    let accepted = false;
    while (!accepted) {
      const logEta = Math.log(alpha) - (inverse ? v.logLoss : 0);
      eta = logEta >= logEtaMax ? etaMax : Math.exp(logEta);
      for (let i = 0; i < p; i++) thetaNew[i] = theta[i] - eta * g[i];
      const vNew = objective.evaluate(thetaNew, gNew);
      evaluations++;
      if (vNew.logLoss <= v.logLoss) {
        accepted = true;
        let tmp = theta;
        theta = thetaNew;
        thetaNew = tmp;
        tmp = g;
        g = gNew;
        gNew = tmp;
        v = vNew;
        logT = logAddExp(logT, Math.log(eta));
        alpha = Math.min(alphaMax, alpha * grow);
        consecutive = 0;
      } else {
        rejections++;
        consecutive++;
        alpha /= shrink;
        if (consecutive >= maxConsec) break;
      }
    }
    if (!accepted) {
      stop = "stalled";
      mon.detail =
        `${consecutive} consecutive rejected steps at log ℒ = ${v.logLoss} (α = ${alpha.toExponential(3)}, η = ${eta.toExponential(3)}): ` +
        `no step along −∇ℒ decreases the loss — a kink of a non-smooth loss, or the gradient is inaccurate/underflowed`;
      stall = {
        cause: "consecutiveRejections", t: point.t, yNorm: Math.exp(point.logNorm), h: eta, errorRatio: NaN,
        consecutiveRejections: consecutive, rejections, reason: mon.detail,
      };
      break;
    }
    step++;
  }
  const elapsedMs = monitorEnd(mon, point, theta);
  return {
    stop, reason: mon.detail, t: point.t, logT: point.logT, theta, loss: point.loss, logLoss: point.logLoss,
    gradNorm: point.gradNorm, logNorm: point.logNorm, steps: point.step, evaluations, rejections, stall,
    trajectory: mon.opts.trajectory ?? null, elapsedMs, alpha, eta,
  };
}
