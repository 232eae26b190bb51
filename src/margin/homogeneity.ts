/** The homogeneity order L of a model, with the reason when there is none. */
import { InputError } from "../common/errors.js";
import type { Architecture } from "../model/index.js";
import { activationHomogeneity, describeArchitecture, formatActivation, homogeneityOrder } from "../model/index.js";

/**
 * Why Φ(cθ; x) = c^L Φ(θ; x) fails for this architecture, or null when it holds
 * (docs/science/embedding.md §1.1: bias-free nets with σ(z) = a·max(z,0) + b·min(z,0), or relu_power).
 *
 * @param arch - any architecture
 * @returns a one-sentence reason (output bias, non-homogeneous σ, …), or null when Φ is homogeneous in θ
 * @example
 * ```ts
 * import { makeActivation, nonHomogeneityReason, twoLayerArchitecture } from "splitscape";
 * console.log(nonHomogeneityReason(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }))); // null
 * console.log(nonHomogeneityReason(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("tanh") }))); // the activation tanh is not …
 * ```
 */
export function nonHomogeneityReason(arch: Architecture): string | null {
  if (homogeneityOrder(arch) !== null) return null;
  if (arch.kind === "two-layer" && arch.outputBias) {
    return `the ${describeArchitecture(arch)} network has an output bias c, which does not scale with θ (Φ(cθ) ≠ c^L Φ(θ))`;
  }
  if (activationHomogeneity(arch.activation) === null) {
    return `the activation ${formatActivation(arch.activation)} is not positively homogeneous (σ(cz) ≠ c^p σ(z)); use relu, leaky_relu, linear or relu_power`;
  }
  return `the ${describeArchitecture(arch)} network is not positively homogeneous in θ`;
}

/**
 * The order L with Φ(cθ; x) = c^L Φ(θ; x) for c > 0 (model.homogeneityOrder: L = h + 1 for a
 * bias-free net with h hidden layers and a degree-1 activation). InputError (exit 2 in the
 * CLI) with the reason when the model is not homogeneous.
 *
 * @param arch - the architecture
 * @param source - what the InputError names as the bad input (default "model")
 * @returns the homogeneity order L (2 for a bias-free two-layer ReLU network)
 * @example
 * ```ts
 * import { makeActivation, mlpArchitecture, requireHomogeneity } from "splitscape";
 * console.log(requireHomogeneity(mlpArchitecture([2, 8, 8, 1], makeActivation("relu")))); // 3
 * ```
 */
export function requireHomogeneity(arch: Architecture, source = "model"): number {
  const L = homogeneityOrder(arch);
  if (L === null) throw new InputError(source, `margins and KKT certificates need a homogeneous network: ${nonHomogeneityReason(arch)}`);
  return L;
}
