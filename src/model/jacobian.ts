/** Per-sample output Jacobians and margin gradients. */
import type { Matrix } from "../linalg/index.js";
import type { Model } from "./architecture.js";
import { checkTheta, outputDim, paramCount } from "./architecture.js";
import type { ModelData } from "./modelData.js";
import { checkInputs, checkModelData } from "./modelData.js";
import { createWorkspace, jacobianInto } from "./network.js";

/**
 * The per-sample output Jacobian J (n·k × p): row i·k + c is ∂f_c(x_i; θ)/∂θ in θ order.
 *
 * @param model - the network
 * @param X - inputs, n×d
 * @returns J, a new (n·k)×p matrix
 * @example
 * ```ts
 * import { fromRows, initializeModel, makeActivation, mlpArchitecture, outputJacobian } from "splitscape";
 * const net = initializeModel(mlpArchitecture([2, 3, 1], makeActivation("tanh")), { seed: 1 });
 * const J = outputJacobian(net, fromRows([[1, 0], [0.5, -1]]));
 * console.log(J.rows, J.cols); // 2 9 (the NTK is J·Jᵀ)
 * ```
 */
export function outputJacobian(model: Model, X: Matrix): Matrix {
  checkTheta(model.arch, model.theta);
  checkInputs(model.arch, X);
  const n = X.rows;
  const k = outputDim(model.arch);
  const p = paramCount(model.arch);
  const J = new Float64Array(n * k * p);
  if (n > 0) jacobianInto(createWorkspace(model.arch, n), model.theta, X.data, n, J, p);
  return { rows: n * k, cols: p, data: J };
}

/**
 * Margin gradients ∇_θ q_ic = Y_ic ∂f_c(x_i; θ)/∂θ as the rows of an (n·k × p) matrix (k = 1:
 * row i = y_i ∇f(x_i), the h_i of a KKT certificate). σ′(0) follows the left-derivative
 * convention; kinks are the caller's business (see activations.kinkInterval).
 *
 * @param model - the network
 * @param data - inputs X (n×d) and targets Y (n×k, ±1 labels)
 * @returns the (n·k)×p matrix of margin gradients
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, marginGradients, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=10&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 1 });
 * const H = marginGradients(net, data);
 * console.log(H.rows, H.cols); // 10 12
 * ```
 */
export function marginGradients(model: Model, data: ModelData): Matrix {
  checkModelData(model, data);
  const J = outputJacobian(model, data.X);
  const p = J.cols;
  for (let r = 0; r < J.rows; r++) {
    const y = data.Y.data[r];
    for (let t = r * p; t < (r + 1) * p; t++) J.data[t] *= y;
  }
  return J;
}
