// Losses of the convex program on the prediction vector ŷ ∈ ℝⁿ (sum convention), their
// gradients and the dual objective −L*(−ν). Source: docs/science/convex.md §1.4; for the
// logistic conjugate, Boyd & Vandenberghe, Convex Optimization, ex. 3.22 / §5.
import { InputError } from "../../common/errors.js";

export const CONVEX_LOSSES = ["square", "logistic"] as const;
export type ConvexLossName = (typeof CONVEX_LOSSES)[number];

/** A convex loss L(ŷ) = Σ_k ℓ(ŷ_k, y_k). */
export interface ConvexLoss {
  readonly name: ConvexLossName;
  /** Upper bound on ℓ'' (1 for the square loss, 1/4 for the logistic loss). */
  readonly curvature: number;
  /** L(ŷ). */
  value(yhat: Float64Array, y: Float64Array): number;
  /** L(ŷ) and ∇L(ŷ) written into `grad`. */
  valueAndGradient(yhat: Float64Array, y: Float64Array, grad: Float64Array): number;
  /** The dual objective −L*(−ν); −∞ when ν is outside the domain of L*. */
  dualValue(nu: Float64Array, y: Float64Array): number;
}

/**
 * Square loss ½‖ŷ − y‖², ∇ = ŷ − y; −L*(−ν) = νᵀy − ½‖ν‖² (docs/science/convex.md §1.4).
 */
export const squareLoss: ConvexLoss = {
  name: "square",
  curvature: 1,
  value(yhat, y) {
    let s = 0;
    for (let k = 0; k < y.length; k++) {
      const r = yhat[k] - y[k];
      s += r * r;
    }
    return 0.5 * s;
  },
  valueAndGradient(yhat, y, grad) {
    let s = 0;
    for (let k = 0; k < y.length; k++) {
      const r = yhat[k] - y[k];
      grad[k] = r;
      s += r * r;
    }
    return 0.5 * s;
  },
  dualValue(nu, y) {
    let s = 0;
    for (let k = 0; k < y.length; k++) s += nu[k] * y[k] - 0.5 * nu[k] * nu[k];
    return s;
  },
};

/** log(1 + eᶻ) without overflow or loss of precision for large |z|. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1/(1 + e⁻ᶻ) without overflow. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Binary entropy −s·log s − (1−s)·log(1−s) (nats), 0 at the ends, −∞ outside [0, 1]. */
function entropy(s: number): number {
  if (s < 0 || s > 1) return -Infinity;
  let h = 0;
  if (s > 0) h -= s * Math.log(s);
  if (s < 1) h -= (1 - s) * Math.log1p(-s);
  return h;
}

/**
 * Logistic loss Σ_k log(1 + exp(−y_k ŷ_k)) for labels y_k = ±1; ∇_k = −y_k σ(−y_k ŷ_k), so
 * ν = −∇L has ν_k y_k = σ(−y_k ŷ_k) ∈ (0, 1). Conjugate: −L*(−ν) = Σ_k H(ν_k y_k) with H the
 * binary entropy in nats, finite for ν_k y_k ∈ [0, 1]; scaling ν by c ∈ [0, 1] stays inside.
 */
export const logisticLoss: ConvexLoss = {
  name: "logistic",
  curvature: 0.25,
  value(yhat, y) {
    let s = 0;
    for (let k = 0; k < y.length; k++) s += softplus(-y[k] * yhat[k]);
    return s;
  },
  valueAndGradient(yhat, y, grad) {
    let s = 0;
    for (let k = 0; k < y.length; k++) {
      const m = -y[k] * yhat[k];
      s += softplus(m);
      grad[k] = -y[k] * sigmoid(m);
    }
    return s;
  },
  dualValue(nu, y) {
    let s = 0;
    for (let k = 0; k < y.length; k++) s += entropy(nu[k] * y[k]);
    return s;
  },
};

/**
 * The loss of a name.
 *
 * @param name - "square" or "logistic"
 * @returns the loss object: value, value and gradient, dual objective −L*(−ν), curvature bound
 * @example
 * ```ts
 * import { convexLoss } from "splitscape";
 * const L = convexLoss("logistic");
 * console.log(L.value(Float64Array.of(0, 2), Float64Array.of(1, -1))); // log 2 + log(1 + e²)
 * ```
 */
export function convexLoss(name: ConvexLossName): ConvexLoss {
  return name === "square" ? squareLoss : logisticLoss;
}

/** True for a supported loss name. */
export function isConvexLossName(name: string): name is ConvexLossName {
  return (CONVEX_LOSSES as readonly string[]).includes(name);
}

/** InputError unless every label is exactly ±1 (needed by the logistic loss). */
export function checkLabels(loss: ConvexLossName, y: Float64Array, source: string): void {
  if (loss !== "logistic") return;
  for (let k = 0; k < y.length; k++) {
    if (y[k] !== 1 && y[k] !== -1) {
      throw new InputError(source, `the logistic loss needs labels ±1, got ${y[k]} in row ${k}`, "y");
    }
  }
}
