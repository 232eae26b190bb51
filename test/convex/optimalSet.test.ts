// The optimal set (docs/science/convex.md §3 and §5, Theorem 1 and the width phase transition): optimal
// directions from ν* of an exact solve, de-duplicated across cone boundaries, the vertices of P*
// (irreducible solutions) and m*, M*. The 1-D check instance of docs/science/convex.md §5.2 (n = 6, 1-D + bias,
// β = 0.02) has no published data, so fixed data in that setting are used and relations are
// tested: every active direction attains the dual bound, no pattern exceeds it, every vertex
// support is linearly independent, m* ≤ M* ≤ n, β Σ c = ν*ᵀŷ* on P*, and every vertex's network
// reaches the convex optimum on the nonconvex objective to 1e-8 relative.
import { describe, expect, it } from "vitest";
import {
  convexProblem, enumeratePatterns, nonconvexObjective, optimalDirections, optimalSetVertices, solveRelu, vertexToNetwork, withBias,
  type ConvexProblem,
} from "../../src/convex/index.js";
import { independent } from "../../src/convex/landscape/optimalSet.js";
import { certifiedOptimalSet, eightPointProblem, sixPointProblem } from "../helpers/convex.js";
import { testRng } from "../helpers/random.js";

const INSTANCES: Array<[string, () => ConvexProblem]> = [
  ["n = 6, 1-D + bias, β = 0.02", sixPointProblem],
  ["n = 8, 1-D + bias, β = 0.02", eightPointProblem],
  ["n = 7, 2-D + bias, β = 0.1", () => {
    const g = testRng(71);
    const X = withBias(g.randn(7, 2));
    return convexProblem(X, g.randnVec(7), 0.1, "square", enumeratePatterns(X));
  }],
];

describe("optimal directions and the vertices of P*", () => {
  for (const [name, make] of INSTANCES) {
    it(name, () => {
      const pr = make();
      const n = pr.X.rows;
      const { sol, os } = certifiedOptimalSet(pr);
      // Dual feasibility of ν* and activity of every reported direction.
      expect(os.maxDualRatio).toBeLessThan(1 + 1e-8);
      expect(os.directions.length).toBeGreaterThan(0);
      for (const d of os.directions) {
        expect(d.dualRatio).toBeGreaterThanOrEqual(1 - os.activeTol);
        const norm = Math.hypot(...d.direction);
        expect(Math.abs(norm - 1)).toBeLessThan(1e-12);
        // The fit vector attains the bound: νᵀ f = β (⟨Π g, g⟩ = ‖Π g‖²).
        let dot = 0;
        for (let k = 0; k < n; k++) dot += os.nu[k] * d.fit[k];
        expect(Math.abs(dot / pr.beta - 1)).toBeLessThan(1e-5);
      }
      // De-duplicated: no two directions of one sign coincide.
      for (let a = 0; a < os.directions.length; a++) {
        for (let b = a + 1; b < os.directions.length; b++) {
          const A = os.directions[a];
          const B = os.directions[b];
          if (A.sign !== B.sign) continue;
          expect(Math.hypot(...A.direction.map((v, t) => v - B.direction[t]))).toBeGreaterThan(os.dedupTol);
        }
      }
      expect(os.activePairs).toBeGreaterThanOrEqual(os.directions.length);
      // Vertices.
      expect(os.reason).toBeNull();
      expect(os.vertices!.length).toBeGreaterThan(0);
      expect(os.mStar!).toBeLessThanOrEqual(os.MStar!);
      expect(os.MStar!).toBeLessThanOrEqual(n);
      const nuY = os.nu.reduce((s, v, k) => s + v * sol.prediction[k], 0);
      const keys = new Set<string>();
      for (const v of os.vertices!) {
        keys.add(v.support.join(","));
        expect(independent(v.support.map((k) => os.directions[k].fit), 1e-8)).toBe(true);
        for (const c of v.weights) expect(c).toBeGreaterThan(0);
        expect(Math.abs(pr.beta * v.weights.reduce((s, c) => s + c, 0) - nuY)).toBeLessThan(1e-8 * Math.max(1, nuY));
        const net = vertexToNetwork(os.directions, v);
        expect(net.m).toBe(v.support.length);
        const nc = nonconvexObjective(net, pr.X, pr.y, pr.beta, "square");
        expect(Math.abs(nc.objective - sol.primalValue)).toBeLessThan(1e-8 * sol.primalValue);
      }
      expect(keys.size).toBe(os.vertices!.length);
      expect(os.vertices![os.sparsest].support.length).toBe(os.mStar);
      // The solver's own network has at least m* neurons after merging duplicates.
      expect(sol.activeNeurons).toBeGreaterThanOrEqual(os.mStar!);
    });
  }

  it("the n = 6 instance: boundary directions are shared by adjacent patterns (pitfall 2)", () => {
    const pr = INSTANCES[0][1]();
    const sol = solveRelu(pr, { tol: 1e-12, maxIterations: 200000 });
    const dirs = optimalDirections(pr, sol.prediction);
    expect(dirs.activePairs).toBeGreaterThan(dirs.directions.length);
    expect(dirs.directions.some((d) => d.patterns.length > 1)).toBe(true);
    // Without de-duplication (dedupTol < 0) every active pair is its own direction.
    const raw = optimalDirections(pr, sol.prediction, { dedupTol: -1 });
    expect(raw.directions.length).toBe(dirs.activePairs);
  });

  it("refuses vertex enumeration above maxDirections, with a reason", () => {
    const pr = INSTANCES[0][1]();
    const sol = solveRelu(pr, { tol: 1e-12, maxIterations: 200000 });
    const dirs = optimalDirections(pr, sol.prediction);
    const s = optimalSetVertices(dirs.directions, sol.prediction, { maxDirections: 2 });
    expect(s.vertices).toBeNull();
    expect(s.mStar).toBeNull();
    expect(s.reason).toMatch(/active directions/);
    const t = optimalSetVertices(dirs.directions, sol.prediction, { maxSupports: 3 });
    expect(t.vertices).toBeNull();
    expect(t.reason).toMatch(/candidate supports/);
  });
});

describe("independent", () => {
  it("detects dependent and zero columns", () => {
    const a = Float64Array.from([1, 0, 1]);
    const b = Float64Array.from([0, 1, 1]);
    expect(independent([a, b], 1e-8)).toBe(true);
    expect(independent([a, b, Float64Array.from([2, -3, -1])], 1e-8)).toBe(false);
    expect(independent([a, new Float64Array(3)], 1e-8)).toBe(false);
  });
});
