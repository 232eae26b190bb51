/**
 * Inertia In(A) = (n₊, n₋, n₀) of a symmetric matrix from its eigenvalues, with a relative
 * threshold: |λ| ≤ relTol·max|λ| counts as zero (Sylvester's law of inertia, Horn & Johnson
 * §4.5). Every result carries the threshold used, so a report can say why a count is what it is.
 */

/** Numbers of positive, negative and zero eigenvalues. */
export interface Inertia {
  readonly positive: number;
  readonly negative: number;
  readonly zero: number;
}

/** An inertia measured from eigenvalues, with the numbers that decided it. */
export interface MeasuredInertia {
  readonly inertia: Inertia;
  /** Absolute threshold τ = relTol·scale: |λ| ≤ τ counts as zero. */
  readonly threshold: number;
  readonly relTol: number;
  /** max|λ| (or the scale passed in). */
  readonly scale: number;
  /** Smallest |λ| counted as nonzero divided by τ (∞ if none): how clear the nonzero ones are. */
  readonly nonzeroMargin: number;
  /** Largest |λ| counted as zero divided by τ (0 if none): how clear the zero ones are. */
  readonly zeroMargin: number;
}

/**
 * In(A) from the eigenvalues of A: λ > τ positive, λ < −τ negative, else zero, with
 * τ = relTol·scale and scale = max|λ| unless given.
 *
 * @param values - the eigenvalues of a symmetric matrix (any order)
 * @param relTol - relative zero threshold (|λ| ≤ relTol·scale counts as zero)
 * @param scaleIn - the scale of the threshold (default max|λ|)
 * @returns the inertia with the threshold, the scale and the margins that decided it
 * @example
 * ```ts
 * import { inertiaOfEigenvalues } from "splitscape";
 * const m = inertiaOfEigenvalues([3, -1, 1e-15], 1e-10);
 * console.log(m.inertia); // { positive: 1, negative: 1, zero: 1 }
 * ```
 */
export function inertiaOfEigenvalues(values: ArrayLike<number>, relTol: number, scaleIn?: number): MeasuredInertia {
  let scale = scaleIn ?? 0;
  if (scaleIn === undefined) for (let i = 0; i < values.length; i++) scale = Math.max(scale, Math.abs(values[i]));
  const threshold = relTol * scale;
  let positive = 0;
  let negative = 0;
  let zero = 0;
  let nonzeroMargin = Infinity;
  let zeroMargin = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const a = Math.abs(v);
    if (v > threshold) positive++;
    else if (v < -threshold) negative++;
    else zero++;
    if (a > threshold) nonzeroMargin = Math.min(nonzeroMargin, threshold > 0 ? a / threshold : Infinity);
    else zeroMargin = Math.max(zeroMargin, threshold > 0 ? a / threshold : 0);
  }
  return { inertia: { positive, negative, zero }, threshold, relTol, scale, nonzeroMargin, zeroMargin };
}

/**
 * Componentwise sum of inertias (Sylvester: In of a block-diagonal congruence).
 *
 * @param parts - the inertias of the diagonal blocks
 * @returns (Σ n₊, Σ n₋, Σ n₀)
 * @example
 * ```ts
 * import { addInertia } from "splitscape";
 * console.log(addInertia({ positive: 2, negative: 0, zero: 1 }, { positive: 0, negative: 1, zero: 0 })); // (2, 1, 1)
 * ```
 */
export function addInertia(...parts: Inertia[]): Inertia {
  let positive = 0;
  let negative = 0;
  let zero = 0;
  for (const p of parts) {
    positive += p.positive;
    negative += p.negative;
    zero += p.zero;
  }
  return { positive, negative, zero };
}

/**
 * Same counts.
 *
 * @param a - an inertia
 * @param b - another inertia
 * @returns true when the positive, negative and zero counts all agree
 * @example
 * ```ts
 * import { inertiaOfEigenvalues, sameInertia } from "splitscape";
 * console.log(sameInertia(inertiaOfEigenvalues([2, -1], 1e-12).inertia, { positive: 1, negative: 1, zero: 0 })); // true
 * ```
 */
export function sameInertia(a: Inertia, b: Inertia): boolean {
  return a.positive === b.positive && a.negative === b.negative && a.zero === b.zero;
}

/**
 * "(n₊, n₋, n₀)".
 *
 * @param a - an inertia (positive, negative, zero counts)
 * @returns the text "(n₊, n₋, n₀)"
 * @example
 * ```ts
 * import { formatInertia } from "splitscape";
 * console.log(formatInertia({ positive: 10, negative: 1, zero: 1 })); // "(10, 1, 1)"
 * ```
 */
export function formatInertia(a: Inertia): string {
  return `(${a.positive}, ${a.negative}, ${a.zero})`;
}

/**
 * [n₊, n₋, n₀] for JSON output.
 *
 * @param a - an inertia
 * @returns [n₊, n₋, n₀]
 * @example
 * ```ts
 * import { inertiaTriple } from "splitscape";
 * console.log(JSON.stringify(inertiaTriple({ positive: 9, negative: 2, zero: 1 }))); // [9,2,1]
 * ```
 */
export function inertiaTriple(a: Inertia): [number, number, number] {
  return [a.positive, a.negative, a.zero];
}
