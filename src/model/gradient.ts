/** Loss, log-loss and gradient of a model on data, and the output VJP they are built on. */
import type { Matrix } from "../linalg/index.js";
import type { Model } from "./architecture.js";
import { checkTheta, outputDim, paramCount } from "./architecture.js";
import type { LossName, LossOptions } from "./losses.js";
import { normalizedOutputGradient } from "./losses.js";
import type { ModelData } from "./modelData.js";
import { checkInputs, checkModelData } from "./modelData.js";
import { createWorkspace, lossGradientInto, vjpInto, workspaceOutputs } from "./network.js";
import type { LossValue } from "./objective.js";

/** ℒ, log ℒ, the outputs F (n×k) and, when asked for, ∇ℒ. */
export interface LossEvaluation extends LossValue {
  readonly outputs: Matrix;
  readonly gradient: Float64Array | null;
}

/**
 * Output vector–Jacobian product Σ_i R_iᵀ ∂f(x_i; θ)/∂θ for R (n×k): the primitive behind the
 * gradient (R = ∂ℒ/∂F), margin gradients (R = y_i e_i) and normalised gradients. Writes into
 * `out` (length p) when given.
 *
 * @param model - the network
 * @param X - inputs, n×d
 * @param R - the cotangent, n×k (RangeError on other shapes)
 * @param out - optional output vector of length p (RangeError on another length)
 * @returns Σ_i R_iᵀ ∂f(x_i)/∂θ, a vector of length p (`out` when given)
 * @example
 * ```ts
 * import { fromRows, initializeModel, makeActivation, outputVjp, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("tanh") }), { seed: 1 });
 * const X = fromRows([[1, 2]]);
 * const g = outputVjp(net, X, fromRows([[1]])); // ∇_θ f(x) for the single sample x = (1, 2)
 * console.log(g.length); // 12
 * ```
 */
export function outputVjp(model: Model, X: Matrix, R: Matrix, out?: Float64Array): Float64Array {
  checkTheta(model.arch, model.theta);
  checkInputs(model.arch, X);
  const k = outputDim(model.arch);
  if (R.rows !== X.rows || R.cols !== k) throw new RangeError(`outputVjp: R is ${R.rows}×${R.cols}, expected ${X.rows}×${k}`);
  const p = paramCount(model.arch);
  const g = out ?? new Float64Array(p);
  if (g.length !== p) throw new RangeError(`outputVjp: out has ${g.length} entries, expected ${p}`);
  if (X.rows === 0) return g.fill(0);
  vjpInto(createWorkspace(model.arch, X.rows), model.theta, X.data, X.rows, R.data, g);
  return g;
}

/**
 * ℒ(θ) = s·Σ_i ℓ(f(x_i; θ); y_i) (s = 1, or 1/n with mean), log ℒ, the outputs and ∇ℒ(θ)
 * (skipped with `gradient: false`).
 *
 * @param model - the network
 * @param data - inputs X (n×d) and targets Y (n×k); RangeError on mismatched shapes
 * @param loss - "logistic", "exponential" or "square"
 * @param opts - `mean` (divide by n; default sum) and `gradient` (default true; false skips ∇ℒ)
 * @returns `{ loss, logLoss, outputs, gradient }`; gradient is null when not asked for
 * @example
 * ```ts
 * import { initializeModel, lossAndGradient, makeActivation, makeBuiltin, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("relu") }), { seed: 2 });
 * const { loss, gradient } = lossAndGradient(net, data, "logistic", { mean: true });
 * // one gradient-descent step
 * const theta = net.theta.map((t, i) => t - 0.1 * gradient![i]);
 * console.log(loss, theta.length);
 * ```
 */
export function lossAndGradient(
  model: Model, data: ModelData, loss: LossName, opts: LossOptions & { gradient?: boolean } = {},
): LossEvaluation {
  checkModelData(model, data);
  const n = data.X.rows;
  const k = outputDim(model.arch);
  const wantGrad = opts.gradient ?? true;
  const grad = wantGrad ? new Float64Array(paramCount(model.arch)) : null;
  if (n === 0) return { loss: 0, logLoss: -Infinity, outputs: { rows: 0, cols: k, data: new Float64Array(0) }, gradient: grad };
  const ws = createWorkspace(model.arch, n);
  const v = lossGradientInto(ws, model.theta, data.X.data, data.Y.data, n, loss, opts.mean ?? false, 1, grad);
  const F = workspaceOutputs(ws).slice(0, n * k);
  return { loss: v.loss, logLoss: v.logLoss, outputs: { rows: n, cols: k, data: F }, gradient: grad };
}

/**
 * ℒ(θ) and log ℒ(θ) only.
 *
 * @param model - the network
 * @param data - inputs X (n×d) and targets Y (n×k)
 * @param loss - "logistic", "exponential" or "square"
 * @param opts - `mean`: divide by n (default: sum over samples)
 * @returns `{ loss, logLoss }`; logLoss stays accurate when loss underflows to 0
 * @example
 * ```ts
 * import { evaluateLoss, initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(evaluateLoss(net, data, "exponential").logLoss);
 * ```
 */
export function evaluateLoss(model: Model, data: ModelData, loss: LossName, opts: LossOptions = {}): LossValue {
  const r = lossAndGradient(model, data, loss, { ...opts, gradient: false });
  return { loss: r.loss, logLoss: r.logLoss };
}

/**
 * The normalised gradient ∇ℒ/ℒ (the same for sum and mean), finite even when ℒ and ∇ℒ underflow
 * (margins ≫ 745): the output gradient divided by ℒ is formed in log space
 * (`normalizedOutputGradient`) and pushed through the output VJP. Returns it with log ℒ (sum).
 *
 * @param model - the network
 * @param data - inputs X (n×d) and targets Y (n×k)
 * @param loss - "logistic", "exponential" or "square"
 * @returns `{ logLoss, direction }`: log ℒ of the sum and ∇ℒ/ℒ (length p)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, normalizedGradient, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("relu") }), { seed: 2, scale: 1e4 });
 * const { logLoss, direction } = normalizedGradient(net, data, "exponential"); // finite although ℒ = e^{logLoss} overflows at this scale
 * console.log(logLoss, direction.length);
 * ```
 */
export function normalizedGradient(model: Model, data: ModelData, loss: LossName): { logLoss: number; direction: Float64Array } {
  checkModelData(model, data);
  const n = data.X.rows;
  const k = outputDim(model.arch);
  const ev = lossAndGradient(model, data, loss, { gradient: false });
  const R = normalizedOutputGradient(loss, ev.outputs.data, data.Y.data, n, k, new Float64Array(n * k));
  const direction = outputVjp(model, data.X, { rows: n, cols: k, data: R });
  return { logLoss: ev.logLoss, direction };
}
