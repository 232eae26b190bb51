/**
 * makeObjective: the Objective of dynamics/ — full and mini-batch evaluation (a batch equals the
 * loss of the sub-dataset under the same sum/mean convention), reuse of its workspace across calls,
 * and evaluateScaled at θ = e^s·u for homogeneous models (1e-13 relative to the direct evaluation:
 * the two paths round differently only in the scaling of the outputs).
 */
import { describe, expect, it } from "vitest";
import {
  lossAndGradient, makeActivation, makeObjective, mlpArchitecture, paramCount, twoLayerArchitecture, type Architecture,
} from "../../src/model/index.js";
import { lcg, maxAbs, maxAbsDiff } from "./reference.js";

function dataset(d: number, k: number, n: number, seed: number, labels: boolean) {
  const u = lcg(seed);
  return {
    X: { rows: n, cols: d, data: Float64Array.from({ length: n * d }, () => u()) },
    Y: { rows: n, cols: k, data: Float64Array.from({ length: n * k }, () => (labels ? (u() < 0 ? -1 : 1) : u())) },
  };
}

function subset(ds: ReturnType<typeof dataset>, idx: number[]) {
  const d = ds.X.cols;
  const k = ds.Y.cols;
  return {
    X: { rows: idx.length, cols: d, data: Float64Array.from(idx.flatMap((i) => Array.from(ds.X.data.subarray(i * d, i * d + d)))) },
    Y: { rows: idx.length, cols: k, data: Float64Array.from(idx.flatMap((i) => Array.from(ds.Y.data.subarray(i * k, i * k + k)))) },
  };
}

const ARCHS: Architecture[] = [
  twoLayerArchitecture({ d: 3, m: 6, activation: makeActivation("relu") }),
  twoLayerArchitecture({ d: 3, m: 6, k: 2, activation: makeActivation("tanh"), inputBias: true, outputBias: true }),
  mlpArchitecture([3, 5, 4, 1], makeActivation("leaky_relu", 0.01)),
];

describe("makeObjective", () => {
  for (const arch of ARCHS) {
    for (const loss of ["logistic", "exponential", "square"] as const) {
      for (const mean of [false, true]) {
        it(`${arch.kind} ${arch.activation.name} · ${loss}${mean ? " · mean" : ""}`, () => {
          const k = arch.kind === "two-layer" ? arch.k : 1;
          const ds = dataset(3, k, 20, 7, loss !== "square");
          const obj = makeObjective(arch, ds, loss, { mean });
          const p = paramCount(arch);
          expect(obj.dim).toBe(p);
          expect(obj.samples).toBe(20);
          const u = lcg(3);
          const theta = Float64Array.from({ length: p }, () => u());
          const grad = new Float64Array(p);
          const full = obj.evaluate(theta, grad);
          const ref = lossAndGradient({ arch, theta }, ds, loss, { mean });
          expect(full.loss).toBe(ref.loss);
          expect(full.logLoss).toBe(ref.logLoss);
          expect(maxAbsDiff(grad, ref.gradient!)).toBe(0);
          // a mini-batch is the loss of the sub-dataset (mean divides by the batch size)
          const idx = [4, 17, 0, 9, 9, 12];
          const gb = new Float64Array(p);
          const b = obj.evaluate(theta, gb, Int32Array.from(idx));
          const rb = lossAndGradient({ arch, theta }, subset(ds, idx), loss, { mean });
          expect(Math.abs(b.loss - rb.loss)).toBeLessThanOrEqual(1e-14 * rb.loss);
          expect(maxAbsDiff(gb, rb.gradient!)).toBeLessThanOrEqual(1e-14 * Math.max(1, maxAbs(rb.gradient!)));
          // the workspace is reused: the full evaluation again gives the identical result
          const again = new Float64Array(p);
          expect(obj.evaluate(theta, again).loss).toBe(full.loss);
          expect(maxAbsDiff(again, grad)).toBe(0);
          expect(obj.evaluate(theta, null).loss).toBe(full.loss);
        });
      }
    }
  }

  it("evaluateScaled(u, s) = evaluate(e^s·u), gradient scaled by e^{−(L−1)s}", () => {
    for (const arch of [ARCHS[0], ARCHS[2], twoLayerArchitecture({ d: 3, m: 4, activation: makeActivation("relu_power", 2) })]) {
      for (const loss of ["exponential", "logistic", "square"] as const) {
        const ds = dataset(3, 1, 15, 11, loss !== "square");
        const obj = makeObjective(arch, ds, loss);
        const L = obj.homogeneity!;
        expect(L).toBeGreaterThanOrEqual(2);
        const p = obj.dim;
        const r = lcg(8);
        const u = Float64Array.from({ length: p }, () => r());
        for (const s of [-0.7, 0, 1.3]) {
          const gs = new Float64Array(p);
          const scaled = obj.evaluateScaled!(u, s, gs);
          const theta = u.map((v) => Math.exp(s) * v);
          const g = new Float64Array(p);
          const direct = obj.evaluate(theta, g);
          expect(Math.abs(scaled.logLoss - direct.logLoss)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(direct.logLoss)));
          const want = g.map((v) => Math.exp(-(L - 1) * s) * v);
          expect(maxAbsDiff(gs, want)).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(want)));
        }
      }
    }
  });

  it("evaluateScaled keeps log ℒ exact when the scaled margins reach 1e3 (ℒ underflows)", () => {
    const arch = ARCHS[0];
    const ds = dataset(3, 1, 10, 2, true);
    const r = lcg(1);
    const u = Float64Array.from({ length: paramCount(arch) }, () => r());
    // labels = sign of the network's outputs: every margin is positive (a separating network)
    const F0 = lossAndGradient({ arch, theta: u }, ds, "exponential").outputs.data;
    ds.Y.data.set(F0.map((f) => (f >= 0 ? 1 : -1)));
    const obj = makeObjective(arch, ds, "exponential");
    const q = lossAndGradient({ arch, theta: u }, ds, "exponential").outputs.data.map((f, i) => f * ds.Y.data[i]);
    const s = 0.5 * Math.log(1000 / maxAbs(q)); // L = 2: margins e^{2s}·q reach 1000
    const g = new Float64Array(obj.dim);
    const v = obj.evaluateScaled!(u, s, g);
    const t = q.map((x) => -Math.exp(2 * s) * x);
    const M = Math.max(...t);
    const want = M + Math.log(t.reduce((a, x) => a + Math.exp(x - M), 0));
    expect(Math.abs(v.logLoss - want)).toBeLessThanOrEqual(1e-13 * Math.abs(want));
    expect(Math.abs(v.loss - Math.exp(want))).toBeLessThanOrEqual(1e-12 * Math.exp(want));
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it("non-homogeneous models have no evaluateScaled; bad inputs throw", () => {
    const ds = dataset(3, 2, 5, 1, true);
    const obj = makeObjective(ARCHS[1], ds, "logistic");
    expect(obj.homogeneity).toBeNull();
    expect(obj.evaluateScaled).toBeUndefined();
    expect(() => obj.evaluate(new Float64Array(3), null)).toThrow(/θ has 3 entries/);
    expect(() => obj.evaluate(new Float64Array(obj.dim), null, Int32Array.from([5]))).toThrow(/outside/);
    expect(() => makeObjective(ARCHS[0], ds, "logistic")).toThrow(/target columns/);
    const empty = obj.evaluate(new Float64Array(obj.dim), new Float64Array(obj.dim), new Int32Array(0));
    expect(empty.loss).toBe(0);
  });
});
