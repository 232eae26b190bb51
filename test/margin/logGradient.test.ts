/**
 * The loss-based step in log space on a model: dynamics.lossBasedGradientDescent with
 * logGradient = margin.marginLogGradient (∇log ℒ from model.normalizedGradient), against the
 * same loop in linear scale while ℒ is representable, and past the point where the linear-scale
 * version stops moving (ℒ < 1e-308).
 *
 * Tolerance: the two compute ∇ℒ/ℒ in different orders (VJP of log-space weights vs ∇ℒ divided
 * by ℒ), so each step differs by a few ulps; over 30 steps with no rejection the iterates
 * agree to 1e-12 relative.
 */
import { describe, expect, it } from "vitest";
import { lossBasedGradientDescent } from "../../src/dynamics/index.js";
import { kktCertificate, logLossSharpness, marginLogGradient } from "../../src/margin/index.js";
import { makeActivation, makeObjective, twoLayerArchitecture, type Architecture, type ModelData } from "../../src/model/index.js";
import { testBlobs } from "../helpers/blobs.js";
import { testRng } from "../helpers/random.js";

function logSpaceRun(arch: Architecture, data: ModelData, theta0: Float64Array, maxNorm: number, alphaNormRef?: number) {
  return lossBasedGradientDescent(makeObjective(arch, data, "exponential"), theta0, {
    alpha0: 0.02, alphaMax: 0.02, alphaNormRef, logGradient: marginLogGradient(arch, data, "exponential"),
    stop: { normAbove: maxNorm, maxSteps: 100_000 },
  });
}

describe("loss-based step with marginLogGradient", () => {
  const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") });
  const data = testBlobs(30, 2);
  const theta0 = testRng(4).randnVec(9).map((v) => 0.5 * v);

  it("follows the linear-scale loop step for step while ℒ is representable", () => {
    const steps = 30;
    const opts = { alpha0: 0.02, alphaMax: 0.02, stop: { maxSteps: steps } };
    const a = lossBasedGradientDescent(makeObjective(arch, data, "exponential"), theta0, { ...opts, logGradient: marginLogGradient(arch, data, "exponential") });
    const b = lossBasedGradientDescent(makeObjective(arch, data, "exponential"), theta0, opts);
    expect(a.steps).toBe(steps);
    let d = 0;
    let s = 0;
    for (let i = 0; i < 9; i++) {
      d += (a.theta[i] - b.theta[i]) ** 2;
      s += b.theta[i] ** 2;
    }
    expect(Math.sqrt(d / s)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(a.logLoss - b.logLoss)).toBeLessThanOrEqual(1e-12 * Math.abs(b.logLoss));
  });

  it("keeps moving where ℒ underflows, stops at the norm, and the certificate handles margins beyond float64", () => {
    const far = logSpaceRun(arch, data, theta0, 100, 10);
    expect(far.stop).toBe("norm");
    expect(far.logLoss).toBeLessThan(-745); // ℒ itself has underflowed, the iteration still moved
    expect(far.loss).toBe(0);
    const r = logSpaceRun(arch, data, theta0, 10);
    expect(r.stop).toBe("norm");
    const c = kktCertificate({ arch, theta: r.theta }, data);
    expect(c.status).toBe("ok");
    // further along the direction improves the certificate
    const cFar = kktCertificate({ arch, theta: far.theta }, data);
    expect(cFar.epsilonRelative!).toBeLessThan(c.epsilonRelative!);
    // the same direction at a norm whose margins overflow float64 (q ~ 1e400·‖θ‖² scale)
    const huge = kktCertificate({ arch, theta: r.theta.map((v) => v * 1e200) }, data);
    expect(huge.status).toBe("ok");
    expect(huge.qmin).toBe(Infinity);
    expect(Math.abs(huge.epsilonRelative! - c.epsilonRelative!)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(huge.normalizedMargin - c.normalizedMargin)).toBeLessThanOrEqual(1e-12 * c.normalizedMargin);
  });
});

describe("logLossSharpness", () => {
  it("power iteration on difference quotients finds the top eigenvalue of a known Hessian", () => {
    // a 'log-loss' whose gradient is Aθ (A symmetric, eigenvalues 3, 1, −0.5): H = A
    const A = [[2, 1, 0], [1, 2, 0], [0, 0, -0.5]];
    const lg = (th: Float64Array, out: Float64Array) => {
      for (let i = 0; i < 3; i++) out[i] = A[i][0] * th[0] + A[i][1] * th[1] + A[i][2] * th[2];
      return { loss: 1, logLoss: 0 };
    };
    expect(logLossSharpness(lg, new Float64Array([1, -2, 0.5]), { homogeneity: 1 })).toBeCloseTo(3, 8);
  });

  it("on a ReLU net along a loss-based run λ_max(∇²log ℒ)/‖θ‖² stays put while ‖θ‖ grows 10×", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") });
    const data = testBlobs(30, 2);
    const theta0 = testRng(4).randnVec(9).map((v) => 0.5 * v);
    const lg = marginLogGradient(arch, data, "exponential");
    const scaled = (maxNorm: number) => {
      const r = logSpaceRun(arch, data, theta0, maxNorm, 10);
      const n = Math.exp(r.logNorm);
      return logLossSharpness(lg, r.theta, { homogeneity: 2 }) / (n * n);
    };
    const a = scaled(10);
    const b = scaled(100);
    expect(a).toBeGreaterThan(0);
    expect(Math.abs(b - a)).toBeLessThan(0.05 * a);
  });
});
