/**
 * The slabbed wasm two-layer step (src/model/twoLayerWasm.ts twoLayerWasmSlabs, assembly/twolayer.ts
 * lossGradientSlabs/reduceSlabs) on the kernels' worker pool: against the TS kernels (the oracle,
 * to the 1e-13 of twoLayerWasm.test.ts: the same sums in another order), and BITWISE the same
 * on 1, 2 and 3 threads and with every slab left to the workers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { poolTesting } from "../../src/linalg/kernels/pool.js";
import { makeActivation, paramCount, twoLayerArchitecture, type LossName } from "../../src/model/index.js";
import { createWorkspace, lossGradientInto, workspaceOutputs } from "../../src/model/network.js";
import type { TwoLayerArchitecture } from "../../src/model/architecture.js";
import {
  createTwoLayerWasm, lastSlabRun, TWO_LAYER_MAX_SLABS, twoLayerWasmBind, twoLayerWasmLossGradient, twoLayerWasmSlabs,
} from "../../src/model/twoLayerWasm.js";
import { lcg, maxAbs, maxAbsDiff } from "./reference.js";
import { withThreads, bits } from "../helpers/threads.js";

afterEach(() => {
  poolTesting.callerIdle = false;
});

describe("slabs of a step", () => {
  it("depend on (n, d, m) only, cover the rows once, multiples of 8 rows", () => {
    for (const [n, d, m] of [[10, 2, 3], [3001, 20, 40], [5000, 3, 64], [10000, 50, 500], [100000, 1, 1000]]) {
      const { slabs, rows } = twoLayerWasmSlabs(n, d, m);
      expect(slabs).toBeGreaterThanOrEqual(1);
      expect(slabs).toBeLessThanOrEqual(TWO_LAYER_MAX_SLABS);
      expect(slabs * rows).toBeGreaterThanOrEqual(n);
      expect((slabs - 1) * rows).toBeLessThan(n);
      if (slabs > 1) expect(rows % 8).toBe(0);
      expect(withThreads("1", () => twoLayerWasmSlabs(n, d, m))).toEqual({ slabs, rows });
    }
    expect(twoLayerWasmSlabs(10, 2, 3).slabs).toBe(1);
    expect(twoLayerWasmSlabs(10000, 50, 500).slabs).toBe(TWO_LAYER_MAX_SLABS);
  });
});

describe("slabbed step on threads", () => {
  const cases: { n: number; arch: TwoLayerArchitecture; loss: LossName; mean: boolean }[] = [
    { n: 3001, arch: twoLayerArchitecture({ d: 20, m: 60, activation: makeActivation("relu") }), loss: "logistic", mean: false },
    { n: 5000, arch: twoLayerArchitecture({ d: 3, m: 100, activation: makeActivation("leaky_relu", 0.1), inputBias: true }), loss: "square", mean: true },
    { n: 4100, arch: twoLayerArchitecture({ d: 12, m: 130, activation: makeActivation("relu"), inputBias: true, outputBias: true }), loss: "exponential", mean: true },
  ];
  for (const { n, arch, loss, mean } of cases) {
    const { slabs } = twoLayerWasmSlabs(n, arch.d, arch.m);
    it(`n=${n} d=${arch.d} m=${arch.m} ${arch.activation.name} ${loss}${mean ? " mean" : ""} (${slabs} slabs)`, () => {
      expect(slabs).toBeGreaterThanOrEqual(3);
      const u = lcg(n);
      const X = Float64Array.from({ length: n * arch.d }, () => u());
      const Y = Float64Array.from({ length: n }, () => (loss === "square" ? u() : u() < 0 ? -1 : 1));
      const p = paramCount(arch);
      const theta = Float64Array.from({ length: p }, () => (2 * u()) / Math.sqrt(arch.d));
      const w = withThreads("3", () => createTwoLayerWasm(arch, n))!;
      expect(w.threads).toBe(3);
      twoLayerWasmBind(w, X, Y, n);
      const run = (threads: string) => withThreads(threads, () => {
        const g = new Float64Array(p).fill(NaN);
        const v = twoLayerWasmLossGradient(w, theta, X, Y, n, loss, mean, 1, g);
        return { v, g, F: w.F.slice(0, n), dF: w.dF.slice(0, n) };
      });
      const one = run("1");
      expect(lastSlabRun).toMatchObject({ threads: 1, workers: 0, callerSlabs: slabs });
      // Against the TS kernels (same tolerance as twoLayerWasm.test.ts).
      const ws = createWorkspace(arch, n);
      const gr = new Float64Array(p);
      const r = lossGradientInto(ws, theta, X, Y, n, loss, mean, 1, gr);
      expect(Math.abs(one.v.loss - r.loss)).toBeLessThanOrEqual(1e-13 * r.loss);
      expect(maxAbsDiff(one.g, gr)).toBeLessThanOrEqual(1e-13 * maxAbs(gr));
      expect(maxAbsDiff(one.F, workspaceOutputs(ws).subarray(0, n))).toBeLessThanOrEqual(1e-13 * maxAbs(one.F));
      for (const t of ["2", "3"]) {
        const many = run(t);
        expect(lastSlabRun.threads).toBe(Number(t));
        expect(many.v.loss).toBe(one.v.loss);
        expect(many.v.logLoss).toBe(one.v.logLoss);
        expect(bits(many.g)).toEqual(bits(one.g));
        expect(bits(many.F)).toEqual(bits(one.F));
        expect(bits(many.dF)).toEqual(bits(one.dF));
      }
      poolTesting.callerIdle = true;
      const workers = run("2");
      expect(lastSlabRun).toMatchObject({ threads: 2, workers: 1, callerSlabs: 0 });
      expect(bits(workers.g)).toEqual(bits(one.g));
      expect(workers.v.loss).toBe(one.v.loss);
      poolTesting.callerIdle = false;
      // Loss only: the same loss.
      expect(withThreads("2", () => twoLayerWasmLossGradient(w, theta, X, Y, n, loss, mean, 1, null)).loss).toBe(one.v.loss);
    });
  }
});
