import { fillNormal } from "./normal.js";
import type { Rng } from "./rng.js";

/**
 * A point uniform on the unit sphere S^{d−1} ⊂ R^d: z ~ N(0, I_d) normalised, z/‖z‖ (the
 * Gaussian is rotation invariant). Writes into `out` if given (its length is d).
 *
 * @param rng - the generator
 * @param d - the dimension, a positive integer (RangeError otherwise)
 * @param out - optional output vector of length d (RangeError if the length differs)
 * @returns a unit vector in R^d (`out` if given)
 * @example
 * ```ts
 * import { createRng, unitSphere } from "splitscape";
 * const w = unitSphere(createRng(5), 3);
 * console.log(Math.hypot(...w)); // 1 up to rounding
 * ```
 */
export function unitSphere(rng: Rng, d: number, out: Float64Array = new Float64Array(d)): Float64Array {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`unitSphere: dimension must be a positive integer, got ${d}`);
  if (out.length !== d) throw new RangeError(`unitSphere: output has length ${out.length}, expected ${d}`);
  for (;;) {
    fillNormal(rng, out);
    let s = 0;
    for (let i = 0; i < d; i++) s += out[i] * out[i];
    if (s > 0) {
      const r = Math.sqrt(s);
      for (let i = 0; i < d; i++) out[i] /= r;
      return out;
    }
  }
}
