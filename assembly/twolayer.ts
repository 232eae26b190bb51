// Fused loss + gradient step of the two-layer network with scalar output and a piecewise-linear
// activation, on data resident in this module's memory (AssemblyScript -> wasm, see
// scripts/build-wasm.mjs; driven by src/model/twoLayerWasm.ts).
//
//   f(x) = Σ_j a_j σ(w_jᵀx + b_j) + c,   σ(z) = z·(lo + (1 − lo)·[z > 0])   (relu lo = 0,
//   leaky_relu lo = slope, linear lo = 1), X n×d, W m×d (θ row-major: W | a | b? | c?).
//
// Per block of rows X_b (Z is block×m):
//   Z   = X_b Wᵀ + 1bᵀ;  F_i = κ·(Σ_j a_j σ(Z_ij) + c)            (forward)
//   ℓ_i, r_i = ∂ℒ/∂F_i = s·∂ℓ/∂f                                   (loss, 2 rows per f64x2)
//   s_ij = r_i σ′(Z_ij):  ∂a_j += s_ij Z_ij,  dZ_ij = a_j s_ij,  ∂b_j += dZ_ij,  ∂c += r_i
//   ∂W += dZᵀ X_b                                                   (backward)
// Two forms of the matrix products:
//   d ≤ SMALL_D  fused row loops, j in the f64x2 lanes: Z_i = Σ_q x_iq Wᵀ[q, :] with Wᵀ packed
//                once per call, and Gᵀ[q, :] += x_iq s_i (∂W_jq = a_j G_jq at the end), so Z
//                and dZ are never stored as matrices for a GEMM;
//   d > SMALL_D  the packed 4×4 GEMM of gemm.ts on the resident operands: Z = X_b Wᵀ (Wᵀ packed
//                once per call, gemmPackedB), then ∂W (+)= dZᵀ X_b by gemmPackedA, the backward
//                row pass writing dZᵀ straight into the GEMM's packed layout (no packing pass);
//                blocks of at most KC = 256 rows (one inner block of the GEMM).
// Losses as src/model/losses.ts lossSumRange (logistic: ℓ = max(−q, 0) + log1p(e^{−|q|})), with
// exp/log1p in f64x2 (lib/simdmath.ts, fdlibm) and scalar Math for lanes with |q| > 700. The loss
// sum Σ ℓ_i is returned unscaled; the caller applies s and the log-space fallback (finishLoss) on
// the F and Y left in memory.
import { gemmPackedA, gemmPackedB, kcBlock, packedBBytes, packOpB, slot, workBytes } from "./gemm";
import { EXPV_MAX_ABS, expV, log1pV } from "./lib/simdmath";
import { madd } from "./lib/fma";

export { heapBase } from "./gemm";

/** Loss codes (src/model/twoLayerWasm.ts LOSS_CODE). */
const LOGISTIC: i32 = 0;
const EXPONENTIAL: i32 = 1;

/** Largest input dimension of the fused (GEMM-free) form. */
const SMALL_D: i32 = 8;

/** Bytes of scratch one step with `block`-row blocks needs (Wᵀ, then GEMM packing or Gᵀ …). */
export function stepWorkBytes(block: i32, d: i32, m: i32): f64 {
  const fused = 8.0 * <f64>(2 * d + 4) * <f64>(m + 1) + 64.0;
  const kb = min(block, kcBlock());
  const packed = wtBytes(d, m) + dzBytes(kb, m) + max(workBytes(kb, m, d), workBytes(m, d, kb));
  return max(fused, packed);
}

/** Bytes of the packed dZᵀ of the GEMM form: ⌈m/4⌉ panels of 4 × kb doubles, rounded up to 64. */
function dzBytes(kb: i32, m: i32): f64 {
  return Math.ceil(8.0 * <f64>((m + 3) & ~3) * <f64>kb / 64.0) * 64.0;
}

/** Rows of the Z buffer a step with `block`-row blocks uses (the GEMM form caps blocks at KC). */
export function stepZRows(block: i32, d: i32): i32 {
  return d <= SMALL_D ? block : min(block, kcBlock());
}

/** Bytes of the packed Wᵀ of the GEMM form (gemm.ts packOpB), rounded up to 64. */
function wtBytes(d: i32, m: i32): f64 {
  return Math.ceil(packedBBytes(m, d) / 64.0) * 64.0;
}

/**
 * σ(z) on two lanes: σ(z) = z·(lo + (1 − lo)·[z > 0]), lov = splat(lo). RELU (a literal at the
 * call sites, lo = 0) uses pmax(z, 0) = (z < 0 ? 0 : z), which keeps a NaN z.
 */
// @ts-ignore: decorator
@inline function activateV(RELU: bool, zv: v128, lov: v128): v128 {
  const zero = f64x2.splat(0.0);
  return RELU ? f64x2.pmax(zv, zero) : f64x2.mul(zv, v128.bitselect(f64x2.splat(1.0), lov, f64x2.gt(zv, zero)));
}

/**
 * The odd last column's term of a row output: a_j σ(z_j) for the z at zp (b_j added in place
 * first when bp ≠ 0), o = 8j.
 */
// @ts-ignore: decorator
@inline function lastOutputTerm(zp: usize, a: usize, bp: usize, o: usize, lo: f64): f64 {
  let zs = load<f64>(zp);
  if (bp != 0) {
    zs += load<f64>(bp + o);
    store<f64>(zp, zs);
  }
  return load<f64>(a + o) * (zs * (zs > 0.0 ? 1.0 : lo));
}

/**
 * Σ_j a_j σ(z_j) over one row z (m entries, b added in place when bp ≠ 0). RELU (a literal at
 * the call sites, lo = 0) uses σ(z) = pmax(z, 0) = (z < 0 ? 0 : z) (NaN stays NaN).
 */
// @ts-ignore: decorator
@inline function rowOutput(RELU: bool, z: usize, a: usize, bp: usize, m: i32, lo: f64): f64 {
  const lov = f64x2.splat(lo);
  let acc = f64x2.splat(0.0);
  let j = 0;
  for (; j + 2 <= m; j += 2) {
    const o = <usize>j << 3;
    let zv = v128.load(z + o);
    if (bp != 0) {
      zv = f64x2.add(zv, v128.load(bp + o));
      v128.store(z + o, zv);
    }
    acc = madd(v128.load(a + o), activateV(RELU, zv, lov), acc);
  }
  let f = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (j < m) f += lastOutputTerm(z + (<usize>j << 3), a, bp, <usize>j << 3, lo);
  return f;
}

/**
 * rowOutput for four rows (z at row 0, stride ldz), F_t = κ·(Σ_j a_j σ(z_tj) + c) stored at
 * fb + 8t: one row's sum is one dependent chain of adds, which alone waits on the add latency;
 * four rows are four independent chains over one load of a. Each row's sum is rowOutput's,
 * bitwise (same terms, same order).
 */
// @ts-ignore: decorator
@inline function quadRowOutput(
  RELU: bool, z: usize, ldz: usize, a: usize, bp: usize, m: i32, lo: f64, kappa: f64, c: f64, fb: usize,
): void {
  const lov = f64x2.splat(lo);
  const zero = f64x2.splat(0.0);
  const z1 = z + ldz;
  const z2 = z1 + ldz;
  const z3 = z2 + ldz;
  let acc0 = zero;
  let acc1 = zero;
  let acc2 = zero;
  let acc3 = zero;
  let j = 0;
  for (; j + 2 <= m; j += 2) {
    const o = <usize>j << 3;
    const av = v128.load(a + o);
    let v0 = v128.load(z + o);
    let v1 = v128.load(z1 + o);
    let v2 = v128.load(z2 + o);
    let v3 = v128.load(z3 + o);
    if (bp != 0) {
      const bv = v128.load(bp + o);
      v0 = f64x2.add(v0, bv);
      v1 = f64x2.add(v1, bv);
      v2 = f64x2.add(v2, bv);
      v3 = f64x2.add(v3, bv);
      v128.store(z + o, v0);
      v128.store(z1 + o, v1);
      v128.store(z2 + o, v2);
      v128.store(z3 + o, v3);
    }
    acc0 = madd(av, activateV(RELU, v0, lov), acc0);
    acc1 = madd(av, activateV(RELU, v1, lov), acc1);
    acc2 = madd(av, activateV(RELU, v2, lov), acc2);
    acc3 = madd(av, activateV(RELU, v3, lov), acc3);
  }
  for (let t = 0; t < 4; t++) {
    const acc = t == 0 ? acc0 : t == 1 ? acc1 : t == 2 ? acc2 : acc3;
    let f = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (j < m) f += lastOutputTerm(z + <usize>t * ldz + (<usize>j << 3), a, bp, <usize>j << 3, lo);
    store<f64>(fb + (<usize>t << 3), kappa * (f + c));
  }
}

/**
 * Fused forward of one row for small d: z = b + Σ_q x_q Wᵀ[q, :] (stored to zr), returns
 * Σ_j a_j σ(z_j). wt: Wᵀ (d×m); m is padded to even by the caller's layout (wt, a, b, z have
 * a zero/ignored entry at m when m is odd: see lossGradient).
 */
// @ts-ignore: decorator
@inline function rowForwardSmall(
  xr: usize, d: i32, wt: usize, a: usize, bp: usize, zr: usize, m2: i32, lo: f64,
): f64 {
  const one = f64x2.splat(1.0);
  const lov = f64x2.splat(lo);
  const zero = f64x2.splat(0.0);
  const ldw = <usize>m2 << 3;
  let acc = zero;
  const x0 = v128.load64_splat(xr);
  for (let j = 0; j < m2; j += 2) {
    const o = <usize>j << 3;
    let zv = f64x2.mul(x0, v128.load(wt + o));
    for (let q = 1; q < d; q++) {
      zv = madd(v128.load64_splat(xr + (<usize>q << 3)), v128.load(wt + <usize>q * ldw + o), zv);
    }
    if (bp != 0) zv = f64x2.add(zv, v128.load(bp + o));
    v128.store(zr + o, zv);
    const sl = v128.bitselect(one, lov, f64x2.gt(zv, zero));
    acc = madd(v128.load(a + o), f64x2.mul(zv, sl), acc);
  }
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/**
 * Fused backward of one row for small d, r = ∂ℒ/∂F_i: s_j = r σ′(z_j), ga_j += s_j z_j,
 * S_j += s_j (∂b = a ⊙ S), Gᵀ[q, :] += x_q s (∂W = diag(a) G). Padded m as in rowForwardSmall.
 */
// @ts-ignore: decorator
@inline function rowBackwardSmall(
  xr: usize, d: i32, zr: usize, ga: usize, sb: usize, gt: usize, m2: i32, lo: f64, r: f64,
): void {
  const zero = f64x2.splat(0.0);
  const rv = f64x2.splat(r);
  const rlo = f64x2.splat(r * lo);
  const ldg = <usize>m2 << 3;
  for (let j = 0; j < m2; j += 2) {
    const o = <usize>j << 3;
    const zv = v128.load(zr + o);
    const sv = v128.bitselect(rv, rlo, f64x2.gt(zv, zero));
    v128.store(ga + o, f64x2.add(v128.load(ga + o), f64x2.mul(sv, zv)));
    if (sb != 0) v128.store(sb + o, f64x2.add(v128.load(sb + o), sv));
    for (let q = 0; q < d; q++) {
      const p = gt + <usize>q * ldg + o;
      v128.store(p, f64x2.add(v128.load(p), f64x2.mul(v128.load64_splat(xr + (<usize>q << 3)), sv)));
    }
  }
}

/**
 * Forward of nb rows for d = D ∈ {1, 2} (a literal at every call site, so the branches on D and
 * RELU fold away): z_i = b + x_i0 Wᵀ[0, :] (+ x_i1 Wᵀ[1, :]), F_i = κ·(Σ_j a_j σ(z_ij) + c).
 * RELU (lo = 0) uses σ(z) = pmax(z, 0) = (z < 0 ? 0 : z), which keeps a NaN z (as the TS path).
 */
// @ts-ignore: decorator
@inline function forwardTiny(
  D: i32, RELU: bool, xb: usize, nb: i32, wt: usize, ap: usize, bpp: usize, z: usize, m2: i32,
  lo: f64, kappa: f64, c: f64, fb: usize,
): void {
  const lov = f64x2.splat(lo);
  const zero = f64x2.splat(0.0);
  const row = <usize>m2 << 3;
  const wt1 = wt + row;
  for (let i = 0; i < nb; i++) {
    const xr = xb + (<usize>(i * D) << 3);
    const zr = z + <usize>i * row;
    const x0 = v128.load64_splat(xr);
    const x1 = D == 2 ? v128.load64_splat(xr, 8) : zero;
    let acc = zero;
    for (let j = 0; j < m2; j += 2) {
      const o = <usize>j << 3;
      let zv = f64x2.mul(x0, v128.load(wt + o));
      if (D == 2) zv = f64x2.add(zv, f64x2.mul(x1, v128.load(wt1 + o)));
      if (bpp != 0) zv = f64x2.add(zv, v128.load(bpp + o));
      v128.store(zr + o, zv);
      acc = madd(v128.load(ap + o), activateV(RELU, zv, lov), acc);
    }
    store<f64>(fb + (<usize>i << 3), kappa * ((f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)) + c));
  }
}

/**
 * Backward of nb rows for d = D ∈ {1, 2}, one column pair j at a time with the accumulators
 * ga_j, S_j (sb ≠ 0), Gᵀ[q, j] in registers: s_ij = r_i σ′(z_ij), ga += s z, S += s,
 * Gᵀ[q, :] += x_iq s. Returns Σ_i r_i (for ∂c).
 */
// @ts-ignore: decorator
@inline function backwardTiny(
  D: i32, RELU: bool, xb: usize, nb: i32, z: usize, m2: i32, lo: f64, dfb: usize,
  ga: usize, sb: usize, gt: usize,
): void {
  const one = f64x2.splat(1.0);
  const lov = f64x2.splat(lo);
  const zero = f64x2.splat(0.0);
  const row = <usize>m2 << 3;
  const gt1 = gt + row;
  for (let j = 0; j < m2; j += 2) {
    const o = <usize>j << 3;
    let gav = v128.load(ga + o);
    let sv = sb != 0 ? v128.load(sb + o) : zero;
    let g0 = v128.load(gt + o);
    let g1 = D == 2 ? v128.load(gt1 + o) : zero;
    let zp = z + o;
    let xr = xb;
    for (let i = 0; i < nb; i++) {
      const zv = v128.load(zp);
      const rv = v128.load64_splat(dfb + (<usize>i << 3));
      const mask = f64x2.gt(zv, zero);
      const s = RELU ? f64x2.mul(rv, v128.and(one, mask)) : f64x2.mul(rv, v128.bitselect(one, lov, mask));
      gav = madd(s, zv, gav);
      if (sb != 0) sv = f64x2.add(sv, s);
      g0 = madd(v128.load64_splat(xr), s, g0);
      if (D == 2) g1 = f64x2.add(g1, f64x2.mul(v128.load64_splat(xr, 8), s));
      zp += row;
      xr += <usize>D << 3;
    }
    v128.store(ga + o, gav);
    if (sb != 0) v128.store(sb + o, sv);
    v128.store(gt + o, g0);
    if (D == 2) v128.store(gt1 + o, g1);
  }
}

/**
 * Backward of rows i, i + 1 (z1, z2) for the GEMM form, r1, r2 = ∂ℒ/∂F: s_j = r σ′(z_j),
 * ga_j += s_j z_j, dZ_j = a_j s_j, gb_j += dZ_j (gbp ≠ 0), row i first. dZ goes straight into
 * gemmPackedA's layout of the m×nb matrix dZᵀ: entry (j, i) at pd + 8·(⌊j/4⌋·4·nb + 4i + j mod 4),
 * p1 = pd + 32i, p2 = p1 + 32, panel = 32·nb bytes. With z2 = 0 only row i. RELU (literal):
 * s = r·(1 & mask[z > 0]) (a NaN r stays NaN, as in the TS path).
 */
// @ts-ignore: decorator
@inline function rowsBackward(
  RELU: bool, z1: usize, z2: usize, p1: usize, panel: usize, a: usize, ga: usize, gbp: usize, m: i32,
  lo: f64, r1: f64, r2: f64,
): void {
  const one = f64x2.splat(1.0);
  const zero = f64x2.splat(0.0);
  const rv1 = f64x2.splat(r1);
  const rlo1 = f64x2.splat(r1 * lo);
  const rv2 = f64x2.splat(r2);
  const rlo2 = f64x2.splat(r2 * lo);
  const p2 = p1 + 32;
  let j = 0;
  for (; j + 2 <= m; j += 2) {
    const o = <usize>j << 3;
    const po = <usize>(j >> 2) * panel + (<usize>(j & 3) << 3);
    const av = v128.load(a + o);
    const zv1 = v128.load(z1 + o);
    const m1 = f64x2.gt(zv1, zero);
    const s1 = RELU ? f64x2.mul(rv1, v128.and(one, m1)) : v128.bitselect(rv1, rlo1, m1);
    const d1 = f64x2.mul(av, s1);
    v128.store(p1 + po, d1);
    let gav = f64x2.add(v128.load(ga + o), f64x2.mul(s1, zv1));
    let gbv = gbp != 0 ? f64x2.add(v128.load(gbp + o), d1) : zero;
    if (z2 != 0) {
      const zv2 = v128.load(z2 + o);
      const m2 = f64x2.gt(zv2, zero);
      const s2 = RELU ? f64x2.mul(rv2, v128.and(one, m2)) : v128.bitselect(rv2, rlo2, m2);
      const d2 = f64x2.mul(av, s2);
      v128.store(p2 + po, d2);
      gav = madd(s2, zv2, gav);
      if (gbp != 0) gbv = f64x2.add(gbv, d2);
    }
    v128.store(ga + o, gav);
    if (gbp != 0) v128.store(gbp + o, gbv);
  }
  if (j < m) {
    const o = <usize>j << 3;
    const po = <usize>(j >> 2) * panel + (<usize>(j & 3) << 3);
    const aj = load<f64>(a + o);
    for (let t = 0; t < 2; t++) {
      const zp = t == 0 ? z1 : z2;
      if (zp == 0) break;
      const r = t == 0 ? r1 : r2;
      const zs = load<f64>(zp + o);
      const sj = zs > 0.0 ? r : r * lo;
      const dz = aj * sj;
      store<f64>((t == 0 ? p1 : p2) + po, dz);
      store<f64>(ga + o, load<f64>(ga + o) + sj * zs);
      if (gbp != 0) store<f64>(gbp + o, load<f64>(gbp + o) + dz);
    }
  }
}

/**
 * rowsBackward for four rows i..i+3 (z at row i, stride ldz; r at dfr) and the columns
 * j < m & ~3, in 4×4 tiles: a tile's dZᵀ entries are one contiguous 128-byte run of the packed
 * layout (p = pd + 32i), and a, ∂a, ∂b are loaded once per four rows. The last m mod 4 columns
 * go through the scalar tail. Same per-entry arithmetic and summation order as rowsBackward.
 */
// @ts-ignore: decorator
@inline function quadRowsBackward(
  RELU: bool, z: usize, ldz: usize, p: usize, panel: usize, a: usize, ga: usize, gbp: usize, m: i32,
  lo: f64, dfr: usize,
): void {
  const one = f64x2.splat(1.0);
  const zero = f64x2.splat(0.0);
  const lov = f64x2.splat(lo);
  const r0 = v128.load64_splat(dfr);
  const r1 = v128.load64_splat(dfr, 8);
  const r2 = v128.load64_splat(dfr, 16);
  const r3 = v128.load64_splat(dfr, 24);
  const m4 = m & ~3;
  let pt = p;
  for (let j = 0; j < m4; j += 4) {
    const o = <usize>j << 3;
    const a0 = v128.load(a + o);
    const a1 = v128.load(a + o, 16);
    let g0 = v128.load(ga + o);
    let g1 = v128.load(ga + o, 16);
    let b0 = gbp != 0 ? v128.load(gbp + o) : zero;
    let b1 = gbp != 0 ? v128.load(gbp + o, 16) : zero;
    let zr = z + o;
    for (let t = 0; t < 4; t++) {
      const rv = t == 0 ? r0 : t == 1 ? r1 : t == 2 ? r2 : r3;
      const z0 = v128.load(zr);
      const z1 = v128.load(zr, 16);
      const k0 = f64x2.gt(z0, zero);
      const k1 = f64x2.gt(z1, zero);
      const s0 = RELU ? f64x2.mul(rv, v128.and(one, k0)) : f64x2.mul(rv, v128.bitselect(one, lov, k0));
      const s1 = RELU ? f64x2.mul(rv, v128.and(one, k1)) : f64x2.mul(rv, v128.bitselect(one, lov, k1));
      const d0 = f64x2.mul(a0, s0);
      const d1 = f64x2.mul(a1, s1);
      const q = pt + (<usize>t << 5);
      v128.store(q, d0);
      v128.store(q, d1, 16);
      g0 = madd(s0, z0, g0);
      g1 = madd(s1, z1, g1);
      if (gbp != 0) {
        b0 = f64x2.add(b0, d0);
        b1 = f64x2.add(b1, d1);
      }
      zr += ldz;
    }
    v128.store(ga + o, g0);
    v128.store(ga + o, g1, 16);
    if (gbp != 0) {
      v128.store(gbp + o, b0);
      v128.store(gbp + o, b1, 16);
    }
    pt += panel;
  }
  for (let j = m4; j < m; j++) {
    const o = <usize>j << 3;
    const aj = load<f64>(a + o);
    for (let t = 0; t < 4; t++) {
      const r = load<f64>(dfr + (<usize>t << 3));
      const zs = load<f64>(z + <usize>t * ldz + o);
      const sj = zs > 0.0 ? r : r * lo;
      const dz = aj * sj;
      store<f64>(pt + (<usize>t << 5) + (<usize>(j & 3) << 3), dz);
      store<f64>(ga + o, load<f64>(ga + o) + sj * zs);
      if (gbp != 0) store<f64>(gbp + o, load<f64>(gbp + o) + dz);
    }
  }
}

/** Scalar loss term of entry t (f, y at f + 8t, y + 8t), writes dF; returns ℓ. */
function lossScalar(loss: i32, f: usize, y: usize, df: usize, s: f64): f64 {
  const fi = load<f64>(f);
  const yi = load<f64>(y);
  if (loss == LOGISTIC) {
    const q = yi * fi;
    const e = Math.exp(q >= 0.0 ? -q : q); // e^{−|q|}
    const inv = 1.0 / (1.0 + e);
    store<f64>(df, -s * yi * (q >= 0.0 ? e * inv : inv)); // y·ℓ′(q) = −y·σ(−q)
    return (q < 0.0 ? -q : 0.0) + Math.log1p(e);
  }
  if (loss == EXPONENTIAL) {
    const e = Math.exp(-yi * fi);
    store<f64>(df, -s * yi * e);
    return e;
  }
  const res = fi - yi;
  store<f64>(df, s * res);
  return 0.5 * res * res;
}

/**
 * Σ_t ℓ(F_t; y_t) over nb entries at f, y, writing dF_t = s·∂ℓ/∂f; two entries per f64x2 step
 * (lanes outside the exp domain, and an odd last entry, take the scalar path).
 */
function lossBlock(loss: i32, f: usize, y: usize, df: usize, nb: i32, s: f64): f64 {
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  const sv = f64x2.splat(-s);
  const lim = f64x2.splat(EXPV_MAX_ABS);
  let tv = zero;
  let total = 0.0;
  let t = 0;
  for (; t + 2 <= nb; t += 2) {
    const o = <usize>t << 3;
    const fv = v128.load(f + o);
    const yv = v128.load(y + o);
    if (loss == LOGISTIC) {
      const q = f64x2.mul(yv, fv);
      const aq = f64x2.abs(q);
      if (!v128.all_true<i64>(f64x2.le(aq, lim))) {
        total += lossScalar(loss, f + o, y + o, df + o, s);
        total += lossScalar(loss, f + o + 8, y + o + 8, df + o + 8, s);
        continue;
      }
      const e = expV(f64x2.neg(aq));
      tv = f64x2.add(tv, f64x2.add(f64x2.max(f64x2.neg(q), zero), log1pV(e)));
      const inv = f64x2.div(one, f64x2.add(one, e));
      const sig = v128.bitselect(f64x2.mul(e, inv), inv, f64x2.ge(q, zero));
      v128.store(df + o, f64x2.mul(f64x2.mul(sv, yv), sig));
    } else if (loss == EXPONENTIAL) {
      const arg = f64x2.neg(f64x2.mul(yv, fv));
      if (!v128.all_true<i64>(f64x2.le(f64x2.abs(arg), lim))) {
        total += lossScalar(loss, f + o, y + o, df + o, s);
        total += lossScalar(loss, f + o + 8, y + o + 8, df + o + 8, s);
        continue;
      }
      const e = expV(arg);
      tv = f64x2.add(tv, e);
      v128.store(df + o, f64x2.mul(f64x2.mul(sv, yv), e));
    } else {
      const res = f64x2.sub(fv, yv);
      tv = madd(f64x2.mul(f64x2.splat(0.5), res), res, tv);
      v128.store(df + o, f64x2.mul(f64x2.neg(sv), res));
    }
  }
  if (t < nb) {
    const o = <usize>t << 3;
    total += lossScalar(loss, f + o, y + o, df + o, s);
  }
  return total + (f64x2.extract_lane(tv, 0) + f64x2.extract_lane(tv, 1));
}

/** Zero n doubles at p. */
function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 3);
}

/**
 * One loss (+ gradient) evaluation over rows [0, n) of X (n×d at x) and Y (n at y); θ at theta
 * (W at theta, a at theta + 8md, b at bp, c at cp; bp, cp = 0 when absent). Writes F and
 * dF = ∂ℒ/∂F (n each), and when grad ≠ 0 the gradient in θ's layout (gbp, gcp: its b, c
 * entries, 0 when absent). z: block×(m + 1) doubles; work: stepWorkBytes(block, d, m) bytes,
 * 16-byte aligned. loss: 0 logistic, 1 exponential, 2 square; s: 1 or 1/n; κ scales the
 * outputs. Returns the unscaled loss sum Σ_i ℓ(F_i; y_i).
 */
export function lossGradient(
  n: i32, d: i32, m: i32, block: i32, lo: f64, loss: i32, s: f64, kappa: f64,
  x: usize, y: usize, theta: usize, bp: usize, cp: usize,
  grad: usize, gbp: usize, gcp: usize,
  f: usize, df: usize, z: usize, work: usize,
): f64 {
  if (d <= SMALL_D) {
    return lossGradientSmall(n, d, m, block, lo, loss, s, kappa, x, y, theta, bp, cp, grad, gbp, gcp, f, df, z, work);
  }
  const a = theta + (<usize>(m * d) << 3);
  const ga = grad + (<usize>(m * d) << 3);
  const c = cp != 0 ? load<f64>(cp) : 0.0;
  if (grad != 0) {
    zero(ga, m);
    if (gbp != 0) zero(gbp, m);
  }
  let gc = 0.0;
  let total = 0.0;
  const ldz = <usize>m << 3;
  // Wᵀ (d×m) packed once per call as the B operand of every block's Z product
  const wt = work;
  const kb = min(block, kcBlock());
  const pd = work + <usize>wtBytes(d, m);
  const pack = pd + <usize>dzBytes(kb, m);
  packOpB(1, theta, d, d, m, wt);
  const relu = lo == 0.0;
  for (let r0 = 0; r0 < n; r0 += kb) {
    const nb = min(kb, n - r0);
    const xb = x + (<usize>(r0 * d) << 3);
    const fb = f + (<usize>r0 << 3);
    const dfb = df + (<usize>r0 << 3);
    gemmPackedB(0, nb, m, d, 1.0, xb, d, wt, 0.0, z, m, pack);
    const nq = nb & ~3;
    for (let i = 0; i < nq; i += 4) {
      const zr = z + <usize>i * ldz;
      const fr = fb + (<usize>i << 3);
      if (relu) quadRowOutput(true, zr, ldz, a, bp, m, lo, kappa, c, fr);
      else quadRowOutput(false, zr, ldz, a, bp, m, lo, kappa, c, fr);
    }
    for (let i = nq; i < nb; i++) {
      const zr = z + <usize>i * ldz;
      const fi = relu ? rowOutput(true, zr, a, bp, m, lo) : rowOutput(false, zr, a, bp, m, lo);
      store<f64>(fb + (<usize>i << 3), kappa * (fi + c));
    }
    total += lossBlock(loss, fb, y + (<usize>r0 << 3), dfb, nb, s);
    if (grad == 0) continue;
    // dZᵀ in gemmPackedA's layout (panels of 4 rows × nb); the padding rows of a partial last
    // panel must be zero
    const panel = <usize>nb << 5;
    if ((m & 3) != 0) memory.fill(pd + <usize>(m >> 2) * panel, 0, panel);
    const nb4 = nb & ~3;
    for (let i = 0; i < nb4; i += 4) {
      const zi = z + <usize>i * ldz;
      const dfr = dfb + (<usize>i << 3);
      gc += load<f64>(dfr);
      gc += load<f64>(dfr, 8);
      gc += load<f64>(dfr, 16);
      gc += load<f64>(dfr, 24);
      const p1 = pd + (<usize>i << 5);
      if (relu) quadRowsBackward(true, zi, ldz, p1, panel, a, ga, gbp, m, lo, dfr);
      else quadRowsBackward(false, zi, ldz, p1, panel, a, ga, gbp, m, lo, dfr);
    }
    for (let i = nb4; i < nb; i += 2) {
      const z1 = z + <usize>i * ldz;
      const two = i + 1 < nb;
      const z2 = two ? z1 + ldz : 0;
      const r1 = load<f64>(dfb + (<usize>i << 3));
      const r2 = two ? load<f64>(dfb + (<usize>(i + 1) << 3)) : 0.0;
      gc += r1;
      gc += r2;
      const p1 = pd + (<usize>i << 5);
      if (relu) rowsBackward(true, z1, z2, p1, panel, a, ga, gbp, m, lo, r1, r2);
      else rowsBackward(false, z1, z2, p1, panel, a, ga, gbp, m, lo, r1, r2);
    }
    gemmPackedA(m, d, nb, pd, 0, xb, d, r0 == 0 ? 0.0 : 1.0, grad, d, pack);
  }
  if (gcp != 0) store<f64>(gcp, gc);
  return total;
}

/**
 * The fused form (d ≤ SMALL_D) of lossGradient (z holds block rows of m2 = m rounded up to
 * even). Scratch (work): Wᵀ, a, b, Gᵀ, S, ga, each padded to m2 with zeros.
 */
function lossGradientSmall(
  n: i32, d: i32, m: i32, block: i32, lo: f64, loss: i32, s: f64, kappa: f64,
  x: usize, y: usize, theta: usize, bp: usize, cp: usize,
  grad: usize, gbp: usize, gcp: usize,
  f: usize, df: usize, z: usize, work: usize,
): f64 {
  const m2 = (m + 1) & ~1;
  const row = <usize>m2 << 3;
  // scratch layout, each m2-padded and zero in its padding
  const wt = work;
  const ap = wt + <usize>d * row;
  const bpp = ap + row;
  const gt = bpp + row;
  const sb = gt + <usize>d * row;
  const ga = sb + row;
  zero(wt, (d + 2) * m2);
  for (let j = 0; j < m; j++) {
    const w = theta + (<usize>(j * d) << 3);
    for (let q = 0; q < d; q++) store<f64>(wt + <usize>q * row + (<usize>j << 3), load<f64>(w + (<usize>q << 3)));
  }
  memory.copy(ap, theta + (<usize>(m * d) << 3), <usize>m << 3);
  if (bp != 0) memory.copy(bpp, bp, <usize>m << 3);
  const c = cp != 0 ? load<f64>(cp) : 0.0;
  const ldx = <usize>d << 3;
  if (grad != 0) zero(gt, (d + 2) * m2);
  let gc = 0.0;
  let total = 0.0;
  for (let r0 = 0; r0 < n; r0 += block) {
    const nb = min(block, n - r0);
    const xb = x + <usize>r0 * ldx;
    const fb = f + (<usize>r0 << 3);
    const dfb = df + (<usize>r0 << 3);
    const bz = bp != 0 ? bpp : 0;
    const relu = lo == 0.0;
    if (d == 1 && relu) forwardTiny(1, true, xb, nb, wt, ap, bz, z, m2, lo, kappa, c, fb);
    else if (d == 1) forwardTiny(1, false, xb, nb, wt, ap, bz, z, m2, lo, kappa, c, fb);
    else if (d == 2 && relu) forwardTiny(2, true, xb, nb, wt, ap, bz, z, m2, lo, kappa, c, fb);
    else if (d == 2) forwardTiny(2, false, xb, nb, wt, ap, bz, z, m2, lo, kappa, c, fb);
    else {
      for (let i = 0; i < nb; i++) {
        const fi = rowForwardSmall(xb + <usize>i * ldx, d, wt, ap, bz, z + <usize>i * row, m2, lo);
        store<f64>(fb + (<usize>i << 3), kappa * (fi + c));
      }
    }
    total += lossBlock(loss, fb, y + (<usize>r0 << 3), dfb, nb, s);
    if (grad == 0) continue;
    for (let i = 0; i < nb; i++) gc += load<f64>(dfb + (<usize>i << 3));
    const sbz = gbp != 0 ? sb : 0;
    if (d == 1 && relu) backwardTiny(1, true, xb, nb, z, m2, lo, dfb, ga, sbz, gt);
    else if (d == 1) backwardTiny(1, false, xb, nb, z, m2, lo, dfb, ga, sbz, gt);
    else if (d == 2 && relu) backwardTiny(2, true, xb, nb, z, m2, lo, dfb, ga, sbz, gt);
    else if (d == 2) backwardTiny(2, false, xb, nb, z, m2, lo, dfb, ga, sbz, gt);
    else {
      for (let i = 0; i < nb; i++) {
        const ri = load<f64>(dfb + (<usize>i << 3));
        rowBackwardSmall(xb + <usize>i * ldx, d, z + <usize>i * row, ga, sbz, gt, m2, lo, ri);
      }
    }
  }
  if (grad == 0) return total;
  // ∂W_jq = a_j G_jq, ∂a = ga, ∂b_j = a_j S_j, ∂c = Σ r
  for (let j = 0; j < m; j++) {
    const aj = load<f64>(ap + (<usize>j << 3));
    const gw = grad + (<usize>(j * d) << 3);
    for (let q = 0; q < d; q++) store<f64>(gw + (<usize>q << 3), aj * load<f64>(gt + <usize>q * row + (<usize>j << 3)));
    if (gbp != 0) store<f64>(gbp + (<usize>j << 3), aj * load<f64>(sb + (<usize>j << 3)));
  }
  memory.copy(grad + (<usize>(m * d) << 3), ga, <usize>m << 3);
  if (gcp != 0) store<f64>(gcp, gc);
  return total;
}

// ---------------------------------------------------------------------------------------------
// The step over slabs (driven by src/model/twoLayerWasm.ts): rows [0, n) are cut into `slabs`
// slabs of `slabRows` rows, fixed by the problem alone. Every thread runs lossGradientSlabs,
// claiming slabs from an atomic counter; slab t writes its rows of F and ∂ℒ/∂F, its gradient
// (p doubles) and its loss sum into its own partial record. reduceSlabs then adds the partials
// in slab order. The result is bitwise the same whatever the number of threads.

/** Header slots (f64) of lossGradientSlabs; see twoLayerWasm.ts. */
const S_N: i32 = 0;
const S_D: i32 = 1;
const S_M: i32 = 2;
const S_BLOCK: i32 = 3;
const S_LO: i32 = 4;
const S_LOSS: i32 = 5;
const S_SCALE: i32 = 6;
const S_KAPPA: i32 = 7;
const S_X: i32 = 8;
const S_Y: i32 = 9;
const S_THETA: i32 = 10;
/** Offsets (doubles) of b and c in θ, −1 when absent. */
const S_BOFF: i32 = 11;
const S_COFF: i32 = 12;
const S_GRAD: i32 = 13;
const S_F: i32 = 14;
const S_DF: i32 = 15;
const S_SLABS: i32 = 16;
const S_SLAB_ROWS: i32 = 17;
/** Partial records: slab t at partials + t·stride bytes, p gradient entries then the loss sum. */
const S_PARTIALS: i32 = 18;
const S_PARTIAL_STRIDE: i32 = 19;
const S_P: i32 = 20;
/** Per-thread Z buffer and workspace: thread i at base + i·stride. */
const S_Z: i32 = 21;
const S_Z_STRIDE: i32 = 22;
const S_WORK: i32 = 23;
const S_WORK_STRIDE: i32 = 24;

/**
 * One thread's share of a slabbed step (h: header, counter: the slab counter, thread: this
 * thread's index for its Z buffer and workspace). Returns the slabs it ran.
 */
export function lossGradientSlabs(h: usize, counter: usize, thread: i32): i32 {
  const n = <i32>slot(h, S_N);
  const d = <i32>slot(h, S_D);
  const m = <i32>slot(h, S_M);
  const block = <i32>slot(h, S_BLOCK);
  const lo = slot(h, S_LO);
  const loss = <i32>slot(h, S_LOSS);
  const sc = slot(h, S_SCALE);
  const kappa = slot(h, S_KAPPA);
  const x = <usize>slot(h, S_X);
  const y = <usize>slot(h, S_Y);
  const theta = <usize>slot(h, S_THETA);
  const bOff = <i32>slot(h, S_BOFF);
  const cOff = <i32>slot(h, S_COFF);
  const wantGrad = slot(h, S_GRAD) != 0.0;
  const f = <usize>slot(h, S_F);
  const df = <usize>slot(h, S_DF);
  const slabs = <i32>slot(h, S_SLABS);
  const slabRows = <i32>slot(h, S_SLAB_ROWS);
  const partials = <usize>slot(h, S_PARTIALS);
  const stride = <usize>slot(h, S_PARTIAL_STRIDE);
  const p = <i32>slot(h, S_P);
  const z = <usize>slot(h, S_Z) + <usize>thread * <usize>slot(h, S_Z_STRIDE);
  const work = <usize>slot(h, S_WORK) + <usize>thread * <usize>slot(h, S_WORK_STRIDE);
  const bp = bOff >= 0 ? theta + (<usize>bOff << 3) : 0;
  const cp = cOff >= 0 ? theta + (<usize>cOff << 3) : 0;
  let ran = 0;
  for (;;) {
    const t = atomic.add<i32>(counter, 1);
    if (t >= slabs) break;
    const r0 = t * slabRows;
    const nb = min(slabRows, n - r0);
    const g = partials + <usize>t * stride;
    const total = lossGradient(
      nb, d, m, block, lo, loss, sc, kappa, x + (<usize>(r0 * d) << 3), y + (<usize>r0 << 3), theta, bp, cp,
      wantGrad ? g : 0, wantGrad && bOff >= 0 ? g + (<usize>bOff << 3) : 0, wantGrad && cOff >= 0 ? g + (<usize>cOff << 3) : 0,
      f + (<usize>r0 << 3), df + (<usize>r0 << 3), z, work,
    );
    store<f64>(g + (<usize>p << 3), total);
    ran++;
  }
  return ran;
}

/**
 * The slabs' sums in slab order: grad ← Σ_t partial_t (when grad ≠ 0; p entries), returns
 * Σ_t loss_t. Sums run left to right from slab 0, two entries per f64x2 step.
 */
export function reduceSlabs(h: usize, grad: usize): f64 {
  const slabs = <i32>slot(h, S_SLABS);
  const partials = <usize>slot(h, S_PARTIALS);
  const stride = <usize>slot(h, S_PARTIAL_STRIDE);
  const p = <i32>slot(h, S_P);
  let total = load<f64>(partials + (<usize>p << 3));
  for (let t = 1; t < slabs; t++) total += load<f64>(partials + <usize>t * stride + (<usize>p << 3));
  if (grad == 0) return total;
  let j = 0;
  for (; j + 2 <= p; j += 2) {
    const o = <usize>j << 3;
    let acc = v128.load(partials + o);
    for (let t = 1; t < slabs; t++) acc = f64x2.add(acc, v128.load(partials + <usize>t * stride + o));
    v128.store(grad + o, acc);
  }
  for (; j < p; j++) {
    const o = <usize>j << 3;
    let acc = load<f64>(partials + o);
    for (let t = 1; t < slabs; t++) acc += load<f64>(partials + <usize>t * stride + o);
    store<f64>(grad + o, acc);
  }
  return total;
}

/** dst[t] = e^{src[t]} by expV, t < n (n even; test hook for lib/simdmath.ts). */
export function vecExp(src: usize, dst: usize, n: i32): void {
  for (let t = 0; t < n; t += 2) v128.store(dst + (<usize>t << 3), expV(v128.load(src + (<usize>t << 3))));
}

/** dst[t] = log1p(src[t]) by log1pV, t < n (n even; test hook). */
export function vecLog1p(src: usize, dst: usize, n: i32): void {
  for (let t = 0; t < n; t += 2) v128.store(dst + (<usize>t << 3), log1pV(v128.load(src + (<usize>t << 3))));
}
