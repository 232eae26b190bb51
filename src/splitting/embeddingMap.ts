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
 */
export function applyEmbeddingTranspose(T: EmbeddingMap, eta: Float64Array, out?: Float64Array): Float64Array {
  checkTheta(T.to, eta);
  const theta = out ?? new Float64Array(paramCount(T.from));
  theta.fill(0);
  const p2 = T.source.length;
  for (let i = 0; i < p2; i++) theta[T.source[i]] += T.scale[i] * eta[i];
  return theta;
}

/** The model (T.to, Tθ). */
export function embedModel(T: EmbeddingMap, model: Model): Model {
  return { arch: T.to, theta: applyEmbedding(T, model.theta) };
}

/**
 * Composition T₂∘T₁ (first T₁, then T₂): source_i = source₁[source₂[i]], scale_i =
 * scale₂[i]·scale₁[source₂[i]]. Requires T₂.from to have T₁.to's parameter count.
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

/** The dense p̃×p matrix of T (row-major), for small checks and reports. */
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
 */
export function offImageDistance(T: EmbeddingMap, eta: Float64Array): number {
  return distance(eta, applyEmbedding(T, applyEmbeddingTranspose(T, eta)));
}
