// Pruning trained vector-output networks to the neurons that matter at the limit of training.
import { nrm2, type Matrix } from "../../../linalg/index.js";
import { reachesData } from "../../network/index.js";
import type { VectorReluNetwork } from "./network.js";

/**
 * Drop the neurons that do not matter at the limit of training (as pruneNetwork for c = 1): dead
 * ones ((X w_j)_+ = 0, which weight decay shrinks geometrically to 0 but never to exactly 0, and
 * which the certificate would count as non-stationary) and those with ‖α_j‖‖w_j‖ ≤ relTol·Σ_j ‖α_j‖‖w_j‖.
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
