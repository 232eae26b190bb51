import { z } from "zod";
import { countField, positiveField } from "./base.js";
import {
  certifyNetwork, connectivityStaircase, convexProblem, enumeratePatterns, networkOutput, nonconvexObjective,
  optimalSet, optimalSetComponents, ownPatternOptimum, pruneNetwork, solveRelu, trainWeightDecayed, vertexToNetwork, withBias,
  type ConvexProblem, type NetworkClass, type ReluNetwork,
} from "../../convex/index.js";
import { normal } from "../../random/index.js";
import { atLeast, atMost, cleanRows, equals, linePlot, scatterPlot, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";

/**
 * Two kinds of the "convex" family on the width phase transition (docs/science/convex.md §3,
 * §5 and §4: optimal set, width phase transition, stationary points), both on 1-D data with a
 * regularised bias, exact patterns (2n) and the ReLU program solved to a certified gap:
 *  - `convex-optimal-set-1d`: the optimal directions, the vertices of P*, m*, M* and the
 *    connectivity staircase (src/convex/landscape/staircase.ts): per width, Theorem 2's claim and the
 *    computed evidence (explicit optimal paths, counts, singular values, components of the
 *    optimal set up to permutation).
 *  - `convex-training-vs-optimum`: weight-decayed gradient descent from many seeds at several
 *    widths against the certified optimum. GD cannot settle exactly on the kinks at data points
 *    that optimal neurons have (ReLU'(0) = 0 makes it oscillate there), so, as in
 *    `convex-certificate`, a run is judged through the convex program of its own activation
 *    patterns (every stationary point is the optimum of such a subsampled program): that program
 *    is solved exactly, its network certified on all patterns ('global optimum' / 'stationary'),
 *    and the run counts as converged to it when (F_GD − v_S)/v_S ≤ convergeTol. certifyNetwork on
 *    the raw GD network is recorded as well.
 */

/** 8 points on [−1, 1] with a bias, β = 0.02: m* = M* = 7 with 8 vertices (the setting of docs/science/convex.md §5.2, not its data). */
const OPTSET_X = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1.0];
const OPTSET_Y = [0.5, -0.2, 0.3, -0.4, 0.6, 0.1, -0.5, 0.4];

/** The 1-D problem with a bias column and all 2n patterns. */
function oneDimensionalProblem(kind: string, x: readonly number[], y: readonly number[], beta: number): ConvexProblem {
  if (y.length !== x.length) throw new RangeError(`${kind}: x has ${x.length} entries, y has ${y.length}`);
  if (new Set(x).size !== x.length) throw new RangeError(`${kind}: the inputs x must be distinct`);
  const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
  return convexProblem(X, Float64Array.from(y), beta, "square", enumeratePatterns(X));
}

/**
 * Breakpoints for plotting a 1-D ReLU network exactly: the range of the data widened by `pad` of
 * its span on each side, the data points and the kinks −b_j/w_j of `net`'s neurons inside it (the
 * function is linear between consecutive breakpoints).
 */
function plotBreakpoints(net: ReluNetwork, x: readonly number[], pad: number): Float64Array {
  const lo = Math.min(...x);
  const hi = Math.max(...x);
  const a = lo - pad * (hi - lo);
  const b = hi + pad * (hi - lo);
  const pts = [a, b, ...x];
  for (let j = 0; j < net.m; j++) {
    const w = net.W[j * net.D];
    const kink = w === 0 ? NaN : -net.W[j * net.D + 1] / w;
    if (kink > a && kink < b) pts.push(kink);
  }
  return Float64Array.from(new Set(pts)).sort();
}

/** f at the points `xs` (1-D inputs; the bias column is appended). */
function outputAt(net: ReluNetwork, xs: Float64Array): Float64Array {
  return networkOutput(net, withBias({ rows: xs.length, cols: 1, data: xs }));
}

// ---------------------------------------------------------------------------------------------
// convex-optimal-set-1d

const optSetSchema = z.strictObject({
  /** Inputs x_k (1-D, distinct; a bias column is appended). */
  x: z.array(z.number()).min(3).max(12).default(OPTSET_X),
  /** Targets (same length as x). */
  y: z.array(z.number()).min(3).max(12).default(OPTSET_Y),
  beta: positiveField(0.02),
  /** Samples per move along each optimal path. */
  pathSamples: countField(9, 2, 200),
  /** A path is optimal when max |F − F*|/F* ≤ this. */
  objectiveTol: positiveField(1e-8),
});
type OptSetParams = z.infer<typeof optSetSchema>;

async function runOptimalSet(spec: RunSpec<OptSetParams>, ctx: RunContext) {
  const p = spec.params;
  const problem = oneDimensionalProblem("convex-optimal-set-1d", p.x, p.y, p.beta);
  const n = p.x.length;
  const sol = solveRelu(problem, { tol: 1e-12, maxIterations: 200_000 });
  const opt = sol.primalValue;
  const os = optimalSet(problem, sol.prediction);
  if (os.vertices === null || os.mStar === null || os.MStar === null) throw new RangeError(`convex-optimal-set-1d: vertices of P* not available: ${os.reason}`);
  const st = connectivityStaircase(problem, os, opt, { samples: p.pathSamples, objectiveTol: p.objectiveTol });
  ctx.log(`optimum ${opt}, gap ${sol.relativeGap.toExponential(2)}, ${os.directions.length} directions, ${os.vertices.length} vertices, m* = ${os.mStar}, M* = ${os.MStar}`);
  let maxVertexError = 0;
  const functions: Array<Record<string, number | string>> = [];
  const curves: Float64Array[] = [];
  // The vertex functions compared on a fine grid over the plotted range.
  const span = Math.max(...p.x) - Math.min(...p.x);
  const spreadGrid = Float64Array.from({ length: 201 }, (_, i) => Math.min(...p.x) - 0.4 * span + (i * 1.8 * span) / 200);
  os.vertices.forEach((v, i) => {
    const net = vertexToNetwork(os.directions, v, problem.X.cols);
    maxVertexError = Math.max(maxVertexError, Math.abs(nonconvexObjective(net, problem.X, problem.y, p.beta, "square").objective - opt) / opt);
    const label = `V${i + 1} {${v.support.join(",")}}`;
    const xs = plotBreakpoints(net, p.x, 0.4);
    const f = outputAt(net, xs);
    curves.push(outputAt(net, spreadGrid));
    for (let k = 0; k < xs.length; k++) functions.push({ vertex: label, part: "network f(x)", line: "f", x: xs[k], value: f[k] });
    // Each neuron's contribution α_j (w_jᵀx̃)_+ (different networks of one function).
    for (let j = 0; j < net.m; j++) {
      const one = outputAt({ W: net.W.slice(j * net.D, (j + 1) * net.D), alpha: net.alpha.slice(j, j + 1), m: 1, D: net.D }, xs);
      const part = net.alpha[j] > 0 ? "neuron, α > 0" : "neuron, α < 0";
      for (let k = 0; k < xs.length; k++) functions.push({ vertex: label, part, line: `n${j}`, x: xs[k], value: one[k] });
    }
  });
  let maxFunctionSpread = 0;
  for (const f of curves) for (let k = 0; k < f.length; k++) maxFunctionSpread = Math.max(maxFunctionSpread, Math.abs(f[k] - curves[0][k]));
  // Components of the optimal set up to permutation for every width from m* to min{m*+M*, n+1}.
  const components: Array<Record<string, number | string>> = [];
  for (let w = os.mStar; w <= st.connectedFrom; w++) components.push({ width: w, components: optimalSetComponents(os.vertices, w).count });
  const staircase = st.rows.map((r) => ({
    width: r.width, claim: r.claim, holds: r.holds === null ? "not checked" : r.holds ? "holds" : "fails", evidence: r.evidence,
    maxObjectiveDeviation: r.numbers.maxObjectiveDeviation ?? NaN, components: r.numbers.components ?? NaN,
  }));
  for (const r of st.rows) ctx.metric({ stage: "staircase", width: r.width, claim: r.claim, holds: r.holds === null ? "not checked" : r.holds });
  const data = p.x.map((xv, k) => ({ x: xv, y: p.y[k], yhat: sol.prediction[k] }));
  const verdicts: Verdict[] = [
    equals("exact enumeration finds 2n patterns (1-D data with bias)", problem.patterns.count, 2 * n),
    atMost("the ReLU program is solved to a certified relative duality gap (all patterns: a proof of global optimality)", sol.relativeGap, 1e-10),
    atMost("every vertex of P* gives a network at the certified optimum (max relative error)", maxVertexError, p.objectiveTol, `${os.vertices.length} vertices over ${os.directions.length} active directions`),
    atMost("m* ≤ M*", os.mStar, os.MStar),
    atMost("M* ≤ n (vertex fit vectors are independent in ℝⁿ)", os.MStar, n),
    ...st.rows.map((r) => equals(`Theorem 2 at m = ${r.width}: ${r.claim}`, r.holds === null ? "not checked" : r.holds, true, r.evidence)),
    equals(`the optimal set is connected at m = min{m*+M*, n+1} = ${st.connectedFrom} (components up to permutation)`, st.components[st.components.length - 1].components, 1),
  ];
  const smallest = st.components.find((c) => c.width === os.mStar)!;
  return {
    summary: {
      n, beta: p.beta, optimum: opt, relativeGap: sol.relativeGap, activeDirections: os.directions.length, activePairs: os.activePairs,
      vertices: os.vertices.length, mStar: os.mStar, MStar: os.MStar, connectedFrom: st.connectedFrom,
      componentsAtMStar: smallest.components, maxVertexError, maxFunctionSpread,
      staircaseRows: st.rows.length, staircaseHolds: st.rows.filter((r) => r.holds === true).length,
      maxPathDeviation: Math.max(...st.rows.map((r) => r.numbers.maxObjectiveDeviation ?? 0)),
    },
    verdicts,
    series: { functions, data, staircase, components },
    extra: { optimum: opt },
  };
}

function optimalSetFigures(result: ExperimentResult<ConvexOptimalSetSummary>): FigureSpec[] {
  const s = result.summary;
  const functionsFig = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", background: "white",
    data: { values: cleanRows(result.series.functions ?? [], ["x", "value"]) },
    facet: { field: "vertex", type: "nominal", title: "vertex of P* {support}", sort: null },
    columns: 4,
    spec: {
      width: 170, height: 130,
      mark: { type: "line", clip: true },
      encoding: {
        x: { field: "x", type: "quantitative", title: "x" },
        y: { field: "value", type: "quantitative", title: "f(x) and α_j (w_jᵀx̃)₊" },
        detail: { field: "line", type: "nominal" },
        color: { field: "part", type: "nominal", title: "curve", scale: { domain: ["network f(x)", "neuron, α > 0", "neuron, α < 0"], range: ["black", "#1f77b4", "#d62728"] } },
        strokeWidth: { condition: { test: "datum.part === 'network f(x)'", value: 2.4 }, value: 1 },
      },
    },
  };
  const comps = linePlot({ data: result.series.components ?? [], x: "width", y: "components", xTitle: "width m", yTitle: "components (up to permutation)", points: true });
  const claims = (result.series.staircase ?? []).map((r) => ({ width: r.width, claim: r.claim, result: r.holds }));
  const claimOrder = [...new Set(claims.map((c) => c.claim))];
  const gridFig = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", background: "white", width: 200, height: 150,
    data: { values: claims },
    mark: { type: "point", filled: true, size: 160, shape: "circle" },
    encoding: {
      x: { field: "width", type: "ordinal", title: "width m", axis: { labelAngle: 0 } },
      y: { field: "claim", type: "nominal", title: null, sort: claimOrder, axis: { labelLimit: 400 } },
      color: { field: "result", type: "nominal", title: "verified", scale: { domain: ["holds", "fails", "not checked"], range: ["#2ca02c", "#d62728", "#7f7f7f"] } },
    },
  };
  return [
    {
      name: "vertex-functions",
      title: "The vertex networks of P*: their functions and neurons",
      caption: `One panel per vertex (irreducible optimal network, widths m* = ${s.mStar} … M* = ${s.MStar}): black, the network's function; thin, each neuron's contribution. All reach F* = ${Number(s.optimum).toPrecision(8)}; they are different networks of one function (largest spread between the vertex functions on the plotted range: ${Number(s.maxFunctionSpread).toExponential(1)}), since (x−c)₊ − (c−x)₊ = x − c lets pairs of opposite neurons at one kink trade linear parts.`,
      vegaLite: functionsFig,
    },
    {
      name: "components",
      title: "Connected components of the optimal set by width (up to permutation)",
      caption: `Components of the width-m optimal set up to permutation: the faces of P* with support ≤ m, joined through shared vertices. Theorem 2 guarantees one component from min{m*+M*, n+1} = ${s.connectedFrom}.`,
      vegaLite: comps,
    },
    {
      name: "staircase",
      title: "Theorem 2's claims by width and whether the computation verified them",
      caption: `${s.staircaseHolds} of ${s.staircaseRows} claims verified by explicit optimal paths (split, segment and transposition moves, objective constant to ${Number(s.maxPathDeviation).toExponential(1)} relative), singular values and counts; the evidence for each is in the verdict table.`,
      vegaLite: gridFig,
    },
  ];
}

/** The summary of a runOptimalSet result (src/experiments/summaries.ts). */
export type ConvexOptimalSetSummary = SummaryOfRun<typeof runOptimalSet>;

registerExperiment<OptSetParams, ConvexOptimalSetSummary>({
  kind: "convex-optimal-set-1d",
  family: "convex",
  title: "Optimal set and connectivity staircase of a 1-D ReLU fit (Theorems 1 and 2)",
  description: "Exact ReLU program on 1-D data with bias, optimal directions, vertices of P*, m*, M*, and Theorem 2's staircase at m*, m*+1, M*, M*+1, min{m*+M*, n+1} with explicit optimal paths.",
  schema: optSetSchema,
  run: runOptimalSet,
  figures: optimalSetFigures,
  headline: {},
});

// ---------------------------------------------------------------------------------------------
// convex-training-vs-optimum

const DEFAULT_TRAIN_X = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];

const trainSchema = z.strictObject({
  /** Inputs x_k (1-D, distinct; a bias column is appended). */
  x: z.array(z.number()).min(3).max(16).default(DEFAULT_TRAIN_X),
  /** Targets; default sin(3x). */
  y: z.array(z.number()).min(3).max(16).optional(),
  beta: positiveField(0.05),
  /** Widths of the trained networks. */
  widths: z.array(z.number().int().min(1).max(64)).min(1).max(12).default([2, 4, 8, 16]),
  /** GD runs per width (seeds 0 … seeds−1 of the run's streams). */
  seeds: countField(10, 1, 200),
  steps: countField(20_000, 1, 10_000_000),
  lr: positiveField(0.02),
  /** Standard deviation of the Gaussian initial weights. */
  initScale: positiveField(0.5),
  /** A run has converged to its own-pattern optimum when (F_GD − v_S)/v_S ≤ this. */
  convergeTol: positiveField(1e-3),
  /** Tolerance of certifyNetwork on the raw GD networks. */
  certTol: positiveField(1e-4),
});
type TrainParams = z.infer<typeof trainSchema>;

type Outcome = "global optimum" | "stationary" | "not converged";

async function runTraining(spec: RunSpec<TrainParams>, ctx: RunContext) {
  const p = spec.params;
  const ys = p.y ?? p.x.map((v) => Math.sin(3 * v));
  const problem = oneDimensionalProblem("convex-training-vs-optimum", p.x, ys, p.beta);
  const { X, y } = problem;
  const sol = solveRelu(problem, { tol: 1e-12, maxIterations: 200_000 });
  const opt = sol.primalValue;
  const os = optimalSet(problem, sol.prediction);
  const mStar = os.mStar ?? NaN;
  ctx.log(`optimum ${opt} (gap ${sol.relativeGap.toExponential(2)}), m* = ${os.mStar}, M* = ${os.MStar}`);
  const runs: Array<Record<string, number | string>> = [];
  const perWidth: Array<Record<string, number | string>> = [];
  let minExcess = Infinity;
  let minExcessBelow = Infinity;
  let minAboveRestricted = Infinity;
  let minRestrictedExcess = Infinity;
  let restrictedNeither = 0;
  let maxRestrictedGap = 0;
  let reachedAtOrAbove = 0;
  let reachedBelow = 0;
  const widths = [...new Set(p.widths)].sort((a, b) => a - b);
  for (const width of widths) {
    const counts: Record<Outcome, number> = { "global optimum": 0, stationary: 0, "not converged": 0 };
    const direct: Record<NetworkClass, number> = { "global optimum": 0, stationary: 0, neither: 0 };
    let bestExcess = Infinity;
    for (let s = 0; s < p.seeds; s++) {
      const rng = ctx.rng(`w${width}-init-${s}`);
      const W = Float64Array.from({ length: width * 2 }, () => normal(rng, 0, p.initScale));
      const alpha = Float64Array.from({ length: width }, () => normal(rng, 0, p.initScale));
      const gd = trainWeightDecayed(X, y, p.beta, { W, alpha, m: width, D: 2 }, { lr: p.lr, steps: p.steps });
      if (!gd.finite) throw new RangeError(`convex-training-vs-optimum: GD diverged at width ${width}, seed ${s} (lower lr)`);
      const net = pruneNetwork(gd.net, X, 1e-6);
      const F = nonconvexObjective(net, X, y, p.beta, "square").objective;
      const raw = certifyNetwork(problem, net, { tol: p.certTol });
      direct[raw.classification]++;
      const own = ownPatternOptimum(problem, net);
      maxRestrictedGap = Math.max(maxRestrictedGap, own.relativeGap);
      if (own.classification === "neither") restrictedNeither++;
      const aboveRestricted = (F - own.value) / own.value;
      const outcome: Outcome = !(aboveRestricted <= p.convergeTol) || own.classification === "neither" ? "not converged" : own.classification;
      counts[outcome]++;
      const excess = (F - opt) / opt;
      bestExcess = Math.min(bestExcess, excess);
      minExcess = Math.min(minExcess, excess);
      minAboveRestricted = Math.min(minAboveRestricted, aboveRestricted);
      minRestrictedExcess = Math.min(minRestrictedExcess, (own.value - opt) / opt);
      if (width < mStar) minExcessBelow = Math.min(minExcessBelow, excess);
      if (outcome === "global optimum") {
        if (width < mStar) reachedBelow++;
        else reachedAtOrAbove++;
      }
      runs.push({
        width, seed: s, objective: F, excess, ownPatternOptimum: own.value, aboveOwnOptimum: aboveRestricted, outcome,
        ownPatternClass: own.classification, rawClass: raw.classification, rawStationarityResidual: raw.maxStationarityResidual,
        rawDualRatio: raw.certificate.s / p.beta, gradNorm: gd.gradNorm, neurons: net.m,
      });
      ctx.metric({ stage: "seed", width, seed: s, objective: F, excess, outcome, rawClass: raw.classification });
    }
    perWidth.push({
      width, seeds: p.seeds, reachedGlobal: counts["global optimum"], stoppedStationary: counts.stationary, notConverged: counts["not converged"],
      rawGlobal: direct["global optimum"], rawStationary: direct.stationary, rawNeither: direct.neither, bestExcess,
    });
  }
  const total = widths.length * p.seeds;
  const widthsAtOrAbove = widths.filter((w) => w >= mStar).length;
  const verdicts: Verdict[] = [
    atMost("the ReLU program is solved to a certified relative duality gap (exact patterns: a proof of global optimality)", sol.relativeGap, 1e-10),
    atLeast("no trained network beats the certified optimum: min (F_GD − F*)/F*", minExcess, -1e-10, "F* is within a certified relative gap ≤ 1e-10 of the true optimum"),
    atLeast("every own-pattern optimum is ≥ the global one: min (v_S − F*)/F*", minRestrictedExcess, -1e-10, "both are exact solves to gap ≤ 1e-10"),
    atLeast("GD never beats the optimum of its own patterns: min (F_GD − v_S)/v_S", minAboveRestricted, -1e-10, "v_S is an exact solve to gap ≤ 1e-10"),
    equals("every own-pattern optimum certifies as a global optimum or a stationary point (none 'neither')", restrictedNeither, 0),
    equals("below m* no run reaches the optimum (a network with < m* neurons at F* would be a point of P* with support < m*)", reachedBelow, 0, `m* = ${os.mStar}`),
    ...(widths.some((w) => w < mStar)
      ? [atLeast("below m* the excess (F_GD − F*)/F* stays above the convergence tolerance", minExcessBelow, p.convergeTol, `widths < m* = ${os.mStar}`)]
      : []),
    ...(widthsAtOrAbove > 0 ? [atLeast("at widths ≥ m* some GD runs reach the certified global optimum", reachedAtOrAbove, 1, `${reachedAtOrAbove} of ${widthsAtOrAbove * p.seeds} runs`)] : []),
  ];
  return {
    summary: {
      n: p.x.length, beta: p.beta, optimum: opt, relativeGap: sol.relativeGap, mStar, MStar: os.MStar ?? NaN, vertices: os.vertices?.length ?? -1,
      widths: widths.join(" "), seeds: p.seeds, runs: total, reachedGlobal: reachedAtOrAbove + reachedBelow,
      stoppedStationary: perWidth.reduce((a, r) => a + Number(r.stoppedStationary), 0), notConverged: perWidth.reduce((a, r) => a + Number(r.notConverged), 0),
      rawGlobal: perWidth.reduce((a, r) => a + Number(r.rawGlobal), 0), rawStationary: perWidth.reduce((a, r) => a + Number(r.rawStationary), 0),
      maxRestrictedGap,
    },
    verdicts,
    series: { runs, perWidth },
    extra: { optimum: opt },
  };
}

const OUTCOME_COLOURS = { domain: ["global optimum", "stationary", "not converged"], range: ["#1f77b4", "#d62728", "#ff7f0e"] };

function trainingFigures(result: ExperimentResult<ConvexTrainingSummary>): FigureSpec[] {
  const opt = Number(result.summary.optimum);
  const seeds = Number(result.summary.seeds);
  const runs = (result.series.runs ?? []).map((r) => ({ ...r, widthJitter: Number(r.width) * (1 + 0.25 * ((Number(r.seed) + 0.5) / seeds - 0.5)) }));
  const scatter = scatterPlot({ data: runs, x: "widthJitter", y: "objective", label: "outcome", xTitle: "width m (log; seeds spread around it)", yTitle: "final objective F_GD", logX: true });
  const { data: runData, mark: runMark, encoding: runEnc, ...frame } = scatter;
  const widths = [...new Set((result.series.runs ?? []).map((r) => Number(r.width)))];
  (runEnc as Record<string, Record<string, unknown>>).x.axis = { values: widths, labelAngle: 0 };
  (runEnc as Record<string, Record<string, unknown>>).color.scale = OUTCOME_COLOURS;
  const objectiveFig = {
    ...frame,
    layer: [
      { data: runData, mark: runMark, encoding: runEnc },
      { data: { values: [{ optimum: opt }] }, mark: { type: "rule", color: "black", strokeDash: [4, 3] }, encoding: { y: { field: "optimum", type: "quantitative" } } },
    ],
  };
  const fields = { reachedGlobal: "global optimum", stoppedStationary: "stationary", notConverged: "not converged" } as const;
  const counts = (result.series.perWidth ?? []).flatMap((r) => Object.entries(fields).map(([k, outcome]) => ({ width: String(r.width), outcome, runs: Number(r[k]) })));
  const barFig = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", width: 380, height: 240, background: "white",
    data: { values: counts },
    mark: { type: "bar" },
    encoding: {
      x: { field: "width", type: "ordinal", title: "width m", sort: null, axis: { labelAngle: 0 } },
      y: { field: "runs", type: "quantitative", title: "GD runs", stack: "zero" },
      color: { field: "outcome", type: "nominal", title: "outcome", scale: OUTCOME_COLOURS },
    },
  };
  return [
    {
      name: "objectives",
      title: "Final objective of weight-decayed GD by width vs the certified optimum",
      caption: `Dashed line: the certified global optimum F* = ${opt.toPrecision(8)} (exact patterns). Colours: what each run converged to, judged by the exactly solved convex program of its own activation patterns. Below m* = ${result.summary.mStar} no network can reach F*.`,
      vegaLite: objectiveFig,
    },
    {
      name: "outcomes",
      title: "Outcomes per width: global optimum, certified stationary point, not converged",
      caption: `${seeds} seeds per width.`,
      vegaLite: barFig,
    },
  ];
}

/** The summary of a runTraining result (src/experiments/summaries.ts). */
export type ConvexTrainingSummary = SummaryOfRun<typeof runTraining>;

registerExperiment<TrainParams, ConvexTrainingSummary>({
  kind: "convex-training-vs-optimum",
  family: "convex",
  title: "Weight-decayed training at several widths vs the certified optimum (1-D data with bias)",
  description: "GD from many seeds at widths below and above m*, each run classified by the exact convex program of its own patterns (global optimum / certified stationary point / not converged) and compared with the certified optimum.",
  schema: trainSchema,
  run: runTraining,
  figures: trainingFigures,
  headline: { params: { widths: [2, 4, 16], seeds: 6 } },
});
