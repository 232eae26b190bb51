/**
 * Batch kernels of the parallel three-layer network (architecture.ts)
 *
 *   f(x) = Σ_{j<m} a_j σ(Σ_{k<m1} w_{2jk} σ(w_{1jk}ᵀx)),   θ = [ W1 | W2 | a ],
 *
 * by its embedding in the bias-free MLP d → m·m1 → m → 1 (mlpKernels.ts) whose second layer is
 * block diagonal: θ′ = Eθ with W1′ = W1, W2′[j, j·m1 + k] = W2[j, k] (zeros off the blocks) and
 * W3′ = aᵀ. E is linear and f(·; θ) = f′(·; Eθ), so every derivative follows by the chain rule:
 *
 *   ∇ℒ(θ) = Eᵀ∇ℒ′(Eθ),   ∇²ℒ(θ)·v = Eᵀ∇²ℒ′(Eθ)·(Ev),   J(θ) = J′(Eθ)·E,
 *
 * where Eᵀ gathers the W1 block, the block-diagonal entries of W2′ and W3′ (exact: no arithmetic
 * is added). The MLP's second layer costs m times the block form (m·m1 columns per unit instead
 * of m1); the networks studied here have a few blocks.
 */
import type { ParallelThreeLayerArchitecture } from "./architecture.js";
import { mlpArchitecture, paramCount, parallelThreeLayerLayout, type MlpArchitecture } from "./architecture.js";
import type { LossName } from "./losses.js";
import type { MlpWorkspace } from "./mlpKernels.js";
import {
  createMlpWorkspace, mlpForward, mlpHvp, mlpHvpApply, mlpHvpPrepare, mlpJacobian, mlpLossGradient, mlpVjp,
} from "./mlpKernels.js";
import type { LossValue } from "./objective.js";

/** Scratch memory: the embedding MLP's workspace and θ′-sized buffers. */
export interface ParallelThreeLayerWorkspace {
  readonly kind: "parallel-three-layer";
  readonly arch: ParallelThreeLayerArchitecture;
  readonly mlp: MlpWorkspace;
  /** Eθ, the MLP parameters (off-block entries of W2′ stay 0). */
  readonly thetaM: Float64Array;
  /** Gradients, Hessian–vector products and directions in θ′ coordinates. */
  readonly gradM: Float64Array;
  readonly vM: Float64Array;
  /** The n·p′ Jacobian of the MLP, allocated by the first Jacobian call. */
  jacobianM: Float64Array | null;
}

/**
 * The MLP d → m·m1 → m → 1 the network embeds into.
 *
 * @param arch - a parallel three-layer architecture (d, m blocks, m1 units per block)
 * @returns the MLP architecture [d, m·m1, m, 1] with the same activation
 * @example
 * ```ts
 * import { describeArchitecture, makeActivation, parallelThreeLayerArchitecture, parallelThreeLayerMlp } from "splitscape";
 * const arch = parallelThreeLayerArchitecture({ d: 3, m: 2, m1: 4, activation: makeActivation("relu") });
 * console.log(describeArchitecture(parallelThreeLayerMlp(arch))); // "mlp 3→8→2→1 relu"
 * ```
 */
export function parallelThreeLayerMlp(arch: ParallelThreeLayerArchitecture): MlpArchitecture {
  return mlpArchitecture([arch.d, arch.m * arch.m1, arch.m, 1], arch.activation);
}

/**
 * The same network as an MLP model: (parallelThreeLayerMlp(arch), Eθ), so f(x; θ) = f′(x; Eθ) for
 * every x — exact (E only places entries), hence also every derivative in x.
 *
 * @param arch - a parallel three-layer architecture
 * @param theta - its parameter vector
 * @returns the embedding MLP's `{ arch, theta }` (a Model; the off-block entries of W_2 are 0)
 * @example
 * ```ts
 * import { forward, fromRows, initializeModel, makeActivation, parallelThreeLayerArchitecture, parallelThreeLayerToMlp } from "splitscape";
 * const arch = parallelThreeLayerArchitecture({ d: 3, m: 2, m1: 4, activation: makeActivation("relu") });
 * const net = initializeModel(arch, { seed: 1 });
 * const X = fromRows([[1, -1, 0.5]]);
 * console.log(forward(net, X).data[0] === forward(parallelThreeLayerToMlp(arch, net.theta), X).data[0]); // true
 * ```
 */
export function parallelThreeLayerToMlp(arch: ParallelThreeLayerArchitecture, theta: Float64Array): { arch: MlpArchitecture; theta: Float64Array } {
  const ws = createParallelThreeLayerWorkspace(arch, 1);
  const thetaM = new Float64Array(ws.thetaM.length);
  embed(ws, theta, thetaM);
  return { arch: ws.mlp.arch, theta: thetaM };
}

/** A workspace for up to `capacity` samples. */
export function createParallelThreeLayerWorkspace(arch: ParallelThreeLayerArchitecture, capacity: number): ParallelThreeLayerWorkspace {
  const mlp = createMlpWorkspace(parallelThreeLayerMlp(arch), capacity);
  const pM = paramCount(mlp.arch);
  return {
    kind: "parallel-three-layer", arch, mlp,
    thetaM: new Float64Array(pM), gradM: new Float64Array(pM), vM: new Float64Array(pM), jacobianM: null,
  };
}

/** out′ ← E·x (x in θ coordinates, out′ in θ′ coordinates; off-block entries are left at 0). */
function embed(ws: ParallelThreeLayerWorkspace, x: Float64Array, out: Float64Array): void {
  const { m, m1 } = ws.arch;
  const L = parallelThreeLayerLayout(ws.arch);
  const off = ws.mlp.offsets;
  const mm1 = m * m1;
  out.set(x.subarray(L.W1, L.W2), off[0]);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < m1; k++) out[off[1] + j * mm1 + j * m1 + k] = x[L.W2 + j * m1 + k];
  }
  out.set(x.subarray(L.a, L.size), off[2]);
}

/** out ← Eᵀ·x′ (the θ-coordinates of a θ′-vector: W1, the diagonal blocks of W2′, W3′). */
function gather(ws: ParallelThreeLayerWorkspace, xM: Float64Array, out: Float64Array): void {
  const { m, m1 } = ws.arch;
  const L = parallelThreeLayerLayout(ws.arch);
  const off = ws.mlp.offsets;
  const mm1 = m * m1;
  out.set(xM.subarray(off[0], off[1]), L.W1);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < m1; k++) out[L.W2 + j * m1 + k] = xM[off[1] + j * mm1 + j * m1 + k];
  }
  out.set(xM.subarray(off[2], off[3]), L.a);
}

/** Outputs F (n) of the first n rows of X. */
export function parallelThreeLayerForward(ws: ParallelThreeLayerWorkspace, theta: Float64Array, X: Float64Array, n: number, F: Float64Array): void {
  embed(ws, theta, ws.thetaM);
  mlpForward(ws.mlp, ws.thetaM, X, n, F);
}

/** Output VJP: grad ← Σ_i R_i ∂f(x_i)/∂θ = Eᵀ(MLP VJP at Eθ). */
export function parallelThreeLayerVjp(
  ws: ParallelThreeLayerWorkspace, theta: Float64Array, X: Float64Array, n: number, R: Float64Array, grad: Float64Array,
): void {
  embed(ws, theta, ws.thetaM);
  mlpVjp(ws.mlp, ws.thetaM, X, n, R, ws.gradM);
  gather(ws, ws.gradM, grad);
}

/** Fused loss and gradient (mlpLossGradient at Eθ, gradient gathered by Eᵀ). */
export function parallelThreeLayerLossGradient(
  ws: ParallelThreeLayerWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, kappa: number, grad: Float64Array | null,
): LossValue {
  embed(ws, theta, ws.thetaM);
  const v = mlpLossGradient(ws.mlp, ws.thetaM, X, Y, n, loss, mean, kappa, grad ? ws.gradM : null);
  if (grad) gather(ws, ws.gradM, grad);
  return v;
}

/** out ← ∇²ℒ(θ)·v = Eᵀ∇²ℒ′(Eθ)(Ev); returns ℒ(θ). */
export function parallelThreeLayerHvp(
  ws: ParallelThreeLayerWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, v: Float64Array, out: Float64Array,
): LossValue {
  embed(ws, theta, ws.thetaM);
  embed(ws, v, ws.vM);
  const value = mlpHvp(ws.mlp, ws.thetaM, X, Y, n, loss, mean, ws.vM, ws.gradM);
  gather(ws, ws.gradM, out);
  return value;
}

/** v ↦ ∇²ℒ(θ)·v at a fixed θ (the MLP's forward pass done once, as mlpHvpPrepare). */
export function parallelThreeLayerHvpAtTheta(
  ws: ParallelThreeLayerWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number, loss: LossName, mean: boolean,
): (v: Float64Array, out: Float64Array) => void {
  const thetaM = new Float64Array(ws.thetaM.length);
  embed(ws, theta, thetaM);
  mlpHvpPrepare(ws.mlp, thetaM, X, Y, n, loss, mean);
  return (v, out) => {
    embed(ws, v, ws.vM);
    mlpHvpApply(ws.mlp, thetaM, X, n, ws.vM, ws.gradM);
    gather(ws, ws.gradM, out);
  };
}

/** Per-sample Jacobian J (n × p, row stride ldJ): J′(Eθ)·E, i.e. the gathered columns of J′. */
export function parallelThreeLayerJacobian(
  ws: ParallelThreeLayerWorkspace, theta: Float64Array, X: Float64Array, n: number, J: Float64Array, ldJ: number,
): void {
  const pM = ws.thetaM.length;
  if (ws.jacobianM === null || ws.jacobianM.length < n * pM) ws.jacobianM = new Float64Array(Math.max(1, n) * pM);
  embed(ws, theta, ws.thetaM);
  mlpJacobian(ws.mlp, ws.thetaM, X, n, ws.jacobianM, pM);
  const p = parallelThreeLayerLayout(ws.arch).size;
  for (let i = 0; i < n; i++) gather(ws, ws.jacobianM.subarray(i * pM, (i + 1) * pM), J.subarray(i * ldJ, i * ldJ + p));
}
