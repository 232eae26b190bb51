// Projection onto the pattern cone K = {u : (2D − I) X u ≥ 0}. Source: docs/science/convex.md §1.4:
// Π_K(g) = g + Aᵀλ*, λ* = argmin_{λ≥0} ‖g + Aᵀλ‖ with A = (2D − I)X (Moreau: g = Π_K g + Π_{K°} g,
// K° = {−Aᵀλ : λ ≥ 0}), an NNLS problem; and max_{u∈K, ‖u‖≤1} gᵀu = ‖Π_K g‖.
import { nnls, nrm2 } from "../../linalg/index.js";

/** Π_K(g) and the numbers that certify it. */
export interface ConeProjection {
  /** Π_K(g). */
  readonly projection: Float64Array;
  /** ‖Π_K(g)‖. */
  readonly norm: number;
  /** The multipliers λ ≥ 0 (length n), Π_K(g) = g + Aᵀλ. */
  readonly lambda: Float64Array;
  /** Constraints of the active (working) set. */
  readonly active: Int32Array;
  /** max_k (−a_kᵀΠ(g))_+ / (‖a_k‖·‖g‖): relative primal infeasibility of the result. */
  readonly infeasibility: number;
  /** Outer iterations (constraints added). */
  readonly iterations: number;
}

/** Options of projectOntoCone. */
export interface ConeProjectionOptions {
  /** A constraint counts as violated when a_kᵀu < −tol·‖a_k‖·‖g‖. Default 1e-12. */
  readonly tol?: number;
  /** Constraints to start the working set with (e.g. the last projection's active set). */
  readonly warmStart?: ArrayLike<number>;
}

/**
 * Π_K(g) for K = {u ∈ ℝᵈ : σ_k x_kᵀu ≥ 0, k < n}, σ_k = 2·mask_k − 1, by constraint generation
 * on the NNLS dual: start with u = g and the working set S (empty or warm); repeatedly add the
 * most violated constraint (smallest σ_k x_kᵀu/‖x_k‖) to S and solve the small NNLS
 * λ_S = argmin_{λ≥0} ‖g + A_Sᵀλ‖ (linalg `nnls`, d × |S|), u = g + A_Sᵀλ_S. When u is feasible
 * the KKT conditions of the full NNLS hold (λ_j = 0 off S, A_S u ≥ 0 with complementarity on S
 * from the small NNLS, A u ≥ 0 by the stop test), so u = Π_K(g). Each round costs one n×d
 * product; the working set stays small (about the number of active constraints, ≤ d in general
 * position), so this is much cheaper than one NNLS with all n columns when n ≫ d.
 */
export function projectOntoCone(
  X: Float64Array, n: number, d: number, mask: Uint8Array, g: Float64Array, opts: ConeProjectionOptions = {},
): ConeProjection {
  const tol = opts.tol ?? 1e-12;
  const gNorm = nrm2(g);
  const lambda = new Float64Array(n);
  const u = g.slice();
  if (gNorm === 0) return { projection: u, norm: 0, lambda, active: new Int32Array(0), infeasibility: 0, iterations: 0 };
  const rowNorm = new Float64Array(n);
  for (let k = 0; k < n; k++) rowNorm[k] = nrm2(X.subarray(k * d, (k + 1) * d));
  const S: number[] = [];
  const inS = new Uint8Array(n);
  if (opts.warmStart !== undefined) {
    for (let i = 0; i < opts.warmStart.length; i++) {
      const k = opts.warmStart[i];
      if (!inS[k] && rowNorm[k] > 0) { inS[k] = 1; S.push(k); }
    }
    if (S.length > 0) solveWorkingSet(X, d, mask, g, S, lambda, u);
  }
  let iterations = 0;
  let infeasibility = 0;
  for (; iterations <= n + d; iterations++) {
    let worst = -1;
    let worstVal = 0;
    infeasibility = 0;
    for (let k = 0; k < n; k++) {
      if (rowNorm[k] === 0) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += X[k * d + j] * u[j];
      const c = (mask[k] ? s : -s) / rowNorm[k];
      if (c < worstVal) {
        worstVal = c;
        worst = k;
      }
    }
    infeasibility = Math.max(0, -worstVal) / gNorm;
    if (worst < 0 || -worstVal <= tol * gNorm) break;
    if (inS[worst]) break; // already in the working set: rounding level, cannot improve
    inS[worst] = 1;
    S.push(worst);
    solveWorkingSet(X, d, mask, g, S, lambda, u);
  }
  const active = Int32Array.from(S.filter((k) => lambda[k] > 0));
  return { projection: u, norm: nrm2(u), lambda, active, infeasibility, iterations };
}

/** λ_S = argmin_{λ≥0} ‖g + A_Sᵀλ‖ (zero off S), u = g + A_Sᵀλ. */
function solveWorkingSet(X: Float64Array, d: number, mask: Uint8Array, g: Float64Array, S: number[], lambda: Float64Array, u: Float64Array): void {
  const m = S.length;
  // NNLS: min ‖M λ − b‖, M = A_Sᵀ (d × m), b = −g.
  const M = new Float64Array(d * m);
  for (let c = 0; c < m; c++) {
    const k = S[c];
    const sg = mask[k] ? 1 : -1;
    for (let j = 0; j < d; j++) M[j * m + c] = sg * X[k * d + j];
  }
  const b = new Float64Array(d);
  for (let j = 0; j < d; j++) b[j] = -g[j];
  const res = nnls({ rows: d, cols: m, data: M }, b);
  u.set(g);
  for (let c = 0; c < m; c++) {
    const k = S[c];
    const l = res.x[c];
    lambda[k] = l;
    if (l === 0) continue;
    for (let j = 0; j < d; j++) u[j] += l * M[j * m + c];
  }
}

/**
 * Π_K(g) by one NNLS over all n constraints, exactly the note's formula (the reference for
 * `projectOntoCone`): λ* = nnls(Aᵀ, −g), Π_K(g) = g + Aᵀλ*.
 */
export function projectOntoConeNnls(X: Float64Array, n: number, d: number, mask: Uint8Array, g: Float64Array): ConeProjection {
  const M = new Float64Array(d * n);
  for (let k = 0; k < n; k++) {
    const sg = mask[k] ? 1 : -1;
    for (let j = 0; j < d; j++) M[j * n + k] = sg * X[k * d + j];
  }
  const b = new Float64Array(d);
  for (let j = 0; j < d; j++) b[j] = -g[j];
  const res = nnls({ rows: d, cols: n, data: M }, b);
  const u = g.slice();
  for (let k = 0; k < n; k++) {
    const l = res.x[k];
    if (l !== 0) for (let j = 0; j < d; j++) u[j] += l * M[j * n + k];
  }
  const gNorm = nrm2(g);
  let infeasibility = 0;
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[k * d + j] * u[j];
    const c = mask[k] ? s : -s;
    const rn = nrm2(X.subarray(k * d, (k + 1) * d));
    if (rn > 0 && gNorm > 0) infeasibility = Math.max(infeasibility, -c / rn / gNorm);
  }
  return {
    projection: u, norm: nrm2(u), lambda: res.x, active: res.passive,
    infeasibility: Math.max(0, infeasibility), iterations: res.iterations,
  };
}
