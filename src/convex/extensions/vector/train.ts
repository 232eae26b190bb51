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

/** Plain gradient descent θ ← θ − lr·∇F(θ) on (NC_c) from `init` (not modified; at least one neuron). */
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
