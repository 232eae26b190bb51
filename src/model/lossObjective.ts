/**
 * The training objective ℒ(θ) = s·Σ_i ℓ(f(x_i; θ); y_i) of an architecture on a data set, as the
 * `Objective` the integrators in dynamics/ drive (src/model/objective.ts).
 */
import type { Architecture } from "./architecture.js";
import { homogeneityOrder, inputDim, outputDim, paramCount } from "./architecture.js";
import type { LossName, LossOptions } from "./losses.js";
import type { ModelData } from "./modelData.js";
import { checkArchData } from "./modelData.js";
import { createWorkspace, lossGradientInto } from "./network.js";
import type { LossValue, Objective } from "./objective.js";

/** An Objective plus what it was built from (for reports). */
export interface LossObjective extends Objective {
  readonly arch: Architecture;
  readonly loss: LossName;
  readonly mean: boolean;
}

/**
 * ℒ(θ) = s·Σ_i ℓ(f(x_i; θ); y_i), s = 1 (sum, default) or 1/n (mean). The returned object owns
 * one workspace sized for the whole data set, so repeated `evaluate` calls allocate nothing
 * (a batch is gathered into preallocated buffers); it is not re-entrant.
 *   evaluate(θ, grad, batch?)  ℒ over all samples, or over `batch` (same sum/mean convention on
 *                              the batch: mean divides by the batch size), ∇ℒ into grad.
 *   evaluateScaled(u, s, g)    homogeneous models (order L) only: the outputs at θ = e^s·u are
 *                              e^{Ls}·f(u), so ℒ(θ) and g = Σ_i ℓ′(e^{Ls}f(x_i; u))·∇f(x_i; u)
 *                              = e^{−(L−1)s}∇ℒ(θ) are computed without forming θ.
 *
 * @param arch - the architecture (θ is supplied per call)
 * @param data - inputs X (n×d) and targets Y (n×k); RangeError on mismatched shapes
 * @param loss - "logistic", "exponential" or "square"
 * @param opts - `mean`: divide by n (or the batch size) instead of summing
 * @returns an Objective with `evaluate(θ, grad, batch?)` (and `evaluateScaled` for homogeneous nets), plus its `arch`, `loss` and `mean`
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, makeObjective, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("relu") });
 * const obj = makeObjective(arch, data, "logistic", { mean: true });
 * const theta = initializeModel(arch, { seed: 2 }).theta;
 * const grad = new Float64Array(obj.dim);
 * for (let step = 0; step < 100; step++) { // plain gradient descent
 *   obj.evaluate(theta, grad);
 *   for (let i = 0; i < theta.length; i++) theta[i] -= 0.5 * grad[i];
 * }
 * console.log(obj.evaluate(theta, null).loss);
 * ```
 */
export function makeObjective(arch: Architecture, data: ModelData, loss: LossName, opts: LossOptions = {}): LossObjective {
  checkArchData(arch, data);
  const p = paramCount(arch);
  const n = data.X.rows;
  const d = inputDim(arch);
  const k = outputDim(arch);
  const mean = opts.mean ?? false;
  const L = homogeneityOrder(arch);
  // X and Y are resident in wasm memory for the two-layer wasm step (network.ts): not copied per call.
  const ws = createWorkspace(arch, Math.max(1, n), { resident: { X: data.X.data, Y: data.Y.data, n } });
  const X = data.X.data;
  const Y = data.Y.data;
  let Xb: Float64Array | null = null;
  let Yb: Float64Array | null = null;

  const checkLengths = (theta: Float64Array, grad: Float64Array | null): void => {
    if (theta.length !== p) throw new RangeError(`objective: θ has ${theta.length} entries, expected ${p}`);
    if (grad && grad.length !== p) throw new RangeError(`objective: gradient buffer has ${grad.length} entries, expected ${p}`);
  };
  const empty = (grad: Float64Array | null): LossValue => {
    grad?.fill(0);
    return { loss: 0, logLoss: -Infinity };
  };

  const evaluate = (theta: Float64Array, grad: Float64Array | null, batch?: Int32Array): LossValue => {
    checkLengths(theta, grad);
    if (!batch) {
      if (n === 0) return empty(grad);
      return lossGradientInto(ws, theta, X, Y, n, loss, mean, 1, grad);
    }
    const nb = batch.length;
    if (nb === 0) return empty(grad);
    if (nb > n) throw new RangeError(`objective: batch of ${nb} samples, the data set has ${n}`);
    Xb ??= new Float64Array(n * d);
    Yb ??= new Float64Array(n * k);
    for (let t = 0; t < nb; t++) {
      const i = batch[t];
      if (!(i >= 0 && i < n)) throw new RangeError(`objective: batch index ${i} outside [0, ${n})`);
      Xb.set(X.subarray(i * d, i * d + d), t * d);
      if (k === 1) Yb[t] = Y[i];
      else Yb.set(Y.subarray(i * k, i * k + k), t * k);
    }
    return lossGradientInto(ws, theta, Xb, Yb, nb, loss, mean, 1, grad);
  };

  const objective: LossObjective = {
    dim: p,
    samples: n,
    homogeneity: L,
    arch,
    loss,
    mean,
    evaluate,
  };
  if (L !== null) {
    const order = L;
    objective.evaluateScaled = (u: Float64Array, s: number, gradScaled: Float64Array | null): LossValue => {
      checkLengths(u, gradScaled);
      if (n === 0) return empty(gradScaled);
      return lossGradientInto(ws, u, X, Y, n, loss, mean, Math.exp(order * s), gradScaled);
    };
  }
  return objective;
}
