// GD with the loss-based step size of Lyu & Li (2020) for long-time margin maximisation.

import { nrm2 } from "../linalg/index.js";
import type { LossValue, Objective } from "../model/objective.js";
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
  /**
   * Norm-dependent cap on α for long runs of homogeneous models (derivation in the doc comment
   * of lossBasedGradientDescent):
   *   α ≤ alphaMax·min(1, (alphaNormRef/‖θ‖)^{alphaNormPower}).
   * Default ∞ (no norm-dependent cap). Needs a finite alphaMax.
   */
  alphaNormRef?: number;
  /** Exponent of the norm cap (default 2(L − 1), L = objective.homogeneity; required otherwise). */
  alphaNormPower?: number;
  /** Stall after this many rejections in a row (default 200: α shrinks by 2^{-20}). */
  maxConsecutiveRejections?: number;
  /**
   * Log-space gradient: writes ∇log ℒ(θ) = ∇ℒ(θ)/ℒ(θ) into `out` and returns ℒ and log ℒ. When
   * given, every evaluation goes through it (objective.evaluate is not called) and the step is
   * formed as θ' = θ − (η·ℒ)·∇log ℒ, which for "inverseLoss" is θ' = θ − α·∇log ℒ: the same
   * point as θ − η∇ℒ while ℒ is representable, and finite at any margin (∇ℒ itself underflows
   * once ℒ < ~1e-308, stalling the linear-scale path). For a model, build it from
   * model.normalizedGradient (finite for margins ≫ 745). ∇log ℒ is the same for the sum and the
   * mean convention; the returned ℒ fixes the convention of η = α/ℒ and of the time t.
   */
  logGradient?: (theta: Float64Array, out: Float64Array) => LossValue;
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
 *     accept: θ_{k+1} = θ', t_{k+1} = t_k + η_k, α_{k+1} = min(α_max(θ_{k+1}), α_k·2^{1/5});
 *   else (loss increased, or non-finite): reject — roll θ back to θ_k (its gradient is kept, no
 *     re-evaluation) and α_k ← α_k / 2^{1/10}, then retry.
 * η = exp(log α − log ℒ) is formed in log space, then capped at η_max (default 1e300) so that it
 * stays finite when 1/ℒ overflows; α may be capped too (alphaMax, see there). Time is t = Σ η (the GD/flow time); log t is
 * accumulated exactly by log-sum-exp so it stays finite when t overflows. One objective
 * evaluation per attempt; no allocation per step (beyond what the objective allocates).
 *
 * Linear scale vs log space: by default ∇ℒ comes from objective.evaluate; once ℒ underflows below
 * ~1e-308 it underflows too and the iteration stalls with reason "gradNorm" (level 0) or
 * "stalled". With `logGradient` the loop works with g = ∇log ℒ = ∇ℒ/ℒ instead and steps
 *   θ' = θ_k − α_k·g(θ_k)   ("inverseLoss": η_k·∇ℒ = (α_k/ℒ)·ℒ·g, no η_max cap needed),
 *   θ' = θ_k − e^{log α_k + log ℒ}·g(θ_k)   ("constant"),
 * with the same acceptance rule and time t = Σ α_k/ℒ(θ_k) (in log space). The reported gradNorm
 * is still ‖∇ℒ‖ = ‖g‖·ℒ (it underflows to 0 where ℒ does; the stop rules see that value).
 *
 * Step cap for homogeneous models (alphaNormRef, alphaNormPower = p): α_k ≤ α_max·min(1,
 * (ρ/‖θ_k‖)^p). Why: for an L-homogeneous net with margins q_i(θ) = ‖θ‖^L·γ_i(θ/‖θ‖) and the
 * exponential loss, log ℒ = logsumexp_i(−q_i), so with softmax weights w_i = e^{−q_i}/ℒ
 *   ∇log ℒ = −Σ_i w_i ∇q_i = O(L γ ‖θ‖^{L−1}),
 *   ∇²log ℒ = Jᵀ(diag w − wwᵀ)J − Σ_i w_i ∇²q_i,   J = [∇q_i]ᵢ, ‖∇q_i‖ = O(‖θ‖^{L−1}).
 * diag w − wwᵀ (the Hessian of log-sum-exp) stays O(1) as the weights concentrate on the support
 * samples, so the sharpness of log ℒ grows like S(θ) ≈ C·‖θ‖^{2L−2} (the ∇²q_i term is only
 * O(‖θ‖^{L−2})). GD on log ℒ with a fixed α is stable only while α < 2/S(θ): past that the
 * stiff tangential modes oscillate with growing amplitude; the rollback rule rejects only loss
 * increases, and oscillations that still lower log ℒ overall (the radial descent dominates) are
 * accepted, so rounding differences between mathematically identical runs (e.g. θ and the
 * split Tθ) are amplified. Capping α ∝ ‖θ‖^{−(2L−2)} keeps α·S(θ) constant: choose α_max and ρ
 * with α_max·S(ρ) < 2 (in the stable window) and it stays below 2 at every norm. Under the cap
 * each accepted step raises ‖θ‖² by 2α⟨θ, −∇log ℒ⟩ = 2αL·Σ w_i q_i ≈ 2αLγ̄‖θ‖^L (Euler:
 * ⟨θ, ∇q_i⟩ = L q_i), so for p = 2L − 2, ‖θ‖^L grows by ≈ L²γ̄·α_max·ρ^p per step and
 * −log ℒ ≈ γ̄‖θ‖^L by ≈ L²γ̄²·α_max·ρ^p: reaching ‖θ‖ = R takes ~R^L/(L²γ̄·α_max·ρ^p) steps.
 * (Observed on ReLU blobs, L = 2, γ̄ = 0.367, α_max·ρ² = 2: 1.076 per step against 1.08.) The
 * alternative, a sharpness-aware cap (power iteration each step), costs extra gradients per
 * step; the norm cap costs nothing, and margin.logLossSharpness checks its constant C.
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
  const normRef = opts.alphaNormRef ?? Infinity;
  let normPower = 0;
  if (normRef !== Infinity) {
    if (!(normRef > 0)) throw new RangeError(`lossBasedGradientDescent: alphaNormRef must be > 0, got ${normRef}`);
    if (!Number.isFinite(alphaMax)) throw new RangeError("lossBasedGradientDescent: alphaNormRef needs a finite alphaMax");
    const L = objective.homogeneity;
    const pw = opts.alphaNormPower ?? (L !== null ? 2 * (L - 1) : NaN);
    if (!(pw >= 0)) throw new RangeError("lossBasedGradientDescent: alphaNormRef needs alphaNormPower ≥ 0 (or a homogeneous objective)");
    normPower = pw;
  }
  const logGradient = opts.logGradient;
  const maxConsec = opts.maxConsecutiveRejections ?? 200;
  const mon = createMonitor(opts, "loss-based GD");

  let theta = Float64Array.from(theta0);
  let thetaNew = new Float64Array(p);
  let g = new Float64Array(p);
  let gNew = new Float64Array(p);
  let alpha = opts.alpha0 ?? 0.1;
  const evaluate = (th: Float64Array, out: Float64Array): LossValue => (logGradient ? logGradient(th, out) : objective.evaluate(th, out));
  /** α_max at ‖θ‖ = e^{logNorm}: the norm-dependent cap (see the doc comment). */
  const alphaCap = (logNorm: number): number =>
    normPower === 0 || logNorm <= Math.log(normRef) ? alphaMax : alphaMax * Math.exp(normPower * (Math.log(normRef) - logNorm));
  let v = evaluate(theta, g);
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
    // t overflows to +∞ once log t > 709.78 (log-space runs reach e^{1000}); logT stays exact.
    point.t = Math.exp(logT);
    point.tPhase = point.t;
    point.loss = v.loss;
    point.logLoss = v.logLoss;
    point.logNorm = Math.log(nrm2(theta));
    point.gradNorm = logGradient ? Math.exp(Math.log(nrm2(g)) + v.logLoss) : nrm2(g);
    const s = monitorStep(mon, point, theta);
    if (s !== null) {
      stop = s;
      break;
    }
    // Attempt steps until one decreases the loss.
    const cap = alphaCap(point.logNorm);
    if (alpha > cap) alpha = cap;
    let accepted = false;
    let logEta = NaN;
    while (!accepted) {
      logEta = Math.log(alpha) - (inverse ? v.logLoss : 0);
      eta = logEta >= logEtaMax ? etaMax : Math.exp(logEta);
      // step coefficient on g: η for ∇ℒ; η·ℒ (= α for "inverseLoss") for ∇log ℒ
      const c = logGradient ? (inverse ? alpha : Math.exp(Math.log(alpha) + v.logLoss)) : eta;
      for (let i = 0; i < p; i++) thetaNew[i] = theta[i] - c * g[i];
      const vNew = evaluate(thetaNew, gNew);
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
        logT = logAddExp(logT, logGradient ? logEta : Math.log(eta));
        alpha = Math.min(normPower === 0 ? alphaMax : alphaCap(Math.log(nrm2(theta))), alpha * grow);
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
