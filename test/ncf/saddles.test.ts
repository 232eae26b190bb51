import { describe, expect, it } from "vitest";
import { makeBuiltin } from "../../src/data/index.js";
import { twoLayerArchitecture } from "../../src/model/index.js";
import { detectPlateaus, ncfOutputs, ncfProblem, residualNcfProblem, splitNeurons } from "../../src/ncf/index.js";
import { fork, unitSphere } from "../../src/random/index.js";

describe("saddle-to-saddle building blocks", () => {
  it("detectPlateaus finds the flat stretches of a piecewise-linear log-loss curve", () => {
    const t: number[] = [];
    const l: number[] = [];
    for (let k = 0; k <= 1000; k++) {
      const tk = k * 0.01;
      t.push(tk);
      l.push(tk < 5 ? 2 : tk < 6 ? 2 - 2 * (tk - 5) : 0);
    }
    const p = detectPlateaus(t, l);
    expect(p.length).toBe(2);
    expect(p[0].tStart).toBe(0);
    expect(p[0].tEnd).toBeCloseTo(5, 1);
    expect(p[1].tStart).toBeCloseTo(6, 1);
    expect(p[1].logLoss).toBeCloseTo(0, 12);
  });

  it("splitNeurons splits at the largest gap of the log norms, or refuses without separation", () => {
    expect(splitNeurons([0, -1, -20, -21])).toMatchObject({ big: [0, 1], small: [2, 3], gap: 19 });
    expect(splitNeurons([0, -1, -2, -3])).toBeNull();
    expect(splitNeurons([0, -1, -2, -3], Math.log(2))).toMatchObject({ big: [0], gap: 1 });
  });

  it("residual NCF: targets y − H_big, so 𝒩_res = 𝒩 minus the big block's correlation", () => {
    const ds = makeBuiltin("builtin:sin?n=12&d=3&seed=2");
    const arch = twoLayerArchitecture({ d: 3, m: 4, activation: { name: "leaky_relu", slope: 0.1 } });
    const prob = ncfProblem(arch, ds);
    const theta = unitSphere(fork(1, "t"), prob.p);
    const res = residualNcfProblem(prob, theta, [0, 2]);
    // with every neuron big, the residual is y − H(θ)
    const all = residualNcfProblem(prob, theta, [0, 1, 2, 3]);
    const H = ncfOutputs(prob, theta);
    for (let i = 0; i < prob.n; i++) expect(all.y[i]).toBeCloseTo(prob.y[i] - H[i], 14);
    // with none, it is y
    const none = residualNcfProblem(prob, theta, []);
    for (let i = 0; i < prob.n; i++) expect(none.y[i]).toBe(prob.y[i]);
    expect(res.y.length).toBe(prob.n);
  });
});
