import { fork, normal, unitSphere } from "../../random/index.js";
import { numParam } from "../params.js";
import { alternatingLabel, nParam, seedParam, type GeneratorSpec } from "./types.js";

/**
 * `moons`: two interleaving half circles in R² (as scikit-learn's make_moons). With (c, s) a
 * uniform point on the upper unit half circle: label +1 (i even) at (c, s), label −1 (i odd) at
 * (1 − c, ½ − s); plus N(0, noise²·I₂).
 */
export const moons: GeneratorSpec = {
  name: "moons",
  description: "two interleaving half circles in 2-D (upper +1, lower −1), Gaussian noise",
  task: "classification",
  params: [
    nParam(),
    seedParam(),
    { name: "noise", kind: "number", default: 0.1, min: 0, max: 10, description: "standard deviation of the added Gaussian noise" },
  ],
  generate(p) {
    const n = numParam(p, "n");
    const noise = numParam(p, "noise");
    const rng = fork(numParam(p, "seed"), "builtin:moons");
    const X = new Float64Array(n * 2);
    const Y = new Float64Array(n);
    const u = new Float64Array(2);
    for (let i = 0; i < n; i++) {
      const y = alternatingLabel(i);
      unitSphere(rng, 2, u);
      const c = u[0];
      const s = Math.abs(u[1]);
      X[2 * i] = (y > 0 ? c : 1 - c) + noise * normal(rng);
      X[2 * i + 1] = (y > 0 ? s : 0.5 - s) + noise * normal(rng);
      Y[i] = y;
    }
    return { X: { rows: n, cols: 2, data: X }, Y: { rows: n, cols: 1, data: Y } };
  },
};
