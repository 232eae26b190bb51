import { describe, expect, it } from "vitest";
import { interpolate, rasterDeviation, vectorDeviation, vectorTolerance, type PublishedCurve } from "../../src/reproduce/index.js";

function curve(points: Array<[number, number]>, kind: "vector" | "raster", yScale: "linear" | "log", resolution: { x: number | null; y: number }): PublishedCurve {
  return { source: "test", what: "test", kind, xScale: "linear", yScale, resolution, points };
}

describe("published curves", () => {
  it("vector figures: relative differences on a log axis, absolute on a linear one, points outside the run skipped", () => {
    const ours = (k: number) => (k <= 10 ? Math.exp(-k) : undefined);
    const log = curve([[0, 1], [5, Math.exp(-5) * (1 + 1e-6)], [20, 1]], "vector", "log", { x: null, y: 1e-8 });
    const d = vectorDeviation(log, ours);
    expect(d.compared).toBe(2);
    expect(d.total).toBe(3);
    expect(d.max).toBeCloseTo(Math.log1p(1e-6), 15);
    expect(d.at[0]).toBe(5);
    expect(vectorTolerance(log)).toBeCloseTo(2 * Math.LN10 * 1e-8, 20);
    const lin = curve([[1, Math.exp(-1) + 3e-9]], "vector", "linear", { x: 1e-4, y: 1e-9 });
    expect(vectorDeviation(lin, ours).max).toBeCloseTo(3e-9, 15);
    expect(vectorTolerance(lin)).toBe(2e-9);
  });

  it("a NaN or infinite value of ours inside the run is a failure, never agreement", () => {
    const c = curve([[1, 1], [2, 1]], "vector", "linear", { x: 1, y: 1e-9 });
    expect(Number.isNaN(vectorDeviation(c, (k) => (k === 1 ? 1 : NaN)).max)).toBe(true);
    expect(vectorDeviation(c, () => Number.POSITIVE_INFINITY).max).toBe(Number.POSITIVE_INFINITY);
    const r = curve([[150, 1]], "raster", "linear", { x: 10, y: 0.01 });
    expect(Number.isNaN(rasterDeviation(r, [0, 100, 200, 300], [0, NaN, 2, 3]).max)).toBe(true);
  });

  it("raster figures: distance in pixels, one pixel of x freedom, only points whose window lies in the run", () => {
    const xs = [0, 100, 200, 300, 400];
    const ys = [0, 1, 2, 3, 4]; // y = x/100
    const px = { x: 1, y: 0.01 };
    // (150, 1.5) lies on the line; (150, 1.52) is 2 px above it, and one step of x freedom brings it to 1 px
    const c = curve([[150, 1.5], [150, 1.52], [400, 0]], "raster", "linear", px);
    const d = rasterDeviation(c, xs, ys);
    expect(d.compared).toBe(2); // x = 400 ± 1 leaves the run
    expect(d.max).toBeCloseTo(1, 9);
    expect(d.at).toEqual([150, 1.52]);
  });

  it("interpolate is linear between samples and undefined outside", () => {
    expect(interpolate([0, 2, 4], [0, 10, 0], 1)).toBe(5);
    expect(interpolate([0, 2, 4], [0, 10, 0], 3)).toBe(5);
    expect(interpolate([0, 2, 4], [0, 10, 0], 4)).toBe(0);
    expect(interpolate([0, 2, 4], [0, 10, 0], 4.1)).toBeUndefined();
    expect(interpolate([0, 2, 4], [0, 10, 0], -0.1)).toBeUndefined();
  });
});
