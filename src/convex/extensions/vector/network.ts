// Vector-output two-layer ReLU networks F = Σ_j (X w_j)_+ α_jᵀ ∈ ℝ^{n×c} in X̃-space: model/'s
// two-layer ReLU architecture with d = D inputs, m units, c outputs and no biases,
// θ = [W (m×D) | A (m×c)], and the objective of (NC_c) with its gradient (model/ objectives with
// weight decay; ReLU'(0) = 0).
import { nrm2, type Matrix } from "../../../linalg/index.js";
import {
  forward, makeActivation, makeObjective, outputLossObjective, twoLayerArchitecture, weightDecayPenalty, withWeightDecay,
  type Model, type Objective, type TwoLayerArchitecture,
} from "../../../model/index.js";
import { augmentedInputWeights, type TwoLayerReluModel } from "../../network/index.js";
import { vectorLossValue, vectorOutputLoss, type VectorLossName } from "./losses.js";

/** m neurons with c outputs: W (m×D row-major, rows w_j) and A (m×c row-major, rows α_j). */
export interface VectorReluNetwork {
  readonly W: Float64Array;
  readonly A: Float64Array;
  readonly m: number;
  readonly D: number;
  readonly c: number;
}

/** The model/ architecture of an m-neuron network with c outputs on D inputs (m, D, c ≥ 1). */
export function vectorNetworkArchitecture(m: number, D: number, c: number): TwoLayerArchitecture {
  return twoLayerArchitecture({ d: D, m, k: c, activation: makeActivation("relu") });
}

/**
 * The network as a model/ Model, θ = [W | A] (a copy; RangeError for m = 0).
 *
 * @param net - a network with m ≥ 1 neurons
 * @returns the Model with θ = [W | A] (row-major), usable with model/'s forward, gradients and files
 * @example
 * ```ts
 * import { paramCount, vectorNetworkModel } from "splitscape";
 * const net = { W: Float64Array.of(1, 0, -1, 0), A: Float64Array.of(1, 1, 1, 0), m: 2, D: 2, c: 2 };
 * console.log(paramCount(vectorNetworkModel(net).arch)); // 8
 * ```
 */
export function vectorNetworkModel(net: VectorReluNetwork): Model & { readonly arch: TwoLayerArchitecture } {
  const theta = new Float64Array(net.m * (net.D + net.c));
  theta.set(net.W.subarray(0, net.m * net.D));
  theta.set(net.A.subarray(0, net.m * net.c), net.m * net.D);
  return { arch: vectorNetworkArchitecture(net.m, net.D, net.c), theta };
}

/**
 * The vector-output network of a model file in X̃-space (A: m×k output weights).
 *
 * @param model - a two-layer ReLU model with k outputs (`loadTwoLayerReluModel(path, { vector: true })`)
 * @returns the network in X̃-space (rows [w_j, b_j] with biases), A its m × k output weights
 * @example
 * ```ts
 * import { modelToVectorNetwork, type TwoLayerReluModel } from "splitscape";
 * // two neurons (x)_+ and (−x)_+ with outputs (1, 1) and (1, 0), input biases 0
 * const model: TwoLayerReluModel = { W: { rows: 2, cols: 1, data: Float64Array.of(1, -1) }, a: Float64Array.of(1, 1, 1, 0), k: 2, b: Float64Array.of(0, 0) };
 * const net = modelToVectorNetwork(model);
 * console.log(net.D, net.c, Array.from(net.W)); // 2 2 [1, 0, -1, 0]
 * ```
 */
export function modelToVectorNetwork(model: TwoLayerReluModel): VectorReluNetwork {
  const { W, D } = augmentedInputWeights(model);
  return { W, A: model.a.slice(), m: model.W.rows, D, c: model.k };
}

/** RangeError (prefixed by `where`) unless the network fits X (n×D) and Y (n×c). */
export function checkVectorNetwork(where: string, net: VectorReluNetwork, X: Matrix, Y: Matrix): void {
  if (net.D !== X.cols) throw new RangeError(`${where}: network input dimension ${net.D}, X has ${X.cols} columns`);
  if (net.c !== Y.cols) throw new RangeError(`${where}: network has ${net.c} outputs, Y has ${Y.cols} columns`);
  if (net.W.length !== net.m * net.D || net.A.length !== net.m * net.c) throw new RangeError(`${where}: W must be ${net.m}×${net.D} and A ${net.m}×${net.c}`);
}

/**
 * F = f(X) = Σ_j (X w_j)_+ α_jᵀ (n×c; model/ forward, 0 without neurons).
 *
 * @param net - the network
 * @param X - inputs in X̃-space, n × D
 * @returns F = f(X̃), n × c
 * @example
 * ```ts
 * import { vectorNetworkOutput, withBias } from "splitscape";
 * const net = { W: Float64Array.of(1, 0, -1, 0), A: Float64Array.of(1, 1, 1, 0), m: 2, D: 2, c: 2 }; // (|x|, x_+)
 * const X = withBias({ rows: 2, cols: 1, data: Float64Array.of(-2, 3) });
 * console.log(Array.from(vectorNetworkOutput(net, X).data)); // [2, 0, 3, 3]
 * ```
 */
export function vectorNetworkOutput(net: VectorReluNetwork, X: Matrix): Matrix {
  if (net.D !== X.cols) throw new RangeError(`vectorNetworkOutput: network input dimension ${net.D}, X has ${X.cols} columns`);
  if (net.m === 0) return { rows: X.rows, cols: net.c, data: new Float64Array(X.rows * net.c) };
  return forward(vectorNetworkModel(net), X);
}

/** ℒ(θ) = L(f(X; θ), Y) over θ = [W | A] of an m-neuron network (model/ objectives; square: the named loss). */
export function vectorLossObjective(arch: TwoLayerArchitecture, X: Matrix, Y: Matrix, loss: VectorLossName): Objective {
  return loss === "square" ? makeObjective(arch, { X, Y }, "square") : outputLossObjective(arch, X, vectorOutputLoss(loss, Y.data, Y.cols));
}

/** The objective of (NC_c), its parts, its gradient and the dual direction Λ = −∇L(F). */
export interface VectorObjective {
  readonly loss: number;
  /** (β/2) Σ_j (‖w_j‖² + ‖α_j‖²). */
  readonly penalty: number;
  readonly objective: number;
  readonly prediction: Matrix;
  /** Λ = −∇L(F) (n×c). */
  readonly Lambda: Matrix;
  /** ∂/∂W (m×D) and ∂/∂A (m×c); ReLU'(0) = 0. */
  readonly gradW: Float64Array;
  readonly gradA: Float64Array;
  readonly gradNorm: number;
}

/**
 * L(F, Y) + (β/2) Σ_j (‖w_j‖² + ‖α_j‖²) and its gradient. With R = ∇L(F):
 *   ∂/∂α_j = R ᵀ(X w_j)_+ + β α_j,   ∂/∂w_j = Xᵀ(1[X w_j > 0] ⊙ R α_j) + β w_j
 * (model/'s output VJP plus weight decay). The loss and Λ are the program's (vectorLossValue).
 *
 * @param net - the network
 * @param X - inputs in X̃-space, n × D
 * @param Y - targets, n × c
 * @param beta - the weight decay β > 0
 * @param loss - "square" (default) or "softmax"
 * @returns loss, penalty, objective, prediction, Λ = −∇L(F), the gradients and their norm
 * @example
 * ```ts
 * import { enumeratePatterns, vectorObjective, vectorProblem, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(x.flatMap((t) => [Math.abs(t), Math.max(t, 0)])) };
 * const problem = vectorProblem(X, Y, 0.05, "square", enumeratePatterns(X));
 * const net = { W: Float64Array.of(1, 0, -1, 0), A: Float64Array.of(1, 1, 1, 0), m: 2, D: 2, c: 2 };
 * const F = vectorObjective(net, X, Y, problem.beta);
 * console.log(F.loss, F.penalty, F.gradNorm); // 0 and the penalty (β/2)·4: it fits Y exactly
 * ```
 */
export function vectorObjective(net: VectorReluNetwork, X: Matrix, Y: Matrix, beta: number, loss: VectorLossName = "square"): VectorObjective {
  checkVectorNetwork("vectorObjective", net, X, Y);
  const { m, c, D } = net;
  const F = vectorNetworkOutput(net, X);
  const R = new Float64Array(F.data.length);
  const l = vectorLossValue(loss, F.data, Y.data, c, R);
  const gradW = new Float64Array(m * D);
  const gradA = new Float64Array(m * c);
  let penalty = 0;
  let gradNorm = 0;
  if (m > 0) {
    const model = vectorNetworkModel(net);
    penalty = weightDecayPenalty(model.theta, beta);
    const g = new Float64Array(model.theta.length);
    withWeightDecay(vectorLossObjective(model.arch, X, Y, loss), beta).evaluate(model.theta, g);
    gradW.set(g.subarray(0, m * D));
    gradA.set(g.subarray(m * D));
    gradNorm = nrm2(g);
  }
  const Lambda = R.map((v) => -v);
  return {
    loss: l, penalty, objective: l + penalty, prediction: F,
    Lambda: { rows: F.rows, cols: c, data: Lambda }, gradW, gradA, gradNorm,
  };
}
