// Multi-start GD with certificates for vector outputs, on an instance whose optimum is known
// independently: Y = y qᵀ (‖q‖ = 1) has the scalar optimum F* of (y, β) (solveRelu, exact
// patterns), since the vector problem's optimum lifts the scalar one (and the dual bound proves it
// cannot be lower). Checked: weak duality on both sides of F*, gap ≥ 0, and that GD gets close.
import { describe, expect, it } from "vitest";
import {
  convexProblem, enumeratePatterns, solveRelu, solveVectorByRestarts, vectorProblem, withBias,
} from "../../src/convex/index.js";
import type { Matrix } from "../../src/linalg/index.js";
import { testRng } from "../helpers/random.js";

describe("solveVectorByRestarts", () => {
  it("brackets the known optimum of a rank-1 output and gets close to it", () => {
    const g = testRng(32);
    const X = withBias(g.randn(8, 2));
    const y = g.randnVec(8);
    const beta = 0.15;
    const patterns = enumeratePatterns(X);
    const Fstar = solveRelu(convexProblem(X, y, beta, "square", patterns), { tol: 1e-11 }).primalValue;
    const q = [0.6, -0.8];
    const Y: Matrix = { rows: 8, cols: 2, data: new Float64Array(16) };
    for (let k = 0; k < 8; k++) for (let o = 0; o < 2; o++) Y.data[k * 2 + o] = y[k] * q[o];
    const res = solveVectorByRestarts(vectorProblem(X, Y, beta, "square", patterns), { restarts: 3, steps: 20000 });
    expect(res.width).toBe(8 * 2 + 1);
    expect(res.runs.length).toBe(3);
    // Weak duality, checked against the scalar solver's optimum (accurate to 1e-11).
    expect(res.primalValue).toBeGreaterThanOrEqual(Fstar * (1 - 1e-10));
    expect(res.dualValue).toBeLessThanOrEqual(Fstar * (1 + 1e-10));
    expect(res.gap).toBeGreaterThanOrEqual(0);
    // GD with 2·10⁴ steps gets within 1% (kink chatter limits it; the certificate says by how much).
    expect((res.primalValue - Fstar) / Fstar).toBeLessThan(1e-2);
    expect(res.relativeGap).toBeGreaterThanOrEqual((res.primalValue - Fstar) / res.primalValue - 1e-12);
  });

  it("rejects a bad width", () => {
    const X = withBias({ rows: 3, cols: 1, data: Float64Array.from([0, 1, 2]) });
    const Y: Matrix = { rows: 3, cols: 2, data: new Float64Array(6).fill(1) };
    expect(() => solveVectorByRestarts(vectorProblem(X, Y, 0.1, "square", enumeratePatterns(X)), { width: 0 })).toThrow(RangeError);
  });
});
