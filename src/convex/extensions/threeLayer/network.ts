// Parallel three-layer ReLU networks with weight decay (docs/science/convex.md §8.2):
//   f(X) = Σ_{j≤m} ((X W_{1j})_+ w_{2j})_+ α_j,   W_{1j} ∈ ℝ^{D×m1} (columns w_{1jk}), w_{2j} ∈ ℝ^{m1},
//   F(θ) = L(f, y) + (β/2) Σ_j (‖W_{1j}‖²_F + ‖w_{2j}‖² + α_j²),  L convex (convexLoss).
// The network is model/'s parallel-three-layer ReLU architecture on D inputs (the columns of X̃),
// θ = [W1 | W2 | α]; outputs, gradients (ReLU'(0) = 0) and weight decay are model/'s, training is
// dynamics/' gradient descent.
import { nrm2, type Matrix } from "../../../linalg/index.js";
import {
  forward, makeActivation, makeObjective, parallelThreeLayerArchitecture, weightDecayPenalty, withWeightDecay,
  type Model, type Objective, type ParallelThreeLayerArchitecture,
} from "../../../model/index.js";
import { runWeightDecayedGd } from "../../network/index.js";
import { convexLoss, type ConvexLossName } from "../../program/index.js";

/** m blocks of m1 first-layer neurons each. */
export interface ThreeLayerNetwork {
  /** (m·m1)×D row-major: row j·m1 + k is w_{1jk}. */
  readonly W1: Float64Array;
  /** m×m1 row-major: row j is w_{2j}. */
  readonly W2: Float64Array;
  /** m output weights α_j. */
  readonly alpha: Float64Array;
  readonly m: number;
  readonly m1: number;
  readonly D: number;
}

/** The model/ architecture of the network: parallel-three-layer ReLU, d = D, m blocks of m1 units. */
export function threeLayerArchitecture(net: ThreeLayerNetwork): ParallelThreeLayerArchitecture {
  return parallelThreeLayerArchitecture({ d: net.D, m: net.m, m1: net.m1, activation: makeActivation("relu") });
}

/**
 * The network as a model/ Model, θ = [W1 | W2 | α] (a copy).
 *
 * @param net - the three-layer network
 * @returns the Model with θ = [W1 | W2 | α] (parallel-three-layer ReLU architecture), usable with model/'s forward and files
 * @example
 * ```ts
 * import { paramCount, threeLayerModel } from "splitscape";
 * const net = { W1: Float64Array.of(1, 0, -1, 0), W2: Float64Array.of(1, 1), alpha: Float64Array.of(1), m: 1, m1: 2, D: 2 };
 * console.log(paramCount(threeLayerModel(net).arch)); // 7 = 4 + 2 + 1
 * ```
 */
export function threeLayerModel(net: ThreeLayerNetwork): Model & { readonly arch: ParallelThreeLayerArchitecture } {
  const theta = new Float64Array(net.W1.length + net.W2.length + net.alpha.length);
  theta.set(net.W1);
  theta.set(net.W2, net.W1.length);
  theta.set(net.alpha, net.W1.length + net.W2.length);
  return { arch: threeLayerArchitecture(net), theta };
}

/** The network of θ = [W1 | W2 | α] with the sizes of `like` (copies). */
function fromTheta(like: ThreeLayerNetwork, theta: Float64Array): ThreeLayerNetwork {
  const a = like.W1.length;
  const b = a + like.W2.length;
  return { ...like, W1: theta.slice(0, a), W2: theta.slice(a, b), alpha: theta.slice(b) };
}

/** RangeError (prefixed by `where`) unless the network fits X (and y) and the data are finite. */
export function checkThreeLayerNetwork(where: string, net: ThreeLayerNetwork, X: Matrix, y?: Float64Array): void {
  const { m, m1, D } = net;
  if (D !== X.cols) throw new RangeError(`${where}: network input dimension ${D}, X has ${X.cols} columns`);
  if (net.W1.length !== m * m1 * D || net.W2.length !== m * m1 || net.alpha.length !== m) {
    throw new RangeError(`${where}: W1 must be ${m * m1}×${D}, W2 ${m}×${m1}, alpha length ${m}`);
  }
  if (y !== undefined && y.length !== X.rows) throw new RangeError(`${where}: y has ${y.length} entries, X has ${X.rows} rows`);
  if (!X.data.every(Number.isFinite) || (y !== undefined && !y.every(Number.isFinite))) throw new RangeError(`${where}: X and y must be finite`);
}

/**
 * f(X) = Σ_j ((X W_{1j})_+ w_{2j})_+ α_j (model/ forward).
 *
 * @param net - the three-layer network
 * @param X - inputs in X̃-space, n × D
 * @returns f(X̃), length n
 * @example
 * ```ts
 * import { threeLayerOutput, withBias } from "splitscape";
 * // one block: ((x)_+ + (−x)_+)_+ = |x|
 * const net = { W1: Float64Array.of(1, 0, -1, 0), W2: Float64Array.of(1, 1), alpha: Float64Array.of(1), m: 1, m1: 2, D: 2 };
 * console.log(Array.from(threeLayerOutput(net, withBias({ rows: 2, cols: 1, data: Float64Array.of(-2, 0.5) })))); // [2, 0.5]
 * ```
 */
export function threeLayerOutput(net: ThreeLayerNetwork, X: Matrix): Float64Array {
  checkThreeLayerNetwork("threeLayerOutput", net, X);
  return forward(threeLayerModel(net), X).data;
}

/** The weight-decayed training objective over θ = [W1 | W2 | α] (model/'s named loss of the same name). */
function weightDecayedObjective(net: ThreeLayerNetwork, X: Matrix, y: Float64Array, beta: number, loss: ConvexLossName): Objective {
  return withWeightDecay(makeObjective(threeLayerArchitecture(net), { X, Y: { rows: y.length, cols: 1, data: y } }, loss), beta);
}

/** The objective, its parts, ν = −∇L(f) and the gradient (ReLU'(0) = 0). */
export interface ThreeLayerObjective {
  readonly loss: number;
  /** (β/2) Σ_j (‖W_{1j}‖²_F + ‖w_{2j}‖² + α_j²). */
  readonly penalty: number;
  readonly objective: number;
  readonly prediction: Float64Array;
  readonly nu: Float64Array;
  readonly gradW1: Float64Array;
  readonly gradW2: Float64Array;
  readonly gradAlpha: Float64Array;
  readonly gradNorm: number;
}

/**
 * F(θ) and ∇F(θ). With H_{jk} = X w_{1jk}, A_{jk} = (H_{jk})_+, Z_j = Σ_k A_{jk} w_{2jk},
 * G_j = (Z_j)_+, r = ∇L(f), D_{jk} = diag(1[H_{jk} > 0]), D2_j = diag(1[Z_j > 0]):
 *   ∂F/∂α_j = G_jᵀ r + β α_j,  ∂F/∂w_{2jk} = α_j A_{jk}ᵀ D2_j r + β w_{2jk},
 *   ∂F/∂w_{1jk} = α_j w_{2jk} Xᵀ D_{jk} D2_j r + β w_{1jk}
 * (model/'s output VJP and weight decay). The loss and ν are the program's (convexLoss).
 *
 * @param net - the three-layer network
 * @param X - inputs in X̃-space, n × D
 * @param y - the n targets (±1 for the logistic loss)
 * @param beta - the weight decay β > 0
 * @param loss - "square" (default) or "logistic"
 * @returns loss, penalty, objective, prediction, ν = −∇L(f), the gradients and their norm
 * @example
 * ```ts
 * import { threeLayerObjective, withBias } from "splitscape";
 * const net = { W1: Float64Array.of(1, 0, -1, 0), W2: Float64Array.of(1, 1), alpha: Float64Array.of(1), m: 1, m1: 2, D: 2 };
 * const X = withBias({ rows: 3, cols: 1, data: Float64Array.of(-1, 0, 1) });
 * const F = threeLayerObjective(net, X, Float64Array.of(1, 0, 1), 0.1);
 * console.log(F.loss, F.penalty); // 0 0.25 = (β/2)(2 + 2 + 1)
 * ```
 */
export function threeLayerObjective(net: ThreeLayerNetwork, X: Matrix, y: Float64Array, beta: number, loss: ConvexLossName = "square"): ThreeLayerObjective {
  checkThreeLayerNetwork("threeLayerObjective", net, X, y);
  const model = threeLayerModel(net);
  const f = forward(model, X).data;
  const r = new Float64Array(y.length);
  const l = convexLoss(loss).valueAndGradient(f, y, r);
  const g = new Float64Array(model.theta.length);
  weightDecayedObjective(net, X, y, beta, loss).evaluate(model.theta, g);
  const a = net.W1.length;
  const b = a + net.W2.length;
  const penalty = weightDecayPenalty(model.theta, beta);
  return {
    loss: l, penalty, objective: l + penalty, prediction: f, nu: r.map((v) => -v),
    gradW1: g.slice(0, a), gradW2: g.slice(a, b), gradAlpha: g.slice(b), gradNorm: nrm2(g),
  };
}

/** Options of trainThreeLayer. */
export interface ThreeLayerGdOptions {
  readonly lr: number;
  readonly steps: number;
  /** Record the objective and gradient norm every this many steps (and at the end). Default 0. */
  readonly recordEvery?: number;
  /** Default "square". */
  readonly loss?: ConvexLossName;
}

/** The trained network and its record. */
export interface ThreeLayerGdResult {
  readonly net: ThreeLayerNetwork;
  readonly objective: number;
  readonly gradNorm: number;
  readonly history: Array<{ step: number; objective: number; gradNorm: number }>;
  readonly finite: boolean;
}

/**
 * Plain gradient descent θ ← θ − lr·∇F(θ) from `init` (not modified), by dynamics/.
 *
 * @param X - inputs in X̃-space, n × D
 * @param y - the n targets
 * @param beta - the weight decay β > 0
 * @param init - the starting network (not modified)
 * @param opts - step `lr`, `steps`, `recordEvery`, `loss`
 * @returns the trained network, its objective and gradient norm, the history, and whether it stayed finite
 * @example
 * ```ts
 * import { trainThreeLayer, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const init = { W1: Float64Array.of(0.9, 0.1, -0.8, 0.2), W2: Float64Array.of(0.7, 0.6), alpha: Float64Array.of(0.8), m: 1, m1: 2, D: 2 };
 * const run = trainThreeLayer(X, Float64Array.from(x, Math.abs), 0.01, init, { lr: 0.05, steps: 2000 });
 * console.log(run.objective, run.gradNorm, run.finite);
 * ```
 */
export function trainThreeLayer(X: Matrix, y: Float64Array, beta: number, init: ThreeLayerNetwork, opts: ThreeLayerGdOptions): ThreeLayerGdResult {
  checkThreeLayerNetwork("trainThreeLayer", init, X, y);
  if (!(beta >= 0)) throw new RangeError("trainThreeLayer: beta must be ≥ 0");
  const model = threeLayerModel(init);
  const run = runWeightDecayedGd(weightDecayedObjective(init, X, y, beta, opts.loss ?? "square"), model.theta, opts);
  return { net: fromTheta(init, run.theta), objective: run.objective, gradNorm: run.gradNorm, history: run.history, finite: run.finite };
}
