/** Loss, log-loss and gradient of a model on data, and the output VJP they are built on. */
import type { Matrix } from "../linalg/index.js";
import type { Model } from "./architecture.js";
import { checkTheta, outputDim, paramCount } from "./architecture.js";
import type { LossName, LossOptions } from "./losses.js";
import { normalizedOutputGradient } from "./losses.js";
import type { ModelData } from "./modelData.js";
import { checkInputs, checkModelData } from "./modelData.js";
import { createWorkspace, lossGradientInto, vjpInto, workspaceOutputs } from "./network.js";
import type { LossValue } from "./objective.js";

/** ℒ, log ℒ, the outputs F (n×k) and, when asked for, ∇ℒ. */
export interface LossEvaluation extends LossValue {
  readonly outputs: Matrix;
  readonly gradient: Float64Array | null;
}

/**
 * Output vector–Jacobian product Σ_i R_iᵀ ∂f(x_i; θ)/∂θ for R (n×k): the primitive behind the
 * gradient (R = ∂ℒ/∂F), margin gradients (R = y_i e_i) and normalised gradients. Writes into
 * `out` (length p) when given.
 */
export function outputVjp(model: Model, X: Matrix, R: Matrix, out?: Float64Array): Float64Array {
  checkTheta(model.arch, model.theta);
  checkInputs(model.arch, X);
  const k = outputDim(model.arch);
  if (R.rows !== X.rows || R.cols !== k) throw new RangeError(`outputVjp: R is ${R.rows}×${R.cols}, expected ${X.rows}×${k}`);
  const p = paramCount(model.arch);
  const g = out ?? new Float64Array(p);
  if (g.length !== p) throw new RangeError(`outputVjp: out has ${g.length} entries, expected ${p}`);
  if (X.rows === 0) return g.fill(0);
  vjpInto(createWorkspace(model.arch, X.rows), model.theta, X.data, X.rows, R.data, g);
  return g;
}

/**
 * ℒ(θ) = s·Σ_i ℓ(f(x_i; θ); y_i) (s = 1, or 1/n with mean), log ℒ, the outputs and ∇ℒ(θ)
 * (skipped with `gradient: false`).
 */
export function lossAndGradient(
  model: Model, data: ModelData, loss: LossName, opts: LossOptions & { gradient?: boolean } = {},
): LossEvaluation {
  checkModelData(model, data);
  const n = data.X.rows;
  const k = outputDim(model.arch);
  const wantGrad = opts.gradient ?? true;
  const grad = wantGrad ? new Float64Array(paramCount(model.arch)) : null;
  if (n === 0) return { loss: 0, logLoss: -Infinity, outputs: { rows: 0, cols: k, data: new Float64Array(0) }, gradient: grad };
  const ws = createWorkspace(model.arch, n);
  const v = lossGradientInto(ws, model.theta, data.X.data, data.Y.data, n, loss, opts.mean ?? false, 1, grad);
  const F = workspaceOutputs(ws).slice(0, n * k);
  return { loss: v.loss, logLoss: v.logLoss, outputs: { rows: n, cols: k, data: F }, gradient: grad };
}

/** ℒ(θ) and log ℒ(θ) only. */
export function evaluateLoss(model: Model, data: ModelData, loss: LossName, opts: LossOptions = {}): LossValue {
  const r = lossAndGradient(model, data, loss, { ...opts, gradient: false });
  return { loss: r.loss, logLoss: r.logLoss };
}

/**
 * The normalised gradient ∇ℒ/ℒ (the same for sum and mean), finite even when ℒ and ∇ℒ underflow
 * (margins ≫ 745): the output gradient divided by ℒ is formed in log space
 * (`normalizedOutputGradient`) and pushed through the output VJP. Returns it with log ℒ (sum).
 */
export function normalizedGradient(model: Model, data: ModelData, loss: LossName): { logLoss: number; direction: Float64Array } {
  checkModelData(model, data);
  const n = data.X.rows;
  const k = outputDim(model.arch);
  const ev = lossAndGradient(model, data, loss, { gradient: false });
  const R = normalizedOutputGradient(loss, ev.outputs.data, data.Y.data, n, k, new Float64Array(n * k));
  const direction = outputVjp(model, data.X, { rows: n, cols: k, data: R });
  return { logLoss: ev.logLoss, direction };
}
