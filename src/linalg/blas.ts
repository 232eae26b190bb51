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

/** Inner product ⟨x, y⟩ = Σ_i x[i]·y[i] (0 for empty vectors). */
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

/** y ← α·x + y (BLAS daxpy), in place in y. */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  sameLength("axpy", x, y);
  if (alpha === 0) return;
  const n = x.length;
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

/** x ← α·x (BLAS dscal), in place. */
export function scal(alpha: number, x: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) x[i] *= alpha;
}

/** y ← x (BLAS dcopy). */
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

/** Sum of absolute values Σ_i |x[i]| (BLAS dasum). */
export function asum(x: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(x[i]);
  return s;
}

/**
 * Index of the entry of largest magnitude, argmax_i |x[i]| (BLAS idamax, 0-based): the first
 * such index on ties; NaN entries are skipped; −1 for an empty vector (or all NaN).
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

/** Hadamard (entrywise) product out[i] = x[i]·y[i]; out may alias x or y. */
export function hadamard(x: Float64Array, y: Float64Array, out: Float64Array): void {
  sameLength("hadamard", x, y);
  sameLength("hadamard", x, out);
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
}

/** Entrywise sum out[i] = x[i] + y[i]; out may alias x or y. */
export function vadd(x: Float64Array, y: Float64Array, out: Float64Array): void {
  sameLength("vadd", x, y);
  sameLength("vadd", x, out);
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
}

/** Entrywise difference out[i] = x[i] − y[i]; out may alias x or y. */
export function vsub(x: Float64Array, y: Float64Array, out: Float64Array): void {
  sameLength("vsub", x, y);
  sameLength("vsub", x, out);
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
}
