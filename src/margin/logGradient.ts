/**
 * ∇log ℒ of a model on labelled data as the `logGradient` option of
 * dynamics.lossBasedGradientDescent: with it the loss-based step of Lyu & Li (ICLR 2020),
 * η = α/ℒ, is taken as θ' = θ − α∇log ℒ(θ), finite at any margin. ∇log ℒ = ∇ℒ/ℒ comes from
 * model.normalizedGradient (per-sample weights e^{log ℓ′ − log ℒ} formed in log space), so the
 * iteration keeps moving where ℒ and ∇ℒ underflow (margins ≳ 745 for the exponential loss).
 * ℒ is the sum over samples, or with `mean` the mean (log ℒ − log n): η = α/ℒ and the time t
 * follow that convention; ∇log ℒ is the same for both.
 * Each call allocates the model's workspace (normalizedGradient does).
 */
import type { Architecture, LossName, LossValue, ModelData } from "../model/index.js";
import { normalizedGradient } from "../model/index.js";

export type LogGradient = (theta: Float64Array, out: Float64Array) => LossValue;

/**
 * (θ, out) ↦ writes ∇log ℒ(θ) into out, returns {ℒ, log ℒ} (ℒ = e^{log ℒ}, 0 once it underflows).
 *
 * @param arch - the architecture (θ is passed per call)
 * @param data - inputs X and labels ±1
 * @param loss - "exponential" or "logistic"
 * @param opts - `mean`: ℒ is the mean over samples instead of the sum
 * @returns the function (θ, out) ↦ {ℒ, log ℒ}, writing ∇log ℒ(θ) into out (length p)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, marginLogGradient, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * const logGradient = marginLogGradient(net.arch, data, "exponential");
 * const g = new Float64Array(net.theta.length);
 * console.log(logGradient(net.theta, g).logLoss, Math.hypot(...g));
 * ```
 */
export function marginLogGradient(
  arch: Architecture, data: ModelData, loss: Exclude<LossName, "square">, opts: { mean?: boolean } = {},
): LogGradient {
  const shift = opts.mean ? Math.log(data.X.rows) : 0;
  return (theta, out) => {
    const r = normalizedGradient({ arch, theta }, data, loss);
    out.set(r.direction);
    const logLoss = r.logLoss - shift;
    return { loss: Math.exp(logLoss), logLoss };
  };
}
