// The ReLU program with cone constraints,
//   min_{u_i, v_i ∈ K_i} L(Σ_i D_i X (u_i − v_i), y) + β Σ_i (‖u_i‖ + ‖v_i‖),
// by R-FISTA (fista.ts) with the exact prox of h(w) = β‖w‖ + ι_K(w) (coneProx.ts).
//
// Why this method, by measurement (scnn solver-demo workload, n = 1000, d = 50, 250 gates = 500
// blocks, β = 10, and exact small instances n = 10–15, d = 2–3 + bias, P = 92–940):
//  * Augmented Lagrangian with R-FISTA inner solves (scnn's method, penalty on the same
//    Z = W Xᵀ, so no extra GEMMs): on the demo it was still at relative gap 0.22 with all 500
//    blocks nonzero after 11 500 iterations (170 s); on the exact instances it needed > 20 000
//    iterations and missed 1e-8. Its iterates are infeasible, so the primal value is no bound
//    until a final projection, and δ must be tuned to the coupling of the blocks (∝ B).
//  * ADMM with a cached factorisation needs Fᵀ F + ρ(I + blockdiag(XᵀX)) solved by Woodbury (an
//    n×n Cholesky factor and 4–5 GEMMs per iteration) and many iterations for high accuracy.
//  * An interior-point method needs dense Newton systems of size 2Pd (or Σ_b n²d work for the
//    n×n Schur complement): fine at n ≈ 10, out of reach at n = 1000.
//  * Exact-prox FISTA (this file): every iterate is feasible, so the primal value is an upper
//    bound and the gap is a certificate at every check; one iteration costs the two GEMMs of a
//    gated-ReLU iteration plus cone projections for the blocks whose prox input leaves its cone
//    (screened to zero by stored multipliers, or taken from a cached face; coneProx.ts), and an
//    active-face Newton polish (polish.ts) finishes to rounding level. Measured: demo to gap
//    7e-15 in 72 s / 800 iterations (the first 300 iterations, while active sets still change,
//    take 50 s in from-scratch NNLS projections — the place to speed up); exact small instances
//    to 1e-10–1e-14 in 0.01–8 s (SCS: 0.02–107 s on the same instances).
// The certificate at each check uses s ≤ max_b min(‖g_b‖, multiplier bound), with an exact
// projection where the bound exceeds β, so the dual value is rigorous throughout.
import { nrm2 } from "../../linalg/index.js";
import {
  adjoint, blockNorms, convexLoss, SOLVE_TOL, dualFromPrediction, gapReport, groupNorm, reluOperator, reluPointFields, spreadDual,
  type BlockOperator, type ConvexLoss, type ConvexProblem, type GapReport,
} from "../program/index.js";
import { coneProx, coneProxState, multiplierBound, projectBlock, type ConeProxState } from "./coneProx.js";
import { estimateLipschitz, fistaState, fistaWorkspace, runFista, setIterate, type FistaState } from "./fista.js";
import { withBestDual } from "./gated.js";
import { polishOnFace } from "./polish.js";
import type { ReluSolution, ReluSolveOptions } from "./reluSolution.js";
import { makeZSmooth, type ZSmooth } from "./smooth.js";

/**
 * Polish on the active face once the certified gap is below this… (measured on the scnn demo:
 * 1e-4 with one try per 100 iterations polished once, at gap 8e-5, to 7e-15 in 72 s; 1e-2 every
 * 50 iterations spent 13 s more on rejected polishes.)
 */
const POLISH_BELOW = 1e-4;
/** …at most once per this many iterations. */
const POLISH_EVERY = 100;

/** Projection tolerance of the prox and of the certificate's exact projections. */
const PROJ_TOL = 1e-13;

/**
 * The rigorous gap at an iterate (W, Z): ŷ, ν = −∇L(ŷ), G = blocks of Xᵀ D ν, and
 * s = max_b min(‖g_b‖, multiplier bound), with an exact projection of g_b where that exceeds β.
 * ŷ and ν of the last call stay in `yhat`, `nu`.
 */
class IterateCertifier {
  readonly yhat: Float64Array;
  readonly nu: Float64Array;
  private readonly R: Float64Array;
  private readonly G: Float64Array;
  private readonly gNorm: Float64Array;
  private readonly gx: Float64Array;

  constructor(
    private readonly op: BlockOperator, private readonly loss: ConvexLoss, private readonly problem: ConvexProblem,
    private readonly cone: ConeProxState, private readonly smooth: ZSmooth,
  ) {
    const { n, d, blocks: B } = op;
    this.yhat = new Float64Array(n);
    this.nu = new Float64Array(n);
    this.R = new Float64Array(B * n);
    this.G = new Float64Array(B * d);
    this.gNorm = new Float64Array(B);
    this.gx = new Float64Array(B * n);
  }

  certify(W: Float64Array, Z: Float64Array): GapReport {
    const { op, loss, problem, yhat, nu, R, G, gNorm } = this;
    const { d, blocks: B } = op;
    const beta = problem.beta;
    this.smooth.prediction(Z, yhat);
    const primal = loss.value(yhat, problem.y) + beta * groupNorm(W, B, d);
    dualFromPrediction(loss, yhat, problem.y, nu);
    spreadDual(op, nu, R);
    adjoint(op, R, G);
    blockNorms(G, B, d, gNorm);
    let s = 0;
    for (let b = 0; b < B; b++) {
      let v = gNorm[b];
      if (v > beta) v = Math.min(v, multiplierBound(G, b * d, this.cone.q, b * d, d));
      if (v > beta) v = this.projectedNorm(b);
      s = Math.max(s, v);
    }
    return gapReport(loss, problem.y, beta, primal, nu, s);
  }

  /** ‖Π_{K_b}(g_b)‖ by an exact projection (the image X g_b computed directly). */
  private projectedNorm(b: number): number {
    const { op, G, gx } = this;
    const { n, d } = op;
    const go = b * d;
    const zo = b * n;
    for (let k = 0; k < n; k++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += op.X[k * d + j] * G[go + j];
      gx[zo + k] = t;
    }
    const g = G.slice(go, go + d);
    projectBlock(op, this.cone, b, { W: g, wOff: 0, Zx: gx, zOff: zo }, PROJ_TOL);
    return nrm2(g);
  }
}

/**
 * R-FISTA with the exact cone prox (see the file comment), from `start` (2P×d blocks, feasible)
 * or from zero. At every check the iterate is certified (IterateCertifier) with the best dual
 * so far; below POLISH_BELOW an active-face Newton polish is tried, kept only if it does not
 * raise the primal value.
 */
export function solveReluFista(problem: ConvexProblem, opts: ReluSolveOptions, start?: Float64Array): ReluSolution {
  const t0 = performance.now();
  const tol = opts.tol ?? SOLVE_TOL;
  const maxIterations = opts.maxIterations ?? 50000;
  const timeLimit = opts.timeLimit ?? Infinity;
  const op = reluOperator(problem.X, problem.patterns);
  const loss = convexLoss(problem.loss);
  const beta = problem.beta;
  const smooth = makeZSmooth(op, loss, problem.y);
  const state = fistaState(op, 1 / Math.max(estimateLipschitz(op, loss.curvature), Number.MIN_VALUE));
  const cone = coneProxState(op);
  if (start !== undefined) setIterate(op, state, start);
  const cert = new IterateCertifier(op, loss, problem, cone, smooth);
  const polish = opts.polish ?? true;
  let lastPolish = 0;
  let polished = 0;
  let best = cert.certify(state.W, state.Z);
  let report = best;
  const record = (cur: GapReport): void => {
    if (cur.dualValue > best.dualValue) best = cur;
    report = withBestDual(cur, best);
  };
  /** Polish the iterate on its active face; keep it when the primal value does not rise. */
  const tryPolish = (st: FistaState, cur: GapReport): void => {
    lastPolish = st.iterations;
    const Wp = polishOnFace(op, loss, problem.y, beta, st.W, st.Z);
    if (Wp === null) return;
    const saved = st.W.slice();
    setIterate(op, st, Wp);
    const pol = cert.certify(st.W, st.Z);
    if (pol.primalValue <= cur.primalValue * (1 + 1e-14)) {
      polished++;
      record(pol);
    } else {
      setIterate(op, st, saved);
      cert.certify(st.W, st.Z);
    }
  };
  let stoppedByCheck = report.relativeGap <= tol;
  if (!stoppedByCheck) {
    stoppedByCheck = runFista(op, smooth, coneProx(op, cone, PROJ_TOL), beta, state, fistaWorkspace(op), {
      maxIterations,
      checkEvery: opts.checkEvery ?? 10,
      growth: opts.stepGrowth ?? 1.05,
      check(st) {
        const cur = cert.certify(st.W, st.Z);
        record(cur);
        if (report.relativeGap > tol && report.relativeGap < POLISH_BELOW && polish && st.iterations - lastPolish >= POLISH_EVERY) tryPolish(st, cur);
        return report.relativeGap <= tol || (performance.now() - t0) / 1000 > timeLimit;
      },
    });
  }
  return {
    ...report,
    ...reluPointFields(op, state.W, state.Z),
    prediction: cert.yhat.slice(),
    nu: cert.nu.slice(),
    iterations: state.iterations,
    restarts: state.restarts,
    backtracks: state.backtracks,
    projections: cone.projections + cone.activeSetHits,
    faceHits: cone.faceHits,
    polished,
    method: "fista",
    converged: stoppedByCheck && report.relativeGap <= tol,
    tol,
    maxIterations,
    seconds: (performance.now() - t0) / 1000,
    exact: problem.patterns.exact,
  };
}
