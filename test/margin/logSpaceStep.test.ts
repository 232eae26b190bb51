/**
 * The log-space loss-based step against dynamics.lossBasedGradientDescent (the same rule in
 * linear scale) while ℒ is representable, and past the point where the linear-scale version
 * stops moving (ℒ < 1e-308).
 *
 * Tolerance: the two compute ∇ℒ/ℒ in different orders (VJP of log-space weights vs ∇ℒ divided
 * by ℒ), so each step differs by a few ulps; over 30 steps with no rejection the iterates
 * agree to 1e-12 relative.
 */
import { describe, expect, it } from "vitest";
import { lossBasedGradientDescent } from "../../src/dynamics/index.js";
import { kktCertificate, logSpaceLossBasedDescent } from "../../src/margin/index.js";
import { makeActivation, makeObjective, twoLayerArchitecture, type ModelData } from "../../src/model/index.js";
import { testRng } from "../helpers/random.js";

function blobs(n: number, seed: number): ModelData {
  const g = testRng(seed);
  const X = new Float64Array(2 * n);
  const Y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % 2 === 0 ? 1 : -1;
    X[2 * i] = 2 * y + 0.8 * g.normal();
    X[2 * i + 1] = -2 * y + 0.8 * g.normal();
    Y[i] = y;
  }
  return { X: { rows: n, cols: 2, data: X }, Y: { rows: n, cols: 1, data: Y } };
}

describe("logSpaceLossBasedDescent", () => {
  const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") });
  const data = blobs(30, 2);
  const theta0 = testRng(4).randnVec(9).map((v) => 0.5 * v);

  it("follows dynamics.lossBasedGradientDescent step for step while ℒ is representable", () => {
    const steps = 30;
    const a = logSpaceLossBasedDescent({ arch, theta: theta0 }, data, "exponential", { steps, alpha0: 0.02, alphaMax: 0.02 });
    const b = lossBasedGradientDescent(makeObjective(arch, data, "exponential"), theta0, { alpha0: 0.02, alphaMax: 0.02, stop: { maxSteps: steps } });
    expect(a.steps).toBe(steps);
    let d = 0;
    let s = 0;
    for (let i = 0; i < 9; i++) {
      d += (a.theta[i] - b.theta[i]) ** 2;
      s += b.theta[i] ** 2;
    }
    expect(Math.sqrt(d / s)).toBeLessThanOrEqual(1e-12);
  });

  it("keeps moving where ℒ underflows, stops at maxNorm, and the certificate handles margins beyond float64", () => {
    const far = logSpaceLossBasedDescent({ arch, theta: theta0 }, data, "exponential", { steps: 100_000, alpha0: 0.02, alphaMax: 0.02, maxNorm: 100 });
    expect(far.stop).toBe("norm");
    expect(far.logLoss).toBeLessThan(-745); // ℒ itself has underflowed, the iteration still moved
    const r = logSpaceLossBasedDescent({ arch, theta: theta0 }, data, "exponential", { steps: 100_000, alpha0: 0.02, alphaMax: 0.02, maxNorm: 10 });
    expect(r.stop).toBe("norm");
    const c = kktCertificate({ arch, theta: r.theta }, data);
    expect(c.status).toBe("ok");
    // the same direction at a norm whose margins overflow float64 (q ~ 1e300·‖θ‖² scale)
    const huge = kktCertificate({ arch, theta: r.theta.map((v) => v * 1e200) }, data);
    expect(huge.status).toBe("ok");
    expect(huge.qmin).toBe(Infinity);
    expect(Math.abs(huge.epsilonRelative! - c.epsilonRelative!)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(huge.normalizedMargin - c.normalizedMargin)).toBeLessThanOrEqual(1e-12 * c.normalizedMargin);
  });
});
