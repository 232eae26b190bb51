/**
 * Portable elementary functions: log, exp, expm1, tanh, sin, cos built only from IEEE-754
 * basic operations (+, −, ×, ÷), exact bit manipulation, `Math.round`/`Math.abs` and
 * `Math.sqrt`, all of which ECMAScript pins down exactly. `Math.log`, `Math.exp`, `Math.sin`,
 * `Math.cos`, `Math.tanh` are *implementation-approximated* (ECMA-262 §21.3.2): V8, SpiderMonkey
 * and JavaScriptCore may return different last bits. Everything random in splitscape (normal
 * samples, generated datasets) goes through these functions instead, so the same seed gives
 * bit-identical numbers in every engine and on every platform.
 *
 * Accuracy: within a few ulp of the exact value (tested against `Math.*`), which is ample for
 * sampling; sin/cos reduce the argument with a three-part π/2 (Cody–Waite), accurate for
 * |x| < 1.6e6 and still deterministic (but less accurate) beyond.
 */

const view = new DataView(new ArrayBuffer(8));

/** ln 2 split so that k·LN2_HI is exact for |k| < 2^21 (fdlibm constants). */
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e0;
const TWO_POW_54 = 18014398509481984;
const MIN_NORMAL = 2.2250738585072014e-308;

/** 1/(2k+1), k = 0…12: the series 2·atanh(t) = 2t·Σ t^{2k}/(2k+1). */
const ATANH_COEF = Array.from({ length: 13 }, (_, k) => 1 / (2 * k + 1));
/** 1/n!, n = 0…17. */
const INV_FACT = (() => {
  const out: number[] = [1];
  for (let n = 1; n <= 17; n++) out.push(out[n - 1] / n);
  return out;
})();

/** 2^k as a double for integer k in [−1022, 1023], from its bit pattern. */
function pow2(k: number): number {
  view.setUint32(0, ((k + 1023) << 20) >>> 0);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

/** p · 2^k for integer k in [−1080, 1030], exact whenever the result is a normal number. */
function ldexp(p: number, k: number): number {
  if (k > 1023) return p * pow2(1023) * pow2(k - 1023);
  if (k < -1022) return p * pow2(k + 54) * pow2(-54);
  return p * pow2(k);
}

/**
 * Natural logarithm. x = m·2^e with m ∈ [√½, √2); ln m = 2·atanh(t), t = (m−1)/(m+1),
 * |t| ≤ 0.172, summed to 13 terms; ln x = e·ln2 + ln m. log(0) = −∞, log(x<0) = NaN.
 */
export function log(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return Infinity;
  let e = 0;
  if (x < MIN_NORMAL) {
    x *= TWO_POW_54;
    e = -54;
  }
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  view.setUint32(0, ((hi & 0x000fffff) | 0x3ff00000) >>> 0);
  let m = view.getFloat64(0);
  if (m > Math.SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const t = (m - 1) / (m + 1);
  const t2 = t * t;
  let p = ATANH_COEF[12];
  for (let k = 11; k >= 0; k--) p = p * t2 + ATANH_COEF[k];
  const lnm = 2 * t * p;
  return e * LN2_HI + (lnm + e * LN2_LO);
}

/**
 * Exponential. k = round(x/ln2), r = x − k·ln2 (two-part ln2, |r| ≤ 0.347), e^r by its Taylor
 * series to r^17/17!, then scaled by 2^k. Overflows to +∞ above 709.78, underflows to 0 below −745.13.
 */
export function exp(x: number): number {
  if (x !== x) return NaN;
  if (x > 709.782712893383973096) return Infinity;
  if (x < -745.13321910194110842) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  let p = INV_FACT[17];
  for (let n = 16; n >= 0; n--) p = p * r + INV_FACT[n];
  return ldexp(p, k);
}

/** e^x − 1, accurate near 0: the Taylor series x·Σ x^n/(n+1)! for |x| < 0.35, exp(x) − 1 beyond. */
export function expm1(x: number): number {
  if (x !== x) return NaN;
  const a = Math.abs(x);
  if (a < 0.35) {
    let p = INV_FACT[17];
    for (let n = 16; n >= 1; n--) p = p * x + INV_FACT[n];
    return p * x;
  }
  if (x < -40) return -1;
  return exp(x) - 1;
}

/** tanh x = −t/(t+2) with t = expm1(−2|x|), odd; ±1 for |x| > 22. */
export function tanh(x: number): number {
  if (x !== x) return NaN;
  const a = Math.abs(x);
  if (a > 22) return x > 0 ? 1 : -1;
  if (a < 1e-9) return x; // tanh x = x − x³/3 + …; x³/3 is below half an ulp of x
  const t = expm1(-2 * a);
  const r = -t / (t + 2);
  return x < 0 ? -r : r;
}

/** π/2 in three parts (fdlibm pio2_1, pio2_2, pio2_2t): n·PIO2_1 and n·PIO2_2 are exact for |n| < 2^20. */
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_2T = 2.02226624879595063154e-21;
const TWO_OVER_PI = 6.36619772367581382433e-1;

/** Signed Taylor coefficients: SIN_COEF[i] = (−1)^i/(2i+1)!, COS_COEF[i] = (−1)^i/(2i)!, i = 0…8. */
const SIN_COEF = Array.from({ length: 9 }, (_, i) => (i % 2 === 0 ? 1 : -1) * INV_FACT[2 * i + 1]);
const COS_COEF = Array.from({ length: 9 }, (_, i) => (i % 2 === 0 ? 1 : -1) * INV_FACT[2 * i]);

/** sin r on |r| ≤ π/4: r·Σ_{i≤8} (−1)^i r^{2i}/(2i+1)! (to r^17). */
function sinKernel(r: number): number {
  const r2 = r * r;
  let p = SIN_COEF[8];
  for (let i = 7; i >= 1; i--) p = p * r2 + SIN_COEF[i];
  return r + r * r2 * p;
}

/** cos r on |r| ≤ π/4: Σ_{i≤8} (−1)^i r^{2i}/(2i)! (to r^16). */
function cosKernel(r: number): number {
  const r2 = r * r;
  let p = COS_COEF[8];
  for (let i = 7; i >= 1; i--) p = p * r2 + COS_COEF[i];
  return 1 + r2 * p;
}

/** Quadrant n mod 4 and remainder r = x − n·π/2 (|r| ≲ π/4); returns the quadrant, r in `reduced`. */
let reduced = 0;
function reduce(x: number): number {
  const n = Math.round(x * TWO_OVER_PI);
  reduced = x - n * PIO2_1 - n * PIO2_2 - n * PIO2_2T;
  return ((n % 4) + 4) % 4;
}

/** Sine: argument reduction by π/2, then the sin/cos kernel of the quadrant. NaN for ±∞. */
export function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  if (Math.abs(x) < 0.7853981633974483) return sinKernel(x);
  const q = reduce(x);
  const r = reduced;
  return q === 0 ? sinKernel(r) : q === 1 ? cosKernel(r) : q === 2 ? -sinKernel(r) : -cosKernel(r);
}

/** Cosine: argument reduction by π/2, then the sin/cos kernel of the quadrant. NaN for ±∞. */
export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  if (Math.abs(x) < 0.7853981633974483) return cosKernel(x);
  const q = reduce(x);
  const r = reduced;
  return q === 0 ? cosKernel(r) : q === 1 ? -sinKernel(r) : q === 2 ? -cosKernel(r) : sinKernel(r);
}

/** The portable functions as one namespace, e.g. `pmath.log(x)`. */
export const pmath = { log, exp, expm1, tanh, sin, cos } as const;
