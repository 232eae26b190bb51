/**
 * Contour lines of a function sampled on a rectangular grid, by marching squares (Lorensen &
 * Cline 1987, the 2-D case): each cell's corners are classified against the level, the edges the
 * level crosses are cut by linear interpolation, and the saddle cells (two opposite corners
 * above) are resolved by the cell-centre average. The output is a set of segments per level,
 * ready to draw as `rule` marks; segments are not joined into polylines.
 */

/** One contour segment at `level`. */
export interface ContourSegment {
  readonly level: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** Point where the level crosses the edge from (xa, ya, va) to (xb, yb, vb). */
function cut(xa: number, ya: number, va: number, xb: number, yb: number, vb: number, level: number): [number, number] {
  const t = (level - va) / (vb - va);
  return [xa + t * (xb - xa), ya + t * (yb - ya)];
}

/**
 * Segments of the contours at `levels` of values[j·nx + i] = f(xs[i], ys[j]), by marching squares
 * (Lorensen & Cline 1987, the 2-D case; saddle cells resolved by the cell-centre average). Cells
 * with a non-finite corner are skipped; segments are not joined into polylines.
 *
 * @param xs - the grid's abscissae (nx, increasing)
 * @param ys - the grid's ordinates (ny, increasing)
 * @param values - f on the grid, row-major ny×nx
 * @param levels - the contour levels
 * @returns the segments {level, x1, y1, x2, y2}, level by level
 * @example
 * ```ts
 * import { axisValues, contourSegments } from "splitscape";
 * const xs = axisValues({ lo: -1, hi: 1, count: 21 }), ys = xs;
 * const values = Float64Array.from({ length: 21 * 21 }, (_, t) => xs[t % 21] ** 2 + ys[Math.floor(t / 21)] ** 2);
 * console.log(contourSegments(xs, ys, values, [0.25, 0.5]).length); // segments of two circles
 * ```
 */
export function contourSegments(xs: ArrayLike<number>, ys: ArrayLike<number>, values: ArrayLike<number>, levels: readonly number[]): ContourSegment[] {
  const nx = xs.length;
  const out: ContourSegment[] = [];
  for (const level of levels) {
    for (let j = 0; j + 1 < ys.length; j++) {
      for (let i = 0; i + 1 < nx; i++) {
        const v00 = values[j * nx + i];
        const v10 = values[j * nx + i + 1];
        const v11 = values[(j + 1) * nx + i + 1];
        const v01 = values[(j + 1) * nx + i];
        if (![v00, v10, v11, v01].every(Number.isFinite)) continue;
        const x0 = xs[i];
        const x1 = xs[i + 1];
        const y0 = ys[j];
        const y1 = ys[j + 1];
        const code = (v00 > level ? 1 : 0) | (v10 > level ? 2 : 0) | (v11 > level ? 4 : 0) | (v01 > level ? 8 : 0);
        if (code === 0 || code === 15) continue;
        // Edge crossings: bottom (00–10), right (10–11), top (01–11), left (00–01).
        const bottom = (): [number, number] => cut(x0, y0, v00, x1, y0, v10, level);
        const right = (): [number, number] => cut(x1, y0, v10, x1, y1, v11, level);
        const top = (): [number, number] => cut(x0, y1, v01, x1, y1, v11, level);
        const left = (): [number, number] => cut(x0, y0, v00, x0, y1, v01, level);
        const pairs: Array<[[number, number], [number, number]]> = [];
        const centreAbove = (v00 + v10 + v11 + v01) / 4 > level;
        switch (code) {
          case 1: case 14: pairs.push([left(), bottom()]); break;
          case 2: case 13: pairs.push([bottom(), right()]); break;
          case 3: case 12: pairs.push([left(), right()]); break;
          case 4: case 11: pairs.push([right(), top()]); break;
          case 6: case 9: pairs.push([bottom(), top()]); break;
          case 7: case 8: pairs.push([left(), top()]); break;
          case 5: // 00 and 11 above
            if (centreAbove) pairs.push([left(), top()], [bottom(), right()]);
            else pairs.push([left(), bottom()], [right(), top()]);
            break;
          case 10: // 10 and 01 above
            if (centreAbove) pairs.push([left(), bottom()], [right(), top()]);
            else pairs.push([left(), top()], [bottom(), right()]);
            break;
        }
        for (const [[ax, ay], [bx, by]] of pairs) out.push({ level, x1: ax, y1: ay, x2: bx, y2: by });
      }
    }
  }
  return out;
}

/**
 * `count` contour levels strictly inside [lo, hi]: lo + q(hi − lo)/(count + 1), q = 1…count, or
 * the same in log10 when `log` and lo > 0 — for losses spanning decades.
 *
 * @param lo - the smallest value on the grid
 * @param hi - the largest value on the grid
 * @param count - the number of levels (none when count < 1 or hi ≤ lo)
 * @param log - space the levels evenly in log10 (used only when lo > 0)
 * @returns the levels, increasing
 * @example
 * ```ts
 * import { contourLevels } from "splitscape";
 * console.log(contourLevels(0, 1, 3, false)); // [0.25, 0.5, 0.75]
 * console.log(contourLevels(1e-4, 1, 3, true)); // [1e-3, 1e-2, 1e-1]
 * ```
 */
export function contourLevels(lo: number, hi: number, count: number, log: boolean): number[] {
  if (!(hi > lo) || count < 1) return [];
  const levels: number[] = [];
  for (let q = 1; q <= count; q++) {
    const f = q / (count + 1);
    levels.push(log && lo > 0 ? 10 ** (Math.log10(lo) + f * (Math.log10(hi) - Math.log10(lo))) : lo + f * (hi - lo));
  }
  return levels;
}
