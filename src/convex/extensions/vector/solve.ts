// The optimum of the vector-output problem (science/convex.md, "Extensions": the dual constraint
// is max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖ ≤ β, Λ = −∇L). With balanced neurons, c_j = ‖w_j‖α_j and u_j = w̄_j,
//   (NC_c) = min over unit u_j and c_j ∈ ℝ^c of L(Σ_j (Xu_j)_+ c_jᵀ, Y) + β Σ_j ‖c_j‖,
// a group lasso over the atoms (Xu)_+ for any fixed set of directions. Column generation: solve
// the group lasso over the current atoms, price every direction by the dual norm (vectorDualNorm:
// a rigorous upper bound s̄ and the maximiser u, the most violated atom), add it, repeat until
// s̄ ≤ β(1 + tol). The certificate is the dual value −L*(−Λ_f), Λ_f = Λ·min(1, β/s̄).
// (Weight-decayed GD on (NC_c) stalls at ReLU kinks with ‖∇F‖ ~ 1e-1…1e-2 on small data; the
// atoms reach rounding-level gaps.)
import type { Matrix } from "../../../linalg/index.js";
import { projectOntoCone } from "../../program/cone.js";
import {
  vectorCertificateFromPrediction, vectorDualNorm, vectorLossValue, vectorNetworkOutput,
  type VectorCertificate, type VectorProblem, type VectorReluNetwork,
} from "./dualNorm.js";

/** A new atom within this (max-norm, unit directions) of an existing one is not added. */
const DEDUP_TOL = 1e-9;

/** Options of `solveVectorByAtoms`. */
export interface VectorAtomOptions {
  /** Stop when the dual-norm upper bound s̄ ≤ β(1 + tol). Default 1e-8. */
  readonly tol?: number;
  /** Column-generation rounds. Default 200. */
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
  readonly converged: boolean;
  readonly seconds: number;
}

/**
 * min_C L(A C, Y) + β Σ_k ‖C_k‖ over the rows C_k ∈ ℝ^c of C (K×c) for atoms A (n×K): FISTA with
 * backtracking and gradient restart, from C (updated in place), until every atom satisfies its
 * optimality condition to `eps` relative to β (‖A_kᵀΛ − βĈ_k‖ on the support, ‖A_kᵀΛ‖ ≤ β(1+eps)
 * off it) or `maxIterations`.
 */
function groupLassoOverAtoms(
  A: Float64Array, n: number, K: number, Y: Matrix, beta: number, loss: VectorProblem["loss"], C: Float64Array, eps: number, maxIterations: number,
): void {
  const c = Y.cols;
  const F = new Float64Array(n * c);
  const G = new Float64Array(n * c);
  const gC = new Float64Array(K * c);
  const Zc = C.slice();
  const prev = C.slice();
  const trial = new Float64Array(K * c);
  const smooth = (Cm: Float64Array, withGrad: boolean): number => {
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
  };
  let L = 1;
  let tk = 1;
  for (let it = 0; it < maxIterations; it++) {
    const fz = smooth(Zc, true);
    // Backtracking on the quadratic upper bound at Zc.
    for (;;) {
      for (let k = 0; k < K; k++) {
        let r = 0;
        for (let o = 0; o < c; o++) {
          const v = Zc[k * c + o] - gC[k * c + o] / L;
          trial[k * c + o] = v;
          r += v * v;
        }
        const nr = Math.sqrt(r);
        const shrink = nr > beta / L ? 1 - beta / (L * nr) : 0;
        for (let o = 0; o < c; o++) trial[k * c + o] *= shrink;
      }
      let lin = 0;
      let quad = 0;
      for (let i = 0; i < K * c; i++) {
        const dlt = trial[i] - Zc[i];
        lin += gC[i] * dlt;
        quad += dlt * dlt;
      }
      if (smooth(trial, false) <= fz + lin + 0.5 * L * quad + 1e-15 * Math.abs(fz)) break;
      L *= 2;
    }
    prev.set(C);
    C.set(trial);
    // Restart when the momentum points uphill (O'Donoghue–Candès gradient scheme).
    let dot = 0;
    for (let i = 0; i < K * c; i++) dot += (Zc[i] - C[i]) * (C[i] - prev[i]);
    const tNext = dot > 0 ? 1 : (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
    const mom = dot > 0 ? 0 : (tk - 1) / tNext;
    for (let i = 0; i < K * c; i++) Zc[i] = C[i] + mom * (C[i] - prev[i]);
    tk = tNext;
    L /= 1.5;
    if (it % 20 === 19 || it === maxIterations - 1) {
      smooth(C, true);
      let worst = 0;
      for (let k = 0; k < K; k++) {
        let cn = 0;
        let gn = 0;
        for (let o = 0; o < c; o++) {
          cn += C[k * c + o] ** 2;
          gn += gC[k * c + o] ** 2;
        }
        cn = Math.sqrt(cn);
        if (cn > 0) {
          let r = 0;
          for (let o = 0; o < c; o++) r += (gC[k * c + o] + (beta * C[k * c + o]) / cn) ** 2;
          worst = Math.max(worst, Math.sqrt(r) / beta);
        } else {
          worst = Math.max(worst, Math.sqrt(gn) / beta - 1);
        }
      }
      if (worst <= eps) return;
    }
  }
}

/**
 * argmax over unit u in the cone of `u0`'s pattern of ĉᵀΛᵀ(Xu)_+ = Π_K(Xᵀ D Λ ĉ)/‖·‖ (ĉ = c/‖c‖),
 * or null when c = 0 or the projection vanishes.
 */
function refinedDirection(X: Matrix, u0: Float64Array, Lambda: Matrix, ck: Float64Array): Float64Array | null {
  const { rows: n, cols: D } = X;
  const c = Lambda.cols;
  const cn = Math.hypot(...ck);
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

/**
 * Column generation for (NC_c) over ReLU atoms (file comment): start from no atom (Λ = −∇L(0)),
 * price with vectorDualNorm (rigorous upper bound s̄, maximiser u), add (Xu)_+ while s̄ > β(1+tol),
 * solve the group lasso over the atoms (FISTA), and certify the balanced network
 * {(√‖C_k‖ u_k, C_k/√‖C_k‖)} with vectorCertificateFromPrediction. With exact patterns the gap
 * is a proof of global optimality at every width ≥ the number of neurons.
 */
export function solveVectorByAtoms(problem: VectorProblem, opts: VectorAtomOptions = {}): VectorAtomResult {
  const t0 = performance.now();
  const { X, Y, beta, loss, patterns } = problem;
  const { rows: n, cols: D } = X;
  const c = Y.cols;
  const tol = opts.tol ?? 1e-8;
  const normTol = opts.normTol ?? tol / 10;
  const maxRounds = opts.maxRounds ?? 200;
  const maxEvaluations = opts.maxEvaluations ?? 200_000;
  const dirs: Float64Array[] = [];
  let C = new Float64Array(0);
  let A = new Float64Array(0);
  const F = new Float64Array(n * c);
  const grad = new Float64Array(n * c);
  let rounds = 0;
  let converged = false;
  for (; rounds < maxRounds; rounds++) {
    const K = dirs.length;
    F.fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let o = 0; o < c; o++) F[i * c + o] += A[i * K + k] * C[k * c + o];
    vectorLossValue(loss, F, Y.data, c, grad);
    const Lambda: Matrix = { rows: n, cols: c, data: grad.map((v) => -v) };
    let norm = vectorDualNorm(X, patterns, Lambda, { tol: normTol, maxEvaluations });
    // Bounds straddling β(1 + tol) with no violating atom found: tighten the covering (twice).
    for (let t = 1; t <= 2 && norm.upper > beta * (1 + tol) && norm.lower <= beta * (1 + tol); t++) {
      norm = vectorDualNorm(X, patterns, Lambda, { tol: normTol * 10 ** -(2 * t), maxEvaluations: maxEvaluations * 4 ** t });
    }
    if (norm.upper <= beta * (1 + tol)) {
      converged = true;
      break;
    }
    if (norm.lower <= beta * (1 + tol) || norm.pattern < 0) break; // undecided: reported by the certificate
    if (dirs.some((u) => u.every((v, t) => Math.abs(v - norm.u[t]) <= 1e-12))) {
      // The most violated direction is already an atom: solve the restricted problem harder.
      groupLassoOverAtoms(A, n, K, Y, beta, loss, C, tol * 1e-3, 200_000);
      continue;
    }
    // New atoms: the most violated direction, and for every active atom its best direction for
    // its own output direction ĉ_k in its own cone, Π_K(Xᵀ D Λ ĉ_k)/‖·‖ (the stationarity fixed
    // point; kept as extra atoms, so the restricted optimum can only improve).
    const added: Float64Array[] = [norm.u.slice()];
    for (let k = 0; k < K; k++) {
      const refined = refinedDirection(X, dirs[k], Lambda, C.subarray(k * c, (k + 1) * c));
      if (refined !== null) added.push(refined);
    }
    const fresh = added.filter((u, a) => ![...dirs, ...added.slice(0, a)].some((v) => v.every((x, t) => Math.abs(x - u[t]) <= DEDUP_TOL)));
    dirs.push(...fresh);
    const K1 = K + fresh.length;
    const A1 = new Float64Array(n * K1);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) A1[i * K1 + k] = A[i * K + k];
      fresh.forEach((u, a) => {
        let s = 0;
        for (let t = 0; t < D; t++) s += X.data[i * D + t] * u[t];
        A1[i * K1 + K + a] = Math.max(s, 0);
      });
    }
    const C1 = new Float64Array(K1 * c);
    C1.set(C);
    A = A1;
    C = C1;
    groupLassoOverAtoms(A, n, K1, Y, beta, loss, C, tol * 0.1, 100_000);
    // Drop atoms that left the support (keeps the restricted problem small).
    const keep: number[] = [];
    for (let k = 0; k < K1; k++) if (C.subarray(k * c, (k + 1) * c).some((v) => v !== 0)) keep.push(k);
    if (keep.length < K1) {
      const K2 = keep.length;
      const A2 = new Float64Array(n * K2);
      const C2 = new Float64Array(K2 * c);
      keep.forEach((k, j) => {
        for (let i = 0; i < n; i++) A2[i * K2 + j] = A[i * K1 + k];
        C2.set(C.subarray(k * c, (k + 1) * c), j * c);
      });
      const kept = keep.map((k) => dirs[k]);
      dirs.length = 0;
      dirs.push(...kept);
      A = A2;
      C = C2;
    }
  }
  // The balanced network of the atoms.
  const K = dirs.length;
  const W = new Float64Array(K * D);
  const Aout = new Float64Array(K * c);
  let m = 0;
  let pen = 0;
  for (let k = 0; k < K; k++) {
    const ck = C.subarray(k * c, (k + 1) * c);
    const cn = Math.hypot(...ck);
    if (cn === 0) continue;
    const r = Math.sqrt(cn);
    for (let t = 0; t < D; t++) W[m * D + t] = r * dirs[k][t];
    for (let o = 0; o < c; o++) Aout[m * c + o] = ck[o] / r;
    pen += cn;
    m++;
  }
  const network: VectorReluNetwork = { W: W.slice(0, m * D), A: Aout.slice(0, m * c), m, D, c };
  const pred = vectorNetworkOutput(network, X);
  const primal = vectorLossValue(loss, pred.data, Y.data, c) + beta * pen;
  const certificate = vectorCertificateFromPrediction(problem, pred, primal, { tol, normTol, maxEvaluations });
  return {
    network, certificate, rounds, atoms: K, converged: converged && certificate.relativeGap <= Math.max(tol, 1e-12) * 10,
    seconds: (performance.now() - t0) / 1000,
  };
}
