// The optimal set of the path-regularised parallel three-layer program (C3), docs/science/convex.md
// §8.2, from a certified dual point ν* (convexProgram.ts).
//
// Optimal blocks. A block of unit cost with outer pattern D2 and sign s is optimal exactly when
// its h attains V(D2, s) = β (every optimal point of (C3) puts mass only on such atoms, by the
// equality case of weak duality νᵀŷ* = β Σ c). With λ* an optimal multiplier of
// V(D2, s) = min_{λ≥0} ρ₂(g + ελ) (dualNorm.ts), for h ∈ H ∩ O_{D2}:
//   gᵀh = (g + ελ*)ᵀh − λ*ᵀ(ε∘h) ≤ ρ₂(g + ελ*) = V,
// with equality iff h lies in the face of H exposed by g' = g + ελ* AND λ*_q h_q = 0 for all q. The
// exposed face is the convex hull of the exposed points ±(Xu)_+, whose directions are the finitely
// many Π_{K_i}(σ Xᵀ D_i g')/‖·‖ attaining ρ₂(g') (§1.4, one per pattern and sign at most): these are
// the optimal first-layer directions of the block. So the optimal blocks of (D2, s) form the
// polytope {Σ_j μ_j h_j : μ ≥ 0, Σ μ = 1, ε∘h ≥ 0, h_q = 0 where λ*_q > 0} over those directions.
//
// Extreme blocks. The polytope of an outer pattern is often not a point: optimal blocks whose
// pre-activations share an orthant merge, (h + h')_+ = (h)_+ + (h')_+ there. Its vertices (the basic
// feasible solutions of {μ ≥ 0 : Σμ = 1, ε∘h ≥ 0, gᵀh = V}, by the support enumeration of
// landscape/optimalSet.ts) are the extreme blocks; every optimal block is a convex combination of
// the extreme blocks of its orthant with the same output and cost, so the optimal points of (C3)
// are P*_ext = {c ≥ 0 : Σ_k c_k f_k = ŷ*} over their fits. A network block carries several extreme
// blocks when they have one sign and share an orthant, so the fewest blocks of an optimal network
// is min over vertices of P*_ext of the fewest groups of pairwise compatible extreme blocks covering
// its support (a point's support contains those of the vertices it spans).
//
// Block-level optimal set. When the polytope is a single point h̄_k for every active (D2, s)_k
// (checked by the range of every coordinate over it, 2n LPs, as in landscape/uniqueness.ts), each
// optimal block is one of finitely many atoms with fits f_k = s_k (h̄_k)_+, and the optimal set of
// (C3) is P* = {c ≥ 0 : Σ_k c_k f_k = ŷ*}, the polytope of §3 with blocks in place of neurons. Its
// vertices give m* and M* counted in blocks, and the components of the width-m optimal set up to
// permutation (m blocks, each with at least as many neurons as the largest optimal block) are those
// of the graph of §5.1 (landscape/staircase.ts optimalSetComponents) — [R], the two-layer argument
// carried over to blocks. Otherwise no finite P* over blocks is reported.
import type { Highs } from "highs";
import { distance, nrm2, type Matrix } from "../../../linalg/index.js";
import { optimalSetComponents } from "../../landscape/staircase.js";
import { optimalSetVertices, type OptimalDirection, type OptimalVertex } from "../../landscape/optimalSet.js";
import { fitVector, solveDenseLp } from "../../landscape/minNorm.js";
import { patternMask, projectOntoCone, type PatternSet } from "../../program/index.js";
import { xtMaskedDual } from "./directions.js";
import type { ThreeLayerConvexSolution } from "./convexProgram.js";

/** One optimal block: outer pattern and sign, its optimal first-layer directions and its fit. */
export interface ThreeLayerOptimalBlock {
  readonly outer: Uint8Array;
  readonly sign: 1 | -1;
  /** V(D2, s)/β (1 up to the tolerance). */
  readonly dualRatio: number;
  /** The optimal first-layer directions (unit u with the sign σ of w_2): the finite set of the block. */
  readonly directions: Array<{ sign: 1 | -1; direction: Float64Array; pattern: number }>;
  /** Rows with λ*_q > 0, where every optimal block has a zero pre-activation. */
  readonly zeroRows: number[];
  /** Max over q of the range of h_q over the block's optimal polytope (0: a single optimal block). */
  readonly spread: number;
  /** s (h̄)_+ per unit cost, h̄ one optimal block (the unique one when spread ≈ 0). */
  readonly fit: Float64Array;
  /** The weights μ_j of h̄ over `directions`. */
  readonly weights: Float64Array;
}

/** Options of threeLayerOptimalSet. */
export interface ThreeLayerOptimalSetOptions {
  /**
   * A (D2, s) is active when its lower bound is ≥ β(1 − activeTol), and a first-layer direction
   * optimal when its value is ≥ V(1 − activeTol). Default 1e-6.
   */
  readonly activeTol?: number;
  /** A block polytope is a point when every coordinate range is ≤ spreadTol·‖ŷ*‖. Default 1e-7. */
  readonly spreadTol?: number;
}

/** The optimal set of (C3). */
export interface ThreeLayerOptimalSet {
  /** The active blocks, one per distinct fit. */
  readonly blocks: ThreeLayerOptimalBlock[];
  /** Number of distinct optimal first-layer directions over all blocks (with sign). */
  readonly firstLayerDirections: number;
  /** True when every active outer pattern's block polytope is a point: P* is then the finite-atom polytope below. */
  readonly finite: boolean;
  /** The largest coordinate range of a block polytope over all active outer patterns, relative to ‖ŷ*‖. */
  readonly maxSpread: number;
  /** The extreme optimal blocks: the vertices of every active outer pattern's block polytope. */
  readonly extreme: ExtremeBlock[];
  /**
   * Vertices of P*_ext = {c ≥ 0 : Σ_k c_k f_k = ŷ*} over the extreme blocks' fits (null when not
   * enumerable): every optimal point of (C3) is one (each optimal block is a convex combination of
   * the extreme blocks of its orthant, with the same output and cost).
   */
  readonly extremeVertices: OptimalVertex[] | null;
  /** Smallest and largest support of a vertex of P*_ext (extreme blocks). */
  readonly extremeMin: number | null;
  readonly extremeMax: number | null;
  /**
   * The fewest blocks of an optimal network: min over vertices of P*_ext of the fewest groups of
   * pairwise compatible extreme blocks covering the support (same sign, pre-activations never of
   * strictly opposite signs: one orthant, where they merge into one block). Null when not enumerable.
   */
  readonly fewestBlocks: number | null;
  /** A vertex of P*_ext attaining fewestBlocks and its grouping (indices into `extreme`). */
  readonly fewestBlocksWitness: { vertex: OptimalVertex; groups: number[][] } | null;
  /**
   * Components up to permutation of the optimal networks with m blocks (m = 1 … n + 1), each block
   * with as many neurons as needed: the graph of §5.1 over the vertices of P*_ext with the support
   * size replaced by the fewest compatible groups χ(S) (vertex V kept when χ(S_V) ≤ m, V–W joined
   * when χ(S_V ∪ S_W) ≤ m: the segment between them keeps its support and grouping). Empty when
   * P*_ext was not enumerated.
   */
  readonly blockComponents: Array<{ width: number; components: number }>;
  /** Vertices of P* (null when not finite or not enumerable). */
  readonly vertices: OptimalVertex[] | null;
  /** Smallest and largest vertex support, in blocks. */
  readonly mStar: number | null;
  readonly MStar: number | null;
  /** Components up to permutation of the width-m optimal set, m = 1 … n + 1 (block widths). */
  readonly components: Array<{ width: number; components: number; singletons: number }>;
  readonly reason: string | null;
}

/**
 * The optimal blocks, their finitely many first-layer directions, the extreme blocks with P* over
 * them and the fewest blocks of an optimal network, and (when every block is unique) P*, m*, M*
 * and the components against the block width, from a certified solution (file comment).
 *
 * @param highs - the loaded HiGHS instance (`await loadHighs()`)
 * @param X - the data of the solve, n×D row-major
 * @param patterns - the inner patterns of the solve (all of them for a proof)
 * @param beta - β of the solve
 * @param sol - a certified solution of `solveThreeLayerConvex` (its ν and bounds are used)
 * @param opts - `activeTol` (default 1e-6), `spreadTol` (a block polytope is a point, default 1e-7)
 * @returns the optimal blocks per outer pattern with their directions, the extreme blocks, the
 *   vertices of P* over them, the fewest blocks of an optimal network with a witness, and the
 *   block-level P* (null with a `reason` when some outer pattern has a continuum of optimal blocks)
 * @example
 * ```ts
 * import { enumeratePatterns, loadHighs, solveThreeLayerConvex, threeLayerOptimalSet } from "splitscape";
 * const angles = [0.3, 1.9, 3.4, 4.6]; // four points on the unit circle, no bias
 * const X = { rows: 4, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const y = Float64Array.from([1, -0.6, 0.9, -0.4]);
 * const highs = await loadHighs();
 * const patterns = enumeratePatterns(X);
 * const sol = solveThreeLayerConvex(highs, X, y, 0.1, { patterns });
 * const set = threeLayerOptimalSet(highs, X, patterns, 0.1, sol);
 * console.log(set.firstLayerDirections, set.extreme.length, set.fewestBlocks, set.finite); // 10 6 4 false
 * ```
 */
export function threeLayerOptimalSet(highs: Highs, X: Matrix, patterns: PatternSet, beta: number, sol: ThreeLayerConvexSolution, opts: ThreeLayerOptimalSetOptions = {}): ThreeLayerOptimalSet {
  const activeTol = opts.activeTol ?? 1e-6;
  const spreadTol = opts.spreadTol ?? 1e-7;
  const { rows: n, cols: D, data } = X;
  const nu = sol.nu;
  const yhat = sol.prediction;
  const yNorm = Math.max(nrm2(yhat), 1e-300);
  const blocks: ThreeLayerOptimalBlock[] = [];
  let maxSpread = 0;
  let infeasible = 0;
  const extreme: ExtremeBlock[] = [];
  for (const b of sol.dualNorm.bounds) {
    if (b.lower < beta * (1 - activeTol)) continue;
    const eps = Float64Array.from(b.outer, (v) => (v ? 1 : -1));
    const g = Float64Array.from(nu, (v, q) => (b.outer[q] ? b.sign * v : 0) + eps[q] * b.multiplier[q]);
    // The exposed first-layer directions of g'.
    const dirs: Array<{ sign: 1 | -1; direction: Float64Array; pattern: number; fit: Float64Array }> = [];
    // The neurons of the block found by the dual norm attain V by construction: include them first
    // (the exposed set at an approximate λ can miss a direction or shift it by rounding).
    const known = (sign: 1 | -1, u: Float64Array): boolean => dirs.some((d) => d.sign === sign && distance(d.direction, u) <= 1e-6);
    for (const e of b.block?.neurons ?? []) {
      if (!known(e.sign, e.direction)) dirs.push({ sign: e.sign, direction: e.direction, pattern: e.pattern, fit: fitVector(X, e.direction, e.sign) });
    }
    for (let i = 0; i < patterns.count; i++) {
      const mask = patternMask(patterns, i);
      const xg = xtMaskedDual(data, n, D, mask, g);
      for (const sign of [1, -1] as const) {
        const pr = projectOntoCone(data, n, D, mask, sign === 1 ? xg : xg.map((v) => -v));
        if (!(pr.norm >= b.upper * (1 - activeTol))) continue;
        const u = pr.projection.map((v) => v / pr.norm);
        if (!known(sign, u)) dirs.push({ sign, direction: u, pattern: i, fit: fitVector(X, u, sign) });
      }
    }
    const lamMax = Math.max(...b.multiplier, 0);
    const zeroRows: number[] = [];
    for (let q = 0; q < n; q++) if (b.multiplier[q] > 1e-7 * Math.max(lamMax, beta)) zeroRows.push(q);
    // The block polytope: μ ≥ 0, Σμ = 1, ε h ≥ 0 and gᵀh ≥ V(1 − 1e-9) (the value of an optimal
    // block; equivalent to λ*_q h_q = 0 given the exposed directions, and independent of the
    // accuracy of λ); then the range of every h_q over it.
    const J = dirs.length;
    const A: Matrix = { rows: n + 2, cols: J, data: new Float64Array((n + 2) * J) };
    const rowLower = new Float64Array(n + 2);
    const rowUpper = new Float64Array(n + 2).fill(Infinity);
    rowLower[0] = 1;
    rowUpper[0] = 1;
    rowLower[n + 1] = b.lower * (1 - 1e-9);
    for (let j = 0; j < J; j++) {
      A.data[j] = 1;
      let v = 0;
      for (let q = 0; q < n; q++) {
        A.data[(q + 1) * J + j] = eps[q] * dirs[j].fit[q];
        if (b.outer[q]) v += b.sign * nu[q] * dirs[j].fit[q];
      }
      A.data[(n + 1) * J + j] = v;
    }
    let spread = 0;
    let weights = new Float64Array(J);
    let feasible = J > 0;
    for (let q = 0; q < n && feasible; q++) {
      const cost = Float64Array.from(dirs, (e) => e.fit[q]);
      const lo = solveDenseLp(highs, { A, cost, rowLower, rowUpper, colLower: new Float64Array(J), colUpper: new Float64Array(J).fill(Infinity) });
      const hi = solveDenseLp(highs, { A, cost, rowLower, rowUpper, colLower: new Float64Array(J), colUpper: new Float64Array(J).fill(Infinity), maximize: true });
      if (!lo.optimal || !hi.optimal) { feasible = false; break; }
      spread = Math.max(spread, hi.objective - lo.objective);
      if (q === 0) weights = Float64Array.from(lo.x);
    }
    if (!feasible) { infeasible++; continue; }
    for (const e of polytopeVertices(dirs, eps, b.outer, b.sign, nu, b.lower)) {
      if (extreme.some((x) => x.sign === b.sign && distance(x.fit, e.fit) <= 1e-7 * yNorm)) continue;
      extreme.push({ ...e, sign: b.sign });
    }
    let fit = new Float64Array(n);
    for (let j = 0; j < J; j++) for (let q = 0; q < n; q++) fit[q] += weights[j] * dirs[j].fit[q];
    for (let q = 0; q < n; q++) fit[q] = b.sign * Math.max(fit[q], 0);
    // The directions above come from the approximate multiplier λ (its value is within the solve's
    // tolerance, its argmax only to about the square root of it): where the solution itself has a
    // block with this fit (to 1e-4), use the solution's block, which reproduces ŷ* to rounding.
    for (const sb of sol.blocks) {
      if (sb.atom.sign === b.sign && distance(sb.atom.fit, fit) <= 1e-4 * yNorm) { fit = sb.atom.fit.slice(); break; }
    }
    maxSpread = Math.max(maxSpread, spread / yNorm);
    // One block per distinct fit (an h with zeros lies in several orthants).
    if (blocks.some((e) => distance(e.fit, fit) <= 1e-7 * yNorm)) continue;
    blocks.push({
      outer: b.outer, sign: b.sign, dualRatio: b.lower / beta, directions: dirs.map(({ sign, direction, pattern }) => ({ sign, direction, pattern })),
      zeroRows, spread: spread / yNorm, fit, weights,
    });
  }
  const firstLayer: Array<{ sign: number; direction: Float64Array }> = [];
  for (const b of blocks) for (const d of b.directions) if (!firstLayer.some((e) => e.sign === d.sign && distance(e.direction, d.direction) <= 1e-6)) firstLayer.push(d);
  const merged = extremeStructure(extreme, yhat);
  const finite = maxSpread <= spreadTol && infeasible === 0;
  const none = { vertices: null, mStar: null, MStar: null, components: [] };
  if (infeasible > 0) return { blocks, firstLayerDirections: firstLayer.length, finite, maxSpread, extreme, ...merged, ...none, reason: `${infeasible} active outer pattern(s) with an empty optimal polytope at the tolerances (multiplier not accurate enough)` };
  if (!finite) {
    return {
      blocks, firstLayerDirections: firstLayer.length, finite, maxSpread, extreme, ...merged, ...none,
      reason: "the optimal blocks of some outer pattern form a continuum (blocks whose pre-activations share an orthant merge: (h + h')_+ = (h)_+ + (h')_+ there), so there is no finite set of optimal blocks",
    };
  }
  const atoms: OptimalDirection[] = blocks.map((b) => ({ sign: b.sign, patterns: [], direction: b.fit, dualRatio: b.dualRatio, fit: b.fit }));
  const st = optimalSetVertices(atoms, yhat);
  if (st.vertices === null || st.mStar === null || st.MStar === null) return { blocks, firstLayerDirections: firstLayer.length, finite, maxSpread, extreme, ...merged, ...none, reason: st.reason };
  const components: ThreeLayerOptimalSet["components"] = [];
  for (let m = 1; m <= n + 1; m++) {
    const c = optimalSetComponents(st.vertices, m);
    let singletons = 0;
    for (let k = 0; k < c.count; k++) {
      const members = c.label.map((l, i) => (l === k ? i : -1)).filter((i) => i >= 0);
      // A component is a single point up to permutation when it is one vertex of support exactly m
      // (a smaller support leaves a free neuron to split into, §5.1).
      if (members.length === 1 && st.vertices[members[0]].support.length === m) singletons++;
    }
    components.push({ width: m, components: c.count, singletons });
  }
  return { blocks, firstLayerDirections: firstLayer.length, finite, maxSpread, extreme, ...merged, vertices: st.vertices, mStar: st.mStar, MStar: st.MStar, components, reason: null };
}

/** An extreme optimal block: h = Σ_j μ_j σ_j (X u_j)_+ at a vertex of its polytope. */
export interface ExtremeBlock {
  readonly sign: 1 | -1;
  /** h (length n): the block's pre-activation per unit cost. */
  readonly pre: Float64Array;
  /** s (h)_+. */
  readonly fit: Float64Array;
  readonly neurons: Array<{ weight: number; sign: 1 | -1; direction: Float64Array }>;
}

/**
 * The vertices of the optimal face {μ ≥ 0 : Σ μ = 1, ε∘(Σ_j μ_j h_j) ≥ 0, Σ_j μ_j gᵀh_j = V}: in
 * standard form with slacks t_q = ε_q (Σ_j μ_j h_j)_q ≥ 0, the basic feasible solutions, i.e. the
 * supports with independent columns [1; ε∘h_j; gᵀh_j] (μ_j) and [0; −e_q; 0] (t_q) and a positive
 * solution of the system = [1; 0; V] — the vertex enumeration of landscape/optimalSet.ts.
 */
function polytopeVertices(
  dirs: ReadonlyArray<{ sign: 1 | -1; direction: Float64Array; fit: Float64Array }>, eps: Float64Array, outer: Uint8Array, sign: 1 | -1, nu: Float64Array, V: number,
): Array<Omit<ExtremeBlock, "sign">> {
  const n = eps.length;
  const cols: OptimalDirection[] = [];
  const column = (c: Float64Array): OptimalDirection => ({ sign: 1, patterns: [], direction: c, dualRatio: 1, fit: c });
  for (const d of dirs) {
    const c = new Float64Array(n + 2);
    c[0] = 1;
    for (let q = 0; q < n; q++) {
      c[q + 1] = eps[q] * d.fit[q];
      if (outer[q]) c[n + 1] += sign * nu[q] * d.fit[q];
    }
    cols.push(column(c));
  }
  for (let q = 0; q < n; q++) {
    const c = new Float64Array(n + 2);
    c[q + 1] = -1;
    cols.push(column(c));
  }
  const target = new Float64Array(n + 2);
  target[0] = 1;
  target[n + 1] = V;
  const st = optimalSetVertices(cols, target, { maxDirections: 40 });
  const out: Array<Omit<ExtremeBlock, "sign">> = [];
  for (const v of st.vertices ?? []) {
    const pre = new Float64Array(n);
    const neurons: ExtremeBlock["neurons"] = [];
    v.support.forEach((k, i) => {
      if (k >= dirs.length) return;
      const mu = v.weights[i];
      for (let q = 0; q < n; q++) pre[q] += mu * dirs[k].fit[q];
      neurons.push({ weight: mu, sign: dirs[k].sign, direction: dirs[k].direction });
    });
    const fit = pre.map((h) => sign * Math.max(h, 0));
    out.push({ pre, fit, neurons });
  }
  return out;
}

/** Two extreme blocks merge into one block when they have one sign and share an orthant. */
function compatible(a: ExtremeBlock, b: ExtremeBlock): boolean {
  if (a.sign !== b.sign) return false;
  const scale = Math.max(nrm2(a.pre), nrm2(b.pre));
  for (let q = 0; q < a.pre.length; q++) if (a.pre[q] * b.pre[q] < 0 && Math.min(Math.abs(a.pre[q]), Math.abs(b.pre[q])) > 1e-9 * scale) return false;
  return true;
}

/** Fewest groups of pairwise compatible items covering `items` (exhaustive; |items| ≤ 10). */
function fewestGroups(items: number[], ok: (a: number, b: number) => boolean): number[][] {
  let best: number[][] = items.map((i) => [i]);
  const groups: number[][] = [];
  const place = (k: number): void => {
    if (groups.length >= best.length) return;
    if (k === items.length) { best = groups.map((g) => g.slice()); return; }
    const it = items[k];
    for (const g of groups) {
      if (g.every((x) => ok(x, it))) { g.push(it); place(k + 1); g.pop(); }
    }
    groups.push([it]);
    place(k + 1);
    groups.pop();
  };
  if (items.length <= 10) place(0);
  return best;
}

/** P*_ext over the extreme blocks, its support range and the fewest blocks of an optimal network. */
function extremeStructure(extreme: ExtremeBlock[], yhat: Float64Array): Pick<ThreeLayerOptimalSet, "extremeVertices" | "extremeMin" | "extremeMax" | "fewestBlocks" | "fewestBlocksWitness" | "blockComponents"> {
  const atoms: OptimalDirection[] = extreme.map((e) => ({ sign: e.sign, patterns: [], direction: e.pre, dualRatio: 1, fit: e.fit }));
  const st = optimalSetVertices(atoms, yhat, { maxDirections: 30 });
  if (st.vertices === null || st.vertices.length === 0) return { extremeVertices: null, extremeMin: null, extremeMax: null, fewestBlocks: null, fewestBlocksWitness: null, blockComponents: [] };
  let witness: { vertex: OptimalVertex; groups: number[][] } | null = null;
  for (const v of st.vertices) {
    const groups = fewestGroups(v.support, (a, b) => compatible(extreme[a], extreme[b]));
    if (witness === null || groups.length < witness.groups.length) witness = { vertex: v, groups };
  }
  const chi = (S: number[]): number => fewestGroups(S, (a, b) => compatible(extreme[a], extreme[b])).length;
  const V = st.vertices.length;
  const own = st.vertices.map((v) => chi(v.support));
  const pair: number[][] = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  for (let a = 0; a < V; a++) {
    for (let b = a + 1; b < V; b++) {
      const S = [...new Set([...st.vertices[a].support, ...st.vertices[b].support])];
      pair[a][b] = pair[b][a] = S.length <= 10 ? chi(S) : Infinity;
    }
  }
  const blockComponents: Array<{ width: number; components: number }> = [];
  for (let m = 1; m <= yhat.length + 1; m++) {
    const label = new Array<number>(V).fill(-1);
    let count = 0;
    for (let start = 0; start < V; start++) {
      if (own[start] > m || label[start] >= 0) continue;
      label[start] = count;
      const queue = [start];
      for (let h = 0; h < queue.length; h++) {
        for (let b = 0; b < V; b++) {
          if (own[b] > m || label[b] >= 0 || pair[queue[h]][b] > m) continue;
          label[b] = count;
          queue.push(b);
        }
      }
      count++;
    }
    blockComponents.push({ width: m, components: count });
  }
  return { extremeVertices: st.vertices, extremeMin: st.mStar, extremeMax: st.MStar, fewestBlocks: witness?.groups.length ?? null, fewestBlocksWitness: witness, blockComponents };
}
