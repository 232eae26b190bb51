// The dual constraint of the parallel three-layer convex program (docs/science/convex.md §8.2).
// With the path cost of pathNorm.ts a block is an atom s·(h)_+ of cost 1 per unit, h in
//   H = conv{ ±(X u)_+ : ‖u‖ ≤ 1 }   (the outputs of two-layer nets of path cost ≤ 1),
// and the dual constraint is ρ₃(ν) = max_{h∈H, s=±1} s νᵀ(h)_+ ≤ β. Split by the block's own
// outer pattern D2 = 1[h ≥ 0]: on the orthant O_{D2} = {h : h_q ≥ 0 on D2, ≤ 0 off D2},
// (h)_+ = D2 h, so
//   ρ₃(ν) = max_{D2, s} V(D2, s),   V(D2, s) = max { gᵀh : h ∈ H ∩ O_{D2} },  g = s D2 ν,
// a linear maximisation over a compact convex set cut by an orthant. Sion's minimax theorem
// (H compact convex, the multipliers a convex cone, the Lagrangian bilinear) gives
//   V(D2, s) = min_{λ ≥ 0} ρ₂(g + ελ),  ε_q = +1 on D2, −1 off D2,
// with ρ₂(g) = max_{h∈H} gᵀh = max_{i, σ} ‖Π_{K_i}(σ Xᵀ D_i g)‖ the two-layer dual norm of §1.4.
// So every λ ≥ 0 gives an upper bound ρ₂(g + ελ) ≥ V and every h ∈ H ∩ O_{D2} a lower bound.
// Both are computed by column generation (Kelley's cutting planes): the LP
//   max Σ_j μ_j gᵀh_j  s.t.  μ ≥ 0, Σ_j μ_j ≤ 1, ε_q Σ_j μ_j h_{jq} ≥ 0 (all q)
// over first-layer atoms h_j = σ_j (X u_j)_+ (‖u_j‖ = 1) gives a feasible h = Σ μ_j h_j (lower
// bound) and, from its row duals, λ; the maximiser of ρ₂(g + ελ) (one cone projection per
// pattern and sign) is the next column. Stop when upper − lower ≤ tol·upper.
// Each column is a first-layer neuron, so the LP's solution is an optimal block: its neurons
// (√… balanced later) have weights μ_j, signs σ_j (of w_{2jk}) and directions u_j, and the block's
// output sign is s. An extreme point of H ∩ O_{D2} with k coordinates h_q = 0 lies in a face of
// H of dimension ≤ k, so an optimal block needs at most k + 1 first-layer neurons.
// The LP is solved by HiGHS (src/convex/landscape/minNorm.ts solveDenseLp).
import type { Highs } from "highs";
import type { Matrix } from "../../../linalg/index.js";
import { fitVector, solveDenseLp } from "../../landscape/minNorm.js";
import { patternMask, projectOntoCone, type PatternSet } from "../../program/index.js";
import { xtMaskedDual } from "./directions.js";

/** A first-layer neuron of a block atom: weight μ ≥ 0 (its share of the block's unit path cost). */
export interface BlockNeuron {
  readonly weight: number;
  /** σ: the sign of its second-layer weight. */
  readonly sign: 1 | -1;
  /** Unit first-layer direction u. */
  readonly direction: Float64Array;
  /** Index of the inner pattern whose cone gave u. */
  readonly pattern: number;
}

/** A block atom s·(h)_+, h = Σ_j μ_j σ_j (X u_j)_+ ∈ H ∩ O_{D2}, Σ μ_j ≤ 1. */
export interface BlockAtom {
  /** Outer pattern D2 (0/1 per row). */
  readonly outer: Uint8Array;
  /** s: the sign of the block's output weight α. */
  readonly sign: 1 | -1;
  readonly neurons: BlockNeuron[];
  /** s·(h)_+ (length n): the block's output per unit of path cost Σ μ_j. */
  readonly fit: Float64Array;
  /** Σ_j μ_j (≤ 1): the path cost of one unit of the atom. */
  readonly cost: number;
}

/** Bounds on V(D2, s) for one outer pattern and sign. */
export interface OuterBound {
  readonly outer: Uint8Array;
  readonly sign: 1 | -1;
  /** gᵀh of the best block found (0 when none). */
  readonly lower: number;
  /** ρ₂(g + ελ) at the best multipliers found. */
  readonly upper: number;
  /** The block attaining `lower`, normalised to cost 1 (null when lower ≤ 0). */
  readonly block: BlockAtom | null;
  /** λ ≥ 0 of the upper bound (length n). */
  readonly multiplier: Float64Array;
  /** LP rounds. */
  readonly rounds: number;
}

/** ρ₃(ν) bounded from both sides, per outer pattern and sign. */
export interface ThreeLayerDualNorm {
  /** max over (D2, s) of the upper bounds: ρ₃(ν) ≤ upper. */
  readonly upper: number;
  /** max over (D2, s) of the lower bounds: a block attains it. */
  readonly lower: number;
  readonly bounds: OuterBound[];
}

/** Options of threeLayerDualNorm. */
export interface ThreeLayerDualNormOptions {
  /** Stop one (D2, s) when upper − lower ≤ tol·max(upper, 1e-300). Default 1e-9. */
  readonly tol?: number;
  /** Columns per (D2, s) at most. Default 200. */
  readonly maxRounds?: number;
  /**
   * Refine only the (D2, s) whose relaxation ρ₂(s D2 ν) exceeds this (the others keep it as their
   * upper bound). Default 0: refine every one.
   */
  readonly threshold?: number;
  /** Columns to start from, per key `${mask}|${s}` (kept and extended in place: warm starts). */
  readonly columns?: Map<string, Column[]>;
}

/** A first-layer atom column: σ (X u)_+ for a unit u. */
export interface Column {
  readonly sign: 1 | -1;
  readonly direction: Float64Array;
  readonly pattern: number;
  readonly fit: Float64Array;
}

/** The largest number of rows for which all 2ⁿ outer patterns are enumerated. */
export const MAX_OUTER_ROWS = 10;

/** ρ₂(g) = max_{i,σ} ‖Π_{K_i}(σ Xᵀ D_i g)‖ and its maximising column (§1.4). */
export function twoLayerDualNorm(X: Matrix, patterns: PatternSet, g: Float64Array): { value: number; column: Column | null } {
  const { rows: n, cols: D, data } = X;
  let value = 0;
  let column: Column | null = null;
  for (let i = 0; i < patterns.count; i++) {
    const mask = patternMask(patterns, i);
    const xg = xtMaskedDual(data, n, D, mask, g);
    for (const sign of [1, -1] as const) {
      const pr = projectOntoCone(data, n, D, mask, sign === 1 ? xg : xg.map((v) => -v));
      if (pr.norm > value) {
        value = pr.norm;
        const u = pr.projection.map((v) => v / pr.norm);
        column = { sign, direction: u, pattern: i, fit: fitVector(X, u, sign) };
      }
    }
  }
  return { value, column };
}

/** Key of an outer pattern and sign. */
export function outerKey(outer: Uint8Array, sign: number): string {
  return `${outer.join("")}|${sign}`;
}

/**
 * V(D2, s) = max {gᵀh : h ∈ H ∩ O_{D2}}, g = s D2 ν, bounded from both sides by column
 * generation (file comment). `columns` is extended in place.
 */
export function outerBound(highs: Highs, X: Matrix, patterns: PatternSet, nu: Float64Array, outer: Uint8Array, sign: 1 | -1, columns: Column[], opts: { tol?: number; maxRounds?: number } = {}): OuterBound {
  const n = X.rows;
  const tol = opts.tol ?? 1e-9;
  const maxRounds = opts.maxRounds ?? 200;
  const g = new Float64Array(n);
  const eps = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    g[q] = outer[q] ? sign * nu[q] : 0;
    eps[q] = outer[q] ? 1 : -1;
  }
  let bestUpper = Infinity;
  let bestLambda = new Float64Array(n);
  let lower = 0;
  let block: BlockAtom | null = null;
  let rounds = 0;
  // λ = 0 first: its maximiser seeds the columns.
  let lambda = new Float64Array(n);
  for (;;) {
    const gl = g.map((v, q) => v + eps[q] * lambda[q]);
    const up = twoLayerDualNorm(X, patterns, gl);
    if (up.value < bestUpper) { bestUpper = up.value; bestLambda = lambda; }
    if (bestUpper - lower <= tol * Math.max(bestUpper, 1e-300) || rounds >= maxRounds) break;
    if (up.column !== null && !columns.some((c) => c.sign === up.column!.sign && sameDirection(c.direction, up.column!.direction))) columns.push(up.column);
    else if (rounds > 0) break; // no new column: the LP is as good as the columns allow.
    rounds++;
    const J = columns.length;
    const A: Matrix = { rows: n + 1, cols: J, data: new Float64Array((n + 1) * J) };
    const cost = new Float64Array(J);
    for (let j = 0; j < J; j++) {
      const f = columns[j].fit;
      A.data[j] = 1;
      let c = 0;
      for (let q = 0; q < n; q++) {
        A.data[(q + 1) * J + j] = eps[q] * f[q];
        c += g[q] * f[q];
      }
      cost[j] = c;
    }
    const rowLower = new Float64Array(n + 1).fill(0);
    rowLower[0] = -Infinity;
    const rowUpper = new Float64Array(n + 1).fill(Infinity);
    rowUpper[0] = 1;
    const lp = solveDenseLp(highs, { A, cost, rowLower, rowUpper, colLower: new Float64Array(J), colUpper: new Float64Array(J).fill(Infinity), maximize: true });
    if (!lp.optimal) break;
    // The feasible block h = Σ μ_j h_j, its exact value and cost (recomputed, not the LP's).
    const h = new Float64Array(n);
    let mass = 0;
    const neurons: BlockNeuron[] = [];
    for (let j = 0; j < J; j++) {
      const mu = lp.x[j];
      if (!(mu > 0)) continue;
      mass += mu;
      for (let q = 0; q < n; q++) h[q] += mu * columns[j].fit[q];
      neurons.push({ weight: mu, sign: columns[j].sign, direction: columns[j].direction, pattern: columns[j].pattern });
    }
    // Clip the LP's rounding: h must lie in the orthant for s(h)_+ = s D2 h.
    let value = 0;
    for (let q = 0; q < n; q++) value += g[q] * h[q];
    if (mass > 0 && value / mass > lower) {
      const scale = 1 / mass;
      const fit = new Float64Array(n);
      for (let q = 0; q < n; q++) fit[q] = sign * Math.max(h[q], 0) * scale;
      // Value of the realised atom s(h)_+ (not D2 h), per unit cost.
      let real = 0;
      for (let q = 0; q < n; q++) real += nu[q] * fit[q];
      lower = Math.max(lower, real);
      block = { outer, sign, neurons: neurons.map((e) => ({ ...e, weight: e.weight * scale })), fit, cost: 1 };
    }
    // λ from the row duals (|·|: the sign convention of the solver does not matter for validity,
    // every λ ≥ 0 gives an upper bound).
    lambda = Float64Array.from({ length: n }, (_, q) => Math.abs(lp.rowDual[q + 1]));
  }
  return { outer, sign, lower, upper: bestUpper, block, multiplier: bestLambda, rounds };
}

function sameDirection(a: Float64Array, b: Float64Array): boolean {
  let d = 0;
  for (let t = 0; t < a.length; t++) d = Math.max(d, Math.abs(a[t] - b[t]));
  return d <= 1e-12;
}

/**
 * ρ₃(ν) = max_{h∈H, s=±1} s νᵀ(h)_+ over all 2ⁿ − 1 outer patterns and both signs, bounded from
 * both sides (exact up to `tol` when `patterns` holds every inner pattern of X, n ≤ MAX_OUTER_ROWS).
 *
 * @param highs - the loaded HiGHS instance (`await loadHighs()`), for the cutting-plane LPs
 * @param X - data, n×D row-major, n ≤ MAX_OUTER_ROWS
 * @param patterns - inner patterns of X (`enumeratePatterns(X)` for a proven bound)
 * @param nu - the dual point ν (length n)
 * @param opts - `tol` (per outer pattern, default 1e-9), `maxRounds`, `threshold`, `columns` (warm starts)
 * @returns `upper` ≥ ρ₃(ν) (proven), `lower` (attained by a block) and the bounds, multiplier and
 *   best block of every outer pattern and sign
 * @example
 * ```ts
 * import { enumeratePatterns, loadHighs, threeLayerDualNorm } from "splitscape";
 * const angles = [0.3, 1.9, 3.4, 4.6]; // four points on the unit circle, no bias
 * const X = { rows: 4, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const y = Float64Array.from([1, -0.6, 0.9, -0.4]);
 * const nu = Float64Array.from([0.3, 0.1, 0.5, 0.2]); // ν ≥ 0: one neuron is the best block
 * const rho = threeLayerDualNorm(await loadHighs(), X, enumeratePatterns(X), nu);
 * console.log(rho.upper - rho.lower < 1e-9 * rho.upper); // true
 * ```
 */
export function threeLayerDualNorm(highs: Highs, X: Matrix, patterns: PatternSet, nu: Float64Array, opts: ThreeLayerDualNormOptions = {}): ThreeLayerDualNorm {
  const n = X.rows;
  if (nu.length !== n) throw new RangeError(`threeLayerDualNorm: ν has ${nu.length} entries, X has ${n} rows`);
  if (patterns.n !== n || patterns.d !== X.cols) throw new RangeError(`threeLayerDualNorm: patterns are for ${patterns.n}×${patterns.d} data, X is ${n}×${X.cols}`);
  if (n > MAX_OUTER_ROWS) throw new RangeError(`threeLayerDualNorm: n = ${n} rows > ${MAX_OUTER_ROWS}: 2ⁿ outer patterns are too many to enumerate`);
  const threshold = opts.threshold ?? 0;
  const store = opts.columns ?? new Map<string, Column[]>();
  const bounds: OuterBound[] = [];
  let upper = 0;
  let lower = 0;
  for (let bits = 1; bits < 1 << n; bits++) {
    const outer = Uint8Array.from({ length: n }, (_, q) => (bits >> q) & 1);
    for (const sign of [1, -1] as const) {
      const g = Float64Array.from(nu, (v, q) => (outer[q] ? sign * v : 0));
      const relax = twoLayerDualNorm(X, patterns, g).value;
      let b: OuterBound;
      if (relax <= threshold) {
        b = { outer, sign, lower: 0, upper: relax, block: null, multiplier: new Float64Array(n), rounds: 0 };
      } else {
        const key = outerKey(outer, sign);
        let cols = store.get(key);
        if (cols === undefined) { cols = []; store.set(key, cols); }
        b = outerBound(highs, X, patterns, nu, outer, sign, cols, opts);
      }
      upper = Math.max(upper, b.upper);
      lower = Math.max(lower, b.lower);
      bounds.push(b);
    }
  }
  return { upper, lower, bounds };
}
