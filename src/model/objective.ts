/**
 * The training objective seen by the integrators in dynamics/: a loss ℒ(θ) over a flat
 * parameter vector θ (layout defined in model/), its gradient, and, for homogeneous models,
 * an evaluation at θ = e^s·u that never forms the (possibly underflowing) θ.
 */
export interface LossValue {
  /** ℒ(θ) (may underflow to 0 when logLoss < −745; logLoss stays exact). */
  loss: number;
  /** log ℒ(θ), computed in log space. */
  logLoss: number;
}

export interface Objective {
  /** Number of parameters p. */
  readonly dim: number;
  /** Number of samples n (SGD draws batches of sample indices in [0, n)). */
  readonly samples: number;
  /**
   * Homogeneity order L of the model in θ (Φ(cθ) = c^L Φ(θ), c > 0), or null when the model
   * is not homogeneous (biases, tanh, …).
   */
  readonly homogeneity: number | null;
  /**
   * ℒ and log ℒ at θ; when `grad` is given, writes ∇ℒ(θ) into it. With `batch`, the loss is
   * the one of those samples only (same sum/mean convention, applied to the batch).
   */
  evaluate(theta: Float64Array, grad: Float64Array | null, batch?: Int32Array): LossValue;
  /**
   * Homogeneous models only: the loss at θ = e^{s}·u (outputs e^{Ls}·Φ(u), evaluated without
   * forming θ) and, into `gradScaled`, e^{−(L−1)s}·∇ℒ(θ) = Σ_i ℓ′(e^{Ls}Φ(u; x_i)) ∇Φ(u; x_i).
   */
  evaluateScaled?(u: Float64Array, s: number, gradScaled: Float64Array | null): LossValue;
}
