/**
 * Classification of split points θ_λ by the rules of docs/science/plateau.md §5 (reconstructed from
 * Ding, Li & Sun 2026 and checked numerically there), with the second-order structure
 *
 *   In(∇²L(θ_λ)) = In(H_red) + In(Q_λ) + (0, 0, k − 1),
 *   In(Q_λ) = (p₊(k₊ − 1) + p₋k₋,  p₊k₋ + p₋(k₊ − 1),  (p₊ + p₋)k₀ + p₀(k − 1)),
 *
 * In(H_j) = (p₊, p₋, p₀), k₊/k₋/k₀ the numbers of positive/negative/zero λ_l. For k = 2 this is
 * Q = λ(1 − λ)H_j (Fukumizu & Amari 2000). Where second order leaves a kernel beyond the plateau
 * tangent (H_j singular, or zero), the third-order term (a_j/6)Σ_l λ_l T_j[ξ_l, ξ_l, ξ_l] on
 * ξ_l ∈ null(H_j), Σ_l λ_l ξ_l = 0, decides (§5.7; T_j from cubic.ts).
 */
import { addInertia, type Inertia } from "./inertia.js";

/** The classes of a split point. */
export const SPLIT_CLASSES = ["local minimum", "strict saddle", "third-order saddle", "fourth-order saddle", "undetermined"] as const;
export type SplitClass = (typeof SPLIT_CLASSES)[number];

/**
 * The saddle classes: each comes with an escape route that lowers the loss.
 *
 * @param cls - a split point's class (`SPLIT_CLASSES`)
 * @returns true for "strict saddle", "third-order saddle" and "fourth-order saddle"; false for
 *   "local minimum" and "undetermined"
 * @example
 * ```ts
 * import { isSaddleClass } from "splitscape";
 * console.log(isSaddleClass("third-order saddle"), isSaddleClass("undetermined")); // true false
 * ```
 */
export function isSaddleClass(cls: SplitClass): boolean {
  return cls === "strict saddle" || cls === "third-order saddle" || cls === "fourth-order saddle";
}

/**
 * What would decide a split point the rules leave undetermined (docs/science/plateau.md §5.4, §5.7):
 *  - "reduced-degenerate": H_red is singular (θ* itself degenerate, `nullity` = its zero count):
 *    the unsplit network's own higher-order terms at θ* decide;
 *  - "cubic-not-computed": H_j is singular and T_j on null(H_j) was not supplied (nullCubic);
 *  - "quartic-form": T_j vanishes on null(H_j) (`nullity` = dim null(H_j)): the fourth-order form
 *    on ker ∇²L(θ_λ), after minimising over the directions with positive curvature, decides
 *    (negative somewhere → saddle, positive definite off the plateau tangent → minimum).
 */
export type UndecidedCondition =
  | { readonly kind: "reduced-degenerate"; readonly nullity: number }
  | { readonly kind: "cubic-not-computed"; readonly nullity: number }
  | { readonly kind: "quartic-form"; readonly nullity: number };

/**
 * How a saddle is left (the descent the analysis follows, verify.ts):
 *  - "negative-curvature": the eigenvector of the most negative eigenvalue of ∇²L(θ_λ);
 *  - "quartic-probe": at child `child` (λ_child = 0, H_j ≠ 0), §5.5;
 *  - "cubic-line": ξ_l = t c_l v with v ∈ null(H_j), Σ_l λ_l c_l = 0, Σ_l λ_l c_l³ = `cubicSum` ≠ 0:
 *    ΔL = (a_j/6)·cubicSum·T_j[v, v, v]·t³ + O(t⁴);
 *  - "cubic-plateau": where Σ_l λ_l c_l³ vanishes for every admissible c (exactly two nonzero
 *    weights, equal to ½, or a vertex of the simplex): move output weight from child `from` to
 *    child `to` along the plateau (the loss does not change), then follow the cubic line there;
 *    the descent is of order four in the distance.
 */
export type EscapeRoute =
  | { readonly kind: "negative-curvature" }
  | { readonly kind: "quartic-probe"; readonly child: number }
  | { readonly kind: "cubic-line"; readonly coefficients: readonly number[]; readonly cubicSum: number }
  | { readonly kind: "cubic-plateau"; readonly from: number; readonly to: number };

/** The third-order evidence the classification needs (from nullCubic). */
export interface CubicEvidence {
  /** T_j restricted to null(H_j) vanishes (at its relative threshold). */
  readonly vanishes: boolean;
}

/** Numbers of positive, negative and zero λ_l (|λ_l| ≤ zeroTol counts as zero). */
export interface LambdaSigns {
  readonly positive: number;
  readonly negative: number;
  readonly zero: number;
}

/** Default: |λ_l| ≤ 1e-12 is a zero weight. */
export const LAMBDA_ZERO_TOL = 1e-12;

/**
 * Signs of the split coefficients.
 *
 * @param lambdas - the split coefficients λ
 * @param zeroTol - |λ_l| ≤ zeroTol counts as zero (default LAMBDA_ZERO_TOL)
 * @returns the counts (k₊, k₋, k₀) of positive, negative and zero coefficients
 * @example
 * ```ts
 * import { lambdaSigns } from "splitscape";
 * console.log(lambdaSigns([1.5, -0.5, 0])); // { positive: 1, negative: 1, zero: 1 }
 * ```
 */
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
 *
 * @param inner - In(H_j) = (p₊, p₋, p₀), the inertia of the inner Hessian
 * @param lambdas - the split coefficients λ (k entries)
 * @param zeroTol - |λ_l| ≤ zeroTol counts as zero
 * @returns In(Q_λ), on a space of dimension d̃(k − 1)
 * @example
 * ```ts
 * import { qLambdaInertia } from "splitscape";
 * // H_j indefinite (1, 1, 0), λ = (0.3, 0.7): Q_λ has inertia (1, 1, 0)
 * console.log(qLambdaInertia({ positive: 1, negative: 1, zero: 0 }, [0.3, 0.7]));
 * ```
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

/**
 * Predicted In(∇²L(θ_λ)) = In(H_red) + In(Q_λ) + (0, 0, k − 1).
 *
 * @param reduced - In(H_red), the inertia of the unsplit Hessian at θ*
 * @param inner - In(H_j)
 * @param lambdas - the split coefficients λ
 * @param zeroTol - |λ_l| ≤ zeroTol counts as zero
 * @returns the predicted inertia of ∇²L(θ_λ)
 * @example
 * ```ts
 * import { predictedSplitInertia } from "splitscape";
 * console.log(predictedSplitInertia({ positive: 9, negative: 0, zero: 0 }, { positive: 2, negative: 0, zero: 0 }, [1.5, -0.5])); // (9, 2, 1)
 * ```
 */
export function predictedSplitInertia(reduced: Inertia, inner: Inertia, lambdas: readonly number[], zeroTol = LAMBDA_ZERO_TOL): Inertia {
  return addInertia(reduced, qLambdaInertia(inner, lambdas, zeroTol), { positive: 0, negative: 0, zero: lambdas.length - 1 });
}

/**
 * λ in the sure-saddle region: p₊k₋ + p₋(k₊ − 1) > 0 (a negative direction of Q_λ), or a zero
 * weight k₀ > 0 with H_j ≠ 0 (the quartic probe descends).
 *
 * @param inner - In(H_j)
 * @param lambdas - the split coefficients λ
 * @param zeroTol - |λ_l| ≤ zeroTol counts as zero
 * @returns true when θ_λ is a saddle whatever H_red is
 * @example
 * ```ts
 * import { isSureSaddle } from "splitscape";
 * const definite = { positive: 2, negative: 0, zero: 0 };
 * console.log(isSureSaddle(definite, [0.5, 0.5]), isSureSaddle(definite, [1.5, -0.5])); // false true
 * ```
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
  /** For a saddle: the descent that leaves it. */
  readonly escape?: EscapeRoute;
  /** For "undetermined": the condition that would decide it. */
  readonly undecided?: UndecidedCondition;
}

/**
 * Coefficients c (Σ_l λ_l c_l = 0) that make the cubic Σ_l λ_l c_l³ nonzero, or null when it
 * vanishes for every admissible c. With P the children of nonzero weight: a pair l, m ∈ P with
 * c_l = λ_m, c_m = −λ_l gives λ_lλ_m(λ_m² − λ_l²), nonzero unless |λ_l| = |λ_m| (the pair of
 * largest |value| is used); if every pair has equal |λ| and |P| ≥ 3, a triple with
 * λc = (1, 1, −2) gives (1 + 1 − 8)/λ² ≠ 0. Null exactly when |P| = 1 (a vertex) or P is two
 * equal weights (½, ½): there the cubic vanishes identically (§5.7).
 *
 * @param lambdas - the split weights λ (Σ λ_l = 1)
 * @param zeroTol - |λ_l| at or below it counts as zero (default LAMBDA_ZERO_TOL)
 * @returns the coefficients c (one per λ_l) and their cubic sum Σ_l λ_l c_l³, or null when the cubic
 *   vanishes for every admissible c
 * @example
 * ```ts
 * import { cubicSplitCoefficients } from "splitscape";
 * console.log(cubicSplitCoefficients([0.3, 0.7])); // { coefficients: [0.7, -0.3], cubicSum: 0.084 }
 * console.log(cubicSplitCoefficients([0.5, 0.5])); // null
 * ```
 */
export function cubicSplitCoefficients(lambdas: readonly number[], zeroTol = LAMBDA_ZERO_TOL): { coefficients: number[]; cubicSum: number } | null {
  const P = lambdas.map((l, i) => (Math.abs(l) > zeroTol ? i : -1)).filter((i) => i >= 0);
  let best: { coefficients: number[]; cubicSum: number } | null = null;
  for (let x = 0; x < P.length; x++) {
    for (let y = x + 1; y < P.length; y++) {
      const [l, m] = [P[x], P[y]];
      if (Math.abs(Math.abs(lambdas[l]) - Math.abs(lambdas[m])) <= zeroTol) continue;
      const c = lambdas.map(() => 0);
      c[l] = lambdas[m];
      c[m] = -lambdas[l];
      const cubicSum = lambdas[l] * lambdas[m] * (lambdas[m] ** 2 - lambdas[l] ** 2);
      if (best === null || Math.abs(cubicSum) > Math.abs(best.cubicSum)) best = { coefficients: c, cubicSum };
    }
  }
  if (best !== null || P.length < 3) return best;
  const c = lambdas.map(() => 0);
  const [l, m, n] = P;
  c[l] = 1 / lambdas[l];
  c[m] = 1 / lambdas[m];
  c[n] = -2 / lambdas[n];
  return { coefficients: c, cubicSum: 1 / lambdas[l] ** 2 + 1 / lambdas[m] ** 2 - 8 / lambdas[n] ** 2 };
}

/** The plateau move of a "cubic-plateau" escape: between the two equal nonzero weights, or from a vertex to a zero weight. */
function plateauMove(lambdas: readonly number[], zeroTol: number): { from: number; to: number } {
  const P = lambdas.map((l, i) => (Math.abs(l) > zeroTol ? i : -1)).filter((i) => i >= 0);
  if (P.length >= 2) return { from: P[0], to: P[1] };
  return { from: P[0], to: lambdas.findIndex((l) => Math.abs(l) <= zeroTol) };
}

/**
 * Class of θ_λ from In(H_red) (unsplit Hessian at θ*), In(H_j), λ and, for the degenerate cases,
 * whether T_j vanishes on null(H_j) (`cubic`, from nullCubic):
 *  - H_red has a negative eigenvalue (θ* a saddle) → strict saddle;
 *  - In(Q_λ) has a negative count → strict saddle;
 *  - some λ_l = 0 and H_j ≠ 0 → fourth-order saddle (quartic probe);
 *  - H_red ≻ 0 and Q_λ nonsingular → local minimum (the Hessian kernel is the plateau tangent);
 *  - H_red singular → undetermined ("reduced-degenerate");
 *  - otherwise Q_λ ⪰ 0 has a kernel from null(H_j) ≠ {0}, and the cubic decides (§5.7):
 *    T_j ≠ 0 on null(H_j) → third-order saddle when cubicSplitCoefficients finds c, else (the
 *    symmetric point (½, ½) or a vertex) a fourth-order saddle along the plateau;
 *    T_j = 0 there → undetermined ("quartic-form"); no `cubic` → undetermined ("cubic-not-computed").
 *
 * @param reduced - In(H_red), the inertia of the unsplit Hessian at θ*
 * @param inner - In(H_j), the inertia of the inner Hessian of the split unit
 * @param lambdas - the split coefficients λ
 * @param zeroTol - |λ_l| ≤ zeroTol counts as zero
 * @param cubic - the cubic evidence (from nullCubic) for the degenerate cases; absent leaves them undetermined
 * @returns the class, the predicted inertia, the signs of λ, the reason, and the escape route or the undecided condition
 * @example
 * ```ts
 * import { classifySplitPoint } from "splitscape";
 * const c = classifySplitPoint({ positive: 9, negative: 0, zero: 0 }, { positive: 2, negative: 0, zero: 0 }, [1.5, -0.5]);
 * console.log(c.cls, c.reason);
 * ```
 */
export function classifySplitPoint(
  reduced: Inertia, inner: Inertia, lambdas: readonly number[], zeroTol = LAMBDA_ZERO_TOL, cubic?: CubicEvidence,
): SplitClassification {
  const signs = lambdaSigns(lambdas, zeroTol);
  const q = qLambdaInertia(inner, lambdas, zeroTol);
  const predictedInertia = predictedSplitInertia(reduced, inner, lambdas, zeroTol);
  const innerNonzero = inner.positive + inner.negative > 0;
  const base = { predictedInertia, signs };
  const saddle = (cls: SplitClass, reason: string, escape: EscapeRoute): SplitClassification => ({ ...base, cls, reason, escape });
  const undetermined = (reason: string, undecided: UndecidedCondition): SplitClassification => ({ ...base, cls: "undetermined", reason, undecided });
  if (reduced.negative > 0) return saddle("strict saddle", "θ* is a saddle (H_red has a negative eigenvalue); it persists at every split point", { kind: "negative-curvature" });
  if (q.negative > 0) return saddle("strict saddle", `Q_λ has ${q.negative} negative direction(s): p₊k₋ + p₋(k₊ − 1) > 0`, { kind: "negative-curvature" });
  if (signs.zero > 0 && innerNonzero) {
    return saddle("fourth-order saddle", "a child has zero output weight and H_j ≠ 0: the quartic probe descends (ΔL ≈ −κ|q|t⁴/4)", { kind: "quartic-probe", child: lambdas.findIndex((l) => Math.abs(l) <= zeroTol) });
  }
  if (reduced.zero === 0 && q.zero === 0) return { ...base, cls: "local minimum", reason: "H_red ≻ 0 and Q_λ ≻ 0: the Hessian kernel is the (k − 1)-dimensional plateau tangent" };
  if (reduced.zero > 0) return undetermined("θ* is degenerate (H_red singular): second order does not decide", { kind: "reduced-degenerate", nullity: reduced.zero });
  const what = innerNonzero ? "H_j is singular" : "H_j = 0";
  if (!cubic) return undetermined(`${what}: Q_λ has a kernel beyond the plateau tangent; the cubic T_j on null(H_j) decides (not supplied)`, { kind: "cubic-not-computed", nullity: inner.zero });
  if (cubic.vanishes) return undetermined(`${what} and T_j = 0 on null(H_j): the fourth-order form on the Hessian kernel decides`, { kind: "quartic-form", nullity: inner.zero });
  const c = cubicSplitCoefficients(lambdas, zeroTol);
  if (c) return saddle("third-order saddle", `${what}, T_j ≠ 0 on null(H_j) and Σλ_l c_l³ = ${c.cubicSum.toPrecision(4)} ≠ 0: the loss is cubic along ξ_l = t c_l v`, { kind: "cubic-line", ...c });
  return saddle("fourth-order saddle", `${what}, T_j ≠ 0 on null(H_j); the cubic vanishes at this λ (symmetric point or vertex) but not at the plateau points beside it: descent of order four`, { kind: "cubic-plateau", ...plateauMove(lambdas, zeroTol) });
}
