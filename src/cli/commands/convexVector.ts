// `splitscape convex` for vector outputs (docs/science/convex.md §8.1): the optimum by column
// generation over ReLU atoms (convex/extensions/vector/solve.ts), and certificates of vector-output models;
// every answer carries the dual certificate (s bounded by sphere covering, Λ_f feasible, gap).
import { InputError } from "../../common/errors.js";
import {
  certifyVectorNetwork, loadTwoLayerReluModel, modelToVectorNetwork, reluModelJson, solveVectorByAtoms, vectorProblem, withBias,
  type PatternSet, type VectorLossName, type VectorNetworkCertificate, type VectorProblem, type VectorReluNetwork,
} from "../../convex/index.js";
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
  // No neuron: the certificate is the one of ŷ = 0, so s̄ bounds β₀ = s(Λ₀), Λ₀ = −∇L(0).
  const zero = res.network.m === 0 && cert.dualFeasibility === "feasible";
  const out = {
    program: "vector-atoms", optimum: cert.primalValue, dualValue: cert.dualValue, gap: cert.gap, relativeGap: cert.relativeGap,
    patterns: patterns.count, exact: patterns.exact, network: vectorModelJson(res.network, Boolean(opts.bias)),
    mStar: null, MStar: null, directions: null,
    note: "vector outputs: the optimal set (m*, M*, directions) is not computed; the optimum is certified by the dual norm bound",
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
    ...(zero ? [`the zero network is the global optimum in closed form: β = ${beta} ≥ β₀ = s(Λ₀) ∈ [${cert.sLower.toPrecision(8)}, ${cert.s.toPrecision(8)}] with Λ₀ = −∇L(0); F* = L(0) = ${cert.primalValue}, m* = 0`] : []),
  ]);
  return res.converged ? EXIT_OK : EXIT_TOLERANCE;
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
