import type { ModelData } from "../../src/model/index.js";
import { testRng } from "./random.js";

/**
 * Two separable Gaussian blobs in ℝ²: x_i = y_i·(2, −2) + 0.8·z_i with labels y_i = ±1
 * alternating (the margin experiments' setting), drawn from testRng(seed).
 */
export function testBlobs(n: number, seed: number): ModelData {
  const g = testRng(seed);
  const X = new Float64Array(2 * n);
  const Y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % 2 === 0 ? 1 : -1;
    X[2 * i] = 2 * y + 0.8 * g.normal();
    X[2 * i + 1] = -2 * y + 0.8 * g.normal();
    Y[i] = y;
  }
  return { X: { rows: n, cols: 2, data: X }, Y: { rows: n, cols: 1, data: Y } };
}
