// Gated ReLU: the convex program without cone constraints, a group lasso
//   min_W  L(Σ_i D_i X w_i, y) + β Σ_i ‖w_i‖,
// solved by R-FISTA (fista.ts). Dual: max −L*(−ν) s.t. ‖Xᵀ D_i ν‖ ≤ β for all i, so the exact
// certificate is s = max_i ‖Xᵀ D_i ν‖ with ν = −∇L(ŷ) (Mishkin, Sahiner & Pilanci 2022, §3;
// science/convex.md, "Solvers and scales").
import { dualFromPrediction, gapReport, type GapReport } from "./dual.js";
import { estimateLipschitz, fistaState, fistaWorkspace, groupShrink, runFista, setIterate, type FistaState } from "./fista.js";
import { convexLoss } from "./loss.js";
import {
  adjoint, blockNorms, forward, gatedOperator, groupNorm, predict, spreadDual, subOperator, type BlockOperator,
} from "./operator.js";
import type { ConvexProblem } from "./problem.js";
import { makeZSmooth } from "./smooth.js";

/** Options shared by the solvers. */
export interface SolveOptions {
  /** Target relative duality gap (gap/primal). Default 1e-8. */
  readonly tol?: number;
  /** Iteration limit (FISTA iterations, all outer steps together). Default 20000. */
  readonly maxIterations?: number;
  /** Evaluate the certificate every this many iterations. Default 10. */
  readonly checkEvery?: number;
  /** Wall-clock limit in seconds. Default Infinity. */
  readonly timeLimit?: number;
  /** FISTA step growth after each accepted step (1 = never grow). Default 1.05. */
  readonly stepGrowth?: number;
}

/** The gated ReLU optimum and the numbers that justify it. */
export interface GatedSolution extends GapReport {
  /** P×d blocks w_i (row i for pattern i). */
  readonly W: Float64Array;
  /** ŷ = Σ_i D_i X w_i. */
  readonly prediction: Float64Array;
  /** Blocks with w_i ≠ 0. */
  readonly activeBlocks: number;
  readonly iterations: number;
  readonly restarts: number;
  readonly backtracks: number;
  /** relativeGap ≤ tol reached. */
  readonly converged: boolean;
  readonly tol: number;
  readonly maxIterations: number;
  readonly seconds: number;
}

/** Exact gated-ReLU gap at the iterate (state.W, state.Z): one adjoint GEMM. */
export function gatedGap(
  op: BlockOperator, problem: ConvexProblem, W: Float64Array, Z: Float64Array,
  scratch: { yhat: Float64Array; nu: Float64Array; R: Float64Array; G: Float64Array; norms: Float64Array },
): GapReport {
  const loss = convexLoss(problem.loss);
  predict(op, Z, scratch.yhat);
  const primal = loss.value(scratch.yhat, problem.y) + problem.beta * groupNorm(W, op.blocks, op.d);
  dualFromPrediction(loss, scratch.yhat, problem.y, scratch.nu);
  spreadDual(op, scratch.nu, scratch.R);
  adjoint(op, scratch.R, scratch.G);
  blockNorms(scratch.G, op.blocks, op.d, scratch.norms);
  let s = 0;
  for (let b = 0; b < op.blocks; b++) s = Math.max(s, scratch.norms[b]);
  return gapReport(loss, problem.y, problem.beta, primal, scratch.nu, s);
}

/** The primal of `cur` with the dual of `best` (the larger lower bound). */
export function withBestDual(cur: GapReport, best: GapReport): GapReport {
  if (best.dualValue <= cur.dualValue) return cur;
  const gap = cur.primalValue - best.dualValue;
  return { ...best, primalValue: cur.primalValue, gap, relativeGap: gap / Math.max(Math.abs(cur.primalValue), Number.MIN_VALUE) };
}

/** Blocks added per working-set round: at least GATED_ADD_MIN, up to the working-set size. */
const GATED_ADD_MIN = 20;
/** Inner tolerance as a fraction of the last full relative gap (Celer's rule). */
const GATED_INNER_FRACTION = 0.3;

/**
 * Solve the gated ReLU program of `problem` (its patterns serve as the gates D_i) to relative
 * duality gap `tol` by R-FISTA on a working set of blocks (Blitz/Celer-style: restricted solve to
 * a fraction of the current gap, then price every block by ‖Xᵀ D_i ν‖ — one GEMM — and add the
 * violators ‖·‖ > β, largest first), starting from W = 0 (or `warm`, P×d, whose nonzero blocks
 * seed the working set). The gap is certified over all blocks at every pricing.
 */
export function solveGatedRelu(problem: ConvexProblem, opts: SolveOptions = {}, warm?: Float64Array): GatedSolution {
  const t0 = performance.now();
  const tol = opts.tol ?? 1e-8;
  const maxIterations = opts.maxIterations ?? 20000;
  const checkEvery = opts.checkEvery ?? 10;
  const timeLimit = opts.timeLimit ?? Infinity;
  const full = gatedOperator(problem.X, problem.patterns);
  const { n, d, blocks: B } = full;
  const loss = convexLoss(problem.loss);
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const Wfull = warm !== undefined ? warm.slice() : new Float64Array(B * d);
  if (Wfull.length !== B * d) throw new RangeError(`solveGatedRelu: warm start has ${Wfull.length} entries, expected ${B * d}`);
  const Zfull = new Float64Array(B * n);
  forward(full, Wfull, Zfull);
  const scratch = {
    yhat: new Float64Array(n), nu: new Float64Array(n), R: new Float64Array(n * B),
    G: new Float64Array(B * d), norms: new Float64Array(B),
  };
  let report = gatedGap(full, problem, Wfull, Zfull, scratch);
  let best = report;
  const inSet = new Uint8Array(B);
  let ws: number[] = [];
  for (let b = 0; b < B; b++) {
    let nz = false;
    for (let j = 0; j < d; j++) if (Wfull[b * d + j] !== 0) { nz = true; break; }
    if (nz) { inSet[b] = 1; ws.push(b); }
  }
  let iterations = 0;
  let restarts = 0;
  let backtracks = 0;
  let innerTol = Math.max(tol, GATED_INNER_FRACTION * report.relativeGap);
  let eta = 0;
  let converged = report.relativeGap <= tol;
  while (!converged && iterations < maxIterations && elapsed() <= timeLimit) {
    const norms = scratch.norms;
    const viol: number[] = [];
    for (let b = 0; b < B; b++) if (inSet[b] === 0 && norms[b] > problem.beta) viol.push(b);
    viol.sort((a, c) => norms[c] - norms[a]);
    if (viol.length > 0) {
      // Prune zero blocks whose constraint is clearly inactive (never a violator: no cycling).
      ws = ws.filter((b) => {
        let keep = norms[b] >= problem.beta * (1 - 1e-3);
        for (let j = 0; j < d && !keep; j++) if (Wfull[b * d + j] !== 0) keep = true;
        if (!keep) inSet[b] = 0;
        return keep;
      });
    }
    const add = viol.slice(0, Math.max(GATED_ADD_MIN, ws.length));
    for (const b of add) { inSet[b] = 1; ws.push(b); }
    ws.sort((a, c) => a - c);
    const sub = subOperator(full, ws);
    const smooth = makeZSmooth(sub, loss, problem.y);
    if (eta === 0 || add.length > 0) eta = 1 / Math.max(estimateLipschitz(sub, loss.curvature), Number.MIN_VALUE);
    const state: FistaState = fistaState(sub, eta);
    const Wsub = new Float64Array(ws.length * d);
    for (let t = 0; t < ws.length; t++) Wsub.set(Wfull.subarray(ws[t] * d, (ws[t] + 1) * d), t * d);
    setIterate(sub, state, Wsub);
    const subScratch = {
      yhat: new Float64Array(n), nu: new Float64Array(n), R: new Float64Array(n * ws.length),
      G: new Float64Array(ws.length * d), norms: new Float64Array(ws.length),
    };
    let subBest = gatedGap(sub, problem, state.W, state.Z, subScratch);
    if (subBest.relativeGap > innerTol) {
      runFista(sub, smooth, groupShrink(d, n), problem.beta, state, fistaWorkspace(sub), {
        maxIterations: maxIterations - iterations,
        checkEvery,
        growth: opts.stepGrowth ?? 1.05,
        check(st) {
          const cur = gatedGap(sub, problem, st.W, st.Z, subScratch);
          if (cur.dualValue > subBest.dualValue) subBest = cur;
          return withBestDual(cur, subBest).relativeGap <= innerTol || elapsed() > timeLimit;
        },
      });
    }
    iterations += state.iterations;
    restarts += state.restarts;
    backtracks += state.backtracks;
    eta = state.eta;
    Wfull.fill(0);
    for (let t = 0; t < ws.length; t++) Wfull.set(state.W.subarray(t * d, (t + 1) * d), ws[t] * d);
    forward(full, Wfull, Zfull);
    const cur = gatedGap(full, problem, Wfull, Zfull, scratch);
    if (cur.dualValue > best.dualValue) best = cur;
    report = withBestDual(cur, best);
    converged = report.relativeGap <= tol;
    let anyViolator = false;
    for (let b = 0; b < B; b++) if (inSet[b] === 0 && scratch.norms[b] > problem.beta) { anyViolator = true; break; }
    innerTol = anyViolator ? Math.max(tol, GATED_INNER_FRACTION * report.relativeGap) : tol;
    if (state.iterations === 0) innerTol = Math.max(tol, subBest.relativeGap * 0.1);
    if (!converged && add.length === 0 && state.iterations === 0) break;
  }
  const norms = blockNorms(Wfull, B, d);
  let active = 0;
  for (let b = 0; b < B; b++) if (norms[b] > 0) active++;
  return {
    ...report,
    W: Wfull,
    prediction: scratch.yhat.slice(),
    activeBlocks: active,
    iterations,
    restarts,
    backtracks,
    converged,
    tol,
    maxIterations,
    seconds: elapsed(),
  };
}
