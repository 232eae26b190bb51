import { formatNumber, type Verdict } from "../report/index.js";
import type { Claim, ClaimRule } from "./types.js";

/**
 * Claims: a published number, ours, and the rule and tolerance that decide the verdict
 * (types.ts, ClaimRule). A NaN or missing value of ours never passes.
 */

/** What a claim says besides its numbers. */
export interface ClaimText {
  name: string;
  why: string;
  source: string;
}

/** Whether `ours` meets `rule` against `published` with `tolerance` (NaN fails). */
export function claimPasses(rule: ClaimRule, published: number | string, ours: number | string, tolerance: number): boolean {
  if (rule === "equal") return String(ours) === String(published);
  if (typeof ours !== "number" || !Number.isFinite(ours)) return false;
  const pub = typeof published === "number" ? published : NaN;
  switch (rule) {
    case "abs":
      return Math.abs(ours - pub) <= tolerance;
    case "rel":
      return Math.abs(ours - pub) <= tolerance * Math.abs(pub);
    case "atMost":
      return ours <= tolerance && (typeof published !== "number" || published <= tolerance);
    case "atLeast":
      return ours >= tolerance && (typeof published !== "number" || published >= tolerance);
  }
}

/** A claim with its verdict computed. */
export function claim(text: ClaimText, published: number | string, ours: number | string, tolerance: number, rule: ClaimRule): Claim {
  return { ...text, published, ours, tolerance, rule, pass: claimPasses(rule, published, ours, tolerance) };
}

/**
 * A number printed with `decimals` decimals in fixed notation (Python's f"{x:.{decimals}f}"):
 * agreement to half a unit of the last printed digit, |ours − published| ≤ ½·10^−decimals.
 */
export function printedFixed(text: ClaimText, published: number, ours: number, decimals: number): Claim {
  return claim(text, published, ours, 0.5 * 10 ** -decimals, "abs");
}

/**
 * A number printed with `digits` significant digits in exponent notation (f"{x:.{digits − 1}e}"):
 * agreement to half a unit of the last printed digit, ½·10^(e − digits + 1) for the printed
 * exponent e.
 */
export function printedSignificant(text: ClaimText, published: number, ours: number, digits: number): Claim {
  const e = Math.floor(Math.log10(Math.abs(published)));
  return claim(text, published, ours, 0.5 * 10 ** (e - digits + 1), "abs");
}

/** The tolerance column of a claim in words: "published 0.000578, |Δ| ≤ 5.00e-7". */
export function describeTolerance(c: Claim): string {
  const pub = String(c.published); // as printed by the authors
  const tol = formatNumber(c.tolerance);
  switch (c.rule) {
    case "abs":
      return `published ${pub}; |Δ| ≤ ${tol}`;
    case "rel":
      return `published ${pub}; |Δ| ≤ ${tol}·|published|`;
    case "atMost":
      return `≤ ${tol} (published ${pub})`;
    case "atLeast":
      return `≥ ${tol} (published ${pub})`;
    case "equal":
      return `= published ${pub}`;
  }
}

/** A claim as a report verdict: measured = ours; the tolerance column names the published value. */
export function claimVerdict(c: Claim): Verdict {
  return { claim: c.name, measured: c.ours, tolerance: describeTolerance(c), pass: c.pass, note: `${c.why} Source: ${c.source}.` };
}
