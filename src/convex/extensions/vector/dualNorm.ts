// Vector-output two-layer ReLU networks and their convex-duality certificate (science/convex.md,
// "Extensions"; the scalar case is "Certificate of global optimality" and "Stationary points").
//
//   (NC_c)  min_θ L(F, Y) + (β/2) Σ_j (‖w_j‖² + ‖α_j‖²),  F = f_θ(X) = Σ_j (X w_j)_+ α_jᵀ ∈ ℝ^{n×c}.
//
// Dual [R]: with Λ = −∇L(F) (= Y − F for the square loss) and
//   s(Λ) = max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖ = max_i s_i,  s_i = max_{u∈K_i, ‖u‖≤1} ‖Λᵀ D_i X u‖,
// Λ_f = Λ·min(1, β/s) is dual feasible and −L*(−Λ_f) ≤ optimum ≤ primal (weak duality:
// L(F) ≥ −L*(−Λ) − ⟨Λ, F⟩ and ⟨Λ, F⟩ = Σ_j α_jᵀΛᵀ(Xw_j)_+ ≤ s Σ_j ‖α_j‖‖w_j‖ ≤ β Σ_j ‖α_j‖‖w_j‖, so
// this holds for every width). Square loss: −L*(−Λ) = ⟨Λ, Y⟩ − ½‖Λ‖²_F; softmax cross-entropy
// L = Σ_k [lse(F_k) − ⟨Y_k, F_k⟩] (rows of Y in the simplex): −L*(−Λ) = Σ_k H(Y_k − Λ_k), H the
// Shannon entropy (finite when Y_k − Λ_k is in the simplex; Y − tΛ = (1−t)Y + t·softmax(F) is).
//
// Per pattern s_i is a nonconvex maximisation. Since ‖Au‖ = max_{‖z‖≤1} zᵀAu (A = Λᵀ D_i X),
//   s_i = max_{z ∈ S^{c−1}} h_i(z),  h_i(z) = ‖Π_{K_i}(Xᵀ D_i Λ z)‖,
// the scalar per-pattern dual norm of ν = Λz. h_i is a support function (convex, positively
// homogeneous, Lipschitz with constant ‖Xᵀ D_i Λ‖₂). Upper bound: cover S^{c−1} by the radial
// images of flat simplices with vertices on the sphere (start: the 2^c facets of the
// cross-polytope, refine by longest-edge bisection). On the image of a simplex with vertices v_k,
// a sphere point is z = p/‖p‖ with p in the simplex and ‖p‖ ≥ ρ (distance from 0 to the simplex's
// affine hull), so h(z) = h(p)/‖p‖ ≤ max_k h(v_k)/ρ by convexity and homogeneity; the bound is
// also capped by ‖Xᵀ D_i Λ‖₂. Near a maximiser the excess is O(diameter²), so branch and bound
// converges with a bounded number of live simplices per level. Lower bound: the best u found,
// improved by alternating ascent (u ← Π_K(Gz)/‖·‖, z ← Λᵀ D X u/‖·‖), evaluated directly as
// ‖Λᵀ(Xu)_+‖. Λ is first replaced by UΣ of its thin SVD (same ‖Λᵀv‖, effective c = rank Λ).
import type { Matrix } from "../../../linalg/index.js";
import { eigvalsh, lstsq, svd } from "../../../linalg/index.js";
import { projectOntoCone } from "../../program/cone.js";
import { kinkRows, ownConeRatio, type NetworkClass, type NetworkClassification } from "../../landscape/networkCertificate.js";
import { patternMask, withPatternsOf, type PatternSet } from "../../program/patterns.js";

export const VECTOR_LOSSES = ["square", "softmax"] as const;
export type VectorLossName = (typeof VECTOR_LOSSES)[number];

/** m neurons with c outputs: W (m×D row-major, rows w_j) and A (m×c row-major, rows α_j). */
export interface VectorReluNetwork {
  readonly W: Float64Array;
  readonly A: Float64Array;
  readonly m: number;
  readonly D: number;
  readonly c: number;
}

/** Data, targets, weight decay, loss and patterns of the vector-output problem. */
export interface VectorProblem {
  /** n×D data in the convex program's input space (a bias is a column of ones, see withBias). */
  readonly X: Matrix;
  /** n×c targets (for "softmax": rows in the probability simplex). */
  readonly Y: Matrix;
  readonly beta: number;
  readonly loss: VectorLossName;
  readonly patterns: PatternSet;
}

/** Validated problem record: RangeError on inconsistent shapes, β ≤ 0, non-finite data or bad labels. */
export function vectorProblem(X: Matrix, Y: Matrix, beta: number, loss: VectorLossName, patterns: PatternSet): VectorProblem {
  checkData("vectorProblem", X, Y, loss);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`vectorProblem: beta must be a positive finite number, got ${beta}`);
  if (patterns.n !== X.rows || patterns.d !== X.cols) {
    throw new RangeError(`vectorProblem: patterns are for ${patterns.n}×${patterns.d} data, X is ${X.rows}×${X.cols}`);
  }
  return { X, Y, beta, loss, patterns };
}

function checkData(where: string, X: Matrix, Y: Matrix, loss: VectorLossName): void {
  if (!(VECTOR_LOSSES as readonly string[]).includes(loss)) throw new RangeError(`${where}: unknown loss ${JSON.stringify(loss)}`);
  if (Y.rows !== X.rows) throw new RangeError(`${where}: Y has ${Y.rows} rows, X has ${X.rows}`);
  if (Y.cols < 1) throw new RangeError(`${where}: Y needs at least one column`);
  if (!X.data.every(Number.isFinite) || !Y.data.every(Number.isFinite)) throw new RangeError(`${where}: X and Y must be finite`);
  if (loss === "softmax") {
    if (Y.cols < 2) throw new RangeError(`${where}: the softmax loss needs c ≥ 2 outputs`);
    for (let k = 0; k < Y.rows; k++) {
      let s = 0;
      for (let o = 0; o < Y.cols; o++) {
        const v = Y.data[k * Y.cols + o];
        if (v < 0) throw new RangeError(`${where}: softmax targets must be ≥ 0, row ${k} has ${v}`);
        s += v;
      }
      if (Math.abs(s - 1) > 1e-12) throw new RangeError(`${where}: softmax target rows must sum to 1, row ${k} sums to ${s}`);
    }
  }
}

function checkNetwork(where: string, net: VectorReluNetwork, X: Matrix, Y: Matrix): void {
  if (net.D !== X.cols) throw new RangeError(`${where}: network input dimension ${net.D}, X has ${X.cols} columns`);
  if (net.c !== Y.cols) throw new RangeError(`${where}: network has ${net.c} outputs, Y has ${Y.cols} columns`);
  if (net.W.length !== net.m * net.D || net.A.length !== net.m * net.c) throw new RangeError(`${where}: W must be ${net.m}×${net.D} and A ${net.m}×${net.c}`);
}

// ---------------------------------------------------------------------------------------------
// Losses on F ∈ ℝ^{n×c} (row-major), their gradients and dual values −L*(−Λ).

/** L(F, Y) for F ∈ ℝ^{n×c} (row-major); writes ∇L(F) into `grad` when given. */
export function vectorLossValue(loss: VectorLossName, F: Float64Array, Y: Float64Array, c: number, grad?: Float64Array): number {
  let s = 0;
  if (loss === "square") {
    for (let i = 0; i < F.length; i++) {
      const r = F[i] - Y[i];
      if (grad) grad[i] = r;
      s += r * r;
    }
    return 0.5 * s;
  }
  const n = F.length / c;
  for (let k = 0; k < n; k++) {
    let mx = -Infinity;
    for (let o = 0; o < c; o++) mx = Math.max(mx, F[k * c + o]);
    let z = 0;
    for (let o = 0; o < c; o++) z += Math.exp(F[k * c + o] - mx);
    const lse = mx + Math.log(z);
    for (let o = 0; o < c; o++) {
      const i = k * c + o;
      s -= Y[i] * F[i];
      if (grad) grad[i] = Math.exp(F[i] - mx) / z - Y[i];
    }
    s += lse;
  }
  return s;
}

/** −L*(−Λ): ⟨Λ, Y⟩ − ½‖Λ‖² (square); Σ_k H(Y_k − Λ_k) (softmax; −∞ outside the simplex). */
function lossDualValue(loss: VectorLossName, Lambda: Float64Array, Y: Float64Array, c: number): number {
  let s = 0;
  if (loss === "square") {
    for (let i = 0; i < Y.length; i++) s += Lambda[i] * Y[i] - 0.5 * Lambda[i] * Lambda[i];
    return s;
  }
  const n = Y.length / c;
  for (let k = 0; k < n; k++) {
    let total = 0;
    for (let o = 0; o < c; o++) {
      const p = Y[k * c + o] - Lambda[k * c + o];
      if (p < -1e-15) return -Infinity;
      total += p;
      if (p > 0) s -= p * Math.log(p);
    }
    if (Math.abs(total - 1) > 1e-9) return -Infinity;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Network, objective, gradient, training.

/** F = f(X) = Σ_j (X w_j)_+ α_jᵀ (n×c). */
export function vectorNetworkOutput(net: VectorReluNetwork, X: Matrix): Matrix {
  if (net.D !== X.cols) throw new RangeError(`vectorNetworkOutput: network input dimension ${net.D}, X has ${X.cols} columns`);
  const { rows: n, cols: D, data } = X;
  const { c } = net;
  const F = new Float64Array(n * c);
  for (let j = 0; j < net.m; j++) {
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += data[k * D + t] * net.W[j * D + t];
      if (s > 0) for (let o = 0; o < c; o++) F[k * c + o] += s * net.A[j * c + o];
    }
  }
  return { rows: n, cols: c, data: F };
}

/** The objective of (NC_c), its parts, its gradient and the dual direction Λ = −∇L(F). */
export interface VectorObjective {
  readonly loss: number;
  /** (β/2) Σ_j (‖w_j‖² + ‖α_j‖²). */
  readonly penalty: number;
  readonly objective: number;
  readonly prediction: Matrix;
  /** Λ = −∇L(F) (n×c). */
  readonly Lambda: Matrix;
  /** ∂/∂W (m×D) and ∂/∂A (m×c); ReLU'(0) = 0. */
  readonly gradW: Float64Array;
  readonly gradA: Float64Array;
  readonly gradNorm: number;
}

/**
 * L(F, Y) + (β/2) Σ_j (‖w_j‖² + ‖α_j‖²) and its gradient. With R = ∇L(F):
 *   ∂/∂α_j = R ᵀ(X w_j)_+ + β α_j,   ∂/∂w_j = Xᵀ(1[X w_j > 0] ⊙ R α_j) + β w_j.
 */
export function vectorObjective(net: VectorReluNetwork, X: Matrix, Y: Matrix, beta: number, loss: VectorLossName = "square"): VectorObjective {
  checkNetwork("vectorObjective", net, X, Y);
  const { rows: n, cols: D, data } = X;
  const { m, c, W, A } = net;
  const Z = new Float64Array(m * n);
  const F = new Float64Array(n * c);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += data[k * D + t] * W[j * D + t];
      Z[j * n + k] = s;
      if (s > 0) for (let o = 0; o < c; o++) F[k * c + o] += s * A[j * c + o];
    }
  }
  const R = new Float64Array(n * c);
  const l = vectorLossValue(loss, F, Y.data, c, R);
  let p = 0;
  for (let i = 0; i < W.length; i++) p += W[i] * W[i];
  for (let i = 0; i < A.length; i++) p += A[i] * A[i];
  const penalty = 0.5 * beta * p;
  const gradW = new Float64Array(m * D);
  const gradA = new Float64Array(m * c);
  const ra = new Float64Array(n);
  let g2 = 0;
  for (let j = 0; j < m; j++) {
    for (let o = 0; o < c; o++) gradA[j * c + o] = beta * A[j * c + o];
    for (let t = 0; t < D; t++) gradW[j * D + t] = beta * W[j * D + t];
    for (let k = 0; k < n; k++) {
      const z = Z[j * n + k];
      if (z <= 0) continue;
      let s = 0;
      for (let o = 0; o < c; o++) {
        gradA[j * c + o] += z * R[k * c + o];
        s += R[k * c + o] * A[j * c + o];
      }
      ra[k] = s;
      for (let t = 0; t < D; t++) gradW[j * D + t] += s * data[k * D + t];
    }
    for (let o = 0; o < c; o++) g2 += gradA[j * c + o] ** 2;
    for (let t = 0; t < D; t++) g2 += gradW[j * D + t] ** 2;
  }
  const Lambda = R.map((v) => -v);
  return {
    loss: l, penalty, objective: l + penalty, prediction: { rows: n, cols: c, data: F },
    Lambda: { rows: n, cols: c, data: Lambda }, gradW, gradA, gradNorm: Math.sqrt(g2),
  };
}

/** Options of trainVectorWeightDecayed. */
export interface VectorGdOptions {
  readonly lr: number;
  readonly steps: number;
  /** Record the objective every this many steps (and at the end). Default 0 (never). */
  readonly recordEvery?: number;
  /** Default "square". */
  readonly loss?: VectorLossName;
}

/** The trained network and its record. */
export interface VectorGdResult {
  readonly net: VectorReluNetwork;
  readonly objective: number;
  /** ‖∇F‖ at the returned point (ReLU'(0) = 0). */
  readonly gradNorm: number;
  readonly history: Array<{ step: number; objective: number }>;
  /** False when the objective became non-finite. */
  readonly finite: boolean;
}

/** Plain gradient descent θ ← θ − lr·∇F(θ) on (NC_c) from `init` (not modified). */
export function trainVectorWeightDecayed(X: Matrix, Y: Matrix, beta: number, init: VectorReluNetwork, opts: VectorGdOptions): VectorGdResult {
  const loss = opts.loss ?? "square";
  checkData("trainVectorWeightDecayed", X, Y, loss);
  checkNetwork("trainVectorWeightDecayed", init, X, Y);
  if (!(opts.lr >= 0) || !Number.isInteger(opts.steps) || opts.steps < 0) throw new RangeError("trainVectorWeightDecayed: lr must be ≥ 0 and steps a non-negative integer");
  const W = init.W.slice();
  const A = init.A.slice();
  const net: VectorReluNetwork = { W, A, m: init.m, D: init.D, c: init.c };
  const history: Array<{ step: number; objective: number }> = [];
  const every = opts.recordEvery ?? 0;
  for (let step = 0; ; step++) {
    const ev = vectorObjective(net, X, Y, beta, loss);
    if (!Number.isFinite(ev.objective)) return { net, objective: ev.objective, gradNorm: NaN, history, finite: false };
    if (every > 0 && (step % every === 0 || step === opts.steps)) history.push({ step, objective: ev.objective });
    if (step === opts.steps) return { net, objective: ev.objective, gradNorm: ev.gradNorm, history, finite: true };
    for (let i = 0; i < W.length; i++) W[i] -= opts.lr * ev.gradW[i];
    for (let i = 0; i < A.length; i++) A[i] -= opts.lr * ev.gradA[i];
  }
}

/**
 * Drop the neurons that do not matter at the limit of training (as pruneNetwork for c = 1): dead
 * ones ((X w_j)_+ = 0, which weight decay shrinks geometrically to 0 but never to exactly 0, and
 * which the certificate would count as non-stationary) and those with ‖α_j‖‖w_j‖ ≤ relTol·Σ_j ‖α_j‖‖w_j‖.
 */
export function pruneVectorNetwork(net: VectorReluNetwork, X: Matrix, relTol: number): VectorReluNetwork {
  if (net.D !== X.cols) throw new RangeError(`pruneVectorNetwork: network input dimension ${net.D}, X has ${X.cols} columns`);
  const { rows: n, cols: D, data } = X;
  const { c } = net;
  const size: number[] = [];
  const alive: boolean[] = [];
  for (let j = 0; j < net.m; j++) {
    size.push(Math.hypot(...net.W.subarray(j * D, (j + 1) * D)) * Math.hypot(...net.A.subarray(j * c, (j + 1) * c)));
    let any = false;
    for (let k = 0; k < n && !any; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += data[k * D + t] * net.W[j * D + t];
      any = s > 0;
    }
    alive.push(any);
  }
  const total = size.reduce((a, b) => a + b, 0);
  const keep: number[] = [];
  for (let j = 0; j < net.m; j++) if (alive[j] && size[j] > relTol * total) keep.push(j);
  const W = new Float64Array(keep.length * D);
  const A = new Float64Array(keep.length * c);
  keep.forEach((j, i) => {
    W.set(net.W.subarray(j * D, (j + 1) * D), i * D);
    A.set(net.A.subarray(j * c, (j + 1) * c), i * c);
  });
  return { W, A, m: keep.length, D, c };
}

// ---------------------------------------------------------------------------------------------
// The dual norm s(Λ) = max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖: rigorous upper bound and attained lower bound.

/** Options of vectorDualNorm. */
export interface VectorDualNormOptions {
  /** Stop when upper ≤ (1 + tol)·lower. Default 1e-9. */
  readonly tol?: number;
  /** Budget of cone projections in the covering. Default 50000. */
  readonly maxEvaluations?: number;
  /** Cover the sphere when rank Λ ≤ this; above it use the spectral bound. Default 3. */
  readonly coverMaxDim?: number;
  /** Singular values of Λ below rankTol·σ_max are dropped (their effect is added to the upper bound). Default 1e-13. */
  readonly rankTol?: number;
}

/** Bounds on s(Λ) and where the lower bound is attained. */
export interface VectorDualNorm {
  /** ‖Λᵀ(Xu)_+‖ at the best unit u found: s ≥ lower. */
  readonly lower: number;
  /** A rigorous bound s ≤ upper (up to the accuracy of the cone projections). */
  readonly upper: number;
  /** upper ≤ (1 + tol)·lower was reached. */
  readonly converged: boolean;
  /** "cover": branch and bound on the sphere; "spectral": upper = max_i ‖Xᵀ D_i Λ‖₂ (rank Λ > coverMaxDim). */
  readonly method: "cover" | "spectral";
  /** Effective number of outputs, rank Λ. */
  readonly rank: number;
  /** Cone projections used. */
  readonly evaluations: number;
  /** Pattern index of the best u (−1 when Λ = 0). */
  readonly pattern: number;
  /** The best unit input direction u (length D) and output direction z = Λᵀ(Xu)_+/‖·‖ (length c). */
  readonly u: Float64Array;
  readonly z: Float64Array;
  /** Per pattern: the best h_i(z) found and an upper bound on s_i. */
  readonly perPatternLower: Float64Array;
  readonly perPatternUpper: Float64Array;
}

interface Node {
  readonly pattern: number;
  /** r unit vertices, r×r row-major. */
  readonly verts: Float64Array;
  readonly vals: Float64Array;
  readonly ub: number;
}

/** Max-heap of nodes by ub. */
class NodeHeap {
  readonly items: Node[] = [];
  push(x: Node): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].ub >= a[i].ub) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): Node | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let b = i;
        if (l < a.length && a[l].ub > a[b].ub) b = l;
        if (r < a.length && a[r].ub > a[b].ub) b = r;
        if (b === i) break;
        [a[b], a[i]] = [a[i], a[b]];
        i = b;
      }
    }
    return top;
  }
  peek(): Node | undefined {
    return this.items[0];
  }
}

/** Distance from 0 to the affine hull of r linearly independent unit vectors (rows of V): 1/‖a‖, V a = 1. */
function hullDistance(V: Float64Array, r: number): number {
  if (r === 1) return 1;
  if (r === 2) {
    const dot = V[0] * V[2] + V[1] * V[3];
    return Math.sqrt(Math.max(0, (1 + dot) / 2));
  }
  const sol = lstsq({ rows: r, cols: r, data: V }, new Float64Array(r).fill(1));
  let a2 = 0;
  for (const v of sol.x) a2 += v * v;
  return 1 / Math.sqrt(a2);
}

/**
 * Bounds on s(Λ) = max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖ over the patterns of `patterns` (a proof for the whole
 * sphere only when they are all patterns of X, patterns.exact). See the file comment for the
 * covering bound; for c = 1 the covering is the two points z = ±1 and both bounds equal the
 * scalar max_{i,±} ‖Π_{K_i}(±Xᵀ D_i ν)‖.
 */
export function vectorDualNorm(X: Matrix, patterns: PatternSet, Lambda: Matrix, opts: VectorDualNormOptions = {}): VectorDualNorm {
  const { rows: n, cols: D, data } = X;
  const c = Lambda.cols;
  if (Lambda.rows !== n) throw new RangeError(`vectorDualNorm: Λ has ${Lambda.rows} rows, X has ${n}`);
  if (patterns.n !== n || patterns.d !== D) throw new RangeError(`vectorDualNorm: patterns are for ${patterns.n}×${patterns.d} data, X is ${n}×${D}`);
  if (!Lambda.data.every(Number.isFinite)) throw new RangeError("vectorDualNorm: Λ must be finite");
  const tol = opts.tol ?? 1e-9;
  const maxEval = opts.maxEvaluations ?? 50000;
  const coverMaxDim = opts.coverMaxDim ?? 3;
  const P = patterns.count;
  const perPatternLower = new Float64Array(P);
  const perPatternUpper = new Float64Array(P);
  // Reduce Λ to ΛV_r = U_r Σ_r (n×r); the dropped tail adds at most σ_tail·‖X‖_F to ‖Λᵀv‖.
  const dec = svd(Lambda);
  const sig = dec.values;
  const smax = sig.length > 0 ? sig[0] : 0;
  let r = 0;
  while (r < sig.length && sig[r] > (opts.rankTol ?? 1e-13) * smax && sig[r] > 0) r++;
  const tail = r < sig.length ? sig[r] : 0;
  let xF = 0;
  for (let i = 0; i < data.length; i++) xF += data[i] * data[i];
  const tailBound = tail * Math.sqrt(xF);
  const empty = (): VectorDualNorm => ({
    lower: 0, upper: tailBound, converged: tailBound === 0, method: "cover", rank: 0, evaluations: 0, pattern: -1,
    u: new Float64Array(D), z: new Float64Array(c), perPatternLower, perPatternUpper: perPatternUpper.fill(tailBound),
  });
  if (r === 0) return empty();
  const Ur = dec.U!;
  const Lr = new Float64Array(n * r); // U_r Σ_r
  for (let k = 0; k < n; k++) for (let q = 0; q < r; q++) Lr[k * r + q] = Ur.data[k * Ur.cols + q] * sig[q];
  // G_i = Xᵀ D_i Λ_r (D×r) and its spectral norm.
  const G: Float64Array[] = [];
  const spectral = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    const mask = patternMask(patterns, i);
    const Gi = new Float64Array(D * r);
    for (let k = 0; k < n; k++) {
      if (!mask[k]) continue;
      for (let t = 0; t < D; t++) {
        const x = data[k * D + t];
        if (x !== 0) for (let q = 0; q < r; q++) Gi[t * r + q] += x * Lr[k * r + q];
      }
    }
    G.push(Gi);
    const GtG = new Float64Array(r * r);
    for (let t = 0; t < D; t++) for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) GtG[a * r + b] += Gi[t * r + a] * Gi[t * r + b];
    const ev = eigvalsh({ rows: r, cols: r, data: GtG }, { symmetryTol: Infinity });
    spectral[i] = Math.sqrt(Math.max(0, ev[r - 1])) * (1 + 1e-12);
  }
  let evaluations = 0;
  const g = new Float64Array(D);
  // h_i(z) = ‖Π_{K_i}(G_i z)‖ and the unit maximiser u.
  const h = (i: number, z: Float64Array): { value: number; u: Float64Array } => {
    const Gi = G[i];
    for (let t = 0; t < D; t++) {
      let s = 0;
      for (let q = 0; q < r; q++) s += Gi[t * r + q] * z[q];
      g[t] = s;
    }
    evaluations++;
    const pr = projectOntoCone(data, n, D, patternMask(patterns, i), g);
    const u = pr.norm > 0 ? pr.projection.map((v) => v / pr.norm) : pr.projection;
    if (pr.norm > perPatternLower[i]) perPatternLower[i] = pr.norm;
    return { value: pr.norm, u };
  };
  // ‖Λᵀ(Xu)_+‖ computed directly (full Λ), and the output direction.
  const direct = (u: Float64Array): { value: number; z: Float64Array } => {
    const out = new Float64Array(c);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += data[k * D + t] * u[t];
      if (s > 0) for (let o = 0; o < c; o++) out[o] += Lambda.data[k * c + o] * s;
    }
    let nz = 0;
    for (let o = 0; o < c; o++) nz += out[o] * out[o];
    nz = Math.sqrt(nz);
    if (nz > 0) for (let o = 0; o < c; o++) out[o] /= nz;
    return { value: nz, z: out };
  };
  let best: { lower: number; pattern: number; u: Float64Array; z: Float64Array } = { lower: 0, pattern: -1, u: new Float64Array(D), z: new Float64Array(c) };
  // Alternating ascent from z (reduced coordinates) in pattern i; updates `best`.
  const ascend = (i: number, z0: Float64Array): void => {
    let z = z0.slice();
    let last = -Infinity;
    for (let it = 0; it < 100 && evaluations < maxEval; it++) {
      const { value, u } = h(i, z);
      if (value === 0) break;
      const dv = direct(u);
      if (dv.value > best.lower) best = { lower: dv.value, pattern: i, u, z: dv.z };
      if (value <= last * (1 + 1e-14)) break;
      last = value;
      // z ← G_iᵀ u / ‖·‖.
      const zn = new Float64Array(r);
      for (let t = 0; t < D; t++) for (let q = 0; q < r; q++) zn[q] += G[i][t * r + q] * u[t];
      let nz = 0;
      for (let q = 0; q < r; q++) nz += zn[q] * zn[q];
      nz = Math.sqrt(nz);
      if (nz === 0) break;
      z = zn.map((v) => v / nz);
    }
  };
  const order = Array.from({ length: P }, (_, i) => i).sort((a, b) => spectral[b] - spectral[a]);
  const topDirection = (i: number): Float64Array => {
    // Leading right singular vector of G_i by power iteration on G_iᵀG_i (a start for ascent only).
    let z = new Float64Array(r).fill(1 / Math.sqrt(r));
    for (let it = 0; it < 50; it++) {
      const Gz = new Float64Array(D);
      for (let t = 0; t < D; t++) for (let q = 0; q < r; q++) Gz[t] += G[i][t * r + q] * z[q];
      const zn = new Float64Array(r);
      for (let t = 0; t < D; t++) for (let q = 0; q < r; q++) zn[q] += G[i][t * r + q] * Gz[t];
      const nz = Math.hypot(...zn);
      if (nz === 0) break;
      z = zn.map((v) => v / nz);
    }
    return z;
  };
  for (const i of order.slice(0, 4)) {
    const z = topDirection(i);
    ascend(i, z);
    ascend(i, z.map((v) => -v));
  }
  const finish = (upperR: number, converged: boolean, method: VectorDualNorm["method"]): VectorDualNorm => {
    const upper = Math.hypot(Math.max(upperR, best.lower), tailBound);
    return {
      lower: best.lower, upper, converged: converged && upper <= (1 + tol) * best.lower + Number.MIN_VALUE,
      method, rank: r, evaluations, pattern: best.pattern, u: best.u, z: best.z,
      perPatternLower, perPatternUpper: perPatternUpper.map((v) => Math.hypot(v, tailBound)),
    };
  };
  if (r > coverMaxDim) {
    for (const i of order) {
      if (spectral[i] <= best.lower * (1 + tol)) break;
      ascend(i, topDirection(i));
    }
    perPatternUpper.set(spectral);
    return finish(Math.max(...spectral), false, "spectral");
  }
  // Branch and bound over (pattern, spherical simplex).
  const heap = new NodeHeap();
  const rho0 = 1 / Math.sqrt(r);
  // Patterns whose spectral bound is already within tolerance are not covered: their bound stays.
  let skippedUb = 0;
  for (const i of order) {
    perPatternUpper[i] = spectral[i];
    if (spectral[i] <= best.lower * (1 + tol)) {
      skippedUb = Math.max(skippedUb, spectral[i]);
      continue;
    }
    const axis: number[][] = []; // axis[q] = [h(+e_q), h(−e_q)]
    const e = new Float64Array(r);
    for (let q = 0; q < r; q++) {
      const pair: number[] = [];
      for (const sg of [1, -1]) {
        e.fill(0);
        e[q] = sg;
        pair.push(h(i, e).value);
      }
      axis.push(pair);
    }
    let maxUb = 0;
    for (let orth = 0; orth < 1 << r; orth++) {
      const verts = new Float64Array(r * r);
      const vals = new Float64Array(r);
      let mx = 0;
      for (let q = 0; q < r; q++) {
        const neg = (orth >> q) & 1;
        verts[q * r + q] = neg ? -1 : 1;
        vals[q] = axis[q][neg];
        mx = Math.max(mx, vals[q]);
      }
      const ub = Math.min(spectral[i], mx / rho0);
      maxUb = Math.max(maxUb, ub);
      heap.push({ pattern: i, verts, vals, ub });
    }
    perPatternUpper[i] = maxUb;
  }
  // Ascent from the best vertex of every pattern whose vertex values beat the current bound.
  for (const i of order) if (perPatternLower[i] > best.lower) ascend(i, bestVertex(heap, i, r));
  let converged = false;
  let leafUb = 0;
  const leafPattern = new Float64Array(P);
  for (;;) {
    const top = heap.peek();
    if (top === undefined) {
      converged = skippedUb <= (1 + tol) * best.lower;
      break;
    }
    if (Math.max(top.ub, skippedUb) <= (1 + tol) * best.lower) {
      converged = true;
      break;
    }
    if (evaluations >= maxEval) break;
    heap.pop();
    // Longest edge: the vertex pair with the smallest inner product.
    let ea = -1;
    let eb = -1;
    let minDot = Infinity;
    for (let a = 0; a < r; a++) {
      for (let b = a + 1; b < r; b++) {
        let dot = 0;
        for (let q = 0; q < r; q++) dot += top.verts[a * r + q] * top.verts[b * r + q];
        if (dot < minDot) { minDot = dot; ea = a; eb = b; }
      }
    }
    if (ea < 0 || minDot > 1 - 1e-18) {
      leafUb = Math.max(leafUb, top.ub);
      leafPattern[top.pattern] = Math.max(leafPattern[top.pattern], top.ub);
      continue;
    }
    const mid = new Float64Array(r);
    for (let q = 0; q < r; q++) mid[q] = top.verts[ea * r + q] + top.verts[eb * r + q];
    const mn = Math.hypot(...mid);
    for (let q = 0; q < r; q++) mid[q] /= mn;
    const hm = h(top.pattern, mid).value;
    if (hm > best.lower) ascend(top.pattern, mid);
    for (const replace of [ea, eb]) {
      const verts = top.verts.slice();
      const vals = top.vals.slice();
      verts.set(mid, replace * r);
      vals[replace] = hm;
      const rho = hullDistance(verts, r) * (1 - 1e-12);
      const ub = Math.min(top.ub, Math.max(...vals) / rho);
      heap.push({ pattern: top.pattern, verts, vals, ub });
    }
  }
  // Per-pattern upper bounds: the largest live node of each pattern.
  const seen = new Uint8Array(P);
  for (const node of heap.items) {
    const i = node.pattern;
    perPatternUpper[i] = seen[i] ? Math.max(perPatternUpper[i], node.ub) : node.ub;
    seen[i] = 1;
  }
  for (let i = 0; i < P; i++) if (seen[i]) perPatternUpper[i] = Math.max(perPatternUpper[i], leafPattern[i]);
  const top = heap.peek();
  const upperR = Math.max(top === undefined ? 0 : top.ub, leafUb, skippedUb);
  return finish(upperR, converged, "cover");
}

function bestVertex(heap: NodeHeap, i: number, r: number): Float64Array {
  let bv = -1;
  let z = new Float64Array(r);
  for (const node of heap.items) {
    if (node.pattern !== i) continue;
    for (let q = 0; q < r; q++) {
      if (node.vals[q] > bv) {
        bv = node.vals[q];
        z = node.verts.slice(q * r, (q + 1) * r);
      }
    }
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// Certificates.

/** Options of the vector certificates. */
export interface VectorCertificateOptions {
  /** Relative tolerance of the equality/inequality tests. Default 1e-6. */
  readonly tol?: number;
  /** Relative tolerance of the bounds on s (vectorDualNorm's tol). Default min(1e-8, tol/100). */
  readonly normTol?: number;
  /** Passed to vectorDualNorm. */
  readonly maxEvaluations?: number;
  readonly coverMaxDim?: number;
  readonly rankTol?: number;
}

/** The duality-gap certificate of a prediction F. */
export interface VectorCertificate {
  readonly primalValue: number;
  /** −L*(−Λ_f), a lower bound on the optimum of (NC_c) at any width. */
  readonly dualValue: number;
  readonly gap: number;
  readonly relativeGap: number;
  /** The upper bound on s(Λ) used to scale Λ (so Λ_f is provably feasible). */
  readonly s: number;
  /** The attained lower bound on s(Λ). */
  readonly sLower: number;
  /** min(1, β/s). */
  readonly scale: number;
  readonly prediction: Matrix;
  readonly Lambda: Matrix;
  readonly LambdaFeasible: Matrix;
  readonly norm: VectorDualNorm;
  /**
   * "feasible": s_upper ≤ β(1 + tol) (no neuron can be added with profit); "infeasible":
   * s_lower > β(1 + tol) (a direction u exists that lowers the objective, whatever the patterns);
   * "undecided": the bounds straddle β (the certificate is inconclusive).
   */
  readonly dualFeasibility: "feasible" | "infeasible" | "undecided";
  /** The pattern set is exact: only then is a small gap a proof of global optimality. */
  readonly exact: boolean;
  readonly patterns: number;
  /** nc + 1: the width from which the optimal set is connected (science note, "Extensions"). */
  readonly connectivityWidth: number;
}

/** The width nc + 1 from which the optimal set of (NC_c) is connected (science/convex.md, "Extensions"). */
export function vectorConnectivityWidth(n: number, c: number): number {
  return n * c + 1;
}

/**
 * Certificate of a prediction F with primal value `primalValue`: Λ = −∇L(F), s ≤ upper bound of
 * vectorDualNorm, Λ_f = Λ·min(1, β/s), gap = primal − (−L*(−Λ_f)) ≥ 0.
 */
export function vectorCertificateFromPrediction(
  problem: VectorProblem, F: Matrix, primalValue: number, opts: VectorCertificateOptions = {},
): VectorCertificate {
  const { Y, beta, loss, X } = problem;
  const c = Y.cols;
  if (F.rows !== Y.rows || F.cols !== c) throw new RangeError(`vectorCertificate: prediction is ${F.rows}×${F.cols}, Y is ${Y.rows}×${c}`);
  const tol = opts.tol ?? 1e-6;
  const grad = new Float64Array(F.data.length);
  vectorLossValue(loss, F.data, Y.data, c, grad);
  const Lambda: Matrix = { rows: Y.rows, cols: c, data: grad.map((v) => -v) };
  const norm = vectorDualNorm(X, problem.patterns, Lambda, {
    tol: opts.normTol ?? Math.min(1e-8, tol / 100), maxEvaluations: opts.maxEvaluations, coverMaxDim: opts.coverMaxDim, rankTol: opts.rankTol,
  });
  const s = norm.upper;
  const scale = s > beta ? beta / s : 1;
  const nf = Lambda.data.map((v) => v * scale);
  const dualValue = lossDualValue(loss, nf, Y.data, c);
  const gap = primalValue - dualValue;
  const relativeGap = primalValue === 0 && gap === 0 ? 0 : gap / Math.max(Math.abs(primalValue), Number.MIN_VALUE);
  const dualFeasibility = s <= beta * (1 + tol) ? "feasible" : norm.lower > beta * (1 + tol) ? "infeasible" : "undecided";
  return {
    primalValue, dualValue, gap, relativeGap, s, sLower: norm.lower, scale, prediction: F, Lambda,
    LambdaFeasible: { rows: Y.rows, cols: c, data: nf }, norm, dualFeasibility,
    exact: problem.patterns.exact, patterns: problem.patterns.count, connectivityWidth: vectorConnectivityWidth(Y.rows, c),
  };
}


/** Numbers of one neuron of a vector network. */
export interface VectorNeuronReport {
  readonly index: number;
  readonly weightNorm: number;
  /** ‖α_j‖. */
  readonly outputNorm: number;
  /** |‖w_j‖ − ‖α_j‖| / max(‖w_j‖, ‖α_j‖). */
  readonly imbalance: number;
  /** (‖Λᵀ(X w̄_j)_+‖ − β)/β (0 for inactive neurons). */
  readonly normResidual: number;
  /** ‖Λᵀ(X w̄_j)_+ − β α̂_j‖/β (α̂ = α/‖α‖): zero iff the norm is β and α_j points along it. */
  readonly outputResidual: number;
  /**
   * min over the patterns D the neuron lies in (0/1 on kink rows) of ‖Π_{K_D}(Xᵀ D Λ α̂_j)‖/β:
   * ≤ 1 (with the equalities above) iff w̄_j maximises α̂_jᵀΛᵀ D X u over K ∩ ball, i.e. w̄_j is a
   * stationary point of ‖Λᵀ D X u‖ on its cone.
   */
  readonly ownCone: number;
  /** Index of the neuron's pattern in the certificate's pattern set (−1: inactive). */
  readonly pattern: number;
}

/** The classification of a vector network and the numbers behind it. */
export interface VectorNetworkCertificate extends NetworkClassification {
  readonly maxOutputResidual: number;
  readonly certificate: VectorCertificate;
  readonly neurons: VectorNeuronReport[];
  /** nc + 1. */
  readonly connectivityWidth: number;
}

/**
 * Classify a vector network (science/convex.md, "Stationary points", carried to c outputs). With
 * Λ = −∇L(F), the first-order conditions of (NC_c) read α_j = Λᵀ(Xw_j)_+/β and
 * w_j = Xᵀ D_j Λ α_j/β; together they give ‖w_j‖ = ‖α_j‖ (balanced), ‖Λᵀ(Xw̄_j)_+‖ = β with α̂_j
 * along Λᵀ(Xw̄_j)_+, and w̄_j = Π_{K_j}(Xᵀ D_j Λ α̂_j)/β (own-cone value 1). "global optimum":
 * exact patterns and (stationary with s_upper ≤ β(1 + tol), or relative gap ≤ tol);
 * "stationary": the per-neuron conditions hold; else "neither".
 */
export function certifyVectorNetwork(
  problem: VectorProblem, net: VectorReluNetwork, opts: VectorCertificateOptions = {},
): VectorNetworkCertificate {
  const { X, Y, beta, loss } = problem;
  checkNetwork("certifyVectorNetwork", net, X, Y);
  const tol = opts.tol ?? 1e-6;
  const { rows: n, cols: D } = X;
  const c = net.c;
  const obj = vectorObjective(net, X, Y, beta, loss);
  const Lam = obj.Lambda.data;
  const { set, index } = withPatternsOf(X, problem.patterns, { rows: net.m, cols: D, data: net.W });
  const merged: VectorProblem = { ...problem, patterns: set };
  const neurons: VectorNeuronReport[] = [];
  let maxImb = 0;
  let maxRes = 0;
  let maxOwn = 0;
  for (let j = 0; j < net.m; j++) {
    const w = net.W.subarray(j * D, (j + 1) * D);
    const a = net.A.subarray(j * c, (j + 1) * c);
    const wn = Math.hypot(...w);
    const an = Math.hypot(...a);
    const big = Math.max(wn, an);
    const imbalance = big === 0 ? 0 : Math.abs(wn - an) / big;
    maxImb = Math.max(maxImb, imbalance);
    if (wn === 0 || an === 0) {
      neurons.push({ index: j, weightNorm: wn, outputNorm: an, imbalance, normResidual: 0, outputResidual: 0, ownCone: 0, pattern: -1 });
      continue;
    }
    const ahat = Float64Array.from(a, (v) => v / an);
    // Λᵀ(X w̄)_+.
    const act = new Float64Array(c);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += X.data[k * D + t] * w[t];
      if (s > 0) for (let o = 0; o < c; o++) act[o] += Lam[k * c + o] * s / wn;
    }
    const normResidual = (Math.hypot(...act) - beta) / beta;
    let od = 0;
    for (let o = 0; o < c; o++) od += (act[o] - beta * ahat[o]) ** 2;
    const outputResidual = Math.sqrt(od) / beta;
    // ν_j = Λ α̂_j; own cone = min over kink choices of ‖Π_{K_D}(Xᵀ D ν_j)‖/β.
    const nuj = new Float64Array(n);
    for (let k = 0; k < n; k++) for (let o = 0; o < c; o++) nuj[k] += Lam[k * c + o] * ahat[o];
    const own = ownConeRatio(X, patternMask(set, index[j]), kinkRows(X, w, wn), nuj, beta).ratio;
    maxRes = Math.max(maxRes, outputResidual);
    maxOwn = Math.max(maxOwn, own);
    neurons.push({ index: j, weightNorm: wn, outputNorm: an, imbalance, normResidual, outputResidual, ownCone: own, pattern: index[j] });
  }
  const certificate = vectorCertificateFromPrediction(merged, obj.prediction, obj.objective, opts);
  const balanced = maxImb <= tol;
  const stationary = balanced && maxRes <= tol && maxOwn <= 1 + tol;
  const reasons: string[] = [];
  reasons.push(balanced ? `balanced (max relative imbalance ${maxImb.toExponential(2)})` : `not balanced: max |‖w‖ − ‖α‖|/max = ${maxImb.toExponential(2)} > ${tol}`);
  reasons.push(maxRes <= tol
    ? `every active neuron has Λᵀ(Xw̄)_+ = β α̂ (max relative residual ${maxRes.toExponential(2)})`
    : `neuron condition Λᵀ(Xw̄)_+ = β α̂ fails: max relative residual ${maxRes.toExponential(2)} > ${tol}`);
  reasons.push(maxOwn <= 1 + tol
    ? `own-pattern conditions hold (max ‖Π_K(XᵀDΛα̂)‖/β = ${maxOwn.toPrecision(8)})`
    : `own-pattern condition violated: max ‖Π_K(XᵀDΛα̂)‖/β = ${maxOwn.toPrecision(8)} > 1`);
  const sb = `s/β ∈ [${(certificate.sLower / beta).toPrecision(8)}, ${(certificate.s / beta).toPrecision(8)}] (${certificate.norm.method}, rank Λ = ${certificate.norm.rank})`;
  if (certificate.dualFeasibility === "feasible") reasons.push(`all ${certificate.patterns} patterns satisfy max ‖ΛᵀD_iXu‖ ≤ β: ${sb}`);
  else if (certificate.dualFeasibility === "infeasible") reasons.push(`some unit u has ‖Λᵀ(Xu)_+‖ > β: ${sb}; a neuron added there lowers the objective`);
  else reasons.push(`certificate inconclusive: the bounds on s straddle β: ${sb}`);
  reasons.push(`duality gap ${certificate.gap.toExponential(3)} (relative ${certificate.relativeGap.toExponential(3)})`);
  const exact = problem.patterns.exact;
  let classification: NetworkClass;
  if (exact && ((stationary && certificate.dualFeasibility === "feasible") || certificate.relativeGap <= tol)) {
    classification = "global optimum";
  } else if (stationary) {
    classification = "stationary";
    if (!exact && certificate.dualFeasibility === "feasible") reasons.push("patterns were sampled: optimal for the sampled problem, global optimality not proven");
  } else {
    classification = "neither";
  }
  return {
    classification, reasons, objective: obj.objective, loss: obj.loss, penalty: obj.penalty,
    maxImbalance: maxImb, maxOutputResidual: maxRes, maxOwnCone: maxOwn, balanced, stationary,
    certificate, neurons, tol, exact, connectivityWidth: vectorConnectivityWidth(n, c),
  };
}
