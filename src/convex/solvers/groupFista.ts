// R-FISTA for the gated ReLU group lasso on a block set (maskedBlocks.ts), in prediction space:
//   min_W  L(ŷ(W)) + β Σ_b ‖w_b‖,   ŷ(W) = Σ_b D_b X w_b.
// FISTA with backtracking (Beck & Teboulle 2009) and the gradient restart of O'Donoghue & Candès
// 2015 (§3.2), as fista.ts, but the iterate carries ŷ (n) instead of Z = W Xᵀ (B×n): ŷ is linear
// in W, so the extrapolated point's prediction is ŷ_y = ŷ_k + c(ŷ_k − ŷ_{k−1}) for free, and a step
// costs one adjoint GEMM (the gradient G = M diag(∇L(ŷ_y)) X) plus one prediction GEMM per
// backtracking trial (ŷ of the prox output, which the descent test needs and the next step reuses).
// The descent test is the one of fista.ts: (ℓ''_max/2)‖ŷ_n − ŷ_y‖² ≤ ‖W_n − W_y‖²/(2η), an upper
// bound on the Bregman gap from differences, reliable at tiny gaps.
import type { ConvexLoss } from "../program/index.js";
import { adjointMasked, type MaskedBlocks, predictMasked } from "./maskedBlocks.js";

/** The iterate pair (W, ŷ) with momentum and step, updated in place (buffers are swapped). */
export interface GroupFistaState {
  /** x_k (B×d) and ŷ(x_k). */
  W: Float64Array;
  yhat: Float64Array;
  /** x_{k−1} and ŷ(x_{k−1}). */
  Wprev: Float64Array;
  yhatPrev: Float64Array;
  /** Momentum t_k (1 after a restart). */
  t: number;
  /** Step size η. */
  eta: number;
  /** Totals over all calls. */
  iterations: number;
  restarts: number;
  backtracks: number;
}

/** Scratch of one block count. */
export interface GroupFistaWorkspace {
  Wy: Float64Array;
  Wn: Float64Array;
  G: Float64Array;
  yhatY: Float64Array;
  yhatN: Float64Array;
  r: Float64Array;
  /** n×d scratch of the GEMMs. */
  nd: Float64Array;
}

export interface GroupFistaControl {
  /** Stop after this many iterations of this call. */
  maxIterations: number;
  /** Call `check` every this many iterations (and after the last). */
  checkEvery: number;
  /**
   * Convergence test on state.W / state.yhat; return true to stop. `r` = ∇L(ŷ_y) and `G` (B×d, its
   * adjoint: g_b = Xᵀ D_b r) at the step's extrapolated point are passed along: ν = −r is a dual
   * candidate as good as any (the certificate rescales it), so a gap needs no GEMM of its own.
   */
  check(state: GroupFistaState, r: Float64Array, G: Float64Array): boolean;
  /** Step growth after an accepted step (≥ 1). */
  growth: number;
}

/** The iterate W (B×d, copied) with ŷ(W) computed, no momentum, step η. */
export function groupFistaState(op: MaskedBlocks, W: Float64Array, eta: number): GroupFistaState {
  const state: GroupFistaState = {
    W: W.slice(), yhat: new Float64Array(op.n), Wprev: W.slice(), yhatPrev: new Float64Array(op.n),
    t: 1, eta, iterations: 0, restarts: 0, backtracks: 0,
  };
  predictMasked(op, state.W, new Float64Array(op.n * op.d), state.yhat);
  state.yhatPrev.set(state.yhat);
  return state;
}

export function groupFistaWorkspace(op: MaskedBlocks): GroupFistaWorkspace {
  const wb = op.count * op.d;
  return {
    Wy: new Float64Array(wb), Wn: new Float64Array(wb), G: new Float64Array(wb),
    yhatY: new Float64Array(op.n), yhatN: new Float64Array(op.n), r: new Float64Array(op.n), nd: new Float64Array(op.n * op.d),
  };
}

/**
 * W_n ← prox_{ηβΣ‖·‖}(W_y − ηG), block soft-thresholding (1 − ηβ/‖z_b‖)_+ z_b. Returns ‖W_n − W_y‖².
 */
function proxStep(Wy: Float64Array, G: Float64Array, eta: number, tau: number, d: number, Wn: Float64Array): number {
  const B = Wy.length / d;
  let q = 0;
  for (let b = 0; b < B; b++) {
    const o = b * d;
    let zz = 0;
    for (let j = 0; j < d; j++) {
      const z = Wy[o + j] - eta * G[o + j];
      Wn[o + j] = z;
      zz += z * z;
    }
    const zNorm = Math.sqrt(zz);
    const s = zNorm > tau ? 1 - tau / zNorm : 0;
    for (let j = 0; j < d; j++) {
      const w = s * Wn[o + j];
      Wn[o + j] = w;
      const dw = w - Wy[o + j];
      q += dw * dw;
    }
  }
  return q;
}

/**
 * Run R-FISTA from `state` until `ctl.check` says stop or `ctl.maxIterations` pass. Returns true
 * if stopped by the check.
 */
export function runGroupFista(
  op: MaskedBlocks, loss: ConvexLoss, y: Float64Array, beta: number, state: GroupFistaState, ws: GroupFistaWorkspace, ctl: GroupFistaControl,
): boolean {
  const { n, d } = op;
  const wb = op.count * d;
  const { Wy, G, yhatY, r, nd } = ws;
  for (let it = 1; it <= ctl.maxIterations; it++) {
    const tNext = 0.5 * (1 + Math.sqrt(1 + 4 * state.t * state.t));
    const c = (state.t - 1) / tNext;
    const { W, Wprev, yhat, yhatPrev } = state;
    for (let i = 0; i < wb; i++) Wy[i] = W[i] + c * (W[i] - Wprev[i]);
    for (let k = 0; k < n; k++) yhatY[k] = yhat[k] + c * (yhat[k] - yhatPrev[k]);
    loss.valueAndGradient(yhatY, y, r);
    adjointMasked(op, r, nd, G);
    for (let tries = 0; ; tries++) {
      const q = proxStep(Wy, G, state.eta, state.eta * beta, d, ws.Wn);
      predictMasked(op, ws.Wn, nd, ws.yhatN);
      let dy = 0;
      for (let k = 0; k < n; k++) {
        const e = ws.yhatN[k] - yhatY[k];
        dy += e * e;
      }
      const curv = 0.5 * loss.curvature * dy;
      if (curv <= (q / (2 * state.eta)) * (1 + 1e-12) || q === 0 || tries >= 60) break;
      state.eta *= 0.5;
      state.backtracks++;
    }
    const { Wn, yhatN } = ws;
    // Gradient restart test ⟨y − x_{k+1}, x_{k+1} − x_k⟩ > 0.
    let ip = 0;
    for (let i = 0; i < wb; i++) ip += (Wy[i] - Wn[i]) * (Wn[i] - W[i]);
    // Rotate: prev ← x, x ← x_{k+1}.
    state.Wprev = W;
    state.yhatPrev = yhat;
    state.W = Wn;
    state.yhat = yhatN;
    ws.Wn = Wprev;
    ws.yhatN = yhatPrev;
    if (ip > 0) {
      state.t = 1;
      state.restarts++;
    } else {
      state.t = tNext;
    }
    state.eta *= ctl.growth;
    state.iterations++;
    if (it % ctl.checkEvery === 0 || it === ctl.maxIterations) {
      if (ctl.check(state, r, G)) return true;
    }
  }
  return false;
}

/**
 * λ_max of Fᵀ F for the prediction map F: W ↦ ŷ of `op`, by `iterations` power steps (two GEMMs
 * each) from `start` (B×d, overwritten with the last unit vector; a warm start from a previous
 * working set converges in a few steps). The Rayleigh quotient approaches λ_max from below: a
 * step 1/(ℓ''_max·λ) may be too long, which the backtracking of runGroupFista corrects.
 */
export function predictionGramNorm(op: MaskedBlocks, start: Float64Array, iterations: number): number {
  const { n, d } = op;
  const V = start;
  const yhat = new Float64Array(n);
  const nd = new Float64Array(n * d);
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    let nv = 0;
    for (let i = 0; i < V.length; i++) nv += V[i] * V[i];
    nv = Math.sqrt(nv);
    if (nv === 0) return lambda;
    for (let i = 0; i < V.length; i++) V[i] /= nv;
    predictMasked(op, V, nd, yhat);
    let ny = 0;
    for (let k = 0; k < n; k++) ny += yhat[k] * yhat[k];
    lambda = ny; // ‖F v‖² with ‖v‖ = 1
    adjointMasked(op, yhat, nd, V);
  }
  let nv = 0;
  for (let i = 0; i < V.length; i++) nv += V[i] * V[i];
  nv = Math.sqrt(nv);
  if (nv > 0) for (let i = 0; i < V.length; i++) V[i] /= nv;
  return lambda;
}
