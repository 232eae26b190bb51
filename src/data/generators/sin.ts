import { fork, normal, pmath } from "../../random/index.js";
import { numParam } from "../params.js";
import { dParam, nParam, seedParam, type GeneratorSpec } from "./types.js";

/**
 * `sin`: regression y = sin(x₁) + 0.5·x₂ (+ noise·ε) with inputs x ~ N(0, std²·I_d), d ≥ 2
 * (coordinates 3…d do not enter y). sin is the portable pmath.sin (within a few ulp of Math.sin).
 * The noise ε comes from its own stream, so X does not depend on `noise`.
 */
export const sinData: GeneratorSpec = {
  name: "sin",
  description: "regression y = sin(x₁) + 0.5·x₂ on Gaussian inputs (d ≥ 2), optional Gaussian noise",
  task: "regression",
  params: [
    nParam(),
    seedParam(),
    dParam(2, 2),
    { name: "std", kind: "number", default: 1, min: 0, max: 1e3, minOpen: true, description: "standard deviation of the inputs" },
    { name: "noise", kind: "number", default: 0, min: 0, max: 1e3, description: "standard deviation of Gaussian noise added to y" },
  ],
  generate(p) {
    const n = numParam(p, "n");
    const d = numParam(p, "d");
    const std = numParam(p, "std");
    const noise = numParam(p, "noise");
    const seed = numParam(p, "seed");
    const rng = fork(seed, "builtin:sin");
    const noiseRng = fork(seed, "builtin:sin/noise");
    const X = new Float64Array(n * d);
    const Y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) X[i * d + j] = std * normal(rng);
      let y = pmath.sin(X[i * d]) + 0.5 * X[i * d + 1];
      if (noise > 0) y += noise * normal(noiseRng);
      Y[i] = y;
    }
    return { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: 1, data: Y } };
  },
};
