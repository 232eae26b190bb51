// The Convex view: weight-decayed two-layer ReLU training as a convex program (convex/). For the
// current data and β: the certified global optimum (exact activation patterns, so the duality
// gap is a proof), its optimal directions and the widths m* ≤ M*, the connectivity staircase;
// beside it a network trained by plain GD from the seed, and its certificate: global optimum,
// stationary point, or neither (with the library's reasons). The same steps and constants as
// `splitscape convex` and `splitscape convex --certify`.
import { InputError } from "../../../src/common/errors.js";
import type { Dataset } from "../../../src/data/index.js";
import {
  certifyNetwork, connectivityStaircase, convexProblem, convexToNetwork, enumeratePatterns, nonconvexObjective, optimalSet, pruneNetwork,
  solveRelu, TooManyPatternsError, trainWeightDecayed, withBias, type ReluNetwork,
} from "../../../src/convex/index.js";
import { normal, fork } from "../../../src/random/index.js";

export interface ConvexConfig {
  data: string;
  beta: number;
  bias: boolean;
  /** Width and GD settings of the trained network. */
  width: number;
  seed: number;
  lr: number;
  steps: number;
  initScale: number;
}

/** A neuron (w, α) in X̃-space, for the circle (the first two coordinates). */
export interface ConvexNeuron {
  w: number[];
  alpha: number;
}

export interface ConvexResult {
  /** β of this result (the page may already show newer controls). */
  beta: number;
  D: number;
  patterns: number;
  optimum: number;
  dualValue: number;
  relativeGap: number;
  /** Neurons of the solver's network (the optimum). */
  optimalNetwork: ConvexNeuron[];
  mStar: number | null;
  MStar: number | null;
  /** Why m*, M* are missing (gap too large, too many directions…), else null. */
  note: string | null;
  directions: { sign: number; direction: number[]; dualRatio: number }[];
  staircase: { width: number; claim: string; holds: boolean | null; evidence: string }[] | null;
  trained: {
    objective: number;
    excess: number;
    gradNorm: number;
    neurons: ConvexNeuron[];
    classification: string;
    reasons: string[];
    relativeGap: number;
    finite: boolean;
  };
}

/** The constants of `splitscape convex` (src/cli/commands/convex.ts). */
const MERGE_TOL = 1e-7;
const OPTIMAL_SET_GAP = 1e-8;
const SOLVE_GAP = 1e-12;
/** Exact enumeration is refused above this many patterns (the page must stay responsive). */
const MAX_PATTERNS = 4000;

function neurons(net: ReluNetwork): ConvexNeuron[] {
  return Array.from({ length: net.m }, (_, j) => ({ w: Array.from(net.W.subarray(j * net.D, (j + 1) * net.D)), alpha: net.alpha[j] }));
}

export function convexRun(c: ConvexConfig, ds: Dataset): ConvexResult {
  if (ds.Y.cols !== 1) throw new InputError(ds.source, `the Convex view solves scalar targets (k = 1), the data has k = ${ds.Y.cols}`, "y");
  if (!(c.beta > 0 && Number.isFinite(c.beta))) throw new InputError("beta", `expected a positive number, got ${c.beta}`);
  if (!Number.isInteger(c.width) || c.width < 1 || c.width > 200) throw new InputError("width", `expected an integer in [1, 200], got ${c.width}`);
  if (!Number.isInteger(c.steps) || c.steps < 0 || c.steps > 1_000_000) throw new InputError("steps", `expected an integer in [0, 1000000], got ${c.steps}`);
  const X = c.bias ? withBias(ds.X) : ds.X;
  const y = ds.Y.data.slice();
  let patterns;
  try {
    patterns = enumeratePatterns(X, { maxPatterns: MAX_PATTERNS });
  } catch (e) {
    if (e instanceof TooManyPatternsError) throw new InputError(ds.source, `${e.message}; the lab enumerates at most ${MAX_PATTERNS} patterns exactly — use fewer points (n) or \`splitscape convex --patterns sample:N\``);
    throw e;
  }
  const problem = convexProblem(X, y, c.beta, "square", patterns);
  const sol = solveRelu(problem, { tol: SOLVE_GAP, maxIterations: 50_000 });
  const net = convexToNetwork(sol.U, sol.V, X.cols, { mergeTol: MERGE_TOL });
  let mStar: number | null = null;
  let MStar: number | null = null;
  let note: string | null = null;
  let directions: ConvexResult["directions"] = [];
  let staircase: ConvexResult["staircase"] = null;
  if (sol.relativeGap <= OPTIMAL_SET_GAP) {
    const os = optimalSet(problem, sol.prediction);
    mStar = os.mStar;
    MStar = os.MStar;
    note = os.reason ?? null;
    directions = os.directions.map((d) => ({ sign: d.sign, direction: Array.from(d.direction), dualRatio: d.dualRatio }));
    if (os.vertices !== null && os.mStar !== null && sol.primalValue > 0) {
      staircase = connectivityStaircase(problem, os, sol.primalValue).rows.map((r) => ({ width: r.width, claim: r.claim, holds: r.holds, evidence: r.evidence }));
    }
  } else {
    note = `relative gap ${sol.relativeGap.toExponential(2)} > ${OPTIMAL_SET_GAP}: ν* too inaccurate for the optimal set`;
  }
  // The trained network: GD on F(W, α) = L + (β/2)Σ(‖w_j‖² + α_j²) from a seeded Gaussian start.
  const rng = fork(c.seed, "convex-init");
  const D = X.cols;
  const init: ReluNetwork = {
    W: Float64Array.from({ length: c.width * D }, () => normal(rng, 0, c.initScale)),
    alpha: Float64Array.from({ length: c.width }, () => normal(rng, 0, c.initScale)),
    m: c.width, D,
  };
  const gd = trainWeightDecayed(X, y, c.beta, init, { lr: c.lr, steps: c.steps });
  const pruned = gd.finite ? pruneNetwork(gd.net, X, 1e-6) : gd.net;
  const cert = gd.finite ? certifyNetwork(problem, pruned, { tol: 1e-6 }) : null;
  const F = gd.finite ? nonconvexObjective(pruned, X, y, c.beta, "square").objective : NaN;
  return {
    beta: c.beta, D, patterns: patterns.count, optimum: sol.primalValue, dualValue: sol.dualValue, relativeGap: sol.relativeGap,
    optimalNetwork: neurons(net), mStar, MStar, note, directions, staircase,
    trained: {
      objective: F, excess: (F - sol.primalValue) / sol.primalValue, gradNorm: gd.gradNorm, neurons: neurons(pruned),
      classification: cert?.classification ?? "neither",
      reasons: cert?.reasons ?? [`the objective became non-finite during GD (lr ${c.lr} too large)`],
      relativeGap: cert?.certificate.relativeGap ?? NaN, finite: gd.finite,
    },
  };
}
