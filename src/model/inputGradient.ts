/** Gradients of a network with respect to its INPUT (what `x.grad` holds in PyTorch). */
import { type Matrix } from "../linalg/index.js";
import { gemmRaw } from "../linalg/gemm.js";
import { applyActivation } from "./activations.js";
import type { Model } from "./architecture.js";
import { checkTheta, mlpWeights, outputDim, twoLayerParts } from "./architecture.js";
import { convInputVjp, createConvWorkspace } from "./conv/index.js";
import { checkInputs } from "./modelData.js";
import { parallelThreeLayerToMlp } from "./parallelThreeLayerKernels.js";

/**
 * G (n×d), row i = ∇ₓ ⟨R_i, f(x_i; θ)⟩ = J_x f(x_i)ᵀ R_i, by reverse mode over the whole batch;
 * R (n×k) defaults to all ones, giving ∇ₓ Σ_c f_c(x_i) — the rows PyTorch leaves in X.grad after
 * `f(X).sum().backward()`. With Z_l the n×h_l pre-activations (rows = samples):
 *   two-layer  f = Σ_j a_j σ(w_jᵀx + b_j) (+ c):  G = (σ′(Z₁) ⊙ R aᵀ) W;
 *   mlp        f = W_L σ(… σ(W_1 x)):  Γ_L = R, Γ_l = σ′(Z_l) ⊙ Γ_{l+1} W_{l+1}, G = Γ_1 W_1;
 *   conv       dU_S = R W, dU_{s−1} = col2im(K_sᵀ (σ′(Z_s) ⊙ dU_s)) or poolᵀ dU_s, G = dU_0
 *              (conv/inputGradient.ts: im2col's adjoint, blocked like the θ-gradient);
 *   parallel three-layer: the MLP it embeds into (parallelThreeLayerToMlp, the same function of x),
 * with σ′ at a kink the left derivative (activations.ts) — also PyTorch's choice for ReLU (0 at 0)
 * and LeakyReLU (the slope at 0). The products run on the project's GEMM.
 *
 * @param model - the network
 * @param X - inputs, n×d (RangeError unless d = inputDim(model.arch))
 * @param R - optional cotangent, n×k (RangeError on other shapes); default all ones
 * @returns G, a new n×d matrix: row i = J_x f(x_i)ᵀ R_i
 * @example
 * ```ts
 * import { fromRows, initializeModel, inputGradient, makeActivation, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("tanh") }), { seed: 1 });
 * const G = inputGradient(net, fromRows([[0.5, -1], [1, 1]]));
 * console.log(G.rows, G.cols, G.data); // ∇ₓ f at each of the two inputs
 * ```
 */
export function inputGradient(model: Model, X: Matrix, R?: Matrix): Matrix {
  const { arch, theta } = model;
  checkTheta(arch, theta);
  checkInputs(arch, X);
  const n = X.rows;
  const d = X.cols;
  const k = outputDim(arch);
  if (R !== undefined && (R.rows !== n || R.cols !== k)) throw new RangeError(`inputGradient: R is ${R.rows}×${R.cols}, expected ${n}×${k}`);
  const Rdata = R?.data ?? new Float64Array(n * k).fill(1);
  const G = new Float64Array(n * d);
  if (n === 0) return { rows: n, cols: d, data: G };
  if (arch.kind === "two-layer") {
    const { m } = arch;
    const { W, a, b } = twoLayerParts(arch, theta);
    const Z = new Float64Array(n * m);
    if (b !== null) for (let i = 0; i < n; i++) Z.set(b, i * m);
    gemmRaw(false, true, n, m, d, 1, X.data, 0, d, W, 0, d, b === null ? 0 : 1, Z, 0, m);
    const S = new Float64Array(n * m);
    applyActivation(arch.activation, Z, 0, n * m, null, S, null);
    const Ra = new Float64Array(n * m); // R aᵀ: a is m×k row-major
    gemmRaw(false, true, n, m, k, 1, Rdata, 0, k, a, 0, k, 0, Ra, 0, m);
    for (let t = 0; t < n * m; t++) S[t] *= Ra[t];
    gemmRaw(false, false, n, d, m, 1, S, 0, m, W, 0, d, 0, G, 0, d);
    return { rows: n, cols: d, data: G };
  }
  if (arch.kind === "conv") {
    convInputVjp(createConvWorkspace(arch, n), theta, X.data, n, Rdata, G);
    return { rows: n, cols: d, data: G };
  }
  if (arch.kind === "parallel-three-layer") return inputGradient(parallelThreeLayerToMlp(arch, theta), X, { rows: n, cols: k, data: Rdata });
  const Ws = mlpWeights(arch, theta);
  const w = arch.widths;
  const L = Ws.length;
  // Forward: Z_l = H_{l−1} W_lᵀ, keeping σ′(Z_l) for l < L.
  const slopes: Float64Array[] = [];
  let H = X.data;
  for (let l = 0; l < L - 1; l++) {
    const Z = new Float64Array(n * w[l + 1]);
    gemmRaw(false, true, n, w[l + 1], w[l], 1, H, 0, w[l], Ws[l], 0, w[l], 0, Z, 0, w[l + 1]);
    const D = new Float64Array(Z.length);
    applyActivation(arch.activation, Z, 0, Z.length, Z, D, null);
    slopes.push(D);
    H = Z;
  }
  // Backward: Γ_{l} = σ′(Z_l) ⊙ Γ_{l+1} W_{l+1}.
  let Gamma = Rdata;
  for (let l = L - 1; l >= 0; l--) {
    const back = l === 0 ? G : new Float64Array(n * w[l]);
    gemmRaw(false, false, n, w[l], w[l + 1], 1, Gamma, 0, w[l + 1], Ws[l], 0, w[l], 0, back, 0, w[l]);
    if (l > 0) {
      const D = slopes[l - 1];
      for (let t = 0; t < back.length; t++) back[t] *= D[t];
    }
    Gamma = back;
  }
  return { rows: n, cols: d, data: G };
}
