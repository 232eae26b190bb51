/**
 * The training Objective of a loss given as a function of the network's outputs,
 *
 *   ℒ(θ) = L(F),  F = f(X; θ) (n×k),   ∇ℒ(θ) = Σ_i (∂L/∂F_i)ᵀ ∂f(x_i; θ)/∂θ (the output VJP),
 *
 * for losses outside model's named set (losses.ts) — e.g. the softmax cross-entropy of the
 * vector-output convex program, which couples the k outputs of a sample. The loss is evaluated
 * on all samples at once (no batches) and in plain float64 (no log space: for losses bounded
 * away from 0 at the scales studied).
 */
import type { Matrix } from "../linalg/index.js";
import type { Architecture } from "./architecture.js";
import { outputDim, paramCount } from "./architecture.js";
import { checkInputs } from "./modelData.js";
import { createWorkspace, forwardInto, vjpInto } from "./network.js";
import type { LossValue, Objective } from "./objective.js";

/** A loss L(F) on the outputs F (n×k row-major) of a network on fixed data. */
export interface OutputLoss {
  /** L(F); writes ∂L/∂F (n×k) into dF when given. */
  value(F: Float64Array, dF: Float64Array | null): number;
}

/**
 * ℒ(θ) = L(f(X; θ)) as an Objective over θ of `arch` (one workspace, reused; not re-entrant).
 * `evaluate` with a batch is a RangeError: L is defined on the whole output matrix.
 *
 * @param arch - the architecture (θ is supplied per call)
 * @param X - inputs, n×d (RangeError unless d = inputDim(arch))
 * @param loss - `{ value(F, dF) }`: L of the n×k outputs, writing ∂L/∂F into dF when it is not null
 * @returns an Objective over θ (no batches, no evaluateScaled)
 * @example
 * ```ts
 * import { fromRows, initializeModel, makeActivation, outputLossObjective, twoLayerArchitecture } from "splitscape";
 * const X = fromRows([[1, 0], [0, 1], [1, 1]]);
 * const target = [0.5, -0.5, 0];
 * // L(F) = Σ_i |F_i − t_i|⁴/4, a loss outside the named set
 * const quartic = {
 *   value(F: Float64Array, dF: Float64Array | null): number {
 *     let s = 0;
 *     F.forEach((f, i) => { const r = f - target[i]; s += r ** 4 / 4; if (dF) dF[i] = r ** 3; });
 *     return s;
 *   },
 * };
 * const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("tanh") });
 * const obj = outputLossObjective(arch, X, quartic);
 * const grad = new Float64Array(obj.dim);
 * console.log(obj.evaluate(initializeModel(arch, { seed: 1 }).theta, grad).loss);
 * ```
 */
export function outputLossObjective(arch: Architecture, X: Matrix, loss: OutputLoss): Objective {
  checkInputs(arch, X);
  const n = X.rows;
  const p = paramCount(arch);
  const F = new Float64Array(n * outputDim(arch));
  const dF = new Float64Array(F.length);
  const ws = createWorkspace(arch, Math.max(1, n));
  return {
    dim: p,
    samples: n,
    homogeneity: null,
    evaluate(theta: Float64Array, grad: Float64Array | null, batch?: Int32Array): LossValue {
      if (batch !== undefined) throw new RangeError("outputLossObjective: the loss is defined on all samples at once (no batches)");
      if (theta.length !== p) throw new RangeError(`objective: θ has ${theta.length} entries, expected ${p}`);
      if (grad && grad.length !== p) throw new RangeError(`objective: gradient buffer has ${grad.length} entries, expected ${p}`);
      if (n > 0) forwardInto(ws, theta, X.data, n, F);
      const value = loss.value(F, grad ? dF : null);
      if (grad) {
        if (n > 0) vjpInto(ws, theta, X.data, n, dF, grad);
        else grad.fill(0);
      }
      return { loss: value, logLoss: Math.log(value) };
    },
  };
}
