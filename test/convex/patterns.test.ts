// Activation patterns: exact enumeration against Cover's closed form 2·Σ_{k<r} C(n−1, k) (data in
// general position; 2n for 1-D data with a bias) and against brute-force sampling of many
// directions (every sampled pattern must be enumerated; with 10⁵ directions on tiny data every
// chamber is hit). Data here are independent Gaussians (general position with probability 1).
import { describe, expect, it } from "vitest";
import { enumeratePatterns, maxPatternCount, patternMask, patternOf, patternsFromGates, samplePatterns, withBias } from "../../src/convex/index.js";
import { maskKey } from "../../src/convex/program/patterns.js";
import { testRng } from "../helpers/random.js";

function keys(set: ReturnType<typeof enumeratePatterns>): Set<string> {
  return new Set(Array.from({ length: set.count }, (_, i) => maskKey(patternMask(set, i))));
}

describe("enumeratePatterns", () => {
  it("matches the closed form in general position", () => {
    const g = testRng(11);
    for (const [n, d] of [[5, 1], [8, 2], [10, 3], [12, 4], [7, 5], [6, 6], [9, 2]]) {
      const X = g.randn(n, d);
      const set = enumeratePatterns(X);
      expect(set.count, `n=${n}, d=${d}`).toBe(maxPatternCount(n, Math.min(n, d)));
      expect(set.exact).toBe(true);
      expect(keys(set).size).toBe(set.count); // distinct
    }
  });

  it("gives 2n patterns for 1-D data with a bias", () => {
    const g = testRng(12);
    for (const n of [1, 2, 5, 10, 25]) {
      const X = withBias(g.randn(n, 1));
      expect(enumeratePatterns(X).count).toBe(2 * n);
    }
  });

  it("2 + bias (the toy exact program): 2·(1 + (n−1) + C(n−1, 2))", () => {
    const X = withBias(testRng(13).randn(10, 2));
    expect(enumeratePatterns(X).count).toBe(2 * (1 + 9 + 36));
  });

  it("is a superset of brute-force sampled patterns, equal on tiny data", () => {
    const g = testRng(14);
    for (const [n, d] of [[6, 2], [5, 3], [8, 2]]) {
      const X = g.randn(n, d);
      const exact = keys(enumeratePatterns(X));
      const sampled = samplePatterns(X, 100000, 3);
      const s = keys(sampled);
      for (const k of s) expect(exact.has(k)).toBe(true);
      expect(s.size).toBe(exact.size);
      expect(sampled.exact).toBe(false);
    }
  });

  it("handles degenerate data: repeated and antiparallel rows, zero rows", () => {
    // 1-D + bias with a repeated point: 2·(distinct points).
    const X = withBias({ rows: 5, cols: 1, data: Float64Array.from([0, 1, 1, 2, 3]) });
    expect(enumeratePatterns(X).count).toBe(8);
    // Antiparallel rows in 2-D (no bias): x and −x give the same line.
    const Y = { rows: 3, cols: 2, data: Float64Array.from([1, 0, -1, 0, 0, 1]) };
    const set = enumeratePatterns(Y);
    expect(set.count).toBe(4);
    const sampled = keys(samplePatterns(Y, 20000, 1));
    for (const k of sampled) expect(keys(set).has(k)).toBe(true);
    // A zero row gets D_kk = 1 (≥ convention) in every pattern.
    const Zr = { rows: 3, cols: 2, data: Float64Array.from([1, 2, 0, 0, -1, 3]) };
    const zs = enumeratePatterns(Zr);
    expect(zs.count).toBe(4);
    for (let i = 0; i < zs.count; i++) expect(patternMask(zs, i)[1]).toBe(1);
  });

  it("uses ≥: a direction on a hyperplane switches the row on", () => {
    const X = { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, 1]) };
    expect(Array.from(patternOf(X, [0, -1]))).toEqual([1, 0]);
    expect(Array.from(patternOf(X, [-1, 0]))).toEqual([0, 1]);
  });

  it("each generator reproduces its pattern", () => {
    const X = withBias(testRng(15).randn(9, 2));
    const set = enumeratePatterns(X);
    for (let i = 0; i < set.count; i++) {
      const h = set.generators.subarray(i * set.d, (i + 1) * set.d);
      expect(maskKey(patternOf(X, h))).toBe(maskKey(patternMask(set, i)));
    }
  });

  it("refuses sizes beyond its limit", () => {
    const X = testRng(16).randn(200, 6);
    expect(() => enumeratePatterns(X)).toThrow(/sample/);
  });
});

describe("patternsFromGates", () => {
  it("de-duplicates gates with equal patterns and is not exact", () => {
    const X = { rows: 3, cols: 2, data: Float64Array.from([1, 0, 0, 1, 1, 1]) };
    const gates = { rows: 3, cols: 2, data: Float64Array.from([1, 1, 2, 3, -1, -1]) };
    const set = patternsFromGates(X, gates);
    expect(set.count).toBe(2);
    expect(set.requested).toBe(3);
    expect(set.exact).toBe(false);
  });
});
