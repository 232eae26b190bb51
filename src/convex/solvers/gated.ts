// Gated ReLU: the convex program without cone constraints, a group lasso
//   min_W  L(Σ_i D_i X w_i, y) + β Σ_i ‖w_i‖,
// solved by R-FISTA (fista.ts). Dual: max −L*(−ν) s.t. ‖Xᵀ D_i ν‖ ≤ β for all i, so the exact
// certificate is s = max_i ‖Xᵀ D_i ν‖ with ν = −∇L(ŷ) (Mishkin, Sahiner & Pilanci 2022, §3;
// docs/science/convex.md §9.1).
import { adjoint, blockNorms, type BlockOperator, convexLoss, type ConvexProblem, dualFromPrediction, gapReport, type GapReport, gatedOperator, groupNorm, predict, SOLVE_TOL, spreadDual } from "../program/index.js";
import { estimateLipschitz, fistaState, type FistaState, fistaWorkspace, groupShrink, runFista, setIterate } from "./fista.js";
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

/**
 * Solve the gated ReLU program of `problem` (its patterns serve as the gates D_i) to relative
 * duality gap `tol` by R-FISTA, starting from W = 0 (or `warm`, P×d).
 */
export function solveGatedRelu(problem: ConvexProblem, opts: SolveOptions = {}, warm?: Float64Array): GatedSolution {
  const t0 = performance.now();
  const tol = opts.tol ?? SOLVE_TOL;
  const maxIterations = opts.maxIterations ?? 20000;
  const checkEvery = opts.checkEvery ?? 10;
  const timeLimit = opts.timeLimit ?? Infinity;
  const op = gatedOperator(problem.X, problem.patterns);
  const loss = convexLoss(problem.loss);
  const smooth = makeZSmooth(op, loss, problem.y);
  const state: FistaState = fistaState(op, 1 / Math.max(estimateLipschitz(op, loss.curvature), Number.MIN_VALUE));
  if (warm !== undefined) setIterate(op, state, warm);
  const ws = fistaWorkspace(op);
  const scratch = {
    yhat: new Float64Array(op.n), nu: new Float64Array(op.n), R: new Float64Array(op.n * op.blocks),
    G: new Float64Array(op.blocks * op.d), norms: new Float64Array(op.blocks),
  };
  // The best dual value seen is a valid lower bound too (every check's ν_f is feasible).
  let best = gatedGap(op, problem, state.W, state.Z, scratch);
  let report = best;
  let converged = report.relativeGap <= tol;
  if (!converged) {
    converged = runFista(op, smooth, groupShrink(op.d, op.n), problem.beta, state, ws, {
      maxIterations,
      checkEvery,
      growth: opts.stepGrowth ?? 1.05,
      check(st) {
        const cur = gatedGap(op, problem, st.W, st.Z, scratch);
        if (cur.dualValue > best.dualValue) best = cur;
        report = withBestDual(cur, best);
        return report.relativeGap <= tol || (performance.now() - t0) / 1000 > timeLimit;
      },
    }) && report.relativeGap <= tol;
  }
  const norms = blockNorms(state.W, op.blocks, op.d);
  let active = 0;
  for (let b = 0; b < op.blocks; b++) if (norms[b] > 0) active++;
  return {
    ...report,
    W: state.W.slice(),
    prediction: scratch.yhat.slice(),
    activeBlocks: active,
    iterations: state.iterations,
    restarts: state.restarts,
    backtracks: state.backtracks,
    converged,
    tol,
    maxIterations,
    seconds: (performance.now() - t0) / 1000,
  };
}
