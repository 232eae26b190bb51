// The ReLU program (square loss) by column generation over ReLU atoms:
//   min_{u_i, v_i ∈ K_i} ½‖Σ_i D_i X (u_i − v_i) − y‖² + β Σ_i (‖u_i‖ + ‖v_i‖).
// Every feasible point is a nonnegative combination of atoms a = s_b D_b X u (u ∈ K_b, ‖u‖ = 1)
// with cost β per unit, so the program is min_{c≥0} ½‖Σ c_j a_j − y‖² + β Σ c_j over all atoms.
// Each round:
//   1. pricing at ν = y − ŷ: for every block, the best atom is u_b = Π_{K_b}(g_b)/‖Π_{K_b}(g_b)‖,
//      g_b = s_b Xᵀ D_b ν, with gain ‖Π_{K_b} g_b‖ − β (docs/science/convex.md §1.4). The exact
//      projections (coneProx.ts, warm-started active sets) are needed only for blocks whose cheap
//      bounds ‖g_b‖ and min_t ‖g_b + t q_b‖ (q_b from the last projection) exceed β;
//   2. s = max_b ‖Π_{K_b} g_b‖ (or its bound) gives the feasible dual ν·min(1, β/s) and the duality
//      gap of the current point — the certificate (dual.ts); stop at relative gap ≤ tol;
//   3. every block with gain > 0 adds its atom; the master (atomMaster.ts) is re-solved exactly;
//      blocks that use several atoms get their merged direction w_b/‖w_b‖ as one more atom (its
//      cost ‖w_b‖ is below Σ c_j), the master moves onto the merged atoms by one refactorisation
//      (same ŷ, lower penalty) and is solved again from there; unused atoms are dropped;
//   4. below a certified gap of 1e-4, a face Newton polish (polish.ts) on the faces of the pricing
//      projections (alternating with the faces on which the master's w_b is tight) offers its
//      block directions as atoms: one master solve then lands within rounding of the face optimum.
// The master value falls every round (each new atom has positive gain at the master optimum).
// Measured on the scnn demo (n = 1000, d = 50, 500 blocks, β = 10): see bench/convex.ts.
import { nrm2 } from "../../linalg/index.js";
import { adjoint, blockNorms, type BlockOperator, convexLoss, type ConvexProblem, forward, gapReport, type GapReport, groupNorm, reluOperator, reluPointFields, SOLVE_TOL, spreadDual } from "../program/index.js";
import { addAtom, atomMaster, type AtomMaster, pruneAtoms, resetPassive, solveMaster } from "./atomMaster.js";
import { coneProxState, multiplierBound, projectBlocks } from "./coneProx.js";
import { withBestDual } from "./gated.js";
import { polishOnFace } from "./polish.js";
import type { ReluSolution, ReluSolveOptions } from "./reluSolution.js";

/** Try the face Newton polish below this certified relative gap… */
const POLISH_BELOW = 1e-4;
/** …at most once per this many rounds. */
const POLISH_EVERY = 3;

/**
 * Partial pricing while the certified gap is above PARTIAL_ABOVE: only this fraction of the
 * blocks whose bounds exceed β (those with the largest bounds) is projected; a round that finds
 * no violator is followed by a full one, and the certificate always uses bounds for the rest.
 * Measured on the demo (time, rounds): all blocks 9.2 s, 15; 0.6: 8.3 s, 17; 0.4: 7.1 s, 20;
 * 0.25: 6.9 s, 25; 0.15: 6.1 s, 33 — early projections are far from their warm starts (2–3 ms
 * each), later rounds are cheap.
 */
const PARTIAL_FRACTION = 0.25;
const PARTIAL_ABOVE = 1e-2;

/** Relative feasibility tolerance of the pricing projections (as in the R-FISTA certificate). */
const PROJ_TOL = 1e-13;

/** Buffers of the pricing: R (B×n), G (B×d), and each block's last exactly projected g and ‖Π g‖. */
interface PricingScratch {
  readonly R: Float64Array;
  readonly G: Float64Array;
  readonly lastG: Float64Array;
  readonly lastP: Float64Array;
}

/** Dual constraint value and violators at ν. */
interface Pricing {
  /** s ≥ max_b ‖Π_{K_b} g_b‖ (exact where it matters, a bound elsewhere). */
  readonly s: number;
  /** Blocks with ‖Π g_b‖ > β, their unit directions (rows of U) and atom images (rows of A). */
  readonly blocks: number[];
  readonly U: Float64Array;
  readonly A: Float64Array;
}

/**
 * Price every block at ν: s = max_b ‖Π_{K_b}(s_b Xᵀ D_b ν)‖ with bounds where they are ≤ β, and
 * the atoms of the blocks above β (with `partial`, of the PARTIAL_FRACTION of them with the
 * largest bounds; s then takes the bounds of the rest).
 */
function priceBlocks(op: BlockOperator, cone: ReturnType<typeof coneProxState>, nu: Float64Array, beta: number, scratch: PricingScratch, partial = false): Pricing {
  const { n, d, blocks: B, signedMask: SM } = op;
  const { R, G, lastG, lastP } = scratch;
  spreadDual(op, nu, R);
  adjoint(op, R, G);
  let s = 0;
  const exact: number[] = [];
  const bound = new Float64Array(B);
  const diff = new Float64Array(d);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < d; j++) diff[j] = G[b * d + j] - lastG[b * d + j];
    // Π_K is nonexpansive: ‖Π g‖ ≤ ‖Π g_last‖ + ‖g − g_last‖ (lastP = ∞ before the first projection).
    let v = Math.min(nrm2(G.subarray(b * d, b * d + d)), lastP[b] + nrm2(diff));
    if (v > beta) v = Math.min(v, multiplierBound(G, b * d, cone.q, b * d, d));
    if (v > beta) { exact.push(b); bound[b] = v; }
    else s = Math.max(s, v);
  }
  if (partial) {
    // Partial pricing: only the blocks with the largest bounds; the others enter s by their bound.
    exact.sort((a, c) => bound[c] - bound[a]);
    const keep = Math.ceil(PARTIAL_FRACTION * exact.length);
    for (let i = keep; i < exact.length; i++) s = Math.max(s, bound[exact[i]]);
    exact.length = keep;
  }
  const m = exact.length;
  const Gs = new Float64Array(m * d);
  for (let i = 0; i < m; i++) Gs.set(G.subarray(exact[i] * d, exact[i] * d + d), i * d);
  const Hs = new Float64Array(m * n);
  if (m > 0) forward({ ...op, blocks: m }, Gs, Hs);
  const out: number[] = [];
  const rows: number[] = [];
  const norms: number[] = [];
  for (let i = 0; i < m; i++) lastG.set(Gs.subarray(i * d, i * d + d), exact[i] * d);
  projectBlocks(op, cone, exact, { W: Gs, wOff: 0, Zx: Hs, zOff: 0 }, PROJ_TOL);
  for (let i = 0; i < m; i++) {
    const b = exact[i];
    const p = nrm2(Gs.subarray(i * d, i * d + d));
    lastP[b] = p;
    s = Math.max(s, p);
    if (p > beta) {
      out.push(b);
      rows.push(i);
      norms.push(p);
    }
  }
  const U = new Float64Array(out.length * d);
  const A = new Float64Array(out.length * n);
  for (let t = 0; t < out.length; t++) {
    const i = rows[t];
    const b = out[t];
    const p = norms[t];
    for (let j = 0; j < d; j++) U[t * d + j] = Gs[i * d + j] / p;
    for (let k = 0; k < n; k++) A[t * n + k] = (SM[b * n + k] * Hs[i * n + k]) / p;
  }
  return { s, blocks: out, U, A };
}

/** W (B×d) of the master's combination w_b = Σ_{j∈b} c_j u_j. */
function masterBlocks(m: AtomMaster, B: number): Float64Array {
  const d = m.d;
  const W = new Float64Array(B * d);
  for (let j = 0; j < m.count; j++) {
    const c = m.c[j];
    if (c <= 0) continue;
    const o = m.block[j] * d;
    for (let i = 0; i < d; i++) W[o + i] += c * m.U[j * d + i];
  }
  return W;
}

/**
 * Add w_b/‖w_b‖ for every block that uses two or more atoms, and move the master onto those
 * merged atoms: coefficient ‖w_b‖ in place of the block's atoms (same ŷ, penalty lower by
 * β(Σ_{j∈b} c_j − ‖w_b‖)), by one refactorisation (resetPassive) instead of a simplex pivot per
 * atom; the master solve that follows starts there. Returns how many atoms were added.
 */
function addMergedAtoms(m: AtomMaster, B: number): number {
  const { n, d } = m;
  const uses = new Int32Array(B);
  for (let j = 0; j < m.count; j++) if (m.c[j] > 0) uses[m.block[j]]++;
  const W = masterBlocks(m, B);
  const norms = blockNorms(W, B, d);
  const c = new Float64Array(m.count + B);
  c.set(m.c.subarray(0, m.count));
  let added = 0;
  const a = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    const wn = norms[b];
    if (uses[b] < 2 || !(wn > 0)) continue;
    a.fill(0);
    for (let j = 0; j < m.count; j++) {
      if (m.block[j] !== b || m.c[j] <= 0) continue;
      const cj = m.c[j] / wn;
      for (let k = 0; k < n; k++) a[k] += cj * m.A[j * n + k];
      c[j] = 0;
    }
    const u = W.subarray(b * d, b * d + d).map((v) => v / wn);
    c[addAtom(m, b, u, 0, a, 0)] = wn;
    added++;
  }
  if (added > 0) resetPassive(m, c);
  return added;
}

/**
 * Newton polish (polish.ts) of the master's point on a guess of its active faces: the active rows
 * of the pricing projections Π_{K_b}(g_b) at the current ν (`faces`; the optimal w_b is a multiple
 * of Π_{K_b}(g_b*)), or, with `faces` undefined, the rows on which the master's w_b is tight (a mix
 * of atoms on different faces is tight on fewer rows, but this guess is exact once one atom per
 * block remains). Every polished block direction becomes an atom (the master can then reproduce
 * the polished point with one atom per block). Returns the number of atoms added.
 */
function addPolishedAtoms(op: BlockOperator, m: AtomMaster, beta: number, faces: readonly (readonly number[])[] | undefined): number {
  const { n, d, blocks: B, signedMask: SM } = op;
  const W = masterBlocks(m, B);
  const Z = new Float64Array(B * n);
  forward(op, W, Z);
  const Wp = polishOnFace(op, convexLoss("square"), m.y, beta, W, Z, faces);
  if (Wp === null) return 0;
  const Zp = new Float64Array(B * n);
  forward(op, Wp, Zp);
  const norms = blockNorms(Wp, B, d);
  const a = new Float64Array(n);
  const u = new Float64Array(d);
  let added = 0;
  for (let b = 0; b < B; b++) {
    const wn = norms[b];
    if (!(wn > 0)) continue;
    for (let i = 0; i < d; i++) u[i] = Wp[b * d + i] / wn;
    for (let k = 0; k < n; k++) a[k] = (SM[b * n + k] * Zp[b * n + k]) / wn;
    addAtom(m, b, u, 0, a, 0);
    added++;
  }
  return added;
}

/**
 * Solve the square-loss ReLU program of `problem` to relative duality gap `tol` by column
 * generation over ReLU atoms (see the file comment). Every returned point is feasible and its gap
 * is a certificate. `maxIterations` counts pricing rounds. Stops early (converged = false) when
 * the certified gap has not fallen by 10% in `STALL_ROUNDS` rounds.
 */
export function solveReluByAtoms(problem: ConvexProblem, opts: ReluSolveOptions = {}): ReluSolution {
  if (problem.loss !== "square") throw new RangeError("solveReluByAtoms: the master problem needs the square loss");
  const t0 = performance.now();
  const tol = opts.tol ?? SOLVE_TOL;
  const maxRounds = opts.maxIterations ?? 2000;
  const timeLimit = opts.timeLimit ?? Infinity;
  const op = reluOperator(problem.X, problem.patterns);
  const { n, d, blocks: B } = op;
  const beta = problem.beta;
  const y = problem.y;
  const loss = convexLoss("square");
  const cone = coneProxState(op, false);
  const master = atomMaster(y, d);
  const scratch: PricingScratch = {
    R: new Float64Array(B * n), G: new Float64Array(B * d), lastG: new Float64Array(B * d), lastP: new Float64Array(B).fill(Infinity),
  };
  const STALL_ROUNDS = 30;
  const polish = opts.polish ?? true;
  let lastPolish = -Infinity;
  let polished = 0;
  let polishTries = 0;

  let best: { report: GapReport; W: Float64Array; nu: Float64Array } | null = null;
  let bestDual: GapReport | null = null;
  let rounds = 0;
  let fullNext = false;
  let converged = false;
  let stallRef = Infinity;
  let stallRound = 0;
  for (; rounds <= maxRounds; rounds++) {
    const W = masterBlocks(master, B);
    const nu = master.r.slice(); // ν = −∇L(ŷ) = y − ŷ
    const partial = rounds > 0 && best !== null && best.report.relativeGap > PARTIAL_ABOVE && !fullNext;
    const pr = priceBlocks(op, cone, nu, beta, scratch, partial);
    fullNext = pr.blocks.length === 0;
    let rr = 0;
    for (let k = 0; k < n; k++) rr += nu[k] * nu[k];
    const cur = gapReport(loss, y, beta, 0.5 * rr + beta * groupNorm(W, B, d), nu, pr.s);
    if (bestDual === null || cur.dualValue > bestDual.dualValue) bestDual = cur;
    const report = withBestDual(cur, bestDual);
    if (best === null || report.primalValue < best.report.primalValue) best = { report, W, nu };
    if (report.relativeGap <= tol) {
      converged = true;
      break;
    }
    if (report.relativeGap < 0.9 * stallRef || partial) {
      // (A partial round's gap uses bounds for most blocks: it does not count as a stall.)
      stallRef = Math.min(stallRef, report.relativeGap);
      stallRound = rounds;
    } else if (rounds - stallRound >= STALL_ROUNDS) {
      break;
    }
    if (rounds === maxRounds || (performance.now() - t0) / 1000 > timeLimit) break;
    if (pr.blocks.length === 0 && !partial) break;
    for (let t = 0; t < pr.blocks.length; t++) addAtom(master, pr.blocks[t], pr.U, t * d, pr.A, t * n);
    solveMaster(master, beta);
    if (addMergedAtoms(master, B) > 0) solveMaster(master, beta);
    if (polish && report.relativeGap < POLISH_BELOW && rounds - lastPolish >= POLISH_EVERY) {
      lastPolish = rounds;
      // The two face guesses alternate (see addPolishedAtoms).
      if (addPolishedAtoms(op, master, beta, polishTries++ % 2 === 0 ? cone.active : undefined) > 0) {
        polished++;
        lastPolish = -Infinity; // faces improve with ν: polish again next round
        solveMaster(master, beta);
      }
    }
    pruneAtoms(master);
  }
  const { W, nu } = best!;
  const report = withBestDual(best!.report, bestDual!);
  const Z = new Float64Array(B * n);
  forward(op, W, Z);
  const yhat = new Float64Array(n);
  for (let k = 0; k < n; k++) yhat[k] = y[k] - nu[k];
  return {
    ...report,
    ...reluPointFields(op, W, Z),
    prediction: yhat,
    nu: nu.slice(),
    iterations: rounds,
    restarts: 0,
    backtracks: 0,
    projections: cone.projections + cone.activeSetHits,
    faceHits: cone.faceHits,
    polished,
    method: "atoms",
    converged,
    tol,
    maxIterations: maxRounds,
    seconds: (performance.now() - t0) / 1000,
    exact: problem.patterns.exact,
  };
}
