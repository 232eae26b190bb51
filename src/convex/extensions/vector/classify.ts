// Classification of a vector-output network (docs/science/convex.md §4, carried to
// c outputs): global optimum, stationary point or neither, with the per-neuron numbers behind it.
import { nrm2 } from "../../../linalg/index.js";
import { kinkRows, ownConeRatio, type NetworkClass, type NetworkClassification } from "../../landscape/index.js";
import { CERTIFY_TOL, patternMask, withPatternsOf } from "../../program/index.js";
import { vectorCertificateFromPrediction, vectorConnectivityWidth, type VectorCertificate, type VectorCertificateOptions } from "./certificate.js";
import { checkVectorNetwork, vectorObjective, type VectorReluNetwork } from "./network.js";
import type { VectorProblem } from "./problem.js";

/** Numbers of one neuron of a vector network. */
export interface VectorNeuronReport {
  readonly index: number;
  readonly weightNorm: number;
  /** ‖α_j‖. */
  readonly outputNorm: number;
  /** |‖w_j‖ − ‖α_j‖| / max(‖w_j‖, ‖α_j‖). */
  readonly imbalance: number;
  /** (‖Λᵀ(X w̄_j)_+‖ − β)/β (0 for inactive neurons). */
  readonly normResidual: number;
  /** ‖Λᵀ(X w̄_j)_+ − β α̂_j‖/β (α̂ = α/‖α‖): zero iff the norm is β and α_j points along it. */
  readonly outputResidual: number;
  /**
   * min over the patterns D the neuron lies in (0/1 on kink rows) of ‖Π_{K_D}(Xᵀ D Λ α̂_j)‖/β:
   * ≤ 1 (with the equalities above) iff w̄_j maximises α̂_jᵀΛᵀ D X u over K ∩ ball, i.e. w̄_j is a
   * stationary point of ‖Λᵀ D X u‖ on its cone.
   */
  readonly ownCone: number;
  /** Index of the neuron's pattern in the certificate's pattern set (−1: inactive). */
  readonly pattern: number;
}

/** The classification of a vector network and the numbers behind it. */
export interface VectorNetworkCertificate extends NetworkClassification {
  readonly maxOutputResidual: number;
  readonly certificate: VectorCertificate;
  readonly neurons: VectorNeuronReport[];
  /** nc + 1. */
  readonly connectivityWidth: number;
}

/**
 * The numbers of neuron j (w, α its rows) against Λ: balance, ‖Λᵀ(Xw̄)_+‖ = β with α̂ along it, and
 * the own-cone value min over kink choices of ‖Π_{K_D}(Xᵀ D Λα̂)‖/β (`mask`: its pattern, number
 * `pattern` of the certificate's set).
 */
function vectorNeuronReport(
  problem: VectorProblem, Lam: Float64Array, index: number, w: Float64Array, a: Float64Array, mask: Uint8Array, pattern: number,
): VectorNeuronReport {
  const { X, beta } = problem;
  const { rows: n, cols: D } = X;
  const c = a.length;
  const wn = nrm2(w);
  const an = nrm2(a);
  const big = Math.max(wn, an);
  const imbalance = big === 0 ? 0 : Math.abs(wn - an) / big;
  if (wn === 0 || an === 0) {
    return { index, weightNorm: wn, outputNorm: an, imbalance, normResidual: 0, outputResidual: 0, ownCone: 0, pattern: -1 };
  }
  const ahat = Float64Array.from(a, (v) => v / an);
  // Λᵀ(X w̄)_+ and its residual against β α̂.
  const act = new Float64Array(c);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let t = 0; t < D; t++) s += X.data[k * D + t] * w[t];
    if (s > 0) for (let o = 0; o < c; o++) act[o] += Lam[k * c + o] * s / wn;
  }
  const normResidual = (nrm2(act) - beta) / beta;
  const diff = act.map((v, o) => v - beta * ahat[o]);
  const outputResidual = nrm2(diff) / beta;
  // ν_j = Λ α̂_j; own cone = min over kink choices of ‖Π_{K_D}(Xᵀ D ν_j)‖/β.
  const nuj = new Float64Array(n);
  for (let k = 0; k < n; k++) for (let o = 0; o < c; o++) nuj[k] += Lam[k * c + o] * ahat[o];
  const ownCone = ownConeRatio(X, mask, kinkRows(X, w, wn), nuj, beta).ratio;
  return { index, weightNorm: wn, outputNorm: an, imbalance, normResidual, outputResidual, ownCone, pattern };
}

/** The sentences behind a classification (balance, neuron conditions, own patterns, dual feasibility, gap). */
function vectorReasons(
  cert: VectorCertificate, beta: number, tol: number, worst: { imbalance: number; residual: number; ownCone: number },
): string[] {
  const { imbalance: maxImb, residual: maxRes, ownCone: maxOwn } = worst;
  const reasons: string[] = [];
  reasons.push(maxImb <= tol ? `balanced (max relative imbalance ${maxImb.toExponential(2)})` : `not balanced: max |‖w‖ − ‖α‖|/max = ${maxImb.toExponential(2)} > ${tol}`);
  reasons.push(maxRes <= tol
    ? `every active neuron has Λᵀ(Xw̄)_+ = β α̂ (max relative residual ${maxRes.toExponential(2)})`
    : `neuron condition Λᵀ(Xw̄)_+ = β α̂ fails: max relative residual ${maxRes.toExponential(2)} > ${tol}`);
  reasons.push(maxOwn <= 1 + tol
    ? `own-pattern conditions hold (max ‖Π_K(XᵀDΛα̂)‖/β = ${maxOwn.toPrecision(8)})`
    : `own-pattern condition violated: max ‖Π_K(XᵀDΛα̂)‖/β = ${maxOwn.toPrecision(8)} > 1`);
  const sb = `s/β ∈ [${(cert.sLower / beta).toPrecision(8)}, ${(cert.s / beta).toPrecision(8)}] (${cert.norm.method}, rank Λ = ${cert.norm.rank})`;
  if (cert.dualFeasibility === "feasible") reasons.push(`all ${cert.patterns} patterns satisfy max ‖ΛᵀD_iXu‖ ≤ β: ${sb}`);
  else if (cert.dualFeasibility === "infeasible") reasons.push(`some unit u has ‖Λᵀ(Xu)_+‖ > β: ${sb}; a neuron added there lowers the objective`);
  else reasons.push(`certificate inconclusive: the bounds on s straddle β: ${sb}`);
  reasons.push(`duality gap ${cert.gap.toExponential(3)} (relative ${cert.relativeGap.toExponential(3)})`);
  return reasons;
}

/**
 * Classify a vector network (docs/science/convex.md §4, carried to c outputs). With
 * Λ = −∇L(F), the first-order conditions of (NC_c) read α_j = Λᵀ(Xw_j)_+/β and
 * w_j = Xᵀ D_j Λ α_j/β; together they give ‖w_j‖ = ‖α_j‖ (balanced), ‖Λᵀ(Xw̄_j)_+‖ = β with α̂_j
 * along Λᵀ(Xw̄_j)_+, and w̄_j = Π_{K_j}(Xᵀ D_j Λ α̂_j)/β (own-cone value 1). "global optimum":
 * exact patterns and (stationary with s_upper ≤ β(1 + tol), or relative gap ≤ tol);
 * "stationary": the per-neuron conditions hold; else "neither".
 *
 * @param problem - the vector-output problem (the network is in its X̃-space)
 * @param net - the network with c outputs
 * @param opts - `tol` and the dual-norm settings
 * @returns "global optimum", "stationary" or "neither", the reasons, per-neuron numbers and the certificate
 * @example
 * ```ts
 * import { certifyVectorNetwork, enumeratePatterns, solveVectorByAtoms, vectorProblem, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(x.flatMap((t) => [Math.abs(t), Math.max(t, 0)])) };
 * const problem = vectorProblem(X, Y, 0.05, "square", enumeratePatterns(X));
 * const report = certifyVectorNetwork(problem, solveVectorByAtoms(problem).network);
 * console.log(report.classification); // global optimum
 * ```
 */
export function certifyVectorNetwork(
  problem: VectorProblem, net: VectorReluNetwork, opts: VectorCertificateOptions = {},
): VectorNetworkCertificate {
  const { X, Y, beta, loss } = problem;
  checkVectorNetwork("certifyVectorNetwork", net, X, Y);
  const tol = opts.tol ?? CERTIFY_TOL;
  const { rows: n, cols: D } = X;
  const c = net.c;
  const obj = vectorObjective(net, X, Y, beta, loss);
  const { set, index } = withPatternsOf(X, problem.patterns, { rows: net.m, cols: D, data: net.W });
  const neurons: VectorNeuronReport[] = [];
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    const a = net.A.subarray(j * c, (j + 1) * c);
    neurons.push(vectorNeuronReport(problem, obj.Lambda.data, j, w, a, patternMask(set, index[j]), index[j]));
  }
  const worst = {
    imbalance: Math.max(0, ...neurons.map((r) => r.imbalance)),
    residual: Math.max(0, ...neurons.map((r) => r.outputResidual)),
    ownCone: Math.max(0, ...neurons.map((r) => r.ownCone)),
  };
  const certificate = vectorCertificateFromPrediction({ ...problem, patterns: set }, obj.prediction, obj.objective, opts);
  const balanced = worst.imbalance <= tol;
  const stationary = balanced && worst.residual <= tol && worst.ownCone <= 1 + tol;
  const reasons = vectorReasons(certificate, beta, tol, worst);
  const exact = problem.patterns.exact;
  let classification: NetworkClass;
  if (exact && ((stationary && certificate.dualFeasibility === "feasible") || certificate.relativeGap <= tol)) {
    classification = "global optimum";
  } else if (stationary) {
    classification = "stationary";
    if (!exact && certificate.dualFeasibility === "feasible") reasons.push("patterns were sampled: optimal for the sampled problem, global optimality not proven");
  } else {
    classification = "neither";
  }
  return {
    classification, reasons, objective: obj.objective, loss: obj.loss, penalty: obj.penalty,
    maxImbalance: worst.imbalance, maxOutputResidual: worst.residual, maxOwnCone: worst.ownCone, balanced, stationary,
    certificate, neurons, tol, exact, connectivityWidth: vectorConnectivityWidth(n, c),
  };
}
