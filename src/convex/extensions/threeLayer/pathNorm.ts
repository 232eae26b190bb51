// The regularisation under which the parallel three-layer network has an exact convex program
// (docs/science/convex.md §8.2). Positive homogeneity lets every block be rescaled,
// (W_{1j}, w_{2j}, α_j) → (a W_{1j}, b w_{2j}, c α_j) with abc = 1, and every first-layer neuron,
// (w_{1jk}, w_{2jk}) → (s w_{1jk}, w_{2jk}/s), without changing f. Over these rescalings
//   inf (β/3) Σ_j (‖W_{1j}‖³_F + ‖w_{2j}‖³ + |α_j|³) = β Σ_j |α_j| Σ_k ‖w_{1jk}‖ |w_{2jk}|  =: β·path(θ)
// (AM–GM on the three cubes gives β‖W_{1j}‖_F‖w_{2j}‖|α_j|, Cauchy–Schwarz over the neuron scalings
// gives inf ‖W_{1j}‖_F‖w_{2j}‖ = Σ_k ‖w_{1jk}‖|w_{2jk}|), a 1-homogeneous cost per block, which is what
// makes the infinite-width problem a convex program. This is the "modified regularisation" under
// which Wang, Ergen & Pilanci (ICLR 2023) prove zero duality gap for parallel networks (the L-th
// power of the layer norms for L layers). Plain weight decay (β/2)Σ(‖W_{1j}‖² + ‖w_{2j}‖² + α_j²) has
// the infimum (3β/2) Σ_j (|α_j| Σ_k ‖w_{1jk}‖|w_{2jk}|)^{2/3} instead: concave in the block's size, so
// splitting a block costs more than keeping it, and no convex program over block atoms has its value.
import { nrm2, type Matrix } from "../../../linalg/index.js";
import { forward, makeObjective, type LossValue, type Objective } from "../../../model/index.js";
import { runWeightDecayedGd } from "../../network/index.js";
import { convexLoss, type ConvexLossName } from "../../program/index.js";
import { checkThreeLayerNetwork, threeLayerArchitecture, threeLayerModel, type ThreeLayerGdOptions, type ThreeLayerGdResult, type ThreeLayerNetwork } from "./network.js";

/** path(θ) = Σ_j |α_j| Σ_k ‖w_{1jk}‖ |w_{2jk}|: the block costs of the convex program per unit of β. */
export function threeLayerPathNorm(net: ThreeLayerNetwork): number {
  const { m, m1, D, W1, W2, alpha } = net;
  let s = 0;
  for (let j = 0; j < m; j++) {
    let b = 0;
    for (let k = 0; k < m1; k++) b += nrm2(W1.subarray((j * m1 + k) * D, (j * m1 + k + 1) * D)) * Math.abs(W2[j * m1 + k]);
    s += Math.abs(alpha[j]) * b;
  }
  return s;
}

/** (β/3) Σ_j (‖W_{1j}‖³_F + ‖w_{2j}‖³ + |α_j|³) over θ = [W1 | W2 | α]. */
function cubicPenalty(net: ThreeLayerNetwork, theta: Float64Array, beta: number, grad: Float64Array | null): number {
  const { m, m1, D } = net;
  const a = m * m1 * D;
  const b = a + m * m1;
  let s = 0;
  const part = (off: number, len: number): void => {
    const v = theta.subarray(off, off + len);
    const r = nrm2(v);
    s += r * r * r;
    if (grad) for (let i = 0; i < len; i++) grad[off + i] += beta * r * v[i];
  };
  for (let j = 0; j < m; j++) {
    part(j * m1 * D, m1 * D);
    part(a + j * m1, m1);
    part(b + j, 1);
  }
  return (beta / 3) * s;
}

/**
 * The objective L(f_θ(X), y) + (β/3) Σ_j (‖W_{1j}‖³_F + ‖w_{2j}‖³ + |α_j|³) over θ = [W1 | W2 | α],
 * gradient β‖V‖V for each block part V (Wang, Ergen & Pilanci's L-th power regularisation, L = 3).
 */
export function cubicDecayObjective(net: ThreeLayerNetwork, X: Matrix, y: Float64Array, beta: number, loss: ConvexLossName = "square"): Objective {
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new RangeError(`cubicDecayObjective: β must be a finite number ≥ 0, got ${beta}`);
  checkThreeLayerNetwork("cubicDecayObjective", net, X, y);
  const base = makeObjective(threeLayerArchitecture(net), { X, Y: { rows: y.length, cols: 1, data: y } }, loss);
  return {
    dim: base.dim, samples: base.samples, homogeneity: null,
    evaluate(theta: Float64Array, grad: Float64Array | null, batch?: Int32Array): LossValue {
      const v = base.evaluate(theta, grad, batch);
      const value = v.loss + cubicPenalty(net, theta, beta, grad);
      return { loss: value, logLoss: Math.log(value) };
    },
  };
}

/**
 * The path-regularised objective L(f_θ(X), y) + β·path(θ), path(θ) = Σ_j |α_j| Σ_k ‖w_{1jk}‖|w_{2jk}|:
 * the infimum of the cubic-decayed objective over rescalings, and the value the convex program
 * (C3) reaches (file comment).
 *
 * @param net - the network (m blocks of m1 neurons on D inputs)
 * @param X - data, n×D row-major
 * @param y - targets (length n)
 * @param beta - β
 * @param loss - the convex loss (default square)
 * @returns L(f(X), y) + β·path(θ)
 * @example
 * ```ts
 * import { threeLayerPathObjective } from "splitscape";
 * const X = { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, 1]) };
 * const net = { m: 1, m1: 1, D: 2, W1: Float64Array.from([1, 0]), W2: Float64Array.from([2]), alpha: Float64Array.from([0.5]) };
 * console.log(threeLayerPathObjective(net, X, Float64Array.from([1, 0]), 0.1)); // 0.1 (f = [1, 0], path = 1)
 * ```
 */
export function threeLayerPathObjective(net: ThreeLayerNetwork, X: Matrix, y: Float64Array, beta: number, loss: ConvexLossName = "square"): number {
  checkThreeLayerNetwork("threeLayerPathObjective", net, X, y);
  const f = forward(threeLayerModel(net), X).data;
  return convexLoss(loss).valueAndGradient(f, y, new Float64Array(y.length)) + beta * threeLayerPathNorm(net);
}

/**
 * Plain gradient descent θ ← θ − lr·∇F(θ) on the cubic-decayed objective
 * F(θ) = L(f_θ(X), y) + (β/3) Σ_j (‖W_{1j}‖³_F + ‖w_{2j}‖³ + |α_j|³) from `init` (not modified), by
 * dynamics/ (the regularisation of Wang, Ergen & Pilanci 2023, whose infimum over rescalings is
 * β·path(θ), the cost of the convex program).
 *
 * @param X - data, n×D row-major
 * @param y - targets (length n)
 * @param beta - β ≥ 0
 * @param init - the starting network (m blocks of m1 neurons on D inputs)
 * @param opts - `lr`, `steps`, `recordEvery`, `loss` (default square)
 * @returns the trained network, its objective and gradient norm, the record, and whether it stayed finite
 * @example
 * ```ts
 * import { threeLayerPathObjective, trainThreeLayerCubic } from "splitscape";
 * const angles = [0.3, 1.9, 3.4, 4.6]; // four points on the unit circle, no bias
 * const X = { rows: 4, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const y = Float64Array.from([1, -0.6, 0.9, -0.4]);
 * const init = { m: 2, m1: 2, D: 2, W1: Float64Array.from([0.5, 0.1, -0.3, 0.4, 0.2, -0.5, 0.1, 0.3]), W2: Float64Array.from([0.4, -0.2, 0.3, 0.5]), alpha: Float64Array.from([0.6, -0.4]) };
 * const run = trainThreeLayerCubic(X, y, 0.1, init, { lr: 0.02, steps: 2000 });
 * console.log(run.finite, run.objective >= threeLayerPathObjective(run.net, X, y, 0.1)); // true true
 * ```
 */
export function trainThreeLayerCubic(X: Matrix, y: Float64Array, beta: number, init: ThreeLayerNetwork, opts: ThreeLayerGdOptions): ThreeLayerGdResult {
  const model = threeLayerModel(init);
  const run = runWeightDecayedGd(cubicDecayObjective(init, X, y, beta, opts.loss ?? "square"), model.theta, opts);
  const a = init.W1.length;
  const b = a + init.W2.length;
  const net = { ...init, W1: run.theta.slice(0, a), W2: run.theta.slice(a, b), alpha: run.theta.slice(b) };
  return { net, objective: run.objective, gradNorm: run.gradNorm, history: run.history, finite: run.finite };
}

/**
 * The balanced representative of `net` under the rescalings above: every neuron with
 * ‖w_{1jk}‖ = |w_{2jk}| = √(p_{jk}), p_{jk} = ‖w_{1jk}‖|w_{2jk}|, then every block scaled so that
 * ‖W_{1j}‖_F = ‖w_{2j}‖ = |α_j| = t_j^{1/3}, t_j = |α_j| Σ_k p_{jk}. f is unchanged and the cubic
 * penalty equals β·path(θ) (its infimum over the orbit).
 */
export function balanceThreeLayer(net: ThreeLayerNetwork): ThreeLayerNetwork {
  const { m, m1, D } = net;
  const W1 = net.W1.slice();
  const W2 = net.W2.slice();
  const alpha = net.alpha.slice();
  for (let j = 0; j < m; j++) {
    let sumP = 0;
    for (let k = 0; k < m1; k++) {
      const nk = j * m1 + k;
      const w = W1.subarray(nk * D, (nk + 1) * D);
      const r = nrm2(w);
      const p = r * Math.abs(W2[nk]);
      if (p === 0) { w.fill(0); W2[nk] = 0; continue; }
      const s = Math.sqrt(p);
      for (let t = 0; t < D; t++) w[t] *= s / r;
      W2[nk] = Math.sign(W2[nk]) * s;
      sumP += p;
    }
    const t = Math.abs(alpha[j]) * sumP;
    if (t === 0) {
      W1.subarray(j * m1 * D, (j + 1) * m1 * D).fill(0);
      W2.subarray(j * m1, (j + 1) * m1).fill(0);
      alpha[j] = 0;
      continue;
    }
    // Now ‖W_{1j}‖_F = ‖w_{2j}‖ = √sumP; scale both to t^{1/3} and α to sign·t^{1/3}.
    const target = Math.cbrt(t);
    const f = target / Math.sqrt(sumP);
    for (let i = j * m1 * D; i < (j + 1) * m1 * D; i++) W1[i] *= f;
    for (let i = j * m1; i < (j + 1) * m1; i++) W2[i] *= f;
    alpha[j] = Math.sign(alpha[j]) * target;
  }
  return { ...net, W1, W2, alpha };
}
