// Minimum-norm interpolation (src/convex/landscape/minNorm.ts). References, each independent of the code:
//  * hand-solved instances with a hand-checked dual certificate (values 2/√1.25, 1, 2, and 2 with
//    skip), see the comments at each case;
//  * the returned dual point is checked feasible by brute force over 200 000 unit directions on
//    the circle (d = 2: no cone projection involved);
//  * SCS (scs-solver) on the equality-constrained SOCP built from the raw masks (below): the SCS
//    run reaches ~1e-8, so agreement is asserted to 1e-6 relative;
//  * β-continuation of solveRelu: S(β) = Σ(‖u‖ + ‖v‖) at the β-optimum and yᵀν_f/β (ν_f the
//    β-dual certificate point, so ν_f/β is feasible for the min-norm dual) both lie below the
//    minimum value V and tend to it as β → 0;
//  * HiGHS's row-dual sign convention on a hand-solved LP.
import type { Highs } from "highs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  convexProblem, enumeratePatterns, networkOutput, samplePatterns, solveRelu, withBias,
} from "../../src/convex/index.js";
import { loadHighs, minNormInterpolation, solveDenseLp, type MinNormSolution } from "../../src/convex/landscape/minNorm.js";
import type { Matrix } from "../../src/linalg/index.js";
import { lineData, networkSquaredNorm } from "../helpers/convex.js";
import { testRng } from "../helpers/random.js";
import { scsMinNormValue } from "./scsReference.js";

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

/** f(X) including the skip term. */
function fullOutput(sol: MinNormSolution, X: Matrix): Float64Array {
  const out = networkOutput(sol.network, X);
  if (sol.skip !== null) for (let k = 0; k < X.rows; k++) for (let t = 0; t < X.cols; t++) out[k] += X.data[k * X.cols + t] * sol.skip[t];
  return out;
}

/** Interpolation, the network norm = 2·value, and the certificate: checks shared by all cases. */
function checkSolution(sol: MinNormSolution, X: Matrix, y: Float64Array): void {
  const yn = Math.max(...Array.from(y, Math.abs), 1);
  const out = fullOutput(sol, X);
  // The polished point solves the KKT system to ~1e-13 (rounding of sums of ~10 terms of size ≤ 1e2).
  for (let k = 0; k < y.length; k++) expect(Math.abs(out[k] - y[k])).toBeLessThan(1e-9 * yn);
  expect(Math.abs(networkSquaredNorm(sol.network) - 2 * sol.value)).toBeLessThan(1e-12 * Math.max(1, sol.value));
  expect(sol.networkNorm).toBe(2 * sol.value);
  // Weak duality holds up to the residual of the primal point; the gap is at rounding level.
  expect(sol.gap).toBeGreaterThan(-1e-10 * sol.value);
  expect(sol.relativeGap).toBeLessThan(1e-9);
  expect(sol.converged).toBe(true);
}

/** max over 200 000 unit u on the circle of ±νᵀ(Xu)_+ (d = 2), no cone projection. */
function bruteDualRatio(X: Matrix, nu: Float64Array): number {
  let best = 0;
  const N = 200_000;
  for (let a = 0; a < N; a++) {
    const th = (2 * Math.PI * a) / N;
    const u0 = Math.cos(th);
    const u1 = Math.sin(th);
    let s = 0;
    for (let k = 0; k < X.rows; k++) s += nu[k] * Math.max(X.data[2 * k] * u0 + X.data[2 * k + 1] * u1, 0);
    best = Math.max(best, Math.abs(s));
  }
  return best;
}

describe("HiGHS conventions", () => {
  it("min x1 + x2 s.t. x1 + 2 x2 = 4, x ≥ 0: x = (0, 2), row dual 1/2 (cost − Aᵀy ≥ 0)", () => {
    const r = solveDenseLp(highs, {
      A: { rows: 1, cols: 2, data: Float64Array.from([1, 2]) }, cost: [1, 1], rowLower: [4], rowUpper: [4],
      colLower: [0, 0], colUpper: [Infinity, Infinity],
    });
    expect(r.optimal).toBe(true);
    expect(r.objective).toBeCloseTo(2, 12);
    expect(r.x[1]).toBeCloseTo(2, 12);
    expect(r.rowDual[0]).toBeCloseTo(0.5, 12);
    const inf = solveDenseLp(highs, {
      A: { rows: 1, cols: 1, data: Float64Array.from([1]) }, cost: [1], rowLower: [-1], rowUpper: [-1], colLower: [0], colUpper: [Infinity],
    });
    expect(inf.optimal).toBe(false);
    expect(Number.isNaN(inf.objective)).toBe(true);
  });
});

describe("hand-solved instances (1-D data with a bias column)", () => {
  it("one point x = 0.5, y = 2: V = y/‖(x, 1)‖ = 2/√1.25", () => {
    const X = lineData([0.5]);
    const y = Float64Array.from([2]);
    const sol = minNormInterpolation(highs, X, y, enumeratePatterns(X));
    expect(Math.abs(sol.value - 2 / Math.sqrt(1.25))).toBeLessThan(1e-14);
    checkSolution(sol, X, y);
  });

  it("x = (−1, 1), y = (1, 1): V = 1 (bias neuron; ν = (½, ½) is dual feasible with νᵀy = 1)", () => {
    const X = lineData([-1, 1]);
    const y = Float64Array.from([1, 1]);
    const sol = minNormInterpolation(highs, X, y, enumeratePatterns(X));
    expect(Math.abs(sol.value - 1)).toBeLessThan(1e-12);
    expect(sol.network.m).toBe(1);
    // The neuron is the bias direction (0, 1).
    expect(Math.abs(sol.network.W[0])).toBeLessThan(1e-6);
    checkSolution(sol, X, y);
    expect(bruteDualRatio(X, sol.nu)).toBeLessThan(1 + 1e-9);
  });

  it("x = (−1, 0, 1), y = (1, 0, 1): V = 2 ((x)_+ + (−x)_+; ν = (1, −1, 1) is dual feasible)", () => {
    const X = lineData([-1, 0, 1]);
    const y = Float64Array.from([1, 0, 1]);
    const sol = minNormInterpolation(highs, X, y, enumeratePatterns(X));
    expect(Math.abs(sol.value - 2)).toBeLessThan(1e-12);
    checkSolution(sol, X, y);
    expect(bruteDualRatio(X, sol.nu)).toBeLessThan(1 + 1e-9);
    expect(Math.abs(sol.dualValue - 2)).toBeLessThan(1e-12);
  });

  it("with skip, x = (−1, 0, 1), y = (0, 1, 0): V = 2 (f = 1 + x − 2(x)_+; ν = (−1, 2, −1), Xᵀν = 0)", () => {
    const X = lineData([-1, 0, 1]);
    const y = Float64Array.from([0, 1, 0]);
    const sol = minNormInterpolation(highs, X, y, enumeratePatterns(X), { skip: true });
    expect(Math.abs(sol.value - 2)).toBeLessThan(1e-12);
    checkSolution(sol, X, y);
    // Xᵀν = 0 for the certificate's ν.
    let s0 = 0;
    let s1 = 0;
    for (let k = 0; k < 3; k++) { s0 += X.data[2 * k] * sol.nu[k]; s1 += X.data[2 * k + 1] * sol.nu[k]; }
    expect(Math.abs(s0) + Math.abs(s1)).toBeLessThan(1e-12);
    expect(bruteDualRatio(X, sol.nu)).toBeLessThan(1 + 1e-9);
  });

  it("with skip, affine data y = 3x − 1: V = 0 (the skip fits it)", () => {
    const X = lineData([-1, -0.3, 0.4, 2]);
    const y = Float64Array.from([-1, -0.3, 0.4, 2], (x) => 3 * x - 1);
    const sol = minNormInterpolation(highs, X, y, enumeratePatterns(X), { skip: true });
    expect(sol.value).toBeLessThan(1e-12);
    expect(Math.abs(sol.skip![0] - 3)).toBeLessThan(1e-12);
    expect(Math.abs(sol.skip![1] + 1)).toBeLessThan(1e-12);
  });
});

describe("a non-point optimal face (the construction of convex/example-2)", () => {
  it("x = (−√3, −1, ½, 1, √3), y = 2x: the polish is accepted (gap at rounding level), V = 4 in closed form", () => {
    // Every f_s = s·x + (2 − s)·[((x+√3)/2)_+ − ((√3−x)/2)_+], s ∈ [0, 2], interpolates at cost Σt = 4;
    // the square KKT system is singular along that face, and Gauss–Newton's minimum-norm steps used
    // to leave the zero-weight ±(1, 0) columns at −2e-9, so the polish was rejected (gap 5e-10).
    const s3 = Math.sqrt(3);
    const xs = [-s3, -1, 0.5, 1, s3];
    const X = lineData(xs);
    const y = Float64Array.from(xs, (x) => 2 * x);
    const sol = minNormInterpolation(highs, X, y, enumeratePatterns(X));
    expect(sol.polished).toBe(true);
    expect(sol.relativeGap).toBeLessThan(1e-13);
    expect(Math.abs(sol.value - 4)).toBeLessThan(1e-13);
    checkSolution(sol, X, y);
    expect(bruteDualRatio(X, sol.nu)).toBeLessThan(1 + 1e-12);
  });
});

describe("a non-unique dual optimum (x = −2..2, y = (0, 1, 1, 1, 0), \"bump5\")", () => {
  it("the polish is accepted: V = 1 + 2√2 and the network 1 − (−x−1)_+ − (x−1)_+ in closed form, ν dual feasible by brute force", () => {
    // The unique interpolant of least norm is 1 − (−x−1)_+ − (x−1)_+: neurons (0, 1) with c = 1 and
    // σ = −1, (∓1, −1)/√2 with c = √2, V = 1 + 2√2. The dual optimum is not unique; Newton on the
    // LP's support fixed the primal exactly but left ν 2.7e-10 outside the dual feasible set (the
    // cones next to the kinks at ±1), the next round's weights leaked to ∓2e-10, and the polish was
    // rejected (gap 6e-10, uniqueness "undecided"). The primal of the first round is now certified
    // by the later round's ν. Tolerances: rounding of a 5-point Newton solve (1e-13); the
    // brute-force ratio is a lower bound of the true one, so ≤ 1 + 1e-12 checks feasibility.
    const X = lineData([-2, -1, 0, 1, 2]);
    const y = Float64Array.from([0, 1, 1, 1, 0]);
    const sol = minNormInterpolation(highs, X, y, enumeratePatterns(X));
    const V = 1 + 2 * Math.SQRT2;
    expect(sol.polished).toBe(true);
    expect(Math.abs(sol.value - V)).toBeLessThan(1e-13 * V);
    expect(Math.abs(sol.relativeGap)).toBeLessThan(1e-13);
    checkSolution(sol, X, y);
    expect(bruteDualRatio(X, sol.nu)).toBeLessThan(1 + 1e-12);
    const r = Math.SQRT1_2;
    const want = [[1, 0, 1, 1], [-1, -r, -r, Math.SQRT2], [-1, r, -r, Math.SQRT2]];
    expect(sol.active.length).toBe(3);
    for (const j of sol.active) {
      const col = sol.columns[j];
      const w = want.find((q) => q[0] === col.sign && Math.abs(q[1] - col.direction[0]) < 1e-6);
      expect(w).toBeDefined();
      expect(Math.abs(col.direction[1] - w![2])).toBeLessThan(1e-13);
      expect(Math.abs(col.direction[0] - w![1])).toBeLessThan(1e-13);
      expect(Math.abs(sol.weights[j] - w![3])).toBeLessThan(1e-13);
    }
  });
});

describe("minimum-norm value vs SCS (equality-constrained SOCP from the raw masks)", () => {
  const cases: [string, number, number, boolean, number][] = [
    ["n = 6, 1-D + bias", 6, 1, false, 1], ["n = 6, 1-D + bias, skip", 6, 1, true, 2],
    ["n = 7, 2-D + bias", 7, 2, false, 3],
  ];
  for (const [name, n, d, skip, seed] of cases) {
    it(name, async () => {
      const g = testRng(300 + seed);
      const X = withBias(g.randn(n, d));
      const y = g.randnVec(n);
      const patterns = enumeratePatterns(X);
      const sol = minNormInterpolation(highs, X, y, patterns, { skip });
      expect(sol.exact).toBe(true);
      expect(sol.polished).toBe(true);
      checkSolution(sol, X, y);
      const ref = await scsMinNormValue(X.data, X.rows, X.cols, y, patterns.masks, patterns.count, skip);
      expect(ref.status).toMatch(/solved/i);
      expect(Math.abs(ref.value - sol.value)).toBeLessThan(1e-6 * sol.value);
    });
  }
});

describe("β-continuation of the regularised ReLU program (solveRelu)", () => {
  it("S(β) = Σ(‖u‖ + ‖v‖) and yᵀν_f/β are ≤ V and tend to V (1-D + bias, n = 6)", () => {
    const X = lineData([-1, -0.55, -0.2, 0.15, 0.6, 1]);
    const y = Float64Array.from([0.3, -0.4, 0.5, 0.1, -0.2, 0.6]);
    const patterns = enumeratePatterns(X);
    const V = minNormInterpolation(highs, X, y, patterns).value;
    let prevS = 0;
    const errs: number[] = [];
    for (const beta of [1e-1, 1e-2, 1e-3, 1e-4]) {
      const pr = convexProblem(X, y, beta, "square", patterns);
      const sol = solveRelu(pr, { tol: 1e-12, maxIterations: 400000 });
      let S = 0;
      for (const M of [sol.U, sol.V]) for (let i = 0; i < M.length / 2; i++) S += Math.hypot(M[2 * i], M[2 * i + 1]);
      const lower = sol.dualValue;
      // ν_f = scale·ν is β-dual feasible: ν_f/β is feasible for the min-norm dual, so yᵀν_f/β ≤ V.
      let nuY = 0;
      for (let k = 0; k < y.length; k++) nuY += sol.scale * sol.nu[k] * y[k];
      expect(nuY / beta).toBeLessThan(V * (1 + 1e-9));
      // (C) at β is ≤ the min-norm point's value β·V, so S ≤ V; the penalised solution path has S non-increasing in β.
      expect(S).toBeLessThan(V * (1 + 1e-9));
      expect(S).toBeGreaterThanOrEqual(prevS * (1 - 1e-9));
      expect(lower).toBeLessThanOrEqual(sol.primalValue * (1 + 1e-12));
      prevS = S;
      errs.push((V - S) / V);
    }
    // Convergence: V − S(β) shrinks with β (measured (V − S)/V = 0.97, 0.22, 0.022, 0.0022: O(β)).
    expect(errs[3]).toBeLessThan(errs[0]);
    expect(errs[3]).toBeLessThan(1e-2);
  });
});

describe("input checks and the exactness flag", () => {
  it("rejects bad shapes, non-finite data and data that cannot be interpolated", () => {
    const X = lineData([0, 1, 2]);
    const P = enumeratePatterns(X);
    expect(() => minNormInterpolation(highs, X, Float64Array.from([1, 2]), P)).toThrow(RangeError);
    expect(() => minNormInterpolation(highs, X, Float64Array.from([1, NaN, 2]), P)).toThrow(RangeError);
    const Xd = lineData([0, 1, 1]);
    expect(() => minNormInterpolation(highs, Xd, Float64Array.from([0, 1, 2]), enumeratePatterns(Xd))).toThrow(/cannot be interpolated/);
  });

  it("sampled patterns: exact is false", () => {
    const g = testRng(5);
    const X = withBias(g.randn(6, 2));
    const sol = minNormInterpolation(highs, X, g.randnVec(6), samplePatterns(X, 200, 1));
    expect(sol.exact).toBe(false);
    expect(sol.residual).toBeLessThan(1e-9);
  });
});
