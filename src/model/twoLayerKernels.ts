/**
 * Batch kernels of the two-layer network f(x) = Σ_j a_j σ(w_jᵀx + b_j) + c over n samples, in
 * matrix form (X n×d, W m×d, A m×k):
 *
 *   Z = X Wᵀ + 1bᵀ,  H = σ(Z),  F = H A + 1cᵀ                         (forward)
 *   given R = ∂ℒ/∂F (n×k):  dH = R Aᵀ,  dZ = dH ⊙ σ′(Z),
 *   ∂W = dZᵀ X,  ∂A = Hᵀ R,  ∂b = 1ᵀdZ,  ∂c = 1ᵀR                      (output VJP)
 *
 * Every step is per sample until the final reductions, so the batch is processed in blocks of
 * rows (`block`, sized so a block's n_b×m buffers stay in L2): ∂W is accumulated by GEMM (β = 1
 * after the first block), ∂A, ∂b, ∂c in zeroed workspace accumulators. All matrix products go
 * through linalg's gemmRaw. A and b are copied out of θ per call so that no inner loop reads an
 * array it also writes through another view (V8 cannot prove typed arrays do not alias).
 * Piecewise-linear σ with k = 1 (the hot homogeneous case) never stores σ(Z) or σ′(Z): both are
 * recomputed from Z with a branch-free slope lo + (1 − lo)·[z > 0].
 *
 * Workspaces are explicit scratch records (one per architecture and maximum n), reused by
 * repeated calls; they are not re-entrant.
 */
import { gemmRaw } from "../linalg/gemm.js";
import { applyActivation, piecewiseLinearSlope } from "./activations.js";
import type { TwoLayerArchitecture, TwoLayerLayout } from "./architecture.js";
import { twoLayerLayout } from "./architecture.js";
import type { LossName } from "./losses.js";
import { finishLoss, lossSumRange } from "./losses.js";
import type { LossValue } from "./objective.js";

/**
 * Target size, in float64 entries, of one n_b×m block buffer (512 KB: Z and dZ of a block stay in
 * a 2 MB L2). Measured with bench/model.ts at (n, d, m) = (10000, 50, 500): blocks of 64–260 rows
 * are within a few per cent of each other and ~10% faster than whole-batch buffers, which stream
 * 40 MB arrays through memory; at (1000, 20, 100) every choice is within noise.
 */
export const TWO_LAYER_BLOCK_ENTRIES = 65536;

/** Extra per-block buffers of the R-op (HVP) and Hessian. */
interface TwoLayerSecondOrderBuffers {
  D2: Float64Array; RZ: Float64Array; RH: Float64Array; RdZ: Float64Array; dH: Float64Array;
  RF: Float64Array; RG: Float64Array; d2F: Float64Array;
}

/** Scratch memory of the two-layer kernels for up to `capacity` samples. */
export interface TwoLayerWorkspace {
  readonly kind: "two-layer";
  readonly arch: TwoLayerArchitecture;
  readonly layout: TwoLayerLayout;
  readonly capacity: number;
  /** Rows per block. */
  readonly block: number;
  /** block×m: pre-activations Z, σ(Z), σ′(Z), ∂ℒ/∂Z of the current block (H, D unused on the fast path). */
  readonly Z: Float64Array;
  readonly H: Float64Array;
  readonly D: Float64Array;
  readonly dZ: Float64Array;
  /** capacity×k: outputs F and ∂ℒ/∂F of the whole batch. */
  readonly F: Float64Array;
  readonly dF: Float64Array;
  /** Copies of A (m×k) and b (m) taken from θ at the start of each call. */
  readonly A: Float64Array;
  readonly b: Float64Array;
  /** Accumulators of ∂A, ∂b, ∂c. */
  readonly gA: Float64Array;
  readonly gb: Float64Array;
  readonly gc: Float64Array;
  /** Allocated by the first HVP / Hessian call. */
  second: TwoLayerSecondOrderBuffers | null;
}

/** Rows per block for m hidden units and n samples (the whole batch when it is small). */
export function twoLayerBlockRows(n: number, m: number): number {
  if (n * m <= 2 * TWO_LAYER_BLOCK_ENTRIES) return Math.max(1, n);
  return Math.max(8, Math.min(n, Math.floor(TWO_LAYER_BLOCK_ENTRIES / m)));
}

/** A workspace for up to `capacity` samples. */
export function createTwoLayerWorkspace(arch: TwoLayerArchitecture, capacity: number, block?: number): TwoLayerWorkspace {
  const B = block ?? twoLayerBlockRows(capacity, arch.m);
  const bm = Math.max(1, B) * arch.m;
  return {
    kind: "two-layer", arch, layout: twoLayerLayout(arch), capacity, block: Math.max(1, B),
    Z: new Float64Array(bm),
    H: new Float64Array(bm),
    D: new Float64Array(bm),
    dZ: new Float64Array(bm),
    F: new Float64Array(Math.max(1, capacity) * arch.k),
    dF: new Float64Array(Math.max(1, capacity) * arch.k),
    A: new Float64Array(arch.m * arch.k), b: new Float64Array(arch.m),
    gA: new Float64Array(arch.m * arch.k), gb: new Float64Array(arch.m), gc: new Float64Array(arch.k),
    second: null,
  };
}

function secondOrderBuffers(ws: TwoLayerWorkspace): TwoLayerSecondOrderBuffers {
  if (ws.second) return ws.second;
  const bm = ws.block * ws.arch.m;
  const bk = ws.block * ws.arch.k;
  ws.second = {
    D2: new Float64Array(bm), RZ: new Float64Array(bm), RH: new Float64Array(bm),
    RdZ: new Float64Array(bm), dH: new Float64Array(bm),
    RF: new Float64Array(bk), RG: new Float64Array(bk), d2F: new Float64Array(Math.max(1, ws.capacity) * ws.arch.k),
  };
  return ws.second;
}

/** Scalar output with a piecewise-linear σ: the Z-only path. */
function isFastPath(arch: TwoLayerArchitecture): boolean {
  return arch.k === 1 && piecewiseLinearSlope(arch.activation) !== null;
}

function checkCapacity(ws: TwoLayerWorkspace, n: number): void {
  if (n > ws.capacity) throw new RangeError(`two-layer workspace holds ${ws.capacity} samples, got ${n}`);
}

/** Copy A and b out of θ into the workspace (the inner loops then read arrays that no store aliases). */
function loadParams(ws: TwoLayerWorkspace, theta: Float64Array): void {
  const L = ws.layout;
  const { m, k } = ws.arch;
  for (let t = 0; t < m * k; t++) ws.A[t] = theta[L.a + t];
  if (L.b >= 0) for (let j = 0; j < m; j++) ws.b[j] = theta[L.b + j];
}

/** Z[i, :] += b for the first nb rows. */
function addRowVector(Z: Float64Array, nb: number, m: number, b: Float64Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) Z[o + j] += b[j];
  }
}

/** F[fOff + i] = κ·(Σ_j a_j σ(Z_ij) + c) for σ(z) = z·(lo + (1 − lo)[z > 0]) (branch-free). */
function pwlOutputs(
  Z: Float64Array, nb: number, m: number, a: Float64Array, lo: number, c: number, kappa: number,
  F: Float64Array, fOff: number,
): void {
  const dl = 1 - lo;
  for (let i = 0; i < nb; i++) {
    const o = i * m;
    let f = 0;
    for (let j = 0; j < m; j++) {
      const z = Z[o + j];
      f += a[j] * z * (lo + dl * +(z > 0));
    }
    F[fOff + i] = kappa * (f + c);
  }
}

/** F[fOff + i] = κ·(Σ_j a_j H_ij + c). */
function denseOutputs(
  H: Float64Array, nb: number, m: number, a: Float64Array, c: number, kappa: number, F: Float64Array, fOff: number,
): void {
  for (let i = 0; i < nb; i++) {
    const o = i * m;
    let f = 0;
    for (let j = 0; j < m; j++) f += a[j] * H[o + j];
    F[fOff + i] = kappa * (f + c);
  }
}

/**
 * Piecewise-linear σ, k = 1: s_ij = r_i·σ′(z_ij), dZ_ij = a_j s_ij, ga_j += s_ij z_ij (= r_i σ(z_ij)).
 */
function pwlBackward(
  Z: Float64Array, nb: number, m: number, a: Float64Array, lo: number, R: Float64Array, rOff: number,
  dZ: Float64Array, ga: Float64Array,
): void {
  const dl = 1 - lo;
  for (let i = 0; i < nb; i++) {
    const r = R[rOff + i];
    const o = i * m;
    for (let j = 0; j < m; j++) {
      const z = Z[o + j];
      const s = r * (lo + dl * +(z > 0));
      dZ[o + j] = a[j] * s;
      ga[j] += s * z;
    }
  }
}

/** k = 1: dZ_ij = r_i a_j σ′(z_ij), ga_j += r_i σ(z_ij). */
function denseBackward(
  H: Float64Array, D: Float64Array, nb: number, m: number, a: Float64Array, R: Float64Array, rOff: number,
  dZ: Float64Array, ga: Float64Array,
): void {
  for (let i = 0; i < nb; i++) {
    const r = R[rOff + i];
    const o = i * m;
    for (let j = 0; j < m; j++) {
      dZ[o + j] = r * a[j] * D[o + j];
      ga[j] += r * H[o + j];
    }
  }
}

/** out[j] += Σ_i M_ij over the first nb rows of an (· × m) matrix. */
function addColumnSums(M: Float64Array, nb: number, m: number, out: Float64Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) out[j] += M[o + j];
  }
}

/**
 * Block forward: Z = X_b Wᵀ + b; when `general`, H = σ(Z) and (if D given) D = σ′(Z), D2 = σ″(Z);
 * when F is given, rows r0.. of F get κ·(σ(Z) A + c). Needs loadParams(ws, θ) first.
 */
function forwardBlock(
  ws: TwoLayerWorkspace, theta: Float64Array, X: Float64Array, r0: number, nb: number,
  general: boolean, D: Float64Array | null, D2: Float64Array | null, F: Float64Array | null, kappa: number,
): void {
  const { d, m, k } = ws.arch;
  const L = ws.layout;
  const Z = ws.Z;
  gemmRaw(false, true, nb, m, d, 1, X, r0 * d, d, theta, L.W, d, 0, Z, 0, m);
  if (L.b >= 0) addRowVector(Z, nb, m, ws.b);
  if (general) applyActivation(ws.arch.activation, Z, 0, nb * m, ws.H, D, D2);
  if (!F) return;
  if (k === 1) {
    const c = L.c >= 0 ? theta[L.c] : 0;
    if (general) denseOutputs(ws.H, nb, m, ws.A, c, kappa, F, r0);
    else pwlOutputs(Z, nb, m, ws.A, piecewiseLinearSlope(ws.arch.activation)!, c, kappa, F, r0);
    return;
  }
  gemmRaw(false, false, nb, k, m, 1, ws.H, 0, m, ws.A, 0, k, 0, F, r0 * k, k);
  for (let i = 0; i < nb; i++) {
    const o = (r0 + i) * k;
    for (let c = 0; c < k; c++) F[o + c] = kappa * (F[o + c] + (L.c >= 0 ? theta[L.c + c] : 0));
  }
}

/**
 * Block backward (output VJP) with R rows r0.. (n×k): accumulates Σ_i R_iᵀ ∂F_i/∂θ — ∂A into
 * ws.gA, ∂b into ws.gb, ∂c into ws.gc (zeroed by beginGradient), ∂W into grad (β = 0 when `first`).
 */
function backwardBlock(
  ws: TwoLayerWorkspace, X: Float64Array, r0: number, nb: number,
  general: boolean, R: Float64Array, grad: Float64Array, first: boolean,
): void {
  const { d, m, k } = ws.arch;
  const L = ws.layout;
  const dZ = ws.dZ;
  if (k === 1) {
    if (general) denseBackward(ws.H, ws.D, nb, m, ws.A, R, r0, dZ, ws.gA);
    else pwlBackward(ws.Z, nb, m, ws.A, piecewiseLinearSlope(ws.arch.activation)!, R, r0, dZ, ws.gA);
  } else {
    gemmRaw(false, true, nb, m, k, 1, R, r0 * k, k, ws.A, 0, k, 0, dZ, 0, m);
    const D = ws.D;
    const len = nb * m;
    for (let t = 0; t < len; t++) dZ[t] *= D[t];
    gemmRaw(true, false, m, k, nb, 1, ws.H, 0, m, R, r0 * k, k, 1, ws.gA, 0, k);
  }
  if (L.b >= 0) addColumnSums(dZ, nb, m, ws.gb);
  if (L.c >= 0) addColumnSums(R.subarray(r0 * k), nb, k, ws.gc);
  gemmRaw(true, false, m, d, nb, 1, dZ, 0, m, X, r0 * d, d, first ? 0 : 1, grad, L.W, d);
}

/** Zero the accumulators ∂A, ∂b, ∂c. */
function beginGradient(ws: TwoLayerWorkspace): void {
  ws.gA.fill(0);
  ws.gb.fill(0);
  ws.gc.fill(0);
}

/** Copy the accumulated ∂A, ∂b, ∂c into grad (∂W is already there). */
function endGradient(ws: TwoLayerWorkspace, grad: Float64Array): void {
  const L = ws.layout;
  grad.set(ws.gA, L.a);
  if (L.b >= 0) grad.set(ws.gb, L.b);
  if (L.c >= 0) grad.set(ws.gc, L.c);
}

/**
 * Outputs F = σ(X Wᵀ + b) A + c of the first n rows of X into F (n×k, row-major).
 */
export function twoLayerForward(ws: TwoLayerWorkspace, theta: Float64Array, X: Float64Array, n: number, F: Float64Array): void {
  checkCapacity(ws, n);
  const general = !isFastPath(ws.arch);
  loadParams(ws, theta);
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    forwardBlock(ws, theta, X, r0, nb, general, null, null, F, 1);
  }
}

/**
 * Output VJP: grad ← Σ_i R_iᵀ ∂f(x_i)/∂θ for R (n×k), i.e. ∂W = dZᵀX, ∂A = HᵀR, ∂b, ∂c as above.
 */
export function twoLayerVjp(
  ws: TwoLayerWorkspace, theta: Float64Array, X: Float64Array, n: number, R: Float64Array, grad: Float64Array,
): void {
  checkCapacity(ws, n);
  const general = !isFastPath(ws.arch);
  loadParams(ws, theta);
  beginGradient(ws);
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    forwardBlock(ws, theta, X, r0, nb, general, general ? ws.D : null, null, null, 1);
    backwardBlock(ws, X, r0, nb, general, R, grad, r0 === 0);
  }
  endGradient(ws, grad);
}

/**
 * Fused loss and gradient: F = κ·f(X; θ) (κ = 1 except for evaluateScaled), ℒ = s·Σ ℓ(F; Y),
 * and, when grad is given, grad ← Σ_i (∂ℒ/∂F_i)ᵀ ∂f(x_i)/∂θ (= ∇ℒ when κ = 1). Leaves F and
 * ∂ℒ/∂F in ws.F, ws.dF.
 */
export function twoLayerLossGradient(
  ws: TwoLayerWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, kappa: number, grad: Float64Array | null,
): LossValue {
  checkCapacity(ws, n);
  const { k } = ws.arch;
  const general = !isFastPath(ws.arch);
  const s = mean ? 1 / n : 1;
  loadParams(ws, theta);
  if (grad) beginGradient(ws);
  let total = 0;
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    forwardBlock(ws, theta, X, r0, nb, general, grad && general ? ws.D : null, null, ws.F, kappa);
    total += lossSumRange(loss, ws.F, Y, r0 * k, nb * k, s, grad ? ws.dF : null, null);
    if (grad) backwardBlock(ws, X, r0, nb, general, ws.dF, grad, r0 === 0);
  }
  if (grad) endGradient(ws, grad);
  return finishLoss(loss, total, ws.F, Y, n, k, mean);
}

/**
 * Exact Hessian–vector product by Pearlmutter's R-operator, R{·} = d/dε (·)(θ + εv)|₀, with
 * v = (V_W, V_A, V_b, V_c) and G = ∂ℒ/∂F, Λ = ∂²ℒ/∂F² (diagonal):
 *   R{Z} = X V_Wᵀ + 1V_bᵀ,  R{H} = σ′(Z) ⊙ R{Z},  R{F} = R{H} A + H V_A + 1V_cᵀ,  R{G} = Λ ⊙ R{F},
 *   dH = G Aᵀ,  R{dH} = R{G} Aᵀ + G V_Aᵀ,  R{dZ} = R{dH} ⊙ σ′(Z) + dH ⊙ σ″(Z) ⊙ R{Z},
 *   (∇²ℒ v)_W = R{dZ}ᵀ X,  _A = R{H}ᵀ G + Hᵀ R{G},  _b = 1ᵀR{dZ},  _c = 1ᵀR{G}.
 * Writes ∇²ℒ(θ)·v into out; returns ℒ(θ). σ″ = 0 for relu-type σ (a.e.; kinks are not seen).
 */
export function twoLayerHvp(
  ws: TwoLayerWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, v: Float64Array, out: Float64Array,
): LossValue {
  checkCapacity(ws, n);
  const { d, m, k } = ws.arch;
  const L = ws.layout;
  const sb = secondOrderBuffers(ws);
  const { D2, RZ, RH, RdZ, dH, RF, RG, d2F } = sb;
  const s = mean ? 1 / n : 1;
  const aOff = L.a;
  const A = ws.A;
  loadParams(ws, theta);
  out.fill(0, L.a);
  let total = 0;
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    const first = r0 === 0;
    forwardBlock(ws, theta, X, r0, nb, true, ws.D, D2, ws.F, 1);
    total += lossSumRange(loss, ws.F, Y, r0 * k, nb * k, s, ws.dF, d2F);
    const Hb = ws.H;
    const Db = ws.D;
    const G = ws.dF;
    gemmRaw(false, true, nb, m, d, 1, X, r0 * d, d, v, L.W, d, 0, RZ, 0, m);
    if (L.b >= 0) {
      for (let i = 0; i < nb; i++) for (let j = 0; j < m; j++) RZ[i * m + j] += v[L.b + j];
    }
    if (k === 1) {
      const vc = L.c >= 0 ? v[L.c] : 0;
      let rgSum = 0;
      for (let i = 0; i < nb; i++) {
        const o = i * m;
        let rf = vc;
        for (let j = 0; j < m; j++) {
          const rh = Db[o + j] * RZ[o + j];
          RH[o + j] = rh;
          rf += rh * A[j] + Hb[o + j] * v[aOff + j];
        }
        const g = G[r0 + i];
        const rg = d2F[r0 + i] * rf;
        rgSum += rg;
        for (let j = 0; j < m; j++) {
          const dh = g * A[j];
          const rdh = rg * A[j] + g * v[aOff + j];
          const rdz = rdh * Db[o + j] + dh * D2[o + j] * RZ[o + j];
          RdZ[o + j] = rdz;
          out[aOff + j] += RH[o + j] * g + Hb[o + j] * rg;
        }
      }
      if (L.c >= 0) out[L.c] += rgSum;
    } else {
      const len = nb * m;
      for (let t = 0; t < len; t++) RH[t] = Db[t] * RZ[t];
      gemmRaw(false, false, nb, k, m, 1, RH, 0, m, theta, aOff, k, 0, RF, 0, k);
      gemmRaw(false, false, nb, k, m, 1, Hb, 0, m, v, aOff, k, 1, RF, 0, k);
      for (let i = 0; i < nb; i++) {
        for (let c = 0; c < k; c++) {
          const rf = RF[i * k + c] + (L.c >= 0 ? v[L.c + c] : 0);
          const rg = d2F[(r0 + i) * k + c] * rf;
          RG[i * k + c] = rg;
          if (L.c >= 0) out[L.c + c] += rg;
        }
      }
      gemmRaw(false, true, nb, m, k, 1, G, r0 * k, k, theta, aOff, k, 0, dH, 0, m);
      gemmRaw(false, true, nb, m, k, 1, RG, 0, k, theta, aOff, k, 0, RdZ, 0, m);
      gemmRaw(false, true, nb, m, k, 1, G, r0 * k, k, v, aOff, k, 1, RdZ, 0, m);
      for (let t = 0; t < len; t++) RdZ[t] = RdZ[t] * Db[t] + dH[t] * D2[t] * RZ[t];
      gemmRaw(true, false, m, k, nb, 1, RH, 0, m, G, r0 * k, k, 1, out, aOff, k);
      gemmRaw(true, false, m, k, nb, 1, Hb, 0, m, RG, 0, k, 1, out, aOff, k);
    }
    if (L.b >= 0) {
      for (let i = 0; i < nb; i++) for (let j = 0; j < m; j++) out[L.b + j] += RdZ[i * m + j];
    }
    gemmRaw(true, false, m, d, nb, 1, RdZ, 0, m, X, r0 * d, d, first ? 0 : 1, out, L.W, d);
  }
  return finishLoss(loss, total, ws.F, Y, n, k, mean);
}

/**
 * Per-sample output Jacobian J (n·k × p, row i·k + c = ∂F_ic/∂θ) into J with row stride ldJ:
 *   ∂F_c/∂W_j = A_jc σ′(z_j) x,  ∂F_c/∂A_jc′ = δ_cc′ σ(z_j),  ∂F_c/∂b_j = A_jc σ′(z_j),  ∂F_c/∂c_c′ = δ_cc′.
 */
export function twoLayerJacobian(
  ws: TwoLayerWorkspace, theta: Float64Array, X: Float64Array, n: number, J: Float64Array, ldJ: number,
): void {
  checkCapacity(ws, n);
  const { d, m, k } = ws.arch;
  const L = ws.layout;
  loadParams(ws, theta);
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    forwardBlock(ws, theta, X, r0, nb, true, ws.D, null, null, 1);
    const H = ws.H;
    const D = ws.D;
    for (let i = 0; i < nb; i++) {
      const xi = (r0 + i) * d;
      for (let c = 0; c < k; c++) {
        const row = ((r0 + i) * k + c) * ldJ;
        J.fill(0, row, row + L.size);
        for (let j = 0; j < m; j++) {
          const g = theta[L.a + j * k + c] * D[i * m + j];
          const w = row + L.W + j * d;
          for (let q = 0; q < d; q++) J[w + q] = g * X[xi + q];
          J[row + L.a + j * k + c] = H[i * m + j];
          if (L.b >= 0) J[row + L.b + j] = g;
        }
        if (L.c >= 0) J[row + L.c + c] = 1;
      }
    }
  }
}

/**
 * The part of the Hessian that the Gauss–Newton term misses, S = Σ_i Σ_c G_ic ∇²F_ic (G = ∂ℒ/∂F),
 * ADDED into Hs (p×p, row stride p; both triangles). Only same-unit blocks are nonzero: with
 * s_ij = Σ_c G_ic A_jc σ″(z_ij),
 *   (W_j, W_j) += Σ_i s_ij x_i x_iᵀ,  (W_j, A_jc) += Σ_i G_ic σ′(z_ij) x_i,  (W_j, b_j) += Σ_i s_ij x_i,
 *   (A_jc, b_j) += Σ_i G_ic σ′(z_ij),  (b_j, b_j) += Σ_i s_ij.
 * G (n×k) is ∂ℒ/∂F at θ (e.g. from lossOnOutputs); the forward pass is recomputed block by block.
 */
export function twoLayerAddSecondOrderTerm(
  ws: TwoLayerWorkspace, theta: Float64Array, X: Float64Array, n: number, G: Float64Array, Hs: Float64Array,
): void {
  const { d, m, k } = ws.arch;
  const L = ws.layout;
  const p = L.size;
  const sb = secondOrderBuffers(ws);
  const D2 = sb.D2;
  const S = sb.RZ; // s_ij for the block
  const GD = sb.RH; // G_ic σ′(z_ij) for one c
  const XtGD = new Float64Array(d * m);
  const hasCurvature = piecewiseLinearSlope(ws.arch.activation) === null; // σ″ ≡ 0 otherwise
  checkCapacity(ws, n);
  loadParams(ws, theta);
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    forwardBlock(ws, theta, X, r0, nb, true, ws.D, D2, null, 1);
    const D = ws.D;
    // (W_j, A_jc), (A_jc, b_j): per output c, Xᵀ (G_:c ⊙ σ′(Z)).
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < nb; i++) {
        const g = G[(r0 + i) * k + c];
        for (let j = 0; j < m; j++) GD[i * m + j] = g * D[i * m + j];
      }
      gemmRaw(true, false, d, m, nb, 1, X, r0 * d, d, GD, 0, m, 0, XtGD, 0, m);
      for (let j = 0; j < m; j++) {
        const col = L.a + j * k + c;
        for (let q = 0; q < d; q++) {
          const row = L.W + j * d + q;
          const v = XtGD[q * m + j];
          Hs[row * p + col] += v;
          Hs[col * p + row] += v;
        }
        if (L.b >= 0) {
          let sum = 0;
          for (let i = 0; i < nb; i++) sum += GD[i * m + j];
          Hs[col * p + L.b + j] += sum;
          Hs[(L.b + j) * p + col] += sum;
        }
      }
    }
    if (!hasCurvature) continue;
    // s_ij = Σ_c G_ic A_jc σ″(z_ij)
    for (let i = 0; i < nb; i++) {
      for (let j = 0; j < m; j++) {
        let g = 0;
        for (let c = 0; c < k; c++) g += G[(r0 + i) * k + c] * theta[L.a + j * k + c];
        S[i * m + j] = g * D2[i * m + j];
      }
    }
    for (let i = 0; i < nb; i++) {
      const xi = (r0 + i) * d;
      for (let j = 0; j < m; j++) {
        const sij = S[i * m + j];
        if (sij === 0) continue;
        const w = L.W + j * d;
        for (let q = 0; q < d; q++) {
          const sq = sij * X[xi + q];
          const rowOff = (w + q) * p + w;
          for (let r = 0; r < d; r++) Hs[rowOff + r] += sq * X[xi + r];
          if (L.b >= 0) {
            Hs[(w + q) * p + L.b + j] += sq;
            Hs[(L.b + j) * p + w + q] += sq;
          }
        }
        if (L.b >= 0) Hs[(L.b + j) * p + L.b + j] += sij;
      }
    }
  }
}
