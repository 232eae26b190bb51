// Weight-decayed gradient descent on (NC_c) (vector outputs), run by dynamics/ on model/'s
// objective (network.ts).
import type { Matrix } from "../../../linalg/index.js";
import { withWeightDecay } from "../../../model/index.js";
import { runWeightDecayedGd } from "../../network/index.js";
import type { VectorLossName } from "./losses.js";
import { vectorLossObjective, vectorNetworkModel, checkVectorNetwork, type VectorReluNetwork } from "./network.js";
import { checkVectorData } from "./problem.js";

/** Options of trainVectorWeightDecayed. */
export interface VectorGdOptions {
  readonly lr: number;
  readonly steps: number;
  /** Record the objective every this many steps (and at the end). Default 0 (never). */
  readonly recordEvery?: number;
  /** Default "square". */
  readonly loss?: VectorLossName;
}

/** The trained network and its record. */
export interface VectorGdResult {
  readonly net: VectorReluNetwork;
  readonly objective: number;
  /** ‖∇F‖ at the returned point (ReLU'(0) = 0). */
  readonly gradNorm: number;
  readonly history: Array<{ step: number; objective: number }>;
  /** False when the objective became non-finite. */
  readonly finite: boolean;
}

/**
 * Plain gradient descent θ ← θ − lr·∇F(θ) on (NC_c) from `init` (not modified; at least one neuron).
 *
 * @param X - inputs in X̃-space, n × D
 * @param Y - targets, n × c
 * @param beta - the weight decay β > 0
 * @param init - the starting network, m ≥ 1 (not modified)
 * @param opts - step `lr`, `steps`, `recordEvery`, `loss`
 * @returns the trained network, its objective and gradient norm, the history, and whether it stayed finite
 * @example
 * ```ts
 * import { certifyVectorNetwork, enumeratePatterns, pruneVectorNetwork, trainVectorWeightDecayed, vectorProblem, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(x.flatMap((t) => [Math.abs(t), Math.max(t, 0)])) };
 * const problem = vectorProblem(X, Y, 0.05, "square", enumeratePatterns(X));
 * const init = { W: Float64Array.of(0.8, 0.1, -0.7, 0.2, 0.3, -0.5), A: Float64Array.of(0.5, 0.1, 0.4, -0.2, 0.1, 0.3), m: 3, D: 2, c: 2 };
 * const run = trainVectorWeightDecayed(X, Y, problem.beta, init, { lr: 0.05, steps: 3000 });
 * console.log(run.objective, certifyVectorNetwork(problem, pruneVectorNetwork(run.net, X, 1e-6)).classification);
 * ```
 */
export function trainVectorWeightDecayed(X: Matrix, Y: Matrix, beta: number, init: VectorReluNetwork, opts: VectorGdOptions): VectorGdResult {
  const loss = opts.loss ?? "square";
  checkVectorData("trainVectorWeightDecayed", X, Y, loss);
  checkVectorNetwork("trainVectorWeightDecayed", init, X, Y);
  if (init.m === 0) throw new RangeError("trainVectorWeightDecayed: the network has no neurons");
  const model = vectorNetworkModel(init);
  const run = runWeightDecayedGd(withWeightDecay(vectorLossObjective(model.arch, X, Y, loss), beta), model.theta, opts);
  const { m, D, c } = init;
  const net: VectorReluNetwork = { W: run.theta.slice(0, m * D), A: run.theta.slice(m * D), m, D, c };
  const history = run.history.map(({ step, objective }) => ({ step, objective }));
  return { net, objective: run.objective, gradNorm: run.gradNorm, history, finite: run.finite };
}
