/**
 * Sharpness of log ℒ: the eigenvalue of largest magnitude of ∇²log ℒ(θ), by power iteration on
 * central-difference Hessian–vector products of a log-space gradient (margin.marginLogGradient):
 *   H v ≈ (∇log ℒ(θ + h v) − ∇log ℒ(θ − h v)) / (2h),   ‖v‖ = 1.
 * Used to check the step-size cap of the loss-based step (dynamics/lossStep): GD on log ℒ with
 * step α is stable while α·λ_max(∇²log ℒ) < 2, and for an L-homogeneous net λ_max grows like
 * ‖θ‖^{2L−2} (Lyu & Li 2020 setting; derivation in lossBasedGradientDescent's doc comment).
 * The weights e^{−q_k}/ℒ vary on the scale 1/‖∇q‖ ~ ‖θ‖^{1−L}, so h = hRel·‖θ‖^{1−L}.
 * Valid where q is smooth (no ReLU unit on a kink within h). Allocates its vectors once.
 */
import { nrm2 } from "../linalg/index.js";
import type { LossValue } from "../model/index.js";

export interface SharpnessOptions {
  /** Homogeneity order L (sets the difference step). */
  readonly homogeneity: number;
  /** Power iterations (default 60). */
  readonly iterations?: number;
  /** Relative difference step (default 1e-5). */
  readonly hRel?: number;
}

/**
 * λ of largest |λ| of ∇²log ℒ at θ (signed), by power iteration from a fixed start vector.
 *
 * @param logGradient - θ ↦ ∇log ℒ(θ) written into its second argument (`marginLogGradient`)
 * @param theta - the point, length p
 * @param opts - homogeneity order L (sets the difference step), iterations, relative step
 * @returns the signed eigenvalue of ∇²log ℒ(θ) of largest magnitude (an estimate; accurate where q is smooth)
 * @example
 * ```ts
 * import { initializeModel, logLossSharpness, makeActivation, makeBuiltin, marginLogGradient, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * const lambda = logLossSharpness(marginLogGradient(net.arch, data, "logistic"), net.theta, { homogeneity: 2, iterations: 30 });
 * console.log(`stable log-space steps: α < ${2 / Math.abs(lambda)}`);
 * ```
 */
export function logLossSharpness(
  logGradient: (theta: Float64Array, out: Float64Array) => LossValue, theta: Float64Array, opts: SharpnessOptions,
): number {
  const p = theta.length;
  const h = (opts.hRel ?? 1e-5) * nrm2(theta) ** (1 - opts.homogeneity);
  const v = new Float64Array(p);
  const hv = new Float64Array(p);
  const tp = new Float64Array(p);
  const gp = new Float64Array(p);
  const gm = new Float64Array(p);
  // fixed, generic start vector
  for (let i = 0; i < p; i++) v[i] = Math.sin(1.7 * i + 0.3) + 0.1;
  let lambda = NaN;
  const iters = opts.iterations ?? 60;
  for (let it = 0; it < iters; it++) {
    const nv = nrm2(v);
    for (let i = 0; i < p; i++) v[i] /= nv;
    for (let i = 0; i < p; i++) tp[i] = theta[i] + h * v[i];
    logGradient(tp, gp);
    for (let i = 0; i < p; i++) tp[i] = theta[i] - h * v[i];
    logGradient(tp, gm);
    let rq = 0;
    for (let i = 0; i < p; i++) {
      hv[i] = (gp[i] - gm[i]) / (2 * h);
      rq += v[i] * hv[i];
    }
    lambda = rq;
    v.set(hv);
  }
  return lambda;
}
