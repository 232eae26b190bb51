import { InputError } from "../../common/errors.js";
import { fork, normal } from "../../random/index.js";
import { numParam, vecParam, type ParamValues } from "../params.js";
import { alternatingLabel, dParam, nParam, seedParam, type GeneratorSpec } from "./types.js";

/** A centre given as one number c (meaning c·e₁) or as d numbers. */
function centre(v: readonly number[], d: number): Float64Array {
  const c = new Float64Array(d);
  if (v.length === 1) c[0] = v[0];
  else c.set(v);
  return c;
}

function checkCentre(v: readonly number[] | undefined, d: number, key: string, source: string): void {
  if (v !== undefined && v.length !== 1 && v.length !== d) {
    throw new InputError(source, `has ${v.length} entries, expected 1 (a multiple of e₁) or d = ${d}`, key);
  }
}

/**
 * `blobs`: two Gaussian blobs in R^d. Sample i has label +1 (i even) or −1 (i odd) and
 * x_i = μ_± + std·z, z ~ N(0, I_d). μ₊ = `mu` (default 2·e₁), μ₋ = `mu_neg` (default −μ₊).
 */
export const blobs: GeneratorSpec = {
  name: "blobs",
  description: "two Gaussian blobs with centres mu, mu_neg and standard deviation std; labels ±1",
  task: "classification",
  params: [
    nParam(),
    seedParam(),
    dParam(2, 1),
    { name: "mu", kind: "vector", default: [2], description: "centre of class +1: one number c (c·e₁) or d numbers" },
    { name: "mu_neg", kind: "vector", defaultText: "-mu", description: "centre of class −1: one number c (c·e₁) or d numbers" },
    { name: "std", kind: "number", default: 0.5, min: 0, max: 1e3, description: "standard deviation of each blob" },
  ],
  check(p: ParamValues, source: string) {
    const d = numParam(p, "d");
    checkCentre(vecParam(p, "mu"), d, "mu", source);
    checkCentre(vecParam(p, "mu_neg"), d, "mu_neg", source);
  },
  generate(p) {
    const n = numParam(p, "n");
    const d = numParam(p, "d");
    const std = numParam(p, "std");
    const mu = centre(vecParam(p, "mu")!, d);
    const neg = vecParam(p, "mu_neg");
    const muNeg = neg === undefined ? mu.map((v) => 0 - v) /* 0 − v: no −0 entries */ : centre(neg, d);
    const rng = fork(numParam(p, "seed"), "builtin:blobs");
    const X = new Float64Array(n * d);
    const Y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const y = alternatingLabel(i);
      const c = y > 0 ? mu : muNeg;
      for (let j = 0; j < d; j++) X[i * d + j] = c[j] + std * normal(rng);
      Y[i] = y;
    }
    return { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: 1, data: Y } };
  },
};
