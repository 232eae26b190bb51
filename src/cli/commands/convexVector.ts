// `splitscape convex` for vector outputs (docs/science/convex.md §8.1): the optimum by column
// generation over ReLU atoms (convex/extensions/vector/solve.ts), and certificates of vector-output models;
// every answer carries the dual certificate (s bounded by sphere covering, Λ_f feasible, gap).
import { InputError } from "../../common/errors.js";
import {
  certifyVectorNetwork, loadTwoLayerReluModel, modelToVectorNetwork, polishVectorOptimum, solveVectorByAtoms, vectorObjective,
  vectorOptimalSet, vectorProblem, vectorVertexNetwork, withBias, type PatternSet, type VectorLossName, type VectorNetworkCertificate,
  type VectorProblem, type VectorReluNetwork,
} from "../../convex/index.js";
import { reluModelJson } from "../../convex/network/modelFile.js";
import type { Dataset } from "../../data/index.js";
import type { Matrix } from "../../linalg/index.js";
import { architectureSource, parseIntOption, resolveDataset } from "../io.js";
import { CONVEX_DEFAULTS, emit, makePatterns, parsePositive, patternSummary, type ConvexOptions } from "./convexCommon.js";
import { EXIT_OK, EXIT_TOLERANCE } from "../exitCodes.js";

function vectorLoss(raw: string): VectorLossName {
  if (raw === "square" || raw === "softmax") return raw;
  throw new InputError("--loss", `vector outputs take square or softmax, got ${JSON.stringify(raw)}`);
}

/** The model file record of a vector network (a: m rows of k numbers; bias = last coordinate when `bias`). */
function vectorModelJson(net: VectorReluNetwork, bias: boolean): Record<string, unknown> {
  return reluModelJson(net.W, net.A, net.m, net.D, net.c, bias);
}

/** The vector problem, with the data's own errors (targets not probabilities, NaN, …) as bad input naming the file. */
function validProblem(X: Matrix, ds: Dataset, beta: number, loss: VectorLossName, patterns: PatternSet): VectorProblem {
  try {
    return vectorProblem(X, ds.Y, beta, loss, patterns);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(ds.source, e.message, "y");
    throw e;
  }
}

function certificateJson(cert: VectorNetworkCertificate): Record<string, unknown> {
  const c = cert.certificate;
  return {
    classification: cert.classification, reasons: cert.reasons, objective: cert.objective, loss: cert.loss, penalty: cert.penalty,
    dualValue: c.dualValue, gap: c.gap, relativeGap: c.relativeGap, s: c.s, sLower: c.sLower, dualFeasibility: c.dualFeasibility,
    sMethod: c.norm.method, balanced: cert.balanced, stationary: cert.stationary, maxImbalance: cert.maxImbalance,
    maxOutputResidual: cert.maxOutputResidual, maxOwnCone: cert.maxOwnCone, connectivityWidth: cert.connectivityWidth,
    neurons: cert.neurons,
  };
}

/** `convex --data D --beta B` with k > 1 outputs: column generation over ReLU atoms, certified. */
export function runVectorSolve(opts: ConvexOptions, ds: Dataset): number {
  const loss = vectorLoss(opts.loss);
  const beta = parsePositive("--beta", opts.beta);
  const tol = parsePositive("--tol", opts.tol, CONVEX_DEFAULTS.vectorSolveTol);
  const seed = parseIntOption("--seed", opts.seed, 0, Number.MAX_SAFE_INTEGER) ?? CONVEX_DEFAULTS.seed;
  const maxRounds = parseIntOption("--max-iterations", opts.maxIterations, 1, 1e6) ?? CONVEX_DEFAULTS.vectorMaxRounds;
  if (opts.program !== "relu") throw new InputError("--program", "vector outputs: only the ReLU program is available");
  const X = opts.bias ? withBias(ds.X) : ds.X;
  const patterns = makePatterns(X, opts.patterns, opts.gates, seed);
  const problem = validProblem(X, ds, beta, loss, patterns);
  const res = solveVectorByAtoms(problem, { tol, maxRounds });
  const cert = res.certificate;
  const set = vectorStructure(problem, cert.prediction);
  // No neuron: the certificate is the one of ŷ = 0, so s̄ bounds β₀ = s(Λ₀), Λ₀ = −∇L(0).
  const zero = res.network.m === 0 && cert.dualFeasibility === "feasible";
  const out = {
    program: "vector-atoms", optimum: cert.primalValue, dualValue: cert.dualValue, gap: cert.gap, relativeGap: cert.relativeGap,
    patterns: patterns.count, exact: patterns.exact, network: vectorModelJson(res.network, Boolean(opts.bias)),
    mStar: set.mStar, MStar: set.MStar, directions: set.directions, note: set.note, optimalSet: set.summary,
    outputs: ds.Y.cols, neurons: res.network.m, connectivityWidth: cert.connectivityWidth, s: cert.s, sLower: cert.sLower,
    dualFeasibility: cert.dualFeasibility, beta, loss, bias: Boolean(opts.bias), patternSet: patternSummary(patterns),
    zeroOptimum: !zero ? null : {
      betaZero: cert.s, betaZeroLower: cert.sLower, beta, zeroOptimal: true, value: cert.primalValue, gap: cert.gap, relativeGap: cert.relativeGap,
      note: "β₀ = s(Λ₀) = max over unit u of ‖Λ₀ᵀ(Xu)_+‖ with Λ₀ = −∇L(0) (bounded above by betaZero, below by betaZeroLower): for β ≥ β₀ the zero network is the global optimum in closed form, F* = L(0)",
    },
    certificate: patterns.exact ? "global optimum within the gap (all patterns enumerated)" : "relative to the sampled patterns only",
    solver: { method: "column generation over ReLU atoms (group lasso by FISTA, pricing by the certified dual norm)", rounds: res.rounds, atoms: res.atoms, converged: res.converged, tol, seconds: res.seconds },
  };
  emit(opts, out, [
    `vector outputs (k = ${ds.Y.cols}): optimum ${cert.primalValue} (dual ${cert.dualValue}, relative gap ${cert.relativeGap.toExponential(2)}${res.converged ? "" : `, tolerance ${tol} NOT reached`})`,
    `${patterns.count} patterns (${patterns.exact ? "exact: the gap proves global optimality" : `${patterns.method}: certificate relative to them`}); ${res.network.m} neurons from ${res.rounds} rounds; s ∈ [${cert.sLower.toPrecision(8)}, ${cert.s.toPrecision(8)}] vs β = ${beta}; connected optimal set from width nc + 1 = ${cert.connectivityWidth}`,
    ...set.lines,
    ...(zero ? [`the zero network is the global optimum in closed form: β = ${beta} ≥ β₀ = s(Λ₀) ∈ [${cert.sLower.toPrecision(8)}, ${cert.s.toPrecision(8)}] with Λ₀ = −∇L(0); F* = L(0) = ${cert.primalValue}, m* = 0`] : []),
  ]);
  return res.converged ? EXIT_OK : EXIT_TOLERANCE;
}

/** The optimal set needs an accurate Λ*: computed when the polished optimum's exact-s relative gap is at most this (the active tolerance is 1e-5). */
const VECTOR_SET_GAP = 1e-7;
/** Vertices listed in the text output (--json has all). */
const LISTED_VERTICES = 12;

/**
 * The optimal set of the vector program (convex/extensions/vector/optimalSet.ts): the optimum
 * polished on the exact face maximisers of Λ* (Newton where no neuron sits on a kink), its exact
 * dual-norm gap, the optimal directions (u_k, z_k), the vertices of P*, m*, M*, and the components
 * of the width-m optimal set until it is connected, against the statement "connected for m ≥ nc + 1".
 */
function vectorStructure(problem: VectorProblem, F: Matrix) {
  const none = (note: string) => ({ mStar: null, MStar: null, directions: null, note, summary: null, lines: [`optimal set: not computed (${note})`] });
  if (!problem.patterns.exact) return none("patterns were sampled: the optimal set is computed for exact patterns only");
  const polished = polishVectorOptimum(problem, F);
  if (polished === null) return none("too many cone faces to enumerate the dual norm's maximisers exactly (small instances only)");
  const gap = polished.certificate.relativeGap;
  if (!(gap <= VECTOR_SET_GAP)) return none(`the polished optimum reaches relative gap ${gap.toExponential(2)} > ${VECTOR_SET_GAP}: Λ* too inaccurate for the active directions (a smaller --tol may reach it)`);
  const os = vectorOptimalSet(problem, polished.prediction);
  if (os.directions === null) return none(os.reason ?? "directions not enumerated");
  const n = problem.X.rows;
  const c = problem.Y.cols;
  const directions = os.directions.map((d) => ({ direction: Array.from(d.direction), outputDirection: Array.from(d.outputDirection), patterns: d.patterns, dualRatio: d.dualRatio }));
  let sparsestObjectiveError: number | null = null;
  if (os.sparsest >= 0) {
    const net = vectorVertexNetwork(os.directions, os.vertices![os.sparsest], problem.X.cols, c);
    const value = vectorObjective(net, problem.X, problem.Y, problem.beta, problem.loss).objective;
    sparsestObjectiveError = Math.abs(value - polished.certificate.primalValue) / Math.max(polished.certificate.primalValue, Number.MIN_VALUE);
  }
  const connectedHolds = os.connectedFrom === null ? null : os.connectedFrom <= os.connectivityWidth;
  const summary = {
    activeDirections: os.directions.length, vertices: os.vertices?.length ?? null, vertexSupports: os.vertices?.map((v) => v.support) ?? null,
    vertexWeights: os.vertices?.map((v) => Array.from(v.weights)) ?? null, supportsTried: os.supportsTried, sparsestObjectiveError,
    connectivity: os.connectivity, connectedFrom: os.connectedFrom, connectivityWidth: os.connectivityWidth, connectedBoundHolds: connectedHolds,
    polished: { optimum: polished.certificate.primalValue, dualValue: polished.certificate.dualValue, relativeGap: gap, s: polished.certificate.s, rounds: polished.rounds, neurons: polished.network.m },
    maxDualRatio: os.maxDualRatio, facesTried: os.facesTried, continuumFaces: os.continuumFaces, activeTol: os.activeTol, dedupTol: os.dedupTol,
  };
  const note = os.reason ?? "optimal neurons are (√t u_k, √t z_k), z_k = Λ*ᵀ(Xu_k)_+/β; m* and M* are the smallest and largest vertex supports of P* = {c ≥ 0 : Σ c_k (Xu_k)_+ z_kᵀ = F*}";
  const lines = [
    os.mStar !== null
      ? `optimal set: ${os.directions.length} optimal directions (u_k, z_k = Λ*ᵀ(Xu_k)_+/β), ${os.vertices!.length} vertices, m* = ${os.mStar}, M* = ${os.MStar} (Λ* from the optimum polished on them: exact dual norm, relative gap ${gap.toExponential(1)})`
      : `optimal set: ${os.directions.length} optimal directions; m*, M* not computed (${os.reason})`,
    ...(os.continuumFaces > 0 ? [`  note: ${os.continuumFaces} cone face(s) have a continuum of maximisers (a repeated top eigenvalue): P* over the listed directions is not the whole optimal set`] : []),
    ...(os.vertices === null || os.mStar === null ? [] : [
      `vertices (K: its optimal directions): ${os.vertices.slice(0, LISTED_VERTICES).map((v, k) => `${k}: {${v.support.join(",")}}`).join(", ")}${os.vertices.length > LISTED_VERTICES ? `, … (${os.vertices.length - LISTED_VERTICES} more in --json)` : ""}`,
      `connectivity (components of the width-m optimal set up to permutation): ${os.connectivity.map((r) => `m = ${r.width}: ${r.components}`).join(", ")}; connected from m = ${os.connectedFrom} ${connectedHolds ? "≤" : ">"} nc + 1 = ${n * c + 1} (the statement ${connectedHolds ? "holds" : "FAILS"})`,
    ]),
  ];
  return { mStar: os.mStar, MStar: os.MStar, directions, note, summary, lines };
}

/** `convex --certify --model M` for a vector-output model: the vector certificate and classification. */
export function runVectorCertify(opts: ConvexOptions): number {
  const loss = vectorLoss(opts.loss);
  if (opts.model === undefined) throw new InputError("--model", "is required with --certify");
  if (opts.data === undefined) throw new InputError("--data", "is required");
  const beta = parsePositive("--beta", opts.beta);
  const tol = parsePositive("--tol", opts.tol, CONVEX_DEFAULTS.certifyTol);
  const seed = parseIntOption("--seed", opts.seed, 0, Number.MAX_SAFE_INTEGER) ?? CONVEX_DEFAULTS.seed;
  const model = loadTwoLayerReluModel(opts.model, { vector: true, architecture: architectureSource(opts) });
  const ds = resolveDataset(opts.data, opts);
  if (model.W.cols !== ds.X.cols) throw new InputError(opts.model, `W rows have ${model.W.cols} entries but the data has d = ${ds.X.cols}`, "W");
  if (model.k !== ds.Y.cols) throw new InputError(opts.model, `the model has ${model.k} outputs but the data has ${ds.Y.cols} target columns`, "a");
  const X = model.b !== null ? withBias(ds.X) : ds.X;
  const patterns = makePatterns(X, opts.patterns, opts.gates, seed);
  const problem = validProblem(X, ds, beta, loss, patterns);
  const cert = certifyVectorNetwork(problem, modelToVectorNetwork(model), { tol });
  const out = { ...certificateJson(cert), beta, tol, outputs: model.k, exact: cert.exact, patterns: patterns.count, patternSet: patternSummary(patterns) };
  emit(opts, out, [
    `${cert.classification} (vector outputs, k = ${model.k})`,
    ...cert.reasons.map((r) => `  ${r}`),
    `  s ∈ [${cert.certificate.sLower.toPrecision(8)}, ${cert.certificate.s.toPrecision(8)}] (${cert.certificate.norm.method}) vs β = ${beta}: ${cert.certificate.dualFeasibility}; connected optimal set from width nc + 1 = ${cert.connectivityWidth}`,
  ]);
  return EXIT_OK;
}
