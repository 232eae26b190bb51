/**
 * σ‴(z) of the smooth activations, for the third-order term of the plateau expansion
 * (docs/science/plateau.md §5.7): T_j = Σ_i r_i σ‴(z_ij) x̃_i ⊗ x̃_i ⊗ x̃_i. Closed forms from
 * σ′ and σ″ of src/model/activations.ts (checked against finite differences of σ″ in
 * test/plateau/cubic.test.ts):
 *   tanh     σ‴ = −2(1 − t²)(1 − 3t²),  t = tanh z
 *   sigmoid  σ‴ = s(1 − s)(1 − 6s + 6s²),  s = sigmoid z
 *   softplus σ‴ = s(1 − s)(1 − 2s)  (σ′ = sigmoid)
 *   gelu     σ‴ = zφ(z)(z² − 4)  (σ″ = φ(z)(2 − z²))
 *   swish    σ‴ = 3s″ + z s‴  (σ = z·s; s″, s‴ the sigmoid's)
 *   erf      σ‴ = (2/√π)(4z² − 2)e^{−z²}
 *   linear, relu, leaky_relu: 0; relu_power: p(p − 1)(p − 2)z^{p−3} for z > 0, else 0.
 */
import { normalPdf, sigmoid, type Activation } from "../model/index.js";

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** Sigmoid's s″ = s(1 − s)(1 − 2s) and s‴ = s(1 − s)(1 − 6s + 6s²). */
function sigmoidHigher(z: number): { s2: number; s3: number } {
  const s = sigmoid(z);
  const ds = s * sigmoid(-z);
  return { s2: ds * (1 - 2 * s), s3: ds * (1 - 6 * s + 6 * s * s) };
}

/**
 * σ‴(z), by the closed forms of the file comment.
 *
 * @param act - the activation σ
 * @param z - the pre-activation
 * @returns σ‴(z) (0 for the piecewise-linear activations)
 * @example
 * ```ts
 * import { activationThirdDerivative, makeActivation } from "splitscape";
 * console.log(activationThirdDerivative(makeActivation("tanh"), 0)); // −2 (tanh z = z − z³/3 + …)
 * ```
 */
export function activationThirdDerivative(act: Activation, z: number): number {
  switch (act.name) {
    case "relu": case "leaky_relu": case "linear": return 0;
    case "relu_power": return z > 0 ? act.power * (act.power - 1) * (act.power - 2) * Math.pow(z, act.power - 3) : 0;
    case "tanh": { const t = Math.tanh(z); return -2 * (1 - t * t) * (1 - 3 * t * t); }
    case "sigmoid": return sigmoidHigher(z).s3;
    case "softplus": return sigmoidHigher(z).s2;
    case "gelu": return z * normalPdf(z) * (z * z - 4);
    case "swish": { const h = sigmoidHigher(z); return 3 * h.s2 + z * h.s3; }
    case "erf": return TWO_OVER_SQRT_PI * (4 * z * z - 2) * Math.exp(-z * z);
  }
}
