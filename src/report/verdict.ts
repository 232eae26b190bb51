/**
 * A verdict: one claim checked by an experiment, with the number measured, the tolerance it was
 * held to and whether it passed. Reports and the tour's terminal table show these rows.
 */
export interface Verdict {
  /** What is claimed, in words (e.g. "eigh residual ‖A − VΛVᵀ‖_F/‖A‖_F is O(nε)"). */
  claim: string;
  /** The measured value (a number, or a short string for non-numeric checks). */
  measured: number | string;
  /** The tolerance the measured value is held to (a number, or a short string). */
  tolerance: number | string;
  /** How measured is compared with tolerance: "<=" (at most), ">=" (at least), "==" (equal). */
  relation?: "<=" | ">=" | "==";
  /** Whether the claim held. */
  pass: boolean;
  /** Optional context: what was measured on, or why the tolerance is what it is. */
  note?: string;
}

/**
 * A verdict that passes when measured ≤ tolerance (NaN fails): the row an experiment reports
 * for an error bound.
 *
 * @param claim - what is claimed, in words (e.g. "‖∇ℒ‖ at the split point is O(ε)")
 * @param measured - the number measured
 * @param tolerance - the largest value that passes
 * @param note - optional context (what was measured on, why the tolerance is what it is)
 * @returns the verdict {claim, measured, tolerance, relation "<=", pass, note?}
 * @example
 * ```ts
 * import { atMost, formatVerdictTable } from "splitscape";
 * const v = atMost("relative residual ≤ 100 ε", 3.1e-15, 100 * Number.EPSILON, "4×4 random matrix");
 * console.log(formatVerdictTable([v]));
 * ```
 */
export function atMost(claim: string, measured: number, tolerance: number, note?: string): Verdict {
  return withNote({ claim, measured, tolerance, relation: "<=", pass: measured <= tolerance }, note);
}

/**
 * A verdict that passes when measured ≥ tolerance (NaN fails): the row for a lower bound.
 *
 * @param claim - what is claimed, in words
 * @param measured - the number measured
 * @param tolerance - the smallest value that passes
 * @param note - optional context
 * @returns the verdict {claim, measured, tolerance, relation ">=", pass, note?}
 * @example
 * ```ts
 * import { atLeast } from "splitscape";
 * console.log(atLeast("normalised margin > 0.1", 0.23, 0.1).pass); // true
 * ```
 */
export function atLeast(claim: string, measured: number, tolerance: number, note?: string): Verdict {
  return withNote({ claim, measured, tolerance, relation: ">=", pass: measured >= tolerance }, note);
}

/**
 * A verdict that passes when measured equals expected exactly (numbers, strings or booleans);
 * measured and expected are stored as text.
 *
 * @param claim - what is claimed, in words
 * @param measured - the value found
 * @param expected - the value that passes
 * @param note - optional context
 * @returns the verdict {claim, measured, tolerance: expected, relation "==", pass, note?}
 * @example
 * ```ts
 * import { equals } from "splitscape";
 * console.log(equals("negative Hessian eigenvalues", 1, 1).pass); // true
 * ```
 */
export function equals(claim: string, measured: number | string | boolean, expected: number | string | boolean, note?: string): Verdict {
  return withNote({ claim, measured: String(measured), tolerance: String(expected), relation: "==", pass: measured === expected }, note);
}

function withNote(v: Verdict, note: string | undefined): Verdict {
  return note === undefined ? v : { ...v, note };
}

/**
 * A number for tables: integers as is, others in 4 significant digits (exponent form when
 * |x| < 10⁻³ or ≥ 10⁶); NaN and ±∞ as "NaN", "∞", "−∞".
 *
 * @param x - any number
 * @returns its text for a table cell
 * @example
 * ```ts
 * import { formatNumber } from "splitscape";
 * console.log(formatNumber(3), formatNumber(Math.PI), formatNumber(1.5e-9)); // "3" "3.142" "1.50e-9"
 * ```
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/**
 * The measured column of a verdict as text (numbers through formatNumber).
 *
 * @param v - a verdict
 * @returns its measured value as text
 * @example
 * ```ts
 * import { atMost, formatMeasured } from "splitscape";
 * console.log(formatMeasured(atMost("error small", 2.5e-13, 1e-10))); // "2.50e-13"
 * ```
 */
export function formatMeasured(v: Verdict): string {
  return typeof v.measured === "number" ? formatNumber(v.measured) : v.measured;
}

/**
 * The tolerance column of a verdict as text, with its relation ("≤ 1.00e-12").
 *
 * @param v - a verdict
 * @returns the relation sign ("≤ ", "≥ ", "= " or none) followed by the tolerance as text
 * @example
 * ```ts
 * import { atMost, formatTolerance } from "splitscape";
 * console.log(formatTolerance(atMost("error small", 2.5e-13, 1e-12))); // "≤ 1.00e-12"
 * ```
 */
export function formatTolerance(v: Verdict): string {
  const t = typeof v.tolerance === "number" ? formatNumber(v.tolerance) : v.tolerance;
  const rel = v.relation === "<=" ? "≤ " : v.relation === ">=" ? "≥ " : v.relation === "==" ? "= " : "";
  return rel + t;
}
