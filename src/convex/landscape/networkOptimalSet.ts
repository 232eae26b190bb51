// Where a network sits relative to the optimal set (docs/science/convex.md §3
// and §4, optimal set and stationary points):
//  * at a global optimum every active neuron is (√t ū_k, ±√t) for an optimal direction ū_k, and the
//    per-direction sums c_k = Σ_j ‖w_j‖·|α_j| form a point of P* = {c ≥ 0 : Σ_k c_k f_k = ŷ*};
//  * where the dual constraint fails, ‖Π_{K_i}(σ Xᵀ D_i ν)‖ > β, the neuron (√t ū, σ√t) with
//    ū = Π_{K_i}(σ g_i)/‖·‖ lowers the objective at rate d/dt F = β − ‖Π_{K_i}(σ g_i)‖ < 0
//    (its fit is (Xū)_+ and νᵀ(Xū)_+ = ūᵀ g_i = ‖Π_K(σ g_i)‖ by Moreau's decomposition).
import { nrm2 } from "../../linalg/index.js";
import type { ReluNetwork } from "../network/index.js";
import { type ConvexProblem, patternMask, projectOntoCone } from "../program/index.js";
import { coneDualNorms } from "./certificate.js";
import { independent, type OptimalDirection } from "./optimalSet.js";

/** How a network's neurons map onto the optimal directions. */
export interface OptimalSetLocation {
  /** Per neuron: the index of its optimal direction, or −1 (inactive neurons: −1 with `inactive`). */
  readonly neuronDirection: Int32Array;
  /** Active neurons whose direction is not an optimal direction of its sign. */
  readonly unmatched: number[];
  /** c_k = Σ_{j → k} ‖w_j‖·|α_j| per direction. */
  readonly weights: Float64Array;
  /** ‖Σ_k c_k f_k − ŷ*‖/‖ŷ*‖ (0 when the network is in the optimal set). */
  readonly residual: number;
  /** Directions with c_k > 0. */
  readonly support: number[];
  /** True when the fit vectors of the support are linearly independent (c is a vertex of P*: an irreducible solution). */
  readonly vertex: boolean;
  /** Max over active neurons of 1 − cos(w_j, matched direction) (0 when all match exactly). */
  readonly maxAngleDefect: number;
}

/**
 * Map each active neuron of `net` to the optimal direction of its output sign with the largest
 * cosine (matched when 1 − cos ≤ angleTol), sum the neuron contributions c_k = ‖w_j‖·|α_j| per
 * direction, and measure ‖Σ c_k f_k − ŷ*‖/‖ŷ*‖. The network is in the optimal set (up to the
 * tolerances) when nothing is unmatched and the residual is small.
 *
 * @param net - the network
 * @param directions - the optimal directions (`optimalSet(…).directions`)
 * @param yhatStar - the optimal prediction ŷ*, length n
 * @param angleTol - a neuron matches a direction when 1 − cos ≤ angleTol (default 1e-6)
 * @returns per-neuron direction indices, unmatched neurons, weights c_k, the residual and whether c is a vertex
 * @example
 * ```ts
 * import { convexProblem, convexToNetwork, enumeratePatterns, locateInOptimalSet, optimalSet, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const set = optimalSet(problem, sol.prediction);
 * const where = locateInOptimalSet(convexToNetwork(sol.U, sol.V, 2), set.directions, sol.prediction);
 * console.log(where.unmatched.length, where.residual, where.vertex); // 0, small, true
 * ```
 */
export function locateInOptimalSet(
  net: ReluNetwork, directions: readonly OptimalDirection[], yhatStar: Float64Array, angleTol = 1e-6,
): OptimalSetLocation {
  const { m, D } = net;
  const K = directions.length;
  const n = yhatStar.length;
  const neuronDirection = new Int32Array(m).fill(-1);
  const unmatched: number[] = [];
  const weights = new Float64Array(K);
  let maxAngleDefect = 0;
  for (let j = 0; j < m; j++) {
    const wn = nrm2(net.W.subarray(j * D, (j + 1) * D));
    const a = net.alpha[j];
    if (wn === 0 || a === 0) continue;
    const sign = a > 0 ? 1 : -1;
    let best = -1;
    let bestCos = -Infinity;
    for (let k = 0; k < K; k++) {
      if (directions[k].sign !== sign) continue;
      let c = 0;
      for (let t = 0; t < D; t++) c += net.W[j * D + t] * directions[k].direction[t];
      c /= wn;
      if (c > bestCos) {
        bestCos = c;
        best = k;
      }
    }
    const defect = best < 0 ? Infinity : 1 - bestCos;
    maxAngleDefect = Math.max(maxAngleDefect, defect);
    if (defect > angleTol) {
      unmatched.push(j);
      continue;
    }
    neuronDirection[j] = best;
    weights[best] += wn * Math.abs(a);
  }
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = -yhatStar[i];
    for (let k = 0; k < K; k++) if (weights[k] > 0) s += weights[k] * directions[k].fit[i];
    res[i] = s;
  }
  const r = nrm2(res);
  const yn = nrm2(yhatStar);
  const support: number[] = [];
  for (let k = 0; k < K; k++) if (weights[k] > 0) support.push(k);
  const vertex = support.length === 0 || independent(support.map((k) => directions[k].fit), 1e-8);
  return { neuronDirection, unmatched, weights, residual: yn > 0 ? r / yn : r, support, vertex, maxAngleDefect };
}

/** Two descent directions of one sign are one when every coordinate agrees to this (unit vectors). */
const DEDUP_TOL = 1e-9;

/** A neuron that lowers the objective when added with a small weight. */
export interface DescentNeuron {
  readonly pattern: number;
  /** Output sign σ of the new neuron. */
  readonly sign: 1 | -1;
  /** ū = Π_{K_i}(σ Xᵀ D_i ν)/‖·‖ (unit, in the cone of pattern i). */
  readonly direction: Float64Array;
  /** ‖Π_{K_i}(σ Xᵀ D_i ν)‖/β > 1. */
  readonly dualRatio: number;
  /** d/dt F(θ ∪ {(√t ū, σ√t)}) at t = 0⁺: β − ‖Π_{K_i}(σ g_i)‖ < 0. */
  readonly rate: number;
}

/**
 * The `count` most violated dual constraints ‖Π_{K_i}(σ Xᵀ D_i ν)‖ > β(1 + tol) over the
 * problem's patterns, as descent neurons: adding (√t ū, σ√t) changes the objective by
 * t·(β − ‖Π_K(σ g)‖) + o(t) for any differentiable loss (the loss changes by ∇L(ŷ)ᵀ·t(Xū)_+σ =
 * −t·σνᵀ(Xū)_+ = −t‖Π_K(σ g)‖ to first order, the penalty by +βt).
 *
 * @param problem - the convex problem
 * @param nu - the dual vector ν = −∇L(ŷ) at the current network's prediction
 * @param count - at most this many neurons (default 5)
 * @param tol - violations must exceed β(1 + tol) (default 1e-6)
 * @returns the most violated (pattern, sign) pairs as descent neurons, most violated first; empty at an optimum
 * @example
 * ```ts
 * import { convexLoss, convexProblem, descentNeurons, dualFromPrediction, enumeratePatterns, networkOutput, withBias, zeroNetwork } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const nu = dualFromPrediction(convexLoss("square"), networkOutput(zeroNetwork(2), X), problem.y);
 * const [best] = descentNeurons(problem, nu, 1);
 * console.log(best.sign, Array.from(best.direction), best.rate); // a neuron that lowers the objective at f = 0
 * ```
 */
export function descentNeurons(problem: ConvexProblem, nu: Float64Array, count = 5, tol = 1e-6): DescentNeuron[] {
  const { X, beta, patterns } = problem;
  const { rows: n, cols: d } = X;
  const { sPlus, sMinus } = coneDualNorms(problem, nu);
  const P = patterns.count;
  const candidates: Array<{ pattern: number; sign: 1 | -1; bound: number }> = [];
  for (let i = 0; i < P; i++) {
    if (sPlus[i] > beta * (1 + tol)) candidates.push({ pattern: i, sign: 1, bound: sPlus[i] });
    if (sMinus[i] > beta * (1 + tol)) candidates.push({ pattern: i, sign: -1, bound: sMinus[i] });
  }
  candidates.sort((a, b) => b.bound - a.bound);
  const out: DescentNeuron[] = [];
  const g = new Float64Array(d);
  for (const c of candidates) {
    if (out.length === count) break;
    const mask = patternMask(patterns, c.pattern);
    g.fill(0);
    for (let k = 0; k < n; k++) if (mask[k]) for (let t = 0; t < d; t++) g[t] += c.sign * nu[k] * X.data[k * d + t];
    const proj = projectOntoCone(X.data, n, d, mask, g);
    const direction = Float64Array.from(proj.projection, (v) => v / proj.norm);
    // One direction on the boundary of adjacent cones is one neuron (pitfall 2).
    if (out.some((o) => o.sign === c.sign && o.direction.every((v, t) => Math.abs(v - direction[t]) <= DEDUP_TOL))) continue;
    out.push({ pattern: c.pattern, sign: c.sign, direction, dualRatio: proj.norm / beta, rate: beta - proj.norm });
  }
  return out;
}
