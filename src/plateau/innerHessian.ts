/**
 * The inner Hessian ("splitting matrix", Liu, Wu & Wang 2019; docs/science/plateau.md §3) of unit j of
 * a scalar-output two-layer network f(x) = Σ_j a_j σ(w_jᵀx + b_j) (+ c):
 *
 *   H_j = a_j Σ_i r_i σ″(w_jᵀx_i + b_j) x̃_i x̃_iᵀ,   r_i = ∂ℓ/∂f(x_i)  (square loss: f − y),
 *
 * x̃_i = (x_i, 1) when the network has input biases (d̃ = d + 1), else x̃_i = x_i (d̃ = d).
 * With its eigen-decomposition and inertia. The zero threshold is relative to the size of the
 * terms the sum is made of, τ = relTol·Σ_i |a_j r_i σ″(z_ij)| ‖x̃_i‖² (the cancellation scale,
 * as for the gradient in refine.ts), not to max|μ|: an H_j that is zero up to rounding then has
 * inertia (0, 0, d̃) instead of random signs.
 */
import { eigh, type Matrix } from "../linalg/index.js";
import type { LossName, LossOptions, Model, ModelData } from "../model/index.js";
import { activationSecondDerivative, activationValue, checkModelData, twoLayerParts } from "../model/index.js";
import { inertiaOfEigenvalues, type MeasuredInertia } from "./inertia.js";
import { outputResiduals } from "./residuals.js";
import { requireScalarTwoLayer } from "./split.js";

/** Default relative threshold for the inertia of H_j: |μ| ≤ 1e-10·Σ_i|a_j r_i σ″(z_ij)|‖x̃_i‖² is zero. */
export const INNER_REL_TOL = 1e-10;

export interface InnerHessianOptions extends LossOptions {
  /** Relative zero threshold of the inertia (default INNER_REL_TOL). */
  relTol?: number;
}

/** H_j with its spectrum. */
export interface InnerHessian {
  readonly unit: number;
  /** a_j. */
  readonly outputWeight: number;
  /** d̃ = d (+1 with input biases). */
  readonly dim: number;
  /** H_j (d̃×d̃, exactly symmetric). */
  readonly matrix: Matrix;
  /** Eigenvalues ascending. */
  readonly eigenvalues: Float64Array;
  /** Column i is the unit eigenvector of eigenvalues[i]. */
  readonly eigenvectors: Matrix;
  /** Inertia with threshold relTol·termScale (inertia.scale = termScale). */
  readonly inertia: MeasuredInertia;
  /** Σ_i |a_j r_i σ″(z_ij)| ‖x̃_i‖². */
  readonly termScale: number;
  /** Σ_i ℓ″_i σ(w_jᵀx̃_i)², the output curvature of a child of unit j (quartic probe). */
  readonly outputCurvature: number;
}

/**
 * Pre-activations z_i = w_jᵀx_i + b_j of unit j (n).
 *
 * @param model - a two-layer network
 * @param X - the inputs (n × d)
 * @param unit - the unit j, in [0, m)
 * @returns z (length n)
 * @example
 * ```ts
 * import { designStationaryPoint, makeActivation, unitPreactivations } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * console.log(Array.from(unitPreactivations(model, data.X, 0)).slice(0, 4));
 * ```
 */
export function unitPreactivations(model: Model, X: Matrix, unit: number): Float64Array {
  const arch = requireScalarTwoLayer(model, "unitPreactivations");
  const { d, m } = arch;
  if (!(Number.isInteger(unit) && unit >= 0 && unit < m)) throw new RangeError(`unit ${unit} is not in [0, ${m})`);
  const parts = twoLayerParts(arch, model.theta);
  const z = new Float64Array(X.rows);
  const bj = parts.b ? parts.b[unit] : 0;
  for (let i = 0; i < X.rows; i++) {
    let s = bj;
    for (let t = 0; t < d; t++) s += parts.W[unit * d + t] * X.data[i * d + t];
    z[i] = s;
  }
  return z;
}

/**
 * H_j = a_j Σ_i r_i σ″(z_ij) x̃_i x̃_iᵀ for residuals r (any loss: r_i = ∂ℓ/∂f_i); the sum
 * only, without eigen-decomposition. Linear in r (the inverse design relies on it).
 *
 * @param model - a scalar-output two-layer network
 * @param X - the inputs (n × d)
 * @param unit - the unit j, in [0, m)
 * @param r - the residuals r_i = ∂ℓ/∂f_i (length n)
 * @returns H_j, a d̃ × d̃ symmetric matrix (d̃ = d, or d + 1 with an input bias)
 * @example
 * ```ts
 * import { designStationaryPoint, innerHessianMatrix, makeActivation, outputResiduals } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const H = innerHessianMatrix(model, data.X, 0, outputResiduals(model, data, "square").r);
 * console.log(H.rows, Array.from(H.data));
 * ```
 */
export function innerHessianMatrix(model: Model, X: Matrix, unit: number, r: Float64Array): Matrix {
  const arch = requireScalarTwoLayer(model, "innerHessian");
  const { d } = arch;
  const dt = arch.inputBias ? d + 1 : d;
  const parts = twoLayerParts(arch, model.theta);
  const aj = parts.a[unit];
  const z = unitPreactivations(model, X, unit);
  const H = new Float64Array(dt * dt);
  const xt = new Float64Array(dt);
  for (let i = 0; i < X.rows; i++) {
    const c = aj * r[i] * activationSecondDerivative(arch.activation, z[i]);
    if (c === 0) continue;
    for (let t = 0; t < d; t++) xt[t] = X.data[i * d + t];
    if (arch.inputBias) xt[d] = 1;
    for (let s = 0; s < dt; s++) {
      const cs = c * xt[s];
      for (let t = 0; t <= s; t++) H[s * dt + t] += cs * xt[t];
    }
  }
  for (let s = 0; s < dt; s++) for (let t = 0; t < s; t++) H[t * dt + s] = H[s * dt + t];
  return { rows: dt, cols: dt, data: H };
}

/**
 * The inner Hessian of unit j at θ for the loss, with eigenvalues, eigenvectors and inertia
 * (relative threshold, reported), and the child output curvature Σ ℓ″_i σ(z_ij)².
 *
 * @param model - a scalar-output two-layer network with a smooth activation
 * @param data - inputs X and targets Y
 * @param loss - the loss name
 * @param unit - the unit j, in [0, m)
 * @param opts - relTol of the inertia (default INNER_REL_TOL) and `mean`
 * @returns H_j (d̃ × d̃, d̃ = d or d + 1 with an input bias), its eigenvalues and eigenvectors, its inertia, a_j and the output curvature
 * @example
 * ```ts
 * import { designStationaryPoint, innerHessian, makeActivation } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const h = innerHessian(model, data, "square", 0);
 * console.log(Array.from(h.eigenvalues), h.inertia.inertia); // one positive, one negative
 * ```
 */
export function innerHessian(model: Model, data: ModelData, loss: LossName, unit: number, opts: InnerHessianOptions = {}): InnerHessian {
  checkModelData(model, data);
  const arch = requireScalarTwoLayer(model, "innerHessian");
  const res = outputResiduals(model, data, loss, opts);
  const matrix = innerHessianMatrix(model, data.X, unit, res.r);
  const e = eigh(matrix);
  const z = unitPreactivations(model, data.X, unit);
  let outputCurvature = 0;
  let termScale = 0;
  const aj = twoLayerParts(arch, model.theta).a[unit];
  const { d } = arch;
  for (let i = 0; i < z.length; i++) {
    outputCurvature += res.curvature[i] * activationValue(arch.activation, z[i]) ** 2;
    let x2 = arch.inputBias ? 1 : 0;
    for (let t = 0; t < d; t++) x2 += data.X.data[i * d + t] ** 2;
    termScale += Math.abs(aj * res.r[i] * activationSecondDerivative(arch.activation, z[i])) * x2;
  }
  return {
    unit,
    outputWeight: aj,
    dim: matrix.rows,
    matrix,
    eigenvalues: e.values,
    eigenvectors: e.vectors!,
    inertia: inertiaOfEigenvalues(e.values, opts.relTol ?? INNER_REL_TOL, termScale),
    termScale,
    outputCurvature,
  };
}
