/**
 * λ-grids for class maps: the line λ = (t, 1 − t) for k = 2 and the barycentric grid of the
 * 2-simplex for k = 3 (vertices and edges included: they are the zero-weight split points).
 */

/**
 * λ = (t, 1 − t) for t on a uniform grid of `points` values in [lo, hi], plus 0 and 1 when inside.
 *
 * @param lo - the smallest t
 * @param hi - the largest t
 * @param points - the number of grid values
 * @returns the λ vectors (t, 1 − t), sorted by t
 * @example
 * ```ts
 * import { lambdaLine } from "splitscape";
 * console.log(lambdaLine(-0.5, 1.5, 5)); // [[-0.5, 1.5], [0, 1], [0.5, 0.5], [1, 0], [1.5, -0.5]]
 * ```
 */
export function lambdaLine(lo: number, hi: number, points: number): number[][] {
  if (!(hi > lo) || !(points >= 2)) throw new RangeError(`lambdaLine: need lo < hi and points ≥ 2, got [${lo}, ${hi}], ${points}`);
  const ts = new Set<number>();
  for (let i = 0; i < points; i++) ts.add(lo + ((hi - lo) * i) / (points - 1));
  for (const v of [0, 1]) if (v >= lo && v <= hi) ts.add(v);
  return [...ts].sort((a, b) => a - b).map((t) => [t, 1 - t]);
}

/**
 * Barycentric grid of resolution N on the 2-simplex: λ = (i, j, N − i − j)/N, i, j ≥ 0, with
 * optional extension by `outside` steps beyond each edge (negative weights, still Σλ = 1).
 *
 * @param N - the resolution (a positive integer)
 * @param outside - how many grid steps to extend beyond each edge (default 0)
 * @returns the grid points λ = (λ₁, λ₂, λ₃), each summing to 1
 * @example
 * ```ts
 * import { simplexGrid } from "splitscape";
 * console.log(simplexGrid(2).length); // 6 points: (i, j, 2 − i − j)/2
 * ```
 */
export function simplexGrid(N: number, outside = 0): number[][] {
  if (!(Number.isInteger(N) && N >= 1)) throw new RangeError(`simplexGrid: N must be a positive integer, got ${N}`);
  const out: number[][] = [];
  for (let i = -outside; i <= N + outside; i++) {
    for (let j = -outside; i + j <= N + outside; j++) {
      const l = N - i - j;
      if (l < -outside) continue;
      out.push([i / N, j / N, l / N]);
    }
  }
  return out;
}
