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
// Since then, for the square loss, column generation over ReLU atoms (reluAtoms.ts) measured
// faster still (demo: 1.9–2.0 s on 2 threads, 2.2 s on one, 25 pricing rounds, gap 6.3e-9; the
// cone projections on the wasm kernel of coneKernel.ts), so `solveRelu` runs it first and
// keeps R-FISTA for the logistic loss and as the finisher when the rounds stall.
import { coneProx, coneProxState, multiplierBound, projectBlock } from "./coneProx.js";
import { dualFromPrediction, gapReport, type GapReport } from "../program/dual.js";
import { estimateLipschitz, fistaState, fistaWorkspace, runFista, setIterate } from "./fista.js";
import { polishOnFace } from "./polish.js";
import { withBestDual, type SolveOptions } from "./gated.js";
import { solveReluByAtoms } from "./reluAtoms.js";
import { convexLoss } from "../program/loss.js";
import { adjoint, blockNorms, groupNorm, reluOperator, reluPointFields, spreadDual } from "../program/operator.js";
import type { ConvexProblem } from "../program/problem.js";
import { makeZSmooth } from "./smooth.js";

/**
 * Polish on the active face once the certified gap is below this… (measured on the scnn demo:
 * 1e-4 with one try per 100 iterations polished once, at gap 8e-5, to 7e-15 in 72 s; 1e-2 every
 * 50 iterations spent 13 s more on rejected polishes.)
 */
const POLISH_BELOW = 1e-4;
/** …at most once per this many iterations. */
const POLISH_EVERY = 100;

/** Options of solveRelu. */
export interface ReluSolveOptions extends SolveOptions {
  /** Try the active-face Newton polish (polish.ts) on small faces. Default true. */
  readonly polish?: boolean;
  /**
   * "atoms": column generation over ReLU atoms (reluAtoms.ts; square loss only); "fista":
   * R-FISTA with the exact cone prox (this file); "auto" (default): atoms for the square loss,
   * finished by R-FISTA from the atoms' point if they stall short of `tol`; R-FISTA otherwise.
   */
  readonly method?: "auto" | "atoms" | "fista";
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
  /**
   * How the point was found: "atoms" (column generation, reluAtoms.ts; iterations = pricing
   * rounds), "atoms+fista" (atoms, finished by R-FISTA; iterations = FISTA iterations) or "fista".
   */
  readonly method: "atoms" | "atoms+fista" | "fista";
  readonly converged: boolean;
  readonly tol: number;
  readonly maxIterations: number;
  readonly seconds: number;
  /** True when the pattern set is exact (the gap then proves global optimality). */
  readonly exact: boolean;
}

/**
 * Solve the ReLU program of `problem` (cone-constrained group lasso over its patterns) to
 * relative duality gap `tol` (default 1e-8): by column generation over ReLU atoms
 * (reluAtoms.ts) for the square loss, finished by R-FISTA with the exact cone prox if the rounds
 * stall; by R-FISTA for the logistic loss (`opts.method` overrides; see the file comment). Every
 * point is feasible; the returned gap is a certificate (a proof of global optimality of the
 * two-layer problem when the patterns are exact).
 */
export function solveRelu(problem: ConvexProblem, opts: ReluSolveOptions = {}): ReluSolution {
  const method = opts.method ?? "auto";
  if (method === "fista" || problem.loss !== "square") return solveReluFista(problem, opts);
  const atoms = solveReluByAtoms(problem, opts);
  if (atoms.converged || method === "atoms") return atoms;
  const P = problem.patterns.count;
  const d = problem.X.cols;
  const start = new Float64Array(2 * P * d);
  start.set(atoms.U, 0);
  start.set(atoms.V, P * d);
  const timeLimit = opts.timeLimit === undefined ? undefined : Math.max(0, opts.timeLimit - atoms.seconds);
  const fista = solveReluFista(problem, { ...opts, timeLimit }, start);
  return { ...fista, method: "atoms+fista", seconds: atoms.seconds + fista.seconds, projections: atoms.projections + fista.projections };
}

/**
 * R-FISTA with the exact cone prox (see the file comment), from `start` (2P×d blocks, feasible)
 * or from zero.
 */
function solveReluFista(problem: ConvexProblem, opts: ReluSolveOptions, start?: Float64Array): ReluSolution {
  const t0 = performance.now();
  const tol = opts.tol ?? 1e-8;
  const maxIterations = opts.maxIterations ?? 50000;
  const checkEvery = opts.checkEvery ?? 10;
  const timeLimit = opts.timeLimit ?? Infinity;
  const op = reluOperator(problem.X, problem.patterns);
  const { n, d, blocks: B } = op;
  const loss = convexLoss(problem.loss);
  const beta = problem.beta;
  const smooth = makeZSmooth(op, loss, problem.y);
  const state = fistaState(op, 1 / Math.max(estimateLipschitz(op, loss.curvature), Number.MIN_VALUE));
  const ws = fistaWorkspace(op);
  const cone = coneProxState(op);
  if (start !== undefined) setIterate(op, state, start);
  const projTol = 1e-13;
  const prox = coneProx(op, cone, projTol);

  const yhat = new Float64Array(n);
  const nu = new Float64Array(n);
  const R = new Float64Array(B * n);
  const G = new Float64Array(B * d);
  const gNorm = new Float64Array(B);
  const gx = new Float64Array(B * n);

  /** Rigorous gap at the iterate: s from multiplier bounds, exact projections where > β. */
  function certify(W: Float64Array, Z: Float64Array): GapReport {
    smooth.prediction(Z, yhat);
    const primal = loss.value(yhat, problem.y) + beta * groupNorm(W, B, d);
    dualFromPrediction(loss, yhat, problem.y, nu);
    spreadDual(op, nu, R);
    adjoint(op, R, G);
    blockNorms(G, B, d, gNorm);
    let s = 0;
    for (let b = 0; b < B; b++) {
      let v = gNorm[b];
      if (v > beta) v = Math.min(v, multiplierBound(G, b * d, cone.q, b * d, d));
      if (v > beta) {
        // Exact projection of g_b (its image X g_b computed directly).
        const go = b * d;
        const zo = b * n;
        for (let k = 0; k < n; k++) {
          let t = 0;
          for (let j = 0; j < d; j++) t += op.X[k * d + j] * G[go + j];
          gx[zo + k] = t;
        }
        const g = G.slice(go, go + d);
        projectBlock(op, cone, b, g, 0, gx, zo, projTol);
        let t = 0;
        for (let j = 0; j < d; j++) t += g[j] * g[j];
        v = Math.sqrt(t);
      }
      s = Math.max(s, v);
    }
    return gapReport(loss, problem.y, beta, primal, nu, s);
  }

  const polish = opts.polish ?? true;
  let lastPolish = 0;
  let polished = 0;
  let best = certify(state.W, state.Z);
  let report = best;
  let stoppedByCheck = report.relativeGap <= tol;
  if (!stoppedByCheck) {
    stoppedByCheck = runFista(op, smooth, prox, beta, state, ws, {
      maxIterations,
      checkEvery,
      growth: opts.stepGrowth ?? 1.05,
      check(st) {
        let cur = certify(st.W, st.Z);
        if (cur.dualValue > best.dualValue) best = cur;
        report = withBestDual(cur, best);
        if (report.relativeGap > tol && report.relativeGap < POLISH_BELOW && polish && st.iterations - lastPolish >= POLISH_EVERY) {
          lastPolish = st.iterations;
          const Wp = polishOnFace(op, loss, problem.y, beta, st.W, st.Z);
          if (Wp !== null) {
            const saved = st.W.slice();
            setIterate(op, st, Wp);
            const pol = certify(st.W, st.Z);
            if (pol.primalValue <= cur.primalValue * (1 + 1e-14)) {
              polished++;
              cur = pol;
              if (cur.dualValue > best.dualValue) best = cur;
              report = withBestDual(cur, best);
            } else {
              setIterate(op, st, saved);
              cur = certify(st.W, st.Z);
            }
          }
        }
        return report.relativeGap <= tol || (performance.now() - t0) / 1000 > timeLimit;
      },
    });
  }
  return {
    ...report,
    ...reluPointFields(op, state.W, state.Z),
    prediction: yhat.slice(),
    nu: nu.slice(),
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
