// Stages 1–2 of the non-increasing path (path.ts, file comment): rebalance, merge per (pattern,
// sign), Carathéodory pruning, on balanced "slots" — neuron j described by its contribution
// q_j = |α_j| w_j and its sign σ_j, the network (q/√‖q‖, σ√‖q‖). The output is unchanged along
// all of them.
import { type Matrix, nrm2, svd } from "../../linalg/index.js";
import type { ReluNetwork } from "../network/index.js";
import { maskKey, patternOf } from "../program/index.js";

/** What a stage does (see the file comment). */
export type PathStageKind = "rebalance" | "merge" | "prune" | "convex segment" | "optimal set";

/**
 * How the networks between a stage's ends are formed, a function of (start, end, t) only
 * (`stageNetworkAt`):
 *  - "rescale": neuron j of `start` becomes (s w_j, α_j/s), s² = 1 + t(|α_j|/‖w_j‖ − 1); a
 *    neuron with w_j = 0 or α_j = 0 becomes (1 − t)(w_j, α_j). `end` is the balanced network.
 *  - "contribution": both ends balanced; slot j has q_j(t) = (1 − t)|α^a_j| w^a_j + t |α^b_j| w^b_j
 *    and sign of whichever end is nonzero; the neuron is (q/√‖q‖, σ√‖q‖).
 */
export type PathInterpolation = "rescale" | "contribution";

/** A Carathéodory factor 1 − γ_k/γ_max at most this is a tie with γ_max (rounding of the SVD). */
const TIE_TOL = 64 * Number.EPSILON;

/** Balanced slots: contributions q (m×D) and signs σ ∈ {−1, 0, +1}. */
export interface Slots {
  readonly q: Float64Array;
  readonly sigma: Int8Array;
}

/** A stage before sampling: its kind, name, interpolation and end networks. */
export interface StagePlan {
  readonly kind: PathStageKind;
  readonly name: string;
  readonly interpolation: PathInterpolation;
  readonly start: ReluNetwork;
  readonly end: ReluNetwork;
}

/** Balanced network of slots: (q/√‖q‖, σ√‖q‖), zero for q = 0. */
export function slotsToNetwork(s: Slots, D: number): ReluNetwork {
  const m = s.sigma.length;
  const W = new Float64Array(m * D);
  const alpha = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const c = nrm2(s.q.subarray(j * D, (j + 1) * D));
    if (c === 0 || s.sigma[j] === 0) continue;
    const r = Math.sqrt(c);
    for (let t = 0; t < D; t++) W[j * D + t] = s.q[j * D + t] / r;
    alpha[j] = s.sigma[j] * r;
  }
  return { W, alpha, m, D };
}

/** Contributions q_j = |α_j| w_j and signs of a network (exact for balanced networks). */
function networkToSlots(net: ReluNetwork): Slots {
  const { m, D } = net;
  const q = new Float64Array(m * D);
  const sigma = new Int8Array(m);
  for (let j = 0; j < m; j++) {
    const a = net.alpha[j];
    if (a === 0) continue;
    let any = false;
    for (let t = 0; t < D; t++) {
      q[j * D + t] = Math.abs(a) * net.W[j * D + t];
      any ||= q[j * D + t] !== 0;
    }
    if (any) sigma[j] = a > 0 ? 1 : -1;
  }
  return { q, sigma };
}

function cloneSlots(s: Slots): Slots {
  return { q: s.q.slice(), sigma: s.sigma.slice() };
}

export function isActive(s: Slots, j: number, D: number): boolean {
  if (s.sigma[j] === 0) return false;
  for (let t = 0; t < D; t++) if (s.q[j * D + t] !== 0) return true;
  return false;
}

/** Stage 2a: one slot per (pattern, sign); returns null when nothing merges. */
function mergeSlots(s: Slots, X: Matrix): { slots: Slots; merged: number } | null {
  const D = X.cols;
  const m = s.sigma.length;
  const first = new Map<string, number>();
  const out = cloneSlots(s);
  let merged = 0;
  for (let j = 0; j < m; j++) {
    if (!isActive(s, j, D)) continue;
    const key = `${s.sigma[j]}:${maskKey(patternOf(X, s.q.subarray(j * D, (j + 1) * D)))}`;
    const a = first.get(key);
    if (a === undefined) {
      first.set(key, j);
      continue;
    }
    for (let t = 0; t < D; t++) {
      out.q[a * D + t] += s.q[j * D + t];
      out.q[j * D + t] = 0;
    }
    out.sigma[j] = 0;
    merged++;
  }
  return merged === 0 ? null : { slots: out, merged };
}

/** Fit vector σ(X q)_+ of slot j. */
function slotFit(s: Slots, j: number, X: Matrix): Float64Array {
  const { rows: n, cols: D, data } = X;
  const f = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let v = 0;
    for (let t = 0; t < D; t++) v += data[k * D + t] * s.q[j * D + t];
    f[k] = v > 0 ? s.sigma[j] * v : 0;
  }
  return f;
}

/**
 * One Carathéodory step (stage 2b) or null when the fit vectors of the active slots are
 * independent (σ_min > tol·σ_max of the column-normalised matrix). Dead slots (fit 0) are removed
 * all at once first.
 */
function caratheodoryStep(s: Slots, X: Matrix, tol: number): { slots: Slots; removed: number[]; dead: boolean } | null {
  const { rows: n, cols: D } = X;
  const m = s.sigma.length;
  const active: number[] = [];
  const fits: Float64Array[] = [];
  const dead: number[] = [];
  for (let j = 0; j < m; j++) {
    if (!isActive(s, j, D)) continue;
    const f = slotFit(s, j, X);
    if (nrm2(f) === 0) dead.push(j);
    else {
      active.push(j);
      fits.push(f);
    }
  }
  if (dead.length > 0) {
    const out = cloneSlots(s);
    for (const j of dead) {
      out.q.fill(0, j * D, (j + 1) * D);
      out.sigma[j] = 0;
    }
    return { slots: out, removed: dead, dead: true };
  }
  // More than n columns are dependent: n + 1 of them suffice for one step.
  const K = Math.min(active.length, n + 1);
  if (K === 0) return null;
  const size = Math.max(n, K);
  const fnorm = fits.slice(0, K).map((f) => nrm2(f));
  // Zero rows pad the n×K matrix to size×K (rows ≥ columns), so the SVD returns all K right
  // singular vectors; the padding does not change GᵀG.
  const G: Matrix = { rows: size, cols: K, data: new Float64Array(size * K) };
  for (let c = 0; c < K; c++) for (let k = 0; k < n; k++) G.data[k * K + c] = fits[c][k] / fnorm[c];
  const dec = svd(G);
  const sig = dec.values;
  if (K <= n && sig[K - 1] > tol * sig[0]) return null;
  const V = dec.V!;
  // Σ_c v_c G_c = 0  ⇒  Σ_c γ_c F_c = 0 with γ_c = v_c/‖F_c‖.
  const gamma = Array.from({ length: K }, (_, c) => V.data[c * V.cols + (K - 1)] / fnorm[c]);
  const sizes = active.slice(0, K).map((j) => nrm2(s.q.subarray(j * D, (j + 1) * D)));
  let slope = 0;
  for (let c = 0; c < K; c++) slope += sizes[c] * gamma[c];
  let flip = slope < 0;
  if (slope === 0) flip = Math.max(...gamma) <= 0;
  if (flip) for (let c = 0; c < K; c++) gamma[c] = -gamma[c];
  let cmax = 0;
  for (let c = 1; c < K; c++) if (gamma[c] > gamma[cmax]) cmax = c;
  const gmax = gamma[cmax];
  const out = cloneSlots(s);
  const removed: number[] = [];
  for (let c = 0; c < K; c++) {
    const j = active[c];
    if (c === cmax) {
      out.q.fill(0, j * D, (j + 1) * D);
      out.sigma[j] = 0;
      removed.push(j);
      continue;
    }
    // Ties with γ_max (equal up to rounding) vanish too.
    const f = 1 - gamma[c] / gmax;
    if (f <= TIE_TOL) {
      out.q.fill(0, j * D, (j + 1) * D);
      out.sigma[j] = 0;
      removed.push(j);
      continue;
    }
    for (let t = 0; t < D; t++) out.q[j * D + t] *= f;
  }
  return { slots: out, removed: removed.sort((a, b) => a - b), dead: false };
}

/**
 * Stages 1–2 (file comment): rebalance, merge per (pattern, sign), Carathéodory pruning. The
 * output is unchanged along all of them; returns the stages and the pruned slots.
 */
export function reduceNetwork(start: ReluNetwork, X: Matrix, depTol: number): { plans: StagePlan[]; slots: Slots } {
  const D = X.cols;
  const plans: StagePlan[] = [];
  // 1. Rebalance: the end is the balanced network of the contributions q_j = |α_j| w_j (half-dead
  // neurons have q_j = 0).
  let slots = networkToSlots(start);
  let current = slotsToNetwork(slots, D);
  plans.push({ kind: "rebalance", name: "rebalance ‖w_j‖ = |α_j|", interpolation: "rescale", start, end: current });
  // 2a. Merge neurons sharing a pattern and sign.
  const mg = mergeSlots(slots, X);
  if (mg !== null) {
    slots = mg.slots;
    const next = slotsToNetwork(slots, D);
    plans.push({ kind: "merge", name: `merge ${mg.merged} neuron(s) into one per (pattern, sign)`, interpolation: "contribution", start: current, end: next });
    current = next;
  }
  // 2b. Carathéodory pruning.
  for (let step = 1; ; step++) {
    const st = caratheodoryStep(slots, X, depTol);
    if (st === null) break;
    slots = st.slots;
    const next = slotsToNetwork(slots, D);
    const what = `${st.dead ? "dead " : ""}neuron${st.removed.length > 1 ? "s" : ""} ${st.removed.join(", ")} removed`;
    plans.push({ kind: "prune", name: `prune ${step}: ${what}`, interpolation: "contribution", start: current, end: next });
    current = next;
  }
  return { plans, slots };
}

