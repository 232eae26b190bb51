// The first-layer directions of parallel three-layer ReLU networks with weight decay
// (docs/science/convex.md §8.2; the network and its training are in network.ts):
//   f(X) = Σ_{j≤m} ((X W_{1j})_+ w_{2j})_+ α_j,   W_{1j} ∈ ℝ^{D×m1} (columns w_{1jk}), w_{2j} ∈ ℝ^{m1},
//   F(θ) = L(f, y) + (β/2) Σ_j (‖W_{1j}‖²_F + ‖w_{2j}‖² + α_j²),  L convex (convexLoss).
// The note states that "first-layer directions come from a finite set fixed by the dual". The
// check implemented here follows from the first-order conditions (derivation below).
//
// Derivation. Write H_{jk} = X w_{1jk}, A_{jk} = (H_{jk})_+, Z_j = Σ_k A_{jk} w_{2jk}, G_j = (Z_j)_+,
// f = Σ_j α_j G_j, r = ∇L(f), ν = −r. With D_{jk} = diag(1[H_{jk} > 0]) (the neuron's pattern D_i)
// and D2_j = diag(1[Z_j > 0]) (ReLU'(0) = 0, as in the gradient):
//   ∂F/∂α_j     = G_jᵀ r + β α_j,
//   ∂F/∂w_{2jk} = α_j A_{jk}ᵀ D2_j r + β w_{2jk},
//   ∂F/∂w_{1jk} = α_j w_{2jk} Xᵀ D_{jk} D2_j r + β w_{1jk}.
// At a stationary point the last line gives
//   w_{1jk} = (α_j w_{2jk}/β) · Xᵀ D_{jk} D2_j ν,
// so w̄_{1jk} = σ g_{jk}/‖g_{jk}‖ with g_{jk} = Xᵀ D_{jk} D2_j ν and σ = sign(α_j w_{2jk}). Because
// w_{1jk} lies in the closed cone K_{jk} = {u : (2D_{jk} − I) X u ≥ 0} of its own pattern, so does
// σ g_{jk}, hence σ g_{jk} = Π_{K_{jk}}(σ g_{jk}) and the note's form
//   w̄_{1jk} = Π_{K_i}(σ Xᵀ D_i D2_j ν)/‖·‖,  D_i = D_{jk},
// agrees with the derivation at differentiable stationary points (the projection is the
// identity there). At a kink (x_qᵀw_{1jk} = 0 on a row q with D2_j,qq = 1, ν_q ≠ 0) the derivation
// alone does not hold: Clarke stationarity gives β w = |α_j w_{2jk}| σ (g₀ + θ ν_q x_q) for some
// θ ∈ [0, 1] (g₀ without row q), and the difference between σ g (with D_i = 1[Xw ≥ 0], row q
// included) and β w/|α_j w_{2jk}| is σ ν_q (1 − θ) x_q, which lies in the polar of K_i = {x_qᵀu ≥ 0,
// …} exactly when σ ν_q ≤ 0 (a convex kink, the case of local minima); then Moreau gives
// Π_{K_i}(σ g) ∝ w again. So the projected form is the one that survives at kinks, where plain
// gradient descent stalls with a non-vanishing one-sided gradient. For fixed ν and D2_j the
// candidates over all patterns i and signs σ form a finite set: that is the statement checked.
// Conventions: D_i = 1[X w ≥ 0] in both g and K_i (the note's ≥, pitfall 1); D2_j = 1[Z_j > 0]
// as in the gradient (the brief's ≥ differs only on rows with Z_j = 0 and some H_{jk} > 0, a
// cancellation that does not occur generically).
// Quantitatively: with e = ∂F/∂w_{1jk}, β w_{1jk} − e = |α_j w_{2jk}| σ g_{jk}; β w ∈ K and Π_K is
// 1-Lipschitz, so ‖w̄_{1jk} − Π_K(σ g)/‖Π_K(σ g)‖‖ ≤ 2‖e‖/(β ‖w_{1jk}‖) (the distance between unit
// vectors x/‖x‖, y/‖y‖ is at most 2‖x − y‖/‖x‖). Multiplying the w_2 and w_1 conditions by
// w_{2jk} and w_{1jk} also gives the balance at stationarity: ‖w_{1jk}‖ = |w_{2jk}| per neuron and
// ‖w_{2j}‖ = |α_j| per block. (The bound uses ∂F/∂w with ReLU'(0) = 0; it holds whenever no
// pre-activation x_qᵀw_{1jk} is exactly 0.)
import { distance, nrm2, type Matrix } from "../../../linalg/index.js";
import { patternMask, patternOf, projectOntoCone, type ConvexLossName, type PatternSet } from "../../program/index.js";
import { checkThreeLayerNetwork, threeLayerObjective, type ThreeLayerNetwork } from "./network.js";

/**
 * The pre-activations that fix the patterns: H (m·m1 × n, H_{jk} = X w_{1jk}) and the block
 * pre-activations Z (m × n, Z_j = Σ_k (H_{jk})_+ w_{2jk}), for D_{jk} = 1[H_{jk} ≥ 0] and D2_j = 1[Z_j > 0].
 */
function preactivations(net: ThreeLayerNetwork, X: Matrix): { H: Float64Array; Z: Float64Array } {
  const { rows: n, cols: D, data } = X;
  const { m, m1, W1, W2 } = net;
  const H = new Float64Array(m * m1 * n);
  const Z = new Float64Array(m * n);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < m1; k++) {
      const row = (j * m1 + k) * D;
      const w2 = W2[j * m1 + k];
      for (let q = 0; q < n; q++) {
        let s = 0;
        for (let t = 0; t < D; t++) s += data[q * D + t] * W1[row + t];
        H[(j * m1 + k) * n + q] = s;
        if (s > 0) Z[j * n + q] += s * w2;
      }
    }
  }
  return { H, Z };
}

/** Options of firstLayerDirections. */
export interface FirstLayerDirectionOptions {
  readonly loss?: ConvexLossName;
  /**
   * Patterns over which to form the finite set {Π_{K_i}(σ Xᵀ D_i D2_j ν)/‖·‖ : i, σ = ±1} of each
   * block (e.g. enumeratePatterns(X)); without it only the neuron's own element is computed.
   */
  readonly patterns?: PatternSet;
  /**
   * A neuron is active when it reaches the output (H_{jk} > 0 and Z_j > 0 on some row) and its
   * contribution bound ‖X‖_F‖w_{1jk}‖|w_{2jk} α_j| exceeds activeTol·max(‖y‖, largest bound)
   * (a network collapsing to 0 has no active neuron). Default 1e-3.
   */
  readonly activeTol?: number;
}

/** One first-layer neuron. */
export interface FirstLayerNeuron {
  readonly block: number;
  readonly neuron: number;
  readonly active: boolean;
  readonly weightNorm: number;
  /** σ = sign(α_j w_{2jk}). */
  readonly sign: number;
  /** ‖w̄_{1jk} − Π_{K_i}(σ Xᵀ D_i D2_j ν)/‖·‖‖ for the neuron's own pattern D_i (2 if the projection is 0). */
  readonly distance: number;
  /** Π_{K_i}(σ Xᵀ D_i D2_j ν)/‖·‖ (zeros when the projection is 0). */
  readonly candidate: Float64Array;
  /** The same, minimised over the finite set of the block (NaN without `patterns`). */
  readonly setDistance: number;
  /** 2‖∂F/∂w_{1jk}‖/(β‖w_{1jk}‖): the derivation's bound on `distance`. */
  readonly bound: number;
  /** |‖w_{1jk}‖ − |w_{2jk}|| / max (0 at stationarity). */
  readonly imbalance: number;
}

/** The first-layer direction check of a three-layer network. */
export interface FirstLayerDirections {
  readonly neurons: FirstLayerNeuron[];
  /** Max `distance` over active neurons. */
  readonly maxDistance: number;
  /** Max `setDistance` over active neurons (NaN without patterns). */
  readonly maxSetDistance: number;
  /** Per block |‖w_{2j}‖ − |α_j|| / max (0 at stationarity). */
  readonly blockImbalance: Float64Array;
  readonly gradNorm: number;
  readonly objective: number;
}

/**
 * For every first-layer neuron of `net`, the distance of its direction w̄_{1jk} to the dual's
 * candidate Π_{K_i}(σ Xᵀ D_i D2_j ν)/‖·‖ (own pattern D_i = 1[X w_{1jk} > 0] in the vector, cone K_i
 * of 1[X w_{1jk} ≥ 0]; D2_j = 1[Z_j > 0]; σ = sign(α_j w_{2jk}); ν = −∇L(f)) and, with `patterns`,
 * to the whole finite set of the block. See the file comment for the derivation and the bound.
 *
 * @param net - the three-layer network
 * @param X - inputs in X̃-space, n × D
 * @param y - the n targets
 * @param beta - the weight decay β > 0
 * @param opts - `loss`, `patterns` for the distance to the whole set, `activeTol`
 * @returns per first-layer neuron the distance to its dual candidate (and to the set), block imbalance, ‖∇F‖, the objective
 * @example
 * ```ts
 * import { enumeratePatterns, firstLayerDirections, trainThreeLayer, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const y = Float64Array.from(x, Math.abs);
 * const init = { W1: Float64Array.of(0.9, 0.1, -0.8, 0.2), W2: Float64Array.of(0.7, 0.6), alpha: Float64Array.of(0.8), m: 1, m1: 2, D: 2 };
 * const { net } = trainThreeLayer(X, y, 0.01, init, { lr: 0.05, steps: 5000 });
 * const check = firstLayerDirections(net, X, y, 0.01, { patterns: enumeratePatterns(X) });
 * console.log(check.maxDistance, check.gradNorm); // both small near a stationary point
 * ```
 */
export function firstLayerDirections(net: ThreeLayerNetwork, X: Matrix, y: Float64Array, beta: number, opts: FirstLayerDirectionOptions = {}): FirstLayerDirections {
  if (!(beta > 0)) throw new RangeError(`firstLayerDirections: beta must be positive, got ${beta}`);
  const ev = threeLayerObjective(net, X, y, beta, opts.loss ?? "square");
  const { rows: n, cols: D, data } = X;
  const { m, m1, W1, W2, alpha } = net;
  if (opts.patterns !== undefined && (opts.patterns.n !== n || opts.patterns.d !== D)) {
    throw new RangeError(`firstLayerDirections: patterns are for ${opts.patterns.n}×${opts.patterns.d} data, X is ${n}×${D}`);
  }
  checkThreeLayerNetwork("firstLayerDirections", net, X, y);
  const { H, Z } = preactivations(net, X);
  const nu = ev.nu;
  // Contribution bound ‖X‖_F‖w_{1jk}‖|w_{2jk} α_j| ≥ the neuron's effect on f.
  const xF = nrm2(data);
  const size: number[] = [];
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < m1; k++) {
      const nk = j * m1 + k;
      size.push(xF * nrm2(W1.subarray(nk * D, (nk + 1) * D)) * Math.abs(W2[nk] * alpha[j]));
    }
  }
  const scale = Math.max(nrm2(y), ...size);
  const activeTol = opts.activeTol ?? 1e-3;
  const neurons: FirstLayerNeuron[] = [];
  const blockImbalance = new Float64Array(m);
  let maxDistance = 0;
  let maxSetDistance = opts.patterns === undefined ? NaN : 0;
  for (let j = 0; j < m; j++) {
    const w2n = nrm2(W2.subarray(j * m1, (j + 1) * m1));
    const bb = Math.max(w2n, Math.abs(alpha[j]));
    blockImbalance[j] = bb === 0 ? 0 : Math.abs(w2n - Math.abs(alpha[j])) / bb;
    // ν restricted to the block's active rows: D2_j ν.
    const nu2 = new Float64Array(n);
    for (let q = 0; q < n; q++) if (Z[j * n + q] > 0) nu2[q] = nu[q];
    // The block's finite set.
    const candidates: Float64Array[] = [];
    if (opts.patterns !== undefined) {
      const P = opts.patterns;
      for (let i = 0; i < P.count; i++) {
        const mask = patternMask(P, i);
        const g = xtMaskedDual(data, n, D, mask, nu2);
        for (const sg of [1, -1]) {
          const pr = projectOntoCone(data, n, D, mask, g.map((v) => sg * v));
          if (pr.norm > 0) candidates.push(pr.projection.map((v) => v / pr.norm));
        }
      }
    }
    for (let k = 0; k < m1; k++) {
      const nk = j * m1 + k;
      const w = W1.subarray(nk * D, (nk + 1) * D);
      const wn = nrm2(w);
      const sign = Math.sign(alpha[j] * W2[nk]);
      const big = Math.max(wn, Math.abs(W2[nk]));
      const imbalance = big === 0 ? 0 : Math.abs(wn - Math.abs(W2[nk])) / big;
      // Active: not negligible, and reaching the output (some row with H_{jk} > 0 and Z_j > 0).
      let reaches = false;
      for (let q = 0; q < n && !reaches; q++) reaches = H[nk * n + q] > 0 && Z[j * n + q] > 0;
      const active = reaches && size[nk] > activeTol * scale;
      if (wn === 0 || sign === 0) {
        neurons.push({ block: j, neuron: k, active: false, weightNorm: wn, sign, distance: NaN, candidate: new Float64Array(D), setDistance: NaN, bound: Infinity, imbalance });
        continue;
      }
      const wbar = Float64Array.from(w, (v) => v / wn);
      // g = Xᵀ D_i D2_j ν and the cone K_i of the same pattern D_i = 1[X w ≥ 0].
      const own = patternOf(X, w);
      const g = xtMaskedDual(data, n, D, own, nu2);
      const pr = projectOntoCone(data, n, D, own, g.map((v) => sign * v));
      const candidate = pr.norm > 0 ? pr.projection.map((v) => v / pr.norm) : new Float64Array(D);
      const ownDistance = pr.norm > 0 ? distance(wbar, candidate) : 2;
      let setDistance = NaN;
      if (opts.patterns !== undefined) {
        setDistance = 2;
        for (const e of candidates) setDistance = Math.min(setDistance, distance(wbar, e));
      }
      const bound = (2 * nrm2(ev.gradW1.subarray(nk * D, (nk + 1) * D))) / (beta * wn);
      if (active) {
        maxDistance = Math.max(maxDistance, ownDistance);
        if (opts.patterns !== undefined) maxSetDistance = Math.max(maxSetDistance, setDistance);
      }
      neurons.push({ block: j, neuron: k, active, weightNorm: wn, sign, distance: ownDistance, candidate, setDistance, bound, imbalance });
    }
  }
  return { neurons, maxDistance, maxSetDistance, blockImbalance, gradNorm: ev.gradNorm, objective: ev.objective };
}

/** Xᵀ diag(mask) v. */
export function xtMaskedDual(X: Float64Array, n: number, D: number, mask: Uint8Array, v: Float64Array): Float64Array {
  const g = new Float64Array(D);
  for (let q = 0; q < n; q++) {
    if (!mask[q] || v[q] === 0) continue;
    for (let t = 0; t < D; t++) g[t] += v[q] * X[q * D + t];
  }
  return g;
}

