/**
 * Output residuals of a loss: r_i = ∂ℓ/∂f(x_i) (square loss: r_i = f(x_i) − y_i; the sign
 * matters, docs/science/plateau.md §1) and the output curvatures ℓ″_i = ∂²ℓ/∂f², at θ.
 */
import type { LossName, LossOptions, Model, ModelData } from "../model/index.js";
import { forward, lossOnOutputs } from "../model/index.js";

/** Residuals, curvatures, outputs and loss at θ (scalar output). */
export interface OutputResiduals {
  /** r_i = ∂ℒ/∂f_i (n). */
  readonly r: Float64Array;
  /** ℓ″_i = ∂²ℒ/∂f_i² (n). */
  readonly curvature: Float64Array;
  /** f(x_i) (n). */
  readonly outputs: Float64Array;
  readonly loss: number;
}

/**
 * r = ∂ℒ/∂F and ℓ″ = ∂²ℒ/∂F² at the model's outputs (loss in log space, model/losses.ts).
 *
 * @param model - a scalar-output network
 * @param data - inputs X (n rows) and targets Y
 * @param loss - the loss name
 * @param opts - `mean`: average over the samples instead of summing
 * @returns per sample the residual r_i = ∂ℒ/∂f_i, the curvature ℓ″_i, the output f_i, and the loss ℒ
 * @example
 * ```ts
 * import { designStationaryPoint, makeActivation, outputResiduals } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const { r, curvature } = outputResiduals(model, data, "square");
 * console.log(Array.from(r).slice(0, 3), curvature[0]);
 * ```
 */
export function outputResiduals(model: Model, data: ModelData, loss: LossName, opts: LossOptions = {}): OutputResiduals {
  const F = forward(model, data.X);
  const n = F.rows;
  const r = new Float64Array(n * F.cols);
  const curvature = new Float64Array(n * F.cols);
  const v = lossOnOutputs(loss, F.data, data.Y.data, n, F.cols, opts.mean ?? false, r, curvature);
  return { r, curvature, outputs: F.data, loss: v.loss };
}
