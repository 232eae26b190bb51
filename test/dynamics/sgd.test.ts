import { describe, expect, it } from "vitest";
import { createBatchSchedule, gradientDescent, nextBatch, sgd } from "../../src/dynamics/index.js";
import { fork } from "../../src/random/index.js";
import { logistic, testVector } from "./objectives.js";

function batches(opts: Parameters<typeof createBatchSchedule>[0], count: number): number[][] {
  const s = createBatchSchedule(opts);
  const out: number[][] = [];
  for (let i = 0; i < count; i++) out.push(Array.from(nextBatch(s)));
  return out;
}

describe("seeded batch schedule", () => {
  it("without replacement every epoch is a permutation cut into batches (last one n mod B)", () => {
    const n = 10;
    const bs = batches({ samples: n, batchSize: 4, seed: 1 }, 9); // 3 epochs of 4 + 4 + 2
    expect(bs.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
    for (let e = 0; e < 3; e++) {
      const all = bs.slice(3 * e, 3 * e + 3).flat().sort((a, b) => a - b);
      expect(all).toEqual([...Array(n).keys()]);
    }
    // Epochs differ from each other.
    expect(bs.slice(0, 3).flat()).not.toEqual(bs.slice(3, 6).flat());
  });

  it("dropLast skips the partial batch", () => {
    const bs = batches({ samples: 10, batchSize: 4, seed: 1, dropLast: true }, 4);
    expect(bs.map((b) => b.length)).toEqual([4, 4, 4, 4]);
  });

  it("same seed → identical batches; different seed → different; an explicit rng works too", () => {
    const a = batches({ samples: 50, batchSize: 8, seed: 42 }, 30);
    const b = batches({ samples: 50, batchSize: 8, seed: 42 }, 30);
    const c = batches({ samples: 50, batchSize: 8, seed: 43 }, 30);
    const d = batches({ samples: 50, batchSize: 8, rng: fork(42, "batches") }, 30);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(d).toEqual(a);
  });

  it("with replacement: uniform draws in range, deterministic, repeats allowed", () => {
    const a = batches({ samples: 5, batchSize: 20, seed: 3, replacement: true }, 5);
    expect(a.every((b) => b.length === 20 && b.every((i) => i >= 0 && i < 5))).toBe(true);
    expect(batches({ samples: 5, batchSize: 20, seed: 3, replacement: true }, 5)).toEqual(a);
    const counts = new Array(5).fill(0);
    a.flat().forEach((i) => counts[i]++);
    expect(Math.min(...counts)).toBeGreaterThan(5); // 100 draws, expected 20 each
  });
});

describe("sgd", () => {
  // 12 separable points in the plane.
  const xs: number[][] = [];
  const ys: number[] = [];
  const v = testVector(24, 11);
  for (let k = 0; k < 12; k++) {
    const y = k % 2 === 0 ? 1 : -1;
    xs.push([y * (1 + Math.abs(v[2 * k])), y * 0.5 + v[2 * k + 1]]);
    ys.push(y);
  }
  const obj = logistic(xs, ys);
  const theta0 = new Float64Array([0.3, -0.1]);

  it("two runs with the same seed are bit-identical; a different seed gives a different path", () => {
    const opts = { lr: 0.2, batchSize: 3, stop: { maxSteps: 200 } };
    const a = sgd(obj, theta0, { ...opts, seed: 5 });
    const b = sgd(obj, theta0, { ...opts, seed: 5 });
    const c = sgd(obj, theta0, { ...opts, seed: 6 });
    expect(a.stop).toBe("maxSteps");
    expect(a.steps).toBe(200);
    expect(Array.from(b.theta)).toEqual(Array.from(a.theta));
    expect(b.batchLoss).toBe(a.batchLoss);
    expect(Math.hypot(c.theta[0] - a.theta[0], c.theta[1] - a.theta[1])).toBeGreaterThan(1e-6);
    expect(a.epochs).toBe(50);
    expect(a.t).toBeCloseTo(40, 12);
    // The loss went down.
    expect(a.logLoss).toBeLessThan(obj.evaluate(theta0, null).logLoss);
  });

  it("a full batch without replacement is plain GD, step for step", () => {
    const s = sgd(obj, theta0, { lr: 0.1, batchSize: 12, seed: 1, stop: { maxSteps: 50 } });
    const g = gradientDescent(obj, theta0, { lr: 0.1, stop: { maxSteps: 50 } });
    // Same gradient up to the summation order of the permuted batch.
    expect(Math.hypot(s.theta[0] - g.theta[0], s.theta[1] - g.theta[1])).toBeLessThan(1e-12);
  });

  it("records the full objective every evalEvery steps and at the end", () => {
    let calls = 0;
    const r = sgd(obj, theta0, {
      lr: 0.1, batchSize: 4, seed: 2, evalEvery: 10, stop: { maxSteps: 95 },
      onStep: () => void calls++,
    });
    expect(r.steps).toBe(95);
    // steps 0, 10, …, 90 and the final 95
    expect(calls).toBe(11);
    const check = obj.evaluate(r.theta, null);
    expect(r.logLoss).toBe(check.logLoss);
  });
});
