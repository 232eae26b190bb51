// The optimum of the vector-output problem (docs/science/convex.md §8.1: the dual constraint
// is max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖ ≤ β, Λ = −∇L). With balanced neurons, c_j = ‖w_j‖α_j and u_j = w̄_j,
//   (NC_c) = min over unit u_j and c_j ∈ ℝ^c of L(Σ_j (Xu_j)_+ c_jᵀ, Y) + β Σ_j ‖c_j‖,
// a group lasso over the atoms (Xu)_+ for any fixed set of directions (groupLasso.ts). Column
// generation: solve the group lasso over the current atoms, price every direction by the dual
// norm (vectorDualNorm: a rigorous upper bound s̄ and the maximiser u, the most violated atom),
// add it, repeat. Each round is certified: Λ_f = Λ·min(1, β/s̄) is dual feasible, so
// gap = primal − (−L*(−Λ_f)) bounds the distance to the optimum; the solve ends when the relative
// gap is ≤ tol. When no atom violates the dual constraint by more than tol but the gap is still
// larger, the restricted group lasso is solved more accurately (its inexactness is the gap).
// (Weight-decayed GD on (NC_c) stalls at ReLU kinks with ‖∇F‖ ~ 1e-1…1e-2 on small data; the
// atoms reach rounding-level gaps.)
import { nrm2, type Matrix } from "../../../linalg/index.js";
import { projectOntoCone, VECTOR_SOLVE_TOL } from "../../program/index.js";
import { vectorCertificateFromPrediction, type VectorCertificate } from "./certificate.js";
import { vectorDualNorm, type VectorDualNorm } from "./dualNorm.js";
import { groupLassoOverAtoms, type AtomSet } from "./groupLasso.js";
import { vectorLossDualValue, vectorLossValue } from "./losses.js";
import { vectorNetworkOutput, type VectorReluNetwork } from "./network.js";
import type { VectorProblem } from "./problem.js";

/** A new atom within this (max-norm, unit directions) of an existing one is not added. */
const DEDUP_TOL = 1e-9;
/** The restricted group lasso is solved to its optimality residual eps·tol…, */
const LASSO_EPS = 0.1;
/** …and, when the atoms are complete but the gap is not yet ≤ tol, to a residual 100 times smaller per round, down to this. */
const LASSO_EPS_FLOOR = 1e-16;

/** Options of `solveVectorByAtoms`. */
export interface VectorAtomOptions {
  /** Stop when the certified relative duality gap is ≤ tol. Default VECTOR_SOLVE_TOL (1e-6). */
  readonly tol?: number;
  /** Column-generation rounds (pricings). Default 200. */
  readonly maxRounds?: number;
  /** Accuracy of the dual norm bounds (vectorDualNorm tol). Default tol/10. */
  readonly normTol?: number;
  /** Budget of cone evaluations per pricing. Default 200 000. */
  readonly maxEvaluations?: number;
}

/** The atom solution, its network and certificate (primal/dual values, gap, bounds on s). */
export interface VectorAtomResult {
  readonly network: VectorReluNetwork;
  readonly certificate: VectorCertificate;
  readonly rounds: number;
  /** Atoms generated (≥ neurons). */
  readonly atoms: number;
  /** The certificate's relative gap is ≤ tol. */
  readonly converged: boolean;
  /** The tolerance it was held to. */
  readonly tol: number;
  readonly seconds: number;
}

/** Λ = −∇L(AC) of the restricted solution, and its primal value L(AC) + β Σ_k ‖C_k‖. */
function restrictedPoint(problem: VectorProblem, atoms: AtomSet): { Lambda: Matrix; primal: number } {
  const { Y, beta, loss } = problem;
  const n = Y.rows;
  const c = Y.cols;
  const { A, C, K } = atoms;
  const F = new Float64Array(n * c);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let o = 0; o < c; o++) F[i * c + o] += A[i * K + k] * C[k * c + o];
  const grad = new Float64Array(n * c);
  let penalty = 0;
  for (let k = 0; k < K; k++) penalty += nrm2(C.subarray(k * c, (k + 1) * c));
  const primal = vectorLossValue(loss, F, Y.data, c, grad) + beta * penalty;
  return { Lambda: { rows: n, cols: c, data: grad.map((v) => -v) }, primal };
}

/** Relative gap of a primal value against Λ·min(1, β/s̄) (the round's certificate). */
function roundGap(problem: VectorProblem, Lambda: Matrix, s: number, primal: number): number {
  const scale = s > problem.beta ? problem.beta / s : 1;
  const dual = vectorLossDualValue(problem.loss, Lambda.data.map((v) => v * scale), problem.Y.data, problem.Y.cols);
  const gap = primal - dual;
  return primal === 0 && gap === 0 ? 0 : gap / Math.max(Math.abs(primal), Number.MIN_VALUE);
}

/** vectorDualNorm, tightened (twice) while its bounds straddle β(1 + tol) with no violating atom found. */
function price(problem: VectorProblem, Lambda: Matrix, tol: number, normTol: number, maxEvaluations: number): VectorDualNorm {
  const { X, patterns, beta } = problem;
  let norm = vectorDualNorm(X, patterns, Lambda, { tol: normTol, maxEvaluations });
  for (let t = 1; t <= 2 && norm.upper > beta * (1 + tol) && norm.lower <= beta * (1 + tol); t++) {
    norm = vectorDualNorm(X, patterns, Lambda, { tol: normTol * 10 ** -(2 * t), maxEvaluations: maxEvaluations * 4 ** t });
  }
  return norm;
}

/**
 * argmax over unit u in the cone of `u0`'s pattern of ĉᵀΛᵀ(Xu)_+ = Π_K(Xᵀ D Λ ĉ)/‖·‖ (ĉ = c/‖c‖),
 * or null when c = 0 or the projection vanishes.
 */
function refinedDirection(X: Matrix, u0: Float64Array, Lambda: Matrix, ck: Float64Array): Float64Array | null {
  const { rows: n, cols: D } = X;
  const c = Lambda.cols;
  const cn = nrm2(ck);
  if (cn === 0) return null;
  const mask = new Uint8Array(n);
  const g = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < D; t++) s += X.data[i * D + t] * u0[t];
    if (s < 0) continue;
    mask[i] = 1;
    let w = 0;
    for (let o = 0; o < c; o++) w += Lambda.data[i * c + o] * ck[o];
    for (let t = 0; t < D; t++) g[t] += (w / cn) * X.data[i * D + t];
  }
  const proj = projectOntoCone(X.data, n, D, mask, g);
  return proj.norm > 0 ? Float64Array.from(proj.projection, (v) => v / proj.norm) : null;
}

/** Two unit directions agree to `tol` in every coordinate. */
function sameDirection(u: Float64Array, v: Float64Array, tol: number): boolean {
  return u.every((x, t) => Math.abs(x - v[t]) <= tol);
}

/**
 * New atoms: the most violated direction `u`, and for every active atom its best direction for
 * its own output direction ĉ_k in its own cone, Π_K(Xᵀ D Λ ĉ_k)/‖·‖ (the stationarity fixed
 * point; kept as extra atoms, so the restricted optimum can only improve). Duplicates (DEDUP_TOL)
 * are skipped; the new columns (Xu)_+ are appended to A with zero coefficients.
 */
function addAtoms(X: Matrix, atoms: AtomSet, u: Float64Array, Lambda: Matrix): AtomSet {
  const { rows: n, cols: D } = X;
  const c = Lambda.cols;
  const { dirs, A, C, K } = atoms;
  const added: Float64Array[] = [u.slice()];
  for (let k = 0; k < K; k++) {
    const refined = refinedDirection(X, dirs[k], Lambda, C.subarray(k * c, (k + 1) * c));
    if (refined !== null) added.push(refined);
  }
  const fresh = added.filter((v, a) => ![...dirs, ...added.slice(0, a)].some((w) => sameDirection(w, v, DEDUP_TOL)));
  const K1 = K + fresh.length;
  const A1 = new Float64Array(n * K1);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) A1[i * K1 + k] = A[i * K + k];
    fresh.forEach((v, a) => {
      let s = 0;
      for (let t = 0; t < D; t++) s += X.data[i * D + t] * v[t];
      A1[i * K1 + K + a] = Math.max(s, 0);
    });
  }
  const C1 = new Float64Array(K1 * c);
  C1.set(C);
  return { dirs: [...dirs, ...fresh], A: A1, C: C1, K: K1 };
}

/** The atoms whose coefficient row is nonzero (keeps the restricted problem small). */
function dropInactive(atoms: AtomSet, n: number, c: number): AtomSet {
  const { dirs, A, C, K } = atoms;
  const keep: number[] = [];
  for (let k = 0; k < K; k++) if (C.subarray(k * c, (k + 1) * c).some((v) => v !== 0)) keep.push(k);
  if (keep.length === K) return atoms;
  const K2 = keep.length;
  const A2 = new Float64Array(n * K2);
  const C2 = new Float64Array(K2 * c);
  keep.forEach((k, j) => {
    for (let i = 0; i < n; i++) A2[i * K2 + j] = A[i * K + k];
    C2.set(C.subarray(k * c, (k + 1) * c), j * c);
  });
  return { dirs: keep.map((k) => dirs[k]), A: A2, C: C2, K: K2 };
}

/** The balanced network {(√‖C_k‖ u_k, C_k/√‖C_k‖)} of the nonzero atoms and its penalty Σ_k ‖C_k‖. */
function balancedNetwork(atoms: AtomSet, D: number, c: number): { network: VectorReluNetwork; penalty: number } {
  const { dirs, C, K } = atoms;
  const W = new Float64Array(K * D);
  const Aout = new Float64Array(K * c);
  let m = 0;
  let penalty = 0;
  for (let k = 0; k < K; k++) {
    const ck = C.subarray(k * c, (k + 1) * c);
    const cn = nrm2(ck);
    if (cn === 0) continue;
    const r = Math.sqrt(cn);
    for (let t = 0; t < D; t++) W[m * D + t] = r * dirs[k][t];
    for (let o = 0; o < c; o++) Aout[m * c + o] = ck[o] / r;
    penalty += cn;
    m++;
  }
  return { network: { W: W.slice(0, m * D), A: Aout.slice(0, m * c), m, D, c }, penalty };
}

/**
 * Column generation for (NC_c) over ReLU atoms (file comment): start from no atom (Λ = −∇L(0)),
 * price with vectorDualNorm (rigorous upper bound s̄, maximiser u); stop when the round's
 * certified relative gap is ≤ tol; else add (Xu)_+ while s̄ > β(1 + tol), or solve the group
 * lasso more accurately when no atom violates; solve the group lasso over the atoms (FISTA).
 * The balanced network {(√‖C_k‖ u_k, C_k/√‖C_k‖)} is certified by vectorCertificateFromPrediction
 * and `converged` means its relative gap is ≤ tol. With exact patterns the gap is a proof of
 * global optimality at every width ≥ the number of neurons. β at least the dual norm of
 * Λ = −∇L(0) gives the zero network (no neuron), certified with gap 0, in the first round.
 *
 * @param problem - the vector-output problem
 * @param opts - `tol` (relative gap), `maxRounds`, dual-norm tolerance and budget
 * @returns the network, its certificate (primal, dual, relative gap), rounds, atoms, `converged`
 * @example
 * ```ts
 * import { enumeratePatterns, solveVectorByAtoms, vectorProblem, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(x.flatMap((t) => [Math.abs(t), Math.max(t, 0)])) };
 * const problem = vectorProblem(X, Y, 0.05, "square", enumeratePatterns(X));
 * const res = solveVectorByAtoms(problem); // relative gap ≤ VECTOR_SOLVE_TOL = 1e-6
 * console.log(res.converged, res.network.m, res.certificate.relativeGap); // true, a few neurons, < 1e-6
 * ```
 */
export function solveVectorByAtoms(problem: VectorProblem, opts: VectorAtomOptions = {}): VectorAtomResult {
  const t0 = performance.now();
  const { X, Y, beta } = problem;
  const { rows: n, cols: D } = X;
  const c = Y.cols;
  const tol = opts.tol ?? VECTOR_SOLVE_TOL;
  const normTol = opts.normTol ?? tol / 10;
  const maxRounds = opts.maxRounds ?? 200;
  const maxEvaluations = opts.maxEvaluations ?? 200_000;
  let atoms: AtomSet = { dirs: [], A: new Float64Array(0), C: new Float64Array(0), K: 0 };
  let lassoEps = LASSO_EPS * tol;
  let rounds = 0;
  for (; rounds < maxRounds; rounds++) {
    const { Lambda, primal } = restrictedPoint(problem, atoms);
    const norm = price(problem, Lambda, tol, normTol, maxEvaluations);
    if (roundGap(problem, Lambda, norm.upper, primal) <= tol) break;
    const violated = norm.upper > beta * (1 + tol);
    if (violated && (norm.lower <= beta * (1 + tol) || norm.pattern < 0)) break; // undecided: reported by the certificate
    if (!violated || atoms.dirs.some((u) => u.every((v, t) => Math.abs(v - norm.u[t]) <= 1e-12))) {
      // The atoms are complete (or the most violated direction is already one): the gap is the
      // restricted problem's inexactness, so solve it harder.
      if (lassoEps <= LASSO_EPS_FLOOR) break;
      lassoEps = Math.max(LASSO_EPS_FLOOR, lassoEps * 1e-2);
      groupLassoOverAtoms(atoms, problem, { eps: lassoEps, maxIterations: 200_000 });
      continue;
    }
    atoms = addAtoms(X, atoms, norm.u, Lambda);
    groupLassoOverAtoms(atoms, problem, { eps: lassoEps, maxIterations: 100_000 });
    atoms = dropInactive(atoms, n, c);
  }
  const { network, penalty } = balancedNetwork(atoms, D, c);
  const pred = vectorNetworkOutput(network, X);
  const primal = vectorLossValue(problem.loss, pred.data, Y.data, c) + beta * penalty;
  const certificate = vectorCertificateFromPrediction(problem, pred, primal, { tol, normTol, maxEvaluations });
  return {
    network, certificate, rounds, atoms: atoms.K, converged: certificate.relativeGap <= tol, tol,
    seconds: (performance.now() - t0) / 1000,
  };
}
