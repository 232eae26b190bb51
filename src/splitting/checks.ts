/**
 * The properties of an embedding T, each measured with its number (docs/science/embedding.md §3.3):
 * isometry ‖TᵀT − I‖, function preservation Φ̃(Tθ; x) = Φ(θ; x) and gradient
 * preservation ∇_η Φ̃(Tθ; x) = T ∇_θ Φ(θ; x), on given inputs and on random points.
 */
import type { Matrix } from "../linalg/index.js";
import type { Model } from "../model/index.js";
import { forward, inputDim, outputJacobian } from "../model/index.js";
import { fork, normal } from "../random/index.js";
import type { EmbeddingMap } from "./embeddingMap.js";
import { applyEmbedding, isometryDefect } from "./embeddingMap.js";

/** An error measured as an absolute number and relative to the size of the reference. */
export interface PreservationError {
  /** max_x,c |Φ̃ − Φ| (or max entry of |∇Φ̃ − T∇Φ|). */
  readonly absolute: number;
  /** absolute / max |Φ| (or / max |∇Φ|); 0/0 = 0. */
  readonly relative: number;
  /** Number of inputs checked. */
  readonly points: number;
}

function rel(abs: number, scale: number): number {
  return abs === 0 ? 0 : abs / scale;
}

/**
 * max_{x ∈ X, c} |Φ̃(Tθ; x)_c − Φ(θ; x)_c|, absolute and relative to max |Φ(θ; x)_c|.
 *
 * @param T - the embedding map
 * @param model - the narrow network (architecture `T.from`)
 * @param X - inputs, n × d
 * @returns the largest output difference, absolute and relative, over the n inputs
 * @example
 * ```ts
 * import { functionPreservation, initializeModel, makeActivation, makeBuiltin, splitUnit, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(functionPreservation(splitUnit(net, 0, [0.6, 0.8]).map, net, data.X).relative); // ~1e-16
 * ```
 */
export function functionPreservation(T: EmbeddingMap, model: Model, X: Matrix): PreservationError {
  const narrow = forward(model, X).data;
  const wide = forward({ arch: T.to, theta: applyEmbedding(T, model.theta) }, X).data;
  let abs = 0;
  let scale = 0;
  for (let t = 0; t < narrow.length; t++) {
    abs = Math.max(abs, Math.abs(wide[t] - narrow[t]));
    scale = Math.max(scale, Math.abs(narrow[t]));
  }
  return { absolute: abs, relative: rel(abs, scale), points: X.rows };
}

/**
 * max over inputs x ∈ X, outputs c and wide parameters i of |∂Φ̃_c(Tθ; x)/∂η_i − (T∇Φ_c(θ; x))_i|,
 * absolute and relative to max |∇Φ|. Both Jacobians use the model's σ′(0) convention.
 *
 * @param T - the embedding map
 * @param model - the narrow network (architecture `T.from`)
 * @param X - inputs, n × d
 * @returns the largest gradient difference, absolute and relative, over the n inputs
 * @example
 * ```ts
 * import { gradientPreservation, initializeModel, makeActivation, randomInputs, splitUnit, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.1) }), { seed: 2 });
 * const T = splitUnit(net, 0, [0.6, 0.8]).map;
 * console.log(gradientPreservation(T, net, randomInputs(T, 32, 7)).relative); // ~1e-16
 * ```
 */
export function gradientPreservation(T: EmbeddingMap, model: Model, X: Matrix): PreservationError {
  const J = outputJacobian(model, X);
  const Jw = outputJacobian({ arch: T.to, theta: applyEmbedding(T, model.theta) }, X);
  const p = J.cols;
  const p2 = Jw.cols;
  let abs = 0;
  let scale = 0;
  for (let r = 0; r < J.rows; r++) {
    for (let j = 0; j < p; j++) scale = Math.max(scale, Math.abs(J.data[r * p + j]));
    for (let i = 0; i < p2; i++) {
      const mapped = T.scale[i] * J.data[r * p + T.source[i]];
      abs = Math.max(abs, Math.abs(Jw.data[r * p2 + i] - mapped));
    }
  }
  return { absolute: abs, relative: rel(abs, scale), points: X.rows };
}

/**
 * n standard-normal points in the input space of T.from, from fork(seed, "split-check").
 *
 * @param T - the embedding map (its `from` gives the input dimension)
 * @param n - number of points
 * @param seed - the seed (the same seed gives the same points)
 * @returns n × d inputs with independent N(0, 1) entries
 * @example
 * ```ts
 * import { initializeModel, makeActivation, randomInputs, splitUnit, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 3, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const X = randomInputs(splitUnit(net, 1, [0.6, 0.8]).map, 10, 5);
 * console.log(X.rows, X.cols); // 10 3
 * ```
 */
export function randomInputs(T: EmbeddingMap, n: number, seed: number): Matrix {
  const d = inputDim(T.from);
  const rng = fork(seed, "split-check");
  const data = new Float64Array(n * d);
  for (let t = 0; t < data.length; t++) data[t] = normal(rng);
  return { rows: n, cols: d, data };
}

/** Tolerances of `embeddingChecks` (relative errors). */
export interface EmbeddingCheckOptions {
  /** Inputs to check on besides the random points (e.g. the training data). */
  readonly data?: Matrix;
  /** Number of random standard-normal points (default 64). */
  readonly randomPoints?: number;
  /** Seed of the random points (default 0). */
  readonly seed?: number;
  /** Tolerance on ‖TᵀT − I‖ (default 1e-14). */
  readonly isometryTol?: number;
  /** Tolerance on the relative function and gradient errors (default 1e-12). */
  readonly preservationTol?: number;
}

/** Every check with its number, the tolerance and whether it held. */
export interface EmbeddingChecks {
  /** ‖TᵀT − I‖₂ (TᵀT is diagonal). */
  readonly isometry: number;
  readonly functionData: PreservationError | null;
  readonly functionRandom: PreservationError;
  readonly gradientData: PreservationError | null;
  readonly gradientRandom: PreservationError;
  readonly isometryTol: number;
  readonly preservationTol: number;
  readonly isometryHolds: boolean;
  readonly functionPreserved: boolean;
  readonly gradientPreserved: boolean;
}

/**
 * Isometry, function and gradient preservation of T at model.θ, on `data` (when given) and on
 * random points. Tolerances: 1e-14 on ‖TᵀT − I‖ (each diagonal entry Σc_i² is a sum of K
 * rounded squares, ~Kε), 1e-12 relative on outputs and gradients (a few roundings per layer
 * on top of the data's own conditioning).
 *
 * @param T - the splitting map (`splitUnit(…).map`)
 * @param model - the network before the split
 * @param opts - `data` (inputs to check on) and the number of random points
 * @returns each check with its measured error, tolerance and whether it holds
 * @example
 * ```ts
 * import { embeddingChecks, initializeModel, makeActivation, makeBuiltin, splitUnit, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.01) }), { seed: 2 });
 * const checks = embeddingChecks(splitUnit(net, 0, [0.6, 0.8]).map, net, { data: data.X });
 * console.log(checks.isometryHolds && checks.functionPreserved && checks.gradientPreserved); // true
 * ```
 */
export function embeddingChecks(T: EmbeddingMap, model: Model, opts: EmbeddingCheckOptions = {}): EmbeddingChecks {
  const isometryTol = opts.isometryTol ?? 1e-14;
  const preservationTol = opts.preservationTol ?? 1e-12;
  const Xr = randomInputs(T, opts.randomPoints ?? 64, opts.seed ?? 0);
  const functionRandom = functionPreservation(T, model, Xr);
  const gradientRandom = gradientPreservation(T, model, Xr);
  const functionData = opts.data && opts.data.rows > 0 ? functionPreservation(T, model, opts.data) : null;
  const gradientData = opts.data && opts.data.rows > 0 ? gradientPreservation(T, model, opts.data) : null;
  const iso = isometryDefect(T);
  const worstF = Math.max(functionRandom.relative, functionData?.relative ?? 0);
  const worstG = Math.max(gradientRandom.relative, gradientData?.relative ?? 0);
  return {
    isometry: iso,
    functionData,
    functionRandom,
    gradientData,
    gradientRandom,
    isometryTol,
    preservationTol,
    isometryHolds: iso <= isometryTol,
    functionPreserved: worstF <= preservationTol,
    gradientPreserved: worstG <= preservationTol,
  };
}
