/** Per-sample output Jacobians and margin gradients. */
import type { Matrix } from "../linalg/index.js";
import type { Model } from "./architecture.js";
import { checkTheta, outputDim, paramCount } from "./architecture.js";
import type { ModelData } from "./modelData.js";
import { checkInputs, checkModelData } from "./modelData.js";
import { createWorkspace, jacobianInto } from "./network.js";

/**
 * The per-sample output Jacobian J (n·k × p): row i·k + c is ∂f_c(x_i; θ)/∂θ in θ order.
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
