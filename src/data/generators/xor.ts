import { fork, normal } from "../../random/index.js";
import { numParam } from "../params.js";
import { dParam, nParam, seedParam, type GeneratorSpec } from "./types.js";

/** Cluster centres (c₁, c₂) and labels sign(c₁c₂), visited cyclically: labels alternate +1, −1. */
const CORNERS: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 1],
  [1, -1, -1],
  [-1, -1, 1],
  [-1, 1, -1],
];

/**
 * `xor`: four Gaussian clusters at (±1, ±1) with standard deviation std; sample i belongs to
 * cluster i mod 4 (order (1,1), (1,−1), (−1,−1), (−1,1)) and has label y = sign(c₁c₂). For d > 2
 * the extra coordinates are N(0, std²) noise.
 */
export const xor: GeneratorSpec = {
  name: "xor",
  description: "XOR: Gaussian clusters at (±1, ±1), label sign(x₁x₂); extra dimensions are noise",
  task: "classification",
  params: [
    nParam(),
    seedParam(),
    dParam(2, 2),
    { name: "std", kind: "number", default: 0.25, min: 0, max: 1e3, description: "standard deviation of each cluster" },
  ],
  generate(p) {
    const n = numParam(p, "n");
    const d = numParam(p, "d");
    const std = numParam(p, "std");
    const rng = fork(numParam(p, "seed"), "builtin:xor");
    const X = new Float64Array(n * d);
    const Y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const [c1, c2, y] = CORNERS[i % 4];
      X[i * d] = c1 + std * normal(rng);
      X[i * d + 1] = c2 + std * normal(rng);
      for (let j = 2; j < d; j++) X[i * d + j] = std * normal(rng);
      Y[i] = y;
    }
    return { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: 1, data: Y } };
  },
};
