/**
 * Linear embeddings θ ↦ η = Tθ whose matrix has exactly one nonzero entry per row: every wide
 * parameter η_i is a multiple of one narrow parameter, η_i = scale_i · θ_{source_i}. Both the
 * splitting map of the embedding principle (arXiv 2505.12419, scale = c_i) and the
 * copy-and-divide embedding of Zhang et al. 2021 (scale = 1 on copied input weights, λ_i on
 * divided output weights) have this form, so T, Tᵀ, compositions and the dense matrix are exact
 * index operations (no rounding beyond one multiplication per entry).
 */
import { distance } from "../linalg/index.js";
import type { Architecture, Model } from "../model/index.js";
import { checkTheta, paramCount } from "../model/index.js";

/** η = Tθ with η_i = scale_i · θ_{source_i}; maps parameters of `from` to parameters of `to`. */
export interface EmbeddingMap {
  readonly from: Architecture;
  readonly to: Architecture;
  /** For each wide parameter i, the narrow parameter it comes from. */
  readonly source: Int32Array;
  /** For each wide parameter i, its coefficient. */
  readonly scale: Float64Array;
}

/**
 * η = Tθ: η_i = scale_i θ_{source_i} (INTERFACES.md parameter order on both sides).
 *
 * @param T - the embedding map (`splitUnit(…).map`, `splitMap`, `copyDivideMap`)
 * @param theta - parameters of `T.from` (length paramCount(T.from); checked)
 * @param out - optional output buffer of length paramCount(T.to), overwritten
 * @returns η = Tθ, the parameters of `T.to` (`out` when given)
 * @example
 * ```ts
 * import { applyEmbedding, initializeModel, makeActivation, splitMap, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), { seed: 1 });
 * const T = splitMap(net.arch, { unit: 1 }, [0.6, 0.8]);
 * const eta = applyEmbedding(T, net.theta);
 * console.log(net.theta.length, "→", eta.length); // 9 → 12
 * ```
 */
export function applyEmbedding(T: EmbeddingMap, theta: Float64Array, out?: Float64Array): Float64Array {
  checkTheta(T.from, theta);
  const p2 = T.source.length;
  const eta = out ?? new Float64Array(p2);
  for (let i = 0; i < p2; i++) eta[i] = T.scale[i] * theta[T.source[i]];
  return eta;
}

/**
 * θ = Tᵀη: θ_j = Σ_{i : source_i = j} scale_i η_i (the projection back onto the narrow network
 * when T is an isometry, TᵀT = I).
 *
 * @param T - the embedding map
 * @param eta - parameters of `T.to` (length paramCount(T.to); checked)
 * @param out - optional output buffer of length paramCount(T.from), overwritten
 * @returns θ = Tᵀη, parameters of `T.from` (`out` when given)
 * @example
 * ```ts
 * import { applyEmbedding, applyEmbeddingTranspose, initializeModel, makeActivation, splitMap, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), { seed: 1 });
 * const T = splitMap(net.arch, { unit: 0 }, [0.6, 0.8]);
 * const back = applyEmbeddingTranspose(T, applyEmbedding(T, net.theta)); // TᵀT = I
 * console.log(Math.max(...back.map((v, i) => Math.abs(v - net.theta[i])))); // ~1e-16
 * ```
 */
export function applyEmbeddingTranspose(T: EmbeddingMap, eta: Float64Array, out?: Float64Array): Float64Array {
  checkTheta(T.to, eta);
  const theta = out ?? new Float64Array(paramCount(T.from));
  theta.fill(0);
  const p2 = T.source.length;
  for (let i = 0; i < p2; i++) theta[T.source[i]] += T.scale[i] * eta[i];
  return theta;
}

/**
 * The model (T.to, Tθ).
 *
 * @param T - the embedding map
 * @param model - a model of architecture `T.from`
 * @returns the wide model with architecture `T.to` and parameters Tθ
 * @example
 * ```ts
 * import { embedModel, forward, initializeModel, makeActivation, splitMap, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), { seed: 1 });
 * const wide = embedModel(splitMap(net.arch, { unit: 2 }, [0.6, 0.8]), net);
 * const x = { rows: 1, cols: 2, data: Float64Array.from([0.3, -1.2]) };
 * console.log(forward(net, x).data[0], forward(wide, x).data[0]); // equal up to rounding
 * ```
 */
export function embedModel(T: EmbeddingMap, model: Model): Model {
  return { arch: T.to, theta: applyEmbedding(T, model.theta) };
}

/**
 * Composition T₂∘T₁ (first T₁, then T₂): source_i = source₁[source₂[i]], scale_i =
 * scale₂[i]·scale₁[source₂[i]]. Requires T₂.from to have T₁.to's parameter count.
 *
 * @param T2 - the map applied second (its `from` has T1.to's parameter count)
 * @param T1 - the map applied first
 * @returns the map T₂T₁ from `T1.from` to `T2.to`
 * @example
 * ```ts
 * import { composeEmbeddings, initializeModel, isometryDefect, makeActivation, splitMap, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), { seed: 1 });
 * const T1 = splitMap(net.arch, { unit: 0 }, [0.6, 0.8]);
 * const T2 = splitMap(T1.to, { unit: 3 }, [Math.SQRT1_2, Math.SQRT1_2]);
 * const T = composeEmbeddings(T2, T1);
 * console.log(T.source.length, isometryDefect(T)); // 15, ~1e-16
 * ```
 */
export function composeEmbeddings(T2: EmbeddingMap, T1: EmbeddingMap): EmbeddingMap {
  if (paramCount(T2.from) !== paramCount(T1.to)) {
    throw new RangeError(`composeEmbeddings: the second map takes ${paramCount(T2.from)} parameters, the first gives ${paramCount(T1.to)}`);
  }
  const p = T2.source.length;
  const source = new Int32Array(p);
  const scale = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const mid = T2.source[i];
    source[i] = T1.source[mid];
    scale[i] = T2.scale[i] * T1.scale[mid];
  }
  return { from: T1.from, to: T2.to, source, scale };
}

/**
 * The dense p̃×p matrix of T (row-major), for small checks and reports.
 *
 * @param T - the embedding map
 * @returns the dense matrix of T, p̃ rows (paramCount(T.to)) × p columns (paramCount(T.from)), row-major
 * @example
 * ```ts
 * import { embeddingMatrix, initializeModel, makeActivation, splitMap, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 1, m: 2, activation: makeActivation("relu") }), { seed: 1 });
 * const M = embeddingMatrix(splitMap(net.arch, { unit: 0 }, [0.6, 0.8]));
 * console.log(M.rows, M.cols); // 6 4
 * ```
 */
export function embeddingMatrix(T: EmbeddingMap): { rows: number; cols: number; data: Float64Array } {
  const rows = T.source.length;
  const cols = paramCount(T.from);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) data[i * cols + T.source[i]] = T.scale[i];
  return { rows, cols, data };
}

/**
 * TᵀT is diagonal (one nonzero per row of T): (TᵀT)_jj = Σ_{i : source_i = j} scale_i². Returns
 * that diagonal.
 *
 * @param T - the embedding map
 * @returns the diagonal of TᵀT, one entry per narrow parameter (all 1 for a splitting map)
 * @example
 * ```ts
 * import { copyDivideMap, gramDiagonal, initializeModel, makeActivation, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 1, m: 2, activation: makeActivation("relu") }), { seed: 1 });
 * console.log(Array.from(gramDiagonal(copyDivideMap(net.arch, { unit: 0 }, [0.5, 0.5])))); // [2, 1, 0.5, 1]: W copied twice, a divided
 * ```
 */
export function gramDiagonal(T: EmbeddingMap): Float64Array {
  const g = new Float64Array(paramCount(T.from));
  for (let i = 0; i < T.source.length; i++) g[T.source[i]] += T.scale[i] * T.scale[i];
  return g;
}

/**
 * ‖TᵀT − I‖₂ = max_j |(TᵀT)_jj − 1| (TᵀT is diagonal, so the spectral norm is the largest
 * diagonal deviation): 0 up to rounding for the splitting map (Σ c_i² = 1), not for
 * copy-and-divide.
 *
 * @param T - the embedding map
 * @returns max_j |(TᵀT)_jj − 1|: ~1e-16 for a splitting map, order 1 for copy-and-divide
 * @example
 * ```ts
 * import { copyDivideMap, initializeModel, isometryDefect, makeActivation, splitMap, twoLayerArchitecture } from "splitscape";
 * const arch = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 1 }).arch;
 * console.log(isometryDefect(splitMap(arch, { unit: 0 }, [0.6, 0.8])));        // 0 up to rounding
 * console.log(isometryDefect(copyDivideMap(arch, { unit: 0 }, [0.5, 0.5]))); // 1
 * ```
 */
export function isometryDefect(T: EmbeddingMap): number {
  const g = gramDiagonal(T);
  let m = 0;
  for (let j = 0; j < g.length; j++) m = Math.max(m, Math.abs(g[j] - 1));
  return m;
}

/**
 * ‖(I − TTᵀ)η‖: the distance of η from the image of T when T is an isometry (TTᵀ is then the
 * orthogonal projector onto range T): the "drift off the embedded subspace".
 *
 * @param T - the embedding map (an isometry for the distance to be meaningful)
 * @param eta - parameters of `T.to`
 * @returns ‖η − TTᵀη‖, 0 when η lies in the image of T
 * @example
 * ```ts
 * import { applyEmbedding, initializeModel, makeActivation, offImageDistance, splitMap, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), { seed: 1 });
 * const T = splitMap(net.arch, { unit: 0 }, [0.6, 0.8]);
 * const eta = applyEmbedding(T, net.theta);
 * console.log(offImageDistance(T, eta)); // ~1e-16
 * eta[0] += 0.1; // move one copy's weight only
 * console.log(offImageDistance(T, eta) > 0); // true
 * ```
 */
export function offImageDistance(T: EmbeddingMap, eta: Float64Array): number {
  return distance(eta, applyEmbedding(T, applyEmbeddingTranspose(T, eta)));
}
