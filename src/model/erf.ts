/**
 * The error function and its complement in float64, after W. J. Cody, "Rational Chebyshev
 * approximations for the error function", Math. Comp. 23 (1969) 631–638 (the SPECFUN CALERF
 * coefficients). Three ranges of |x|:
 *   |x| ≤ 0.46875:      erf(x)  = x·P₄(x²)/Q₄(x²)
 *   0.46875 < |x| ≤ 4:  erfc(x) = e^{−x²}·P₈(|x|)/Q₈(|x|)
 *   |x| > 4:            erfc(x) = e^{−x²}/|x|·(1/√π + x⁻²·P₅(x⁻²)/Q₅(x⁻²))
 * e^{−x²} is formed as e^{−s²}·e^{−(x−s)(x+s)} with s = x rounded down to a multiple of 1/16,
 * so the rounding error of x² is not amplified by the exponential. Relative error is a few
 * ulps in every range (checked against 30-digit values in test/model/erf.test.ts).
 */

// Cody's 18-digit coefficients, written as the nearest float64 (the values the literals parse to).
const A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001,
  881.952221241769, 1712.0476126340707, 2051.0783778260716, 1230.3393547979972,
  2.1531153547440383e-8,
];
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903,
  3290.7992357334597, 4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
const P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
  0.0006587491615298378, 0.016315387137302097,
];
const Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];

/** 1/√π. */
const INV_SQRT_PI = 0.5641895835477563;
/** Above this |x|, erfc(x) underflows to 0 in float64. */
const ERFC_ZERO = 26.543;
/** Below this |x|, erf(x) = 2x/√π to working precision (and x² would underflow). */
const ERF_SMALL = 1.11e-16;

/** erf(x)/x for |x| ≤ 0.46875: the ratio A(x²)/B(x²). */
function erfSmallRatio(y: number): number {
  const ysq = y > ERF_SMALL ? y * y : 0;
  let num = A[4] * ysq;
  let den = ysq;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * ysq;
    den = (den + B[i]) * ysq;
  }
  return (num + A[3]) / (den + B[3]);
}

/** e^{−y²} without amplifying the rounding error of y² (split y = s + (y − s), s on a 1/16 grid). */
function expNegSquare(y: number): number {
  const s = Math.trunc(y * 16) / 16;
  const del = (y - s) * (y + s);
  return Math.exp(-s * s) * Math.exp(-del);
}

/** erfc(y) for y > 0.46875 (y ≥ 0 only). */
function erfcPositiveTail(y: number): number {
  if (y <= 4) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    return expNegSquare(y) * ((num + C[7]) / (den + D[7]));
  }
  if (y >= ERFC_ZERO) return 0;
  const ysq = 1 / (y * y);
  let num = P[5] * ysq;
  let den = ysq;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * ysq;
    den = (den + Q[i]) * ysq;
  }
  const r = (ysq * (num + P[4])) / (den + Q[4]);
  return expNegSquare(y) * ((INV_SQRT_PI - r) / y);
}

/**
 * erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt. Odd; erf(±∞) = ±1; NaN → NaN.
 *
 * @param x - any double
 * @returns erf(x) in [−1, 1]
 * @example
 * ```ts
 * import { erf } from "splitscape";
 * console.log(erf(1)); // ≈ 0.842700792949715 (Abramowitz & Stegun, table 7.1)
 * ```
 */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return x * erfSmallRatio(y);
  if (Number.isNaN(x)) return NaN;
  const r = 0.5 - erfcPositiveTail(y) + 0.5;
  return x < 0 ? -r : r;
}

/**
 * erfc(x) = 1 − erf(x), accurate in relative terms for large positive x (down to underflow at x ≈ 26.5).
 *
 * @param x - any double
 * @returns erfc(x) in [0, 2], with full relative accuracy in the upper tail
 * @example
 * ```ts
 * import { erfc } from "splitscape";
 * console.log(erfc(5)); // ≈ 1.53745979442803e-12, where 1 − erf(5) would lose every digit
 * ```
 */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - x * erfSmallRatio(y);
  if (Number.isNaN(x)) return NaN;
  const r = erfcPositiveTail(y);
  return x < 0 ? 2 - r : r;
}

/**
 * Standard normal CDF Φ(x) = ½·erfc(−x/√2), accurate in the lower tail.
 *
 * @param x - any double
 * @returns Φ(x) = P(Z ≤ x) for Z ~ N(0, 1)
 * @example
 * ```ts
 * import { normalCdf } from "splitscape";
 * console.log(normalCdf(1.96)); // ≈ 0.975
 * ```
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/**
 * Standard normal density φ(x) = e^{−x²/2}/√(2π).
 *
 * @param x - any double
 * @returns φ(x) > 0 (0 after underflow)
 * @example
 * ```ts
 * import { normalPdf } from "splitscape";
 * console.log(normalPdf(0)); // 1/√(2π) ≈ 0.3989
 * ```
 */
export function normalPdf(x: number): number {
  return 0.3989422804014327 * Math.exp(-0.5 * x * x);
}
