/**
 * Strict parsing of numbers written as text (CSV cells, builtin address values): decimal
 * literals only, e.g. `-1.5`, `.5`, `2e-3`; no hex, no empty cells, no thousands separators.
 */

const NUMBER_TOKEN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_TOKEN = /^[+-]?(?:nan|inf|infinity)$/i;

/** Outcome of reading one token: a finite number, or why it is not one. */
export type NumberToken =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly reason: string; readonly numberLike: boolean };

/**
 * Read a decimal literal. `numberLike` is true for tokens that are meant as numbers but are not
 * finite ("NaN", "Infinity", "-inf", "1e999"), which a header detector must not mistake for names.
 */
export function readNumber(token: string): NumberToken {
  const t = token.trim();
  if (t === "") return { ok: false, reason: "empty value, expected a finite number", numberLike: false };
  if (NON_FINITE_TOKEN.test(t)) {
    return { ok: false, reason: `${JSON.stringify(t)} is not allowed, expected a finite number`, numberLike: true };
  }
  if (!NUMBER_TOKEN.test(t)) {
    return { ok: false, reason: `${JSON.stringify(t)} is not a number, expected a finite number`, numberLike: false };
  }
  const value = Number(t);
  if (!Number.isFinite(value)) {
    return { ok: false, reason: `${t} overflows float64, expected a finite number`, numberLike: true };
  }
  return { ok: true, value };
}

/** A short description of a JSON value for error messages: `string "abc"`, `null`, `an array`. */
export function describeJsonValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "number") return Number.isFinite(v) ? `number ${v}` : `${v} (a literal that overflows float64)`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
