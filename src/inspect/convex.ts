/**
 * Section 4 of `inspect`: the convex certificate of a weight-decayed two-layer ReLU network
 * (docs/science/convex.md §2 and §4, through the convex family's face). The network is read in X̃-space
 * (X̃ = [X, 1] with input biases: a regularised bias column), the patterns are enumerated
 * exactly when there are at most CONVEX_MAX_PATTERNS of them (then a "global optimum" is a
 * proof), else CONVEX_SAMPLED_PATTERNS are sampled and every statement is relative to them.
 *
 *  - certifyNetwork: global optimum / stationary / neither, with the duality gap;
 *  - the certified optimum F*: the ReLU program solved to a relative gap of 1e-12 (exact
 *    patterns; 1e-8 sampled) within a wall-clock budget (CONVEX_SOLVE_SECONDS; the bounds reached
 *    are reported when it runs out), so the user sees how much lower F can go; with exact
 *    patterns and an accurate solve the optimal set gives m*, the smallest width of an optimal
 *    network;
 *  - descent neurons (when not a global optimum): the most violated dual constraints; each is
 *    CHECKED by adding the neuron (√t ū, σ√t) to the model and evaluating F with the model's
 *    own loss (independent of the convex code): F must drop, at first order by t·rate.
 * With --mean the convex program is solved in its sum convention with β·n and every objective
 * is reported divided by n (the user's convention).
 */
import {
  TooManyPatternsError, certifyNetwork, convexProblem, descentNeurons, enumeratePatterns, optimalSet, samplePatterns, solveRelu,
  type ConvexProblem, type NetworkClass, type NeuronReport, type ReluNetwork,
} from "../convex/index.js";
import type { Matrix } from "../linalg/index.js";
import type { LossName, Model, ModelData } from "../model/index.js";
import { describeArchitecture, twoLayerArchitecture, twoLayerParts } from "../model/index.js";
import { objectiveValue, type ObjectiveSpec } from "./objective.js";

/** Exact enumeration up to this many patterns (the convex CLI's limit). */
export const CONVEX_MAX_PATTERNS = 20000;
/** Patterns sampled when exact enumeration is too large. */
export const CONVEX_SAMPLED_PATTERNS = 1000;
/** The ReLU program is solved for F* only up to this many samples. */
export const CONVEX_SOLVE_MAX_N = 5000;
/** Default wall-clock budget of the F* solve (seconds); the best certified bounds so far are reported when it runs out. */
export const CONVEX_SOLVE_SECONDS = 10;
/** Relative tolerance of certifyNetwork's tests. */
export const CONVEX_TOL = 1e-6;

/** A descent neuron and what adding it did to F. */
export interface CheckedDescentNeuron {
  readonly pattern: number;
  readonly sign: 1 | -1;
  /** Unit direction ū in X̃-space (bias last). */
  readonly direction: Float64Array;
  readonly dualRatio: number;
  /** dF/dt at t = 0⁺ (user's convention). */
  readonly rate: number;
  /** The step checked: F(θ ∪ {(√t ū, σ√t)}) − F(θ), measured with the model's loss. */
  readonly t: number;
  readonly deltaObjective: number;
  readonly predicted: number;
  readonly lowers: boolean;
}

export interface ConvexSection {
  readonly applies: true;
  readonly verdict: NetworkClass;
  readonly reason: string;
  readonly limit: string;
  readonly reasons: string[];
  readonly exactPatterns: boolean;
  readonly patterns: number;
  /** β in the sum convention used by the program. */
  readonly betaSum: number;
  readonly objective: number;
  /** |F(θ) by the convex code − F(θ) by the model's loss| / F: the two codes agree on the objective. */
  readonly objectiveAgreement: number;
  readonly dualValue: number;
  readonly gap: number;
  readonly relativeGap: number;
  readonly neurons: NeuronReport[];
  /** The certified optimum (null when the solve was skipped for size). */
  readonly optimum: { readonly value: number; readonly dualValue: number; readonly relativeGap: number; readonly converged: boolean; readonly neurons: number } | null;
  /** F(θ) − F* (≥ 0 up to the gap): how much lower the objective can go. */
  readonly improvement: number | null;
  readonly mStar: number | null;
  readonly mStarNote: string;
  readonly descentNeurons: CheckedDescentNeuron[];
}

/**
 * Why section 4 (the convex certificate) does not apply, or null when it does: it needs a
 * two-layer ReLU network with a scalar output, no output bias (or c = 0), weight decay β > 0 and
 * the square or logistic loss.
 *
 * @param model - the network
 * @param spec - the objective: loss, mean, β
 * @returns the reason in words, or null
 * @example
 * ```ts
 * import { convexNotApplicable, initializeModel, makeActivation, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(convexNotApplicable(net, { loss: "square" })); // needs weight decay β > 0
 * ```
 */
export function convexNotApplicable(model: Model, spec: ObjectiveSpec): string | null {
  const arch = model.arch;
  if (arch.kind !== "two-layer") return `the convex reformulation covers two-layer networks, this is ${describeArchitecture(arch)}`;
  if (arch.activation.name !== "relu") return `the convex reformulation needs the ReLU activation, this network uses ${arch.activation.name}`;
  if (arch.k !== 1) return `vector outputs (k = ${arch.k}) are certified by \`splitscape convex --certify\`, not here`;
  const parts = twoLayerParts(arch, model.theta);
  if (parts.c !== null && parts.c.some((v) => v !== 0)) return "the output bias c ≠ 0 is not part of the convex program (it is not regularised)";
  if (!((spec.beta ?? 0) > 0)) return "needs weight decay β > 0 (--beta): the convex reformulation is of the weight-decayed objective";
  if (spec.loss !== "square" && spec.loss !== "logistic") return `the ${spec.loss} loss is not one of the convex program's losses (square, logistic)`;
  return null;
}

/** The model's network in X̃-space: rows [w_j, b_j]. */
function reluNetwork(model: Model): { net: ReluNetwork; X: (X: Matrix) => Matrix } {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new RangeError("reluNetwork: not a two-layer network");
  const { d, m } = arch;
  const parts = twoLayerParts(arch, model.theta);
  const D = d + (parts.b ? 1 : 0);
  const W = new Float64Array(m * D);
  for (let j = 0; j < m; j++) {
    W.set(parts.W.subarray(j * d, (j + 1) * d), j * D);
    if (parts.b) W[j * D + d] = parts.b[j];
  }
  const X = (X0: Matrix): Matrix => {
    if (!parts.b) return X0;
    const out = new Float64Array(X0.rows * D);
    for (let i = 0; i < X0.rows; i++) {
      out.set(X0.data.subarray(i * d, (i + 1) * d), i * D);
      out[i * D + d] = 1;
    }
    return { rows: X0.rows, cols: D, data: out };
  };
  return { net: { W, alpha: parts.a.slice(), m, D }, X };
}

/** The model with one neuron (√t ū, σ√t) appended (ū in X̃-space, bias last). */
function withNeuron(model: Model, u: Float64Array, sign: number, t: number): Model {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new RangeError("withNeuron: not a two-layer network");
  const { d, m } = arch;
  const wide = twoLayerArchitecture({ d, m: m + 1, k: 1, activation: arch.activation, inputBias: arch.inputBias, outputBias: arch.outputBias });
  const theta = new Float64Array(model.theta.length + d + 1 + (arch.inputBias ? 1 : 0));
  const src = twoLayerParts(arch, model.theta);
  const dst = twoLayerParts(wide, theta);
  const r = Math.sqrt(t);
  dst.W.set(src.W);
  for (let i = 0; i < d; i++) dst.W[m * d + i] = r * u[i];
  dst.a.set(src.a);
  dst.a[m] = sign * r;
  if (src.b && dst.b) { dst.b.set(src.b); dst.b[m] = r * u[d]; }
  if (src.c && dst.c) dst.c.set(src.c);
  return { arch: wide, theta };
}

/** Add the descent neuron with t = 2^{−s} until F drops within 25% of t·rate (else the best drop seen). */
function checkDescent(model: Model, data: ModelData, spec: ObjectiveSpec, u: Float64Array, sign: number, rate: number): { t: number; deltaObjective: number; predicted: number; lowers: boolean } {
  const F0 = objectiveValue(model, data, spec).objective;
  let best: { t: number; deltaObjective: number; predicted: number; lowers: boolean } | null = null;
  for (let s = 0; s <= 40; s++) {
    const t = 2 ** -s;
    const dF = objectiveValue(withNeuron(model, u, sign, t), data, spec).objective - F0;
    const rec = { t, deltaObjective: dF, predicted: t * rate, lowers: dF < 0 };
    if (rec.lowers && Math.abs(dF / rec.predicted - 1) <= 0.25) return rec;
    if (best === null || (rec.lowers && (!best.lowers || dF < best.deltaObjective))) best = rec;
  }
  return best!;
}

/** The convex program of a model (convexNotApplicable must be null): X̃, patterns, β in the sum convention. */
export interface ConvexSetting {
  readonly problem: ConvexProblem;
  readonly net: ReluNetwork;
  /** Objectives of the program times this are in the user's convention (1, or 1/n with --mean). */
  readonly scale: number;
  readonly exact: boolean;
}

/** The program and the network in X̃-space, patterns exact up to CONVEX_MAX_PATTERNS, else sampled. */
export function convexSetting(model: Model, data: ModelData, spec: ObjectiveSpec): ConvexSetting {
  const n = data.X.rows;
  const scale = spec.mean ? 1 / n : 1;
  const { net, X: lift } = reluNetwork(model);
  const X = lift(data.X);
  let patterns;
  let exact = true;
  try {
    patterns = enumeratePatterns(X, { maxPatterns: CONVEX_MAX_PATTERNS });
  } catch (e) {
    if (!(e instanceof TooManyPatternsError)) throw e;
    patterns = samplePatterns(X, CONVEX_SAMPLED_PATTERNS, 0);
    exact = false;
  }
  const loss = spec.loss === "logistic" ? "logistic" : "square";
  return { problem: convexProblem(X, data.Y.data.slice(), (spec.beta ?? 0) / scale, loss, patterns), net, scale, exact };
}

/**
 * Section 4 of inspect (call only when convexNotApplicable returns null): the network certified
 * against the convex reformulation of the weight-decayed objective (docs/science/convex.md §2,
 * §4) — global optimum, stationary or neither with the duality gap; the certified optimum F*
 * (solved within `solveSeconds`); descent neurons checked with the model's own loss. Patterns are
 * exact up to CONVEX_MAX_PATTERNS, else sampled (statements are then relative to the sample).
 *
 * @param model - a two-layer ReLU network with a scalar output
 * @param data - inputs X and targets Y
 * @param spec - the objective: loss (square or logistic), mean, β > 0
 * @param solveSeconds - wall-clock budget of the F* solve (default CONVEX_SOLVE_SECONDS)
 * @returns the verdict, the duality gap, F* and F(θ) − F*, the checked descent neurons and the pattern count
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, convexNotApplicable, convexSection, type ObjectiveSpec } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const spec: ObjectiveSpec = { loss: "square", beta: 1e-2 };
 * if (convexNotApplicable(net, spec) === null) console.log(convexSection(net, data, spec, 5).verdict);
 * ```
 */
export function convexSection(model: Model, data: ModelData, spec: ObjectiveSpec & { loss: LossName }, solveSeconds = CONVEX_SOLVE_SECONDS): ConvexSection {
  const n = data.X.rows;
  const { problem, net, scale, exact } = convexSetting(model, data, spec);
  const { patterns, beta: betaSum } = problem;
  const cert = certifyNetwork(problem, net, { tol: CONVEX_TOL });
  const mine = objectiveValue(model, data, spec).objective;
  const objectiveAgreement = Math.abs(cert.objective * scale - mine) / Math.max(Math.abs(mine), Number.MIN_VALUE);
  let optimum: ConvexSection["optimum"] = null;
  let mStar: number | null = null;
  let mStarNote = exact ? "" : "patterns were sampled: m* is computed for exact patterns only";
  if (n <= CONVEX_SOLVE_MAX_N) {
    const sol = solveRelu(problem, { tol: exact ? 1e-12 : 1e-8, maxIterations: 200000, timeLimit: solveSeconds });
    optimum = { value: sol.primalValue * scale, dualValue: sol.dualValue * scale, relativeGap: sol.relativeGap, converged: sol.converged, neurons: sol.activeNeurons };
    if (exact && sol.relativeGap <= 1e-8) {
      const os = optimalSet(problem, sol.prediction);
      mStar = os.mStar;
      mStarNote = os.reason ?? "m* = the smallest support of a vertex of P* (the narrowest optimal network)";
    } else if (exact) {
      mStarNote = `relative gap ${sol.relativeGap.toExponential(2)} > 1e-8: ν* too inaccurate for the optimal set`;
    }
  } else {
    mStarNote = `n = ${n} > ${CONVEX_SOLVE_MAX_N}: the ReLU program was not solved`;
  }
  const descent = cert.classification === "global optimum" ? [] : descentNeurons(problem, cert.certificate.nu, 5, CONVEX_TOL).map((dn) => {
    const rate = dn.rate * scale;
    const check = checkDescent(model, data, spec, dn.direction, dn.sign, rate);
    return { pattern: dn.pattern, sign: dn.sign, direction: dn.direction, dualRatio: dn.dualRatio, rate, ...check };
  });
  const improvement = optimum === null ? null : cert.objective * scale - optimum.value;
  const scope = exact ? "exact patterns: the gap is a proof" : `${patterns.count} sampled patterns: relative to them`;
  const reason = `duality gap ${(cert.certificate.gap * scale).toExponential(2)} (relative ${cert.certificate.relativeGap.toExponential(2)}); ` +
    (optimum === null ? "" : `optimum F* = ${optimum.value.toPrecision(10)} (relative gap ${optimum.relativeGap.toExponential(1)}${optimum.converged ? "" : `, stopped by the ${solveSeconds} s budget`}), F − F* = ${improvement!.toExponential(2)}; `) + scope;
  return {
    applies: true, verdict: cert.classification, reason,
    limit: `exact patterns up to ${CONVEX_MAX_PATTERNS} (here ${exact ? `${patterns.count}, exact` : `too many: ${CONVEX_SAMPLED_PATTERNS} sampled`}); F* solved up to n = ${CONVEX_SOLVE_MAX_N}`,
    reasons: cert.reasons, exactPatterns: exact, patterns: patterns.count, betaSum,
    objective: cert.objective * scale, objectiveAgreement, dualValue: cert.certificate.dualValue * scale, gap: cert.certificate.gap * scale,
    relativeGap: cert.certificate.relativeGap, neurons: cert.neurons, optimum, improvement, mStar, mStarNote, descentNeurons: descent,
  };
}
