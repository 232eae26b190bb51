import type { Matrix } from "../linalg/index.js";
import { log } from "./pmath.js";
import { uniform, type Rng } from "./rng.js";

/**
 * Standard normal deviate by the Marsaglia polar method: draw u, v uniform on (−1, 1) until
 * 0 < s = u² + v² < 1, then u·f and v·f with f = √(−2·ln s / s) are two independent N(0, 1)
 * deviates; the second is kept as `rng.spare` for the next call. Only +, −, ×, ÷, √ and the
 * portable `log` of pmath.ts are used, so samples are bit-identical across engines.
 * Returns mean + std·z (defaults 0 and 1).
 *
 * @param rng - the generator; advances by the polar method's draws (none when a spare is pending)
 * @param mean - the mean (default 0)
 * @param std - the standard deviation (default 1)
 * @returns one N(mean, std²) deviate
 * @example
 * ```ts
 * import { createRng, normal } from "splitscape";
 * const rng = createRng(1);
 * console.log(normal(rng), normal(rng, 10, 0.5));
 * ```
 */
export function normal(rng: Rng, mean = 0, std = 1): number {
  if (!Number.isNaN(rng.spare)) {
    const z = rng.spare;
    rng.spare = NaN;
    return mean + std * z;
  }
  let u: number;
  let v: number;
  let s: number;
  do {
    u = 2 * uniform(rng) - 1;
    v = 2 * uniform(rng) - 1;
    s = u * u + v * v;
  } while (s >= 1 || s === 0);
  const f = Math.sqrt((-2 * log(s)) / s);
  rng.spare = v * f;
  return mean + std * (u * f);
}

/**
 * Fill `out` with N(mean, std²) deviates, in order: identical to `out.length` successive calls of
 * `normal(rng, mean, std)` (so splitting one fill into two gives the same numbers).
 *
 * @param rng - the generator
 * @param out - the vector to overwrite
 * @param mean - the mean (default 0)
 * @param std - the standard deviation (default 1)
 * @returns `out`, filled
 * @example
 * ```ts
 * import { createRng, fillNormal } from "splitscape";
 * const noise = fillNormal(createRng(2), new Float64Array(5), 0, 0.1);
 * console.log(noise);
 * ```
 */
export function fillNormal(rng: Rng, out: Float64Array, mean = 0, std = 1): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = normal(rng, mean, std);
  return out;
}

/**
 * A new vector of n N(mean, std²) deviates (see fillNormal).
 *
 * @param rng - the generator
 * @param n - the length
 * @param mean - the mean (default 0)
 * @param std - the standard deviation (default 1)
 * @returns a new Float64Array of n deviates
 * @example
 * ```ts
 * import { fork, normals } from "splitscape";
 * const direction = normals(fork(3, "probe"), 10);
 * console.log(direction.length); // 10
 * ```
 */
export function normals(rng: Rng, n: number, mean = 0, std = 1): Float64Array {
  return fillNormal(rng, new Float64Array(n), mean, std);
}

/**
 * A rows×cols matrix with i.i.d. N(0, std²) entries, filled in row-major order.
 *
 * @param rng - the generator
 * @param rows - number of rows
 * @param cols - number of columns
 * @param std - standard deviation of each entry (default 1)
 * @returns a dense row-major Matrix `{ rows, cols, data }`
 * @example
 * ```ts
 * import { createRng, gaussianMatrix } from "splitscape";
 * const X = gaussianMatrix(createRng(4), 8, 3); // 8 samples in R³
 * console.log(X.rows, X.cols, X.data.length); // 8 3 24
 * ```
 */
export function gaussianMatrix(rng: Rng, rows: number, cols: number, std = 1): Matrix {
  return { rows, cols, data: normals(rng, rows * cols, 0, std) };
}
