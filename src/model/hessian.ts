/**
 * Dense Hessians ∇²ℒ(θ) (p×p, exactly symmetric).
 *
 * Two-layer networks ("gauss-newton"): ∇²ℒ = Jᵀ Λ J + Σ_i Σ_c G_ic ∇²f_c(x_i), with J the per-sample
 * output Jacobian, Λ = ∂²ℒ/∂F² (diagonal, ≥ 0 for the convex losses here) and G = ∂ℒ/∂F. The
 * first term is one GEMM (√Λ J)ᵀ(√Λ J) over blocks of samples; the second has only same-unit
 * blocks (twoLayerAddSecondOrderTerm). MLPs, parallel three-layer and conv nets ("hvp"): p exact
 * Hessian–vector products with the unit vectors. Either way the result is symmetrised, H ← (H + Hᵀ)/2.
 * Measured in bench/model.ts (p ≈ 1000): the Gauss–Newton assembly is the faster one for
 * two-layer networks, so "auto" picks it there.
 */
import { gemmRaw } from "../linalg/gemm.js";
import type { Matrix } from "../linalg/index.js";
import type { Model } from "./architecture.js";
import { paramCount } from "./architecture.js";
import { hessianOperator } from "./hvp.js";
import type { LossName, LossOptions } from "./losses.js";
import { lossOnOutputs } from "./losses.js";
import type { ModelData } from "./modelData.js";
import { checkModelData } from "./modelData.js";
import { createTwoLayerWorkspace, twoLayerAddSecondOrderTerm, twoLayerForward, twoLayerJacobian } from "./twoLayerKernels.js";

export type HessianMethod = "auto" | "gauss-newton" | "hvp";

export interface HessianOptions extends LossOptions {
  /** "auto" (default): Gauss–Newton + second-order term for two-layer, HVP columns for MLP and conv. */
  method?: HessianMethod;
}

/** Samples per Jacobian block: keeps one block of √Λ·J below 2^21 entries (16 MB). */
const JACOBIAN_BLOCK_ENTRIES = 1 << 21;

/**
 * The dense Hessian ∇²ℒ(θ) as a p×p matrix (exactly symmetric).
 *
 * @param model - the network at θ
 * @param data - inputs X (n×d) and targets Y (n×k); RangeError on mismatched shapes
 * @param loss - "logistic", "exponential" or "square"
 * @param opts - `mean` (divide by n) and `method` ("auto", "gauss-newton" — two-layer only — or "hvp")
 * @returns ∇²ℒ(θ), a new p×p matrix
 * @example
 * ```ts
 * import { eigvalsh, hessian, initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("tanh") }), { seed: 2 });
 * const H = hessian(net, data, "logistic", { mean: true });
 * const lambda = eigvalsh(H);
 * console.log(H.rows, lambda[0], lambda[lambda.length - 1]); // 12, the smallest and largest curvature
 * ```
 */
export function hessian(model: Model, data: ModelData, loss: LossName, opts: HessianOptions = {}): Matrix {
  checkModelData(model, data);
  const method = opts.method ?? "auto";
  if (method === "gauss-newton" && model.arch.kind !== "two-layer") {
    throw new RangeError(`hessian: method "gauss-newton" is implemented for two-layer networks only`);
  }
  const H = method === "hvp" || model.arch.kind !== "two-layer"
    ? hessianByHvp(model, data, loss, opts)
    : hessianGaussNewtonTwoLayer(model, data, loss, opts);
  symmetrize(H);
  return H;
}

/** Column t of ∇²ℒ is ∇²ℒ·e_t: p exact HVPs (not symmetrised). */
function hessianByHvp(model: Model, data: ModelData, loss: LossName, opts: LossOptions): Matrix {
  const p = paramCount(model.arch);
  const op = hessianOperator(model, data, loss, opts);
  const H = new Float64Array(p * p);
  const e = new Float64Array(p);
  const col = new Float64Array(p);
  for (let t = 0; t < p; t++) {
    e[t] = 1;
    op.apply(e, col);
    e[t] = 0;
    H.set(col, t * p); // row t of the (symmetric) Hessian
  }
  return { rows: p, cols: p, data: H };
}

/** Jᵀ Λ J + Σ G·∇²f for a two-layer network (not symmetrised). */
function hessianGaussNewtonTwoLayer(model: Model, data: ModelData, loss: LossName, opts: LossOptions): Matrix {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new RangeError("hessianGaussNewtonTwoLayer: two-layer networks only");
  const { d, k } = arch;
  const n = data.X.rows;
  const p = paramCount(arch);
  const X = data.X.data;
  const theta = model.theta;
  const Hs = new Float64Array(p * p);
  if (n === 0) return { rows: p, cols: p, data: Hs };
  const ws = createTwoLayerWorkspace(arch, n);
  const F = new Float64Array(n * k);
  twoLayerForward(ws, theta, X, n, F);
  const G = new Float64Array(n * k);
  const Lam = new Float64Array(n * k);
  lossOnOutputs(loss, F, data.Y.data, n, k, opts.mean ?? false, G, Lam);
  const rowsPerBlock = Math.max(1, Math.min(n, Math.floor(JACOBIAN_BLOCK_ENTRIES / (k * p))));
  const J = new Float64Array(rowsPerBlock * k * p);
  for (let r0 = 0; r0 < n; r0 += rowsPerBlock) {
    const nb = Math.min(rowsPerBlock, n - r0);
    twoLayerJacobian(ws, theta, X.subarray(r0 * d), nb, J, p);
    for (let r = 0; r < nb * k; r++) {
      const lam = Lam[r0 * k + r];
      if (!(lam >= 0)) throw new RangeError(`hessian: ∂²ℒ/∂F² = ${lam} < 0 at output entry ${r0 * k + r}; the Gauss–Newton assembly needs a convex loss`);
      const s = Math.sqrt(lam);
      for (let t = r * p; t < (r + 1) * p; t++) J[t] *= s;
    }
    gemmRaw(true, false, p, p, nb * k, 1, J, 0, p, J, 0, p, r0 === 0 ? 0 : 1, Hs, 0, p);
  }
  twoLayerAddSecondOrderTerm(ws, theta, X, n, G, Hs);
  return { rows: p, cols: p, data: Hs };
}

/** H ← (H + Hᵀ)/2 in place. */
function symmetrize(H: Matrix): void {
  const p = H.rows;
  const h = H.data;
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const v = 0.5 * (h[i * p + j] + h[j * p + i]);
      h[i * p + j] = v;
      h[j * p + i] = v;
    }
  }
}
