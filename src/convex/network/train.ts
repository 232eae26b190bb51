// Gradient descent on the weight-decayed nonconvex objective (NC) of science/convex.md, squared
// loss, in the X̃-space of the convex program (a bias is a column of ones, regularised):
//   F(θ) = ½‖f − y‖² + (β/2) Σ_j (‖w_j‖² + α_j²),  f = Σ_j (X w_j)_+ α_j.
// With r = f − y: ∂F/∂α_j = (X w_j)_+ᵀ r + β α_j, ∂F/∂w_j = α_j Xᵀ(1[X w_j > 0] ⊙ r) + β w_j
// (ReLU'(0) = 0). Used to compare nonconvex training with the certified optimum.
import type { Matrix } from "../../linalg/index.js";
import { selectNeurons, type ReluNetwork } from "./network.js";

/** Options of `trainWeightDecayed`. */
export interface GdOptions {
  readonly lr: number;
  readonly steps: number;
  /** Record the objective every this many steps (and at the end). Default 0 (never). */
  readonly recordEvery?: number;
}

/** The trained network and its record. */
export interface GdResult {
  readonly net: ReluNetwork;
  readonly objective: number;
  /** ‖∇F‖ at the returned point (at a kink, the one-sided gradient with ReLU'(0) = 0). */
  readonly gradNorm: number;
  readonly history: Array<{ step: number; objective: number }>;
  /** False when the objective became non-finite. */
  readonly finite: boolean;
}

/** Plain gradient descent from `init` (not modified) on F with step `lr`. */
export function trainWeightDecayed(X: Matrix, y: Float64Array, beta: number, init: ReluNetwork, opts: GdOptions): GdResult {
  const { rows: n, cols: D } = X;
  if (init.D !== D) throw new RangeError(`trainWeightDecayed: network input dimension ${init.D}, X has ${D} columns`);
  const m = init.m;
  const W = init.W.slice();
  const alpha = init.alpha.slice();
  const Z = new Float64Array(m * n);
  const r = new Float64Array(n);
  const gW = new Float64Array(m * D);
  const gA = new Float64Array(m);
  const history: Array<{ step: number; objective: number }> = [];
  const every = opts.recordEvery ?? 0;
  let objective = NaN;
  let gradNorm = NaN;
  for (let step = 0; step <= opts.steps; step++) {
    // Forward: Z = X Wᵀ (pre-activations), f, r = f − y.
    r.set(y);
    for (let k = 0; k < n; k++) r[k] = -r[k];
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let t = 0; t < D; t++) s += X.data[k * D + t] * W[j * D + t];
        Z[j * n + k] = s;
        if (s > 0) r[k] += s * alpha[j];
      }
    }
    let loss = 0;
    for (let k = 0; k < n; k++) loss += r[k] * r[k];
    let pen = 0;
    for (let j = 0; j < m; j++) pen += alpha[j] * alpha[j];
    for (let i = 0; i < m * D; i++) pen += W[i] * W[i];
    objective = 0.5 * loss + 0.5 * beta * pen;
    if (!Number.isFinite(objective)) return { net: { W, alpha, m, D }, objective, gradNorm: NaN, history, finite: false };
    if (every > 0 && (step % every === 0 || step === opts.steps)) history.push({ step, objective });
    // Backward.
    let g2 = 0;
    for (let j = 0; j < m; j++) {
      let ga = beta * alpha[j];
      for (let t = 0; t < D; t++) gW[j * D + t] = beta * W[j * D + t];
      for (let k = 0; k < n; k++) {
        const z = Z[j * n + k];
        if (z <= 0) continue;
        ga += z * r[k];
        const c = alpha[j] * r[k];
        for (let t = 0; t < D; t++) gW[j * D + t] += c * X.data[k * D + t];
      }
      gA[j] = ga;
      g2 += ga * ga;
      for (let t = 0; t < D; t++) g2 += gW[j * D + t] ** 2;
    }
    gradNorm = Math.sqrt(g2);
    if (step === opts.steps) break;
    for (let j = 0; j < m; j++) alpha[j] -= opts.lr * gA[j];
    for (let i = 0; i < m * D; i++) W[i] -= opts.lr * gW[i];
  }
  return { net: { W, alpha, m, D }, objective, gradNorm, history, finite: true };
}

/**
 * Drop neurons that do not matter at the limit of training: dead ones ((X w)_+ = 0, which weight
 * decay shrinks geometrically to 0) and those whose |α|·‖w‖ is at most `relTol` of the total.
 */
export function pruneNetwork(net: ReluNetwork, X: Matrix, relTol: number): ReluNetwork {
  const { rows: n, cols: D } = X;
  const size: number[] = [];
  const alive: boolean[] = [];
  for (let j = 0; j < net.m; j++) {
    let wn = 0;
    for (let t = 0; t < D; t++) wn += net.W[j * D + t] ** 2;
    size.push(Math.sqrt(wn) * Math.abs(net.alpha[j]));
    let any = false;
    for (let k = 0; k < n && !any; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += X.data[k * D + t] * net.W[j * D + t];
      any = s > 0;
    }
    alive.push(any);
  }
  const total = size.reduce((a, b) => a + b, 0);
  const keep: number[] = [];
  for (let j = 0; j < net.m; j++) if (alive[j] && size[j] > relTol * total) keep.push(j);
  return selectNeurons(net, keep);
}
