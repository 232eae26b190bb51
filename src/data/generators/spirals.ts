import { fork, normal, pmath, uniform } from "../../random/index.js";
import { numParam } from "../params.js";
import { alternatingLabel, nParam, seedParam, type GeneratorSpec } from "./types.js";

/**
 * `spirals`: two interleaved spirals in R². Sample i: u = √U (U uniform on [0, 1)),
 * θ = 2π·turns·u, r = 0.1 + 0.9u; label +1 (i even) at r(cos θ, sin θ), label −1 (i odd) at
 * −r(cos θ, sin θ); plus N(0, noise²·I₂). cos/sin are the portable pmath versions.
 */
export const spirals: GeneratorSpec = {
  name: "spirals",
  description: "two interleaved spirals in 2-D (the second is the first rotated by π), Gaussian noise",
  task: "classification",
  params: [
    nParam(),
    seedParam(),
    { name: "turns", kind: "number", default: 1.5, min: 0.25, max: 10, description: "number of turns of each spiral" },
    { name: "noise", kind: "number", default: 0.02, min: 0, max: 10, description: "standard deviation of the added Gaussian noise" },
  ],
  generate(p) {
    const n = numParam(p, "n");
    const turns = numParam(p, "turns");
    const noise = numParam(p, "noise");
    const rng = fork(numParam(p, "seed"), "builtin:spirals");
    const X = new Float64Array(n * 2);
    const Y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const y = alternatingLabel(i);
      const u = Math.sqrt(uniform(rng));
      const theta = 2 * Math.PI * turns * u;
      const r = y * (0.1 + 0.9 * u);
      X[2 * i] = r * pmath.cos(theta) + noise * normal(rng);
      X[2 * i + 1] = r * pmath.sin(theta) + noise * normal(rng);
      Y[i] = y;
    }
    return { X: { rows: n, cols: 2, data: X }, Y: { rows: n, cols: 1, data: Y } };
  },
};
