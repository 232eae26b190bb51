// The optimal set of the vector-output problem (docs/science/convex.md §8.1; the scalar case is
// §3, Theorem 1). With a dual optimum Λ* = −∇L(F*) ∈ ℝ^{n×c} (the square loss: Y − F*):
//  * every optimal neuron (w, α) is balanced, its unit input direction u = w̄ attains the dual norm,
//    ‖Λ*ᵀ(Xu)_+‖ = β, and its output direction is fixed by u: ᾱ = z(u) = Λ*ᵀ(Xu)_+/β (equality
//    in ⟨Λ*, (Xw)_+αᵀ⟩ ≤ ‖Λ*ᵀ(Xw)_+‖‖α‖ ≤ β‖w‖‖α‖, which every optimal neuron must attain);
//  * so with the finitely many maximisers u_k (generic data; see below) and fits
//    f_k = vec((Xu_k)_+ z_kᵀ) ∈ ℝ^{nc}, an optimal network of any width is neurons (√t u_k, √t z_k)
//    whose per-direction sums c_k = Σ t form a point of
//      P* = {c ≥ 0 : Σ_k c_k (Xu_k)_+ z_kᵀ = F*},
//    a polytope whose vertices (irreducible solutions) have linearly independent fits in ℝ^{nc},
//    hence at most nc neurons: m* ≤ M* ≤ nc, and the optimal set is connected from width nc + 1.
//    For the softmax loss F* is unique up to row shifts F* + r1ᵀ and every z_k ⊥ 1 (the rows of Λ*
//    sum to 0), so the target is F* with its rows centred.
// The maximisers, exactly (no sampling): in pattern i, u ∈ K_i = {u : A u ≥ 0}, A = (2D_i − I)X,
// maximises uᵀQu on the unit sphere, Q = XᵀD_iΛ*Λ*ᵀD_iX. A maximiser lies in the relative interior
// of a face of K_i whose span is null(A_S) for a set S of at most D − 1 rows; there it is a local
// maximum of the Rayleigh quotient on that subspace's sphere, hence its top eigenvector. Every
// such S is tried (Σ_{k<D} C(n, k) per pattern, small for small D): ±(top eigenvector) in K_i
// with value ≥ β(1 − activeTol) is an optimal direction. A repeated top eigenvalue on a face means
// a continuum of maximisers there (reported; the set is then not a finite polytope description).
import { distance, eigh, lstsq, nnls, nrm2, nullSpace, type Matrix } from "../../../linalg/index.js";
import { independent, optimalSetComponents, optimalSetVertices, type OptimalDirection, type OptimalVertex, type VertexOptions } from "../../landscape/index.js";
import { patternMask } from "../../program/index.js";
import { vectorConnectivityWidth } from "./certificate.js";
import { groupLassoOverAtoms, type AtomSet } from "./groupLasso.js";
import { vectorObjective, type VectorReluNetwork } from "./network.js";
import { vectorLossDualValue, vectorLossValue } from "./losses.js";
import type { VectorProblem } from "./problem.js";

/** One optimal direction of the vector program: `direction` = u_k, `outputDirection` = z_k, `fit` = vec((Xu_k)_+ z_kᵀ) (row-major n×c). */
export interface VectorOptimalDirection extends OptimalDirection {
  /** z_k = Λ*ᵀ(Xu_k)_+/‖·‖ (length c): every optimal neuron on u_k has α along it. */
  readonly outputDirection: Float64Array;
}

/** Options of `vectorOptimalDirections`. */
export interface VectorOptimalDirectionsOptions {
  /** Active when ‖Λ*ᵀ(Xu)_+‖ ≥ β(1 − activeTol). Default 1e-5 (docs/science/convex.md §10.3). */
  readonly activeTol?: number;
  /** Two unit directions are the same when ‖u − u'‖ ≤ dedupTol. Default 1e-6. */
  readonly dedupTol?: number;
  /** Give up (null, with a reason) above this many faces (pattern × row subset). Default 200 000. */
  readonly maxFaces?: number;
  /** A top eigenvalue within this relative distance of the next one is repeated (a continuum). Default 1e-9. */
  readonly repeatTol?: number;
}

/** Λ*, the active directions and what the face enumeration saw. */
export interface VectorOptimalDirections {
  readonly Lambda: Matrix;
  readonly directions: VectorOptimalDirection[] | null;
  /** max over faces of the top ‖Λ*ᵀ(Xu)_+‖/β in K_i (≤ 1 + rounding at a dual optimum). */
  readonly maxDualRatio: number;
  readonly facesTried: number;
  /** Faces on which the active maximiser is not unique (a repeated top eigenvalue). */
  readonly continuumFaces: number;
  readonly activeTol: number;
  readonly dedupTol: number;
  /** Why the directions are null (too many faces). */
  readonly reason: string | null;
}

/** Subsets of {0, …, n − 1} of size ≤ kMax, as arrays (including the empty one). */
function* subsets(n: number, kMax: number): Generator<number[]> {
  const S: number[] = [];
  function* rec(start: number): Generator<number[]> {
    yield S.slice();
    if (S.length === kMax) return;
    for (let k = start; k < n; k++) {
      S.push(k);
      yield* rec(k + 1);
      S.pop();
    }
  }
  yield* rec(0);
}

function countSubsets(n: number, kMax: number): number {
  let total = 0;
  for (let k = 0, c = 1; k <= Math.min(kMax, n); k++) {
    total += c;
    c = (c * (n - k)) / (k + 1);
  }
  return total;
}

/** Λ* = −∇L(F*) (n×c). */
function dualOf(problem: VectorProblem, F: Matrix): Matrix {
  const grad = new Float64Array(F.data.length);
  vectorLossValue(problem.loss, F.data, problem.Y.data, problem.Y.cols, grad);
  return { rows: F.rows, cols: F.cols, data: grad.map((v) => -v) };
}

/**
 * The optimal directions (u_k, z_k) of the vector program from an optimal prediction F* (file
 * comment): every face of every pattern cone, its top eigenvector, kept when it lies in the cone
 * and attains β(1 − activeTol). F* must be accurate (relative gap ≲ 1e-10, `polishVectorOptimum`).
 *
 * @param problem - the vector program (`vectorProblem`; exact patterns, small n and D)
 * @param F - an accurate optimal prediction F* (n×c), e.g. `polishVectorOptimum(…).prediction`
 * @param opts - `activeTol` (β(1 − activeTol) counts as active), `dedupTol`, `maxFaces`, `repeatTol`
 * @returns Λ* = −∇L(F*), the optimal directions (u_k, z_k) with their fits (null with a `reason`
 *   above `maxFaces`), the largest dual ratio seen and the faces with a continuum of maximisers
 * @example
 * ```ts
 * import { enumeratePatterns, polishVectorOptimum, solveVectorByAtoms, vectorOptimalDirections, vectorProblem } from "splitscape";
 * const angles = [0, 1, 2, 3, 4].map((k) => (2 * Math.PI * k) / 5); // five points on the unit circle
 * const X = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap(() => [0.6, 0.8])) }; // Y = 1vᵀ
 * const problem = vectorProblem(X, Y, 0.2, "square", enumeratePatterns(X));
 * const polished = polishVectorOptimum(problem, solveVectorByAtoms(problem).certificate.prediction)!;
 * const dirs = vectorOptimalDirections(problem, polished.prediction);
 * console.log(dirs.directions?.length, dirs.maxDualRatio, dirs.continuumFaces); // 10 1.0000000000000007 0
 * ```
 */
export function vectorOptimalDirections(problem: VectorProblem, F: Matrix, opts: VectorOptimalDirectionsOptions = {}): VectorOptimalDirections {
  const activeTol = opts.activeTol ?? 1e-5;
  const dedupTol = opts.dedupTol ?? 1e-6;
  const repeatTol = opts.repeatTol ?? 1e-9;
  const { X, patterns, beta } = problem;
  const { rows: n, cols: D } = X;
  const c = problem.Y.cols;
  const Lambda = dualOf(problem, F);
  const faces = patterns.count * countSubsets(n, D - 1);
  const maxFaces = opts.maxFaces ?? 200_000;
  const base = { Lambda, maxDualRatio: NaN, facesTried: 0, continuumFaces: 0, activeTol, dedupTol };
  if (faces > maxFaces) return { ...base, directions: null, reason: `${faces} cone faces > ${maxFaces}: the exact maximisers are enumerated on small instances only` };
  const found: VectorOptimalDirection[] = [];
  let maxDualRatio = 0;
  let continuumFaces = 0;
  for (let i = 0; i < patterns.count; i++) {
    const mask = patternMask(patterns, i);
    const A = Float64Array.from({ length: n * D }, (_, r) => (mask[Math.floor(r / D)] ? 1 : -1) * X.data[r]);
    const M = patternOperator(X, mask, Lambda); // c×D: Λᵀ D_i X
    for (const S of subsets(n, D - 1)) {
      const face = topOnFace(A, M, S, n, D, c, repeatTol);
      if (face === null) continue;
      for (const u of [face.u, face.u.map((v) => -v)]) {
        if (!inCone(A, u, n, D)) continue;
        const ratio = Math.sqrt(face.value) / beta;
        maxDualRatio = Math.max(maxDualRatio, ratio);
        if (ratio < 1 - activeTol) continue;
        if (face.repeated) continuumFaces++;
        const same = found.find((f) => distance(f.direction, u) <= dedupTol);
        if (same !== undefined) {
          if (!same.patterns.includes(i)) same.patterns.push(i);
          continue;
        }
        found.push(vectorDirection(X, Lambda, u, i, ratio));
      }
    }
  }
  return { Lambda, directions: found, maxDualRatio, facesTried: faces, continuumFaces, activeTol, dedupTol, reason: null };
}

/** Λᵀ D_i X (c×D, row-major). */
function patternOperator(X: Matrix, mask: Uint8Array, Lambda: Matrix): Float64Array {
  const { rows: n, cols: D } = X;
  const c = Lambda.cols;
  const M = new Float64Array(c * D);
  for (let k = 0; k < n; k++) {
    if (!mask[k]) continue;
    for (let o = 0; o < c; o++) {
      const l = Lambda.data[k * c + o];
      for (let t = 0; t < D; t++) M[o * D + t] += l * X.data[k * D + t];
    }
  }
  return M;
}

/** The top eigenpair of uᵀMᵀMu on the unit sphere of null(A_S), or null when that subspace is {0}. */
function topOnFace(A: Float64Array, M: Float64Array, S: number[], n: number, D: number, c: number, repeatTol: number): { u: Float64Array; value: number; repeated: boolean } | null {
  let N: Matrix; // rows: an orthonormal basis of null(A_S)
  if (S.length === 0) {
    N = { rows: D, cols: D, data: new Float64Array(D * D) };
    for (let t = 0; t < D; t++) N.data[t * D + t] = 1;
  } else {
    const AS: Matrix = { rows: S.length, cols: D, data: new Float64Array(S.length * D) };
    S.forEach((k, r) => AS.data.set(A.subarray(k * D, (k + 1) * D), r * D));
    N = nullSpace(AS);
    if (N.rows === 0) return null;
  }
  const k = N.rows;
  // B = M Nᵀ (c×k); Q_S = BᵀB (k×k).
  const B = new Float64Array(c * k);
  for (let o = 0; o < c; o++) for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < D; t++) s += M[o * D + t] * N.data[j * D + t];
    B[o * k + j] = s;
  }
  const Q: Matrix = { rows: k, cols: k, data: new Float64Array(k * k) };
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    let s = 0;
    for (let o = 0; o < c; o++) s += B[o * k + a] * B[o * k + b];
    Q.data[a * k + b] = s;
  }
  const eig = eigh(Q);
  const top = eig.values[k - 1];
  if (!(top > 0)) return null;
  const repeated = k > 1 && eig.values[k - 2] >= top * (1 - repeatTol);
  const u = new Float64Array(D);
  for (let j = 0; j < k; j++) {
    const e = eig.vectors!.data[j * k + (k - 1)];
    for (let t = 0; t < D; t++) u[t] += e * N.data[j * D + t];
  }
  const un = nrm2(u);
  return { u: u.map((v) => v / un), value: top, repeated };
}

/** A u ≥ −1e-12·‖a_k‖ for every row (u in the closed cone, up to rounding). */
function inCone(A: Float64Array, u: Float64Array, n: number, D: number): boolean {
  for (let k = 0; k < n; k++) {
    const a = A.subarray(k * D, (k + 1) * D);
    let s = 0;
    for (let t = 0; t < D; t++) s += a[t] * u[t];
    if (s < -1e-12 * nrm2(a)) return false;
  }
  return true;
}

/** The record of an optimal direction u: z = Λᵀ(Xu)_+/‖·‖ and the fit vec((Xu)_+ zᵀ). */
function vectorDirection(X: Matrix, Lambda: Matrix, u: Float64Array, pattern: number, ratio: number): VectorOptimalDirection {
  const { rows: n, cols: D } = X;
  const c = Lambda.cols;
  const a = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let t = 0; t < D; t++) s += X.data[k * D + t] * u[t];
    a[k] = Math.max(s, 0);
  }
  const z = new Float64Array(c);
  for (let k = 0; k < n; k++) for (let o = 0; o < c; o++) z[o] += Lambda.data[k * c + o] * a[k];
  const zn = nrm2(z);
  for (let o = 0; o < c; o++) z[o] /= zn;
  const fit = new Float64Array(n * c);
  for (let k = 0; k < n; k++) for (let o = 0; o < c; o++) fit[k * c + o] = a[k] * z[o];
  return { sign: 1, patterns: [pattern], direction: u, dualRatio: ratio, fit, outputDirection: z };
}

/**
 * The target of P*: F* (square loss), or F* with rows centred (softmax: F* + r1ᵀ are all optimal, z_k ⊥ 1).
 *
 * @param problem - the vector program (its loss decides the centring)
 * @param F - an optimal prediction F* (n×c)
 * @returns a copy of F*'s data (row-major n×c), its rows centred for the softmax loss
 * @example
 * ```ts
 * import { enumeratePatterns, vectorOptimalTarget, vectorProblem } from "splitscape";
 * const X = { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, 1]) };
 * const Y = { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, 1]) };
 * const problem = vectorProblem(X, Y, 0.1, "softmax", enumeratePatterns(X));
 * const F = { rows: 2, cols: 2, data: Float64Array.from([3, 1, 0, 2]) };
 * console.log(vectorOptimalTarget(problem, F)); // Float64Array [1, -1, -1, 1]
 * ```
 */
export function vectorOptimalTarget(problem: VectorProblem, F: Matrix): Float64Array {
  const t = F.data.slice();
  if (problem.loss !== "softmax") return t;
  const c = F.cols;
  for (let k = 0; k < F.rows; k++) {
    let mean = 0;
    for (let o = 0; o < c; o++) mean += t[k * c + o] / c;
    for (let o = 0; o < c; o++) t[k * c + o] -= mean;
  }
  return t;
}

/** Components of the width-m optimal set for m = m* … the first connected width (at most nc + 1). */
export interface VectorConnectivityRow {
  readonly width: number;
  /** Components of P*_m up to permutation (vertices with |S| ≤ m, joined when |S ∪ S'| ≤ m). */
  readonly components: number;
  readonly singletons: number;
}

/** Everything `vectorOptimalSet` finds. */
export interface VectorOptimalSet extends VectorOptimalDirections {
  readonly vertices: OptimalVertex[] | null;
  readonly mStar: number | null;
  readonly MStar: number | null;
  readonly supportsTried: number;
  /** Index of a sparsest vertex (support m*), or −1. */
  readonly sparsest: number;
  /** nc + 1, the width from which the paper states connectivity. */
  readonly connectivityWidth: number;
  /** The smallest width from which P*_m is connected (null without vertices). */
  readonly connectedFrom: number | null;
  readonly connectivity: VectorConnectivityRow[];
  /** The fits of the directions are linearly independent (then P* is the single point of its unique vertex). */
  readonly independentFits: boolean | null;
}

/**
 * The optimal set of the vector program from an accurate optimal prediction F*: the directions
 * (u_k, z_k), the vertices of P* with m* and M*, and the components of the width-m optimal set from
 * m* until it is connected (the statement: connected for every m ≥ nc + 1).
 *
 * @param problem - the vector program (`vectorProblem`; exact patterns, small n and D)
 * @param F - an accurate optimal prediction F* (relative gap ≲ 1e-10, `polishVectorOptimum`)
 * @param opts - the options of `vectorOptimalDirections` and of the vertex enumeration (`VertexOptions`)
 * @returns the directions, the vertices of P* with m*, M* and a sparsest vertex, and the components
 *   of the width-m optimal set for m = m*, … until `connectedFrom` (nulls when a step gave up, with `reason`)
 * @example
 * ```ts
 * import { enumeratePatterns, polishVectorOptimum, solveVectorByAtoms, vectorOptimalSet, vectorProblem } from "splitscape";
 * const angles = [0, 1, 2, 3, 4].map((k) => (2 * Math.PI * k) / 5); // five points on the unit circle
 * const X = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap(() => [0.6, 0.8])) }; // Y = 1vᵀ
 * const problem = vectorProblem(X, Y, 0.2, "square", enumeratePatterns(X));
 * const polished = polishVectorOptimum(problem, solveVectorByAtoms(problem).certificate.prediction)!;
 * const set = vectorOptimalSet(problem, polished.prediction);
 * console.log(set.mStar, set.MStar, set.vertices?.length, set.connectedFrom, set.connectivityWidth); // 4 5 22 6 11
 * ```
 */
export function vectorOptimalSet(problem: VectorProblem, F: Matrix, opts: VectorOptimalDirectionsOptions & VertexOptions = {}): VectorOptimalSet {
  const dirs = vectorOptimalDirections(problem, F, opts);
  const n = problem.X.rows;
  const c = problem.Y.cols;
  const connectivityWidth = vectorConnectivityWidth(n, c);
  const none = { vertices: null, mStar: null, MStar: null, supportsTried: 0, sparsest: -1, connectivityWidth, connectedFrom: null, connectivity: [], independentFits: null };
  if (dirs.directions === null) return { ...dirs, ...none };
  const target = vectorOptimalTarget(problem, F);
  const structure = optimalSetVertices(dirs.directions, target, { maxDirections: 24, ...opts });
  const independentFits = dirs.directions.length === 0 ? true : independent(dirs.directions.map((d) => d.fit), 1e-8);
  if (structure.vertices === null || structure.mStar === null) {
    return { ...dirs, ...none, supportsTried: structure.supportsTried, independentFits, reason: structure.reason };
  }
  const vertices = structure.vertices;
  let sparsest = 0;
  vertices.forEach((v, i) => { if (v.support.length < vertices[sparsest].support.length) sparsest = i; });
  const connectivity: VectorConnectivityRow[] = [];
  let connectedFrom: number | null = null;
  for (let m = structure.mStar; m <= Math.max(structure.MStar!, structure.mStar) + structure.mStar; m++) {
    const comp = optimalSetComponents(vertices, m);
    const sizes = new Array<number>(comp.count).fill(0);
    for (const l of comp.label) if (l >= 0) sizes[l]++;
    // A component of P*_m is a single network (up to permutation) only when it is one vertex of
    // support m exactly (a smaller vertex can split a neuron into a zero slot).
    const singletons = sizes.filter((s, l) => s === 1 && vertices[comp.label.indexOf(l)].support.length === m).length;
    connectivity.push({ width: m, components: comp.count, singletons });
    if (comp.count === 1 && comp.label.every((l) => l === 0)) {
      connectedFrom = m;
      break;
    }
  }
  return { ...dirs, vertices, mStar: structure.mStar, MStar: structure.MStar, supportsTried: structure.supportsTried, sparsest, connectivityWidth, connectedFrom, connectivity, independentFits, reason: null };
}

/** Options of `polishVectorOptimum`. */
export interface VectorPolishOptions {
  /** Stop at this certified relative duality gap. Default 1e-12. */
  readonly tol?: number;
  /** Direction/group-lasso rounds. Default 3. */
  readonly maxRounds?: number;
  /** Candidate directions are the face maximisers within this of β. Default 1e-3. */
  readonly candidateTol?: number;
}

/** The duality gap with the exact dual norm s = max over every face of every cone (the enumeration of vectorOptimalDirections). */
export interface VectorExactGap {
  readonly primalValue: number;
  /** −L*(−Λ·min(1, β/s)), a lower bound on the optimum at every width. */
  readonly dualValue: number;
  readonly gap: number;
  readonly relativeGap: number;
  /** s = max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖, exact (up to rounding) by the face enumeration. */
  readonly s: number;
}

/** An accurate optimum: the network on the optimal directions, its prediction and exact-s certificate. */
export interface VectorPolishResult {
  readonly network: VectorReluNetwork;
  readonly prediction: Matrix;
  readonly certificate: VectorExactGap;
  readonly rounds: number;
  readonly converged: boolean;
}

/**
 * F* to the accuracy the optimal set needs (docs/science/convex.md §10.3): from a prediction F
 * (e.g. solveVectorByAtoms at 1e-6), repeat — the exact face maximisers of Λ = −∇L(F) within
 * candidateTol of β as atoms, the group lasso over them to its optimality residual 1e-15 (warm
 * start: NNLS of F on the fits), F ← its prediction — until the relative gap with the exact dual
 * norm (every face of every cone) is ≤ tol. null when the faces are too many to enumerate.
 *
 * @param problem - the vector program (`vectorProblem`; exact patterns, small n and D)
 * @param F0 - a starting prediction (n×c), e.g. `solveVectorByAtoms(problem).certificate.prediction`
 * @param opts - `tol` (certified relative gap), `maxRounds`, `candidateTol`
 * @returns the best round's network, prediction and exact-s certificate, with `converged` when its
 *   relative gap is ≤ tol; null when the cone faces are too many to enumerate
 * @example
 * ```ts
 * import { enumeratePatterns, polishVectorOptimum, solveVectorByAtoms, vectorProblem } from "splitscape";
 * const angles = [0, 1, 2, 3, 4].map((k) => (2 * Math.PI * k) / 5); // five points on the unit circle
 * const X = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap(() => [0.6, 0.8])) }; // Y = 1vᵀ
 * const problem = vectorProblem(X, Y, 0.2, "square", enumeratePatterns(X));
 * const polished = polishVectorOptimum(problem, solveVectorByAtoms(problem).certificate.prediction)!;
 * console.log(polished.converged, polished.certificate.relativeGap, polished.network.m); // true 3.8e-16 10
 * ```
 */
export function polishVectorOptimum(problem: VectorProblem, F0: Matrix, opts: VectorPolishOptions = {}): VectorPolishResult | null {
  const tol = opts.tol ?? 1e-12;
  const maxRounds = opts.maxRounds ?? 3;
  const { X, Y, beta, loss } = problem;
  const { rows: n, cols: D } = X;
  const c = Y.cols;
  let F = F0;
  let best: VectorPolishResult | null = null;
  for (let round = 1; round <= maxRounds; round++) {
    const cand = vectorOptimalDirections(problem, F, { activeTol: opts.candidateTol ?? 1e-3 });
    if (cand.directions === null) return null;
    const dirs = cand.directions;
    const K = dirs.length;
    const A = new Float64Array(n * K);
    dirs.forEach((d, k) => { for (let i = 0; i < n; i++) A[i * K + k] = Math.max(0, dot(X.data.subarray(i * D, (i + 1) * D), d.direction)); });
    const C = warmStart(dirs, vectorOptimalTarget(problem, F), n * c, c);
    const atoms: AtomSet = { dirs: dirs.map((d) => d.direction), A, C, K };
    if (K > 0) groupLassoOverAtoms(atoms, problem, { eps: 1e-14, maxIterations: 20_000 });
    const network = newtonRefine(problem, atomsNetwork(atoms, D, c));
    const obj = vectorObjective(network, X, Y, beta, loss);
    const prediction = obj.prediction;
    const certificate = vectorExactGap(problem, prediction, obj.objective);
    if (certificate === null) return null;
    const result = { network, prediction, certificate, rounds: round, converged: certificate.relativeGap <= tol };
    if (best === null || certificate.relativeGap < best.certificate.relativeGap) best = result;
    if (result.converged) return result;
    F = prediction;
  }
  return best;
}

/**
 * The duality gap of a prediction F with primal value `primalValue`, with the exact dual norm
 * s(Λ) of the face enumeration (null when the faces are too many): Λ = −∇L(F), Λ_f = Λ·min(1, β/s).
 * With exact patterns a gap ≤ tol proves global optimality.
 *
 * @param problem - the vector program (`vectorProblem`)
 * @param F - the prediction (n×c) whose dual point Λ = −∇L(F) is scaled into the dual feasible set
 * @param primalValue - the primal objective of the network that predicts F (L(F) + β·penalty)
 * @returns primal and dual values, the gap, the relative gap and the exact dual norm s; null when
 *   the cone faces are too many to enumerate
 * @example
 * ```ts
 * import { enumeratePatterns, solveVectorByAtoms, vectorExactGap, vectorProblem } from "splitscape";
 * const angles = [0, 1, 2, 3, 4].map((k) => (2 * Math.PI * k) / 5); // five points on the unit circle
 * const X = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap(() => [0.6, 0.8])) }; // Y = 1vᵀ
 * const problem = vectorProblem(X, Y, 0.2, "square", enumeratePatterns(X));
 * const { certificate } = solveVectorByAtoms(problem);
 * const gap = vectorExactGap(problem, certificate.prediction, certificate.primalValue)!;
 * console.log(gap.relativeGap, gap.s); // 3.4e-8 0.20000001…
 * ```
 */
export function vectorExactGap(problem: VectorProblem, F: Matrix, primalValue: number): VectorExactGap | null {
  const dirs = vectorOptimalDirections(problem, F, { activeTol: 1 });
  if (dirs.directions === null) return null;
  const s = dirs.maxDualRatio * problem.beta;
  const scale = s > problem.beta ? problem.beta / s : 1;
  const dualValue = vectorLossDualValue(problem.loss, dirs.Lambda.data.map((v) => v * scale), problem.Y.data, problem.Y.cols);
  const gap = primalValue - dualValue;
  const relativeGap = primalValue === 0 && gap === 0 ? 0 : gap / Math.max(Math.abs(primalValue), Number.MIN_VALUE);
  return { primalValue, dualValue, gap, relativeGap, s };
}

/** A neuron within this (relative) of a kink x_kᵀw = 0 is not refined by Newton (the objective is not smooth there). */
const KINK_TOL = 1e-9;

/**
 * Newton's method on the smooth objective of (NC_c) with every neuron's pattern fixed (all neurons
 * strictly inside their cones): the gradient is vectorObjective's, the Hessian central differences
 * of it (step 1e-6·max(1, |θ_j|)), the step the minimum-norm least-squares solution (the Hessian is
 * singular along each neuron's rescaling). A step is kept only when it lowers ‖∇F‖ and keeps every
 * pattern; the network is returned unchanged when a neuron sits on a kink.
 */
function newtonRefine(problem: VectorProblem, start: VectorReluNetwork, iterations = 8): VectorReluNetwork {
  const { X, Y, beta, loss } = problem;
  const { m, D, c } = start;
  if (m === 0 || onKink(X, start)) return start;
  const p = m * (D + c);
  const netOf = (theta: Float64Array): VectorReluNetwork => ({ m, D, c, W: theta.slice(0, m * D), A: theta.slice(m * D) });
  const gradOf = (theta: Float64Array): Float64Array => {
    const o = vectorObjective(netOf(theta), X, Y, beta, loss);
    const g = new Float64Array(p);
    g.set(o.gradW);
    g.set(o.gradA, m * D);
    return g;
  };
  let theta = new Float64Array(p);
  theta.set(start.W);
  theta.set(start.A, m * D);
  let g = gradOf(theta);
  for (let it = 0; it < iterations; it++) {
    const H: Matrix = { rows: p, cols: p, data: new Float64Array(p * p) };
    for (let j = 0; j < p; j++) {
      const h = 1e-6 * Math.max(1, Math.abs(theta[j]));
      const tp = theta.slice();
      const tm = theta.slice();
      tp[j] += h;
      tm[j] -= h;
      const gp = gradOf(tp);
      const gm = gradOf(tm);
      for (let i = 0; i < p; i++) H.data[i * p + j] = (gp[i] - gm[i]) / (2 * h);
    }
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) H.data[i * p + j] = H.data[j * p + i] = 0.5 * (H.data[i * p + j] + H.data[j * p + i]);
    const step = lstsq(H, g.map((v) => -v), { rcond: 1e-10 }).x;
    const next = theta.map((v, i) => v + step[i]);
    const nextNet = netOf(next);
    if (onKink(X, nextNet) || !samePatterns(X, start, nextNet)) break;
    const gn = gradOf(next);
    if (!(nrm2(gn) < nrm2(g))) break;
    theta = next;
    g = gn;
  }
  return netOf(theta);
}

/** Some neuron has |x_kᵀw| ≤ KINK_TOL·‖x_k‖‖w‖ for some row. */
function onKink(X: Matrix, net: VectorReluNetwork): boolean {
  const { rows: n, cols: D } = X;
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    const wn = nrm2(w);
    for (let k = 0; k < n; k++) {
      const x = X.data.subarray(k * D, (k + 1) * D);
      if (Math.abs(dot(x, w)) <= KINK_TOL * nrm2(x) * wn) return true;
    }
  }
  return false;
}

/** Every neuron keeps its activation pattern. */
function samePatterns(X: Matrix, a: VectorReluNetwork, b: VectorReluNetwork): boolean {
  const { rows: n, cols: D } = X;
  for (let j = 0; j < a.m; j++) for (let k = 0; k < n; k++) {
    const x = X.data.subarray(k * D, (k + 1) * D);
    if ((dot(x, a.W.subarray(j * D, (j + 1) * D)) > 0) !== (dot(x, b.W.subarray(j * D, (j + 1) * D)) > 0)) return false;
  }
  return true;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * b[t];
  return s;
}

/** C_k = c_k z_k with c = NNLS of the target on the fits (K×c, row-major). */
function warmStart(dirs: readonly VectorOptimalDirection[], target: Float64Array, len: number, c: number): Float64Array {
  const K = dirs.length;
  const C = new Float64Array(K * c);
  if (K === 0) return C;
  const M: Matrix = { rows: len, cols: K, data: new Float64Array(len * K) };
  dirs.forEach((d, k) => { for (let r = 0; r < len; r++) M.data[r * K + k] = d.fit[r]; });
  const w = nnls(M, target).x;
  dirs.forEach((d, k) => { for (let o = 0; o < c; o++) C[k * c + o] = w[k] * d.outputDirection[o]; });
  return C;
}

/** The balanced network {(√‖C_k‖ u_k, C_k/√‖C_k‖)} of the nonzero atoms. */
function atomsNetwork(atoms: AtomSet, D: number, c: number): VectorReluNetwork {
  const W: number[] = [];
  const Aout: number[] = [];
  let m = 0;
  for (let k = 0; k < atoms.K; k++) {
    const ck = atoms.C.subarray(k * c, (k + 1) * c);
    const r = Math.sqrt(nrm2(ck));
    if (r === 0) continue;
    for (let t = 0; t < D; t++) W.push(r * atoms.dirs[k][t]);
    for (let o = 0; o < c; o++) Aout.push(ck[o] / r);
    m++;
  }
  return { W: Float64Array.from(W), A: Float64Array.from(Aout), m, D, c };
}

/**
 * The network of a point of P* (a vertex): direction k with weight c_k becomes the balanced neuron
 * (√c_k u_k, √c_k z_k); its output is Σ c_k (Xu_k)_+ z_kᵀ and its penalty β Σ c_k.
 *
 * @param directions - the optimal directions (u_k, z_k) the vertex indexes (`vectorOptimalSet(…).directions`)
 * @param vertex - a point of P*: its support (direction indices) and weights c_k > 0
 * @param D - input dimension (length of u_k)
 * @param c - output dimension (length of z_k)
 * @returns the balanced network with one neuron per support index (m = |support|)
 * @example
 * ```ts
 * import { enumeratePatterns, polishVectorOptimum, solveVectorByAtoms, vectorObjective, vectorOptimalSet, vectorProblem, vectorVertexNetwork } from "splitscape";
 * const angles = [0, 1, 2, 3, 4].map((k) => (2 * Math.PI * k) / 5); // five points on the unit circle
 * const X = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(angles.flatMap(() => [0.6, 0.8])) }; // Y = 1vᵀ
 * const problem = vectorProblem(X, Y, 0.2, "square", enumeratePatterns(X));
 * const polished = polishVectorOptimum(problem, solveVectorByAtoms(problem).certificate.prediction)!;
 * const set = vectorOptimalSet(problem, polished.prediction);
 * const net = vectorVertexNetwork(set.directions!, set.vertices![set.sparsest], 2, 2);
 * console.log(net.m, vectorObjective(net, X, Y, 0.2, "square").objective); // 4, the optimum 0.57983738762488…
 * ```
 */
export function vectorVertexNetwork(directions: readonly VectorOptimalDirection[], vertex: OptimalVertex, D: number, c: number): VectorReluNetwork {
  const m = vertex.support.length;
  const W = new Float64Array(m * D);
  const A = new Float64Array(m * c);
  vertex.support.forEach((k, j) => {
    const r = Math.sqrt(vertex.weights[j]);
    for (let t = 0; t < D; t++) W[j * D + t] = r * directions[k].direction[t];
    for (let o = 0; o < c; o++) A[j * c + o] = r * directions[k].outputDirection[o];
  });
  return { W, A, m, D, c };
}
