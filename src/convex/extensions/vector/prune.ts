// Pruning trained vector-output networks to the neurons that matter at the limit of training.
import { nrm2, type Matrix } from "../../../linalg/index.js";
import { reachesData } from "../../network/index.js";
import type { VectorReluNetwork } from "./network.js";

/**
 * Drop the neurons that do not matter at the limit of training (as pruneNetwork for c = 1): dead
 * ones ((X w_j)_+ = 0, which weight decay shrinks geometrically to 0 but never to exactly 0, and
 * which the certificate would count as non-stationary) and those with ‖α_j‖‖w_j‖ ≤ relTol·Σ_j ‖α_j‖‖w_j‖.
 *
 * @param net - a (trained) network
 * @param X - inputs in X̃-space, n × D
 * @param relTol - drop neurons with ‖α_j‖‖w_j‖ ≤ relTol · Σ_j ‖α_j‖‖w_j‖
 * @returns the network without dead and negligible neurons
 * @example
 * ```ts
 * import { pruneVectorNetwork, withBias } from "splitscape";
 * const X = withBias({ rows: 3, cols: 1, data: Float64Array.of(-1, 0, 1) });
 * const net = { W: Float64Array.of(1, 0, -1, -3), A: Float64Array.of(1, 1, 2, 2), m: 2, D: 2, c: 2 }; // neuron 2 is dead
 * console.log(pruneVectorNetwork(net, X, 1e-6).m); // 1
 * ```
 */
export function pruneVectorNetwork(net: VectorReluNetwork, X: Matrix, relTol: number): VectorReluNetwork {
  if (net.D !== X.cols) throw new RangeError(`pruneVectorNetwork: network input dimension ${net.D}, X has ${X.cols} columns`);
  const { D, c } = net;
  const size: number[] = [];
  const alive: boolean[] = [];
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    size.push(nrm2(w) * nrm2(net.A.subarray(j * c, (j + 1) * c)));
    alive.push(reachesData(X, w));
  }
  const total = size.reduce((a, b) => a + b, 0);
  const keep: number[] = [];
  for (let j = 0; j < net.m; j++) if (alive[j] && size[j] > relTol * total) keep.push(j);
  const W = new Float64Array(keep.length * D);
  const A = new Float64Array(keep.length * c);
  keep.forEach((j, i) => {
    W.set(net.W.subarray(j * D, (j + 1) * D), i * D);
    A.set(net.A.subarray(j * c, (j + 1) * c), i * c);
  });
  return { W, A, m: keep.length, D, c };
}
