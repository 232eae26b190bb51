// Two-layer ReLU networks f(x) = Σ_j α_j (w_jᵀx̃)_+ in the convex program's input space
// (x̃ = x, or [x, 1] with a regularised bias), their weight-decayed objective, and the maps
// between networks and convex points (science/convex.md, "Maps"):
//   (C)→(NC): u_i ↦ (u_i/√‖u_i‖, +√‖u_i‖), v_i ↦ (v_i/√‖v_i‖, −√‖v_i‖);
//   (NC)→(C): group neurons by pattern 1[X w_j ≥ 0]; u_i = Σ_{α_j>0} |α_j| w_j,
//             v_i = Σ_{α_j<0} |α_j| w_j (the objective does not increase).
import { InputError } from "../common/errors.js";
import type { Matrix } from "../linalg/index.js";
import { describeArchitecture, loadModel, parseModelJson, twoLayerParts, type ArchitectureSource, type Model } from "../model/index.js";
import { convexLoss, type ConvexLossName } from "./loss.js";
import { maskKey, patternOf, type PatternSet } from "./patterns.js";
import type { VectorReluNetwork } from "./vectorOutput.js";

/** m neurons: rows of W (m×D, D = X̃ columns, the bias last when present) and output weights α. */
export interface ReluNetwork {
  /** m×D row-major. */
  readonly W: Float64Array;
  readonly alpha: Float64Array;
  readonly m: number;
  readonly D: number;
}

/** The two-layer model file of INTERFACES.md, restricted to what the convex program covers. */
export interface TwoLayerReluModel {
  /** m×d input weights. */
  readonly W: Matrix;
  /** m×k output weights, row-major (k = 1: one per neuron). */
  readonly a: Float64Array;
  /** Number of outputs k. */
  readonly k: number;
  /** m input biases, or null. */
  readonly b: Float64Array | null;
}

/**
 * A two-layer ReLU model (model/ file format, validated there) restricted to what the convex
 * program covers: scalar output and no output bias c (c is not regularised, so it is not part of
 * the group-lasso reformulation; c = 0 is accepted). Anything else is an InputError.
 */
export function toTwoLayerReluModel(model: Model, source: string, opts: { vector?: boolean } = {}): TwoLayerReluModel {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new InputError(source, `the convex reformulation covers two-layer networks, got ${describeArchitecture(arch)}`, "kind");
  if (arch.activation.name !== "relu") throw new InputError(source, `the convex reformulation needs "relu", got ${JSON.stringify(arch.activation.name)}`, "activation");
  if (arch.k !== 1 && !opts.vector) throw new InputError(source, `expected a scalar-output model (a: m numbers), got ${arch.k} outputs per neuron`, "a");
  const parts = twoLayerParts(arch, model.theta);
  if (parts.c !== null && parts.c.some((x) => x !== 0)) {
    throw new InputError(source, "an output bias is not regularised and not part of the convex program; expected 0 or absent", "c");
  }
  return { W: { rows: arch.m, cols: arch.d, data: parts.W.slice() }, a: parts.a.slice(), k: arch.k, b: parts.b === null ? null : parts.b.slice() };
}

/** Parse a two-layer ReLU model JSON (model/ validation, then toTwoLayerReluModel). */
export function parseTwoLayerReluModel(json: unknown, source: string): TwoLayerReluModel {
  return toTwoLayerReluModel(parseModelJson(json, source), source);
}

/** Read and validate a two-layer ReLU model file (vector outputs only when `opts.vector`; safetensors layers from `opts.architecture`). */
export function loadTwoLayerReluModel(path: string, opts: { vector?: boolean; architecture?: ArchitectureSource } = {}): TwoLayerReluModel {
  return toTwoLayerReluModel(loadModel(path, opts.architecture), path, opts);
}

/** Input weights in X̃-space: w̃_j = [w_j, b_j] when the model has biases (m×D row-major). */
function augmentedInputWeights(model: TwoLayerReluModel): { W: Float64Array; D: number } {
  const { rows: m, cols: d, data } = model.W;
  const D = model.b === null ? d : d + 1;
  const W = new Float64Array(m * D);
  for (let j = 0; j < m; j++) {
    W.set(data.subarray(j * d, (j + 1) * d), j * D);
    if (model.b !== null) W[j * D + d] = model.b[j];
  }
  return { W, D };
}

/** The scalar-output network in X̃-space. RangeError for a vector-output model. */
export function modelToNetwork(model: TwoLayerReluModel): ReluNetwork {
  if (model.k !== 1) throw new RangeError(`modelToNetwork: the model has ${model.k} outputs; use modelToVectorNetwork`);
  const { W, D } = augmentedInputWeights(model);
  return { W, alpha: model.a.slice(), m: model.W.rows, D };
}

/** The vector-output network in X̃-space (A: m×k output weights). */
export function modelToVectorNetwork(model: TwoLayerReluModel): VectorReluNetwork {
  const { W, D } = augmentedInputWeights(model);
  return { W, A: model.a.slice(), m: model.W.rows, D, c: model.k };
}

/** The model file record of a network (bias = last coordinate when `bias`). */
export function networkToModelJson(net: ReluNetwork, bias: boolean): { kind: "two-layer"; activation: "relu"; W: number[][]; a: number[]; b?: number[] } {
  const d = bias ? net.D - 1 : net.D;
  const W: number[][] = [];
  const b: number[] = [];
  for (let j = 0; j < net.m; j++) {
    W.push(Array.from(net.W.subarray(j * net.D, j * net.D + d)));
    if (bias) b.push(net.W[j * net.D + d]);
  }
  return bias ? { kind: "two-layer", activation: "relu", W, a: Array.from(net.alpha), b } : { kind: "two-layer", activation: "relu", W, a: Array.from(net.alpha) };
}

/** The neurons `keep` (indices, in that order) of `net`. */
export function selectNeurons(net: ReluNetwork, keep: readonly number[]): ReluNetwork {
  const { D } = net;
  const W = new Float64Array(keep.length * D);
  const alpha = new Float64Array(keep.length);
  keep.forEach((j, i) => {
    W.set(net.W.subarray(j * D, (j + 1) * D), i * D);
    alpha[i] = net.alpha[j];
  });
  return { W, alpha, m: keep.length, D };
}

/** f(X̃) = Σ_j α_j (X̃ w_j)_+. */
export function networkOutput(net: ReluNetwork, X: Matrix): Float64Array {
  const { rows: n, cols: D, data } = X;
  if (D !== net.D) throw new RangeError(`networkOutput: network has input dimension ${net.D}, X has ${D} columns`);
  const out = new Float64Array(n);
  for (let j = 0; j < net.m; j++) {
    const a = net.alpha[j];
    if (a === 0) continue;
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += data[k * D + t] * net.W[j * D + t];
      if (s > 0) out[k] += a * s;
    }
  }
  return out;
}

/** The weight-decayed nonconvex objective and its parts. */
export interface NonconvexObjective {
  readonly loss: number;
  /** (β/2) Σ_j (‖w_j‖² + α_j²). */
  readonly penalty: number;
  readonly objective: number;
  readonly prediction: Float64Array;
}

/** (NC): L(f(X̃), y) + (β/2) Σ_j (‖w_j‖² + α_j²) (science/convex.md, "Problems"). */
export function nonconvexObjective(net: ReluNetwork, X: Matrix, y: Float64Array, beta: number, loss: ConvexLossName): NonconvexObjective {
  const prediction = networkOutput(net, X);
  const l = convexLoss(loss).value(prediction, y);
  let p = 0;
  for (let j = 0; j < net.m; j++) {
    let s = net.alpha[j] ** 2;
    for (let t = 0; t < net.D; t++) s += net.W[j * net.D + t] ** 2;
    p += s;
  }
  const penalty = 0.5 * beta * p;
  return { loss: l, penalty, objective: l + penalty, prediction };
}

/** Options of convexToNetwork. */
export interface ToNetworkOptions {
  /** Drop blocks with ‖u‖ ≤ dropBelow·max‖u‖ (exact zeros always). Default 0. */
  readonly dropBelow?: number;
  /**
   * Merge neurons of the same output sign whose unit directions differ by at most this (a
   * boundary direction belongs to two adjacent cones, so the convex solution can split it over
   * two blocks; science/convex.md pitfall 2). Merging (√t₁ū, √t₁), (√t₂ū, √t₂) into
   * (√(t₁+t₂)ū, √(t₁+t₂)) keeps the output and the penalty. Default 0 (no merging).
   */
  readonly mergeTol?: number;
}

/**
 * (C)→(NC): every nonzero block becomes one neuron, u_i ↦ (u_i/√‖u_i‖, √‖u_i‖) and
 * v_i ↦ (v_i/√‖v_i‖, −√‖v_i‖); the network is balanced and, for a feasible point (u_i, v_i ∈ K_i),
 * its output equals Σ D_i X (u_i − v_i) and its objective equals the convex objective.
 */
export function convexToNetwork(U: Float64Array, V: Float64Array, D: number, opts: ToNetworkOptions = {}): ReluNetwork {
  const P = U.length / D;
  const norms: number[] = [];
  for (const M of [U, V]) {
    for (let i = 0; i < P; i++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += M[i * D + t] ** 2;
      norms.push(Math.sqrt(s));
    }
  }
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

/**
 * Merge balanced neurons with equal output sign and unit directions within `tol` (Euclidean):
 * t = Σ α_j² of the group, direction = the t-weighted mean direction renormalised.
 */
export function mergeDuplicateNeurons(net: ReluNetwork, tol: number): ReluNetwork {
  const { D } = net;
  const groups: { dir: Float64Array; t: number; sign: number }[] = [];
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    let nw = 0;
    for (let k = 0; k < D; k++) nw += w[k] * w[k];
    nw = Math.sqrt(nw);
    const a = net.alpha[j];
    if (nw === 0 || a === 0) continue;
    const t = nw * Math.abs(a);
    const u = Float64Array.from(w, (v) => v / nw);
    const sign = a > 0 ? 1 : -1;
    const g = groups.find((q) => {
      if (q.sign !== sign) return false;
      let dd = 0;
      for (let k = 0; k < D; k++) dd += (q.dir[k] - u[k]) ** 2;
      return Math.sqrt(dd) <= tol;
    });
    if (g === undefined) groups.push({ dir: u, t, sign });
    else {
      for (let k = 0; k < D; k++) g.dir[k] = (g.dir[k] * g.t + u[k] * t) / (g.t + t);
      g.t += t;
    }
  }
  const W = new Float64Array(groups.length * D);
  const alpha = new Float64Array(groups.length);
  groups.forEach((g, i) => {
    let nd = 0;
    for (let k = 0; k < D; k++) nd += g.dir[k] ** 2;
    nd = Math.sqrt(nd);
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
    let wn = 0;
    for (let t = 0; t < D; t++) wn += w[t] * w[t];
    if (wn === 0 || net.alpha[j] === 0) continue;
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
