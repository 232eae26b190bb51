/**
 * Weight decay (withWeightDecay, weightDecayPenalty) and losses on the outputs
 * (outputLossObjective): values against sums written here, gradients against 8th-order central
 * finite differences (h = 1e-3 on smooth objectives: error ≈ 1e-11, tolerance 1e-8 relative).
 */
import { describe, expect, it } from "vitest";
import {
  lossAndGradient, makeActivation, makeObjective, outputLossObjective, paramCount, twoLayerArchitecture,
  weightDecayPenalty, withWeightDecay, type OutputLoss,
} from "../../src/model/index.js";
import { fd8, lcg, maxAbs } from "./reference.js";

const arch = twoLayerArchitecture({ d: 3, m: 4, k: 2, activation: makeActivation("tanh"), inputBias: true });

function data(seed: number) {
  const u = lcg(seed);
  const n = 5;
  const X = { rows: n, cols: 3, data: Float64Array.from({ length: 3 * n }, () => 1.2 * u()) };
  const Y = { rows: n, cols: 2, data: Float64Array.from({ length: 2 * n }, () => u()) };
  const theta = Float64Array.from({ length: paramCount(arch) }, () => 0.8 * u());
  return { X, Y, theta };
}

/** Softmax cross-entropy Σ_i [lse(F_i) − ⟨Y_i, F_i⟩] with Y rows in the simplex: couples the outputs. */
const softmax: OutputLoss = {
  value(F, dF) {
    let s = 0;
    for (let i = 0; i < F.length / 2; i++) {
      const a = F[2 * i];
      const b = F[2 * i + 1];
      const lse = Math.log(Math.exp(a) + Math.exp(b));
      s += lse - (0.3 * a + 0.7 * b);
      if (dF) {
        dF[2 * i] = Math.exp(a - lse) - 0.3;
        dF[2 * i + 1] = Math.exp(b - lse) - 0.7;
      }
    }
    return s;
  },
};

function checkGradient(evaluate: (t: Float64Array, g: Float64Array | null) => number, theta: Float64Array): void {
  const g = new Float64Array(theta.length);
  evaluate(theta, g);
  for (let t = 0; t < theta.length; t++) {
    const fd = fd8((s) => { const th = theta.slice(); th[t] += s; return evaluate(th, null); }, 1e-3);
    expect(Math.abs(fd - g[t])).toBeLessThanOrEqual(1e-8 * Math.max(1, maxAbs(g)));
  }
}

describe("withWeightDecay", () => {
  it("adds (β/2)‖θ‖² to the loss and βθ to the gradient (finite differences)", () => {
    const { X, Y, theta } = data(4);
    const base = makeObjective(arch, { X, Y }, "square");
    const beta = 0.37;
    const wd = withWeightDecay(base, beta);
    let sq = 0;
    for (const v of theta) sq += v * v;
    const plain = lossAndGradient({ arch, theta }, { X, Y }, "square").loss;
    expect(wd.evaluate(theta, null).loss).toBeCloseTo(plain + 0.5 * beta * sq, 13);
    expect(weightDecayPenalty(theta, beta)).toBe(0.5 * beta * sq);
    expect(wd.homogeneity).toBeNull();
    checkGradient((t, g) => wd.evaluate(t, g).loss, theta);
    expect(() => withWeightDecay(base, -1)).toThrow(RangeError);
    expect(() => withWeightDecay(base, NaN)).toThrow(RangeError);
  });
});

describe("outputLossObjective", () => {
  it("a loss coupling the outputs: value = L(f(X; θ)), gradient = finite differences", () => {
    const { X, Y, theta } = data(9);
    const obj = outputLossObjective(arch, X, softmax);
    checkGradient((t, g) => obj.evaluate(t, g).loss, theta);
    // With the square loss written as an OutputLoss it equals the model's named square loss.
    const square: OutputLoss = {
      value(F, dF) {
        let s = 0;
        for (let t = 0; t < F.length; t++) {
          const r = F[t] - Y.data[t];
          s += 0.5 * r * r;
          if (dF) dF[t] = r;
        }
        return s;
      },
    };
    const g1 = new Float64Array(theta.length);
    const g2 = new Float64Array(theta.length);
    const v1 = outputLossObjective(arch, X, square).evaluate(theta, g1).loss;
    const v2 = makeObjective(arch, { X, Y }, "square").evaluate(theta, g2).loss;
    expect(Math.abs(v1 - v2)).toBeLessThanOrEqual(1e-14 * v2);
    for (let t = 0; t < theta.length; t++) expect(Math.abs(g1[t] - g2[t])).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(g2)));
    expect(() => outputLossObjective(arch, X, square).evaluate(theta, null, Int32Array.of(0))).toThrow(/no batches/);
  });
});
