import { describe, expect, it } from "vitest";
import { nrm2 } from "../../src/linalg/index.js";
import { initializeModel, makeActivation, mlpArchitecture, twoLayerArchitecture, twoLayerParts } from "../../src/model/index.js";

describe("initializeModel", () => {
  const arch = twoLayerArchitecture({ d: 3, m: 7, activation: makeActivation("relu") });

  it("balanced two-layer init has |a_j| = ‖w_j‖ for every neuron", () => {
    const { theta } = initializeModel(arch, { seed: 5, balanced: true });
    const { W, a } = twoLayerParts(arch, theta);
    for (let j = 0; j < 7; j++) expect(Math.abs(a[j])).toBe(nrm2(W.subarray(3 * j, 3 * j + 3)));
  });

  it("scale sets ‖θ(0)‖ to δ (to rounding) down to δ = 1e-80, and keeps the direction", () => {
    const base = initializeModel(arch, { seed: 1 }).theta;
    for (const delta of [1, 1e-20, 1e-80]) {
      const t = initializeModel(arch, { seed: 1, scale: delta }).theta;
      expect(Math.abs(nrm2(t) / delta - 1)).toBeLessThan(4e-16 * t.length);
      const cos = t.reduce((s, v, i) => s + v * base[i], 0) / (nrm2(t) * nrm2(base));
      expect(1 - cos).toBeLessThan(1e-15);
    }
  });

  it("is deterministic per seed and differs across seeds; MLP layers get fan-in variance", () => {
    expect(initializeModel(arch, { seed: 2 }).theta).toEqual(initializeModel(arch, { seed: 2 }).theta);
    expect(initializeModel(arch, { seed: 2 }).theta).not.toEqual(initializeModel(arch, { seed: 3 }).theta);
    const wide = mlpArchitecture([400, 300, 1], makeActivation("relu"));
    const t = initializeModel(wide, { seed: 0 }).theta;
    // W1 entries ~ N(0, 1/400): the sample variance over 120 000 entries is within 2% of 1/400.
    let s2 = 0;
    for (let i = 0; i < 120000; i++) s2 += t[i] * t[i];
    expect(Math.abs((s2 / 120000) * 400 - 1)).toBeLessThan(0.02);
  });
});
