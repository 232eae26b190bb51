/**
 * No training loop reports progress (steps, time) while θ is unchanged (issue 15, item 9).
 *
 * The silent failure: with the exponential loss at margins ≈ 1200, ℒ = e^{−1200} is below the
 * float64 range, so ℒ and ∇ℒ underflow to 0 in linear scale; every method then left θ exactly
 * where it was and kept counting steps and time (the loss-based step to t ≈ 1e305 over 2·10⁵
 * steps), with no stall reported. Each loop must either move θ or stop with a named reason:
 * "stalled" with cause "underflow" here, "fixedPoint" at an exact stationary point or a fixed
 * point of the float64 iteration. The loss-based step in log space (∇log ℒ) keeps moving.
 *
 * The property is checked on the trajectory itself, through onStep: between two reported points
 * with different step counts or times, θ must differ.
 */
import { describe, expect, it } from "vitest";
import {
  gradientDescent, gradientFlow, lossBasedGradientDescent, sgd, type LoopOptions, type StopReason, type TrainResult,
} from "../../src/dynamics/index.js";
import { marginLogGradient } from "../../src/margin/index.js";
import { makeActivation, makeObjective, minMargin, twoLayerArchitecture } from "../../src/model/index.js";
import { testBlobs } from "../helpers/blobs.js";
import type { Objective } from "../../src/model/objective.js";

const data = testBlobs(24, 3);
const arch = twoLayerArchitecture({ d: 2, m: 2, activation: makeActivation("leaky_relu", 0.01) });
// f(x) = σ(x₁ − x₂) − σ(x₂ − x₁) = 1.01(x₁ − x₂): separates the blobs; scaled so that q_min = 1200.
const base = Float64Array.from([1, -1, -1, 1, 1, -1]);
const qBase = minMargin({ arch, theta: base }, data);
const theta0 = base.map((v) => v * Math.sqrt(1200 / qBase));
const objective = makeObjective(arch, data, "exponential");

interface Record_ { step: number; t: number; theta: Float64Array }

/** Loop options recording every reported point, and the check of the property on them. */
function recorder(): { opts: LoopOptions; check: () => number } {
  const seen: Record_[] = [];
  return {
    opts: { onStep: (p, th, s) => { seen.push({ step: p.step, t: p.t, theta: th.map((v) => v * Math.exp(s)) }); } },
    check: () => {
      for (let k = 1; k < seen.length; k++) {
        const a = seen[k - 1];
        const b = seen[k];
        if (b.step !== a.step || b.t !== a.t) expect(b.theta.some((v, i) => v !== a.theta[i])).toBe(true);
      }
      return seen.length;
    },
  };
}

function expectUnderflowStall(r: TrainResult): void {
  expect(r.stop).toBe("stalled");
  expect(r.stall?.cause).toBe("underflow");
  expect(r.reason).toContain("below the float64 range");
  expect(r.logLoss).toBeLessThan(-1100);
  // θ never moved: the reported end is the start.
  expect(Array.from(r.theta)).toEqual(Array.from(theta0));
  expect(r.steps).toBe(0);
}

describe("a loop whose step leaves θ unchanged stops and says why", () => {
  it("the data put ℒ below the float64 range (log ℒ ≈ −1200) and linear-scale ∇ℒ underflows to 0", () => {
    const g = new Float64Array(objective.dim);
    const v = objective.evaluate(theta0, g);
    expect(v.loss).toBe(0);
    expect(v.logLoss).toBeLessThan(-1100);
    expect(g.every((x) => x === 0)).toBe(true);
  });

  const cases: Array<[string, (opts: LoopOptions) => TrainResult]> = [
    ["GD", (o) => gradientDescent(objective, theta0, { ...o, lr: 0.1, stop: { maxSteps: 1000 } })],
    ["SGD (batch 8)", (o) => sgd(objective, theta0, { ...o, lr: 0.1, batchSize: 8, seed: 1, evalEvery: 1, stop: { maxSteps: 1000 } })],
    ["RK4", (o) => gradientFlow(objective, theta0, { ...o, method: "rk4", h: 0.1, stop: { maxTime: 100 } })],
    ["gradient flow (DOPRI5)", (o) => gradientFlow(objective, theta0, { ...o, stop: { maxTime: 100 } })],
    ["loss-based step, linear scale", (o) => lossBasedGradientDescent(objective, theta0, { ...o, stop: { maxSteps: 1000 } })],
  ];
  for (const [name, run] of cases) {
    it(`${name}: stalled (underflow) at the start instead of counting frozen steps`, () => {
      const rec = recorder();
      const r = run(rec.opts);
      expectUnderflowStall(r);
      rec.check();
    });
  }

  it("the loss-based step in log space keeps moving at the same margins (every step changes θ)", () => {
    const rec = recorder();
    const r = lossBasedGradientDescent(objective, theta0, {
      ...rec.opts, logGradient: marginLogGradient(arch, data, "exponential"), alpha0: 0.01, alphaMax: 0.01, stop: { maxSteps: 200 },
    });
    expect(r.stop).toBe("maxSteps");
    expect(r.steps).toBe(200);
    expect(rec.check()).toBe(201);
    expect(r.logLoss).toBeLessThan(-1200);
  });
});

/** ℒ = 1 + ½(θ − c)², ∇ℒ = θ − c (a minimum value of 1 keeps the loss-level rule out of the way). */
function shiftedQuadratic(c: number): Objective {
  return {
    dim: 1, samples: 1, homogeneity: null,
    evaluate: (th, g) => {
      const r = th[0] - c;
      if (g) g[0] = r;
      const loss = 1 + 0.5 * r * r;
      return { loss, logLoss: Math.log(loss) };
    },
  };
}

describe("fixed points of the float64 iteration end the run as 'fixedPoint'", () => {
  const half = shiftedQuadratic(0);
  it("GD with η = 1/2 halves θ exactly: 1074 steps from 1 to 2^−1074, where the update rounds to 0", () => {
    // θ_k = 2^−k is exact down to the smallest subnormal 2^−1074; its half, 2^−1075, is a tie
    // between 0 and 2^−1074 and rounds to the even 0, so θ − ηθ = θ: a fixed point of float64 GD.
    const rec = recorder();
    const r = gradientDescent(half, Float64Array.of(1), { ...rec.opts, lr: 0.5, stop: { maxSteps: 100_000 } });
    expect(r.stop satisfies StopReason).toBe("fixedPoint");
    expect(r.theta[0]).toBe(2 ** -1074);
    expect(r.steps).toBe(1074);
    expect(r.reason).toContain("below half an ulp");
    expect(r.loss).toBe(1);
    expect(rec.check()).toBe(1075);
  });

  it("GD, RK4 and DOPRI5 started at a stationary point (∇ℒ = 0 exactly) stop there", () => {
    for (const r of [
      gradientDescent(half, Float64Array.of(0), { lr: 0.1, stop: { maxSteps: 100 } }),
      gradientFlow(half, Float64Array.of(0), { method: "rk4", h: 0.1, stop: { maxTime: 10 } }),
      gradientFlow(half, Float64Array.of(0), { stop: { maxTime: 10 } }),
    ]) {
      expect(r.stop).toBe("fixedPoint");
      expect(r.reason).toContain("exact stationary point");
      expect(r.steps).toBe(0);
      expect(r.t).toBe(0);
    }
  });

  it("a step below half an ulp of θ is a fixed point too (not a stall): θ* = 1 reached to rounding", () => {
    // GD with η = 1/4 on ℒ = 1 + ½(θ − 1)² contracts θ − 1 by 3/4 per step until the update
    // (θ − 1)/4 falls to half an ulp of 1 (2^−53): then |θ − 1| ≤ 2^−51 and θ cannot move.
    const r = gradientDescent(shiftedQuadratic(1), Float64Array.of(3), { lr: 0.25, stop: { maxSteps: 100_000 } });
    expect(r.stop).toBe("fixedPoint");
    expect(Math.abs(r.theta[0] - 1)).toBeLessThanOrEqual(2 ** -51);
    expect(r.reason).toContain("below half an ulp");
    expect(r.steps).toBeLessThan(200);
  });
});
