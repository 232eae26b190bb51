import { fork, normal, unitSphere } from "../../random/index.js";
import { numParam } from "../params.js";
import { alternatingLabel, nParam, seedParam, type GeneratorSpec } from "./types.js";

/**
 * `circles`: two concentric circles in R². Sample i: label +1 (i even) on the inner circle of
 * radius `factor`, −1 (i odd) on the unit circle; angle uniform (a normalised Gaussian pair),
 * plus N(0, noise²·I₂).
 */
export const circles: GeneratorSpec = {
  name: "circles",
  description: "two concentric circles in 2-D: inner (radius factor) +1, outer (radius 1) −1, Gaussian noise",
  task: "classification",
  params: [
    nParam(),
    seedParam(),
    { name: "factor", kind: "number", default: 0.5, min: 0, max: 1, minOpen: true, maxOpen: true, description: "radius of the inner circle" },
    { name: "noise", kind: "number", default: 0.05, min: 0, max: 10, description: "standard deviation of the added Gaussian noise" },
  ],
  generate(p) {
    const n = numParam(p, "n");
    const factor = numParam(p, "factor");
    const noise = numParam(p, "noise");
    const rng = fork(numParam(p, "seed"), "builtin:circles");
    const X = new Float64Array(n * 2);
    const Y = new Float64Array(n);
    const u = new Float64Array(2);
    for (let i = 0; i < n; i++) {
      const y = alternatingLabel(i);
      const r = y > 0 ? factor : 1;
      unitSphere(rng, 2, u);
      X[2 * i] = r * u[0] + noise * normal(rng);
      X[2 * i + 1] = r * u[1] + noise * normal(rng);
      Y[i] = y;
    }
    return { X: { rows: n, cols: 2, data: X }, Y: { rows: n, cols: 1, data: Y } };
  },
};
