// `splitscape convex` for vector outputs (science/convex.md, "Extensions"): no finite convex
// program is solved; the optimum is searched by multi-start weight-decayed GD at width nc + 1 and
// every answer carries the dual certificate (s bounded by sphere covering, Λ_f feasible, gap).
import { InputError } from "../../common/errors.js";
import {
  certifyVectorNetwork, loadTwoLayerReluModel, modelToVectorNetwork, solveVectorByRestarts, vectorProblem, withBias,
  type VectorLossName, type VectorNetworkCertificate, type VectorReluNetwork,
} from "../../convex/index.js";
import type { Dataset } from "../../data/index.js";
import { parseIntOption, resolveDataset } from "../io.js";
import { emit, makePatterns, parsePositive, patternSummary, type ConvexOptions } from "./convexCommon.js";

/** Default certificate tolerance of a GD search: GD chatters at ReLU kinks, so 1e-8 is out of reach (the gap says what was reached). */
const VECTOR_SOLVE_TOL = 1e-3;

function vectorLoss(raw: string): VectorLossName {
  if (raw === "square" || raw === "softmax") return raw;
  throw new InputError("--loss", `vector outputs take square or softmax, got ${JSON.stringify(raw)}`);
}

/** The model file record of a vector network (a: m rows of k numbers; bias = last coordinate when `bias`). */
function vectorModelJson(net: VectorReluNetwork, bias: boolean): Record<string, unknown> {
  const d = bias ? net.D - 1 : net.D;
  const W: number[][] = [];
  const a: number[][] = [];
  const b: number[] = [];
  for (let j = 0; j < net.m; j++) {
    W.push(Array.from(net.W.subarray(j * net.D, j * net.D + d)));
    a.push(Array.from(net.A.subarray(j * net.c, (j + 1) * net.c)));
    if (bias) b.push(net.W[j * net.D + d]);
  }
  return bias ? { kind: "two-layer", activation: "relu", W, a, b } : { kind: "two-layer", activation: "relu", W, a };
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

/** `convex --data D --beta B` with k > 1 outputs: multi-start GD at width nc + 1, each run certified. */
export function runVectorSolve(opts: ConvexOptions, ds: Dataset): number {
  const loss = vectorLoss(opts.loss);
  const beta = parsePositive("--beta", opts.beta);
  const tol = parsePositive("--tol", opts.tol, VECTOR_SOLVE_TOL);
  const seed = parseIntOption("--seed", opts.seed, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const width = parseIntOption("--width", opts.width, 1, 100_000);
  const restarts = parseIntOption("--restarts", opts.restarts, 1, 10_000);
  const steps = parseIntOption("--steps", opts.steps, 1, 1e9);
  if (opts.program !== "relu") throw new InputError("--program", "vector outputs: only the ReLU network (GD search with certificates) is available");
  const X = opts.bias ? withBias(ds.X) : ds.X;
  const patterns = makePatterns(X, opts.patterns, opts.gates, seed);
  let problem;
  try {
    problem = vectorProblem(X, ds.Y, beta, loss, patterns);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(ds.source, e.message, "y");
    throw e;
  }
  const res = solveVectorByRestarts(problem, { width, restarts, steps, seed, tol });
  const ok = res.relativeGap <= tol;
  const best = res.best.certificate;
  const out = {
    program: "vector-gd", optimum: res.primalValue, dualValue: res.dualValue, gap: res.gap, relativeGap: res.relativeGap,
    patterns: patterns.count, exact: patterns.exact, network: vectorModelJson(res.network, Boolean(opts.bias)),
    mStar: null, MStar: null, directions: null,
    note: "vector outputs: no finite convex program; the optimum is searched by weight-decayed GD from several seeds and bracketed by the best certified dual value (a lower bound at every width)",
    outputs: ds.Y.cols, connectivityWidth: best.connectivityWidth, width: res.width, beta, loss, bias: Boolean(opts.bias), patternSet: patternSummary(patterns),
    best: certificateJson(best),
    runs: res.runs.map((r) => ({ seed: r.seed, lr: r.lr, objective: r.objective, gradNorm: r.gradNorm, neurons: r.neurons, classification: r.certificate.classification, dualValue: r.certificate.certificate.dualValue })),
    solver: { method: "multi-start weight-decayed GD + vector dual certificate", restarts: res.runs.length, tol, converged: ok, seconds: res.seconds },
  };
  emit(opts, out, [
    `vector outputs (k = ${ds.Y.cols}): best objective ${res.primalValue} over ${res.runs.length} GD runs at width ${res.width}; certified lower bound ${res.dualValue} (relative gap ${res.relativeGap.toExponential(2)}${ok ? "" : `, tolerance ${tol} NOT reached`})`,
    `${patterns.count} patterns (${patterns.exact ? "exact: the lower bound holds for every network" : `${patterns.method}: the bound is relative to them`}); best run: ${best.classification}, ${res.best.neurons} neurons, s ∈ [${best.certificate.sLower.toPrecision(6)}, ${best.certificate.s.toPrecision(6)}] vs β = ${beta}`,
    ...res.runs.map((r) => `  seed ${r.seed}: objective ${r.objective.toPrecision(8)}, ${r.certificate.classification}, ‖∇F‖ = ${r.gradNorm.toExponential(1)}`),
  ]);
  return ok ? 0 : 1;
}

/** `convex --certify --model M` for a vector-output model: the vector certificate and classification. */
export function runVectorCertify(opts: ConvexOptions): number {
  const loss = vectorLoss(opts.loss);
  if (opts.model === undefined) throw new InputError("--model", "is required with --certify");
  if (opts.data === undefined) throw new InputError("--data", "is required");
  const beta = parsePositive("--beta", opts.beta);
  const tol = parsePositive("--tol", opts.tol, 1e-6);
  const seed = parseIntOption("--seed", opts.seed, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const model = loadTwoLayerReluModel(opts.model, { vector: true });
  const ds = resolveDataset(opts.data, { labelCols: opts.labelCols });
  if (model.W.cols !== ds.X.cols) throw new InputError(opts.model, `W rows have ${model.W.cols} entries but the data has d = ${ds.X.cols}`, "W");
  if (model.k !== ds.Y.cols) throw new InputError(opts.model, `the model has ${model.k} outputs but the data has ${ds.Y.cols} target columns`, "a");
  const X = model.b !== null ? withBias(ds.X) : ds.X;
  const patterns = makePatterns(X, opts.patterns, opts.gates, seed);
  let problem;
  try {
    problem = vectorProblem(X, ds.Y, beta, loss, patterns);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(ds.source, e.message, "y");
    throw e;
  }
  const cert = certifyVectorNetwork(problem, modelToVectorNetwork(model), { tol });
  const out = { ...certificateJson(cert), beta, tol, outputs: model.k, exact: cert.exact, patterns: patterns.count, patternSet: patternSummary(patterns) };
  emit(opts, out, [
    `${cert.classification} (vector outputs, k = ${model.k})`,
    ...cert.reasons.map((r) => `  ${r}`),
    `  s ∈ [${cert.certificate.sLower.toPrecision(8)}, ${cert.certificate.s.toPrecision(8)}] (${cert.certificate.norm.method}) vs β = ${beta}: ${cert.certificate.dualFeasibility}; connected optimal set from width nc + 1 = ${cert.connectivityWidth}`,
  ]);
  return 0;
}
