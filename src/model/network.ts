/**
 * Architecture-independent entry points over explicit workspaces: each call dispatches once on
 * the architecture to the two-layer, MLP, parallel three-layer or conv batch kernels. Inputs are raw row-major arrays (X: n×d,
 * Y and R: n×k) so that callers can pass gathered mini-batches without building records.
 *
 * Loss + gradient of a two-layer workspace created with `resident` data (repeated use, e.g.
 * makeObjective) runs the wasm SIMD step (twoLayerWasm.ts) when it covers the architecture
 * (k = 1, relu / leaky_relu / linear) and wasm is available; everything else, and every other
 * entry point, runs the TypeScript kernels.
 */
import type { Architecture } from "./architecture.js";
import type { LossName } from "./losses.js";
import type { LossValue } from "./objective.js";
import type { MlpWorkspace } from "./mlpKernels.js";
import {
  createMlpWorkspace, mlpForward, mlpHvp, mlpHvpApply, mlpHvpPrepare, mlpJacobian, mlpLossGradient, mlpVjp,
} from "./mlpKernels.js";
import type { ParallelThreeLayerWorkspace } from "./parallelThreeLayerKernels.js";
import {
  createParallelThreeLayerWorkspace, parallelThreeLayerForward, parallelThreeLayerHvp, parallelThreeLayerHvpAtTheta,
  parallelThreeLayerJacobian, parallelThreeLayerLossGradient, parallelThreeLayerVjp,
} from "./parallelThreeLayerKernels.js";
import type { TwoLayerWorkspace } from "./twoLayerKernels.js";
import {
  createTwoLayerWorkspace, twoLayerForward, twoLayerHvp, twoLayerJacobian, twoLayerLossGradient, twoLayerVjp,
} from "./twoLayerKernels.js";
import type { ConvWorkspace } from "./conv/index.js";
import { convForward, convHvp, convJacobian, convLossGradient, convVjp, createConvWorkspace } from "./conv/index.js";
import type { TwoLayerWasm } from "./twoLayerWasm.js";
import { createTwoLayerWasm, twoLayerWasmBind, twoLayerWasmLossGradient } from "./twoLayerWasm.js";

/** Scratch memory for the kernels of one architecture, for up to `capacity` samples per call. */
export type Workspace = TwoLayerWorkspace | MlpWorkspace | ParallelThreeLayerWorkspace | ConvWorkspace;

/** Wasm steps of the two-layer workspaces created with resident data. */
const wasmSteps = new WeakMap<Workspace, TwoLayerWasm>();

/**
 * Resident workspaces with capacity·m below this many hidden activations keep the TS kernels.
 * Such steps take 1–2 µs in TS (the wasm step is ~3× faster but its instance costs ~60 µs to set
 * up), and they stay bitwise identical to one-off evaluations (lossAndGradient), which
 * test/model/objective.test.ts asserts on its small problems; the wasm step agrees to ~1e-15.
 */
export const TWO_LAYER_WASM_MIN_ENTRIES = 256;

/** Options of createWorkspace. */
export interface WorkspaceOptions {
  /** Rows per block of the two-layer kernels (TS and wasm), samples per block of the conv kernels. */
  block?: number;
  /**
   * The data set the workspace will be evaluated on repeatedly (n ≤ capacity rows of X, Y).
   * Enables the wasm two-layer step where it applies, with X and Y copied into wasm memory once;
   * they must not be mutated afterwards (other arrays passed to lossGradientInto are copied
   * per call).
   */
  resident?: { X: Float64Array; Y: Float64Array; n: number };
}

/**
 * A workspace for `arch` and at most `capacity` samples per call. `block` overrides the rows per
 * block of the two-layer kernels (default: about 64k entries per block buffer; tests use tiny
 * blocks to exercise the blocked reductions). MLP kernels work on the whole batch. `resident`:
 * see WorkspaceOptions.
 */
export function createWorkspace(arch: Architecture, capacity: number, opts: WorkspaceOptions = {}): Workspace {
  if (arch.kind === "mlp") return createMlpWorkspace(arch, capacity);
  if (arch.kind === "parallel-three-layer") return createParallelThreeLayerWorkspace(arch, capacity);
  if (arch.kind === "conv") return createConvWorkspace(arch, capacity, opts.block);
  const ws = createTwoLayerWorkspace(arch, capacity, opts.block);
  if (opts.resident && capacity * arch.m >= TWO_LAYER_WASM_MIN_ENTRIES) {
    const w = createTwoLayerWasm(arch, capacity, opts.block);
    if (w !== null) {
      twoLayerWasmBind(w, opts.resident.X, opts.resident.Y, opts.resident.n);
      wasmSteps.set(ws, w);
    }
  }
  return ws;
}

/** "wasm-simd" when lossGradientInto on ws runs the wasm two-layer step, else "ts". */
export function workspaceBackend(ws: Workspace): "wasm-simd" | "ts" {
  return wasmSteps.has(ws) ? "wasm-simd" : "ts";
}

/** F ← f(X; θ) for the first n rows of X (F is n×k row-major). */
export function forwardInto(ws: Workspace, theta: Float64Array, X: Float64Array, n: number, F: Float64Array): void {
  if (ws.kind === "two-layer") twoLayerForward(ws, theta, X, n, F);
  else if (ws.kind === "mlp") mlpForward(ws, theta, X, n, F);
  else if (ws.kind === "parallel-three-layer") parallelThreeLayerForward(ws, theta, X, n, F);
  else convForward(ws, theta, X, n, F);
}

/** grad ← Σ_i R_iᵀ ∂f(x_i; θ)/∂θ (the output vector–Jacobian product). */
export function vjpInto(ws: Workspace, theta: Float64Array, X: Float64Array, n: number, R: Float64Array, grad: Float64Array): void {
  if (ws.kind === "two-layer") twoLayerVjp(ws, theta, X, n, R, grad);
  else if (ws.kind === "mlp") mlpVjp(ws, theta, X, n, R, grad);
  else if (ws.kind === "parallel-three-layer") parallelThreeLayerVjp(ws, theta, X, n, R, grad);
  else convVjp(ws, theta, X, n, R, grad);
}

/**
 * ℒ(F) with F = κ·f(X; θ), and (grad given) grad ← Σ_i (∂ℒ/∂F_i)ᵀ ∂f(x_i)/∂θ, which is ∇ℒ(θ)
 * for κ = 1. Afterwards `workspaceOutputs(ws)` holds F and `workspaceOutputGradient(ws)` ∂ℒ/∂F.
 */
export function lossGradientInto(
  ws: Workspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, kappa: number, grad: Float64Array | null,
): LossValue {
  if (ws.kind === "mlp") return mlpLossGradient(ws, theta, X, Y, n, loss, mean, kappa, grad);
  if (ws.kind === "parallel-three-layer") return parallelThreeLayerLossGradient(ws, theta, X, Y, n, loss, mean, kappa, grad);
  if (ws.kind === "conv") return convLossGradient(ws, theta, X, Y, n, loss, mean, kappa, grad);
  const w = n > 0 ? wasmSteps.get(ws) : undefined;
  if (w === undefined) return twoLayerLossGradient(ws, theta, X, Y, n, loss, mean, kappa, grad);
  const v = twoLayerWasmLossGradient(w, theta, X, Y, n, loss, mean, kappa, grad);
  ws.F.set(w.F.subarray(0, n));
  ws.dF.set(w.dF.subarray(0, n));
  return v;
}

/** out ← ∇²ℒ(θ)·v (exact, R-operator); returns ℒ(θ). */
export function hvpInto(
  ws: Workspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, v: Float64Array, out: Float64Array,
): LossValue {
  if (ws.kind === "two-layer") return twoLayerHvp(ws, theta, X, Y, n, loss, mean, v, out);
  if (ws.kind === "mlp") return mlpHvp(ws, theta, X, Y, n, loss, mean, v, out);
  if (ws.kind === "parallel-three-layer") return parallelThreeLayerHvp(ws, theta, X, Y, n, loss, mean, v, out);
  return convHvp(ws, theta, X, Y, n, loss, mean, v, out);
}

/**
 * v ↦ ∇²ℒ(θ)·v at a fixed θ, as a function writing into `out`. The MLP kernels do the forward
 * pass (σ′, σ″, ∂ℒ/∂F, ∂²ℒ/∂F²) once here; the blocked two-layer and conv kernels redo it per product.
 * The closure uses `ws` exclusively: no other kernel call on ws while it is in use.
 */
export function hvpAtTheta(
  ws: Workspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number, loss: LossName, mean: boolean,
): (v: Float64Array, out: Float64Array) => void {
  if (ws.kind === "mlp") {
    mlpHvpPrepare(ws, theta, X, Y, n, loss, mean);
    return (v, out) => mlpHvpApply(ws, theta, X, n, v, out);
  }
  if (ws.kind === "parallel-three-layer") return parallelThreeLayerHvpAtTheta(ws, theta, X, Y, n, loss, mean);
  if (ws.kind === "conv") {
    return (v, out) => {
      convHvp(ws, theta, X, Y, n, loss, mean, v, out);
    };
  }
  return (v, out) => {
    twoLayerHvp(ws, theta, X, Y, n, loss, mean, v, out);
  };
}

/** J ← per-sample output Jacobian (n·k × p, row i·k + c = ∂f_c(x_i)/∂θ, row stride ldJ). */
export function jacobianInto(ws: Workspace, theta: Float64Array, X: Float64Array, n: number, J: Float64Array, ldJ: number): void {
  if (ws.kind === "two-layer") twoLayerJacobian(ws, theta, X, n, J, ldJ);
  else if (ws.kind === "mlp") mlpJacobian(ws, theta, X, n, J, ldJ);
  else if (ws.kind === "parallel-three-layer") parallelThreeLayerJacobian(ws, theta, X, n, J, ldJ);
  else convJacobian(ws, theta, X, n, J, ldJ);
}

/** The outputs F (first n·k entries) of the last lossGradientInto / hvpInto call. */
export function workspaceOutputs(ws: Workspace): Float64Array {
  if (ws.kind === "parallel-three-layer") return ws.mlp.Z[ws.mlp.Z.length - 1];
  if (ws.kind === "conv") return ws.F;
  return ws.kind === "two-layer" ? ws.F : ws.Z[ws.Z.length - 1];
}

/** ∂ℒ/∂F (first n·k entries) of the last lossGradientInto (with grad) / hvpInto call. */
export function workspaceOutputGradient(ws: Workspace): Float64Array {
  return ws.kind === "parallel-three-layer" ? ws.mlp.dF : ws.dF;
}
