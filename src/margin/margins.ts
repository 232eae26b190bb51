/**
 * Normalised and smoothed margins of a homogeneous network (Lyu & Li 2020;
 * docs/science/embedding.md §1.2). Everything is computed in log space so that ‖θ‖^L and ℒ may over/underflow.
 */
import type { LossName } from "../model/index.js";
import { evaluateLoss, margins, type Model, type ModelData } from "../model/index.js";
import { requireHomogeneity } from "./homogeneity.js";

/** q_min, γ̄ and γ̃ with what they were computed from. */
export interface MarginSummary {
  /** Homogeneity order L. */
  readonly homogeneity: number;
  /** q_min = min_k y_k Φ(θ; x_k) (one-vs-all over outputs for k > 1). */
  readonly qmin: number;
  /** ‖θ‖₂. */
  readonly norm: number;
  /** log ‖θ‖. */
  readonly logNorm: number;
  /** γ̄ = q_min / ‖θ‖^L. */
  readonly normalizedMargin: number;
  /** γ̃ = ℓ⁻¹(ℒ)/‖θ‖^L with ℒ the SUM of the losses (null without a loss). */
  readonly smoothedMargin: number | null;
  /** The loss used for γ̃. */
  readonly loss: LossName | null;
  /** log ℒ (sum convention), when a loss was given. */
  readonly logLoss: number | null;
}

function logNorm2(theta: Float64Array): number {
  let scale = 0;
  for (let i = 0; i < theta.length; i++) scale = Math.max(scale, Math.abs(theta[i]));
  if (scale === 0) return -Infinity;
  let s = 0;
  for (let i = 0; i < theta.length; i++) s += (theta[i] / scale) ** 2;
  return Math.log(scale) + 0.5 * Math.log(s);
}

/** x / e^{L·logNorm} without forming e^{L·logNorm}. */
function divideByPower(x: number, logNorm: number, L: number): number {
  if (x === 0) return 0;
  if (!Number.isFinite(logNorm)) return logNorm === -Infinity ? (x > 0 ? Infinity : -Infinity) : 0;
  return Math.sign(x) * Math.exp(Math.log(Math.abs(x)) - L * logNorm);
}

/**
 * Normalised margin γ̄(θ) = q_min(θ) / ‖θ‖^L (Lyu & Li 2020, eq. (4)); invariant under θ → cθ.
 *
 * @param model - a homogeneous network (InputError otherwise)
 * @param data - inputs X and labels ±1 (a Dataset or `{X, Y}`)
 * @returns γ̄ = min_k y_k Φ(θ; x_k) / ‖θ‖^L; negative when some point is misclassified
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, normalizedMargin, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * const scaled = { arch: net.arch, theta: net.theta.map((v) => 3 * v) };
 * console.log(normalizedMargin(net, data), normalizedMargin(scaled, data)); // equal: scale invariant
 * ```
 */
export function normalizedMargin(model: Model, data: ModelData): number {
  const L = requireHomogeneity(model.arch);
  return divideByPower(minOf(margins(model, data).data), logNorm2(model.theta), L);
}

function minOf(q: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < q.length; i++) m = Math.min(m, q[i]);
  return m;
}

/**
 * ℓ⁻¹(ℒ) from log ℒ: exponential ℓ(q) = e^{−q} → −log ℒ; logistic ℓ(q) = log(1 + e^{−q}) →
 * −log(e^ℒ − 1) = −log ℒ − log(expm1(ℒ)/ℒ), exact for tiny ℒ.
 *
 * @param loss - "exponential" or "logistic"
 * @param logLoss - log ℒ (natural log; any finite value, also below −745)
 * @returns ℓ⁻¹(ℒ), the margin q at which one sample's loss equals ℒ
 * @example
 * ```ts
 * import { inverseMarginLoss } from "splitscape";
 * console.log(inverseMarginLoss("exponential", -1000)); // 1000 (ℒ = e^{−1000} underflows, its log does not)
 * console.log(inverseMarginLoss("logistic", Math.log(Math.log(2)))); // 0 up to rounding: ℓ(0) = log 2
 * ```
 */
export function inverseMarginLoss(loss: Exclude<LossName, "square">, logLoss: number): number {
  if (loss === "exponential") return -logLoss;
  const u = Math.exp(logLoss);
  if (u === 0) return -logLoss;
  return -logLoss - Math.log(Math.expm1(u) / u);
}

/**
 * Smoothed margin γ̃(θ) = ℓ⁻¹(ℒ(θ)) / ‖θ‖^L with ℒ = Σ_k ℓ(q_k) (Lyu & Li 2020, §4.1; science
 * note): exponential log(1/ℒ)/‖θ‖^L, logistic −log(e^ℒ − 1)/‖θ‖^L, computed from log ℒ.
 * γ̄ − log N/‖θ‖^L ≤ γ̃ ≤ γ̄ for the exponential loss.
 *
 * @param model - a homogeneous network (InputError otherwise)
 * @param data - inputs X and labels ±1
 * @param loss - "exponential" or "logistic"
 * @returns γ̃ = ℓ⁻¹(ℒ(θ)) / ‖θ‖^L, a smooth lower bound of γ̄ (exponential loss)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, normalizedMargin, smoothedMargin, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(smoothedMargin(net, data, "exponential") <= normalizedMargin(net, data)); // true
 * ```
 */
export function smoothedMargin(model: Model, data: ModelData, loss: Exclude<LossName, "square">): number {
  const L = requireHomogeneity(model.arch);
  const { logLoss } = evaluateLoss(model, data, loss);
  return divideByPower(inverseMarginLoss(loss, logLoss), logNorm2(model.theta), L);
}

/**
 * q_min, ‖θ‖, γ̄ and (with a margin loss) γ̃ in one pass. InputError for non-homogeneous models.
 *
 * @param model - a homogeneous network (InputError otherwise)
 * @param data - inputs X and labels ±1
 * @param loss - optional "exponential" or "logistic" for γ̃ and log ℒ
 * @returns L, q_min, ‖θ‖ (and its log), γ̄, and with a loss γ̃ and log ℒ
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, marginSummary, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * const s = marginSummary(net, data, "logistic");
 * console.log(s.homogeneity, s.qmin, s.normalizedMargin, s.smoothedMargin);
 * ```
 */
export function marginSummary(model: Model, data: ModelData, loss?: Exclude<LossName, "square">): MarginSummary {
  const L = requireHomogeneity(model.arch);
  const qmin = minOf(margins(model, data).data);
  const ln = logNorm2(model.theta);
  let smoothed: number | null = null;
  let logLoss: number | null = null;
  if (loss) {
    logLoss = evaluateLoss(model, data, loss).logLoss;
    smoothed = divideByPower(inverseMarginLoss(loss, logLoss), ln, L);
  }
  return {
    homogeneity: L,
    qmin,
    norm: Math.exp(ln),
    logNorm: ln,
    normalizedMargin: divideByPower(qmin, ln, L),
    smoothedMargin: smoothed,
    loss: loss ?? null,
    logLoss,
  };
}

export { logNorm2 };
