/**
 * Classification of split points θ_λ by the rules of docs/science/plateau.md §5 (reconstructed from
 * Ding, Li & Sun 2026 and checked numerically there), with the second-order structure
 *
 *   In(∇²L(θ_λ)) = In(H_red) + In(Q_λ) + (0, 0, k − 1),
 *   In(Q_λ) = (p₊(k₊ − 1) + p₋k₋,  p₊k₋ + p₋(k₊ − 1),  (p₊ + p₋)k₀ + p₀(k − 1)),
 *
 * In(H_j) = (p₊, p₋, p₀), k₊/k₋/k₀ the numbers of positive/negative/zero λ_l. For k = 2 this is
 * Q = λ(1 − λ)H_j (Fukumizu & Amari 2000).
 */
import { addInertia, type Inertia } from "./inertia.js";

/** The classes of a split point. */
export const SPLIT_CLASSES = ["local minimum", "strict saddle", "fourth-order saddle", "undetermined"] as const;
export type SplitClass = (typeof SPLIT_CLASSES)[number];

/** Numbers of positive, negative and zero λ_l (|λ_l| ≤ zeroTol counts as zero). */
export interface LambdaSigns {
  readonly positive: number;
  readonly negative: number;
  readonly zero: number;
}

/** Default: |λ_l| ≤ 1e-12 is a zero weight. */
export const LAMBDA_ZERO_TOL = 1e-12;

/** Signs of the split coefficients. */
export function lambdaSigns(lambdas: readonly number[], zeroTol = LAMBDA_ZERO_TOL): LambdaSigns {
  let positive = 0;
  let negative = 0;
  let zero = 0;
  for (const l of lambdas) {
    if (l > zeroTol) positive++;
    else if (l < -zeroTol) negative++;
    else zero++;
  }
  return { positive, negative, zero };
}

/**
 * In(Q_λ) of the quadratic form ½ Σ_l λ_l ξ_lᵀH_jξ_l on {ξ : Σ λ_l ξ_l = 0} (docs/science/plateau.md §4):
 * (p₊(k₊ − 1) + p₋k₋, p₊k₋ + p₋(k₊ − 1), (p₊ + p₋)k₀ + p₀(k − 1)).
 */
export function qLambdaInertia(inner: Inertia, lambdas: readonly number[], zeroTol = LAMBDA_ZERO_TOL): Inertia {
  const s = lambdaSigns(lambdas, zeroTol);
  const k = lambdas.length;
  const { positive: pp, negative: pm, zero: p0 } = inner;
  // With no positive λ (impossible when Σλ = 1) the formula would go negative: clamp.
  const kp1 = Math.max(s.positive - 1, 0);
  return {
    positive: pp * kp1 + pm * s.negative,
    negative: pp * s.negative + pm * kp1,
    zero: (pp + pm) * s.zero + p0 * (k - 1),
  };
}

/** Predicted In(∇²L(θ_λ)) = In(H_red) + In(Q_λ) + (0, 0, k − 1). */
export function predictedSplitInertia(reduced: Inertia, inner: Inertia, lambdas: readonly number[], zeroTol = LAMBDA_ZERO_TOL): Inertia {
  return addInertia(reduced, qLambdaInertia(inner, lambdas, zeroTol), { positive: 0, negative: 0, zero: lambdas.length - 1 });
}

/**
 * λ in the sure-saddle region: p₊k₋ + p₋(k₊ − 1) > 0 (a negative direction of Q_λ), or a zero
 * weight k₀ > 0 with H_j ≠ 0 (the quartic probe descends).
 */
export function isSureSaddle(inner: Inertia, lambdas: readonly number[], zeroTol = LAMBDA_ZERO_TOL): boolean {
  const s = lambdaSigns(lambdas, zeroTol);
  const innerNonzero = inner.positive + inner.negative > 0;
  return inner.positive * s.negative + inner.negative * Math.max(s.positive - 1, 0) > 0 || (s.zero > 0 && innerNonzero);
}

/** A classification with its reason. */
export interface SplitClassification {
  readonly cls: SplitClass;
  readonly predictedInertia: Inertia;
  readonly signs: LambdaSigns;
  /** Which rule decided it, in words. */
  readonly reason: string;
}

/**
 * Class of θ_λ from In(H_red) (unsplit Hessian at θ*), In(H_j) and λ:
 *  - H_red has a negative eigenvalue (θ* a saddle) → strict saddle;
 *  - In(Q_λ) has a negative count → strict saddle;
 *  - some λ_l = 0 and H_j ≠ 0 → fourth-order saddle (quartic probe);
 *  - H_red ≻ 0 and Q_λ nonsingular → local minimum (the Hessian kernel is the plateau tangent);
 *  - otherwise (θ* degenerate, H_j singular or zero) → undetermined at second order.
 */
export function classifySplitPoint(reduced: Inertia, inner: Inertia, lambdas: readonly number[], zeroTol = LAMBDA_ZERO_TOL): SplitClassification {
  const signs = lambdaSigns(lambdas, zeroTol);
  const q = qLambdaInertia(inner, lambdas, zeroTol);
  const predictedInertia = predictedSplitInertia(reduced, inner, lambdas, zeroTol);
  const innerNonzero = inner.positive + inner.negative > 0;
  const out = (cls: SplitClass, reason: string): SplitClassification => ({ cls, predictedInertia, signs, reason });
  if (reduced.negative > 0) return out("strict saddle", "θ* is a saddle (H_red has a negative eigenvalue); it persists at every split point");
  if (q.negative > 0) return out("strict saddle", `Q_λ has ${q.negative} negative direction(s): p₊k₋ + p₋(k₊ − 1) > 0`);
  if (signs.zero > 0 && innerNonzero) return out("fourth-order saddle", "a child has zero output weight and H_j ≠ 0: the quartic probe descends (ΔL ≈ −κ|q|t⁴/4)");
  if (reduced.zero === 0 && q.zero === 0) return out("local minimum", "H_red ≻ 0 and Q_λ ≻ 0: the Hessian kernel is the (k − 1)-dimensional plateau tangent");
  if (reduced.zero > 0) return out("undetermined", "θ* is degenerate (H_red singular): second order does not decide");
  if (!innerNonzero) return out("undetermined", "H_j = 0: decided by the residual correlation (third-order theorem, not implemented)");
  return out("undetermined", "H_j is singular: Q_λ has a kernel beyond the plateau tangent");
}
