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
// Block-level optimal set. When that polytope is a single point h̄_k for every active (D2, s)_k
// (checked by the range of every coordinate over it, 2n LPs, as in landscape/uniqueness.ts), each
// optimal block is one of finitely many atoms with fits f_k = s_k (h̄_k)_+, and the optimal set of
// (C3) is P* = {c ≥ 0 : Σ_k c_k f_k = ŷ*}, the polytope of §3 with blocks in place of neurons. Its
// vertices (irreducible solutions) give m* and M* counted in blocks, and the components of the
// width-m optimal set up to permutation (m blocks, each with at least as many neurons as the largest
// optimal block) are those of the graph of §5.1 (landscape/staircase.ts optimalSetComponents).
// When some polytope is not a point, the blocks form a continuum and no finite P* is reported.
import type { Highs } from "highs";
import { nrm2, type Matrix } from "../../../linalg/index.js";
import { optimalSetComponents } from "../../landscape/staircase.js";
import { optimalSetVertices, type OptimalDirection, type OptimalVertex } from "../../landscape/optimalSet.js";
import { solveDenseLp } from "../../landscape/minNorm.js";
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
 * The optimal blocks, their finitely many first-layer directions, and (when every block is
 * unique) P*, m*, M* and the components against the block width, from a certified solution.
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
  for (const b of sol.dualNorm.bounds) {
    if (b.lower < beta * (1 - activeTol)) continue;
    const eps = Float64Array.from(b.outer, (v) => (v ? 1 : -1));
    const g = Float64Array.from(nu, (v, q) => (b.outer[q] ? b.sign * v : 0) + eps[q] * b.multiplier[q]);
    // The exposed first-layer directions of g'.
    const dirs: Array<{ sign: 1 | -1; direction: Float64Array; pattern: number; fit: Float64Array }> = [];
    // The neurons of the block found by the dual norm attain V by construction: include them first
    // (the exposed set at an approximate λ can miss a direction or shift it by rounding).
    for (const e of b.block?.neurons ?? []) {
      if (dirs.some((d) => d.sign === e.sign && nrm2(d.direction.map((v, t) => v - e.direction[t])) <= 1e-6)) continue;
      const fit = new Float64Array(n);
      for (let q = 0; q < n; q++) {
        let s = 0;
        for (let t = 0; t < D; t++) s += data[q * D + t] * e.direction[t];
        fit[q] = s > 0 ? e.sign * s : 0;
      }
      dirs.push({ sign: e.sign, direction: e.direction, pattern: e.pattern, fit });
    }
    for (let i = 0; i < patterns.count; i++) {
      const mask = patternMask(patterns, i);
      const xg = xtMaskedDual(data, n, D, mask, g);
      for (const sign of [1, -1] as const) {
        const pr = projectOntoCone(data, n, D, mask, sign === 1 ? xg : xg.map((v) => -v));
        if (!(pr.norm >= b.upper * (1 - activeTol))) continue;
        const u = pr.projection.map((v) => v / pr.norm);
        if (dirs.some((e) => e.sign === sign && nrm2(e.direction.map((v, t) => v - u[t])) <= 1e-6)) continue;
        const fit = new Float64Array(n);
        for (let q = 0; q < n; q++) {
          let s = 0;
          for (let t = 0; t < D; t++) s += data[q * D + t] * u[t];
          fit[q] = s > 0 ? sign * s : 0;
        }
        dirs.push({ sign, direction: u, pattern: i, fit });
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
    let fit = new Float64Array(n);
    for (let j = 0; j < J; j++) for (let q = 0; q < n; q++) fit[q] += weights[j] * dirs[j].fit[q];
    for (let q = 0; q < n; q++) fit[q] = b.sign * Math.max(fit[q], 0);
    // The directions above come from the approximate multiplier λ (its value is within the solve's
    // tolerance, its argmax only to about the square root of it): where the solution itself has a
    // block with this fit (to 1e-4), use the solution's block, which reproduces ŷ* to rounding.
    for (const sb of sol.blocks) {
      if (sb.atom.sign === b.sign && nrm2(sb.atom.fit.map((v, q) => v - fit[q])) <= 1e-4 * yNorm) { fit = sb.atom.fit.slice(); break; }
    }
    maxSpread = Math.max(maxSpread, spread / yNorm);
    // One block per distinct fit (an h with zeros lies in several orthants).
    if (blocks.some((e) => nrm2(e.fit.map((v, q) => v - fit[q])) <= 1e-7 * yNorm)) continue;
    blocks.push({
      outer: b.outer, sign: b.sign, dualRatio: b.lower / beta, directions: dirs.map(({ sign, direction, pattern }) => ({ sign, direction, pattern })),
      zeroRows, spread: spread / yNorm, fit, weights,
    });
  }
  const firstLayer: Array<{ sign: number; direction: Float64Array }> = [];
  for (const b of blocks) for (const d of b.directions) if (!firstLayer.some((e) => e.sign === d.sign && nrm2(e.direction.map((v, t) => v - d.direction[t])) <= 1e-6)) firstLayer.push(d);
  const finite = maxSpread <= spreadTol && infeasible === 0;
  const none = { vertices: null, mStar: null, MStar: null, components: [] };
  if (infeasible > 0) return { blocks, firstLayerDirections: firstLayer.length, finite, maxSpread, ...none, reason: `${infeasible} active outer pattern(s) with an empty optimal polytope at the tolerances (multiplier not accurate enough)` };
  if (!finite) {
    return {
      blocks, firstLayerDirections: firstLayer.length, finite, maxSpread, ...none,
      reason: "the optimal blocks of some outer pattern form a continuum (blocks whose pre-activations share an orthant merge: (h + h')_+ = (h)_+ + (h')_+ there), so there is no finite set of optimal blocks",
    };
  }
  const atoms: OptimalDirection[] = blocks.map((b) => ({ sign: b.sign, patterns: [], direction: b.fit, dualRatio: b.dualRatio, fit: b.fit }));
  const st = optimalSetVertices(atoms, yhat);
  if (st.vertices === null || st.mStar === null || st.MStar === null) return { blocks, firstLayerDirections: firstLayer.length, finite, maxSpread, ...none, reason: st.reason };
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
  return { blocks, firstLayerDirections: firstLayer.length, finite, maxSpread, vertices: st.vertices, mStar: st.mStar, MStar: st.MStar, components, reason: null };
}
