// The optimal set of the ReLU program (docs/science/convex.md §3 and §5,
// optimal set and width phase transition): from a dual optimum ν* the optimal directions
//   g_i = Xᵀ D_i ν*,  ū_i = Π_{K_i}(g_i)/‖·‖,  v̄_i = Π_{K_i}(−g_i)/‖·‖,
// active when ‖Π_{K_i}(±g_i)‖ ≥ β(1 − tol) (relative tol, pitfall 3), de-duplicated across cone
// boundaries (pitfall 2: one direction in two adjacent cones has one fit vector (Xū)_+ and counts
// once). The optimal set is the polytope
//   P* = {c, d ≥ 0 : Σ_k s_k c_k (X ū_k)_+ = ŷ*}   (s_k = ±1: the direction's output sign),
// its vertices (irreducible solutions) are the supports S with linearly independent fit vectors
// and a strictly positive solution; m* / M* are the smallest / largest vertex supports.
// Vertices are enumerated by trying supports of increasing size (NNLS on each), which is only
// done when the number of active directions is small (default ≤ 20).
import { distance, type Matrix, nnls, nrm2 } from "../../linalg/index.js";
import type { ReluNetwork } from "../network/index.js";
import { convexLoss, type ConvexProblem, dualFromPrediction, patternMask, projectOntoCone } from "../program/index.js";

/** One optimal direction (after de-duplication). */
export interface OptimalDirection {
  /** +1 for a ū (positive output weight), −1 for a v̄. */
  readonly sign: 1 | -1;
  /** Patterns whose cones yield this direction (more than one on a cone boundary). */
  readonly patterns: number[];
  /** The unit direction ū or v̄ (length d). */
  readonly direction: Float64Array;
  /** ‖Π_{K_i}(±g_i)‖/β (1 up to the tolerance for an active direction); the largest over `patterns`. */
  readonly dualRatio: number;
  /** Fit vector sign·(X·direction)_+ (length n). */
  readonly fit: Float64Array;
}

/** Options of `optimalDirections`. */
export interface OptimalDirectionsOptions {
  /** Active when ‖Π_K(±g)‖ ≥ β(1 − activeTol). Default 1e-5 (pitfall 3). */
  readonly activeTol?: number;
  /** Two unit directions of one sign are the same when ‖ū − ū'‖ ≤ dedupTol. Default 1e-6. */
  readonly dedupTol?: number;
}

/** ν*, the active directions and the counts before de-duplication. */
export interface OptimalDirections {
  readonly nu: Float64Array;
  readonly directions: OptimalDirection[];
  /** Active (pattern, sign) pairs before de-duplication. */
  readonly activePairs: number;
  /** max over all patterns and signs of ‖Π_K(±g)‖/β (≤ 1 + rounding at a dual optimum). */
  readonly maxDualRatio: number;
  readonly activeTol: number;
  readonly dedupTol: number;
}

/**
 * The optimal directions of `problem` from the optimal prediction ŷ* (ν* = −∇L(ŷ*); for the
 * squared loss ν* = y − ŷ*). ŷ* should come from a high-accuracy solve (gap ≲ 1e-10).
 *
 * @param problem - the convex problem (exact patterns for the full set)
 * @param yhat - the optimal prediction ŷ*, length n, from a high-accuracy solve
 * @param opts - `activeTol`, `dedupTol`
 * @returns ν*, the de-duplicated active directions with their fit vectors, and the largest dual ratio
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, optimalDirections, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const dirs = optimalDirections(problem, sol.prediction);
 * console.log(dirs.directions.length, dirs.maxDualRatio); // a few directions, ratio 1 up to the gap
 * ```
 */
export function optimalDirections(problem: ConvexProblem, yhat: Float64Array, opts: OptimalDirectionsOptions = {}): OptimalDirections {
  const activeTol = opts.activeTol ?? 1e-5;
  const dedupTol = opts.dedupTol ?? 1e-6;
  const { X, y, beta, patterns } = problem;
  const { rows: n, cols: d } = X;
  const nu = dualFromPrediction(convexLoss(problem.loss), yhat, y);
  const found: OptimalDirection[] = [];
  let activePairs = 0;
  let maxDualRatio = 0;
  const g = new Float64Array(d);
  for (let i = 0; i < patterns.count; i++) {
    const mask = patternMask(patterns, i);
    g.fill(0);
    for (let k = 0; k < n; k++) if (mask[k]) for (let t = 0; t < d; t++) g[t] += nu[k] * X.data[k * d + t];
    for (const sign of [1, -1] as const) {
      const gs = Float64Array.from(g, (v) => sign * v);
      const proj = projectOntoCone(X.data, n, d, mask, gs);
      const ratio = proj.norm / beta;
      maxDualRatio = Math.max(maxDualRatio, ratio);
      if (!(proj.norm > 0) || ratio < 1 - activeTol) continue;
      activePairs++;
      const dir = Float64Array.from(proj.projection, (v) => v / proj.norm);
      const same = found.find((f) => f.sign === sign && distance(f.direction, dir) <= dedupTol);
      if (same !== undefined) {
        same.patterns.push(i);
        if (ratio > same.dualRatio) (same as { dualRatio: number }).dualRatio = ratio;
        continue;
      }
      const fit = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        if (!mask[k]) continue;
        let s = 0;
        for (let t = 0; t < d; t++) s += X.data[k * d + t] * dir[t];
        fit[k] = sign * Math.max(s, 0);
      }
      found.push({ sign, patterns: [i], direction: dir, dualRatio: ratio, fit });
    }
  }
  return { nu, directions: found, activePairs, maxDualRatio, activeTol, dedupTol };
}


/** A vertex of P*: the support (indices into the directions) and the weights c_k > 0. */
export interface OptimalVertex {
  readonly support: number[];
  readonly weights: Float64Array;
  /** ‖Σ c_k f_k − ŷ*‖/‖ŷ*‖. */
  readonly residual: number;
}

/** Options of `optimalSetVertices`. */
export interface VertexOptions {
  /** Enumerate only when the number of directions is at most this. Default 20. */
  readonly maxDirections?: number;
  /** A support reproduces ŷ* when the relative residual is at most this. Default 1e-6. */
  readonly residualTol?: number;
  /** Columns are independent when every Gram–Schmidt pivot exceeds this (relative). Default 1e-8. */
  readonly independenceTol?: number;
  /** A weight counts as positive above this fraction of Σ c. Default 1e-8. */
  readonly positiveTol?: number;
  /** Give up (null, with a reason) when Σ_{k ≤ min(n, K)} C(K, k) exceeds this. Default 300 000. */
  readonly maxSupports?: number;
}

/** The vertices of P* and the cardinalities m*, M* (or null with a reason). */
export interface OptimalSetStructure {
  readonly vertices: OptimalVertex[] | null;
  readonly mStar: number | null;
  readonly MStar: number | null;
  /** Supports tried (NNLS solves). */
  readonly supportsTried: number;
  /** Why vertices were not enumerated (null when they were). */
  readonly reason: string | null;
}

/**
 * Vertices of P* = {c ≥ 0 : Σ_k c_k f_k = ŷ*} over the fit vectors f_k of `directions`: every
 * support S of size 1 … min(n, K) whose fit vectors are linearly independent and whose NNLS
 * solution reproduces ŷ* with all weights positive. m* = min |S|, M* = max |S|.
 *
 * @param directions - the optimal directions (`optimalDirections(…).directions`)
 * @param yhat - the optimal prediction ŷ*
 * @param opts - enumeration limits and tolerances (`maxDirections`, `residualTol`, …)
 * @returns the vertices of P*, m* and M*, or null vertices with the reason
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, optimalDirections, optimalSetVertices, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const { directions } = optimalDirections(problem, sol.prediction);
 * const structure = optimalSetVertices(directions, sol.prediction);
 * console.log(structure.vertices?.length, structure.mStar, structure.MStar);
 * ```
 */
export function optimalSetVertices(directions: readonly OptimalDirection[], yhat: Float64Array, opts: VertexOptions = {}): OptimalSetStructure {
  const maxDirections = opts.maxDirections ?? 20;
  const residualTol = opts.residualTol ?? 1e-6;
  const indTol = opts.independenceTol ?? 1e-8;
  const posTol = opts.positiveTol ?? 1e-8;
  const K = directions.length;
  const n = yhat.length;
  if (K > maxDirections) {
    return { vertices: null, mStar: null, MStar: null, supportsTried: 0, reason: `${K} active directions > ${maxDirections}: vertex enumeration by supports is too large` };
  }
  const maxSupports = opts.maxSupports ?? 300_000;
  let supports = 0;
  for (let k = 1, c = 1; k <= Math.min(n, K); k++) {
    c = (c * (K - k + 1)) / k;
    supports += c;
  }
  if (supports > maxSupports) {
    return { vertices: null, mStar: null, MStar: null, supportsTried: 0, reason: `${supports} candidate supports > ${maxSupports}: vertex enumeration by supports is too large` };
  }
  const yNorm = nrm2(yhat);
  if (yNorm === 0) return { vertices: [{ support: [], weights: new Float64Array(0), residual: 0 }], mStar: 0, MStar: 0, supportsTried: 0, reason: null };
  const vertices: OptimalVertex[] = [];
  let tried = 0;
  const maxSize = Math.min(n, K);
  const S: number[] = [];
  const visit = (start: number, size: number): void => {
    if (S.length === size) {
      const cols = S.map((k) => directions[k].fit);
      if (!independent(cols, indTol)) return;
      tried++;
      const A: Matrix = { rows: n, cols: size, data: new Float64Array(n * size) };
      for (let k = 0; k < n; k++) for (let j = 0; j < size; j++) A.data[k * size + j] = cols[j][k];
      const sol = nnls(A, yhat);
      const w = sol.x;
      const res = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        let s = -yhat[k];
        for (let j = 0; j < size; j++) s += A.data[k * size + j] * w[j];
        res[k] = s;
      }
      const residual = nrm2(res) / yNorm;
      const total = w.reduce((s, v) => s + v, 0);
      if (residual <= residualTol && w.every((v) => v > posTol * total)) {
        vertices.push({ support: S.slice(), weights: Float64Array.from(w), residual });
      }
      return;
    }
    for (let k = start; k <= K - (size - S.length); k++) {
      S.push(k);
      visit(k + 1, size);
      S.pop();
    }
  };
  for (let size = 1; size <= maxSize; size++) visit(0, size);
  if (vertices.length === 0) {
    return { vertices, mStar: null, MStar: null, supportsTried: tried, reason: "no support reproduces ŷ* (solution not accurate enough, or tolerances too tight)" };
  }
  const sizes = vertices.map((v) => v.support.length);
  return { vertices, mStar: Math.min(...sizes), MStar: Math.max(...sizes), supportsTried: tried, reason: null };
}

/** Modified Gram–Schmidt: every new column keeps more than tol of its norm after orthogonalisation. */
export function independent(cols: readonly Float64Array[], tol: number): boolean {
  const Q: Float64Array[] = [];
  for (const c of cols) {
    const v = c.slice();
    const norm0 = nrm2(v);
    if (norm0 === 0) return false;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        let dot = 0;
        for (let k = 0; k < v.length; k++) dot += q[k] * v[k];
        for (let k = 0; k < v.length; k++) v[k] -= dot * q[k];
      }
    }
    const nv = nrm2(v);
    if (nv <= tol * norm0) return false;
    Q.push(v.map((x) => x / nv));
  }
  return true;
}

/**
 * The network of a vertex (or any point of P*): direction k with weight c_k becomes the balanced
 * neuron (√c_k·dir_k, sign_k·√c_k); its output is Σ c_k f_k and its penalty β Σ c_k. The input
 * dimension D is the directions' length; without directions (the zero optimum, P* = {0}) it must
 * be given (RangeError otherwise).
 *
 * @param directions - the optimal directions the vertex indexes into
 * @param vertex - a vertex of P* (or any support with positive weights)
 * @param inputDim - D; needed only when there are no directions
 * @returns the balanced network with one neuron per support direction
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, nonconvexObjective, optimalSet, solveRelu, vertexToNetwork, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const set = optimalSet(problem, sol.prediction);
 * if (set.vertices !== null && set.sparsest >= 0) {
 *   const net = vertexToNetwork(set.directions, set.vertices[set.sparsest]);
 *   console.log(net.m, nonconvexObjective(net, X, problem.y, problem.beta, "square").objective, sol.primalValue); // m*, equal objectives
 * }
 * ```
 */
export function vertexToNetwork(directions: readonly OptimalDirection[], vertex: OptimalVertex, inputDim?: number): ReluNetwork {
  const D = inputDim ?? (directions.length > 0 ? directions[0].direction.length : undefined);
  if (D === undefined) throw new RangeError("vertexToNetwork: no optimal directions to take the input dimension from; pass inputDim");
  if (directions.length > 0 && directions[0].direction.length !== D) {
    throw new RangeError(`vertexToNetwork: directions have length ${directions[0].direction.length}, inputDim is ${D}`);
  }
  const m = vertex.support.length;
  const W = new Float64Array(m * D);
  const alpha = new Float64Array(m);
  vertex.support.forEach((k, j) => {
    const r = Math.sqrt(vertex.weights[j]);
    for (let t = 0; t < D; t++) W[j * D + t] = r * directions[k].direction[t];
    alpha[j] = directions[k].sign * r;
  });
  return { W, alpha, m, D };
}

/** Everything `optimalSet` finds. */
export interface OptimalSet extends OptimalDirections, OptimalSetStructure {
  /** Index of a sparsest vertex (support m*), or −1. */
  readonly sparsest: number;
}

/**
 * Directions and vertices from the optimal prediction ŷ* of an exact high-accuracy solve.
 *
 * @param problem - the convex problem (exact patterns)
 * @param yhat - the optimal prediction ŷ* of a high-accuracy solve (gap ≲ 1e-10)
 * @param opts - options of `optimalDirections` and `optimalSetVertices`
 * @returns the directions, the vertices with m* and M*, and a sparsest vertex
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, optimalSet, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const set = optimalSet(problem, sol.prediction);
 * console.log(set.directions.length, set.mStar, set.MStar); // the optimal set's size
 * ```
 */
export function optimalSet(problem: ConvexProblem, yhat: Float64Array, opts: OptimalDirectionsOptions & VertexOptions = {}): OptimalSet {
  const dirs = optimalDirections(problem, yhat, opts);
  const structure = optimalSetVertices(dirs.directions, yhat, opts);
  let sparsest = -1;
  if (structure.vertices !== null) {
    structure.vertices.forEach((v, i) => {
      if (sparsest < 0 || v.support.length < structure.vertices![sparsest].support.length) sparsest = i;
    });
  }
  return { ...dirs, ...structure, sparsest };
}
