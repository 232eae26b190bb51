/**
 * Architecture-independent entry points over explicit workspaces: each call dispatches once on
 * the architecture to the two-layer or MLP batch kernels. Inputs are raw row-major arrays (X: n×d,
 * Y and R: n×k) so that callers can pass gathered mini-batches without building records.
 */
import type { Architecture } from "./architecture.js";
import type { LossName } from "./losses.js";
import type { LossValue } from "./objective.js";
import type { MlpWorkspace } from "./mlpKernels.js";
import {
  createMlpWorkspace, mlpForward, mlpHvp, mlpHvpApply, mlpHvpPrepare, mlpJacobian, mlpLossGradient, mlpVjp,
} from "./mlpKernels.js";
import type { TwoLayerWorkspace } from "./twoLayerKernels.js";
import {
  createTwoLayerWorkspace, twoLayerForward, twoLayerHvp, twoLayerJacobian, twoLayerLossGradient, twoLayerVjp,
} from "./twoLayerKernels.js";

/** Scratch memory for the kernels of one architecture, for up to `capacity` samples per call. */
export type Workspace = TwoLayerWorkspace | MlpWorkspace;

/**
 * A workspace for `arch` and at most `capacity` samples per call. `block` overrides the rows per
 * block of the two-layer kernels (default: about 64k entries per block buffer; tests use tiny
 * blocks to exercise the blocked reductions). MLP kernels work on the whole batch.
 */
export function createWorkspace(arch: Architecture, capacity: number, opts: { block?: number } = {}): Workspace {
  return arch.kind === "two-layer" ? createTwoLayerWorkspace(arch, capacity, opts.block) : createMlpWorkspace(arch, capacity);
}

/** F ← f(X; θ) for the first n rows of X (F is n×k row-major). */
export function forwardInto(ws: Workspace, theta: Float64Array, X: Float64Array, n: number, F: Float64Array): void {
  if (ws.kind === "two-layer") twoLayerForward(ws, theta, X, n, F);
  else mlpForward(ws, theta, X, n, F);
}

/** grad ← Σ_i R_iᵀ ∂f(x_i; θ)/∂θ (the output vector–Jacobian product). */
export function vjpInto(ws: Workspace, theta: Float64Array, X: Float64Array, n: number, R: Float64Array, grad: Float64Array): void {
  if (ws.kind === "two-layer") twoLayerVjp(ws, theta, X, n, R, grad);
  else mlpVjp(ws, theta, X, n, R, grad);
}

/**
 * ℒ(F) with F = κ·f(X; θ), and (grad given) grad ← Σ_i (∂ℒ/∂F_i)ᵀ ∂f(x_i)/∂θ, which is ∇ℒ(θ)
 * for κ = 1. Afterwards `workspaceOutputs(ws)` holds F and `workspaceOutputGradient(ws)` ∂ℒ/∂F.
 */
export function lossGradientInto(
  ws: Workspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, kappa: number, grad: Float64Array | null,
): LossValue {
  return ws.kind === "two-layer"
    ? twoLayerLossGradient(ws, theta, X, Y, n, loss, mean, kappa, grad)
    : mlpLossGradient(ws, theta, X, Y, n, loss, mean, kappa, grad);
}

/** out ← ∇²ℒ(θ)·v (exact, R-operator); returns ℒ(θ). */
export function hvpInto(
  ws: Workspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, v: Float64Array, out: Float64Array,
): LossValue {
  return ws.kind === "two-layer"
    ? twoLayerHvp(ws, theta, X, Y, n, loss, mean, v, out)
    : mlpHvp(ws, theta, X, Y, n, loss, mean, v, out);
}

/**
 * v ↦ ∇²ℒ(θ)·v at a fixed θ, as a function writing into `out`. The MLP kernels do the forward
 * pass (σ′, σ″, ∂ℒ/∂F, ∂²ℒ/∂F²) once here; the blocked two-layer kernels redo it per product.
 * The closure uses `ws` exclusively: no other kernel call on ws while it is in use.
 */
export function hvpAtTheta(
  ws: Workspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number, loss: LossName, mean: boolean,
): (v: Float64Array, out: Float64Array) => void {
  if (ws.kind === "mlp") {
    mlpHvpPrepare(ws, theta, X, Y, n, loss, mean);
    return (v, out) => mlpHvpApply(ws, theta, X, n, v, out);
  }
  return (v, out) => {
    twoLayerHvp(ws, theta, X, Y, n, loss, mean, v, out);
  };
}

/** J ← per-sample output Jacobian (n·k × p, row i·k + c = ∂f_c(x_i)/∂θ, row stride ldJ). */
export function jacobianInto(ws: Workspace, theta: Float64Array, X: Float64Array, n: number, J: Float64Array, ldJ: number): void {
  if (ws.kind === "two-layer") twoLayerJacobian(ws, theta, X, n, J, ldJ);
  else mlpJacobian(ws, theta, X, n, J, ldJ);
}

/** The outputs F (first n·k entries) of the last lossGradientInto / hvpInto call. */
export function workspaceOutputs(ws: Workspace): Float64Array {
  return ws.kind === "two-layer" ? ws.F : ws.Z[ws.Z.length - 1];
}

/** ∂ℒ/∂F (first n·k entries) of the last lossGradientInto (with grad) / hvpInto call. */
export function workspaceOutputGradient(ws: Workspace): Float64Array {
  return ws.dF;
}
