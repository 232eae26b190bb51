// Event functions g(t, y) watched by the adaptive integrator, and the root finder that locates a
// sign change of g on the dense output of one step.

/** An event: a zero crossing of g(t, y) along the solution. */
export interface EventSpec {
  /** The event function; must not modify y and should not allocate (it runs every step). */
  readonly g: (t: number, y: Float64Array) => number;
  /**
   * +1: only crossings where g goes from negative to ≥ 0 ("up"); −1: only from positive to ≤ 0
   * ("down"); 0 (default): both. A start exactly on g = 0 is not a crossing.
   */
  readonly direction?: 1 | -1 | 0;
  /** Stop the integration at the first such crossing (default false: record it and go on). */
  readonly terminal?: boolean;
  /** A label for reports (default "event<i>"). */
  readonly name?: string;
}

/** A located crossing. */
export interface EventHit {
  /** Index into the `events` array. */
  readonly index: number;
  readonly name: string;
  /** Located time (the end of the final bracket on the far side of the crossing). */
  readonly t: number;
  /** The dense-output state at t (a copy). */
  readonly y: Float64Array;
  /** +1 for an up-crossing, −1 for a down-crossing. */
  readonly direction: 1 | -1;
  readonly terminal: boolean;
  /** Width of the final bracket in t (the location accuracy relative to the dense output). */
  readonly bracket: number;
}

/**
 * Sign-change test between consecutive accepted points: +1 for an up-crossing (gOld < 0 ≤ gNew),
 * −1 for a down-crossing (gOld > 0 ≥ gNew), 0 otherwise, filtered by the requested direction.
 */
export function crossing(gOld: number, gNew: number, direction: 1 | -1 | 0): 1 | -1 | 0 {
  if (gOld < 0 && gNew >= 0) return direction === -1 ? 0 : 1;
  if (gOld > 0 && gNew <= 0) return direction === 1 ? 0 : -1;
  return 0;
}

/** Result of `illinois`: the root estimate and the width of the last bracket. */
export interface RootBracket {
  t: number;
  width: number;
}

/**
 * Root of a scalar function φ on [a, b] with φ(a)·φ(b) < 0 (or φ(b) = 0) by the Illinois
 * variant of regula falsi (Dowell & Jarratt 1971): the secant point c = b − φ(b)(b − a)/(φ(b) − φ(a)),
 * and when the same end is kept twice in a row its stored value is halved, which restores
 * superlinear convergence (order ≈ 1.44). Falls back to bisection if c leaves (a, b).
 * Stops when |b − a| ≤ max(tol, 4ε·max(|a|, |b|)) or after 200 iterations; returns the end on
 * the far side of the crossing (the side of φ(b)), so that the state there is past the event.
 * `out` receives the bracket; no allocation.
 *
 * @param phi - the scalar function φ(t) whose root is sought (called once per iteration)
 * @param a - left end of the bracket
 * @param fa - φ(a), already evaluated
 * @param b - right end of the bracket (b may be below a: only the sign change matters)
 * @param fb - φ(b), already evaluated; φ(a)·φ(b) < 0 or φ(b) = 0
 * @param tol - absolute tolerance on the bracket width |b − a| (floored at 4ε·max(|a|, |b|))
 * @param out - the record that receives the final bracket (returned)
 * @returns `out`: the root estimate t (the bracket end on the far side of the crossing) and the last bracket width
 * @example
 * ```ts
 * import { illinois, type RootBracket } from "splitscape";
 * const phi = (t: number) => Math.cos(t) - t; // root near 0.739085
 * const out: RootBracket = { t: 0, width: 0 };
 * illinois(phi, 0, phi(0), 1, phi(1), 1e-12, out);
 * console.log(out.t, out.width);
 * ```
 */
export function illinois(
  phi: (t: number) => number,
  a: number,
  fa: number,
  b: number,
  fb: number,
  tol: number,
  out: RootBracket,
): RootBracket {
  if (fb === 0) {
    out.t = b;
    out.width = 0;
    return out;
  }
  let side = 0;
  for (let it = 0; it < 200; it++) {
    const width = Math.abs(b - a);
    if (width <= Math.max(tol, 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b)))) break;
    let c = b - (fb * (b - a)) / (fb - fa);
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    if (!(c > lo && c < hi)) c = 0.5 * (a + b);
    const fc = phi(c);
    if (fc === 0) {
      out.t = c;
      out.width = 0;
      return out;
    }
    if (!Number.isFinite(fc)) break;
    if (fc > 0 === fb > 0) {
      // c replaces the far end b
      b = c;
      fb = fc;
      if (side === -1) fa *= 0.5;
      side = -1;
    } else {
      a = c;
      fa = fc;
      if (side === 1) fb *= 0.5;
      side = 1;
    }
  }
  out.t = b;
  out.width = Math.abs(b - a);
  return out;
}
