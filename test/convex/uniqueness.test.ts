// Uniqueness of the optimal face (src/convex/landscape/uniqueness.ts). References, each independent of the
// LP ranges:
//  * hand-made faces whose coordinate ranges are solved by hand;
//  * vertex enumeration of the face by supports + NNLS (optimalSetVertices, no LP): the face is
//    a point iff it has exactly one vertex (no-skip faces; Σ c is fixed on them automatically);
//  * for a non-unique verdict, the two witness points are turned into networks and checked
//    directly: both interpolate (networkOutput), both have the same norm Σ(‖w‖² + α²) (summed
//    here) equal to the optimum, they differ, and so does their midpoint (a continuum);
//  * function uniqueness with a free skip is checked on a dense grid by evaluating the two
//    witness networks (plus skip) directly.
// Tolerance: unique iff every range ≤ 1e-6·scale (default; see uniqueness.ts). Measured
// separations on these instances: unique faces ≤ 2e-9·scale, non-unique ≥ 0.1·scale.
import type { Highs } from "highs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  convexProblem, enumeratePatterns, networkOutput, nonconvexObjective, optimalSetVertices, solveRelu, vertexToNetwork, withBias,
  type OptimalDirection, type ReluNetwork,
} from "../../src/convex/index.js";
import { loadHighs, minNormInterpolation } from "../../src/convex/landscape/minNorm.js";
import { faceUniqueness, lineTestPoints, minNormUniqueness, uniquenessAtBeta, type FacePoint } from "../../src/convex/landscape/uniqueness.js";
import type { Matrix } from "../../src/linalg/index.js";
import { lineData, networkSquaredNorm } from "../helpers/convex.js";
import { testRng } from "../helpers/random.js";

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

function toNetwork(directions: readonly OptimalDirection[], p: FacePoint): ReluNetwork {
  const support: number[] = [];
  const w: number[] = [];
  p.weights.forEach((c, k) => { if (c > 0) { support.push(k); w.push(c); } });
  return vertexToNetwork(directions, { support, weights: Float64Array.from(w), residual: 0 });
}

function output(net: ReluNetwork, X: Matrix, skip: Float64Array | null): Float64Array {
  const out = networkOutput(net, X);
  if (skip !== null) for (let k = 0; k < X.rows; k++) for (let t = 0; t < X.cols; t++) out[k] += X.data[k * X.cols + t] * skip[t];
  return out;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

/** Two witnesses: both interpolate y with norm 2·value, they differ, and so does their midpoint. */
function checkContinuum(directions: readonly OptimalDirection[], low: FacePoint, high: FacePoint, X: Matrix, y: Float64Array, value: number): void {
  const mid: FacePoint = {
    weights: low.weights.map((c, k) => 0.5 * (c + high.weights[k])),
    skip: low.skip === null ? null : low.skip.map((s, t) => 0.5 * (s + high.skip![t])),
  };
  const yScale = Math.max(1, ...Array.from(y, Math.abs));
  for (const p of [low, high, mid]) {
    const net = toNetwork(directions, p);
    // LP points are feasible to the HiGHS tolerance 1e-10 (relative to the data scale).
    expect(maxAbsDiff(output(net, X, p.skip), y)).toBeLessThan(1e-7 * yScale);
    expect(Math.abs(networkSquaredNorm(net) - 2 * value)).toBeLessThan(1e-7 * value);
  }
  expect(maxAbsDiff(low.weights, high.weights)).toBeGreaterThan(1e-2 * value);
}

describe("hand-made faces", () => {
  const dirs = (k: number) => Array.from({ length: k }, () => ({ sign: 1 as const, direction: Float64Array.from([1]) }));
  it("f = (1,0), (0,1), (½,½), t = (1,1), T = 2: c₃ ∈ [0, 2], c₁, c₂ ∈ [0, 1] (non-unique)", () => {
    const fits = [[1, 0], [0, 1], [0.5, 0.5]].map((f) => Float64Array.from(f));
    const r = faceUniqueness(highs, { fits, target: Float64Array.from([1, 1]), total: 2, skipX: null, directions: dirs(3) });
    expect(r.unique).toBe(false);
    const want = [[0, 1], [0, 1], [0, 2]];
    r.weights.forEach((w, k) => {
      expect(Math.abs(w.min - want[k][0])).toBeLessThan(1e-9);
      expect(Math.abs(w.max - want[k][1])).toBeLessThan(1e-9);
    });
    expect(r.witnesses!.coordinate).toBe(2);
  });

  it("f = (1,0), (0,1), (1,1), t = (1,1), T = 1.5: the point c = (½, ½, ½)", () => {
    const fits = [[1, 0], [0, 1], [1, 1]].map((f) => Float64Array.from(f));
    const r = faceUniqueness(highs, { fits, target: Float64Array.from([1, 1]), total: 1.5, skipX: null, directions: dirs(3) });
    expect(r.unique).toBe(true);
    for (const w of r.weights) expect(Math.abs(w.min - 0.5) + Math.abs(w.max - 0.5)).toBeLessThan(1e-9);
  });

  it("skip column (1,1), f = (1,0), (0,1), t = (1,1), T = 1: c = (½, ½), s = ½", () => {
    const fits = [[1, 0], [0, 1]].map((f) => Float64Array.from(f));
    const skipX = { rows: 2, cols: 1, data: Float64Array.from([1, 1]) };
    const r = faceUniqueness(highs, { fits, target: Float64Array.from([1, 1]), total: 1, skipX, directions: dirs(2) });
    expect(r.unique).toBe(true);
    expect(Math.abs(r.skip[0].min - 0.5) + Math.abs(r.skip[0].max - 0.5)).toBeLessThan(1e-9);
  });

  it("rejects inconsistent shapes and an empty face", () => {
    expect(() => faceUniqueness(highs, { fits: [Float64Array.from([1])], target: Float64Array.from([1, 1]), total: 1, skipX: null, directions: dirs(1) })).toThrow(RangeError);
    expect(() => faceUniqueness(highs, { fits: [], target: Float64Array.from([1]), total: 0, skipX: null, directions: [] })).toThrow(/empty/);
  });
});

describe("optimal face of (C) at β > 0 vs vertex enumeration", () => {
  const cases: [string, number, number, number, number][] = [
    ["n = 6, 1-D, β = 0.02", 6, 1, 0.02, 1], ["n = 8, 1-D, β = 0.02", 8, 1, 0.02, 2], ["n = 7, 2-D, β = 0.02", 7, 2, 0.02, 3],
    ["n = 6, 1-D, β = 0.1", 6, 1, 0.1, 1], ["n = 8, 1-D, β = 0.1", 8, 1, 0.1, 2],
  ];
  for (const [name, n, d, beta, seed] of cases) {
    it(name, () => {
      const g = testRng(seed * 13);
      const X = withBias(g.randn(n, d));
      const pr = convexProblem(X, g.randnVec(n), beta, "square", enumeratePatterns(X));
      const sol = solveRelu(pr, { tol: 1e-12, maxIterations: 200000 });
      expect(sol.relativeGap).toBeLessThan(1e-10);
      const u = uniquenessAtBeta(highs, pr, sol.prediction);
      const vs = optimalSetVertices(u.directions, sol.prediction);
      expect(vs.vertices).not.toBeNull();
      expect(u.unique).toBe(vs.vertices!.length === 1);
      if (!u.unique) {
        const w = u.witnesses!;
        for (const p of [w.low, w.high]) {
          const nc = nonconvexObjective(toNetwork(u.directions, p), X, pr.y, beta, "square");
          expect(Math.abs(nc.objective - sol.primalValue)).toBeLessThan(1e-8 * sol.primalValue);
        }
        expect(u.maxRange).toBeGreaterThan(1e-2 * u.scale);
      } else {
        expect(u.maxRange).toBeLessThan(1e-8 * u.scale);
      }
    });
  }
});

describe("minimum-norm interpolation: 1-D with penalised bias and a free skip (a·x + b)", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`random data, n = ${4 + 2 * seed}: the function is unique on ℝ; the parameters trade along ±ū pairs`, () => {
      const g = testRng(700 + seed);
      const n = 4 + 2 * seed;
      const X = withBias(g.randn(n, 1));
      const y = g.randnVec(n);
      const P = enumeratePatterns(X);
      const sol = minNormInterpolation(highs, X, y, P, { skip: true });
      expect(sol.polished).toBe(true);
      const u = minNormUniqueness(highs, X, y, P, sol, { functionPoints: "line" });
      expect(u.functionUnique).toBe(true);
      // With Xᵀν = 0 every active ū has its antipode active with the same sign, and
      // (ūᵀz)_+ − (−ūᵀz)_+ = ūᵀz is absorbed by the skip: a segment of parameters, one function.
      expect(u.unique).toBe(false);
      const w = u.witnesses!;
      checkContinuum(u.directions, w.low, w.high, X, y, sol.value);
      const xs = Array.from({ length: n }, (_, k) => X.data[2 * k]);
      const lo = Math.min(...xs) - 2;
      const hi = Math.max(...xs) + 2;
      const grid = lineData(Array.from({ length: 401 }, (_, i) => lo + ((hi - lo) * i) / 400));
      const f1 = output(toNetwork(u.directions, w.low), grid, w.low.skip);
      const f2 = output(toNetwork(u.directions, w.high), grid, w.high.skip);
      const fScale = Math.max(1, ...Array.from(f1, Math.abs));
      expect(maxAbsDiff(f1, f2)).toBeLessThan(1e-7 * fScale);
    });
  }
});

describe("minimum-norm interpolation without skip: non-unique networks", () => {
  it("1-D, n = 5 (constructed; the data of Kim–Mishkin–Pilanci's Example 2 were not available)", () => {
    const X = lineData([-1.02, -0.98, -0.77, -0.09, 1.17]);
    const y = Float64Array.from([0.62, -0.04, 0.97, -0.14, -0.97]);
    const P = enumeratePatterns(X);
    const sol = minNormInterpolation(highs, X, y, P);
    expect(sol.polished).toBe(true);
    expect(sol.relativeGap).toBeLessThan(1e-12);
    const u = minNormUniqueness(highs, X, y, P, sol, { functionPoints: "line" });
    expect(u.unique).toBe(false);
    checkContinuum(u.directions, u.witnesses!.low, u.witnesses!.high, X, y, sol.value);
    const vs = optimalSetVertices(u.directions, y);
    expect(vs.vertices!.length).toBeGreaterThan(1);
    // Measured: the network function is nevertheless the same on all of ℝ (the continuum comes
    // from ±ū pairs whose linear parts cancel); recorded, not a claim of docs/science/convex.md.
    expect(u.functionUnique).toBe(true);
  });

  it("2-D + bias: n = 6 gives a point (one vertex); n = 10 mostly a continuum", () => {
    // Measured over 25 random seeds: n = 6 unique 25/25, n = 10 unique 4/25 (the parameters; the
    // function at 40 random inputs was unique in all 25). Every verdict is checked by vertex
    // enumeration, every continuum by its witnesses.
    const verdicts: Record<number, boolean[]> = { 6: [], 10: [] };
    for (const [n, seed] of [[6, 11], [6, 21], [10, 12], [10, 13], [10, 14], [10, 15]] as const) {
      const g = testRng(seed);
      const X = withBias(g.randn(n, 2));
      const y = g.randnVec(n);
      const P = enumeratePatterns(X);
      const sol = minNormInterpolation(highs, X, y, P);
      expect(sol.polished).toBe(true);
      const u = minNormUniqueness(highs, X, y, P, sol, { functionPoints: withBias(g.randn(40, 2)) });
      const vs = optimalSetVertices(u.directions, y);
      expect(u.unique).toBe(vs.vertices!.length === 1);
      if (!u.unique) checkContinuum(u.directions, u.witnesses!.low, u.witnesses!.high, X, y, sol.value);
      verdicts[n].push(u.unique);
    }
    expect(verdicts[6]).toEqual([true, true]);
    expect(verdicts[10].filter((v) => !v).length).toBeGreaterThanOrEqual(2);
  });
});

describe("lineTestPoints", () => {
  it("kinks −b/w, the data, and one point beyond each end, sorted, with a bias column", () => {
    const dirs = [{ direction: Float64Array.from([1, -0.5]) }, { direction: Float64Array.from([0, 1]) }];
    const Z = lineTestPoints(dirs, [0, 1]);
    const xs = Array.from({ length: Z.rows }, (_, i) => Z.data[2 * i]);
    expect(xs).toEqual([-2, 0, 0.5, 1, 3]);
    for (let i = 0; i < Z.rows; i++) expect(Z.data[2 * i + 1]).toBe(1);
  });
});

describe("verdicts at the solution's accuracy", () => {
  /** Largest coordinate difference of each computed direction from the closed-form one of its sign nearest to it. */
  const worstDirectionError = (got: ReadonlyArray<{ sign: 1 | -1; direction: Float64Array }>, want: ReadonlyArray<{ sign: 1 | -1; direction: number[] }>): number =>
    Math.max(...got.map((g) => Math.min(...want.filter((w) => w.sign === g.sign).map((w) => Math.max(...w.direction.map((v, t) => Math.abs(v - g.direction[t])))))));

  it.each([true, false])("x = −2..2, y = (0, 1, 1, 1, 0) (\"bump5\"), polish %s: the refined face is the closed form's one point, decided unique", (polish) => {
    // The minimum-norm interpolant is 1 − (−x−1)_+ − (x−1)_+ (value 1 + 2√2 in Σ(‖u‖ + ‖v‖)),
    // unique: the neuron (0, 1) with c = 1 and the two σ = −1 neurons (∓1, −1)/√2 with c = √2.
    // The LP point (polish: false, gap ~6e-10; before the polish fix also the default) gives a
    // face with near-duplicate directions (kinks −0.99993 and −1) and a spurious kink at −5.6e4
    // (function range 5.8 there, an artefact); the polished ν (a point of the non-unique dual
    // optimum) still has duplicates 1e-8 apart. The refinement merges them, recovers the
    // closed-form directions and decides "unique". 1e-12: the directions are fixed by exact cone
    // faces and Newton to rounding.
    const X = lineData([-2, -1, 0, 1, 2]);
    const y = Float64Array.from([0, 1, 1, 1, 0]);
    const P = enumeratePatterns(X);
    const sol = minNormInterpolation(highs, X, y, P, { polish });
    expect(sol.polished).toBe(polish);
    const value = 1 + 2 * Math.SQRT2;
    expect(Math.abs(sol.value - value)).toBeLessThan(1e-9 * value);
    const u = minNormUniqueness(highs, X, y, P, sol, { functionPoints: "line" });
    expect(u.refined).toBe(true);
    expect(u.refinedDualRatio).toBeLessThanOrEqual(1 + 1e-12);
    expect(u.undecided).toBeNull();
    expect(u.unique).toBe(true);
    expect(u.functionUnique).toBe(true);
    const r = Math.SQRT1_2;
    const want = [{ sign: 1 as const, direction: [0, 1] }, { sign: -1 as const, direction: [-r, -r] }, { sign: -1 as const, direction: [r, -r] }];
    expect(u.directions.length).toBe(3);
    expect(worstDirectionError(u.directions, want)).toBeLessThan(1e-12);
    expect(Math.abs(u.face.total - value)).toBeLessThan(1e-12 * value);
    // Every weight is pinned at the closed form's c (to the LP test's slack δ ≈ 1e-10·scale, times conditioning).
    u.directions.forEach((d, k) => {
      const c = d.sign === 1 ? 1 : Math.SQRT2;
      expect(Math.abs(u.weights[k].min - c)).toBeLessThan(1e-8);
      expect(Math.abs(u.weights[k].max - c)).toBeLessThan(1e-8);
    });
  });

  it("x = (−√3, −1, ½, 1, √3), y = 2x (convex/example-2), generic path: the face's range is the closed form's 2", () => {
    // Closed form (convexExample2.ts): the optimal networks are s·[u_a, −u_a] + (2 − s)·[u₁, u₅],
    // s ∈ [0, 2], with u_a = (1, 0), u₁ = (1, √3)/2, u₅ = (−1, √3)/2: every weight ranges over
    // [0, 2], and f_0 − f_2 = sign(x)(√3 − |x|) off [−√3, √3]. Read off the polished ν, ±u_a are
    // only accurate to ~6e-8 (the ratio is flat at its maximiser) and the face LP saw a range of
    // 1e-2; refined together with ν they are exact to rounding. Tolerances: directions 1e-12
    // (rounding of Newton); ranges 1e-8 (the LP test's slack δ = 1e-10·scale thickens the face).
    const s3 = Math.sqrt(3);
    const xs = [-s3, -1, 0.5, 1, s3];
    const X = lineData(xs);
    const y = Float64Array.from(xs, (x) => 2 * x);
    const P = enumeratePatterns(X);
    const sol = minNormInterpolation(highs, X, y, P);
    expect(sol.polished).toBe(true);
    const u = minNormUniqueness(highs, X, y, P, sol, { functionPoints: "line" });
    expect(u.refined).toBe(true);
    expect(u.undecided).toBeNull();
    expect(u.unique).toBe(false);
    expect(u.functionUnique).toBe(false);
    const want = [
      { sign: 1 as const, direction: [1, 0] }, { sign: -1 as const, direction: [-1, 0] },
      { sign: 1 as const, direction: [0.5, s3 / 2] }, { sign: -1 as const, direction: [-0.5, s3 / 2] },
    ];
    expect(u.directions.length).toBe(4);
    expect(worstDirectionError(u.directions, want)).toBeLessThan(1e-12);
    expect(u.directionShift).toBeGreaterThan(1e-9); // the rough ±u_a were off by ~6e-8
    expect(Math.abs(u.maxRange - 2)).toBeLessThan(1e-8);
    for (const w of u.weights) {
      expect(Math.abs(w.min)).toBeLessThan(1e-8);
      expect(Math.abs(w.max - 2)).toBeLessThan(1e-8);
    }
    // Function ranges: |f_0(z) − f_2(z)| = (|z| − √3)_+ at every line test point z.
    const Z = lineTestPoints(u.directions, xs);
    u.functionRanges.forEach((fr, p) => {
      const z = Z.data[2 * p];
      expect(Math.abs(fr.range - Math.max(Math.abs(z) - s3, 0))).toBeLessThan(1e-8 * Math.max(1, Math.abs(z)));
    });
  });
});
