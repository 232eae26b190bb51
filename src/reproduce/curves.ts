import type { PublishedCurve } from "./papers.js";

/**
 * Our curve against a curve read from an authors' figure (papers.ts, PublishedCurve).
 *
 * Vector figures hold exact data points: at each published vertex (x, y) we take our value at the
 * same step and measure |ours − y| on a linear axis, |ln(ours/y)| (a relative difference) on a log
 * axis. Raster figures are read one point per pixel column, each coordinate to about a pixel: the
 * distance of a published point from our curve is the smallest |ours(x′) − y| over x′ within one
 * pixel of x, counted in pixels of the y axis.
 */

/** The largest deviation of our curve from a published one, and where it is. */
export interface CurveDeviation {
  /** Largest deviation (absolute or relative for vector figures, pixels for raster ones). */
  max: number;
  /** The published point where it occurs: [x, y]. */
  at: [number, number];
  /** Published points compared (those inside our run) and all published points. */
  compared: number;
  total: number;
}

/**
 * Deviation at the vertices of a vector figure. `ours(x)` is our value at step x, undefined
 * outside the run (the point is skipped). A NaN value inside the run makes the deviation NaN
 * (a claim on it fails).
 */
export function vectorDeviation(curve: PublishedCurve, ours: (x: number) => number | undefined): CurveDeviation {
  const log = curve.yScale === "log";
  let max = 0;
  let at: [number, number] = [NaN, NaN];
  let compared = 0;
  for (const [x, y] of curve.points) {
    const v = ours(x);
    if (v === undefined) continue;
    compared++;
    const d = log ? Math.abs(Math.log(v / y)) : Math.abs(v - y);
    if (Number.isNaN(d)) return { max: NaN, at: [x, y], compared, total: curve.points.length };
    if (d > max) {
      max = d;
      at = [x, y];
    }
  }
  return { max, at, compared, total: curve.points.length };
}

/**
 * The tolerance of a vector comparison: twice the reading resolution of one coordinate (a vertex
 * and the ticks that calibrate the axis are each printed to 1e-6 pt; ±½ unit each), in the units
 * of vectorDeviation (relative on a log axis).
 */
export function vectorTolerance(curve: PublishedCurve): number {
  return 2 * (curve.yScale === "log" ? Math.LN10 * curve.resolution.y : curve.resolution.y);
}

/**
 * Deviation of a raster figure's points from our curve sampled at steps `xs` (increasing) with
 * values `ys`, in pixels of the y axis, allowing one pixel of x misregistration.
 */
export function rasterDeviation(curve: PublishedCurve, xs: ArrayLike<number>, ys: ArrayLike<number>): CurveDeviation {
  const px = curve.resolution.x ?? 0;
  const py = curve.resolution.y;
  const xEnd = xs[xs.length - 1];
  let max = 0;
  let at: [number, number] = [NaN, NaN];
  let compared = 0;
  for (const [x, y] of curve.points) {
    if (x + px > xEnd || x - px < xs[0]) continue; // only points whose whole x window lies inside the run
    compared++;
    let best = Infinity;
    for (let q = -10; q <= 10; q++) {
      const v = interpolate(xs, ys, x + (q / 10) * px);
      if (v === undefined) continue;
      if (Number.isNaN(v)) return { max: NaN, at: [x, y], compared, total: curve.points.length };
      best = Math.min(best, Math.abs(v - y) / py);
    }
    if (best > max) {
      max = best;
      at = [x, y];
    }
  }
  return { max, at, compared, total: curve.points.length };
}

/** Linear interpolation of (xs, ys) at x, undefined outside [xs₀, xs_last]. */
export function interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number | undefined {
  const n = xs.length;
  if (n === 0 || x < xs[0] || x > xs[n - 1]) return undefined;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (xs[hi] === xs[lo]) return ys[lo];
  const w = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + w * (ys[hi] - ys[lo]);
}
