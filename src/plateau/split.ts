/**
 * The copy-and-divide split of a smooth two-layer network (docs/science/plateau.md §2,
 * the splitting map): unit j with (a_j, w_j, b_j) becomes k children (λ_l a_j, w_j, b_j), Σ λ_l = 1. The
 * first child stays at index j, children 2…k are appended after the last unit (INTERFACES.md,
 * "Parameter vector"). f is unchanged, and θ_λ is stationary whenever θ is.
 *
 * `splitUnitCopyDivide` uses splitting/'s copyDivideSplit (the one implementation of the map);
 * `splitUnitCopyDivideReference` is the direct construction written before that existed, kept as
 * an independent check of the parameter layout (test/plateau/split.test.ts).
 */
import { InputError } from "../common/errors.js";
import type { Model, TwoLayerArchitecture } from "../model/index.js";
import { copyDivideSplit } from "../splitting/index.js";
import { formatActivation, kinkInterval, twoLayerArchitecture, twoLayerParts } from "../model/index.js";

/** RangeError unless the model is a two-layer network with a scalar output. */
export function requireScalarTwoLayer(model: Model, where: string): TwoLayerArchitecture {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new RangeError(`${where}: needs a two-layer network, got an mlp`);
  if (arch.k !== 1) throw new RangeError(`${where}: needs a scalar output (k = 1), the network has ${arch.k} outputs`);
  return arch;
}

/**
 * InputError (naming `source`, field "activation") unless σ is twice continuously differentiable:
 * the plateau results classify split points by second-order information (H_red, the inner
 * Hessian H_j = Σ_i r_i a_j σ″(w_jᵀx_i + b_j) x̃_i x̃_iᵀ), which does not exist at the kink of
 * relu / leaky_relu (σ′ jumps) and jumps at 0 for relu_power with p < 3 (σ″ = p(p−1)z^{p−2}).
 */
export function requireSmoothActivation(arch: TwoLayerArchitecture, source: string): void {
  const act = arch.activation;
  const kinked = kinkInterval(act) !== null;
  if (kinked || (act.name === "relu_power" && act.power < 3)) {
    throw new InputError(
      source,
      `plateau needs a smooth (twice continuously differentiable) activation, got ${formatActivation(act)}: ` +
        `${kinked ? "its derivative jumps at the kink z = 0" : "its second derivative jumps at z = 0"}, so the Hessians behind the split-point classes are not defined there; ` +
        "use tanh, sigmoid, softplus, gelu, swish, erf, linear or relu_power with p ≥ 3",
      "activation",
    );
  }
}

/** RangeError unless λ has at least one entry, all finite, summing to 1 within `tol`. */
export function checkLambdas(lambdas: readonly number[], tol = 1e-12): void {
  if (lambdas.length < 1) throw new RangeError("split: λ needs at least one entry");
  let s = 0;
  for (const l of lambdas) {
    if (!Number.isFinite(l)) throw new RangeError(`split: λ has a non-finite entry ${l}`);
    s += l;
  }
  if (Math.abs(s - 1) > tol * Math.max(1, ...lambdas.map(Math.abs))) throw new RangeError(`split: Σ λ_l = ${s}, expected 1`);
}

/**
 * Indices of the k children of unit j in the split network of m + k − 1 units: [j, m, m+1, …].
 *
 * @param m - the width of the unsplit network
 * @param unit - the split unit j
 * @param k - the number of children
 * @returns the k unit indices of the children in the split network (the first keeps index j)
 * @example
 * ```ts
 * import { childIndices } from "splitscape";
 * console.log(childIndices(3, 1, 3)); // [1, 3, 4]
 * ```
 */
export function childIndices(m: number, unit: number, k: number): number[] {
  const out = [unit];
  for (let l = 1; l < k; l++) out.push(m + l - 1);
  return out;
}

/**
 * θ_λ: unit j of a scalar-output two-layer network split into k = λ.length children
 * (λ_l a_j, w_j, b_j); the other units and c unchanged (splitting/copyDivideSplit).
 *
 * @param model - a scalar-output two-layer network (RangeError otherwise)
 * @param unit - the index j of the unit to split, in [0, m)
 * @param lambdas - the split coefficients λ (k ≥ 1 finite entries summing to 1; RangeError otherwise)
 * @returns the network of m + k − 1 units with the same function (children at `childIndices(m, unit, k)`)
 * @example
 * ```ts
 * import { designStationaryPoint, evaluateLoss, makeActivation, splitUnitCopyDivide } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const wide = splitUnitCopyDivide(model, 0, [0.3, 0.7]);
 * console.log(evaluateLoss(wide, data, "square").loss - evaluateLoss(model, data, "square").loss); // 0 up to rounding
 * ```
 */
export function splitUnitCopyDivide(model: Model, unit: number, lambdas: readonly number[]): Model {
  const arch = requireScalarTwoLayer(model, "split");
  if (!(Number.isInteger(unit) && unit >= 0 && unit < arch.m)) throw new RangeError(`split: unit ${unit} is not in [0, ${arch.m})`);
  checkLambdas(lambdas);
  return copyDivideSplit(model, unit, lambdas).model;
}

/** The same map built directly on the θ layout (independent reference for tests). */
export function splitUnitCopyDivideReference(model: Model, unit: number, lambdas: readonly number[]): Model {
  const arch = requireScalarTwoLayer(model, "split");
  const { d, m } = arch;
  if (!(Number.isInteger(unit) && unit >= 0 && unit < m)) throw new RangeError(`split: unit ${unit} is not in [0, ${m})`);
  checkLambdas(lambdas);
  const k = lambdas.length;
  const wide = twoLayerArchitecture({ d, m: m + k - 1, k: 1, activation: arch.activation, inputBias: arch.inputBias, outputBias: arch.outputBias });
  const theta = new Float64Array((m + k - 1) * d + (m + k - 1) + (arch.inputBias ? m + k - 1 : 0) + (arch.outputBias ? 1 : 0));
  const src = twoLayerParts(arch, model.theta);
  const dst = twoLayerParts(wide, theta);
  dst.W.set(src.W);
  dst.a.set(src.a);
  if (src.b && dst.b) dst.b.set(src.b);
  if (src.c && dst.c) dst.c.set(src.c);
  const aj = src.a[unit];
  const kids = childIndices(m, unit, k);
  for (let l = 0; l < k; l++) {
    const c = kids[l];
    dst.W.set(src.W.subarray(unit * d, (unit + 1) * d), c * d);
    dst.a[c] = lambdas[l] * aj;
    if (src.b && dst.b) dst.b[c] = src.b[unit];
  }
  return { arch: wide, theta };
}
