/**
 * The embedding principle run backwards: find the hidden units of a network that are copies of
 * one unit (a split), merge each group into one unit, and return the narrower network with the
 * embedding map T (one nonzero per row, embeddingMap.ts) that maps it back.
 *
 * A unit u of hidden layer l has an incoming vector v_u (row u of W_l, with b_u appended for a
 * two-layer network with input biases) and an outgoing vector o_u (row u of a, or column u of
 * W_{l+1}); it contributes o_u σ(v_uᵀx̃) to the next layer. Two criteria, by the activation:
 *
 *  - σ positively homogeneous of degree p (relu, leaky_relu, linear: p = 1; relu_power: p):
 *    v_u = ρ_u ŵ with ρ_u > 0 gives o_u σ(v_uᵀx̃) = o_u ρ_u^p σ(ŵᵀx̃), so units whose incoming
 *    vectors are POSITIVELY parallel (angle ≤ angleTol) merge into one unit (R ŵ, ō),
 *      R = (Σ_u ρ_u²)^{1/2},  ō = Σ_u o_u (ρ_u/R)^p,
 *    and are mapped back by v_u = in_u·(R ŵ), o_u = out_u·ō with in_u = ρ_u/R,
 *    out_u = ⟨o_u, ō⟩/‖ō‖². When out_u = in_u (p = 1) this is the splitting map of the
 *    embedding principle (arXiv 2505.12419: c_u = in_u, Σc_u² = 1, T an isometry).
 *    When every ρ_u is equal (identical incoming vectors) and it is not such a split, R = ρ is
 *    used instead, so in_u = 1: the copy-and-divide map (Zhang et al. 2021, λ_u = out_u).
 *  - any other σ (tanh, sigmoid, gelu, …): parallel is not enough (σ(cz) ≠ c·σ(z)); units merge
 *    when their incoming vectors are IDENTICAL to within ‖v_u − v_w‖ ≤ angleTol·max(ρ_u, ρ_w):
 *    v̄ = mean v_u, ō = Σ o_u, in_u = 1, out_u = ⟨o_u, ō⟩/‖ō‖² (copy-and-divide, Σ out_u = 1
 *    when the o_u are parallel).
 *
 * Units that contribute nothing are dropped: ‖o_u‖ ≤ zeroTol·max‖o‖ (zero outgoing weights),
 * ‖v_u‖ ≤ zeroTol·max‖v‖ when σ(0) = 0, and groups whose merged ō cancels to
 * ‖ō‖ ≤ zeroTol·Σ_u ‖o_u‖(ρ_u/R)^p. Groups are formed greedily around leaders taken by
 * decreasing ρ_u (each member within the tolerance of its leader, not chained).
 *
 * The merged network computes the same function up to the angle tolerance (exactly, up to
 * rounding, for exact splits); the map reproduces the given θ exactly when every group was a
 * split (outgoing vectors proportional to the member factors) and nothing was dropped: the
 * reconstruction error ‖Tθ̄ − θ‖/‖θ‖ says which. MLP layers are merged from the first hidden
 * layer up; a merge of layer l recombines columns of W_{l+1}, which preserves (positive)
 * parallelism of its rows, so the order does not hide groups.
 */
import type { Architecture, Model } from "../model/index.js";
import {
  activationHomogeneity, activationValue, hiddenLayers, mlpArchitecture, mlpLayerOffsets, mlpWeights, paramCount,
  twoLayerArchitecture, twoLayerLayout, twoLayerParts,
} from "../model/index.js";
import { nrm2 } from "../linalg/index.js";
import { applyEmbedding, composeEmbeddings, type EmbeddingMap } from "./embeddingMap.js";

/** Default angle tolerance (radians; relative distance for the "identical" criterion). */
export const MERGE_ANGLE_TOL = 1e-6;
/** Default relative threshold below which a vector counts as zero. */
export const MERGE_ZERO_TOL = 1e-12;
/** Above this many merged units in a layer, the closest pair of distinct units is not searched (O(h²) pairs). */
export const MERGE_PAIRWISE_MAX = 4096;

/** How units were compared: by direction (homogeneous σ) or as vectors (other σ). */
export type MergeCriterion = "positively parallel" | "identical";
/** Which map sends a merged unit back to its group (see the file comment). */
export type GroupMapKind = "splitting" | "copy-and-divide" | "rescaled";

export interface MergeOptions {
  /** Angle tolerance in radians ("identical": relative distance). Default MERGE_ANGLE_TOL. */
  readonly angleTol?: number;
  /** Relative zero threshold. Default MERGE_ZERO_TOL. */
  readonly zeroTol?: number;
}

/** One unit of the merged network and the units of the given network it stands for. */
export interface MergedGroup {
  /** Hidden layer (1-based). */
  readonly layer: number;
  /** Units of the given network (ascending). */
  readonly members: number[];
  /** Index of the merged unit in the merged network. */
  readonly unit: number;
  /** Per member: v_u ≈ inScale_u · v̄ (v̄ the merged incoming vector). */
  readonly inScale: number[];
  /** Per member: o_u ≈ outScale_u · ō. */
  readonly outScale: number[];
  /** Largest angle (or relative distance) of a member's incoming vector to v̄. */
  readonly maxDeviation: number;
  readonly kind: GroupMapKind;
}

/** A unit dropped because it contributes nothing. */
export interface RemovedUnit {
  readonly layer: number;
  readonly unit: number;
  readonly reason: string;
}

/** The merge of one hidden layer. */
export interface LayerMerge {
  readonly layer: number;
  readonly width: number;
  readonly mergedWidth: number;
  /** Every unit of the merged layer, in order (singletons included). */
  readonly groups: MergedGroup[];
  readonly removed: RemovedUnit[];
  /**
   * Smallest angle (relative distance) between the incoming vectors of two different merged
   * units: how far the nearest units that were NOT merged are from the tolerance. Null with
   * fewer than two merged units or more than MERGE_PAIRWISE_MAX.
   */
  readonly closestDistinct: number | null;
}

/** Everything mergeRedundantUnits finds. */
export interface MergeResult {
  readonly criterion: MergeCriterion;
  /** Degree p of homogeneity of σ (null for the "identical" criterion). */
  readonly degree: number | null;
  readonly angleTol: number;
  readonly zeroTol: number;
  readonly layers: LayerMerge[];
  /** The merged (narrower or equal) network. */
  readonly merged: Model;
  /** T: merged parameters → the given network's parameters (η_i = scale_i θ̄_{source_i}). */
  readonly map: EmbeddingMap;
  /** ‖Tθ̄ − θ‖ and ‖Tθ̄ − θ‖/‖θ‖: zero up to rounding when the network is exactly a split of θ̄. */
  readonly reconstruction: { readonly absolute: number; readonly relative: number };
  /** Total hidden width of the given and of the merged network. */
  readonly width: number;
  readonly mergedWidth: number;
}

/** Incoming (h × cin) and outgoing (h × K) vectors of the units of one layer, row-major. */
interface LayerVectors {
  readonly h: number;
  readonly cin: number;
  readonly K: number;
  readonly incoming: Float64Array;
  readonly outgoing: Float64Array;
}

/** The merge plan of one layer: merged vectors and, per given unit, its group and factors. */
interface LayerPlan {
  readonly merge: LayerMerge;
  readonly incoming: Float64Array;
  readonly outgoing: Float64Array;
  /** Merged unit of each given unit (−1: removed). */
  readonly unitOf: Int32Array;
  readonly inScale: Float64Array;
  readonly outScale: Float64Array;
}

/** 2·atan2(‖â − b̂‖, ‖â + b̂‖): the angle between a and b, accurate also near 0 and π. */
function angleBetween(a: Float64Array, b: Float64Array): number {
  const na = nrm2(a);
  const nb = nrm2(b);
  let dm = 0;
  let dp = 0;
  for (let t = 0; t < a.length; t++) {
    const x = a[t] / na;
    const y = b[t] / nb;
    dm += (x - y) * (x - y);
    dp += (x + y) * (x + y);
  }
  return 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
}

/** ‖a − b‖/max(‖a‖, ‖b‖) (0 when both are zero). */
function relativeDistance(a: Float64Array, b: Float64Array): number {
  const s = Math.max(nrm2(a), nrm2(b));
  if (s === 0) return 0;
  let d = 0;
  for (let t = 0; t < a.length; t++) d += (a[t] - b[t]) ** 2;
  return Math.sqrt(d) / s;
}

function dotRaw(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * b[t];
  return s;
}

/** The merged unit (v̄, ō) of one group of units and the members' factors. */
function mergeGroup(
  V: LayerVectors, members: number[], degree: number | null, tol: number,
): { v: Float64Array; o: Float64Array; inScale: number[]; outScale: number[]; kind: GroupMapKind; weight: number } {
  const { cin, K } = V;
  const row = (u: number): Float64Array => V.incoming.subarray(u * cin, (u + 1) * cin);
  const out = (u: number): Float64Array => V.outgoing.subarray(u * K, (u + 1) * K);
  const rho = members.map((u) => nrm2(row(u)));
  const v = new Float64Array(cin);
  const o = new Float64Array(K);
  let weight = 0;
  if (members.length === 1) {
    // A unit of its own is kept bit for bit (T is the identity on it).
    v.set(row(members[0]));
    o.set(out(members[0]));
    return { v, o, inScale: [1], outScale: [1], kind: "splitting", weight: nrm2(o) };
  }
  if (degree === null) {
    for (const u of members) for (let t = 0; t < cin; t++) v[t] += row(u)[t] / members.length;
    for (const u of members) {
      for (let c = 0; c < K; c++) o[c] += out(u)[c];
      weight += nrm2(out(u));
    }
    const o2 = dotRaw(o, o);
    return { v, o, inScale: members.map(() => 1), outScale: members.map((u) => (o2 > 0 ? dotRaw(out(u), o) / o2 : 0)), kind: "copy-and-divide", weight };
  }
  const p = degree;
  const sum = new Float64Array(cin);
  for (const u of members) for (let t = 0; t < cin; t++) sum[t] += row(u)[t];
  const sn = nrm2(sum);
  const withR = (R: number): { o: Float64Array; inScale: number[]; outScale: number[]; weight: number } => {
    const oo = new Float64Array(K);
    let w = 0;
    members.forEach((u, i) => {
      const f = (rho[i] / R) ** p;
      for (let c = 0; c < K; c++) oo[c] += f * out(u)[c];
      w += f * nrm2(out(u));
    });
    const o2 = dotRaw(oo, oo);
    return { o: oo, inScale: rho.map((r) => r / R), outScale: members.map((u) => (o2 > 0 ? dotRaw(out(u), oo) / o2 : 0)), weight: w };
  };
  const iso = withR(Math.hypot(...rho));
  const isSplit = p === 1 && iso.inScale.every((c, i) => Math.abs(iso.outScale[i] - c) <= tol * Math.max(1, c));
  const identical = rho.every((r) => Math.abs(r - rho[0]) <= tol * rho[0]);
  const kind: GroupMapKind = isSplit ? "splitting" : identical ? "copy-and-divide" : "rescaled";
  const R = kind === "copy-and-divide" ? rho.reduce((s, r) => s + r, 0) / rho.length : Math.hypot(...rho);
  const chosen = kind === "copy-and-divide" ? withR(R) : iso;
  for (let t = 0; t < cin; t++) v[t] = (R * sum[t]) / sn;
  o.set(chosen.o);
  return { v, o, inScale: chosen.inScale, outScale: chosen.outScale, kind, weight: chosen.weight };
}

/** Greedy leader clustering and the merge of one layer (see the file comment). */
function planLayer(V: LayerVectors, layer: number, degree: number | null, sigmaZero: boolean, angleTol: number, zeroTol: number): LayerPlan {
  const { h, cin, K } = V;
  const row = (u: number): Float64Array => V.incoming.subarray(u * cin, (u + 1) * cin);
  const rho = Array.from({ length: h }, (_, u) => nrm2(row(u)));
  const omega = Array.from({ length: h }, (_, u) => nrm2(V.outgoing.subarray(u * K, (u + 1) * K)));
  const maxRho = Math.max(...rho);
  const maxOmega = Math.max(...omega);
  const deviation = degree === null ? relativeDistance : angleBetween;
  const removed: RemovedUnit[] = [];
  const candidates: number[] = [];
  for (let u = 0; u < h; u++) {
    if (omega[u] <= zeroTol * maxOmega) removed.push({ layer, unit: u, reason: "zero outgoing weights: the unit contributes nothing" });
    else if (sigmaZero && rho[u] <= zeroTol * maxRho) removed.push({ layer, unit: u, reason: "zero incoming weights and σ(0) = 0: the unit contributes nothing" });
    else candidates.push(u);
  }
  candidates.sort((a, b) => rho[b] - rho[a] || a - b);
  const assigned = new Uint8Array(h);
  const clusters: number[][] = [];
  for (const leader of candidates) {
    if (assigned[leader]) continue;
    const members = [leader];
    assigned[leader] = 1;
    for (const u of candidates) {
      if (assigned[u]) continue;
      const both0 = degree !== null && (rho[u] === 0 || rho[leader] === 0);
      if (!both0 && deviation(row(leader), row(u)) <= angleTol) {
        members.push(u);
        assigned[u] = 1;
      }
    }
    clusters.push(members.sort((a, b) => a - b));
  }
  clusters.sort((a, b) => a[0] - b[0]);
  const merged: { members: number[]; v: Float64Array; o: Float64Array; inScale: number[]; outScale: number[]; kind: GroupMapKind }[] = [];
  for (const members of clusters) {
    const g = mergeGroup(V, members, degree, angleTol);
    if (nrm2(g.o) <= zeroTol * g.weight) {
      for (const u of members) removed.push({ layer, unit: u, reason: `cancelling group {${members.join(", ")}}: the merged outgoing weights sum to zero` });
      continue;
    }
    merged.push({ members, ...g });
  }
  // A layer keeps at least one unit (a zero one when everything was dropped).
  const width = Math.max(1, merged.length);
  const incoming = new Float64Array(width * cin);
  const outgoing = new Float64Array(width * K);
  const unitOf = new Int32Array(h).fill(-1);
  const inScale = new Float64Array(h);
  const outScale = new Float64Array(h);
  const groups: MergedGroup[] = merged.map((g, unit) => {
    incoming.set(g.v, unit * cin);
    outgoing.set(g.o, unit * K);
    g.members.forEach((u, i) => {
      unitOf[u] = unit;
      inScale[u] = g.inScale[i];
      outScale[u] = g.outScale[i];
    });
    const maxDeviation = Math.max(...g.members.map((u) => deviation(row(u), g.v)));
    return { layer, members: g.members, unit, inScale: g.inScale, outScale: g.outScale, maxDeviation, kind: g.kind };
  });
  removed.sort((a, b) => a.unit - b.unit);
  return {
    merge: { layer, width: h, mergedWidth: width, groups, removed, closestDistinct: closestPair(incoming, merged.length, cin, deviation) },
    incoming, outgoing, unitOf, inScale, outScale,
  };
}

/** min over pairs of merged units of the deviation of their incoming vectors (null: < 2 units or too many). */
function closestPair(incoming: Float64Array, g: number, cin: number, deviation: (a: Float64Array, b: Float64Array) => number): number | null {
  if (g < 2 || g > MERGE_PAIRWISE_MAX) return null;
  let best = Infinity;
  for (let s = 0; s < g; s++) {
    const a = incoming.subarray(s * cin, (s + 1) * cin);
    for (let t = s + 1; t < g; t++) best = Math.min(best, deviation(a, incoming.subarray(t * cin, (t + 1) * cin)));
  }
  return best;
}

/** Two-layer: incoming [w_u, b_u], outgoing a_u. */
function twoLayerVectors(model: Model): LayerVectors {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new RangeError("twoLayerVectors: not a two-layer network");
  const { d, m, k } = arch;
  const parts = twoLayerParts(arch, model.theta);
  const cin = d + (parts.b ? 1 : 0);
  const incoming = new Float64Array(m * cin);
  for (let u = 0; u < m; u++) {
    incoming.set(parts.W.subarray(u * d, (u + 1) * d), u * cin);
    if (parts.b) incoming[u * cin + d] = parts.b[u];
  }
  return { h: m, cin, K: k, incoming, outgoing: parts.a.slice() };
}

/** MLP hidden layer l: incoming rows of W_l, outgoing columns of W_{l+1}. */
function mlpVectors(model: Model, layer: number): LayerVectors {
  const arch = model.arch;
  if (arch.kind !== "mlp") throw new RangeError("mlpVectors: not an MLP");
  const Ws = mlpWeights(arch, model.theta);
  const h = arch.widths[layer];
  const cin = arch.widths[layer - 1];
  const K = arch.widths[layer + 1];
  const next = Ws[layer];
  const outgoing = new Float64Array(h * K);
  for (let u = 0; u < h; u++) for (let c = 0; c < K; c++) outgoing[u * K + c] = next[c * h + u];
  return { h, cin, K, incoming: Ws[layer - 1].slice(), outgoing };
}

/** The merged two-layer network and T: merged → given. */
function applyTwoLayerPlan(model: Model, plan: LayerPlan): { model: Model; map: EmbeddingMap } {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new RangeError("applyTwoLayerPlan: not a two-layer network");
  const { d, m, k } = arch;
  const g = plan.merge.mergedWidth;
  const to = twoLayerArchitecture({ d, m: g, k, activation: arch.activation, inputBias: arch.inputBias, outputBias: arch.outputBias });
  const theta = new Float64Array(paramCount(to));
  const P = twoLayerParts(to, theta);
  const cin = d + (arch.inputBias ? 1 : 0);
  for (let s = 0; s < g; s++) {
    P.W.set(plan.incoming.subarray(s * cin, s * cin + d), s * d);
    if (P.b) P.b[s] = plan.incoming[s * cin + d];
  }
  P.a.set(plan.outgoing);
  const given = twoLayerParts(arch, model.theta);
  if (P.c && given.c) P.c.set(given.c);
  const A = twoLayerLayout(to);
  const B = twoLayerLayout(arch);
  const source = new Int32Array(B.size);
  const scale = new Float64Array(B.size);
  for (let u = 0; u < m; u++) {
    const s = Math.max(plan.unitOf[u], 0);
    const fi = plan.unitOf[u] < 0 ? 0 : plan.inScale[u];
    const fo = plan.unitOf[u] < 0 ? 0 : plan.outScale[u];
    for (let i = 0; i < d; i++) { source[B.W + u * d + i] = A.W + s * d + i; scale[B.W + u * d + i] = fi; }
    for (let c = 0; c < k; c++) { source[B.a + u * k + c] = A.a + s * k + c; scale[B.a + u * k + c] = fo; }
    if (B.b >= 0) { source[B.b + u] = A.b + s; scale[B.b + u] = fi; }
  }
  if (B.c >= 0) for (let c = 0; c < k; c++) { source[B.c + c] = A.c + c; scale[B.c + c] = 1; }
  return { model: { arch: to, theta }, map: { from: to, to: arch, source, scale } };
}

/** The MLP with hidden layer l merged and T: merged → given. */
function applyMlpPlan(model: Model, layer: number, plan: LayerPlan): { model: Model; map: EmbeddingMap } {
  const arch = model.arch;
  if (arch.kind !== "mlp") throw new RangeError("applyMlpPlan: not an MLP");
  const g = plan.merge.mergedWidth;
  const widths = arch.widths.slice();
  widths[layer] = g;
  const to = mlpArchitecture(widths, arch.activation);
  const theta = new Float64Array(paramCount(to));
  const Wn = mlpWeights(to, theta);
  const Wo = mlpWeights(arch, model.theta);
  Wo.forEach((W, l) => { if (l !== layer - 1 && l !== layer) Wn[l].set(W); });
  Wn[layer - 1].set(plan.incoming);
  const K = widths[layer + 1];
  for (let s = 0; s < g; s++) for (let c = 0; c < K; c++) Wn[layer][c * g + s] = plan.outgoing[s * K + c];
  const offA = mlpLayerOffsets(to);
  const offB = mlpLayerOffsets(arch);
  const source = new Int32Array(paramCount(arch));
  const scale = new Float64Array(source.length);
  for (let l = 1; l < widths.length; l++) {
    const rowsB = arch.widths[l];
    const colsB = arch.widths[l - 1];
    const colsA = widths[l - 1];
    for (let r = 0; r < rowsB; r++) {
      for (let c = 0; c < colsB; c++) {
        let rs = r;
        let cs = c;
        let f = 1;
        if (l === layer) { rs = Math.max(plan.unitOf[r], 0); f = plan.unitOf[r] < 0 ? 0 : plan.inScale[r]; }
        if (l === layer + 1) { cs = Math.max(plan.unitOf[c], 0); f = plan.unitOf[c] < 0 ? 0 : plan.outScale[c]; }
        source[offB[l - 1] + r * colsB + c] = offA[l - 1] + rs * colsA + cs;
        scale[offB[l - 1] + r * colsB + c] = f;
      }
    }
  }
  return { model: { arch: to, theta }, map: { from: to, to: arch, source, scale } };
}

function hiddenWidth(arch: Architecture): number {
  if (arch.kind === "conv" || arch.kind === "parallel-three-layer") throw new RangeError(`mergeRedundantUnits: ${arch.kind} models are not supported`);
  return arch.kind === "two-layer" ? arch.m : arch.widths.slice(1, -1).reduce((s, w) => s + w, 0);
}

/**
 * Merge the redundant units of every hidden layer (see the file comment): the merged network,
 * the groups with their factors, the dropped units, and the map T back with its reconstruction
 * error ‖Tθ̄ − θ‖.
 *
 * @param model - a two-layer network or MLP
 * @param opts - `angleTol` (radians; relative distance for non-homogeneous σ) and `zeroTol`
 * @returns the merged network, its groups and dropped units per layer, the map T back and ‖Tθ̄ − θ‖
 * @example
 * ```ts
 * import { initializeModel, makeActivation, mergeRedundantUnits, splitUnit, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const wide = splitUnit(net, 1, [0.6, 0.8]).model;
 * const merged = mergeRedundantUnits(wide);
 * console.log(merged.width, "→", merged.mergedWidth, merged.reconstruction.relative); // 5 → 4, ~1e-16
 * ```
 */
export function mergeRedundantUnits(model: Model, opts: MergeOptions = {}): MergeResult {
  const angleTol = opts.angleTol ?? MERGE_ANGLE_TOL;
  const zeroTol = opts.zeroTol ?? MERGE_ZERO_TOL;
  if (!(angleTol >= 0) || !(zeroTol >= 0)) throw new RangeError(`mergeRedundantUnits: tolerances must be ≥ 0, got angleTol ${angleTol}, zeroTol ${zeroTol}`);
  const degree = activationHomogeneity(model.arch.activation);
  const sigmaZero = activationValue(model.arch.activation, 0) === 0;
  const layers: LayerMerge[] = [];
  let current = model;
  let map: EmbeddingMap | null = null;
  for (let l = 1; l <= hiddenLayers(model.arch); l++) {
    const V = current.arch.kind === "two-layer" ? twoLayerVectors(current) : mlpVectors(current, l);
    const plan = planLayer(V, l, degree, sigmaZero, angleTol, zeroTol);
    const step = current.arch.kind === "two-layer" ? applyTwoLayerPlan(current, plan) : applyMlpPlan(current, l, plan);
    layers.push(plan.merge);
    // T maps the final merged network back: T ← T_prev ∘ T_l (first T_l, then T_prev).
    map = map === null ? step.map : composeEmbeddings(map, step.map);
    current = step.model;
  }
  if (map === null) {
    // No hidden layer (a linear MLP [d, out]): nothing to merge, T = I.
    const p = model.theta.length;
    map = { from: model.arch, to: model.arch, source: Int32Array.from({ length: p }, (_, i) => i), scale: new Float64Array(p).fill(1) };
  }
  const back = applyEmbedding(map, current.theta);
  let err = 0;
  for (let i = 0; i < back.length; i++) err += (back[i] - model.theta[i]) ** 2;
  const norm = nrm2(model.theta);
  const absolute = Math.sqrt(err);
  return {
    criterion: degree === null ? "identical" : "positively parallel",
    degree,
    angleTol,
    zeroTol,
    layers,
    merged: current,
    map,
    reconstruction: { absolute, relative: norm > 0 ? absolute / norm : absolute },
    width: hiddenWidth(model.arch),
    mergedWidth: hiddenWidth(current.arch),
  };
}

/**
 * Per unit of hidden layer `layer` (1-based) of the GIVEN network: the smallest deviation of its
 * incoming vector from any other unit's, by the merge criterion of the activation (angle, or
 * relative distance), together with the index of that nearest unit. Null when the layer has
 * more than MERGE_PAIRWISE_MAX units. Shows how condensed a network is below the tolerance.
 *
 * @param model - a two-layer network or MLP
 * @param layer - hidden layer, 1-based (default 1)
 * @returns per unit the smallest deviation to another unit and that unit's index; null above MERGE_PAIRWISE_MAX units
 * @example
 * ```ts
 * import { initializeModel, makeActivation, nearestUnitDeviations, splitUnit, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const near = nearestUnitDeviations(splitUnit(net, 1, [0.6, 0.8]).model);
 * console.log(near?.nearest[1], near?.deviation[1]); // 4, ~1e-16: unit 1 and its copy
 * ```
 */
export function nearestUnitDeviations(model: Model, layer = 1): { deviation: Float64Array; nearest: Int32Array } | null {
  const V = model.arch.kind === "two-layer" ? twoLayerVectors(model) : mlpVectors(model, layer);
  const { h, cin } = V;
  if (h > MERGE_PAIRWISE_MAX) return null;
  const deviation = activationHomogeneity(model.arch.activation) === null ? relativeDistance : angleBetween;
  const dev = new Float64Array(h).fill(Infinity);
  const nearest = new Int32Array(h).fill(-1);
  const row = (u: number): Float64Array => V.incoming.subarray(u * cin, (u + 1) * cin);
  for (let s = 0; s < h; s++) {
    for (let t = s + 1; t < h; t++) {
      const e = deviation(row(s), row(t));
      if (e < dev[s]) { dev[s] = e; nearest[s] = t; }
      if (e < dev[t]) { dev[t] = e; nearest[t] = s; }
    }
  }
  return { deviation: dev, nearest };
}
