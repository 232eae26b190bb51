/**
 * linalg/vectors.ts: distances, cosines and slice norms that stay exact at scales where the naive
 * √Σx² under- or overflows (δ = 1e-80 squares to 1e-160; two vectors of 1e-170 have products 1e-340).
 * Reference: the same quantities on the vectors rescaled by an exact power of two (2^k·x is exact
 * in binary floating point, and every quantity here is homogeneous), computed naively in range.
 */
import { describe, expect, it } from "vitest";
import { cosine, directionDistance, distance, nrm2, sliceNorm } from "../../src/linalg/index.js";
import { testRng } from "../helpers/random.js";

const naiveNorm = (x: Float64Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
const naiveDist = (a: Float64Array, b: Float64Array) => naiveNorm(a.map((v, i) => v - b[i]));
const naiveCos = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0) / (naiveNorm(a) * naiveNorm(b));

describe("scaled vector quantities", () => {
  const g = testRng(7);
  const a = g.randnVec(40);
  const b = g.randnVec(40);
  for (const k of [0, -600, -1000, 600, 1000]) {
    const s = 2 ** k;
    const as = a.map((v) => v * s);
    const bs = b.map((v) => v * s);
    it(`at scale 2^${k}: distance, cosine, direction distance, slice norm`, () => {
      expect(distance(as, bs) / s).toBeCloseTo(naiveDist(a, b), 13);
      expect(cosine(as, bs)).toBeCloseTo(naiveCos(a, b), 14);
      expect(cosine(as, b)).toBeCloseTo(naiveCos(a, b), 14);
      expect(directionDistance(as, bs)).toBeCloseTo(Math.sqrt(Math.max(0, 2 - 2 * naiveCos(a, b))), 12);
      expect(sliceNorm(as, 5, 25) / s).toBeCloseTo(naiveNorm(a.subarray(5, 25)), 13);
      expect(sliceNorm(as, 0, 40)).toBe(nrm2(as));
    });
  }

  it("the naive forms fail where these do not (the reason they exist)", () => {
    const tiny = a.map((v) => v * 1e-170);
    expect(naiveCos(tiny, tiny)).toBeNaN(); // 0/0: the products underflow
    expect(cosine(tiny, tiny)).toBeCloseTo(1, 14);
    expect(naiveDist(tiny, tiny.map((v) => 2 * v))).toBe(0);
    expect(distance(tiny, tiny.map((v) => 2 * v))).toBeGreaterThan(0);
  });

  it("edge cases: zero vectors give NaN directions, NaN propagates, lengths must match", () => {
    const z = new Float64Array(3);
    expect(cosine(z, Float64Array.of(1, 2, 3))).toBeNaN();
    expect(directionDistance(z, z)).toBeNaN();
    expect(distance(z, z)).toBe(0);
    expect(distance(Float64Array.of(NaN, 0), Float64Array.of(1, 0))).toBeNaN();
    expect(distance(Float64Array.of(Infinity, 0), Float64Array.of(1, 0))).toBe(Infinity);
    expect(() => distance(z, new Float64Array(2))).toThrow(RangeError);
    // nearly parallel: the direction distance keeps its digits where √(2 − 2cos) cancels
    const u = Float64Array.of(1, 1e-9);
    const v = Float64Array.of(1, 0);
    expect(directionDistance(u, v)).toBeCloseTo(1e-9, 20);
  });
});
