// GD with the loss-based step size of Lyu & Li (2020) for long-time margin maximisation.

import { nrm2 } from "../linalg/index.js";
import type { LossValue, Objective } from "../model/objective.js";
import { frozenStop, gradientUnderflowed } from "./frozen.js";
import { createMonitor, logAddExp, monitorEnd, monitorStep, type LoopOptions, type Monitor, type StopReason, type TrainResult } from "./monitor.js";
import { createPoint, type TrajectoryPoint } from "./trajectory.js";
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
  /**
   * A further cap on α at θ (‖θ‖ = e^{logNorm}), applied with the others (the smallest wins),
   * e.g. margin.sharpnessCap: α ≤ κ/λ_max(∇²log ℒ) estimated from a measured sharpness. Called
   * once per accepted step (and at the start); may keep state.
   */
  alphaCap?: (theta: Float64Array, logNorm: number) => number;
  /**
   * Trust region: α is capped so that the step length α‖∇log ℒ‖ (= η‖∇ℒ‖) is at most this
   * fraction of ‖θ‖ (default ∞). The acceptance rule alone lets a step of any length through as
   * long as the loss decreases — for a homogeneous net that has just separated the data, scaling θ
   * up always does, and a large α can throw ‖θ‖ up by orders of magnitude in one step. In the
   * asymptotic regime the sharpness cap binds first (relative step ≈ κLγ̄/(C‖θ‖^L) ≪ 1).
   */
  maxStepRatio?: number;
  /**
   * Accept a step only if log ℒ drops by at most this much (default ∞), i.e. ℒ falls by at most
   * a factor e^{maxLogLossDecrease} per step. With several samples near the minimum margin,
   * log ℒ ≈ −q_min + log(ties) changes by about the change of the tied margins, so this bounds
   * how far one step can move the softmax weights across a tie: a deep net whose loss is
   * dominated by one sample otherwise takes steps of constant relative length (the sharpness of
   * log ℒ ≈ −q₁ is only O(‖θ‖^{L−2})), overshoots the next tie at every step and grows ‖θ‖
   * geometrically to overflow while its direction jitters. In the asymptotic regime under the
   * sharpness cap the drop per step is ≈ κL²γ̄²/C = O(1), below a bound such as 10.
   */
  maxLogLossDecrease?: number;
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
 *   if log ℒ(θ') ≤ log ℒ(θ_k) (compared in log space, so 1e-300 losses work) and, optionally,
 *   log ℒ(θ_k) − log ℒ(θ') ≤ maxLogLossDecrease:
 *     accept: θ_{k+1} = θ', t_{k+1} = t_k + η_k, α_{k+1} = min(α_max(θ_{k+1}), α_k·2^{1/5});
 *   else (loss increased, dropped too far, or non-finite): reject — roll θ back to θ_k (its gradient is kept, no
 *     re-evaluation) and α_k ← α_k / 2^{1/10}, then retry.
 * η = exp(log α − log ℒ) is formed in log space, then capped at η_max (default 1e300) so that it
 * stays finite when 1/ℒ overflows; α may be capped too (alphaMax, see there). Time is t = Σ η (the GD/flow time); log t is
 * accumulated exactly by log-sum-exp so it stays finite when t overflows. One objective
 * evaluation per attempt; no allocation per step (beyond what the objective allocates).
 *
 * Linear scale vs log space: by default ∇ℒ comes from objective.evaluate; once ℒ falls below the
 * float64 range (log ℒ < log 2^−1022) and ∇ℒ with it (subnormal or 0: the direction is lost, as
 * for the margin losses), the loop stops: "stalled" with StallInfo.cause "underflow". With
 * `logGradient` the loop works with g = ∇log ℒ = ∇ℒ/ℒ instead and steps
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
 * step; the norm cap costs nothing, and margin.logLossSharpness checks its constant C
 * (margin.sharpnessCap measures C now and then and caps α at κ/(C‖θ‖^{2L−2}): `alphaCap`).
 *
 * A step that leaves θ bitwise unchanged ends the loop ("fixedPoint", or "stalled"/"underflow"
 * in linear scale below the float64 range: dynamics/frozen.ts) instead of counting steps and
 * time that changed nothing.
 *
 * @param objective - the loss ℒ(θ) (e.g. from `makeObjective` with a margin loss: "exponential" or "logistic")
 * @param theta0 - the initial parameters (not modified)
 * @param opts - α₀, scaling, growth/shrink factors, caps (etaMax, alphaMax, alphaNormRef/Power), logGradient, stopping rules
 * @returns the loop's result (stop reason, log t, θ, log ℒ, …) plus the final α and the step η it gives
 * @example
 * ```ts
 * import { initializeModel, lossBasedGradientDescent, makeActivation, makeBuiltin, makeObjective, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") });
 * const objective = makeObjective(arch, data, "exponential", { mean: true });
 * const run = lossBasedGradientDescent(objective, initializeModel(arch, { seed: 2 }).theta, { alpha0: 0.1, stop: { maxSteps: 3000 } });
 * console.log(run.logLoss, run.logT);
 * ```
 */
export function lossBasedGradientDescent(objective: Objective, theta0: Float64Array, opts: LossBasedStepOptions = {}): LossBasedStepResult {
  const p = objective.dim;
  if (theta0.length !== p) throw new RangeError(`lossBasedGradientDescent: θ0 has length ${theta0.length}, the objective dimension ${p}`);
  const rule = stepRule(objective, opts);
  const mon = createMonitor(opts, "loss-based GD");
  const logGradient = opts.logGradient;
  const evaluate = (th: Float64Array, out: Float64Array): LossValue => (logGradient ? logGradient(th, out) : objective.evaluate(th, out));
  const st: LossStepState = {
    theta: Float64Array.from(theta0), thetaNew: new Float64Array(p), g: new Float64Array(p), gNew: new Float64Array(p),
    v: { loss: NaN, logLoss: NaN }, alpha: opts.alpha0 ?? 0.1, eta: NaN, logT: -Infinity,
    evaluations: 1, rejections: 0, consecutive: 0, changed: true,
  };
  st.v = evaluate(st.theta, st.g);
  let cap = rule.capAt(st.theta, Math.log(nrm2(st.theta)));
  let stall: StallInfo | null = null;
  const point = createPoint();
  let stop: StopReason;

  for (let step = 0; ; step++) {
    fillPoint(point, st, step, logGradient !== undefined);
    const s = monitorStep(mon, point, st.theta);
    if (s !== null) {
      stop = s;
      break;
    }
    if (!logGradient && gradientUnderflowed(point)) {
      ({ stop, stall } = frozenStop(mon, point, st.eta, "linear-scale loss-based"));
      break;
    }
    if (st.alpha > cap) st.alpha = cap;
    const trust = rule.trustCap(st.theta, st.g, st.v);
    if (st.alpha > trust) st.alpha = trust;
    if (!attemptUntilAccepted(st, rule, evaluate)) {
      stop = "stalled";
      stall = rejectionStall(mon, point, st);
      break;
    }
    if (!st.changed) {
      ({ stop, stall } = frozenStop(mon, point, st.eta, "loss-based", logGradient !== undefined));
      break;
    }
    cap = rule.capAt(st.theta, Math.log(nrm2(st.theta)));
    st.alpha = Math.min(cap, st.alpha * rule.grow);
  }
  const elapsedMs = monitorEnd(mon, point, st.theta);
  return {
    stop, reason: mon.detail, t: point.t, logT: point.logT, theta: st.theta, loss: point.loss, logLoss: point.logLoss,
    gradNorm: point.gradNorm, logNorm: point.logNorm, steps: point.step, evaluations: st.evaluations, rejections: st.rejections,
    stall, trajectory: mon.opts.trajectory ?? null, elapsedMs, alpha: st.alpha, eta: st.eta,
  };
}

/** The resolved step rule: growth, shrink, η cap, and the α cap at θ (the smallest of all caps). */
interface StepRule {
  readonly inverse: boolean;
  readonly grow: number;
  readonly shrink: number;
  readonly etaMax: number;
  readonly logEtaMax: number;
  readonly maxConsecutive: number;
  readonly logGradient: boolean;
  readonly maxDrop: number;
  capAt(theta: Float64Array, logNorm: number): number;
  /** Cap from the trust region at θ with search direction g (∞ without one). */
  trustCap(theta: Float64Array, g: Float64Array, v: LossValue): number;
}

function stepRule(objective: Objective, opts: LossBasedStepOptions): StepRule {
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
  const logRef = Math.log(normRef);
  const hook = opts.alphaCap;
  const etaMax = opts.etaMax ?? 1e300;
  const ratio = opts.maxStepRatio ?? Infinity;
  if (!(ratio > 0)) throw new RangeError(`lossBasedGradientDescent: maxStepRatio must be > 0, got ${ratio}`);
  const inverse = (opts.scaling ?? "inverseLoss") === "inverseLoss";
  const logSpace = opts.logGradient !== undefined;
  return {
    inverse,
    grow: opts.grow ?? 2 ** (1 / 5),
    shrink: opts.shrink ?? 2 ** (1 / 10),
    etaMax,
    logEtaMax: Math.log(etaMax),
    maxConsecutive: opts.maxConsecutiveRejections ?? 200,
    logGradient: logSpace,
    maxDrop: opts.maxLogLossDecrease ?? Infinity,
    trustCap(theta, g, v) {
      if (ratio === Infinity) return Infinity;
      // step length = α·‖g‖·(ℒ for the linear-scale gradient with η = α/ℒ; e^{…} for "constant")
      const logStepPerAlpha = Math.log(nrm2(g)) + (logSpace ? (inverse ? 0 : v.logLoss) : (inverse ? -v.logLoss : 0));
      return Math.exp(Math.log(ratio) + Math.log(nrm2(theta)) - logStepPerAlpha);
    },
    capAt(theta, logNorm) {
      // α_max·min(1, (ρ/‖θ‖)^p), then the caller's cap
      const normCap = normPower === 0 || logNorm <= logRef ? alphaMax : alphaMax * Math.exp(normPower * (logRef - logNorm));
      return hook ? Math.min(normCap, hook(theta, logNorm)) : normCap;
    },
  };
}

/** The running state of the loop (θ and its gradient, the proposal, α, η, time, counters). */
interface LossStepState {
  theta: Float64Array;
  thetaNew: Float64Array;
  /** ∇ℒ(θ), or ∇log ℒ(θ) with logGradient. */
  g: Float64Array;
  gNew: Float64Array;
  v: LossValue;
  alpha: number;
  eta: number;
  logT: number;
  evaluations: number;
  rejections: number;
  consecutive: number;
  /** Whether the last accepted step changed θ. */
  changed: boolean;
}

function fillPoint(point: TrajectoryPoint, st: LossStepState, step: number, logSpace: boolean): void {
  point.step = step;
  point.logT = st.logT;
  // t overflows to +∞ once log t > 709.78 (log-space runs reach e^{1000}); logT stays exact.
  point.t = Math.exp(st.logT);
  point.tPhase = point.t;
  point.loss = st.v.loss;
  point.logLoss = st.v.logLoss;
  point.logNorm = Math.log(nrm2(st.theta));
  point.gradNorm = logSpace ? Math.exp(Math.log(nrm2(st.g)) + st.v.logLoss) : nrm2(st.g);
}

/**
 * Propose θ' = θ − c·g and roll back (α ← α/shrink) until log ℒ(θ') ≤ log ℒ(θ); on acceptance
 * swap θ' in, advance log t and set st.changed. False after maxConsecutive rejections in a row.
 */
function attemptUntilAccepted(st: LossStepState, rule: StepRule, evaluate: (th: Float64Array, out: Float64Array) => LossValue): boolean {
  const p = st.theta.length;
  for (;;) {
    const logEta = Math.log(st.alpha) - (rule.inverse ? st.v.logLoss : 0);
    st.eta = logEta >= rule.logEtaMax ? rule.etaMax : Math.exp(logEta);
    // step coefficient on g: η for ∇ℒ; η·ℒ (= α for "inverseLoss") for ∇log ℒ
    const c = rule.logGradient ? (rule.inverse ? st.alpha : Math.exp(Math.log(st.alpha) + st.v.logLoss)) : st.eta;
    let changed = false;
    for (let i = 0; i < p; i++) {
      const x = st.theta[i] - c * st.g[i];
      st.thetaNew[i] = x;
      if (x !== st.theta[i]) changed = true;
    }
    const vNew = evaluate(st.thetaNew, st.gNew);
    st.evaluations++;
    // Accept a decrease of log ℒ (compared in log space) no larger than maxDrop.
    if (vNew.logLoss <= st.v.logLoss && st.v.logLoss - vNew.logLoss <= rule.maxDrop) {
      let tmp = st.theta;
      st.theta = st.thetaNew;
      st.thetaNew = tmp;
      tmp = st.g;
      st.g = st.gNew;
      st.gNew = tmp;
      st.v = vNew;
      st.logT = logAddExp(st.logT, rule.logGradient ? logEta : Math.log(st.eta));
      st.consecutive = 0;
      st.changed = changed;
      return true;
    }
    st.rejections++;
    st.consecutive++;
    st.alpha /= rule.shrink;
    if (st.consecutive >= rule.maxConsecutive) return false;
  }
}

function rejectionStall(mon: Monitor, point: TrajectoryPoint, st: LossStepState): StallInfo {
  mon.detail =
    `${st.consecutive} consecutive rejected steps at log ℒ = ${st.v.logLoss} (α = ${st.alpha.toExponential(3)}, η = ${st.eta.toExponential(3)}): ` +
    `no step along −∇ℒ decreases the loss — a kink of a non-smooth loss, or the gradient is inaccurate/underflowed`;
  return {
    cause: "consecutiveRejections", t: point.t, yNorm: Math.exp(point.logNorm), h: st.eta, errorRatio: NaN,
    consecutiveRejections: st.consecutive, rejections: st.rejections, reason: mon.detail,
  };
}
