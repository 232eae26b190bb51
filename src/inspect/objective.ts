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

/**
 * 1 for every regularised entry of θ (all but the output bias c): θ_reg of
 * F = ℒ + (β/2)‖θ_reg‖² (docs/science/convex.md §1.1).
 *
 * @param arch - the network's architecture (θ's layout)
 * @returns a 0/1 mask of length paramCount(arch)
 * @example
 * ```ts
 * import { makeActivation, penaltyMask, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu"), outputBias: true });
 * console.log(penaltyMask(arch)); // ones, a zero at c
 * ```
 */
export function penaltyMask(arch: Architecture): Uint8Array {
  const mask = new Uint8Array(paramCount(arch)).fill(1);
  if (arch.kind === "two-layer" && arch.outputBias) {
    const c = twoLayerLayout(arch).c;
    mask.fill(0, c, c + arch.k);
  }
  return mask;
}

/**
 * (β/2)‖θ_reg‖², θ_reg = every parameter but the output bias c.
 *
 * @param arch - the network's architecture
 * @param theta - the parameters θ (layout of arch)
 * @param beta - the weight decay β ≥ 0 (0 gives 0)
 * @returns the penalty
 * @example
 * ```ts
 * import { initializeModel, makeActivation, twoLayerArchitecture, penaltyValue } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(penaltyValue(net.arch, net.theta, 1e-2));
 * ```
 */
export function penaltyValue(arch: Architecture, theta: Float64Array, beta: number): number {
  if (beta === 0) return 0;
  const mask = penaltyMask(arch);
  let s = 0;
  for (let i = 0; i < theta.length; i++) if (mask[i]) s += theta[i] * theta[i];
  return 0.5 * beta * s;
}

/**
 * F(θ) = ℒ(θ) + (β/2)‖θ_reg‖² and its parts (ℒ = s·Σ_i ℓ(f(x_i; θ); y_i), s = 1 or 1/n).
 *
 * @param model - the network (architecture and θ)
 * @param data - inputs X (n×d) and targets Y (n×k): a Dataset or `{X, Y}`
 * @param spec - the loss, mean (default false: sum over samples) and β (default 0)
 * @returns F, the loss ℒ with its logarithm (accurate when ℒ underflows) and the penalty
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, objectiveValue } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(objectiveValue(net, data, { loss: "logistic", beta: 1e-3 }));
 * ```
 */
export function objectiveValue(model: Model, data: ModelData, spec: ObjectiveSpec): ObjectiveValue {
  const r = lossAndGradient(model, data, spec.loss, { mean: spec.mean, gradient: false });
  const penalty = penaltyValue(model.arch, model.theta, spec.beta ?? 0);
  return { objective: r.loss + penalty, loss: r.loss, logLoss: r.logLoss, penalty };
}

/**
 * F(θ), its parts and ∇F(θ) = ∇ℒ(θ) + β·θ_reg.
 *
 * @param model - the network
 * @param data - inputs X and targets Y (a Dataset or `{X, Y}`)
 * @param spec - the loss, mean and β
 * @returns objectiveValue's numbers and the gradient (length p, θ's layout)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, objectiveGradient, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const { objective, gradient } = objectiveGradient(net, data, { loss: "logistic", beta: 1e-3 });
 * console.log(objective, Math.hypot(...gradient));
 * ```
 */
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

/**
 * The dense ∇²F(θ) = ∇²ℒ(θ) + β·diag(mask) (p×p, exactly symmetric).
 *
 * @param model - the network (p parameters: the matrix takes 8p² bytes)
 * @param data - inputs X and targets Y
 * @param spec - the loss, mean and β
 * @returns the Hessian, row-major p×p
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, eigh, objectiveHessian } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const H = objectiveHessian(net, data, { loss: "square", beta: 1e-2 });
 * console.log(eigh(H).values[0]); // λ_min
 * ```
 */
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

/**
 * v ↦ ∇²F(θ)·v written into `out` (exact Hessian–vector products, model/hvp.ts, plus βv on θ_reg),
 * for networks too large for the dense Hessian.
 *
 * @param model - the network
 * @param data - inputs X and targets Y
 * @param spec - the loss, mean and β
 * @returns the operator: `(v, out)` with v and out of length p
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, objectiveHessianOperator } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const apply = objectiveHessianOperator(net, data, { loss: "square" });
 * const v = new Float64Array(net.theta.length).fill(1), Hv = new Float64Array(net.theta.length);
 * apply(v, Hv);
 * console.log(Hv);
 * ```
 */
export function objectiveHessianOperator(model: Model, data: ModelData, spec: ObjectiveSpec): (v: Float64Array, out: Float64Array) => void {
  const op = hessianOperator(model, data, spec.loss, { mean: spec.mean });
  const beta = spec.beta ?? 0;
  const mask = penaltyMask(model.arch);
  return (v, out) => {
    op.apply(v, out);
    if (beta !== 0) for (let i = 0; i < v.length; i++) if (mask[i]) out[i] += beta * v[i];
  };
}

/** The two yardsticks of ‖∇F‖ (gradientScales). */
export interface GradientScales {
  /** Σ_i Σ_c |∂ℒ/∂F_ic|·‖∇_θ f_c(x_i)‖ + β‖θ_reg‖: the size of the terms that cancel in ∇F. */
  readonly scale: number;
  /**
   * The rounding floor of ∇F for the square loss: Σ_i Σ_c ε·(|F_ic| + |Y_ic|)·w·‖∇_θ f_c(x_i)‖
   * (w = 1, or 1/n with the mean), ε = 2^−52. The residual F_ic − Y_ic is known only to about
   * ε·(|F_ic| + |Y_ic|) (its subtraction, and F's own rounding), so at an interpolating fit,
   * where every residual is at that level, ‖∇F‖ cannot be smaller than rounding makes it —
   * however small `scale` (made of those same residuals) is. 0 for the other losses, whose
   * ∂ℒ/∂F are computed to relative accuracy.
   */
  readonly roundingFloor: number;
}

/**
 * The scale of the terms ∇F is a sum of: Σ_i Σ_c |∂ℒ/∂F_ic|·‖∇_θ f_c(x_i)‖ + β‖θ_reg‖ (as in
 * plateau/refine.ts, plus the penalty). ‖∇F‖/scale measures the cancellation reached: rounding
 * alone leaves about n·ε of it. With it, the rounding floor of the square loss (GradientScales).
 * The Jacobian is formed in blocks of samples (≤ 2^23 entries).
 *
 * @param model - the network
 * @param data - inputs X and targets Y
 * @param spec - the loss, mean and β
 * @returns scale (the yardstick of ‖∇F‖) and roundingFloor (square loss: the smallest ‖∇F‖ rounding allows; 0 otherwise)
 * @example
 * ```ts
 * import { gradientScales, initializeModel, makeActivation, makeBuiltin, objectiveGradient, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const spec = { loss: "logistic" as const };
 * const { scale } = gradientScales(net, data, spec);
 * console.log(Math.hypot(...objectiveGradient(net, data, spec).gradient) / scale); // ≈ 1e-16 at a stationary point
 * ```
 */
export function gradientScales(model: Model, data: ModelData, spec: ObjectiveSpec): GradientScales {
  const n = data.X.rows;
  const k = outputDim(model.arch);
  const p = paramCount(model.arch);
  const F = forward(model, data.X).data;
  const dF = new Float64Array(n * k);
  lossOnOutputs(spec.loss, F, data.Y.data, n, k, spec.mean ?? false, dF, null);
  const floorWeight = spec.loss === "square" ? Number.EPSILON * (spec.mean ? 1 / n : 1) : 0;
  const d = data.X.cols;
  const block = Math.max(1, Math.floor(JACOBIAN_BLOCK_ENTRIES / Math.max(1, k * p)));
  let s = 0;
  let floor = 0;
  for (let i0 = 0; i0 < n; i0 += block) {
    const rows = Math.min(block, n - i0);
    const J = outputJacobian(model, { rows, cols: d, data: data.X.data.subarray(i0 * d, (i0 + rows) * d) });
    for (let t = 0; t < rows * k; t++) {
      const r = dF[i0 * k + t];
      const size = Math.abs(F[i0 * k + t]) + Math.abs(data.Y.data[i0 * k + t]);
      if (r === 0 && (floorWeight === 0 || size === 0)) continue;
      const jn = nrm2(J.data.subarray(t * p, (t + 1) * p));
      s += Math.abs(r) * jn;
      floor += floorWeight * size * jn;
    }
  }
  const beta = spec.beta ?? 0;
  return { scale: s + (beta !== 0 ? beta * Math.sqrt((2 * penaltyValue(model.arch, model.theta, beta)) / beta) : 0), roundingFloor: floor };
}

/**
 * The scale of the terms of ∇F (gradientScales().scale). Exported from the root as
 * `objectiveGradientScale` (the root's `gradientScale` is plateau's).
 *
 * @param model - the network
 * @param data - inputs X and targets Y
 * @param spec - the loss, mean and β
 * @returns Σ_i Σ_c |∂ℒ/∂F_ic|·‖∇_θ f_c(x_i)‖ + β‖θ_reg‖
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, objectiveGradientScale } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(objectiveGradientScale(net, data, { loss: "square", mean: true }));
 * ```
 */
export function gradientScale(model: Model, data: ModelData, spec: ObjectiveSpec): number {
  return gradientScales(model, data, spec).scale;
}
