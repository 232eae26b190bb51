/**
 * Refinement to ‖∇L‖ ≤ 1e-12·scale (Levenberg–Marquardt on ∇L = 0): from a perturbed designed
 * minimum and saddle (known answer: it must return to θ*), and from a network trained by
 * gradient flow (dynamics/) on built-in noisy regression data (noise keeps the minimum at finite
 * weights; without it the flow drifts towards infinity and there is no stationary point to find).
 */
import { describe, expect, it } from "vitest";
import { makeBuiltin } from "../../src/data/index.js";
import { gradientFlow } from "../../src/dynamics/index.js";
import { nrm2 } from "../../src/linalg/index.js";
import { lossAndGradient, makeActivation, makeObjective, twoLayerArchitecture, type Model } from "../../src/model/index.js";
import { gradientScale, refineStationaryPoint } from "../../src/plateau/index.js";
import { designed } from "./cases.js";

function perturbed(model: Model, size: number): Model {
  return { arch: model.arch, theta: model.theta.map((x, i) => x + size * Math.sin(3.1 * i + 1)) };
}

describe("refineStationaryPoint", () => {
  for (const stationary of ["minimum", "saddle"] as const) {
    it(`returns to a designed ${stationary} from 1e-3 away, with ‖∇L‖ ≤ 1e-12·scale`, () => {
      const c = designed("positive-definite", stationary, { seed: 7, inputBias: true });
      const r = refineStationaryPoint(perturbed(c.model, 1e-3), c.data, "square");
      expect(r.converged).toBe(true);
      expect(r.gradientNorm).toBeLessThanOrEqual(1e-12 * r.scale);
      expect(r.scale).toBeCloseTo(gradientScale(r.model, c.data, "square"), 12);
      expect(r.initialGradientNorm).toBeGreaterThan(1e6 * r.gradientNorm);
      // θ* is a nondegenerate stationary point: the refinement lands on it (Newton's basin).
      let dist = 0;
      for (let i = 0; i < c.model.theta.length; i++) dist = Math.max(dist, Math.abs(r.model.theta[i] - c.model.theta[i]));
      expect(dist).toBeLessThan(1e-9);
      // the report's own history: accepted steps decrease ‖∇L‖ and end at the reported value
      const acc = r.steps.filter((s) => s.accepted);
      expect(acc.length).toBeGreaterThan(0);
      for (let i = 1; i < acc.length; i++) expect(acc[i].gradientNorm).toBeLessThan(acc[i - 1].gradientNorm);
      expect(acc[acc.length - 1].gradientNorm).toBe(r.gradientNorm);
      expect(nrm2(lossAndGradient(r.model, c.data, "square").gradient!)).toBe(r.gradientNorm);
    });
  }

  it("refines a network trained by gradient flow to 1e-12·scale", () => {
    const data = makeBuiltin("builtin:sin?n=80&seed=2&noise=0.3");
    const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh"), inputBias: true });
    const theta0 = Float64Array.from({ length: 3 * 2 + 3 + 3 }, (_, i) => 0.5 * Math.sin(2.3 * i + 0.4));
    const trained = gradientFlow(makeObjective(arch, data, "square"), theta0, { stop: { maxTime: 200 } });
    const r = refineStationaryPoint({ arch, theta: trained.theta }, data, "square");
    expect(r.converged).toBe(true);
    expect(r.gradientNorm).toBeLessThanOrEqual(1e-12 * r.scale);
    expect(r.initialGradientNorm).toBeGreaterThan(1e6 * r.gradientNorm);
    expect(r.iterations).toBeLessThan(20);
    expect(r.loss).toBeLessThanOrEqual(trained.loss * (1 + 1e-9));
  });

  it("says so when the tolerance is not reached", () => {
    const c = designed("positive-definite", "minimum", { seed: 3 });
    const r = refineStationaryPoint(perturbed(c.model, 1e-2), c.data, "square", { maxIterations: 1 });
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(false);
    expect(r.gradientNorm).toBeGreaterThan(r.tolerance);
  });
});
