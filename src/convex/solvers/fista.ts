// Accelerated proximal gradient for  min_W  f(W) + Σ_b h_b(w_b),  f(W) = φ(W Xᵀ), with
// h_b = β‖·‖ + ι_{K_b} (the ReLU program; reluFista.ts) or β‖·‖ (`groupShrink`; the gated
// solver itself runs the prediction-space variant groupFista.ts, which needs no Z):
// FISTA (Beck & Teboulle 2009, "A fast iterative shrinkage-thresholding algorithm", with
// backtracking) with the gradient restart of O'Donoghue & Candès 2015 ("Adaptive restart for
// accelerated gradient schemes", §3.2): momentum is reset when ⟨y_k − x_{k+1}, x_{k+1} − x_k⟩ > 0.
// The step η grows by `growth` after each accepted step and halves when the descent lemma fails;
// the test uses ZSmooth.curvature (an upper bound on the Bregman gap computed from differences),
// so it stays reliable at duality gaps of 1e-12.
// Z = W Xᵀ is carried along: Z_y by linearity, and the prox input's image X z_b = Z_y,b − η H_b with
// H = G Xᵀ, so an iteration costs two GEMMs (G = ∇φ·X and H = G Xᵀ) however many backtracking
// trials it takes; the prox returns the image of its output (a scaled, possibly projected, z).
import { nrm2 } from "../../linalg/index.js";
import { adjoint, type BlockOperator, forward } from "../program/index.js";
import type { ZSmooth } from "./smooth.js";

/** The iterate pair and momentum/step state, updated in place (buffers are swapped). */
export interface FistaState {
  /** Current iterate x_k (B×d) and Z = x_k Xᵀ (B×n). */
  W: Float64Array;
  Z: Float64Array;
  /** Previous iterate x_{k−1} and its Z. */
  Wprev: Float64Array;
  Zprev: Float64Array;
  /** Momentum parameter t_k (1 after a restart). */
  t: number;
  /** Step size η. */
  eta: number;
  /** Totals over all calls. */
  iterations: number;
  restarts: number;
  backtracks: number;
}

/** Scratch buffers of one problem size. */
export interface FistaWorkspace {
  Wy: Float64Array;
  Zy: Float64Array;
  Wn: Float64Array;
  Zn: Float64Array;
  gZ: Float64Array;
  G: Float64Array;
  H: Float64Array;
}

/**
 * The prox of h_b at z, in place: on entry W[wOff..wOff+d) holds z (with ‖z‖ = zNorm > τ) and
 * Z[zOff..zOff+n) holds X z; on exit they hold prox_{τ‖·‖ (+ι_K)}(z) and its image under X.
 * (Blocks with ‖z‖ ≤ τ are set to zero by FISTA itself: ‖Π_K z‖ ≤ ‖z‖.)
 */
export interface BlockProx {
  block(b: number, W: Float64Array, wOff: number, Z: Float64Array, zOff: number, tau: number, zNorm: number): void;
}

/** Group soft-thresholding (1 − τ/‖z‖)_+ z, the prox of τ‖·‖; X z scales alike. */
export function groupShrink(d: number, n: number): BlockProx {
  return {
    block(_b, W, wOff, Z, zOff, tau, zNorm) {
      const s = 1 - tau / zNorm;
      for (let j = 0; j < d; j++) W[wOff + j] *= s;
      for (let k = 0; k < n; k++) Z[zOff + k] *= s;
    },
  };
}

export interface FistaControl {
  /** Stop after this many iterations of this call. */
  maxIterations: number;
  /** Call `check` every this many iterations (and after the last). */
  checkEvery: number;
  /** Convergence test on state.W/state.Z; return true to stop. */
  check(state: FistaState): boolean;
  /** Step growth factor after an accepted step (≥ 1). Default 1.05. */
  growth?: number;
}

/** A zero iterate with buffers for an operator. */
export function fistaState(op: BlockOperator, eta: number): FistaState {
  const wb = op.blocks * op.d;
  const zb = op.n * op.blocks;
  return {
    W: new Float64Array(wb), Z: new Float64Array(zb),
    Wprev: new Float64Array(wb), Zprev: new Float64Array(zb),
    t: 1, eta, iterations: 0, restarts: 0, backtracks: 0,
  };
}

export function fistaWorkspace(op: BlockOperator): FistaWorkspace {
  const wb = op.blocks * op.d;
  const zb = op.n * op.blocks;
  return {
    Wy: new Float64Array(wb), Zy: new Float64Array(zb),
    Wn: new Float64Array(wb), Zn: new Float64Array(zb),
    gZ: new Float64Array(zb), G: new Float64Array(wb), H: new Float64Array(zb),
  };
}

/** Set the iterate to W (its Z computed) with no momentum. */
export function setIterate(op: BlockOperator, state: FistaState, W: Float64Array): void {
  state.W.set(W);
  forward(op, state.W, state.Z);
  state.Wprev.set(state.W);
  state.Zprev.set(state.Z);
  state.t = 1;
}

/**
 * Run R-FISTA from `state` until `ctl.check` says stop or `ctl.maxIterations` pass. Returns true
 * if stopped by the check.
 */
export function runFista(
  op: BlockOperator, smooth: ZSmooth, prox: BlockProx, beta: number, state: FistaState, ws: FistaWorkspace, ctl: FistaControl,
): boolean {
  const { blocks: B, d, n } = op;
  const wb = B * d;
  const growth = ctl.growth ?? 1.05;
  for (let it = 1; it <= ctl.maxIterations; it++) {
    const tNext = 0.5 * (1 + Math.sqrt(1 + 4 * state.t * state.t));
    const c = (state.t - 1) / tNext;
    const { Wy, Zy, gZ, G, H } = ws;
    const W = state.W;
    const Wp = state.Wprev;
    if (c === 0) Wy.set(W);
    else for (let i = 0; i < wb; i++) Wy[i] = W[i] + c * (W[i] - Wp[i]);
    smooth.extrapolateValueGrad(state.Z, state.Zprev, c, Zy, gZ);
    adjoint(op, gZ, G);
    forward(op, G, H);
    for (let tries = 0; ; tries++) {
      const eta = state.eta;
      const tau = eta * beta;
      const { Wn, Zn } = ws;
      let q = 0;
      for (let b = 0; b < B; b++) {
        const wo = b * d;
        const zo = b * n;
        for (let j = 0; j < d; j++) Wn[wo + j] = Wy[wo + j] - eta * G[wo + j];
        const zNorm = nrm2(Wn.subarray(wo, wo + d));
        if (zNorm <= tau) {
          for (let j = 0; j < d; j++) Wn[wo + j] = 0;
          for (let k = 0; k < n; k++) Zn[zo + k] = 0;
        } else {
          for (let k = 0; k < n; k++) Zn[zo + k] = Zy[zo + k] - eta * H[zo + k];
          prox.block(b, Wn, wo, Zn, zo, tau, zNorm);
        }
        for (let j = 0; j < d; j++) {
          const dw = Wn[wo + j] - Wy[wo + j];
          q += dw * dw;
        }
      }
      const curv = smooth.curvature(Zy, Zn);
      if (curv <= (q / (2 * eta)) * (1 + 1e-12) || q === 0 || tries >= 60) break;
      state.eta *= 0.5;
      state.backtracks++;
    }
    const { Wn, Zn } = ws;
    // Gradient restart test ⟨y − x_{k+1}, x_{k+1} − x_k⟩ > 0.
    let ip = 0;
    for (let i = 0; i < wb; i++) ip += (Wy[i] - Wn[i]) * (Wn[i] - W[i]);
    // Rotate buffers: prev ← x, x ← x_{k+1}.
    const oldWp = state.Wprev;
    const oldZp = state.Zprev;
    state.Wprev = state.W;
    state.Zprev = state.Z;
    state.W = Wn;
    state.Z = Zn;
    ws.Wn = oldWp;
    ws.Zn = oldZp;
    if (ip > 0) {
      state.t = 1;
      state.restarts++;
    } else {
      state.t = tNext;
    }
    state.eta *= growth;
    state.iterations++;
    if (it % ctl.checkEvery === 0 || it === ctl.maxIterations) {
      if (ctl.check(state)) return true;
    }
  }
  return false;
}

/**
 * λ_max of the Gauss–Newton operator Fᵀ F (F: W ↦ ŷ = Σ_b SM_b ⊙ (W Xᵀ)_b) by `iterations` steps
 * of the power method from a fixed pseudo-random start (two GEMMs per step); times `curvature`
 * (ℓ''_max) this is the Lipschitz constant of ∇f. The Rayleigh quotient approaches λ_max from
 * below, so the caller keeps backtracking as a safeguard.
 */
export function estimateLipschitz(op: BlockOperator, curvature: number, iterations = 20): number {
  const { blocks: B, d, n } = op;
  const SM = op.signedMask;
  let W = new Float64Array(B * d);
  let seed = 12345;
  for (let i = 0; i < W.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    W[i] = seed / 2147483648 - 0.5;
  }
  const Z = new Float64Array(B * n);
  const yhat = new Float64Array(n);
  let G = new Float64Array(B * d);
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    const nw = nrm2(W);
    if (nw === 0) return 0;
    for (let i = 0; i < W.length; i++) W[i] /= nw;
    forward(op, W, Z);
    yhat.fill(0);
    for (let b = 0; b < B; b++) for (let k = 0; k < n; k++) yhat[k] += SM[b * n + k] * Z[b * n + k];
    for (let b = 0; b < B; b++) for (let k = 0; k < n; k++) Z[b * n + k] = SM[b * n + k] * yhat[k];
    adjoint(op, Z, G);
    let ny = 0;
    for (let k = 0; k < n; k++) ny += yhat[k] * yhat[k];
    lambda = ny; // Rayleigh quotient ‖F w‖² with ‖w‖ = 1
    const t = W;
    W = G;
    G = t;
  }
  return curvature * lambda;
}
