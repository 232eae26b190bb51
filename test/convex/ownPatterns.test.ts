// The restricted program of a network's own patterns: v_S ≥ F* (a sub-program of the exact one),
// v_S = F* for the patterns of an optimal network, v_S ≤ F(θ) for any network using only those
// patterns (its convex image is feasible there, and (NC)→(C) does not increase the objective),
// and the restricted optimum is a stationary point or a global optimum, never "neither".
import { describe, expect, it } from "vitest";
import {
  convexProblem, convexToNetwork, enumeratePatterns, nonconvexObjective, ownPatternOptimum, solveRelu, withBias, type ReluNetwork,
} from "../../src/convex/index.js";
import { testRng } from "../helpers/random.js";

const X = withBias({ rows: 7, cols: 1, data: Float64Array.from([-1, -0.6, -0.25, 0.1, 0.4, 0.75, 1]) });
const y = Float64Array.from([0.3, -0.4, 0.5, 0.9, -0.2, 0.6, 0.1]);
const problem = convexProblem(X, y, 0.03, "square", enumeratePatterns(X));
const opt = solveRelu(problem, { tol: 1e-12, maxIterations: 200000 });

describe("ownPatternOptimum", () => {
  it("an optimal network's patterns give back F*", () => {
    const net = convexToNetwork(opt.U, opt.V, 2, { mergeTol: 1e-7 });
    const own = ownPatternOptimum(problem, net);
    expect(Math.abs(own.value - opt.primalValue) / opt.primalValue).toBeLessThan(1e-10);
    expect(own.classification).toBe("global optimum");
  });

  it("random networks: F* ≤ v_S ≤ F(θ), never 'neither'", () => {
    const g = testRng(5);
    for (let trial = 0; trial < 6; trial++) {
      const m = 2 + trial;
      const net: ReluNetwork = { W: g.randnVec(2 * m), alpha: g.randnVec(m), m, D: 2 };
      const own = ownPatternOptimum(problem, net);
      const F = nonconvexObjective(net, X, y, problem.beta, "square").objective;
      expect(own.relativeGap).toBeLessThan(1e-10);
      expect(own.value).toBeGreaterThanOrEqual(opt.dualValue * (1 - 1e-12));
      expect(own.value).toBeLessThanOrEqual(F * (1 + 1e-12));
      expect(own.classification).not.toBe("neither");
    }
  });
});
