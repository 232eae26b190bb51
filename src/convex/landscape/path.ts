// A path from any weight-decayed two-layer ReLU network to a certified global optimum along
// which the nonconvex objective F(θ) = L(f_θ(X̃), y) + (β/2) Σ_j (‖w_j‖² + α_j²) never increases
// (docs/science/convex.md §6, a construction [R]). L convex
// (square or logistic). The path is a chain of stages, each a segment t ∈ [0, 1]:
//  1 rebalance: per neuron (w, α) ↦ (s w, α/s), s² from 1 to |α|/‖w‖. The output is unchanged
//    and ‖w‖²s² + α²/s² is convex in s² with minimiser s² = |α|/‖w‖, so it decreases
//    monotonically to 2‖w‖|α|. Half-dead neurons (w = 0 or α = 0) shrink to 0 linearly.
//  From here on every neuron is balanced and is described by its contribution q = |α| w (a vector
//  with ‖q‖ = ‖w‖² = α²) and its sign σ = sign α: neuron (q/√‖q‖, σ√‖q‖), output σ(X q)_+,
//  penalty β‖q‖. Every later stage interpolates the contributions slot by slot linearly,
//  q_j(t) = (1 − t) q_j^a + t q_j^b, with q_j^a, q_j^b in one cone K_i, so the output
//  Σ_j σ_j D_i X q_j(t) is linear in t and the objective L(linear) + β Σ‖q_j(t)‖ is convex in t.
//  The map q ↦ (q/√‖q‖, √‖q‖) is continuous but not Lipschitz at 0 (pitfall 4): a neuron that
//  appears or vanishes moves at unbounded speed near its zero end, but the path is continuous.
//  2a merge: neurons with the same pattern D = 1[X q ≥ 0] and sign move their contributions into
//    the first of them (q_a + t Σ q_o, (1 − t) q_o): output fixed, penalty
//    β(‖q_a + tQ‖ + (1 − t)Σ‖q_o‖) non-increasing since d/dt‖q_a + tQ‖ ≤ ‖Q‖ ≤ Σ‖q_o‖.
//  2b Carathéodory pruning: while the fit vectors F_k = σ_k (X q_k)_+ are linearly dependent,
//    take γ ≠ 0 with Σ γ_k F_k = 0 (a right singular vector of the column-normalised matrix),
//    signed so that Σ ‖q_k‖ γ_k ≥ 0 and max γ_k > 0, and scale q_k ← q_k (1 − t γ_k/γ_max): the fit
//    is unchanged, the penalty is linear with slope −β Σ‖q_k‖γ_k/γ_max ≤ 0, and at t = 1 the
//    neuron of γ_max vanishes. Dead neurons (F_k = 0) go first, linearly to 0. At the end the
//    fit vectors are independent and at most n neurons are active.
//  3 convex segment: the pruned network is a point z0 of (C) (one block per neuron, patterns
//    distinct after 2a); z* is an optimum of (C) over the exact patterns united with the
//    network's own. On z(t) = (1 − t) z0 + t z* the (C) objective is convex with minimiser t = 1,
//    hence non-increasing, and with one neuron per nonzero block (a block of z* shares the slot of
//    the z0 block with the same pattern and sign) the network objective equals it.
//    Needs width ≥ |supp z0 ∪ supp z*|.
//  4 optimal set: z* is a point of P* (each block c ū_k on an optimal direction); along the
//    segment to a vertex of P* (default: a sparsest one, support m*) both ends are optimal and
//    P* is convex, so the objective is constant (up to the accuracy of z*). Needs width
//    ≥ |supp z*| + (vertex directions z* does not use). Zero neurons are dropped at the end.
//    Option `straight`: the vertex itself is z* in stage 3 (no stage 4), width |supp z0 ∪ supp v|.
//    A vertex chosen by index (option `vertex: K`) that this route cannot reach at width m is
//    reached inside the width-m optimal set P*_m = {c ∈ P* : |supp c| ≤ m} (staircase.ts): stage 3
//    goes straight to a vertex V_0 of K's component with |supp z0 ∪ supp V_0| ≤ m, and stage 4 is a
//    chain of segments V_0 → V_1 → … → K between vertices with |S_i ∪ S_{i+1}| ≤ m (each segment
//    in P*, so the objective is constant). When no vertex of K's component fits, the path does
//    not exist along this construction at width m (PathComponentError).
// A segment ending at an approximate minimiser (F(1) ≤ min F + ε) increases by at most ε
// anywhere, so stages 3–4 are non-increasing up to the certified gap of z*; stages 1–2 up to
// rounding of the objective evaluation.
import { type Matrix, nrm2 } from "../../linalg/index.js";
import { nonconvexObjective, type ReluNetwork, selectNeurons } from "../network/index.js";
import { convexProblem, type ConvexProblem, maskKey, patternMask, patternOf, withPatternsOf } from "../program/index.js";
import { type ReluSolution, type ReluSolveOptions, solveRelu } from "../solvers/index.js";
import { certifyNetwork, type NetworkClass } from "./networkCertificate.js";
import { type OptimalDirectionsOptions, optimalSet, type OptimalSet, type OptimalVertex, type VertexOptions } from "./optimalSet.js";
import { isActive, reduceNetwork, slotsToNetwork, type PathInterpolation, type PathStageKind, type Slots, type StagePlan } from "./pathReduction.js";
import { optimalSetComponents } from "./staircase.js";

export type { PathInterpolation, PathStageKind } from "./pathReduction.js";

/** One sampled point of a stage. */
export interface PathPoint {
  readonly t: number;
  readonly objective: number;
  readonly loss: number;
  /** (β/2) Σ_j (‖w_j‖² + α_j²). */
  readonly penalty: number;
  /** Neurons with w_j ≠ 0 and α_j ≠ 0. */
  readonly activeNeurons: number;
}

/** One segment of the path. */
export interface PathStage {
  readonly kind: PathStageKind;
  /** Human-readable, e.g. "prune 3: neuron 7 removed". */
  readonly name: string;
  readonly interpolation: PathInterpolation;
  /** Networks at t = 0 and t = 1 (width = the path's width; the end of one stage is the start of the next). */
  readonly start: ReluNetwork;
  readonly end: ReluNetwork;
  /** Samples at t_i = (1 − cos(π i/(samples − 1)))/2, i = 0 … samples − 1 (clustered at the ends). */
  readonly points: PathPoint[];
  /** The sampled networks (only with `keepNetworks`). */
  readonly networks?: ReluNetwork[];
  /** max over consecutive samples of (F_{i+1} − F_i)_+. */
  readonly maxIncrease: number;
}

/** A row of the flat series for plots: one per sampled point, in path order. */
export interface PathSeriesRow {
  /** Stage index (0-based) and its kind/name. */
  readonly stage: number;
  readonly kind: PathStageKind;
  readonly name: string;
  readonly t: number;
  /** stage + t: a global abscissa in which every stage has length 1. */
  readonly position: number;
  /**
   * Cumulative Euclidean length in parameter space (W, α) of the polyline through the samples
   * (a lower bound of the path's arclength; permutation is fixed, slot j stays neuron j).
   */
  readonly arclength: number;
  readonly objective: number;
  readonly loss: number;
  readonly penalty: number;
  readonly activeNeurons: number;
}

/** The optimum z* used and its certificate. */
export interface PathOptimum {
  /** Objective of z* (convex = nonconvex value) and the dual lower bound, gap and relative gap. */
  readonly primalValue: number;
  readonly dualValue: number;
  readonly gap: number;
  readonly relativeGap: number;
  /** True when the problem's patterns were enumerated exactly (the gap is then a proof). */
  readonly exact: boolean;
  /** Nonzero blocks of z*. */
  readonly blocks: number;
}

/** Everything `nonIncreasingPath` builds. */
export interface PathReport {
  readonly stages: PathStage[];
  /** Flat series over all stages (for report/figures: x = position or arclength). */
  readonly series: PathSeriesRow[];
  /** max over the whole series of (F_{i+1} − F_i)_+ (expected: ≤ rounding + the gap of z*). */
  readonly maxIncrease: number;
  readonly startObjective: number;
  readonly endObjective: number;
  readonly optimum: PathOptimum;
  /** endObjective − optimum.dualValue: a certified bound on the end's suboptimality. */
  readonly endGap: number;
  /** Width of every network on the path, and the width the construction needed. */
  readonly width: number;
  readonly widthNeeded: number;
  /** The end network with zero neurons dropped. */
  readonly final: ReluNetwork;
  /** certifyNetwork's class of `final` on the given problem. */
  readonly finalClass: NetworkClass;
  /** Vertex of P* the path ends at (support size; null when stage 4 was skipped). */
  readonly vertex: { readonly index: number; readonly support: number } | null;
  /**
   * Vertices of P* visited in order when the chosen vertex was reached through its component of
   * the width-m optimal set (the last is the chosen vertex); empty on the direct route.
   */
  readonly route: number[];
  /** m* and M* of P* (null when the vertices were not enumerated). */
  readonly mStar: number | null;
  readonly MStar: number | null;
  /** Things worth knowing (skipped stages, unmatched blocks, …). */
  readonly notes: string[];
}

/** Options of `nonIncreasingPath`. */
export interface PathOptions {
  /** Width m of the networks on the path (≥ the input width). Default: the input width. */
  readonly width?: number;
  /**
   * An optimum z* of (C) over `problem.patterns` (e.g. solveRelu(problem)). Default: solveRelu
   * over the problem's patterns united with the pruned network's own, with `solve`.
   */
  readonly optimum?: ReluSolution;
  /** Options of the default solve. Default {tol: 1e-12, maxIterations: 200 000}. */
  readonly solve?: ReluSolveOptions;
  /** Vertex of P* to end at: an index into optimalSet's vertices, "sparsest" (default) or "none" (skip stage 4). */
  readonly vertex?: number | "sparsest" | "none";
  /**
   * Take the vertex itself as z* in stage 3 (no stage 4): needs only width |supp z0 ∪ supp vertex|,
   * usually less. Default false.
   */
  readonly straight?: boolean;
  /** Options of optimalSet (active tolerance, vertex enumeration limits). */
  readonly optimalSet?: OptimalDirectionsOptions & VertexOptions;
  /** Samples per stage (≥ 2, default 21). */
  readonly samples?: number;
  /** Keep every sampled network in its stage. Default false. */
  readonly keepNetworks?: boolean;
  /**
   * Fit vectors (normalised) count as dependent when σ_min ≤ dependenceTol·σ_max. Default 1e-10:
   * the fit moves by about this fraction when such a near-dependence is pruned.
   */
  readonly dependenceTol?: number;
}

/** The requested width is too small for the path; `needed` is the smallest width that works. */
export class PathWidthError extends RangeError {
  readonly needed: number;
  readonly width: number;
  constructor(width: number, needed: number, why: string) {
    super(`convex path: width ${width} is too small; the path needs width ≥ ${needed}: ${why}`);
    this.name = "PathWidthError";
    this.needed = needed;
    this.width = width;
  }
}

/**
 * The chosen vertex K of P* lies in no component of the width-m optimal set P*_m that the path
 * reaches from this network: no vertex V of K's component has |supp z0 ∪ supp V| ≤ m (or K has
 * more than m directions). `needed` is the width of the direct route to K.
 */
export class PathComponentError extends PathWidthError {
  readonly vertex: number;
  constructor(width: number, needed: number, vertex: number, why: string) {
    super(width, needed, why);
    this.name = "PathComponentError";
    this.vertex = vertex;
    this.message = `convex path: vertex ${vertex} of P* is not reachable at width ${width}: ${why}; the direct route needs width ≥ ${needed}`;
  }
}

/** A nonzero block of a target point of (C): its contribution, sign and the (sign, pattern) keys of the cones it lies in. */
interface TargetBlock {
  readonly keys: string[];
  readonly sign: 1 | -1;
  readonly u: Float64Array;
  readonly pattern: number;
}

/**
 * Neurons with w_j ≠ 0 and α_j ≠ 0.
 *
 * @param net - the network
 * @returns the number of neurons with w_j ≠ 0 and α_j ≠ 0
 * @example
 * ```ts
 * import { activeNeuronCount } from "splitscape";
 * const net = { W: Float64Array.of(1, 0, 0, 0), alpha: Float64Array.of(1, 2), m: 2, D: 2 };
 * console.log(activeNeuronCount(net)); // 1: the second neuron has w = 0
 * ```
 */
export function activeNeuronCount(net: ReluNetwork): number {
  let c = 0;
  for (let j = 0; j < net.m; j++) if (net.alpha[j] !== 0 && nrm2(net.W.subarray(j * net.D, (j + 1) * net.D)) > 0) c++;
  return c;
}

/**
 * The network with zero neurons (w_j = 0 or α_j = 0) dropped; they contribute nothing.
 *
 * @param net - the network
 * @returns the network without neurons that have w_j = 0 or α_j = 0 (same function and objective)
 * @example
 * ```ts
 * import { dropZeroNeurons } from "splitscape";
 * const net = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 0), m: 2, D: 2 };
 * console.log(dropZeroNeurons(net).m); // 1
 * ```
 */
export function dropZeroNeurons(net: ReluNetwork): ReluNetwork {
  const { D } = net;
  const keep: number[] = [];
  for (let j = 0; j < net.m; j++) if (net.alpha[j] !== 0 && nrm2(net.W.subarray(j * D, (j + 1) * D)) > 0) keep.push(j);
  return selectNeurons(net, keep);
}

/**
 * The network of a stage at t ∈ [0, 1] (see PathInterpolation). t = 0 and t = 1 return the
 * stage's own start and end objects.
 *
 * @param stage - a stage of a path (`nonIncreasingPath(…).stages[i]`): its interpolation, start and end
 * @param t - position in [0, 1]
 * @returns the network at t along the stage
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, nonIncreasingPath, nonconvexObjective, stageNetworkAt, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const start = { W: Float64Array.of(1, 0, -1, 0.5), alpha: Float64Array.of(0.5, -0.3), m: 2, D: 2 };
 * const path = nonIncreasingPath(problem, start, { width: 4 });
 * const mid = stageNetworkAt(path.stages[0], 0.5);
 * console.log(nonconvexObjective(mid, X, problem.y, problem.beta, "square").objective);
 * ```
 */
export function stageNetworkAt(stage: Pick<PathStage, "interpolation" | "start" | "end">, t: number): ReluNetwork {
  if (!(t >= 0 && t <= 1)) throw new RangeError(`stageNetworkAt: t must be in [0, 1], got ${t}`);
  const { start, end } = stage;
  if (t === 0) return start;
  if (t === 1) return end;
  const { m, D } = start;
  const W = new Float64Array(m * D);
  const alpha = new Float64Array(m);
  if (stage.interpolation === "rescale") {
    for (let j = 0; j < m; j++) {
      const wn = nrm2(start.W.subarray(j * D, (j + 1) * D));
      const a = start.alpha[j];
      let sw: number;
      let sa: number;
      if (wn > 0 && a !== 0) {
        const s = Math.sqrt(1 + t * (Math.abs(a) / wn - 1));
        sw = s;
        sa = 1 / s;
      } else {
        sw = 1 - t;
        sa = 1 - t;
      }
      for (let k = 0; k < D; k++) W[j * D + k] = sw * start.W[j * D + k];
      alpha[j] = sa * a;
    }
    return { W, alpha, m, D };
  }
  const q = new Float64Array(D);
  for (let j = 0; j < m; j++) {
    const aa = start.alpha[j];
    const ab = end.alpha[j];
    const sigma = aa !== 0 ? Math.sign(aa) : Math.sign(ab);
    for (let k = 0; k < D; k++) q[k] = (1 - t) * Math.abs(aa) * start.W[j * D + k] + t * Math.abs(ab) * end.W[j * D + k];
    const c = nrm2(q);
    if (c === 0 || sigma === 0) continue;
    const r = Math.sqrt(c);
    for (let k = 0; k < D; k++) W[j * D + k] = q[k] / r;
    alpha[j] = sigma * r;
  }
  return { W, alpha, m, D };
}

/**
 * Sample i of `samples` on [0, 1]: t_i = (1 − cos(π i/(samples − 1)))/2, clustered at both ends,
 * where neurons appear or vanish at unbounded speed (pitfall 4) and a large loss falls fastest on
 * a log scale; exact 0 and 1 at the ends.
 */
function sampleT(i: number, samples: number): number {
  if (i === 0) return 0;
  if (i === samples - 1) return 1;
  return (1 - Math.cos((Math.PI * i) / (samples - 1))) / 2;
}

/** Nonconvex objective parts of a network. */
function evaluate(net: ReluNetwork, problem: ConvexProblem, t: number): PathPoint {
  const o = nonconvexObjective(net, problem.X, problem.y, problem.beta, problem.loss);
  return { t, objective: o.objective, loss: o.loss, penalty: o.penalty, activeNeurons: activeNeuronCount(net) };
}

/** ‖(W_a, α_a) − (W_b, α_b)‖ (linalg's nrm2 of the difference, W first). */
function paramDistance(a: ReluNetwork, b: ReluNetwork): number {
  const diff = new Float64Array(a.W.length + a.alpha.length);
  for (let i = 0; i < a.W.length; i++) diff[i] = a.W[i] - b.W[i];
  for (let i = 0; i < a.alpha.length; i++) diff[a.W.length + i] = a.alpha[i] - b.alpha[i];
  return nrm2(diff);
}

/** Sample every stage at t_i (sampleT): the stage records, the flat series and the largest rise of F. */
function sampleStages(plans: readonly StagePlan[], problem: ConvexProblem, samples: number, keepNetworks: boolean): { stages: PathStage[]; series: PathSeriesRow[]; maxIncrease: number } {
  const stages: PathStage[] = [];
  const series: PathSeriesRow[] = [];
  let arclength = 0;
  let prevNet: ReluNetwork | null = null;
  let prevObjective = NaN;
  let maxIncrease = 0;
  plans.forEach((plan, si) => {
    const points: PathPoint[] = [];
    const nets: ReluNetwork[] = [];
    let stageIncrease = 0;
    for (let i = 0; i < samples; i++) {
      const t = sampleT(i, samples);
      const sn = stageNetworkAt(plan, t);
      const p = evaluate(sn, problem, t);
      if (points.length > 0) stageIncrease = Math.max(stageIncrease, p.objective - points[points.length - 1].objective);
      if (prevNet !== null) arclength += paramDistance(prevNet, sn);
      if (!Number.isNaN(prevObjective)) maxIncrease = Math.max(maxIncrease, p.objective - prevObjective);
      prevNet = sn;
      prevObjective = p.objective;
      points.push(p);
      if (keepNetworks) nets.push(sn);
      series.push({ stage: si, kind: plan.kind, name: plan.name, t, position: si + t, arclength, objective: p.objective, loss: p.loss, penalty: p.penalty, activeNeurons: p.activeNeurons });
    }
    stages.push({ ...plan, points, ...(keepNetworks ? { networks: nets } : {}), maxIncrease: stageIncrease });
  });
  return { stages, series, maxIncrease };
}

function padNetwork(net: ReluNetwork, m: number): ReluNetwork {
  const W = new Float64Array(m * net.D);
  W.set(net.W);
  const alpha = new Float64Array(m);
  alpha.set(net.alpha);
  return { W, alpha, m, D: net.D };
}

function checkNetwork(problem: ConvexProblem, net: ReluNetwork): void {
  const D = problem.X.cols;
  if (net.D !== D) throw new RangeError(`convex path: network input dimension ${net.D}, X has ${D} columns (a bias is a column of ones in X)`);
  if (net.W.length !== net.m * D || net.alpha.length !== net.m) throw new RangeError(`convex path: network arrays do not match m = ${net.m}, D = ${D}`);
  for (const v of net.W) if (!Number.isFinite(v)) throw new RangeError("convex path: network W has a non-finite entry");
  for (const v of net.alpha) if (!Number.isFinite(v)) throw new RangeError("convex path: network alpha has a non-finite entry");
}

/** The optimum z* of stage 3: given, or solved over the problem's patterns united with the pruned network's own. */
function pathOptimum(
  problem: ConvexProblem, pruned: Matrix, opts: PathOptions, notes: string[],
): { solveProblem: ConvexProblem; sol: ReluSolution } {
  const { X } = problem;
  const D = X.cols;
  if (opts.optimum !== undefined) {
    const P = problem.patterns.count;
    if (opts.optimum.U.length !== P * D || opts.optimum.V.length !== P * D) {
      throw new RangeError(`convex path: the given optimum has ${opts.optimum.U.length / D} blocks, the problem has ${P} patterns`);
    }
    if (!problem.patterns.exact) notes.push("patterns are not exact and z* was given: the convex segment is non-increasing only if z* is optimal over the network's patterns too");
    return { solveProblem: problem, sol: opts.optimum };
  }
  const union = withPatternsOf(X, problem.patterns, pruned).set;
  const solveProblem = convexProblem(X, problem.y, problem.beta, problem.loss, union);
  const sol = solveRelu(solveProblem, { tol: 1e-12, maxIterations: 200_000, ...opts.solve });
  if (union.count > problem.patterns.count) notes.push(`${union.count - problem.patterns.count} pattern(s) of the pruned network were not in the problem's set and were added`);
  return { solveProblem, sol };
}

/** The nonzero blocks of z*: b < P ↦ (pattern b, +), b ≥ P ↦ (pattern b − P, −). */
function solverTargetBlocks(sol: ReluSolution, P: number, D: number, keyOf: (sign: number, pattern: number) => string): TargetBlock[] {
  const blocks: TargetBlock[] = [];
  for (let b = 0; b < 2 * P; b++) {
    const i = b % P;
    const u = (b < P ? sol.U : sol.V).slice(i * D, (i + 1) * D);
    const sign = b < P ? 1 : -1;
    if (nrm2(u) > 0) blocks.push({ keys: [keyOf(sign, i)], sign, u, pattern: i });
  }
  return blocks;
}

/** The vertex of P* the path ends at (opts.vertex; none when the vertices are not available or "none" without straight). */
interface PathVertex {
  readonly os: OptimalSet | null;
  readonly index: number;
  readonly vertex: OptimalVertex | null;
}

function chooseVertex(solveProblem: ConvexProblem, sol: ReluSolution, opts: PathOptions, notes: string[]): PathVertex {
  const choice = opts.vertex ?? "sparsest";
  if (choice === "none" && !(opts.straight ?? false)) return { os: null, index: -1, vertex: null };
  const os = optimalSet(solveProblem, sol.prediction, opts.optimalSet);
  if (os.vertices === null || os.vertices.length === 0) {
    notes.push(`no vertex of P*: ${os.reason ?? "none found"}; the path ends at the solver's z*`);
    return { os, index: -1, vertex: null };
  }
  let index = os.sparsest;
  if (choice !== "sparsest" && choice !== "none") {
    if (!Number.isInteger(choice) || choice < 0 || choice >= os.vertices.length) {
      throw new RangeError(`convex path: vertex must be an index in [0, ${os.vertices.length}), got ${choice}`);
    }
    index = choice;
  }
  return { os, index, vertex: index >= 0 ? os.vertices[index] : null };
}

/** The vertex as blocks of (C): direction k ↦ c_k ū_k in any of the cones it was found in. */
function vertexTargetBlocks(pv: PathVertex, keyOf: (sign: number, pattern: number) => string): (TargetBlock & { direction: number })[] {
  const { os, vertex } = pv;
  if (os === null || vertex === null) return [];
  return vertex.support.map((k, c) => {
    const d = os.directions[k];
    return { keys: d.patterns.map((i) => keyOf(d.sign, i)), sign: d.sign, u: Float64Array.from(d.direction, (v) => vertex.weights[c] * v), pattern: d.patterns[0], direction: k };
  });
}

/**
 * The widths the stages need — stage 3 |supp z0 ∪ supp z*| (or |supp z0 ∪ supp vertex| straight),
 * stage 4 |supp z*| + the vertex directions z* does not use — and the slot of z0 each target
 * block shares (−1: a free slot). PathWidthError when `m` is too small.
 */
function pathWidths(
  ctx: { m: number; inputWidth: number; activeSlots: number[]; useStraight: boolean; stage4: boolean },
  solverBlocks: TargetBlock[], vertexBlocks: (TargetBlock & { direction: number })[], blockDirection: number[],
  matchSlot: (z: TargetBlock) => number,
): number {
  const { m, inputWidth, activeSlots, useStraight, stage4 } = ctx;
  const union = (blocks: TargetBlock[]): { need: number; shared: number } => {
    const shared = new Set(blocks.map(matchSlot).filter((j) => j >= 0)).size;
    return { need: activeSlots.length + blocks.length - shared, shared };
  };
  const viaSolver = union(solverBlocks);
  const viaVertex = union(vertexBlocks);
  const used = new Set(blockDirection);
  const inP = solverBlocks.length + vertexBlocks.filter((v) => !used.has(v.direction)).length;
  const need = useStraight ? viaVertex.need : Math.max(viaSolver.need, stage4 ? inP : 0);
  const widthNeeded = Math.max(inputWidth, need);
  if (widthNeeded > m) {
    const parts = useStraight
      ? [`straight to the vertex: |supp z0 ∪ supp vertex| = ${viaVertex.need} (${activeSlots.length} pruned neuron(s), ${vertexBlocks.length} vertex direction(s), ${viaVertex.shared} shared)`]
      : [`|supp z0 ∪ supp z*| = ${viaSolver.need} (${activeSlots.length} pruned neuron(s), ${solverBlocks.length} block(s) of z*, ${viaSolver.shared} shared)`];
    if (stage4) parts.push(`moving in P* to the vertex: ${inP}`);
    if (stage4 && viaVertex.need < need) parts.push(`option straight (z* = the vertex) needs ${Math.max(inputWidth, viaVertex.need)}`);
    throw new PathWidthError(m, widthNeeded, parts.join("; "));
  }
  return widthNeeded;
}

/** The slots of a target point: block b in slot zSlot[b]. */
function targetSlots(blocks: readonly TargetBlock[], zSlot: readonly number[], m: number, D: number): Slots {
  const z: Slots = { q: new Float64Array(m * D), sigma: new Int8Array(m) };
  blocks.forEach((b, i) => {
    z.q.set(b.u, zSlot[i] * D);
    z.sigma[zSlot[i]] = b.sign;
  });
  return z;
}

/** Indices of the inactive slots (free for new neurons). */
function freeSlots(s: Slots, m: number, D: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < m; j++) if (!isActive(s, j, D)) out.push(j);
  return out;
}

/** |S ∪ S'| of two vertices' supports (the width of the segment between them). */
function unionSize(a: OptimalVertex, b: OptimalVertex): number {
  const s = new Set(a.support);
  let u = s.size;
  for (const k of b.support) if (!s.has(k)) u++;
  return u;
}

/**
 * The route to vertex K inside its component of P*_m (optimalSetComponents rooted at K, so parent
 * pointers lead to K): the vertex V_0 of K's component that z0 reaches straight at width m
 * (straightWidth(V_0) ≤ m) with the fewest segments after it, then its chain V_0 → … → K.
 * PathComponentError when no vertex of the component fits (`needed`: the width of the direct route).
 */
function componentRoute(os: OptimalSet, K: number, m: number, straightWidth: (i: number) => number, needed: number): number[] {
  const vertices = os.vertices!;
  const comp = optimalSetComponents(vertices, m, K);
  const chainOf = (v: number): number[] => {
    const chain = [v];
    while (chain[chain.length - 1] !== K) chain.push(comp.parent[chain[chain.length - 1]]);
    return chain;
  };
  let best: number[] | null = null;
  if (comp.label[K] >= 0) {
    for (let v = 0; v < vertices.length; v++) {
      if (comp.label[v] !== comp.label[K] || straightWidth(v) > m) continue;
      const chain = chainOf(v);
      if (best === null || chain.length < best.length) best = chain;
    }
  }
  if (best !== null) return best;
  const size = comp.label[K] < 0 ? 0 : comp.label.filter((l) => l === comp.label[K]).length;
  const why = comp.label[K] < 0
    ? `it has ${vertices[K].support.length} directions > ${m}`
    : `none of the ${size} vertices of its component of the width-${m} optimal set (${comp.count} components) is reachable from this network by a convex segment of width ≤ ${m}`;
  throw new PathComponentError(m, needed, K, why);
}

/**
 * Segments V_r → V_{r+1} along `route` (constant objective: both ends in P*, P* convex): a direction
 * held by both keeps its slot, a new one takes a slot free at V_r (|S_r ∪ S_{r+1}| ≤ m), a dropped
 * one goes to 0. `slotOf` maps the directions of route[0] to their slots in `start`.
 */
function vertexChainPlans(
  route: readonly number[], blocksOf: (i: number) => (TargetBlock & { direction: number })[], slotOf: Map<number, number>,
  start: ReluNetwork, m: number, D: number,
): StagePlan[] {
  const plans: StagePlan[] = [];
  let current = start;
  let held = slotOf;
  for (let r = 1; r < route.length; r++) {
    const blocks = blocksOf(route[r]);
    const used = new Set(held.values());
    const free: number[] = [];
    for (let j = 0; j < m; j++) if (!used.has(j)) free.push(j);
    const next = new Map<number, number>();
    const slotsOfBlocks = blocks.map((b) => {
      const j = held.get(b.direction) ?? free.shift();
      if (j === undefined) throw new RangeError(`convex path: vertices ${route[r - 1]} and ${route[r]} need more than width ${m}`);
      next.set(b.direction, j);
      return j;
    });
    const end = slotsToNetwork(targetSlots(blocks, slotsOfBlocks, m, D), D);
    plans.push({ kind: "optimal set", name: `segment in P* from vertex ${route[r - 1]} to vertex ${route[r]} (support ${blocks.length})`, interpolation: "contribution", start: current, end });
    current = end;
    held = next;
  }
  return plans;
}

/**
 * A path from `net` (in the X̃-space of `problem`) to a certified global optimum along which the
 * nonconvex objective L + (β/2)Σ(‖w‖² + α²) does not increase (docs/science/convex.md §6,
 * the non-increasing path to a global optimum; stages in the file comment). Every network on the path has width
 * `opts.width` (default net.m); PathWidthError says the width needed when it is too small.
 * The certificate is a proof only with exactly enumerated patterns.
 *
 * @param problem - the convex problem (exact patterns for a proof)
 * @param net - the starting network in the problem's X̃-space
 * @param opts - width, a given optimum or solver options, the target vertex, sampling
 * @returns the stages with sampled objectives, the largest increase (≤ 0 up to rounding), the final network and its class
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, nonIncreasingPath, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const start = { W: Float64Array.of(1, 0, -1, 0.5), alpha: Float64Array.of(0.5, -0.3), m: 2, D: 2 };
 * const path = nonIncreasingPath(problem, start, { width: 4 });
 * console.log(path.startObjective, "→", path.endObjective, path.maxIncrease, path.finalClass);
 * ```
 */
export function nonIncreasingPath(problem: ConvexProblem, net: ReluNetwork, opts: PathOptions = {}): PathReport {
  checkNetwork(problem, net);
  const { X } = problem;
  const D = X.cols;
  const m = opts.width ?? net.m;
  if (!Number.isInteger(m) || m < net.m) throw new RangeError(`convex path: width must be an integer ≥ the input width ${net.m}, got ${m}`);
  const samples = opts.samples ?? 21;
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`convex path: samples must be an integer ≥ 2, got ${samples}`);
  const notes: string[] = [];
  // 1–2. Rebalance, merge, prune.
  const { plans, slots } = reduceNetwork(padNetwork(net, m), X, opts.dependenceTol ?? 1e-10);
  let current = plans[plans.length - 1].end;
  const activeSlots: number[] = [];
  for (let j = 0; j < m; j++) if (isActive(slots, j, D)) activeSlots.push(j);
  const pruned: Matrix = { rows: activeSlots.length, cols: D, data: new Float64Array(activeSlots.length * D) };
  activeSlots.forEach((j, i) => pruned.data.set(slots.q.subarray(j * D, (j + 1) * D), i * D));

  // The targets: z* and the vertex of P*, as blocks matched to the pruned network's slots.
  const { solveProblem, sol } = pathOptimum(problem, pruned, opts, notes);
  const keyOf = (sign: number, pattern: number): string => `${sign}:${maskKey(patternMask(solveProblem.patterns, pattern))}`;
  const solverBlocks = solverTargetBlocks(sol, solveProblem.patterns.count, D, keyOf);
  const pv = chooseVertex(solveProblem, sol, opts, notes);
  const { os, vertex } = pv;
  const vertexBlocks = vertexTargetBlocks(pv, keyOf);
  // Direction of each solver block (the active direction whose patterns include its pattern).
  const blockDirection = solverBlocks.map((z) => (os === null ? -1 : os.directions.findIndex((d) => d.sign === z.sign && d.patterns.includes(z.pattern))));
  const slotKey = new Map<string, number>();
  for (const j of activeSlots) slotKey.set(`${slots.sigma[j]}:${maskKey(patternOf(X, slots.q.subarray(j * D, (j + 1) * D)))}`, j);
  const matchSlot = (z: TargetBlock): number => {
    for (const k of z.keys) {
      const j = slotKey.get(k);
      if (j !== undefined) return j;
    }
    return -1;
  };
  const vertexChoice = opts.vertex ?? "sparsest";
  let useStraight = (opts.straight ?? false) && vertex !== null;
  let stage4 = vertex !== null && !useStraight && vertexChoice !== "none";
  const blocksOf = (i: number): (TargetBlock & { direction: number })[] => vertexTargetBlocks({ os, index: i, vertex: os!.vertices![i] }, keyOf);
  const straightWidth = (i: number): number =>
    pathWidths({ m: Number.MAX_SAFE_INTEGER, inputWidth: net.m, activeSlots, useStraight: true, stage4: false }, [], blocksOf(i), [], matchSlot);
  let route: number[] = [];
  let widthNeeded: number;
  try {
    widthNeeded = pathWidths({ m, inputWidth: net.m, activeSlots, useStraight, stage4 }, solverBlocks, vertexBlocks, blockDirection, matchSlot);
  } catch (e) {
    if (!(e instanceof PathWidthError) || typeof opts.vertex !== "number" || vertex === null) throw e;
    // The chosen vertex through its component of P*_m (file comment).
    route = componentRoute(os!, pv.index, m, straightWidth, Math.min(e.needed, straightWidth(pv.index)));
    widthNeeded = Math.max(net.m, straightWidth(route[0]), ...route.slice(1).map((v, r) => unionSize(os!.vertices![route[r]], os!.vertices![v])));
    useStraight = true;
    stage4 = false;
  }
  if (stage4 && solverBlocks.some((_, b) => blockDirection[b] < 0)) {
    notes.push(`${blockDirection.filter((k) => k < 0).length} block(s) of z* lie on no active direction (tolerance ${os!.activeTol}); they shrink to 0 in stage 4`);
  }

  // 3. Convex segment z0 → z* (or straight to the vertex, or to the first vertex of the route).
  const targetBlocks = !useStraight ? solverBlocks : route.length > 0 ? blocksOf(route[0]) : vertexBlocks;
  const freeAtZ0 = freeSlots(slots, m, D);
  const zSlot = targetBlocks.map((z) => {
    const j = matchSlot(z);
    return j >= 0 ? j : freeAtZ0.shift()!;
  });
  const zStar = targetSlots(targetBlocks, zSlot, m, D);
  const zNet = slotsToNetwork(zStar, D);
  const first = route.length > 0 ? route[0] : pv.index;
  const target = useStraight ? `vertex ${first} of P* (support ${os!.vertices![first].support.length})` : "z*";
  plans.push({ kind: "convex segment", name: `convex segment z0 → ${target} in (C)`, interpolation: "contribution", start: current, end: zNet });
  current = zNet;

  // 4. Segment in P* from z* to the vertex.
  if (stage4) {
    const freeAtZ = freeSlots(zStar, m, D);
    const vSlot = vertexBlocks.map((v) => {
      const b = blockDirection.indexOf(v.direction);
      return b >= 0 ? zSlot[b] : freeAtZ.shift()!;
    });
    const vNet = slotsToNetwork(targetSlots(vertexBlocks, vSlot, m, D), D);
    plans.push({ kind: "optimal set", name: `segment in P* to vertex ${pv.index} (support ${vertex!.support.length})`, interpolation: "contribution", start: current, end: vNet });
    current = vNet;
  }
  // 4'. The chain of vertex-to-vertex segments in P*_m to the chosen vertex.
  if (route.length > 1) {
    const first = blocksOf(route[0]);
    plans.push(...vertexChainPlans(route, blocksOf, new Map(first.map((b, i) => [b.direction, zSlot[i]])), current, m, D));
    current = plans[plans.length - 1].end;
  }

  const { stages, series, maxIncrease } = sampleStages(plans, problem, samples, opts.keepNetworks ?? false);
  const final = dropZeroNeurons(current);
  const cert = certifyNetwork(problem, final);
  const startObjective = series[0].objective;
  const endObjective = series[series.length - 1].objective;
  return {
    stages, series, maxIncrease, startObjective, endObjective,
    optimum: { primalValue: sol.primalValue, dualValue: sol.dualValue, gap: sol.gap, relativeGap: sol.relativeGap, exact: problem.patterns.exact, blocks: solverBlocks.length },
    endGap: endObjective - sol.dualValue,
    width: m, widthNeeded, final, finalClass: cert.classification,
    vertex: vertex === null || (vertexChoice === "none" && !useStraight) ? null : { index: pv.index, support: vertex.support.length },
    route,
    mStar: os?.mStar ?? null, MStar: os?.MStar ?? null,
    notes,
  };
}
