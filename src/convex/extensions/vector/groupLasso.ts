// The restricted problem of the vector-output column generation (solve.ts): for atoms
// a_k = (Xu_k)_+ (the columns of A, n×K) and coefficient rows C_k ∈ ℝ^c,
//   min_C  L(A C, Y) + β Σ_k ‖C_k‖,
// a group lasso, by FISTA with backtracking on the quadratic upper bound and gradient restarts
// (O'Donoghue & Candès 2015). Its optimality conditions, with G = ∇_C L(AC) = Aᵀ∇L:
//   ‖G_k + β Ĉ_k‖ = 0 on the support (Ĉ_k = C_k/‖C_k‖),   ‖G_k‖ ≤ β off it.
import { nrm2 } from "../../../linalg/index.js";
import { vectorLossValue } from "./losses.js";
import type { VectorProblem } from "./problem.js";

/** Directions u_k, the atom matrix A = [(Xu_k)_+] (n×K) and the coefficients C (K×c, updated in place by the solver). */
export interface AtomSet {
  readonly dirs: readonly Float64Array[];
  readonly A: Float64Array;
  readonly C: Float64Array;
  readonly K: number;
}

/** Options of groupLassoOverAtoms. */
export interface GroupLassoOptions {
  /** Stop when every atom's optimality residual (file comment) is ≤ eps relative to β. */
  readonly eps: number;
  readonly maxIterations: number;
}

/** The smooth part L(AC, Y) and, with `withGrad`, its gradient Aᵀ∇L into gC (scratch F, G: n×c). */
class SmoothPart {
  readonly gC: Float64Array;
  private readonly F: Float64Array;
  private readonly G: Float64Array;

  constructor(private readonly atoms: AtomSet, private readonly problem: VectorProblem) {
    const { Y } = problem;
    this.F = new Float64Array(Y.rows * Y.cols);
    this.G = new Float64Array(Y.rows * Y.cols);
    this.gC = new Float64Array(atoms.K * Y.cols);
  }

  value(Cm: Float64Array, withGrad: boolean): number {
    const { A, K } = this.atoms;
    const { Y, loss } = this.problem;
    const n = Y.rows;
    const c = Y.cols;
    const { F, G, gC } = this;
    F.fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) {
      const a = A[i * K + k];
      if (a !== 0) for (let o = 0; o < c; o++) F[i * c + o] += a * Cm[k * c + o];
    }
    const v = vectorLossValue(loss, F, Y.data, c, G);
    if (withGrad) {
      gC.fill(0);
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) {
        const a = A[i * K + k];
        if (a !== 0) for (let o = 0; o < c; o++) gC[k * c + o] += a * G[i * c + o];
      }
    }
    return v;
  }
}

/** trial ← prox_{(β/L)Σ‖·‖}(Z − gC/L): block soft thresholding of each row. */
function groupShrinkStep(Zc: Float64Array, gC: Float64Array, L: number, beta: number, c: number, trial: Float64Array): void {
  const K = Zc.length / c;
  for (let k = 0; k < K; k++) {
    for (let o = 0; o < c; o++) trial[k * c + o] = Zc[k * c + o] - gC[k * c + o] / L;
    const nr = nrm2(trial.subarray(k * c, (k + 1) * c));
    const shrink = nr > beta / L ? 1 - beta / (L * nr) : 0;
    for (let o = 0; o < c; o++) trial[k * c + o] *= shrink;
  }
}

/** max_k of the optimality residual relative to β (file comment) at gradient gC. */
function optimalityResidual(C: Float64Array, gC: Float64Array, beta: number, c: number): number {
  const K = C.length / c;
  const r = new Float64Array(c);
  let worst = 0;
  for (let k = 0; k < K; k++) {
    const ck = C.subarray(k * c, (k + 1) * c);
    const cn = nrm2(ck);
    if (cn > 0) {
      for (let o = 0; o < c; o++) r[o] = gC[k * c + o] + (beta * ck[o]) / cn;
      worst = Math.max(worst, nrm2(r) / beta);
    } else {
      worst = Math.max(worst, nrm2(gC.subarray(k * c, (k + 1) * c)) / beta - 1);
    }
  }
  return worst;
}

/**
 * min_C L(A C, Y) + β Σ_k ‖C_k‖ by FISTA with backtracking and gradient restart, from the current
 * atoms.C (updated in place), until the optimality residual is ≤ opts.eps (checked every 20
 * iterations) or opts.maxIterations.
 */
export function groupLassoOverAtoms(atoms: AtomSet, problem: VectorProblem, opts: GroupLassoOptions): void {
  const { C } = atoms;
  const { beta } = problem;
  const c = problem.Y.cols;
  const len = C.length;
  const smooth = new SmoothPart(atoms, problem);
  const gC = smooth.gC;
  const Zc = C.slice();
  const prev = C.slice();
  const trial = new Float64Array(len);
  let L = 1;
  let tk = 1;
  for (let it = 0; it < opts.maxIterations; it++) {
    const fz = smooth.value(Zc, true);
    // Backtracking on the quadratic upper bound at Zc.
    for (;;) {
      groupShrinkStep(Zc, gC, L, beta, c, trial);
      let lin = 0;
      let quad = 0;
      for (let i = 0; i < len; i++) {
        const dlt = trial[i] - Zc[i];
        lin += gC[i] * dlt;
        quad += dlt * dlt;
      }
      if (smooth.value(trial, false) <= fz + lin + 0.5 * L * quad + 1e-15 * Math.abs(fz)) break;
      L *= 2;
    }
    prev.set(C);
    C.set(trial);
    // Restart when the momentum points uphill (O'Donoghue–Candès gradient scheme).
    let dot = 0;
    for (let i = 0; i < len; i++) dot += (Zc[i] - C[i]) * (C[i] - prev[i]);
    const tNext = dot > 0 ? 1 : (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
    const mom = dot > 0 ? 0 : (tk - 1) / tNext;
    for (let i = 0; i < len; i++) Zc[i] = C[i] + mom * (C[i] - prev[i]);
    tk = tNext;
    L /= 1.5;
    if (it % 20 === 19 || it === opts.maxIterations - 1) {
      smooth.value(C, true);
      if (optimalityResidual(C, gC, beta, c) <= opts.eps) return;
    }
  }
}
