// Certificate of a two-layer ReLU network (docs/science/convex.md §4 and §2,
// stationary points and the certificate of global optimality [R]). With ν = −∇L(f_θ(X)):
//  * balanced: ‖w_j‖ = |α_j| for every neuron;
//  * per active neuron: sign(α_j)·νᵀ(X w̄_j)_+ = β (w̄ = w/‖w‖) and
//    ‖Π_{K_j}(sign(α_j)·Xᵀ D_j ν)‖ ≤ β for its own pattern D_j = 1[X w_j ≥ 0] and sign;
//  * global: in addition ‖Π_{K_i}(±Xᵀ D_i ν)‖ ≤ β for every pattern (exact enumeration), which
//    makes the duality gap of the network's objective zero.
// Note on the own-pattern test: the note states it for both signs of the patterns a network
// uses; only the neuron's own (pattern, sign) pair is a first-order condition of the fixed-width
// problem (a single-neuron network is Clarke stationary whatever the opposite sign gives), so
// the classification uses the own pair and reports the opposite sign's value separately.
import { type Matrix, nrm2 } from "../../linalg/index.js";
import { nonconvexObjective, type ReluNetwork } from "../network/index.js";
import { CERTIFY_TOL, convexLoss, convexProblem, type ConvexProblem, dualFromPrediction, patternMask, projectOntoCone, withPatternsOf } from "../program/index.js";
import { certificateFromPrediction, type CertificateOptions, type ConvexCertificate } from "./certificate.js";

/** A row is a kink of neuron w when |x_kᵀw| ≤ KINK_TOL·‖x_k‖‖w‖. */
const KINK_TOL = 1e-9;
/** Enumerate the 0/1 choices on at most this many kink rows. */
const MAX_KINKS = 12;

export type NetworkClass = "global optimum" | "stationary" | "neither";

/** Rows k with |x_kᵀw| ≤ KINK_TOL·‖x_k‖‖w‖: where ReLU'(0) may be taken as 0 or 1 (wn = ‖w‖ > 0). */
export function kinkRows(X: Matrix, w: ArrayLike<number>, wn: number): number[] {
  const { rows: n, cols: D } = X;
  const kinks: number[] = [];
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let t = 0; t < D; t++) s += X.data[k * D + t] * w[t];
    const rn = nrm2(X.data.subarray(k * D, (k + 1) * D));
    if (rn > 0 && Math.abs(s) <= KINK_TOL * rn * wn) kinks.push(k);
  }
  return kinks;
}

/**
 * The own-cone value of a neuron (docs/science/convex.md §4): the smallest
 * ‖Π_{K_D}(Xᵀ D v)‖/β over the patterns D the neuron lies in — every 0/1 choice on its kink rows
 * (up to MAX_KINKS of them; the ≥ pattern alone otherwise; pitfall 1) — and the minimising mask.
 * v is the neuron's dual vector: sign(α)ν for a scalar output, Λα̂ for a vector output.
 */
export function ownConeRatio(X: Matrix, baseMask: Uint8Array, kinks: readonly number[], v: Float64Array, beta: number): { ratio: number; mask: Uint8Array } {
  const { rows: n, cols: D } = X;
  const choices = kinks.length <= MAX_KINKS ? 1 << kinks.length : 1;
  const mask = baseMask.slice();
  let best = { ratio: Infinity, mask: baseMask.slice() };
  const g = new Float64Array(D);
  for (let c = 0; c < choices; c++) {
    for (let t = 0; t < kinks.length && choices > 1; t++) mask[kinks[t]] = (c >> t) & 1;
    g.fill(0);
    for (let k = 0; k < n; k++) if (mask[k]) for (let t = 0; t < D; t++) g[t] += v[k] * X.data[k * D + t];
    const r = projectOntoCone(X.data, n, D, mask, g).norm / beta;
    if (r < best.ratio) best = { ratio: r, mask: mask.slice() };
  }
  return best;
}

/** Numbers of one neuron. */
export interface NeuronReport {
  readonly index: number;
  readonly weightNorm: number;
  readonly alpha: number;
  /** |‖w_j‖ − |α_j|| / max(‖w_j‖, |α_j|). */
  readonly imbalance: number;
  /** (sign(α_j)·νᵀ(X w̄_j)_+ − β)/β; 0 for inactive neurons. */
  readonly stationarityResidual: number;
  /**
   * ‖Π_{K_D}(sign(α_j) Xᵀ D ν)‖/β for the neuron's own sign, minimised over the patterns D the
   * neuron lies in (0/1 on its kink rows x_kᵀw_j = 0).
   */
  readonly ownCone: number;
  /** ‖Π_{K_j}(−sign(α_j) Xᵀ D_j ν)‖/β: the opposite sign of the same pattern (information). */
  readonly oppositeCone: number;
  /** Index of the neuron's pattern in the certificate's pattern set (−1: inactive). */
  readonly pattern: number;
}

/** What every network classification carries (scalar and vector outputs). */
export interface NetworkClassification {
  readonly classification: NetworkClass;
  /** Why, in words (one line per failed or passed condition). */
  readonly reasons: string[];
  /** Nonconvex objective L + (β/2)Σ(‖w‖² + ‖α‖²), its loss and penalty. */
  readonly objective: number;
  readonly loss: number;
  readonly penalty: number;
  readonly maxImbalance: number;
  readonly maxOwnCone: number;
  readonly balanced: boolean;
  readonly stationary: boolean;
  readonly tol: number;
  /** True when the problem's patterns were exactly enumerated. */
  readonly exact: boolean;
}

/** The classification of a network and the numbers behind it. */
export interface NetworkCertificate extends NetworkClassification {
  readonly maxStationarityResidual: number;
  /** Dual certificate over all patterns of the problem plus the network's own. */
  readonly certificate: ConvexCertificate;
  readonly neurons: NeuronReport[];
}

export interface NetworkCertificateOptions extends CertificateOptions {
  /** Relative tolerance of every equality/inequality test. Default 1e-6. */
  readonly tol?: number;
}

/**
 * Classify the network `net` (in the problem's X̃-space) as a global optimum, a stationary point
 * (optimal for the subsampled convex problem of its own patterns) or neither, with numbers.
 *
 * @param problem - the convex problem (the network is in its X̃-space)
 * @param net - the network
 * @param opts - `tol` of every test, `exactAbove` of the cone projections
 * @returns "global optimum", "stationary" or "neither", the reasons, per-neuron numbers and the dual certificate
 * @example
 * ```ts
 * import { certifyNetwork, convexProblem, convexToNetwork, enumeratePatterns, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const report = certifyNetwork(problem, convexToNetwork(sol.U, sol.V, 2));
 * console.log(report.classification, report.reasons[0]); // global optimum …
 * ```
 */
export function certifyNetwork(problem: ConvexProblem, net: ReluNetwork, opts: NetworkCertificateOptions = {}): NetworkCertificate {
  const tol = opts.tol ?? CERTIFY_TOL;
  const { X, y, beta } = problem;
  const { rows: n, cols: D } = X;
  if (net.D !== D) throw new RangeError(`certifyNetwork: network input dimension ${net.D}, X has ${D} columns`);
  const obj = nonconvexObjective(net, X, y, beta, problem.loss);
  const loss = convexLoss(problem.loss);
  const nu = dualFromPrediction(loss, obj.prediction, y);
  const { set, index } = withPatternsOf(X, problem.patterns, { rows: net.m, cols: D, data: net.W });
  const merged = convexProblem(X, y, beta, problem.loss, set);
  const neurons: NeuronReport[] = [];
  let maxImb = 0;
  let maxRes = 0;
  let maxOwn = 0;
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    const wn = nrm2(w);
    const a = net.alpha[j];
    const big = Math.max(wn, Math.abs(a));
    const imbalance = big === 0 ? 0 : Math.abs(wn - Math.abs(a)) / big;
    maxImb = Math.max(maxImb, imbalance);
    if (wn === 0 || a === 0) {
      neurons.push({ index: j, weightNorm: wn, alpha: a, imbalance, stationarityResidual: 0, ownCone: 0, oppositeCone: 0, pattern: -1 });
      continue;
    }
    const sg = a > 0 ? 1 : -1;
    const baseMask = patternMask(set, index[j]);
    // νᵀ(X w̄)_+.
    let act = 0;
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += X.data[k * D + t] * w[t];
      if (s > 0) act += nu[k] * s;
    }
    const residual = (sg * act / wn - beta) / beta;
    // Own cone for the neuron's sign, and the opposite sign in the same (minimising) pattern.
    const own = ownConeRatio(X, baseMask, kinkRows(X, w, wn), Float64Array.from(nu, (v) => sg * v), beta);
    const g = new Float64Array(D);
    for (let k = 0; k < n; k++) if (own.mask[k]) for (let t = 0; t < D; t++) g[t] -= sg * nu[k] * X.data[k * D + t];
    const opp = projectOntoCone(X.data, n, D, own.mask, g).norm / beta;
    maxRes = Math.max(maxRes, Math.abs(residual));
    maxOwn = Math.max(maxOwn, own.ratio);
    neurons.push({ index: j, weightNorm: wn, alpha: a, imbalance, stationarityResidual: residual, ownCone: own.ratio, oppositeCone: opp, pattern: index[j] });
  }
  const certificate = certificateFromPrediction(merged, obj.prediction, obj.objective, 0, opts);
  const balanced = maxImb <= tol;
  const stationary = balanced && maxRes <= tol && maxOwn <= 1 + tol;
  const dualFeasible = certificate.s <= beta * (1 + tol);
  const reasons: string[] = [];
  reasons.push(balanced ? `balanced (max relative imbalance ${maxImb.toExponential(2)})` : `not balanced: max |‖w‖ − |α||/max = ${maxImb.toExponential(2)} > ${tol}`);
  reasons.push(maxRes <= tol
    ? `every active neuron has sign(α)νᵀ(Xw̄)_+ = β (max relative residual ${maxRes.toExponential(2)})`
    : `neuron equality sign(α)νᵀ(Xw̄)_+ = β fails: max relative residual ${maxRes.toExponential(2)} > ${tol}`);
  reasons.push(maxOwn <= 1 + tol
    ? `own-pattern dual constraints hold (max ‖Π_K(±XᵀDν)‖/β = ${maxOwn.toPrecision(8)})`
    : `own-pattern dual constraint violated: max ‖Π_K(±XᵀDν)‖/β = ${maxOwn.toPrecision(8)} > 1`);
  reasons.push(dualFeasible
    ? `all ${certificate.patterns} patterns satisfy ‖Π_K(±XᵀDν)‖ ≤ β (s/β = ${(certificate.s / beta).toPrecision(8)})`
    : `some pattern has ‖Π_K(±XᵀDν)‖ > β (s/β = ${(certificate.s / beta).toPrecision(8)}): a neuron added there lowers the objective`);
  reasons.push(`duality gap ${certificate.gap.toExponential(3)} (relative ${certificate.relativeGap.toExponential(3)})`);
  const exact = problem.patterns.exact;
  let classification: NetworkClass;
  if (exact && ((stationary && dualFeasible) || certificate.relativeGap <= tol)) {
    classification = "global optimum";
  } else if (stationary) {
    classification = "stationary";
    if (!exact && dualFeasible) reasons.push("patterns were sampled: optimal for the sampled problem, global optimality not proven");
  } else {
    classification = "neither";
  }
  return {
    classification, reasons, objective: obj.objective, loss: obj.loss, penalty: obj.penalty,
    maxImbalance: maxImb, maxStationarityResidual: maxRes, maxOwnCone: maxOwn, balanced, stationary,
    certificate, neurons, tol, exact,
  };
}
