/**
 * The inverse design: θ is stationary for the generated targets (‖∇L‖ at rounding level), H_j
 * has the requested inertia, and H_red is positive definite (minimum) or indefinite (saddle) —
 * each checked by recomputing from the model and data, not from the design's own numbers.
 */
import { describe, expect, it } from "vitest";
import { eigvalsh, lstsq, nrm2 } from "../../src/linalg/index.js";
import { forward, hessian, lossAndGradient, makeActivation, outputJacobian, twoLayerArchitecture } from "../../src/model/index.js";
import { designStationaryPoint, gradientScale, innerHessian, INNER_TARGETS } from "../../src/plateau/index.js";

describe("designStationaryPoint", () => {
  for (const target of INNER_TARGETS) {
    for (const stationary of ["minimum", "saddle"] as const) {
      it(`${target} H_j at a ${stationary}`, () => {
        const c = designStationaryPoint({ seed: 4, d: 3, m: 2, activation: makeActivation("softplus"), target, stationary, inputBias: true, unit: 1 });
        const g = nrm2(lossAndGradient(c.model, c.data, "square").gradient!);
        // stationary up to rounding of y = f − r: far below the refinement tolerance 1e-12·scale
        expect(g).toBeLessThan(1e-13 * gradientScale(c.model, c.data, "square"));
        const H = innerHessian(c.model, c.data, "square", 1);
        const want = { "positive-definite": [4, 0, 0], "negative-definite": [0, 4, 0], indefinite: [2, 2, 0], singular: [3, 0, 1], zero: [0, 0, 4], "zero-cubic": [0, 0, 4] }[target];
        expect([H.inertia.inertia.positive, H.inertia.inertia.negative, H.inertia.inertia.zero]).toEqual(want);
        expect(c.targetResidual).toBeLessThan(1e-10);
        const red = eigvalsh(hessian(c.model, c.data, "square"));
        // JᵀJ = the Hessian at zero residual (targets y = f): the design's margin is ½λ_min(JᵀJ).
        const f = forward(c.model, c.data.X);
        const gn = eigvalsh(hessian(c.model, { X: c.data.X, Y: f }, "square"))[0];
        expect(gn).toBeGreaterThan(0);
        if (stationary === "minimum") expect(red[0]).toBeGreaterThanOrEqual(0.5 * gn * (1 - 1e-9));
        else expect(red[0]).toBeLessThanOrEqual(-0.5 * gn * (1 - 1e-9));
        expect(red[0]).toBeCloseTo(c.reducedMinEigenvalue, 10);
      });
    }
  }

  it("is a deterministic function of its options", () => {
    const o = { seed: 9, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" as const };
    const a = designStationaryPoint(o);
    const b = designStationaryPoint(o);
    expect(Array.from(a.data.Y.data)).toEqual(Array.from(b.data.Y.data));
    expect(Array.from(a.model.theta)).toEqual(Array.from(b.model.theta));
  });
});

describe("a structural constraint found by the design: erf with input biases", () => {
  it("cannot have a definite H_j: (H_j)_bb = a_jΣr_iσ″(z_i) = −2(w_jᵀ∇_{w_j}L + b_j∂_{b_j}L) = 0", () => {
    expect(() => designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("erf"), target: "positive-definite", inputBias: true })).toThrow(/stationarity constrains H_j/);
    // Any stationary point: random θ, random r ∈ null(Jᵀ) (projection by least squares), y = f − r.
    const arch = twoLayerArchitecture({ d: 2, m: 2, activation: makeActivation("erf"), inputBias: true });
    const theta = Float64Array.from({ length: 8 }, (_, i) => 0.9 * Math.sin(1.9 * i + 0.3));
    const n = 30;
    const X = { rows: n, cols: 2, data: Float64Array.from({ length: 2 * n }, (_, i) => Math.cos(0.7 * i * i + 0.1)) };
    const model = { arch, theta };
    const J = outputJacobian(model, X);
    const z = Float64Array.from({ length: n }, (_, i) => Math.sin(3.3 * i));
    const fit = lstsq(J, z);
    const r = z.map((v, i) => {
      let s = 0;
      for (let t = 0; t < 8; t++) s += J.data[i * 8 + t] * fit.x[t];
      return v - s;
    });
    const f = forward(model, X).data;
    const data = { X, Y: { rows: n, cols: 1, data: f.map((v, i) => v - r[i]) } };
    expect(nrm2(lossAndGradient(model, data, "square").gradient!)).toBeLessThan(1e-12 * gradientScale(model, data, "square"));
    for (const unit of [0, 1]) {
      const H = innerHessian(model, data, "square", unit);
      // rounding floor of the sum is ~nε·termScale; 1e-12·termScale leaves a factor 10² of room
      expect(Math.abs(H.matrix.data[3 * 3 - 1])).toBeLessThan(1e-12 * H.termScale);
      expect(H.termScale).toBeGreaterThan(1e-3);
    }
  });
});

describe("options from untyped code", () => {
  it("an unknown target or stationary kind is a RangeError naming it and the valid ones, not a TypeError later", () => {
    const base = { seed: 1, d: 2, m: 3, activation: makeActivation("tanh") };
    expect(() => designStationaryPoint({ ...base, target: "definite" as never })).toThrow(RangeError);
    expect(() => designStationaryPoint({ ...base, target: "definite" as never })).toThrow(/target "definite" is not one of positive-definite, .*zero-cubic/);
    expect(() => designStationaryPoint({ ...base, target: "indefinite", stationary: "max" as never })).toThrow(/stationary "max" is not "minimum" or "saddle"/);
  });
});
