// The zero optimum (issue 15, item 4): for β ≥ β₀ = s(ν₀), ν₀ = −∇L(0), the zero network is the
// global optimum with F* = L(0) (zeroOptimum.ts). Checked against independent pieces: β₀ as the
// maximum over all patterns of the exact NNLS cone projection ‖Π_K(±Xᵀ D y)‖ (the note's formula,
// projectOntoConeNnls), the solver's optimum just below and above β₀, and the structure of the
// optimal set at the zero optimum (m* = M* = 0, the staircase of a single point, a unique face).
import { describe, expect, it } from "vitest";
import {
  connectivityStaircase, convexProblem, enumeratePatterns, loadHighs, optimalSet, patternMask, solveRelu, uniquenessAtBeta,
  vertexToNetwork, zeroOptimum, nonconvexObjective, withBias,
} from "../../src/convex/index.js";
import { projectOntoConeNnls } from "../../src/convex/program/cone.js";
import { testRng } from "../helpers/random.js";

function instance(seed: number, loss: "square" | "logistic") {
  const g = testRng(seed);
  const X = withBias(g.randn(7, 2));
  const y = loss === "square" ? g.randnVec(7) : Float64Array.from(g.randnVec(7), (v) => (v >= 0 ? 1 : -1));
  return { X, y, patterns: enumeratePatterns(X) };
}

/** β₀ by the note's formula: max over patterns and signs of ‖Π_{K_i}(±Xᵀ D_i ν₀)‖ by one NNLS each. */
function betaZeroByNnls(X: { rows: number; cols: number; data: Float64Array }, nu0: Float64Array, patterns: ReturnType<typeof enumeratePatterns>): number {
  const { rows: n, cols: d, data } = X;
  let s = 0;
  for (let i = 0; i < patterns.count; i++) {
    const mask = patternMask(patterns, i);
    const g = new Float64Array(d);
    for (let k = 0; k < n; k++) if (mask[k]) for (let t = 0; t < d; t++) g[t] += nu0[k] * data[k * d + t];
    for (const sg of [1, -1]) s = Math.max(s, projectOntoConeNnls(data, n, d, mask, g.map((v) => sg * v)).norm);
  }
  return s;
}

describe("zeroOptimum", () => {
  for (const loss of ["square", "logistic"] as const) {
    it(`${loss}: β₀ = the NNLS formula; below β₀ a neuron pays, at and above it the zero network is certified with F* = L(0)`, () => {
      const { X, y, patterns } = instance(loss === "square" ? 5 : 6, loss);
      const nu0 = loss === "square" ? y : y.map((v) => v / 2);
      const ref = betaZeroByNnls(X, nu0, patterns);
      const z = zeroOptimum(convexProblem(X, y, 1, loss, patterns));
      // Two computations of the same projections (active set vs one NNLS): agree to rounding.
      expect(Math.abs(z.betaZero - ref)).toBeLessThanOrEqual(1e-12 * ref);
      const L0 = loss === "square" ? 0.5 * y.reduce((a, v) => a + v * v, 0) : 7 * Math.LN2;
      expect(Math.abs(z.value - L0)).toBeLessThanOrEqual(1e-15 * L0);
      const above = zeroOptimum(convexProblem(X, y, 1.001 * ref, loss, patterns));
      expect(above.zeroOptimal).toBe(true);
      expect(Math.abs(above.certificate.gap)).toBeLessThanOrEqual(4e-16 * L0);
      const below = convexProblem(X, y, 0.95 * ref, loss, patterns);
      expect(zeroOptimum(below).zeroOptimal).toBe(false);
      const sol = solveRelu(below, { tol: 1e-10 });
      expect(sol.activeNeurons).toBeGreaterThan(0);
      expect(sol.primalValue).toBeLessThan(L0 * (1 - 1e-6));
      const at = solveRelu(convexProblem(X, y, 1.001 * ref, loss, patterns), { tol: 1e-10 });
      expect(at.activeNeurons).toBe(0);
      expect(Math.abs(at.primalValue - L0)).toBeLessThanOrEqual(1e-14 * L0);
    });
  }

  it("the optimal set at the zero optimum: no directions, one vertex {0}, m* = M* = 0, a single point at every width, unique", async () => {
    const { X, y, patterns } = instance(5, "square");
    const problem = convexProblem(X, y, 100, "square", patterns);
    const sol = solveRelu(problem, { tol: 1e-12 });
    expect(Array.from(sol.prediction).every((v) => v === 0)).toBe(true);
    const os = optimalSet(problem, sol.prediction);
    expect(os.directions).toHaveLength(0);
    expect([os.mStar, os.MStar, os.vertices?.length]).toEqual([0, 0, 1]);
    const net = vertexToNetwork(os.directions, os.vertices![0], X.cols);
    expect([net.m, net.D]).toEqual([0, X.cols]);
    expect(nonconvexObjective(net, X, y, 100, "square").objective).toBe(sol.primalValue);
    expect(() => vertexToNetwork(os.directions, os.vertices![0])).toThrow(/inputDim/);
    const st = connectivityStaircase(problem, os, sol.primalValue);
    expect([st.mStar, st.MStar, st.connectedFrom]).toEqual([0, 0, 0]);
    expect(st.rows.map((r) => r.claim)).toEqual([
      "finitely many optimal networks up to permutation", "a singleton connected component", "the optimal set is connected",
      "the optimal set is the single point θ = 0 at every width m ≥ 1",
    ]);
    for (const r of st.rows) expect(r.holds).toBe(true);
    const u = uniquenessAtBeta(await loadHighs(), problem, sol.prediction);
    expect(u.unique).toBe(true);
  });
});
