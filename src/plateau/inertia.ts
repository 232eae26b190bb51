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

/** Componentwise sum of inertias (Sylvester: In of a block-diagonal congruence). */
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

/** Same counts. */
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

/** [n₊, n₋, n₀] for JSON output. */
export function inertiaTriple(a: Inertia): [number, number, number] {
  return [a.positive, a.negative, a.zero];
}
