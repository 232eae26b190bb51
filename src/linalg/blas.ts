// Level-1 BLAS over dense Float64Array vectors: pure loops, no allocation, results written into
// caller-provided outputs. Vectors of different lengths are an error (RangeError); use
// `subarray` views for parts of a larger array.

/** Range [2⁻⁹⁰⁰, 2⁹⁰⁰] in which nrm2 trusts an unscaled sum of squares. */
const NRM2_TINY = 2 ** -900;
const NRM2_HUGE = 2 ** 900;

function sameLength(what: string, x: Float64Array, y: Float64Array): void {
  if (x.length !== y.length) {
    throw new RangeError(`${what}: vectors have lengths ${x.length} and ${y.length}`);
  }
}

/**
 * Inner product ⟨x, y⟩ = Σ_i x[i]·y[i] (0 for empty vectors).
 *
 * @param x - the first vector
 * @param y - the second vector, of the same length (RangeError otherwise)
 * @returns ⟨x, y⟩, summed in four interleaved partial sums
 * @example
 * ```ts
 * import { dot } from "splitscape";
 * console.log(dot(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6))); // 32
 * ```
 */
export function dot(x: Float64Array, y: Float64Array): number {
  sameLength("dot", x, y);
  const n = x.length;
  // Four partial sums: independent chains for the CPU, and a slightly smaller rounding error.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  for (; i < n; i++) s0 += x[i] * y[i];
  return (s0 + s1) + (s2 + s3);
}

/**
 * y ← α·x + y (BLAS daxpy), in place in y.
 *
 * @param alpha - the scalar α
 * @param x - the vector added (not modified)
 * @param y - the vector updated in place; same length as x (RangeError otherwise)
 * @example
 * ```ts
 * import { axpy } from "splitscape";
 * const y = Float64Array.of(1, 1);
 * axpy(2, Float64Array.of(3, 4), y); // y = [7, 9]
 * ```
 */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  sameLength("axpy", x, y);
  if (alpha === 0) return;
  const n = x.length;
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

/**
 * x ← α·x (BLAS dscal), in place.
 *
 * @param alpha - the scalar α
 * @param x - the vector scaled in place
 * @example
 * ```ts
 * import { scal } from "splitscape";
 * const x = Float64Array.of(1, -2);
 * scal(0.5, x); // x = [0.5, -1]
 * ```
 */
export function scal(alpha: number, x: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) x[i] *= alpha;
}

/**
 * y ← x (BLAS dcopy).
 *
 * @param x - the source vector
 * @param y - the destination, of the same length (RangeError otherwise)
 * @example
 * ```ts
 * import { copy } from "splitscape";
 * const y = new Float64Array(3);
 * copy(Float64Array.of(1, 2, 3), y);
 * ```
 */
export function copy(x: Float64Array, y: Float64Array): void {
  sameLength("copy", x, y);
  y.set(x);
}

/**
 * Euclidean norm ‖x‖₂ = √(Σ_i x[i]²) without spurious overflow or underflow (LAPACK dnrm2).
 * Fast path: the plain sum of squares, accepted when it lies in [2⁻⁹⁰⁰, 2⁹⁰⁰]: then no square
 * overflowed, and squares that fell into the subnormal range lost at most n·2⁻¹⁰⁷⁴ in total,
 * negligible against the sum.
 * Otherwise the scaled recurrence ‖x‖ = scale·√ssq with Σ (x[i]/scale)² = ssq, scale = max |x[i]|
 * seen so far. Returns NaN if any entry is NaN, +∞ if any is ±∞.
 *
 * @param x - the vector
 * @returns ‖x‖₂ (0 for an empty vector)
 * @example
 * ```ts
 * import { nrm2 } from "splitscape";
 * console.log(nrm2(Float64Array.of(3e200, 4e200))); // ≈ 5e200 (to rounding), where √(Σx²) would overflow
 * ```
 */
export function nrm2(x: Float64Array): number {
  const n = x.length;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[i] * x[i];
  if (ss >= NRM2_TINY && ss <= NRM2_HUGE) return Math.sqrt(ss);
  let scale = 0;
  let ssq = 1;
  let inf = false;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v !== v) return NaN;
    const ax = Math.abs(v);
    if (ax === Infinity) { inf = true; continue; }
    if (ax === 0) continue;
    if (scale < ax) {
      const r = scale / ax;
      ssq = 1 + ssq * r * r;
      scale = ax;
    } else {
      const r = ax / scale;
      ssq += r * r;
    }
  }
  return inf ? Infinity : scale * Math.sqrt(ssq);
}

/**
 * Sum of absolute values Σ_i |x[i]| (BLAS dasum).
 *
 * @param x - the vector
 * @returns Σ_i |x[i]|
 * @example
 * ```ts
 * import { asum } from "splitscape";
 * console.log(asum(Float64Array.of(1, -2, 3))); // 6
 * ```
 */
export function asum(x: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(x[i]);
  return s;
}

/**
 * Index of the entry of largest magnitude, argmax_i |x[i]| (BLAS idamax, 0-based): the first
 * such index on ties; NaN entries are skipped; −1 for an empty vector (or all NaN).
 *
 * @param x - the vector
 * @returns the 0-based index of the entry of largest magnitude, or −1
 * @example
 * ```ts
 * import { iamax } from "splitscape";
 * console.log(iamax(Float64Array.of(1, -7, 7))); // 1 (first of the ties)
 * ```
 */
export function iamax(x: Float64Array): number {
  const n = x.length;
  let best = -1;
  let bestAbs = -1;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[i]);
    if (ax > bestAbs) {
      bestAbs = ax;
      best = i;
    }
  }
  return best;
}

/**
 * Hadamard (entrywise) product out[i] = x[i]·y[i]; out may alias x or y.
 *
 * @param x - the first factor
 * @param y - the second factor, same length
 * @param out - receives the products, same length (it may be x or y)
 * @example
 * ```ts
 * import { hadamard } from "splitscape";
 * const out = new Float64Array(2);
 * hadamard(Float64Array.of(1, 2), Float64Array.of(3, 4), out); // out = [3, 8]
 * ```
 */
export function hadamard(x: Float64Array, y: Float64Array, out: Float64Array): void {
  sameLength("hadamard", x, y);
  sameLength("hadamard", x, out);
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
}

/**
 * Entrywise sum out[i] = x[i] + y[i]; out may alias x or y.
 *
 * @param x - the first term
 * @param y - the second term, same length
 * @param out - receives the sums, same length (it may be x or y)
 * @example
 * ```ts
 * import { vadd } from "splitscape";
 * const x = Float64Array.of(1, 2);
 * vadd(x, Float64Array.of(10, 20), x); // x = [11, 22]
 * ```
 */
export function vadd(x: Float64Array, y: Float64Array, out: Float64Array): void {
  sameLength("vadd", x, y);
  sameLength("vadd", x, out);
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
}

/**
 * Entrywise difference out[i] = x[i] − y[i]; out may alias x or y.
 *
 * @param x - the minuend
 * @param y - the subtrahend, same length
 * @param out - receives x − y, same length (it may be x or y)
 * @example
 * ```ts
 * import { vsub } from "splitscape";
 * const d = new Float64Array(2);
 * vsub(Float64Array.of(5, 5), Float64Array.of(1, 2), d); // d = [4, 3]
 * ```
 */
export function vsub(x: Float64Array, y: Float64Array, out: Float64Array): void {
  sameLength("vsub", x, y);
  sameLength("vsub", x, out);
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
}
