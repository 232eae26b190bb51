import { describe, expect, it } from "vitest";
import { makeObjective, twoLayerArchitecture, twoLayerParts } from "../../src/model/index.js";
import {
  SADDLE_PRESETS, balancedInit, detectPlateaus, gradientDescentRun, neuronBlock, neuronGroups, neuronNorms,
  predictPlateau, presetData, restrictedSaddle, splitAtLevel, splitByGroups,
} from "../../src/ncf/index.js";
import { firstCrossing } from "../../src/ncf/plateauPrediction.js";
import { fork } from "../../src/random/index.js";

const arch2 = twoLayerArchitecture({ d: 2, m: 4, activation: { name: "relu" } });

/** θ for arch2 from rows (w1, w2, a) per neuron. */
function theta(rows: number[][]): Float64Array {
  const th = new Float64Array(12);
  const { W, a } = twoLayerParts(arch2, th);
  rows.forEach(([w1, w2, aj], j) => {
    W[2 * j] = w1;
    W[2 * j + 1] = w2;
    a[j] = aj;
  });
  return th;
}

describe("GD saddle-to-saddle building blocks", () => {
  it("balancedInit: a_j² = ‖w_j‖², both signs, weights of size σ", () => {
    const arch = twoLayerArchitecture({ d: 3, m: 200, activation: { name: "relu" } });
    const th = balancedInit(arch, 1e-5, fork(3, "init"));
    const { W, a } = twoLayerParts(arch, th);
    let pos = 0;
    let ss = 0;
    for (let j = 0; j < 200; j++) {
      const w2 = W[3 * j] ** 2 + W[3 * j + 1] ** 2 + W[3 * j + 2] ** 2;
      expect(Math.abs(a[j] ** 2 - w2)).toBeLessThan(1e-12 * w2);
      if (a[j] > 0) pos++;
      ss += w2;
    }
    expect(pos).toBeGreaterThan(60);
    expect(pos).toBeLessThan(140);
    expect(Math.sqrt(ss / 600)).toBeCloseTo(1e-5, 6); // RMS weight ≈ σ
  });

  it("gradientDescentRun: samples every k steps at t = η·k, same iterates as a hand-written loop", () => {
    const { X, Y } = presetData(SADDLE_PRESETS["1d"]);
    const arch = twoLayerArchitecture({ d: 2, m: 5, activation: { name: "relu" } });
    const obj = makeObjective(arch, { X, Y }, "square", { mean: true });
    const th0 = balancedInit(arch, 0.3, fork(1, "x"));
    const run = gradientDescentRun(obj, th0, { lr: 0.01, steps: 25, every: 10 });
    expect(run.step).toEqual([0, 10, 20, 25]);
    expect(run.t[2]).toBeCloseTo(0.2, 14);
    const th = Float64Array.from(th0);
    const g = new Float64Array(th.length);
    for (let k = 0; k < 20; k++) {
      obj.evaluate(th, g);
      for (let i = 0; i < th.length; i++) th[i] -= 0.01 * g[i];
    }
    for (let i = 0; i < th.length; i++) expect(run.theta[2][i]).toBe(th[i]);
    expect(run.loss[2]).toBe(obj.evaluate(th, null).loss);
  });

  it("neuronGroups / splitAtLevel / splitByGroups: groups by direction and sign, split by mass", () => {
    // neurons 0 and 2 share a direction and sign (a group of mass √(0.5² + 0.05²)·√2…); 1 is alone; 3 has the
    // direction of 0 but the other sign
    const th = theta([[0.5, 0.5, 0.7], [-1e-3, 2e-3, -2e-3], [0.05, 0.05, 0.07], [1e-4, 1e-4, -1.4e-4]]);
    const groups = neuronGroups(arch2, th);
    expect(groups).toEqual([[0, 2], [1], [3]]);
    expect(splitAtLevel(arch2, th, 0.1)).toEqual({ big: [0, 2], small: [1, 3] });
    expect(splitAtLevel(arch2, th, 10)).toBeNull();
    // largest gap of log group masses: {0,2} (≈1.0) vs {1} (≈3e-3) vs {3} (≈2e-4)
    expect(splitByGroups(arch2, th)).toMatchObject({ big: [0, 2], small: [1, 3], groups: 3 });
    // a single-neuron split at the largest gap of log norms would cut the group {0, 2} in two
    const ln = Array.from(neuronNorms(arch2, th), Math.log);
    expect(ln[0] - ln[2]).toBeGreaterThan(Math.log(5));
  });

  it("neuronBlock keeps the chosen neurons only", () => {
    const th = theta([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]]);
    const b = neuronBlock(arch2, th, [1, 3]);
    expect(Array.from(b)).toEqual([0, 0, 4, 5, 0, 0, 1, 1, 0, 6, 0, 1]);
  });

  it("firstCrossing interpolates log‖z‖ linearly between samples", () => {
    expect(firstCrossing([0, 1, 2, 3], [-5, -3, -1, 1], 0, -2)).toEqual({ t: 1.5, k: 2 });
    expect(firstCrossing([0, 1, 2, 3], [-5, -3, -1, 1], 3, -2)).toEqual({ t: 3, k: 3 });
    expect(Number.isNaN(firstCrossing([0, 1], [-5, -4], 0, 0).t)).toBe(true);
  });

  it("restrictedSaddle: the small block stays zero and the big block becomes stationary", () => {
    const { X, Y } = presetData(SADDLE_PRESETS["1d"]);
    const arch = twoLayerArchitecture({ d: 2, m: 4, activation: { name: "relu" } });
    const obj = makeObjective(arch, { X, Y }, "square", { mean: true });
    const th = balancedInit(arch, 0.5, fork(2, "s"));
    const s = restrictedSaddle(obj, arch, th, [0, 1], { lr: 0.05, maxSteps: 200_000, gradTol: 1e-10 });
    expect(s.gradNorm).toBeLessThanOrEqual(1e-10);
    const { W, a } = twoLayerParts(arch, s.theta);
    expect([W[4], W[5], W[6], W[7], a[2], a[3]]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(s.loss).toBeLessThan(obj.evaluate(neuronBlock(arch, th, [0, 1]), null).loss);
  });

  it("predictPlateau: first plateau of the 1-D preset (origin saddle) — exit and direction as predicted", () => {
    const pre = SADDLE_PRESETS["1d"];
    const data = presetData(pre);
    const arch = twoLayerArchitecture({ d: 2, m: 50, activation: { name: "relu" } });
    const obj = makeObjective(arch, data, "square", { mean: true });
    const th0 = balancedInit(arch, 50 ** pre.log50Std, fork(1, "init-1d"));
    const run = gradientDescentRun(obj, th0, { lr: pre.lr, steps: 60_000, every: 100 });
    const pl = detectPlateaus(run.t, run.logLoss, { rateTol: 0.005, minDuration: 5 });
    expect(pl[0].tStart).toBe(0);
    const p = predictPlateau(obj, arch, data, run, pl[0], fork(1, "p"), { level: 0.1, mean: true })!;
    expect(p.big).toEqual([]);
    // origin saddle: residual = y, so 𝒩*_res = 𝒩* = ½·max|mean y σ(ŵᵀx)|; the flow reaches it
    expect(p.flowValue).toBeCloseTo(p.ncfStarResidual, 4);
    expect(Math.abs(p.observedExit - p.flowPredictedExit) / (p.flowPredictedExit - p.tEntry)).toBeLessThan(0.015);
    // the asymptotic formula ignores the alignment lag: earlier than the flow's own crossing
    expect(p.predictedExit).toBeLessThan(p.flowPredictedExit);
    expect(p.directionCosine).toBeGreaterThan(0.999);
    expect(p.switchingSign).toBe(1);
  }, 30_000);
});
