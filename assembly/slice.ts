// Row panels of a two-layer slice (AssemblyScript -> wasm, see scripts/build-wasm.mjs; driven by
// src/slice/panelKernel.ts). The mathematics is that of src/slice/evaluate.ts, which stays the
// fallback and the test oracle:
//
//   θ(x, y) = θ₀ + x·U + y·V;  first-layer pre-activations Z(x, y) = Z₀ + x·Z_U + y·Z_V (n×m, the
//   three GEMMs are done by the caller); outputs f_sq(x, y) = c_q(x, y) + Σ_u a_uq(x, y)·σ(z_su),
//   a(x, y) = a₀ + x·a_U + y·a_V, c likewise; loss sum Σ_s Σ_q ℓ(f_sq; y_sq) per grid point.
//
// A job is the row panel j (all x_i at y = ys[j]): Zb = Z₀ + y·Z_V, P = a₀ + y·a_V, then per
// sample s the outputs at every x_i of the row and their loss terms, added to the panel's sums
// in sample order. Every thread runs `slicePanels`, claiming panels from an atomic counter; a
// panel's numbers depend on the panel alone, so the result is bitwise the same on any number of
// threads. Per sample and unit (A = Zb_su, B = Z_U,su, z_i = A + x_i·B is affine along the row):
//
//  - piecewise-linear σ(z) = z·(lo + (1 − lo)[z > 0]) (relu, leaky_relu, linear): the exact
//    sweep of evaluate.ts outputsPiecewiseLinearPanel — each unit's term (P + xQ)(A + xB) is a
//    quadratic in x that switches slope once, at the grid index found by `crossing`; difference
//    arrays and prefix sums give Σ over the active units at every x_i;
//  - tanh and the logistic sigmoid from G = e^{−cz} (tanh: c = 2, σ = 2/(1 + G) − 1; sigmoid:
//    c = 1, σ = 1/(1 + G)), two units per f64x2 step (lanes u, u + 1; m padded to even with a
//    zero-weight unit). Along the row z is affine, so G_{i+1} = G_i·r with r = e^{−cBh} (h the grid
//    step, r prepared once per run by the caller: it does not depend on the row); G is recomputed
//    exactly (expV, fdlibm) every RESTART points. Accuracy (test/slice/kernel.test.ts): within
//    4ε·(1 + σ′(z)(|A| + |B|·max|x|)) of σ(A + x·B) — a few ulp of 1 plus the rounding that z
//    itself carries at the grid's ends (the recurrence carries z from the last exact point, at
//    most RESTART·h·|B| away). Saturated runs (|cz| > RESTART_MAX_ARG at a restart) are exact
//    at every point.
//
// Losses: square ½(f − y)², logistic max(−q, 0) + log1p(e^{−|q|}) (q = y·f; stable for any q),
// exponential e^{−yf}: two grid points per f64x2 step with expV/log1pV (lib/simdmath.ts), lanes
// outside their domain through scalar Math. The unscaled sums are returned; the caller divides
// by n for a mean and takes the log-space path where the sum is below 1e-280 (losses.ts
// finishLoss).
import { EXPV_MAX_ABS, expV, log1pV } from "./lib/simdmath";

/** First free byte after the static data, 64-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** Activation codes (src/slice/panelKernel.ts ACT_CODE). */
const PIECEWISE_LINEAR: i32 = 0;
const TANH: i32 = 1;

/** Loss codes (src/slice/panelKernel.ts LOSS_CODE). */
const LOGISTIC: i32 = 0;
const EXPONENTIAL: i32 = 1;

/** Grid points between exact evaluations of G = e^{−cz} (the recurrence's drift grows with it). */
const RESTART: i32 = 8;

/** Largest |−c·z| at a restart for the recurrence to follow (RESTART·STEP_MAX_ARG more stays inside double). */
const RESTART_MAX_ARG: f64 = 300.0;

/** Largest |c·B·h| (one step's exponent) for the recurrence. */
const STEP_MAX_ARG: f64 = 40.0;

/** Header slots (f64) of slicePanels; see panelKernel.ts. */
const H_N: i32 = 0;
const H_M: i32 = 1;
const H_K: i32 = 2;
const H_NX: i32 = 3;
const H_NY: i32 = 4;
const H_ACT: i32 = 5;
const H_LO: i32 = 6;
const H_LOSS: i32 = 7;
const H_Z0: i32 = 8;
const H_ZU: i32 = 9;
const H_ZV: i32 = 10;
const H_XS: i32 = 11;
const H_YS: i32 = 12;
const H_Y: i32 = 13;
const H_A0: i32 = 14;
const H_AU: i32 = 15;
const H_AV: i32 = 16;
const H_C0: i32 = 17;
const H_CU: i32 = 18;
const H_CV: i32 = 19;
const H_OUT: i32 = 20;
const H_WORK: i32 = 21;
const H_WORK_STRIDE: i32 = 22;
/** e^{−c·Z_U·h} (n × m2) for tanh/sigmoid, prepared by the caller. */
const H_RATES: i32 = 23;

// @ts-ignore: decorator
@inline function slot(h: usize, i: i32): f64 {
  return load<f64>(h + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function put(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** nx rounded up to even (rows of the per-sample output buffer). */
// @ts-ignore: decorator
@inline function even(nx: i32): i32 {
  return (nx + 1) & ~1;
}

/**
 * Bytes of one thread's workspace (m2 = m rounded up to even, ne = nx rounded up to even): Zb
 * (n·m2), P and Pt, Qt (m·k, k·m2 each), cb (k), outputs F (k·ne), the two-lane accumulators
 * (2k·ne), loss sums (ne), the sweep's difference arrays ((nx + 1)·3k) and Σ_all (3k), each
 * region 64-byte aligned.
 */
export function panelWorkBytes(n: i32, m: i32, k: i32, nx: i32): f64 {
  const m2 = <f64>even(m);
  const ne = <f64>even(nx);
  const kf = <f64>k;
  const doubles = <f64>n * m2 + <f64>m * kf + 2.0 * kf * m2 + kf + 3.0 * kf * ne + ne + <f64>(nx + 1) * 3.0 * kf + 3.0 * kf;
  return 8.0 * doubles + 11.0 * 64.0;
}

/**
 * The first index i with (A + xs[i]·B > 0) == (B > 0), where the unit switches on (B > 0) or
 * off (B < 0) along the row (evaluate.ts `crossing`): guessed from the kink −A/B on the equally
 * spaced grid, corrected by the test itself, so it equals a binary search.
 */
function crossing(xs: usize, nx: i32, A: f64, B: f64, step: f64): i32 {
  const up = B > 0.0;
  const guess = Math.ceil((-A / B - at(xs, 0)) / step);
  let i: i32 = !(guess >= 0.0) ? 0 : guess <= <f64>nx ? <i32>guess : nx;
  while (i > 0 && (A + at(xs, i - 1) * B > 0.0) == up) i--;
  while (i < nx && (A + at(xs, i) * B > 0.0) != up) i++;
  return i;
}

/**
 * Outputs of one sample s at every x_i for piecewise-linear σ (slope lo below 0), by the sweep
 * (file comment): F[q·ne + i] = cb_q + x_i·cU_q + lo·Σ_all q_u(x_i) + (1 − lo)·Σ_active q_u(x_i).
 */
function samplePiecewiseLinear(
  zb: usize, zu: usize, m: i32, k: i32, xs: usize, nx: i32, lo: f64,
  P: usize, Q: usize, cb: usize, cU: usize, D: usize, all: usize, F: usize,
): void {
  const stride = 3 * k;
  const dl = 1.0 - lo;
  const step = nx > 1 ? (at(xs, nx - 1) - at(xs, 0)) / <f64>(nx - 1) : 1.0;
  const ne = even(nx);
  memory.fill(D, 0, <usize>((nx + 1) * stride) << 3);
  memory.fill(all, 0, <usize>stride << 3);
  for (let u = 0; u < m; u++) {
    const A = at(zb, u);
    const B = at(zu, u);
    let from = 0;
    let to = nx;
    if (B > 0.0) from = crossing(xs, nx, A, B, step);
    else if (B < 0.0) to = crossing(xs, nx, A, B, step);
    else if (!(A > 0.0)) to = 0;
    for (let q = 0; q < k; q++) {
      const p = at(P, u * k + q);
      const r = at(Q, u * k + q);
      const q0 = p * A;
      const q1 = p * B + r * A;
      const q2 = r * B;
      put(all, 3 * q, at(all, 3 * q) + q0);
      put(all, 3 * q + 1, at(all, 3 * q + 1) + q1);
      put(all, 3 * q + 2, at(all, 3 * q + 2) + q2);
      if (from < to) {
        const f0 = from * stride + 3 * q;
        const t0 = to * stride + 3 * q;
        put(D, f0, at(D, f0) + q0);
        put(D, f0 + 1, at(D, f0 + 1) + q1);
        put(D, f0 + 2, at(D, f0 + 2) + q2);
        put(D, t0, at(D, t0) - q0);
        put(D, t0 + 1, at(D, t0 + 1) - q1);
        put(D, t0 + 2, at(D, t0 + 2) - q2);
      }
    }
  }
  for (let q = 0; q < k; q++) {
    let c0 = 0.0;
    let c1 = 0.0;
    let c2 = 0.0;
    const a0 = at(all, 3 * q);
    const a1 = at(all, 3 * q + 1);
    const a2 = at(all, 3 * q + 2);
    const cbq = at(cb, q);
    const cuq = at(cU, q);
    for (let i = 0; i < nx; i++) {
      const o = i * stride + 3 * q;
      c0 += at(D, o);
      c1 += at(D, o + 1);
      c2 += at(D, o + 2);
      const x = at(xs, i);
      const active = c0 + x * (c1 + x * c2);
      const every = a0 + x * (a1 + x * a2);
      put(F, q * ne + i, cbq + x * cuq + lo * every + dl * active);
    }
  }
}

/**
 * Σ over the unit pair (u, u + 1) (the f64x2 lanes) of (P + x_i·Q)·σ(A + x_i·B) for every x_i,
 * added to the two-lane accumulators acc[q·2ne + 2i …] (EMIT = 0), or σ itself written to
 * out[2i + lane] (EMIT = 1, the test hook). σ from G = e^{−cz} (tanh: c = 2, σ = 2/(1 + G) − 1;
 * sigmoid: c = 1, σ = 1/(1 + G)), with G_{i+1} = G_i·r (r = e^{−cBh}, the caller's `rates`) and an
 * exact G = expV(−c·z_i) every RESTART points. A run of RESTART points is evaluated exactly at
 * every point when a lane's restart exponent is beyond ±RESTART_MAX_ARG or its step exponent
 * |cBh| beyond STEP_MAX_ARG: otherwise |log G| ≤ 300 + 7·40 < 708 along the run, so the product
 * never overflows, underflows or turns subnormal (exact points clamp the exponent to ±700, where
 * σ is saturated to within e^{−700}).
 */
// @ts-ignore: decorator
@inline function unitPairRow(
  EMIT: i32, TANH_SIGMA: bool, xs: usize, nx: i32, A: v128, B: v128, r: v128,
  Pt: usize, Qt: usize, u: i32, m2: i32, k: i32, acc: usize, ne: i32, out: usize,
): void {
  const cc = TANH_SIGMA ? 2.0 : 1.0;
  const ncv = f64x2.splat(-cc);
  const one = f64x2.splat(1.0);
  const num = f64x2.splat(TANH_SIGMA ? 2.0 : 1.0);
  const lim = f64x2.splat(EXPV_MAX_ABS);
  const nlim = f64x2.splat(-EXPV_MAX_ABS);
  const rlog = f64x2.abs(f64x2.mul(ncv, f64x2.mul(B, f64x2.splat(nx > 1 ? (load<f64>(xs + (<usize>(nx - 1) << 3)) - load<f64>(xs)) / <f64>(nx - 1) : 1.0))));
  const wildStep = !v128.all_true<i64>(f64x2.le(rlog, f64x2.splat(STEP_MAX_ARG)));
  const p1 = EMIT == 0 && k == 1 ? v128.load(Pt + (<usize>u << 3)) : f64x2.splat(0.0);
  const q1 = EMIT == 0 && k == 1 ? v128.load(Qt + (<usize>u << 3)) : f64x2.splat(0.0);
  const acc1 = acc;
  let G = f64x2.splat(0.0);
  let left = 0;
  let exact = false;
  for (let i = 0; i < nx; i++) {
    const xv = v128.load64_splat(xs + (<usize>i << 3));
    if (left == 0 || exact) {
      const arg = f64x2.mul(ncv, f64x2.add(A, f64x2.mul(xv, B)));
      G = expV(f64x2.min(f64x2.max(arg, nlim), lim));
      if (left == 0) {
        exact = wildStep || !v128.all_true<i64>(f64x2.le(f64x2.abs(arg), f64x2.splat(RESTART_MAX_ARG)));
        left = RESTART;
      }
    } else {
      G = f64x2.mul(G, r);
    }
    left--;
    let v = f64x2.div(num, f64x2.add(one, G));
    if (TANH_SIGMA) v = f64x2.sub(v, one);
    if (EMIT == 0 && k == 1) {
      // one output (the common case): the pair's weights stay in registers
      v128.store(acc1 + (<usize>i << 4), f64x2.add(v128.load(acc1 + (<usize>i << 4)), f64x2.mul(f64x2.add(p1, f64x2.mul(xv, q1)), v)));
    } else if (EMIT == 0) {
      for (let q = 0; q < k; q++) {
        const o = <usize>(q * m2 + u) << 3;
        const w = f64x2.add(v128.load(Pt + o), f64x2.mul(xv, v128.load(Qt + o)));
        const p = acc + (<usize>(2 * (q * ne + i)) << 3);
        v128.store(p, f64x2.add(v128.load(p), f64x2.mul(w, v)));
      }
    } else {
      v128.store(out + (<usize>(2 * i) << 3), v);
    }
  }
}

/**
 * Outputs of one sample at every x_i for σ = tanh or sigmoid: F[q·ne + i] = (cb_q + x_i·cU_q) +
 * Σ_pairs (lane 0 + lane 1). zb, zu, rates: the sample's rows (m2 entries, the padding unit has
 * zero weights); Pt, Qt: output weights transposed (k × m2, zero padded); acc: 2·k·ne doubles.
 */
function sampleExp(
  TANH_SIGMA: bool, zb: usize, zu: usize, rates: usize, m2: i32, k: i32, xs: usize, nx: i32,
  Pt: usize, Qt: usize, cb: usize, cU: usize, acc: usize, F: usize,
): void {
  const ne = even(nx);
  memory.fill(acc, 0, <usize>(2 * k * ne) << 3);
  for (let u = 0; u < m2; u += 2) {
    const o = <usize>u << 3;
    const A = v128.load(zb + o);
    const B = v128.load(zu + o);
    const r = v128.load(rates + o);
    if (TANH_SIGMA) unitPairRow(0, true, xs, nx, A, B, r, Pt, Qt, u, m2, k, acc, ne, 0);
    else unitPairRow(0, false, xs, nx, A, B, r, Pt, Qt, u, m2, k, acc, ne, 0);
  }
  for (let q = 0; q < k; q++) {
    const cbq = at(cb, q);
    const cuq = at(cU, q);
    for (let i = 0; i < nx; i++) {
      const t = 2 * (q * ne + i);
      put(F, q * ne + i, (cbq + at(xs, i) * cuq) + (at(acc, t) + at(acc, t + 1)));
    }
  }
}

/** Scalar loss term ℓ(f; y) (losses.ts lossSumRange). */
function lossScalar(loss: i32, f: f64, y: f64): f64 {
  if (loss == LOGISTIC) {
    const q = y * f;
    return (q < 0.0 ? -q : 0.0) + Math.log1p(Math.exp(q >= 0.0 ? -q : q));
  }
  if (loss == EXPONENTIAL) return Math.exp(-y * f);
  const r = f - y;
  return 0.5 * r * r;
}

/** S_i += Σ_q ℓ(F[q·ne + i]; y_q) for i < nx (y: the sample's k targets), two points per step. */
function addLosses(loss: i32, F: usize, y: usize, k: i32, nx: i32, S: usize): void {
  const ne = even(nx);
  const zero = f64x2.splat(0.0);
  const half = f64x2.splat(0.5);
  const lim = f64x2.splat(EXPV_MAX_ABS);
  const nx2 = nx & ~1;
  for (let q = 0; q < k; q++) {
    const yq = at(y, q);
    const yv = f64x2.splat(yq);
    const Fq = F + (<usize>(q * ne) << 3);
    for (let i = 0; i < nx2; i += 2) {
      const o = <usize>i << 3;
      const fv = v128.load(Fq + o);
      let l: v128;
      if (loss == LOGISTIC) {
        const qv = f64x2.mul(yv, fv);
        const aq = f64x2.abs(qv);
        if (v128.all_true<i64>(f64x2.le(aq, lim))) {
          l = f64x2.add(f64x2.max(f64x2.neg(qv), zero), log1pV(expV(f64x2.neg(aq))));
        } else {
          l = f64x2.replace_lane(f64x2.splat(lossScalar(loss, f64x2.extract_lane(fv, 0), yq)), 1, lossScalar(loss, f64x2.extract_lane(fv, 1), yq));
        }
      } else if (loss == EXPONENTIAL) {
        const arg = f64x2.neg(f64x2.mul(yv, fv));
        if (v128.all_true<i64>(f64x2.le(f64x2.abs(arg), lim))) {
          l = expV(arg);
        } else {
          l = f64x2.replace_lane(f64x2.splat(lossScalar(loss, f64x2.extract_lane(fv, 0), yq)), 1, lossScalar(loss, f64x2.extract_lane(fv, 1), yq));
        }
      } else {
        const r = f64x2.sub(fv, yv);
        l = f64x2.mul(f64x2.mul(half, r), r);
      }
      v128.store(S + o, f64x2.add(v128.load(S + o), l));
    }
    if (nx2 < nx) put(S, nx2, at(S, nx2) + lossScalar(loss, at(Fq, nx2), yq));
  }
}

/** 64-byte aligned address after `doubles` doubles at p. */
// @ts-ignore: decorator
@inline function after(p: usize, doubles: i32): usize {
  return (p + (<usize>doubles << 3) + 63) & ~(<usize>63);
}

/**
 * Row panel j: S_i = Σ_s Σ_q ℓ(f_sq(x_i, y_j); Y_sq) for every x_i, written to out[j·nx + i].
 * Z₀, Z_U, Z_V (and the rates) are n × m2, zero padded; work: panelWorkBytes bytes.
 */
function panel(h: usize, j: i32, work: usize): void {
  const n = <i32>slot(h, H_N);
  const m = <i32>slot(h, H_M);
  const k = <i32>slot(h, H_K);
  const nx = <i32>slot(h, H_NX);
  const act = <i32>slot(h, H_ACT);
  const lo = slot(h, H_LO);
  const loss = <i32>slot(h, H_LOSS);
  const Z0 = <usize>slot(h, H_Z0);
  const ZU = <usize>slot(h, H_ZU);
  const ZV = <usize>slot(h, H_ZV);
  const rates = <usize>slot(h, H_RATES);
  const xs = <usize>slot(h, H_XS);
  const Y = <usize>slot(h, H_Y);
  const a0 = <usize>slot(h, H_A0);
  const aU = <usize>slot(h, H_AU);
  const aV = <usize>slot(h, H_AV);
  const c0 = <usize>slot(h, H_C0);
  const cU = <usize>slot(h, H_CU);
  const cV = <usize>slot(h, H_CV);
  const y = at(<usize>slot(h, H_YS), j);
  const ne = even(nx);
  const m2 = even(m);
  const Zb = after(work, 0);
  const P = after(Zb, n * m2);
  const Pt = after(P, m * k);
  const Qt = after(Pt, k * m2);
  const cb = after(Qt, k * m2);
  const F = after(cb, k);
  const acc = after(F, k * ne);
  const S = after(acc, 2 * k * ne);
  const D = after(S, ne);
  const all = after(D, (nx + 1) * 3 * k);
  const yv = f64x2.splat(y);
  const nm = n * m2;
  for (let t = 0; t < nm; t += 2) {
    const o = <usize>t << 3;
    v128.store(Zb + o, f64x2.add(v128.load(Z0 + o), f64x2.mul(yv, v128.load(ZV + o))));
  }
  for (let u = 0; u < m * k; u++) put(P, u, at(a0, u) + y * at(aV, u));
  for (let q = 0; q < k; q++) put(cb, q, at(c0, q) + y * at(cV, q));
  memory.fill(Pt, 0, <usize>(k * m2) << 3);
  memory.fill(Qt, 0, <usize>(k * m2) << 3);
  for (let u = 0; u < m; u++) {
    for (let q = 0; q < k; q++) {
      put(Pt, q * m2 + u, at(P, u * k + q));
      put(Qt, q * m2 + u, at(aU, u * k + q));
    }
  }
  memory.fill(S, 0, <usize>ne << 3);
  for (let s = 0; s < n; s++) {
    const row = <usize>(s * m2) << 3;
    if (act == PIECEWISE_LINEAR) samplePiecewiseLinear(Zb + row, ZU + row, m, k, xs, nx, lo, P, aU, cb, cU, D, all, F);
    else if (act == TANH) sampleExp(true, Zb + row, ZU + row, rates + row, m2, k, xs, nx, Pt, Qt, cb, cU, acc, F);
    else sampleExp(false, Zb + row, ZU + row, rates + row, m2, k, xs, nx, Pt, Qt, cb, cU, acc, F);
    addLosses(loss, F, Y + (<usize>(s * k) << 3), k, nx, S);
  }
  memory.copy(<usize>slot(h, H_OUT) + (<usize>(j * nx) << 3), S, <usize>nx << 3);
}

/**
 * One thread's share of the panels (h: header, counter: the panel counter, thread: this thread's
 * index for its workspace). Returns the panels it ran.
 */
export function slicePanels(h: usize, counter: usize, thread: i32): i32 {
  const ny = <i32>slot(h, H_NY);
  const work = <usize>slot(h, H_WORK) + <usize>thread * <usize>slot(h, H_WORK_STRIDE);
  let ran = 0;
  for (;;) {
    const j = atomic.add<i32>(counter, 1);
    if (j >= ny) break;
    panel(h, j, work);
    ran++;
  }
  return ran;
}

/**
 * Test hook: out[2i + l] = σ(A_l + xs[i]·B_l) for i < nx and the two lanes l (σ = tanh for
 * tanh ≠ 0, else the sigmoid), by the kernel's own recurrence (step rates r_l = e^{−c·B_l·h}).
 */
export function sigmaRow(xs: usize, nx: i32, A0: f64, B0: f64, A1: f64, B1: f64, r0: f64, r1: f64, tanh: i32, out: usize): void {
  const A = f64x2.replace_lane(f64x2.splat(A0), 1, A1);
  const B = f64x2.replace_lane(f64x2.splat(B0), 1, B1);
  const r = f64x2.replace_lane(f64x2.splat(r0), 1, r1);
  if (tanh != 0) unitPairRow(1, true, xs, nx, A, B, r, 0, 0, 0, 0, 0, 0, 0, out);
  else unitPairRow(1, false, xs, nx, A, B, r, 0, 0, 0, 0, 0, 0, 0, out);
}
