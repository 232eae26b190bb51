// The maps between convex points and networks (docs/science/convex.md §1.5):
//   (C)→(NC): u_i ↦ (u_i/√‖u_i‖, +√‖u_i‖), v_i ↦ (v_i/√‖v_i‖, −√‖v_i‖);
//   (NC)→(C): group neurons by pattern 1[X w_j ≥ 0]; u_i = Σ_{α_j>0} |α_j| w_j,
//             v_i = Σ_{α_j<0} |α_j| w_j (the objective does not increase).
import { nrm2, type Matrix } from "../../linalg/index.js";
import { maskKey, patternOf, type PatternSet } from "../program/index.js";
import type { ReluNetwork } from "./network.js";

/** Options of convexToNetwork. */
export interface ToNetworkOptions {
  /** Drop blocks with ‖u‖ ≤ dropBelow·max‖u‖ (exact zeros always). Default 0. */
  readonly dropBelow?: number;
  /**
   * Merge neurons of the same output sign whose unit directions differ by at most this (a
   * boundary direction belongs to two adjacent cones, so the convex solution can split it over
   * two blocks; docs/science/convex.md §10.2). Merging (√t₁ū, √t₁), (√t₂ū, √t₂) into
   * (√(t₁+t₂)ū, √(t₁+t₂)) keeps the output and the penalty. Default 0 (no merging).
   */
  readonly mergeTol?: number;
}

/**
 * (C)→(NC): every nonzero block becomes one neuron, u_i ↦ (u_i/√‖u_i‖, √‖u_i‖) and
 * v_i ↦ (v_i/√‖v_i‖, −√‖v_i‖); the network is balanced and, for a feasible point (u_i, v_i ∈ K_i),
 * its output equals Σ D_i X (u_i − v_i) and its objective equals the convex objective. All blocks
 * zero: the network with no neurons on D inputs.
 *
 * @param U - the positive blocks u_i, P × D row-major (a solver's `U`)
 * @param V - the negative blocks v_i, P × D row-major
 * @param D - input dimension (columns of X̃)
 * @param opts - `dropBelow` (relative block-norm threshold) and `mergeTol` (merge boundary copies)
 * @returns the balanced network, one neuron per nonzero block
 * @example
 * ```ts
 * import { convexProblem, convexToNetwork, enumeratePatterns, nonconvexObjective, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const y = Float64Array.from(x, (t) => Math.abs(t) - 0.4);
 * const sol = solveRelu(convexProblem(X, y, 0.05, "square", enumeratePatterns(X)), { tol: 1e-10 });
 * const net = convexToNetwork(sol.U, sol.V, 2);
 * console.log(net.m, nonconvexObjective(net, X, y, 0.05, "square").objective, sol.primalValue); // equal objectives
 * ```
 */
export function convexToNetwork(U: Float64Array, V: Float64Array, D: number, opts: ToNetworkOptions = {}): ReluNetwork {
  const P = U.length / D;
  const norms: number[] = [];
  for (const M of [U, V]) for (let i = 0; i < P; i++) norms.push(nrm2(M.subarray(i * D, (i + 1) * D)));
  const maxNorm = Math.max(0, ...norms);
  const thr = (opts.dropBelow ?? 0) * maxNorm;
  const W: number[] = [];
  const alpha: number[] = [];
  for (let b = 0; b < 2 * P; b++) {
    const nb = norms[b];
    if (nb === 0 || nb <= thr) continue;
    const M = b < P ? U : V;
    const i = b % P;
    const r = Math.sqrt(nb);
    for (let t = 0; t < D; t++) W.push(M[i * D + t] / r);
    alpha.push(b < P ? r : -r);
  }
  const net = { W: Float64Array.from(W), alpha: Float64Array.from(alpha), m: alpha.length, D };
  return (opts.mergeTol ?? 0) > 0 ? mergeDuplicateNeurons(net, opts.mergeTol!) : net;
}

/** ‖a − b‖ through a scratch vector (linalg's scaled nrm2). */
function distanceVia(a: Float64Array, b: Float64Array, scratch: Float64Array): number {
  for (let k = 0; k < a.length; k++) scratch[k] = a[k] - b[k];
  return nrm2(scratch);
}

/**
 * Merge balanced neurons with equal output sign and unit directions within `tol` (Euclidean):
 * t = Σ α_j² of the group, direction = the t-weighted mean direction renormalised.
 *
 * @param net - a balanced network (|α_j| = ‖w_j‖)
 * @param tol - Euclidean tolerance on the unit directions
 * @returns the network with each group of duplicates merged into one neuron (same output and penalty)
 * @example
 * ```ts
 * import { mergeDuplicateNeurons } from "splitscape";
 * // two copies of the balanced neuron (x)_+ with weights 0.6 and 0.8 along it
 * const net = { W: Float64Array.of(0.6, 0, 0.8, 0), alpha: Float64Array.of(0.6, 0.8), m: 2, D: 2 };
 * console.log(mergeDuplicateNeurons(net, 1e-9).m); // 1
 * ```
 */
export function mergeDuplicateNeurons(net: ReluNetwork, tol: number): ReluNetwork {
  const { D } = net;
  const groups: { dir: Float64Array; t: number; sign: number }[] = [];
  const diff = new Float64Array(D);
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    const nw = nrm2(w);
    const a = net.alpha[j];
    if (nw === 0 || a === 0) continue;
    const t = nw * Math.abs(a);
    const u = Float64Array.from(w, (v) => v / nw);
    const sign = a > 0 ? 1 : -1;
    const g = groups.find((q) => q.sign === sign && distanceVia(q.dir, u, diff) <= tol);
    if (g === undefined) groups.push({ dir: u, t, sign });
    else {
      for (let k = 0; k < D; k++) g.dir[k] = (g.dir[k] * g.t + u[k] * t) / (g.t + t);
      g.t += t;
    }
  }
  const W = new Float64Array(groups.length * D);
  const alpha = new Float64Array(groups.length);
  groups.forEach((g, i) => {
    const nd = nrm2(g.dir);
    const r = Math.sqrt(g.t);
    for (let k = 0; k < D; k++) W[i * D + k] = (g.dir[k] / nd) * r;
    alpha[i] = g.sign * r;
  });
  return { W, alpha, m: groups.length, D };
}

/** A convex point over the network's own patterns (NC)→(C). */
export interface NetworkConvexPoint {
  /** The distinct patterns 1[X w_j ≥ 0] of the active neurons (method "network", not exact). */
  readonly patterns: PatternSet;
  readonly U: Float64Array;
  readonly V: Float64Array;
  /** Pattern index of each neuron (−1 for inactive neurons, w_j = 0 or α_j = 0). */
  readonly neuronPattern: Int32Array;
}

/**
 * (NC)→(C): group the active neurons by pattern D_j = 1[X w_j ≥ 0] (≥ convention: w_j ∈ K_j);
 * u_i = Σ_{α_j>0, D_j = D_i} |α_j| w_j, v_i = Σ_{α_j<0} |α_j| w_j. Then Σ D_i X(u_i − v_i) = f(X) and
 * β Σ(‖u_i‖ + ‖v_i‖) ≤ β Σ_j |α_j|‖w_j‖ ≤ (β/2) Σ_j (‖w_j‖² + α_j²).
 *
 * @param net - the network
 * @param X - inputs in X̃-space, n × D
 * @returns the convex point (U, V) over the network's own patterns, and each neuron's pattern index
 * @example
 * ```ts
 * import { networkToConvex, withBias } from "splitscape";
 * const absNet = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 1), m: 2, D: 2 };
 * const X = withBias({ rows: 4, cols: 1, data: Float64Array.of(-1, -0.5, 0.5, 1) });
 * const point = networkToConvex(absNet, X);
 * console.log(point.patterns.count, Array.from(point.U)); // 2 [1, 0, -1, 0]
 * ```
 */
export function networkToConvex(net: ReluNetwork, X: Matrix): NetworkConvexPoint {
  const { rows: n } = X;
  const D = net.D;
  const keys = new Map<string, number>();
  const masks: Uint8Array[] = [];
  const gens: Float64Array[] = [];
  const neuronPattern = new Int32Array(net.m).fill(-1);
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    if (!w.some((v) => v !== 0) || net.alpha[j] === 0) continue;
    const mask = patternOf(X, w);
    const key = maskKey(mask);
    let i = keys.get(key);
    if (i === undefined) {
      i = masks.length;
      keys.set(key, i);
      masks.push(mask);
      gens.push(w.slice());
    }
    neuronPattern[j] = i;
  }
  const P = masks.length;
  const U = new Float64Array(P * D);
  const V = new Float64Array(P * D);
  for (let j = 0; j < net.m; j++) {
    const i = neuronPattern[j];
    if (i < 0) continue;
    const a = net.alpha[j];
    const M = a > 0 ? U : V;
    for (let t = 0; t < D; t++) M[i * D + t] += Math.abs(a) * net.W[j * D + t];
  }
  const allMasks = new Uint8Array(P * n);
  const allGens = new Float64Array(P * D);
  for (let i = 0; i < P; i++) {
    allMasks.set(masks[i], i * n);
    allGens.set(gens[i], i * D);
  }
  const patterns: PatternSet = {
    n, d: D, count: P, masks: allMasks, generators: allGens, exact: false, method: "network",
    requested: net.m, rank: 0, maxCount: 0, convention: ">=",
  };
  return { patterns, U, V, neuronPattern };
}
