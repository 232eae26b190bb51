/** Model-level splits: apply a splitting or copy-and-divide map to a model. */
import type { Model } from "../model/index.js";
import type { EmbeddingMap } from "./embeddingMap.js";
import { embedModel } from "./embeddingMap.js";
import type { SplitOptions, UnitRef } from "./split.js";
import { copyDivideMap, splitMap } from "./split.js";

/** A split model with the map that made it. */
export interface SplitResult {
  readonly model: Model;
  readonly map: EmbeddingMap;
}

function toRef(unit: number | UnitRef): UnitRef {
  return typeof unit === "number" ? { unit } : unit;
}

/**
 * Split a unit of a homogeneous network (arXiv 2505.12419): η = Tθ with copy i carrying
 * (c_i · incoming, c_i · outgoing) weights, c_i ≥ 0, Σc_i² = 1. `unit` is a 0-based unit of
 * hidden layer 1, or {layer, unit}.
 *
 * @param model - a homogeneous network
 * @param unit - the unit to split: its index in hidden layer 1, or `{layer, unit}`
 * @param coeffs - c_1, …, c_K ≥ 0 with Σc_i² = 1 (K copies)
 * @param opts - tolerance on Σc_i² = 1
 * @returns the wide model η = Tθ and the map T
 * @example
 * ```ts
 * import { initializeModel, makeActivation, splitUnit, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * const { model: wide } = splitUnit(net, 0, [0.6, 0.8]);
 * console.log(net.theta.length, "→", wide.theta.length); // 18 → 21
 * ```
 */
export function splitUnit(model: Model, unit: number | UnitRef, coeffs: readonly number[], opts: SplitOptions = {}): SplitResult {
  const map = splitMap(model.arch, toRef(unit), coeffs, opts);
  return { model: embedModel(map, model), map };
}

/**
 * Copy-and-divide split of Zhang et al. 2021: copy i keeps the incoming weights and gets
 * λ_i · the outgoing weights, Σλ_i = 1 (two copies: λ = (α, 1 − α)); preserves the function of
 * any network and maps critical points of the loss to critical points.
 *
 * @param model - any two-layer network, MLP or conv network
 * @param unit - the unit to split: its index in hidden layer 1, or `{layer, unit}`
 * @param lambdas - λ_1, …, λ_K with Σλ_i = 1 (K copies)
 * @param opts - tolerance on Σλ_i = 1, names for error messages
 * @returns the wide model and the map T
 * @example
 * ```ts
 * import { copyDivideSplit, initializeModel, isometryDefect, makeActivation, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("gelu") }), { seed: 2 });
 * const { model: wide, map } = copyDivideSplit(net, 3, [0.5, 0.5]);
 * console.log(wide.theta.length, isometryDefect(map)); // 21 1 (not an isometry)
 * ```
 */
export function copyDivideSplit(model: Model, unit: number | UnitRef, lambdas: readonly number[], opts: Pick<SplitOptions, "tol" | "source" | "refNames"> = {}): SplitResult {
  const map = copyDivideMap(model.arch, toRef(unit), lambdas, opts);
  return { model: embedModel(map, model), map };
}
