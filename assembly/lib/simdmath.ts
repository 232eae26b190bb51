// f64x2 exp and log1p: lane-wise ports of fdlibm's e_exp.c and s_log1p.c (the algorithms of
// V8's Math.exp / Math.log1p), same constants and evaluation order, error < 1 ulp. Not compiled
// on its own (assembly/lib/ is not an entry of scripts/build-wasm.mjs); imported by kernels.
//
// Domains (callers route other lanes to scalar Math.*):
//   expV(x):    |x| ≤ EXPV_MAX_ABS, so that 2^k stays a normal number (no subnormal results);
//   log1pV(x):  0 ≤ x ≤ 1 (the logistic loss calls it on e^{−|q|}).

/** expV is valid for |x| ≤ this (k = round(x/ln 2) ∈ [−1010, 1010]). */
export const EXPV_MAX_ABS: f64 = 700.0;

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
const P1: f64 = 1.66666666666666019037e-01;
const P2: f64 = -2.77777777770155933842e-03;
const P3: f64 = 6.61375632143793436117e-05;
const P4: f64 = -1.65339022054652515390e-06;
const P5: f64 = 4.13813679705723846039e-08;

/**
 * e^x lane-wise (fdlibm): k = round-half-away(x/ln2), hi = x − k·ln2_hi, lo = k·ln2_lo,
 * r = hi − lo, c = r − r²(P1 + r²(P2 + …)), e^x = 2^k·(1 − ((lo − r·c/(2 − c)) − hi)).
 */
// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  const half = f64x2.splat(0.5);
  // k = (int)(x/ln2 ± 0.5): truncation of the half-away-from-zero rounding
  const sgnHalf = v128.or(v128.and(x, f64x2.splat(-0.0)), half);
  const kf = f64x2.trunc(f64x2.add(f64x2.mul(x, f64x2.splat(INV_LN2)), sgnHalf));
  const hi = f64x2.sub(x, f64x2.mul(kf, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(kf, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.splat(P4), f64x2.mul(t, f64x2.splat(P5)));
  p = f64x2.add(f64x2.splat(P3), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P2), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P1), f64x2.mul(t, p));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const rc = f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2.0), c));
  const y = f64x2.sub(f64x2.splat(1.0), f64x2.sub(f64x2.sub(lo, rc), hi));
  // 2^k from its exponent bits: (k + 1023) << 52
  const k64 = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(kf));
  const twopk = i64x2.shl(i64x2.add(k64, i64x2.splat(1023)), 52);
  return f64x2.mul(y, twopk);
}

const LP1: f64 = 6.666666666666735130e-01;
const LP2: f64 = 3.999999999940941908e-01;
const LP3: f64 = 2.857142874366239149e-01;
const LP4: f64 = 2.222219843214978396e-01;
const LP5: f64 = 1.818357216161805012e-01;
const LP6: f64 = 1.531383769920937332e-01;
const LP7: f64 = 1.479819860511658591e-01;
/** fdlibm's split point 0x3FDA827A (≈ √2 − 1): below it k = 0, f = x. */
const LOG1P_SPLIT: f64 = 0.41421997547149658203125;

/**
 * log(1 + x) lane-wise for 0 ≤ x ≤ 1 (fdlibm): x < 0.41422: k = 0, f = x, c = 0; else
 * u = 1 + x, c = (x − (u − 1))/u (the rounding of u), k = 1, f = u/2 − 1 (both exact). With
 * s = f/(2 + f), z = s², R = z(Lp1 + z(Lp2 + … Lp7)), hfsq = f²/2:
 *   k = 0: f − (hfsq − s(hfsq + R));   k = 1: ln2_hi − ((hfsq − (s(hfsq + R) + (ln2_lo + c))) − f).
 */
// @ts-ignore: decorator
@inline export function log1pV(x: v128): v128 {
  const one = f64x2.splat(1.0);
  const big = f64x2.ge(x, f64x2.splat(LOG1P_SPLIT));
  const u = f64x2.add(one, x);
  const cu = f64x2.div(f64x2.sub(x, f64x2.sub(u, one)), u);
  const f = v128.bitselect(f64x2.sub(f64x2.mul(u, f64x2.splat(0.5)), one), x, big);
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  let R = f64x2.add(f64x2.splat(LP6), f64x2.mul(z, f64x2.splat(LP7)));
  R = f64x2.add(f64x2.splat(LP5), f64x2.mul(z, R));
  R = f64x2.add(f64x2.splat(LP4), f64x2.mul(z, R));
  R = f64x2.add(f64x2.splat(LP3), f64x2.mul(z, R));
  R = f64x2.add(f64x2.splat(LP2), f64x2.mul(z, R));
  R = f64x2.add(f64x2.splat(LP1), f64x2.mul(z, R));
  R = f64x2.mul(z, R);
  const sR = f64x2.mul(s, f64x2.add(hfsq, R));
  const small = f64x2.sub(f, f64x2.sub(hfsq, sR));
  const large = f64x2.sub(
    f64x2.splat(LN2_HI),
    f64x2.sub(f64x2.sub(hfsq, f64x2.add(sR, f64x2.add(f64x2.splat(LN2_LO), cu))), f),
  );
  return v128.bitselect(large, small, big);
}
