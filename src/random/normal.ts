import type { Matrix } from "../linalg/index.js";
import { log } from "./pmath.js";
import { uniform, type Rng } from "./rng.js";

/**
 * Standard normal deviate by the Marsaglia polar method: draw u, v uniform on (−1, 1) until
 * 0 < s = u² + v² < 1, then u·f and v·f with f = √(−2·ln s / s) are two independent N(0, 1)
 * deviates; the second is kept as `rng.spare` for the next call. Only +, −, ×, ÷, √ and the
 * portable `log` of pmath.ts are used, so samples are bit-identical across engines.
 * Returns mean + std·z (defaults 0 and 1).
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
 */
export function fillNormal(rng: Rng, out: Float64Array, mean = 0, std = 1): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = normal(rng, mean, std);
  return out;
}

/** A new vector of n N(mean, std²) deviates (see fillNormal). */
export function normals(rng: Rng, n: number, mean = 0, std = 1): Float64Array {
  return fillNormal(rng, new Float64Array(n), mean, std);
}

/** A rows×cols matrix with i.i.d. N(0, std²) entries, filled in row-major order. */
export function gaussianMatrix(rng: Rng, rows: number, cols: number, std = 1): Matrix {
  return { rows, cols, data: normals(rng, rows * cols, 0, std) };
}
