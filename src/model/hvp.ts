/** Exact Hessian–vector products ∇²ℒ(θ)·v (Pearlmutter's R-operator, written out by hand). */
import type { Model } from "./architecture.js";
import { paramCount } from "./architecture.js";
import type { LossName, LossOptions } from "./losses.js";
import type { ModelData } from "./modelData.js";
import { checkModelData } from "./modelData.js";
import { createWorkspace, hvpAtTheta } from "./network.js";

/** A linear operator v ↦ ∇²ℒ(θ)·v at a fixed θ, reusing one workspace (not re-entrant). */
export interface HessianOperator {
  /** p. */
  readonly dim: number;
  /** out ← ∇²ℒ(θ)·v (allocates `out` when omitted); returns out. */
  apply(v: Float64Array, out?: Float64Array): Float64Array;
}

/**
 * The Hessian of ℒ(θ) = s·Σ_i ℓ(f(x_i; θ); y_i) as an operator. θ and the data are captured
 * (θ is copied); each apply costs about two to three gradient evaluations (the MLP forward pass is
 * done once, at creation). For the formulas see twoLayerHvp / mlpHvp.
 *
 * @param model - the network at θ (θ is copied)
 * @param data - inputs X (n×d) and targets Y (n×k); RangeError on mismatched shapes
 * @param loss - "logistic", "exponential" or "square"
 * @param opts - `mean`: divide by n (default: sum)
 * @returns `{ dim, apply(v, out?) }`, v ↦ ∇²ℒ(θ)·v exactly (not re-entrant)
 * @example
 * ```ts
 * import { dot, hessianOperator, initializeModel, makeActivation, makeBuiltin, normals, createRng, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 8, activation: makeActivation("tanh") }), { seed: 2 });
 * const H = hessianOperator(net, data, "logistic", { mean: true });
 * const v = normals(createRng(3), H.dim);
 * console.log(dot(v, H.apply(v)) / dot(v, v)); // a Rayleigh quotient of ∇²ℒ
 * ```
 */
export function hessianOperator(model: Model, data: ModelData, loss: LossName, opts: LossOptions = {}): HessianOperator {
  checkModelData(model, data);
  const p = paramCount(model.arch);
  const n = data.X.rows;
  const theta = model.theta.slice();
  const apply = n === 0 ? null : hvpAtTheta(createWorkspace(model.arch, n), theta, data.X.data, data.Y.data, n, loss, opts.mean ?? false);
  return {
    dim: p,
    apply(v: Float64Array, out?: Float64Array): Float64Array {
      if (v.length !== p) throw new RangeError(`Hessian operator: v has ${v.length} entries, expected ${p}`);
      const o = out ?? new Float64Array(p);
      if (apply === null) return o.fill(0);
      apply(v, o);
      return o;
    },
  };
}

/**
 * ∇²ℒ(θ)·v for one vector v (see hessianOperator for repeated products).
 *
 * @param model - the network at θ
 * @param data - inputs X (n×d) and targets Y (n×k)
 * @param loss - "logistic", "exponential" or "square"
 * @param v - the direction, length p
 * @param opts - `mean`: divide by n (default: sum)
 * @returns ∇²ℒ(θ)·v, a new vector of length p
 * @example
 * ```ts
 * import { hessianVectorProduct, initializeModel, makeActivation, makeBuiltin, mlpArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&seed=1");
 * const net = initializeModel(mlpArchitecture([2, 4, 4, 1], makeActivation("tanh")), { seed: 2 });
 * const Hv = hessianVectorProduct(net, data, "square", net.theta); // ∇²ℒ·θ
 * console.log(Hv.length); // 28
 * ```
 */
export function hessianVectorProduct(
  model: Model, data: ModelData, loss: LossName, v: Float64Array, opts: LossOptions = {},
): Float64Array {
  return hessianOperator(model, data, loss, opts).apply(v);
}
