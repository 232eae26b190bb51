/**
 * The data of a neural-correlation problem: a bias-free homogeneous architecture with one
 * output, inputs X (n×d), targets y, and the convention factor of the loss (1 for a sum, 1/n
 * for a mean), so that 𝒩(u) = c·Σ_i y_i H(x_i; u) matches the small-θ expansion of −ℒ.
 */
import type { Architecture, ModelData } from "../model/index.js";
import { checkArchData, homogeneityOrder, inputDim, outputDim, paramCount, describeArchitecture } from "../model/index.js";

/** A validated NCF problem (immutable data, shared by every function of ncf/). */
export interface NcfProblem {
  readonly arch: Architecture;
  /** n×d inputs, row-major. */
  readonly X: Float64Array;
  readonly n: number;
  readonly d: number;
  /** Targets (labels ±1 or reals), length n. */
  readonly y: Float64Array;
  /** c = 1 (sum) or 1/n (mean): 𝒩(u) = c·Σ_i y_i H(x_i; u). */
  readonly scale: number;
  /** Homogeneity order L of H in u (H(x; cu) = c^L H(x; u), c > 0). */
  readonly L: number;
  /** Number of parameters p = dim u. */
  readonly p: number;
}

/**
 * Build an NCF problem. The architecture must be bias-free, homogeneous (relu, leaky_relu,
 * linear or relu_power) and have one output; RangeError otherwise (the CLI turns its own
 * option checks into InputErrors before calling this).
 *
 * @param arch - a bias-free homogeneous architecture with one output (two-layer, mlp or conv)
 * @param data - inputs X (n × d) and targets Y (n × 1: labels ±1 or reals)
 * @param opts - `mean`: c = 1/n (the loss is a mean) instead of c = 1 (a sum)
 * @returns the validated problem: X, y, the factor c, the homogeneity order L and the parameter count p
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfProblem, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:sin?n=20&d=5&seed=3");
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), data);
 * console.log(prob.L, prob.p); // 2, 24
 * ```
 */
export function ncfProblem(arch: Architecture, data: ModelData, opts: { mean?: boolean } = {}): NcfProblem {
  checkArchData(arch, data);
  if (outputDim(arch) !== 1) throw new RangeError(`ncf: needs a scalar-output network, ${describeArchitecture(arch)} has ${outputDim(arch)} outputs`);
  if (arch.kind === "two-layer" && (arch.inputBias || arch.outputBias)) {
    throw new RangeError(`ncf: needs a bias-free network, got ${describeArchitecture(arch)}`);
  }
  const L = homogeneityOrder(arch);
  if (L === null) throw new RangeError(`ncf: the network must be positively homogeneous, ${describeArchitecture(arch)} is not`);
  const n = data.X.rows;
  return {
    arch,
    X: data.X.data,
    n,
    d: inputDim(arch),
    y: data.Y.data,
    scale: opts.mean ? 1 / Math.max(1, n) : 1,
    L,
    p: paramCount(arch),
  };
}
