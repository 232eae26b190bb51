// The dual norm of the vector-output program (docs/science/convex.md §8.1; the scalar case is
// "Certificate of global optimality"):
//   s(Λ) = max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖ = max_i s_i,  s_i = max_{u∈K_i, ‖u‖≤1} ‖Λᵀ D_i X u‖,
// with Λ = −∇L(F). Λ_f = Λ·min(1, β/s) is dual feasible (certificate.ts).
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
import { eigvalsh, lstsq, nrm2, svd, type Matrix } from "../../../linalg/index.js";
import { patternMask, projectOntoCone, type PatternSet } from "../../program/index.js";
import { NodeHeap } from "./nodeHeap.js";

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

/** Λ reduced to its range: Λ_r = U_r Σ_r (n×r) and the bound σ_tail·‖X‖_F on what the dropped tail adds. */
interface ReducedDual {
  readonly r: number;
  readonly Lr: Float64Array;
  readonly tailBound: number;
}

/** Λ V_r = U_r Σ_r from the thin SVD; singular values ≤ rankTol·σ_max are dropped. */
function reduceDual(Lambda: Matrix, X: Matrix, rankTol: number): ReducedDual {
  const n = Lambda.rows;
  const dec = svd(Lambda);
  const sig = dec.values;
  const smax = sig.length > 0 ? sig[0] : 0;
  let r = 0;
  while (r < sig.length && sig[r] > rankTol * smax && sig[r] > 0) r++;
  const tail = r < sig.length ? sig[r] : 0;
  const tailBound = tail * nrm2(X.data);
  const Lr = new Float64Array(n * r);
  if (r > 0) {
    const Ur = dec.U!;
    for (let k = 0; k < n; k++) for (let q = 0; q < r; q++) Lr[k * r + q] = Ur.data[k * Ur.cols + q] * sig[q];
  }
  return { r, Lr, tailBound };
}

/** G_i = Xᵀ D_i Λ_r (D×r) of every pattern and its spectral norm (times 1 + 1e-12, an upper bound). */
function patternGains(X: Matrix, patterns: PatternSet, Lr: Float64Array, r: number): { G: Float64Array[]; spectral: Float64Array } {
  const { rows: n, cols: D, data } = X;
  const G: Float64Array[] = [];
  const spectral = new Float64Array(patterns.count);
  for (let i = 0; i < patterns.count; i++) {
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
  return { G, spectral };
}

/** The best attained point so far. */
interface BestPoint {
  lower: number;
  pattern: number;
  u: Float64Array;
  z: Float64Array;
}

/**
 * The evaluations of the search: h_i(z) (a cone projection, counted), the direct value
 * ‖Λᵀ(Xu)_+‖ (full Λ), alternating ascent from a start z, and the per-pattern lower bounds.
 */
class DualNormSearch {
  evaluations = 0;
  best: BestPoint;
  readonly perPatternLower: Float64Array;
  private readonly g: Float64Array;

  constructor(
    readonly X: Matrix, readonly patterns: PatternSet, readonly Lambda: Matrix, readonly r: number,
    readonly G: Float64Array[], readonly maxEval: number,
  ) {
    this.perPatternLower = new Float64Array(patterns.count);
    this.g = new Float64Array(X.cols);
    this.best = { lower: 0, pattern: -1, u: new Float64Array(X.cols), z: new Float64Array(Lambda.cols) };
  }

  /** h_i(z) = ‖Π_{K_i}(G_i z)‖ and the unit maximiser u. */
  h(i: number, z: Float64Array): { value: number; u: Float64Array } {
    const { rows: n, cols: D, data } = this.X;
    const Gi = this.G[i];
    const r = this.r;
    for (let t = 0; t < D; t++) {
      let s = 0;
      for (let q = 0; q < r; q++) s += Gi[t * r + q] * z[q];
      this.g[t] = s;
    }
    this.evaluations++;
    const pr = projectOntoCone(data, n, D, patternMask(this.patterns, i), this.g);
    const u = pr.norm > 0 ? pr.projection.map((v) => v / pr.norm) : pr.projection;
    if (pr.norm > this.perPatternLower[i]) this.perPatternLower[i] = pr.norm;
    return { value: pr.norm, u };
  }

  /** ‖Λᵀ(Xu)_+‖ computed directly (full Λ), and the output direction. */
  direct(u: Float64Array): { value: number; z: Float64Array } {
    const { rows: n, cols: D, data } = this.X;
    const c = this.Lambda.cols;
    const out = new Float64Array(c);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += data[k * D + t] * u[t];
      if (s > 0) for (let o = 0; o < c; o++) out[o] += this.Lambda.data[k * c + o] * s;
    }
    const nz = nrm2(out);
    if (nz > 0) for (let o = 0; o < c; o++) out[o] /= nz;
    return { value: nz, z: out };
  }

  /** Alternating ascent from z0 (reduced coordinates) in pattern i (at most 100 steps); updates `best`. */
  ascend(i: number, z0: Float64Array): void {
    const { cols: D } = this.X;
    const r = this.r;
    let z = z0.slice();
    let last = -Infinity;
    for (let it = 0; it < 100 && this.evaluations < this.maxEval; it++) {
      const { value, u } = this.h(i, z);
      if (value === 0) break;
      const dv = this.direct(u);
      if (dv.value > this.best.lower) this.best = { lower: dv.value, pattern: i, u, z: dv.z };
      if (value <= last * (1 + 1e-14)) break;
      last = value;
      // z ← G_iᵀ u / ‖·‖.
      const zn = new Float64Array(r);
      for (let t = 0; t < D; t++) for (let q = 0; q < r; q++) zn[q] += this.G[i][t * r + q] * u[t];
      const nz = nrm2(zn);
      if (nz === 0) break;
      z = zn.map((v) => v / nz);
    }
  }

  /** Leading right singular vector of G_i by power iteration on G_iᵀG_i (a start for ascent only). */
  topDirection(i: number): Float64Array {
    const { cols: D } = this.X;
    const r = this.r;
    const Gi = this.G[i];
    let z = new Float64Array(r).fill(1 / Math.sqrt(r));
    for (let it = 0; it < 50; it++) {
      const Gz = new Float64Array(D);
      for (let t = 0; t < D; t++) for (let q = 0; q < r; q++) Gz[t] += Gi[t * r + q] * z[q];
      const zn = new Float64Array(r);
      for (let t = 0; t < D; t++) for (let q = 0; q < r; q++) zn[q] += Gi[t * r + q] * Gz[t];
      const nz = nrm2(zn);
      if (nz === 0) break;
      z = zn.map((v) => v / nz);
    }
    return z;
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
  return 1 / nrm2(sol.x);
}

/** The vertex of pattern i's live simplices with the largest h value (a start for ascent). */
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

/**
 * The 2^r facets of the cross-polytope for every pattern whose spectral bound exceeds
 * (1 + tol)·lower (the others keep their spectral bound: skippedUb), with their bounds
 * max_k h(±e_k)/ρ₀ (ρ₀ = 1/√r) capped by the spectral norm.
 */
function initialCover(
  search: DualNormSearch, order: readonly number[], spectral: Float64Array, perPatternUpper: Float64Array, tol: number,
): { heap: NodeHeap; skippedUb: number } {
  const r = search.r;
  const heap = new NodeHeap();
  const rho0 = 1 / Math.sqrt(r);
  let skippedUb = 0;
  for (const i of order) {
    perPatternUpper[i] = spectral[i];
    if (spectral[i] <= search.best.lower * (1 + tol)) {
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
        pair.push(search.h(i, e).value);
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
  return { heap, skippedUb };
}

/** The vertex pair (a, b) of a simplex with the smallest inner product (the longest edge) and that product. */
function longestEdge(verts: Float64Array, r: number): { a: number; b: number; dot: number } {
  let ea = -1;
  let eb = -1;
  let minDot = Infinity;
  for (let a = 0; a < r; a++) {
    for (let b = a + 1; b < r; b++) {
      let dot = 0;
      for (let q = 0; q < r; q++) dot += verts[a * r + q] * verts[b * r + q];
      if (dot < minDot) { minDot = dot; ea = a; eb = b; }
    }
  }
  return { a: ea, b: eb, dot: minDot };
}

/** What branch and bound leaves: convergence, the bound of simplices too small to split, per pattern. */
interface CoverOutcome {
  readonly converged: boolean;
  readonly leafUb: number;
  readonly leafPattern: Float64Array;
}

/**
 * Branch and bound over (pattern, spherical simplex): pop the simplex with the largest bound,
 * bisect its longest edge at the normalised midpoint (ascending from it when it beats the lower
 * bound), push both halves with bounds max h/ρ; stop when every bound is ≤ (1 + tol)·lower or the
 * evaluation budget is spent.
 */
function branchAndBound(search: DualNormSearch, heap: NodeHeap, skippedUb: number, tol: number): CoverOutcome {
  const r = search.r;
  let leafUb = 0;
  const leafPattern = new Float64Array(search.patterns.count);
  for (;;) {
    const top = heap.peek();
    if (top === undefined) return { converged: skippedUb <= (1 + tol) * search.best.lower, leafUb, leafPattern };
    if (Math.max(top.ub, skippedUb) <= (1 + tol) * search.best.lower) return { converged: true, leafUb, leafPattern };
    if (search.evaluations >= search.maxEval) return { converged: false, leafUb, leafPattern };
    heap.pop();
    const edge = longestEdge(top.verts, r);
    if (edge.a < 0 || edge.dot > 1 - 1e-18) {
      leafUb = Math.max(leafUb, top.ub);
      leafPattern[top.pattern] = Math.max(leafPattern[top.pattern], top.ub);
      continue;
    }
    const mid = new Float64Array(r);
    for (let q = 0; q < r; q++) mid[q] = top.verts[edge.a * r + q] + top.verts[edge.b * r + q];
    const mn = nrm2(mid);
    for (let q = 0; q < r; q++) mid[q] /= mn;
    const hm = search.h(top.pattern, mid).value;
    if (hm > search.best.lower) search.ascend(top.pattern, mid);
    for (const replace of [edge.a, edge.b]) {
      const verts = top.verts.slice();
      const vals = top.vals.slice();
      verts.set(mid, replace * r);
      vals[replace] = hm;
      const rho = hullDistance(verts, r) * (1 - 1e-12);
      const ub = Math.min(top.ub, Math.max(...vals) / rho);
      heap.push({ pattern: top.pattern, verts, vals, ub });
    }
  }
}

/** Per-pattern upper bounds after branch and bound: the largest live node (or leaf) of each covered pattern. */
function coveredPatternBounds(heap: NodeHeap, leafPattern: Float64Array, perPatternUpper: Float64Array): void {
  const seen = new Uint8Array(perPatternUpper.length);
  for (const node of heap.items) {
    const i = node.pattern;
    perPatternUpper[i] = seen[i] ? Math.max(perPatternUpper[i], node.ub) : node.ub;
    seen[i] = 1;
  }
  for (let i = 0; i < perPatternUpper.length; i++) if (seen[i]) perPatternUpper[i] = Math.max(perPatternUpper[i], leafPattern[i]);
}

/**
 * Bounds on s(Λ) = max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖ over the patterns of `patterns` (a proof for the whole
 * sphere only when they are all patterns of X, patterns.exact). See the file comment for the
 * covering bound; for c = 1 the covering is the two points z = ±1 and both bounds equal the
 * scalar max_{i,±} ‖Π_{K_i}(±Xᵀ D_i ν)‖.
 *
 * @param X - the data in X̃-space, n × D
 * @param patterns - the patterns to maximise over (exact for a bound on the whole sphere)
 * @param Lambda - the dual matrix Λ, n × c
 * @param opts - relative `tol` between the bounds, evaluation budget, cover dimension, rank tolerance
 * @returns lower and upper bounds on s(Λ), the maximiser u, the method and per-pattern bounds
 * @example
 * ```ts
 * import { enumeratePatterns, vectorDualNorm, vectorProblem, withBias } from "splitscape";
 * const x = [-1, -0.5, 0, 0.5, 1];
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.from(x) });
 * const Y = { rows: 5, cols: 2, data: Float64Array.from(x.flatMap((t) => [Math.abs(t), Math.max(t, 0)])) };
 * const problem = vectorProblem(X, Y, 0.05, "square", enumeratePatterns(X));
 * const s = vectorDualNorm(X, problem.patterns, Y); // Λ = −∇L(0) = Y for the square loss
 * console.log(s.lower, s.upper); // above β: the zero network is not optimal
 * ```
 */
export function vectorDualNorm(X: Matrix, patterns: PatternSet, Lambda: Matrix, opts: VectorDualNormOptions = {}): VectorDualNorm {
  const { rows: n, cols: D } = X;
  const c = Lambda.cols;
  if (Lambda.rows !== n) throw new RangeError(`vectorDualNorm: Λ has ${Lambda.rows} rows, X has ${n}`);
  if (patterns.n !== n || patterns.d !== D) throw new RangeError(`vectorDualNorm: patterns are for ${patterns.n}×${patterns.d} data, X is ${n}×${D}`);
  if (!Lambda.data.every(Number.isFinite)) throw new RangeError("vectorDualNorm: Λ must be finite");
  const tol = opts.tol ?? 1e-9;
  const coverMaxDim = opts.coverMaxDim ?? 3;
  const P = patterns.count;
  const perPatternUpper = new Float64Array(P);
  const { r, Lr, tailBound } = reduceDual(Lambda, X, opts.rankTol ?? 1e-13);
  if (r === 0) {
    return {
      lower: 0, upper: tailBound, converged: tailBound === 0, method: "cover", rank: 0, evaluations: 0, pattern: -1,
      u: new Float64Array(D), z: new Float64Array(c), perPatternLower: new Float64Array(P), perPatternUpper: perPatternUpper.fill(tailBound),
    };
  }
  const { G, spectral } = patternGains(X, patterns, Lr, r);
  const search = new DualNormSearch(X, patterns, Lambda, r, G, opts.maxEvaluations ?? 50000);
  const order = Array.from({ length: P }, (_, i) => i).sort((a, b) => spectral[b] - spectral[a]);
  for (const i of order.slice(0, 4)) {
    const z = search.topDirection(i);
    search.ascend(i, z);
    search.ascend(i, z.map((v) => -v));
  }
  const finish = (upperR: number, converged: boolean, method: VectorDualNorm["method"]): VectorDualNorm => {
    const best = search.best;
    const upper = Math.hypot(Math.max(upperR, best.lower), tailBound);
    return {
      lower: best.lower, upper, converged: converged && upper <= (1 + tol) * best.lower + Number.MIN_VALUE,
      method, rank: r, evaluations: search.evaluations, pattern: best.pattern, u: best.u, z: best.z,
      perPatternLower: search.perPatternLower, perPatternUpper: perPatternUpper.map((v) => Math.hypot(v, tailBound)),
    };
  };
  if (r > coverMaxDim) {
    for (const i of order) {
      if (spectral[i] <= search.best.lower * (1 + tol)) break;
      search.ascend(i, search.topDirection(i));
    }
    perPatternUpper.set(spectral);
    return finish(Math.max(...spectral), false, "spectral");
  }
  const { heap, skippedUb } = initialCover(search, order, spectral, perPatternUpper, tol);
  // Ascent from the best vertex of every pattern whose vertex values beat the current bound.
  for (const i of order) if (search.perPatternLower[i] > search.best.lower) search.ascend(i, bestVertex(heap, i, r));
  const outcome = branchAndBound(search, heap, skippedUb, tol);
  coveredPatternBounds(heap, outcome.leafPattern, perPatternUpper);
  const top = heap.peek();
  const upperR = Math.max(top === undefined ? 0 : top.ub, outcome.leafUb, skippedUb);
  return finish(upperR, outcome.converged, "cover");
}
