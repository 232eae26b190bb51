/**
 * Distances, cosines and directions of float64 vectors, safe at any scale: the sums of squares
 * are scaled like `nrm2` (LAPACK dnrm2), so vectors of norm 1e-200 or 1e200 (small
 * initialisation at δ = 1e-80 squares to 1e-160; margins far beyond float64) neither underflow
 * nor overflow where the naive √Σx² would return 0 or ∞.
 */
import { nrm2 } from "./blas.js";

/** Below and above these, Σ(a_i − b_i)² may have lost digits to underflow or overflowed (as in nrm2). */
const SQ_TINY = 1e-290;
const SQ_HUGE = 1e290;

/**
 * ‖a − b‖₂ without forming a − b: one pass of Σ(a_i − b_i)² when that sum is in
 * [1e-290, 1e290], else the scaled sum scale²·Σ((a_i − b_i)/scale)² (Blue / dnrm2). NaN if any
 * difference is NaN, ∞ if one is infinite. Requires a.length === b.length.
 *
 * @param a - the first point
 * @param b - the second point, same length
 * @returns ‖a − b‖₂
 * @example
 * ```ts
 * import { distance } from "splitscape";
 * console.log(distance(Float64Array.of(0, 0), Float64Array.of(3, 4))); // 5
 * ```
 */
export function distance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`distance: lengths ${n} and ${b.length} differ`);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    ss += d * d;
  }
  if (ss >= SQ_TINY && ss <= SQ_HUGE) return Math.sqrt(ss);
  return scaledNorm(n, (i) => a[i] - b[i]);
}

/**
 * cos∠(a, b) = Σ (a_i/‖a‖)(b_i/‖b‖), with the norms from nrm2 and each factor normalised before
 * the product (no underflow of a_i·b_i at tiny scales, no overflow at huge ones). NaN when either
 * vector is zero. The result can exceed 1 in magnitude by a few ulps (rounding); it is not clamped.
 *
 * @param a - the first vector (nonzero)
 * @param b - the second vector, same length (nonzero)
 * @returns cos∠(a, b) in [−1, 1] up to a few ulps; NaN when either is zero
 * @example
 * ```ts
 * import { cosine } from "splitscape";
 * console.log(cosine(Float64Array.of(1, 0), Float64Array.of(1, 1))); // 0.7071067811865475
 * ```
 */
export function cosine(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`cosine: lengths ${n} and ${b.length} differ`);
  const na = nrm2(a);
  const nb = nrm2(b);
  if (!(na > 0) || !(nb > 0)) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] / na) * (b[i] / nb);
  return s;
}

/**
 * ‖a/‖a‖ − b/‖b‖‖₂, the distance between the directions of a and b (in [0, 2]); computed from
 * the normalised components, so it is accurate where 1 − cosine would cancel (√(2 − 2cos) loses
 * half the digits for nearly parallel vectors). NaN when either vector is zero.
 *
 * @param a - the first vector (nonzero)
 * @param b - the second vector, same length (nonzero)
 * @returns ‖a/‖a‖ − b/‖b‖‖₂ in [0, 2]; NaN when either is zero
 * @example
 * ```ts
 * import { directionDistance } from "splitscape";
 * console.log(directionDistance(Float64Array.of(2, 0), Float64Array.of(0, 5))); // √2
 * ```
 */
export function directionDistance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`directionDistance: lengths ${n} and ${b.length} differ`);
  const na = nrm2(a);
  const nb = nrm2(b);
  if (!(na > 0) || !(nb > 0)) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] / na - b[i] / nb;
    s += d * d;
  }
  return Math.sqrt(s);
}

/**
 * ‖x[start:end]‖₂ without a subarray view (for hot loops over parts of a state vector): the
 * same scaled computation as nrm2 — one pass of Σx² when it is in [1e-290, 1e290], else the
 * scaled sum.
 *
 * @param x - the vector
 * @param start - the first index of the slice
 * @param end - one past the last index (start ≤ end ≤ x.length)
 * @returns ‖x[start:end]‖₂ (0 for an empty slice)
 * @example
 * ```ts
 * import { sliceNorm } from "splitscape";
 * // a state vector (w₁, w₂, a): the norm of the first neuron's weights
 * console.log(sliceNorm(Float64Array.of(3, 4, 1), 0, 2)); // 5
 * ```
 */
export function sliceNorm(x: Float64Array, start: number, end: number): number {
  let ss = 0;
  for (let i = start; i < end; i++) ss += x[i] * x[i];
  if (ss >= SQ_TINY && ss <= SQ_HUGE) return Math.sqrt(ss);
  return scaledNorm(end - start, (i) => x[start + i]);
}

/**
 * √Σ v_i² for v_i = at(i), i < n, accumulated as scale²·Σ(v_i/scale)² with a running scale
 * (Blue's / LAPACK dnrm2's scaling), so no square under- or overflows. NaN if any v_i is NaN,
 * ∞ if one is infinite. The slow path of the functions above (called only out of range).
 */
function scaledNorm(n: number, at: (i: number) => number): number {
  let scale = 0;
  let ssq = 1;
  let inf = false;
  for (let i = 0; i < n; i++) {
    const v = at(i);
    if (v !== v) return NaN;
    const a = Math.abs(v);
    if (a === Infinity) {
      inf = true;
      continue;
    }
    if (a === 0) continue;
    if (scale < a) {
      const r = scale / a;
      ssq = 1 + ssq * r * r;
      scale = a;
    } else {
      const r = a / scale;
      ssq += r * r;
    }
  }
  return inf ? Infinity : scale * Math.sqrt(ssq);
}
