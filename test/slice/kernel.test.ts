/**
 * The wasm panel kernel of two-layer slices (src/slice/panelKernel.ts, assembly/slice.ts):
 *  - against one network at a time (the model's own loss; relative 1e-12: the same sums in
 *    another order) and the TS panels, for every σ it covers, every loss, k = 1 and 2, odd m and
 *    odd nx, with weight decay and means;
 *  - BITWISE the same grid on 1, 2 and 3 threads and with every panel left to the workers;
 *  - σ by the E recurrence against Math.tanh / the logistic function: within
 *    4ε·(1 + σ′(z)·(|A| + |B|·max|x|)) — a few ulp of 1 plus the rounding that z = A + x·B itself
 *    carries at the grid's ends (the recurrence carries z from the last exact point);
 *  - points whose loss needs log space (logistic with margins ≫ 1) come out as the model's own
 *    loss does, log ℒ included.
 */
import { afterEach, describe, expect, it } from "vitest";
import { poolTesting } from "../../src/linalg/kernels/pool.js";
import { makeBuiltin } from "../../src/data/index.js";
import { forward, initializeModel, makeActivation, twoLayerArchitecture, type LossName, type Model, type ModelData } from "../../src/model/index.js";
import { axisValues, sliceGrid, type GridProblem } from "../../src/slice/index.js";
import { sliceGridNaive } from "../../src/slice/evaluate.js";
import { kernelSigmaRow, lastPanelRun } from "../../src/slice/panelKernel.js";
import { testRng } from "../helpers/random.js";
import { withThreads, bits } from "../helpers/threads.js";

const EPS = 2.220446049250313e-16;

afterEach(() => {
  poolTesting.callerIdle = false;
});

/** Regression data with k targets (n samples from a builtin's inputs). */
function regression(n: number, k: number, seed: number): ModelData {
  const base = makeBuiltin(`builtin:blobs?n=${n}&seed=${seed}`);
  return { ...base, Y: { rows: n, cols: k, data: testRng(seed + 100).randnVec(n * k) } };
}

function problemFor(model: Model, data: ModelData, loss: LossName, nx: number, ny: number, mean: boolean): GridProblem {
  const p = model.theta.length;
  return {
    model, data, spec: { loss, mean, beta: 0.02 }, U: testRng(21).randnVec(p), V: testRng(22).randnVec(p),
    xs: axisValues({ lo: -1.2, hi: 0.9, count: nx }), ys: axisValues({ lo: -0.7, hi: 1, count: ny }),
  };
}

describe("panel kernel against one network at a time", () => {
  const cases: [string, Model, LossName, ModelData][] = [
    ["relu, biases, m = 7 (odd), square", initializeModel(twoLayerArchitecture({ d: 2, m: 7, activation: makeActivation("relu"), inputBias: true }), { seed: 1 }), "square", regression(33, 1, 1)],
    ["leaky_relu 0.2, k = 2, both biases, square", initializeModel(twoLayerArchitecture({ d: 2, m: 8, k: 2, activation: makeActivation("leaky_relu", 0.2), inputBias: true, outputBias: true }), { seed: 2 }), "square", regression(29, 2, 2)],
    ["linear, logistic", initializeModel(twoLayerArchitecture({ d: 2, m: 5, activation: makeActivation("linear") }), { seed: 3 }), "logistic", makeBuiltin("builtin:blobs?n=31&seed=3")],
    ["tanh, m = 9, biases, square", initializeModel(twoLayerArchitecture({ d: 2, m: 9, activation: makeActivation("tanh"), inputBias: true }), { seed: 4 }), "square", regression(35, 1, 4)],
    ["tanh, k = 2, output bias, square", initializeModel(twoLayerArchitecture({ d: 2, m: 6, k: 2, activation: makeActivation("tanh"), outputBias: true }), { seed: 5 }), "square", regression(27, 2, 5)],
    ["tanh, logistic", initializeModel(twoLayerArchitecture({ d: 2, m: 10, activation: makeActivation("tanh"), inputBias: true }), { seed: 6 }), "logistic", makeBuiltin("builtin:blobs?n=40&seed=6")],
    ["sigmoid, m = 5, exponential", initializeModel(twoLayerArchitecture({ d: 2, m: 5, activation: makeActivation("sigmoid"), inputBias: true }), { seed: 7 }), "exponential", makeBuiltin("builtin:blobs?n=30&seed=7")],
    ["relu, exponential", initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu"), inputBias: true }), { seed: 8 }), "exponential", makeBuiltin("builtin:blobs?n=30&seed=8")],
  ];
  for (const [name, model, loss, data] of cases) {
    it(`${name}: kernel = naive = TS panels (relative 1e-12), 37 × 6 grid`, () => {
      for (const mean of [false, true]) {
        const problem = problemFor(model, data, loss, 37, 6, mean);
        const a = sliceGrid(problem);
        const b = sliceGridNaive(problem);
        const c = sliceGrid(problem, { kernel: "typescript" });
        for (let t = 0; t < a.objective.length; t++) {
          expect(Math.abs(a.loss[t] - b.loss[t])).toBeLessThanOrEqual(1e-12 * Math.abs(b.loss[t]));
          expect(Math.abs(a.logLoss[t] - b.logLoss[t])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b.logLoss[t])));
          expect(Math.abs(a.objective[t] - c.objective[t])).toBeLessThanOrEqual(1e-12 * Math.abs(c.objective[t]));
          expect(a.penalty[t]).toBe(b.penalty[t]);
        }
      }
    });
  }

  it("log space: logistic margins ≫ 1 give ℒ < 1e-280 — the kernel's points equal the model's own loss, log ℒ included", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu"), inputBias: true });
    const model = initializeModel(arch, { seed: 9 });
    const base = makeBuiltin("builtin:blobs?n=20&seed=9");
    // labels = the network's own signs, θ scaled (relu: f scales by s²) so that every margin > 800
    const f0 = forward(model, base.X).data;
    const s = Math.sqrt(800 / Math.min(...Array.from(f0, Math.abs)));
    const data: ModelData = { ...base, Y: { rows: 20, cols: 1, data: Float64Array.from(f0, Math.sign) } };
    const big: Model = { arch, theta: Float64Array.from(model.theta, (v) => s * v) };
    const problem: GridProblem = { ...problemFor(big, data, "logistic", 5, 3, false), U: new Float64Array(big.theta.length).fill(1e-3), V: null, ys: Float64Array.of(0) };
    const a = sliceGrid(problem);
    const b = sliceGridNaive(problem);
    expect(Array.from(a.logLoss)).toEqual(Array.from(b.logLoss));
    expect(Array.from(a.loss)).toEqual(Array.from(b.loss));
    for (const v of a.logLoss) expect(v).toBeLessThan(Math.log(1e-280)); // the log-space path was taken
    for (const v of a.logLoss) expect(Number.isFinite(v)).toBe(true);
  });
});

describe("panel kernel on threads", () => {
  const arch = twoLayerArchitecture({ d: 2, m: 11, activation: makeActivation("tanh"), inputBias: true });
  const model = initializeModel(arch, { seed: 10 });
  for (const [act, loss] of [["tanh", "square"], ["relu", "logistic"]] as const) {
    it(`${act}, ${loss}: bitwise the same grid on 1, 2, 3 threads and with every panel on the workers`, () => {
      const m: Model = { arch: { ...arch, activation: makeActivation(act) }, theta: model.theta };
      const data = loss === "square" ? regression(50, 1, 11) : makeBuiltin("builtin:blobs?n=50&seed=11");
      const problem = problemFor(m, data, loss, 41, 13, true);
      const one = withThreads("1", () => sliceGrid(problem));
      expect(lastPanelRun.threads).toBe(1);
      for (const t of ["2", "3"]) {
        const many = withThreads(t, () => sliceGrid(problem));
        expect(bits(many.objective)).toEqual(bits(one.objective));
        expect(bits(many.logLoss)).toEqual(bits(one.logLoss));
      }
      poolTesting.callerIdle = true;
      const workers = withThreads("3", () => sliceGrid(problem));
      expect(lastPanelRun.workers).toBeGreaterThan(0);
      expect(lastPanelRun.callerPanels).toBe(0);
      expect(bits(workers.objective)).toEqual(bits(one.objective));
    });
  }
});

describe("σ by the kernel's E recurrence", () => {
  it("tanh and the sigmoid within 4ε·(1 + σ′(z)(|A| + |B|·max|x|)) of Math.tanh and 1/(1 + e^{−z}), saturated and huge z included", () => {
    const g = testRng(12);
    let worst = 0;
    for (const [lo, hi, nx] of [[-1, 1, 101], [-3, 2, 257], [-0.5, 1.5, 40]] as const) {
      const xs = axisValues({ lo, hi, count: nx });
      const X = Math.max(Math.abs(lo), Math.abs(hi));
      for (let t = 0; t < 400; t++) {
        const scale = t % 10 === 0 ? 300 : t % 3 === 0 ? 40 : 4; // 300: restarts beyond e^{±300}, exact points
        const A: [number, number] = [scale * g.normal(), scale * g.normal()];
        const B: [number, number] = [scale * g.normal(), t % 7 === 0 ? 0 : scale * g.normal()];
        for (const sigma of ["tanh", "sigmoid"] as const) {
          const out = kernelSigmaRow(xs, A, B, sigma);
          if (out === null) throw new Error("wasm unavailable");
          for (let i = 0; i < nx; i++) {
            for (let l = 0; l < 2; l++) {
              const z = A[l] + xs[i] * B[l];
              const ref = sigma === "tanh" ? Math.tanh(z) : 1 / (1 + Math.exp(-z));
              const slope = sigma === "tanh" ? 1 - ref * ref : ref * (1 - ref);
              const r = Math.abs(out[2 * i + l] - ref) / (EPS * (1 + slope * (Math.abs(A[l]) + Math.abs(B[l]) * X)));
              worst = Math.max(worst, r);
            }
          }
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(4);
    expect(worst).toBeGreaterThan(0.1); // the measure sees the recurrence's rounding (not a vacuous bound)
  });
});
