// Gated ReLU: the convex program without cone constraints, a group lasso
//   min_W  L(Σ_i D_i X w_i, y) + β Σ_i ‖w_i‖.
// Dual: max −L*(−ν) s.t. ‖Xᵀ D_i ν‖ ≤ β for all i, so the exact certificate is s = max_i ‖Xᵀ D_i ν‖
// with ν = −∇L(ŷ) (Mishkin, Sahiner & Pilanci 2022, §3; docs/science/convex.md §9.1).
//
// Solved by a working-set method (Massias, Gramfort & Salmon 2018, "Celer", §3): R-FISTA
// (groupFista.ts) on a few blocks — the nonzero ones and those whose dual constraint is nearest
// to binding — to a gap that is a fraction of the full one; then the full certificate over every
// block (one GEMM), which also ranks the next working set (KKT violators first) and feeds the
// gap-safe screening rule (gapSafe.ts) that removes blocks provably zero at the optimum. The full
// certificate is evaluated only when the working-set solve has converged, the one moment it can
// change the decision. The returned numbers are a certificate over ALL blocks: screened blocks
// enter s through the bound ‖Xᵀ D_b ν‖ ≤ ‖Xᵀ D_b ν_ref‖ + σ_b‖ν − ν_ref‖ (or exactly, when that
// bound would matter).
import {
  blockNorms, type BlockOperator, type ConvexLoss, convexLoss, type ConvexProblem, dualFromPrediction, gapReport, type GapReport,
  groupNorm, predict, SOLVE_TOL, spreadDual, adjoint,
} from "../program/index.js";
import { blockSpectralBounds, gapSafeRadius, gapSafeScreen } from "./gapSafe.js";
import { type GroupFistaState, groupFistaState, type GroupFistaWorkspace, groupFistaWorkspace, predictionGramNorm, runGroupFista } from "./groupFista.js";
import { adjointMasked, type MaskedBlocks, maskedBlocks, predictMasked, restrictBlocks } from "./maskedBlocks.js";

/** Options shared by the solvers. */
export interface SolveOptions {
  /** Target relative duality gap (gap/primal). Default 1e-8. */
  readonly tol?: number;
  /** Iteration limit (FISTA iterations, all outer steps together). Default 20000. */
  readonly maxIterations?: number;
  /** Evaluate the working-set gap every this many iterations (no GEMM: O(n + P·d)). Default 1. */
  readonly checkEvery?: number;
  /** Wall-clock limit in seconds. Default Infinity. */
  readonly timeLimit?: number;
  /** FISTA step growth after each accepted step (1 = never grow). Default 1.05. */
  readonly stepGrowth?: number;
  /**
   * Also stop once the primal objective is ≤ this (gated solver; default −∞): a time-to-objective
   * measurement. The result still carries the certificate at that point; `converged` says tol.
   */
  readonly targetObjective?: number;
}

/** The gated ReLU optimum and the numbers that justify it. */
export interface GatedSolution extends GapReport {
  /** P×d blocks w_i (row i for pattern i). */
  readonly W: Float64Array;
  /** ŷ = Σ_i D_i X w_i. */
  readonly prediction: Float64Array;
  /** Blocks with w_i ≠ 0. */
  readonly activeBlocks: number;
  /** Blocks removed by the gap-safe rule (provably zero at every optimum). */
  readonly screenedBlocks: number;
  /** Blocks in the last working set. */
  readonly workingSetSize: number;
  /** Full certificates evaluated (working-set rounds). */
  readonly outerIterations: number;
  readonly iterations: number;
  readonly restarts: number;
  readonly backtracks: number;
  /** relativeGap ≤ tol reached. */
  readonly converged: boolean;
  readonly tol: number;
  readonly maxIterations: number;
  readonly seconds: number;
}

/**
 * Exact gated-ReLU gap at an iterate of the block-major form (program/operator.ts: Z = W Xᵀ),
 * one adjoint GEMM; kept for callers of that form.
 */
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

/** Working-set solves stop at this fraction of the full gap (Celer's choice, Massias et al. 2018). */
const INNER_GAP_FRACTION = 0.3;
/** Smallest working set. */
const MIN_WORKING_SET = 16;
/**
 * The working set holds this many times the nonzero blocks (never shrinking). Celer doubles; on
 * the scnn demo with raw X (≈ 217 of 500 blocks active) 1.3 reached scnn's objective in 3.1 s CPU
 * against 5.5 s with 2 (same iterations' worth of progress on a set half the size).
 */
const WS_GROWTH = 1.3;
/** Power steps for the first working set's step size, and warm-started ones for later sets. */
const POWER_STEPS_COLD = 12;
const POWER_STEPS_WARM = 4;

/** Blocks screened at one moment: ν_ref (unscaled) and ‖Xᵀ D_b ν_ref‖ for each. */
interface ScreenEvent {
  readonly nu: Float64Array;
  readonly blocks: Int32Array;
  readonly scores: Float64Array;
}

/** The fixed data of one solve. */
interface GatedContext {
  readonly full: MaskedBlocks;
  readonly loss: ConvexLoss;
  readonly y: Float64Array;
  readonly beta: number;
  /** σ_b ≥ ‖D_b X‖₂. */
  readonly sigma: Float64Array;
  readonly events: ScreenEvent[];
  readonly nd: Float64Array;
}

/** A full certificate and the dual scores it was made of. */
interface Certificate {
  readonly report: GapReport;
  /** ν = −∇L(ŷ), unscaled. */
  readonly nu: Float64Array;
  /** ‖Xᵀ D_b ν‖ for the candidate blocks (positions of `cand`). */
  readonly scores: Float64Array;
}

/** max over the screened blocks of the bound ‖Xᵀ D_b ν_ref‖ + σ_b‖ν − ν_ref‖ ≥ ‖Xᵀ D_b ν‖. */
function screenedBound(ctx: GatedContext, nu: Float64Array): number {
  let s = 0;
  for (const e of ctx.events) {
    let dd = 0;
    for (let k = 0; k < nu.length; k++) dd += (nu[k] - e.nu[k]) ** 2;
    const dist = Math.sqrt(dd);
    for (let i = 0; i < e.blocks.length; i++) s = Math.max(s, e.scores[i] + ctx.sigma[e.blocks[i]] * dist);
  }
  return s;
}

/** Max block norm of G (count×d). */
function maxBlockNorm(G: Float64Array, count: number, d: number, norms: Float64Array): number {
  blockNorms(G, count, d, norms);
  let s = 0;
  for (let b = 0; b < count; b++) s = Math.max(s, norms[b]);
  return s;
}

/**
 * The duality gap at (W, ŷ) over all blocks: exact scores on the candidates (one GEMM), the
 * screening bound on the rest — or exact scores on every block when that bound could raise s.
 */
function certify(ctx: GatedContext, cand: MaskedBlocks, W: Float64Array, yhat: Float64Array): Certificate {
  const { full, loss, y, beta } = ctx;
  const { d } = full;
  const primal = loss.value(yhat, y) + beta * groupNorm(W, full.count, d);
  const nu = dualFromPrediction(loss, yhat, y);
  const G = new Float64Array(cand.count * d);
  adjointMasked(cand, nu, ctx.nd, G);
  const scores = new Float64Array(cand.count);
  let s = maxBlockNorm(G, cand.count, d, scores);
  if (cand.count < full.count) {
    const bound = screenedBound(ctx, nu);
    if (bound > s && bound > beta) {
      const Gf = new Float64Array(full.count * d);
      adjointMasked(full, nu, ctx.nd, Gf);
      s = maxBlockNorm(Gf, full.count, d, new Float64Array(full.count));
    } else {
      s = Math.max(s, bound);
    }
  }
  return { report: gapReport(loss, y, beta, primal, nu, s), nu, scores };
}

/**
 * Gap-safe screening of the zero candidate blocks with the feasible point θ = scale·ν of `cert`;
 * returns the candidates that remain (positions in `full`), recording the screened ones.
 */
function screen(ctx: GatedContext, cand: MaskedBlocks, W: Float64Array, cert: Certificate): Int32Array | null {
  const { d } = ctx.full;
  const { report, nu, scores } = cert;
  const radius = gapSafeRadius(report.primalValue - report.dualValue, ctx.loss.curvature);
  const theta = scores.map((v) => v * report.scale);
  const sig = Float64Array.from(cand.index, (b) => ctx.sigma[b]);
  const flag = new Uint8Array(cand.count);
  if (gapSafeScreen(theta, sig, radius, ctx.beta, flag) === 0) return null;
  const keep: number[] = [];
  const blocks: number[] = [];
  const refScores: number[] = [];
  for (let i = 0; i < cand.count; i++) {
    const b = cand.index[i];
    let zero = true;
    for (let j = 0; j < d && zero; j++) zero = W[b * d + j] === 0;
    if (flag[i] === 1 && zero) {
      blocks.push(b);
      refScores.push(scores[i]);
    } else {
      keep.push(b);
    }
  }
  if (blocks.length === 0) return null;
  ctx.events.push({ nu: nu.slice(), blocks: Int32Array.from(blocks), scores: Float64Array.from(refScores) });
  return Int32Array.from(keep);
}

/**
 * The next working set (positions in `full`): every nonzero candidate, then the candidates with
 * the smallest (β − scale·score_b)/σ_b (KKT violators first), `size` in all.
 */
function workingSet(ctx: GatedContext, cand: MaskedBlocks, W: Float64Array, cert: Certificate, size: number): Int32Array {
  const { d } = ctx.full;
  const key = new Float64Array(cand.count);
  for (let i = 0; i < cand.count; i++) {
    const b = cand.index[i];
    let nz = false;
    for (let j = 0; j < d && !nz; j++) nz = W[b * d + j] !== 0;
    key[i] = nz ? -Infinity : (ctx.beta - cert.report.scale * cert.scores[i]) / ctx.sigma[b];
  }
  const order = Array.from({ length: cand.count }, (_, i) => i).sort((a, b) => key[a] - key[b]);
  const chosen = order.slice(0, Math.min(size, cand.count)).map((i) => cand.index[i]);
  return Int32Array.from(chosen.sort((a, b) => a - b));
}

function countNonzero(W: Float64Array, count: number, d: number): number {
  let a = 0;
  for (let b = 0; b < count; b++) {
    for (let j = 0; j < d; j++) {
      if (W[b * d + j] !== 0) {
        a++;
        break;
      }
    }
  }
  return a;
}

/** R-FISTA on one working set, kept while the set is unchanged (momentum and step carry on). */
interface WorkingSetSolve {
  /** Blocks (positions in `full`, ascending). */
  readonly idx: Int32Array;
  readonly ws: MaskedBlocks;
  readonly state: GroupFistaState;
  readonly work: GroupFistaWorkspace;
}

function sameBlocks(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A fresh R-FISTA state on the blocks `idx` from W, its step 1/(ℓ''_max·λ) with λ ≈ λ_max(FᵀF) on
 * the working set by a power iteration warm-started from the last vector (`power`, P×d, updated).
 */
function newWorkingSet(ctx: GatedContext, idx: Int32Array, W: Float64Array, power: Float64Array, cold: boolean): WorkingSetSolve {
  const { d } = ctx.full;
  const ws = restrictBlocks(ctx.full, idx);
  const V = new Float64Array(ws.count * d);
  for (let i = 0; i < ws.count; i++) V.set(power.subarray(idx[i] * d, (idx[i] + 1) * d), i * d);
  const lambda = predictionGramNorm(ws, V, cold ? POWER_STEPS_COLD : POWER_STEPS_WARM);
  for (let i = 0; i < ws.count; i++) power.set(V.subarray(i * d, (i + 1) * d), idx[i] * d);
  const Wws = new Float64Array(ws.count * d);
  for (let i = 0; i < ws.count; i++) Wws.set(W.subarray(idx[i] * d, (idx[i] + 1) * d), i * d);
  const eta = 1 / Math.max(ctx.loss.curvature * lambda, Number.MIN_VALUE);
  return { idx, ws, state: groupFistaState(ws, Wws, eta), work: groupFistaWorkspace(ws) };
}

/**
 * Carry the momentum across a change of working set: x_{k−1} restricted to the new set (blocks
 * new to it are 0; its ŷ recomputed, one GEMM) and t. Measured on the raw demo: 816 instead of
 * 1043 iterations to scnn's objective, 2657 instead of 2784 to gap 1e-6.
 */
function carryMomentum(ctx: GatedContext, prev: WorkingSetSolve, next: WorkingSetSolve): void {
  const { d, n } = ctx.full;
  const at = new Map<number, number>();
  for (let i = 0; i < prev.idx.length; i++) at.set(prev.idx[i], i);
  const Wp = next.state.Wprev;
  Wp.fill(0);
  for (let i = 0; i < next.idx.length; i++) {
    const j = at.get(next.idx[i]);
    if (j !== undefined) Wp.set(prev.state.Wprev.subarray(j * d, (j + 1) * d), i * d);
  }
  predictMasked(next.ws, Wp, new Float64Array(n * d), next.state.yhatPrev);
  next.state.t = prev.state.t;
}

/**
 * Solve the gated ReLU program of `problem` (its patterns serve as the gates D_i) to relative
 * duality gap `tol` (over all blocks), starting from W = 0 (or `warm`, P×d).
 *
 * @param problem - the convex problem (`convexProblem`); its patterns are the gates
 * @param opts - `tol` (relative duality gap), iteration and time limits, step settings
 * @param warm - optional starting blocks W, P × d row-major
 * @returns the blocks W, the prediction, the gap report (primal, dual, relative gap) and solver counts
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, solveGatedRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const sol = solveGatedRelu(convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X)), { tol: 1e-10 });
 * console.log(sol.converged, sol.relativeGap, sol.activeBlocks);
 * ```
 */
export function solveGatedRelu(problem: ConvexProblem, opts: SolveOptions = {}, warm?: Float64Array): GatedSolution {
  const t0 = performance.now();
  const tol = opts.tol ?? SOLVE_TOL;
  const maxIterations = opts.maxIterations ?? 20000;
  const checkEvery = opts.checkEvery ?? 1;
  const timeLimit = opts.timeLimit ?? Infinity;
  const growth = opts.stepGrowth ?? 1.05;
  const targetObjective = opts.targetObjective ?? -Infinity;
  const full = maskedBlocks(problem.X, problem.patterns);
  const { n, d, count: P } = full;
  const ctx: GatedContext = {
    full, loss: convexLoss(problem.loss), y: problem.y, beta: problem.beta,
    sigma: blockSpectralBounds(full, problem.X), events: [], nd: new Float64Array(n * d),
  };
  const W = new Float64Array(P * d);
  let yhat: Float64Array = new Float64Array(n);
  if (warm !== undefined) {
    W.set(warm);
    predictMasked(full, W, ctx.nd, yhat);
  }
  const power = new Float64Array(P * d);
  let seed = 12345;
  for (let i = 0; i < power.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    power[i] = seed / 2147483648 - 0.5;
  }
  let cand = full;
  let best: GapReport | null = null;
  let report: GapReport;
  let wsSize = 0;
  let eta = 0;
  let inner: WorkingSetSolve | null = null;
  let outer = 0;
  const totals = { iterations: 0, restarts: 0, backtracks: 0 };
  const timeUp = (): boolean => (performance.now() - t0) / 1000 > timeLimit;
  for (;;) {
    outer++;
    let cert = certify(ctx, cand, W, yhat);
    if (best === null || cert.report.dualValue > best.dualValue) best = cert.report;
    report = withBestDual(cert.report, best);
    if (report.relativeGap <= tol || report.primalValue <= targetObjective || totals.iterations >= maxIterations || timeUp()) break;
    const keep = screen(ctx, cand, W, cert);
    if (keep !== null) {
      const pos = new Map<number, number>();
      for (let i = 0; i < cand.count; i++) pos.set(cand.index[i], i);
      cert = { ...cert, scores: Float64Array.from(keep, (b) => cert.scores[pos.get(b)!]) };
      cand = restrictBlocks(full, keep);
    }
    wsSize = Math.min(cand.count, Math.max(wsSize, MIN_WORKING_SET, Math.ceil(WS_GROWTH * countNonzero(W, P, d))));
    const wsIdx = workingSet(ctx, cand, W, cert, wsSize);
    if (inner === null || !sameBlocks(inner.idx, wsIdx)) {
      const prev: WorkingSetSolve | null = inner;
      inner = newWorkingSet(ctx, wsIdx, W, power, eta === 0);
      if (prev !== null) carryMomentum(ctx, prev, inner);
    }
    const { ws, state } = inner;
    const target = Math.max(INNER_GAP_FRACTION * report.gap, 0.5 * tol * Math.abs(report.primalValue));
    const before = { iterations: state.iterations, restarts: state.restarts, backtracks: state.backtracks };
    const norms = new Float64Array(ws.count);
    const nu = new Float64Array(n);
    runGroupFista(ws, ctx.loss, ctx.y, ctx.beta, state, inner.work, {
      maxIterations: maxIterations - totals.iterations,
      checkEvery,
      growth,
      check(st, r, G) {
        // The working-set problem's gap with ν = −∇L at the step's extrapolated point (no GEMM).
        const primal = ctx.loss.value(st.yhat, ctx.y) + ctx.beta * groupNorm(st.W, ws.count, d);
        for (let k = 0; k < n; k++) nu[k] = -r[k];
        const sub = gapReport(ctx.loss, ctx.y, ctx.beta, primal, nu, maxBlockNorm(G, ws.count, d, norms));
        return sub.gap <= target || primal <= targetObjective || timeUp();
      },
    });
    eta = state.eta;
    totals.iterations += state.iterations - before.iterations;
    totals.restarts += state.restarts - before.restarts;
    totals.backtracks += state.backtracks - before.backtracks;
    for (let i = 0; i < ws.count; i++) W.set(state.W.subarray(i * d, (i + 1) * d), wsIdx[i] * d);
    yhat = state.yhat;
  }
  const screened = P - cand.count;
  return {
    ...report,
    W,
    prediction: yhat.slice(),
    activeBlocks: countNonzero(W, P, d),
    screenedBlocks: screened,
    workingSetSize: wsSize,
    outerIterations: outer,
    ...totals,
    converged: report.relativeGap <= tol,
    tol,
    maxIterations,
    seconds: (performance.now() - t0) / 1000,
  };
}
