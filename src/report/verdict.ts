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

/** A verdict that passes when measured ≤ tolerance (NaN fails). */
export function atMost(claim: string, measured: number, tolerance: number, note?: string): Verdict {
  return withNote({ claim, measured, tolerance, relation: "<=", pass: measured <= tolerance }, note);
}

/** A verdict that passes when measured ≥ tolerance (NaN fails). */
export function atLeast(claim: string, measured: number, tolerance: number, note?: string): Verdict {
  return withNote({ claim, measured, tolerance, relation: ">=", pass: measured >= tolerance }, note);
}

/** A verdict that passes when measured equals expected exactly (numbers, strings or booleans). */
export function equals(claim: string, measured: number | string | boolean, expected: number | string | boolean, note?: string): Verdict {
  return withNote({ claim, measured: String(measured), tolerance: String(expected), relation: "==", pass: measured === expected }, note);
}

function withNote(v: Verdict, note: string | undefined): Verdict {
  return note === undefined ? v : { ...v, note };
}

/** A number for tables: integers as is, others in 4 significant digits (exponent form when small/large). */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/** The measured column of a verdict as text. */
export function formatMeasured(v: Verdict): string {
  return typeof v.measured === "number" ? formatNumber(v.measured) : v.measured;
}

/** The tolerance column of a verdict as text, with its relation ("≤ 1.00e-12"). */
export function formatTolerance(v: Verdict): string {
  const t = typeof v.tolerance === "number" ? formatNumber(v.tolerance) : v.tolerance;
  const rel = v.relation === "<=" ? "≤ " : v.relation === ">=" ? "≥ " : v.relation === "==" ? "= " : "";
  return rel + t;
}
