// Two-layer ReLU networks f(x) = Σ_j α_j (w_jᵀx̃)_+ in the convex program's input space
// (x̃ = x, or [x, 1] with a regularised bias) and their weight-decayed objective
// (docs/science/convex.md §1.1):
//   (NC)  F(θ) = L(f(X̃), y) + (β/2) Σ_j (‖w_j‖² + α_j²).
// A network is the model/ architecture two-layer ReLU with d = D inputs (the columns of X̃), m
// units, one output and no biases, θ = [W | α] (reluNetworkModel); outputs, gradients and the
// penalty are model/'s. The record keeps W and α apart for the maps between networks and convex
// points (maps.ts), which move neurons around.
import type { Matrix } from "../../linalg/index.js";
import {
  forward, makeActivation, twoLayerArchitecture, weightDecayPenalty, type Model, type TwoLayerArchitecture,
} from "../../model/index.js";
import { convexLoss, type ConvexLossName } from "../program/index.js";

/** m neurons: rows of W (m×D, D = X̃ columns, the bias last when present) and output weights α. */
export interface ReluNetwork {
  /** m×D row-major. */
  readonly W: Float64Array;
  readonly alpha: Float64Array;
  readonly m: number;
  readonly D: number;
}

/**
 * The network with no neurons (f = 0) on D inputs: the optimum when β is at least the dual bound.
 *
 * @param D - input dimension (columns of X̃, the bias column included)
 * @returns the network with m = 0 neurons, whose output is 0
 * @example
 * ```ts
 * import { networkOutput, withBias, zeroNetwork } from "splitscape";
 * const X = withBias({ rows: 3, cols: 1, data: Float64Array.of(-1, 0, 1) });
 * console.log(Array.from(networkOutput(zeroNetwork(2), X))); // [0, 0, 0]
 * ```
 */
export function zeroNetwork(D: number): ReluNetwork {
  return { W: new Float64Array(0), alpha: new Float64Array(0), m: 0, D };
}

/**
 * The model/ architecture of an m-neuron network on D inputs (m, D ≥ 1).
 *
 * @param m - number of neurons, ≥ 1
 * @param D - input dimension (columns of X̃)
 * @returns the bias-free two-layer ReLU architecture with D inputs, m units and one output
 * @example
 * ```ts
 * import { paramCount, reluNetworkArchitecture } from "splitscape";
 * console.log(paramCount(reluNetworkArchitecture(4, 2))); // 12 = m(D + 1)
 * ```
 */
export function reluNetworkArchitecture(m: number, D: number): TwoLayerArchitecture {
  return twoLayerArchitecture({ d: D, m, k: 1, activation: makeActivation("relu") });
}

/**
 * The network as a model/ Model, θ = [W | α] (a copy; RangeError for m = 0: see zeroNetwork).
 *
 * @param net - a network with m ≥ 1 neurons
 * @returns the Model with θ = [W | α] (row-major W, then α), usable with model/'s forward, gradients and files
 * @example
 * ```ts
 * import { forward, reluNetworkModel, withBias } from "splitscape";
 * const absNet = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 1), m: 2, D: 2 }; // |x|
 * const X = withBias({ rows: 2, cols: 1, data: Float64Array.of(-0.5, 2) });
 * console.log(Array.from(forward(reluNetworkModel(absNet), X).data)); // [0.5, 2]
 * ```
 */
export function reluNetworkModel(net: ReluNetwork): Model & { readonly arch: TwoLayerArchitecture } {
  const theta = new Float64Array(net.m * (net.D + 1));
  theta.set(net.W.subarray(0, net.m * net.D));
  theta.set(net.alpha, net.m * net.D);
  return { arch: reluNetworkArchitecture(net.m, net.D), theta };
}

/**
 * The network of θ = [W | α] (copies).
 *
 * @param theta - θ = [W | α], length m(D + 1) (checked)
 * @param m - number of neurons
 * @param D - input dimension
 * @returns the network record (W and α copied out of θ)
 * @example
 * ```ts
 * import { reluNetworkFromTheta } from "splitscape";
 * const net = reluNetworkFromTheta(Float64Array.of(1, 0, -1, 0, 1, 1), 2, 2);
 * console.log(Array.from(net.alpha)); // [1, 1]
 * ```
 */
export function reluNetworkFromTheta(theta: Float64Array, m: number, D: number): ReluNetwork {
  if (theta.length !== m * (D + 1)) throw new RangeError(`reluNetworkFromTheta: θ has ${theta.length} entries, expected m(D + 1) = ${m * (D + 1)}`);
  return { W: theta.slice(0, m * D), alpha: theta.slice(m * D), m, D };
}

/**
 * The neurons `keep` (indices, in that order) of `net`.
 *
 * @param net - the network
 * @param keep - neuron indices to keep, in the order wanted (repeats allowed)
 * @returns a network with those neurons (copies)
 * @example
 * ```ts
 * import { selectNeurons } from "splitscape";
 * const absNet = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 1), m: 2, D: 2 };
 * console.log(Array.from(selectNeurons(absNet, [1]).W)); // [-1, 0]: the neuron (−x)_+
 * ```
 */
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

/**
 * f(X̃) = Σ_j α_j (X̃ w_j)_+ (model/ forward; 0 for the network with no neurons).
 *
 * @param net - the network
 * @param X - inputs in X̃-space, n × D (D must match the network)
 * @returns f(X̃), length n
 * @example
 * ```ts
 * import { networkOutput, withBias } from "splitscape";
 * const absNet = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 1), m: 2, D: 2 }; // |x|
 * const X = withBias({ rows: 3, cols: 1, data: Float64Array.of(-2, 0.5, 1) });
 * console.log(Array.from(networkOutput(absNet, X))); // [2, 0.5, 1]
 * ```
 */
export function networkOutput(net: ReluNetwork, X: Matrix): Float64Array {
  if (X.cols !== net.D) throw new RangeError(`networkOutput: network has input dimension ${net.D}, X has ${X.cols} columns`);
  if (net.m === 0) return new Float64Array(X.rows);
  return forward(reluNetworkModel(net), X).data;
}

/** The weight-decayed nonconvex objective and its parts. */
export interface NonconvexObjective {
  readonly loss: number;
  /** (β/2) Σ_j (‖w_j‖² + α_j²). */
  readonly penalty: number;
  readonly objective: number;
  readonly prediction: Float64Array;
}

/**
 * (NC): L(f(X̃), y) + (β/2) Σ_j (‖w_j‖² + α_j²) (docs/science/convex.md §1.1), with the
 * program's loss L (convexLoss) and model/'s weight-decay penalty.
 *
 * @param net - the network
 * @param X - inputs in X̃-space, n × D
 * @param y - the n targets (±1 for the logistic loss)
 * @param beta - the weight decay β > 0 (sum convention)
 * @param loss - "square" or "logistic"
 * @returns the loss, the penalty (β/2)Σ(‖w_j‖² + α_j²), their sum and the prediction
 * @example
 * ```ts
 * import { nonconvexObjective, withBias } from "splitscape";
 * const absNet = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 1), m: 2, D: 2 };
 * const X = withBias({ rows: 3, cols: 1, data: Float64Array.of(-1, 0, 1) });
 * const F = nonconvexObjective(absNet, X, Float64Array.of(1, 0, 1), 0.1, "square");
 * console.log(F.loss, F.penalty, F.objective); // 0 0.2 0.2
 * ```
 */
export function nonconvexObjective(net: ReluNetwork, X: Matrix, y: Float64Array, beta: number, loss: ConvexLossName): NonconvexObjective {
  const prediction = networkOutput(net, X);
  const l = convexLoss(loss).value(prediction, y);
  const penalty = net.m === 0 ? 0 : weightDecayPenalty(reluNetworkModel(net).theta, beta);
  return { loss: l, penalty, objective: l + penalty, prediction };
}
