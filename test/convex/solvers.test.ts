// Solvers of the convex programs. References, each independent of src/convex:
//  * closed form: X = [1; −1] (d = 1, no bias), the program separates per point and the optimum
//    is Σ_k h(y_k), h(t) = t²/2 if |t| ≤ β else β|t| − β²/2 (soft thresholding);
//  * SCS (scs-solver, conic form built from the raw masks, eps 1e-10) on exact small instances:
//    agreement 1e-7 relative (SCS's own accuracy on these is ~1e-9);
//  * weak duality: every reported gap is ≥ −1e-12·primal (rounding), and ≤ tol at convergence;
//  * the gated program relaxes the ReLU program: its optimum is ≤ the ReLU optimum.
import { describe, expect, it } from "vitest";
import {
  convexProblem, dualCertificate, enumeratePatterns, patternsFromGates, solveGatedRelu, solveRelu, withBias,
  type ConvexLossName,
} from "../../src/convex/index.js";
import { testRng } from "../helpers/random.js";
import { scsReluValue } from "./scsReference.js";

function huber(t: number, beta: number): number {
  return Math.abs(t) <= beta ? 0.5 * t * t : beta * Math.abs(t) - 0.5 * beta * beta;
}

describe("closed-form instance (d = 1, X = [1; −1])", () => {
  const X = { rows: 2, cols: 1, data: Float64Array.from([1, -1]) };
  const patterns = enumeratePatterns(X);
  for (const [y1, y2, beta] of [[2, -1.5, 0.5], [0.3, 0.2, 1], [-3, 4, 0.1]]) {
    it(`y = (${y1}, ${y2}), β = ${beta}`, () => {
      const y = Float64Array.from([y1, y2]);
      const pr = convexProblem(X, y, beta, "square", patterns);
      const want = huber(y1, beta) + huber(y2, beta);
      const relu = solveRelu(pr, { tol: 1e-10 });
      const gated = solveGatedRelu(pr, { tol: 1e-10 });
      expect(relu.converged).toBe(true);
      expect(Math.abs(relu.primalValue - want)).toBeLessThan(1e-9 * Math.max(1, want));
      expect(Math.abs(gated.primalValue - want)).toBeLessThan(1e-9 * Math.max(1, want));
    });
  }
});

describe("ReLU program vs SCS on exact small instances", () => {
  const cases: [number, number, number, number][] = [[6, 1, 0.02, 1], [8, 2, 0.3, 2], [10, 2, 0.1, 4]];
  for (const [n, d, beta, seed] of cases) {
    it(`n = ${n}, d = ${d} + bias, β = ${beta}`, async () => {
      const g = testRng(100 + seed);
      const X = withBias(g.randn(n, d));
      const y = g.randnVec(n);
      const patterns = enumeratePatterns(X);
      const pr = convexProblem(X, y, beta, "square", patterns);
      const sol = solveRelu(pr, { tol: 1e-8, maxIterations: 100000 });
      expect(sol.converged).toBe(true);
      expect(sol.relativeGap).toBeLessThanOrEqual(1e-8);
      expect(sol.gap).toBeGreaterThanOrEqual(-1e-12 * sol.primalValue);
      expect(sol.infeasibility).toBeLessThan(1e-12);
      const ref = await scsReluValue(X.data, n, X.cols, y, beta, patterns.masks, patterns.count, true);
      expect(Math.abs(sol.primalValue - ref.value)).toBeLessThan(1e-7 * sol.primalValue);
      // Independent re-certification of the returned point with exact projections everywhere.
      const cert = dualCertificate(pr, sol, { exactAbove: 0 });
      expect(cert.relativeGap).toBeLessThanOrEqual(1e-8);
      expect(Math.abs(cert.primalValue - sol.primalValue)).toBeLessThan(1e-12 * sol.primalValue);
      // Gated relaxation.
      const gated = solveGatedRelu(pr, { tol: 1e-9 });
      const refG = await scsReluValue(X.data, n, X.cols, y, beta, patterns.masks, patterns.count, false);
      expect(Math.abs(gated.primalValue - refG.value)).toBeLessThan(1e-7 * Math.max(gated.primalValue, 1e-3));
      expect(gated.primalValue).toBeLessThanOrEqual(sol.primalValue * (1 + 1e-9));
    });
  }
});

describe("column generation over atoms vs R-FISTA", () => {
  // Two independent solvers of the same program (sampled patterns, n = 80, d = 5): equal optimal
  // values to the sum of their certified gaps, and each point re-certified with exact projections.
  it("reach the same certified optimum", () => {
    const g = testRng(131);
    const X = withBias(g.randn(80, 4));
    const y = g.randnVec(80);
    const pr = convexProblem(X, y, 0.5, "square", patternsFromGates(X, g.randn(30, 5)));
    const atoms = solveRelu(pr, { tol: 1e-9, method: "atoms" });
    const fista = solveRelu(pr, { tol: 1e-9, method: "fista", maxIterations: 200000 });
    expect(atoms.method).toBe("atoms");
    expect(fista.method).toBe("fista");
    expect(atoms.converged).toBe(true);
    expect(fista.converged).toBe(true);
    expect(Math.abs(atoms.primalValue - fista.primalValue)).toBeLessThanOrEqual(atoms.gap + fista.gap + 1e-12 * atoms.primalValue);
    for (const sol of [atoms, fista]) {
      const cert = dualCertificate(pr, sol, { exactAbove: 0 });
      expect(cert.relativeGap).toBeLessThanOrEqual(1e-9);
      expect(sol.infeasibility).toBeLessThan(1e-12);
    }
  });
});

describe("duality gap", () => {
  it("is ≥ 0 at every stage and shrinks to tol", () => {
    const g = testRng(7);
    const X = withBias(g.randn(12, 2));
    const y = g.randnVec(12);
    const pr = convexProblem(X, y, 0.2, "square", enumeratePatterns(X));
    let prev = Infinity;
    for (const maxIterations of [1, 10, 50, 200, 100000]) {
      const sol = solveRelu(pr, { tol: 1e-9, maxIterations });
      expect(sol.gap).toBeGreaterThanOrEqual(-1e-12 * sol.primalValue);
      expect(sol.dualValue).toBeLessThanOrEqual(sol.primalValue + 1e-12 * sol.primalValue);
      expect(sol.relativeGap).toBeLessThanOrEqual(prev * 1.5 + 1e-12);
      prev = sol.relativeGap;
    }
    expect(prev).toBeLessThanOrEqual(1e-9);
  });

  it("logistic loss: converges with ν* = −∇L(ŷ*) (gap ≤ 1e-8, labels ±1)", () => {
    const g = testRng(8);
    const X = withBias(g.randn(10, 2));
    const y = Float64Array.from(g.randnVec(10), (v) => (v > 0 ? 1 : -1));
    for (const loss of ["logistic"] as ConvexLossName[]) {
      const pr = convexProblem(X, y, 0.1, loss, enumeratePatterns(X));
      const sol = solveRelu(pr, { tol: 1e-8 });
      expect(sol.converged).toBe(true);
      expect(sol.gap).toBeGreaterThanOrEqual(-1e-12 * sol.primalValue);
      const gated = solveGatedRelu(pr, { tol: 1e-8 });
      expect(gated.converged).toBe(true);
      expect(gated.primalValue).toBeLessThanOrEqual(sol.primalValue * (1 + 1e-7));
      // ν_k y_k = σ(−y_k ŷ_k) ∈ (0, 1).
      for (let k = 0; k < 10; k++) expect(sol.nu[k] * y[k]).toBeGreaterThan(0);
    }
  });

  it("gated ReLU with given gates (sampled problem): converged certificate", () => {
    const g = testRng(9);
    const X = g.randn(40, 5);
    const y = g.randnVec(40);
    const gates = g.randn(30, 5);
    const pr = convexProblem(X, y, 1, "square", patternsFromGates(X, gates));
    const sol = solveGatedRelu(pr, { tol: 1e-8 });
    expect(sol.converged).toBe(true);
    expect(sol.gap).toBeGreaterThanOrEqual(-1e-12 * sol.primalValue);
    const relu = solveRelu(pr, { tol: 1e-6 });
    expect(relu.converged).toBe(true);
    expect(relu.exact).toBe(false);
  });
});
