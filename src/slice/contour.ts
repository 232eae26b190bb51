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
 * Segments of the contours at `levels` of values[j·nx + i] = f(xs[i], ys[j]). Cells with a
 * non-finite corner are skipped.
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
 * `count` contour levels for values in [lo, hi]: equally spaced, or (log) equally spaced in
 * log10 when lo > 0 — for losses spanning decades.
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
