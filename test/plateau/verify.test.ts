/**
 * Measurements at split points: the Lanczos path (large p) agrees with the dense spectrum on the
 * extreme eigenvalue, and the followed directions behave as their expansions say.
 */
import { describe, expect, it } from "vitest";
import { eigvalsh } from "../../src/linalg/index.js";
import { hessian } from "../../src/model/index.js";
import { analyzePlateau, descentAlongEigenvector, innerHessian, measureHessian, splitUnitCopyDivide } from "../../src/plateau/index.js";
import { designed } from "./cases.js";

describe("split-point measurements", () => {
  it("Lanczos extremes agree with the dense spectrum; inertia is then not claimed", () => {
    const c = designed("indefinite", "minimum", { seed: 7, inputBias: true });
    const wide = splitUnitCopyDivide(c.model, 0, [0.4, 0.6]);
    const dense = eigvalsh(hessian(wide, c.data, "square"));
    const m = measureHessian(wide, c.data, "square", { denseMax: 5 });
    expect(m.method).toBe("lanczos");
    expect(m.inertia).toBeNull();
    expect(Math.abs(m.minEigenvalue - dense[0])).toBeLessThan(1e-9 * Math.abs(dense[dense.length - 1]));
    // the analysis falls back to the sign of λ_min and still verifies the saddle by descent
    const a = analyzePlateau(c.model, c.data, "square", { unit: 0, lambdas: [[0.4, 0.6]], denseMax: 5 });
    expect(a.points[0].measuredInertia).toBeNull();
    expect(a.points[0].cls).toBe("strict saddle");
    expect(a.points[0].descent?.lowers).toBe(true);
    expect(a.ok).toBe(true);
  });

  it("following the most negative eigenvector lowers the loss by about ½μt²; a positive direction does not", () => {
    const c = designed("positive-definite", "minimum", { seed: 3 });
    const wide = splitUnitCopyDivide(c.model, 0, [1.3, -0.3]);
    const m = measureHessian(wide, c.data, "square");
    expect(m.minEigenvalue).toBeLessThan(-m.threshold);
    const dsc = descentAlongEigenvector(wide, c.data, "square", m.minEigenvector, m.minEigenvalue);
    expect(dsc.lowers).toBe(true);
    expect(Math.abs(dsc.evenPart / dsc.predicted - 1)).toBeLessThan(0.25);
    // at a minimum split point no direction has μ < 0: the scan finds nothing to follow
    const wmin = splitUnitCopyDivide(c.model, 0, [0.5, 0.5]);
    const mm = measureHessian(wmin, c.data, "square");
    const none = descentAlongEigenvector(wmin, c.data, "square", mm.minEigenvector, Math.max(mm.minEigenvalue, 0));
    expect(none.lowers).toBe(false);
  });

  it("the term scale of H_j bounds its spectrum: |ξᵀH_jξ| ≤ Σ|a_j r_i σ″|(ξᵀx̃_i)² ≤ termScale for unit ξ", () => {
    for (const target of ["positive-definite", "indefinite"] as const) {
      const c = designed(target, "minimum", { seed: 7, inputBias: true });
      const H = innerHessian(c.model, c.data, "square", 0);
      const top = Math.max(Math.abs(H.eigenvalues[0]), Math.abs(H.eigenvalues[H.eigenvalues.length - 1]));
      expect(top).toBeLessThanOrEqual(H.termScale * (1 + 1e-12));
      expect(H.inertia.threshold).toBe(1e-10 * H.termScale);
      expect(H.outputCurvature).toBeGreaterThan(0);
    }
  });
});
