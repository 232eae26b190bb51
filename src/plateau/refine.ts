/**
 * Refinement of an approximate stationary point to ‖∇ℒ‖ ≤ tol·scale by Levenberg–Marquardt on
 * the gradient equation ∇ℒ(θ) = 0 (Nocedal & Wright, 2nd ed., §10.3 and §11.2: LM for the
 * nonlinear system g(θ) = 0 with Jacobian H = ∇²ℒ):
 *
 *   (H² + μ I) s = −H g,   θ ← θ + s  if ‖g(θ + s)‖ < ‖g(θ)‖,
 *
 * with Nielsen's damping update (Madsen, Nielsen & Tingleff 2004, "Methods for non-linear least
 * squares problems", §3.2): gain ratio ρ = (actual decrease of ½‖g‖²)/(decrease predicted by the
 * linear model g + Hs); accepted: μ ← μ·max(1/3, 1 − (2ρ − 1)³), ν ← 2; rejected: μ ← νμ, ν ← 2ν.
 *
 * H the dense Hessian, the SPD system solved by Cholesky with shift (linalg). For μ → 0 this is
 * Newton's step −H⁻¹g (quadratic convergence at a nondegenerate point, minimum or saddle alike);
 * for singular H it is the damped least-squares step, so flat directions do not blow it up.
 *
 * The scale is the size of the terms the gradient is a sum of,
 *   scale = Σ_i |∂ℓ/∂f_i| ‖∇_θ f(x_i)‖,
 * so ‖∇ℒ‖/scale measures the cancellation reached (rounding alone leaves about n·ε of it).
 */
import { choleskySolve, choleskyWithShift, distance, nrm2 } from "../linalg/index.js";
import { gemmRaw } from "../linalg/gemm.js";
import type { LossName, LossOptions, Model, ModelData } from "../model/index.js";
import { checkModelData, hessian, lossAndGradient, outputJacobian } from "../model/index.js";
import { outputResiduals } from "./residuals.js";

/** Default relative gradient tolerance: ‖∇ℒ‖ ≤ 1e-12·scale. */
export const STATIONARY_REL_TOL = 1e-12;

export interface RefineOptions extends LossOptions {
  /** Relative tolerance (default STATIONARY_REL_TOL). */
  relTol?: number;
  /** Maximum accepted + rejected LM steps (default 100). */
  maxIterations?: number;
  /** Initial damping relative to max diag(H²) (default 1e-10). */
  initialDamping?: number;
}

/** One LM trial. */
export interface RefineStep {
  readonly iteration: number;
  readonly gradientNorm: number;
  readonly damping: number;
  readonly stepNorm: number;
  readonly accepted: boolean;
}

/** The refinement's own report. */
export interface RefinementReport {
  /** The refined model (a copy; the input is not modified). */
  readonly model: Model;
  readonly converged: boolean;
  /** Trials made (accepted and rejected). */
  readonly iterations: number;
  /** ‖∇ℒ‖ at the start. */
  readonly initialGradientNorm: number;
  /** ‖∇ℒ‖ at the end. */
  readonly gradientNorm: number;
  /** Final scale Σ_i |∂ℓ/∂f_i| ‖∇f(x_i)‖. */
  readonly scale: number;
  readonly relTol: number;
  /** relTol·scale. */
  readonly tolerance: number;
  readonly loss: number;
  /** ‖θ_final − θ_start‖. */
  readonly displacement: number;
  readonly steps: RefineStep[];
}

/**
 * Σ_i |∂ℓ/∂f_i| ‖∇_θ f(x_i)‖ at θ (scalar or vector outputs: one term per output entry).
 *
 * The scale against which ‖∇ℒ‖ is judged stationary (refineStationaryPoint, the plateau checks):
 * what ‖∇ℒ‖ would be if the per-sample gradients did not cancel.
 *
 * @param model - the network (any architecture with a forward pass and parameter gradients)
 * @param data - inputs X and targets Y
 * @param loss - the loss name
 * @param opts - `mean`: average over the samples instead of summing
 * @returns Σ_i |∂ℓ/∂f_i| ‖∇_θ f(x_i)‖ (≥ 0; 0 only when every residual or gradient vanishes)
 * @example
 * ```ts
 * import { designStationaryPoint, evaluateLoss, gradientScale, makeActivation } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const scale = gradientScale(model, data, "square");
 * console.log(scale, evaluateLoss(model, data, "square").loss);
 * ```
 */
export function gradientScale(model: Model, data: ModelData, loss: LossName, opts: LossOptions = {}): number {
  const r = outputResiduals(model, data, loss, opts).r;
  const J = outputJacobian(model, data.X);
  const p = J.cols;
  let s = 0;
  for (let t = 0; t < J.rows; t++) {
    if (r[t] === 0) continue;
    s += Math.abs(r[t]) * nrm2(J.data.subarray(t * p, (t + 1) * p));
  }
  return s;
}

/**
 * Refine θ to a stationary point of ℒ: ‖∇ℒ(θ)‖ ≤ relTol·scale (see the file comment), by
 * Levenberg–Marquardt on ∇ℒ = 0 with the dense Hessian. Returns the refined model with the
 * iteration history; `converged` says whether the tolerance was met.
 *
 * @param model - the starting network, near a stationary point (not modified)
 * @param data - inputs X and targets Y
 * @param loss - the loss name
 * @param opts - relTol (default STATIONARY_REL_TOL), maxIterations, initialDamping, and `mean`
 * @returns the refined model, `converged`, the iteration count and history, the initial and final ‖∇ℒ‖, the scale and the tolerance used
 * @example
 * ```ts
 * import { designStationaryPoint, makeActivation, refineStationaryPoint } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const r = refineStationaryPoint(model, data, "square");
 * console.log(r.converged, r.gradientNorm / r.scale);
 * ```
 */
export function refineStationaryPoint(model: Model, data: ModelData, loss: LossName, opts: RefineOptions = {}): RefinementReport {
  checkModelData(model, data);
  const relTol = opts.relTol ?? STATIONARY_REL_TOL;
  const maxIterations = opts.maxIterations ?? 100;
  const lossOpts: LossOptions = { mean: opts.mean };
  const p = model.theta.length;
  let theta = model.theta.slice();
  const at = (t: Float64Array): Model => ({ arch: model.arch, theta: t });
  let ev = lossAndGradient(at(theta), data, loss, lossOpts);
  let g = ev.gradient!;
  let gnorm = nrm2(g);
  const initialGradientNorm = gnorm;
  let scale = gradientScale(at(theta), data, loss, lossOpts);
  let nu = opts.initialDamping ?? 1e-10;
  let growth = 2;
  const steps: RefineStep[] = [];
  let iterations = 0;
  let H2: Float64Array | null = null;
  let Hg: Float64Array | null = null;
  let Hmat: Float64Array | null = null;
  let h2max = 0;
  while (gnorm > relTol * scale && iterations < maxIterations) {
    if (H2 === null || Hg === null) {
      const H = hessian(at(theta), data, loss, lossOpts).data;
      Hmat = H;
      H2 = new Float64Array(p * p);
      gemmRaw(false, false, p, p, p, 1, H, 0, p, H, 0, p, 0, H2, 0, p);
      for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) {
        const v = 0.5 * (H2[i * p + j] + H2[j * p + i]);
        H2[i * p + j] = v;
        H2[j * p + i] = v;
      }
      Hg = new Float64Array(p);
      for (let i = 0; i < p; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += H[i * p + j] * g[j];
        Hg[i] = -s;
      }
      h2max = 0;
      for (let i = 0; i < p; i++) h2max = Math.max(h2max, H2[i * p + i]);
    }
    iterations++;
    const mu = nu * Math.max(h2max, Number.MIN_VALUE);
    const A = { rows: p, cols: p, data: H2.slice() };
    for (let i = 0; i < p; i++) A.data[i * p + i] += mu;
    const chol = choleskyWithShift(A);
    const s = choleskySolve(chol.L, Hg);
    const trial = theta.slice();
    for (let i = 0; i < p; i++) trial[i] += s[i];
    const evT = lossAndGradient(at(trial), data, loss, lossOpts);
    const gT = evT.gradient!;
    const gnT = nrm2(gT);
    const accepted = gnT < gnorm;
    // predicted ½‖g‖² − ½‖g + Hs‖²
    let lin = 0;
    for (let i = 0; i < p; i++) {
      let hs = 0;
      for (let j = 0; j < p; j++) hs += Hmat![i * p + j] * s[j];
      lin += (g[i] + hs) ** 2;
    }
    const rho = (gnorm * gnorm - gnT * gnT) / Math.max(gnorm * gnorm - lin, Number.MIN_VALUE);
    steps.push({ iteration: iterations, gradientNorm: accepted ? gnT : gnorm, damping: mu + chol.shift, stepNorm: nrm2(s), accepted });
    if (accepted) {
      theta = trial;
      ev = evT;
      g = gT;
      gnorm = gnT;
      scale = gradientScale(at(theta), data, loss, lossOpts);
      nu = Math.max(nu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3), 1e-18);
      growth = 2;
      H2 = null;
      Hg = null;
    } else {
      nu *= growth;
      growth *= 2;
      if (nu > 1e12) break;
    }
  }
  return {
    model: at(theta),
    converged: gnorm <= relTol * scale,
    iterations,
    initialGradientNorm,
    gradientNorm: gnorm,
    scale,
    relTol,
    tolerance: relTol * scale,
    loss: ev.loss,
    displacement: distance(theta, model.theta),
    steps,
  };
}
