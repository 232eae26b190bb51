/**
 * Weight decay: the L2 penalty (β/2)‖θ‖² on the parameter vector and an Objective that adds it,
 *
 *   ℒ_β(θ) = ℒ(θ) + (β/2)‖θ‖²,   ∇ℒ_β(θ) = ∇ℒ(θ) + βθ.
 *
 * For a two-layer network in the convex program's input space (a bias is a column of ones) this
 * is (β/2) Σ_j (‖w_j‖² + ‖a_j‖²), the weight-decayed objective (NC) of docs/science/convex.md §1.1; for the
 * parallel three-layer network (β/2) Σ_j (‖W_{1j}‖²_F + ‖w_{2j}‖² + a_j²). Every entry of θ is
 * penalised (input biases too; the convex programs keep no output bias).
 */
import type { LossValue, Objective } from "./objective.js";

/**
 * (β/2)‖θ‖² = (β/2) Σ_i θ_i², summed in θ order.
 *
 * @param theta - the parameter vector
 * @param beta - the weight-decay coefficient β
 * @returns (β/2)‖θ‖²
 * @example
 * ```ts
 * import { weightDecayPenalty } from "splitscape";
 * console.log(weightDecayPenalty(new Float64Array([3, 4]), 0.1)); // 0.05·25 = 1.25
 * ```
 */
export function weightDecayPenalty(theta: Float64Array, beta: number): number {
  let s = 0;
  for (let i = 0; i < theta.length; i++) s += theta[i] * theta[i];
  return 0.5 * beta * s;
}

/**
 * The Objective ℒ(θ) + (β/2)‖θ‖² (β ≥ 0, finite). Its `loss` is the penalised value and `logLoss`
 * its logarithm, computed directly (the penalty keeps the value away from underflow); the
 * penalty breaks positive homogeneity, so `homogeneity` is null and there is no evaluateScaled.
 * With a batch the penalty is added once to the batch loss (the SGD step of ℒ_β).
 *
 * @param objective - the unpenalised objective ℒ (e.g. makeObjective)
 * @param beta - β ≥ 0, finite (RangeError otherwise)
 * @returns the Objective ℒ_β with gradient ∇ℒ + βθ
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, makeObjective, twoLayerArchitecture, withWeightDecay } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("relu") });
 * const objective = withWeightDecay(makeObjective(arch, data, "square", { mean: true }), 1e-3);
 * const theta = initializeModel(arch, { seed: 2 }).theta;
 * console.log(objective.evaluate(theta, null).loss, objective.homogeneity); // ℒ + (β/2)‖θ‖², null
 * ```
 */
export function withWeightDecay(objective: Objective, beta: number): Objective {
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new RangeError(`withWeightDecay: β must be a finite number ≥ 0, got ${beta}`);
  return {
    dim: objective.dim,
    samples: objective.samples,
    homogeneity: null,
    evaluate(theta: Float64Array, grad: Float64Array | null, batch?: Int32Array): LossValue {
      const v = objective.evaluate(theta, grad, batch);
      if (grad) for (let i = 0; i < theta.length; i++) grad[i] += beta * theta[i];
      const loss = v.loss + weightDecayPenalty(theta, beta);
      return { loss, logLoss: Math.log(loss) };
    },
  };
}
