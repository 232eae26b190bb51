/** Network outputs and margins for a whole data set. */
import type { Matrix } from "../linalg/index.js";
import type { Model } from "./architecture.js";
import { checkTheta, outputDim } from "./architecture.js";
import type { ModelData } from "./modelData.js";
import { checkInputs, checkModelData } from "./modelData.js";
import { createWorkspace, forwardInto } from "./network.js";

/**
 * Outputs F = f(X; θ) as an n×k matrix (row i = f(x_i)).
 *
 * @param model - the network
 * @param X - inputs, n×d row-major (RangeError unless d = inputDim(model.arch))
 * @returns the outputs F, a new n×k matrix
 * @example
 * ```ts
 * import { forward, fromRows, initializeModel, makeActivation, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("relu") }), { seed: 1 });
 * const F = forward(net, fromRows([[1, 0], [0, 1], [-1, -1]]));
 * console.log(F.rows, F.cols, F.data);
 * ```
 */
export function forward(model: Model, X: Matrix): Matrix {
  checkTheta(model.arch, model.theta);
  checkInputs(model.arch, X);
  const n = X.rows;
  const k = outputDim(model.arch);
  const F = new Float64Array(n * k);
  if (n > 0) forwardInto(createWorkspace(model.arch, n), model.theta, X.data, n, F);
  return { rows: n, cols: k, data: F };
}

/**
 * Margins q = Y ⊙ f(X; θ) (n×k; for ±1 labels q_i = y_i f(x_i), one-vs-all for k > 1).
 *
 * @param model - the network
 * @param data - inputs X (n×d) and targets Y (n×k, ±1 labels); RangeError on mismatched shapes
 * @returns q = Y ⊙ F, a new n×k matrix
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, margins, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=20&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("relu") }), { seed: 1 });
 * const q = margins(net, data);
 * console.log(q.data.filter((v) => v > 0).length, "of", q.rows, "samples classified correctly");
 * ```
 */
export function margins(model: Model, data: ModelData): Matrix {
  checkModelData(model, data);
  const F = forward(model, data.X);
  const q = F.data;
  for (let t = 0; t < q.length; t++) q[t] *= data.Y.data[t];
  return F;
}

/**
 * q_min = min_i,c Y_ic f_c(x_i; θ) (+∞ for no samples).
 *
 * @param model - the network
 * @param data - inputs X (n×d) and targets Y (n×k, ±1 labels)
 * @returns the smallest margin; > 0 means every sample is classified correctly
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, minMargin, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=20&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("relu") }), { seed: 1 });
 * console.log(minMargin(net, data));
 * ```
 */
export function minMargin(model: Model, data: ModelData): number {
  const q = margins(model, data).data;
  let m = Infinity;
  for (let t = 0; t < q.length; t++) if (q[t] < m) m = q[t];
  return m;
}
