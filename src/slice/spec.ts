/**
 * Direction specs of `slice --along SPEC [--plane SPEC2]` and grid axes `lo:hi[:count]`.
 *
 *   random[:SEED]            Gaussian, filter-normalised (Li et al. 2018): each filter (row of a
 *                            weight matrix in PyTorch's out×in layout) scaled to the norm of the
 *                            same filter of θ, 1-D parameters (biases) zero;
 *   random-plain[:SEED]      Gaussian, scaled as a whole to ‖θ‖ (no per-filter scaling);
 *   to:MODEL2                θ₂ − θ (unnormalised: t = 1 is MODEL2);
 *   hessian:K                unit eigenvector of ∇²F: K ≥ 1 the K-th largest eigenvalue,
 *                            K ≤ −1 the |K|-th smallest (most negative first), by Lanczos;
 *   plateau:UNIT             along the plateau of split points of UNIT: the outgoing weights of
 *                            UNIT and its partner move in opposite directions at constant function
 *                            (t = the change of λ_UNIT);
 *   plateau-across:UNIT[:I]  across it: the children's incoming weights move apart along the I-th
 *                            eigenvector of the inner Hessian H_j (by |μ|, default 1), unit norm;
 *   path                     the non-increasing path of `convex --path` (a curve; 1-D only).
 */
import { InputError } from "../common/errors.js";

export type DirectionSpec =
  | { readonly kind: "random"; readonly seed: number | null; readonly normalization: "filter" | "plain" }
  | { readonly kind: "to"; readonly source: string }
  | { readonly kind: "hessian"; readonly index: number }
  | { readonly kind: "plateau"; readonly unit: number }
  | { readonly kind: "plateau-across"; readonly unit: number; readonly eigen: number }
  | { readonly kind: "path" };

/** One axis of the grid: `count` equally spaced values from lo to hi. */
export interface GridAxis {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
}

/** Largest number of points per axis. */
export const SLICE_MAX_AXIS = 2001;
/** Largest number of grid points. */
export const SLICE_MAX_POINTS = 1_000_000;

const SPEC_HELP = "random[:SEED], random-plain[:SEED], to:MODEL2, hessian:K, plateau:UNIT, plateau-across:UNIT[:I] or path";

function integer(raw: string, option: string, what: string, min: number): number {
  if (!/^[+-]?\d+$/.test(raw)) throw new InputError(option, `${what}: expected an integer, got ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min) throw new InputError(option, `${what}: expected an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

/**
 * Parse a direction spec of `slice --along`/`--plane` (the grammar in the file comment):
 * random[:SEED], random-plain[:SEED], to:MODEL2, hessian:K, plateau:UNIT, plateau-across:UNIT[:I]
 * or path. InputError naming `option` and the grammar on anything else.
 *
 * @param text - the spec, e.g. "hessian:-1" (surrounding blanks ignored)
 * @param option - the option or field errors name, e.g. "--along"
 * @returns the parsed direction (for `to:` the model file is not read: sliceLandscape takes the loaded model as `target`)
 * @example
 * ```ts
 * import { parseDirectionSpec } from "splitscape";
 * console.log(parseDirectionSpec("random:7", "--along")); // { kind: "random", seed: 7, normalization: "filter" }
 * console.log(parseDirectionSpec("plateau-across:2", "--plane")); // { kind: "plateau-across", unit: 2, eigen: 1 }
 * ```
 */
export function parseDirectionSpec(text: string, option: string): DirectionSpec {
  const s = text.trim();
  const colon = s.indexOf(":");
  const head = colon < 0 ? s : s.slice(0, colon);
  const rest = colon < 0 ? null : s.slice(colon + 1);
  switch (head) {
    case "random":
    case "random-plain":
      return { kind: "random", seed: rest === null ? null : integer(rest, option, `${head} seed`, 0), normalization: head === "random" ? "filter" : "plain" };
    case "to":
      if (rest === null || rest === "") throw new InputError(option, "to:MODEL2 needs a model file after the colon");
      return { kind: "to", source: rest };
    case "hessian": {
      if (rest === null) throw new InputError(option, "hessian:K needs K (1 = largest eigenvalue, −1 = smallest)");
      const k = integer(rest, option, "hessian index K", -Number.MAX_SAFE_INTEGER);
      if (k === 0) throw new InputError(option, "hessian:K needs K ≠ 0 (1 = largest eigenvalue, −1 = most negative)");
      return { kind: "hessian", index: k };
    }
    case "plateau":
      if (rest === null) throw new InputError(option, "plateau:UNIT needs a unit (0-based)");
      return { kind: "plateau", unit: integer(rest, option, "unit", 0) };
    case "plateau-across": {
      if (rest === null) throw new InputError(option, "plateau-across:UNIT[:I] needs a unit (0-based)");
      const [u, e] = rest.split(":");
      return { kind: "plateau-across", unit: integer(u, option, "unit", 0), eigen: e === undefined ? 1 : integer(e, option, "eigenvector index I", 1) };
    }
    case "path":
      if (rest !== null) throw new InputError(option, "path takes no argument");
      return { kind: "path" };
    default:
      throw new InputError(option, `unknown direction ${JSON.stringify(text)}; expected ${SPEC_HELP}`);
  }
}

/**
 * Parse `lo:hi` or `lo:hi:count` (count default `defaultCount`); InputError naming `option` on
 * anything else (lo < hi finite, 2 ≤ count ≤ SLICE_MAX_AXIS).
 *
 * @param text - the axis, e.g. "-1:1:51"
 * @param option - the option or field errors name, e.g. "--x"
 * @param defaultCount - the count when the text gives none
 * @returns the axis {lo, hi, count}
 * @example
 * ```ts
 * import { axisValues, parseGridAxis } from "splitscape";
 * console.log(axisValues(parseGridAxis("-1:1:5", "--x", 41))); // -1, -0.5, 0, 0.5, 1
 * ```
 */
export function parseGridAxis(text: string, option: string, defaultCount: number): GridAxis {
  const parts = text.split(":");
  if (parts.length < 2 || parts.length > 3) throw new InputError(option, `expected lo:hi or lo:hi:count, got ${JSON.stringify(text)}`);
  const lo = Number(parts[0]);
  const hi = Number(parts[1]);
  if (parts[0].trim() === "" || parts[1].trim() === "" || !Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
    throw new InputError(option, `expected finite numbers lo < hi, got ${JSON.stringify(text)}`);
  }
  const count = parts.length === 3 ? integer(parts[2], option, "count", 2) : defaultCount;
  if (count > SLICE_MAX_AXIS) throw new InputError(option, `count ${count} exceeds the limit of ${SLICE_MAX_AXIS} points per axis`);
  return { lo, hi, count };
}

/**
 * The grid values lo + (hi − lo)·i/(count − 1), i = 0 … count − 1 (exact at both ends).
 *
 * @param a - the axis {lo, hi, count}
 * @returns the count values, increasing
 * @example
 * ```ts
 * import { axisValues } from "splitscape";
 * console.log(axisValues({ lo: 0, hi: 1, count: 3 })); // 0, 0.5, 1
 * ```
 */
export function axisValues(a: GridAxis): Float64Array {
  const out = new Float64Array(a.count);
  for (let i = 0; i < a.count; i++) out[i] = i === a.count - 1 ? a.hi : a.lo + ((a.hi - a.lo) * i) / (a.count - 1);
  return out;
}
