// The ReLU program with cone constraints,
//   min_{u_i, v_i ∈ K_i} L(Σ_i D_i X (u_i − v_i), y) + β Σ_i (‖u_i‖ + ‖v_i‖),
// by a working-set method (Blitz/Celer-style, as for the group lasso) around R-FISTA (fista.ts)
// with the exact prox of h(w) = β‖w‖ + ι_K(w) (coneProx.ts):
//  1. price every block by its dual constraint s_b = ‖Π_{K_b}(g_b)‖, g_b = ±Xᵀ D_b ν (one GEMM for
//     all blocks; ‖g_b‖, the multiplier bound and the cached-face bound first, the exact
//     projection only where those exceed β), certify the gap over ALL blocks with
//     ν_f = ν·min(1, β/s);
//  2. prune zero working-set blocks with s_b < (1 − 1e-3)β, add the violators s_b > β (largest
//     first, up to the working-set size, at least 10);
//  3. solve the restricted program on the working set (sub-operator: every GEMM costs ∝ its size)
//     to a fraction 0.3 of the last full gap (tol/100 once nothing violates), with the active-face
//     Newton polish (polish.ts) when its gap is below 1e-4; repeat.
// Every iterate is feasible, so the primal value is an upper bound and the gap a certificate at
// every pricing. The prox projects each block onto its cached face (rows S, Cholesky factor of
// A_S A_Sᵀ: O(|S|(d + |S|)), no product with X) and FISTA forms the images Z = W Xᵀ by one GEMM,
// after which every row of every face-projected block is checked (O(n)); failures are redone by
// the exact projection (warm-started Lawson–Hanson in row space through K = X Xᵀ, coneProx.ts).
//
// Measured (scnn solver-demo workload, n = 1000, d = 50, 250 gates = 500 blocks, β = 10; 2-core
// box, node 20; the optimum has 186 nonzero blocks on faces with 44–49 active rows of d = 50,
// and ALL 500 blocks have ‖g_b‖ = 58–162 ≫ β = 10 at ν*, so the cheap ‖g‖ screen never prices a
// block and every block needs a cone projection at least once):
//  * previous solver (full-problem R-FISTA + exact prox): 72 s, 800 iterations.
//  * this solver: 34–37 s to gap 2e-12 (1e-6 is passed in the last round), 11 rounds, 1280–1480
//    iterations, objective 92.29491993, 186 neurons. Where the time goes: rounds 1–6 (working set
//    10 → 218 blocks) take ~23 s, almost all in ~15 000 exact cone projections at 1–4 ms each
//    (pricing: ~500 per round because ν moves and the cached faces go stale; restricted solves:
//    faces change every few iterations early on). The last rounds run at ~8 ms per iteration with
//    ~200 blocks (two GEMMs ~4 ms, the rest face prox, verification and certificates).
//  * tried and dropped: (a) all outside blocks projected in lockstep with one GEMM per
//    Lawson–Hanson round for all of them: 3.3 ms per cold block (50–70 row additions each, the
//    active set has ~47 rows in d = 50), no gain over one block at a time; (b) a larger initial
//    working set (100): more exact projections inside the restricted solves, 86 s; (c) earlier
//    and more frequent polishes (gap 1e-2, every 30 iterations): all rejected, no gain.
//  * what the 2.4 s target would need: cold projections ≪ 1 ms (each needs ~50 active-set
//    steps of O(n·|S|)), or far fewer of them (e.g. a pricing rule that projects only the few
//    top candidates, with rigorous upper bounds for the rest), and a second-order restricted
//    solver (the face problem has only ~500 free dimensions) instead of ~10³ FISTA iterations.
//  * earlier measurements, kept for the record: the augmented Lagrangian with R-FISTA inner solves
//    (scnn's method) was at relative gap 0.22 after 11 500 iterations (170 s) and missed 1e-8 on
//    exact instances; ADMM needs an n×n Woodbury factor and 4–5 GEMMs per iteration; an
//    interior-point method needs dense Newton systems of size 2Pd (fine at n ≈ 10 only).
// Small exact instances (n = 30, 2-D + bias, P = 872 patterns = 1744 blocks, builtin spirals/
// moons/blobs/circles, β = 0.03–1): 15 of 16 reach 1e-8 (0.04–12 s), moons β = 0.03 stops at 4e-6
// after 3·10⁵ iterations (a degenerate, non-unique optimum: FISTA is slow there and the face
// polish only helps on the right face). The previous solver reached 1e-8 on none of spirals
// β ≤ 0.1 within 10 s (4e-2 … 1e-3): every one of the 1744 blocks was in each iteration, and
// polishes that cut the gap by rounding-level amounts were accepted every 100 iterations, each
// resetting the momentum — now a polish must halve the gap, and the interval doubles otherwise.
import {
  coneFaceProx, coneProxState, faceBound, faceBoundClean, mergeConeState, multiplierBound, projectBlock, restrictConeState, type ConeProxState,
} from "./coneProx.js";
import { dualFromPrediction, gapReport, type GapReport } from "./dual.js";
import { estimateLipschitz, fistaState, fistaWorkspace, runFista, setIterate } from "./fista.js";
import { polishOnFace } from "./polish.js";
import { withBestDual, type SolveOptions } from "./gated.js";
import { convexLoss } from "./loss.js";
import {
  adjoint, blockNorms, coneViolation, forward, groupNorm, reluOperator, spreadDual, subOperator, type BlockOperator,
} from "./operator.js";
import type { ConvexProblem } from "./problem.js";
import { makeZSmooth } from "./smooth.js";

/**
 * Polish on the active face once the certified gap is below this… (measured on the scnn demo:
 * 1e-4 with one try per 100 iterations polished once, at gap 8e-5, to 7e-15 in 72 s; 1e-2 every
 * 50 iterations spent 13 s more on rejected polishes.)
 */
const POLISH_BELOW = 1e-4;
/** …at most once per this many iterations (doubling after each rejected polish). */
const POLISH_EVERY = 100;
/** A polish is accepted only if it cuts the certified gap at least by this factor. */
const POLISH_GAIN = 0.5;

/**
 * Once no block outside the working set violates its dual constraint, the restricted program is
 * solved to this fraction of tol: the face polish needs a gap well below tol to see the right
 * face, and then lands at rounding level, which users of ν* (optimal set, active sets at relative
 * 1e-5) need (measured: n = 6, 1-D + bias, β = 0.02 stopped at 7e-10 with fraction 1 and at
 * 3e-14 with 0.01; the CLI's optimal set needs the latter).
 */
const FINAL_INNER_FRACTION = 0.01;
/** Blocks added to the working set per round: at least ADD_MIN… */
const ADD_MIN = 10;
/** …and up to this fraction of the current working set (geometric growth). */
const ADD_FRACTION = 1;
/** Zero working-set blocks with ‖Π_K g_b‖ < (1 − PRUNE_MARGIN)β are dropped when violators are added. */
const PRUNE_MARGIN = 1e-3;
/** Inner (restricted) tolerance as a fraction of the last full relative gap (Celer's rule). */
const INNER_FRACTION = 0.3;

/**
 * A block's face bound ‖g + A_Sᵀλ‖ (λ ≥ 0, rigorous) within this relative margin of β is taken
 * as is; above it the exact projection decides (the bound may be loose on a stale face).
 */
const FACE_BOUND_SLACK = 1e-12;


/** Options of solveRelu. */
export interface ReluSolveOptions extends SolveOptions {
  /** Try the active-face Newton polish (polish.ts) on small faces. Default true. */
  readonly polish?: boolean;
}

/** A point (u_i, v_i) of the ReLU program: two P×d block matrices over one pattern set. */
export interface ConvexPoint {
  readonly U: Float64Array;
  readonly V: Float64Array;
}

/** The ReLU optimum, its certificate and the solver's record. */
export interface ReluSolution extends ConvexPoint, GapReport {
  /** ŷ of the returned point. */
  readonly prediction: Float64Array;
  /** ν = −∇L(ŷ) of the returned point (ν_f = scale·ν, unless the best dual came earlier). */
  readonly nu: Float64Array;
  /** Nonzero blocks u_i, v_i (neurons of the recovered network). */
  readonly activeNeurons: number;
  /** Max relative cone violation of the returned point (rounding level). */
  readonly infeasibility: number;
  readonly iterations: number;
  readonly restarts: number;
  readonly backtracks: number;
  /** Cone projections by constraint generation (prox and certificate). */
  readonly projections: number;
  /** Projections accepted from a block's cached face (cheap path). */
  readonly faceHits: number;
  /** Accepted active-face Newton polishes (polish.ts). */
  readonly polished: number;
  /** Working-set rounds (restricted solve + pricing of all blocks). */
  readonly rounds: number;
  /** Final working-set size (blocks). */
  readonly workingSet: number;
  readonly converged: boolean;
  readonly tol: number;
  readonly maxIterations: number;
  readonly seconds: number;
  /** True when the pattern set is exact (the gap then proves global optimality). */
  readonly exact: boolean;
}

/**
 * Unit generator directions h_p/‖h_p‖ per block (B×d) where h_p ∈ K_p is verified on every row
 * (one GEMM), zero rows otherwise (no lower bound).
 */
function feasibleGeneratorDirections(op: BlockOperator, generators: Float64Array): Float64Array {
  const { n, d, blocks: B, rowNorm } = op;
  const CS = op.coneSign!;
  const D = new Float64Array(B * d);
  for (let b = 0; b < B; b++) {
    const p = op.pattern[b];
    let s = 0;
    for (let j = 0; j < d; j++) s += generators[p * d + j] ** 2;
    s = Math.sqrt(s);
    if (s > 0) for (let j = 0; j < d; j++) D[b * d + j] = generators[p * d + j] / s;
  }
  const Z = new Float64Array(B * n);
  forward(op, D, Z);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < n; k++) {
      if (rowNorm[k] > 0 && CS[b * n + k] * Z[b * n + k] < 0) { D.fill(0, b * d, (b + 1) * d); break; }
    }
  }
  return D;
}

function blockIsNonzero(W: Float64Array, b: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (W[b * d + j] !== 0) return true;
  return false;
}

/**
 * Upper bounds on s_b = ‖Π_{K_b}(G_b)‖ for the blocks of `op` (G = B×d, gNorm its block norms):
 * ‖g_b‖, then the multiplier bound of the block's last projection, then, where still > β, the
 * exact projection (constraint generation warm-started from the block's state; updates `st`).
 * Blocks with skip[b] = 1 are left untouched. Returns the max over the others.
 */
function dualNormBounds(
  op: BlockOperator, st: ConeProxState, beta: number, G: Float64Array, gNorm: Float64Array, skip: Uint8Array | null,
  out: Float64Array, projTol: number, dir: Float64Array | null = null,
): number {
  const { n, d, blocks: B, X } = op;
  const g = new Float64Array(d);
  const gx = new Float64Array(n);
  let s = 0;
  for (let b = 0; b < B; b++) {
    if (skip !== null && skip[b] === 1) continue;
    let v = gNorm[b];
    if (v > beta) v = Math.min(v, multiplierBound(G, b * d, st.q, b * d, d));
    let clean = false;
    if (v > beta) {
      const f = faceBound(st, b, G, b * d, d);
      if (f < v) { v = f; clean = faceBoundClean; }
    }
    if (v > beta * (1 + FACE_BOUND_SLACK) && !clean) {
      // Exact projection (warm-started from the block's state; its image X g_b computed directly).
      for (let j = 0; j < d; j++) g[j] = G[b * d + j];
      for (let k = 0; k < n; k++) {
        let t = 0;
        for (let j = 0; j < d; j++) t += X[k * d + j] * g[j];
        gx[k] = t;
      }
      projectBlock(op, st, b, g, 0, gx, 0, projTol);
      let t = 0;
      for (let j = 0; j < d; j++) t += g[j] * g[j];
      t = Math.sqrt(t);
      v = Math.min(v, t);
      if (dir !== null && t > 0) for (let j = 0; j < d; j++) dir[b * d + j] = g[j] / t;
    }
    out[b] = v;
    if (v > s) s = v;
  }
  return s;
}

/**
 * Solve the ReLU program of `problem` (cone-constrained group lasso over its patterns) to
 * relative duality gap `tol` (default 1e-8) by a working-set method (file comment): R-FISTA with
 * the exact cone prox on a working set of blocks, priced against all blocks by the dual
 * constraint ‖Π_{K_b}(g_b)‖ ≤ β. Every iterate is feasible; the returned gap is a certificate
 * over all blocks (a proof of global optimality of the two-layer problem when the patterns are
 * exact).
 */
export function solveRelu(problem: ConvexProblem, opts: ReluSolveOptions = {}): ReluSolution {
  const t0 = performance.now();
  const tol = opts.tol ?? 1e-8;
  const maxIterations = opts.maxIterations ?? 50000;
  const checkEvery = opts.checkEvery ?? 10;
  const timeLimit = opts.timeLimit ?? Infinity;
  const polish = opts.polish ?? true;
  const full = reluOperator(problem.X, problem.patterns);
  const { n, d, blocks: B } = full;
  const P = problem.patterns.count;
  const loss = convexLoss(problem.loss);
  const beta = problem.beta;
  const y = problem.y;
  const cone = coneProxState(full);
  const projTol = 1e-13;
  const elapsed = (): number => (performance.now() - t0) / 1000;

  const Wfull = new Float64Array(B * d);
  const yhat = new Float64Array(n);
  const nu = new Float64Array(n);
  const Rfull = new Float64Array(B * n);
  const Gfull = new Float64Array(B * d);
  const gNormFull = new Float64Array(B);
  const bound = new Float64Array(B);
  const inSet = new Uint8Array(B);

  // Unit directions known to lie in each K_b (the pattern's generator, then the last projection
  // or the block itself): g_bᵀdir_b ≤ ‖Π_{K_b} g_b‖ is a rigorous LOWER bound, so a block with
  // g_bᵀdir_b > β is a violator without projecting it.
  const dir = feasibleGeneratorDirections(full, problem.patterns.generators);
  const rank = new Float64Array(B);

  /**
   * Full certificate at prediction ŷ (primal value given), s_in = bound over the working set.
   * Lazy: when at least `want` outside blocks are certain violators by their lower bounds, no
   * exact projection is made — they are ranked by the lower bounds, and the (rigorous but loose)
   * gap uses the cheap upper bounds; `gapEstimate` is then the gap with s = max lower bound
   * (≤ the true gap at this ν), which sets the next inner tolerance.
   */
  function price(primal: number, sIn: number, want: number): GapReport {
    dualFromPrediction(loss, yhat, y, nu);
    spreadDual(full, nu, Rfull);
    adjoint(full, Rfull, Gfull);
    blockNorms(Gfull, B, d, gNormFull);
    let certain = 0;
    let sLow = sIn;
    let sUp = sIn;
    for (let b = 0; b < B; b++) {
      if (inSet[b] === 1) continue;
      let l = 0;
      for (let j = 0; j < d; j++) l += Gfull[b * d + j] * dir[b * d + j];
      rank[b] = Math.max(0, l);
      if (rank[b] > beta) certain++;
      if (rank[b] > sLow) sLow = rank[b];
      let v = gNormFull[b];
      if (v > beta) v = Math.min(v, multiplierBound(Gfull, b * d, cone.q, b * d, d));
      if (v > beta) v = Math.min(v, faceBound(cone, b, Gfull, b * d, d));
      bound[b] = v;
      if (v > sUp) sUp = v;
    }
    if (want > 0 && certain >= want) {
      gapEstimate = gapReport(loss, y, beta, primal, nu, sLow).relativeGap;
      return gapReport(loss, y, beta, primal, nu, sUp);
    }
    const sOut = dualNormBounds(full, cone, beta, Gfull, gNormFull, inSet, bound, projTol, dir);
    for (let b = 0; b < B; b++) if (inSet[b] === 0) rank[b] = bound[b];
    const rep = gapReport(loss, y, beta, primal, nu, Math.max(sIn, sOut));
    gapEstimate = rep.relativeGap;
    return rep;
  }
  let gapEstimate = Infinity;

  let iterations = 0;
  let restarts = 0;
  let backtracks = 0;
  let polished = 0;
  let rounds = 0;
  // W = 0: ŷ = 0.
  let report = price(loss.value(yhat, y), 0, ADD_MIN);
  let best = report;
  let ws: number[] = [];
  let innerTol = tol;
  let eta = 0;
  let stoppedByCheck = report.relativeGap <= tol;
  let lastAdded = 0;
  while (!stoppedByCheck && iterations < maxIterations && elapsed() <= timeLimit) {
    // Grow the working set by the violators (largest dual norm first).
    const viol: number[] = [];
    for (let b = 0; b < B; b++) if (inSet[b] === 0 && rank[b] > beta) viol.push(b);
    viol.sort((a, c) => rank[c] - rank[a]);
    if (viol.length > 0 && ws.length > 0) {
      // Prune blocks that are zero with a clearly inactive dual constraint (Celer/Blitz-style);
      // they return if they become violators again.
      ws = ws.filter((b) => {
        const keep = blockIsNonzero(Wfull, b, d) || bound[b] >= beta * (1 - PRUNE_MARGIN);
        if (!keep) inSet[b] = 0;
        return keep;
      });
    }
    const add = viol.slice(0, Math.max(ADD_MIN, Math.ceil(ADD_FRACTION * ws.length)));
    for (const b of add) { inSet[b] = 1; ws.push(b); }
    lastAdded = add.length;
    ws.sort((a, c) => a - c);
    rounds++;
    const sub = subOperator(full, ws);
    const subCone = restrictConeState(cone, d, ws);
    const smooth = makeZSmooth(sub, loss, y);
    if (eta === 0 || add.length > 0) {
      const L = estimateLipschitz(sub, loss.curvature);
      eta = 1 / Math.max(L, Number.MIN_VALUE);
    }
    const state = fistaState(sub, eta);
    const Wsub = new Float64Array(ws.length * d);
    for (let t = 0; t < ws.length; t++) Wsub.set(Wfull.subarray(ws[t] * d, (ws[t] + 1) * d), t * d);
    setIterate(sub, state, Wsub);
    const fws = fistaWorkspace(sub);
    const prox = coneFaceProx(sub, subCone, projTol);
    const yh = new Float64Array(n);
    const nuS = new Float64Array(n);
    const Rs = new Float64Array(ws.length * n);
    const Gs = new Float64Array(ws.length * d);
    const gNs = new Float64Array(ws.length);
    const bs = new Float64Array(ws.length);
    /** Restricted certificate (the restricted program's gap) at the iterate. */
    const certifySub = (W: Float64Array, Z: Float64Array): { rep: GapReport; s: number } => {
      smooth.prediction(Z, yh);
      const primal = loss.value(yh, y) + beta * groupNorm(W, sub.blocks, d);
      dualFromPrediction(loss, yh, y, nuS);
      spreadDual(sub, nuS, Rs);
      adjoint(sub, Rs, Gs);
      blockNorms(Gs, sub.blocks, d, gNs);
      const s = dualNormBounds(sub, subCone, beta, Gs, gNs, null, bs, projTol);
      return { rep: gapReport(loss, y, beta, primal, nuS, s), s };
    };
    let cur = certifySub(state.W, state.Z);
    let bestSub = cur.rep;
    let sIn = cur.s;
    let subReport = cur.rep;
    let lastPolish = -POLISH_EVERY;
    let polishEvery = POLISH_EVERY;
    const budget = maxIterations - iterations;
    const startIt = state.iterations;
    if (subReport.relativeGap > innerTol) {
      runFista(sub, smooth, prox, beta, state, fws, {
        maxIterations: budget,
        checkEvery,
        growth: opts.stepGrowth ?? 1.05,
        check(st) {
          cur = certifySub(st.W, st.Z);
          if (cur.rep.dualValue > bestSub.dualValue) bestSub = cur.rep;
          subReport = withBestDual(cur.rep, bestSub);
          if (subReport.relativeGap > innerTol && subReport.relativeGap < POLISH_BELOW && polish && st.iterations - lastPolish >= polishEvery) {
            lastPolish = st.iterations;
            const Wp = polishOnFace(sub, loss, y, beta, st.W, st.Z);
            let accepted = false;
            if (Wp !== null) {
              const saved = { W: st.W.slice(), Z: st.Z.slice(), Wprev: st.Wprev.slice(), Zprev: st.Zprev.slice(), t: st.t, yh: yh.slice(), nu: nuS.slice() };
              setIterate(sub, st, Wp);
              const pol = certifySub(st.W, st.Z);
              const polReport = withBestDual(pol.rep, pol.rep.dualValue > bestSub.dualValue ? pol.rep : bestSub);
              // Accept only a clear gain (factor POLISH_GAIN): a polish resets the momentum, and on
              // a degenerate face (non-unique optimum) it can cut the gap by tiny amounts forever —
              // accepting every non-increasing polish stalled small exact instances (spirals,
              // n = 30, β = 0.03: gap 4e-6 after 957 accepted polishes; with this rule 9e-9).
              if (pol.rep.primalValue <= cur.rep.primalValue * (1 + 1e-14) && polReport.relativeGap <= POLISH_GAIN * subReport.relativeGap) {
                polished++;
                accepted = true;
                cur = pol;
                if (cur.rep.dualValue > bestSub.dualValue) bestSub = cur.rep;
                subReport = withBestDual(cur.rep, bestSub);
              } else {
                st.W.set(saved.W); st.Z.set(saved.Z); st.Wprev.set(saved.Wprev); st.Zprev.set(saved.Zprev); st.t = saved.t;
                yh.set(saved.yh); nuS.set(saved.nu);
              }
            }
            // Back off after a rejected or marginal polish.
            polishEvery = accepted ? POLISH_EVERY : Math.min(polishEvery * 2, 100 * POLISH_EVERY);
          }
          return subReport.relativeGap <= innerTol || elapsed() > timeLimit;
        },
      });
    }
    iterations += state.iterations - startIt;
    restarts += state.restarts;
    backtracks += state.backtracks;
    eta = state.eta;
    mergeConeState(cone, subCone, d, ws);
    // The iterate of the last check (cur) is state.W: scatter it.
    for (let t = 0; t < ws.length; t++) Wfull.set(state.W.subarray(t * d, (t + 1) * d), ws[t] * d);
    sIn = cur.s;
    for (let t = 0; t < ws.length; t++) bound[ws[t]] = bs[t];
    yhat.set(yh);
    for (let t = 0; t < ws.length; t++) {
      const b = ws[t];
      let nb = 0;
      for (let j = 0; j < d; j++) nb += Wfull[b * d + j] ** 2;
      nb = Math.sqrt(nb);
      if (nb > 0) for (let j = 0; j < d; j++) dir[b * d + j] = Wfull[b * d + j] / nb;
    }
    report = price(cur.rep.primalValue, sIn, ADD_MIN);
    if (report.dualValue > best.dualValue) best = report;
    report = withBestDual(report, best);
    stoppedByCheck = report.relativeGap <= tol;
    // Next inner tolerance: a fraction of the full gap (Celer's rule), tol once nothing is left to add.
    let anyViolator = false;
    for (let b = 0; b < B; b++) if (inSet[b] === 0 && rank[b] > beta) { anyViolator = true; break; }
    innerTol = anyViolator ? Math.max(tol, INNER_FRACTION * gapEstimate) : Math.min(innerTol, tol * FINAL_INNER_FRACTION);
    if (!stoppedByCheck && lastAdded === 0 && state.iterations === startIt) break;
  }
  // Final point: Wfull, its prediction yhat.
  const Zfull = new Float64Array(B * n);
  forward(full, Wfull, Zfull);
  const norms = blockNorms(Wfull, B, d);
  let active = 0;
  for (let b = 0; b < B; b++) if (norms[b] > 0) active++;
  return {
    ...report,
    U: Wfull.slice(0, P * d),
    V: Wfull.slice(P * d, 2 * P * d),
    prediction: yhat.slice(),
    nu: nu.slice(),
    activeNeurons: active,
    infeasibility: coneViolation(full, Wfull, Zfull),
    iterations,
    restarts,
    backtracks,
    projections: cone.projections,
    faceHits: cone.faceHits,
    polished,
    rounds,
    workingSet: ws.length,
    converged: stoppedByCheck && report.relativeGap <= tol,
    tol,
    maxIterations,
    seconds: elapsed(),
    exact: problem.patterns.exact,
  };
}
