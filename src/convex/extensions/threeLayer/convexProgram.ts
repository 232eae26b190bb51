// The convex program of the path-regularised parallel three-layer ReLU network (square loss),
// docs/science/convex.md §8.2:
//   (C3)  min_{c ≥ 0}  ½‖Σ_a c_a s_a (h_a)_+ − y‖² + β Σ_a c_a   over block atoms h_a ∈ H,
// H = conv{±(Xu)_+ : ‖u‖ ≤ 1}. In the arrangement form of Ergen & Pilanci (ICML 2021) each block
// is indexed by a pair of patterns — the outer pattern D2 of the block's pre-activation and, for
// each of its first-layer neurons, an inner pattern D_i with its cone K_i — and the block's output
// is s D2 Σ_{i,σ} σ D_i X v_{iσ} with v_{iσ} ∈ K_i, cost Σ‖v_{iσ}‖, and the outer cone constraint
// (2D2 − I) Σ_{i,σ} σ D_i X v_{iσ} ≥ 0 coupling the block's neurons. Written over atoms, that
// program is (C3): for a fixed (D2, s) the feasible blocks of unit cost are s D2 (H ∩ O_{D2}).
// (C3) equals the network problem min_θ L(f_θ) + β·path(θ) (pathNorm.ts) once the network has as
// many blocks as nonzero c_a and as many neurons per block as the largest atom: a network maps to
// c_a = |α_j| Σ_k ‖w_{1jk}‖|w_{2jk}| with h_a its normalised block (cost equal), and an atom maps
// back to a block with neurons (μ_k u_k, σ_k) and α = s c_a (cost c_a).
//
// Solved by column generation: the master over the atoms found so far is the Lawson–Hanson
// active-set NNLS of src/convex/solvers/atomMaster.ts (exact, square loss); the pricing step is
// the dual norm ρ₃(ν) of dualNorm.ts at ν = y − ŷ, whose best blocks enter as new atoms. The
// certificate: ν·min(1, β/ρ̄) with ρ̄ ≥ ρ₃(ν) the proven upper bound is dual feasible, so
// −L*(−ν_f) ≤ optimum ≤ master value (program/dual.ts gapReport). It proves the optimum when the
// inner patterns are all enumerated (enumeratePatterns) and n ≤ MAX_OUTER_ROWS.
import type { Highs } from "highs";
import { distance, nrm2, type Matrix } from "../../../linalg/index.js";
import { addAtom, atomMaster, masterValue, solveMaster } from "../../solvers/atomMaster.js";
import { enumeratePatterns, gapReport, squareLoss, type GapReport, type PatternSet } from "../../program/index.js";
import { threeLayerDualNorm, type BlockAtom, type Column, type ThreeLayerDualNorm } from "./dualNorm.js";
import { balanceThreeLayer } from "./pathNorm.js";
import type { ThreeLayerNetwork } from "./network.js";

/** Options of solveThreeLayerConvex. */
export interface ThreeLayerConvexOptions {
  /** Inner patterns (default: enumeratePatterns(X), exact). */
  readonly patterns?: PatternSet;
  /** Stop when the relative duality gap is at most this. Default 1e-9. */
  readonly tol?: number;
  /** Column-generation rounds at most. Default 100. */
  readonly maxRounds?: number;
}

/** A nonzero block of the solution: atom and its coefficient c (path cost). */
export interface ThreeLayerBlock {
  readonly atom: BlockAtom;
  readonly coefficient: number;
}

/** The solution of (C3) and its certificate. */
export interface ThreeLayerConvexSolution extends GapReport {
  /** ŷ = Σ_a c_a s_a (h_a)_+. */
  readonly prediction: Float64Array;
  /** ν = y − ŷ (unscaled). */
  readonly nu: Float64Array;
  readonly blocks: ThreeLayerBlock[];
  /** The dual norm at the final ν (its bounds per outer pattern). */
  readonly dualNorm: ThreeLayerDualNorm;
  /** The optimal network: one block per nonzero atom, balanced (pathNorm.ts). */
  readonly network: ThreeLayerNetwork;
  readonly rounds: number;
  /** True when the inner patterns are exact: the gap is then a proof. */
  readonly exact: boolean;
}

/**
 * Solve (C3) for the square loss by column generation over block atoms (file comment), certified
 * by the duality gap with the proven upper bound on ρ₃(ν).
 *
 * @param highs - the loaded HiGHS instance (`await loadHighs()`), for the pricing LPs
 * @param X - data, n×D row-major (a bias is a column of ones); n ≤ 10 (all 2ⁿ outer patterns are enumerated)
 * @param y - targets (length n), square loss
 * @param beta - β > 0, the weight of the path cost
 * @param opts - `patterns` (default: every inner pattern, exact), `tol` (relative gap, default 1e-9), `maxRounds`
 * @returns the optimum (primal, dual, gap: a proof when `exact`), ŷ*, ν = y − ŷ*, the nonzero blocks,
 *   the dual-norm bounds per outer pattern and the optimal network (one balanced block per atom)
 * @example
 * ```ts
 * import { loadHighs, solveThreeLayerConvex } from "splitscape";
 * const angles = [0.3, 1.9, 3.4, 4.6]; // four points on the unit circle, no bias
 * const X = { rows: 4, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };
 * const y = Float64Array.from([1, -0.6, 0.9, -0.4]);
 * const sol = solveThreeLayerConvex(await loadHighs(), X, y, 0.1);
 * console.log(sol.primalValue, sol.relativeGap < 1e-9, sol.network.m); // 0.30997746346… true 4
 * ```
 */
export function solveThreeLayerConvex(highs: Highs, X: Matrix, y: Float64Array, beta: number, opts: ThreeLayerConvexOptions = {}): ThreeLayerConvexSolution {
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`solveThreeLayerConvex: beta must be a positive finite number, got ${beta}`);
  if (y.length !== X.rows) throw new RangeError(`solveThreeLayerConvex: y has ${y.length} entries, X has ${X.rows} rows`);
  if (!X.data.every(Number.isFinite) || !y.every(Number.isFinite)) throw new RangeError("solveThreeLayerConvex: X and y must be finite");
  const patterns = opts.patterns ?? enumeratePatterns(X);
  const tol = opts.tol ?? 1e-9;
  const maxRounds = opts.maxRounds ?? 100;
  const n = X.rows;
  const master = atomMaster(y, 1);
  const atoms: BlockAtom[] = [];
  const columns = new Map<string, Column[]>();
  const dummy = new Float64Array(1);
  let rounds = 0;
  let dual: ThreeLayerDualNorm;
  let report: GapReport;
  for (;;) {
    solveMaster(master, beta);
    const nu = master.r.slice();
    dual = threeLayerDualNorm(highs, X, patterns, nu, { columns, tol: tol * 1e-2 });
    report = gapReport(squareLoss, y, beta, masterValue(master, beta), nu, dual.upper);
    if (report.relativeGap <= tol || rounds >= maxRounds) break;
    rounds++;
    let added = 0;
    for (const b of dual.bounds) {
      if (b.block === null || b.lower <= beta * (1 + 1e-12)) continue;
      if (atoms.some((a) => a.sign === b.block!.sign && distance(a.fit, b.block!.fit) <= 1e-13 * Math.max(1, nrm2(a.fit)))) continue;
      atoms.push(b.block);
      addAtom(master, 0, dummy, 0, b.block.fit, 0);
      added++;
    }
    if (added === 0) break;
  }
  const prediction = y.map((v, q) => v - master.r[q]);
  const blocks: ThreeLayerBlock[] = [];
  for (let j = 0; j < master.count; j++) if (master.c[j] > 0) blocks.push({ atom: atoms[j], coefficient: master.c[j] });
  return {
    ...report, prediction, nu: master.r.slice(), blocks, dualNorm: dual, network: blocksToNetwork(blocks, X.cols), rounds,
    exact: patterns.exact && n === X.rows,
  };
}

/**
 * The network of a list of blocks: block j has the atom's neurons (w_{1k} = μ_k u_k, w_{2k} = σ_k),
 * α_j = s·c_j, padded with zero neurons to the largest block, then balanced (pathNorm.ts). Its
 * output is Σ_j c_j s_j (h_j)_+ and its path cost Σ_j c_j Σ_k μ_k.
 */
export function blocksToNetwork(blocks: readonly ThreeLayerBlock[], D: number): ThreeLayerNetwork {
  const m = Math.max(blocks.length, 1);
  const m1 = Math.max(1, ...blocks.map((b) => b.atom.neurons.length));
  const W1 = new Float64Array(m * m1 * D);
  const W2 = new Float64Array(m * m1);
  const alpha = new Float64Array(m);
  blocks.forEach((b, j) => {
    alpha[j] = b.atom.sign * b.coefficient;
    b.atom.neurons.forEach((e, k) => {
      for (let t = 0; t < D; t++) W1[(j * m1 + k) * D + t] = e.weight * e.direction[t];
      W2[j * m1 + k] = e.sign;
    });
  });
  return balanceThreeLayer({ m, m1, D, W1, W2, alpha });
}
