/**
 * The objective a network is inspected (and sliced) under:
 *
 *   F(θ) = ℒ(θ) + (β/2)·‖θ_reg‖²,   ℒ(θ) = s·Σ_i ℓ(f(x_i; θ); y_i)  (model/losses.ts; s = 1 or 1/n),
 *
 * θ_reg = every parameter except the output bias c (not regularised, as in the convex family:
 * docs/science/convex.md §1.1). β = 0 gives the plain loss. Gradient, Hessian (dense and as an
 * operator) and the scale of the gradient's terms, all with the weight-decay term added exactly
 * (∇ += βθ_reg, ∇² += β·diag(mask)).
 */
import type { Matrix } from "../linalg/index.js";
import { nrm2 } from "../linalg/index.js";
import type { Architecture, LossName, Model, ModelData } from "../model/index.js";
import {
  forward, hessian, hessianOperator, lossAndGradient, lossOnOutputs, outputDim, outputJacobian, paramCount, twoLayerLayout,
} from "../model/index.js";

/** What F is made of. */
export interface ObjectiveSpec {
  readonly loss: LossName;
  /** Mean over samples instead of the sum (default false). */
  readonly mean?: boolean;
  /** Weight decay β ≥ 0 (default 0). */
  readonly beta?: number;
}

/** F and its parts at one θ. */
export interface ObjectiveValue {
  readonly objective: number;
  readonly loss: number;
  readonly logLoss: number;
  /** (β/2)‖θ_reg‖². */
  readonly penalty: number;
}

/** Per-sample output Jacobian blocks are kept below this many entries (64 MB). */
const JACOBIAN_BLOCK_ENTRIES = 1 << 23;

/** 1 for every regularised entry of θ (all but the output bias c). */
export function penaltyMask(arch: Architecture): Uint8Array {
  const mask = new Uint8Array(paramCount(arch)).fill(1);
  if (arch.kind === "two-layer" && arch.outputBias) {
    const c = twoLayerLayout(arch).c;
    mask.fill(0, c, c + arch.k);
  }
  return mask;
}

/** (β/2)‖θ_reg‖². */
export function penaltyValue(arch: Architecture, theta: Float64Array, beta: number): number {
  if (beta === 0) return 0;
  const mask = penaltyMask(arch);
  let s = 0;
  for (let i = 0; i < theta.length; i++) if (mask[i]) s += theta[i] * theta[i];
  return 0.5 * beta * s;
}

/** F(θ) and its parts. */
export function objectiveValue(model: Model, data: ModelData, spec: ObjectiveSpec): ObjectiveValue {
  const r = lossAndGradient(model, data, spec.loss, { mean: spec.mean, gradient: false });
  const penalty = penaltyValue(model.arch, model.theta, spec.beta ?? 0);
  return { objective: r.loss + penalty, loss: r.loss, logLoss: r.logLoss, penalty };
}

/** F(θ), its parts and ∇F(θ). */
export function objectiveGradient(model: Model, data: ModelData, spec: ObjectiveSpec): ObjectiveValue & { gradient: Float64Array } {
  const r = lossAndGradient(model, data, spec.loss, { mean: spec.mean });
  const g = r.gradient!;
  const beta = spec.beta ?? 0;
  if (beta !== 0) {
    const mask = penaltyMask(model.arch);
    for (let i = 0; i < g.length; i++) if (mask[i]) g[i] += beta * model.theta[i];
  }
  const penalty = penaltyValue(model.arch, model.theta, beta);
  return { objective: r.loss + penalty, loss: r.loss, logLoss: r.logLoss, penalty, gradient: g };
}

/** The dense ∇²F(θ) (p×p, exactly symmetric). */
export function objectiveHessian(model: Model, data: ModelData, spec: ObjectiveSpec): Matrix {
  const H = hessian(model, data, spec.loss, { mean: spec.mean });
  const beta = spec.beta ?? 0;
  if (beta !== 0) {
    const mask = penaltyMask(model.arch);
    const p = H.rows;
    for (let i = 0; i < p; i++) if (mask[i]) H.data[i * p + i] += beta;
  }
  return H;
}

/** v ↦ ∇²F(θ)·v written into `out` (exact Hessian–vector products, model/hvp.ts). */
export function objectiveHessianOperator(model: Model, data: ModelData, spec: ObjectiveSpec): (v: Float64Array, out: Float64Array) => void {
  const op = hessianOperator(model, data, spec.loss, { mean: spec.mean });
  const beta = spec.beta ?? 0;
  const mask = penaltyMask(model.arch);
  return (v, out) => {
    op.apply(v, out);
    if (beta !== 0) for (let i = 0; i < v.length; i++) if (mask[i]) out[i] += beta * v[i];
  };
}

/**
 * The scale of the terms ∇F is a sum of: Σ_i Σ_c |∂ℒ/∂F_ic|·‖∇_θ f_c(x_i)‖ + β‖θ_reg‖ (as in
 * plateau/refine.ts, plus the penalty). ‖∇F‖/scale measures the cancellation reached: rounding
 * alone leaves about n·ε of it. The Jacobian is formed in blocks of samples (≤ 2^23 entries).
 */
export function gradientScale(model: Model, data: ModelData, spec: ObjectiveSpec): number {
  const n = data.X.rows;
  const k = outputDim(model.arch);
  const p = paramCount(model.arch);
  const F = forward(model, data.X).data;
  const dF = new Float64Array(n * k);
  lossOnOutputs(spec.loss, F, data.Y.data, n, k, spec.mean ?? false, dF, null);
  const d = data.X.cols;
  const block = Math.max(1, Math.floor(JACOBIAN_BLOCK_ENTRIES / Math.max(1, k * p)));
  let s = 0;
  for (let i0 = 0; i0 < n; i0 += block) {
    const rows = Math.min(block, n - i0);
    const J = outputJacobian(model, { rows, cols: d, data: data.X.data.subarray(i0 * d, (i0 + rows) * d) });
    for (let t = 0; t < rows * k; t++) {
      const r = dF[i0 * k + t];
      if (r !== 0) s += Math.abs(r) * nrm2(J.data.subarray(t * p, (t + 1) * p));
    }
  }
  const beta = spec.beta ?? 0;
  return s + (beta !== 0 ? beta * Math.sqrt((2 * penaltyValue(model.arch, model.theta, beta)) / beta) : 0);
}
