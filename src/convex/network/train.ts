// Weight-decayed gradient descent on (NC) in the X̃-space of the convex program (a bias is a
// column of ones, regularised):
//   F(θ) = ½‖f − y‖² + (β/2) Σ_j (‖w_j‖² + α_j²),  f = Σ_j (X w_j)_+ α_j,
// run by dynamics/ on model/'s two-layer ReLU objective with weight decay (ReLU'(0) = 0, the
// model's left-derivative convention). Used to compare nonconvex training with the certified
// optimum.
import { gradientDescent } from "../../dynamics/index.js";
import { nrm2, type Matrix } from "../../linalg/index.js";
import { makeObjective, withWeightDecay, type Objective } from "../../model/index.js";
import { reluNetworkFromTheta, reluNetworkModel, selectNeurons, type ReluNetwork } from "./network.js";

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

/** The record of a dynamics/ GD run: stop at `steps`, objective and ‖∇F‖ every `recordEvery` steps. */
export interface GdRun {
  readonly theta: Float64Array;
  readonly objective: number;
  readonly gradNorm: number;
  readonly history: Array<{ step: number; objective: number; gradNorm: number }>;
  readonly finite: boolean;
}

/**
 * θ ← θ − lr·∇F(θ) for `steps` steps on an Objective (dynamics/ gradientDescent), stopping early
 * only at a non-finite value; the objective and ‖∇F‖ are recorded at steps 0, every, 2·every, …
 * and the end.
 */
export function runWeightDecayedGd(objective: Objective, theta0: Float64Array, opts: GdOptions): GdRun {
  if (!(opts.lr >= 0) || !Number.isInteger(opts.steps) || opts.steps < 0) throw new RangeError("weight-decayed GD: lr must be ≥ 0 and steps a non-negative integer");
  const every = opts.recordEvery ?? 0;
  const history: GdRun["history"] = [];
  const res = gradientDescent(objective, theta0, {
    lr: opts.lr,
    stop: { maxSteps: opts.steps },
    onStep: every > 0 ? (p) => { if (p.step % every === 0 || p.step === opts.steps) history.push({ step: p.step, objective: p.loss, gradNorm: p.gradNorm }); } : undefined,
  });
  const finite = res.stop !== "nonFinite";
  return { theta: res.theta, objective: res.loss, gradNorm: finite ? res.gradNorm : NaN, history, finite };
}

/**
 * Plain gradient descent from `init` (not modified) on F with step `lr`.
 *
 * @param X - inputs in X̃-space, n × D
 * @param y - the n targets
 * @param beta - the weight decay β > 0
 * @param init - the starting network (not modified)
 * @param opts - step `lr`, number of `steps`, `recordEvery`
 * @returns the trained network, its objective and ‖∇F‖, the recorded history, and whether it stayed finite
 * @example
 * ```ts
 * import { trainWeightDecayed, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const init = { W: Float64Array.of(0.8, 0.1, -0.7, 0.2, 0.3, -0.5), alpha: Float64Array.of(0.5, 0.6, -0.2), m: 3, D: 2 };
 * const run = trainWeightDecayed(X, Float64Array.from(x, Math.abs), 0.01, init, { lr: 0.05, steps: 2000 });
 * console.log(run.objective, run.gradNorm);
 * ```
 */
export function trainWeightDecayed(X: Matrix, y: Float64Array, beta: number, init: ReluNetwork, opts: GdOptions): GdResult {
  const { rows: n, cols: D } = X;
  if (init.D !== D) throw new RangeError(`trainWeightDecayed: network input dimension ${init.D}, X has ${D} columns`);
  if (y.length !== n) throw new RangeError(`trainWeightDecayed: y has ${y.length} entries, X has ${n} rows`);
  if (init.m === 0) {
    // No neurons: nothing to train, F = ½‖y‖² at every step.
    const objective = 0.5 * nrm2(y) ** 2;
    const history = (opts.recordEvery ?? 0) > 0 ? [{ step: 0, objective }] : [];
    return { net: selectNeurons(init, []), objective, gradNorm: 0, history, finite: true };
  }
  const model = reluNetworkModel(init);
  const objective = withWeightDecay(makeObjective(model.arch, { X, Y: { rows: n, cols: 1, data: y } }, "square"), beta);
  const run = runWeightDecayedGd(objective, model.theta, opts);
  const history = run.history.map(({ step, objective }) => ({ step, objective }));
  return { net: reluNetworkFromTheta(run.theta, init.m, D), objective: run.objective, gradNorm: run.gradNorm, history, finite: run.finite };
}

/**
 * Drop neurons that do not matter at the limit of training: dead ones ((X w)_+ = 0, which weight
 * decay shrinks geometrically to 0) and those whose |α|·‖w‖ is at most `relTol` of the total.
 *
 * @param net - a (trained) network
 * @param X - inputs in X̃-space, n × D
 * @param relTol - drop neurons with |α_j|‖w_j‖ ≤ relTol · Σ_j |α_j|‖w_j‖
 * @returns the network without dead and negligible neurons
 * @example
 * ```ts
 * import { pruneNetwork, withBias } from "splitscape";
 * const X = withBias({ rows: 3, cols: 1, data: Float64Array.of(-1, 0, 1) });
 * // the third neuron (−x − 2)_+ is dead on the data
 * const net = { W: Float64Array.of(1, 0, -1, 0, -1, -2), alpha: Float64Array.of(1, 1, 3), m: 3, D: 2 };
 * console.log(pruneNetwork(net, X, 1e-6).m); // 2
 * ```
 */
export function pruneNetwork(net: ReluNetwork, X: Matrix, relTol: number): ReluNetwork {
  const { D } = net;
  const size: number[] = [];
  const alive: boolean[] = [];
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    size.push(nrm2(w) * Math.abs(net.alpha[j]));
    alive.push(reachesData(X, w));
  }
  const total = size.reduce((a, b) => a + b, 0);
  const keep: number[] = [];
  for (let j = 0; j < net.m; j++) if (alive[j] && size[j] > relTol * total) keep.push(j);
  return selectNeurons(net, keep);
}

/** Some row of X has x_kᵀw > 0 (the neuron is not dead on the data). */
export function reachesData(X: Matrix, w: Float64Array): boolean {
  const { rows: n, cols: D, data } = X;
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let t = 0; t < D; t++) s += data[k * D + t] * w[t];
    if (s > 0) return true;
  }
  return false;
}
