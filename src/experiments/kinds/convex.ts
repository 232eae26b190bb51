import { z } from "zod";
import { countField, positiveField, widthField } from "./base.js";
import {
  certifyNetwork, convexProblem, convexToNetwork, enumeratePatterns, networkOutput, nonconvexObjective, optimalSet, ownPatternOptimum,
  pruneNetwork, solveRelu, trainWeightDecayed, vertexToNetwork, withBias, type ConvexProblem, type NetworkClass, type OptimalDirection,
  type OptimalSet, type ReluNetwork,
} from "../../convex/index.js";
import { independent } from "../../convex/landscape/optimalSet.js";
import { nrm2, type Matrix } from "../../linalg/index.js";
import { normal } from "../../random/index.js";
import { atLeast, atMost, equals, scatterPlot, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";

/**
 * `convex-certificate` (family "convex"): the certified global optimum of a weight-decayed
 * two-layer ReLU network on 1-D data with a (regularised) bias, its optimal set, and nonconvex
 * training compared with it (docs/science/convex.md).
 *  - Exact patterns (2n for 1-D + bias), the ReLU program solved to a relative duality gap
 *    ≤ 1e-8 (a proof of global optimality since all patterns are present).
 *  - The optimal set (Theorem 1): optimal directions from ν*, the vertices of P*, m* and M*; the
 *    network of a sparsest vertex (width m*) and the solver's own network both reach the convex
 *    optimum on the nonconvex objective.
 *  - Gradient descent on L + (β/2)Σ(‖w_j‖² + α_j²) from many seeds (width ≥ m*). GD cannot land
 *    exactly on the kinks at data points that optimal neurons have, so its final network is
 *    classified through the convex program of its own patterns (docs/science/convex.md §4:
 *    every stationary point is a global optimum of a subsampled convex problem): that
 *    restricted program is solved exactly, its network certified on all patterns ('global
 *    optimum' or 'stationary'), and the run counts as converged to it when GD's objective is
 *    within `convergeTol` (relative) of the restricted optimum. certifyNetwork on the raw GD
 *    network is recorded as well (at tolerance `certTol`).
 */

const DEFAULT_X = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];

const schema = z.strictObject({
  /** Inputs x_k (1-D; a bias column is appended). */
  x: z.array(z.number()).min(3).max(16).default(DEFAULT_X),
  /** Targets; default sin(3x). */
  y: z.array(z.number()).min(3).max(16).optional(),
  beta: positiveField(0.05),
  /** Width of the trained networks (must be ≥ m*). */
  width: widthField(10, 64),
  /** Number of GD runs (seeds 0 … seeds−1 of the run's streams). */
  seeds: countField(20, 1, 500),
  steps: countField(50_000, 1, 10_000_000),
  lr: positiveField(0.01),
  /** Standard deviation of the Gaussian initial weights. */
  initScale: positiveField(0.5),
  /** A GD run has converged to its restricted optimum when (F_GD − v_S)/v_S ≤ this. */
  convergeTol: positiveField(1e-3),
  /** Tolerance of certifyNetwork on the raw GD networks. */
  certTol: positiveField(1e-4),
});

type Params = z.infer<typeof schema>;

type Outcome = "global optimum" | "stationary" | "not converged";

function kinkOf(w: ArrayLike<number>): number {
  return w[0] === 0 ? NaN : -w[1] / w[0];
}

/** max over neurons j of min over optimal directions of α_j's sign of ‖w_j/‖w_j‖ − dir‖ (∞ if none). */
function distanceToOptimalDirections(net: ReluNetwork, dirs: readonly OptimalDirection[]): number {
  let worst = 0;
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * net.D, (j + 1) * net.D);
    const wn = nrm2(w);
    if (wn === 0 || net.alpha[j] === 0) continue;
    const sign = net.alpha[j] > 0 ? 1 : -1;
    let best = Infinity;
    for (const d of dirs) {
      if (d.sign !== sign) continue;
      best = Math.min(best, nrm2(w.map((v, t) => v / wn - d.direction[t])));
    }
    worst = Math.max(worst, best);
  }
  return worst;
}

/** The certified optimum, its optimal set, and the errors of the networks built from it. */
interface CertifiedOptimum {
  readonly X: Matrix;
  readonly y: Float64Array;
  readonly problem: ConvexProblem;
  readonly sol: ReturnType<typeof solveRelu>;
  readonly os: OptimalSet;
  readonly solverNet: ReluNetwork;
  readonly sparsestNet: ReluNetwork | null;
  readonly solverNetError: number;
  readonly sparsestError: number;
  readonly maxVertexError: number;
  readonly dependentSupports: number;
}

/** Exact patterns, the ReLU program to gap 1e-12, the optimal set, and its networks on the nonconvex objective. */
function certifiedOptimum(p: Params, ys: number[]): CertifiedOptimum {
  const n = p.x.length;
  const X = withBias({ rows: n, cols: 1, data: Float64Array.from(p.x) });
  const y = Float64Array.from(ys);
  const problem = convexProblem(X, y, p.beta, "square", enumeratePatterns(X));
  const sol = solveRelu(problem, { tol: 1e-12, maxIterations: 200_000 });
  const error = (net: ReluNetwork): number => Math.abs((nonconvexObjective(net, X, y, p.beta, "square").objective - sol.primalValue) / sol.primalValue);
  const solverNet = convexToNetwork(sol.U, sol.V, 2, { mergeTol: 1e-7 });
  const os = optimalSet(problem, sol.prediction);
  const sparsestNet = os.sparsest >= 0 ? vertexToNetwork(os.directions, os.vertices![os.sparsest], X.cols) : null;
  let maxVertexError = 0;
  let dependentSupports = 0;
  for (const v of os.vertices ?? []) {
    if (!independent(v.support.map((k) => os.directions[k].fit), 1e-8)) dependentSupports++;
    maxVertexError = Math.max(maxVertexError, error(vertexToNetwork(os.directions, v, X.cols)));
  }
  return {
    X, y, problem, sol, os, solverNet, sparsestNet, solverNetError: error(solverNet),
    sparsestError: sparsestNet === null ? NaN : error(sparsestNet), maxVertexError, dependentSupports,
  };
}

/** One GD run: its objective, the optimum of its own patterns and how it is classified. */
interface TrainingRun {
  readonly F: number;
  readonly restricted: number;
  readonly restrictedClass: NetworkClass;
  readonly directClass: NetworkClass;
  readonly outcome: Outcome;
  readonly restrictedGap: number;
  readonly directionDistance: number;
  readonly gradNorm: number;
  readonly neurons: number;
}

/**
 * GD from seed s, pruned; certified directly, and through the convex program of its own patterns
 * (solved exactly, certified on all patterns): converged to that restricted optimum when F_GD is
 * within convergeTol of it.
 */
function trainingRun(p: Params, opt: CertifiedOptimum, ctx: RunContext, s: number): TrainingRun {
  const { X, y, problem, os } = opt;
  const rng = ctx.rng(`init-${s}`);
  const W = Float64Array.from({ length: p.width * 2 }, () => normal(rng, 0, p.initScale));
  const alpha = Float64Array.from({ length: p.width }, () => normal(rng, 0, p.initScale));
  const gd = trainWeightDecayed(X, y, p.beta, { W, alpha, m: p.width, D: 2 }, { lr: p.lr, steps: p.steps });
  const net = pruneNetwork(gd.net, X, 1e-6);
  const F = nonconvexObjective(net, X, y, p.beta, "square").objective;
  const directClass = certifyNetwork(problem, net, { tol: p.certTol }).classification;
  let restricted = NaN;
  let restrictedClass: NetworkClass = "neither";
  let restrictedGap = 0;
  let directionDistance = 0;
  if (gd.finite && net.m === 0) {
    // Every neuron died: the zero network, the optimum of the empty pattern set (L(0)).
    restricted = F;
    restrictedClass = certifyNetwork(problem, net, { tol: 1e-6 }).classification;
  } else if (gd.finite) {
    const own = ownPatternOptimum(problem, net);
    restricted = own.value;
    restrictedGap = own.relativeGap;
    restrictedClass = own.classification;
    if (restrictedClass === "global optimum") directionDistance = distanceToOptimalDirections(own.network, os.directions);
  }
  const aboveRestricted = (F - restricted) / restricted;
  const outcome: Outcome = !(aboveRestricted <= p.convergeTol) || restrictedClass === "neither" ? "not converged" : restrictedClass;
  return { F, restricted, restrictedClass, directClass, outcome, restrictedGap, directionDistance, gradNorm: gd.gradNorm, neurons: net.m };
}

/** The optimal network's function on a grid over the data range (±15%) for the fit figure. */
function fitGrid(p: Params, net: ReluNetwork): Array<Record<string, number>> {
  const lo = Math.min(...p.x);
  const hi = Math.max(...p.x);
  const pad = 0.15 * (hi - lo);
  const G = 161;
  const xs = Float64Array.from({ length: G }, (_, i) => lo - pad + (i * (hi - lo + 2 * pad)) / (G - 1));
  const fx = networkOutput(net, withBias({ rows: G, cols: 1, data: xs }));
  return Array.from(xs, (x, i) => ({ x, f: fx[i] }));
}

async function run(spec: RunSpec<Params>, ctx: RunContext) {
  const p = spec.params;
  const n = p.x.length;
  const ys = p.y ?? p.x.map((v) => Math.sin(3 * v));
  if (ys.length !== n) throw new RangeError(`convex-certificate: x has ${n} entries, y has ${ys.length}`);
  const opt = certifiedOptimum(p, ys);
  const { sol, os, problem } = opt;
  const optimum = sol.primalValue;
  const rel = (v: number): number => (v - optimum) / optimum;
  ctx.log(`optimum ${optimum} (relative gap ${sol.relativeGap.toExponential(2)}), m* = ${os.mStar}, M* = ${os.MStar}`);
  ctx.metric({ stage: "optimum", optimum, relativeGap: sol.relativeGap, mStar: os.mStar ?? -1, MStar: os.MStar ?? -1 });

  // Nonconvex training.
  const runs: Array<Record<string, number | string>> = [];
  const counts: Record<Outcome, number> = { "global optimum": 0, stationary: 0, "not converged": 0 };
  const direct: Record<NetworkClass, number> = { "global optimum": 0, stationary: 0, neither: 0 };
  const stationaryValues = new Set<string>();
  const all: TrainingRun[] = [];
  for (let s = 0; s < p.seeds; s++) {
    const r = trainingRun(p, opt, ctx, s);
    all.push(r);
    direct[r.directClass]++;
    counts[r.outcome]++;
    if (r.outcome === "stationary") stationaryValues.add(r.restricted.toPrecision(6));
    const aboveRestricted = (r.F - r.restricted) / r.restricted;
    runs.push({
      seed: s, objective: r.F, excess: rel(r.F), restrictedOptimum: r.restricted, restrictedExcess: rel(r.restricted), aboveRestricted,
      gradNorm: r.gradNorm, neurons: r.neurons, outcome: r.outcome, restrictedClass: r.restrictedClass, directClass: r.directClass,
    });
    ctx.metric({ stage: "seed", seed: s, objective: r.F, excess: rel(r.F), restrictedExcess: rel(r.restricted), outcome: r.outcome, directClass: r.directClass });
  }
  const minOf = (f: (r: TrainingRun) => number): number => Math.min(Infinity, ...all.map(f));
  const maxOf = (f: (r: TrainingRun) => number): number => Math.max(0, ...all.map(f));
  const minExcess = minOf((r) => rel(r.F));
  const minRestrictedExcess = minOf((r) => rel(r.restricted));
  const minAboveRestricted = minOf((r) => (r.F - r.restricted) / r.restricted);
  const maxRestrictedGap = maxOf((r) => r.restrictedGap);
  const maxDirectionDistance = maxOf((r) => r.directionDistance);
  const restrictedNeither = all.filter((r) => r.restrictedClass === "neither").length;

  const grid = fitGrid(p, opt.sparsestNet ?? opt.solverNet);
  const data = p.x.map((xv, k) => ({ x: xv, y: ys[k], yhat: sol.prediction[k] }));
  const directions = os.directions.map((d, k) => ({
    index: k, sign: d.sign, kink: kinkOf(d.direction), w1: d.direction[0], w2: d.direction[1], dualRatio: d.dualRatio, patterns: d.patterns.join(" "),
  }));

  const mStar = os.mStar ?? NaN;
  const MStar = os.MStar ?? NaN;
  const verdicts: Verdict[] = [
    equals("exact enumeration finds 2n patterns (1-D data with bias)", problem.patterns.count, 2 * n),
    atMost("the ReLU program is solved to a certified relative duality gap (all patterns: a proof of global optimality)", sol.relativeGap, 1e-8),
    atMost("the solver's network reaches the convex optimum on the nonconvex objective (relative error)", opt.solverNetError, 1e-8),
    atMost("every vertex of P* (irreducible solution) gives a network at the convex optimum (max relative error)", opt.maxVertexError, 1e-8, `${os.vertices?.length ?? 0} vertices; the sparsest has width m* = ${os.mStar}`),
    equals("every vertex support has linearly independent fit vectors (irreducible)", opt.dependentSupports, 0),
    atMost("m* ≤ M*", mStar, MStar),
    atMost("M* ≤ n", MStar, n),
    atLeast("the trained width is at least m*", p.width, mStar),
    atLeast("no trained network beats the certified optimum: min (F_GD − F*)/F*", minExcess, -1e-12),
    atLeast("every restricted (own-pattern) optimum is ≥ the global one: min (v_S − F*)/F*", minRestrictedExcess, -1e-10),
    atLeast("GD never beats the optimum of its own patterns: min (F_GD − v_S)/v_S", minAboveRestricted, -1e-10),
    equals("every restricted optimum certifies as a global optimum or a stationary point (none 'neither')", restrictedNeither, 0),
    atMost("Theorem 1: every neuron of a globally optimal network found from GD points along an optimal direction of its sign (max distance of unit directions)", maxDirectionDistance, 1e-6, `over the ${counts["global optimum"]} runs that reached the optimum; directions from ν* of the exact solve`),
    atLeast("some GD runs reach the certified global optimum", counts["global optimum"], 1, `${counts["global optimum"]} of ${p.seeds} seeds`),
  ];
  return {
    summary: {
      n, beta: p.beta, patterns: problem.patterns.count, optimum, dualValue: sol.dualValue, relativeGap: sol.relativeGap,
      activeDirections: os.directions.length, activePairs: os.activePairs, vertices: os.vertices?.length ?? -1,
      mStar, MStar, sparsestNetworkError: opt.sparsestError, solverNetworkNeurons: opt.solverNet.m,
      width: p.width, seeds: p.seeds, reachedGlobal: counts["global optimum"], stoppedStationary: counts.stationary,
      notConverged: counts["not converged"], distinctStationaryValues: stationaryValues.size,
      directGlobal: direct["global optimum"], directStationary: direct.stationary, directNeither: direct.neither,
      maxRestrictedGap, maxDirectionDistance,
    },
    verdicts,
    series: { runs, grid, data, directions },
    extra: { optimum },
  };
}

function figures(result: ExperimentResult<ConvexCertificateSummary>): FigureSpec[] {
  const opt = Number(result.summary.optimum);
  const runs = result.series.runs ?? [];
  const scatter = scatterPlot({ data: runs, x: "seed", y: "objective", label: "outcome", xTitle: "seed", yTitle: "final objective F_GD" });
  const { data: runData, mark: runMark, encoding: runEnc, ...frame } = scatter;
  const objectiveFig = {
    ...frame,
    layer: [
      { data: runData, mark: runMark, encoding: runEnc },
      { data: { values: [{ optimum: opt }] }, mark: { type: "rule", color: "black", strokeDash: [4, 3] }, encoding: { y: { field: "optimum", type: "quantitative" } } },
    ],
  };
  const line = scatterPlot({ data: result.series.grid ?? [], x: "x", y: "f", xTitle: "x", yTitle: "f*(x)" });
  const { data: gridData, encoding: gridEnc, ...frame2 } = line;
  delete (frame2 as Record<string, unknown>).mark;
  const fitFig = {
    ...frame2,
    layer: [
      { data: gridData, mark: { type: "line" }, encoding: gridEnc },
      { data: { values: result.series.data ?? [] }, mark: { type: "point", filled: true, size: 50, color: "black" }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
    ],
  };
  return [
    {
      name: "objectives",
      title: "Final objective of gradient descent per seed vs the certified optimum",
      caption: `Dashed line: the certified global optimum F* = ${opt.toPrecision(8)} (exact patterns, duality gap ≤ 1e-8). Runs are coloured by what they converged to, judged by the exactly solved convex program of their own activation patterns: the global optimum, or a certified stationary point above it.`,
      vegaLite: objectiveFig,
    },
    {
      name: "fit",
      title: "The optimal network's function over the data",
      caption: `The network of a sparsest vertex of the optimal set (width m* = ${result.summary.mStar}); points are the data. Its kinks sit at the optimal directions' breakpoints.`,
      vegaLite: fitFig,
    },
  ];
}

/** The summary of a run result (src/experiments/summaries.ts). */
export type ConvexCertificateSummary = SummaryOfRun<typeof run>;

registerExperiment<Params, ConvexCertificateSummary>({
  kind: "convex-certificate",
  family: "convex",
  title: "Certified global optimum, optimal set and nonconvex training (1-D data with bias)",
  description: "Exact patterns, the ReLU program to a certified gap ≤ 1e-8, optimal directions, vertices of P*, m* and M*; GD from many seeds compared with the certified optimum (global optimum vs certified stationary points).",
  schema,
  run,
  figures,
  headline: {},
});
