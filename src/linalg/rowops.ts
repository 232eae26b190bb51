/**
 * Level-2 kernels over a block of equal-stride rows (row q of the block is rows[r0 + q·n ..
 * r0 + q·n + n)), restricted to the columns [lo, n): the "several dot products / several axpys
 * at once" of Householder panels and Gram–Schmidt. Four rows per pass, so each element of the
 * shared vector is loaded once per four rows. Internal to linalg.
 */

/** target[off + c] −= Σ_{q<count} coef[q] · rows[r0 + q·n + c] for c in [lo, n), four rows per pass. */
export function subtractCombination(
  rows: Float64Array, r0: number, n: number, count: number, coef: Float64Array,
  target: Float64Array, off: number, lo: number,
): void {
  let q = 0;
  for (; q + 3 < count; q += 4) {
    const q0 = r0 + q * n;
    const q1 = q0 + n;
    const q2 = q1 + n;
    const q3 = q2 + n;
    const c0 = coef[q];
    const c1 = coef[q + 1];
    const c2 = coef[q + 2];
    const c3 = coef[q + 3];
    for (let c = lo; c < n; c++) {
      target[off + c] -= rows[q0 + c] * c0 + rows[q1 + c] * c1 + (rows[q2 + c] * c2 + rows[q3 + c] * c3);
    }
  }
  for (; q < count; q++) {
    const q0 = r0 + q * n;
    const c0 = coef[q];
    for (let c = lo; c < n; c++) target[off + c] -= rows[q0 + c] * c0;
  }
}

/** out[q] = Σ_{c ∈ [lo, n)} rows[r0 + q·n + c] · x[xOff + c] for q < count, four rows per pass. */
export function rowDots(
  rows: Float64Array, r0: number, n: number, count: number, x: Float64Array, xOff: number, lo: number, out: Float64Array,
): void {
  let q = 0;
  for (; q + 3 < count; q += 4) {
    const q0 = r0 + q * n;
    const q1 = q0 + n;
    const q2 = q1 + n;
    const q3 = q2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let c = lo; c < n; c++) {
      const xc = x[xOff + c];
      s0 += rows[q0 + c] * xc;
      s1 += rows[q1 + c] * xc;
      s2 += rows[q2 + c] * xc;
      s3 += rows[q3 + c] * xc;
    }
    out[q] = s0;
    out[q + 1] = s1;
    out[q + 2] = s2;
    out[q + 3] = s3;
  }
  for (; q < count; q++) {
    const q0 = r0 + q * n;
    let s0 = 0;
    for (let c = lo; c < n; c++) s0 += rows[q0 + c] * x[xOff + c];
    out[q] = s0;
  }
}
