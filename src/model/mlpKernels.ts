/**
 * Batch kernels of the bias-free deep network f(x) = W_L σ(… σ(W_1 x)) over n samples (rows),
 * with H_0 = X and, for l = 1…L,
 *
 *   Z_l = H_{l−1} W_lᵀ,   H_l = σ(Z_l) (l < L),   F = Z_L                          (forward)
 *   given R = ∂ℒ/∂F:  dZ_L = R,  ∂W_l = dZ_lᵀ H_{l−1},  dZ_{l−1} = (dZ_l W_l) ⊙ σ′(Z_{l−1})   (VJP)
 *
 * Whole-batch buffers (the deep networks studied here are narrow); every product goes through
 * linalg's gemmRaw. Workspaces are explicit scratch records reused across calls, not re-entrant.
 */
import { gemmRaw } from "../linalg/gemm.js";
import { applyActivation } from "./activations.js";
import type { MlpArchitecture } from "./architecture.js";
import { mlpLayerOffsets } from "./architecture.js";
import type { LossName } from "./losses.js";
import { finishLoss, lossSumRange } from "./losses.js";
import type { LossValue } from "./objective.js";

interface MlpSecondOrderBuffers {
  /** σ″(Z_l) per hidden layer. */
  D2: Float64Array[];
  /** R{Z_l} per layer, R{H_l} per hidden layer. */
  RZ: Float64Array[];
  RH: Float64Array[];
  /** Ping-pong buffers for R{dZ}. */
  Ra: Float64Array;
  Rb: Float64Array;
  d2F: Float64Array;
}

/** Scratch memory of the MLP kernels for up to `capacity` samples. */
export interface MlpWorkspace {
  readonly kind: "mlp";
  readonly arch: MlpArchitecture;
  readonly capacity: number;
  /** Offsets of W_1…W_L in θ, then p. */
  readonly offsets: readonly number[];
  /** Z_l (capacity×w_l) for l = 1…L; Z_L holds the outputs F. */
  readonly Z: Float64Array[];
  /** H_l = σ(Z_l), D_l = σ′(Z_l) for the hidden layers l = 1…L−1. */
  readonly H: Float64Array[];
  readonly D: Float64Array[];
  /** Ping-pong buffers for dZ (capacity × max width). */
  readonly da: Float64Array;
  readonly db: Float64Array;
  /** ∂ℒ/∂F (capacity×out). */
  readonly dF: Float64Array;
  second: MlpSecondOrderBuffers | null;
}

/** A workspace for up to `capacity` samples. */
export function createMlpWorkspace(arch: MlpArchitecture, capacity: number): MlpWorkspace {
  const w = arch.widths;
  const L = w.length - 1;
  const cap = Math.max(1, capacity);
  const maxW = Math.max(...w);
  const Z: Float64Array[] = [];
  const H: Float64Array[] = [];
  const D: Float64Array[] = [];
  for (let l = 1; l <= L; l++) {
    Z.push(new Float64Array(cap * w[l]));
    if (l < L) {
      H.push(new Float64Array(cap * w[l]));
      D.push(new Float64Array(cap * w[l]));
    }
  }
  return {
    kind: "mlp", arch, capacity, offsets: mlpLayerOffsets(arch), Z, H, D,
    da: new Float64Array(cap * maxW), db: new Float64Array(cap * maxW),
    dF: new Float64Array(cap * w[L]), second: null,
  };
}

function secondOrderBuffers(ws: MlpWorkspace): MlpSecondOrderBuffers {
  if (ws.second) return ws.second;
  const w = ws.arch.widths;
  const L = w.length - 1;
  const cap = Math.max(1, ws.capacity);
  const maxW = Math.max(...w);
  const D2: Float64Array[] = [];
  const RZ: Float64Array[] = [];
  const RH: Float64Array[] = [];
  for (let l = 1; l <= L; l++) {
    RZ.push(new Float64Array(cap * w[l]));
    if (l < L) {
      D2.push(new Float64Array(cap * w[l]));
      RH.push(new Float64Array(cap * w[l]));
    }
  }
  ws.second = { D2, RZ, RH, Ra: new Float64Array(cap * maxW), Rb: new Float64Array(cap * maxW), d2F: new Float64Array(cap * w[L]) };
  return ws.second;
}

function checkCapacity(ws: MlpWorkspace, n: number): void {
  if (n > ws.capacity) throw new RangeError(`mlp workspace holds ${ws.capacity} samples, got ${n}`);
}

/** Input of layer l (0-based): X for l = 0, else H_l. */
function layerInput(ws: MlpWorkspace, X: Float64Array, l: number): Float64Array {
  return l === 0 ? X : ws.H[l - 1];
}

/**
 * Forward pass over the first n rows of X: fills Z_l, H_l, σ′ (and σ″ into D2 when given);
 * returns ws.Z[L−1] = F (n×out), scaled by κ.
 */
function forwardPass(ws: MlpWorkspace, theta: Float64Array, X: Float64Array, n: number, D2: Float64Array[] | null, kappa: number): Float64Array {
  const w = ws.arch.widths;
  const L = w.length - 1;
  for (let l = 0; l < L; l++) {
    const inp = layerInput(ws, X, l);
    gemmRaw(false, true, n, w[l + 1], w[l], 1, inp, 0, w[l], theta, ws.offsets[l], w[l], 0, ws.Z[l], 0, w[l + 1]);
    if (l < L - 1) applyActivation(ws.arch.activation, ws.Z[l], 0, n * w[l + 1], ws.H[l], ws.D[l], D2 ? D2[l] : null);
  }
  const F = ws.Z[L - 1];
  if (kappa !== 1) {
    const len = n * w[L];
    for (let t = 0; t < len; t++) F[t] *= kappa;
  }
  return F;
}

/**
 * Backward pass from R (n×out) after a forward pass: grad ← Σ_i R_iᵀ ∂f(x_i)/∂θ.
 * When `keep` is given, keep[l] receives dZ_{l+1} (n×w_{l+1}) for every layer.
 */
function backwardPass(
  ws: MlpWorkspace, theta: Float64Array, X: Float64Array, n: number, R: Float64Array, grad: Float64Array | null,
  keep: Float64Array[] | null,
): void {
  const w = ws.arch.widths;
  const L = w.length - 1;
  let cur = R;
  for (let l = L - 1; l >= 0; l--) {
    if (keep) keep[l].set(cur.subarray(0, n * w[l + 1]));
    if (grad) {
      gemmRaw(true, false, w[l + 1], w[l], n, 1, cur, 0, w[l + 1], layerInput(ws, X, l), 0, w[l], 0, grad, ws.offsets[l], w[l]);
    }
    if (l === 0) break;
    const next = cur === ws.da ? ws.db : ws.da;
    gemmRaw(false, false, n, w[l], w[l + 1], 1, cur, 0, w[l + 1], theta, ws.offsets[l], w[l], 0, next, 0, w[l]);
    const D = ws.D[l - 1];
    const len = n * w[l];
    for (let t = 0; t < len; t++) next[t] *= D[t];
    cur = next;
  }
}

/** Outputs F (n×out) of the first n rows of X, copied into F. */
export function mlpForward(ws: MlpWorkspace, theta: Float64Array, X: Float64Array, n: number, F: Float64Array): void {
  checkCapacity(ws, n);
  const out = forwardPass(ws, theta, X, n, null, 1);
  F.set(out.subarray(0, n * ws.arch.widths[ws.arch.widths.length - 1]));
}

/** Output VJP: grad ← Σ_i R_iᵀ ∂f(x_i)/∂θ (∂W_l = dZ_lᵀ H_{l−1}, see the header). */
export function mlpVjp(ws: MlpWorkspace, theta: Float64Array, X: Float64Array, n: number, R: Float64Array, grad: Float64Array): void {
  checkCapacity(ws, n);
  forwardPass(ws, theta, X, n, null, 1);
  backwardPass(ws, theta, X, n, R, grad, null);
}

/**
 * Fused loss and gradient: F = κ·f(X; θ), ℒ = s·Σ ℓ(F; Y); when grad is given,
 * grad ← Σ_i (∂ℒ/∂F_i)ᵀ ∂f(x_i)/∂θ (= ∇ℒ when κ = 1). F stays in ws.Z[L−1], ∂ℒ/∂F in ws.dF.
 */
export function mlpLossGradient(
  ws: MlpWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, kappa: number, grad: Float64Array | null,
): LossValue {
  checkCapacity(ws, n);
  const k = ws.arch.widths[ws.arch.widths.length - 1];
  const F = forwardPass(ws, theta, X, n, null, kappa);
  const total = lossSumRange(loss, F, Y, 0, n * k, mean ? 1 / n : 1, grad ? ws.dF : null, null);
  if (grad) backwardPass(ws, theta, X, n, ws.dF, grad, null);
  return finishLoss(loss, total, F, Y, n, k, mean);
}

/**
 * Exact Hessian–vector product (Pearlmutter R-operator), v = (V_1, …, V_L), G = ∂ℒ/∂F,
 * Λ = ∂²ℒ/∂F² (diagonal):
 *   R{Z_1} = X V_1ᵀ,  R{Z_l} = R{H_{l−1}} W_lᵀ + H_{l−1} V_lᵀ,  R{H_l} = σ′(Z_l) ⊙ R{Z_l},
 *   R{dZ_L} = Λ ⊙ R{Z_L};  for l = L…1:
 *   (∇²ℒ v)_l = R{dZ_l}ᵀ H_{l−1} + dZ_lᵀ R{H_{l−1}},
 *   R{dZ_{l−1}} = (R{dZ_l} W_l + dZ_l V_l) ⊙ σ′(Z_{l−1}) + (dZ_l W_l) ⊙ σ″(Z_{l−1}) ⊙ R{Z_{l−1}}.
 * Writes ∇²ℒ(θ)·v into out; returns ℒ(θ).
 */
export function mlpHvp(
  ws: MlpWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, v: Float64Array, out: Float64Array,
): LossValue {
  const value = mlpHvpPrepare(ws, theta, X, Y, n, loss, mean);
  mlpHvpApply(ws, theta, X, n, v, out);
  return value;
}

/**
 * The θ-dependent half of mlpHvp: forward pass with σ′, σ″ and the output derivatives G, Λ, kept
 * in the workspace so that mlpHvpApply can be called for many v at the same θ (dense Hessians,
 * Lanczos) without repeating it. Returns ℒ(θ).
 */
export function mlpHvpPrepare(
  ws: MlpWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number, loss: LossName, mean: boolean,
): LossValue {
  checkCapacity(ws, n);
  const k = ws.arch.widths[ws.arch.widths.length - 1];
  const sb = secondOrderBuffers(ws);
  const F = forwardPass(ws, theta, X, n, sb.D2, 1);
  const total = lossSumRange(loss, F, Y, 0, n * k, mean ? 1 / n : 1, ws.dF, sb.d2F);
  return finishLoss(loss, total, F, Y, n, k, mean);
}

/**
 * out ← ∇²ℒ(θ)·v after mlpHvpPrepare(ws, θ, …) on the same θ and data (and no other kernel
 * call on ws in between).
 */
export function mlpHvpApply(ws: MlpWorkspace, theta: Float64Array, X: Float64Array, n: number, v: Float64Array, out: Float64Array): void {
  checkCapacity(ws, n);
  const w = ws.arch.widths;
  const L = w.length - 1;
  const k = w[L];
  const off = ws.offsets;
  const sb = secondOrderBuffers(ws);
  // R-forward.
  for (let l = 0; l < L; l++) {
    if (l === 0) {
      gemmRaw(false, true, n, w[1], w[0], 1, X, 0, w[0], v, off[0], w[0], 0, sb.RZ[0], 0, w[1]);
    } else {
      gemmRaw(false, true, n, w[l + 1], w[l], 1, sb.RH[l - 1], 0, w[l], theta, off[l], w[l], 0, sb.RZ[l], 0, w[l + 1]);
      gemmRaw(false, true, n, w[l + 1], w[l], 1, ws.H[l - 1], 0, w[l], v, off[l], w[l], 1, sb.RZ[l], 0, w[l + 1]);
    }
    if (l < L - 1) {
      const RZ = sb.RZ[l];
      const RH = sb.RH[l];
      const D = ws.D[l];
      const len = n * w[l + 1];
      for (let t = 0; t < len; t++) RH[t] = D[t] * RZ[t];
    }
  }
  // R-backward.
  let cur: Float64Array = ws.dF;
  let rcur = sb.Ra;
  {
    const RZL = sb.RZ[L - 1];
    const len = n * k;
    for (let t = 0; t < len; t++) rcur[t] = sb.d2F[t] * RZL[t];
  }
  for (let l = L - 1; l >= 0; l--) {
    gemmRaw(true, false, w[l + 1], w[l], n, 1, rcur, 0, w[l + 1], layerInput(ws, X, l), 0, w[l], 0, out, off[l], w[l]);
    if (l === 0) break;
    gemmRaw(true, false, w[l + 1], w[l], n, 1, cur, 0, w[l + 1], sb.RH[l - 1], 0, w[l], 1, out, off[l], w[l]);
    const next = cur === ws.da ? ws.db : ws.da;
    const rnext = rcur === sb.Ra ? sb.Rb : sb.Ra;
    gemmRaw(false, false, n, w[l], w[l + 1], 1, cur, 0, w[l + 1], theta, off[l], w[l], 0, next, 0, w[l]);
    gemmRaw(false, false, n, w[l], w[l + 1], 1, rcur, 0, w[l + 1], theta, off[l], w[l], 0, rnext, 0, w[l]);
    gemmRaw(false, false, n, w[l], w[l + 1], 1, cur, 0, w[l + 1], v, off[l], w[l], 1, rnext, 0, w[l]);
    const D = ws.D[l - 1];
    const D2 = sb.D2[l - 1];
    const RZ = sb.RZ[l - 1];
    const len = n * w[l];
    for (let t = 0; t < len; t++) {
      const dh = next[t];
      rnext[t] = rnext[t] * D[t] + dh * D2[t] * RZ[t];
      next[t] = dh * D[t];
    }
    cur = next;
    rcur = rnext;
  }
}

/**
 * Per-sample output Jacobian J (n·k × p, row i·k + c = ∂F_ic/∂θ, row stride ldJ): one backward
 * pass per output c with R = e_c, then ∂F_ic/∂W_l[r, s] = dZ_l[i, r]·H_{l−1}[i, s].
 */
export function mlpJacobian(ws: MlpWorkspace, theta: Float64Array, X: Float64Array, n: number, J: Float64Array, ldJ: number): void {
  checkCapacity(ws, n);
  const w = ws.arch.widths;
  const L = w.length - 1;
  const k = w[L];
  const off = ws.offsets;
  forwardPass(ws, theta, X, n, null, 1);
  const keep: Float64Array[] = [];
  for (let l = 0; l < L; l++) keep.push(new Float64Array(n * w[l + 1]));
  const R = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    R.fill(0);
    for (let i = 0; i < n; i++) R[i * k + c] = 1;
    backwardPass(ws, theta, X, n, R, null, keep);
    for (let i = 0; i < n; i++) {
      const row = (i * k + c) * ldJ;
      J.fill(0, row, row + off[L]);
      for (let l = 0; l < L; l++) {
        const inp = layerInput(ws, X, l);
        const dz = keep[l];
        for (let r = 0; r < w[l + 1]; r++) {
          const g = dz[i * w[l + 1] + r];
          if (g === 0) continue;
          const base = row + off[l] + r * w[l];
          for (let s = 0; s < w[l]; s++) J[base + s] = g * inp[i * w[l] + s];
        }
      }
    }
  }
}
