// `splitscape convex`: solve the convex reformulation of a weight-decayed two-layer ReLU network
// (docs/science/convex.md §1–2) and certify its optimum, or certify a given network (--certify --model M).
import { Option, type Command } from "commander";
import { InputError } from "../../common/index.js";
import { checkOutputFile } from "../../common/outputPath.js";
import { writeFileAtomic } from "../../common/atomic.js";
import {
  certifyNetwork, connectivityStaircase, convexProblem, convexToNetwork, descentNeurons, loadHighs, loadTwoLayerReluModel,
  locateInOptimalSet, minNormInterpolation, minNormUniqueness, modelToNetwork, networkToModelJson, nonconvexObjective, nonIncreasingPath,
  optimalSet, PathComponentError, PathWidthError, solveGatedRelu, solveRelu, uniquenessAtBeta, vertexToNetwork, withBias, zeroOptimum,
  type ConvexLossName, type ConvexProblem, type FaceUniqueness, type MinNormSolution, type PathReport, type ReluNetwork,
} from "../../convex/index.js";
import { checkLabels, isConvexLossName } from "../../convex/program/loss.js";
import type { Dataset } from "../../data/index.js";
import type { Matrix } from "../../linalg/index.js";
import { createRng, uniformIn } from "../../random/index.js";
import { pathPlot, renderSvg, svgToPng } from "../../report/index.js";
import { architectureSource, labelColsOption, parseIntOption, resolveDataset } from "../io.js";
import { runVectorCertify, runVectorSolve } from "./convexVector.js";
import { CONVEX_DEFAULTS, emit, makePatterns, parsePositive, patternSummary, type ConvexOptions } from "./convexCommon.js";
import { EXIT_OK, EXIT_TOLERANCE } from "../exitCodes.js";

/** Merge recovered neurons whose unit directions differ by less than this (pitfall 2). */
const MERGE_TOL = 1e-7;

/** The optimal set needs an accurate ν*: compute it only when the certified relative gap is at most this. */
const OPTIMAL_SET_GAP = 1e-8;
/**
 * With exact patterns the ReLU program is solved to min(--tol, this) before the optimal set is
 * computed: it matches the directions' patterns to ŷ* only from an accurate solution (measured,
 * n = 6, 1-D + bias: a solution at relative gap 9e-11 reproduces no support, one at 6e-13 does).
 */
const OPTIMAL_SET_SOLVE_GAP = 1e-12;
/** The `solver.method` text of each ReLU solver path (solveRelu). */
const RELU_METHOD = {
  atoms: "column generation over ReLU atoms + active-face Newton polish",
  "atoms+fista": "column generation over ReLU atoms, finished by R-FISTA with exact cone prox + active-face Newton polish",
  fista: "R-FISTA with exact cone prox + active-face Newton polish",
} as const;

function targets(ds: Dataset, loss: ConvexLossName): Float64Array {
  if (ds.Y.cols !== 1) throw new InputError(ds.source, `this mode needs one target column, the data has k = ${ds.Y.cols} (vector outputs: solve or --certify)`, "y");
  const y = ds.Y.data.slice();
  checkLabels(loss, y, ds.source);
  return y;
}

async function runSolve(opts: ConvexOptions): Promise<number> {
  if (opts.data !== undefined) {
    const data = resolveDataset(opts.data, opts);
    if (data.Y.cols > 1) return runVectorSolve(opts, data);
  }
  const loss = opts.loss;
  if (!isConvexLossName(loss)) throw new InputError("--loss", `expected square or logistic, got ${JSON.stringify(loss)}`);
  if (opts.data === undefined) throw new InputError("--data", "is required");
  const beta = parsePositive("--beta", opts.beta);
  const tol = parsePositive("--tol", opts.tol, CONVEX_DEFAULTS.solveTol);
  const maxIterations = parseIntOption("--max-iterations", opts.maxIterations, 1, 1e9) ?? CONVEX_DEFAULTS.maxIterations;
  const seed = parseIntOption("--seed", opts.seed, 0, Number.MAX_SAFE_INTEGER) ?? CONVEX_DEFAULTS.seed;
  if (opts.program !== "relu" && opts.program !== "gated") throw new InputError("--program", `expected relu or gated, got ${JSON.stringify(opts.program)}`);
  const ds = resolveDataset(opts.data, opts);
  const y = targets(ds, loss);
  const X = opts.bias ? withBias(ds.X) : ds.X;
  const patterns = makePatterns(X, opts.patterns, opts.gates, seed);
  const problem = convexProblem(X, y, beta, loss, patterns);
  if (opts.program === "gated") {
    const note = "the optimal set (directions, m*, M*) is computed for --program relu only";
    const sol = solveGatedRelu(problem, { tol, maxIterations });
    const out = {
      program: "gated", optimum: sol.primalValue, dualValue: sol.dualValue, gap: sol.gap, relativeGap: sol.relativeGap,
      patterns: patterns.count, exact: patterns.exact, network: null, mStar: null, MStar: null, directions: null,
      note: `${note}; a gated ReLU solution is not a ReLU network`,
      activeBlocks: sol.activeBlocks, s: sol.s, beta, loss, bias: Boolean(opts.bias), patternSet: patternSummary(patterns),
      solver: {
        method: "working-set R-FISTA", iterations: sol.iterations, restarts: sol.restarts, workingSets: sol.outerIterations,
        workingSetSize: sol.workingSetSize, screenedBlocks: sol.screenedBlocks, converged: sol.converged, tol, maxIterations, seconds: sol.seconds,
      },
    };
    emit(opts, out, [
      `gated ReLU optimum ${sol.primalValue} (dual ${sol.dualValue}, relative gap ${sol.relativeGap.toExponential(3)})`,
      `${patterns.count} patterns (${patterns.exact ? "exact" : `${patterns.method}: certificate relative to them`}); ${sol.activeBlocks} active blocks`,
    ]);
    return sol.converged ? EXIT_OK : EXIT_TOLERANCE;
  }
  const sol = solveRelu(problem, { tol: patterns.exact ? Math.min(tol, OPTIMAL_SET_SOLVE_GAP) : tol, maxIterations });
  const reached = sol.relativeGap <= tol;
  const net = convexToNetwork(sol.U, sol.V, X.cols, { mergeTol: MERGE_TOL });
  // The recovered network is checked on the nonconvex objective (it must equal the convex one).
  const nc = nonconvexObjective(net, X, y, beta, loss);
  const structure = await optimalStructure(problem, sol.prediction, sol.primalValue, sol.relativeGap, Boolean(opts.bias));
  const zero = net.m === 0 ? zeroOptimum(problem) : null;
  const out = {
    program: "relu", optimum: sol.primalValue, dualValue: sol.dualValue, gap: sol.gap, relativeGap: sol.relativeGap,
    patterns: patterns.count, exact: patterns.exact,
    network: networkToModelJson(net, Boolean(opts.bias)),
    mStar: structure.mStar, MStar: structure.MStar, directions: structure.directions, note: structure.note,
    optimalSet: structure.summary, staircase: structure.staircase, uniqueness: structure.uniqueness,
    neurons: net.m, networkObjective: nc.objective, networkObjectiveError: Math.abs(nc.objective - sol.primalValue) / Math.max(sol.primalValue, Number.MIN_VALUE), s: sol.s, beta, loss, bias: Boolean(opts.bias), patternSet: patternSummary(patterns),
    certificate: patterns.exact ? "global optimum of the two-layer problem (all patterns enumerated)" : "optimal for the sampled patterns only",
    zeroOptimum: zero === null ? null : {
      betaZero: zero.betaZero, beta, zeroOptimal: zero.zeroOptimal, value: zero.value, gap: zero.certificate.gap, relativeGap: zero.certificate.relativeGap,
      note: "β₀ = max over patterns and signs of ‖Π_K(±XᵀDν₀)‖ with ν₀ = −∇L(0): for β ≥ β₀ the zero network is the global optimum in closed form, F* = L(0)",
    },
    solver: {
      method: RELU_METHOD[sol.method], iterations: sol.iterations, restarts: sol.restarts,
      polished: sol.polished, converged: reached, tol, maxIterations, seconds: sol.seconds, infeasibility: sol.infeasibility,
    },
  };
  emit(opts, out, [
    `optimum ${sol.primalValue} (dual ${sol.dualValue}, relative gap ${sol.relativeGap.toExponential(3)}${reached ? "" : `, tolerance ${tol} NOT reached`})`,
    `${patterns.count} patterns (${patterns.exact ? "exact: the gap proves global optimality" : `${patterns.method}: certificate relative to them`})`,
    `network: ${net.m} neurons`,
    ...(zero === null ? [] : [zeroLine(zero, beta)]),
    structure.mStar !== null
      ? `optimal set: ${structure.directions?.length} optimal directions, ${structure.summary?.vertices} vertices, m* = ${structure.mStar}, M* = ${structure.MStar}`
      : `optimal set: m*, M* not computed (${structure.note})`,
    ...(structure.summary?.vertexSupports == null || structure.mStar === null ? [] : [vertexListLine(structure.summary.vertexSupports)]),
    ...(structure.uniqueness === null ? [] : [uniquenessLine("optimal", structure.uniqueness)]),
    ...(structure.staircase === null ? [] : [
      "connectivity staircase (Theorem 2; components counted up to permutation):",
      ...structure.staircase.rows.map((r) => `  m = ${String(r.width).padStart(2)}  ${r.holds === true ? "holds  " : r.holds === false ? "FAILS  " : "unchecked"}  ${r.claim}`),
    ]),
  ]);
  return reached ? EXIT_OK : EXIT_TOLERANCE;
}

/** Vertices listed in a line (at most this many; --json has all): the indices `--path --to vertex:K` takes. */
const LISTED_VERTICES = 12;

/** "vertices (K: optimal directions): 0: {0,1,2}, 1: …" — the order `--to vertex:K` refers to. */
function vertexListLine(supports: number[][]): string {
  const shown = supports.slice(0, LISTED_VERTICES).map((s, k) => `${k}: {${s.join(",")}}`);
  const more = supports.length > LISTED_VERTICES ? `, … (${supports.length - LISTED_VERTICES} more in --json)` : "";
  return `vertices (K: its optimal directions; --path --to vertex:K): ${shown.join(", ")}${more}`;
}

/** The closed-form statement of the zero optimum (β ≥ β₀ = s(−∇L(0))). */
function zeroLine(zero: ReturnType<typeof zeroOptimum>, beta: number): string {
  const bound = `β₀ = max_{i,±} ‖Π_{K_i}(±XᵀD_iν₀)‖ = ${zero.betaZero.toPrecision(8)} with ν₀ = −∇L(0)`;
  return zero.zeroOptimal
    ? `the zero network is the global optimum in closed form: β = ${beta} ≥ ${bound}; F* = L(0) = ${zero.value} (certified gap ${zero.certificate.gap.toExponential(1)}), m* = M* = 0`
    : `β = ${beta} < ${bound}: the zero network is not optimal`;
}

/** Random points per input dimension at which the optimal functions are compared (d ≥ 2). */
const FUNCTION_POINTS_PER_DIM = 100;

/**
 * Where uniqueness of the optimal *function* is tested: for 1-D data with a bias, the points of
 * `lineTestPoints` (which decide it on all of ℝ); otherwise the data rows and seeded uniform
 * points in the data's bounding box (a test at those points, not a proof on all of ℝᵈ).
 */
function functionPoints(X: Matrix, bias: boolean): Matrix | "line" {
  if (bias && X.cols === 2) return "line";
  const { rows: n, cols: D } = X;
  const d = bias ? D - 1 : D;
  const extra = FUNCTION_POINTS_PER_DIM * Math.max(d, 1);
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (let k = 0; k < n; k++) for (let t = 0; t < d; t++) {
    lo[t] = Math.min(lo[t], X.data[k * D + t]);
    hi[t] = Math.max(hi[t], X.data[k * D + t]);
  }
  const rng = createRng(0);
  const data = new Float64Array((n + extra) * D);
  data.set(X.data);
  for (let k = n; k < n + extra; k++) {
    for (let t = 0; t < d; t++) data[k * D + t] = uniformIn(rng, lo[t], hi[t]);
    if (bias) data[k * D + d] = 1;
  }
  return { rows: n + extra, cols: D, data };
}

/** The uniqueness report of a face (LP ranges of every coordinate and of the function at test points). */
function uniquenessSummary(u: FaceUniqueness, points: Matrix | "line") {
  return {
    unique: u.unique, functionUnique: u.functionUnique, maxRange: u.maxRange, scale: u.scale, tol: u.tol,
    maxFunctionRange: u.maxFunctionRange, functionPoints: points === "line" ? "line (decides all of ℝ)" : points.rows,
    weightRanges: u.weights.map((r) => [r.min, r.max]), skipRanges: u.skip.map((r) => [r.min, r.max]),
    witnesses: u.witnesses === null ? null : {
      coordinate: u.witnesses.coordinate, isSkip: u.witnesses.isSkip,
      low: Array.from(u.witnesses.low.weights), high: Array.from(u.witnesses.high.weights),
    },
    lpSolves: u.lpSolves, undecided: "undecided" in u ? (u.undecided as string | null) : null,
    slack: u.slack, refined: "refined" in u ? (u.refined as boolean) : null, directionShift: "directionShift" in u ? (u.directionShift as number) : null,
  };
}

/**
 * The optimal directions (Theorem 1) and, for exact patterns and few directions, the vertices of
 * P* with m* and M*; the sparsest vertex's network is checked on the nonconvex objective.
 */
async function optimalStructure(problem: ConvexProblem, yhat: Float64Array, optimum: number, relativeGap: number, bias: boolean) {
  if (!problem.patterns.exact || !(relativeGap <= OPTIMAL_SET_GAP)) {
    return {
      mStar: null, MStar: null, directions: null,
      note: !problem.patterns.exact
        ? "patterns were sampled: the optimal set (directions, m*, M*) is computed for exact patterns only"
        : `relative gap ${relativeGap.toExponential(2)} > ${OPTIMAL_SET_GAP}: ν* too inaccurate for the active sets of the optimal set (pitfall 3)`,
      summary: null,
      staircase: null,
      uniqueness: null,
      set: null,
    };
  }
  const os = optimalSet(problem, yhat);
  const directions = os.directions.map((d) => ({ sign: d.sign, patterns: d.patterns, direction: Array.from(d.direction), dualRatio: d.dualRatio }));
  let sparsestObjectiveError: number | null = null;
  if (os.sparsest >= 0) {
    const net = vertexToNetwork(os.directions, os.vertices![os.sparsest], problem.X.cols);
    const nc = nonconvexObjective(net, problem.X, problem.y, problem.beta, problem.loss);
    sparsestObjectiveError = Math.abs(nc.objective - optimum) / Math.max(optimum, Number.MIN_VALUE);
  }
  const note = os.reason ?? "m* and M* are the smallest and largest vertex supports of P* (irreducible optimal solutions)";
  // The connectivity staircase (Theorem 2) needs the vertices; every row carries its evidence.
  const staircase = os.vertices !== null && os.mStar !== null && optimum > 0 ? connectivityStaircase(problem, os, optimum) : null;
  // Is the optimal face a point? min/max of every coordinate of P* (and of the function) by LP.
  const points = functionPoints(problem.X, bias);
  const uniqueness = uniquenessSummary(uniquenessAtBeta(await loadHighs(), problem, yhat, { functionPoints: points }), points);
  return {
    mStar: os.mStar, MStar: os.MStar, directions, note,
    summary: {
      activeDirections: os.directions.length, activePairs: os.activePairs, maxDualRatio: os.maxDualRatio,
      vertices: os.vertices?.length ?? null, vertexSupports: os.vertices?.map((v) => v.support) ?? null,
      supportsTried: os.supportsTried, sparsestObjectiveError, activeTol: os.activeTol, dedupTol: os.dedupTol,
    },
    staircase: staircase === null ? null : {
      connectedFrom: staircase.connectedFrom, widths: staircase.widths, components: staircase.components,
      rows: staircase.rows, objectiveTol: staircase.objectiveTol,
    },
    uniqueness,
    set: os,
  };
}

/** The problem of a model file on a dataset (X̃ = [X, 1] when the model has input biases) and the network in X̃-space. */
function modelProblem(opts: ConvexOptions, flag: string): { problem: ConvexProblem; net: ReluNetwork; bias: boolean } {
  const loss = opts.loss;
  if (!isConvexLossName(loss)) throw new InputError("--loss", `expected square or logistic, got ${JSON.stringify(loss)}`);
  if (opts.model === undefined) throw new InputError("--model", `is required with ${flag}`);
  if (opts.data === undefined) throw new InputError("--data", "is required");
  const beta = parsePositive("--beta", opts.beta);
  const seed = parseIntOption("--seed", opts.seed, 0, Number.MAX_SAFE_INTEGER) ?? CONVEX_DEFAULTS.seed;
  const model = loadTwoLayerReluModel(opts.model, { architecture: architectureSource(opts) });
  const ds = resolveDataset(opts.data, opts);
  const y = targets(ds, loss);
  if (model.W.cols !== ds.X.cols) {
    throw new InputError(opts.model, `W rows have ${model.W.cols} entries but the data has d = ${ds.X.cols}`, "W");
  }
  const X = model.b !== null ? withBias(ds.X) : ds.X;
  const patterns = makePatterns(X, opts.patterns, opts.gates, seed);
  return { problem: convexProblem(X, y, beta, loss, patterns), net: modelToNetwork(model), bias: model.b !== null };
}

async function runCertify(opts: ConvexOptions): Promise<number> {
  if (opts.model !== undefined && loadTwoLayerReluModel(opts.model, { vector: true, architecture: architectureSource(opts) }).k > 1) return runVectorCertify(opts);
  const tol = parsePositive("--tol", opts.tol, CONVEX_DEFAULTS.certifyTol);
  const { problem, net, bias } = modelProblem(opts, "--certify");
  const { beta } = problem;
  const patterns = problem.patterns;
  const cert = certifyNetwork(problem, net, { tol });
  const where = await certifiedStructure(problem, net, cert.classification, cert.certificate.nu, tol, bias);
  const out = {
    classification: cert.classification, reasons: cert.reasons,
    objective: cert.objective, loss: cert.loss, penalty: cert.penalty,
    dualValue: cert.certificate.dualValue, gap: cert.certificate.gap, relativeGap: cert.certificate.relativeGap,
    s: cert.certificate.s, beta, balanced: cert.balanced, stationary: cert.stationary,
    maxImbalance: cert.maxImbalance, maxStationarityResidual: cert.maxStationarityResidual, maxOwnCone: cert.maxOwnCone,
    patterns: cert.certificate.patterns, exact: cert.exact, patternSet: patternSummary(patterns), tol,
    neurons: cert.neurons,
    optimalSet: where.optimalSet, descentNeurons: where.descent,
  };
  emit(opts, out, [`${cert.classification}`, ...cert.reasons.map((r) => `  ${r}`), ...where.lines]);
  return EXIT_OK;
}

/**
 * What a demanding user asks next. A global optimum (exact patterns): the optimal set of the
 * problem (a fresh solve to 1e-10 for an accurate ν*) and where the network sits in it (its point
 * c of P*, whether it is a vertex, its width against m* and M*). Otherwise: the neurons whose
 * addition lowers the objective (the violated dual constraints, with the first-order rate).
 */
async function certifiedStructure(problem: ConvexProblem, net: ReluNetwork, classification: string, nu: Float64Array, tol: number, bias: boolean) {
  if (classification === "global optimum") {
    const sol = solveRelu(problem, { tol: OPTIMAL_SET_SOLVE_GAP, maxIterations: 200000 });
    const structure = await optimalStructure(problem, sol.prediction, sol.primalValue, sol.relativeGap, bias);
    if (structure.set === null) return { optimalSet: { note: structure.note }, descent: [], lines: [`  optimal set: ${structure.note}`] };
    const os = structure.set;
    const loc = locateInOptimalSet(net, os.directions, sol.prediction);
    const active = Array.from(net.alpha).filter((a, j) => a !== 0 && net.W.subarray(j * net.D, (j + 1) * net.D).some((w) => w !== 0)).length;
    const inSet = loc.unmatched.length === 0 && loc.residual <= Math.sqrt(tol);
    return {
      optimalSet: {
        optimum: sol.primalValue, relativeGap: sol.relativeGap, mStar: structure.mStar, MStar: structure.MStar,
        directions: structure.directions, summary: structure.summary, note: structure.note,
        staircase: structure.staircase, uniqueness: structure.uniqueness,
        network: {
          activeNeurons: active, inOptimalSet: inSet, unmatchedNeurons: loc.unmatched, maxAngleDefect: loc.maxAngleDefect,
          neuronDirection: Array.from(loc.neuronDirection), weights: Array.from(loc.weights), support: loc.support,
          residual: loc.residual, vertex: loc.vertex,
        },
      },
      descent: [],
      lines: [
        `  optimal set: ${os.directions.length} optimal directions, m* = ${structure.mStar ?? "?"}, M* = ${structure.MStar ?? "?"} (solve to relative gap ${sol.relativeGap.toExponential(1)})`,
        `  this network: ${active} active neurons on ${loc.support.length} optimal directions${loc.unmatched.length > 0 ? `, ${loc.unmatched.length} neurons off every optimal direction` : ""}; ` +
          `its point of P* reproduces ŷ* to ${loc.residual.toExponential(1)} (relative)${loc.vertex ? ", a vertex (irreducible)" : ", not a vertex (reducible: Carathéodory pruning removes neurons)"}`,
      ],
    };
  }
  const descent = descentNeurons(problem, nu, 5, tol).map((d) => ({
    pattern: d.pattern, sign: d.sign, direction: Array.from(d.direction), dualRatio: d.dualRatio, rate: d.rate,
  }));
  return {
    optimalSet: null, descent,
    lines: descent.length === 0 ? [] : [
      `  ${descent.length} descent neuron${descent.length > 1 ? "s" : ""} (adding (√t ū, σ√t) changes the objective by t·rate):`,
      ...descent.map((d) => `    pattern ${d.pattern}, σ = ${d.sign > 0 ? "+" : "−"}: ‖Π_K(σXᵀDν)‖/β = ${d.dualRatio.toPrecision(6)}, rate ${d.rate.toPrecision(4)}`),
    ],
  };
}

/** A path that rises by more than this (relative to the start objective) is reported as a failure (exit 1). */
const PATH_RISE_TOL = 1e-12;

/** A vertex network's neurons and the path's end agree to this (relative to the largest weight): the end IS the vertex. */
const END_VERTEX_TOL = 1e-9;

/**
 * `--to vertex:K`: the K-th vertex of P* in the order `convex` prints them (the same solve to a
 * relative gap of 1e-12 and optimalSet), the solution handed to the path so it uses the same P*,
 * and the test that the path's end is that vertex's network up to permutation and zero neurons.
 */
function pathTarget(opts: ConvexOptions, problem: ConvexProblem) {
  if (opts.to === undefined) return null;
  const m = /^vertex:(\d+)$/.exec(opts.to);
  const file = /^model:(.+)$/.exec(opts.to)?.[1];
  if (m === null && file === undefined) throw new InputError("--to", `expected vertex:K (K = 0, 1, … in the order \`convex\` lists the vertices of P*) or model:FILE, got ${JSON.stringify(opts.to)}`);
  if (opts.straight) throw new InputError("--straight", "does not combine with --to (the route to the chosen vertex is decided by the path)");
  if (!problem.patterns.exact) throw new InputError("--to", "needs exact patterns (the vertices of P* are computed from an exact enumeration only)");
  const optimum = solveRelu(problem, { tol: OPTIMAL_SET_SOLVE_GAP, maxIterations: 200_000 });
  if (!(optimum.relativeGap <= OPTIMAL_SET_GAP)) throw new InputError("--to", `the optimum reached relative gap ${optimum.relativeGap.toExponential(2)} > ${OPTIMAL_SET_GAP}: too inaccurate for the vertices of P*`);
  const os = optimalSet(problem, optimum.prediction);
  if (os.vertices === null) throw new InputError("--to", `the vertices of P* are not enumerated: ${os.reason}`);
  const vertex = m !== null ? Number(m[1]) : modelVertex(file!, problem, os, optimum.prediction, opts);
  if (vertex >= os.vertices.length) throw new InputError("--to", `P* has ${os.vertices.length} vertices (0 … ${os.vertices.length - 1}), got vertex:${vertex}`);
  const target = vertexToNetwork(os.directions, os.vertices[vertex], problem.X.cols);
  const vertexObjective = nonconvexObjective(target, problem.X, problem.y, problem.beta, problem.loss).objective;
  const check = (end: ReluNetwork): boolean => sameNetworkUpToPermutation(end, target, END_VERTEX_TOL);
  return { optimum, vertex, vertexObjective, check, model: file ?? null };
}

/**
 * `--to model:FILE`: the vertex of P* that an optimal network is (up to permutation). The network
 * must be a certified global optimum on the same problem whose neurons lie on the optimal
 * directions, one per direction, with linearly independent fits (an irreducible solution); its
 * per-direction weights must be those of a vertex (to 1e-6 relative). Anything else is bad input.
 */
function modelVertex(file: string, problem: ConvexProblem, os: ReturnType<typeof optimalSet>, yhat: Float64Array, opts: ConvexOptions): number {
  const model = loadTwoLayerReluModel(file, { architecture: architectureSource(opts) });
  const net = modelToNetwork(model);
  if (net.D !== problem.X.cols) throw new InputError(file, `the network has input dimension ${net.D} (bias included), the path's problem ${problem.X.cols}`, "W");
  const cert = certifyNetwork(problem, net);
  if (cert.classification !== "global optimum") throw new InputError(file, `--to model: the network is ${cert.classification}, not a certified global optimum`);
  const loc = locateInOptimalSet(net, os.directions, yhat);
  const active = Array.from(loc.neuronDirection).filter((k) => k >= 0);
  if (loc.unmatched.length > 0 || new Set(active).size !== active.length || !loc.vertex) {
    throw new InputError(file, "--to model: only an irreducible optimal network (one neuron per optimal direction, independent fits: a vertex of P*) is supported; prune it first (convex --path ends at one)");
  }
  const key = [...loc.support].sort((a, b) => a - b).join(",");
  const index = os.vertices!.findIndex((v) => [...v.support].sort((a, b) => a - b).join(",") === key
    && v.support.every((k, j) => Math.abs(v.weights[j] - loc.weights[k]) <= 1e-6 * Math.max(...v.weights)));
  if (index < 0) throw new InputError(file, "--to model: the network's point of P* is not one of its vertices");
  return index;
}

/** Both networks' nonzero neurons (α, w), sorted, agree entrywise to tol·(largest entry). */
function sameNetworkUpToPermutation(a: ReluNetwork, b: ReluNetwork, tol: number): boolean {
  const neurons = (net: ReluNetwork): number[][] => {
    const out: number[][] = [];
    for (let j = 0; j < net.m; j++) if (net.alpha[j] !== 0) out.push([net.alpha[j], ...net.W.subarray(j * net.D, (j + 1) * net.D)]);
    return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  };
  const na = neurons(a);
  const nb = neurons(b);
  if (na.length !== nb.length) return false;
  const scale = Math.max(1e-300, ...nb.flat().map(Math.abs));
  return na.every((row, j) => row.every((v, t) => Math.abs(v - nb[j][t]) <= tol * scale));
}

/**
 * `convex --path --model M`: the non-increasing path from the network to a global optimum
 * (convex/landscape/path.ts: rebalance, merge, Carathéodory pruning, segment in (C), move in P*), with the
 * objective along it, the final network and optionally the figure (--figure F.svg|F.png).
 */
async function runPath(opts: ConvexOptions): Promise<number> {
  const { problem, net, bias } = modelProblem(opts, "--path");
  const width = parseIntOption("--width", opts.width, 1, 1_000_000);
  if (opts.figure !== undefined && !/\.(svg|png)$/i.test(opts.figure)) throw new InputError("--figure", `expected a .svg or .png file name, got ${JSON.stringify(opts.figure)}`);
  if (width !== undefined && width < net.m) throw new InputError("--width", `must be at least the network's width ${net.m}, got ${width}`);
  if (opts.figure !== undefined) checkOutputFile(opts.figure, { option: "--figure", inputs: [opts.model, opts.data] });
  const to = pathTarget(opts, problem);
  let report: PathReport;
  const notes: string[] = [];
  const pathOpts = { straight: Boolean(opts.straight), ...(to === null ? {} : { optimum: to.optimum, vertex: to.vertex }) };
  try {
    report = nonIncreasingPath(problem, net, { width, ...pathOpts });
  } catch (e) {
    if (!(e instanceof PathWidthError)) throw e;
    if (width !== undefined) throw new InputError(e instanceof PathComponentError ? "--to" : "--width", e.message);
    // No width asked for: pad with zero neurons (the same function and objective) to the width the path needs.
    report = nonIncreasingPath(problem, net, { width: e.needed, ...pathOpts });
    notes.push(`width raised from ${net.m} to ${e.needed} by appending zero neurons (same function and objective); the path needs it (${e.message.replace(/^.*?: /, "")})`);
  }
  if (opts.figure !== undefined) {
    const svg = await renderSvg(pathPlot({ data: report.series, title: "objective along the non-increasing path" }));
    writeFileAtomic(opts.figure, /\.png$/i.test(opts.figure) ? svgToPng(svg) : svg);
  }
  const rise = report.maxIncrease / Math.max(Math.abs(report.startObjective), Number.MIN_VALUE);
  const ok = rise <= PATH_RISE_TOL && report.finalClass === "global optimum" && (to === null || to.check(report.final));
  const out = {
    startObjective: report.startObjective, endObjective: report.endObjective, optimum: report.optimum, endGap: report.endGap,
    maxIncrease: report.maxIncrease, relativeMaxIncrease: rise, nonIncreasing: rise <= PATH_RISE_TOL,
    width: report.width, widthNeeded: report.widthNeeded, finalClass: report.finalClass, vertex: report.vertex, route: report.route,
    to: to === null ? null : { vertex: to.vertex, model: to.model, endsAtVertex: to.check(report.final), vertexObjective: to.vertexObjective },
    mStar: report.mStar, MStar: report.MStar, finalNetwork: networkToModelJson(report.final, bias),
    stages: report.stages.map((st) => ({ kind: st.kind, name: st.name, interpolation: st.interpolation, maxIncrease: st.maxIncrease, points: st.points })),
    notes: [...notes, ...report.notes], figure: opts.figure ?? null,
  };
  emit(opts, out, [
    `path from objective ${report.startObjective.toPrecision(10)} to ${report.endObjective.toPrecision(10)} (certified optimum ${report.optimum.primalValue.toPrecision(10)}, relative gap ${report.optimum.relativeGap.toExponential(1)}) at width ${report.width}`,
    ...report.stages.map((st) => `  ${st.name}: ${st.points[0].objective.toPrecision(8)} → ${st.points[st.points.length - 1].objective.toPrecision(8)} (max rise ${st.maxIncrease.toExponential(1)}, neurons ${st.points[0].activeNeurons} → ${st.points[st.points.length - 1].activeNeurons})`),
    `end: ${report.finalClass}, ${report.final.m} neurons${report.mStar !== null ? ` (m* = ${report.mStar})` : ""}; non-increasing: ${rise <= PATH_RISE_TOL ? "yes" : `NO (relative rise ${rise.toExponential(2)})`}`,
    ...(to === null ? [] : [`end = vertex ${to.vertex} of P*: ${to.check(report.final) ? "yes" : "NO"}${report.route.length > 1 ? ` (through vertices ${report.route.join(" → ")} of its component at width ${report.width})` : ""}`]),
    ...[...notes, ...report.notes].map((n) => `  note: ${n}`),
  ]);
  return ok ? EXIT_OK : EXIT_TOLERANCE;
}

function uniquenessLine(what: string, u: NonNullable<Awaited<ReturnType<typeof optimalStructure>>["uniqueness"]>): string {
  if (u.undecided !== null) return `uniqueness (LP ranges over the ${what} face): ${u.undecided} (max coordinate range ${u.maxRange.toExponential(2)}, function range ${u.maxFunctionRange.toExponential(1)})`;
  const fn = u.functionUnique === null ? "" : `; the ${what} function is ${u.functionUnique ? "unique" : "NOT unique"} (max range ${u.maxFunctionRange.toExponential(1)} ${typeof u.functionPoints === "number" ? `over ${u.functionPoints} test points` : "on all of ℝ (1-D line test)"})`;
  const how = u.refined === true
    ? `; face directions refined together with ν (moved ≤ ${(u.directionShift ?? 0).toExponential(1)}); ranges over the face thickened by δ = ${u.slack.toExponential(1)}, zero level ${u.tol.toExponential(0)}·scale = ${(u.tol * u.scale).toExponential(1)}`
    : "";
  return `uniqueness (LP ranges over the ${what} face): ${u.unique ? "one point" : `a continuum (max coordinate range ${u.maxRange.toExponential(2)})`}${fn}${how}`;
}

/**
 * `convex --min-norm`: the minimum-norm interpolant (β → 0), min Σ(‖w_j‖² + α_j²) s.t. f_θ(X) = y,
 * by column generation with HiGHS (convex/landscape/minNorm.ts), its dual certificate, and whether it is
 * unique (LP ranges over its optimal face, convex/landscape/uniqueness.ts).
 */
async function runMinNorm(opts: ConvexOptions): Promise<number> {
  if (opts.data === undefined) throw new InputError("--data", "is required");
  if (opts.beta !== undefined) throw new InputError("--beta", "does not apply to --min-norm (the β → 0 limit)");
  if (opts.loss !== "square") throw new InputError("--loss", "--min-norm interpolates: only the squared loss's β → 0 limit is defined");
  const tol = parsePositive("--tol", opts.tol, CONVEX_DEFAULTS.minNormTol);
  const seed = parseIntOption("--seed", opts.seed, 0, Number.MAX_SAFE_INTEGER) ?? CONVEX_DEFAULTS.seed;
  const ds = resolveDataset(opts.data, opts);
  const y = targets(ds, "square");
  const X = opts.bias ? withBias(ds.X) : ds.X;
  const patterns = makePatterns(X, opts.patterns, opts.gates, seed);
  const highs = await loadHighs();
  let sol: MinNormSolution;
  try {
    sol = minNormInterpolation(highs, X, y, patterns, { skip: Boolean(opts.skip), tol });
  } catch (e) {
    if (e instanceof RangeError && /interpolat/i.test(e.message)) throw new InputError(ds.source, e.message, "y");
    throw e;
  }
  const points = functionPoints(X, Boolean(opts.bias));
  const u = uniquenessSummary(minNormUniqueness(highs, X, y, patterns, sol, { functionPoints: points }), points);
  const out = {
    program: "min-norm", optimum: sol.value, networkNorm: sol.networkNorm, dualValue: sol.dualValue, gap: sol.gap, relativeGap: sol.relativeGap,
    patterns: patterns.count, exact: patterns.exact, network: networkToModelJson(sol.network, Boolean(opts.bias)),
    skip: sol.skip === null ? null : Array.from(sol.skip), neurons: sol.network.m, residual: sol.residual, maxDualRatio: sol.maxDualRatio,
    uniqueness: u, bias: Boolean(opts.bias), patternSet: patternSummary(patterns),
    certificate: patterns.exact ? "global minimum-norm interpolant (all patterns enumerated)" : "minimal for the sampled patterns only",
    note: sol.skip === null ? null : "the skip connection s (f(x) += sᵀx̃) is not part of the model file; with a free skip the parameters are never unique (a pair ±ū trades for s), uniqueness means the function",
    solver: { method: "column generation (HiGHS dual simplex) + Newton KKT polish", rounds: sol.rounds, lpColumns: sol.lpColumns, polished: sol.polished, converged: sol.converged, tol },
  };
  emit(opts, out, [
    `minimum-norm interpolant: Σ(‖w‖² + α²) = ${sol.networkNorm} (dual bound ${2 * sol.dualValue}, relative gap ${sol.relativeGap.toExponential(2)})`,
    `${patterns.count} patterns (${patterns.exact ? "exact: the gap proves global minimality" : `${patterns.method}: minimal relative to them`}); ${sol.network.m} neurons${sol.skip === null ? "" : `, skip s = [${Array.from(sol.skip, (v) => v.toPrecision(6)).join(", ")}]`}; interpolation residual ${sol.residual.toExponential(1)}`,
    uniquenessLine("minimum-norm", u),
  ]);
  return sol.converged && sol.relativeGap <= Math.max(tol, 1e-8) ? EXIT_OK : EXIT_TOLERANCE;
}

/** Register `splitscape convex`. */
export function registerConvex(program: Command): void {
  const D = CONVEX_DEFAULTS;
  program
    .command("convex")
    .description("solve the convex reformulation of a weight-decayed two-layer ReLU network, or certify a network (--certify)")
    .option("--data <D>", "dataset file or builtin:NAME?…")
    .option("--beta <B>", "weight decay β (sum convention: scnn's λ = β/n)")
    .addOption(new Option("--loss <L>", "loss (softmax: vector outputs only)").choices(["square", "logistic", "softmax"]).default("square"))
    .option("--patterns <P>", "exact | sample:N | auto (exact when the count is small, else sample:1000)", "auto")
    .option("--gates <FILE>", "gate vectors {\"gates\": [[…d…], …]}: patterns 1[X g ≥ 0]")
    .option("--bias", "append a column of ones (a regularised bias)")
    .option("--program <P>", "relu (cone constraints) or gated (gated ReLU relaxation)", "relu")
    .option("--tol <T>", `solve: the relative duality gap to reach (default ${D.solveTol}; vector outputs ${D.vectorSolveTol}); --certify: the test tolerance (default ${D.certifyTol}); --min-norm: the dual-ratio tolerance (default ${D.minNormTol})`)
    .option("--max-iterations <N>", `solver iteration limit (default ${D.maxIterations}; vector outputs: ${D.vectorMaxRounds} rounds)`)
    .option("--seed <S>", `seed of sampled patterns (default ${D.seed})`)
    .option("--certify", "certify the network of --model instead of solving")
    .option("--path", "the non-increasing path from the network of --model to a global optimum")
    .option("--width <W>", "path: width (default: the model's, raised with zero neurons as needed)")
    .option("--straight", "path: segment straight to the sparsest optimal vertex (less width)")
    .option("--to <T>", "path: end at vertex:K (the K-th vertex of P* as `convex` lists them) or model:FILE (an irreducible optimal network); exact patterns")
    .option("--figure <F>", "path: write the objective along the path to F (.svg or .png)")
    .option("--min-norm", "the minimum-norm interpolant (β → 0) and whether it is unique")
    .option("--skip", "min-norm: add a free, unpenalised linear skip connection sᵀx̃")
    .option("--model <M>", "two-layer ReLU model file (with --certify or --path)")
    .addOption(labelColsOption())
    .option("--json", "print one JSON object")
    .action(async (opts: ConvexOptions) => {
      const modes = [opts.certify, opts.path, opts.minNorm].filter(Boolean).length;
      if (modes > 1) throw new InputError("--certify", "choose one of --certify, --path and --min-norm");
      process.exitCode = opts.path ? await runPath(opts) : opts.certify ? await runCertify(opts) : opts.minNorm ? await runMinNorm(opts) : await runSolve(opts);
    });
}
