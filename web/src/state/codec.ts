// The lab's whole view state in the URL: `?view=train&data=…&seed=0&…`, every field of the view
// written out (not only the ones that differ from a default), so a link reproduces the view
// even after defaults change. Numbers are written as JavaScript's shortest round-trip decimal
// (String(x)), so every float64 survives the trip exactly. Decoding never fails: a missing field
// takes its default, a bad one takes its default and is reported in words.
import { VIEW_FIELDS, VIEW_IDS, type Field, type ViewId } from "./fields.js";

export type FieldValue = number | string | boolean;

export interface LabState {
  view: ViewId;
  /** One value per field of the view (VIEW_FIELDS[view]). */
  values: Record<string, FieldValue>;
}

/** The state of a view with every field at its default. */
export function defaultState(view: ViewId): LabState {
  return { view, values: Object.fromEntries(VIEW_FIELDS[view].map((f) => [f.key, f.default])) };
}

/** Check one raw URL value against its field: the value, or a sentence saying what was expected. */
export function parseField(f: Field, raw: string): { value: FieldValue } | { problem: string } {
  const bad = (expected: string): { problem: string } => ({ problem: `${f.key}=${JSON.stringify(raw)}: expected ${expected}` });
  switch (f.kind) {
    case "int": {
      const v = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
      return Number.isSafeInteger(v) && v >= f.min && v <= f.max ? { value: v } : bad(`an integer in [${f.min}, ${f.max}]`);
    }
    case "number": {
      const v = raw.trim() === "" ? NaN : Number(raw);
      const ok = Number.isFinite(v) && v >= f.min && v <= f.max && (!f.positive || v > 0);
      return ok ? { value: v } : bad(`a ${f.positive ? "positive " : ""}number in [${f.min}, ${f.max}]`);
    }
    case "enum":
      return f.values.includes(raw) ? { value: raw } : bad(`one of ${f.values.join(", ")}`);
    case "bool":
      return raw === "1" || raw === "true" ? { value: true } : raw === "0" || raw === "false" ? { value: false } : bad("1 or 0");
    case "text":
      return raw.length <= f.maxLength ? { value: raw } : bad(`at most ${f.maxLength} characters`);
  }
}

/** The URL text of a value. */
export function formatField(f: Field, v: FieldValue): string {
  if (f.kind === "bool") return v ? "1" : "0";
  return String(v);
}

/**
 * The state in a query string (with or without the leading `?`). Unknown views fall back to
 * "train"; fields of other views and unknown keys are reported and ignored.
 */
export function decodeState(search: string): { state: LabState; problems: string[] } {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const rawView = params.get("view");
  let view: ViewId = "train";
  if (rawView !== null) {
    if ((VIEW_IDS as readonly string[]).includes(rawView)) view = rawView as ViewId;
    else problems.push(`view=${JSON.stringify(rawView)}: expected one of ${VIEW_IDS.join(", ")}; showing train`);
  }
  const state = defaultState(view);
  const fields = VIEW_FIELDS[view];
  for (const [key, raw] of params) {
    if (key === "view") continue;
    const f = fields.find((x) => x.key === key);
    if (f === undefined) {
      problems.push(`${key}: not a setting of the ${view} view (ignored)`);
      continue;
    }
    const r = parseField(f, raw);
    if ("value" in r) state.values[key] = r.value;
    else problems.push(`${r.problem}; using ${formatField(f, f.default)}`);
  }
  return { state, problems };
}

/** The query string (with `?`) of a state: the view, then every field in its declared order. */
export function encodeState(state: LabState): string {
  const params = new URLSearchParams();
  params.set("view", state.view);
  for (const f of VIEW_FIELDS[state.view]) params.set(f.key, formatField(f, state.values[f.key] ?? f.default));
  return `?${params.toString()}`;
}
